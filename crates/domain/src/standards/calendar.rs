//! The organization's working calendar and the clocks of performance standards.
//!
//! A threshold is counted either in calendar time ("phone answered within 30 seconds": every
//! second counts, night or day) or in business time ("complaints resolved within 48 business
//! hours": only the time the organization is open counts). [`Clock`] hides the difference
//! behind two operations, [`Clock::elapsed`] and [`Clock::deadline`].
//!
//! # What business time is
//!
//! A [`WorkingCalendar`] lists, per weekday, the intervals of wall-clock time the
//! organization works (several a day, e.g. 09:00–12:30 and 14:00–18:00), the holidays (local
//! dates on which nobody works), and the IANA time zone those wall clocks read. An instant is
//! working time when the organization's wall clock shows a working interval of a working,
//! non-holiday day. Business time between two instants is the real time (seconds of
//! [`Timestamp`]s, not wall-clock differences) spent inside working intervals.
//!
//! Daylight saving follows from that definition:
//!
//! - **Spring forward** (a gap: 02:00–03:00 does not exist on the last Sunday of March in
//!   Europe/Paris, on the second Sunday of March in America/New_York). An interval containing
//!   the gap is an hour shorter in real time (00:00–24:00 lasts 23 hours); a boundary inside
//!   the gap is the instant the clocks jump, the first instant whose wall clock reads at or
//!   after it. So 02:30–05:00 lasts 2 hours (03:00–05:00) and 02:15–02:45 does not happen.
//! - **Fall back** (a fold: 02:00–03:00 happens twice in Paris on the last Sunday of October,
//!   01:00–02:00 twice in New York on the first Sunday of November). An interval containing
//!   the repeated hour is an hour longer (00:00–24:00 lasts 25 hours); a boundary inside the
//!   repeated hour is its **first** occurrence, the rule of RFC 5545 and of jiff's
//!   `compatible` disambiguation: 01:00–02:30 in Paris ends the first time the clock shows
//!   02:30 and lasts 1 h 30.
//!
//! Both rules map wall-clock boundaries to instants monotonically, so the intervals of a day
//! never overlap in real time and a day ending at 24:00 joins the next one starting at 00:00
//! without a gap or a double count.
//!
//! # Deadline
//!
//! [`WorkingCalendar::deadline`] is the **last** instant at which no more than the threshold
//! has elapsed, so that for every `t`:
//!
//! ```text
//! elapsed(start, t) > threshold   ⇔   t > deadline(start, threshold)
//! ```
//!
//! which makes "breached" (duration over threshold) and "open past its deadline" the same test.
//! When a threshold runs out exactly at a closing time, the deadline is therefore the next
//! opening: a complaint opened Monday 09:00 with 8 business hours is still within its standard
//! until Tuesday 09:00, because no business time passes overnight. (The recovery SLA clock,
//! [`crate::recovery::BusinessHours::add`], returns the closing instant instead; both count
//! the same business time and agree everywhere else, see the tests. A zero threshold runs out
//! at the first working instant at or after the start.)
//!
//! # One implementation
//!
//! The recovery module's [`BusinessHours`] (one interval, the same for every working day) is
//! a special case of this calendar: [`CalendarDefinition::from_business_hours`] converts it,
//! and a test checks that both give the same due times. This calendar adds several intervals
//! a day, holidays and exact daylight-saving boundaries.

use crate::ValidationError;
use crate::access::string_enum;
use crate::recovery::BusinessHours;
use crate::recovery::sla::WEEKDAYS;
use jiff::civil::{Date, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Minutes in a civil day; an interval may end at 24:00 (minute 1440).
pub const MINUTES_PER_DAY: i64 = 24 * 60;
/// At most this many working intervals in one weekday.
pub const MAX_INTERVALS_PER_DAY: usize = 8;
/// At most this many holidays in a calendar (a few decades of them).
pub const MAX_HOLIDAYS: usize = 1_000;
/// How far [`WorkingCalendar::deadline`] looks ahead before it gives up and answers "never"
/// ([`Timestamp::MAX`]): 100 years. Only a calendar with almost no working time and a huge
/// threshold gets there.
pub const SEARCH_DAYS: usize = 36_525;

string_enum!(
    /// How a threshold's time is counted: every second (calendar), or only working time in
    /// the organization's calendar (business).
    TimeBasis, "time_basis" {
        Calendar => "calendar",
        Business => "business",
    }
);

/// Working wall-clock time within one day: from `start_minute` to `end_minute` after local
/// midnight, end excluded. `end_minute` may be 1440 (24:00). An interval never spans
/// midnight: a night shift 22:00–06:00 is 22:00–24:00 on one day and 00:00–06:00 on the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WorkInterval {
    pub start_minute: i64,
    pub end_minute: i64,
}

impl WorkInterval {
    /// A validated interval.
    pub fn new(start_minute: i64, end_minute: i64) -> Result<Self, ValidationError> {
        let interval = WorkInterval {
            start_minute,
            end_minute,
        };
        interval
            .check()
            .map_err(|message| ValidationError::new("business_hours", message))?;
        Ok(interval)
    }

    /// Its nominal length in minutes (daylight-saving days aside).
    pub fn minutes(self) -> i64 {
        self.end_minute - self.start_minute
    }

