//! `/api/v1/problems`: systemic problems — the long-term fix behind many cases. List and filter
//! them, create one, read one with its action plan, links and timeline, change its fields or
//! status; the action plan is in [`actions`], links, suggestions and notes in [`links`].
//! Reading needs the `read` scope, every change `admin`, as for cases.

mod actions;
mod links;

use super::cases::{team_id, touchpoint_id};
use super::extract::{ApiCaller, ApiJson, ApiQuery, PageQuery};
use super::{ListBody, list_body};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::improvement::problem::{ProblemFields, ProblemStatus, RawProblem};
use domain::{ApiScope, OptionalText, TeamId, UserId, ValidationError};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::{NewProblem, ProblemEvent, ProblemFilter, ProblemUpdate};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use actions::ActionBody;
use links::LinkBody;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_problems, create_problem))
        .routes(routes!(get_problem, update_problem))
        .merge(actions::router())
        .merge(links::router())
}

/// A systemic problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemBody {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub root_cause: Option<String>,
    /// A root-cause category as recorded on resolved cases (e.g. `timeliness`), used to
    /// suggest links.
    pub root_cause_category: Option<String>,
    /// The attribute rating (question key) the problem hurts, e.g. `timeliness`.
    pub driver: Option<String>,
    /// The touchpoint's key.
    pub touchpoint: Option<String>,
    /// The owning operations or key success team's key.
    pub owner_team: String,
    pub owner_team_name: String,
    pub owner_user_id: Option<i64>,
    pub owner_name: Option<String>,
    /// `identified`, `analysing`, `fixing`, `verifying` or `solved`.
    pub status: String,
    /// Estimated effort or cost, in minor units of the organization's currency.
    pub effort_minor: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub solved_at: Option<Timestamp>,
    pub link_count: i64,
    pub open_actions: i64,
    pub overdue_actions: i64,
    /// The action plan (only when reading one problem).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<ActionBody>>,
    /// What is linked (only when reading one problem).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<LinkBody>>,
    /// The timeline, oldest first (only when reading one problem).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<ProblemEventBody>>,
}

impl From<store::Problem> for ProblemBody {
    fn from(p: store::Problem) -> Self {
        Self {
            id: p.id,
            title: p.title,
            description: p.description,
            root_cause: p.root_cause,
            root_cause_category: p.root_cause_category,
            driver: p.driver,
            touchpoint: p.touchpoint.map(|t| t.key),
            owner_team: p.owner_team.key,
            owner_team_name: p.owner_team.name,
            owner_user_id: p.owner_user.as_ref().map(|u| u.id.0),
            owner_name: p.owner_user.map(|u| u.name),
            status: p.status.as_str().into(),
            effort_minor: p.effort_minor,
            created_at: p.created_at,
            updated_at: p.updated_at,
            solved_at: p.solved_at,
            link_count: p.link_count,
            open_actions: p.open_actions,
            overdue_actions: p.overdue_actions,
            actions: None,
            links: None,
            timeline: None,
        }
    }
}

/// One entry of a problem's timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemEventBody {
    pub at: Timestamp,
    /// `created`, `updated`, `status`, `note`, `action_added`, `action_updated`,
    /// `action_done`, `action_reopened`, `action_deleted`, `linked`, `unlinked`, `escalated`.
    pub kind: String,
    pub actor: String,
    pub body: String,
}

