//! One problem in full: its fields and owners, the status buttons for the moves allowed, the
//! action plan with its forms, the links with one-click unlinking, the suggested links with
//! their reasons and a one-click "Link", and the timeline. Also the status and note forms. A
//! refused form shows the page again with the message and what was typed.

use super::{can_tick, load, manages};
use crate::state::AppState;
use crate::web::list::Choice;
use crate::web::teams::form_error;
use crate::web::{Chrome, PageError, PageResult, Staff, actor, render, see_other};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use domain::OptionalText;
use domain::improvement::problem::{ActionEscalation, LinkKind, ProblemStatus};
use domain::recovery::cases::RootCause;
use domain::time::display_in;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use store::{
    LinkSuggestion, ListParams, Problem, ProblemAction, ProblemEvent, ProblemLink, UserFilter,
};

/// At most this many suggestions are shown.
const SUGGESTIONS: usize = 15;

/// What the forms typed, shown again when one of them is refused.
#[derive(Debug, Default)]
pub(super) struct Draft {
    pub note: String,
    pub action_title: String,
    pub action_due: String,
    pub action_owner: String,
}

/// How to show the page: normally, or again after a refused form.
pub(super) struct View {
    pub status: StatusCode,
    pub error: Option<String>,
    pub draft: Draft,
}

impl View {
    pub(super) fn normal() -> Self {
        Self {
            status: StatusCode::OK,
            error: None,
            draft: Draft::default(),
        }
    }

    pub(super) fn refused(message: String, draft: Draft) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            error: Some(message),
            draft,
        }
    }
}

/// A status the problem may move to, as a button.
struct Move {
    value: &'static str,
    label: &'static str,
}

/// An action item as shown.
struct ActionRow {
    a: ProblemAction,
    due: Option<String>,
    /// The due date as the date field shows it.
    due_date: String,
    done_at: Option<String>,
    overdue: bool,
    escalation: Option<&'static str>,
    can_tick: bool,
    owners: Vec<Choice>,
}

/// A link as shown, with where it leads.
struct LinkRow {
    link: ProblemLink,
    kind: &'static str,
    href: String,
}

/// A suggestion as shown.
struct SuggestionRow {
    s: LinkSuggestion,
    kind: &'static str,
    href: String,
}

struct Event {
    at: String,
    kind: &'static str,
    actor: String,
    body: String,
}

#[derive(Template)]
#[template(path = "problems/detail.html")]
struct DetailPage {
    chrome: Chrome,
    problem: Problem,
    category: Option<String>,
    effort: Option<String>,
    created_at: String,
    updated_at: String,
    solved_at: Option<String>,
    moves: Vec<Move>,
    actions: Vec<ActionRow>,
    links: Vec<LinkRow>,
    themes: Vec<Choice>,
    suggestions: Vec<SuggestionRow>,
    /// Why there are no suggestions, when there are none.
    no_suggestions: &'static str,
    events: Vec<Event>,
    owners: Vec<Choice>,
    manages: bool,
    draft: Draft,
    error: Option<String>,
    /// Did it work: the before-and-after rows of a solved problem.
    impact: Option<ImpactSection>,
    /// The revenue at risk of the customers it affects, formatted, and how many they are.
    at_risk: Option<(String, usize)>,
}

struct ImpactSection {
    before: String,
    after: String,
    rows: Vec<crate::improvement::impact::ImpactRow>,
}

fn kind_label(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Case => "Case",
        LinkKind::Response => "Response",
        LinkKind::Theme => "Theme",
    }
}

fn href(kind: LinkKind, target: &str) -> String {
    match kind {
        LinkKind::Case => format!("/cases/{target}"),
        LinkKind::Response => format!("/responses/{target}"),
        LinkKind::Theme => format!(
            "/responses?{}",
            serde_urlencoded::to_string([("theme", target)]).unwrap_or_default()
        ),
    }
}

fn event_label(kind: &str) -> &'static str {
    match kind {
        "created" => "Identified",
        "updated" => "Edited",
        "status" => "Status",
        "note" => "Note",
        "action_added" => "Action added",
        "action_updated" => "Action changed",
        "action_done" => "Action done",
        "action_reopened" => "Action reopened",
        "action_deleted" => "Action removed",
        "linked" => "Linked",
        "unlinked" => "Unlinked",
        "escalated" => "Escalated",
        _ => "Event",
    }
}

