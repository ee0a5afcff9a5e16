//! `/guarantees/report`: invocations per 1,000 transactions, credits and the average share of
//! the price paid by team, touchpoint, staff member or month over a period; repeat invokers;
//! and how quickly the president acted.

use super::visible_teams;
use crate::guarantee::report::{ReportView, RowView, build};
use crate::state::AppState;
use crate::web::list::Choice;
use crate::web::transactions::day_start;
use crate::web::{Chrome, PageResult, Staff, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use domain::guarantee::report::Dimension;
use domain::time::display_in;
use jiff::SignedDuration;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "guarantees/report.html")]
struct ReportPage {
    chrome: Chrome,
    report: ReportView,
    dimensions: Vec<Choice>,
    from: String,
    to: String,
    notices: Vec<String>,
    sees_everyone: bool,
    zone: jiff::tz::TimeZone,
}

impl ReportPage {
    fn rate(&self, row: &RowView) -> String {
        row.rate_per_thousand
            .map_or("—".into(), |r| format!("{r:.1}"))
    }

    fn share(&self, row: &RowView) -> String {
        row.average_share_paid
            .map_or("—".into(), |s| format!("{:.0}%", s * 100.0))
    }

    fn money(&self, amounts: &std::collections::HashMap<String, String>) -> String {
        if amounts.is_empty() {
            return "—".into();
        }
        let mut parts: Vec<String> = amounts.iter().map(|(c, a)| format!("{a} {c}")).collect();
        parts.sort();
        parts.join(", ")
    }

    fn minutes(&self, value: &Option<f64>) -> String {
        value.map_or("—".into(), |m| {
            if m < 120.0 {
                format!("{m:.0} min")
            } else {
                format!("{:.1} h", m / 60.0)
            }
        })
    }

    fn when(&self, at: &jiff::Timestamp) -> String {
        display_in(*at, &self.zone)
    }

    fn heading(&self) -> &'static str {
        match self.report.by.as_str() {
            "touchpoint" => "Touchpoint",
            "staff" => "Staff member",
            "month" => "Month",
            _ => "Team",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ReportQuery {
    by: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ReportQuery>,
) -> PageResult {
    let visible = visible_teams(&staff)?;
    let zone = staff.zone();
    let mut notices = Vec::new();
    let raw = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_owned();
    let (from_text, to_text) = (raw(&query.from), raw(&query.to));
    let mut day = |field: &str, text: &str, next: bool| {
        day_start(field, text, &zone, next).unwrap_or_else(|message| {
            notices.push(message);
            None
        })
    };
    let to = day("To", &to_text, true).unwrap_or_else(|| state.clock.now());
    let mut from =
        day("From", &from_text, false).unwrap_or(to - SignedDuration::from_hours(24 * 90));
    if from >= to {
        notices.push("From must be before To; the 90 days before To are shown.".into());
        from = to - SignedDuration::from_hours(24 * 90);
    }
    let by = Dimension::parse(&raw(&query.by)).unwrap_or(Dimension::Team);
    let report = build(
        state.store.as_ref(),
        from,
        to,
        by,
        visible.as_deref(),
        &zone,
    )
    .await?;
    let page = ReportPage {
        chrome: Chrome::for_staff(&staff, "/guarantees", &staff.time_zone),
        dimensions: Choice::list(
            [
                ("team", "Team"),
                ("touchpoint", "Touchpoint"),
                ("staff", "Staff member"),
                ("month", "Month"),
            ],
            by.as_str(),
        ),
        from: from.to_zoned(zone.clone()).date().to_string(),
        to: (to - SignedDuration::from_secs(1))
            .to_zoned(zone.clone())
            .date()
            .to_string(),
        report,
        notices,
        sees_everyone: visible.is_none(),
        zone,
    };
    Ok(render(StatusCode::OK, &page))
}
