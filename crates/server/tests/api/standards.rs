//! Performance standards and operational events through the API: a standard is defined,
//! events arrive out of order, twice, and with an end before its start; compliance counts
//! each subject once, flags the one open past its threshold now, and bad input changes nothing.

use crate::helpers::{TestApp, on_both_backends};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

on_both_backends!(
    orders_are_measured_against_their_standard_from_their_events,
    bad_standards_and_events_are_refused_and_change_nothing,
    customers_are_less_satisfied_when_a_standard_is_breached,
);

fn orders_standard() -> Value {
    json!({"key": "orders-3h", "name": "Orders processed", "subject_label": "order",
        "start_event": "order.received", "end_event": "order.processed", "threshold_seconds": 3 * 3600,
        "basis": "calendar", "target_percent": 95.0, "team": "ops", "touchpoints": []})
}

fn event(kind: &str, subject: &str, at: Timestamp) -> Value {
    json!({"event_type": kind, "subject": subject, "customer": "C-1", "occurred_at": at.to_string()})
}

async fn orders_are_measured_against_their_standard_from_their_events(app: TestApp) {
    app.create_team("ops", "operations").await;
    let created = app
        .post_json("/api/v1/standards", &app.admin_key, &orders_standard())
        .await;
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let again = app
        .post_json("/api/v1/standards", &app.admin_key, &orders_standard())
        .await;
    assert_eq!(again.status(), 409);

    let now = Timestamp::now();
    let ago = |minutes: i64| now - SignedDuration::from_mins(minutes);
    let mut events = Vec::new();
    // Eight orders processed within two hours, two after four hours: sent ends first.
    for i in 0..10 {
        let received = ago(24 * 60 - i * 60);
        let taken = if i < 8 { 120 } else { 240 };
        events.push(event(
            "order.processed",
            &format!("O-{i}"),
            received + SignedDuration::from_mins(taken),
        ));
        events.push(event("order.received", &format!("O-{i}"), received));
    }
    // One still open after five hours (breaching now), one open for ten minutes.
    events.push(event("order.received", "O-late", ago(300)));
    events.push(event("order.received", "O-fresh", ago(10)));
    // An end whose start never came.
    events.push(event("order.processed", "O-orphan", ago(30)));
    let ingest = app.api_key("ingest").await;
    let batch = json!({"events": events});
    let stored = app.post_json("/api/v1/events", &ingest, &batch).await;
    assert_eq!(stored.status(), 201, "{}", stored.text().await.unwrap());
    let stored: Value = stored.json().await.unwrap();
    assert_eq!(stored, json!({"stored": 23, "duplicates": 0}));
    // Sent again (a retry): nothing new.
    let retried: Value = app
        .post_json("/api/v1/events", &ingest, &batch)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(retried, json!({"stored": 0, "duplicates": 23}));
    // One event alone is accepted too.
    let one = app
        .post_json(
            "/api/v1/events",
            &ingest,
            &event("order.processed", "O-fresh", ago(5)),
        )
        .await;
    assert_eq!(one.status(), 201);

    let from = ago(2 * 24 * 60).to_string();
    let response = app
        .get(
            &format!("/api/v1/standards/orders-3h/compliance?from={from}&bucket=day"),
            &app.admin_key,
        )
        .await;
    let status = response.status();
    let report: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{report}");
    let counts = &report["report"]["counts"];
    assert_eq!(counts["met"], 9, "O-0..O-7 and O-fresh: {report}");
    assert_eq!(counts["breached"], 3, "O-8, O-9 and O-late");
    assert_eq!(counts["open"], 0);
    assert_eq!(counts["pending"], 1, "the orphan end");
    let percent = report["report"]["compliance"]["percent"].as_f64().unwrap();
    assert!((percent - 75.0).abs() < 1e-9, "{percent}");
    assert_ne!(report["report"]["target_status"], "met");
    let breaching: Vec<&str> = report["breaching_now"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["subject"].as_str().unwrap())
        .collect();
    assert_eq!(breaching, ["O-late"]);
    let breaches = report["breaches"].as_array().unwrap();
    assert_eq!(breaches.len(), 3);
    assert_eq!(breaches[0]["subject"], "O-late", "the worst overrun first");
    assert_eq!(breaches[0]["customer"], "C-1");
    assert_eq!(report["report"]["percentiles"]["p50"], 7200.0, "{report}");
    assert_eq!(
        report["sentence"],
        "Orders processed within 3 h, 95 % of the time"
    );

    let listed: Value = app
        .get("/api/v1/standards", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let mut changed = orders_standard();
    changed["threshold_seconds"] = json!(6 * 3600);
    let replaced = app
        .put_json("/api/v1/standards/orders-3h", &app.admin_key, &changed)
        .await;
    assert_eq!(replaced.status(), 200);
    let report: Value = app
        .get(
            &format!("/api/v1/standards/orders-3h/compliance?from={from}"),
            &app.admin_key,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["report"]["counts"]["breached"], 0, "{report}");
    let deleted = app
        .delete("/api/v1/standards/orders-3h", &app.admin_key)
        .await;
    assert_eq!(deleted.status(), 204);
    let gone = app.get("/api/v1/standards/orders-3h", &app.admin_key).await;
    assert_eq!(gone.status(), 404);
}

async fn bad_standards_and_events_are_refused_and_change_nothing(app: TestApp) {
    app.create_team("ops", "operations").await;
    for (field, value) in [
        ("threshold_seconds", json!(0)),
        ("target_percent", json!(140)),
        ("team", json!("nobody")),
        ("start_event", json!("")),
        ("key", json!("Not A Key")),
    ] {
        let mut body = orders_standard();
        body[field] = value;
        let response = app
            .post_json("/api/v1/standards", &app.admin_key, &body)
            .await;
        assert_eq!(response.status(), 422, "{field}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    let listed: Value = app
        .get("/api/v1/standards", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!([]));

    let ingest = app.api_key("ingest").await;
    let good = event("order.received", "O-1", Timestamp::now());
    for bad in [
        json!({"events": [good.clone(), {"event_type": "order.received", "subject": "O-2", "occurred_at": "yesterday"}]}),
        json!({"events": [good.clone(), {"event_type": "", "subject": "O-2", "occurred_at": Timestamp::now().to_string()}]}),
        json!({"events": []}),
        json!({"subject": "O-3"}),
        json!("not an event"),
    ] {
        let response = app.post_json("/api/v1/events", &ingest, &bad).await;
        assert_eq!(response.status(), 422, "{bad}");
    }
    // Nothing of the refused batches was stored: the good event is new.
    let stored: Value = app
        .post_json("/api/v1/events", &ingest, &good)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored, json!({"stored": 1, "duplicates": 0}));
    let read_only = app.api_key("read").await;
    let refused = app.post_json("/api/v1/events", &read_only, &good).await;
    assert_eq!(refused.status(), 403);
    let missing = app
        .get("/api/v1/standards/nothing/compliance", &app.admin_key)
        .await;
    assert_eq!(missing.status(), 404);
}

async fn customers_are_less_satisfied_when_a_standard_is_breached(app: TestApp) {
    app.create_team("care", "client").await;
    app.create_team("ops", "operations").await;
    app.create_touchpoint("phone", "care").await;
    let survey = json!({"key": "call", "name": "After a call", "touchpoints": ["phone"],
        "questions": [{"key": "csat", "prompt": "How satisfied are you?", "type": "csat", "required": true}]});
    let created = app
        .post_json("/api/v1/surveys", &app.admin_key, &survey)
        .await;
    assert_eq!(created.status(), 201);
    let mut standard = orders_standard();
    standard["key"] = json!("calls-30s");
    standard["name"] = json!("Calls answered");
    standard["start_event"] = json!("call.queued");
    standard["end_event"] = json!("call.answered");
    standard["threshold_seconds"] = json!(30);
    let created = app
        .post_json("/api/v1/standards", &app.admin_key, &standard)
        .await;
    assert_eq!(created.status(), 201);
    let now = Timestamp::now();
    let mut events = Vec::new();
    let mut responses = Vec::new();
    for i in 0..36 {
        let breached = i % 3 == 0;
        let answered = now - SignedDuration::from_mins(600 - i * 10);
        let waited = if breached { 95 } else { 12 };
        let transaction = format!("T-{i}");
        let body = json!({"external_id": transaction, "customer": {"external_id": format!("C-{i}")},
            "touchpoint": "phone", "occurred_at": answered.to_string()});
        let stored = app
            .post_json("/api/v1/transactions", &app.admin_key, &body)
            .await;
        assert_eq!(stored.status(), 201, "{}", stored.text().await.unwrap());
        for (kind, at) in [
            ("call.queued", answered - SignedDuration::from_secs(waited)),
            ("call.answered", answered),
        ] {
            events.push(json!({"event_type": kind, "subject": format!("CALL-{i}"),
                "customer": format!("C-{i}"), "transaction": transaction, "occurred_at": at.to_string()}));
        }
        let csat = if breached { 2 + i % 2 } else { 4 + i % 2 };
        responses.push(json!({"transaction": transaction, "source": "phone_interview", "answers": {"csat": csat}}));
    }
    let stored = app
        .post_json("/api/v1/events", &app.admin_key, &json!({"events": events}))
        .await;
    assert_eq!(stored.status(), 201);
    let stored = app
        .post_json(
            "/api/v1/responses",
            &app.admin_key,
            &json!({"responses": responses}),
        )
        .await;
    assert_eq!(stored.status(), 201, "{}", stored.text().await.unwrap());

    let report: Value = app
        .get("/api/v1/standard-feelings", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let row = &report["standards"][0];
    assert_eq!(row["key"], "calls-30s", "{report}");
    assert_eq!(row["linked"], 36);
    let feeling = &row["feeling"];
    assert_eq!(feeling["met"]["n"], 24, "{report}");
    assert_eq!(feeling["breached"]["n"], 12);
    let met_mean = feeling["met"]["mean"].as_f64().unwrap();
    let breached_mean = feeling["breached"]["mean"].as_f64().unwrap();
    assert!(
        (met_mean - 4.5).abs() < 1e-9 && (breached_mean - 2.5).abs() < 1e-9,
        "{report}"
    );
    assert_eq!(report["ranking"][0]["standard"], "calls-30s");
    assert_eq!(report["ranking"][0]["breaches"], 12);
    assert_eq!(report["ranking"][0]["significant"], true, "{report}");
    let bad = app
        .get("/api/v1/standard-feelings?from=yesterday", &app.admin_key)
        .await;
    assert!(bad.status().is_client_error());
}
