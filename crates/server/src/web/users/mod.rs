//! Console pages for staff accounts (admins only): list and detail here, the create and edit
//! form in [`form`], setting a password in [`password`].

mod form;
mod password;

use super::list::{Choice, ListQuery, Pager};
use super::{Chrome, PageError, PageResult, Staff, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::time::display_in;
use domain::{Role, UserId, ValidationError};
use serde::Deserialize;
use store::{ListParams, Team, TeamFilter, User, UserFilter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(list))
        .route("/users/{id}", get(detail))
        .merge(form::router())
        .merge(password::router())
}

/// `password: must be…` as `Password: must be…`.
pub(crate) fn readable(error: &ValidationError) -> String {
    let field = error.field.replace('_', " ");
    let mut chars = field.chars();
    let field: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => field,
    };
    format!("{field}: {}", error.message)
}

pub(super) fn role_choices(current: &str) -> Vec<Choice> {
    let labels = ["Administrator", "President", "Manager", "Member"];
    Choice::list(Role::ALL.iter().map(|r| r.as_str()).zip(labels), current)
}

/// Every team, for filters and checkboxes; teams are few, so all pages are read.
pub(crate) async fn all_teams(state: &AppState) -> Result<Vec<Team>, PageError> {
    let mut teams = Vec::new();
    let mut after_id = None;
    loop {
        let params = ListParams {
            after_id,
            limit: 500,
            ..ListParams::default()
        };
        let page = state
            .store
            .list_teams(&params, &TeamFilter::default())
            .await?;
        teams.extend(page.items);
        match page.next_after_id {
            Some(next) => after_id = Some(next),
            None => return Ok(teams),
        }
    }
}

pub(super) fn user_id(raw: &str) -> Result<UserId, PageError> {
    raw.parse::<i64>()
        .map(UserId)
        .map_err(|_| PageError::NotFound)
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    chrome: Chrome,
    users: Vec<User>,
    search: String,
    roles: Vec<Choice>,
    teams: Vec<Choice>,
    pager: Pager,
}

#[derive(Deserialize)]
struct UserListQuery {
    #[serde(flatten)]
    list: ListQuery,
    role: Option<String>,
    team: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<UserListQuery>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let role = query.role.clone().unwrap_or_default();
    let team = query.team.clone().unwrap_or_default();
    let teams = all_teams(&state).await?;
    let filter = UserFilter {
        role: Role::parse(&role).ok(),
        team: teams.iter().find(|t| t.key.as_str() == team).map(|t| t.id),
    };
    let page = state
        .store
        .list_users(&query.list.params(), &filter)
        .await?;
    let filters = [
        ("q", query.list.search()),
        ("role", role.clone()),
        ("team", team.clone()),
    ];
    let view = ListPage {
        chrome: Chrome::for_staff(&staff, "/users", &staff.time_zone),
        pager: Pager::new("/users", &filters, &query.list, &page),
        users: page.items,
        search: query.list.search(),
        roles: role_choices(&role),
        teams: Choice::list(
            teams.iter().map(|t| (t.key.as_str(), t.name.as_str())),
            &team,
        ),
    };
    Ok(render(StatusCode::OK, &view))
}

#[derive(Template)]
#[template(path = "users/detail.html")]
struct DetailPage {
    chrome: Chrome,
    user: User,
    created_at: String,
    updated_at: String,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
struct DetailQuery {
    saved: Option<String>,
}

async fn detail(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(query): Query<DetailQuery>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let user = state.store.user(user_id(&id)?).await?;
    let zone = staff.zone();
    let notice = match query.saved.as_deref() {
        Some("password") => Some("The password was set. Their open sessions were ended."),
        Some("user") => Some("Saved."),
        _ => None,
    };
    let view = DetailPage {
        chrome: Chrome::for_staff(&staff, "/users", &staff.time_zone),
        created_at: display_in(user.created_at, &zone),
        updated_at: display_in(user.updated_at, &zone),
        user,
        notice,
    };
    Ok(render(StatusCode::OK, &view))
}
