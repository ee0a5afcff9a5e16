//! The store's behaviour, checked on SQLite and (when configured) PostgreSQL alike.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use domain::access::TeamKind;
use domain::{Currency, Email, ExternalId, Key, Money, Name, Role};
use store::*;

use store::test_support::TestDatabase;

struct TestDb {
    store: SqlStore,
    _database: TestDatabase,
}

impl TestDb {
    /// A raw connection, to try what the store's interface never does.
    async fn raw(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self._database.url).await.unwrap()
    }
}

async fn sqlite() -> TestDb {
    let database = TestDatabase::sqlite().unwrap();
    TestDb {
        store: database.store().await.unwrap(),
        _database: database,
    }
}

async fn postgres() -> Option<TestDb> {
    let database = TestDatabase::postgres().await.unwrap()?;
    Some(TestDb {
        store: database.store().await.unwrap(),
        _database: database,
    })
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            $(#[tokio::test] async fn $name() { super::$name(super::sqlite().await).await })*
        }
        mod postgres_backend {
            $(#[tokio::test] async fn $name() {
                if let Some(db) = super::postgres().await { super::$name(db).await }
            })*
        }
    };
}

on_both_backends!(
    teams_are_created_listed_and_unique_by_key,
    transactions_upsert_customers_and_report_what_was_created,
    a_batch_with_an_unknown_touchpoint_changes_nothing,
    idempotency_keys_are_claimed_once,
    every_change_is_audited,
    the_guarantee_ledger_refuses_edits_and_a_second_invocation,
);

#[path = "conformance/problems.rs"]
mod problems;

fn system() -> Actor {
    Actor::System {
        label: "test".into(),
    }
}

fn key(raw: &str) -> Key {
    Key::parse("key", raw).unwrap()
}

async fn seed_team_and_touchpoint(store: &SqlStore) {
    let team = NewTeam {
        key: key("care"),
        name: Name::parse("name", "Care").unwrap(),
        kind: TeamKind::Client,
        description: None,
    };
    store.create_team(&system(), team).await.unwrap();
    let touchpoint = NewTouchpoint {
        key: key("phone-support"),
        name: Name::parse("name", "Phone support").unwrap(),
        description: None,
        team: Some(key("care")),
    };
    store
        .create_touchpoint(&system(), touchpoint)
        .await
        .unwrap();
}

fn transaction(external_id: &str, touchpoint: &str) -> TransactionInput {
    TransactionInput {
        external_id: ExternalId::parse("external_id", external_id).unwrap(),
        customer: CustomerInput {
            external_id: ExternalId::parse("id", "C-42").unwrap(),
            name: Some(Name::parse("name", "Ada Lovelace").unwrap()),
            email: Some(Email::parse("email", "ada@example.com").unwrap()),
            phone: None,
            locale: None,
            segment: None,
            annual_value: None,
            team: None,
            status: None,
        },
        touchpoint: key(touchpoint),
        staff: None,
        team: None,
        occurred_at: "2026-11-20T10:00:00Z".parse().unwrap(),
        amount: Some(Money::new(12000, Currency::parse("EUR").unwrap()).unwrap()),
        attributes: serde_json::Map::new(),
    }
}

