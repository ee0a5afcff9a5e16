//! `/alerts`: every alert raised, newest first — poor reviews (linking to their case or
//! response), control-chart trends (linking to the early-warning chart) and subjects past a
//! performance standard's deadline (linking to the standard) — filtered by kind,
//! team, touchpoint and period.

use super::customers::{all_teams, team_choices};
use super::list::{Choice, ListQuery, Pager};
use super::transactions::{all_touchpoints, day_start};
use super::{Chrome, PageResult, Staff, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::time::display_in;
use serde::Deserialize;
use store::{Alert, AlertFilter, alert_kind};

pub fn router() -> Router<AppState> {
    Router::new().route("/alerts", get(list))
}

/// An alert as a row, with where it leads.
struct Row {
    a: Alert,
    when: String,
    link: Option<String>,
    link_label: &'static str,
}

impl Row {
    fn new(a: Alert, zone: &jiff::tz::TimeZone) -> Self {
        let (link, link_label) = match (a.case_id, a.response_id, &a.series, &a.metric) {
            _ if a.kind == alert_kind::GUARANTEE_TREND => {
                (Some("/guarantees/report".to_owned()), "Report")
            }
            (_, _, Some(series), _) if a.kind == alert_kind::STANDARD_BREACH => {
                let key = series.strip_prefix("standard:").unwrap_or(series);
                (Some(format!("/standards/{key}")), "Standard")
            }
            (Some(case), _, _, _) => (Some(format!("/cases/{case}")), "Case"),
            (None, Some(response), _, _) => (Some(format!("/responses/{response}")), "Response"),
            (None, None, Some(series), Some(metric)) => {
                let query = serde_urlencoded::to_string([("series", series), ("metric", metric)])
                    .unwrap_or_default();
                (Some(format!("/early-warning?{query}")), "Chart")
            }
            _ => (None, ""),
        };
        Self {
            when: display_in(a.raised_at, zone),
            link,
            link_label,
            a,
        }
    }
}

#[derive(Template)]
#[template(path = "alerts/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    search: String,
    kinds: Vec<Choice>,
    teams: Vec<Choice>,
    touchpoints: Vec<Choice>,
    from: String,
    to: String,
    notices: Vec<String>,
    pager: Pager,
}

#[derive(Debug, Default, Deserialize)]
struct AlertsQuery {
    #[serde(flatten)]
    list: ListQuery,
    kind: Option<String>,
    team: Option<String>,
    touchpoint: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn value(raw: &Option<String>) -> String {
    raw.as_deref().unwrap_or_default().trim().to_owned()
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<AlertsQuery>,
) -> PageResult {
    let zone = staff.zone();
    let (kind, team, touchpoint) = (
        value(&query.kind),
        value(&query.team),
        value(&query.touchpoint),
    );
    let (from, to) = (value(&query.from), value(&query.to));
    let teams = all_teams(&state).await?;
    let touchpoints = all_touchpoints(&state).await?;
    let mut notices = Vec::new();
    let mut day = |field: &str, raw: &str, next: bool| {
        day_start(field, raw, &zone, next).unwrap_or_else(|message| {
            notices.push(message);
            None
        })
    };
    // An unknown kind, team or touchpoint (a stale link) means no filter on it.
    let filter = AlertFilter {
        kind: alert_kind::ALL
            .iter()
            .copied()
            .find(|k| *k == kind)
            .map(str::to_owned),
        team: teams.iter().find(|t| t.key.as_str() == team).map(|t| t.id),
        touchpoint: touchpoints
            .iter()
            .find(|t| t.key.as_str() == touchpoint)
            .map(|t| t.id),
        from: day("From", &from, false),
        to: day("To", &to, true),
    };
    let page = state
        .store
        .list_alerts(&query.list.newest_first(), &filter)
        .await?;
    let filters = [
        ("q", query.list.search()),
        ("kind", kind.clone()),
        ("team", team.clone()),
        ("touchpoint", touchpoint.clone()),
        ("from", from.clone()),
        ("to", to.clone()),
    ];
    let view = ListPage {
        chrome: Chrome::for_staff(&staff, "/alerts", &staff.time_zone),
        pager: Pager::new("/alerts", &filters, &query.list, &page),
        rows: page.items.into_iter().map(|a| Row::new(a, &zone)).collect(),
        search: query.list.search(),
        kinds: Choice::list(
            [
                (alert_kind::RESPONSE, "Poor review"),
                (alert_kind::TREND, "Trend"),
                (alert_kind::GUARANTEE, "Guarantee invoked"),
                (alert_kind::GUARANTEE_TREND, "Guarantee trend"),
                (alert_kind::STANDARD_BREACH, "Standard breached"),
                (alert_kind::BROKEN_PROMISE, "Promise broken"),
            ],
            &kind,
        ),
        teams: team_choices(&teams, &team),
        touchpoints: Choice::list(
            touchpoints
                .iter()
                .map(|t| (t.key.as_str(), t.name.as_str())),
            &touchpoint,
        ),
        from,
        to,
        notices,
    };
    Ok(render(StatusCode::OK, &view))
}
