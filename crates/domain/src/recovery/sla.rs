//! SLA clocks of recovery cases and the escalation ladder. A case must be first contacted and
//! resolved within its priority's targets, counted in calendar time or, optionally, in the
//! organization's business hours and time zone. An overdue clock escalates the case from its
//! owner to the team's manager, and, after a further grace period, to the president.

use super::cases::Priority;
use crate::ValidationError;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, Zoned};
use serde::{Deserialize, Serialize};

/// The two targets of one priority, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTargets {
    pub first_contact_minutes: i64,
    pub resolution_minutes: i64,
}

/// Working days and hours; SLA time only runs inside them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessHours {
    /// Minutes after local midnight when the working day starts and ends.
    pub start_minute: i64,
    pub end_minute: i64,
    /// Working days, Monday first.
    pub days: [bool; 7],
}

impl Default for BusinessHours {
    fn default() -> Self {
        Self {
            start_minute: 9 * 60,
            end_minute: 17 * 60,
            days: [true, true, true, true, true, false, false],
        }
    }
}

/// The organization's SLA policy for recovery cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SlaPolicy {
    pub urgent: SlaTargets,
    pub high: SlaTargets,
    pub normal: SlaTargets,
    pub low: SlaTargets,
    /// Count SLA time in these hours only (in the organization's time zone); `None`: around
    /// the clock.
    pub business_hours: Option<BusinessHours>,
    /// How long a case stays overdue with the team's manager before it goes to the president.
    pub president_after_minutes: i64,
}

impl Default for SlaPolicy {
    /// First contact within 24 hours and resolution within 48 (urgent: 4 and 24; low: 48
    /// and 120), around the clock; the president hears of a case 24 hours after it became
    /// overdue.
    fn default() -> Self {
        let hours = |first: i64, resolve: i64| SlaTargets {
            first_contact_minutes: first * 60,
            resolution_minutes: resolve * 60,
        };
        Self {
            urgent: hours(4, 24),
            high: hours(24, 48),
            normal: hours(24, 48),
            low: hours(48, 120),
            business_hours: None,
            president_after_minutes: 24 * 60,
        }
    }
}

/// When a case's two clocks run out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clocks {
    pub first_contact_due: Timestamp,
    pub resolution_due: Timestamp,
}

impl SlaPolicy {
    pub fn targets(&self, priority: Priority) -> SlaTargets {
        match priority {
            Priority::Urgent => self.urgent,
            Priority::High => self.high,
            Priority::Normal => self.normal,
            Priority::Low => self.low,
        }
    }

    /// The clocks of a case of `priority` started at `from` (opening, or reopening).
    pub fn clocks(&self, priority: Priority, from: Timestamp, zone: &TimeZone) -> Clocks {
        let targets = self.targets(priority);
        Clocks {
            first_contact_due: self.deadline(from, targets.first_contact_minutes, zone),
            resolution_due: self.deadline(from, targets.resolution_minutes, zone),
        }
    }

    /// `minutes` of SLA time after `from`.
    pub fn deadline(&self, from: Timestamp, minutes: i64, zone: &TimeZone) -> Timestamp {
        let span = SignedDuration::from_mins(minutes.max(0));
        match &self.business_hours {
            Some(hours) => hours.add(from, span, zone).unwrap_or(from + span),
            None => from + span,
        }
    }

    /// Checks every target and the business hours.
    pub fn validate(&self) -> Result<(), ValidationError> {
        for (name, t) in [
            ("urgent", self.urgent),
            ("high", self.high),
            ("normal", self.normal),
            ("low", self.low),
        ] {
            let in_range = |m: i64| (1..=60 * 24 * 90).contains(&m);
            if !in_range(t.first_contact_minutes) || !in_range(t.resolution_minutes) {
                return Err(ValidationError::new(
                    "sla",
                    format!("{name}: targets must be between 1 minute and 90 days"),
                ));
            }
            if t.resolution_minutes < t.first_contact_minutes {
                return Err(ValidationError::new(
                    "sla",
                    format!("{name}: resolution cannot be due before first contact"),
                ));
            }
        }
        if !(0..=60 * 24 * 30).contains(&self.president_after_minutes) {
            return Err(ValidationError::new(
                "president_after_minutes",
                "must be between 0 and 30 days",
            ));
        }
        if let Some(hours) = &self.business_hours {
            let valid = (0..24 * 60).contains(&hours.start_minute)
                && (1..=24 * 60).contains(&hours.end_minute)
                && hours.start_minute < hours.end_minute
                && hours.days.iter().any(|d| *d);
            if !valid {
                return Err(ValidationError::new(
                    "business_hours",
                    "need a start before the end and at least one working day",
                ));
            }
        }
        Ok(())
    }
}

impl BusinessHours {
    fn is_working_day(&self, date: Date) -> bool {
        let index = date.weekday().to_monday_zero_offset();
        self.days.get(index as usize).copied().unwrap_or(false)
    }

