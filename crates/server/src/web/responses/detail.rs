//! One response in full: every answer with the prompt of the survey version answered, the
//! derived scores, the comment analysis, and who and what it is about.

use super::{sentiment_label, theme_label};
use crate::state::AppState;
use crate::web::{Chrome, PageError, PageResult, Staff, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::UserId;
use domain::survey::{QuestionKind, ScoreBand};
use domain::time::display_in;
use serde_json::Value;
use store::{Response, StoreError, SurveyVersion};

/// One answer: the question's prompt (or its key if the version is unknown) and the value.
struct Answer {
    prompt: String,
    key: String,
    value: String,
}

#[derive(Template)]
#[template(path = "responses/detail.html")]
struct DetailPage {
    chrome: Chrome,
    r: Response,
    responded_at: String,
    received_at: String,
    answers: Vec<Answer>,
    band: Option<&'static str>,
    sentiment: Option<String>,
    themes: Vec<String>,
    mentions: Vec<String>,
    /// "Link to problem", for those who manage problems.
    link_form: Option<crate::web::problems::links::LinkForm>,
}

fn show_value(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Bool(flag) => if *flag { "Yes" } else { "No" }.to_owned(),
        Value::Array(items) => items.iter().map(show_value).collect::<Vec<_>>().join(", "),
        Value::Null => "—".to_owned(),
        other => other.to_string(),
    }
}

/// The answers in the order of the survey version's questions, then any others by key.
fn answers(r: &Response, version: Option<&SurveyVersion>) -> Vec<Answer> {
    let Some(map) = r.answers.as_object() else {
        return Vec::new();
    };
    let mut list = Vec::new();
    let questions = version.map(|v| v.questions.as_slice()).unwrap_or_default();
    for question in questions {
        if let Some(value) = map.get(&question.key) {
            let mut shown = show_value(value);
            if let (Some((low, high)), Value::Number(_)) = (question.kind.scale(), value) {
                shown = format!("{shown} (on {low} to {high})");
            }
            if let QuestionKind::Rating { attribute } = &question.kind {
                shown = format!("{attribute}: {shown}");
            }
            list.push(Answer {
                prompt: question.prompt.clone(),
                key: question.key.clone(),
                value: shown,
            });
        }
    }
    for (key, value) in map {
        if questions.iter().all(|q| &q.key != key) {
            list.push(Answer {
                prompt: key.clone(),
                key: key.clone(),
                value: show_value(value),
            });
        }
    }
    list
}

pub(super) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let r = state.store.response(id).await?;
    let version = match r.survey_version_id {
        Some(version) => match state.store.survey_version(version).await {
            Ok(found) => Some(found),
            Err(StoreError::NotFound) => None,
            Err(other) => return Err(other.into()),
        },
        None => None,
    };
    let mut mentions = Vec::new();
    for mentioned in &r.analysis.staff_mentions {
        match state.store.user(UserId(*mentioned)).await {
            Ok(user) => mentions.push(user.name),
            Err(StoreError::NotFound) => {}
            Err(other) => return Err(other.into()),
        }
    }
    let zone = staff.zone();
    let taxonomy = state.analyzer.taxonomy();
    let link_form = crate::web::problems::links::LinkForm::for_page(
        &state,
        &staff,
        domain::improvement::problem::LinkKind::Response,
        r.id,
    )
    .await?;
    let view = DetailPage {
        link_form,
        chrome: Chrome::for_staff(&staff, "/responses", &staff.time_zone),
        responded_at: display_in(r.responded_at, &zone),
        received_at: display_in(r.received_at, &zone),
        answers: answers(&r, version.as_ref()),
        band: ScoreBand::of(&r.scores).map(ScoreBand::as_str),
        sentiment: r
            .analysis
            .sentiment
            .map(|s| format!("{s:+.2} ({})", sentiment_label(s))),
        themes: r
            .analysis
            .themes
            .iter()
            .map(|k| theme_label(&taxonomy, k))
            .collect(),
        mentions,
        r,
    };
    Ok(render(StatusCode::OK, &view))
}
