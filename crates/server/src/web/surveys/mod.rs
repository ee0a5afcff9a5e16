//! Console pages for surveys: the list, a survey's questions as customers see them, and its
//! JSON export; administrators create, edit (`form`) and import (`import`) surveys.

mod form;
mod import;

use super::list::{ListQuery, Pager};
use super::{Chrome, PageError, PageResult, Staff, render};
use crate::api::surveys::SurveyBody;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use domain::survey::{Question, QuestionKind};
use domain::{Key, Role};
use serde::Deserialize;
use store::{ListParams, Survey};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/surveys", get(list).post(form::create))
        .route("/surveys/new", get(form::new_form))
        .route("/surveys/import", get(import::show).post(import::import))
        .route("/surveys/{key}", get(detail))
        .route(
            "/surveys/{key}/edit",
            get(form::edit_form).post(form::update),
        )
        .route("/surveys/{key}/export", get(export))
}

#[derive(Template)]
#[template(path = "surveys/list.html")]
struct ListPage {
    chrome: Chrome,
    surveys: Vec<Survey>,
    search: String,
    pager: Pager,
    can_edit: bool,
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let page = state.store.list_surveys(&query.params()).await?;
    let view = ListPage {
        chrome: Chrome::for_staff(&staff, "/surveys", &staff.time_zone),
        pager: Pager::new("/surveys", &[("q", query.search())], &query, &page),
        surveys: page.items,
        search: query.search(),
        can_edit: staff.user.role.can_administer(),
    };
    Ok(render(StatusCode::OK, &view))
}

/// A question as the customer will meet it.
pub(crate) struct QuestionView {
    pub key: String,
    pub prompt: String,
    pub kind: String,
    /// The points of a scale, lowest first; empty for other questions.
    pub points: Vec<i64>,
    pub options: Vec<String>,
    pub required: bool,
}

impl QuestionView {
    pub fn new(question: &Question) -> Self {
        let kind = match &question.kind {
            QuestionKind::Csat => {
                "Satisfaction (CSAT): 1 very dissatisfied to 5 very satisfied".into()
            }
            QuestionKind::Nps => {
                "Likelihood to recommend (NPS): 0 not at all to 10 extremely".into()
            }
            QuestionKind::Ces => "Effort (CES): 1 very easy to 7 very difficult".into(),
            QuestionKind::Rating { attribute } => format!("Rating of {attribute}: 1 to 5"),
            QuestionKind::SingleChoice { .. } => "Single choice".into(),
            QuestionKind::MultipleChoice { .. } => "Multiple choice".into(),
            QuestionKind::FreeText => "Free text (up to 5,000 characters)".into(),
            QuestionKind::Consent => "May we contact you? Yes or no".into(),
        };
        let options = match &question.kind {
            QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options } => {
                options.clone()
            }
            QuestionKind::Consent => vec!["Yes".into(), "No".into()],
            _ => Vec::new(),
        };
        Self {
            key: question.key.clone(),
            prompt: question.prompt.clone(),
            kind,
            points: question
                .kind
                .scale()
                .map(|(low, high)| (low..=high).collect())
                .unwrap_or_default(),
            options,
            required: question.required,
        }
    }
}

#[derive(Template)]
#[template(path = "surveys/detail.html")]
struct DetailPage {
    chrome: Chrome,
    survey: Survey,
    questions: Vec<QuestionView>,
    notice: Option<String>,
    can_edit: bool,
}

#[derive(Deserialize)]
struct DetailQuery {
    saved: Option<String>,
    imported: Option<String>,
}

async fn find(state: &AppState, key: &str) -> Result<Survey, PageError> {
    let key = Key::parse("key", key).map_err(|_| PageError::NotFound)?;
    Ok(state.store.survey_by_key(&key).await?)
}

async fn detail(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
    Query(query): Query<DetailQuery>,
) -> PageResult {
    let survey = find(&state, &key).await?;
    let notice = if query.imported.is_some() {
        Some("The survey was imported.".to_owned())
    } else {
        query
            .saved
            .map(|_| format!("The survey was saved; it is at version {}.", survey.version))
    };
    let view = DetailPage {
        chrome: Chrome::for_staff(&staff, "/surveys", &staff.time_zone),
        questions: survey
            .questions
            .as_slice()
            .iter()
            .map(QuestionView::new)
            .collect(),
        survey,
        notice,
        can_edit: staff.user.role.can_administer(),
    };
    Ok(render(StatusCode::OK, &view))
}

/// The survey as the JSON document the API returns and the import accepts, as a download.
async fn export(
    State(state): State<AppState>,
    _staff: Staff,
    Path(key): Path<String>,
) -> PageResult {
    let survey = find(&state, &key).await?;
    let file = format!("attachment; filename=\"survey-{}.json\"", survey.key);
    let body = serde_json::to_string_pretty(&SurveyBody::from(survey))
        .map_err(|e| PageError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, file),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// Every survey, for showing which survey each touchpoint has.
async fn all_surveys(state: &AppState) -> Result<Vec<Survey>, PageError> {
    let mut params = ListParams {
        limit: 500,
        ..ListParams::default()
    };
    let mut surveys = Vec::new();
    for _ in 0..20 {
        let page = state.store.list_surveys(&params).await?;
        surveys.extend(page.items);
        match page.next_after_id {
            Some(after) => params.after_id = Some(after),
            None => break,
        }
    }
    Ok(surveys)
}

fn require_admin(staff: &Staff) -> Result<(), PageError> {
    staff.require(Role::can_administer)
}
