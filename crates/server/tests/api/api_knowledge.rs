//! Surveys, invitations handed back with transactions, and responses from everywhere.

use crate::helpers::{TestApp, eventually, on_both_backends};
use serde_json::{Value, json};
use store::OutboxStore;

on_both_backends!(
    a_survey_is_created_exported_and_imported,
    editing_a_survey_with_responses_makes_a_new_version,
    a_transaction_on_a_surveyed_touchpoint_returns_a_survey_url,
    a_response_from_a_phone_interview_is_stored_with_scores_and_analysis,
    bad_responses_are_refused_naming_the_field,
    a_batch_of_responses_is_all_or_nothing,
    the_same_idempotency_key_stores_one_response,
    responses_are_filtered_by_band_theme_sentiment_and_source,
    fatigue_rules_limit_invitations_per_customer,
    invitation_rules_are_validated,
    responses_without_then_with_a_comment_are_both_stored,
    a_response_about_a_transaction_is_filtered_by_its_staff_member,
);

fn questions() -> Value {
    json!([
        {"key": "csat", "prompt": "How satisfied are you?", "type": "csat", "required": true},
        {"key": "nps", "prompt": "Would you recommend us?", "type": "nps"},
        {"key": "timeliness", "prompt": "How was our timeliness?", "type": "rating", "attribute": "Timeliness"},
        {"key": "channel", "prompt": "How did you reach us?", "type": "single_choice", "options": ["phone", "e-mail"]},
        {"key": "comment", "prompt": "What could we do better?", "type": "free_text"},
        {"key": "contact", "prompt": "May we contact you?", "type": "consent"}
    ])
}

async fn setup(app: &TestApp) {
    app.create_team("care", "client").await;
    app.create_touchpoint("phone-support", "care").await;
    let survey = json!({"key": "after-call", "name": "After a call", "questions": questions(), "touchpoints": ["phone-support"]});
    let response = app
        .post_json("/api/v1/surveys", &app.admin_key, &survey)
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let customer = json!({"external_id": "C-1", "name": "Ada"});
    assert_eq!(
        app.post_json("/api/v1/customers", &app.admin_key, &customer)
            .await
            .status(),
        201
    );
}

async fn respond(app: &TestApp, answers: Value) -> reqwest::Response {
    let body = json!({"customer": {"external_id": "C-1"}, "touchpoint": "phone-support", "source": "phone_interview", "answers": answers});
    app.post_json("/api/v1/responses", &app.admin_key, &body)
        .await
}

