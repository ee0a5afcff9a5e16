//! The Perfect Guarantee end to end: the customer's `/g/{token}` page honours an invocation at
//! once (an urgent case owned by the president, the president's inbox and e-mail, the signed
//! `guarantee.invoked` webhook, the customer's confirmation); bad amounts, another currency,
//! forged and reused links are refused with nothing stored; the ledger is append-only, exported
//! as CSV and reported on; a rising invocation rate raises an alert; two instances on one
//! PostgreSQL tell the president exactly once.

use crate::helpers::{Backend, TestApp, eventually, on_both_backends, spawn_app_with};
use crate::receiver::Receiver;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use store::{ListParams, NotificationStore};

on_both_backends!(
    bad_amounts_and_links_are_refused_and_nothing_is_stored,
    corrections_are_new_entries_and_the_ledger_exports_as_csv,
    the_policy_is_edited_and_shown_on_every_survey_page,
    the_report_counts_invocations_per_thousand_transactions,
    a_rising_invocation_rate_raises_an_alert,
    a_guarantee_rule_alerts_on_invocations,
    the_president_stays_informed_when_handing_the_case_on,
    a_french_customer_gets_the_page_in_french,
);

mod with_mail {
    use super::*;
    on_both_backends!(backend: an_invocation_is_honoured_and_reaches_the_president_at_once);
}

mod scale_out {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_instances_on_one_postgres_tell_the_president_once() {
        super::two_instances_tell_the_president_once().await
    }
}

/// Team `care` with touchpoint `repair`, a president, and customer C-1 (with an e-mail);
/// returns the president's user id.
async fn setup(app: &TestApp) -> i64 {
    app.create_team("care", "client").await;
    app.create_team("board", "leadership").await;
    app.create_touchpoint("repair", "care").await;
    let body = json!({"email": "president@example.com", "name": "Pat President", "role": "president", "teams": ["board"]});
    let response = app.post_json("/api/v1/users", &app.admin_key, &body).await;
    assert_eq!(response.status(), 201);
    let president = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let organization =
        json!({"name": "Northwind", "time_zone": "Europe/Paris", "president_user_id": president});
    let put = app
        .api
        .put(app.url("/api/v1/organization"))
        .bearer_auth(&app.admin_key)
        .json(&organization)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    president
}

/// Settings that send e-mail to the test's SMTP listener on `port`.
fn with_smtp(port: u16) -> impl Fn(&mut server::config::Layer) + Copy {
    move |layer| {
        layer.smtp_host = Some("127.0.0.1".into());
        layer.smtp_port = Some(port);
        layer.smtp_security = Some("none".into());
        layer.worker_poll_ms = Some(20);
    }
}

async fn inbox(app: &TestApp, user: i64) -> store::Page<store::Notification> {
    let first_page = ListParams {
        limit: 10,
        ..ListParams::default()
    };
    app.store
        .notifications(domain::UserId(user), &first_page, false)
        .await
        .unwrap()
}

