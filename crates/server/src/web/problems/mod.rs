//! Console pages for systemic problems: the list at `/problems` (filtered by status and owning
//! team, with counts of links and open and overdue action items), the form that creates or
//! edits one (`form`), one problem with its action plan, links, suggestions and timeline
//! (`detail`), and the forms that work it (`actions`, `links`). The "Link to problem" form of
//! the case and response pages is [`links::LinkForm`].
//!
//! Who may do what is decided here, following cases: administrators, the president and
//! managers oversee every case, so they also create and manage every problem (fields, status,
//! action plan, links). A member sees the problems of their teams, those they own and those
//! holding an action item of theirs; on those they add notes and mark their own action items
//! done or open again — the fix itself is planned by the people accountable for it.

mod actions;
mod detail;
mod form;
pub(crate) mod links;

use super::customers::all_teams;
use super::list::{Choice, ListQuery, Pager};
use super::{Chrome, PageError, PageResult, Staff, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::Role;
use domain::access::TeamKind;
use domain::improvement::problem::ProblemStatus;
use domain::time::display_in;
use serde::Deserialize;
use store::{Problem, ProblemAction, ProblemFilter, Team};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/problems", get(list).post(form::create))
        .route("/problems/new", get(form::new))
        .route("/problems/link", post(links::link_from_elsewhere))
        .route("/problems/{id}", get(detail::page))
        .route("/problems/{id}/edit", get(form::edit).post(form::save))
        .route("/problems/{id}/status", post(detail::status))
        .route("/problems/{id}/notes", post(detail::note))
        .route("/problems/{id}/actions", post(actions::add))
        .route("/problems/{id}/actions/{action}/done", post(actions::done))
        .route(
            "/problems/{id}/actions/{action}/reopen",
            post(actions::reopen),
        )
        .route("/problems/{id}/actions/{action}/edit", post(actions::edit))
        .route(
            "/problems/{id}/actions/{action}/delete",
            post(actions::delete),
        )
        .route("/problems/{id}/links", post(links::link))
        .route("/problems/{id}/unlink", post(links::unlink))
}

/// Creates and manages every problem: administrators, the president and managers.
pub(crate) fn manages(role: Role) -> bool {
    matches!(role, Role::Admin | Role::President | Role::Manager)
}

/// May see the problem: those who manage problems, members of its owning team, its owner,
/// and the owners of its action items.
fn can_view(staff: &Staff, problem: &Problem, actions: &[ProblemAction]) -> bool {
    manages(staff.user.role)
        || staff
            .user
            .teams
            .iter()
            .any(|t| t.id == problem.owner_team.id)
        || problem
            .owner_user
            .as_ref()
            .is_some_and(|u| u.id == staff.user.id)
        || actions
            .iter()
            .any(|a| a.owner.as_ref().is_some_and(|u| u.id == staff.user.id))
}

/// May mark this action item done or open again: who manages problems, and its owner.
fn can_tick(staff: &Staff, action: &ProblemAction) -> bool {
    manages(staff.user.role) || action.owner.as_ref().is_some_and(|u| u.id == staff.user.id)
}

/// The teams that may own a problem.
fn owning_teams(teams: Vec<Team>) -> Vec<Team> {
    teams
        .into_iter()
        .filter(|t| matches!(t.kind, TeamKind::Operations | TeamKind::KeySuccess))
        .collect()
}

/// The problem of `raw` (an id in the address) with its action plan, if `staff` may see it:
/// 404 or 403 otherwise.
pub(super) async fn load(
    state: &AppState,
    staff: &Staff,
    raw: &str,
) -> Result<(Problem, Vec<ProblemAction>), PageError> {
    let id: i64 = raw.trim().parse().map_err(|_| PageError::NotFound)?;
    let problem = state.store.problem(id, state.clock.now()).await?;
    let actions = state.store.problem_actions(id).await?;
    if can_view(staff, &problem, &actions) {
        Ok((problem, actions))
    } else {
        Err(PageError::Forbidden)
    }
}

/// The filters of the list's query string, as typed.
#[derive(Debug, Default, Deserialize)]
struct ProblemsQuery {
    #[serde(flatten)]
    list: ListQuery,
    status: Option<String>,
    team: Option<String>,
    /// `1` when "open only" is ticked; only read when `shown` says the form was sent.
    open: Option<String>,
    shown: Option<String>,
}

fn value(raw: &Option<String>) -> String {
    raw.as_deref().unwrap_or_default().trim().to_owned()
}

/// A problem as a row of the list.
struct Row {
    problem: Problem,
    updated_at: String,
    effort: Option<String>,
}

#[derive(Template)]
#[template(path = "problems/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    search: String,
    teams: Vec<Choice>,
    statuses: Vec<Choice>,
    open_only: bool,
    can_create: bool,
    pager: Pager,
}

/// Minor units as a plain number with two decimals (the organization's currency is not
/// stored with the estimate).
pub(super) fn effort_text(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, (minor % 100).abs())
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ProblemsQuery>,
) -> PageResult {
    let teams = owning_teams(all_teams(&state).await?);
    let typed_team = value(&query.team);
    let team = teams.iter().find(|t| t.key.as_str() == typed_team);
    let status = ProblemStatus::parse(&value(&query.status)).ok();
    let open_only = status.is_none() && (query.shown.is_none() || value(&query.open) == "1");
    let filter = ProblemFilter {
        status,
        open_only,
        owner_team: team.map(|t| t.id),
        visible_to: (!manages(staff.user.role)).then_some(staff.user.id),
    };
    let now = state.clock.now();
    let params = query.list.params();
    let page = state.store.list_problems(&params, &filter, now).await?;
    let team_key = team.map(|t| t.key.to_string()).unwrap_or_default();
    let status_key = status.map(|s| s.as_str().to_owned()).unwrap_or_default();
    let pairs = vec![
        ("status", status_key.clone()),
        ("team", team_key.clone()),
        ("shown", "1".to_owned()),
        ("open", if open_only { "1".into() } else { String::new() }),
        ("q", query.list.search()),
    ];
    let zone = staff.zone();
    let view = ListPage {
        chrome: Chrome::for_staff(&staff, "/problems", &staff.time_zone),
        pager: Pager::new("/problems", &pairs, &query.list, &page),
        rows: page
            .items
            .into_iter()
            .map(|problem| Row {
                updated_at: display_in(problem.updated_at, &zone),
                effort: problem.effort_minor.map(effort_text),
                problem,
            })
            .collect(),
        search: query.list.search(),
        teams: Choice::list(
            teams.iter().map(|t| (t.key.as_str(), t.name.as_str())),
            &team_key,
        ),
        statuses: Choice::list(
            ProblemStatus::ALL.iter().map(|s| (s.as_str(), s.label())),
            &status_key,
        ),
        open_only,
        can_create: manages(staff.user.role),
    };
    Ok(render(StatusCode::OK, &view))
}
