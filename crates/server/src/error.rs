//! The one public error contract of the API: RFC 9457 `application/problem+json` with a stable
//! `type` from [`ProblemKind`], and the request id. Internals are logged, never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::ValidationError;
use serde::Serialize;
use store::StoreError;
use utoipa::ToSchema;

/// Every kind of problem the API reports, with its status and stable type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    MalformedRequest,
    Validation,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    IdempotencyMismatch,
    IdempotencyInProgress,
    PayloadTooLarge,
    UnsupportedMediaType,
    MethodNotAllowed,
    RateLimited,
    Unavailable,
    Internal,
}

impl ProblemKind {
    pub fn status(self) -> StatusCode {
        match self {
            ProblemKind::MalformedRequest => StatusCode::BAD_REQUEST,
            ProblemKind::Validation | ProblemKind::IdempotencyMismatch => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ProblemKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ProblemKind::Forbidden => StatusCode::FORBIDDEN,
            ProblemKind::NotFound => StatusCode::NOT_FOUND,
            ProblemKind::Conflict | ProblemKind::IdempotencyInProgress => StatusCode::CONFLICT,
            ProblemKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ProblemKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ProblemKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable slug clients can match on; the `type` URI is `/problems/<slug>`.
    pub fn slug(self) -> &'static str {
        match self {
            ProblemKind::MalformedRequest => "malformed-request",
            ProblemKind::Validation => "validation-failed",
            ProblemKind::Unauthenticated => "unauthenticated",
            ProblemKind::Forbidden => "forbidden",
            ProblemKind::NotFound => "not-found",
            ProblemKind::Conflict => "conflict",
            ProblemKind::IdempotencyMismatch => "idempotency-key-reused",
            ProblemKind::IdempotencyInProgress => "idempotency-key-in-progress",
            ProblemKind::PayloadTooLarge => "payload-too-large",
            ProblemKind::UnsupportedMediaType => "unsupported-media-type",
            ProblemKind::MethodNotAllowed => "method-not-allowed",
            ProblemKind::RateLimited => "rate-limited",
            ProblemKind::Unavailable => "service-unavailable",
            ProblemKind::Internal => "internal-error",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ProblemKind::MalformedRequest => "The request could not be read",
            ProblemKind::Validation => "The request contains invalid values",
            ProblemKind::Unauthenticated => "Authentication is required",
            ProblemKind::Forbidden => "This credential may not do that",
            ProblemKind::NotFound => "Not found",
            ProblemKind::Conflict => "Conflict with the current state",
            ProblemKind::IdempotencyMismatch => "Idempotency key reused with a different request",
            ProblemKind::IdempotencyInProgress => {
                "A request with this idempotency key is in progress"
            }
            ProblemKind::PayloadTooLarge => "The request body is too large",
            ProblemKind::UnsupportedMediaType => "Unsupported media type",
            ProblemKind::MethodNotAllowed => "Method not allowed",
            ProblemKind::RateLimited => "Too many requests",
            ProblemKind::Unavailable => "Service temporarily unavailable",
            ProblemKind::Internal => "Internal server error",
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference identifying the problem type, e.g. `/problems/validation-failed`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The id of the request, also sent in the `x-request-id` header; quote it in support requests.
    pub request_id: Option<String>,
    /// For validation problems: the offending field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For batches: every item that failed, by index.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ItemError>,
}

/// Why one item of a batch was refused.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemError {
    pub index: usize,
    pub field: Option<String>,
    pub detail: String,
}

/// An error returned by an API handler.
#[derive(Debug)]
pub struct ApiError {
    pub kind: ProblemKind,
    pub detail: String,
    pub field: Option<String>,
    /// Logged, never sent.
    pub internal: Option<String>,
    pub errors: Vec<ItemError>,
}

impl ApiError {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            field: None,
            internal: None,
            errors: Vec::new(),
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            ProblemKind::NotFound,
            format!("no {what} with this identifier"),
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Forbidden, detail)
    }

    pub fn internal(error: impl std::fmt::Display) -> Self {
        Self {
            kind: ProblemKind::Internal,
            detail: "an unexpected error occurred; it has been logged".into(),
            field: None,
            internal: Some(error.to_string()),
            errors: Vec::new(),
        }
    }
}

impl From<ValidationError> for ApiError {
    fn from(error: ValidationError) -> Self {
        Self {
            field: Some(error.field.to_owned()),
            ..Self::new(ProblemKind::Validation, error.to_string())
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::new(ProblemKind::NotFound, "not found"),
            StoreError::Conflict(message) | StoreError::InUse(message) => {
                Self::new(ProblemKind::Conflict, message)
            }
            StoreError::UnknownReference { ref field, .. } => Self {
                field: Some(field.clone()),
                ..Self::new(ProblemKind::Validation, error.to_string())
            },
            StoreError::Unavailable(message) => Self {
                internal: Some(message),
                ..Self::new(
                    ProblemKind::Unavailable,
                    "the database is unavailable; retry shortly",
                )
            },
            StoreError::Internal(message) => Self::internal(message),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> Self {
        Self::internal(format!("{error:#}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Some(internal) = &self.internal {
            tracing::error!(kind = self.kind.slug(), error = %internal, "request failed");
        }
        let mut problem = problem(self.kind, self.detail);
        problem.field = self.field;
        problem.errors = self.errors;
        let mut response = problem_response(problem);
        if self.kind == ProblemKind::Unauthenticated {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"perfect-service\""),
            );
        }
        response
    }
}

pub fn problem(kind: ProblemKind, detail: impl Into<String>) -> Problem {
    Problem {
        kind: format!("/problems/{}", kind.slug()),
        title: kind.title().into(),
        status: kind.status().as_u16(),
        detail: detail.into(),
        request_id: crate::http::request_id::current(),
        field: None,
        errors: Vec::new(),
    }
}

/// The response for a problem; the request id is filled in by middleware on the way out.
pub fn problem_response(problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Json(problem)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

pub type ApiResult<T> = Result<T, ApiError>;
