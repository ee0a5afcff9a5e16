//! The forms that work a case: a note, the first contact, the resolution, closing, reopening,
//! reassignment (managers, presidents, administrators) and "assign to me". Each one redirects
//! back to the case; a refused one shows the case again with the message (422).

use super::detail::{Draft, View, load, show};
use super::oversees;
use crate::api::cases::resolution;
use crate::state::AppState;
use crate::web::customers::all_teams;
use crate::web::teams::form_error;
use crate::web::{PageError, PageResult, Staff, actor, see_other};
use axum::extract::{Form, Path, State};
use domain::{OptionalText, UserId};
use serde::Deserialize;
use store::{Case, CaseChange};

/// Notes, contact logs, resolutions and reasons are at most this long.
const MAX_TEXT: usize = 4000;

/// Makes the change, or shows the case again with why it was refused.
async fn apply(
    state: &AppState,
    staff: &Staff,
    case: Case,
    change: Result<CaseChange, String>,
    draft: Draft,
) -> PageResult {
    let change = match change {
        Ok(change) => change,
        Err(message) => return show(state, staff, case, View::refused(message, draft)).await,
    };
    let policy = crate::recovery::case_policy(state).await?;
    let id = case.id;
    match state
        .store
        .change_case(&actor(staff), id, change, &policy)
        .await
    {
        Ok(_) => {
            state.wake.deliveries.notify_one();
            state.wake.emails.notify_one();
            Ok(see_other(&format!("/cases/{id}")))
        }
        Err(error) => {
            let message = form_error(error)?;
            show(state, staff, case, View::refused(message, draft)).await
        }
    }
}

fn text(field: &'static str, raw: &str) -> Result<Option<String>, String> {
    OptionalText::parse(field, Some(raw), MAX_TEXT).map_err(|e| e.to_string())
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct NoteForm {
    #[serde(default)]
    note: String,
}

pub(super) async fn note(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> PageResult {
    let case = load(&state, &staff, &id).await?;
    let change = text("note", &form.note).and_then(|note| {
        note.map(CaseChange::Note)
            .ok_or_else(|| "Write the note before adding it.".to_owned())
    });
    let draft = Draft {
        note: form.note,
        ..Draft::default()
    };
    apply(&state, &staff, case, change, draft).await
}

pub(super) async fn contact(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> PageResult {
    let case = load(&state, &staff, &id).await?;
    let change = text("note", &form.note).map(CaseChange::Contacted);
    let draft = Draft {
        contact: form.note,
        ..Draft::default()
    };
    apply(&state, &staff, case, change, draft).await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ResolveForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    root_cause: String,
}

pub(super) async fn resolve(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<ResolveForm>,
) -> PageResult {
    let case = load(&state, &staff, &id).await?;
    let change = if form.root_cause.trim().is_empty() {
        Err("Choose the root cause.".to_owned())
    } else {
        resolution(&form.note, &form.root_cause).map_err(|e| e.to_string())
    };
    let draft = Draft {
        resolution: form.note,
        root_cause: form.root_cause,
        ..Draft::default()
    };
    apply(&state, &staff, case, change, draft).await
}

pub(super) async fn close(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    let case = load(&state, &staff, &id).await?;
    apply(
        &state,
        &staff,
        case,
        Ok(CaseChange::Close),
        Draft::default(),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ReopenForm {
    #[serde(default)]
    reason: String,
}

pub(super) async fn reopen(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<ReopenForm>,
) -> PageResult {
    let case = load(&state, &staff, &id).await?;
    let change = text("reason", &form.reason).and_then(|reason| {
        reason
            .map(CaseChange::Reopen)
            .ok_or_else(|| "Say why the case is reopened.".to_owned())
    });
    let draft = Draft {
        reason: form.reason,
        ..Draft::default()
    };
    apply(&state, &staff, case, change, draft).await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct AssignForm {
    #[serde(default)]
    team: String,
    #[serde(default)]
    user: String,
}

/// Managers, presidents and administrators give the case to a team and, optionally, one of
/// its members.
pub(super) async fn assign(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<AssignForm>,
) -> PageResult {
    if !oversees(staff.user.role) {
        return Err(PageError::Forbidden);
    }
    let case = load(&state, &staff, &id).await?;
    let teams = all_teams(&state).await?;
    let Some(team) = teams.iter().find(|t| t.key.as_str() == form.team.trim()) else {
        let change = Err("Choose the team to give the case to.".to_owned());
        return apply(&state, &staff, case, change, Draft::default()).await;
    };
    let user = match form.user.trim() {
        "" => None,
        raw => Some(
            raw.parse::<i64>()
                .map(UserId)
                .map_err(|_| PageError::NotFound)?,
        ),
    };
    let members = state.store.team_members(team.id).await?;
    let change = match user {
        Some(user) if !members.iter().any(|m| m.id == user) => Err(format!(
            "That person is not a member of {}; choose one of its members.",
            team.name
        )),
        _ => Ok(CaseChange::Assign {
            team: Some(team.id),
            user,
        }),
    };
    apply(&state, &staff, case, change, Draft::default()).await
}

/// Anyone who may work the case takes it, keeping its team.
pub(super) async fn take(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    let case = load(&state, &staff, &id).await?;
    let change = CaseChange::Assign {
        team: case.owner_team.as_ref().map(|t| t.id),
        user: Some(staff.user.id),
    };
    apply(&state, &staff, case, Ok(change), Draft::default()).await
}
