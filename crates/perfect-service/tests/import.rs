//! `perfect-service import transactions|responses|events`, run as a user would run it, on SQLite and
//! PostgreSQL. The organization is set up and read back through the store.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use domain::access::TeamKind;
use domain::survey::{Question, QuestionKind, Questions, default_questions};
use domain::{Email, ExternalId, Key, Name, Role};
use std::process::{Command, Output};
use store::test_support::TestDatabase as Database;
use store::{
    Actor, AuditFilter, AuditStore, ListParams, NewSurvey, NewTeam, NewTouchpoint, NewUser,
    OperationsStore, Response, ResponseFilter, ResponseStore, SqlStore, SurveyStore, TeamStore,
    TouchpointStore, Transaction, TransactionFilter, TransactionStore, UserStore,
};

const BIN: &str = env!("CARGO_BIN_EXE_perfect-service");

/// A command with a clean environment: no PERFECT_SERVICE_* variables leak in from outside.
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args).env("RUST_LOG", "warn");
    for (name, _) in std::env::vars() {
        if name.starts_with("PERFECT_SERVICE_") {
            command.env_remove(name);
        }
    }
    command
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs each named test on SQLite, and on PostgreSQL when one is configured.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name(super::Org::new(super::Database::sqlite().unwrap()));
            })*
        }
        mod postgresql {
            $(#[test]
            fn $name() {
                let runtime = tokio::runtime::Runtime::new().unwrap();
                if let Some(db) = runtime.block_on(super::Database::postgres()).unwrap() {
                    super::$name(super::Org::new(db));
                }
            })*
        }
    };
}

on_both_backends!(
    a_valid_transactions_file_is_imported_and_importing_it_again_updates,
    a_file_with_bad_rows_imports_nothing_and_reports_every_bad_row,
    a_dry_run_checks_every_row_and_writes_nothing,
    a_responses_file_is_imported_with_its_scores,
    bad_responses_are_reported_by_line_and_none_is_stored,
    unknown_and_missing_columns_are_refused,
    ten_thousand_rows_are_imported_in_batches,
    a_database_failure_after_the_first_batch_says_what_was_committed,
    an_events_file_is_stored_in_batches_and_importing_it_again_stores_nothing,
    bad_events_are_reported_by_line_and_none_is_stored,
);

/// A database with an organization: a surveyed touchpoint, one without a survey, a staff member.
struct Org {
    db: Database,
    runtime: tokio::runtime::Runtime,
    store: SqlStore,
}

fn system() -> Actor {
    Actor::System {
        label: "test".into(),
    }
}

fn key(raw: &str) -> Key {
    Key::parse("key", raw).unwrap()
}

impl Org {
    fn new(db: Database) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let store = runtime.block_on(db.store()).unwrap();
        runtime.block_on(seed(&store));
        Self { db, runtime, store }
    }

    /// Writes `contents` to a file named `name` and imports it.
    fn import(&self, kind: &str, name: &str, contents: &str, flags: &[&str]) -> Output {
        let path = self.db.dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        let mut args = vec![
            "import",
            kind,
            path.to_str().unwrap(),
            "--database-url",
            &self.db.url,
        ];
        args.extend(flags);
        command(&args).output().unwrap()
    }

    fn transactions(&self) -> Vec<Transaction> {
        let params = ListParams {
            limit: 100,
            ..ListParams::default()
        };
        let filter = TransactionFilter::default();
        let page = self
            .runtime
            .block_on(self.store.list_transactions(&params, &filter));
        page.unwrap().items
    }

    fn transaction_count(&self) -> i64 {
        self.runtime
            .block_on(self.store.counts())
            .unwrap()
            .transactions
    }

    fn customer_count(&self) -> i64 {
        self.runtime
            .block_on(self.store.counts())
            .unwrap()
            .customers
    }

    fn responses(&self) -> Vec<Response> {
        let mut all = Vec::new();
        let mut params = ListParams {
            limit: 500,
            ..ListParams::default()
        };
        loop {
            let page = self
                .runtime
                .block_on(
                    self.store
                        .list_responses(&params, &ResponseFilter::default()),
                )
                .unwrap();
            all.extend(page.items);
            match page.next_after_id {
                Some(after) => params.after_id = Some(after),
                None => return all,
            }
        }
    }

    fn execute(&self, sql: &str) {
        self.runtime.block_on(self.store.execute_raw(sql)).unwrap();
    }

    fn is_postgres(&self) -> bool {
        self.db.url.starts_with("postgres")
    }
}

