//! The administrators' standard form: define a standard, change it, delete it (after a
//! confirmation). Bad input is refused with a readable message and the form kept as typed.

use super::can_edit;
use crate::state::AppState;
use crate::web::list::Choice;
use crate::web::teams::form_error;
use crate::web::users::{all_teams, readable};
use crate::web::{Chrome, PageError, PageResult, Staff, actor, render, see_other};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::ValidationError;
use domain::standards::PerformanceStandard;
use domain::standards::TimeBasis;
use domain::standards::standard::StandardInput;
use store::{ListParams, StoreError, Touchpoint};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/standards", post(create))
        .route("/standards/new", get(new_form))
        .route("/standards/{key}/edit", get(edit_form).post(update))
        .route("/standards/{key}/delete", get(confirm_delete).post(delete))
}

/// The fields of the form, as typed.
#[derive(Default)]
struct StandardForm {
    key: String,
    name: String,
    subject_label: String,
    start_event: String,
    end_event: String,
    hours: String,
    minutes: String,
    basis: String,
    target_percent: String,
    team: String,
    touchpoints: Vec<String>,
    clock_stops: String,
}

impl StandardForm {
    /// Reads the posted pairs; touchpoint checkboxes repeat the `touchpoints` field.
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = StandardForm::default();
        for (field, value) in pairs {
            match field.as_str() {
                "key" => form.key = value,
                "name" => form.name = value,
                "subject_label" => form.subject_label = value,
                "start_event" => form.start_event = value,
                "end_event" => form.end_event = value,
                "hours" => form.hours = value,
                "minutes" => form.minutes = value,
                "basis" => form.basis = value,
                "target_percent" => form.target_percent = value,
                "team" => form.team = value,
                "touchpoints" => form.touchpoints.push(value),
                "clock_stops" => form.clock_stops = value,
                _ => {}
            }
        }
        form
    }

    fn from_input(input: &StandardInput) -> Self {
        StandardForm {
            key: input.key.clone(),
            name: input.name.clone(),
            subject_label: input.subject_label.clone().unwrap_or_default(),
            start_event: input.start_event.clone(),
            end_event: input.end_event.clone(),
            hours: (input.threshold_seconds / 3600).to_string(),
            minutes: (input.threshold_seconds % 3600 / 60).to_string(),
            basis: input.basis.as_str().into(),
            target_percent: input.target_percent.to_string(),
            team: input.team.clone(),
            touchpoints: input.touchpoints.clone(),
            clock_stops: input.clock_stops.clone().unwrap_or_default(),
        }
    }

    /// The definition, validated and canonical (trimmed keys, sorted touchpoints) as the API
    /// stores it.
    fn input(&self) -> Result<StandardInput, ValidationError> {
        let whole = |field: &'static str, raw: &str, max: i64| {
            let raw = raw.trim();
            if raw.is_empty() {
                return Ok(0);
            }
            raw.parse::<i64>()
                .ok()
                .filter(|v| (0..=max).contains(v))
                .ok_or_else(|| {
                    ValidationError::new(field, format!("must be a whole number from 0 to {max}"))
                })
        };
        let hours = whole("threshold_hours", &self.hours, 366 * 24)?;
        let minutes = whole("threshold_minutes", &self.minutes, 59)?;
        let basis = TimeBasis::parse(self.basis.trim())?;
        let target_percent = self
            .target_percent
            .trim()
            .trim_end_matches('%')
            .trim()
            .replace(',', ".")
            .parse::<f64>()
            .map_err(|_| {
                ValidationError::new("target_percent", "must be a number from 0 to 100")
            })?;
        let optional = |raw: &str| {
            let raw = raw.trim();
            (!raw.is_empty()).then(|| raw.to_owned())
        };
        let input = StandardInput {
            key: self.key.trim().to_owned(),
            name: self.name.trim().to_owned(),
            subject_label: optional(&self.subject_label),
            start_event: self.start_event.trim().to_owned(),
            end_event: self.end_event.trim().to_owned(),
            threshold_seconds: hours * 3600 + minutes * 60,
            basis,
            target_percent,
            team: self.team.trim().to_owned(),
            touchpoints: self.touchpoints.clone(),
            clock_stops: optional(&self.clock_stops),
        };
        Ok(PerformanceStandard::parse(&input)?.to_input())
    }
}

struct TouchpointCheck {
    key: String,
    name: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "standards/form.html")]
struct FormPage {
    chrome: Chrome,
    /// The key of the standard being edited, or `None` on the create form.
    editing: Option<String>,
    form: StandardForm,
    teams: Vec<Choice>,
    bases: Vec<Choice>,
    touchpoints: Vec<TouchpointCheck>,
    error: Option<String>,
}

