//! Creating and editing a survey (administrators): name, key, description, the touchpoints
//! that ask it, and its questions as JSON, validated like the API's.

use super::{all_surveys, find, require_admin};
use crate::api::surveys::parse_questions;
use crate::state::AppState;
use crate::web::teams::form_error;
use crate::web::transactions::all_touchpoints;
use crate::web::{Chrome, PageError, PageResult, Staff, actor, render, see_other};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use domain::survey::{Questions, default_questions};
use domain::{Key, Name, OptionalText, ValidationError};
use std::collections::HashMap;
use store::{NewSurvey, Survey, SurveyUpdate};

/// The fields of the survey form, as typed.
#[derive(Default)]
pub(super) struct SurveyForm {
    key: String,
    name: String,
    description: String,
    questions: String,
    touchpoints: Vec<String>,
}

impl SurveyForm {
    /// Reads the posted pairs; touchpoint checkboxes repeat the `touchpoints` field.
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in pairs {
            match name.as_str() {
                "key" => form.key = value,
                "name" => form.name = value,
                "description" => form.description = value,
                "questions" => form.questions = value,
                "touchpoints" => form.touchpoints.push(value),
                _ => {}
            }
        }
        form
    }

    fn of(survey: &Survey) -> Self {
        Self {
            key: survey.key.to_string(),
            name: survey.name.clone(),
            description: survey.description.clone().unwrap_or_default(),
            questions: pretty(&survey.questions),
            touchpoints: survey.touchpoints.iter().map(|t| t.key.clone()).collect(),
        }
    }

    fn questions(&self) -> Result<Questions, ValidationError> {
        let value = serde_json::from_str(&self.questions).map_err(|e| {
            ValidationError::new("Questions", format!("this is not valid JSON ({e})"))
        })?;
        parse_questions(value)
    }

    fn touchpoint_keys(&self) -> Result<Vec<Key>, ValidationError> {
        self.touchpoints
            .iter()
            .map(|k| Key::parse("Touchpoints", k))
            .collect()
    }

    fn description(&self) -> Result<Option<String>, ValidationError> {
        OptionalText::parse("Description", Some(&self.description), 2000)
    }
}

fn pretty(questions: &Questions) -> String {
    serde_json::to_string_pretty(questions).unwrap_or_default()
}

/// A touchpoint checkbox, with the survey it has now if that is another one.
pub(super) struct TouchpointCheck {
    key: String,
    name: String,
    checked: bool,
    elsewhere: Option<String>,
}

/// The survey being edited: its key, version and responses to that version.
pub(super) struct Editing {
    key: String,
    version: i64,
    responses: i64,
}

#[derive(Template)]
#[template(path = "surveys/form.html")]
struct FormPage {
    chrome: Chrome,
    editing: Option<Editing>,
    form: SurveyForm,
    touchpoints: Vec<TouchpointCheck>,
    error: Option<String>,
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    editing: Option<Editing>,
    form: SurveyForm,
    error: Option<String>,
) -> Result<FormPage, PageError> {
    let mut owners: HashMap<String, String> = HashMap::new();
    for survey in all_surveys(state).await? {
        if editing
            .as_ref()
            .is_some_and(|e| e.key == survey.key.as_str())
        {
            continue;
        }
        for touchpoint in &survey.touchpoints {
            owners.insert(touchpoint.key.clone(), survey.name.clone());
        }
    }
    let touchpoints = all_touchpoints(state)
        .await?
        .into_iter()
        .map(|t| TouchpointCheck {
            checked: form.touchpoints.iter().any(|k| k == t.key.as_str()),
            elsewhere: owners.remove(t.key.as_str()),
            key: t.key.to_string(),
            name: t.name,
        })
        .collect();
    Ok(FormPage {
        chrome: Chrome::for_staff(staff, "/surveys", &staff.time_zone),
        editing,
        form,
        touchpoints,
        error,
    })
}

pub(super) async fn new_form(State(state): State<AppState>, staff: Staff) -> PageResult {
    require_admin(&staff)?;
    let form = SurveyForm {
        questions: serde_json::to_string_pretty(&default_questions("Timeliness"))
            .unwrap_or_default(),
        ..SurveyForm::default()
    };
    let page = form_page(&state, &staff, None, form, None).await?;
    Ok(render(StatusCode::OK, &page))
}

fn parse_new(form: &SurveyForm) -> Result<NewSurvey, ValidationError> {
    Ok(NewSurvey {
        key: Key::parse("Key", &form.key)?,
        name: Name::parse("Name", &form.name)?.into(),
        description: form.description()?,
        questions: form.questions()?,
        touchpoints: form.touchpoint_keys()?,
    })
}

pub(super) async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    require_admin(&staff)?;
    let form = SurveyForm::from_pairs(pairs);
    let result = match parse_new(&form) {
        Ok(survey) => state
            .store
            .create_survey(&actor(&staff), survey)
            .await
            .map_err(form_error),
        Err(invalid) => Err(Ok(invalid.to_string())),
    };
    match result {
        Ok(survey) => Ok(see_other(&format!("/surveys/{}?saved=1", survey.key))),
        Err(Ok(message)) => {
            let page = form_page(&state, &staff, None, form, Some(message)).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(Err(error)) => Err(error),
    }
}

fn editing(survey: &Survey) -> Editing {
    Editing {
        key: survey.key.to_string(),
        version: survey.version,
        responses: survey.responses,
    }
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
) -> PageResult {
    require_admin(&staff)?;
    let survey = find(&state, &key).await?;
    let form = SurveyForm::of(&survey);
    let page = form_page(&state, &staff, Some(editing(&survey)), form, None).await?;
    Ok(render(StatusCode::OK, &page))
}

fn parse_update(form: &SurveyForm) -> Result<SurveyUpdate, ValidationError> {
    Ok(SurveyUpdate {
        name: Some(Name::parse("Name", &form.name)?.into()),
        description: Some(form.description()?),
        questions: Some(form.questions()?),
        touchpoints: Some(form.touchpoint_keys()?),
    })
}

pub(super) async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    require_admin(&staff)?;
    let survey = find(&state, &key).await?;
    let form = SurveyForm {
        key: survey.key.to_string(),
        ..SurveyForm::from_pairs(pairs)
    };
    let result = match parse_update(&form) {
        Ok(update) => state
            .store
            .update_survey(&actor(&staff), &survey.key, update)
            .await
            .map_err(form_error),
        Err(invalid) => Err(Ok(invalid.to_string())),
    };
    match result {
        Ok(saved) => Ok(see_other(&format!("/surveys/{}?saved=1", saved.key))),
        Err(Ok(message)) => {
            let page =
                form_page(&state, &staff, Some(editing(&survey)), form, Some(message)).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(Err(error)) => Err(error),
    }
}