impl Drop for Org {
    fn drop(&mut self) {
        self.runtime.block_on(self.store.close());
    }
}

async fn seed(store: &SqlStore) {
    let team = NewTeam {
        key: key("care"),
        name: Name::parse("name", "Care").unwrap(),
        kind: TeamKind::Client,
        description: None,
    };
    let team = store.create_team(&system(), team).await.unwrap();
    for (touchpoint, name) in [
        ("phone-support", "Phone support"),
        ("front-desk", "Front desk"),
    ] {
        let touchpoint = NewTouchpoint {
            key: key(touchpoint),
            name: Name::parse("name", name).unwrap(),
            description: None,
            team: Some(key("care")),
        };
        store
            .create_touchpoint(&system(), touchpoint)
            .await
            .unwrap();
    }
    let mut questions = default_questions("Timeliness");
    questions.push(Question {
        key: "topics".into(),
        prompt: "What was it about?".into(),
        kind: QuestionKind::MultipleChoice {
            options: vec!["billing".into(), "delivery".into(), "support".into()],
        },
        required: false,
    });
    let survey = NewSurvey {
        key: key("after-call"),
        name: "After a call".into(),
        description: None,
        questions: Questions::parse(questions).unwrap(),
        touchpoints: vec![key("phone-support")],
    };
    store.create_survey(&system(), survey).await.unwrap();
    let staff = NewUser {
        email: Email::parse("email", "grace@example.com").unwrap(),
        name: Name::parse("name", "Grace Hopper").unwrap(),
        role: Role::Member,
        external_id: Some(ExternalId::parse("external_id", "S-7").unwrap()),
        password_hash: None,
        teams: vec![team.id],
    };
    store.create_user(&system(), staff).await.unwrap();
}

const TRANSACTIONS: &str = "\u{feff}external_id,occurred_at,touchpoint,customer_external_id,customer_name,customer_email,staff,amount,currency,attr.order_id,attr.note\n\
T-1,2026-11-20T10:00:00Z,phone-support,C-1,\"Lovelace, Ada\",ada@example.com,S-7,120.5,EUR,O-1,\"first line\nsecond line, with a comma\"\n\
T-2,2026-11-21T10:00:00+01:00,phone-support,C-2,Bob,,,,,O-2,\n\
T-3,2026-11-22T10:00:00Z,front-desk,C-1,,,,1234,JPY,,\n";

