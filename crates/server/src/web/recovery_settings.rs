//! `/settings/recovery` (administrators): SLA targets per priority, business hours, when the
//! president hears of an overdue case, case routing, the customer value that raises priority
//! and how old a response may be and still alert. Checked by `RecoverySettings::validate`, as
//! `PUT /api/v1/recovery-settings` is.

use super::list::Choice;
use super::{Chrome, PageError, PageResult, Staff, actor, render, see_other};
use crate::recovery::{load_settings, save_settings};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::recovery::sla::WEEKDAYS;
use domain::recovery::{BusinessHours, CaseRoute, Priority, RecoverySettings, SlaTargets};
use domain::{Role, ValidationError};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/recovery", get(show).post(save))
}

/// Each priority with its label and the names of its two targets in messages.
const PRIORITIES: [(Priority, &str, &str, &str); 4] = [
    (
        Priority::Urgent,
        "Urgent",
        "Urgent first contact",
        "Urgent resolution",
    ),
    (
        Priority::High,
        "High",
        "High first contact",
        "High resolution",
    ),
    (
        Priority::Normal,
        "Normal",
        "Normal first contact",
        "Normal resolution",
    ),
    (Priority::Low, "Low", "Low first contact", "Low resolution"),
];

fn route_label(route: CaseRoute) -> &'static str {
    match route {
        CaseRoute::CustomerTeam => "The customer's client team",
        CaseRoute::ResponseTeam => "The team of the transaction's staff member",
        CaseRoute::TouchpointTeam => "The team that owns the touchpoint",
    }
}

