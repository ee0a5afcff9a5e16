//! CRUD of teams, touchpoints, customers and users through the API, with paging and audit.

use crate::helpers::{TestApp, on_both_backends};
use serde_json::{Value, json};

on_both_backends!(
    teams_are_created_read_updated_and_deleted,
    lists_page_through_every_item_with_cursors,
    touchpoints_refer_to_their_team_by_key,
    customers_are_upserted_by_external_id,
    users_are_managed_with_the_admin_scope,
    every_api_change_is_in_the_audit_log,
    a_team_in_use_cannot_be_deleted,
);

async fn teams_are_created_read_updated_and_deleted(app: TestApp) {
    let body = json!({"key": "care", "name": "Customer Care", "kind": "client"});
    let response = app.post_json("/api/v1/teams", &app.admin_key, &body).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        (created["key"].as_str(), created["kind"].as_str()),
        (Some("care"), Some("client"))
    );
    let duplicate = app.post_json("/api/v1/teams", &app.admin_key, &body).await;
    assert_eq!(duplicate.status(), 409);
    let patched = app
        .patch_json(
            "/api/v1/teams/care",
            &app.admin_key,
            &json!({"name": "Care", "description": "Front line"}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let read: Value = app
        .get("/api/v1/teams/care", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (read["name"].as_str(), read["description"].as_str()),
        (Some("Care"), Some("Front line"))
    );
    assert_eq!(
        app.delete("/api/v1/teams/care", &app.admin_key)
            .await
            .status(),
        204
    );
    assert_eq!(
        app.get("/api/v1/teams/care", &app.admin_key).await.status(),
        404
    );
}

async fn lists_page_through_every_item_with_cursors(app: TestApp) {
    for i in 0..5 {
        app.create_team(&format!("team-{i}"), "operations").await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/teams?limit=2".to_owned();
    loop {
        let page: Value = app.get(&path, &app.admin_key).await.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|t| t["key"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/teams?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ["team-0", "team-1", "team-2", "team-3", "team-4"]);
    let newest: Value = app
        .get("/api/v1/teams?limit=2&order=desc", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let keys: Vec<&str> = newest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["team-4", "team-3"]);
    let cursor = newest["next_cursor"].as_str().unwrap();
    let next: Value = app
        .get(
            &format!("/api/v1/teams?limit=2&order=desc&cursor={cursor}"),
            &app.admin_key,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(next["items"][0]["key"], "team-2");
    assert_eq!(
        app.get("/api/v1/teams?order=sideways", &app.admin_key)
            .await
            .status(),
        422
    );
    let found: Value = app
        .get("/api/v1/teams?q=TEAM-3", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let by_kind: Value = app
        .get("/api/v1/teams?kind=client", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_kind["items"], json!([]));
}

async fn touchpoints_refer_to_their_team_by_key(app: TestApp) {
    app.create_team("care", "client").await;
    let body = json!({"key": "phone-support", "name": "Phone support", "team": "care"});
    let created: Value = app
        .post_json("/api/v1/touchpoints", &app.admin_key, &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(created["team"], "care");
    let unknown_team = json!({"key": "visit", "name": "Visit", "team": "nobody"});
    let response = app
        .post_json("/api/v1/touchpoints", &app.admin_key, &unknown_team)
        .await;
    assert_eq!(response.status(), 422);
    let cleared = app
        .patch_json(
            "/api/v1/touchpoints/phone-support",
            &app.admin_key,
            &json!({"team": null}),
        )
        .await;
    let cleared: Value = cleared.json().await.unwrap();
    assert_eq!(cleared["team"], Value::Null);
    let list: Value = app
        .get("/api/v1/touchpoints", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

async fn customers_are_upserted_by_external_id(app: TestApp) {
    app.create_team("care", "client").await;
    let ingest = app.api_key("ingest").await;
    let body = json!({"external_id": "C-42", "name": "Ada Lovelace", "email": "ADA@example.com", "segment": "enterprise",
        "annual_value": {"minor": 1250000, "currency": "EUR"}, "team": "care"});
    let response = app.post_json("/api/v1/customers", &ingest, &body).await;
    assert_eq!(response.status(), 201);
    let update = json!({"external_id": "C-42", "status": "lost"});
    let response = app.post_json("/api/v1/customers", &ingest, &update).await;
    assert_eq!(response.status(), 200);
    let customer: Value = app
        .get("/api/v1/customers/C-42", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(customer["email"], "ada@example.com");
    assert_eq!(customer["status"], "lost");
    assert_eq!(
        customer["name"], "Ada Lovelace",
        "absent fields keep their value"
    );
    assert_eq!(
        customer["annual_value"],
        json!({"minor": 1250000, "currency": "EUR"})
    );
    let float_money =
        json!({"external_id": "C-43", "annual_value": {"minor": 12.5, "currency": "EUR"}});
    assert_eq!(
        app.post_json("/api/v1/customers", &ingest, &float_money)
            .await
            .status(),
        422
    );
    let filtered: Value = app
        .get("/api/v1/customers?status=lost&team=care", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(filtered["items"].as_array().unwrap().len(), 1);
}

async fn users_are_managed_with_the_admin_scope(app: TestApp) {
    app.create_team("care", "client").await;
    let body = json!({"email": "grace@example.com", "name": "Grace Hopper", "role": "manager", "external_id": "S-7",
        "teams": ["care"], "password": "a sufficiently long password"});
    let response = app.post_json("/api/v1/users", &app.admin_key, &body).await;
    assert_eq!(response.status(), 201);
    let user: Value = response.json().await.unwrap();
    assert_eq!(user["teams"], json!(["care"]));
    assert!(user.get("password").is_none() && user.get("password_hash").is_none());
    let id = user["id"].as_i64().unwrap();
    let short =
        json!({"email": "x@example.com", "name": "X", "role": "member", "password": "short"});
    assert_eq!(
        app.post_json("/api/v1/users", &app.admin_key, &short)
            .await
            .status(),
        422
    );
    let patched: Value = app
        .patch_json(
            &format!("/api/v1/users/{id}"),
            &app.admin_key,
            &json!({"role": "member", "teams": []}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (patched["role"].as_str(), patched["teams"].clone()),
        (Some("member"), json!([]))
    );
    assert_eq!(
        app.delete(&format!("/api/v1/users/{id}"), &app.admin_key)
            .await
            .status(),
        204
    );
    let read: Value = app
        .get(&format!("/api/v1/users/{id}"), &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["active"], false);
}

async fn every_api_change_is_in_the_audit_log(app: TestApp) {
    app.create_team("care", "client").await;
    app.patch_json(
        "/api/v1/teams/care",
        &app.admin_key,
        &json!({"name": "Care team"}),
    )
    .await;
    let log: Value = app
        .get("/api/v1/audit-log?entity=team", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["action"], "team.update");
    assert_eq!(items[1]["before"]["name"], "Team care");
    assert_eq!(items[1]["after"]["name"], "Care team");
    assert_eq!(items[1]["actor_kind"], "api_key");
}

async fn a_team_in_use_cannot_be_deleted(app: TestApp) {
    app.create_team("care", "client").await;
    app.create_touchpoint("phone-support", "care").await;
    let response = app.delete("/api/v1/teams/care", &app.admin_key).await;
    assert_eq!(response.status(), 409);
    assert_eq!(
        app.get("/api/v1/teams/care", &app.admin_key).await.status(),
        200
    );
}
