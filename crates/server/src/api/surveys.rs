//! `/api/v1/surveys`: surveys, their questions and the touchpoints they are attached to. The
//! document `GET /api/v1/surveys/{key}` returns is the export format, and `POST` imports it.

use super::extract::{ApiCaller, ApiJson, ApiQuery, PageQuery};
use super::{ListBody, list_body};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::survey::{Question, Questions};
use domain::{ApiScope, Key, Name, OptionalText, ValidationError};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::{NewSurvey, Survey, SurveyUpdate};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_surveys, create_survey))
        .routes(routes!(get_survey, update_survey))
}

/// A survey at its current version.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyBody {
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    /// Editing the questions of a version that has responses creates a new version.
    pub version: i64,
    /// Ordered questions: `{"key", "prompt", "type", "required"}` where `type` is `csat` (1–5),
    /// `nps` (0–10), `ces` (1–7), `rating` (1–5, with `attribute`), `single_choice` or
    /// `multiple_choice` (with `options`), `free_text` or `consent`.
    #[schema(value_type = Vec<Object>)]
    pub questions: Vec<Question>,
    /// Keys of the touchpoints whose transactions are asked this survey.
    pub touchpoints: Vec<String>,
    /// Responses to the current version.
    pub responses: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Survey> for SurveyBody {
    fn from(s: Survey) -> Self {
        Self {
            key: s.key.to_string(),
            name: s.name,
            description: s.description,
            version: s.version,
            questions: s.questions.as_slice().to_vec(),
            touchpoints: s.touchpoints.into_iter().map(|t| t.key).collect(),
            responses: s.responses,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A new survey (or an exported one being imported: read-only fields are ignored).
#[derive(Debug, Deserialize, ToSchema)]
pub struct SurveyCreate {
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub questions: serde_json::Value,
    #[serde(default)]
    pub touchpoints: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[schema(value_type = Option<Vec<Object>>)]
    pub questions: Option<serde_json::Value>,
    pub touchpoints: Option<Vec<String>>,
}

/// Parses questions given as JSON, with errors that say which question is wrong.
pub fn parse_questions(value: serde_json::Value) -> Result<Questions, ValidationError> {
    let list: Vec<Question> = serde_json::from_value(value)
        .map_err(|e| ValidationError::new("questions", format!("are not valid: {e}")))?;
    Questions::parse(list)
}

fn touchpoint_keys(raw: &[String]) -> Result<Vec<Key>, ValidationError> {
    raw.iter().map(|k| Key::parse("touchpoints", k)).collect()
}

fn survey_key(raw: &str) -> Result<Key, ApiError> {
    Key::parse("key", raw).map_err(|_| ApiError::not_found("survey"))
}

/// List surveys.
#[utoipa::path(get, path = "/api/v1/surveys", tag = "surveys", params(PageQuery),
    responses((status = 200, body = ListBody<SurveyBody>), (status = 401, body = Problem)), security(("api_key" = ["read"])))]
async fn list_surveys(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListBody<SurveyBody>>> {
    caller.require(ApiScope::Read)?;
    let page = state.store.list_surveys(&page.params()?).await?;
    Ok(Json(list_body(page, SurveyBody::from)))
}

/// Create (or import) a survey and attach it to touchpoints.
#[utoipa::path(post, path = "/api/v1/surveys", tag = "surveys", request_body = SurveyCreate,
    responses((status = 201, body = SurveyBody), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn create_survey(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<SurveyCreate>,
) -> ApiResult<(StatusCode, Json<SurveyBody>)> {
    caller.require(ApiScope::Admin)?;
    let survey = NewSurvey {
        key: Key::parse("key", &body.key)?,
        name: Name::parse("name", &body.name)?.into(),
        description: OptionalText::parse("description", body.description.as_deref(), 2000)?,
        questions: parse_questions(body.questions)?,
        touchpoints: touchpoint_keys(&body.touchpoints)?,
    };
    let created = state.store.create_survey(&caller.actor(), survey).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Get (export) a survey.
#[utoipa::path(get, path = "/api/v1/surveys/{key}", tag = "surveys", params(("key" = String, Path)),
    responses((status = 200, body = SurveyBody), (status = 404, body = Problem)), security(("api_key" = ["read"])))]
async fn get_survey(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
) -> ApiResult<Json<SurveyBody>> {
    caller.require(ApiScope::Read)?;
    let survey = state
        .store
        .survey_by_key(&survey_key(&key)?)
        .await
        .map_err(|_| ApiError::not_found("survey"))?;
    Ok(Json(survey.into()))
}

/// Change a survey: new questions on a version with responses make a new version.
#[utoipa::path(patch, path = "/api/v1/surveys/{key}", tag = "surveys", params(("key" = String, Path)), request_body = SurveyPatch,
    responses((status = 200, body = SurveyBody), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn update_survey(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
    ApiJson(body): ApiJson<SurveyPatch>,
) -> ApiResult<Json<SurveyBody>> {
    caller.require(ApiScope::Admin)?;
    let update = SurveyUpdate {
        name: body
            .name
            .as_deref()
            .map(|n| Name::parse("name", n).map(String::from))
            .transpose()?,
        description: body
            .description
            .map(|d| OptionalText::parse("description", d.as_deref(), 2000))
            .transpose()?,
        questions: body.questions.map(parse_questions).transpose()?,
        touchpoints: body
            .touchpoints
            .as_deref()
            .map(touchpoint_keys)
            .transpose()?,
    };
    let survey = state
        .store
        .update_survey(&caller.actor(), &survey_key(&key)?, update)
        .await?;
    Ok(Json(survey.into()))
}
