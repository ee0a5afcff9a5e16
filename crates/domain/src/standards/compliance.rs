//! Compliance of a standard over a period: how many subjects met it, how many breached it,
//! the share that met it against the target (with a 95 % Wilson interval), the distribution
//! of durations (percentiles and a histogram) and the trend by day, week or month.
//!
//! # What is counted
//!
//! - A subject belongs to the period (and trend bucket) in which its clock **started**, in
//!   the organization's time zone: an order received on Monday counts for Monday even if it
//!   was processed on Tuesday, and every subject is counted once. An orphan end, which has no
//!   start, is placed by its end and only counted as pending.
//! - Compliance is `met / (met + breached)`. Breaches include subjects still open past their
//!   deadline: they can no longer be met, and waiting until they end would hide the worst
//!   ones. Subjects open within their deadline are not decided yet and left out, as are
//!   orphan ends.
//! - Percentiles and the histogram describe the durations of **ended** subjects only. An open
//!   breach has no final duration yet; counting its duration so far would pull the upper
//!   percentiles down. They are counted in `counts.breached`, so the report still shows them.
//!
//! # Percentiles
//!
//! Nearest rank: the p-th percentile of `n` sorted durations is the one at rank
//! `⌈p·n / 100⌉`. It is always a duration that actually happened ("95 % of calls were
//! answered within 42 s" is then literally true) and is easy to check by hand.
//!
//! # Histogram
//!
//! The bins are relative to the threshold `T`, so the compliance line is a bin edge whatever
//! the standard: eight bins of `T/4` up to `2T`, then `2T–4T` and above `4T`. A bin holds the
//! durations above its lower edge up to and including its upper edge (the first bin also
//! holds 0), matching "met" meaning "at most `T`".

use super::events::{SubjectState, SubjectSummary};
use super::standard::PerformanceStandard;
use crate::ValidationError;
use crate::access::string_enum;
use crate::dashboard::days;
use crate::dashboard::stats::{self, Interval, SMALL_SAMPLE};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// At most this many trend buckets; a longer period keeps its most recent buckets.
pub const MAX_TREND_BUCKETS: usize = 400;

string_enum!(
    /// The width of a trend bucket, in the organization's calendar.
    TrendBucket, "bucket" {
        Day => "day",
        Week => "week",
        Month => "month",
    }
);

impl TrendBucket {
    /// The bucket number of a local day number (see [`days`]).
    fn of_day(self, day: i64) -> i64 {
        match self {
            TrendBucket::Day => day,
            TrendBucket::Week => days::week_of_day(day),
            TrendBucket::Month => days::month_of_day(day),
        }
    }

    fn first_day(self, bucket: i64) -> i64 {
        match self {
            TrendBucket::Day => bucket,
            TrendBucket::Week => days::first_day_of_week(bucket),
            TrendBucket::Month => days::first_day_of_month(bucket),
        }
    }
}

/// A half-open period `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: Timestamp,
    pub to: Timestamp,
}

impl Period {
    pub fn new(from: Timestamp, to: Timestamp) -> Result<Self, ValidationError> {
        if from < to {
            Ok(Period { from, to })
        } else {
            Err(ValidationError::new("period", "must start before it ends"))
        }
    }

    pub fn contains(&self, at: Timestamp) -> bool {
        self.from <= at && at < self.to
    }
}

/// Subjects by state. Additive, so a team's counts are the sum of its standards'.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub met: u64,
    /// Ended over the threshold, or still open past the deadline.
    pub breached: u64,
    /// Still within the deadline.
    pub open: u64,
    /// Orphan ends waiting for their start.
    pub pending: u64,
}

impl Counts {
    pub fn add(&mut self, state: &SubjectState) {
        let slot = match state {
            SubjectState::Met { .. } => &mut self.met,
            SubjectState::Breached { .. } => &mut self.breached,
            SubjectState::Open { .. } => &mut self.open,
            SubjectState::OrphanEnd { .. } => &mut self.pending,
        };
        *slot = slot.saturating_add(1);
    }

