//! Console page listing transactions, filtered by day range, touchpoint and team. Transactions
//! arrive through the API and CSV import; managers also record one by hand (`record`).

mod record;

use super::customers::{all_teams, team_choices};
use super::list::{Choice, ListQuery, Pager};
use super::{Chrome, PageError, PageResult, Staff, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::time::display_in;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use store::{ListParams, Touchpoint, Transaction, TransactionFilter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/transactions", get(list))
        .merge(record::router())
}

/// A transaction as a table row, with its time in the organization's zone.
pub(super) struct Row {
    pub tx: Transaction,
    pub occurred_at: String,
    pub amount: Option<String>,
}

impl Row {
    pub fn new(tx: Transaction, zone: &TimeZone) -> Self {
        Self {
            occurred_at: display_in(tx.occurred_at, zone),
            amount: tx.amount.map(|m| m.display()),
            tx,
        }
    }
}

/// Every touchpoint, for a `<select>`; there are tens of them, so a few pages at most.
pub(super) async fn all_touchpoints(state: &AppState) -> Result<Vec<Touchpoint>, PageError> {
    let mut params = ListParams {
        limit: 500,
        ..ListParams::default()
    };
    let mut touchpoints = Vec::new();
    for _ in 0..20 {
        let page = state.store.list_touchpoints(&params).await?;
        touchpoints.extend(page.items);
        match page.next_after_id {
            Some(after) => params.after_id = Some(after),
            None => break,
        }
    }
    Ok(touchpoints)
}

/// Where the day typed as `YYYY-MM-DD` starts in `zone`; with `next`, where the day after
/// it starts, so that a "to" day is included whole. Midnight skipped by a DST change resolves
/// to the first instant of the day.
pub(super) fn day_start(
    field: &str,
    raw: &str,
    zone: &TimeZone,
    next: bool,
) -> Result<Option<Timestamp>, String> {
    super::list::local_day_start(raw, zone, next).map_err(|_| {
        format!(
            "{field}: {:?} is not a date such as 2026-11-20; it was ignored.",
            raw.trim()
        )
    })
}

#[derive(Template)]
#[template(path = "transactions/list.html")]
struct ListPage {
    chrome: Chrome,
    transactions: Vec<Row>,
    search: String,
    from: String,
    to: String,
    touchpoints: Vec<Choice>,
    teams: Vec<Choice>,
    notices: Vec<String>,
    pager: Pager,
    can_record: bool,
}

#[derive(Deserialize)]
struct TransactionListQuery {
    #[serde(flatten)]
    list: ListQuery,
    from: Option<String>,
    to: Option<String>,
    touchpoint: Option<String>,
    team: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<TransactionListQuery>,
) -> PageResult {
    let zone = staff.zone();
    let from = query.from.clone().unwrap_or_default();
    let to = query.to.clone().unwrap_or_default();
    let touchpoint = query.touchpoint.clone().unwrap_or_default();
    let team = query.team.clone().unwrap_or_default();
    let mut notices = Vec::new();
    let mut day = |field: &str, raw: &str, next: bool| {
        day_start(field, raw, &zone, next).unwrap_or_else(|message| {
            notices.push(message);
            None
        })
    };
    let (from_at, to_at) = (day("From", &from, false), day("To", &to, true));
    let touchpoints = all_touchpoints(&state).await?;
    let teams = all_teams(&state).await?;
    // Unknown keys (a stale link, a hand-edited address) mean no filter.
    let filter = TransactionFilter {
        touchpoint: touchpoints
            .iter()
            .find(|t| t.key.as_str() == touchpoint)
            .map(|t| t.id),
        team: teams.iter().find(|t| t.key.as_str() == team).map(|t| t.id),
        from: from_at,
        to: to_at,
        ..TransactionFilter::default()
    };
    let page = state
        .store
        .list_transactions(&query.list.newest_first(), &filter)
        .await?;
    let filters = [
        ("q", query.list.search()),
        ("from", from.clone()),
        ("to", to.clone()),
        ("touchpoint", touchpoint.clone()),
        ("team", team.clone()),
    ];
    let view = ListPage {
        chrome: Chrome::for_staff(&staff, "/transactions", &staff.time_zone),
        pager: Pager::new("/transactions", &filters, &query.list, &page),
        transactions: page.items.into_iter().map(|t| Row::new(t, &zone)).collect(),
        search: query.list.search(),
        from,
        to,
        touchpoints: Choice::list(
            touchpoints
                .iter()
                .map(|t| (t.key.as_str(), t.name.as_str())),
            &touchpoint,
        ),
        teams: team_choices(&teams, &team),
        notices,
        can_record: staff.user.role.can_edit_customers(),
    };
    Ok(render(StatusCode::OK, &view))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str, zone: &str, next: bool) -> Result<Option<String>, String> {
        let zone = TimeZone::get(zone).map_err(|e| e.to_string())?;
        day_start("From", raw, &zone, next).map(|t| t.map(|t| t.to_string()))
    }

    #[test]
    fn days_are_interpreted_in_the_organizations_zone() {
        assert_eq!(
            at("2026-11-20", "Europe/Paris", false),
            Ok(Some("2026-11-19T23:00:00Z".into()))
        );
        assert_eq!(
            at("2026-11-20", "Europe/Paris", true),
            Ok(Some("2026-11-20T23:00:00Z".into()))
        );
        assert_eq!(
            at("2026-03-29", "Europe/Paris", true),
            Ok(Some("2026-03-29T22:00:00Z".into())),
            "the day a clock springs forward has 23 hours"
        );
        assert_eq!(at(" ", "UTC", false), Ok(None));
    }

    #[test]
    fn malformed_days_give_a_readable_message() {
        for bad in ["2026-13-01", "20/11/2026", "yesterday", "9999-12-31x"] {
            let result = at(bad, "UTC", false);
            assert!(
                result.as_ref().is_err_and(|m| m.contains("not a date")),
                "{bad:?}: {result:?}"
            );
        }
        assert!(
            at("9999-12-31", "UTC", true).is_err(),
            "no day after the last"
        );
    }
}
