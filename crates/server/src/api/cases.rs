//! `/api/v1/cases`: recovery cases — list and filter them, read one with its timeline, and
//! work it (notes, contact, resolution, closing, reopening, reassignment).

use super::extract::{ApiCaller, ApiJson, ApiQuery, PageQuery};
use super::{ListBody, list_body};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use domain::recovery::{CaseStatus, Priority};
use domain::{ApiScope, Key, TeamId, TouchpointId, UserId, ValidationError};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::{Case, CaseChange, CaseEvent, CaseFilter};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cases))
        .routes(routes!(get_case, update_case))
        .routes(routes!(add_note))
        .routes(routes!(resolve_case))
}

pub(crate) async fn team_id(state: &AppState, key: &str) -> Result<TeamId, ApiError> {
    let parsed = Key::parse("team", key)?;
    state
        .store
        .team_by_key(&parsed)
        .await
        .map(|t| t.id)
        .map_err(|_| store::StoreError::unknown("team", "team", key).into())
}

pub(crate) async fn touchpoint_id(state: &AppState, key: &str) -> Result<TouchpointId, ApiError> {
    let parsed = Key::parse("touchpoint", key)?;
    state
        .store
        .touchpoint_by_key(&parsed)
        .await
        .map(|t| t.id)
        .map_err(|_| store::StoreError::unknown("touchpoint", "touchpoint", key).into())
}

/// A recovery case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseBody {
    pub id: i64,
    pub title: String,
    /// `new`, `contacted`, `resolved` or `closed`.
    pub status: String,
    /// `urgent`, `high`, `normal` or `low`.
    pub priority: String,
    /// The customer's external id and name.
    pub customer: String,
    pub customer_name: Option<String>,
    pub transaction: Option<String>,
    pub response_id: Option<i64>,
    pub touchpoint: Option<String>,
    /// The client team that owns the case, and the team that owns the touchpoint.
    pub owner_team: Option<String>,
    pub operations_team: Option<String>,
    pub owner_user_id: Option<i64>,
    pub owner_name: Option<String>,
    pub opened_at: Timestamp,
    pub first_contact_due_at: Timestamp,
    pub resolution_due_at: Timestamp,
    pub first_contacted_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// 0 owner, 1 team manager, 2 president.
    pub escalation_level: i64,
    pub first_contact_breached: bool,
    pub resolution_breached: bool,
    pub resolution_note: Option<String>,
    pub root_cause: Option<String>,
    pub followup_sent_at: Option<Timestamp>,
    /// The customer's answer to "did we make it right?", once given.
    pub recovered: Option<bool>,
    pub followup_comment: Option<String>,
    /// The timeline, oldest first (only when reading one case).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<EventBody>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventBody {
    pub at: Timestamp,
    pub kind: String,
    pub actor: String,
    pub body: Option<String>,
}

impl From<CaseEvent> for EventBody {
    fn from(e: CaseEvent) -> Self {
        Self {
            at: e.at,
            kind: e.kind,
            actor: e.actor,
            body: e.body,
        }
    }
}

impl From<Case> for CaseBody {
    fn from(c: Case) -> Self {
        Self {
            id: c.id,
            title: c.title,
            status: c.status.as_str().into(),
            priority: c.priority.as_str().into(),
            customer: c.customer.external_id,
            customer_name: c.customer.name,
            transaction: c.transaction_external_id,
            response_id: c.response_id,
            touchpoint: c.touchpoint.map(|t| t.key),
            owner_team: c.owner_team.map(|t| t.key),
            operations_team: c.operations_team.map(|t| t.key),
            owner_user_id: c.owner_user.as_ref().map(|u| u.id.0),
            owner_name: c.owner_user.map(|u| u.name),
            opened_at: c.opened_at,
            first_contact_due_at: c.first_contact_due_at,
            resolution_due_at: c.resolution_due_at,
            first_contacted_at: c.first_contacted_at,
            resolved_at: c.resolved_at,
            closed_at: c.closed_at,
            escalation_level: c.escalation_level,
            first_contact_breached: c.first_contact_breached,
            resolution_breached: c.resolution_breached,
            resolution_note: c.resolution_note,
            root_cause: c.root_cause,
            followup_sent_at: c.followup_sent_at,
            recovered: c.recovered,
            followup_comment: c.followup_comment,
            timeline: None,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    pub status: Option<String>,
    /// `true`: only cases still being worked on (`new`, `contacted`).
    pub open: Option<bool>,
    /// `true`: only open cases with a clock run out.
    pub overdue: Option<bool>,
    /// A team key: cases this client team owns.
    pub team: Option<String>,
    /// A team key: cases on touchpoints this team owns.
    pub operations_team: Option<String>,
    pub owner_user_id: Option<i64>,
    pub priority: Option<String>,
    /// A customer's external id.
    pub customer: Option<String>,
}

/// List recovery cases.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(PageQuery, CaseQuery),
    responses((status = 200, body = ListBody<CaseBody>), (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["read"])))]
