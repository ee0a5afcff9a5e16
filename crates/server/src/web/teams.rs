//! Console pages for teams: list, detail with members, create, edit, delete (admins change).

use super::list::{Choice, ListQuery, Pager};
use super::{Chrome, PageError, PageResult, Staff, render, see_other};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::access::TeamKind;
use domain::{Key, Name, OptionalText, Role, ValidationError};
use serde::Deserialize;
use store::{NewTeam, StoreError, Team, TeamFilter, TeamUpdate, UserRef};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/teams", get(list).post(create))
        .route("/teams/new", get(new_form))
        .route("/teams/{key}", get(detail))
        .route("/teams/{key}/edit", get(edit_form).post(update))
        .route("/teams/{key}/delete", post(delete))
}

fn kind_choices(current: &str) -> Vec<Choice> {
    Choice::list(
        TeamKind::ALL.iter().map(|k| (k.as_str(), k.label())),
        current,
    )
}

#[derive(Template)]
#[template(path = "teams/list.html")]
struct ListPage {
    chrome: Chrome,
    teams: Vec<Team>,
    search: String,
    kinds: Vec<Choice>,
    pager: Pager,
    can_edit: bool,
}

#[derive(Deserialize)]
struct TeamListQuery {
    #[serde(flatten)]
    list: ListQuery,
    kind: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<TeamListQuery>,
) -> PageResult {
    let kind = query.kind.clone().unwrap_or_default();
    let filter = TeamFilter {
        kind: TeamKind::parse(&kind).ok(),
    };
    let page = state
        .store
        .list_teams(&query.list.params(), &filter)
        .await?;
    let filters = [("q", query.list.search()), ("kind", kind.clone())];
    let view = ListPage {
        chrome: Chrome::for_staff(&staff, "/teams", &staff.time_zone),
        pager: Pager::new("/teams", &filters, &query.list, &page),
        teams: page.items,
        search: query.list.search(),
        kinds: kind_choices(&kind),
        can_edit: staff.user.role.can_administer(),
    };
    Ok(render(StatusCode::OK, &view))
}

#[derive(Template)]
#[template(path = "teams/detail.html")]
struct DetailPage {
    chrome: Chrome,
    team: Team,
    members: Vec<UserRef>,
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
    let team = state.store.team_by_key(&key).await?;
    let members = state.store.team_members(team.id).await?;
    let view = DetailPage {
        chrome: Chrome::for_staff(staff, "/teams", &staff.time_zone),
        team,
        members,
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

/// The fields of the team form, as typed.
#[derive(Deserialize, Default)]
struct TeamForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
}

#[derive(Template)]
#[template(path = "teams/form.html")]
struct FormPage {
    chrome: Chrome,
    editing: Option<String>,
    form: TeamForm,
    kinds: Vec<Choice>,
    error: Option<String>,
}

fn form_page(
    staff: &Staff,
    editing: Option<String>,
    form: TeamForm,
    error: Option<String>,
) -> FormPage {
    FormPage {
        chrome: Chrome::for_staff(staff, "/teams", &staff.time_zone),
        editing,
        kinds: kind_choices(&form.kind),
        form,
        error,
    }
}

async fn new_form(staff: Staff) -> PageResult {
    staff.require(Role::can_administer)?;
    let form = TeamForm {
        kind: TeamKind::Client.as_str().into(),
        ..TeamForm::default()
    };
    Ok(render(StatusCode::OK, &form_page(&staff, None, form, None)))
}

fn parse_new(form: &TeamForm) -> Result<NewTeam, ValidationError> {
    Ok(NewTeam {
        key: Key::parse("Key", &form.key)?,
        name: Name::parse("Name", &form.name)?,
        kind: TeamKind::parse(&form.kind)?,
        description: OptionalText::parse("Description", Some(&form.description), 2000)?,
    })
}

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<TeamForm>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let actor = super::actor(&staff);
    let result = match parse_new(&form) {
        Ok(team) => state
            .store
            .create_team(&actor, team)
            .await
            .map_err(form_error),
        Err(invalid) => Err(Ok(invalid.to_string())),
    };
    match result {
        Ok(team) => Ok(see_other(&format!("/teams/{}", team.key))),
        Err(Ok(message)) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(&staff, None, form, Some(message)),
        )),
        Err(Err(error)) => Err(error),
    }
}

/// Splits store errors into a message for the form (`Ok`) and a failure of the page (`Err`).
pub fn form_error(error: StoreError) -> Result<String, PageError> {
    match error {
        StoreError::Conflict(message) | StoreError::InUse(message) => Ok(message),
        StoreError::UnknownReference { .. } => Ok(error.to_string()),
        other => Err(other.into()),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let key = Key::parse("key", &key).map_err(|_| PageError::NotFound)?;
    let team = state.store.team_by_key(&key).await?;
    let form = TeamForm {
        key: team.key.to_string(),
        name: team.name,
        kind: team.kind.as_str().into(),
        description: team.description.unwrap_or_default(),
    };
    Ok(render(
        StatusCode::OK,
        &form_page(&staff, Some(key.to_string()), form, None),
    ))
}

async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
    Form(form): Form<TeamForm>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let key = Key::parse("key", &key).map_err(|_| PageError::NotFound)?;
    let parsed = (|| {
        Ok::<_, ValidationError>(TeamUpdate {
            name: Some(Name::parse("Name", &form.name)?),
            kind: Some(TeamKind::parse(&form.kind)?),
            description: Some(OptionalText::parse(
                "Description",
                Some(&form.description),
                2000,
            )?),
        })
    })();
    let result = match parsed {
        Ok(update) => state
            .store
            .update_team(&super::actor(&staff), &key, update)
            .await
            .map_err(form_error),
        Err(invalid) => Err(Ok(invalid.to_string())),
    };
    match result {
        Ok(team) => Ok(see_other(&format!("/teams/{}", team.key))),
        Err(Ok(message)) => {
            let form = TeamForm {
                key: key.to_string(),
                ..form
            };
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(&staff, Some(key.to_string()), form, Some(message)),
            ))
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
        .delete_team(&super::actor(&staff), &parsed)
        .await
    {
        Ok(()) => Ok(see_other("/teams")),
        Err(StoreError::InUse(message)) => {
            show(&state, &staff, &key, StatusCode::CONFLICT, Some(message)).await
        }
        Err(other) => Err(other.into()),
    }
}
