//! Importing a survey exported as JSON (administrators): the document is pasted into the
//! page (the console's forms are URL-encoded, so there is no file upload).

use super::require_admin;
use crate::api::surveys::{SurveyCreate, parse_questions};
use crate::state::AppState;
use crate::web::teams::form_error;
use crate::web::{Chrome, PageResult, Staff, actor, render, see_other};
use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use domain::{Key, Name, OptionalText, ValidationError};
use serde::Deserialize;
use store::{NewSurvey, StoreError};

#[derive(Deserialize, Default)]
pub(super) struct ImportForm {
    #[serde(default)]
    document: String,
    /// Attach the survey to the touchpoints the document names (moving them).
    #[serde(default)]
    attach: Option<String>,
}

#[derive(Template)]
#[template(path = "surveys/import.html")]
struct ImportPage {
    chrome: Chrome,
    form: ImportForm,
    error: Option<String>,
}

fn page(staff: &Staff, form: ImportForm, error: Option<String>) -> ImportPage {
    ImportPage {
        chrome: Chrome::for_staff(staff, "/surveys", &staff.time_zone),
        form,
        error,
    }
}

pub(super) async fn show(staff: Staff) -> PageResult {
    require_admin(&staff)?;
    Ok(render(
        StatusCode::OK,
        &page(&staff, ImportForm::default(), None),
    ))
}

/// Reads an exported survey; read-only fields (version, responses, times) are ignored.
fn parse(form: &ImportForm) -> Result<NewSurvey, String> {
    let body: SurveyCreate = serde_json::from_str(&form.document).map_err(|e| {
        format!("The document is not a survey exported as JSON ({e}). Paste the whole file, from {{ to }}.")
    })?;
    let touchpoints = if form.attach.is_some() {
        body.touchpoints
            .iter()
            .map(|k| Key::parse("touchpoints", k))
            .collect::<Result<_, _>>()
    } else {
        Ok(Vec::new())
    };
    let parsed = (|| {
        Ok::<_, ValidationError>(NewSurvey {
            key: Key::parse("key", &body.key)?,
            name: Name::parse("name", &body.name)?.into(),
            description: OptionalText::parse("description", body.description.as_deref(), 2000)?,
            questions: parse_questions(body.questions)?,
            touchpoints: touchpoints?,
        })
    })();
    parsed.map_err(|e| e.to_string())
}

pub(super) async fn import(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<ImportForm>,
) -> PageResult {
    require_admin(&staff)?;
    let survey = match parse(&form) {
        Ok(survey) => survey,
        Err(message) => {
            return Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&staff, form, Some(message)),
            ));
        }
    };
    let key = survey.key.clone();
    let message = match state.store.create_survey(&actor(&staff), survey).await {
        Ok(created) => return Ok(see_other(&format!("/surveys/{}?imported=1", created.key))),
        Err(StoreError::Conflict(_)) => format!(
            "A survey with the key “{key}” already exists. To import this one as a new survey, \
             change \"key\" (and \"name\") in the document; to change the existing survey, edit it."
        ),
        Err(other) => form_error(other)?,
    };
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &page(&staff, form, Some(message)),
    ))
}