fn event(e: ProblemEvent, zone: &TimeZone) -> Event {
    Event {
        at: display_in(e.at, zone),
        kind: event_label(&e.kind),
        actor: e.actor,
        body: e.body,
    }
}

/// The date of `at` in `zone`, as a date field shows it.
fn local_date(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned(zone.clone()).date().to_string()
}

/// Active staff, by name, as owner choices.
pub(super) async fn active_staff(state: &AppState) -> Result<Vec<(String, String)>, PageError> {
    let params = ListParams {
        limit: 500,
        ..ListParams::default()
    };
    let page = state
        .store
        .list_users(&params, &UserFilter::default())
        .await?;
    let mut staff: Vec<(String, String)> = page
        .items
        .into_iter()
        .filter(|u| u.active)
        .map(|u| (u.id.0.to_string(), u.name))
        .collect();
    staff.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(staff)
}

fn choices(staff: &[(String, String)], current: &str) -> Vec<Choice> {
    Choice::list(
        staff.iter().map(|(id, name)| (id.as_str(), name.as_str())),
        current,
    )
}

pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    let (problem, actions) = load(&state, &staff, &id).await?;
    show(&state, &staff, problem, actions, View::normal()).await
}

pub(super) async fn show(
    state: &AppState,
    staff: &Staff,
    problem: Problem,
    actions: Vec<ProblemAction>,
    view: View,
) -> PageResult {
    let zone = staff.zone();
    let now = state.clock.now();
    let manages = manages(staff.user.role);
    let people = if manages {
        active_staff(state).await?
    } else {
        Vec::new()
    };
    let links = state.store.problem_links(problem.id).await?;
    let taxonomy = state.analyzer.taxonomy();
    let themes = taxonomy
        .themes
        .iter()
        .filter(|t| {
            !links
                .iter()
                .any(|l| l.kind == LinkKind::Theme && l.target == t.key)
        })
        .map(|t| Choice {
            value: t.key.clone(),
            label: t.label.clone(),
            selected: false,
        })
        .collect();
    let suggestions = if manages {
        state
            .store
            .link_suggestions(problem.id, now, SUGGESTIONS)
            .await?
    } else {
        Vec::new()
    };
    let no_suggestions = if problem.root_cause_category.is_none() && problem.link_count == 0 {
        "Set a root-cause category or link a theme, a case or a response: similar ones are then suggested here."
    } else {
        "Nothing recent shares a theme or the root-cause category with this problem."
    };
    let events = state.store.problem_events(problem.id).await?;
    let moves = if manages {
        ProblemStatus::ALL
            .iter()
            .filter(|to| problem.status.check_move(**to).is_ok())
            .map(|to| Move {
                value: to.as_str(),
                label: to.label(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let time = |t: Option<Timestamp>| t.map(|t| display_in(t, &zone));
    let impact = crate::improvement::impact::impact(state.store.as_ref(), &problem, now)
        .await?
        .map(|found| ImpactSection {
            before: format!(
                "{} to {}",
                local_date(found.before_from, &zone),
                local_date(found.before_to, &zone)
            ),
            after: format!(
                "{} to {}",
                local_date(found.after_from, &zone),
                local_date(found.after_to, &zone)
            ),
            rows: crate::improvement::impact::rows(&found),
        });
    let at_risk = affected_at_risk(state, &problem, now).await?;
    let page = DetailPage {
        impact,
        at_risk,
        chrome: Chrome::for_staff(staff, "/problems", &staff.time_zone),
        category: problem.root_cause_category.as_deref().map(|raw| {
            RootCause::parse(raw).map_or_else(|_| raw.to_owned(), |c| c.label().to_owned())
        }),
        effort: problem.effort_minor.map(super::effort_text),
        created_at: display_in(problem.created_at, &zone),
        updated_at: display_in(problem.updated_at, &zone),
        solved_at: time(problem.solved_at),
        moves,
        actions: actions
            .into_iter()
            .map(|a| ActionRow {
                due: a.due_at.map(|d| display_in(d, &zone)),
                due_date: a.due_at.map(|d| local_date(d, &zone)).unwrap_or_default(),
                done_at: time(a.done_at),
                overdue: a.is_overdue(now),
                escalation: ActionEscalation::from_level(a.escalation_level)
                    .filter(|_| !a.is_done())
                    .map(ActionEscalation::label),
                can_tick: can_tick(staff, &a),
                owners: choices(
                    &people,
                    &a.owner
                        .as_ref()
                        .map(|u| u.id.0.to_string())
                        .unwrap_or_default(),
                ),
                a,
            })
            .collect(),
        links: links
            .into_iter()
            .map(|link| LinkRow {
                kind: kind_label(link.kind),
                href: href(link.kind, &link.target),
                link,
            })
            .collect(),
        themes,
        suggestions: suggestions
            .into_iter()
            .map(|s| SuggestionRow {
                kind: kind_label(s.kind),
                href: href(s.kind, &s.target),
                s,
            })
            .collect(),
        no_suggestions,
        events: events.into_iter().map(|e| event(e, &zone)).collect(),
        owners: choices(&people, &view.draft.action_owner),
        manages,
        draft: view.draft,
        error: view.error,
        problem,
    };
    Ok(render(view.status, &page))
}

/// The revenue at risk of the customers the problem affects, in the customers' currency.
async fn affected_at_risk(
    state: &AppState,
    problem: &Problem,
    now: Timestamp,
) -> Result<Option<(String, usize)>, PageError> {
    use crate::improvement::{backlog::currency_exponent, settings, value};
    let store = state.store.as_ref();
    let affected: Vec<i64> = store
        .problem_affected_customers(problem.id, now)
        .await?
        .into_iter()
        .map(|c| c.0)
        .collect();
    if affected.is_empty() {
        return Ok(None);
    }
    let settings = settings::load(store).await?;
    let book = value::book(store, &settings, now).await?;
    let amount = value::at_risk_of(&book, &affected);
    let currency = book.currency.clone().unwrap_or_default();
    let text = format!(
        "{} {currency}",
        domain::money::format_minor(amount, currency_exponent(book.currency.as_deref()))
    );
    Ok(Some((text, affected.len())))
}

/// Shows the problem again with `message`.
pub(super) async fn refuse(
    state: &AppState,
    staff: &Staff,
    problem: Problem,
    actions: Vec<ProblemAction>,
    message: String,
    draft: Draft,
) -> PageResult {
    show(
        state,
        staff,
        problem,
        actions,
        View::refused(message, draft),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
}

pub(super) async fn status(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> PageResult {
    staff.require(manages)?;
    let (problem, actions) = load(&state, &staff, &id).await?;
    let Ok(to) = ProblemStatus::parse(&form.status) else {
        let message = "Choose one of the status buttons.".to_owned();
        return refuse(&state, &staff, problem, actions, message, Draft::default()).await;
    };
    let note = match OptionalText::parse("note", Some(&form.note), 4000) {
        Ok(note) => note,
        Err(e) => {
            return refuse(
                &state,
                &staff,
                problem,
                actions,
                e.to_string(),
                Draft::default(),
            )
            .await;
        }
    };
    let id = problem.id;
    match state
        .store
        .change_problem_status(&actor(&staff), id, to, note, state.clock.now())
        .await
    {
        Ok(_) => Ok(see_other(&format!("/problems/{id}"))),
        Err(error) => {
            let message = form_error(error)?;
            refuse(&state, &staff, problem, actions, message, Draft::default()).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct NoteForm {
    #[serde(default)]
    note: String,
}

/// Anyone who may see the problem adds notes to its timeline.
pub(super) async fn note(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> PageResult {
    let (problem, actions) = load(&state, &staff, &id).await?;
    let draft = Draft {
        note: form.note.clone(),
        ..Draft::default()
    };
    let note = match OptionalText::parse("note", Some(&form.note), 4000) {
        Ok(Some(note)) => note,
        Ok(None) => {
            let message = "Write the note before adding it.".to_owned();
            return refuse(&state, &staff, problem, actions, message, draft).await;
        }
        Err(e) => return refuse(&state, &staff, problem, actions, e.to_string(), draft).await,
    };
    let id = problem.id;
    state
        .store
        .add_problem_note(&actor(&staff), id, note, state.clock.now())
        .await?;
    Ok(see_other(&format!("/problems/{id}")))
}