async fn a_survey_is_created_exported_and_imported(app: TestApp) {
    setup(&app).await;
    let exported: Value = app
        .get("/api/v1/surveys/after-call", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(exported["version"], 1);
    assert_eq!(exported["touchpoints"], json!(["phone-support"]));
    assert_eq!(
        exported["questions"],
        questions()
            .as_array()
            .unwrap()
            .iter()
            .map(|q| {
                let mut q = q.clone();
                q.as_object_mut()
                    .unwrap()
                    .entry("required")
                    .or_insert(json!(false));
                q
            })
            .collect::<Value>()
    );
    let mut imported = exported.clone();
    imported["key"] = json!("after-call-copy");
    imported["touchpoints"] = json!([]);
    let response = app
        .post_json("/api/v1/surveys", &app.admin_key, &imported)
        .await;
    assert_eq!(response.status(), 201);
    let list: Value = app
        .get("/api/v1/surveys", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let bad = json!({"key": "bad", "name": "Bad", "questions": [{"key": "x", "prompt": "?", "type": "stars"}]});
    assert_eq!(
        app.post_json("/api/v1/surveys", &app.admin_key, &bad)
            .await
            .status(),
        422
    );
    let twice = json!({"key": "bad", "name": "Bad", "questions": [
        {"key": "x", "prompt": "?", "type": "csat"}, {"key": "x", "prompt": "?", "type": "nps"}]});
    assert_eq!(
        app.post_json("/api/v1/surveys", &app.admin_key, &twice)
            .await
            .status(),
        422
    );
}

async fn editing_a_survey_with_responses_makes_a_new_version(app: TestApp) {
    setup(&app).await;
    let short = json!([{"key": "csat", "prompt": "Satisfied?", "type": "csat", "required": true}]);
    let edited: Value = app
        .patch_json(
            "/api/v1/surveys/after-call",
            &app.admin_key,
            &json!({"questions": short}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(edited["version"], 1, "no responses yet: edited in place");
    assert_eq!(respond(&app, json!({"csat": 4})).await.status(), 201);
    let edited: Value = app
        .patch_json(
            "/api/v1/surveys/after-call",
            &app.admin_key,
            &json!({"questions": questions()}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(edited["version"], 2);
    assert_eq!(edited["responses"], 0);
    let list: Value = app
        .get("/api/v1/responses", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["items"][0]["survey_version"], 1,
        "the response keeps the version it answered"
    );
}

async fn a_transaction_on_a_surveyed_touchpoint_returns_a_survey_url(app: TestApp) {
    setup(&app).await;
    let transaction = json!({"external_id": "T-1", "customer": {"external_id": "C-1"}, "touchpoint": "phone-support",
        "occurred_at": "2026-11-20T10:00:00Z"});
    let body: Value = app
        .post_json("/api/v1/transactions", &app.admin_key, &transaction)
        .await
        .json()
        .await
        .unwrap();
    let url = body["survey_url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/s/", app.address)), "{url}");
    let token = url.rsplit('/').next().unwrap();
    assert!(
        !token.contains("T-1") && !token.contains("C-1"),
        "the token reveals no ids"
    );
    assert_eq!(
        body["invitation"],
        json!({"channel": "link", "state": "sent", "failure_reason": null})
    );
    let again: Value = app
        .post_json("/api/v1/transactions", &app.admin_key, &transaction)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["survey_url"], body["survey_url"],
        "an update does not invite again"
    );
    app.create_touchpoint("billing", "care").await;
    let unsurveyed = json!({"external_id": "T-2", "customer": {"external_id": "C-1"}, "touchpoint": "billing",
        "occurred_at": "2026-11-20T10:00:00Z"});
    let body: Value = app
        .post_json("/api/v1/transactions", &app.admin_key, &unsurveyed)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["survey_url"], Value::Null);
}

async fn a_response_from_a_phone_interview_is_stored_with_scores_and_analysis(app: TestApp) {
    setup(&app).await;
    let response = respond(&app, json!({"csat": 2, "nps": 4, "comment": "Waited 40 minutes on hold, very frustrating", "contact": true})).await;
    assert_eq!(response.status(), 201);
    let list: Value = app
        .get("/api/v1/responses", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let stored = &list["items"][0];
    assert_eq!(
        (stored["csat"].as_i64(), stored["nps"].as_i64()),
        (Some(2), Some(4))
    );
    assert_eq!(stored["band"], "poor");
    assert_eq!(stored["source"], "phone_interview");
    assert_eq!(stored["team"], "care");
    assert_eq!(stored["contact_consent"], true);
    assert!(stored["sentiment"].as_f64().unwrap() < 0.0);
    assert_eq!(stored["language"], "en");
    assert!(
        stored["themes"]
            .as_array()
            .unwrap()
            .contains(&json!("waiting_time")),
        "{stored}"
    );
    // The response.received event is consumed from the outbox: the default rule opens a case
    // for this very response.
    let case = eventually(
        "the case opened from the response.received event",
        || async {
            let cases: Value = app
                .get("/api/v1/cases", &app.admin_key)
                .await
                .json()
                .await
                .unwrap();
            cases["items"]
                .as_array()
                .and_then(|items| items.first().cloned())
        },
    )
    .await;
    assert_eq!(case["response_id"], stored["id"]);
    let pending = app.store.pending_outbox("response.received").await.unwrap();
    assert_eq!(pending, 0, "the event was consumed exactly once");
}

async fn bad_responses_are_refused_naming_the_field(app: TestApp) {
    setup(&app).await;
    let cases = [
        (json!({"csat": 6}), "answers.csat"),
        (json!({"csat": 3, "nps": -1}), "answers.nps"),
        (json!({"csat": 3, "colour": "red"}), "answers.colour"),
        (json!({"csat": 3, "channel": "fax"}), "answers.channel"),
        (json!({"nps": 9}), "answers.csat"),
    ];
    for (answers, field) in cases {
        let response = respond(&app, answers.clone()).await;
        assert_eq!(response.status(), 422, "{answers}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["field"], field, "{answers}");
    }
    let unknown_customer = json!({"customer": {"external_id": "C-404"}, "touchpoint": "phone-support", "source": "kiosk", "answers": {"csat": 3}});
    let problem: Value = app
        .post_json("/api/v1/responses", &app.admin_key, &unknown_customer)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(problem["field"], "customer.external_id");
    let unknown_touchpoint = json!({"customer": {"external_id": "C-1"}, "touchpoint": "nowhere", "source": "kiosk", "answers": {"csat": 3}});
    let problem: Value = app
        .post_json("/api/v1/responses", &app.admin_key, &unknown_touchpoint)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(problem["field"], "touchpoint");
    let bad_source = json!({"customer": {"external_id": "C-1"}, "touchpoint": "phone-support", "source": "Phone Call!", "answers": {"csat": 3}});
    assert_eq!(
        app.post_json("/api/v1/responses", &app.admin_key, &bad_source)
            .await
            .status(),
        422
    );
    let list: Value = app
        .get("/api/v1/responses", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"], json!([]), "nothing was stored");
}

async fn a_batch_of_responses_is_all_or_nothing(app: TestApp) {
    setup(&app).await;
    let item = |csat: i64| json!({"customer": {"external_id": "C-1"}, "touchpoint": "phone-support", "source": "focus_group", "answers": {"csat": csat}});
    let bad = json!({"responses": [item(4), item(9), item(5), item(0)]});
    let response = app
        .post_json("/api/v1/responses", &app.admin_key, &bad)
        .await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    let failed: Vec<i64> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["index"].as_i64().unwrap())
        .collect();
    assert_eq!(failed, [1, 3]);
    assert_eq!(problem["errors"][0]["field"], "answers.csat");
    let good = json!({"responses": [item(4), item(5)]});
    let created: Value = app
        .post_json("/api/v1/responses", &app.admin_key, &good)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(created["ids"].as_array().unwrap().len(), 2);
    let list: Value = app
        .get("/api/v1/responses", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

async fn the_same_idempotency_key_stores_one_response(app: TestApp) {
    setup(&app).await;
    let body = json!({"customer": {"external_id": "C-1"}, "touchpoint": "phone-support", "source": "kiosk", "answers": {"csat": 5}});
    for _ in 0..2 {
        let response = app
            .api
            .post(app.url("/api/v1/responses"))
            .bearer_auth(&app.admin_key)
            .header("Idempotency-Key", "kiosk-7-123")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    let list: Value = app
        .get("/api/v1/responses", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

async fn responses_are_filtered_by_band_theme_sentiment_and_source(app: TestApp) {
    setup(&app).await;
    respond(
        &app,
        json!({"csat": 1, "comment": "The invoice was wrong and nobody called back"}),
    )
    .await;
    respond(
        &app,
        json!({"csat": 5, "comment": "Wonderful, friendly and quick service"}),
    )
    .await;
    let kiosk = json!({"customer": {"external_id": "C-1"}, "touchpoint": "phone-support", "source": "kiosk", "answers": {"csat": 3}});
    app.post_json("/api/v1/responses", &app.admin_key, &kiosk)
        .await;
    let count = |query: &'static str| {
        let app = &app;
        async move {
            let list: Value = app
                .get(&format!("/api/v1/responses?{query}"), &app.admin_key)
                .await
                .json()
                .await
                .unwrap();
            list["items"].as_array().map(Vec::len).unwrap_or(usize::MAX)
        }
    };
    assert_eq!(count("band=poor").await, 1);
    assert_eq!(count("band=good").await, 1);
    assert_eq!(count("sentiment=positive").await, 1);
    assert_eq!(count("sentiment=negative").await, 1);
    assert_eq!(count("source=kiosk").await, 1);
    assert_eq!(count("theme=billing").await, 1);
    assert_eq!(count("q=invoice").await, 1);
    assert_eq!(count("team=care&touchpoint=phone-support").await, 3);
    assert_eq!(count("team=nobody").await, 0);
    let bad = app
        .get("/api/v1/responses?band=awful", &app.admin_key)
        .await;
    assert_eq!(bad.status(), 422);
}

async fn fatigue_rules_limit_invitations_per_customer(app: TestApp) {
    setup(&app).await;
    let transaction = |id: &str| {
        json!({"external_id": id, "customer": {"external_id": "C-1"}, "touchpoint": "phone-support",
        "occurred_at": "2026-11-20T10:00:00Z"})
    };
    let url = |body: Value| body["survey_url"].is_string();
    let first: Value = app
        .post_json("/api/v1/transactions", &app.admin_key, &transaction("T-1"))
        .await
        .json()
        .await
        .unwrap();
    let second: Value = app
        .post_json("/api/v1/transactions", &app.admin_key, &transaction("T-2"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        url(first) && url(second),
        "by default every transaction is asked"
    );
    let touchpoint_rule = json!({"invitation_min_days": 7});
    let patched: Value = app
        .patch_json(
            "/api/v1/touchpoints/phone-support",
            &app.admin_key,
            &touchpoint_rule,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(patched["invitation_min_days"], 7);
    let third: Value = app
        .post_json("/api/v1/transactions", &app.admin_key, &transaction("T-3"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !url(third),
        "the touchpoint's rule holds the customer back for 7 days"
    );
    app.patch_json(
        "/api/v1/touchpoints/phone-support",
        &app.admin_key,
        &json!({"invitation_min_days": null}),
    )
    .await;
    let rules = json!({"min_days_between": 30, "quiet_hours_start": null, "quiet_hours_end": null, "link_valid_days": 30, "reminder_after_hours": 0});
    assert_eq!(
        app.api
            .put(app.url("/api/v1/invitation-rules"))
            .bearer_auth(&app.admin_key)
            .json(&rules)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let fourth: Value = app
        .post_json("/api/v1/transactions", &app.admin_key, &transaction("T-4"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !url(fourth),
        "the organization's rule applies when the touchpoint has none"
    );
    let other = json!({"external_id": "T-5", "customer": {"external_id": "C-2"}, "touchpoint": "phone-support", "occurred_at": "2026-11-20T10:00:00Z"});
    let fifth: Value = app
        .post_json("/api/v1/transactions", &app.admin_key, &other)
        .await
        .json()
        .await
        .unwrap();
    assert!(url(fifth), "other customers are still asked");
}

async fn invitation_rules_are_validated(app: TestApp) {
    let put = |body: Value| {
        app.api
            .put(app.url("/api/v1/invitation-rules"))
            .bearer_auth(&app.admin_key)
            .json(&body)
            .send()
    };
    let good = json!({"min_days_between": 0, "quiet_hours_start": "21:00", "quiet_hours_end": "08:00", "link_valid_days": 14, "reminder_after_hours": 48});
    let saved: Value = put(good).await.unwrap().json().await.unwrap();
    assert_eq!(
        (
            saved["quiet_hours_start"].as_str(),
            saved["link_valid_days"].as_i64()
        ),
        (Some("21:00"), Some(14))
    );
    for (bad, field) in [
        (
            json!({"min_days_between": 0, "quiet_hours_start": "25:00", "quiet_hours_end": "08:00", "link_valid_days": 14, "reminder_after_hours": 0}),
            "quiet_hours_start",
        ),
        (
            json!({"min_days_between": 0, "quiet_hours_start": "21:00", "quiet_hours_end": null, "link_valid_days": 14, "reminder_after_hours": 0}),
            "quiet_hours_end",
        ),
        (
            json!({"min_days_between": -1, "quiet_hours_start": null, "quiet_hours_end": null, "link_valid_days": 14, "reminder_after_hours": 0}),
            "min_days_between",
        ),
        (
            json!({"min_days_between": 0, "quiet_hours_start": null, "quiet_hours_end": null, "link_valid_days": 0, "reminder_after_hours": 0}),
            "link_valid_days",
        ),
    ] {
        let response = put(bad).await.unwrap();
        assert_eq!(response.status(), 422);
        assert_eq!(response.json::<Value>().await.unwrap()["field"], field);
    }
    let read: Value = app
        .get("/api/v1/invitation-rules", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        read["reminder_after_hours"], 48,
        "refused changes changed nothing"
    );
    let reader = app.api_key("read").await;
    assert_eq!(put(json!({})).await.unwrap().status(), 422);
    let forbidden = app.api.put(app.url("/api/v1/invitation-rules")).bearer_auth(&reader)
        .json(&json!({"min_days_between": 0, "quiet_hours_start": null, "quiet_hours_end": null, "link_valid_days": 1, "reminder_after_hours": 0}))
        .send().await.unwrap();
    assert_eq!(forbidden.status(), 403);
}

async fn responses_without_then_with_a_comment_are_both_stored(app: TestApp) {
    setup(&app).await;
    for answers in [
        json!({"csat": 4}),
        json!({"csat": 2, "comment": "Rude and slow"}),
        json!({"csat": 5}),
    ] {
        let response = respond(&app, answers.clone()).await;
        assert_eq!(
            response.status(),
            201,
            "{answers}: {}",
            response.text().await.unwrap()
        );
    }
    let negative: Value = app
        .get(
            "/api/v1/responses?sentiment=negative&theme=staff_attitude",
            &app.admin_key,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(negative["items"].as_array().unwrap().len(), 1);
}

async fn a_response_about_a_transaction_is_filtered_by_its_staff_member(app: TestApp) {
    setup(&app).await;
    app.create_staff(domain::Role::Member, "s7@example.com", Some("S-7"))
        .await;
    let transaction = json!({"external_id": "T-9", "customer": {"external_id": "C-1"}, "touchpoint": "phone-support",
        "staff": "S-7", "occurred_at": "2026-11-20T10:00:00Z"});
    assert_eq!(
        app.post_json("/api/v1/transactions", &app.admin_key, &transaction)
            .await
            .status(),
        201
    );
    let response =
        json!({"transaction": "T-9", "source": "phone_interview", "answers": {"csat": 5}});
    assert_eq!(
        app.post_json("/api/v1/responses", &app.admin_key, &response)
            .await
            .status(),
        201
    );
    respond(&app, json!({"csat": 3})).await;
    let by_staff: Value = app
        .get("/api/v1/responses?staff=S-7", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let items = by_staff["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(
        (items[0]["staff"].as_str(), items[0]["transaction"].as_str()),
        (Some("S-7"), Some("T-9"))
    );
    let nobody: Value = app
        .get("/api/v1/responses?staff=S-404", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(nobody["items"], json!([]));
}
