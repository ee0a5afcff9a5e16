//! Perfect Improvement, part 1, end to end through the API and the background workers: a poor
//! review opens one case and alerts the client team; rules are validated and scoped; webhooks
//! are signed, retried and dead-lettered against a real receiver; overdue cases escalate with a
//! clock the test controls; two instances on one PostgreSQL do every effect once.

use crate::helpers::{
    Backend, ManualClock, TestApp, eventually, on_both_backends, spawn_app_with_clock,
};
use crate::receiver::Receiver;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use store::{ListParams, NotificationStore, OutboxStore, topics};

on_both_backends!(
    a_poor_review_opens_one_case_and_alerts_the_client_team,
    alert_rules_are_validated_and_scoped,
    a_case_is_worked_through_the_api_and_refuses_bad_moves,
    the_accountability_page_counts_cases_per_team_and_person,
);

mod with_a_test_clock {
    use super::*;
    on_both_backends!(backend:
        webhooks_are_signed_and_retried_until_delivered,
        a_webhook_that_keeps_failing_is_dead_lettered_and_resent,
        an_overdue_case_escalates_to_the_manager_then_the_president,
    );
}

mod scale_out {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_instances_on_one_postgres_open_each_case_and_send_each_webhook_once() {
        super::two_instances_do_every_effect_once().await
    }
}

/// Teams `care` (client; a member and a manager) and `ops` (operations, owning the
/// touchpoint), a survey, customer C-1 of `care`; returns the member's and manager's user ids.
async fn setup(app: &TestApp) -> (i64, i64) {
    app.create_team("care", "client").await;
    app.create_team("ops", "operations").await;
    app.create_touchpoint("phone-support", "ops").await;
    let questions = json!([
        {"key": "csat", "prompt": "How satisfied are you?", "type": "csat", "required": true},
        {"key": "nps", "prompt": "Would you recommend us?", "type": "nps"},
        {"key": "comment", "prompt": "Tell us more", "type": "free_text"}
    ]);
    let survey = json!({"key": "after-call", "name": "After a call", "questions": questions, "touchpoints": ["phone-support"]});
    let created = app
        .post_json("/api/v1/surveys", &app.admin_key, &survey)
        .await;
    assert_eq!(created.status(), 201);
    customer(app, "C-1").await;
    let member = user(app, "member@example.com", "member", "care").await;
    let manager = user(app, "manager@example.com", "manager", "care").await;
    (member, manager)
}