    fn check(self) -> Result<(), String> {
        if !(0..MINUTES_PER_DAY).contains(&self.start_minute)
            || !(1..=MINUTES_PER_DAY).contains(&self.end_minute)
        {
            return Err("intervals must lie between 00:00 and 24:00".to_owned());
        }
        if self.start_minute >= self.end_minute {
            return Err(format!("{} must start before it ends", self.label()));
        }
        Ok(())
    }

    /// "09:00–17:30".
    pub fn label(self) -> String {
        let hhmm = |m: i64| format!("{:02}:{:02}", m.div_euclid(60), m.rem_euclid(60));
        format!("{}–{}", hhmm(self.start_minute), hhmm(self.end_minute))
    }
}

/// The editable definition of a working calendar, as stored and sent through the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDefinition {
    /// IANA name of the time zone the wall clocks read, e.g. `Europe/Paris`.
    pub time_zone: String,
    /// Working intervals per weekday, Monday first; an empty day is not worked.
    pub week: [Vec<WorkInterval>; 7],
    /// Local dates on which nobody works, whatever the weekday.
    #[serde(default)]
    pub holidays: Vec<Date>,
}

impl CalendarDefinition {
    /// Monday to Friday, 09:00–17:00, no holidays: the same default as the recovery SLA's
    /// [`BusinessHours`].
    pub fn office_hours(time_zone: &str) -> Self {
        Self::from_business_hours(&BusinessHours::default(), time_zone)
    }

    /// The recovery SLA's business hours (one interval on each working day) as a calendar.
    pub fn from_business_hours(hours: &BusinessHours, time_zone: &str) -> Self {
        let interval = WorkInterval {
            start_minute: hours.start_minute,
            end_minute: hours.end_minute,
        };
        let week = std::array::from_fn(|day| {
            if hours.days.get(day).copied().unwrap_or(false) {
                vec![interval]
            } else {
                Vec::new()
            }
        });
        CalendarDefinition {
            time_zone: time_zone.trim().to_owned(),
            week,
            holidays: Vec::new(),
        }
    }

    /// Validates the definition and prepares it for computing: the time zone must be known;
    /// each interval must lie inside a day and start before it ends; the intervals of a day
    /// must not overlap (touching is fine: 09:00–12:00 and 12:00–13:00); at most
    /// [`MAX_INTERVALS_PER_DAY`] a day and [`MAX_HOLIDAYS`] holidays; and at least one working
    /// interval in the week, since a calendar is only used to count business time and a
    /// calendar without any would never let a business-time threshold run out. Intervals
    /// are sorted and holidays sorted and deduplicated.
    pub fn compile(&self) -> Result<WorkingCalendar, ValidationError> {
        let zone = crate::time::parse_time_zone(&self.time_zone)?;
        let mut week: [Vec<WorkInterval>; 7] = Default::default();
        for ((day, intervals), (_, day_name)) in week.iter_mut().zip(&self.week).zip(WEEKDAYS) {
            if intervals.len() > MAX_INTERVALS_PER_DAY {
                return Err(ValidationError::new(
                    "business_hours",
                    format!("{day_name}: at most {MAX_INTERVALS_PER_DAY} intervals a day"),
                ));
            }
            let mut sorted = intervals.clone();
            sorted.sort();
            for interval in &sorted {
                interval.check().map_err(|message| {
                    ValidationError::new("business_hours", format!("{day_name}: {message}"))
                })?;
            }
            for pair in sorted.windows(2) {
                if let [a, b] = pair
                    && b.start_minute < a.end_minute
                {
                    return Err(ValidationError::new(
                        "business_hours",
                        format!("{day_name}: {} overlaps {}", a.label(), b.label()),
                    ));
                }
            }
            *day = sorted;
        }
        if week.iter().all(Vec::is_empty) {
            return Err(ValidationError::new(
                "business_hours",
                "business hours need at least one working interval in the week",
            ));
        }
        if self.holidays.len() > MAX_HOLIDAYS {
            return Err(ValidationError::new(
                "holidays",
                format!("at most {MAX_HOLIDAYS} holidays"),
            ));
        }
        let holidays: BTreeSet<Date> = self.holidays.iter().copied().collect();
        Ok(WorkingCalendar {
            zone,
            definition: CalendarDefinition {
                time_zone: self.time_zone.trim().to_owned(),
                week,
                holidays: holidays.iter().copied().collect(),
            },
            holidays,
        })
    }
}

/// A validated working calendar with its time zone resolved; build it with
/// [`CalendarDefinition::compile`].
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    zone: TimeZone,
    definition: CalendarDefinition,
    holidays: BTreeSet<Date>,
}

impl WorkingCalendar {
    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// The normalized definition (sorted intervals, sorted unique holidays).
    pub fn definition(&self) -> &CalendarDefinition {
        &self.definition
    }

    fn intervals(&self, date: Date) -> &[WorkInterval] {
        let index = date.weekday().to_monday_zero_offset();
        self.definition
            .week
            .get(usize::from(index.unsigned_abs()))
            .map_or(&[], Vec::as_slice)
    }

    /// Whether any working interval falls on `date` (a local date).
    pub fn is_working_day(&self, date: Date) -> bool {
        !self.holidays.contains(&date) && !self.intervals(date).is_empty()
    }