    pub fn merge(&mut self, other: &Counts) {
        self.met = self.met.saturating_add(other.met);
        self.breached = self.breached.saturating_add(other.breached);
        self.open = self.open.saturating_add(other.open);
        self.pending = self.pending.saturating_add(other.pending);
    }

    /// Met plus breached: the subjects compliance is computed on.
    pub fn decided(&self) -> u64 {
        self.met.saturating_add(self.breached)
    }

    /// The share met, in percent, with its Wilson interval; `None` when nothing is decided.
    pub fn compliance(&self) -> Option<Compliance> {
        let n = self.decided();
        if n == 0 {
            return None;
        }
        let p = self.met as f64 / n as f64;
        let interval = stats::wilson(p, n as f64)?;
        Some(Compliance {
            percent: 100.0 * p,
            interval: Interval {
                low: 100.0 * interval.low,
                high: 100.0 * interval.high,
            },
            n,
            small_sample: n < SMALL_SAMPLE.unsigned_abs(),
        })
    }
}

/// Compliance in percent with its 95 % Wilson score interval (the dashboards' interval for
/// shares, which stays inside 0–100 and does not collapse at 100 %).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Compliance {
    pub percent: f64,
    pub interval: Interval,
    /// Subjects decided (met + breached).
    pub n: u64,
    /// Fewer than 30 decided: the interval is wide, the UI should say so.
    pub small_sample: bool,
}

string_enum!(
    /// Compliance against the target: `met` at or above it; `missed` below it but with an
    /// interval that reaches it (it may be chance); `clearly_missed` with the whole interval
    /// below it; `no_data` when nothing was decided.
    TargetStatus, "target_status" {
        Met => "met",
        Missed => "missed",
        ClearlyMissed => "clearly_missed",
        NoData => "no_data",
    }
);

impl TargetStatus {
    pub fn judge(compliance: Option<&Compliance>, target_percent: f64) -> TargetStatus {
        match compliance {
            None => TargetStatus::NoData,
            Some(c) if c.percent >= target_percent => TargetStatus::Met,
            Some(c) if c.interval.high < target_percent => TargetStatus::ClearlyMissed,
            Some(_) => TargetStatus::Missed,
        }
    }
}

/// Nearest-rank percentiles of the durations of ended subjects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Percentiles {
    #[serde(with = "super::seconds")]
    pub p50: SignedDuration,
    #[serde(with = "super::seconds")]
    pub p90: SignedDuration,
    #[serde(with = "super::seconds")]
    pub p95: SignedDuration,
    #[serde(with = "super::seconds")]
    pub p99: SignedDuration,
    pub n: u64,
}

/// The nearest-rank `p`-th percentile (0–100) of durations sorted ascending.
pub fn nearest_rank(sorted: &[SignedDuration], p: u64) -> Option<SignedDuration> {
    let n = sorted.len() as u64;
    let rank = (p.min(100) * n).div_ceil(100).max(1);
    sorted.get(usize::try_from(rank - 1).ok()?).copied()
}

/// p50, p90, p95 and p99 of `durations` (any order); `None` when empty.
pub fn percentiles(durations: &[SignedDuration]) -> Option<Percentiles> {
    let mut sorted = durations.to_vec();
    sorted.sort();
    Some(Percentiles {
        p50: nearest_rank(&sorted, 50)?,
        p90: nearest_rank(&sorted, 90)?,
        p95: nearest_rank(&sorted, 95)?,
        p99: nearest_rank(&sorted, 99)?,
        n: sorted.len() as u64,
    })
}

/// One bar of the histogram: durations above `above` up to and including `up_to`
/// (`None`: no upper edge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistogramBin {
    #[serde(with = "super::seconds")]
    pub above: SignedDuration,
    #[serde(with = "super::optional_seconds")]
    pub up_to: Option<SignedDuration>,
    pub count: u64,
    /// Every duration in the bin meets the threshold.
    pub within_threshold: bool,
}