async fn list_cases(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(page): ApiQuery<PageQuery>,
    ApiQuery(query): ApiQuery<CaseQuery>,
) -> ApiResult<Json<ListBody<CaseBody>>> {
    caller.require(ApiScope::Read)?;
    let filter = CaseFilter {
        status: query.status.as_deref().map(CaseStatus::parse).transpose()?,
        open_only: query.open.unwrap_or(false),
        owner_team: match &query.team {
            Some(key) => Some(team_id(&state, key).await?),
            None => None,
        },
        operations_team: match &query.operations_team {
            Some(key) => Some(team_id(&state, key).await?),
            None => None,
        },
        owner_user: query.owner_user_id.map(UserId),
        customer: match &query.customer {
            Some(id) => Some(
                state
                    .store
                    .customer_by_external_id(id)
                    .await
                    .map_err(|_| store::StoreError::unknown("customer", "customer", id))?
                    .id,
            ),
            None => None,
        },
        priority: query.priority.as_deref().map(Priority::parse).transpose()?,
        overdue_at: query.overdue.unwrap_or(false).then(|| state.clock.now()),
    };
    let page = state.store.list_cases(&page.params()?, &filter).await?;
    Ok(Json(list_body(page, CaseBody::from)))
}

async fn case_with_timeline(state: &AppState, id: i64) -> ApiResult<Json<CaseBody>> {
    let case = state
        .store
        .case(id)
        .await
        .map_err(|_| ApiError::not_found("case"))?;
    let events = state.store.case_events(id).await?;
    let mut body = CaseBody::from(case);
    body.timeline = Some(events.into_iter().map(EventBody::from).collect());
    Ok(Json(body))
}

/// Get a case with its timeline.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = CaseBody), (status = 404, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_case(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<CaseBody>> {
    caller.require(ApiScope::Read)?;
    case_with_timeline(&state, id).await
}

/// A change to a case: a new status (`contacted`, `closed`, or `contacted` again to reopen a
/// resolved or closed case, with `note` saying why) and/or a new owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    pub status: Option<String>,
    pub note: Option<String>,
    /// A team key; `owner_user_id` must then be a member of it (or null).
    pub owner_team: Option<String>,
    pub owner_user_id: Option<i64>,
}

fn text(
    field: &'static str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, ValidationError> {
    domain::OptionalText::parse(field, raw, max)
}

