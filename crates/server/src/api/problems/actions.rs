//! `/api/v1/problems/{id}/actions[/{action_id}]`: a problem's action plan — list, add,
//! change (title, owner, due time, done) and delete its items.

use super::load;
use crate::api::extract::{ApiCaller, ApiJson};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::improvement::problem::ActionFields;
use domain::{ApiScope, UserId, ValidationError};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::{ActionInput, ProblemAction};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_actions, add_action))
        .routes(routes!(update_action, delete_action))
}

/// An item of a problem's action plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionBody {
    pub id: i64,
    pub title: String,
    pub owner_user_id: Option<i64>,
    pub owner_name: Option<String>,
    pub due_at: Option<Timestamp>,
    pub done_at: Option<Timestamp>,
    pub done: bool,
    /// Open and past its due time.
    pub overdue: bool,
    /// 0 not escalated, 1 the owner was told, 2 the owning team's managers, 3 the president.
    pub escalation_level: i64,
    pub created_at: Timestamp,
}

impl ActionBody {
    pub fn new(a: ProblemAction, now: Timestamp) -> Self {
        Self {
            overdue: a.is_overdue(now),
            done: a.is_done(),
            id: a.id,
            title: a.title,
            owner_user_id: a.owner.as_ref().map(|u| u.id.0),
            owner_name: a.owner.map(|u| u.name),
            due_at: a.due_at,
            done_at: a.done_at,
            escalation_level: a.escalation_level,
            created_at: a.created_at,
        }
    }
}

/// A new action item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionCreate {
    pub title: String,
    /// Any active staff member.
    pub owner_user_id: Option<i64>,
    /// When it is due (RFC 3339); overdue items are escalated.
    pub due_at: Option<Timestamp>,
}

/// Changes to an action item; absent fields stay as they are, `null` clears. `done` marks it
/// done or open again. A new due time starts its escalation over.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionPatch {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<i64>)]
    pub owner_user_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<Timestamp>)]
    pub due_at: Option<Option<Timestamp>>,
    pub done: Option<bool>,
}

fn body(action: ProblemAction, state: &AppState) -> ActionBody {
    ActionBody::new(action, state.clock.now())
}

async fn find(state: &AppState, id: i64, action_id: i64) -> ApiResult<ProblemAction> {
    load(state, id).await?;
    state
        .store
        .problem_actions(id)
        .await?
        .into_iter()
        .find(|a| a.id == action_id)
        .ok_or_else(|| ApiError::not_found("action item"))
}

/// List a problem's action plan: open items by due time, then done ones.
#[utoipa::path(get, path = "/api/v1/problems/{id}/actions", tag = "improvement", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ActionBody>), (status = 404, body = Problem)),
    security(("api_key" = ["read"])))]
async fn list_actions(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<ActionBody>>> {
    caller.require(ApiScope::Read)?;
    load(&state, id).await?;
    let now = state.clock.now();
    let actions = state.store.problem_actions(id).await?;
    Ok(Json(
        actions
            .into_iter()
            .map(|a| ActionBody::new(a, now))
            .collect(),
    ))
}

/// Add an item to a problem's action plan.
#[utoipa::path(post, path = "/api/v1/problems/{id}/actions", tag = "improvement", params(("id" = i64, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a repeated request")),
    request_body = ActionCreate,
    responses((status = 201, body = ActionBody), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn add_action(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ActionCreate>,
) -> ApiResult<(StatusCode, Json<ActionBody>)> {
    caller.require(ApiScope::Admin)?;
    load(&state, id).await?;
    let action = ActionInput {
        fields: ActionFields::parse(&input.title, input.due_at)?,
        owner: input.owner_user_id.map(UserId),
    };
    let created = state
        .store
        .add_problem_action(&caller.actor(), id, action, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(body(created, &state))))
}

/// Change an action item, or mark it done or open again.
#[utoipa::path(patch, path = "/api/v1/problems/{id}/actions/{action_id}", tag = "improvement",
    params(("id" = i64, Path), ("action_id" = i64, Path)), request_body = ActionPatch,
    responses((status = 200, body = ActionBody), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn update_action(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, action_id)): Path<(i64, i64)>,
    ApiJson(patch): ApiJson<ActionPatch>,
) -> ApiResult<Json<ActionBody>> {
    caller.require(ApiScope::Admin)?;
    let current = find(&state, id, action_id).await?;
    let edits = patch.title.is_some() || patch.owner_user_id.is_some() || patch.due_at.is_some();
    if !edits && patch.done.is_none() {
        return Err(ValidationError::new("title", "nothing to change").into());
    }
    let edited = if edits {
        Some(ActionInput {
            fields: ActionFields::parse(
                patch.title.as_deref().unwrap_or(&current.title),
                patch.due_at.unwrap_or(current.due_at),
            )?,
            owner: match patch.owner_user_id {
                Some(owner) => owner.map(UserId),
                None => current.owner.as_ref().map(|u| u.id),
            },
        })
    } else {
        None
    };
    let actor = caller.actor();
    let now = state.clock.now();
    let mut action = current;
    if let Some(edited) = edited {
        action = state
            .store
            .update_problem_action(&actor, id, action_id, edited, now)
            .await?;
    }
    action = match patch.done {
        Some(true) => {
            state
                .store
                .complete_problem_action(&actor, id, action_id, now)
                .await?
        }
        Some(false) => {
            state
                .store
                .reopen_problem_action(&actor, id, action_id, now)
                .await?
        }
        None => action,
    };
    Ok(Json(body(action, &state)))
}

/// Remove an item from the action plan.
#[utoipa::path(delete, path = "/api/v1/problems/{id}/actions/{action_id}", tag = "improvement",
    params(("id" = i64, Path), ("action_id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn delete_action(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, action_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    caller.require(ApiScope::Admin)?;
    find(&state, id, action_id).await?;
    state
        .store
        .delete_problem_action(&caller.actor(), id, action_id, state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
