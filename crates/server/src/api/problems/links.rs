//! `/api/v1/problems/{id}/links`, `…/suggestions` and `…/notes`: link cases, responses and
//! themes to a problem (idempotently), unlink them, read the suggested links with their
//! reasons, and add notes to the timeline.

use super::{ProblemBody, detail, load};
use crate::api::extract::{ApiCaller, ApiJson, ApiQuery};
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use domain::improvement::problem::LinkKind;
use domain::{ApiScope, OptionalText, ValidationError};
use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize};
use store::{LinkSuggestion, ProblemLink};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// At most this many suggestions are returned.
pub const MAX_SUGGESTIONS: usize = 20;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_links, add_link, remove_link))
        .routes(routes!(suggestions))
        .routes(routes!(add_note))
}

/// Something linked to a problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkBody {
    /// `case`, `response` or `theme`.
    pub kind: String,
    /// The case's or response's id, or the theme's key.
    pub target: String,
    /// The case's title, an excerpt of the response, or the theme's name.
    pub label: String,
    /// False when the linked case or response has been deleted since.
    pub exists: bool,
    pub linked_at: Timestamp,
}

impl From<ProblemLink> for LinkBody {
    fn from(l: ProblemLink) -> Self {
        Self {
            kind: l.kind.as_str().into(),
            target: l.target,
            label: l.label,
            exists: l.exists,
            linked_at: l.linked_at,
        }
    }
}

/// A suggested link and why it is suggested.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionBody {
    /// `case`, `response` or `theme`.
    pub kind: String,
    /// Pass with `kind` to `POST /api/v1/problems/{id}/links`.
    pub target: String,
    pub label: String,
    /// 2 per shared theme, 2 for the same root-cause category, 1 for the same touchpoint.
    pub score: u32,
    pub reasons: Vec<String>,
}

impl From<LinkSuggestion> for SuggestionBody {
    fn from(s: LinkSuggestion) -> Self {
        Self {
            kind: s.kind.as_str().into(),
            target: s.target,
            label: s.label,
            score: s.score,
            reasons: s.reasons,
        }
    }
}

/// A text or a number, as text (ids may be sent either way).
fn text_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(i64),
    }
    Ok(match Raw::deserialize(deserializer)? {
        Raw::Text(text) => text,
        Raw::Number(number) => number.to_string(),
    })
}

/// What to link, e.g. `{"kind": "case", "target": 42}` or `{"kind": "theme", "target":
/// "waiting_time"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// `case`, `response` or `theme`.
    pub kind: String,
    /// The case's or response's id, or the theme's key.
    #[serde(deserialize_with = "text_or_number")]
    #[schema(value_type = String)]
    pub target: String,
}

/// What to unlink.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// `case`, `response` or `theme`.
    pub kind: String,
    /// The case's or response's id, or the theme's key.
    pub target: String,
}

fn target(raw: &str) -> Result<&str, ValidationError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        Err(ValidationError::new(
            "target",
            "name the case or response id or the theme key",
        ))
    } else {
        Ok(trimmed)
    }
}

/// List what is linked to a problem.
#[utoipa::path(get, path = "/api/v1/problems/{id}/links", tag = "improvement", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<LinkBody>), (status = 404, body = Problem)),
    security(("api_key" = ["read"])))]
async fn list_links(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<LinkBody>>> {
    caller.require(ApiScope::Read)?;
    load(&state, id).await?;
    let links = state.store.problem_links(id).await?;
    Ok(Json(links.into_iter().map(LinkBody::from).collect()))
}

/// Link a case, response or theme to a problem; linking it again changes nothing. An
/// unknown case, response or theme is a 422.
#[utoipa::path(post, path = "/api/v1/problems/{id}/links", tag = "improvement", params(("id" = i64, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a repeated request")),
    request_body = LinkInput,
    responses((status = 200, body = ProblemBody), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn add_link(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<LinkInput>,
) -> ApiResult<Json<ProblemBody>> {
    caller.require(ApiScope::Admin)?;
    let kind = LinkKind::parse(&input.kind)?;
    let target = target(&input.target)?;
    load(&state, id).await?;
    state
        .store
        .link_to_problem(&caller.actor(), id, kind, target, state.clock.now())
        .await?;
    detail(&state, id).await
}

/// Unlink a case, response or theme; unlinking what is not linked changes nothing.
#[utoipa::path(delete, path = "/api/v1/problems/{id}/links", tag = "improvement",
    params(("id" = i64, Path), LinkQuery),
    responses((status = 200, body = ProblemBody), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn remove_link(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<LinkQuery>,
) -> ApiResult<Json<ProblemBody>> {
    caller.require(ApiScope::Admin)?;
    let kind = LinkKind::parse(&query.kind)?;
    let target = target(&query.target)?;
    load(&state, id).await?;
    state
        .store
        .unlink_from_problem(&caller.actor(), id, kind, target, state.clock.now())
        .await?;
    detail(&state, id).await
}

/// Suggested links: recent cases (90 days) sharing the problem's root-cause category or one of
/// its themes, recent responses sharing a theme, and themes its linked responses carry,
/// strongest first, with the reasons; what is linked already is left out.
#[utoipa::path(get, path = "/api/v1/problems/{id}/suggestions", tag = "improvement", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<SuggestionBody>), (status = 404, body = Problem)),
    security(("api_key" = ["read"])))]
async fn suggestions(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<SuggestionBody>>> {
    caller.require(ApiScope::Read)?;
    load(&state, id).await?;
    let found = state
        .store
        .link_suggestions(id, state.clock.now(), MAX_SUGGESTIONS)
        .await?;
    Ok(Json(found.into_iter().map(SuggestionBody::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemNoteInput {
    pub body: String,
}

/// Add a note to a problem's timeline.
#[utoipa::path(post, path = "/api/v1/problems/{id}/notes", tag = "improvement", params(("id" = i64, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a repeated request")),
    request_body = ProblemNoteInput,
    responses((status = 200, body = ProblemBody), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn add_note(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ProblemNoteInput>,
) -> ApiResult<Json<ProblemBody>> {
    caller.require(ApiScope::Admin)?;
    let note = OptionalText::parse("body", Some(&input.body), 4000)?
        .ok_or_else(|| ValidationError::new("body", "write the note"))?;
    load(&state, id).await?;
    state
        .store
        .add_problem_note(&caller.actor(), id, note, state.clock.now())
        .await?;
    detail(&state, id).await
}
