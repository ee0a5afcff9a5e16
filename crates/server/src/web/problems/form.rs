//! The form that creates a problem (`/problems/new`) or edits one (`/problems/{id}/edit`),
//! for those who manage problems. A refused form is shown again with the message and what
//! was typed (422).

use super::{load, manages, owning_teams};
use crate::state::AppState;
use crate::web::customers::all_teams;
use crate::web::list::Choice;
use crate::web::teams::form_error;
use crate::web::transactions::all_touchpoints;
use crate::web::{Chrome, PageError, PageResult, Staff, actor, render, see_other};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use domain::UserId;
use domain::improvement::problem::{ProblemFields, RawProblem};
use domain::recovery::cases::RootCause;
use serde::Deserialize;
use store::{NewProblem, Problem, ProblemUpdate};

/// What the form holds, as typed.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ProblemForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    root_cause: String,
    #[serde(default)]
    root_cause_category: String,
    #[serde(default)]
    driver: String,
    #[serde(default)]
    touchpoint: String,
    #[serde(default)]
    owner_team: String,
    #[serde(default)]
    owner_user: String,
    #[serde(default)]
    effort: String,
}

impl ProblemForm {
    fn of(problem: &Problem) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            title: problem.title.clone(),
            description: text(&problem.description),
            root_cause: text(&problem.root_cause),
            root_cause_category: text(&problem.root_cause_category),
            driver: text(&problem.driver),
            touchpoint: problem
                .touchpoint
                .as_ref()
                .map(|t| t.key.clone())
                .unwrap_or_default(),
            owner_team: problem.owner_team.key.clone(),
            owner_user: problem
                .owner_user
                .as_ref()
                .map(|u| u.id.0.to_string())
                .unwrap_or_default(),
            effort: problem
                .effort_minor
                .map(super::effort_text)
                .unwrap_or_default(),
        }
    }
}

/// A person who may own a problem: a member of an owning team.
struct Person {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "problems/form.html")]
struct FormPage {
    chrome: Chrome,
    /// `None` for a new problem.
    problem_id: Option<i64>,
    form: ProblemForm,
    teams: Vec<Choice>,
    people: Vec<Person>,
    touchpoints: Vec<Choice>,
    categories: Vec<Choice>,
    drivers: Vec<String>,
    error: Option<String>,
}

async fn show(
    state: &AppState,
    staff: &Staff,
    problem_id: Option<i64>,
    form: ProblemForm,
    error: Option<String>,
) -> PageResult {
    let teams = owning_teams(all_teams(state).await?);
    let mut people = Vec::new();
    for team in &teams {
        for member in state.store.team_members(team.id).await? {
            let value = member.id.0.to_string();
            people.push(Person {
                selected: value == form.owner_user,
                value,
                label: format!("{} ({})", member.name, team.name),
            });
        }
    }
    let touchpoints = all_touchpoints(state).await?;
    let drivers = state.store.rating_labels().await?.into_keys().collect();
    let page = FormPage {
        chrome: Chrome::for_staff(staff, "/problems", &staff.time_zone),
        problem_id,
        teams: Choice::list(
            teams.iter().map(|t| (t.key.as_str(), t.name.as_str())),
            &form.owner_team,
        ),
        people,
        touchpoints: Choice::list(
            touchpoints
                .iter()
                .map(|t| (t.key.as_str(), t.name.as_str())),
            &form.touchpoint,
        ),
        categories: Choice::list(
            RootCause::ALL.iter().map(|c| (c.as_str(), c.label())),
            &form.root_cause_category,
        ),
        drivers,
        form,
        error: error.clone(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(status, &page))
}

/// An amount typed in major units (`2500`, `2500.5`, `2 500.50`) as minor units.
fn parse_effort(raw: &str) -> Result<Option<i64>, String> {
    let cleaned: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    let refused = || "Give the effort as an amount such as 2500 or 2500.50.".to_owned();
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if whole.is_empty()
        || fraction.len() > 2
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return Err(refused());
    }
    let whole: i64 = whole.parse().map_err(|_| refused())?;
    let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| refused())?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(cents))
        .map(Some)
        .ok_or_else(refused)
}

