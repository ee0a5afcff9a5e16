//! Console pages for recovery cases: the queues at `/cases` (with the CSV export of a filtered
//! queue in `export`), one case with its customer, history and timeline (`detail`), and the
//! forms that work it (`actions`). Who may work which case is decided here, in [`can_work`].

mod actions;
mod detail;
mod export;

use super::customers::all_teams;
use super::list::{Choice, ListQuery, Pager};
use super::{Chrome, PageError, PageResult, Staff, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::access::TeamKind;
use domain::recovery::sla::{EscalationLevel, countdown};
use domain::recovery::{CaseStatus, Priority};
use domain::time::display_in;
use domain::{Role, TeamId};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use store::{Case, CaseFilter, Team};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list))
        .route("/cases/export.csv", get(export::csv))
        .route("/cases/{id}", get(detail::page))
        .route("/cases/{id}/notes", post(actions::note))
        .route("/cases/{id}/contact", post(actions::contact))
        .route("/cases/{id}/resolve", post(actions::resolve))
        .route("/cases/{id}/close", post(actions::close))
        .route("/cases/{id}/reopen", post(actions::reopen))
        .route("/cases/{id}/assign", post(actions::assign))
        .route("/cases/{id}/take", post(actions::take))
}

/// May see and work every case: administrators, the president and managers.
fn oversees(role: Role) -> bool {
    matches!(role, Role::Admin | Role::President | Role::Manager)
}

/// Whether `staff` belongs to a team of kind key success (`teams` is every team).
fn in_key_success(staff: &Staff, teams: &[Team]) -> bool {
    teams
        .iter()
        .filter(|t| t.kind == TeamKind::KeySuccess)
        .any(|t| staff.user.teams.iter().any(|mine| mine.id == t.id))
}

fn is_mine(staff: &Staff, team: Option<TeamId>) -> bool {
    team.is_some_and(|team| staff.user.teams.iter().any(|t| t.id == team))
}

/// Who may work a case. Administrators, the president and managers: any case. Members of a
/// key success team: any case too, since their queue is every case. Other members: cases
/// owned by one of their teams, on a touchpoint of one of their teams (operations), or
/// assigned to them.
pub(super) fn can_work(staff: &Staff, case: &Case, key_success: bool) -> bool {
    oversees(staff.user.role)
        || key_success
        || is_mine(staff, case.owner_team.as_ref().map(|t| t.id))
        || is_mine(staff, case.operations_team.as_ref().map(|t| t.id))
        || case
            .owner_user
            .as_ref()
            .is_some_and(|u| u.id == staff.user.id)
}

/// The queues of the list page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Queue {
    Mine,
    Teams,
    Operations,
    KeySuccess,
    All,
}

impl Queue {
    const ALL: [Queue; 5] = [
        Queue::Mine,
        Queue::Teams,
        Queue::Operations,
        Queue::KeySuccess,
        Queue::All,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Queue::Mine => "mine",
            Queue::Teams => "teams",
            Queue::Operations => "operations",
            Queue::KeySuccess => "key_success",
            Queue::All => "all",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Queue::Mine => "Mine",
            Queue::Teams => "My teams",
            Queue::Operations => "Operations",
            Queue::KeySuccess => "Key success",
            Queue::All => "All",
        }
    }

    fn visible(self, staff: &Staff, key_success: bool) -> bool {
        match self {
            Queue::Mine | Queue::Teams | Queue::Operations => true,
            Queue::KeySuccess => {
                key_success || matches!(staff.user.role, Role::Admin | Role::President)
            }
            Queue::All => oversees(staff.user.role),
        }
    }

    /// Members start on their teams' queue, everyone who oversees on all cases.
    fn default_for(staff: &Staff) -> Queue {
        if oversees(staff.user.role) {
            Queue::All
        } else if staff.user.teams.is_empty() {
            Queue::Mine
        } else {
            Queue::Teams
        }
    }
}