    fn at(date: Date, minute: i64, zone: &TimeZone) -> Option<Zoned> {
        let start = date.to_zoned(zone.clone()).ok()?;
        // Minutes are added to local midnight as civil time, so a working day that spans a
        // daylight-saving change still opens at its wall-clock hour.
        let civil = date
            .at(0, 0, 0, 0)
            .checked_add(SignedDuration::from_mins(minute))
            .ok()?;
        civil.to_zoned(zone.clone()).ok().or(Some(start))
    }

    /// `span` of working time after `from`; `None` if it cannot be placed within ten years.
    pub fn add(&self, from: Timestamp, span: SignedDuration, zone: &TimeZone) -> Option<Timestamp> {
        let mut remaining = span;
        let mut cursor = from;
        let mut date = from.to_zoned(zone.clone()).date();
        for _ in 0..3660 {
            if self.is_working_day(date) {
                let open = Self::at(date, self.start_minute, zone)?.timestamp();
                let close = Self::at(date, self.end_minute, zone)?.timestamp();
                let start = cursor.max(open);
                if start < close {
                    let available = close.duration_since(start);
                    if remaining <= available {
                        return Some(start + remaining);
                    }
                    remaining -= available;
                }
            }
            date = date.tomorrow().ok()?;
            cursor = cursor.max(date.to_zoned(zone.clone()).ok()?.timestamp());
        }
        None
    }
}

/// Who must be looking at a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationLevel {
    Owner,
    TeamManager,
    President,
}

impl EscalationLevel {
    pub fn from_index(index: i64) -> EscalationLevel {
        match index {
            ..=0 => EscalationLevel::Owner,
            1 => EscalationLevel::TeamManager,
            _ => EscalationLevel::President,
        }
    }

    pub fn index(self) -> i64 {
        self as i64
    }

    pub fn label(self) -> &'static str {
        match self {
            EscalationLevel::Owner => "owner",
            EscalationLevel::TeamManager => "team manager",
            EscalationLevel::President => "president",
        }
    }
}

/// Where a case's clocks stand at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockState {
    /// The earliest clock that ran out without being met, if any.
    pub overdue_since: Option<Timestamp>,
    pub first_contact_breached: bool,
    pub resolution_breached: bool,
}

/// Evaluates a case's clocks: first contact counts until it happened, resolution until the
/// case is resolved (`open` false).
pub fn clock_state(
    clocks: Clocks,
    first_contacted_at: Option<Timestamp>,
    resolved_at: Option<Timestamp>,
    now: Timestamp,
) -> ClockState {
    let missed = |due: Timestamp, met_at: Option<Timestamp>| match met_at {
        Some(at) => at > due,
        None => now >= due,
    };
    let first_contact_breached = missed(clocks.first_contact_due, first_contacted_at);
    let resolution_breached = missed(clocks.resolution_due, resolved_at);
    let still_running =
        |due: Timestamp, met_at: Option<Timestamp>| (met_at.is_none() && now >= due).then_some(due);
    let overdue_since = [
        still_running(clocks.first_contact_due, first_contacted_at),
        still_running(clocks.resolution_due, resolved_at),
    ]
    .into_iter()
    .flatten()
    .min();
    ClockState {
        overdue_since,
        first_contact_breached,
        resolution_breached,
    }
}

/// The level a case should have reached at `now`: the owner while nothing is overdue, the
/// team's manager once a clock ran out, the president `president_after_minutes` later.
pub fn required_level(
    overdue_since: Option<Timestamp>,
    now: Timestamp,
    policy: &SlaPolicy,
) -> EscalationLevel {
    match overdue_since {
        None => EscalationLevel::Owner,
        Some(since) if now < since + SignedDuration::from_mins(policy.president_after_minutes) => {
            EscalationLevel::TeamManager
        }
        Some(_) => EscalationLevel::President,
    }
}

/// "3 h 20 min left", "overdue by 1 d 2 h", for a countdown shown to people.
pub fn countdown(due: Timestamp, now: Timestamp) -> String {
    let left = due.duration_since(now);
    let text = |d: SignedDuration| {
        let minutes = d.as_secs().unsigned_abs() / 60;
        let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
        match (days, hours) {
            (0, 0) => format!("{mins} min"),
            (0, _) => format!("{hours} h {mins} min"),
            _ => format!("{days} d {hours} h"),
        }
    };
    if left.is_negative() {
        format!("overdue by {}", text(left))
    } else {
        format!("{} left", text(left))
    }
}