/// Minutes as hours for the form: `90` is `1.5`, `240` is `4` (two decimals at most, which
/// read back to the same minute).
fn hours(minutes: i64) -> String {
    let text = format!("{:.2}", minutes as f64 / 60.0);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn clock(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Hours typed with decimals, as whole minutes.
fn minutes(field: &'static str, raw: &str) -> Result<i64, ValidationError> {
    raw.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|h| h.is_finite() && *h >= 0.0 && *h <= 24.0 * 366.0)
        .map(|h| (h * 60.0).round() as i64)
        .ok_or_else(|| ValidationError::new(field, format!("{raw:?} is not a number of hours")))
}

/// Minutes after midnight of `HH:MM`; `24:00` is the end of the day.
fn time_of_day(field: &'static str, raw: &str) -> Result<i64, ValidationError> {
    let invalid = || ValidationError::new(field, format!("{raw:?} is not a time such as 09:00"));
    let (h, m) = raw.trim().split_once(':').ok_or_else(invalid)?;
    let (h, m): (i64, i64) = (
        h.trim().parse().map_err(|_| invalid())?,
        m.trim().parse().map_err(|_| invalid())?,
    );
    if (0..60).contains(&m) && ((0..24).contains(&h) || (h == 24 && m == 0)) {
        Ok(h * 60 + m)
    } else {
        Err(invalid())
    }
}

/// One priority's targets as typed.
#[derive(Debug, Clone, Default, PartialEq)]
struct TargetsForm {
    first_contact: String,
    resolution: String,
}

/// The form as typed.
#[derive(Debug, Clone, Default, PartialEq)]
struct SettingsForm {
    /// Urgent, high, normal, low.
    targets: [TargetsForm; 4],
    business_hours: bool,
    start: String,
    end: String,
    days: [bool; 7],
    president_after: String,
    route_first: String,
    route_fallback: String,
    high_value_minor: String,
    max_alert_age_days: String,
}

impl SettingsForm {
    fn of(settings: &RecoverySettings) -> Self {
        let sla = &settings.sla;
        let targets = PRIORITIES.map(|(priority, ..)| {
            let t = sla.targets(priority);
            TargetsForm {
                first_contact: hours(t.first_contact_minutes),
                resolution: hours(t.resolution_minutes),
            }
        });
        let shown = sla.business_hours.clone().unwrap_or_default();
        let route = |i: usize| {
            settings
                .routing
                .get(i)
                .map(|r| r.as_str().to_owned())
                .unwrap_or_default()
        };
        Self {
            targets,
            business_hours: sla.business_hours.is_some(),
            start: clock(shown.start_minute),
            end: clock(shown.end_minute),
            days: shown.days,
            president_after: hours(sla.president_after_minutes),
            route_first: route(0),
            route_fallback: route(1),
            high_value_minor: settings
                .high_value_minor
                .map(|v| v.to_string())
                .unwrap_or_default(),
            max_alert_age_days: settings.max_alert_age_days.to_string(),
        }
    }

    /// Reads the posted fields: targets are `<priority>_first` and `<priority>_resolution`,
    /// working days are repeated `day` fields (0 is Monday), a checkbox is on when sent.
    fn from_fields(fields: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in fields {
            if let Some((i, first)) = target_field(&name)
                && let Some(targets) = form.targets.get_mut(i)
            {
                if first {
                    targets.first_contact = value;
                } else {
                    targets.resolution = value;
                }
                continue;
            }
            match name.as_str() {
                "business_hours" => form.business_hours = true,
                "start" => form.start = value,
                "end" => form.end = value,
                "day" => {
                    if let Some(day) = value
                        .parse::<usize>()
                        .ok()
                        .and_then(|d| form.days.get_mut(d))
                    {
                        *day = true;
                    }
                }
                "president_after" => form.president_after = value,
                "route_first" => form.route_first = value,
                "route_fallback" => form.route_fallback = value,
                "high_value_minor" => form.high_value_minor = value,
                "max_alert_age_days" => form.max_alert_age_days = value,
                _ => {}
            }
        }
        form
    }

    fn parse(&self) -> Result<RecoverySettings, ValidationError> {
        let mut settings = RecoverySettings::default();
        for ((priority, _, first, resolution), typed) in PRIORITIES.iter().zip(&self.targets) {
            let targets = SlaTargets {
                first_contact_minutes: minutes(first, &typed.first_contact)?,
                resolution_minutes: minutes(resolution, &typed.resolution)?,
            };
            match priority {
                Priority::Urgent => settings.sla.urgent = targets,
                Priority::High => settings.sla.high = targets,
                Priority::Normal => settings.sla.normal = targets,
                Priority::Low => settings.sla.low = targets,
            }
        }
        settings.sla.business_hours = if self.business_hours {
            Some(BusinessHours {
                start_minute: time_of_day("Business hours start", &self.start)?,
                end_minute: time_of_day("Business hours end", &self.end)?,
                days: self.days,
            })
        } else {
            None
        };
        settings.sla.president_after_minutes = minutes("President after", &self.president_after)?;
        let mut routing = Vec::new();
        for raw in [&self.route_first, &self.route_fallback] {
            if raw.is_empty() {
                continue;
            }
            let route = CaseRoute::parse(raw)?;
            if !routing.contains(&route) {
                routing.push(route);
            }
        }
        settings.routing = routing;
        let high_value = self.high_value_minor.trim();
        settings.high_value_minor = if high_value.is_empty() {
            None
        } else {
            Some(high_value.parse::<i64>().map_err(|_| {
                ValidationError::new("high_value_minor", "give a whole number of minor units")
            })?)
        };
        settings.max_alert_age_days = self
            .max_alert_age_days
            .trim()
            .parse()
            .map_err(|_| ValidationError::new("max_alert_age_days", "give a whole number"))?;
        settings.validate()?;
        Ok(settings)
    }
}

/// Which priority (its index) and which target (`true`: first contact) a field such as
/// `high_first` or `low_resolution` is.
fn target_field(name: &str) -> Option<(usize, bool)> {
    let (priority, first) = match name.strip_suffix("_first") {
        Some(priority) => (priority, true),
        None => (name.strip_suffix("_resolution")?, false),
    };
    let i = PRIORITIES
        .iter()
        .position(|(p, ..)| p.as_str() == priority)?;
    Some((i, first))
}

/// The validation message in words: "Routing: name at least one source …".
fn readable(error: &ValidationError) -> String {
    let field = match error.field {
        "sla" => "SLA targets",
        "business_hours" => "Business hours",
        "president_after_minutes" => "President after",
        "routing" => "Routing",
        "high_value_minor" => "High-value threshold",
        "max_alert_age_days" => "Maximum alert age",
        other => other,
    };
    format!("{field}: {}.", error.message)
}

struct PriorityRow {
    key: &'static str,
    label: &'static str,
    targets: TargetsForm,
}

struct DayBox {
    index: usize,
    label: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "recovery_settings/form.html")]
