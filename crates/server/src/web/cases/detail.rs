//! One case in full: its clocks and owner, the customer and the response that opened it, the
//! customer's history (other cases, transactions, responses), the follow-up, the timeline, and
//! the forms that work it. Refused forms show the page again with the message and the text typed.

use super::{Clock, Row, can_work, in_key_success, oversees};
use crate::state::AppState;
use crate::web::customers::all_teams;
use crate::web::list::Choice;
use crate::web::responses::{Row as ResponseRow, theme_label};
use crate::web::transactions::Row as TransactionRow;
use crate::web::{Chrome, PageError, PageResult, Staff, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::recovery::CaseStatus;
use domain::recovery::cases::RootCause;
use domain::recovery::sla::EscalationLevel;
use domain::survey::ScoreBand;
use domain::time::display_in;
use jiff::Timestamp;
use serde::Deserialize;
use store::{
    Case, CaseEvent, CaseFilter, Customer, ListParams, Response, ResponseFilter, StoreError,
    TransactionFilter,
};

/// What the forms typed, shown again when one of them is refused.
#[derive(Debug, Default)]
pub(super) struct Draft {
    pub note: String,
    pub contact: String,
    pub resolution: String,
    pub root_cause: String,
    pub reason: String,
}

/// The case of `raw` (an id in the address) if `staff` may work it: 404 or 403 otherwise.
pub(super) async fn load(state: &AppState, staff: &Staff, raw: &str) -> Result<Case, PageError> {
    let id: i64 = raw.trim().parse().map_err(|_| PageError::NotFound)?;
    let case = state.store.case(id).await?;
    let teams = all_teams(state).await?;
    if can_work(staff, &case, in_key_success(staff, &teams)) {
        Ok(case)
    } else {
        Err(PageError::Forbidden)
    }
}

/// A clock with its deadline and when it was met.
struct ClockView {
    due: String,
    met: Option<String>,
    state: Clock,
    breached: bool,
}

struct Event {
    at: String,
    kind: &'static str,
    actor: String,
    body: Option<String>,
}

fn event_label(kind: &str) -> &'static str {
    match kind {
        "opened" => "Opened",
        "alert" => "Alert",
        "note" => "Note",
        "status" => "Status",
        "assigned" => "Assigned",
        "escalated" => "Escalated",
        "breached" => "Clock run out",
        "followup_sent" => "Follow-up sent",
        "followup_answered" => "Follow-up answered",
        _ => "Event",
    }
}

/// The response that opened the case, as shown.
struct Opening {
    r: Response,
    when: String,
    band: Option<&'static str>,
    themes: Vec<String>,
}

/// The reassignment form: the team whose members are offered, and its members.
struct Reassign {
    teams: Vec<Choice>,
    team: String,
    team_name: String,
    members: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "cases/detail.html")]
struct DetailPage {
    chrome: Chrome,
    case: Case,
    escalation: &'static str,
    opened_at: String,
    clock_started_at: String,
    first_contact: ClockView,
    resolution: ClockView,
    closed_at: Option<String>,
    root_cause: Option<String>,
    followup_sent_at: Option<String>,
    followup_answered_at: Option<String>,
    customer: Option<Customer>,
    opening: Option<Opening>,
    other_cases: Vec<Row>,
    transactions: Vec<TransactionRow>,
    responses: Vec<ResponseRow>,
    events: Vec<Event>,
    root_causes: Vec<Choice>,
    can_contact: bool,
    can_resolve: bool,
    can_close: bool,
    can_reopen: bool,
    can_take: bool,
    reassign: Option<Reassign>,
    /// The guarantee invocation that opened or joined the case, as it stands now.
    guarantee: Option<store::Claim>,
    /// "Link to problem", for those who manage problems.
    link_form: Option<crate::web::problems::links::LinkForm>,
    draft: Draft,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct DetailQuery {
    /// The team whose members the reassignment form offers.
    assign_team: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(query): Query<DetailQuery>,
) -> PageResult {
    let case = load(&state, &staff, &id).await?;
    let view = View {
        status: StatusCode::OK,
        error: None,
        draft: Draft::default(),
        assign_team: query.assign_team,
    };
    show(&state, &staff, case, view).await
}

/// How to show the page: normally, or again after a refused form.
pub(super) struct View {
    pub status: StatusCode,
    pub error: Option<String>,
    pub draft: Draft,
    pub assign_team: Option<String>,
}

impl View {
    pub(super) fn refused(message: String, draft: Draft) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            error: Some(message),
            draft,
            assign_team: None,
        }
    }
}

fn clock_view(
    due: Timestamp,
    met: Option<Timestamp>,
    breached: bool,
    state: Clock,
    zone: &jiff::tz::TimeZone,
) -> ClockView {
    ClockView {
        due: display_in(due, zone),
        met: met.map(|at| display_in(at, zone)),
        state,
        breached,
    }
}

/// `Ok(None)` when the record is gone (a deleted customer or response).
fn found<T>(result: Result<T, StoreError>) -> Result<Option<T>, PageError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

fn recent(limit: i64) -> ListParams {
    ListParams {
        limit,
        newest_first: true,
        ..ListParams::default()
    }
}

async fn opening(
    state: &AppState,
    case: &Case,
    zone: &jiff::tz::TimeZone,
) -> Result<Option<Opening>, PageError> {
    let Some(id) = case.response_id else {
        return Ok(None);
    };
    let taxonomy = state.analyzer.taxonomy();
    Ok(found(state.store.response(id).await)?.map(|r| Opening {
        when: display_in(r.responded_at, zone),
        band: ScoreBand::of(&r.scores).map(ScoreBand::as_str),
        themes: r
            .analysis
            .themes
            .iter()
            .map(|k| theme_label(&taxonomy, k))
            .collect(),
        r,
    }))
}