/// Records transaction `id` of `customer` for 120.00 EUR (or `amount`); returns its JSON.
async fn transaction_with(app: &TestApp, id: &str, customer: &str, amount: Value) -> Value {
    let occurred = (Timestamp::now() - SignedDuration::from_hours(2)).to_string();
    let body = json!({"external_id": id, "customer": {"external_id": customer, "name": format!("Customer {customer}"),
        "email": format!("{customer}@example.com"), "team": "care"},
        "touchpoint": "repair", "occurred_at": occurred, "amount": amount});
    let response = app
        .post_json("/api/v1/transactions", &app.admin_key, &body)
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

async fn transaction(app: &TestApp, id: &str, customer: &str) -> String {
    let created = transaction_with(
        app,
        id,
        customer,
        json!({"minor": 12000, "currency": "EUR"}),
    )
    .await;
    let url = created["guarantee_url"].as_str().unwrap().to_owned();
    assert!(url.contains("/g/"), "{url}");
    url
}

/// POSTs the guarantee form; returns the status and the page.
async fn invoke(app: &TestApp, url: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let response = app.api.post(url).form(fields).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn ledger(app: &TestApp) -> Vec<Value> {
    let body: Value = app
        .get("/api/v1/guarantees?limit=500", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    body["items"].as_array().cloned().unwrap()
}

async fn bad_amounts_and_links_are_refused_and_nothing_is_stored(app: TestApp) {
    setup(&app).await;
    let url = transaction(&app, "T-1", "C-1").await;
    let page = app.api.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("120.00 EUR"), "the invoiced amount is shown");
    assert!(
        html.contains("pay what you think"),
        "the guarantee is stated"
    );
    assert!(html.contains("T-1"), "the transaction is named");
    let refused = [
        ("121", "more than the invoiced 120.00 EUR"),
        ("-5", "cannot be negative"),
        ("eighty", "not an amount"),
        ("80.505", "at most 2 decimals"),
        ("1e3", "not an amount"),
        ("99999999999999999999999999", "from 0 to 120.00 EUR"),
        ("", "please say what you think it was worth"),
        ("80 USD", "must be EUR"),
    ];
    for (worth, says) in refused {
        let (status, html) = invoke(&app, &url, &[("worth", worth), ("currency", "EUR")]).await;
        assert_eq!(status, 422, "{worth:?}");
        assert!(html.contains(says), "{worth:?}: {says:?} not in the page");
        assert!(
            html.contains("role=\"alert\""),
            "{worth:?}: the error is announced"
        );
    }
    let (status, html) = invoke(&app, &url, &[("worth", "80"), ("currency", "GBP")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("must be EUR"));
    let long_reason = "x".repeat(2001);
    let (status, _) = invoke(&app, &url, &[("worth", "80"), ("reason", &long_reason)]).await;
    assert_eq!(status, 422);
    assert!(ledger(&app).await.is_empty(), "nothing refused was stored");
    let cases: Value = app
        .get("/api/v1/cases", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cases["items"], json!([]), "and no case was opened");

    // A forged or altered token is refused before any lookup.
    let forged = format!(
        "{}/g/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        app.address
    );
    let altered = format!("{}x", url);
    for link in [forged, altered] {
        let response = app.api.get(&link).send().await.unwrap();
        assert_eq!(response.status(), 404, "{link}");
        let (status, _) = invoke(&app, &link, &[("worth", "10")]).await;
        assert_eq!(status, 404);
    }
    // A survey link's token is not a guarantee token.
    assert!(ledger(&app).await.is_empty());

    // The one invocation is honoured; the link then only shows it, and a second is refused.
    let (status, html) = invoke(&app, &url, &[("worth", "80.50"), ("reason", "Late")]).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("80.50 EUR") && html.contains("39.50 EUR"),
        "{html}"
    );
    let (status, html) = invoke(&app, &url, &[("worth", "0")]).await;
    assert_eq!(status, 409);
    assert!(html.contains("80.50 EUR"), "the page shows what stands");
    let again = app.api.get(&url).send().await.unwrap();
    assert_eq!(again.status(), 200);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("You have invoked our guarantee")
    );
    let entries = ledger(&app).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["paid"]["minor"], 8050);
    assert_eq!(entries[0]["credit"]["minor"], 3950);

    // A transaction without an invoiced amount has no guarantee link.
    let free = transaction_with(&app, "T-2", "C-2", Value::Null).await;
    assert_eq!(free["guarantee_url"], Value::Null);
    // A currency without minor units takes no decimals.
    let yen = transaction_with(
        &app,
        "T-3",
        "C-3",
        json!({"minor": 5000, "currency": "JPY"}),
    )
    .await;
    let yen_url = yen["guarantee_url"].as_str().unwrap();
    let (status, html) = invoke(&app, yen_url, &[("worth", "2500.5")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("JPY amounts have no decimals"));
    let (status, _) = invoke(&app, yen_url, &[("worth", "2500")]).await;
    assert_eq!(status, 200);
    assert_eq!(ledger(&app).await.len(), 2);
}

async fn an_invocation_is_honoured_and_reaches_the_president_at_once(backend: Backend) {
    let mut smtp = crate::mail::SmtpServer::start(0).await;
    let port = smtp.port;
    let Some(app) = spawn_app_with(backend, with_smtp(port)).await else {
        return;
    };
    let president = setup(&app).await;
    let receiver = Receiver::start(0).await;
    let body = json!({"url": receiver.url, "events": ["guarantee.invoked", "case.opened"]});
    let created = app
        .post_json("/api/v1/webhooks", &app.admin_key, &body)
        .await;
    assert_eq!(created.status(), 201);
    let secret = created.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = transaction(&app, "T-1", "C-1").await;
    let (status, html) = invoke(
        &app,
        &url,
        &[
            ("worth", "30"),
            ("reason", "The boiler broke again the next day"),
            ("source", "link"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Your guarantee is honoured"));
    assert!(html.contains("30.00 EUR") && html.contains("90.00 EUR"));

    let entry = &ledger(&app).await[0];
    assert_eq!(entry["kind"], "invocation");
    assert_eq!(entry["honoured"], true, "no approval step");
    assert_eq!(entry["transaction"], "T-1");
    assert_eq!(entry["customer"], "C-1");
    assert_eq!(entry["team"], "care");
    assert_eq!(entry["touchpoint"], "repair");
    assert_eq!(entry["currency"], "EUR");
    assert_eq!(entry["invoiced"]["decimal"], "120.00");
    assert_eq!(entry["paid"]["decimal"], "30.00");
    assert_eq!(entry["credit"]["decimal"], "90.00");
    assert_eq!(entry["reason"], "The boiler broke again the next day");
    let case_id = entry["case_id"].as_i64().unwrap();
    let case: Value = app
        .get(&format!("/api/v1/cases/{case_id}"), &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["priority"], "urgent");
    assert_eq!(case["owner_user_id"], president, "{case}");

    // In the president's inbox at once (in the same transaction as the ledger entry).
    let inbox = inbox(&app, president).await;
    assert!(
        inbox.items.iter().any(|n| n.kind == "guarantee.invoked"),
        "{:?}",
        inbox.items
    );

    // The webhook carries what billing needs, signed.
    let hook = eventually("the guarantee.invoked webhook", || async {
        receiver
            .delivered()
            .await
            .into_iter()
            .find(|h| h.json()["type"] == "guarantee.invoked")
    })
    .await;
    let data = &hook.json()["data"]["guarantee"];
    assert_eq!(data["credit_minor"], 9000);
    assert_eq!(data["paid"], "30.00");
    assert_eq!(data["currency"], "EUR");
    assert_eq!(data["transaction"]["external_id"], "T-1");
    assert_eq!(data["customer"]["external_id"], "C-1");
    let signature = hook.header(domain::webhook::SIGNATURE_HEADER);
    let verified = domain::webhook::verify(
        secret.as_bytes(),
        &signature,
        &hook.body,
        Timestamp::now(),
        SignedDuration::from_secs(300),
    );
    assert!(verified.is_ok(), "the signature verifies: {verified:?}");

    // The president's e-mail and the customer's confirmation.
    let mut mails = Vec::new();
    eventually("two e-mails", || {
        mails.extend(smtp.received_so_far());
        let done = mails.len() >= 2;
        async move { done.then_some(()) }
    })
    .await;
    let to_president = mails
        .iter()
        .find(|m| {
            m.rcpt_to
                .iter()
                .any(|r| r.contains("president@example.com"))
        })
        .expect("the president is e-mailed");
    assert!(to_president.data.contains("Guarantee invoked"));
    let to_customer = mails
        .iter()
        .find(|m| {
            m.rcpt_to
                .iter()
                .any(|r| r.to_lowercase().contains("c-1@example.com"))
        })
        .expect("the customer gets a confirmation");
    assert!(to_customer.data.contains("30.00 EUR"));
    assert!(to_customer.data.contains("90.00 EUR"));
}

async fn corrections_are_new_entries_and_the_ledger_exports_as_csv(app: TestApp) {
    setup(&app).await;
    let url = transaction(&app, "T-1", "=HYPERLINK(1)").await;
    let (status, _) = invoke(
        &app,
        &url,
        &[("worth", "20"), ("reason", "=cmd|' /C calc'!A0")],
    )
    .await;
    assert_eq!(status, 200);
    let original = ledger(&app).await[0].clone();
    let id = original["id"].as_i64().unwrap();
    let path = format!("/api/v1/guarantees/{id}/corrections");
    for (body, status) in [
        (json!({"paid": "130", "reason": "typo"}), 422),
        (json!({"paid": "60", "reason": " "}), 422),
        (
            json!({"paid": "60", "currency": "USD", "reason": "typo"}),
            422,
        ),
        (json!({"paid": 60, "reason": "typo"}), 422),
    ] {
        let response = app.post_json(&path, &app.admin_key, &body).await;
        assert_eq!(response.status(), status, "{body}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    let read_only = app.api_key("read").await;
    let forbidden = app
        .post_json(
            &path,
            &read_only,
            &json!({"paid": "60", "reason": "told the president"}),
        )
        .await;
    assert_eq!(forbidden.status(), 403);
    let corrected = app
        .post_json(
            &path,
            &app.admin_key,
            &json!({"paid": "60", "reason": "Agreed with the president on the phone"}),
        )
        .await;
    assert_eq!(corrected.status(), 201);
    let correction: Value = corrected.json().await.unwrap();
    assert_eq!(correction["kind"], "correction");
    assert_eq!(correction["corrects"], id);
    assert_eq!(correction["credit"]["minor"], 6000);
    assert_eq!(correction["case_id"], original["case_id"]);
    let before: Value = app
        .get(&format!("/api/v1/guarantees/{id}"), &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        before["paid"], original["paid"],
        "the original entry is unchanged"
    );
    assert_eq!(before["superseded_by"], correction["id"]);
    let stale = app
        .post_json(
            &path,
            &app.admin_key,
            &json!({"paid": "50", "reason": "again"}),
        )
        .await;
    assert_eq!(
        stale.status(),
        409,
        "only the current entry can be corrected"
    );
    let current: Value = app
        .get("/api/v1/guarantees?current=true", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["items"].as_array().unwrap().len(), 1);
    assert_eq!(current["items"][0]["id"], correction["id"]);

    let export = app.get("/api/v1/guarantees/export", &app.admin_key).await;
    assert_eq!(export.status(), 200);
    assert!(
        export.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = export.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "a header and both entries:\n{csv}");
    assert!(lines[0].starts_with("entry_id,kind,invocation_id"));
    assert!(lines[1].contains(",invocation,") && lines[1].contains(",120.00,20.00,100.00,"));
    assert!(lines[2].contains(",correction,") && lines[2].contains(",120.00,60.00,60.00,"));
    assert!(
        csv.contains("'=HYPERLINK(1)"),
        "formulas are neutralised:\n{csv}"
    );
    assert!(csv.contains("'=cmd"), "{csv}");
    assert!(!csv.contains(",=") && !csv.contains("\"="), "{csv}");
}

async fn the_policy_is_edited_and_shown_on_every_survey_page(app: TestApp) {
    setup(&app).await;
    let questions = json!([{"key": "csat", "prompt": "How satisfied are you?", "type": "csat", "required": true}]);
    let survey = json!({"key": "after-repair", "name": "After your repair", "questions": questions, "touchpoints": ["repair"]});
    assert_eq!(
        app.post_json("/api/v1/surveys", &app.admin_key, &survey)
            .await
            .status(),
        201
    );
    let policy: Value = app
        .get("/api/v1/guarantee-policy", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        policy["text"]
            .as_str()
            .unwrap()
            .contains("tell the president")
    );
    let put = |body: Value| {
        app.api
            .put(app.url("/api/v1/guarantee-policy"))
            .bearer_auth(&app.admin_key)
            .json(&body)
            .send()
    };
    let refused = put(json!({"text": " ", "link_label": "Invoke"}))
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let refused = put(json!({"text": "Pay what it was worth", "link_label": "a\nb"}))
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let saved = put(json!({"text": "Unhappy? Pay what you think it was worth. <b>Really</b>.", "link_label": "Use the promise"}))
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    let created = transaction_with(
        &app,
        "T-1",
        "C-1",
        json!({"minor": 12000, "currency": "EUR"}),
    )
    .await;
    let survey_url = created["survey_url"].as_str().unwrap();
    let html = app
        .api
        .get(survey_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Unhappy? Pay what you think it was worth. &#60;b&#62;Really&#60;/b&#62;."),
        "escaped:\n{html}"
    );
    assert!(html.contains("Use the promise"));
    let guarantee_path = created["guarantee_url"]
        .as_str()
        .unwrap()
        .split("/g/")
        .nth(1)
        .unwrap()
        .to_owned();
    assert!(
        html.contains(&format!("/g/{guarantee_path}?from=survey")),
        "the survey links to this transaction's guarantee"
    );
    // From the survey page, the invocation is recorded as coming from the survey.
    let link = format!("{}/g/{guarantee_path}", app.address);
    let (status, _) = invoke(&app, &link, &[("worth", "100"), ("source", "survey")]).await;
    assert_eq!(status, 200);
    assert_eq!(ledger(&app).await[0]["source"], "survey");
    // A transaction without an amount still shows the guarantee, without a link.
    let free = transaction_with(&app, "T-2", "C-2", Value::Null).await;
    let html = app
        .api
        .get(free["survey_url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Unhappy? Pay what you think"));
    assert!(!html.contains("Use the promise"));
}

async fn the_report_counts_invocations_per_thousand_transactions(app: TestApp) {
    setup(&app).await;
    let mut urls = Vec::new();
    for i in 0..8 {
        urls.push(transaction(&app, &format!("T-{i}"), &format!("C-{}", i % 5)).await);
    }
    for (url, worth) in [(&urls[0], "0"), (&urls[5], "60"), (&urls[2], "120")] {
        let (status, _) = invoke(&app, url, &[("worth", worth)]).await;
        assert_eq!(status, 200);
    }
    let report: Value = app
        .get("/api/v1/guarantees/report?by=team", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["total"]["transactions"], 8);
    assert_eq!(report["total"]["invocations"], 3);
    assert_eq!(report["total"]["rate_per_thousand"], 375.0);
    assert_eq!(report["total"]["credits"]["EUR"], "180.00");
    assert_eq!(report["total"]["average_share_paid"], 0.5);
    assert_eq!(report["rows"][0]["key"], "care");
    assert_eq!(report["rows"][0]["label"], "Team care");
    let repeat = &report["repeat_invokers"];
    assert_eq!(repeat.as_array().unwrap().len(), 1, "{report}");
    assert_eq!(repeat[0]["customer"], "C-0");
    assert_eq!(report["president"]["waiting"], 3);
    let by_month: Value = app
        .get("/api/v1/guarantees/report?by=month", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_month["rows"].as_array().unwrap().len(), 1);
    for bad in [
        "by=colour",
        "from=yesterday",
        "from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z",
    ] {
        let response = app
            .get(&format!("/api/v1/guarantees/report?{bad}"), &app.admin_key)
            .await;
        assert_eq!(response.status(), 422, "{bad}");
    }
}

async fn a_rising_invocation_rate_raises_an_alert(app: TestApp) {
    setup(&app).await;
    // 300 transactions a hundred days ago without a single invocation, then 60 recent ones.
    let old = (Timestamp::now() - SignedDuration::from_hours(24 * 100)).to_string();
    let batch: Vec<Value> = (0..300)
        .map(|i| json!({"external_id": format!("OLD-{i}"), "customer": {"external_id": format!("C-{i}")},
            "touchpoint": "repair", "occurred_at": old, "amount": {"minor": 5000, "currency": "EUR"}}))
        .collect();
    let response = app
        .post_json(
            "/api/v1/transactions",
            &app.admin_key,
            &json!({"transactions": batch}),
        )
        .await;
    assert!(response.status().is_success(), "{}", response.status());
    let mut urls = Vec::new();
    for i in 0..60 {
        urls.push(transaction(&app, &format!("NEW-{i}"), &format!("N-{i}")).await);
    }
    let trend_alerts = || async {
        let alerts: Value = app
            .get("/api/v1/alerts?limit=100", &app.admin_key)
            .await
            .json()
            .await
            .unwrap();
        alerts["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["kind"] == "guarantee_trend")
            .cloned()
            .collect::<Vec<_>>()
    };
    for url in &urls[..2] {
        invoke(&app, url, &[("worth", "10")]).await;
    }
    assert!(
        trend_alerts().await.is_empty(),
        "two invocations are no trend"
    );
    for url in &urls[2..5] {
        invoke(&app, url, &[("worth", "10")]).await;
    }
    let raised = trend_alerts().await;
    assert_eq!(raised.len(), 2, "the organization and the team: {raised:?}");
    assert!(raised.iter().any(|a| {
        a["title"]
            .as_str()
            .unwrap()
            .contains("guarantee invocations are rising")
    }));
    invoke(&app, &urls[5], &[("worth", "10")]).await;
    assert_eq!(
        trend_alerts().await.len(),
        2,
        "one alert per window, not one per invocation"
    );
}

async fn a_guarantee_rule_alerts_on_invocations(app: TestApp) {
    setup(&app).await;
    let rule = json!({"name": "Any guarantee", "conditions": [{"type": "guarantee_invoked"}], "severity": "critical", "opens_case": false});
    let created = app
        .post_json("/api/v1/alert-rules", &app.admin_key, &rule)
        .await;
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let url = transaction(&app, "T-1", "C-1").await;
    invoke(&app, &url, &[("worth", "20")]).await;
    let alerts: Value = app
        .get("/api/v1/alerts", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let items = alerts["items"].as_array().unwrap();
    let alert = items
        .iter()
        .find(|a| a["kind"] == "guarantee")
        .unwrap_or_else(|| panic!("{alerts}"));
    assert_eq!(alert["rule_name"], "Any guarantee");
    assert_eq!(alert["severity"], "critical");
    assert!(
        alert["detail"]
            .as_str()
            .unwrap()
            .contains("pays 20.00 EUR of 120.00 EUR")
    );
}

async fn two_instances_tell_the_president_once() {
    let mut smtp = crate::mail::SmtpServer::start(0).await;
    let port = smtp.port;
    let mail = with_smtp(port);
    let Some(app) = spawn_app_with(Backend::Postgres, mail).await else {
        return;
    };
    let president = setup(&app).await;
    let second = app.second_instance(&app.database_url(), mail).await;
    let url = transaction(&app, "T-1", "C-1").await;
    let token = url.split("/g/").nth(1).unwrap().to_owned();
    // The customer double-submits, once to each instance, at the same moment.
    let mut posts = tokio::task::JoinSet::new();
    for (address, worth) in [(app.address.clone(), "40"), (second.address.clone(), "50")] {
        let client = app.api.clone();
        let link = format!("{address}/g/{token}");
        posts.spawn(async move {
            let response = client
                .post(link)
                .form(&[("worth", worth)])
                .send()
                .await
                .unwrap();
            response.status().as_u16()
        });
    }
    let mut statuses = Vec::new();
    while let Some(done) = posts.join_next().await {
        statuses.push(done.unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [200, 409],
        "one invocation is honoured, the other shown as done"
    );
    assert_eq!(ledger(&app).await.len(), 1);
    let mut all = Vec::new();
    eventually("the e-mails", || {
        all.extend(smtp.received_so_far());
        let done = all.len() >= 2;
        async move { done.then_some(()) }
    })
    .await;
    // Give a duplicate every chance to show up before counting.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    all.extend(smtp.received_so_far());
    let to_president = all
        .iter()
        .filter(|m| {
            m.rcpt_to
                .iter()
                .any(|r| r.contains("president@example.com"))
        })
        .count();
    assert_eq!(to_president, 1, "the president is e-mailed exactly once");
    let inbox = inbox(&app, president).await;
    let told = inbox
        .items
        .iter()
        .filter(|n| n.kind == "guarantee.invoked")
        .count();
    assert_eq!(told, 1, "and told once in the inbox");
}

async fn the_president_stays_informed_when_handing_the_case_on(app: TestApp) {
    let president = setup(&app).await;
    let body = json!({"email": "member@example.com", "name": "Mo Member", "role": "member", "teams": ["care"]});
    let response = app.post_json("/api/v1/users", &app.admin_key, &body).await;
    assert_eq!(response.status(), 201);
    let member = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let url = transaction(&app, "T-1", "C-1").await;
    invoke(&app, &url, &[("worth", "0")]).await;
    let case_id = ledger(&app).await[0]["case_id"].as_i64().unwrap();
    let handed = app
        .patch_json(
            &format!("/api/v1/cases/{case_id}"),
            &app.admin_key,
            &json!({"owner_team": "care", "owner_user_id": member}),
        )
        .await;
    assert_eq!(handed.status(), 200, "{}", handed.text().await.unwrap());
    let noted = app
        .post_json(
            &format!("/api/v1/cases/{case_id}/notes"),
            &app.admin_key,
            &json!({"body": "Called the customer"}),
        )
        .await;
    assert!(noted.status().is_success());
    let inbox = inbox(&app, president).await;
    let titles: Vec<&str> = inbox.items.iter().map(|n| n.title.as_str()).collect();
    assert!(
        titles.iter().any(|t| t.contains("reassigned")),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t.contains("note added")),
        "{titles:?}"
    );
}

async fn a_french_customer_gets_the_page_in_french(app: TestApp) {
    setup(&app).await;
    let occurred = (Timestamp::now() - SignedDuration::from_hours(2)).to_string();
    let body = json!({"external_id": "T-FR", "customer": {"external_id": "C-FR", "name": "Amélie", "locale": "fr-FR"},
        "touchpoint": "repair", "occurred_at": occurred, "amount": {"minor": 12000, "currency": "EUR"}});
    let created: Value = app
        .post_json("/api/v1/transactions", &app.admin_key, &body)
        .await
        .json()
        .await
        .unwrap();
    let url = created["guarantee_url"].as_str().unwrap();
    let html = app.api.get(url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("lang=\"fr\""));
    assert!(
        html.contains("Payez ce que vous estimez que cela valait"),
        "{html}"
    );
    let (status, html) = invoke(&app, url, &[("worth", "130")]).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Veuillez saisir un montant de 0 – 120.00 EUR"),
        "{html}"
    );
    let (status, html) = invoke(&app, url, &[("worth", "60")]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Votre garantie est honorée"));
}
