//! `/api/v1/teams`: teams of staff, referred to by their `key`.

use super::extract::{ApiCaller, ApiJson, ApiQuery, PageQuery};
use super::{ListBody, list_body};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::access::TeamKind;
use domain::{ApiScope, Key, Name, OptionalText};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::{NewTeam, Team, TeamFilter, TeamUpdate};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_teams, create_team))
        .routes(routes!(get_team, update_team, delete_team))
}

/// A team of staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamBody {
    pub id: i64,
    /// Stable slug used to refer to the team, e.g. `care`.
    pub key: String,
    pub name: String,
    /// `client`, `operations`, `key_success` or `leadership`.
    pub kind: String,
    pub description: Option<String>,
    pub member_count: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Team> for TeamBody {
    fn from(team: Team) -> Self {
        Self {
            id: team.id.0,
            key: team.key.to_string(),
            name: team.name,
            kind: team.kind.as_str().into(),
            description: team.description,
            member_count: team.member_count,
            created_at: team.created_at,
            updated_at: team.updated_at,
        }
    }
}

/// A new team, e.g. `{"key": "care", "name": "Customer Care", "kind": "client"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamCreate {
    pub key: String,
    pub name: String,
    /// `client`, `operations`, `key_success` or `leadership`.
    pub kind: String,
    pub description: Option<String>,
}

/// Changes to a team; absent fields stay as they are. The key cannot change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamPatch {
    pub name: Option<String>,
    pub kind: Option<String>,
    /// `null` or `""` clears the description.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeamListQuery {
    /// Only teams of this kind.
    pub kind: Option<String>,
}

fn team_key(raw: &str) -> Result<Key, ApiError> {
    Key::parse("key", raw).map_err(|_| ApiError::not_found("team"))
}

/// List teams.
#[utoipa::path(get, path = "/api/v1/teams", tag = "teams", params(PageQuery, TeamListQuery),
    responses((status = 200, body = ListBody<TeamBody>), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("api_key" = ["read"])))]
async fn list_teams(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(page): ApiQuery<PageQuery>,
    ApiQuery(query): ApiQuery<TeamListQuery>,
) -> ApiResult<Json<ListBody<TeamBody>>> {
    caller.require(ApiScope::Read)?;
    let filter = TeamFilter {
        kind: query.kind.as_deref().map(TeamKind::parse).transpose()?,
    };
    let page = state.store.list_teams(&page.params()?, &filter).await?;
    Ok(Json(list_body(page, TeamBody::from)))
}

/// Create a team.
#[utoipa::path(post, path = "/api/v1/teams", tag = "teams", request_body = TeamCreate,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a repeated request")),
    responses((status = 201, body = TeamBody), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn create_team(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<TeamCreate>,
) -> ApiResult<(StatusCode, Json<TeamBody>)> {
    caller.require(ApiScope::Admin)?;
    let team = NewTeam {
        key: Key::parse("key", &body.key)?,
        name: Name::parse("name", &body.name)?,
        kind: TeamKind::parse(&body.kind)?,
        description: OptionalText::parse("description", body.description.as_deref(), 2000)?,
    };
    let created = state.store.create_team(&caller.actor(), team).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Get a team by key.
#[utoipa::path(get, path = "/api/v1/teams/{key}", tag = "teams", params(("key" = String, Path)),
    responses((status = 200, body = TeamBody), (status = 404, body = Problem)), security(("api_key" = ["read"])))]
async fn get_team(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
) -> ApiResult<Json<TeamBody>> {
    caller.require(ApiScope::Read)?;
    let team = state
        .store
        .team_by_key(&team_key(&key)?)
        .await
        .map_err(|_| ApiError::not_found("team"))?;
    Ok(Json(team.into()))
}

/// Change a team's name, kind or description.
#[utoipa::path(patch, path = "/api/v1/teams/{key}", tag = "teams", params(("key" = String, Path)), request_body = TeamPatch,
    responses((status = 200, body = TeamBody), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn update_team(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
    ApiJson(body): ApiJson<TeamPatch>,
) -> ApiResult<Json<TeamBody>> {
    caller.require(ApiScope::Admin)?;
    let update = TeamUpdate {
        name: body
            .name
            .as_deref()
            .map(|n| Name::parse("name", n))
            .transpose()?,
        kind: body.kind.as_deref().map(TeamKind::parse).transpose()?,
        description: body
            .description
            .map(|d| OptionalText::parse("description", d.as_deref(), 2000))
            .transpose()?,
    };
    let team = state
        .store
        .update_team(&caller.actor(), &team_key(&key)?, update)
        .await?;
    Ok(Json(team.into()))
}

/// Delete a team that owns nothing.
#[utoipa::path(delete, path = "/api/v1/teams/{key}", tag = "teams", params(("key" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn delete_team(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(ApiScope::Admin)?;
    state
        .store
        .delete_team(&caller.actor(), &team_key(&key)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