impl From<ProblemEvent> for ProblemEventBody {
    fn from(e: ProblemEvent) -> Self {
        Self {
            at: e.at,
            kind: e.kind,
            actor: e.actor,
            body: e.body,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProblemQuery {
    pub status: Option<String>,
    /// `true`: only problems not solved yet.
    pub open: Option<bool>,
    /// A team key: problems this team owns.
    pub team: Option<String>,
}

/// The problem with `id`, 404 if there is none.
pub(crate) async fn load(state: &AppState, id: i64) -> Result<store::Problem, ApiError> {
    state
        .store
        .problem(id, state.clock.now())
        .await
        .map_err(|error| match error {
            store::StoreError::NotFound => ApiError::not_found("problem"),
            other => other.into(),
        })
}

/// The problem with its action plan, links and timeline.
pub(crate) async fn detail(state: &AppState, id: i64) -> ApiResult<Json<ProblemBody>> {
    let problem = load(state, id).await?;
    let now = state.clock.now();
    let actions = state.store.problem_actions(id).await?;
    let links = state.store.problem_links(id).await?;
    let events = state.store.problem_events(id).await?;
    let mut body = ProblemBody::from(problem);
    body.actions = Some(
        actions
            .into_iter()
            .map(|a| ActionBody::new(a, now))
            .collect(),
    );
    body.links = Some(links.into_iter().map(LinkBody::from).collect());
    body.timeline = Some(events.into_iter().map(ProblemEventBody::from).collect());
    Ok(Json(body))
}

/// List systemic problems.
#[utoipa::path(get, path = "/api/v1/problems", tag = "improvement", params(PageQuery, ProblemQuery),
    responses((status = 200, body = ListBody<ProblemBody>), (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["read"])))]
async fn list_problems(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(page): ApiQuery<PageQuery>,
    ApiQuery(query): ApiQuery<ProblemQuery>,
) -> ApiResult<Json<ListBody<ProblemBody>>> {
    caller.require(ApiScope::Read)?;
    let filter = ProblemFilter {
        status: query
            .status
            .as_deref()
            .map(ProblemStatus::parse)
            .transpose()?,
        open_only: query.open.unwrap_or(false),
        owner_team: match &query.team {
            Some(key) => Some(team_id(&state, key).await?),
            None => None,
        },
        visible_to: None,
    };
    let page = state
        .store
        .list_problems(&page.params()?, &filter, state.clock.now())
        .await?;
    Ok(Json(list_body(page, ProblemBody::from)))
}

/// A new problem; it starts `identified`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemInput {
    pub title: String,
    pub description: Option<String>,
    pub root_cause: Option<String>,
    /// A root-cause category as recorded on resolved cases, e.g. `timeliness`.
    pub root_cause_category: Option<String>,
    /// The attribute rating (question key) the problem hurts.
    pub driver: Option<String>,
    /// A touchpoint key.
    pub touchpoint: Option<String>,
    /// The key of the owning operations or key success team.
    pub owner_team: String,
    /// A member of the owning team.
    pub owner_user_id: Option<i64>,
    /// Estimated effort or cost, in minor units (not negative).
    pub effort_minor: Option<i64>,
}

/// The owning team of `key`; an unknown one is a 422 naming `owner_team`.
async fn owner_team_id(state: &AppState, key: &str) -> ApiResult<TeamId> {
    let parsed = domain::Key::parse("owner_team", key)?;
    match state.store.team_by_key(&parsed).await {
        Ok(team) => Ok(team.id),
        Err(store::StoreError::NotFound) => {
            Err(store::StoreError::unknown("owner_team", "team", key).into())
        }
        Err(other) => Err(other.into()),
    }
}

async fn optional_touchpoint(state: &AppState, key: Option<&str>) -> ApiResult<Option<i64>> {
    match key.map(str::trim).filter(|k| !k.is_empty()) {
        Some(key) => Ok(Some(touchpoint_id(state, key).await?.0)),
        None => Ok(None),
    }
}

