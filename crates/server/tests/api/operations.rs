//! Health, readiness, metrics, request ids, security headers and the OpenAPI document.

use crate::helpers::{TestApp, on_both_backends};
use serde_json::Value;

on_both_backends!(
    health_and_readiness_answer,
    metrics_count_requests_by_matched_route,
    every_response_has_a_request_id_and_security_headers,
    the_openapi_document_lists_every_route,
    the_api_docs_page_is_browsable,
);

async fn health_and_readiness_answer(app: TestApp) {
    assert_eq!(
        app.api
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.api
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

async fn metrics_count_requests_by_matched_route(app: TestApp) {
    app.get("/api/v1/teams/some-team", &app.admin_key).await;
    let text = app
        .api
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            "http_requests_total{method=\"GET\",route=\"/api/v1/teams/{key}\",status=\"404\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains(
        "http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/teams/{key}\""
    ));
    assert!(text.contains("db_pool_connections "));
}

async fn every_response_has_a_request_id_and_security_headers(app: TestApp) {
    for path in ["/healthz", "/login", "/api/v1/teams", "/no-such-page"] {
        let response = app.api.get(app.url(path)).send().await.unwrap();
        let headers = response.headers();
        assert!(
            headers.get("x-request-id").is_some_and(|v| !v.is_empty()),
            "{path}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert!(headers.contains_key("referrer-policy"));
    }
    let echoed = app
        .api
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "abc-123");
}

async fn the_openapi_document_lists_every_route(app: TestApp) {
    let document: Value = app
        .api
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = document["paths"].as_object().unwrap();
    let expected = [
        ("/api/v1/teams", vec!["get", "post"]),
        ("/api/v1/teams/{key}", vec!["get", "patch", "delete"]),
        ("/api/v1/users", vec!["get", "post"]),
        ("/api/v1/users/{id}", vec!["get", "patch", "delete"]),
        ("/api/v1/customers", vec!["get", "post"]),
        ("/api/v1/customers/{external_id}", vec!["get", "delete"]),
        ("/api/v1/touchpoints", vec!["get", "post"]),
        ("/api/v1/touchpoints/{key}", vec!["get", "patch", "delete"]),
        ("/api/v1/transactions", vec!["get", "post"]),
        ("/api/v1/api-keys", vec!["get", "post"]),
        ("/api/v1/api-keys/{id}", vec!["delete"]),
        ("/api/v1/audit-log", vec!["get"]),
        ("/api/v1/organization", vec!["get", "put"]),
        ("/api/v1/surveys", vec!["get", "post"]),
        ("/api/v1/surveys/{key}", vec!["get", "patch"]),
        ("/api/v1/responses", vec!["get", "post"]),
        ("/api/v1/invitation-rules", vec!["get", "put"]),
        ("/api/v1/email-templates", vec!["get", "put"]),
        ("/api/v1/alert-rules", vec!["get", "post"]),
        ("/api/v1/alert-rules/{id}", vec!["get", "put", "delete"]),
        ("/api/v1/alerts", vec!["get"]),
        ("/api/v1/cases", vec!["get"]),
        ("/api/v1/cases/{id}", vec!["get", "patch"]),
        ("/api/v1/cases/{id}/notes", vec!["post"]),
        ("/api/v1/cases/{id}/resolve", vec!["post"]),
        ("/api/v1/problems", vec!["get", "post"]),
        ("/api/v1/problems/{id}", vec!["get", "patch"]),
        ("/api/v1/problems/{id}/actions", vec!["get", "post"]),
        (
            "/api/v1/problems/{id}/actions/{action_id}",
            vec!["patch", "delete"],
        ),
        ("/api/v1/problems/{id}/links", vec!["get", "post", "delete"]),
        ("/api/v1/problems/{id}/suggestions", vec!["get"]),
        ("/api/v1/problems/{id}/notes", vec!["post"]),
        ("/api/v1/recovery-settings", vec!["get", "put"]),
        ("/api/v1/webhooks", vec!["get", "post"]),
        ("/api/v1/webhooks/{id}", vec!["get", "put", "delete"]),
        ("/api/v1/webhooks/{id}/deliveries", vec!["get"]),
        ("/api/v1/webhook-deliveries/{id}", vec!["get"]),
        ("/api/v1/webhook-deliveries/{id}/resend", vec!["post"]),
        ("/api/v1/guarantees", vec!["get"]),
        ("/api/v1/guarantees/export", vec!["get"]),
        ("/api/v1/guarantees/report", vec!["get"]),
        ("/api/v1/guarantees/{id}", vec!["get"]),
        ("/api/v1/guarantees/{id}/corrections", vec!["post"]),
        ("/api/v1/guarantee-policy", vec!["get", "put"]),
        ("/api/v1/dashboard", vec!["get"]),
        ("/api/v1/drivers", vec!["get"]),
        ("/api/v1/revenue-at-risk", vec!["get"]),
        ("/api/v1/improvements", vec!["get"]),
        ("/api/v1/improvements/what-if", vec!["get"]),
        ("/api/v1/fee-change", vec!["get"]),
        ("/api/v1/problems/{id}/impact", vec!["get"]),
        ("/api/v1/improvement-settings", vec!["get", "put"]),
        ("/api/v1/standards", vec!["get", "post"]),
        ("/api/v1/standards/{key}", vec!["delete", "get", "put"]),
        ("/api/v1/standards/{key}/compliance", vec!["get"]),
        ("/api/v1/events", vec!["post"]),
        ("/api/v1/standard-feelings", vec!["get"]),
        ("/api/v1/commitments", vec!["get", "post"]),
        ("/api/v1/commitments/{id}", vec!["get"]),
        ("/api/v1/commitments/{id}/changes", vec!["post"]),
    ];
    assert_eq!(
        paths.len(),
        expected.len(),
        "paths: {:?}",
        paths.keys().collect::<Vec<_>>()
    );
    for (path, methods) in expected {
        let item = paths.get(path).unwrap_or_else(|| panic!("{path} missing"));
        for method in methods {
            assert!(item.get(method).is_some(), "{method} {path} missing");
        }
    }
    assert!(document["components"]["schemas"]["Problem"].is_object());
    assert!(document["components"]["securitySchemes"]["api_key"].is_object());
}

async fn the_api_docs_page_is_browsable(app: TestApp) {
    let response = app.api.get(app.url("/api/docs")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("POST /api/v1/transactions"));
    assert!(html.contains("TransactionIn"));
}
