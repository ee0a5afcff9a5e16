//! `/api/v1/api-keys`: keys for other systems (admin scope). A key's secret is shown once.

use super::extract::{ApiCaller, ApiJson, ApiQuery, PageQuery};
use super::{ListBody, list_body};
use crate::error::{ApiError, ApiResult, Problem};
use crate::security::generate_api_key;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::{ApiKeyId, ApiScope, ApiScopes, Name};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::{Actor, ApiKey, NewApiKey, Store};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_keys, create_key))
        .routes(routes!(revoke_key))
}

/// An API key, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyBody {
    pub id: i64,
    pub name: String,
    /// The public part of the key, `ps_<prefix>_…`.
    pub prefix: String,
    /// Comma-separated: `ingest`, `read`, `admin`.
    pub scopes: String,
    pub created_by: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

impl From<ApiKey> for ApiKeyBody {
    fn from(k: ApiKey) -> Self {
        Self {
            id: k.id.0,
            name: k.name,
            prefix: k.prefix,
            scopes: k.scopes.to_string(),
            created_by: k.created_by,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyCreate {
    pub name: String,
    /// Any of `ingest`, `read`, `admin`.
    pub scopes: Vec<String>,
}

/// The new key: `secret` is shown only in this response.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub key: ApiKeyBody,
    pub secret: String,
}

/// Creates and stores a key; returns it with the full secret, which is not stored.
pub async fn issue_key(
    store: &dyn Store,
    actor: &Actor,
    name: Name,
    scopes: ApiScopes,
) -> Result<(ApiKey, String), ApiError> {
    let generated = generate_api_key();
    let new = NewApiKey {
        name,
        prefix: generated.prefix,
        secret_hash: generated.hash,
        scopes,
    };
    let key = store.create_api_key(actor, new).await?;
    Ok((key, generated.full))
}

/// List API keys.
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "api-keys", params(PageQuery),
    responses((status = 200, body = ListBody<ApiKeyBody>), (status = 403, body = Problem)), security(("api_key" = ["admin"])))]
async fn list_keys(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListBody<ApiKeyBody>>> {
    caller.require(ApiScope::Admin)?;
    let page = state.store.list_api_keys(&page.params()?).await?;
    Ok(Json(list_body(page, ApiKeyBody::from)))
}

/// Create an API key.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "api-keys", request_body = ApiKeyCreate,
    responses((status = 201, body = CreatedApiKey), (status = 422, body = Problem)), security(("api_key" = ["admin"])))]
async fn create_key(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<ApiKeyCreate>,
) -> ApiResult<(StatusCode, Json<CreatedApiKey>)> {
    caller.require(ApiScope::Admin)?;
    let scopes = body
        .scopes
        .iter()
        .map(|s| ApiScope::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    let scopes = ApiScopes::from_list(&scopes)?;
    let (key, secret) = issue_key(
        state.store.as_ref(),
        &caller.actor(),
        Name::parse("name", &body.name)?,
        scopes,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedApiKey {
            key: key.into(),
            secret,
        }),
    ))
}

/// Revoke an API key; it stops working at once.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "api-keys", params(("id" = i64, Path)),
    responses((status = 200, body = ApiKeyBody), (status = 404, body = Problem)), security(("api_key" = ["admin"])))]
async fn revoke_key(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<ApiKeyBody>> {
    caller.require(ApiScope::Admin)?;
    let id = id
        .parse::<i64>()
        .map(ApiKeyId)
        .map_err(|_| ApiError::not_found("API key"))?;
    let key = state.store.revoke_api_key(&caller.actor(), id).await?;
    Ok(Json(key.into()))
}
