//! The forms of the action plan: add an item (title, owner, due date), change its owner and
//! due date, remove it — for those who manage problems — and mark it done or open again, also
//! for its owner. A due date means "by the end of that day" in the organization's time zone.

use super::detail::{Draft, refuse};
use super::{can_tick, load, manages};
use crate::state::AppState;
use crate::web::list::local_day_start;
use crate::web::teams::form_error;
use crate::web::{PageError, PageResult, Staff, actor, see_other};
use axum::extract::{Form, Path, State};
use domain::UserId;
use domain::improvement::problem::ActionFields;
use jiff::Timestamp;
use serde::Deserialize;
use store::{ActionInput, Problem, ProblemAction};

#[derive(Debug, Default, Deserialize)]
pub(super) struct ActionForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    owner: String,
    /// `YYYY-MM-DD`, or empty.
    #[serde(default)]
    due: String,
}

/// The end of the local day typed (the start of the next one), or why it is refused.
fn due(raw: &str, staff: &Staff) -> Result<Option<Timestamp>, String> {
    local_day_start(raw, &staff.zone(), true)
        .map_err(|_| "Give the due date as a date, e.g. 2026-12-31.".to_owned())
}

fn owner(raw: &str) -> Result<Option<UserId>, String> {
    match raw.trim() {
        "" => Ok(None),
        raw => raw
            .parse::<i64>()
            .map(|id| Some(UserId(id)))
            .map_err(|_| "Choose the owner from the list.".to_owned()),
    }
}

fn input(form: &ActionForm, staff: &Staff) -> Result<ActionInput, String> {
    Ok(ActionInput {
        fields: ActionFields::parse(&form.title, due(&form.due, staff)?)
            .map_err(|e| e.to_string())?,
        owner: owner(&form.owner)?,
    })
}

/// The problem and the item of the address.
async fn item(
    state: &AppState,
    staff: &Staff,
    id: &str,
    action: &str,
) -> Result<(Problem, Vec<ProblemAction>, ProblemAction), PageError> {
    let (problem, actions) = load(state, staff, id).await?;
    let action_id: i64 = action.trim().parse().map_err(|_| PageError::NotFound)?;
    let found = actions
        .iter()
        .find(|a| a.id == action_id)
        .cloned()
        .ok_or(PageError::NotFound)?;
    Ok((problem, actions, found))
}

fn back(problem: &Problem) -> axum::response::Response {
    see_other(&format!("/problems/{}#plan", problem.id))
}

pub(super) async fn add(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> PageResult {
    staff.require(manages)?;
    let (problem, actions) = load(&state, &staff, &id).await?;
    let draft = Draft {
        action_title: form.title.clone(),
        action_due: form.due.clone(),
        action_owner: form.owner.clone(),
        ..Draft::default()
    };
    let action = match input(&form, &staff) {
        Ok(action) => action,
        Err(message) => return refuse(&state, &staff, problem, actions, message, draft).await,
    };
    match state
        .store
        .add_problem_action(&actor(&staff), problem.id, action, state.clock.now())
        .await
    {
        Ok(_) => Ok(back(&problem)),
        Err(error) => {
            let message = form_error(error)?;
            refuse(&state, &staff, problem, actions, message, draft).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct OwnerDueForm {
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due: String,
}

/// A new owner and due date for an item, keeping its title.
pub(super) async fn edit(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<OwnerDueForm>,
) -> PageResult {
    staff.require(manages)?;
    let (problem, actions, found) = item(&state, &staff, &id, &action).await?;
    let typed = ActionForm {
        title: found.title.clone(),
        owner: form.owner,
        due: form.due,
    };
    let input = match input(&typed, &staff) {
        Ok(input) => input,
        Err(message) => {
            return refuse(&state, &staff, problem, actions, message, Draft::default()).await;
        }
    };
    match state
        .store
        .update_problem_action(
            &actor(&staff),
            problem.id,
            found.id,
            input,
            state.clock.now(),
        )
        .await
    {
        Ok(_) => Ok(back(&problem)),
        Err(error) => {
            let message = form_error(error)?;
            refuse(&state, &staff, problem, actions, message, Draft::default()).await
        }
    }
}

async fn tick(state: AppState, staff: Staff, id: String, action: String, done: bool) -> PageResult {
    let (problem, _, found) = item(&state, &staff, &id, &action).await?;
    if !can_tick(&staff, &found) {
        return Err(PageError::Forbidden);
    }
    let now = state.clock.now();
    let who = actor(&staff);
    if done {
        state
            .store
            .complete_problem_action(&who, problem.id, found.id, now)
            .await?;
    } else {
        state
            .store
            .reopen_problem_action(&who, problem.id, found.id, now)
            .await?;
    }
    Ok(back(&problem))
}

pub(super) async fn done(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, action)): Path<(String, String)>,
) -> PageResult {
    tick(state, staff, id, action, true).await
}

pub(super) async fn reopen(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, action)): Path<(String, String)>,
) -> PageResult {
    tick(state, staff, id, action, false).await
}

pub(super) async fn delete(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, action)): Path<(String, String)>,
) -> PageResult {
    staff.require(manages)?;
    let (problem, _, found) = item(&state, &staff, &id, &action).await?;
    state
        .store
        .delete_problem_action(&actor(&staff), problem.id, found.id, state.clock.now())
        .await?;
    Ok(back(&problem))
}