async fn teams_are_created_listed_and_unique_by_key(db: TestDb) {
    seed_team_and_touchpoint(&db.store).await;
    let again = NewTeam {
        key: key("care"),
        name: Name::parse("name", "Other").unwrap(),
        kind: TeamKind::Operations,
        description: None,
    };
    assert!(matches!(
        db.store.create_team(&system(), again).await,
        Err(StoreError::Conflict(_))
    ));
    let page = db
        .store
        .list_teams(
            &ListParams {
                limit: 10,
                ..Default::default()
            },
            &TeamFilter::default(),
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].name, "Care");
    let search = ListParams {
        limit: 10,
        search: Some("CAR".into()),
        ..Default::default()
    };
    assert_eq!(
        db.store
            .list_teams(&search, &TeamFilter::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
}

async fn transactions_upsert_customers_and_report_what_was_created(db: TestDb) {
    seed_team_and_touchpoint(&db.store).await;
    let first = db
        .store
        .upsert_transactions(&system(), vec![transaction("T-1", "phone-support")])
        .await
        .unwrap();
    assert!(first[0].created);
    assert_eq!(
        first[0].record.team.as_ref().map(|t| t.key.as_str()),
        Some("care")
    );
    assert_eq!(first[0].record.amount.map(|m| m.minor), Some(12000));
    let again = db
        .store
        .upsert_transactions(&system(), vec![transaction("T-1", "phone-support")])
        .await
        .unwrap();
    assert!(!again[0].created);
    assert_eq!(again[0].record.id, first[0].record.id);
    let counts = db.store.counts().await.unwrap();
    assert_eq!((counts.customers, counts.transactions), (1, 1));
}

async fn a_batch_with_an_unknown_touchpoint_changes_nothing(db: TestDb) {
    seed_team_and_touchpoint(&db.store).await;
    let batch = vec![
        transaction("T-1", "phone-support"),
        transaction("T-2", "nowhere"),
    ];
    let result = db.store.upsert_transactions(&system(), batch).await;
    assert!(
        matches!(result, Err(StoreError::UnknownReference { .. })),
        "{result:?}"
    );
    let counts = db.store.counts().await.unwrap();
    assert_eq!((counts.customers, counts.transactions), (0, 0));
}

async fn idempotency_keys_are_claimed_once(db: TestDb) {
    let store = &db.store;
    assert_eq!(
        store
            .claim_idempotency_key("k1", "abc", "h1")
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );
    assert_eq!(
        store
            .claim_idempotency_key("k1", "abc", "h1")
            .await
            .unwrap(),
        IdempotencyClaim::InProgress {
            request_hash: "h1".into()
        }
    );
    store
        .complete_idempotency_key("k1", "abc", 201, "{}")
        .await
        .unwrap();
    assert_eq!(
        store
            .claim_idempotency_key("k1", "abc", "h2")
            .await
            .unwrap(),
        IdempotencyClaim::Completed {
            request_hash: "h1".into(),
            status: 201,
            body: "{}".into()
        }
    );
    assert_eq!(
        store
            .claim_idempotency_key("k2", "abc", "h1")
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );
}

async fn every_change_is_audited(db: TestDb) {
    seed_team_and_touchpoint(&db.store).await;
    let user = NewUser {
        email: Email::parse("email", "boss@example.com").unwrap(),
        name: Name::parse("name", "Boss").unwrap(),
        role: Role::President,
        external_id: None,
        password_hash: None,
        teams: vec![],
    };
    db.store.create_user(&system(), user).await.unwrap();
    let page = db
        .store
        .list_audit(
            &ListParams {
                limit: 50,
                ..Default::default()
            },
            &AuditFilter::default(),
        )
        .await
        .unwrap();
    let actions: Vec<&str> = page.items.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["team.create", "touchpoint.create", "user.create"]);
    assert_eq!(
        page.items[2]
            .after
            .as_ref()
            .and_then(|a| a["role"].as_str()),
        Some("president")
    );
}

async fn the_guarantee_ledger_refuses_edits_and_a_second_invocation(db: TestDb) {
    use domain::guarantee::{ClaimRequest, Settlement};
    seed_team_and_touchpoint(&db.store).await;
    let created = db
        .store
        .upsert_transactions(&system(), vec![transaction("T-1", "phone-support")])
        .await
        .unwrap();
    let id = created[0].record.id;
    let lookup_id = db.store.guarantee_lookup_id(id).await.unwrap().unwrap();
    assert_eq!(
        created[0].record.guarantee_lookup_id.as_deref(),
        Some(lookup_id.as_str())
    );
    let settings = domain::recovery::RecoverySettings::default();
    let context = ProcessingContext {
        rules: Vec::new(),
        policy: CasePolicy {
            sla: settings.sla,
            zone: jiff::tz::TimeZone::UTC,
            now: jiff::Timestamp::now(),
        },
        high_value_minor: None,
        routing: settings.routing,
        max_alert_age: jiff::SignedDuration::from_hours(24),
    };
    let invoiced = Money::new(12000, Currency::parse("EUR").unwrap()).unwrap();
    let request = ClaimRequest {
        worth: "30".into(),
        ..ClaimRequest::default()
    };
    let invocation = NewInvocation {
        lookup_id: lookup_id.clone(),
        settlement: Settlement::decide(invoiced, &request).unwrap(),
        source: claim_source::LINK,
    };
    let invoked = db
        .store
        .invoke_guarantee(invocation.clone(), &context)
        .await
        .unwrap();
    assert_eq!(invoked.claim.credit.minor, 9000);
    let again = db.store.invoke_guarantee(invocation, &context).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let pool = db.raw().await;
    for sql in [
        "UPDATE guarantee_claims SET paid_minor = 0, credit_minor = 12000",
        "DELETE FROM guarantee_claims",
    ] {
        let tampered = sqlx::query(sql).execute(&pool).await;
        assert!(tampered.is_err(), "{sql} was allowed");
    }
    let unbalanced = sqlx::query(
        "INSERT INTO guarantee_claims (kind, transaction_id, customer_id, touchpoint_id, currency, \
         invoiced_minor, paid_minor, credit_minor, source, invoked_at, recorded_at) \
         SELECT 'correction', transaction_id, customer_id, touchpoint_id, currency, 12000, 100, 100, \
         'console', invoked_at, recorded_at FROM guarantee_claims",
    )
    .execute(&pool)
    .await;
    assert!(unbalanced.is_err(), "paid + credit must equal the invoice");
    let kept = db.store.guarantee_claim(invoked.claim.id).await.unwrap();
    assert_eq!((kept.paid.minor, kept.credit.minor), (3000, 9000));
}