    /// The working time of a local date as half-open instant ranges, in order, empty ones
    /// (an interval inside a daylight-saving gap) left out.
    pub fn working_spans(&self, date: Date) -> Vec<(Timestamp, Timestamp)> {
        if self.holidays.contains(&date) {
            return Vec::new();
        }
        self.intervals(date)
            .iter()
            .filter_map(|interval| {
                let open = self.instant(date, interval.start_minute)?;
                let close = self.instant(date, interval.end_minute)?;
                (open < close).then_some((open, close))
            })
            .collect()
    }

    /// Whether `at` is working time.
    pub fn is_working(&self, at: Timestamp) -> bool {
        let date = self.local_date(at);
        // An instant in the second pass of a fold that crosses midnight belongs to the next
        // date's range, hence the look at tomorrow too.
        [Some(date), date.tomorrow().ok()]
            .into_iter()
            .flatten()
            .flat_map(|d| self.working_spans(d))
            .any(|(open, close)| open <= at && at < close)
    }

    /// Business time from `start` to `end`; negative when `end` is before `start`
    /// (`elapsed(a, b) == -elapsed(b, a)`).
    pub fn elapsed(&self, start: Timestamp, end: Timestamp) -> SignedDuration {
        if end < start {
            return -self.elapsed(end, start);
        }
        let mut total = SignedDuration::ZERO;
        let mut date = self.local_date(start);
        loop {
            match self.instant(date, 0) {
                Some(day_start) if day_start >= end => break,
                None => break,
                Some(_) => {}
            }
            for (open, close) in self.working_spans(date) {
                let (from, to) = (open.max(start), close.min(end));
                if from < to {
                    total = total.saturating_add(to.duration_since(from));
                }
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        total
    }

    /// The last instant at which at most `threshold` of business time has passed since
    /// `start` (see the module documentation); a negative threshold counts as zero.
    /// [`Timestamp::MAX`] when the threshold cannot be used up within [`SEARCH_DAYS`].
    pub fn deadline(&self, start: Timestamp, threshold: SignedDuration) -> Timestamp {
        let mut remaining = threshold.max(SignedDuration::ZERO);
        let mut date = self.local_date(start);
        for _ in 0..SEARCH_DAYS {
            for (open, close) in self.working_spans(date) {
                if close <= start {
                    continue;
                }
                let from = open.max(start);
                let available = close.duration_since(from);
                // Strictly less: a threshold used up exactly at closing time runs on to the
                // next opening, since no business time passes in between.
                if remaining < available {
                    return from.checked_add(remaining).unwrap_or(Timestamp::MAX);
                }
                remaining -= available;
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        Timestamp::MAX
    }

    /// The first working instant at or after `at`.
    pub fn next_working_instant(&self, at: Timestamp) -> Timestamp {
        self.deadline(at, SignedDuration::ZERO)
    }

    fn local_date(&self, at: Timestamp) -> Date {
        at.to_zoned(self.zone.clone()).date()
    }

    /// The instant the wall clock first reads `minute` after midnight of `date` (for a time
    /// in a gap: the instant the clocks jump over it; in a fold: its first occurrence).
    fn instant(&self, date: Date, minute: i64) -> Option<Timestamp> {
        let civil = date
            .to_datetime(Time::midnight())
            .checked_add(SignedDuration::from_mins(minute))
            .ok()?;
        match self.zone.to_ambiguous_timestamp(civil).offset() {
            AmbiguousOffset::Unambiguous { offset }
            | AmbiguousOffset::Fold { before: offset, .. } => offset.to_timestamp(civil).ok(),
            AmbiguousOffset::Gap { after, .. } => {
                // Read with the offset after the jump, the time lies before the transition;
                // the next transition is the jump itself.
                let before_jump = after.to_timestamp(civil).ok()?;
                self.zone
                    .following(before_jump)
                    .next()
                    .map(|transition| transition.timestamp())
            }
        }
    }
}

/// How a standard's clock counts: every second, or only a calendar's working time.
#[derive(Debug, Clone, Copy)]
pub enum Clock<'a> {
    Calendar,
    Business(&'a WorkingCalendar),
}

impl Clock<'_> {
    pub fn basis(self) -> TimeBasis {
        match self {
            Clock::Calendar => TimeBasis::Calendar,
            Clock::Business(_) => TimeBasis::Business,
        }
    }

    /// Time counted from `start` to `end`: plain elapsed time in calendar mode, business time
    /// otherwise; negative when `end` is before `start`.
    pub fn elapsed(self, start: Timestamp, end: Timestamp) -> SignedDuration {
        match self {
            Clock::Calendar => end.duration_since(start),
            Clock::Business(calendar) => calendar.elapsed(start, end),
        }
    }

    /// The last instant within `threshold` of `start`: `start + threshold` in calendar mode,
    /// [`WorkingCalendar::deadline`] otherwise. Saturates at [`Timestamp::MAX`].
    pub fn deadline(self, start: Timestamp, threshold: SignedDuration) -> Timestamp {
        match self {
            Clock::Calendar => start
                .checked_add(threshold.max(SignedDuration::ZERO))
                .unwrap_or(Timestamp::MAX),
            Clock::Business(calendar) => calendar.deadline(start, threshold),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn hours(h: i64) -> SignedDuration {
        SignedDuration::from_hours(h)
    }

    fn mins(m: i64) -> SignedDuration {
        SignedDuration::from_mins(m)
    }

    fn interval(start: &str, end: &str) -> WorkInterval {
        let minute = |s: &str| {
            let (h, m) = s.split_once(':').unwrap();
            h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap()
        };
        WorkInterval::new(minute(start), minute(end)).unwrap()
    }

    fn office(zone: &str) -> WorkingCalendar {
        CalendarDefinition::office_hours(zone).compile().unwrap()
    }

    /// Every day worked with the same intervals.
    fn every_day(zone: &str, intervals: &[WorkInterval]) -> WorkingCalendar {
        CalendarDefinition {
            time_zone: zone.to_owned(),
            week: std::array::from_fn(|_| intervals.to_vec()),
            holidays: Vec::new(),
        }
        .compile()
        .unwrap()
    }

    #[test]
    fn the_time_zones_used_in_tests_are_available() {
        // A missing tz database would make every daylight-saving test meaningless.
        for zone in ["Europe/Paris", "America/New_York"] {
            let tz = TimeZone::get(zone).unwrap();
            assert_ne!(
                at("2026-01-15T12:00:00Z").to_zoned(tz.clone()).offset(),
                at("2026-07-15T12:00:00Z").to_zoned(tz).offset(),
                "{zone} has daylight saving"
            );
        }
    }

    #[test]
    fn business_time_skips_the_weekend() {
        let paris = office("Europe/Paris");
        // Friday 4 December 2026 16:00 Paris (15:00 UTC) + 2 h → Monday 10:00 (09:00 UTC).
        let friday = at("2026-12-04T15:00:00Z");
        assert_eq!(paris.deadline(friday, hours(2)), at("2026-12-07T09:00:00Z"));
        assert_eq!(paris.elapsed(friday, at("2026-12-07T09:00:00Z")), hours(2));
        // The whole weekend counts for nothing.
        assert_eq!(
            paris.elapsed(at("2026-12-04T16:00:00Z"), at("2026-12-07T08:00:00Z")),
            SignedDuration::ZERO
        );
        // A full week, Monday 09:00 to Monday 09:00: five days of eight hours.
        assert_eq!(
            paris.elapsed(at("2026-12-07T08:00:00Z"), at("2026-12-14T08:00:00Z")),
            hours(40)
        );
        // Reversed bounds give the negative.
        assert_eq!(paris.elapsed(at("2026-12-07T09:00:00Z"), friday), -hours(2));
    }

    #[test]
    fn business_time_skips_holidays() {
        let mut definition = CalendarDefinition::office_hours("Europe/Paris");
        definition.holidays = vec![date(2026, 12, 25), date(2026, 12, 25)];
        let paris = definition.compile().unwrap();
        assert_eq!(paris.definition().holidays, vec![date(2026, 12, 25)]);
        assert!(!paris.is_working_day(date(2026, 12, 25)));
        // Thursday 24 December 16:00 + 2 h: Friday is Christmas, so Monday 28th 10:00.
        let thursday = at("2026-12-24T15:00:00Z");
        assert_eq!(
            paris.deadline(thursday, hours(2)),
            at("2026-12-28T09:00:00Z")
        );
        assert_eq!(
            paris.elapsed(thursday, at("2026-12-28T09:00:00Z")),
            hours(2)
        );
        // "Complaints resolved within 48 business hours" from Wednesday 23 December 09:00:
        // the 23rd, 24th, 28th, 29th, 30th and 31st are six days of 8 hours, so the 48th hour
        // ends on the 31st at 17:00 and the complaint is within the standard until the next
        // opening: 09:00 on Friday 1 January (not a holiday in this calendar).
        let due = paris.deadline(at("2026-12-23T08:00:00Z"), hours(48));
        assert_eq!(due, at("2027-01-01T08:00:00Z"));
        assert_eq!(paris.elapsed(at("2026-12-23T08:00:00Z"), due), hours(48));
        assert_eq!(
            paris.elapsed(at("2026-12-23T08:00:00Z"), at("2026-12-31T16:00:00Z")),
            hours(48)
        );
    }

    #[test]
    fn a_start_outside_business_hours_waits_for_the_opening() {
        let paris = office("Europe/Paris");
        // Saturday noon + 1 h → Monday 10:00.
        assert_eq!(
            paris.deadline(at("2026-12-05T11:00:00Z"), hours(1)),
            at("2026-12-07T09:00:00Z")
        );
        // Tuesday 07:00 (before opening) + 30 min → 09:30.
        assert_eq!(
            paris.deadline(at("2026-12-08T06:00:00Z"), mins(30)),
            at("2026-12-08T08:30:00Z")
        );
        // Tuesday 19:00 (after closing) + 30 min → Wednesday 09:30.
        assert_eq!(
            paris.deadline(at("2026-12-08T18:00:00Z"), mins(30)),
            at("2026-12-09T08:30:00Z")
        );
        // Zero runs out at the first working instant.
        assert_eq!(
            paris.next_working_instant(at("2026-12-05T11:00:00Z")),
            at("2026-12-07T08:00:00Z")
        );
        assert!(!paris.is_working(at("2026-12-05T11:00:00Z")));
        assert!(paris.is_working(at("2026-12-07T08:00:00Z")));
        assert!(!paris.is_working(at("2026-12-07T16:00:00Z")));
    }

    #[test]
    fn several_intervals_a_day_and_the_lunch_break() {
        let split = every_day(
            "Europe/Paris",
            &[interval("14:00", "18:00"), interval("09:00", "12:00")],
        );
        assert_eq!(
            split.definition().week[0],
            vec![interval("09:00", "12:00"), interval("14:00", "18:00")]
        );
        // 11:00 + 2 h: one hour before lunch, one after → 15:00 (14:00 UTC in winter).
        let eleven = at("2026-12-08T10:00:00Z");
        assert_eq!(split.deadline(eleven, hours(2)), at("2026-12-08T14:00:00Z"));
        assert_eq!(split.elapsed(eleven, at("2026-12-08T14:00:00Z")), hours(2));
        // During lunch, nothing passes.
        assert_eq!(
            split.elapsed(at("2026-12-08T11:00:00Z"), at("2026-12-08T13:00:00Z")),
            SignedDuration::ZERO
        );
        // Exactly at 12:00 the threshold is used up; the deadline is the 14:00 reopening.
        assert_eq!(split.deadline(eleven, hours(1)), at("2026-12-08T13:00:00Z"));
    }

    #[test]
    fn a_day_ending_at_midnight_joins_the_next_one() {
        let nights = every_day(
            "Europe/Paris",
            &[interval("00:00", "04:00"), interval("20:00", "24:00")],
        );
        // Monday 23:00 Paris + 2 h → Tuesday 01:00 Paris, with no gap or double count.
        let start = at("2026-12-07T22:00:00Z");
        assert_eq!(nights.deadline(start, hours(2)), at("2026-12-08T00:00:00Z"));
        assert_eq!(nights.elapsed(start, at("2026-12-08T00:00:00Z")), hours(2));
        assert_eq!(
            nights.elapsed(at("2026-12-07T19:00:00Z"), at("2026-12-08T03:00:00Z")),
            hours(8)
        );
    }

    #[test]
    fn the_same_instants_count_differently_in_different_zones() {
        let paris = office("Europe/Paris");
        let new_york = office("America/New_York");
        // Monday 7 December 15:00 UTC is 16:00 in Paris, 10:00 in New York.
        let start = at("2026-12-07T15:00:00Z");
        let end = at("2026-12-07T23:00:00Z");
        assert_eq!(paris.elapsed(start, end), hours(1));
        assert_eq!(new_york.elapsed(start, end), hours(7));
        // Paris: 1 h on Monday, 2 h on Tuesday → 11:00 Paris (10:00 UTC).
        assert_eq!(paris.deadline(start, hours(3)), at("2026-12-08T10:00:00Z"));
        // New York: 10:00 + 3 h → 13:00 EST (18:00 UTC).
        assert_eq!(
            new_york.deadline(start, hours(3)),
            at("2026-12-07T18:00:00Z")
        );
    }

    #[test]
    fn paris_spring_forward_loses_an_hour_of_a_night_shift() {
        // 29 March 2026: 02:00 CET jumps to 03:00 CEST (01:00 UTC).
        let all_day = every_day("Europe/Paris", &[interval("00:00", "24:00")]);
        let sunday = date(2026, 3, 29);
        let spans = all_day.working_spans(sunday);
        assert_eq!(
            spans,
            vec![(at("2026-03-28T23:00:00Z"), at("2026-03-29T22:00:00Z"))]
        );
        assert_eq!(
            all_day.elapsed(at("2026-03-28T23:00:00Z"), at("2026-03-29T22:00:00Z")),
            hours(23)
        );
        // 01:00–04:00 lasts two hours that night.
        let night = every_day("Europe/Paris", &[interval("01:00", "04:00")]);
        assert_eq!(
            night.elapsed(at("2026-03-29T00:00:00Z"), at("2026-03-29T02:00:00Z")),
            hours(2)
        );
        // 01:30 CET + 1 h → 03:30 CEST (01:30 UTC).
        assert_eq!(
            night.deadline(at("2026-03-29T00:30:00Z"), hours(1)),
            at("2026-03-29T01:30:00Z")
        );
        // A boundary inside the gap is the jump: 02:30–05:00 is 03:00–05:00 CEST.
        let late = every_day("Europe/Paris", &[interval("02:30", "05:00")]);
        assert_eq!(
            late.working_spans(sunday),
            vec![(at("2026-03-29T01:00:00Z"), at("2026-03-29T03:00:00Z"))]
        );
        // An interval entirely inside the gap does not happen that day.
        let ghost = every_day("Europe/Paris", &[interval("02:15", "02:45")]);
        assert_eq!(ghost.working_spans(sunday), Vec::new());
        assert_eq!(ghost.working_spans(date(2026, 3, 30)).len(), 1);
    }

    #[test]
    fn paris_office_hours_keep_wall_clock_times_across_daylight_saving() {
        let paris = office("Europe/Paris");
        // Friday 27 March 16:30 CET (15:30 UTC) + 1 h → Monday 30 March 09:30 CEST (07:30 UTC).
        assert_eq!(
            paris.deadline(at("2026-03-27T15:30:00Z"), hours(1)),
            at("2026-03-30T07:30:00Z")
        );
        assert_eq!(
            paris.elapsed(at("2026-03-27T15:30:00Z"), at("2026-03-30T07:30:00Z")),
            hours(1)
        );
        // And back: Friday 23 October 16:30 CEST (14:30 UTC) + 1 h → Monday 26 October
        // 09:30 CET (08:30 UTC).
        assert_eq!(
            paris.deadline(at("2026-10-23T14:30:00Z"), hours(1)),
            at("2026-10-26T08:30:00Z")
        );
    }

    #[test]
    fn paris_fall_back_repeats_an_hour() {
        // 25 October 2026: 03:00 CEST falls back to 02:00 CET (01:00 UTC).
        let all_day = every_day("Europe/Paris", &[interval("00:00", "24:00")]);
        let spans = all_day.working_spans(date(2026, 10, 25));
        assert_eq!(
            spans,
            vec![(at("2026-10-24T22:00:00Z"), at("2026-10-25T23:00:00Z"))]
        );
        assert_eq!(
            all_day.elapsed(at("2026-10-24T22:00:00Z"), at("2026-10-25T23:00:00Z")),
            hours(25)
        );
        // 01:00–04:00 holds both passes through 02:00–03:00: four real hours.
        let night = every_day("Europe/Paris", &[interval("01:00", "04:00")]);
        assert_eq!(
            night.elapsed(at("2026-10-24T23:00:00Z"), at("2026-10-25T03:00:00Z")),
            hours(4)
        );
        // 02:30 CEST (00:30 UTC) + 1 h → 02:30 CET (01:30 UTC), the second 02:30.
        assert_eq!(
            night.deadline(at("2026-10-25T00:30:00Z"), hours(1)),
            at("2026-10-25T01:30:00Z")
        );
        // A boundary inside the repeated hour is its first occurrence: 01:00–02:30 ends at
        // 02:30 CEST (00:30 UTC) and lasts 1 h 30.
        let short = every_day("Europe/Paris", &[interval("01:00", "02:30")]);
        assert_eq!(
            short.working_spans(date(2026, 10, 25)),
            vec![(at("2026-10-24T23:00:00Z"), at("2026-10-25T00:30:00Z"))]
        );
        assert!(!short.is_working(at("2026-10-25T01:15:00Z")));
    }

    #[test]
    fn new_york_spring_forward() {
        // 8 March 2026: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
        let all_day = every_day("America/New_York", &[interval("00:00", "24:00")]);
        assert_eq!(
            all_day.elapsed(at("2026-03-08T05:00:00Z"), at("2026-03-09T04:00:00Z")),
            hours(23)
        );
        let night = every_day("America/New_York", &[interval("01:00", "05:00")]);
        // 01:30 EST (06:30 UTC) + 1 h → 03:30 EDT (07:30 UTC).
        assert_eq!(
            night.deadline(at("2026-03-08T06:30:00Z"), hours(1)),
            at("2026-03-08T07:30:00Z")
        );
        assert_eq!(
            night.elapsed(at("2026-03-08T06:00:00Z"), at("2026-03-08T09:00:00Z")),
            hours(3)
        );
        // Office hours across the weekend: Friday 6 March 16:00 EST (21:00 UTC) + 2 h →
        // Monday 9 March 10:00 EDT (14:00 UTC).
        let office = office("America/New_York");
        let friday = at("2026-03-06T21:00:00Z");
        assert_eq!(
            office.deadline(friday, hours(2)),
            at("2026-03-09T14:00:00Z")
        );
        assert_eq!(office.elapsed(friday, at("2026-03-09T14:00:00Z")), hours(2));
    }

    #[test]
    fn new_york_fall_back() {
        // 1 November 2026: 02:00 EDT falls back to 01:00 EST (06:00 UTC).
        let all_day = every_day("America/New_York", &[interval("00:00", "24:00")]);
        assert_eq!(
            all_day.elapsed(at("2026-11-01T04:00:00Z"), at("2026-11-02T05:00:00Z")),
            hours(25)
        );
        // 00:00–01:30 ends at the first 01:30 (EDT, 05:30 UTC).
        let early = every_day("America/New_York", &[interval("00:00", "01:30")]);
        assert_eq!(
            early.working_spans(date(2026, 11, 1)),
            vec![(at("2026-11-01T04:00:00Z"), at("2026-11-01T05:30:00Z"))]
        );
        // 00:30 EDT + 2 h over 00:00–03:00 → 01:30 EST (06:30 UTC): the hour 01:00–02:00
        // is worked twice.
        let night = every_day("America/New_York", &[interval("00:00", "03:00")]);
        assert_eq!(
            night.deadline(at("2026-11-01T04:30:00Z"), hours(2)),
            at("2026-11-01T06:30:00Z")
        );
        // Office hours: Friday 30 October 16:00 EDT (20:00 UTC) + 2 h → Monday 2 November
        // 10:00 EST (15:00 UTC).
        let office = office("America/New_York");
        assert_eq!(
            office.deadline(at("2026-10-30T20:00:00Z"), hours(2)),
            at("2026-11-02T15:00:00Z")
        );
        assert_eq!(
            office.elapsed(at("2026-10-30T20:00:00Z"), at("2026-11-02T15:00:00Z")),
            hours(2)
        );
    }

    #[test]
    fn daylight_saving_at_midnight() {
        // São Paulo used to change at midnight: on 4 November 2018 00:00 jumped to 01:00
        // (03:00 UTC), and on 17 February 2019 00:00 fell back to 23:00 the day before.
        let all_day = every_day("America/Sao_Paulo", &[interval("00:00", "24:00")]);
        // The day that starts in the gap starts at the jump and lasts 23 hours; the day
        // before ends there, with nothing lost or counted twice.
        assert_eq!(
            all_day.working_spans(date(2018, 11, 4)),
            vec![(at("2018-11-04T03:00:00Z"), at("2018-11-05T02:00:00Z"))]
        );
        assert_eq!(
            all_day.working_spans(date(2018, 11, 3)),
            vec![(at("2018-11-03T03:00:00Z"), at("2018-11-04T03:00:00Z"))]
        );
        // The day whose last hour repeats lasts 25 hours.
        assert_eq!(
            all_day.elapsed(at("2019-02-16T02:00:00Z"), at("2019-02-17T03:00:00Z")),
            hours(25)
        );
        let evenings = every_day("America/Sao_Paulo", &[interval("22:00", "24:00")]);
        // 23:30 in the second pass (02:30 UTC) is still Saturday evening's working time.
        assert!(evenings.is_working(at("2019-02-17T02:30:00Z")));
        assert_eq!(
            evenings.elapsed(at("2019-02-17T00:00:00Z"), at("2019-02-17T03:00:00Z")),
            hours(3)
        );
    }

    #[test]
    fn calendar_mode_is_plain_elapsed_time() {
        let start = at("2026-03-29T00:30:00Z");
        assert_eq!(
            Clock::Calendar.elapsed(start, at("2026-03-29T03:30:00Z")),
            hours(3)
        );
        assert_eq!(
            Clock::Calendar.deadline(start, SignedDuration::from_secs(30)),
            at("2026-03-29T00:30:30Z")
        );
        assert_eq!(
            Clock::Calendar.deadline(start, -hours(1)),
            start,
            "a negative threshold counts as zero"
        );
        assert_eq!(
            Clock::Calendar.deadline(Timestamp::MAX, hours(1)),
            Timestamp::MAX
        );
        let paris = office("Europe/Paris");
        assert_eq!(Clock::Business(&paris).basis(), TimeBasis::Business);
        assert_eq!(
            Clock::Business(&paris).elapsed(at("2026-12-05T10:00:00Z"), at("2026-12-05T12:00:00Z")),
            SignedDuration::ZERO
        );
    }

    #[test]
    fn definitions_are_validated() {
        let base = CalendarDefinition::office_hours("Europe/Paris");
        assert!(base.compile().is_ok());
        assert!(WorkInterval::new(9 * 60, 9 * 60).is_err());
        assert!(WorkInterval::new(-1, 60).is_err());
        assert!(WorkInterval::new(0, MINUTES_PER_DAY + 1).is_err());
        assert!(WorkInterval::new(0, MINUTES_PER_DAY).is_ok());
        assert_eq!(interval("09:00", "17:30").label(), "09:00–17:30");

        let mut overlapping = base.clone();
        overlapping.week[2] = vec![
            WorkInterval {
                start_minute: 600,
                end_minute: 700,
            },
            WorkInterval {
                start_minute: 540,
                end_minute: 660,
            },
        ];
        let error = overlapping.compile().unwrap_err();
        assert!(error.message.contains("Wed"), "{error}");
        assert!(error.message.contains("overlaps"), "{error}");

        let mut touching = base.clone();
        touching.week[2] = vec![interval("09:00", "12:00"), interval("12:00", "13:00")];
        assert!(touching.compile().is_ok());

        let mut outside = base.clone();
        outside.week[0] = vec![WorkInterval {
            start_minute: 1000,
            end_minute: 2000,
        }];
        assert!(outside.compile().is_err());

        let mut backwards = base.clone();
        backwards.week[0] = vec![WorkInterval {
            start_minute: 600,
            end_minute: 500,
        }];
        assert!(backwards.compile().is_err());

        let empty = CalendarDefinition {
            week: Default::default(),
            ..base.clone()
        };
        assert!(
            empty
                .compile()
                .unwrap_err()
                .message
                .contains("at least one")
        );

        let mut too_many = base.clone();
        too_many.week[0] = (0..9)
            .map(|h| interval(&format!("{h}:00"), &format!("{h}:30")))
            .collect();
        assert!(too_many.compile().is_err());

        let unknown_zone = CalendarDefinition {
            time_zone: "Mars/Olympus".into(),
            ..base.clone()
        };
        assert_eq!(unknown_zone.compile().unwrap_err().field, "time_zone");

        let mut holidays = base;
        holidays.holidays = (0..=MAX_HOLIDAYS as i64)
            .map(|d| {
                date(2026, 1, 1)
                    .checked_add(jiff::Span::new().days(d))
                    .unwrap()
            })
            .collect();
        assert!(holidays.compile().is_err());
    }

    #[test]
    fn definitions_round_trip_through_json() {
        let mut definition = CalendarDefinition::office_hours("America/New_York");
        definition.holidays = vec![date(2026, 11, 26)];
        let json = serde_json::to_string(&definition).unwrap();
        assert!(json.contains("\"2026-11-26\""), "{json}");
        let back: CalendarDefinition = serde_json::from_str(&json).unwrap();
        assert_eq!(back, definition);
    }

    /// A small deterministic generator for the property tests (no new dependency).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }

        fn below(&mut self, n: u64) -> i64 {
            (self.next() % n) as i64
        }
    }

    fn property_calendars() -> Vec<WorkingCalendar> {
        let mut office_with_holidays = CalendarDefinition::office_hours("Europe/Paris");
        office_with_holidays.holidays =
            vec![date(2026, 3, 30), date(2026, 10, 26), date(2026, 11, 11)];
        let mut split_new_york = CalendarDefinition {
            time_zone: "America/New_York".into(),
            week: Default::default(),
            holidays: vec![date(2026, 11, 26)],
        };
        for day in 0..6 {
            split_new_york.week[day] = vec![interval("08:00", "12:00"), interval("13:00", "17:30")];
        }
        vec![
            office_with_holidays.compile().unwrap(),
            split_new_york.compile().unwrap(),
            // Around the clock, and a night shift whose boundaries fall in the DST gaps and
            // folds of both zones.
            every_day("Europe/Paris", &[interval("00:00", "24:00")]),
            every_day(
                "Europe/Paris",
                &[
                    interval("00:00", "02:30"),
                    interval("02:45", "03:15"),
                    interval("22:00", "24:00"),
                ],
            ),
            every_day(
                "America/New_York",
                &[interval("01:30", "02:30"), interval("06:00", "07:00")],
            ),
        ]
    }

    /// Starts and ends spread over March and October–November 2026, both daylight-saving
    /// changes of both zones, at minute and odd-second resolution.
    fn random_instant(rng: &mut Lcg) -> Timestamp {
        let base = if rng.below(2) == 0 {
            at("2026-03-01T00:00:00Z")
        } else {
            at("2026-10-15T00:00:00Z")
        };
        base + SignedDuration::from_secs(rng.below(30 * 24 * 3600))
    }

    #[test]
    fn deadline_of_elapsed_gives_back_an_end_inside_business_hours() {
        let mut rng = Lcg(7);
        for calendar in property_calendars() {
            let mut checked = 0;
            for _ in 0..600 {
                let start = random_instant(&mut rng);
                let end = start + SignedDuration::from_secs(rng.below(20 * 24 * 3600));
                let spent = calendar.elapsed(start, end);
                assert!(spent >= SignedDuration::ZERO);
                assert!(spent <= end.duration_since(start));
                let due = calendar.deadline(start, spent);
                if calendar.is_working(end) {
                    assert_eq!(due, end, "start {start}, end {end}, {calendar:?}");
                    checked += 1;
                } else {
                    // Outside working time the deadline is the next working instant.
                    assert_eq!(
                        due,
                        calendar.next_working_instant(end),
                        "start {start}, end {end}"
                    );
                }
                assert_eq!(calendar.elapsed(start, due), spent);
            }
            assert!(checked > 20, "only {checked} ends inside business hours");
        }
    }

    #[test]
    fn elapsed_is_monotone_additive_and_deadline_inverts_it() {
        let mut rng = Lcg(42);
        for calendar in property_calendars() {
            for _ in 0..400 {
                let a = random_instant(&mut rng);
                let b = a + SignedDuration::from_secs(rng.below(5 * 24 * 3600));
                let c = b + SignedDuration::from_secs(rng.below(5 * 24 * 3600));
                let (ab, bc, ac) = (
                    calendar.elapsed(a, b),
                    calendar.elapsed(b, c),
                    calendar.elapsed(a, c),
                );
                assert!(ab <= ac, "monotone: {a} {b} {c}");
                assert_eq!(ab + bc, ac, "additive: {a} {b} {c}");
                assert_eq!(calendar.elapsed(c, a), -ac);
                // The deadline of a threshold uses exactly that threshold, and the breach
                // test on durations agrees with the one on instants.
                let threshold = SignedDuration::from_secs(rng.below(3 * 24 * 3600));
                let due = calendar.deadline(a, threshold);
                assert_eq!(calendar.elapsed(a, due), threshold, "{a} + {threshold:?}");
                assert_eq!(
                    calendar.elapsed(a, c) > threshold,
                    c > due,
                    "{a} {c} {threshold:?}"
                );
                let later = calendar.deadline(a, threshold + SignedDuration::from_secs(1));
                assert!(later > due);
            }
        }
    }

    #[test]
    fn the_recovery_sla_business_hours_give_the_same_due_times() {
        let hours_def = BusinessHours::default();
        let zone = TimeZone::get("Europe/Paris").unwrap();
        let calendar = CalendarDefinition::from_business_hours(&hours_def, "Europe/Paris")
            .compile()
            .unwrap();
        let mut rng = Lcg(3);
        for _ in 0..500 {
            let start = random_instant(&mut rng);
            let span = SignedDuration::from_mins(rng.below(4 * 8 * 60) + 1);
            let sla_due = hours_def.add(start, span, &zone).unwrap();
            let due = calendar.deadline(start, span);
            if sla_due != due {
                // Only when the span runs out exactly at closing time: the SLA clock says
                // "closing", this one "next opening", with the same business time spent.
                assert!(!calendar.is_working(sla_due), "{start} {span:?}");
                assert_eq!(due, calendar.next_working_instant(sla_due));
            }
            assert_eq!(calendar.elapsed(start, sla_due), span);
            assert_eq!(calendar.elapsed(start, due), span);
        }
    }
}
