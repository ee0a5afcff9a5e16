//! Request extractors of the API: JSON bodies and query strings whose rejections are
//! problem+json, the authenticated API key, and paging parameters.

use crate::error::{ApiError, ProblemKind};
use crate::security::{api_key_prefix, constant_time_eq, sha256_hex};
use crate::state::AppState;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use domain::cursor::{Cursor, page_limit};
use domain::{ApiScope, ApiScopes};
use jiff::SignedDuration;
use serde::Deserialize;
use store::{Actor, ApiKey, ListParams};
use utoipa::IntoParams;

/// A JSON body; syntax errors are 400, type errors and unknown fields 422, too large 413.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => {
                ApiError::new(ProblemKind::Validation, e.body_text())
            }
            JsonRejection::JsonSyntaxError(e) => {
                ApiError::new(ProblemKind::MalformedRequest, e.body_text())
            }
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                ProblemKind::UnsupportedMediaType,
                "send the body as JSON with `Content-Type: application/json`",
            ),
            JsonRejection::BytesRejection(e)
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
            {
                ApiError::new(
                    ProblemKind::PayloadTooLarge,
                    "the request body exceeds the size limit",
                )
            }
            other => ApiError::new(ProblemKind::MalformedRequest, other.body_text()),
        }
    }
}

/// A query string; anything unparseable is 400.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::new(ProblemKind::MalformedRequest, rejection.body_text())
    }
}

/// Paging parameters every list takes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Case-insensitive text search.
    pub q: Option<String>,
}

impl PageQuery {
    pub fn params(&self) -> Result<ListParams, ApiError> {
        let after_id = self
            .cursor
            .as_deref()
            .map(Cursor::decode)
            .transpose()?
            .map(|c| c.after_id);
        Ok(ListParams {
            after_id,
            limit: page_limit(self.limit)?,
            search: self.q.clone(),
        })
    }
}

/// The caller of an API request: a valid, unrevoked API key.
pub struct ApiCaller {
    pub key: ApiKey,
}

impl ApiCaller {
    pub fn actor(&self) -> Actor {
        Actor::ApiKey {
            id: self.key.id,
            label: format!("api key {} ({})", self.key.name, self.key.prefix),
        }
    }

    /// 403 unless the key has `scope` (or `admin`).
    pub fn require(&self, scope: ApiScope) -> Result<(), ApiError> {
        if self.key.scopes.allows(scope) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this API key has scopes `{}`; this operation needs `{}`",
                self.key.scopes,
                scope.as_str()
            )))
        }
    }

    pub fn scopes(&self) -> ApiScopes {
        self.key.scopes
    }
}

fn unauthenticated(detail: &str) -> ApiError {
    ApiError::new(ProblemKind::Unauthenticated, detail)
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| unauthenticated("send an API key as `Authorization: Bearer <key>`"))?;
        let presented = header
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| unauthenticated("the Authorization header must be `Bearer <key>`"))?;
        let invalid = || unauthenticated("the API key is not valid or has been revoked");
        let prefix = api_key_prefix(presented).ok_or_else(invalid)?;
        let found = state
            .store
            .api_key_by_prefix(prefix)
            .await?
            .ok_or_else(invalid)?;
        if !constant_time_eq(&sha256_hex(presented), &found.secret_hash)
            || found.key.revoked_at.is_some()
        {
            return Err(invalid());
        }
        let now = state.clock.now();
        let stale = found
            .key
            .last_used_at
            .is_none_or(|at| now.duration_since(at) > SignedDuration::from_mins(1));
        if stale {
            state.store.touch_api_key(found.key.id, now).await?;
        }
        Ok(ApiCaller { key: found.key })
    }
}