/// The validated problem of the form, or why it is refused.
async fn parse(
    state: &AppState,
    form: &ProblemForm,
) -> Result<Result<ProblemUpdate, String>, PageError> {
    let teams = owning_teams(all_teams(state).await?);
    let Some(team) = teams
        .iter()
        .find(|t| t.key.as_str() == form.owner_team.trim())
    else {
        return Ok(Err(
            "Choose the operations or key success team that owns the fix.".into(),
        ));
    };
    let touchpoints = all_touchpoints(state).await?;
    let touchpoint = match form.touchpoint.trim() {
        "" => None,
        key => match touchpoints.iter().find(|t| t.key.as_str() == key) {
            Some(t) => Some(t.id.0),
            None => return Ok(Err("Choose one of the touchpoints.".into())),
        },
    };
    let owner_user = match form.owner_user.trim() {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(id) => Some(UserId(id)),
            Err(_) => return Ok(Err("Choose the owner from the list.".into())),
        },
    };
    let effort = match parse_effort(&form.effort) {
        Ok(effort) => effort,
        Err(message) => return Ok(Err(message)),
    };
    let fields = ProblemFields::parse(&RawProblem {
        title: &form.title,
        description: Some(&form.description),
        root_cause: Some(&form.root_cause),
        root_cause_category: Some(&form.root_cause_category),
        driver: Some(&form.driver),
        touchpoint,
        effort_minor: effort,
    });
    Ok(fields
        .map(|fields| ProblemUpdate {
            fields,
            owner_team: team.id,
            owner_user,
        })
        .map_err(|e| e.to_string()))
}

pub(super) async fn new(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(manages)?;
    show(&state, &staff, None, ProblemForm::default(), None).await
}

pub(super) async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<ProblemForm>,
) -> PageResult {
    staff.require(manages)?;
    let update = match parse(&state, &form).await? {
        Ok(update) => update,
        Err(message) => return show(&state, &staff, None, form, Some(message)).await,
    };
    let new = NewProblem {
        fields: update.fields,
        owner_team: update.owner_team,
        owner_user: update.owner_user,
    };
    match state
        .store
        .create_problem(&actor(&staff), new, state.clock.now())
        .await
    {
        Ok(created) => Ok(see_other(&format!("/problems/{}", created.id))),
        Err(error) => {
            let message = form_error(error)?;
            show(&state, &staff, None, form, Some(message)).await
        }
    }
}

pub(super) async fn edit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    staff.require(manages)?;
    let (problem, _) = load(&state, &staff, &id).await?;
    show(
        &state,
        &staff,
        Some(problem.id),
        ProblemForm::of(&problem),
        None,
    )
    .await
}

pub(super) async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<ProblemForm>,
) -> PageResult {
    staff.require(manages)?;
    let (problem, _) = load(&state, &staff, &id).await?;
    let update = match parse(&state, &form).await? {
        Ok(update) => update,
        Err(message) => return show(&state, &staff, Some(problem.id), form, Some(message)).await,
    };
    match state
        .store
        .update_problem(&actor(&staff), problem.id, update, state.clock.now())
        .await
    {
        Ok(_) => Ok(see_other(&format!("/problems/{}", problem.id))),
        Err(error) => {
            let message = form_error(error)?;
            show(&state, &staff, Some(problem.id), form, Some(message)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_effort;

    #[test]
    fn effort_is_read_in_major_units() {
        assert_eq!(parse_effort(""), Ok(None));
        assert_eq!(parse_effort("2500"), Ok(Some(250_000)));
        assert_eq!(parse_effort("2 500.5"), Ok(Some(250_050)));
        assert_eq!(parse_effort("0.07"), Ok(Some(7)));
        for bad in ["-5", "1.234", "abc", ".5", "99999999999999999999"] {
            assert!(parse_effort(bad).is_err(), "{bad}");
        }
    }
}
