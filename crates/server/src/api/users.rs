//! `/api/v1/users`: staff accounts (admin scope).

use super::extract::{ApiCaller, ApiJson, ApiQuery, PageQuery};
use super::{ListBody, list_body};
use crate::error::{ApiError, ApiResult, Problem};
use crate::security::hash_password;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::{
    ApiScope, Email, ExternalId, Key, Name, Password, Role, TeamId, UserId, ValidationError,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::{NewUser, Store, StoreError, User, UserFilter, UserUpdate};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user, deactivate_user))
}

/// A staff user.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserBody {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// `admin`, `president`, `manager` or `member`.
    pub role: String,
    /// The staff id other systems use for this person, e.g. `S-7`.
    pub external_id: Option<String>,
    /// Keys of the teams the user belongs to.
    pub teams: Vec<String>,
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<User> for UserBody {
    fn from(user: User) -> Self {
        Self {
            id: user.id.0,
            email: user.email.to_string(),
            name: user.name,
            role: user.role.as_str().into(),
            external_id: user.external_id,
            teams: user.teams.into_iter().map(|t| t.key).collect(),
            active: user.active,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserCreate {
    pub email: String,
    pub name: String,
    pub role: String,
    pub external_id: Option<String>,
    #[serde(default)]
    pub teams: Vec<String>,
    /// Initial password (at least 12 characters); without it the user cannot log in until an
    /// administrator sets one.
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub name: Option<String>,
    pub role: Option<String>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
    pub teams: Option<Vec<String>>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// Only users with this role.
    pub role: Option<String>,
    /// Only members of the team with this key.
    pub team: Option<String>,
}

/// Resolves team keys to ids; an unknown key is a validation error.
pub async fn team_ids(store: &dyn Store, keys: &[String]) -> Result<Vec<TeamId>, ApiError> {
    let mut ids = Vec::with_capacity(keys.len());
    for raw in keys {
        let key = Key::parse("teams", raw)?;
        match store.team_by_key(&key).await {
            Ok(team) => ids.push(team.id),
            Err(StoreError::NotFound) => {
                return Err(
                    ValidationError::new("teams", format!("no team with key {raw:?}")).into(),
                );
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(ids)
}

fn optional_external_id(raw: Option<&str>) -> Result<Option<ExternalId>, ValidationError> {
    raw.filter(|r| !r.trim().is_empty())
        .map(|r| ExternalId::parse("external_id", r))
        .transpose()
}

/// List staff users.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(PageQuery, UserListQuery),
    responses((status = 200, body = ListBody<UserBody>), (status = 403, body = Problem)), security(("api_key" = ["admin"])))]
async fn list_users(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(page): ApiQuery<PageQuery>,
    ApiQuery(query): ApiQuery<UserListQuery>,
) -> ApiResult<Json<ListBody<UserBody>>> {
    caller.require(ApiScope::Admin)?;
    let team = match query.team.as_deref() {
        Some(key) => team_ids(state.store.as_ref(), &[key.to_owned()])
            .await?
            .first()
            .copied(),
        None => None,
    };
    let filter = UserFilter {
        role: query.role.as_deref().map(Role::parse).transpose()?,
        team,
    };
    let page = state.store.list_users(&page.params()?, &filter).await?;
    Ok(Json(list_body(page, UserBody::from)))
}

/// Create a staff user.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = UserCreate,
    responses((status = 201, body = UserBody), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn create_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<UserCreate>,
) -> ApiResult<(StatusCode, Json<UserBody>)> {
    caller.require(ApiScope::Admin)?;
    let password_hash = match body.password.as_deref() {
        Some(raw) => Some(hash_password(&Password::parse(raw)?)?),
        None => None,
    };
    let user = NewUser {
        email: Email::parse("email", &body.email)?,
        name: Name::parse("name", &body.name)?,
        role: Role::parse(&body.role)?,
        external_id: optional_external_id(body.external_id.as_deref())?,
        password_hash,
        teams: team_ids(state.store.as_ref(), &body.teams).await?,
    };
    let created = state.store.create_user(&caller.actor(), user).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Get a staff user.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = UserBody), (status = 404, body = Problem)), security(("api_key" = ["admin"])))]
async fn get_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<UserBody>> {
    caller.require(ApiScope::Admin)?;
    let user = state
        .store
        .user(user_id(&id)?)
        .await
        .map_err(|_| ApiError::not_found("user"))?;
    Ok(Json(user.into()))
}

fn user_id(raw: &str) -> Result<UserId, ApiError> {
    raw.parse::<i64>()
        .map(UserId)
        .map_err(|_| ApiError::not_found("user"))
}

/// Change a staff user's name, role, staff id, teams or whether they may log in.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = UserPatch,
    responses((status = 200, body = UserBody), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn update_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UserPatch>,
) -> ApiResult<Json<UserBody>> {
    caller.require(ApiScope::Admin)?;
    let teams = match &body.teams {
        Some(keys) => Some(team_ids(state.store.as_ref(), keys).await?),
        None => None,
    };
    let update = UserUpdate {
        name: body
            .name
            .as_deref()
            .map(|n| Name::parse("name", n))
            .transpose()?,
        role: body.role.as_deref().map(Role::parse).transpose()?,
        external_id: body
            .external_id
            .map(|e| optional_external_id(e.as_deref()))
            .transpose()?,
        teams,
        active: body.active,
    };
    let user = state
        .store
        .update_user(&caller.actor(), user_id(&id)?, update)
        .await?;
    Ok(Json(user.into()))
}

/// Deactivate a staff user: they can no longer log in; their history stays.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)), security(("api_key" = ["admin"])))]
async fn deactivate_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(ApiScope::Admin)?;
    let update = UserUpdate {
        active: Some(false),
        ..UserUpdate::default()
    };
    state
        .store
        .update_user(&caller.actor(), user_id(&id)?, update)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
