//! The audit log page (admins and the president): every change, newest first, with filters.

use super::list::{Choice, ListQuery, Pager};
use super::{Chrome, PageResult, Staff, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::Role;
use domain::time::display_in;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use store::{AuditEntry, AuditFilter};

pub fn router() -> Router<AppState> {
    Router::new().route("/audit-log", get(list))
}

/// The kinds of record the store audits, with their labels.
const ENTITIES: &[(&str, &str)] = &[
    ("organization", "Organization"),
    ("team", "Team"),
    ("user", "Staff member"),
    ("customer", "Customer"),
    ("touchpoint", "Touchpoint"),
    ("transaction", "Transaction"),
    ("api_key", "API key"),
];

/// One change as shown: time in the organization's zone, records as indented JSON.
struct AuditRow {
    at: String,
    actor: String,
    actor_kind: String,
    action: String,
    entity: String,
    entity_id: Option<String>,
    link: Option<String>,
    before: Option<String>,
    after: Option<String>,
}

fn pretty(value: Option<serde_json::Value>) -> Option<String> {
    value.map(|v| serde_json::to_string_pretty(&v).unwrap_or_else(|_| v.to_string()))
}

impl AuditRow {
    fn new(entry: AuditEntry, zone: &TimeZone) -> Self {
        let link = match (entry.entity.as_str(), &entry.entity_id) {
            ("user", Some(id)) => Some(format!("/users/{id}")),
            _ => None,
        };
        Self {
            at: display_in(entry.at, zone),
            actor: entry.actor_label,
            actor_kind: entry.actor_kind.replace('_', " "),
            action: entry.action,
            entity: entry.entity,
            entity_id: entry.entity_id,
            link,
            before: pretty(entry.before),
            after: pretty(entry.after),
        }
    }
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    chrome: Chrome,
    entries: Vec<AuditRow>,
    search: String,
    entities: Vec<Choice>,
    from: String,
    to: String,
    pager: Pager,
    error: Option<String>,
}

#[derive(Deserialize)]
struct AuditListQuery {
    #[serde(flatten)]
    list: ListQuery,
    entity: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// The start of the day `raw` (`YYYY-MM-DD`) in `zone`, or of the day after it.
fn day_start(
    label: &str,
    raw: &str,
    zone: &TimeZone,
    next_day: bool,
) -> Result<Option<Timestamp>, String> {
    super::list::local_day_start(raw, zone, next_day)
        .map_err(|_| format!("{label} must be a date such as 2026-11-20."))
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<AuditListQuery>,
) -> PageResult {
    staff.require(Role::can_oversee)?;
    let zone = staff.zone();
    let entity = query
        .entity
        .clone()
        .filter(|e| ENTITIES.iter().any(|(value, _)| value == e))
        .unwrap_or_default();
    let from = query.from.clone().unwrap_or_default();
    let to = query.to.clone().unwrap_or_default();
    let bounds = day_start("From", &from, &zone, false)
        .and_then(|f| Ok((f, day_start("To", &to, &zone, true)?)));
    let filters = [
        ("q", query.list.search()),
        ("entity", entity.clone()),
        ("from", from.clone()),
        ("to", to.clone()),
    ];
    let mut view = ListPage {
        chrome: Chrome::for_staff(&staff, "/audit-log", &staff.time_zone),
        entries: Vec::new(),
        search: query.list.search(),
        entities: Choice::list(ENTITIES.iter().copied(), &entity),
        from,
        to,
        pager: Pager {
            first: None,
            next: None,
        },
        error: None,
    };
    let (from, to) = match bounds {
        Ok(bounds) => bounds,
        Err(message) => {
            view.error = Some(message);
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view));
        }
    };
    let filter = AuditFilter {
        entity: (!entity.is_empty()).then_some(entity),
        actor: None,
        from,
        to,
    };
    let page = state
        .store
        .list_audit(&query.list.newest_first(), &filter)
        .await?;
    view.pager = Pager::new("/audit-log", &filters, &query.list, &page);
    view.entries = page
        .items
        .into_iter()
        .map(|e| AuditRow::new(e, &zone))
        .collect();
    Ok(render(StatusCode::OK, &view))
}