/// Monday-first weekday names, for forms.
pub const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "Mon"),
    (Weekday::Tuesday, "Tue"),
    (Weekday::Wednesday, "Wed"),
    (Weekday::Thursday, "Thu"),
    (Weekday::Friday, "Fri"),
    (Weekday::Saturday, "Sat"),
    (Weekday::Sunday, "Sun"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").unwrap_or(TimeZone::UTC)
    }

    #[test]
    fn calendar_clocks_are_plain_durations() {
        let policy = SlaPolicy::default();
        let clocks = policy.clocks(Priority::Normal, at("2026-12-04T10:00:00Z"), &paris());
        assert_eq!(clocks.first_contact_due, at("2026-12-05T10:00:00Z"));
        assert_eq!(clocks.resolution_due, at("2026-12-06T10:00:00Z"));
        let urgent = policy.clocks(Priority::Urgent, at("2026-12-04T10:00:00Z"), &paris());
        assert_eq!(urgent.first_contact_due, at("2026-12-04T14:00:00Z"));
    }

    #[test]
    fn business_hours_skip_nights_and_weekends() {
        let policy = SlaPolicy {
            business_hours: Some(BusinessHours::default()),
            ..SlaPolicy::default()
        };
        // Friday 16:00 in Paris (15:00 UTC) plus 2 working hours: Monday 10:00 Paris.
        let due = policy.deadline(at("2026-12-04T15:00:00Z"), 120, &paris());
        assert_eq!(due, at("2026-12-07T09:00:00Z"));
        // Saturday: the clock starts on Monday at 9:00.
        let due = policy.deadline(at("2026-12-05T12:00:00Z"), 60, &paris());
        assert_eq!(due, at("2026-12-07T09:00:00Z"));
        // 24 working hours from Monday 9:00 is Wednesday 17:00.
        let due = policy.deadline(at("2026-12-07T08:00:00Z"), 24 * 60, &paris());
        assert_eq!(due, at("2026-12-09T16:00:00Z"));
    }

    #[test]
    fn business_hours_keep_wall_clock_hours_across_daylight_saving() {
        let policy = SlaPolicy {
            business_hours: Some(BusinessHours::default()),
            ..SlaPolicy::default()
        };
        // Paris moves to summer time on Sunday 29 March 2026. Friday 16:30 CET (15:30 UTC)
        // plus one working hour: Monday 9:30 CEST, which is 7:30 UTC.
        let due = policy.deadline(at("2026-03-27T15:30:00Z"), 60, &paris());
        assert_eq!(due, at("2026-03-30T07:30:00Z"));
    }

    #[test]
    fn overdue_clocks_escalate_to_the_manager_then_the_president() {
        let policy = SlaPolicy::default();
        let clocks = policy.clocks(Priority::Normal, at("2026-12-01T00:00:00Z"), &TimeZone::UTC);
        let now = at("2026-12-01T12:00:00Z");
        let state = clock_state(clocks, None, None, now);
        assert_eq!(state.overdue_since, None);
        assert_eq!(
            required_level(state.overdue_since, now, &policy),
            EscalationLevel::Owner
        );
        let now = at("2026-12-02T01:00:00Z");
        let state = clock_state(clocks, None, None, now);
        assert_eq!(state.overdue_since, Some(clocks.first_contact_due));
        assert!(state.first_contact_breached && !state.resolution_breached);
        assert_eq!(
            required_level(state.overdue_since, now, &policy),
            EscalationLevel::TeamManager
        );
        let now = at("2026-12-03T00:30:00Z");
        assert_eq!(
            required_level(
                clock_state(clocks, None, None, now).overdue_since,
                now,
                &policy
            ),
            EscalationLevel::President
        );
        // Contacted in time and resolved: nothing is overdue, nothing breached.
        let met = clock_state(
            clocks,
            Some(at("2026-12-01T05:00:00Z")),
            Some(at("2026-12-01T20:00:00Z")),
            at("2026-12-09T00:00:00Z"),
        );
        assert_eq!(met.overdue_since, None);
        assert!(!met.first_contact_breached && !met.resolution_breached);
        // Contacted late: the breach stays on record, but only resolution keeps running.
        let late = clock_state(
            clocks,
            Some(at("2026-12-02T05:00:00Z")),
            None,
            at("2026-12-02T06:00:00Z"),
        );
        assert!(late.first_contact_breached);
        assert_eq!(late.overdue_since, None);
    }

    #[test]
    fn policies_are_validated() {
        assert!(SlaPolicy::default().validate().is_ok());
        let mut bad = SlaPolicy::default();
        bad.high.resolution_minutes = 10;
        assert!(bad.validate().is_err());
        let bad = SlaPolicy {
            business_hours: Some(BusinessHours {
                days: [false; 7],
                ..BusinessHours::default()
            }),
            ..SlaPolicy::default()
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn countdowns_read_naturally() {
        let now = at("2026-12-01T00:00:00Z");
        assert_eq!(
            countdown(at("2026-12-01T03:20:00Z"), now),
            "3 h 20 min left"
        );
        assert_eq!(
            countdown(at("2026-11-29T22:00:00Z"), now),
            "overdue by 1 d 2 h"
        );
        assert_eq!(countdown(at("2026-12-01T00:05:00Z"), now), "5 min left");
    }
}
