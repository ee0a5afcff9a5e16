//! Console pages for performance standards: the list with each standard's last 30 days, a
//! standard's compliance over a chosen period ([`detail`]), and the administrators' form
//! to define, change and delete one ([`form`]).

mod detail;
mod form;

use super::{Chrome, PageError, PageResult, Staff, render};
use crate::standards::{Refused, compliance};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use domain::Role;
use domain::standards::compliance::{Compliance, TargetStatus, TrendBucket};
use jiff::SignedDuration;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/standards", get(list))
        .merge(form::router())
        .merge(detail::router())
}

/// How many days the list page measures.
const LIST_DAYS: i64 = 30;

impl From<Refused> for PageError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Store(error) => error.into(),
            Refused::Invalid(error) => PageError::Internal(error.to_string()),
        }
    }
}

/// "2 h 5 min", "42 s", "3 d 4 h": a duration for people, to the second below a minute.
pub(super) fn duration_label(d: SignedDuration) -> String {
    let total = d.as_secs().max(0);
    let (days, hours, minutes, seconds) = (
        total / 86_400,
        total % 86_400 / 3600,
        total % 3600 / 60,
        total % 60,
    );
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days} d"));
    }
    if hours > 0 {
        parts.push(format!("{hours} h"));
    }
    if minutes > 0 && days == 0 {
        parts.push(format!("{minutes} min"));
    }
    if seconds > 0 && days == 0 && hours == 0 {
        parts.push(format!("{seconds} s"));
    }
    if parts.is_empty() {
        "0 s".into()
    } else {
        parts.join(" ")
    }
}

/// Compliance as the pages show it: "75.0 % (52.1–89.8 %)".
pub(super) struct ComplianceText {
    pub percent: String,
    pub interval: String,
    pub small: bool,
}

pub(super) fn compliance_text(compliance: Option<&Compliance>) -> Option<ComplianceText> {
    compliance.map(|c| ComplianceText {
        percent: format!("{:.1} %", c.percent),
        interval: format!("{:.1}–{:.1} %", c.interval.low, c.interval.high),
        small: c.small_sample,
    })
}

/// The target status in words, and the CSS class that colours it.
pub(super) fn status_text(status: TargetStatus) -> (&'static str, &'static str) {
    match status {
        TargetStatus::Met => ("Target met", "ok"),
        TargetStatus::Missed => ("Below target (may be chance)", "priority-high"),
        TargetStatus::ClearlyMissed => ("Clearly below target", "breached"),
        TargetStatus::NoData => ("No data yet", "no-data"),
    }
}

pub(super) use crate::web::users::readable;

struct Row {
    key: String,
    sentence: String,
    team: String,
    target: String,
    compliance: Option<ComplianceText>,
    met: u64,
    breached: u64,
    open: u64,
    status: &'static str,
    status_class: &'static str,
    breaching_now: usize,
    /// Why the standard could not be measured, if it could not.
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "standards/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    days: i64,
    can_edit: bool,
}

async fn list(State(state): State<AppState>, staff: Staff) -> PageResult {
    let now = state.clock.now();
    let from = now
        .checked_sub(SignedDuration::from_hours(24 * LIST_DAYS))
        .unwrap_or(now);
    let mut rows = Vec::new();
    for stored in state.store.list_standards().await? {
        let definition = &stored.definition;
        let mut row = Row {
            key: definition.key.clone(),
            sentence: definition.name.clone(),
            team: stored.team.name.clone(),
            target: format!("{} %", definition.target_percent),
            compliance: None,
            met: 0,
            breached: 0,
            open: 0,
            status: "",
            status_class: "no-data",
            breaching_now: 0,
            problem: None,
        };
        match compliance(
            state.store.as_ref(),
            &stored,
            from,
            now,
            TrendBucket::Week,
            now,
        )
        .await
        {
            Ok(view) => {
                let report = &view.report;
                let (status, class) = status_text(report.target_status);
                row.sentence = view.sentence.clone();
                row.compliance = compliance_text(report.compliance.as_ref());
                row.met = report.counts.met;
                row.breached = report.counts.breached;
                row.open = report.counts.open;
                row.status = status;
                row.status_class = class;
                row.breaching_now = view.breaching_now.len();
            }
            Err(Refused::Invalid(error)) => row.problem = Some(readable(&error)),
            Err(Refused::Store(error)) => return Err(error.into()),
        }
        rows.push(row);
    }
    let view = ListPage {
        chrome: Chrome::for_staff(&staff, "/standards", &staff.time_zone),
        rows,
        days: LIST_DAYS,
        can_edit: staff.user.role.can_administer(),
    };
    Ok(render(StatusCode::OK, &view))
}

/// Whether `role` may define standards.
pub(super) fn can_edit(role: Role) -> bool {
    role.can_administer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration_label(SignedDuration::from_secs(0)), "0 s");
        assert_eq!(duration_label(SignedDuration::from_secs(42)), "42 s");
        assert_eq!(duration_label(SignedDuration::from_secs(7500)), "2 h 5 min");
        assert_eq!(
            duration_label(SignedDuration::from_secs(3 * 86_400 + 4 * 3600 + 59)),
            "3 d 4 h"
        );
        assert_eq!(duration_label(SignedDuration::from_secs(-5)), "0 s");
    }
}