async fn all_touchpoints(state: &AppState) -> Result<Vec<Touchpoint>, PageError> {
    let mut touchpoints = Vec::new();
    let mut after_id = None;
    loop {
        let params = ListParams {
            after_id,
            limit: 500,
            ..ListParams::default()
        };
        let page = state.store.list_touchpoints(&params).await?;
        touchpoints.extend(page.items);
        match page.next_after_id {
            Some(next) => after_id = Some(next),
            None => return Ok(touchpoints),
        }
    }
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    editing: Option<String>,
    form: StandardForm,
    error: Option<String>,
) -> Result<FormPage, PageError> {
    let teams = all_teams(state).await?;
    let touchpoints = all_touchpoints(state).await?;
    let team_options: Vec<(String, String)> = teams
        .iter()
        .map(|t| (t.key.to_string(), t.name.clone()))
        .collect();
    Ok(FormPage {
        chrome: Chrome::for_staff(staff, "/standards", &staff.time_zone),
        editing,
        teams: Choice::list(
            team_options.iter().map(|(k, n)| (k.as_str(), n.as_str())),
            form.team.trim(),
        ),
        bases: Choice::list(
            [
                ("calendar", "Calendar time (every hour counts)"),
                ("business", "Business hours in the organization's calendar"),
            ],
            form.basis.trim(),
        ),
        touchpoints: touchpoints
            .iter()
            .map(|t| TouchpointCheck {
                key: t.key.to_string(),
                name: t.name.clone(),
                checked: form.touchpoints.iter().any(|k| k == t.key.as_str()),
            })
            .collect(),
        form,
        error,
    })
}

async fn new_form(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(can_edit)?;
    let form = StandardForm {
        basis: TimeBasis::Calendar.as_str().into(),
        target_percent: "95".into(),
        minutes: "0".into(),
        ..StandardForm::default()
    };
    let page = form_page(&state, &staff, None, form, None).await?;
    Ok(render(StatusCode::OK, &page))
}

/// A form refused: 422 with the message and the fields as typed, or the page's failure.
async fn refused(
    state: &AppState,
    staff: &Staff,
    editing: Option<String>,
    form: StandardForm,
    outcome: Result<String, PageError>,
) -> PageResult {
    let message = outcome?;
    let page = form_page(state, staff, editing, form, Some(message)).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// Store errors the form can explain (a taken key, an unknown team) versus failures.
fn store_refusal(error: StoreError) -> Result<String, PageError> {
    form_error(error)
}

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    staff.require(can_edit)?;
    let form = StandardForm::from_pairs(pairs);
    let input = match form.input() {
        Ok(input) => input,
        Err(invalid) => return refused(&state, &staff, None, form, Ok(readable(&invalid))).await,
    };
    match state
        .store
        .create_standard(&actor(&staff), &input, state.clock.now())
        .await
    {
        Ok(stored) => Ok(see_other(&format!("/standards/{}", stored.definition.key))),
        Err(error) => refused(&state, &staff, None, form, store_refusal(error)).await,
    }
}

async fn edit_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
) -> PageResult {
    staff.require(can_edit)?;
    let stored = state.store.standard(&key).await?;
    let form = StandardForm::from_input(&stored.definition);
    let page = form_page(
        &state,
        &staff,
        Some(stored.definition.key.clone()),
        form,
        None,
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    staff.require(can_edit)?;
    let stored = state.store.standard(&key).await?;
    let key = stored.definition.key.clone();
    let mut form = StandardForm::from_pairs(pairs);
    form.key = key.clone();
    let input = match form.input() {
        Ok(input) => input,
        Err(invalid) => {
            return refused(&state, &staff, Some(key), form, Ok(readable(&invalid))).await;
        }
    };
    match state
        .store
        .update_standard(&actor(&staff), &key, &input, state.clock.now())
        .await
    {
        Ok(stored) => Ok(see_other(&format!("/standards/{}", stored.definition.key))),
        Err(error) => refused(&state, &staff, Some(key), form, store_refusal(error)).await,
    }
}

#[derive(Template)]
#[template(path = "standards/delete.html")]
struct DeletePage {
    chrome: Chrome,
    key: String,
    sentence: String,
}

async fn confirm_delete(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
) -> PageResult {
    staff.require(can_edit)?;
    let stored = state.store.standard(&key).await?;
    let sentence = PerformanceStandard::parse(&stored.definition)
        .map(|s| s.sentence())
        .unwrap_or_else(|_| stored.definition.name.clone());
    let page = DeletePage {
        chrome: Chrome::for_staff(&staff, "/standards", &staff.time_zone),
        key: stored.definition.key,
        sentence,
    };
    Ok(render(StatusCode::OK, &page))
}

async fn delete(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
) -> PageResult {
    staff.require(can_edit)?;
    state.store.delete_standard(&actor(&staff), &key).await?;
    Ok(see_other("/standards"))
}
