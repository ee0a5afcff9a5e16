//! What unknown routes and methods get: problem+json under `/api`, a readable page elsewhere.

use axum::http::{StatusCode, Uri};
use axum::response::Response;

fn is_api(uri: &Uri) -> bool {
    uri.path().starts_with("/api/")
}

pub async fn not_found(uri: Uri) -> Response {
    if is_api(&uri) {
        crate::api::not_found()
    } else {
        crate::web::error_page(
            StatusCode::NOT_FOUND,
            "Page not found",
            "There is no page at this address.",
        )
    }
}

pub async fn method_not_allowed(uri: Uri) -> Response {
    if is_api(&uri) {
        crate::api::method_not_allowed()
    } else {
        crate::web::error_page(
            StatusCode::METHOD_NOT_ALLOWED,
            "Not allowed",
            "This page does not accept that kind of request.",
        )
    }
}
