//! `/api/v1/commitments`: promises made to customers — what, to whom, by when, who owns it —
//! and whether they were kept in full and on time.

use super::extract::{ApiCaller, ApiJson, ApiQuery};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::standards::Commitment;
use domain::standards::commitment::{CommitmentInput, CommitmentStatus};
use domain::{ApiScope, Key, UserId, ValidationError};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::{CommitmentChange, CommitmentFilter, StoredCommitment};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_commitments, create_commitment))
        .routes(routes!(get_commitment))
        .routes(routes!(change_commitment))
}

#[derive(Debug, Deserialize)]
pub struct CommitmentBody {
    pub what: String,
    /// The customer's external id.
    pub customer: String,
    pub owner_user_id: i64,
    /// The owning team's key.
    pub team: Option<String>,
    pub case_id: Option<i64>,
    pub due: Timestamp,
    /// How long before `due` the owner is reminded (default 24 hours).
    pub remind_before_seconds: Option<i64>,
}

/// A promise with its status now.
#[derive(Debug, Serialize)]
pub struct CommitmentView {
    pub id: i64,
    #[serde(flatten)]
    pub commitment: Commitment,
    pub status: CommitmentStatus,
    pub kept_in_full_and_on_time: bool,
    pub reminder_at: Timestamp,
}

fn view(stored: StoredCommitment, now: Timestamp) -> CommitmentView {
    CommitmentView {
        id: stored.id,
        status: stored.commitment.status(now),
        kept_in_full_and_on_time: stored.commitment.kept_in_full_and_on_time(),
        reminder_at: stored.commitment.reminder_at(),
        commitment: stored.commitment,
    }
}

/// Record a promise: `{"what", "customer", "owner_user_id", "team", "case_id", "due",
/// "remind_before_seconds"}`.
#[utoipa::path(post, path = "/api/v1/commitments", tag = "standards",
    request_body(content = Object, description = "the promise"),
    responses((status = 201, description = "recorded", body = Object), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn create_commitment(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<CommitmentBody>,
) -> ApiResult<(StatusCode, Json<CommitmentView>)> {
    caller.require(ApiScope::Admin)?;
    let now = state.clock.now();
    let customer = state
        .store
        .customer_by_external_id(body.customer.trim())
        .await
        .map_err(|_| ValidationError::new("customer", "no customer has this external id"))?;
    let team = match body
        .team
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(key) => {
            let key = Key::parse("team", key)?;
            let team = state
                .store
                .team_by_key(&key)
                .await
                .map_err(|_| ValidationError::new("team", "no team has this key"))?;
            Some(team.id)
        }
        None => None,
    };
    let input = CommitmentInput {
        what: body.what,
        customer: customer.id,
        owner: UserId(body.owner_user_id),
        team,
        case_id: body.case_id,
        transaction: None,
        due: body.due,
        remind_before_seconds: body.remind_before_seconds,
    };
    let commitment = Commitment::new(&input, now)?;
    let stored = state
        .store
        .create_commitment(&caller.actor(), &commitment, now)
        .await?;
    Ok((StatusCode::CREATED, Json(view(stored, now))))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommitmentQuery {
    /// A customer's external id.
    pub customer: Option<String>,
    pub owner_user_id: Option<i64>,
    /// `open`, `kept`, `kept_late`, `broken` or `withdrawn` (as of now).
    pub status: Option<String>,
}

/// Promises, newest due first, with their status now.
#[utoipa::path(get, path = "/api/v1/commitments", tag = "standards", params(CommitmentQuery),
    responses((status = 200, description = "the promises", body = Object), (status = 422, body = Problem)),
    security(("api_key" = ["read"])))]
async fn list_commitments(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<CommitmentQuery>,
) -> ApiResult<Json<Vec<CommitmentView>>> {
    caller.require(ApiScope::Read)?;
    let now = state.clock.now();
    let status = query
        .status
        .as_deref()
        .map(CommitmentStatus::parse)
        .transpose()?;
    let customer = match query.customer.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(id) => Some(
            state
                .store
                .customer_by_external_id(id.trim())
                .await
                .map_err(|_| ValidationError::new("customer", "no customer has this external id"))?
                .id,
        ),
        None => None,
    };
    let filter = CommitmentFilter {
        customer,
        owner: query.owner_user_id.map(UserId),
        unresolved: false,
    };
    let list = state.store.list_commitments(&filter).await?;
    Ok(Json(
        list.into_iter()
            .map(|c| view(c, now))
            .filter(|v| status.is_none_or(|s| v.status == s))
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/commitments/{id}", tag = "standards", params(("id" = i64, Path)),
    responses((status = 200, description = "the promise", body = Object), (status = 404, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_commitment(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<CommitmentView>> {
    caller.require(ApiScope::Read)?;
    let stored = state.store.commitment(id).await?;
    Ok(Json(view(stored, state.clock.now())))
}

/// What happened to a promise.
#[derive(Debug, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ChangeBody {
    /// Done: `in_full` false when only part of it was.
    Fulfil {
        in_full: bool,
        note: Option<String>,
    },
    GiveUp {
        note: Option<String>,
    },
    /// Only before it is due.
    Withdraw {
        reason: String,
    },
    /// A new due time, only before it is due.
    Reschedule {
        due: Timestamp,
    },
}

/// Record what happened to a promise: `{"action": "fulfil", "in_full": true}`, `give_up`,
/// `withdraw` (with a `reason`) or `reschedule` (with a new `due`). Kept means done in full by
/// the due time; late, partial or given up is broken. A change the rules refuse is a 409.
#[utoipa::path(post, path = "/api/v1/commitments/{id}/changes", tag = "standards", params(("id" = i64, Path)),
    request_body(content = Object, description = "what happened"),
    responses((status = 200, description = "the promise", body = Object), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn change_commitment(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ChangeBody>,
) -> ApiResult<Json<CommitmentView>> {
    caller.require(ApiScope::Admin)?;
    let change = match body {
        ChangeBody::Fulfil { in_full, note } => CommitmentChange::Fulfil { in_full, note },
        ChangeBody::GiveUp { note } => CommitmentChange::GiveUp { note },
        ChangeBody::Withdraw { reason } => CommitmentChange::Withdraw { reason },
        ChangeBody::Reschedule { due } => CommitmentChange::Reschedule { due },
    };
    let now = state.clock.now();
    let stored = state
        .store
        .change_commitment(&caller.actor(), id, change, now)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(view(stored, now)))
}