/// The threshold-relative histogram of `durations` (see the module documentation). A
/// threshold of zero or less is taken as one second.
pub fn histogram(durations: &[SignedDuration], threshold: SignedDuration) -> Vec<HistogramBin> {
    let t = threshold.max(SignedDuration::from_secs(1));
    let quarter = t / 4;
    let mut edges: Vec<SignedDuration> = (1..=8).map(|i| quarter * i).collect();
    edges.push(t * 4);
    let mut bins: Vec<HistogramBin> = Vec::with_capacity(edges.len() + 1);
    let mut below = SignedDuration::ZERO;
    for edge in edges {
        bins.push(HistogramBin {
            above: below,
            up_to: Some(edge),
            count: 0,
            within_threshold: edge <= t,
        });
        below = edge;
    }
    bins.push(HistogramBin {
        above: below,
        up_to: None,
        count: 0,
        within_threshold: false,
    });
    for d in durations {
        let index = bins
            .iter()
            .position(|b| b.up_to.is_none_or(|up_to| *d <= up_to))
            .unwrap_or(bins.len() - 1);
        if let Some(bin) = bins.get_mut(index) {
            bin.count = bin.count.saturating_add(1);
        }
    }
    bins
}

/// One bucket of the trend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// The first local date of the bucket (a Monday for weeks, the 1st for months).
    pub start: Date,
    pub counts: Counts,
    /// `None` when nothing was decided in the bucket.
    pub compliance_percent: Option<f64>,
}

/// The instant that places a subject in a period: its start, or an orphan's end.
fn anchor(state: &SubjectState) -> Timestamp {
    match *state {
        SubjectState::OrphanEnd { ended } => ended,
        SubjectState::Open { started, .. }
        | SubjectState::Met { started, .. }
        | SubjectState::Breached { started, .. } => started,
    }
}

/// Counts per bucket over the whole period, empty buckets included (a gap in activity
/// should show as a gap, not be skipped).
pub fn trend<'a>(
    states: impl IntoIterator<Item = &'a SubjectState>,
    period: Period,
    bucket: TrendBucket,
    zone: &TimeZone,
) -> Vec<TrendPoint> {
    let bucket_of = |at: Timestamp| bucket.of_day(days::local_day(at, zone));
    let last_instant = period
        .to
        .checked_sub(SignedDuration::from_nanos(1))
        .unwrap_or(period.to);
    let last = bucket_of(last_instant);
    let first = bucket_of(period.from).max(last - (MAX_TREND_BUCKETS as i64 - 1));
    let width = usize::try_from(last - first + 1).unwrap_or(0);
    let mut counts = vec![Counts::default(); width];
    for state in states {
        let at = anchor(state);
        if !period.contains(at) {
            continue;
        }
        let slot = usize::try_from(bucket_of(at) - first)
            .ok()
            .and_then(|i| counts.get_mut(i));
        if let Some(slot) = slot {
            slot.add(state);
        }
    }
    counts
        .into_iter()
        .zip(first..)
        .map(|(counts, index)| TrendPoint {
            start: days::date_of(bucket.first_day(index)),
            compliance_percent: counts.compliance().map(|c| c.percent),
            counts,
        })
        .collect()
}

/// Everything the compliance page shows for one standard and period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceReport {
    pub period: Period,
    pub counts: Counts,
    pub compliance: Option<Compliance>,
    pub target_percent: f64,
    pub target_status: TargetStatus,
    /// Of ended subjects; `None` when none ended.
    pub percentiles: Option<Percentiles>,
    pub histogram: Vec<HistogramBin>,
    pub trend: Vec<TrendPoint>,
}