/// Change a case's status or owner.
#[utoipa::path(patch, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)),
    request_body = CasePatch,
    responses((status = 200, body = CaseBody), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn update_case(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CasePatch>,
) -> ApiResult<Json<CaseBody>> {
    caller.require(ApiScope::Admin)?;
    let case = state
        .store
        .case(id)
        .await
        .map_err(|_| ApiError::not_found("case"))?;
    let note = text("note", body.note.as_deref(), 4000)?;
    let mut changes = Vec::new();
    if let Some(status) = body.status.as_deref() {
        let to = CaseStatus::parse(status)?;
        changes.push(match (case.status, to) {
            (CaseStatus::Resolved | CaseStatus::Closed, CaseStatus::Contacted) => {
                CaseChange::Reopen(
                    note.clone().ok_or_else(|| {
                        ValidationError::new("note", "say why the case is reopened")
                    })?,
                )
            }
            (_, CaseStatus::Contacted) => CaseChange::Contacted(note.clone()),
            (_, CaseStatus::Closed) => CaseChange::Close,
            (_, CaseStatus::Resolved) => {
                return Err(ValidationError::new(
                    "status",
                    "resolve with POST /api/v1/cases/{id}/resolve, which records what was done",
                )
                .into());
            }
            (_, CaseStatus::New) => {
                return Err(ValidationError::new("status", "a case cannot go back to new").into());
            }
        });
    }
    if body.owner_team.is_some() || body.owner_user_id.is_some() {
        let team = match &body.owner_team {
            Some(key) => Some(team_id(&state, key).await?),
            None => case.owner_team.as_ref().map(|t| t.id),
        };
        let user = body.owner_user_id.map(UserId);
        if let (Some(user), Some(team)) = (user, team) {
            let members = state.store.team_members(team).await?;
            if !members.iter().any(|m| m.id == user) {
                return Err(ValidationError::new(
                    "owner_user_id",
                    "is not a member of the owning team",
                )
                .into());
            }
        }
        changes.push(CaseChange::Assign { team, user });
    }
    if changes.is_empty() {
        return Err(ValidationError::new("status", "nothing to change").into());
    }
    let policy = crate::recovery::case_policy(&state).await?;
    for change in changes {
        state
            .store
            .change_case(&caller.actor(), id, change, &policy)
            .await?;
    }
    state.wake.deliveries.notify_one();
    state.wake.emails.notify_one();
    case_with_timeline(&state, id).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    pub body: String,
}

/// Add a note to a case's timeline.
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", tag = "cases", params(("id" = i64, Path)),
    request_body = NoteInput,
    responses((status = 200, body = CaseBody), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn add_note(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NoteInput>,
) -> ApiResult<Json<CaseBody>> {
    caller.require(ApiScope::Admin)?;
    let note = text("body", Some(&body.body), 4000)?
        .ok_or_else(|| ValidationError::new("body", "write the note"))?;
    state
        .store
        .case(id)
        .await
        .map_err(|_| ApiError::not_found("case"))?;
    let policy = crate::recovery::case_policy(&state).await?;
    state
        .store
        .change_case(&caller.actor(), id, CaseChange::Note(note), &policy)
        .await?;
    case_with_timeline(&state, id).await
}

/// What was done, and the root cause.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveInput {
    /// What was done for the customer.
    pub note: String,
    /// One of the root-cause categories (see `/api/v1/recovery-settings`), e.g. `staff_attitude`.
    pub root_cause: String,
}

/// Resolve a case: records what was done and why it happened, and sends the customer the
/// "did we make it right?" follow-up.
#[utoipa::path(post, path = "/api/v1/cases/{id}/resolve", tag = "cases", params(("id" = i64, Path)),
    request_body = ResolveInput,
    responses((status = 200, body = CaseBody), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn resolve_case(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ResolveInput>,
) -> ApiResult<Json<CaseBody>> {
    caller.require(ApiScope::Admin)?;
    let change = resolution(&body.note, &body.root_cause)?;
    state
        .store
        .case(id)
        .await
        .map_err(|_| ApiError::not_found("case"))?;
    let policy = crate::recovery::case_policy(&state).await?;
    state
        .store
        .change_case(&caller.actor(), id, change, &policy)
        .await?;
    state.wake.deliveries.notify_one();
    state.wake.emails.notify_one();
    case_with_timeline(&state, id).await
}

/// A validated resolution with a fresh follow-up link id.
pub(crate) fn resolution(note: &str, root_cause: &str) -> Result<CaseChange, ValidationError> {
    let note = text("note", Some(note), 4000)?
        .ok_or_else(|| ValidationError::new("note", "say what was done for the customer"))?;
    let root_cause = domain::recovery::cases::RootCause::parse(root_cause)?;
    Ok(CaseChange::Resolve {
        note,
        root_cause: root_cause.as_str().to_owned(),
        followup_lookup_id: crate::security::random_lookup_id(),
    })
}