/// The customer's other cases, recent transactions and responses.
async fn history(
    state: &AppState,
    case: &Case,
    zone: &jiff::tz::TimeZone,
) -> Result<(Vec<Row>, Vec<TransactionRow>, Vec<ResponseRow>), PageError> {
    let customer = Some(case.customer.id);
    let now = state.clock.now();
    let cases = state
        .store
        .list_cases(
            &recent(20),
            &CaseFilter {
                customer,
                ..CaseFilter::default()
            },
        )
        .await?;
    let transactions = state
        .store
        .list_transactions(
            &recent(10),
            &TransactionFilter {
                customer,
                ..TransactionFilter::default()
            },
        )
        .await?;
    let responses = state
        .store
        .list_responses(
            &recent(10),
            &ResponseFilter {
                customer,
                ..ResponseFilter::default()
            },
        )
        .await?;
    let taxonomy = state.analyzer.taxonomy();
    Ok((
        cases
            .items
            .into_iter()
            .filter(|c| c.id != case.id)
            .map(|c| Row::new(c, now, zone))
            .collect(),
        transactions
            .items
            .into_iter()
            .map(|t| TransactionRow::new(t, zone))
            .collect(),
        responses
            .items
            .into_iter()
            .map(|r| ResponseRow::new(r, zone, &taxonomy))
            .collect(),
    ))
}

/// The reassignment form for those who may reassign anyone.
async fn reassign(
    state: &AppState,
    case: &Case,
    asked: Option<&str>,
) -> Result<Reassign, PageError> {
    let teams = all_teams(state).await?;
    let current = case.owner_team.as_ref().map(|t| t.key.as_str());
    let team = asked
        .and_then(|key| teams.iter().find(|t| t.key.as_str() == key))
        .or_else(|| teams.iter().find(|t| Some(t.key.as_str()) == current));
    let members = match team {
        Some(team) => state.store.team_members(team.id).await?,
        None => Vec::new(),
    };
    let owner = case
        .owner_user
        .as_ref()
        .map(|u| u.id.0.to_string())
        .unwrap_or_default();
    let key = team.map(|t| t.key.to_string()).unwrap_or_default();
    Ok(Reassign {
        teams: Choice::list(
            teams.iter().map(|t| (t.key.as_str(), t.name.as_str())),
            &key,
        ),
        team_name: team.map(|t| t.name.clone()).unwrap_or_default(),
        team: key,
        members: members
            .iter()
            .map(|m| Choice {
                value: m.id.0.to_string(),
                label: m.name.clone(),
                selected: m.id.0.to_string() == owner,
            })
            .collect(),
    })
}

fn event(e: CaseEvent, zone: &jiff::tz::TimeZone) -> Event {
    Event {
        at: display_in(e.at, zone),
        kind: event_label(&e.kind),
        actor: e.actor,
        body: e.body,
    }
}

pub(super) async fn show(state: &AppState, staff: &Staff, case: Case, view: View) -> PageResult {
    let zone = staff.zone();
    let now = state.clock.now();
    let customer = found(state.store.customer(case.customer.id).await)?;
    let opening = opening(state, &case, &zone).await?;
    let (other_cases, transactions, responses) = history(state, &case, &zone).await?;
    let events = state.store.case_events(case.id).await?;
    let guarantee = state
        .store
        .claims_of_case(case.id)
        .await?
        .into_iter()
        .rfind(|c| c.superseded_by.is_none());
    let reassign = if oversees(staff.user.role) {
        Some(reassign(state, &case, view.assign_team.as_deref()).await?)
    } else {
        None
    };
    let link_form = crate::web::problems::links::LinkForm::for_page(
        state,
        staff,
        domain::improvement::problem::LinkKind::Case,
        case.id,
    )
    .await?;
    let status = case.status;
    let time = |t: Option<Timestamp>| t.map(|t| display_in(t, &zone));
    let page = DetailPage {
        guarantee,
        link_form,
        chrome: Chrome::for_staff(staff, "/cases", &staff.time_zone),
        escalation: EscalationLevel::from_index(case.escalation_level).label(),
        opened_at: display_in(case.opened_at, &zone),
        clock_started_at: display_in(case.clock_started_at, &zone),
        first_contact: clock_view(
            case.first_contact_due_at,
            case.first_contacted_at,
            case.first_contact_breached,
            Clock::first_contact(&case, now),
            &zone,
        ),
        resolution: clock_view(
            case.resolution_due_at,
            case.resolved_at,
            case.resolution_breached,
            Clock::resolution(&case, now),
            &zone,
        ),
        closed_at: time(case.closed_at),
        root_cause: case.root_cause.as_deref().map(|raw| {
            RootCause::parse(raw).map_or_else(|_| raw.to_owned(), |c| c.label().to_owned())
        }),
        followup_sent_at: time(case.followup_sent_at),
        followup_answered_at: time(case.followup_answered_at),
        customer,
        opening,
        other_cases,
        transactions,
        responses,
        events: events.into_iter().map(|e| event(e, &zone)).collect(),
        root_causes: Choice::list(
            RootCause::ALL.iter().map(|c| (c.as_str(), c.label())),
            &view.draft.root_cause,
        ),
        can_contact: status.can_move_to(CaseStatus::Contacted) && status.is_open(),
        can_resolve: status.can_move_to(CaseStatus::Resolved),
        can_close: status.can_move_to(CaseStatus::Closed),
        can_reopen: !status.is_open(),
        can_take: case
            .owner_user
            .as_ref()
            .is_none_or(|u| u.id != staff.user.id),
        reassign,
        draft: view.draft,
        error: view.error,
        case,
    };
    Ok(render(view.status, &page))
}
