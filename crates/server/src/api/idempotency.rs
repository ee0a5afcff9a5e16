//! `Idempotency-Key` on every create: the first request with a key is processed and its
//! response kept; the same key with the same body replays it; with another body it is 422.

use crate::error::{ApiError, ProblemKind};
use crate::security::{api_key_prefix, sha256_hex};
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use store::IdempotencyClaim;

pub const HEADER: &str = "idempotency-key";

/// Responses worth replaying: anything the server decided, not transient or auth failures.
fn is_final(status: StatusCode) -> bool {
    !(status.is_server_error()
        || status == StatusCode::UNAUTHORIZED
        || status == StatusCode::FORBIDDEN
        || status == StatusCode::TOO_MANY_REQUESTS)
}

pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(key) = request.headers().get(HEADER) else {
        return next.run(request).await;
    };
    let key = match key.to_str() {
        Ok(k) if !k.trim().is_empty() && k.len() <= 255 => k.trim().to_owned(),
        _ => {
            return ApiError::new(
                ProblemKind::MalformedRequest,
                "Idempotency-Key must be 1 to 255 visible ASCII characters",
            )
            .into_response();
        }
    };
    let scope = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|v| api_key_prefix(v.trim()))
        .map_or_else(|| "anonymous".to_owned(), |p| format!("key:{p}"));
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, state.settings.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return ApiError::new(
                ProblemKind::PayloadTooLarge,
                "the request body exceeds the size limit",
            )
            .into_response();
        }
    };
    let fingerprint = format!(
        "{} {}\n{}",
        parts.method,
        parts.uri.path(),
        String::from_utf8_lossy(&bytes)
    );
    let request_hash = sha256_hex(&fingerprint);
    let claim = match state
        .store
        .claim_idempotency_key(&scope, &key, &request_hash)
        .await
    {
        Ok(claim) => claim,
        Err(error) => return ApiError::from(error).into_response(),
    };
    match claim {
        IdempotencyClaim::Completed {
            request_hash: stored,
            status,
            body,
        } if stored == request_hash => replay(status, body),
        IdempotencyClaim::InProgress {
            request_hash: stored,
        } if stored == request_hash => ApiError::new(
            ProblemKind::IdempotencyInProgress,
            "a request with this Idempotency-Key is still being processed; retry shortly",
        )
        .into_response(),
        IdempotencyClaim::Completed { .. } | IdempotencyClaim::InProgress { .. } => ApiError::new(
            ProblemKind::IdempotencyMismatch,
            "this Idempotency-Key was already used with a different request; use a new key",
        )
        .into_response(),
        IdempotencyClaim::Claimed => {
            let response = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            record(&state, &scope, &key, response).await
        }
    }
}

async fn record(state: &AppState, scope: &str, key: &str, response: Response) -> Response {
    let status = response.status();
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => {
            let _ = state.store.release_idempotency_key(scope, key).await;
            return ApiError::internal(error).into_response();
        }
    };
    let saved = if is_final(status) {
        let text = String::from_utf8_lossy(&bytes);
        state
            .store
            .complete_idempotency_key(scope, key, status.as_u16(), &text)
            .await
    } else {
        state.store.release_idempotency_key(scope, key).await
    };
    if let Err(error) = saved {
        tracing::error!(%error, "could not record the idempotent response");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replay(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let content_type = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}
