//! Accountability of recovery work: per client team and per person, the cases opened in a
//! period, how many are still open and overdue, the median time to first contact and to
//! resolution, and the recovery rate. Members see their own figures and their teams';
//! managers, the president and administrators see everyone's.

use super::{Chrome, PageResult, Staff, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::Role;
use domain::recovery::accountability::{Accountability, CaseFacts, summarize};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use std::collections::BTreeMap;
use store::Case;

pub fn router() -> Router<AppState> {
    Router::new().route("/accountability", get(page))
}

/// One row of the table.
pub struct Row {
    pub name: String,
    pub figures: Accountability,
}

impl Row {
    pub fn first_contact(&self) -> String {
        self.figures
            .median_first_contact
            .map_or("—".into(), describe)
    }

    pub fn resolution(&self) -> String {
        self.figures.median_resolution.map_or("—".into(), describe)
    }

    pub fn recovery(&self) -> String {
        match self.figures.recovery_rate() {
            Some(rate) => format!(
                "{:.0}% ({} of {})",
                rate * 100.0,
                self.figures.recovered,
                self.figures.followups_answered
            ),
            None => "no follow-up answered yet".into(),
        }
    }
}

fn describe(duration: SignedDuration) -> String {
    let minutes = duration.as_secs().max(0) / 60;
    match (minutes / 1440, minutes % 1440 / 60, minutes % 60) {
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

#[derive(Template)]
#[template(path = "accountability.html")]
struct Page {
    chrome: Chrome,
    days: i64,
    periods: Vec<(i64, bool)>,
    total: Row,
    teams: Vec<Row>,
    people: Vec<Row>,
    sees_everyone: bool,
}

#[derive(Deserialize)]
struct PeriodQuery {
    days: Option<String>,
}

fn facts(case: &Case, now: Timestamp) -> CaseFacts {
    let open = case.status.is_open();
    let overdue = open
        && ((case.first_contacted_at.is_none() && case.first_contact_due_at <= now)
            || case.resolution_due_at <= now);
    CaseFacts {
        opened_at: case.opened_at,
        first_contacted_at: case.first_contacted_at,
        resolved_at: case.resolved_at,
        open,
        overdue,
        recovered: case.recovered,
    }
}

/// Groups cases by `key` (skipping those without one) and summarizes each group.
fn rows(cases: &[Case], now: Timestamp, key: impl Fn(&Case) -> Option<(i64, String)>) -> Vec<Row> {
    let mut groups: BTreeMap<(String, i64), Vec<CaseFacts>> = BTreeMap::new();
    for case in cases {
        if let Some((id, name)) = key(case) {
            groups.entry((name, id)).or_default().push(facts(case, now));
        }
    }
    groups
        .into_iter()
        .map(|((name, _), facts)| Row {
            name,
            figures: summarize(&facts),
        })
        .collect()
}

async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<PeriodQuery>,
) -> PageResult {
    let days = query
        .days
        .as_deref()
        .and_then(|d| d.parse::<i64>().ok())
        .filter(|d| [7, 30, 90, 365].contains(d))
        .unwrap_or(30);
    let now = state.clock.now();
    let from = now - SignedDuration::from_hours(24 * days);
    let all = state.store.cases_opened_between(from, now).await?;
    let sees_everyone = !matches!(staff.user.role, Role::Member);
    let my_teams: Vec<i64> = staff.user.teams.iter().map(|t| t.id.0).collect();
    let cases: Vec<Case> = if sees_everyone {
        all
    } else {
        all.into_iter()
            .filter(|c| {
                c.owner_team
                    .as_ref()
                    .is_some_and(|t| my_teams.contains(&t.id.0))
                    || c.owner_user.as_ref().is_some_and(|u| u.id == staff.user.id)
            })
            .collect()
    };
    let facts_all: Vec<CaseFacts> = cases.iter().map(|c| facts(c, now)).collect();
    let teams = rows(&cases, now, |c| {
        c.owner_team.as_ref().map(|t| (t.id.0, t.name.clone()))
    });
    let people = rows(&cases, now, |c| {
        c.owner_user
            .as_ref()
            .filter(|u| sees_everyone || u.id == staff.user.id)
            .map(|u| (u.id.0, u.name.clone()))
    });
    let view = Page {
        chrome: Chrome::for_staff(&staff, "/accountability", &staff.time_zone),
        days,
        periods: [7, 30, 90, 365].iter().map(|d| (*d, *d == days)).collect(),
        total: Row {
            name: "All cases shown".into(),
            figures: summarize(&facts_all),
        },
        teams,
        people,
        sees_everyone,
    };
    Ok(render(StatusCode::OK, &view))
}