/// Create a systemic problem.
#[utoipa::path(post, path = "/api/v1/problems", tag = "improvement", request_body = ProblemInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a repeated request")),
    responses((status = 201, body = ProblemBody), (status = 400, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn create_problem(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<ProblemInput>,
) -> ApiResult<(StatusCode, Json<ProblemBody>)> {
    caller.require(ApiScope::Admin)?;
    let touchpoint = optional_touchpoint(&state, body.touchpoint.as_deref()).await?;
    let fields = ProblemFields::parse(&RawProblem {
        title: &body.title,
        description: body.description.as_deref(),
        root_cause: body.root_cause.as_deref(),
        root_cause_category: body.root_cause_category.as_deref(),
        driver: body.driver.as_deref(),
        touchpoint,
        effort_minor: body.effort_minor,
    })?;
    let new = NewProblem {
        fields,
        owner_team: owner_team_id(&state, &body.owner_team).await?,
        owner_user: body.owner_user_id.map(UserId),
    };
    let created = state
        .store
        .create_problem(&caller.actor(), new, state.clock.now())
        .await?;
    let Json(body) = detail(&state, created.id).await?;
    Ok((StatusCode::CREATED, Json(body)))
}

/// Get a problem with its action plan, links and timeline.
#[utoipa::path(get, path = "/api/v1/problems/{id}", tag = "improvement", params(("id" = i64, Path)),
    responses((status = 200, body = ProblemBody), (status = 404, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_problem(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ProblemBody>> {
    caller.require(ApiScope::Read)?;
    detail(&state, id).await
}

/// Changes to a problem; absent fields stay as they are, `null` clears an optional one. A new
/// `status` must be a step forward (or back to `fixing` from `verifying` or `solved`), with
/// an optional `note` saying why. Changing `owner_team` without `owner_user_id` leaves the
/// problem without an owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemPatch {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub root_cause: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub root_cause_category: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub driver: Option<Option<String>>,
    /// A touchpoint key.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub touchpoint: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>)]
    pub effort_minor: Option<Option<i64>>,
    /// A team key.
    pub owner_team: Option<String>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>)]
    pub owner_user_id: Option<Option<i64>>,
    pub status: Option<String>,
    pub note: Option<String>,
}

impl ProblemPatch {
    fn changes_fields(&self) -> bool {
        self.title.is_some()
            || self.description.is_some()
            || self.root_cause.is_some()
            || self.root_cause_category.is_some()
            || self.driver.is_some()
            || self.touchpoint.is_some()
            || self.effort_minor.is_some()
            || self.owner_team.is_some()
            || self.owner_user_id.is_some()
    }
}

/// The patched value, else the current one.
fn pick<'a>(patch: &'a Option<Option<String>>, current: &'a Option<String>) -> Option<&'a str> {
    match patch {
        Some(value) => value.as_deref(),
        None => current.as_deref(),
    }
}

/// The problem as the patch would leave it, validated.
async fn patched(
    state: &AppState,
    problem: &store::Problem,
    body: &ProblemPatch,
) -> ApiResult<ProblemUpdate> {
    let current = problem.fields();
    let touchpoint = match &body.touchpoint {
        Some(key) => optional_touchpoint(state, key.as_deref()).await?,
        None => current.touchpoint,
    };
    let fields = ProblemFields::parse(&RawProblem {
        title: body.title.as_deref().unwrap_or(&current.title),
        description: pick(&body.description, &current.description),
        root_cause: pick(&body.root_cause, &current.root_cause),
        root_cause_category: pick(&body.root_cause_category, &current.root_cause_category),
        driver: pick(&body.driver, &current.driver),
        touchpoint,
        effort_minor: body.effort_minor.unwrap_or(current.effort_minor),
    })?;
    let owner_team: TeamId = match &body.owner_team {
        Some(key) => owner_team_id(state, key).await?,
        None => problem.owner_team.id,
    };
    let owner_user = match body.owner_user_id {
        Some(user) => user.map(UserId),
        None if owner_team != problem.owner_team.id => None,
        None => problem.owner_user.as_ref().map(|u| u.id),
    };
    Ok(ProblemUpdate {
        fields,
        owner_team,
        owner_user,
    })
}

/// Change a problem's fields, owners or status.
#[utoipa::path(patch, path = "/api/v1/problems/{id}", tag = "improvement", params(("id" = i64, Path)),
    request_body = ProblemPatch,
    responses((status = 200, body = ProblemBody), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn update_problem(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ProblemPatch>,
) -> ApiResult<Json<ProblemBody>> {
    caller.require(ApiScope::Admin)?;
    let problem = load(&state, id).await?;
    let status = body
        .status
        .as_deref()
        .map(ProblemStatus::parse)
        .transpose()?;
    let note = OptionalText::parse("note", body.note.as_deref(), 4000)?;
    if note.is_some() && status.is_none() {
        return Err(ValidationError::new(
            "note",
            "a note goes with a status change; add notes with POST /api/v1/problems/{id}/notes",
        )
        .into());
    }
    if let Some(to) = status {
        // Refused before anything is written, so a bad move leaves the fields as they were.
        problem
            .status
            .check_move(to)
            .map_err(|e| store::StoreError::Conflict(e.message))?;
    }
    let update = if body.changes_fields() {
        Some(patched(&state, &problem, &body).await?)
    } else {
        None
    };
    if status.is_none() && update.is_none() {
        return Err(ValidationError::new("status", "nothing to change").into());
    }
    let actor = caller.actor();
    let now = state.clock.now();
    if let Some(update) = update {
        state.store.update_problem(&actor, id, update, now).await?;
    }
    if let Some(to) = status {
        state
            .store
            .change_problem_status(&actor, id, to, note, now)
            .await?;
    }
    detail(&state, id).await
}
