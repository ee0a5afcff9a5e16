//! Console pages for touchpoints (the points of connection with customers): list, detail,
//! create, edit, delete (admins change).

use super::customers::{all_teams, team_choices};
use super::list::{Choice, ListQuery, Pager};
use super::teams::form_error;
use super::{Chrome, PageError, PageResult, Staff, render, see_other};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::{Key, Name, OptionalText, Role, ValidationError};
use serde::Deserialize;
use store::{NewTouchpoint, StoreError, Touchpoint, TouchpointUpdate};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/touchpoints", get(list).post(create))
        .route("/touchpoints/new", get(new_form))
        .route("/touchpoints/{key}", get(detail))
        .route("/touchpoints/{key}/edit", get(edit_form).post(update))
        .route("/touchpoints/{key}/delete", post(delete))
}

#[derive(Template)]
#[template(path = "touchpoints/list.html")]
struct ListPage {
    chrome: Chrome,
    touchpoints: Vec<Touchpoint>,
    search: String,
    pager: Pager,
    can_edit: bool,
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let page = state.store.list_touchpoints(&query.params()).await?;
    let filters = [("q", query.search())];
    let view = ListPage {
        chrome: Chrome::for_staff(&staff, "/touchpoints", &staff.time_zone),
        pager: Pager::new("/touchpoints", &filters, &query, &page),
        touchpoints: page.items,
        search: query.search(),
        can_edit: staff.user.role.can_administer(),
    };
    Ok(render(StatusCode::OK, &view))
}

#[derive(Template)]
#[template(path = "touchpoints/detail.html")]
struct DetailPage {
    chrome: Chrome,
    touchpoint: Touchpoint,
    can_edit: bool,
    error: Option<String>,
}

async fn show(
    state: &AppState,
    staff: &Staff,
    key: &str,
    status: StatusCode,
    error: Option<String>,
) -> PageResult {
    let key = Key::parse("key", key).map_err(|_| PageError::NotFound)?;
    let touchpoint = state.store.touchpoint_by_key(&key).await?;
    let view = DetailPage {
        chrome: Chrome::for_staff(staff, "/touchpoints", &staff.time_zone),
        touchpoint,
        can_edit: staff.user.role.can_administer(),
        error,
    };
    Ok(render(status, &view))
}

async fn detail(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
) -> PageResult {
    show(&state, &staff, &key, StatusCode::OK, None).await
}

/// The fields of the touchpoint form, as typed.
#[derive(Deserialize, Default)]
struct TouchpointForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    team: String,
}

impl TouchpointForm {
    fn description(&self) -> Result<Option<String>, ValidationError> {
        OptionalText::parse("Description", Some(&self.description), 2000)
    }

    /// The owning team's key; blank means no owning team.
    fn team(&self) -> Result<Option<Key>, ValidationError> {
        Some(self.team.trim())
            .filter(|t| !t.is_empty())
            .map(|t| Key::parse("Team", t))
            .transpose()
    }
}

#[derive(Template)]
#[template(path = "touchpoints/form.html")]
struct FormPage {
    chrome: Chrome,
    editing: Option<String>,
    form: TouchpointForm,
    teams: Vec<Choice>,
    error: Option<String>,
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    editing: Option<String>,
    form: TouchpointForm,
    error: Option<String>,
) -> Result<FormPage, PageError> {
    let teams = all_teams(state).await?;
    Ok(FormPage {
        chrome: Chrome::for_staff(staff, "/touchpoints", &staff.time_zone),
        editing,
        teams: team_choices(&teams, &form.team),
        form,
        error,
    })
}

async fn new_form(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(Role::can_administer)?;
    let page = form_page(&state, &staff, None, TouchpointForm::default(), None).await?;
    Ok(render(StatusCode::OK, &page))
}

fn parse_new(form: &TouchpointForm) -> Result<NewTouchpoint, ValidationError> {
    Ok(NewTouchpoint {
        key: Key::parse("Key", &form.key)?,
        name: Name::parse("Name", &form.name)?,
        description: form.description()?,
        team: form.team()?,
    })
}

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<TouchpointForm>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let actor = super::actor(&staff);
    let result = match parse_new(&form) {
        Ok(touchpoint) => state
            .store
            .create_touchpoint(&actor, touchpoint)
            .await
            .map_err(form_error),
        Err(invalid) => Err(Ok(invalid.to_string())),
    };
    match result {
        Ok(touchpoint) => Ok(see_other(&format!("/touchpoints/{}", touchpoint.key))),
        Err(Ok(message)) => {
            let page = form_page(&state, &staff, None, form, Some(message)).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(Err(error)) => Err(error),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let key = Key::parse("key", &key).map_err(|_| PageError::NotFound)?;
    let touchpoint = state.store.touchpoint_by_key(&key).await?;
    let form = TouchpointForm {
        key: touchpoint.key.to_string(),
        name: touchpoint.name,
        description: touchpoint.description.unwrap_or_default(),
        team: touchpoint.team.map(|t| t.key).unwrap_or_default(),
    };
    let page = form_page(&state, &staff, Some(key.to_string()), form, None).await?;
    Ok(render(StatusCode::OK, &page))
}

async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
    Form(form): Form<TouchpointForm>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let key = Key::parse("key", &key).map_err(|_| PageError::NotFound)?;
    let parsed = (|| {
        Ok::<_, ValidationError>(TouchpointUpdate {
            name: Some(Name::parse("Name", &form.name)?),
            description: Some(form.description()?),
            team: Some(form.team()?),
            invitation_min_days: None,
        })
    })();
    let result = match parsed {
        Ok(update) => state
            .store
            .update_touchpoint(&super::actor(&staff), &key, update)
            .await
            .map_err(form_error),
        Err(invalid) => Err(Ok(invalid.to_string())),
    };
    match result {
        Ok(touchpoint) => Ok(see_other(&format!("/touchpoints/{}", touchpoint.key))),
        Err(Ok(message)) => {
            let form = TouchpointForm {
                key: key.to_string(),
                ..form
            };
            let editing = Some(key.to_string());
            let page = form_page(&state, &staff, editing, form, Some(message)).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(Err(error)) => Err(error),
    }
}

async fn delete(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let parsed = Key::parse("key", &key).map_err(|_| PageError::NotFound)?;
    match state
        .store
        .delete_touchpoint(&super::actor(&staff), &parsed)
        .await
    {
        Ok(()) => Ok(see_other("/touchpoints")),
        Err(StoreError::InUse(message)) => {
            show(&state, &staff, &key, StatusCode::CONFLICT, Some(message)).await
        }
        Err(other) => Err(other.into()),
    }
}