/// The compliance report of `standard` over `period` from its subjects' states, with a
/// trend by `bucket` in the organization's `zone`.
pub fn report<'a>(
    states: impl IntoIterator<Item = &'a SubjectState>,
    standard: &PerformanceStandard,
    period: Period,
    bucket: TrendBucket,
    zone: &TimeZone,
) -> ComplianceReport {
    let in_period: Vec<&SubjectState> = states
        .into_iter()
        .filter(|s| period.contains(anchor(s)))
        .collect();
    let mut counts = Counts::default();
    for state in &in_period {
        counts.add(state);
    }
    let durations: Vec<SignedDuration> = in_period
        .iter()
        .filter(|s| s.ended().is_some())
        .filter_map(|s| s.duration())
        .collect();
    let compliance = counts.compliance();
    ComplianceReport {
        period,
        counts,
        target_status: TargetStatus::judge(compliance.as_ref(), standard.target_percent),
        compliance,
        target_percent: standard.target_percent,
        percentiles: percentiles(&durations),
        histogram: histogram(&durations, standard.threshold.duration()),
        trend: trend(in_period.iter().copied(), period, bucket, zone),
    }
}

/// The breaches of a period, worst overrun first (then the earliest start), each with the
/// customer affected: the list managers go through.
pub fn breaches(
    summaries: &[SubjectSummary],
    period: Period,
    threshold: SignedDuration,
) -> Vec<&SubjectSummary> {
    let mut list: Vec<&SubjectSummary> = summaries
        .iter()
        .filter(|s| s.state.is_breached() && period.contains(anchor(&s.state)))
        .collect();
    list.sort_by(|a, b| {
        let key = |s: &SubjectSummary| {
            (
                s.state.overrun(threshold),
                std::cmp::Reverse(s.state.started()),
            )
        };
        key(b).cmp(&key(a))
    });
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standards::standard::examples;
    use jiff::civil::date;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn mins(m: i64) -> SignedDuration {
        SignedDuration::from_mins(m)
    }

    fn close(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() < 1e-6,
            "{actual} is not {expected}"
        );
    }

    fn ended(started: Timestamp, minutes: i64) -> SubjectState {
        let duration = mins(minutes);
        let ended = started + duration;
        let deadline = started + mins(180);
        if duration > mins(180) {
            SubjectState::Breached {
                started,
                ended: Some(ended),
                deadline,
                duration,
            }
        } else {
            SubjectState::Met {
                started,
                ended,
                deadline,
                duration,
            }
        }
    }

    /// Ten ended orders (7 met, 3 breached) on 7–9 December, an open breach, an open order,
    /// an orphan end, and an order outside the period.
    fn orders() -> Vec<SubjectState> {
        let day =
            |d: i64, h: i64| at("2026-12-07T00:00:00Z") + SignedDuration::from_hours(24 * d + h);
        let mut states: Vec<SubjectState> = [30, 60, 90, 120, 150, 165, 180, 210, 240, 360]
            .iter()
            .enumerate()
            .map(|(i, m)| ended(day(i as i64 % 3, 9), *m))
            .collect();
        states.push(SubjectState::Breached {
            started: day(2, 8),
            ended: None,
            deadline: day(2, 11),
            duration: mins(600),
        });
        states.push(SubjectState::Open {
            started: day(2, 20),
            deadline: day(2, 23),
        });
        states.push(SubjectState::OrphanEnd { ended: day(1, 12) });
        states.push(ended(day(8, 9), 999));
        states
    }

    fn period() -> Period {
        Period::new(at("2026-12-06T23:00:00Z"), at("2026-12-09T23:00:00Z")).unwrap()
    }

    #[test]
    fn compliance_on_a_hand_computed_set() {
        let states = orders();
        let paris = TimeZone::get("Europe/Paris").unwrap();
        let report = report(
            &states,
            &examples::orders(),
            period(),
            TrendBucket::Day,
            &paris,
        );
        assert_eq!(
            report.counts,
            Counts {
                met: 7,
                breached: 4,
                open: 1,
                pending: 1
            }
        );
        // 7 / 11 = 63.64 %; Wilson 95 % for 7 of 11: [35.380117, 84.833529].
        let compliance = report.compliance.unwrap();
        close(compliance.percent, 700.0 / 11.0);
        close(compliance.interval.low, 35.380_117);
        close(compliance.interval.high, 84.833_529);
        assert_eq!(compliance.n, 11);
        assert!(compliance.small_sample);
        // Target 95 % lies above the whole interval.
        assert_eq!(report.target_status, TargetStatus::ClearlyMissed);
        // Ended durations sorted: 30 60 90 120 150 165 180 210 240 360 (minutes).
        // p50 = rank 5 = 150; p90 = rank 9 = 240; p95 = rank ⌈9.5⌉ = 10 = 360; p99 = 360.
        assert_eq!(
            report.percentiles,
            Some(Percentiles {
                p50: mins(150),
                p90: mins(240),
                p95: mins(360),
                p99: mins(360),
                n: 10
            })
        );
        // Bins of 45 min up to 6 h, then 6–12 h and above 12 h.
        let counts: Vec<u64> = report.histogram.iter().map(|b| b.count).collect();
        assert_eq!(counts, [1, 2, 1, 3, 1, 1, 0, 1, 0, 0]);
        let within: Vec<bool> = report
            .histogram
            .iter()
            .map(|b| b.within_threshold)
            .collect();
        assert_eq!(
            within,
            [
                true, true, true, true, false, false, false, false, false, false
            ]
        );
        assert_eq!(report.histogram[3].up_to, Some(mins(180)));
        assert_eq!(report.histogram[9].up_to, None);
        // By Paris day: 7 Dec holds durations 30, 120, 180, 360 → 3 met, 1 breached, and the
        // orphan lands on the 8th; the 9th holds 90, 165, 240, the open breach and the open one.
        let days: Vec<(Date, Counts)> = report.trend.iter().map(|p| (p.start, p.counts)).collect();
        assert_eq!(
            days,
            [
                (
                    date(2026, 12, 7),
                    Counts {
                        met: 3,
                        breached: 1,
                        open: 0,
                        pending: 0
                    }
                ),
                (
                    date(2026, 12, 8),
                    Counts {
                        met: 2,
                        breached: 1,
                        open: 0,
                        pending: 1
                    }
                ),
                (
                    date(2026, 12, 9),
                    Counts {
                        met: 2,
                        breached: 2,
                        open: 1,
                        pending: 0
                    }
                ),
            ]
        );
        close(report.trend[0].compliance_percent.unwrap(), 75.0);
        close(report.trend[2].compliance_percent.unwrap(), 50.0);
    }

    #[test]
    fn trends_by_week_and_month_include_empty_buckets() {
        let states = orders();
        let utc = TimeZone::UTC;
        let long = Period::new(at("2026-11-01T00:00:00Z"), at("2027-01-01T00:00:00Z")).unwrap();
        let weeks = trend(&states, long, TrendBucket::Week, &utc);
        // 1 November 2026 is a Sunday, in the week of Monday 26 October; 31 December is in
        // the week of Monday 28 December: 10 weeks.
        assert_eq!(weeks.len(), 10);
        assert_eq!(weeks[0].start, date(2026, 10, 26));
        assert_eq!(weeks[9].start, date(2026, 12, 28));
        let busy: Vec<(Date, u64)> = weeks
            .iter()
            .filter(|w| w.counts != Counts::default())
            .map(|w| (w.start, w.counts.decided()))
            .collect();
        assert_eq!(busy, [(date(2026, 12, 7), 11), (date(2026, 12, 14), 1)]);
        assert_eq!(weeks[0].compliance_percent, None);
        let months = trend(&states, long, TrendBucket::Month, &utc);
        let starts: Vec<Date> = months.iter().map(|m| m.start).collect();
        assert_eq!(starts, [date(2026, 11, 1), date(2026, 12, 1)]);
        assert_eq!(months[1].counts.decided(), 12);
        // A very long daily trend keeps its most recent buckets.
        let decade = Period::new(at("2020-01-01T00:00:00Z"), at("2030-01-01T00:00:00Z")).unwrap();
        let daily = trend(&states, decade, TrendBucket::Day, &utc);
        assert_eq!(daily.len(), MAX_TREND_BUCKETS);
        assert_eq!(daily.last().unwrap().start, date(2029, 12, 31));
    }

    #[test]
    fn target_statuses() {
        let counts = |met, breached| Counts {
            met,
            breached,
            ..Counts::default()
        };
        let judge = |c: Counts, target| TargetStatus::judge(c.compliance().as_ref(), target);
        assert_eq!(judge(counts(0, 0), 95.0), TargetStatus::NoData);
        assert_eq!(judge(counts(19, 1), 95.0), TargetStatus::Met);
        // 9 of 10: 90 %, Wilson [59.6, 98.2] reaches 95 %.
        assert_eq!(judge(counts(9, 1), 95.0), TargetStatus::Missed);
        assert_eq!(judge(counts(80, 20), 95.0), TargetStatus::ClearlyMissed);
        // 100 % still has an interval below 100 (Wilson does not collapse).
        let all = counts(5, 0).compliance().unwrap();
        close(all.percent, 100.0);
        assert!(all.interval.low < 100.0 && all.interval.high == 100.0);
        let mut sum = counts(1, 1);
        sum.merge(&Counts {
            met: 1,
            breached: 0,
            open: 2,
            pending: 3,
        });
        assert_eq!(
            sum,
            Counts {
                met: 2,
                breached: 1,
                open: 2,
                pending: 3
            }
        );
    }

    #[test]
    fn percentiles_and_histograms_at_the_edges() {
        assert_eq!(percentiles(&[]), None);
        let one = percentiles(&[mins(7)]).unwrap();
        assert_eq!((one.p50, one.p99), (mins(7), mins(7)));
        let hundred: Vec<SignedDuration> = (1..=100).rev().map(SignedDuration::from_secs).collect();
        let p = percentiles(&hundred).unwrap();
        assert_eq!(
            [p.p50, p.p90, p.p95, p.p99].map(|d| d.as_secs()),
            [50, 90, 95, 99]
        );
        assert_eq!(nearest_rank(&[], 50), None);
        // 30 s threshold: 7.5 s bins; 0 goes to the first, exactly 30 s to the fourth.
        let bins = histogram(
            &[
                SignedDuration::ZERO,
                SignedDuration::from_secs(30),
                SignedDuration::from_secs(31),
                SignedDuration::from_hours(1),
            ],
            SignedDuration::from_secs(30),
        );
        let counts: Vec<u64> = bins.iter().map(|b| b.count).collect();
        assert_eq!(counts, [1, 0, 0, 1, 1, 0, 0, 0, 0, 1]);
        assert_eq!(bins[0].up_to, Some(SignedDuration::from_millis(7_500)));
        let json = serde_json::to_value(bins[9]).unwrap();
        assert_eq!(json["above"], 120.0);
        assert!(json["up_to"].is_null());
    }

    #[test]
    fn breaches_are_listed_worst_first_with_their_customer() {
        let base = at("2026-12-07T09:00:00Z");
        let summary = |subject: &str, state: SubjectState| SubjectSummary {
            subject: crate::ExternalId::parse("s", subject).unwrap(),
            customer: Some(crate::ExternalId::parse("c", &format!("cust-{subject}")).unwrap()),
            transaction: None,
            state,
            anomalies: Default::default(),
        };
        let summaries = vec![
            summary("a", ended(base, 200)),
            summary("b", ended(base, 100)),
            summary("c", ended(base + mins(60), 400)),
            summary("d", ended(base - SignedDuration::from_hours(48), 999)),
        ];
        let period = Period::new(base, base + SignedDuration::from_hours(24)).unwrap();
        let list = breaches(&summaries, period, mins(180));
        let subjects: Vec<&str> = list.iter().map(|s| s.subject.as_str()).collect();
        assert_eq!(subjects, ["c", "a"]);
        assert_eq!(list[0].customer.as_ref().unwrap().as_str(), "cust-c");
        assert!(Period::new(base, base).is_err());
    }
}
