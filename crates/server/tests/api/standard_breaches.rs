//! The real-time breach alert of performance standards, with a clock the test controls: a
//! subject still open past its threshold raises one `standard_breach` alert, notifies the
//! owning team's manager and announces `standard.breached`, once however often the standards
//! are swept; subjects that ended in time (or are still within it) raise nothing.

use crate::helpers::{Backend, ManualClock, TestApp, eventually, spawn_app_with_clock};
use crate::receiver::Receiver;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use store::{
    BreachesRaised, ListParams, Notification, NotificationStore, OpenBreach, StandardBreachStore,
    StandardStore,
};

mod with_a_test_clock {
    use super::*;
    crate::helpers::on_both_backends!(backend:
        a_subject_open_past_its_threshold_alerts_the_team_manager_once,
    );
}

fn orders_standard() -> Value {
    json!({"key": "orders-1h", "name": "Orders processed", "subject_label": "order",
        "start_event": "order.received", "end_event": "order.processed", "threshold_seconds": 3600,
        "basis": "calendar", "target_percent": 95.0, "team": "ops", "touchpoints": []})
}

fn event(kind: &str, subject: &str, at: Timestamp) -> Value {
    json!({"event_type": kind, "subject": subject, "customer": "C-1", "occurred_at": at.to_string()})
}

async fn user(app: &TestApp, email: &str, role: &str, team: &str) -> i64 {
    let body =
        json!({"email": email, "name": format!("{role} of {team}"), "role": role, "teams": [team]});
    let response = app.post_json("/api/v1/users", &app.admin_key, &body).await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn breach_alerts(app: &TestApp) -> Vec<Value> {
    let response = app
        .get("/api/v1/alerts?kind=standard_breach", &app.admin_key)
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

async fn inbox(app: &TestApp, user: i64) -> Vec<Notification> {
    let params = ListParams {
        limit: 50,
        ..ListParams::default()
    };
    app.store
        .notifications(domain::UserId(user), &params, false)
        .await
        .unwrap()
        .items
}

async fn a_subject_open_past_its_threshold_alerts_the_team_manager_once(backend: Backend) {
    let clock = ManualClock::starting_now();
    let Some(app) = spawn_app_with_clock(backend, clock.clone()).await else {
        return;
    };
    app.create_team("ops", "operations").await;
    let manager = user(&app, "manager@example.com", "manager", "ops").await;
    let member = user(&app, "member@example.com", "member", "ops").await;
    let customer = json!({"external_id": "C-1", "name": "Ada Lovelace"});
    let created = app
        .post_json("/api/v1/customers", &app.admin_key, &customer)
        .await;
    assert!(created.status().is_success(), "{}", created.status());
    let created = app
        .post_json("/api/v1/standards", &app.admin_key, &orders_standard())
        .await;
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let receiver = Receiver::start(0).await;
    let body = json!({"url": receiver.url, "events": ["standard.breached"]});
    let subscribed = app
        .post_json("/api/v1/webhooks", &app.admin_key, &body)
        .await;
    assert_eq!(subscribed.status(), 201);

    let now = Timestamp::now();
    let ago = |minutes: i64| now - SignedDuration::from_mins(minutes);
    let events = json!({"events": [
        // Still open: breaching once the clock passes its deadline.
        event("order.received", "O-late", ago(10)),
        // Ended in time: never flagged.
        event("order.received", "O-quick", ago(10)),
        event("order.processed", "O-quick", ago(5)),
        // Ended late, long ago: a breach for compliance, not an open one to alert on.
        event("order.received", "O-done-late", ago(600)),
        event("order.processed", "O-done-late", ago(400)),
    ]});
    let ingest = app.api_key("ingest").await;
    let stored = app.post_json("/api/v1/events", &ingest, &events).await;
    assert_eq!(stored.status(), 201, "{}", stored.text().await.unwrap());

    // Within its hour the open order raises nothing, sweep as the worker may.
    clock.advance(SignedDuration::from_mins(30));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(breach_alerts(&app).await.is_empty());

    // Past it: one alert, before anyone complains.
    clock.advance(SignedDuration::from_mins(60));
    let alerts = eventually("the breach alert", || async {
        let alerts = breach_alerts(&app).await;
        (!alerts.is_empty()).then_some(alerts)
    })
    .await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let alert = &alerts[0];
    assert_eq!(alert["kind"], "standard_breach");
    assert_eq!(alert["team"], "ops");
    assert_eq!(alert["customer"], "C-1");
    assert_eq!(alert["severity"], "high");
    let title = alert["title"].as_str().unwrap();
    assert!(
        title.contains("Order O-late") && title.contains("Orders processed within 1 h"),
        "{title}"
    );
    assert!(alert["detail"].as_str().unwrap().contains("C-1"));

    let notified = eventually("the manager's notification", || async {
        let inbox = inbox(&app, manager).await;
        (!inbox.is_empty()).then_some(inbox)
    })
    .await;
    assert_eq!(notified.len(), 1);
    assert_eq!(notified[0].kind, "alert.raised");
    assert_eq!(notified[0].title, title);
    assert!(
        inbox(&app, member).await.is_empty(),
        "the team has a manager: only they are told"
    );

    let hooks = eventually("the standard.breached webhook", || async {
        let got = receiver.delivered().await;
        (!got.is_empty()).then_some(got)
    })
    .await;
    let hook = hooks[0].json();
    assert_eq!(hook["type"], "standard.breached");
    let breach = &hook["data"]["breach"];
    assert_eq!(breach["standard"], "orders-1h");
    assert_eq!(breach["subject"], "O-late");
    assert_eq!(breach["customer"], "C-1");
    assert_eq!(breach["alert_id"], alert["id"]);
    let started: Timestamp = breach["started"].as_str().unwrap().parse().unwrap();
    let deadline: Timestamp = breach["deadline"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        deadline.duration_since(started),
        SignedDuration::from_hours(1)
    );
    // Raised at 10 + 90 minutes after the start: 40 minutes over.
    let overrun = breach["overrun_seconds"].as_i64().unwrap();
    assert!((38 * 60..=45 * 60).contains(&overrun), "{overrun}");

    // More sweeps, on this instance and as another would do: nothing new.
    clock.advance(SignedDuration::from_mins(5));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    clock.advance(SignedDuration::from_mins(5));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let standard = app.store.standard("orders-1h").await.unwrap();
    let again = OpenBreach {
        subject: domain::ExternalId::parse("subject", "O-late").unwrap(),
        customer: None,
        transaction: None,
        started,
        deadline,
        overrun: SignedDuration::from_mins(30),
    };
    let raised = app
        .store
        .raise_standard_breaches(&standard, &[again], Timestamp::now())
        .await
        .unwrap();
    assert_eq!(raised, BreachesRaised::default());
    assert_eq!(breach_alerts(&app).await.len(), 1);
    assert_eq!(inbox(&app, manager).await.len(), 1);
    assert_eq!(receiver.delivered().await.len(), 1);
    let all: Value = app
        .get("/api/v1/alerts", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 1, "nothing else");

    // The console's alert list names the kind and leads to the standard.
    let browser = app.logged_in(domain::Role::Admin).await;
    let (status, page) = browser.get_html("/alerts?kind=standard_breach").await;
    assert_eq!(status, 200);
    assert!(page.contains("Standard breached"), "{page}");
    assert!(page.contains("href=\"/standards/orders-1h\""), "{page}");
    assert!(page.contains("Order O-late"));
}
