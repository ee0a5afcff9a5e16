//! Request extractors of the API: JSON bodies and query strings whose rejections are
//! problem+json, the authenticated API key, and paging parameters.

use crate::error::{ApiError, ProblemKind};
use crate::security::{api_key_prefix, constant_time_eq, sha256_hex};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use domain::cursor::{Cursor, page_limit};
use domain::{ApiScope, ApiScopes};
use jiff::SignedDuration;
use serde::Deserialize;
use store::{Actor, ApiKey, ListParams};
use utoipa::IntoParams;

/// A JSON body: malformed or truncated JSON is 400, wrong types and unknown fields 422, a
/// body over the limit 413, another content type 415.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|media| {
                let media = media.trim();
                media == "application/json"
                    || (media.starts_with("application/") && media.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::new(
                ProblemKind::UnsupportedMediaType,
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        ProblemKind::PayloadTooLarge,
                        "the request body exceeds the size limit",
                    )
                } else {
                    ApiError::new(ProblemKind::MalformedRequest, rejection.body_text())
                }
            })?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|error| {
                use serde_json::error::Category;
                let kind = match error.classify() {
                    Category::Data => ProblemKind::Validation,
                    Category::Syntax | Category::Eof | Category::Io => {
                        ProblemKind::MalformedRequest
                    }
                };
                ApiError::new(kind, format!("invalid JSON body: {error}"))
            })
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
    /// `asc` (oldest first, the default) or `desc` (newest first).
    pub order: Option<String>,
}

impl PageQuery {
    pub fn params(&self) -> Result<ListParams, ApiError> {
        let after_id = self
            .cursor
            .as_deref()
            .map(Cursor::decode)
            .transpose()?
            .map(|c| c.after_id);
        let newest_first = match self.order.as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => {
                return Err(domain::ValidationError::new("order", "must be asc or desc").into());
            }
        };
        Ok(ListParams {
            after_id,
            limit: page_limit(self.limit)?,
            search: self.q.clone(),
            newest_first,
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
