//! The staff form: create a staff member, or edit one (an administrator cannot lock themselves
//! out).

use super::{all_teams, readable, role_choices, user_id};
use crate::security::hash_password;
use crate::state::AppState;
use crate::web::list::Choice;
use crate::web::teams::form_error;
use crate::web::{Chrome, PageError, PageResult, Staff, render, see_other};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::{Email, ExternalId, Name, Password, Role, TeamId, ValidationError};
use store::{NewUser, Team, User, UserUpdate};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/users", post(create))
        .route("/users/new", get(new_form))
        .route("/users/{id}/edit", get(edit_form).post(update))
}

/// A form field that failed (`Ok`, shown on the form) or a failure of the page (`Err`).
type Outcome<T> = Result<T, Result<String, PageError>>;

fn invalid(error: ValidationError) -> Result<String, PageError> {
    Ok(readable(&error))
}

/// The fields of the staff form, as typed. The password is never shown again.
#[derive(Default)]
struct UserForm {
    email: String,
    name: String,
    role: String,
    external_id: String,
    teams: Vec<String>,
    active: bool,
    password: String,
}

impl UserForm {
    /// Reads the posted pairs; team checkboxes repeat the `teams` field.
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = UserForm::default();
        for (field, value) in pairs {
            match field.as_str() {
                "email" => form.email = value,
                "name" => form.name = value,
                "role" => form.role = value,
                "external_id" => form.external_id = value,
                "teams" => form.teams.push(value),
                "active" => form.active = true,
                "password" => form.password = value,
                _ => {}
            }
        }
        form
    }

    fn external_id(&self) -> Result<Option<ExternalId>, ValidationError> {
        let raw = self.external_id.trim();
        (!raw.is_empty())
            .then(|| ExternalId::parse("Staff id", raw))
            .transpose()
    }

    fn team_ids(&self, teams: &[Team]) -> Result<Vec<TeamId>, ValidationError> {
        self.teams
            .iter()
            .map(|key| {
                teams
                    .iter()
                    .find(|t| t.key.as_str() == key)
                    .map(|t| t.id)
                    .ok_or_else(|| ValidationError::new("Teams", format!("no team {key:?}")))
            })
            .collect()
    }
}

/// A team checkbox on the staff form.
struct TeamCheck {
    key: String,
    name: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "users/form.html")]
struct FormPage {
    chrome: Chrome,
    /// The user being edited, or `None` on the create form.
    editing: Option<User>,
    form: UserForm,
    roles: Vec<Choice>,
    teams: Vec<TeamCheck>,
    error: Option<String>,
}

fn form_page(
    staff: &Staff,
    editing: Option<User>,
    mut form: UserForm,
    teams: &[Team],
    error: Option<String>,
) -> FormPage {
    form.password.clear();
    FormPage {
        chrome: Chrome::for_staff(staff, "/users", &staff.time_zone),
        editing,
        roles: role_choices(&form.role),
        teams: teams
            .iter()
            .map(|t| TeamCheck {
                key: t.key.to_string(),
                name: t.name.clone(),
                checked: form.teams.iter().any(|k| k == t.key.as_str()),
            })
            .collect(),
        form,
        error,
    }
}

fn form_response(page: &FormPage, outcome: Result<String, PageError>) -> PageResult {
    match outcome {
        Ok(_) => Ok(render(StatusCode::UNPROCESSABLE_ENTITY, page)),
        Err(error) => Err(error),
    }
}

async fn new_form(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(Role::can_administer)?;
    let form = UserForm {
        role: Role::Member.as_str().into(),
        active: true,
        ..UserForm::default()
    };
    let teams = all_teams(&state).await?;
    Ok(render(
        StatusCode::OK,
        &form_page(&staff, None, form, &teams, None),
    ))
}

fn parse_new(form: &UserForm, teams: &[Team]) -> Outcome<NewUser> {
    let password = match form.password.as_str() {
        "" => None,
        raw => Some(Password::parse(raw).map_err(invalid)?),
    };
    let password_hash = match password {
        Some(password) => Some(hash_password(&password).map_err(|e| Err(e.into()))?),
        None => None,
    };
    Ok(NewUser {
        email: Email::parse("E-mail", &form.email).map_err(invalid)?,
        name: Name::parse("Name", &form.name).map_err(invalid)?,
        role: Role::parse(&form.role).map_err(invalid)?,
        external_id: form.external_id().map_err(invalid)?,
        password_hash,
        teams: form.team_ids(teams).map_err(invalid)?,
    })
}

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let form = UserForm::from_pairs(pairs);
    let teams = all_teams(&state).await?;
    let created = match parse_new(&form, &teams) {
        Ok(user) => state
            .store
            .create_user(&crate::web::actor(&staff), user)
            .await
            .map_err(form_error),
        Err(outcome) => Err(outcome),
    };
    match created {
        Ok(user) => Ok(see_other(&format!("/users/{}", user.id))),
        Err(outcome) => {
            let message = outcome.as_ref().ok().cloned();
            form_response(&form_page(&staff, None, form, &teams, message), outcome)
        }
    }
}

async fn edit_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let user = state.store.user(user_id(&id)?).await?;
    let form = UserForm {
        email: user.email.to_string(),
        name: user.name.clone(),
        role: user.role.as_str().into(),
        external_id: user.external_id.clone().unwrap_or_default(),
        teams: user.teams.iter().map(|t| t.key.clone()).collect(),
        active: user.active,
        password: String::new(),
    };
    let teams = all_teams(&state).await?;
    Ok(render(
        StatusCode::OK,
        &form_page(&staff, Some(user), form, &teams, None),
    ))
}

/// An administrator must not lock themselves out by accident.
fn check_self(staff: &Staff, user: &User, update: &UserUpdate) -> Result<(), ValidationError> {
    if staff.user.id != user.id {
        return Ok(());
    }
    if update.active == Some(false) {
        return Err(ValidationError::new(
            "Active",
            "you cannot deactivate your own account; ask another administrator",
        ));
    }
    if update.role.is_some_and(|r| !r.can_administer()) {
        return Err(ValidationError::new(
            "Role",
            "you cannot remove your own administrator role; ask another administrator",
        ));
    }
    Ok(())
}

fn parse_update(form: &UserForm, teams: &[Team]) -> Result<UserUpdate, ValidationError> {
    Ok(UserUpdate {
        name: Some(Name::parse("Name", &form.name)?),
        role: Some(Role::parse(&form.role)?),
        external_id: Some(form.external_id()?),
        teams: Some(form.team_ids(teams)?),
        active: Some(form.active),
    })
}

async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let user = state.store.user(user_id(&id)?).await?;
    let form = UserForm::from_pairs(pairs);
    let teams = all_teams(&state).await?;
    let parsed = parse_update(&form, &teams).and_then(|update| {
        check_self(&staff, &user, &update)?;
        Ok(update)
    });
    let updated = match parsed {
        Ok(update) => state
            .store
            .update_user(&crate::web::actor(&staff), user.id, update)
            .await
            .map_err(form_error),
        Err(error) => Err(invalid(error)),
    };
    match updated {
        Ok(user) => Ok(see_other(&format!("/users/{}?saved=user", user.id))),
        Err(outcome) => {
            let message = outcome.as_ref().ok().cloned();
            let page = form_page(&staff, Some(user), form, &teams, message);
            form_response(&page, outcome)
        }
    }
}