/// The filters of the list's query string, as typed (also those of the export).
#[derive(Debug, Default, Deserialize)]
struct CasesQuery {
    #[serde(flatten)]
    list: ListQuery,
    queue: Option<String>,
    team: Option<String>,
    status: Option<String>,
    /// `1` when "open only" is ticked; only read when `shown` says the form was sent.
    open: Option<String>,
    shown: Option<String>,
    overdue: Option<String>,
    priority: Option<String>,
}

fn value(raw: &Option<String>) -> String {
    raw.as_deref().unwrap_or_default().trim().to_owned()
}

/// A filtered queue: the store filter (`None` matches nothing: a team queue without a team)
/// and what the filter form shows.
struct Resolved {
    queue: Queue,
    filter: Option<CaseFilter>,
    team: String,
    teams: Vec<Choice>,
    status: String,
    open_only: bool,
    overdue: bool,
    priority: String,
    tabs: Vec<Tab>,
    notice: Option<&'static str>,
}

impl Resolved {
    /// The query pairs that reproduce this view, for paging and export links.
    fn pairs(&self, search: String) -> Vec<(&'static str, String)> {
        let flag = |on: bool| if on { "1".to_owned() } else { String::new() };
        vec![
            ("queue", self.queue.as_str().to_owned()),
            ("team", self.team.clone()),
            ("status", self.status.clone()),
            ("shown", "1".to_owned()),
            ("open", flag(self.open_only)),
            ("overdue", flag(self.overdue)),
            ("priority", self.priority.clone()),
            ("q", search),
        ]
    }
}

/// A queue's tab.
struct Tab {
    href: String,
    label: &'static str,
    active: bool,
}

async fn resolve(
    state: &AppState,
    staff: &Staff,
    query: &CasesQuery,
) -> Result<Resolved, PageError> {
    let teams = all_teams(state).await?;
    let key_success = in_key_success(staff, &teams);
    let queue = match Queue::ALL
        .into_iter()
        .find(|q| q.as_str() == value(&query.queue))
    {
        Some(queue) if queue.visible(staff, key_success) => queue,
        Some(_) => return Err(PageError::Forbidden),
        None => Queue::default_for(staff),
    };
    let mine: Vec<&Team> = teams
        .iter()
        .filter(|t| is_mine(staff, Some(t.id)))
        .collect();
    let selectable: Vec<&Team> = match queue {
        Queue::Mine => Vec::new(),
        Queue::Teams | Queue::Operations => mine,
        Queue::KeySuccess | Queue::All => teams.iter().collect(),
    };
    let typed = value(&query.team);
    let mut chosen = selectable.iter().find(|t| t.key.as_str() == typed).copied();
    if chosen.is_none() && matches!(queue, Queue::Teams | Queue::Operations) {
        chosen = selectable.first().copied();
    }
    let team = chosen.map(|t| t.key.to_string()).unwrap_or_default();
    let status = CaseStatus::parse(&value(&query.status)).ok();
    let priority = Priority::parse(&value(&query.priority)).ok();
    let open_only = status.is_none() && (query.shown.is_none() || value(&query.open) == "1");
    let overdue = value(&query.overdue) == "1";
    let mut filter = Some(CaseFilter {
        status,
        open_only,
        priority,
        overdue_at: overdue.then(|| state.clock.now()),
        ..CaseFilter::default()
    });
    let mut notice = None;
    if let Some(f) = filter.as_mut() {
        match queue {
            Queue::Mine => f.owner_user = Some(staff.user.id),
            Queue::Operations => f.operations_team = chosen.map(|t| t.id),
            Queue::Teams | Queue::KeySuccess | Queue::All => f.owner_team = chosen.map(|t| t.id),
        }
    }
    if matches!(queue, Queue::Teams | Queue::Operations) && chosen.is_none() {
        filter = None;
        notice = Some("You do not belong to any team yet, so this queue is empty.");
    }
    let tabs = Queue::ALL
        .into_iter()
        .filter(|q| q.visible(staff, key_success))
        .map(|q| Tab {
            href: format!("/cases?queue={}", q.as_str()),
            label: q.label(),
            active: q == queue,
        })
        .collect();
    Ok(Resolved {
        queue,
        filter,
        teams: Choice::list(
            selectable.iter().map(|t| (t.key.as_str(), t.name.as_str())),
            &team,
        ),
        team,
        status: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        open_only,
        overdue,
        priority: priority.map(|p| p.as_str().to_owned()).unwrap_or_default(),
        tabs,
        notice,
    })
}