struct SettingsPage {
    chrome: Chrome,
    priorities: Vec<PriorityRow>,
    days: Vec<DayBox>,
    form: SettingsForm,
    first_routes: Vec<Choice>,
    fallback_routes: Vec<Choice>,
    error: Option<String>,
    notice: Option<&'static str>,
}

fn page(
    staff: &Staff,
    form: SettingsForm,
    error: Option<String>,
    notice: Option<&'static str>,
) -> SettingsPage {
    let routes = |current: &str| {
        Choice::list(
            CaseRoute::ALL.iter().map(|r| (r.as_str(), route_label(*r))),
            current,
        )
    };
    SettingsPage {
        chrome: Chrome::for_staff(staff, "/settings", &staff.time_zone),
        priorities: PRIORITIES
            .iter()
            .zip(&form.targets)
            .map(|((priority, label, ..), targets)| PriorityRow {
                key: priority.as_str(),
                label,
                targets: targets.clone(),
            })
            .collect(),
        days: WEEKDAYS
            .iter()
            .enumerate()
            .map(|(index, (_, label))| DayBox {
                index,
                label,
                checked: form.days.get(index).copied().unwrap_or(false),
            })
            .collect(),
        first_routes: routes(&form.route_first),
        fallback_routes: routes(&form.route_fallback),
        form,
        error,
        notice,
    }
}

#[derive(Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let settings = load_settings(state.store.as_ref()).await?;
    let notice = query.saved.is_some().then_some(
        "The recovery settings were saved; cases opened or reopened from now on use them.",
    );
    let view = page(&staff, SettingsForm::of(&settings), None, notice);
    Ok(render(StatusCode::OK, &view))
}

async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let form = SettingsForm::from_fields(fields);
    match form.parse() {
        Ok(settings) => {
            save_settings(state.store.as_ref(), &actor(&staff), &settings)
                .await
                .map_err(PageError::from)?;
            Ok(see_other("/settings/recovery?saved=1"))
        }
        Err(error) => {
            let view = page(&staff, form, Some(readable(&error)), None);
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_read_back_to_the_same_minutes() {
        assert_eq!(hours(240), "4");
        assert_eq!(hours(90), "1.5");
        for m in [1, 25, 61, 1439, 2880] {
            assert_eq!(minutes("x", &hours(m)), Ok(m));
        }
        assert!(minutes("x", "soon").is_err());
        assert_eq!(time_of_day("x", "24:00"), Ok(1440));
        assert!(time_of_day("x", "24:30").is_err());
    }

    #[test]
    fn the_defaults_round_trip_through_the_form() {
        let defaults = RecoverySettings::default();
        assert_eq!(SettingsForm::of(&defaults).parse(), Ok(defaults));
        let mut with_hours = RecoverySettings::default();
        with_hours.sla.business_hours = Some(BusinessHours::default());
        with_hours.routing = vec![CaseRoute::ResponseTeam];
        with_hours.high_value_minor = Some(5_000_000);
        assert_eq!(SettingsForm::of(&with_hours).parse(), Ok(with_hours));
    }

    #[test]
    fn posted_fields_fill_the_form() {
        let fields = [
            ("urgent_first", "0.5"),
            ("business_hours", "on"),
            ("day", "0"),
            ("day", "6"),
            ("route_first", "touchpoint_team"),
            ("route_fallback", "touchpoint_team"),
            ("high_value_minor", "42"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        let form = SettingsForm::from_fields(fields.to_vec());
        assert_eq!(form.targets[0].first_contact, "0.5");
        assert!(form.business_hours);
        assert_eq!(form.days, [true, false, false, false, false, false, true]);
        assert_eq!(form.route_fallback, "touchpoint_team");
        assert_eq!(form.high_value_minor, "42");
        assert_eq!(target_field("low_resolution"), Some((3, false)));
        assert_eq!(target_field("high_value_minor"), None);
    }
}
