//! `/api/v1/touchpoints`: the points of connection, referred to by their `key`.

use super::extract::{ApiCaller, ApiJson, ApiQuery, PageQuery};
use super::{ListBody, list_body};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::{ApiScope, Key, Name, OptionalText};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::{NewTouchpoint, Touchpoint, TouchpointUpdate};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_touchpoints, create_touchpoint))
        .routes(routes!(
            get_touchpoint,
            update_touchpoint,
            delete_touchpoint
        ))
}

/// A point of connection between the organization and its customers.
#[derive(Debug, Serialize, ToSchema)]
pub struct TouchpointBody {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    /// Key of the owning team.
    pub team: Option<String>,
    /// At most one invitation per customer per this many days on this touchpoint; `null`
    /// follows the organization's rule.
    pub invitation_min_days: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Touchpoint> for TouchpointBody {
    fn from(t: Touchpoint) -> Self {
        Self {
            id: t.id.0,
            key: t.key.to_string(),
            name: t.name,
            description: t.description,
            team: t.team.map(|team| team.key),
            invitation_min_days: t.invitation_min_days,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A new touchpoint, e.g. `{"key": "phone-support", "name": "Phone support", "team": "care"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TouchpointCreate {
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    /// Key of the owning team.
    pub team: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TouchpointPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// Key of the owning team; `null` removes the owner.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub team: Option<Option<String>>,
    /// 0 to 365 days between invitations to one customer here; `null` follows the organization.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>)]
    pub invitation_min_days: Option<Option<i64>>,
}

fn min_days(days: Option<i64>) -> Result<Option<i64>, domain::ValidationError> {
    match days {
        Some(d) if !(0..=365).contains(&d) => Err(domain::ValidationError::new(
            "invitation_min_days",
            "must be from 0 to 365",
        )),
        other => Ok(other),
    }
}

fn touchpoint_key(raw: &str) -> Result<Key, ApiError> {
    Key::parse("key", raw).map_err(|_| ApiError::not_found("touchpoint"))
}

fn optional_team(raw: Option<&str>) -> Result<Option<Key>, domain::ValidationError> {
    raw.filter(|t| !t.trim().is_empty())
        .map(|t| Key::parse("team", t))
        .transpose()
}

/// List touchpoints.
#[utoipa::path(get, path = "/api/v1/touchpoints", tag = "touchpoints", params(PageQuery),
    responses((status = 200, body = ListBody<TouchpointBody>), (status = 401, body = Problem)), security(("api_key" = ["read"])))]
async fn list_touchpoints(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListBody<TouchpointBody>>> {
    caller.require(ApiScope::Read)?;
    let page = state.store.list_touchpoints(&page.params()?).await?;
    Ok(Json(list_body(page, TouchpointBody::from)))
}

/// Create a touchpoint.
#[utoipa::path(post, path = "/api/v1/touchpoints", tag = "touchpoints", request_body = TouchpointCreate,
    responses((status = 201, body = TouchpointBody), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn create_touchpoint(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<TouchpointCreate>,
) -> ApiResult<(StatusCode, Json<TouchpointBody>)> {
    caller.require(ApiScope::Admin)?;
    let touchpoint = NewTouchpoint {
        key: Key::parse("key", &body.key)?,
        name: Name::parse("name", &body.name)?,
        description: OptionalText::parse("description", body.description.as_deref(), 2000)?,
        team: optional_team(body.team.as_deref())?,
    };
    let created = state
        .store
        .create_touchpoint(&caller.actor(), touchpoint)
        .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Get a touchpoint by key.
#[utoipa::path(get, path = "/api/v1/touchpoints/{key}", tag = "touchpoints", params(("key" = String, Path)),
    responses((status = 200, body = TouchpointBody), (status = 404, body = Problem)), security(("api_key" = ["read"])))]
async fn get_touchpoint(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
) -> ApiResult<Json<TouchpointBody>> {
    caller.require(ApiScope::Read)?;
    let touchpoint = state
        .store
        .touchpoint_by_key(&touchpoint_key(&key)?)
        .await
        .map_err(|_| ApiError::not_found("touchpoint"))?;
    Ok(Json(touchpoint.into()))
}

/// Change a touchpoint's name, description or owning team.
#[utoipa::path(patch, path = "/api/v1/touchpoints/{key}", tag = "touchpoints", params(("key" = String, Path)),
    request_body = TouchpointPatch,
    responses((status = 200, body = TouchpointBody), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn update_touchpoint(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
    ApiJson(body): ApiJson<TouchpointPatch>,
) -> ApiResult<Json<TouchpointBody>> {
    caller.require(ApiScope::Admin)?;
    let update = TouchpointUpdate {
        name: body
            .name
            .as_deref()
            .map(|n| Name::parse("name", n))
            .transpose()?,
        description: body
            .description
            .map(|d| OptionalText::parse("description", d.as_deref(), 2000))
            .transpose()?,
        team: body.team.map(|t| optional_team(t.as_deref())).transpose()?,
        invitation_min_days: body.invitation_min_days.map(min_days).transpose()?,
    };
    let touchpoint = state
        .store
        .update_touchpoint(&caller.actor(), &touchpoint_key(&key)?, update)
        .await?;
    Ok(Json(touchpoint.into()))
}

/// Delete a touchpoint without transactions.
#[utoipa::path(delete, path = "/api/v1/touchpoints/{key}", tag = "touchpoints", params(("key" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)), security(("api_key" = ["admin"])))]
async fn delete_touchpoint(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(ApiScope::Admin)?;
    state
        .store
        .delete_touchpoint(&caller.actor(), &touchpoint_key(&key)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
