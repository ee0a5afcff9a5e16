//! Systemic problems through the API: a problem is created, planned, linked from its
//! suggestions and solved; bad input is a 4xx problem document that changes nothing; overdue
//! action items climb owner → manager → president on a clock the test controls.

use crate::helpers::{
    Backend, ManualClock, TestApp, eventually, on_both_backends, spawn_app_with_clock,
};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use store::{ListParams, NotificationStore, OutboxStore, topics};

on_both_backends!(
    a_problem_is_planned_linked_from_its_suggestions_and_solved,
    bad_problem_input_is_refused_with_a_problem_document_and_changes_nothing,
);

mod with_a_test_clock {
    use super::*;
    on_both_backends!(backend:
        overdue_action_items_escalate_to_the_owner_then_the_manager_then_the_president,
    );
}

/// Teams `care` (client, owns customer C-1) and `fixers` (operations, owns the touchpoint,
/// with a member and a manager), a survey with a comment; returns the member's and the
/// manager's user ids.
async fn setup(app: &TestApp) -> (i64, i64) {
    app.create_team("care", "client").await;
    app.create_team("fixers", "operations").await;
    app.create_touchpoint("phone-support", "fixers").await;
    let questions = json!([
        {"key": "csat", "prompt": "How satisfied are you?", "type": "csat", "required": true},
        {"key": "comment", "prompt": "Tell us more", "type": "free_text"}
    ]);
    let survey = json!({"key": "after-call", "name": "After a call", "questions": questions,
        "touchpoints": ["phone-support"]});
    let created = app
        .post_json("/api/v1/surveys", &app.admin_key, &survey)
        .await;
    assert_eq!(created.status(), 201);
    let customer = json!({"external_id": "C-1", "name": "Ada Lovelace", "team": "care"});
    let response = app
        .post_json("/api/v1/customers", &app.admin_key, &customer)
        .await;
    assert!(response.status().is_success());
    let member = user(app, "fixer@example.com", "member", "fixers").await;
    let manager = user(app, "boss@example.com", "manager", "fixers").await;
    (member, manager)
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

async fn create_problem(app: &TestApp, body: Value) -> Value {
    let response = app
        .post_json("/api/v1/problems", &app.admin_key, &body)
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

async fn problem(app: &TestApp, id: &Value) -> Value {
    let response = app
        .get(&format!("/api/v1/problems/{id}"), &app.admin_key)
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// A poor review of C-1 that names the wait; waits for its case; (response id, case id).
async fn poor_review_with_its_case(app: &TestApp) -> (i64, i64) {
    let body = json!({"customer": {"external_id": "C-1"}, "touchpoint": "phone-support",
        "source": "phone_interview", "answers": {"csat": 1, "comment": "I waited forty minutes on hold"}});
    let response = app
        .post_json("/api/v1/responses", &app.admin_key, &body)
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let response_id = response.json::<Value>().await.unwrap()["ids"][0]
        .as_i64()
        .unwrap();
    let case_id = eventually("the case", || async {
        let body: Value = app
            .get("/api/v1/cases", &app.admin_key)
            .await
            .json()
            .await
            .unwrap();
        body["items"][0]["id"].as_i64()
    })
    .await;
    (response_id, case_id)
}

fn kinds(timeline: &Value) -> Vec<String> {
    timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_problem_is_planned_linked_from_its_suggestions_and_solved(app: TestApp) {
    let (member, manager) = setup(&app).await;
    let (response_id, case_id) = poor_review_with_its_case(&app).await;
    let created = create_problem(
        &app,
        json!({"title": "Calls wait too long", "owner_team": "fixers", "owner_user_id": manager,
            "touchpoint": "phone-support", "effort_minor": 1_500_000, "driver": "timeliness"}),
    )
    .await;
    let id = created["id"].clone();
    assert_eq!(created["status"], "identified");
    assert_eq!(created["owner_team"], "fixers");
    assert_eq!(created["touchpoint"], "phone-support");
    assert_eq!(created["actions"], json!([]));
    let base = format!("/api/v1/problems/{id}");

    let patched = app
        .patch_json(
            &base,
            &app.admin_key,
            &json!({"root_cause": "One person on the phones at lunch", "status": "analysing"}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let patched: Value = patched.json().await.unwrap();
    assert_eq!(patched["status"], "analysing");
    assert_eq!(patched["root_cause"], "One person on the phones at lunch");
    assert_eq!(patched["effort_minor"], 1_500_000, "absent fields are kept");

    let due = (Timestamp::now() + SignedDuration::from_hours(72)).to_string();
    let action = app
        .post_json(
            &format!("{base}/actions"),
            &app.admin_key,
            &json!({"title": "Stagger lunch breaks", "owner_user_id": member, "due_at": due}),
        )
        .await;
    assert_eq!(action.status(), 201);
    let action: Value = action.json().await.unwrap();
    assert_eq!(action["overdue"], false);
    let action_path = format!("{base}/actions/{}", action["id"]);
    let done = app
        .patch_json(&action_path, &app.admin_key, &json!({"done": true}))
        .await;
    assert_eq!(done.status(), 200);
    assert_eq!(done.json::<Value>().await.unwrap()["done"], true);
    let extra = app
        .post_json(
            &format!("{base}/actions"),
            &app.admin_key,
            &json!({"title": "Temporary hire"}),
        )
        .await;
    let extra: Value = extra.json().await.unwrap();
    let removed = app
        .delete(&format!("{base}/actions/{}", extra["id"]), &app.admin_key)
        .await;
    assert_eq!(removed.status(), 204);
    let plan: Value = app
        .get(&format!("{base}/actions"), &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(plan.as_array().unwrap().len(), 1);

    let linked = app
        .post_json(
            &format!("{base}/links"),
            &app.admin_key,
            &json!({"kind": "theme", "target": "waiting_time"}),
        )
        .await;
    assert_eq!(linked.status(), 200);
    let suggestions: Value = app
        .get(&format!("{base}/suggestions"), &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let suggested: Vec<(String, String)> = suggestions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap().to_owned(),
                s["target"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        suggested.contains(&("case".into(), case_id.to_string())),
        "{suggestions}"
    );
    assert!(suggested.contains(&("response".into(), response_id.to_string())));
    let reasons = suggestions[0]["reasons"].as_array().unwrap();
    assert!(
        reasons
            .iter()
            .any(|r| r.as_str().unwrap().contains("waiting_time")),
        "{reasons:?}"
    );

    for _ in 0..2 {
        let again = app
            .post_json(
                &format!("{base}/links"),
                &app.admin_key,
                &json!({"kind": "case", "target": case_id}),
            )
            .await;
        assert_eq!(again.status(), 200);
    }
    let detail = problem(&app, &id).await;
    assert_eq!(detail["link_count"], 2, "linking twice links once");
    assert_eq!(detail["links"][0]["kind"], "case");
    let still: Value = app
        .get(&format!("{base}/suggestions"), &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !still
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["kind"] == "case" && s["target"].as_str() == Some(&case_id.to_string())),
        "a linked case is no longer suggested"
    );
    let unlinked = app
        .delete(
            &format!("{base}/links?kind=theme&target=waiting_time"),
            &app.admin_key,
        )
        .await;
    assert_eq!(unlinked.status(), 200);
    assert_eq!(unlinked.json::<Value>().await.unwrap()["link_count"], 1);

    let note = app
        .post_json(
            &format!("{base}/notes"),
            &app.admin_key,
            &json!({"body": "Rota changed from Monday"}),
        )
        .await;
    assert_eq!(note.status(), 200);
    let solved = app
        .patch_json(
            &base,
            &app.admin_key,
            &json!({"status": "solved", "note": "Waits are down"}),
        )
        .await;
    assert_eq!(solved.status(), 200);
    let solved: Value = solved.json().await.unwrap();
    assert!(solved["solved_at"].is_string());
    let reopened = app
        .patch_json(
            &base,
            &app.admin_key,
            &json!({"status": "fixing", "note": "Back up again"}),
        )
        .await;
    let reopened: Value = reopened.json().await.unwrap();
    assert_eq!(reopened["status"], "fixing");
    assert!(reopened["solved_at"].is_null());
    assert_eq!(
        kinds(&reopened["timeline"]),
        [
            "created",
            "updated",
            "status",
            "action_added",
            "action_done",
            "action_added",
            "action_deleted",
            "linked",
            "linked",
            "unlinked",
            "note",
            "status",
            "status"
        ]
    );
    let listed: Value = app
        .get("/api/v1/problems?team=fixers&status=fixing", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let none: Value = app
        .get("/api/v1/problems?status=solved", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none["items"], json!([]));
}

/// Sends a request and asserts a problem document with `status` (and the `field`, if given).
async fn refused(response: reqwest::Response, status: u16, field: Option<&str>, what: &str) {
    assert_eq!(response.status(), status, "{what}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/problem+json"),
        "{what}: {content_type}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status, "{what}");
    if let Some(field) = field {
        assert_eq!(body["field"], field, "{what}: {body}");
    }
}

async fn audit_count(app: &TestApp) -> usize {
    let body: Value = app
        .get("/api/v1/audit-log?limit=500", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    body["items"].as_array().unwrap().len()
}

async fn bad_problem_input_is_refused_with_a_problem_document_and_changes_nothing(app: TestApp) {
    setup(&app).await;
    let created = create_problem(
        &app,
        json!({"title": "Invoices are wrong", "owner_team": "fixers"}),
    )
    .await;
    let id = created["id"].clone();
    let base = format!("/api/v1/problems/{id}");
    let moved = app
        .patch_json(&base, &app.admin_key, &json!({"status": "analysing"}))
        .await;
    assert_eq!(moved.status(), 200);
    let reader = app.api_key("read").await;
    let before = problem(&app, &id).await;
    let audited = audit_count(&app).await;
    let key = &app.admin_key;

    let creates = [
        (
            json!({"title": "  ", "owner_team": "fixers"}),
            422,
            Some("title"),
        ),
        (
            json!({"title": "x", "owner_team": "nowhere"}),
            422,
            Some("owner_team"),
        ),
        (
            json!({"title": "x", "owner_team": "care"}),
            422,
            Some("owner_team"),
        ),
        (
            json!({"title": "x", "owner_team": "fixers", "owner_user_id": 999_999}),
            422,
            Some("owner_user_id"),
        ),
        (
            json!({"title": "x", "owner_team": "fixers", "effort_minor": -1}),
            422,
            Some("effort"),
        ),
        (
            json!({"title": "x", "owner_team": "fixers", "touchpoint": "no-such"}),
            422,
            Some("touchpoint"),
        ),
        (
            json!({"title": "x", "owner_team": "fixers", "colour": "red"}),
            422,
            None,
        ),
        (json!({"owner_team": "fixers"}), 422, None),
    ];
    for (body, status, field) in creates {
        let response = app.post_json("/api/v1/problems", key, &body).await;
        refused(response, status, field, &body.to_string()).await;
    }
    let malformed = app
        .api
        .post(app.url("/api/v1/problems"))
        .bearer_auth(key)
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    refused(malformed, 400, None, "truncated JSON").await;

    let patches = [
        (json!({"status": "done"}), 422, Some("status")),
        (
            json!({"status": "identified", "title": "Renamed"}),
            409,
            None,
        ),
        (json!({"title": ""}), 422, Some("title")),
        (json!({"owner_team": "care"}), 422, Some("owner_team")),
        (json!({}), 422, None),
        (json!({"note": "why"}), 422, Some("note")),
    ];
    for (body, status, field) in patches {
        let response = app.patch_json(&base, key, &body).await;
        refused(response, status, field, &body.to_string()).await;
    }
    let links = [
        (json!({"kind": "case", "target": 999_999}), Some("target")),
        (json!({"kind": "response", "target": "abc"}), Some("target")),
        (
            json!({"kind": "theme", "target": "not_a_theme"}),
            Some("target"),
        ),
        (json!({"kind": "customer", "target": "1"}), Some("kind")),
        (json!({"kind": "case", "target": " "}), Some("target")),
    ];
    for (body, field) in links {
        let response = app.post_json(&format!("{base}/links"), key, &body).await;
        refused(response, 422, field, &body.to_string()).await;
    }
    let actions = [
        json!({"title": ""}),
        json!({"title": "x", "owner_user_id": 999_999}),
        json!({"title": "x", "due_at": "tomorrow"}),
    ];
    for body in actions {
        let response = app.post_json(&format!("{base}/actions"), key, &body).await;
        refused(response, 422, None, &body.to_string()).await;
    }
    let note = app
        .post_json(&format!("{base}/notes"), key, &json!({"body": "  "}))
        .await;
    refused(note, 422, Some("body"), "empty note").await;
    refused(
        app.get("/api/v1/problems/999999", key).await,
        404,
        None,
        "unknown problem",
    )
    .await;
    refused(
        app.patch_json(
            &format!("{base}/actions/999999"),
            key,
            &json!({"done": true}),
        )
        .await,
        404,
        None,
        "unknown action",
    )
    .await;
    refused(
        app.get("/api/v1/problems?status=later", key).await,
        422,
        Some("status"),
        "unknown status filter",
    )
    .await;
    refused(
        app.post_json(
            "/api/v1/problems",
            &reader,
            &json!({"title": "x", "owner_team": "fixers"}),
        )
        .await,
        403,
        None,
        "a read-only key",
    )
    .await;
    assert_eq!(
        app.get(&base, &reader).await.status(),
        200,
        "reading is allowed"
    );

    let after = problem(&app, &id).await;
    assert_eq!(after, before, "nothing about the problem changed");
    assert_eq!(audit_count(&app).await, audited, "nothing was audited");
    let listed: Value = app.get("/api/v1/problems", key).await.json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}

async fn overdue_action_items_escalate_to_the_owner_then_the_manager_then_the_president(
    backend: Backend,
) {
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
    let created = create_problem(
        &app,
        json!({"title": "Calls wait too long", "owner_team": "fixers", "owner_user_id": manager}),
    )
    .await;
    let id = created["id"].clone();
    let due = (Timestamp::now() + SignedDuration::from_hours(1)).to_string();
    let action = app
        .post_json(
            &format!("/api/v1/problems/{id}/actions"),
            &app.admin_key,
            &json!({"title": "Stagger lunch breaks", "owner_user_id": member, "due_at": due}),
        )
        .await;
    assert_eq!(action.status(), 201);

    let told = |user: i64| {
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
                .iter()
                .filter(|n| n.kind == "problem.action_overdue")
                .count()
        }
    };
    let level = |expected: i64| {
        let app = &app;
        let id = id.clone();
        async move {
            eventually("the escalation", || async {
                let body = problem(app, &id).await;
                (body["actions"][0]["escalation_level"] == expected).then_some(body)
            })
            .await
        }
    };
    assert_eq!(told(member).await, 0, "not due yet");

    clock.advance(SignedDuration::from_hours(2));
    let body = level(1).await;
    assert_eq!(body["overdue_actions"], 1);
    assert_eq!(body["actions"][0]["overdue"], true);
    assert_eq!(told(member).await, 1, "the owner is told at the due time");
    assert_eq!(told(manager).await, 0);

    clock.advance(SignedDuration::from_hours(48));
    level(2).await;
    assert_eq!(told(manager).await, 1, "then the owning team's manager");
    assert_eq!(told(president).await, 0);

    clock.advance(SignedDuration::from_hours(48));
    let body = level(3).await;
    assert_eq!(told(president).await, 1, "then the president");
    let escalated = kinds(&body["timeline"])
        .into_iter()
        .filter(|k| k == "escalated")
        .count();
    assert_eq!(escalated, 3, "each step recorded once");
    assert_eq!(
        (told(member).await, told(manager).await),
        (1, 1),
        "and nobody is told twice"
    );
    assert!(
        app.store
            .pending_outbox(topics::NOTIFICATION_EMAIL)
            .await
            .unwrap()
            >= 3,
        "an e-mail waits for each step (no SMTP server here)"
    );
}
