//! Authentication, authorization and bad input on the API: always a 4xx problem document.

use crate::helpers::{TestApp, on_both_backends};
use serde_json::{Value, json};

on_both_backends!(
    a_request_without_a_key_is_401_problem_json,
    a_malformed_or_revoked_key_is_401,
    a_key_without_the_scope_gets_403,
    malformed_json_is_400_problem_json,
    wrong_types_and_unknown_fields_are_422,
    an_oversized_body_is_413,
    a_body_that_is_not_json_is_415,
    unknown_routes_and_methods_are_problems,
    bad_paging_parameters_are_4xx,
);

async fn assert_problem(response: reqwest::Response, status: u16, kind: &str) -> Value {
    assert_eq!(response.status(), status);
    let request_id = response
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], format!("/problems/{kind}"));
    assert_eq!(body["status"], status);
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(
        body["request_id"].as_str(),
        request_id.as_deref(),
        "request id in body and header"
    );
    body
}

async fn a_request_without_a_key_is_401_problem_json(app: TestApp) {
    let response = app.api.get(app.url("/api/v1/teams")).send().await.unwrap();
    assert!(response.headers().contains_key("www-authenticate"));
    assert_problem(response, 401, "unauthenticated").await;
    let response = app
        .api
        .post(app.url("/api/v1/transactions"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 401, "unauthenticated").await;
}

async fn a_malformed_or_revoked_key_is_401(app: TestApp) {
    for bad in [
        "nonsense",
        "ps_0123456789ab_wrong",
        &format!("{}x", app.admin_key),
    ] {
        assert_problem(app.get("/api/v1/teams", bad).await, 401, "unauthenticated").await;
    }
    let key = app.api_key("read").await;
    assert_eq!(app.get("/api/v1/teams", &key).await.status(), 200);
    let listed: Value = app
        .get("/api/v1/api-keys", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let id = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["scopes"] == "read")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.delete(&format!("/api/v1/api-keys/{id}"), &app.admin_key)
            .await
            .status(),
        200
    );
    assert_problem(app.get("/api/v1/teams", &key).await, 401, "unauthenticated").await;
}

async fn a_key_without_the_scope_gets_403(app: TestApp) {
    let read = app.api_key("read").await;
    let body = json!({"key": "care", "name": "Care", "kind": "client"});
    assert_problem(
        app.post_json("/api/v1/teams", &read, &body).await,
        403,
        "forbidden",
    )
    .await;
    let ingest = app.api_key("ingest").await;
    assert_problem(app.get("/api/v1/teams", &ingest).await, 403, "forbidden").await;
    assert_problem(app.get("/api/v1/users", &read).await, 403, "forbidden").await;
    assert_problem(app.get("/api/v1/audit-log", &read).await, 403, "forbidden").await;
    let teams: Value = app
        .get("/api/v1/teams", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(teams["items"], json!([]), "nothing was created");
}

async fn malformed_json_is_400_problem_json(app: TestApp) {
    for path in ["/api/v1/teams", "/api/v1/transactions", "/api/v1/customers"] {
        let response = app
            .api
            .post(app.url(path))
            .bearer_auth(&app.admin_key)
            .header("content-type", "application/json")
            .body("{,}")
            .send()
            .await
            .unwrap();
        assert_problem(response, 400, "malformed-request").await;
    }
}

async fn wrong_types_and_unknown_fields_are_422(app: TestApp) {
    let wrong_type = json!({"key": 7, "name": "Care", "kind": "client"});
    assert_problem(
        app.post_json("/api/v1/teams", &app.admin_key, &wrong_type)
            .await,
        422,
        "validation-failed",
    )
    .await;
    let unknown = json!({"key": "care", "name": "Care", "kind": "client", "colour": "red"});
    let body = assert_problem(
        app.post_json("/api/v1/teams", &app.admin_key, &unknown)
            .await,
        422,
        "validation-failed",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("colour"));
    let bad_value = json!({"key": "Not A Slug", "name": "Care", "kind": "client"});
    let body = assert_problem(
        app.post_json("/api/v1/teams", &app.admin_key, &bad_value)
            .await,
        422,
        "validation-failed",
    )
    .await;
    assert_eq!(body["field"], "key");
    let bad_kind = json!({"key": "care", "name": "Care", "kind": "sales"});
    assert_problem(
        app.post_json("/api/v1/teams", &app.admin_key, &bad_kind)
            .await,
        422,
        "validation-failed",
    )
    .await;
}

async fn an_oversized_body_is_413(app: TestApp) {
    let huge = format!(
        "{{\"key\": \"{}\"}}",
        "x".repeat(crate::helpers::MAX_BODY_BYTES + 1000)
    );
    for (path, idempotency) in [
        ("/api/v1/teams", None),
        ("/api/v1/transactions", Some("big-1")),
    ] {
        let mut request = app
            .api
            .post(app.url(path))
            .bearer_auth(&app.admin_key)
            .header("content-type", "application/json")
            .body(huge.clone());
        if let Some(key) = idempotency {
            request = request.header("idempotency-key", key);
        }
        assert_problem(request.send().await.unwrap(), 413, "payload-too-large").await;
    }
}

async fn a_body_that_is_not_json_is_415(app: TestApp) {
    let response = app
        .api
        .post(app.url("/api/v1/teams"))
        .bearer_auth(&app.admin_key)
        .body("key=care")
        .send()
        .await
        .unwrap();
    assert_problem(response, 415, "unsupported-media-type").await;
}

async fn unknown_routes_and_methods_are_problems(app: TestApp) {
    assert_problem(
        app.get("/api/v1/nothing-here", &app.admin_key).await,
        404,
        "not-found",
    )
    .await;
    assert_problem(
        app.get("/api/v1/teams/no-such-team", &app.admin_key).await,
        404,
        "not-found",
    )
    .await;
    let response = app
        .api
        .put(app.url("/api/v1/teams"))
        .bearer_auth(&app.admin_key)
        .send()
        .await
        .unwrap();
    assert_problem(response, 405, "method-not-allowed").await;
}

async fn bad_paging_parameters_are_4xx(app: TestApp) {
    assert_problem(
        app.get("/api/v1/teams?limit=0", &app.admin_key).await,
        422,
        "validation-failed",
    )
    .await;
    assert_problem(
        app.get("/api/v1/teams?limit=501", &app.admin_key).await,
        422,
        "validation-failed",
    )
    .await;
    assert_problem(
        app.get("/api/v1/teams?limit=abc", &app.admin_key).await,
        400,
        "malformed-request",
    )
    .await;
    assert_problem(
        app.get("/api/v1/teams?cursor=garbage", &app.admin_key)
            .await,
        422,
        "validation-failed",
    )
    .await;
    assert_problem(
        app.get("/api/v1/transactions?from=yesterday", &app.admin_key)
            .await,
        422,
        "validation-failed",
    )
    .await;
}