/// Where one SLA clock stands, as shown.
pub(super) struct Clock {
    pub text: String,
    pub overdue: bool,
}

impl Clock {
    /// `met` is when the clock was stopped (first contact, resolution), if it was.
    fn new(
        due: Timestamp,
        met: Option<Timestamp>,
        breached: bool,
        open: bool,
        now: Timestamp,
    ) -> Self {
        match met {
            Some(_) if breached => Self {
                text: "met late".into(),
                overdue: true,
            },
            Some(_) => Self {
                text: "met".into(),
                overdue: false,
            },
            None if !open => Self {
                text: "—".into(),
                overdue: breached,
            },
            None => Self {
                text: countdown(due, now),
                overdue: breached || now >= due,
            },
        }
    }

    pub(super) fn first_contact(case: &Case, now: Timestamp) -> Self {
        Self::new(
            case.first_contact_due_at,
            case.first_contacted_at,
            case.first_contact_breached,
            case.status.is_open(),
            now,
        )
    }

    pub(super) fn resolution(case: &Case, now: Timestamp) -> Self {
        Self::new(
            case.resolution_due_at,
            case.resolved_at,
            case.resolution_breached,
            case.status.is_open(),
            now,
        )
    }
}

/// A case as a row of a queue.
pub(super) struct Row {
    pub case: Case,
    pub opened_at: String,
    pub first_contact: Clock,
    pub resolution: Clock,
    pub escalation: &'static str,
}

impl Row {
    pub(super) fn new(case: Case, now: Timestamp, zone: &TimeZone) -> Self {
        Self {
            opened_at: display_in(case.opened_at, zone),
            first_contact: Clock::first_contact(&case, now),
            resolution: Clock::resolution(&case, now),
            escalation: EscalationLevel::from_index(case.escalation_level).label(),
            case,
        }
    }
}

#[derive(Template)]
#[template(path = "cases/list.html")]
struct ListPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    queue: &'static str,
    rows: Vec<Row>,
    search: String,
    teams: Vec<Choice>,
    statuses: Vec<Choice>,
    priorities: Vec<Choice>,
    open_only: bool,
    overdue: bool,
    notice: Option<&'static str>,
    export: String,
    pager: Pager,
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<CasesQuery>,
) -> PageResult {
    let resolved = resolve(&state, &staff, &query).await?;
    let page = match &resolved.filter {
        Some(filter) => state.store.list_cases(&query.list.params(), filter).await?,
        None => store::Page {
            items: Vec::new(),
            next_after_id: None,
        },
    };
    let pairs = resolved.pairs(query.list.search());
    let encoded: Vec<(&str, String)> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .cloned()
        .collect();
    let now = state.clock.now();
    let zone = staff.zone();
    let view = ListPage {
        chrome: Chrome::for_staff(&staff, "/cases", &staff.time_zone),
        pager: Pager::new("/cases", &pairs, &query.list, &page),
        export: format!(
            "/cases/export.csv?{}",
            serde_urlencoded::to_string(&encoded).unwrap_or_default()
        ),
        rows: page
            .items
            .into_iter()
            .map(|c| Row::new(c, now, &zone))
            .collect(),
        search: query.list.search(),
        tabs: resolved.tabs,
        queue: resolved.queue.as_str(),
        teams: resolved.teams,
        statuses: Choice::list(
            CaseStatus::ALL.iter().map(|s| (s.as_str(), s.label())),
            &resolved.status,
        ),
        priorities: Choice::list(
            Priority::ALL.iter().map(|p| (p.as_str(), p.label())),
            &resolved.priority,
        ),
        open_only: resolved.open_only,
        overdue: resolved.overdue,
        notice: resolved.notice,
    };
    Ok(render(StatusCode::OK, &view))
}