async fn customer(app: &TestApp, id: &str) {
    let body = json!({"external_id": id, "name": format!("Customer {id}"), "team": "care", "email": format!("{id}@example.com")});
    let response = app
        .post_json("/api/v1/customers", &app.admin_key, &body)
        .await;
    assert!(response.status().is_success(), "{}", response.status());
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

async fn respond_as(app: &TestApp, customer: &str, answers: Value) -> i64 {
    let body = json!({"customer": {"external_id": customer}, "touchpoint": "phone-support", "source": "phone_interview", "answers": answers});
    let response = app
        .post_json("/api/v1/responses", &app.admin_key, &body)
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json::<Value>().await.unwrap()["ids"][0]
        .as_i64()
        .unwrap()
}

async fn cases(app: &TestApp) -> Vec<Value> {
    let body: Value = app
        .get("/api/v1/cases?limit=500", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    body["items"].as_array().cloned().unwrap_or_default()
}

async fn processed(app: &TestApp) {
    eventually("response events to be processed", || async {
        let pending = app
            .store
            .pending_outbox(topics::RESPONSE_RECEIVED)
            .await
            .unwrap();
        (pending == 0).then_some(())
    })
    .await;
}

async fn a_poor_review_opens_one_case_and_alerts_the_client_team(app: TestApp) {
    let (member, _) = setup(&app).await;
    respond_as(&app, "C-1", json!({"csat": 5, "nps": 10})).await;
    let poor = respond_as(
        &app,
        "C-1",
        json!({"csat": 1, "nps": 2, "comment": "Nobody called back"}),
    )
    .await;
    let opened = eventually("the case", || async {
        let found = cases(&app).await;
        (!found.is_empty()).then_some(found)
    })
    .await;
    assert_eq!(opened.len(), 1, "only the poor review opens a case");
    let case = &opened[0];
    assert_eq!(case["status"], "new");
    assert_eq!(case["priority"], "high");
    assert_eq!(
        case["owner_team"], "care",
        "routed to the customer's client team"
    );
    assert_eq!(
        case["operations_team"], "ops",
        "visible to the touchpoint's owner"
    );
    assert_eq!(case["response_id"], poor);
    let opened_at: Timestamp = case["opened_at"].as_str().unwrap().parse().unwrap();
    let due: Timestamp = case["first_contact_due_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let resolve: Timestamp = case["resolution_due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        due.duration_since(opened_at),
        SignedDuration::from_hours(24)
    );
    assert_eq!(
        resolve.duration_since(opened_at),
        SignedDuration::from_hours(48)
    );

    let alerts: Value = app
        .get("/api/v1/alerts", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let alerts = alerts["items"].as_array().unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["kind"], "response");
    assert_eq!(alerts[0]["case_id"], case["id"]);
    assert!(alerts[0]["detail"].as_str().unwrap().contains("CSAT 1"));

    let inbox = app
        .store
        .notifications(
            domain::UserId(member),
            &ListParams {
                limit: 50,
                ..ListParams::default()
            },
            true,
        )
        .await
        .unwrap();
    assert_eq!(inbox.items.len(), 1, "the client team's member is told");
    assert_eq!(inbox.items[0].link, format!("/cases/{}", case["id"]));
    assert_eq!(
        app.store
            .pending_outbox(topics::NOTIFICATION_EMAIL)
            .await
            .unwrap(),
        2,
        "an e-mail waits for each member (no SMTP server here)"
    );

    respond_as(&app, "C-1", json!({"csat": 2})).await;
    processed(&app).await;
    let again = cases(&app).await;
    assert_eq!(again.len(), 1, "a second poor review joins the open case");
    let detail: Value = app
        .get(&format!("/api/v1/cases/{}", case["id"]), &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["opened", "alert"]);
}

async fn alert_rules_are_validated_and_scoped(app: TestApp) {
    setup(&app).await;
    let rules: Value = app
        .get("/api/v1/alert-rules", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rules.as_array().unwrap().len(), 1, "the default rule");
    assert_eq!(
        rules[0]["conditions"][0],
        json!({"type": "csat_at_most", "value": 2})
    );

    for bad in [
        json!({"name": "x", "conditions": [], "severity": "high"}),
        json!({"name": "x", "conditions": [{"type": "csat_at_most", "value": 9}], "severity": "high"}),
        json!({"name": "x", "conditions": [{"type": "stars"}], "severity": "high"}),
        json!({"name": "x", "conditions": [{"type": "keyword", "word": "refund"}], "severity": "urgent"}),
        json!({"name": "x", "conditions": [{"type": "keyword", "word": "refund"}], "severity": "low", "team": "nowhere"}),
    ] {
        let response = app
            .post_json("/api/v1/alert-rules", &app.admin_key, &bad)
            .await;
        assert_eq!(response.status(), 422, "{bad}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    let read_only = app.api_key("read").await;
    let keyword = json!({"name": "Refund asked", "conditions": [{"type": "keyword", "word": "refund"}],
        "severity": "medium", "opens_case": false, "touchpoint": "phone-support"});
    assert_eq!(
        app.post_json("/api/v1/alert-rules", &read_only, &keyword)
            .await
            .status(),
        403
    );
    let created = app
        .post_json("/api/v1/alert-rules", &app.admin_key, &keyword)
        .await;
    assert_eq!(created.status(), 201);
    let rules: Value = app
        .get("/api/v1/alert-rules", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rules.as_array().unwrap().len(), 2);

    respond_as(
        &app,
        "C-1",
        json!({"csat": 4, "comment": "Fine, but I want a REFUND for the delay"}),
    )
    .await;
    processed(&app).await;
    let alerts: Value = app
        .get("/api/v1/alerts", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(alerts["items"].as_array().unwrap().len(), 1);
    assert_eq!(alerts["items"][0]["rule_name"], "Refund asked");
    assert!(
        cases(&app).await.is_empty(),
        "this rule alerts without a case"
    );
}

async fn a_case_is_worked_through_the_api_and_refuses_bad_moves(app: TestApp) {
    let (member, _) = setup(&app).await;
    respond_as(&app, "C-1", json!({"csat": 1})).await;
    let case = eventually("the case", || async { cases(&app).await.first().cloned() }).await;
    let path = format!("/api/v1/cases/{}", case["id"]);
    let close_early = app
        .patch_json(&path, &app.admin_key, &json!({"status": "closed"}))
        .await;
    assert_eq!(close_early.status(), 409, "a new case cannot be closed");
    let stranger = user(&app, "other@example.com", "member", "ops").await;
    let wrong_owner = app
        .patch_json(&path, &app.admin_key, &json!({"owner_user_id": stranger}))
        .await;
    assert_eq!(wrong_owner.status(), 422);
    let assigned = app
        .patch_json(
            &path,
            &app.admin_key,
            &json!({"owner_user_id": member, "status": "contacted", "note": "Called, apologised"}),
        )
        .await;
    assert_eq!(assigned.status(), 200);
    let body: Value = assigned.json().await.unwrap();
    assert_eq!(body["status"], "contacted");
    assert_eq!(body["owner_user_id"], member);
    assert!(body["first_contacted_at"].is_string());

    let resolve = format!("{path}/resolve");
    let bad = app
        .post_json(
            &resolve,
            &app.admin_key,
            &json!({"note": "Refunded", "root_cause": "gremlins"}),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let still: Value = app.get(&path, &app.admin_key).await.json().await.unwrap();
    assert_eq!(
        still["status"], "contacted",
        "a refused change changes nothing"
    );
    let resolved: Value = app
        .post_json(
            &resolve,
            &app.admin_key,
            &json!({"note": "Refunded the call-out fee", "root_cause": "timeliness"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["root_cause"], "timeliness");
    assert_eq!(
        app.store
            .pending_outbox(topics::FOLLOWUP_EMAIL)
            .await
            .unwrap(),
        1,
        "the follow-up e-mail is queued"
    );
    let reopen_silently = app
        .patch_json(&path, &app.admin_key, &json!({"status": "contacted"}))
        .await;
    assert_eq!(reopen_silently.status(), 422, "reopening needs a reason");
    let reopened: Value = app
        .patch_json(
            &path,
            &app.admin_key,
            &json!({"status": "contacted", "note": "Customer called again"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reopened["status"], "contacted");
    let noted = app
        .post_json(
            &format!("{path}/notes"),
            &app.admin_key,
            &json!({"body": "<b>left a voicemail</b>"}),
        )
        .await;
    assert_eq!(noted.status(), 200);
    let timeline: Vec<String> = noted.json::<Value>().await.unwrap()["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        timeline,
        ["opened", "status", "assigned", "status", "status", "note"]
    );
    assert_eq!(
        app.get("/api/v1/cases/999999", &app.admin_key)
            .await
            .status(),
        404
    );
}

async fn subscribe(app: &TestApp, receiver: &Receiver, events: &[&str]) -> String {
    let body = json!({"url": receiver.url, "events": events});
    let response = app
        .post_json("/api/v1/webhooks", &app.admin_key, &body)
        .await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Attempts the store has recorded for the first endpoint's deliveries, summed.
async fn recorded_attempts(app: &TestApp) -> i64 {
    let endpoints: Value = app
        .get("/api/v1/webhooks", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let id = endpoints[0]["id"].as_i64().unwrap();
    let page: Value = app
        .get(&format!("/api/v1/webhooks/{id}/deliveries"), &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["attempts"].as_i64().unwrap())
        .sum()
}

/// Waits until attempt `n` has been sent and recorded, then moves the clock past its retry.
async fn after_attempt(app: &TestApp, clock: &ManualClock, n: i64, by: SignedDuration) {
    eventually("the attempt to be recorded", || async {
        (recorded_attempts(app).await >= n).then_some(())
    })
    .await;
    clock.advance(by);
}

async fn webhooks_are_signed_and_retried_until_delivered(backend: Backend) {
    let clock = ManualClock::starting_now();
    let Some(app) = spawn_app_with_clock(backend, clock.clone()).await else {
        return;
    };
    setup(&app).await;
    let receiver = Receiver::start(2).await;
    let bad_url = json!({"url": "ftp://example.com", "events": ["case.opened"]});
    assert_eq!(
        app.post_json("/api/v1/webhooks", &app.admin_key, &bad_url)
            .await
            .status(),
        422
    );
    let bad_event = json!({"url": receiver.url, "events": ["case.deleted"]});
    assert_eq!(
        app.post_json("/api/v1/webhooks", &app.admin_key, &bad_event)
            .await
            .status(),
        422
    );
    let secret = subscribe(&app, &receiver, &["case.opened"]).await;
    respond_as(&app, "C-1", json!({"csat": 1})).await;
    for attempt in 1..=2 {
        after_attempt(&app, &clock, attempt, SignedDuration::from_mins(30)).await;
    }
    let delivered = eventually("the delivery", || async {
        receiver.delivered().await.into_iter().next()
    })
    .await;
    let all = receiver.requests().await;
    assert_eq!(all.len(), 3, "two failures, then a success");
    let body = delivered.json();
    assert_eq!(body["type"], "case.opened");
    assert_eq!(body["schema_version"], 1);
    assert_eq!(body["data"]["case"]["owner_team"], "care");
    assert_eq!(delivered.header("perfect-service-event"), "case.opened");
    assert_eq!(delivered.header("perfect-service-delivery"), body["id"]);
    let signature = delivered.header("perfect-service-signature");
    let verified = domain::webhook::verify(
        secret.as_bytes(),
        &signature,
        &delivered.body,
        clock_now(&clock),
        SignedDuration::from_hours(2),
    );
    assert_eq!(verified, Ok(()), "the signature verifies with the secret");
    assert!(
        domain::webhook::verify(
            b"wrong",
            &signature,
            &delivered.body,
            clock_now(&clock),
            SignedDuration::from_hours(2)
        )
        .is_err()
    );
    let endpoints: Value = app
        .get("/api/v1/webhooks", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        endpoints[0].get("secret").is_none(),
        "the secret is shown once"
    );
    let id = endpoints[0]["id"].as_i64().unwrap();
    let log: Value = app
        .get(&format!("/api/v1/webhooks/{id}/deliveries"), &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let delivery = &log["items"][0];
    assert_eq!(delivery["state"], "delivered");
    assert_eq!(delivery["attempts"], 3);
    let detail: Value = app
        .get(
            &format!("/api/v1/webhook-deliveries/{}", delivery["id"]),
            &app.admin_key,
        )
        .await
        .json()
        .await
        .unwrap();
    let statuses: Vec<i64> = detail["attempt_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(statuses, [500, 500, 204]);
}

fn clock_now(clock: &ManualClock) -> Timestamp {
    server::state::Clock::now(clock)
}

async fn a_webhook_that_keeps_failing_is_dead_lettered_and_resent(backend: Backend) {
    let clock = ManualClock::starting_now();
    let Some(app) = spawn_app_with_clock(backend, clock.clone()).await else {
        return;
    };
    setup(&app).await;
    let receiver = Receiver::start(0).await;
    receiver.set_failing(true);
    subscribe(&app, &receiver, &["alert.raised"]).await;
    respond_as(&app, "C-1", json!({"csat": 2})).await;
    for attempt in 1..=domain::webhook::MAX_ATTEMPTS {
        after_attempt(&app, &clock, attempt, SignedDuration::from_hours(2)).await;
    }
    let endpoints: Value = app
        .get("/api/v1/webhooks", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let id = endpoints[0]["id"].as_i64().unwrap();
    let dead: Value = eventually("the dead letter", || async {
        let page: Value = app
            .get(
                &format!("/api/v1/webhooks/{id}/deliveries?state=dead"),
                &app.admin_key,
            )
            .await
            .json()
            .await
            .unwrap();
        (!page["items"].as_array().unwrap().is_empty()).then_some(page)
    })
    .await;
    assert_eq!(
        receiver.requests().await.len(),
        10,
        "no attempt after the last"
    );
    let delivery = dead["items"][0]["id"].as_i64().unwrap();
    receiver.set_failing(false);
    let resend = app
        .post_json(
            &format!("/api/v1/webhook-deliveries/{delivery}/resend"),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_eq!(resend.status(), 202);
    let delivered = eventually("the re-sent delivery", || async {
        receiver.delivered().await.into_iter().next()
    })
    .await;
    assert_eq!(delivered.json()["type"], "alert.raised");
    assert_eq!(
        app.post_json(
            "/api/v1/webhook-deliveries/999999/resend",
            &app.admin_key,
            &json!({})
        )
        .await
        .status(),
        404
    );
}

async fn an_overdue_case_escalates_to_the_manager_then_the_president(backend: Backend) {
    let clock = ManualClock::starting_now();
    let Some(app) = spawn_app_with_clock(backend, clock.clone()).await else {
        return;
    };
    let (member, manager) = setup(&app).await;
    app.create_team("board", "leadership").await;
    let president = user(&app, "president@example.com", "president", "board").await;
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
    let receiver = Receiver::start(0).await;
    subscribe(&app, &receiver, &["case.escalated"]).await;
    respond_as(&app, "C-1", json!({"csat": 1})).await;
    let case = eventually("the case", || async { cases(&app).await.first().cloned() }).await;
    let path = format!("/api/v1/cases/{}", case["id"]);
    let unread = |user: i64| {
        let app = &app;
        async move {
            app.store
                .notifications(
                    domain::UserId(user),
                    &ListParams {
                        limit: 50,
                        ..ListParams::default()
                    },
                    false,
                )
                .await
                .unwrap()
                .items
        }
    };
    let escalated_to =
        |inbox: Vec<store::Notification>| inbox.iter().any(|n| n.kind == "case.escalated");
    assert!(
        !escalated_to(unread(manager).await),
        "not yet the manager's concern"
    );

    clock.advance(SignedDuration::from_hours(25));
    let escalated = eventually("the escalation to the manager", || async {
        let body: Value = app.get(&path, &app.admin_key).await.json().await.unwrap();
        (body["escalation_level"] == 1).then_some(body)
    })
    .await;
    assert_eq!(escalated["first_contact_breached"], true);
    assert_eq!(escalated["resolution_breached"], false);
    assert!(escalated_to(unread(manager).await));
    assert!(!escalated_to(unread(president).await));
    assert!(!escalated_to(unread(member).await));

    clock.advance(SignedDuration::from_hours(24));
    eventually("the escalation to the president", || async {
        let body: Value = app.get(&path, &app.admin_key).await.json().await.unwrap();
        (body["escalation_level"] == 2).then_some(())
    })
    .await;
    assert!(escalated_to(unread(president).await));
    let detail: Value = app.get(&path, &app.admin_key).await.json().await.unwrap();
    let escalations = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "escalated")
        .count();
    assert_eq!(escalations, 2, "each step recorded once");
    let hooks = eventually("both escalation webhooks", || async {
        let got = receiver.delivered().await;
        (got.len() == 2).then_some(got)
    })
    .await;
    assert_eq!(hooks[1].json()["data"]["level"], "president");
    let overdue: Value = app
        .get("/api/v1/cases?overdue=true", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(overdue["items"].as_array().unwrap().len(), 1);
}

async fn two_instances_do_every_effect_once() {
    let mut smtp = crate::mail::SmtpServer::start(0).await;
    let port = smtp.port;
    let mail = move |layer: &mut server::config::Layer| {
        layer.smtp_host = Some("127.0.0.1".into());
        layer.smtp_port = Some(port);
        layer.smtp_security = Some("none".into());
        layer.worker_poll_ms = Some(20);
    };
    let Some(app) = crate::helpers::spawn_app_with(Backend::Postgres, mail).await else {
        return;
    };
    let (member, manager) = setup(&app).await;
    let receiver = Receiver::start(0).await;
    subscribe(
        &app,
        &receiver,
        &["case.opened", "alert.raised", "response.received"],
    )
    .await;
    let second = app.second_instance(&app.database_url(), mail).await;
    let customers = 40;
    for i in 0..customers {
        customer(&app, &format!("C-{i}")).await;
    }
    let mut posts = tokio::task::JoinSet::new();
    for i in 0..customers {
        for address in [app.address.clone(), second.address.clone()] {
            let client = app.api.clone();
            let key = app.admin_key.clone();
            posts.spawn(async move {
                let body = json!({"customer": {"external_id": format!("C-{i}")}, "touchpoint": "phone-support",
                    "source": "kiosk", "answers": {"csat": 1}});
                let response = client
                    .post(format!("{address}/api/v1/responses"))
                    .bearer_auth(key)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 201);
            });
        }
    }
    while let Some(done) = posts.join_next().await {
        done.unwrap();
    }
    processed(&app).await;
    let opened = cases(&app).await;
    assert_eq!(
        opened.len(),
        customers,
        "one case per customer, from either instance"
    );
    let responses = customers * 2;
    let alerts: Value = app
        .get("/api/v1/alerts?limit=500", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        alerts["items"].as_array().unwrap().len(),
        responses,
        "one alert per response"
    );
    let expected_events = customers + responses * 2;
    let hooks = eventually("every webhook", || async {
        let got = receiver.delivered().await;
        (got.len() >= expected_events).then_some(got)
    })
    .await;
    let mut ids: Vec<String> = hooks
        .iter()
        .map(|h| h.json()["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), expected_events, "each event delivered once");
    assert_eq!(hooks.len(), expected_events, "and nothing twice");

    // Each member of the owning team is told of each poor review once, in the inbox and by mail.
    let expected_mails = responses * 2;
    let mut mails = Vec::new();
    eventually("every e-mail", || {
        mails.extend(smtp.received_so_far());
        let done = mails.len() >= expected_mails;
        async move { done.then_some(()) }
    })
    .await;
    for user in [member, manager] {
        let inbox = app
            .store
            .notifications(
                domain::UserId(user),
                &ListParams {
                    limit: 500,
                    ..ListParams::default()
                },
                false,
            )
            .await
            .unwrap();
        assert_eq!(
            inbox.items.len(),
            responses,
            "one notification per response for {user}"
        );
    }
    eventually("the e-mail jobs to be done", || async {
        (app.store
            .pending_outbox(topics::NOTIFICATION_EMAIL)
            .await
            .unwrap()
            == 0)
            .then_some(())
    })
    .await;
    mails.extend(smtp.received_so_far());
    assert_eq!(mails.len(), expected_mails, "no e-mail sent twice");
    drop(second);
}

async fn the_accountability_page_counts_cases_per_team_and_person(app: TestApp) {
    let (member, _) = setup(&app).await;
    respond_as(&app, "C-1", json!({"csat": 1})).await;
    let case = eventually("the case", || async { cases(&app).await.first().cloned() }).await;
    let path = format!("/api/v1/cases/{}", case["id"]);
    let worked = app
        .patch_json(
            &path,
            &app.admin_key,
            &json!({"owner_user_id": member, "status": "contacted", "note": "Called"}),
        )
        .await;
    assert_eq!(worked.status(), 200);
    let login = |email: &'static str, role| {
        let app = &app;
        async move {
            let (email, password) = app.create_staff(role, email, None).await;
            let browser = app.browser();
            browser.login(&email, &password).await;
            browser
        }
    };
    let manager = login("boss@example.com", domain::Role::Manager).await;
    let (status, page) = manager.get_html("/accountability?days=30").await;
    assert_eq!(status, 200);
    assert!(page.contains("Team care"), "the owning team has a row");
    assert!(page.contains("member of care"), "its owner has a row");
    assert!(page.contains("no follow-up answered yet"));
    let outsider = login("outsider@example.com", domain::Role::Member).await;
    let (status, page) = outsider.get_html("/accountability").await;
    assert_eq!(status, 200);
    assert!(
        !page.contains("Team care"),
        "a member of no team sees no one else's figures"
    );
}