fn a_valid_transactions_file_is_imported_and_importing_it_again_updates(org: Org) {
    let output = org.import("transactions", "transactions.csv", TRANSACTIONS, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(
        summary.contains("transactions.csv: 3 rows read, 3 created, 0 updated in"),
        "{summary}"
    );
    assert!(summary.contains("rows/s"), "{summary}");
    let transactions = org.transactions();
    assert_eq!(transactions.len(), 3);
    let first = transactions
        .iter()
        .find(|t| t.external_id == "T-1")
        .unwrap();
    let amount = first.amount.unwrap();
    assert_eq!((amount.minor, amount.currency.as_str()), (12050, "EUR"));
    assert_eq!(first.customer.name.as_deref(), Some("Lovelace, Ada"));
    assert_eq!(
        first.staff.as_ref().and_then(|s| s.external_id.as_deref()),
        Some("S-7")
    );
    assert_eq!(first.attributes["order_id"], "O-1");
    assert_eq!(
        first.attributes["note"], "first line\nsecond line, with a comma",
        "quoted fields keep their commas and newlines"
    );
    let second = transactions
        .iter()
        .find(|t| t.external_id == "T-2")
        .unwrap();
    assert!(second.amount.is_none());
    assert!(
        !second.attributes.contains_key("note"),
        "empty cells are not attributes"
    );
    let third = transactions
        .iter()
        .find(|t| t.external_id == "T-3")
        .unwrap();
    assert_eq!(third.amount.unwrap().minor, 1234, "JPY has no minor unit");
    assert_eq!(org.customer_count(), 2);
    let audit = org
        .runtime
        .block_on(org.store.list_audit(
            &ListParams {
                limit: 100,
                ..ListParams::default()
            },
            &AuditFilter::default(),
        ))
        .unwrap();
    assert!(
        audit
            .items
            .iter()
            .any(|e| e.actor_label == "import (transactions.csv)"),
        "the import is audited under its file name"
    );

    let again = org.import("transactions", "transactions.csv", TRANSACTIONS, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("3 rows read, 0 created, 3 updated"),
        "{}",
        stdout(&again)
    );
    assert_eq!(org.transaction_count(), 3, "upserted, not duplicated");
}

const BAD_TRANSACTIONS: &str = "external_id,occurred_at,touchpoint,customer_external_id,customer_email,staff,amount,currency,attr.note\n\
T-1,2026-11-20T10:00:00Z,phone-support,C-1,ok@example.com,,120.00,EUR,\n\
T-2,2026-11-20T10:00:00Z,phone-support,C-2,not-an-email,,,,\n\
T-3,yesterday,phone-support,C-3,,,,,\n\
T-4,2026-11-20T10:00:00Z,nowhere,C-4,,,,,\n\
T-5,2026-11-20T10:00:00Z,phone-support,C-5,,,12.345,EUR,\n\
T-6,2026-11-20T10:00:00Z,phone-support,C-6,,,\"1,000.00\",EUR,\n\
T-7,2026-11-20T10:00:00Z,phone-support,C-7,,,,,\"a note\non three\nlines\"\n\
T-8,2026-11-20T10:00:00Z,phone-support,C-8,,S-99,,,\n\
T-9,2026-11-20T10:00:00Z,phone-support,C-9,,,5,,\n\
T-10,too,few\n\
T-11,2026-11-20T10:00:00Z,phone-support,C-11,,,5,euro,\n";

fn a_file_with_bad_rows_imports_nothing_and_reports_every_bad_row(org: Org) {
    let output = org.import("transactions", "bad.csv", BAD_TRANSACTIONS, &[]);
    assert!(!output.status.success());
    let report = stderr(&output);
    for expected in [
        "line 3: customer_email: is not a valid e-mail address",
        "line 4: occurred_at: must be an RFC 3339 date-time",
        "line 5: touchpoint: no touchpoint with \"nowhere\"",
        "line 6: amount: must be an amount such as 1200.00 with at most 2 decimals",
        "line 7: amount: must be an amount such as 1200.00",
        "line 11: staff: no staff member with \"S-99\"",
        "line 12: currency: is required with an amount",
        "line 13: has 3 fields where the header has 9",
        "line 14: currency: must be a three-letter uppercase ISO 4217 code",
        "9 of the 11 rows of bad.csv are invalid",
        "nothing was imported",
    ] {
        assert!(
            report.contains(expected),
            "{expected:?} missing from:\n{report}"
        );
    }
    assert!(!report.contains("line 2:"), "{report}");
    assert!(
        !report.contains("line 8:"),
        "the row spanning lines 8 to 10 is valid: {report}"
    );
    assert_eq!(org.transaction_count(), 0);
    assert_eq!(org.customer_count(), 0, "not even customers are written");
}

fn a_dry_run_checks_every_row_and_writes_nothing(org: Org) {
    let output = org.import("transactions", "t.csv", TRANSACTIONS, &["--dry-run"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("t.csv: all 3 rows are valid"),
        "{}",
        stdout(&output)
    );
    assert!(stdout(&output).contains("nothing was imported (--dry-run)"));
    assert_eq!(org.transaction_count(), 0);
    let bad = org.import("transactions", "bad.csv", BAD_TRANSACTIONS, &["--dry-run"]);
    assert!(!bad.status.success(), "a dry run of a bad file fails");
    assert!(stderr(&bad).contains("line 3: customer_email"));
    assert_eq!(org.customer_count(), 0);
}

const RESPONSES: &str = "transaction,customer_external_id,touchpoint,source,responded_at,csat,nps,comment,contact,topics\n\
T-1,,,phone_interview,2026-11-21T09:00:00Z,2,4,\"Waited 40 minutes on hold, then I was cut off.\nVery frustrating.\",yes,billing|support\n\
,C-2,phone-support,kiosk,,5,10,,no,\n";

fn a_responses_file_is_imported_with_its_scores(org: Org) {
    let setup = org.import("transactions", "t.csv", TRANSACTIONS, &[]);
    assert!(setup.status.success(), "{}", stderr(&setup));
    let output = org.import("responses", "responses.csv", RESPONSES, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("responses.csv: 2 rows read, 2 responses stored in"),
        "{}",
        stdout(&output)
    );
    let responses = org.responses();
    assert_eq!(responses.len(), 2);
    let phone = responses
        .iter()
        .find(|r| r.source == "phone_interview")
        .unwrap();
    assert_eq!(phone.transaction_external_id.as_deref(), Some("T-1"));
    assert_eq!(phone.customer.external_id, "C-1");
    assert_eq!((phone.scores.csat, phone.scores.nps), (Some(2), Some(4)));
    assert_eq!(
        phone.comment.as_deref(),
        Some("Waited 40 minutes on hold, then I was cut off.\nVery frustrating.")
    );
    assert!(phone.analysis.sentiment.unwrap() < 0.0, "{phone:?}");
    assert!(phone.contact_consent);
    assert_eq!(
        phone.answers["topics"],
        serde_json::json!(["billing", "support"])
    );
    assert_eq!(
        phone.responded_at,
        "2026-11-21T09:00:00Z".parse::<jiff::Timestamp>().unwrap()
    );
    let kiosk = responses.iter().find(|r| r.source == "kiosk").unwrap();
    assert_eq!(kiosk.transaction_external_id, None);
    assert_eq!(kiosk.customer.external_id, "C-2");
    assert_eq!(kiosk.touchpoint.key, "phone-support");
    assert_eq!((kiosk.scores.csat, kiosk.scores.nps), (Some(5), Some(10)));
    assert!(!kiosk.contact_consent);
}

const BAD_RESPONSES: &str = "transaction,customer_external_id,touchpoint,source,csat,contact,topics\n\
T-1,,,phone_interview,9,,\n\
T-404,,,phone_interview,3,,\n\
,C-1,front-desk,kiosk,3,,\n\
,C-404,phone-support,kiosk,3,,\n\
T-1,,,phone_interview,3,maybe,\n\
T-1,,,phone_interview,3,,billing|cooking\n\
T-1,,,phone_interview,,yes,\n\
T-1,,,Phone Interview,3,,\n\
,C-1,,kiosk,3,,\n\
T-1,,,phone_interview,4,no,delivery\n";

fn bad_responses_are_reported_by_line_and_none_is_stored(org: Org) {
    let setup = org.import("transactions", "t.csv", TRANSACTIONS, &[]);
    assert!(setup.status.success(), "{}", stderr(&setup));
    let output = org.import("responses", "bad.csv", BAD_RESPONSES, &[]);
    assert!(!output.status.success());
    let report = stderr(&output);
    for expected in [
        "line 2: csat: must be from 1 to 5, not 9",
        "line 3: transaction: no transaction with \"T-404\"",
        "line 4: touchpoint: has no survey",
        "line 5: customer_external_id: no customer with \"C-404\"",
        "line 6: contact: must be yes or no",
        "line 7: topics: \"cooking\" is not one of the options",
        "line 8: csat: is required",
        "line 9: source: must be 1 to 40 lowercase letters",
        "line 10: transaction: give a transaction, or a customer_external_id and a touchpoint",
        "9 of the 10 rows of bad.csv are invalid",
    ] {
        assert!(
            report.contains(expected),
            "{expected:?} missing from:\n{report}"
        );
    }
    assert!(!report.contains("line 11:"), "{report}");
    assert!(org.responses().is_empty());
}

fn unknown_and_missing_columns_are_refused(org: Org) {
    let cases = [
        (
            "transactions",
            "external_id,occurred_at,touchpoint,customer_external_id,colour,attr.size\nT-1,2026-11-20T10:00:00Z,phone-support,C-1,red,L\n",
            "unknown columns: \"colour\"",
        ),
        (
            "transactions",
            "external_id,occurred_at,customer_external_id\nT-1,2026-11-20T10:00:00Z,C-1\n",
            "missing required columns: touchpoint",
        ),
        (
            "transactions",
            "external_id;occurred_at;touchpoint;customer_external_id\n",
            "separated by ';'",
        ),
        (
            "transactions",
            "external_id,occurred_at,touchpoint,customer_external_id,amount\nT-1,2026-11-20T10:00:00Z,phone-support,C-1,12\n",
            "missing required columns: currency",
        ),
        ("transactions", "", "has no header row"),
        (
            "responses",
            "transaction,source,cstat\nT-1,kiosk,4\n",
            "unknown columns: \"cstat\"",
        ),
        (
            "responses",
            "transaction,csat\nT-1,4\n",
            "missing required columns: source",
        ),
        (
            "responses",
            "touchpoint,source,csat\nphone-support,kiosk,4\n",
            "missing required columns: transaction, or customer_external_id and touchpoint",
        ),
    ];
    for (kind, contents, expected) in cases {
        let output = org.import(kind, "columns.csv", contents, &[]);
        assert!(!output.status.success(), "{contents:?} accepted");
        assert!(
            stderr(&output).contains(expected),
            "{expected:?} missing for {contents:?}:\n{}",
            stderr(&output)
        );
    }
    assert_eq!(org.transaction_count(), 0);
}

fn ten_thousand_rows_are_imported_in_batches(org: Org) {
    let mut transactions = String::from(
        "external_id,occurred_at,touchpoint,customer_external_id,customer_name,amount,currency\n",
    );
    let mut responses = String::from("transaction,source,csat,nps,comment\n");
    for n in 0..10_000 {
        transactions.push_str(&format!(
            "T-{n},2026-11-20T10:{:02}:00Z,phone-support,C-{},Customer {},{}.{:02},EUR\n",
            n % 60,
            n % 500,
            n % 500,
            n % 1000,
            n % 100
        ));
        responses.push_str(&format!(
            "T-{n},import,{},{},{}\n",
            1 + n % 5,
            n % 11,
            ["Waited far too long", "Friendly and quick", ""][n % 3]
        ));
    }
    let output = org.import("transactions", "large.csv", &transactions, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(
        summary.contains("10000 rows read, 10000 created, 0 updated"),
        "{summary}"
    );
    eprintln!("transactions: {summary}");
    let progress = stderr(&output);
    assert!(
        progress.contains("imported 1000 of 10000 rows")
            && progress.contains("imported 10000 of 10000 rows"),
        "one progress line per batch when standard error is not a terminal: {progress}"
    );
    assert_eq!(org.transaction_count(), 10_000);
    let output = org.import("responses", "large-responses.csv", &responses, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(
        summary.contains("10000 rows read, 10000 responses stored"),
        "{summary}"
    );
    eprintln!("responses: {summary}");
    assert_eq!(org.responses().len(), 10_000);
}

/// Makes the database refuse to insert the transaction `T-1500` or a response from `broken`.
fn break_the_database(org: &Org) {
    if org.is_postgres() {
        for (table, condition) in [
            ("transactions", "NEW.external_id = 'T-1500'"),
            ("responses", "NEW.source = 'broken'"),
        ] {
            org.execute(&format!(
                "CREATE FUNCTION refuse_{table}() RETURNS trigger AS $$ BEGIN IF {condition} THEN \
                 RAISE EXCEPTION 'simulated failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            ));
            org.execute(&format!(
                "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} FOR EACH ROW \
                 EXECUTE FUNCTION refuse_{table}()"
            ));
        }
    } else {
        org.execute("CREATE TRIGGER refuse_transactions BEFORE INSERT ON transactions WHEN NEW.external_id = 'T-1500' BEGIN SELECT RAISE(ABORT, 'simulated failure'); END");
        org.execute("CREATE TRIGGER refuse_responses BEFORE INSERT ON responses WHEN NEW.source = 'broken' BEGIN SELECT RAISE(ABORT, 'simulated failure'); END");
    }
}

fn repair_the_database(org: &Org) {
    if org.is_postgres() {
        org.execute("DROP TRIGGER refuse_transactions ON transactions");
    } else {
        org.execute("DROP TRIGGER refuse_transactions");
    }
}

fn a_database_failure_after_the_first_batch_says_what_was_committed(org: Org) {
    let mut transactions =
        String::from("external_id,occurred_at,touchpoint,customer_external_id\n");
    let mut responses = String::from("customer_external_id,touchpoint,source,csat\n");
    for n in 0..2000 {
        transactions.push_str(&format!(
            "T-{n},2026-11-20T10:00:00Z,phone-support,C-{}\n",
            n % 50
        ));
        let source = if n == 1500 { "broken" } else { "kiosk" };
        responses.push_str(&format!("C-{},phone-support,{source},4\n", n % 50));
    }
    break_the_database(&org);
    let output = org.import("transactions", "t.csv", &transactions, &[]);
    assert!(!output.status.success());
    let report = stderr(&output);
    assert!(report.contains("simulated failure"), "{report}");
    assert!(
        report.contains("1000 of 2000 rows were committed; nothing from line 1002 on was imported"),
        "{report}"
    );
    assert!(report.contains("upserted by external id"), "{report}");
    assert_eq!(org.transaction_count(), 1000);
    repair_the_database(&org);
    let again = org.import("transactions", "t.csv", &transactions, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("2000 rows read, 1000 created, 1000 updated"),
        "{}",
        stdout(&again)
    );

    let output = org.import("responses", "r.csv", &responses, &[]);
    assert!(!output.status.success());
    let report = stderr(&output);
    assert!(
        report.contains("1000 of 2000 rows were committed; nothing from line 1002 on was imported"),
        "{report}"
    );
    assert!(
        report.contains(
            "store the 1000 committed responses twice: import only the rows from line 1002 on"
        ),
        "{report}"
    );
    assert_eq!(org.responses().len(), 1000);
}

#[test]
fn the_help_of_each_import_lists_its_columns() {
    for (kind, columns) in [
        (
            "transactions",
            &["external_id *", "customer_email", "amount", "attr.NAME"][..],
        ),
        (
            "responses",
            &["transaction", "source *", "responded_at"][..],
        ),
        (
            "events",
            &[
                "event_type *",
                "subject *",
                "idempotency_key",
                "hold_seconds",
            ][..],
        ),
    ] {
        let output = command(&["import", kind, "--help"]).output().unwrap();
        assert!(output.status.success());
        let help = stdout(&output);
        assert!(help.contains("--dry-run"), "{help}");
        for column in columns {
            assert!(help.contains(column), "{column} missing from:\n{help}");
        }
    }
}

impl Org {
    /// Every stored event of `types` (since 2000, up to an hour from now).
    fn events(&self, types: &[&str]) -> Vec<domain::standards::OperationalEvent> {
        use store::StandardStore;
        let types: Vec<String> = types.iter().map(|t| (*t).to_owned()).collect();
        let from = jiff::Timestamp::from_second(946_684_800).unwrap();
        let to = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(2);
        self.runtime
            .block_on(self.store.events_of_types(&types, from, to))
            .unwrap()
    }
}

fn an_events_file_is_stored_in_batches_and_importing_it_again_stores_nothing(org: Org) {
    // 1,500 events: more than one batch; every other one with an attribute.
    let mut csv = String::from(
        "event_type,subject,customer,transaction,occurred_at,idempotency_key,hold_seconds\n",
    );
    for i in 0..750 {
        let minute = i % 60;
        let hour = i / 60 % 24;
        let day = 1 + i / (60 * 24);
        csv.push_str(&format!(
            "call.queued,CALL-{i},C-{},T-{i},2026-01-{day:02}T{hour:02}:{minute:02}:00Z,,{}\n",
            i % 7,
            if i % 2 == 0 { "95" } else { "" }
        ));
        csv.push_str(&format!(
            "call.answered,CALL-{i},,,2026-01-{day:02}T{hour:02}:{minute:02}:30+00:00,key-{i},\n"
        ));
    }
    let output = org.import("events", "events.csv", &csv, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(summary.contains("1500 rows read"), "{summary}");
    assert!(summary.contains("1500 stored, 0 duplicates"), "{summary}");
    let queued = org.events(&["call.queued"]);
    assert_eq!(queued.len(), 750);
    let first = queued
        .iter()
        .find(|e| e.subject.as_str() == "CALL-0")
        .unwrap();
    assert_eq!(first.customer.as_ref().unwrap().as_str(), "C-0");
    assert_eq!(first.transaction.as_ref().unwrap().as_str(), "T-0");
    assert_eq!(first.attribute("hold_seconds"), Some(95.0));
    assert!(first.idempotency_key.as_str().starts_with("derived:"));
    let second = queued
        .iter()
        .find(|e| e.subject.as_str() == "CALL-1")
        .unwrap();
    assert!(
        second.attributes.is_empty(),
        "an empty cell is no attribute"
    );
    let answered = org.events(&["call.answered"]);
    assert_eq!(answered.len(), 750);
    assert!(
        answered
            .iter()
            .any(|e| e.idempotency_key.as_str() == "key-3")
    );

    // The same file again (a retry): nothing new.
    let again = org.import("events", "events.csv", &csv, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("0 stored, 1500 duplicates"),
        "{}",
        stdout(&again)
    );
    assert_eq!(org.events(&["call.queued", "call.answered"]).len(), 1500);
}

const BAD_EVENTS: &str = "\
event_type,subject,customer,occurred_at,hold_seconds
call.queued,CALL-1,C-1,2026-01-05T10:00:00Z,12
Call Queued,CALL-2,C-1,2026-01-05T10:00:00Z,
call.queued,,C-1,2026-01-05T10:00:00Z,
call.queued,CALL-4,C-1,yesterday,
call.queued,CALL-5,C-1,2999-01-01T00:00:00Z,
call.queued,CALL-6,C-1,2026-01-05T10:00:00Z,long
call.queued,CALL-7,C-1
";

fn bad_events_are_reported_by_line_and_none_is_stored(org: Org) {
    let output = org.import("events", "bad-events.csv", BAD_EVENTS, &[]);
    assert!(!output.status.success());
    let report = stderr(&output);
    for expected in [
        "line 3: event_type:",
        "line 4: subject:",
        "line 5: occurred_at:",
        "line 6: occurred_at: must not be in the future",
        "line 7: hold_seconds: \"long\" is not a number",
        "line 8: has 3 fields where the header has 5",
        "6 of the 7 rows of bad-events.csv are invalid",
        "nothing was imported",
    ] {
        assert!(
            report.contains(expected),
            "{expected:?} missing from:\n{report}"
        );
    }
    assert!(!report.contains("line 2:"), "{report}");
    assert!(org.events(&["call.queued"]).is_empty());
    // A dry run of the good row alone writes nothing either.
    let good = "event_type,subject,occurred_at\ncall.queued,CALL-1,2026-01-05T10:00:00Z\n";
    let dry = org.import("events", "good.csv", good, &["--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(org.events(&["call.queued"]).is_empty());
    // A column that is neither known nor an attribute name.
    let odd = org.import(
        "events",
        "odd.csv",
        "event_type,subject,occurred_at,Hold Time\n",
        &[],
    );
    assert!(!odd.status.success());
    assert!(
        stderr(&odd).contains("unknown columns: \"Hold Time\""),
        "{}",
        stderr(&odd)
    );
}
