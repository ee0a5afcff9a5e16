//! Statistical early warning: control charts over satisfaction series.
//!
//! Each series — a team's or a touchpoint's stream of survey responses, in arrival order — has
//! two charts: the mean CSAT (1–5 per response) and the detractor share (1 when the NPS answer
//! is 0–6, else 0). A chart that drifts the wrong way beyond its limit raises a trend alert
//! ([`Signal`]): a slide is flagged before anyone would see it by eye, and noise is not. Pure:
//! the caller feeds observations and persists the small [`ChartState`] (JSON) between them.
//!
//! # Method: a one-sided CUSUM against the series' own baseline
//!
//! * **Phase I (baseline).** The first `baseline_responses` (400) valid observations estimate
//!   μ0 and σ0 (Welford's running moments; σ0 floored at 0.5 so a series of nothing but fives
//!   still has a usable scale), or p0 for the detractor chart (clamped into [0.02, 0.98]). No
//!   signal is possible before that: the limits come from the series itself, so a team used to
//!   4.6 and a touchpoint used to 3.3 are each compared with their own normal.
//! * **Refinement.** After Phase I the baseline keeps absorbing observations that arrive while
//!   the chart is quiet (statistic at 0, no alert) until it rests on `refine_responses`
//!   (5,000); then it is frozen. Whether an observation joins is decided before looking at it,
//!   so in control the estimate stays unbiased; during a slide the statistic is rarely at 0,
//!   so little of the slide leaks in. This is the one departure from a textbook Phase I/II
//!   chart, and the reason is below (*Why the baseline is refined*).
//! * **Phase II, mean CSAT.** `S_t = max(0, S_{t−1} + (μ0 − x_t)/σ0 − k)`, k = 0.15: the
//!   optimal allowance for a shift of 0.3σ (0.3 points at σ ≈ 1). A signal when `S_t > h`,
//!   h = 32 (in baseline standard deviations).
//! * **Phase II, detractor share.** A Bernoulli CUSUM with log-likelihood-ratio weights for
//!   p1 = p0 + 0.10 (`k` holds the 0.10; p1 is capped at (1 + p0)/2): a detractor adds
//!   ln(p1/p0), anyone else ln((1 − p1)/(1 − p0)); `S_t = max(0, S_{t−1} + w_t)`, a signal
//!   when `S_t > h`, h = 9 (nats). At p0 = 0.20 the weights are ln 1.5 = +0.405 and
//!   ln 0.875 = −0.134.
//! * **Alarm and re-arming.** A signal puts the chart out of control; the statistic keeps
//!   running, and no new signal comes until it has returned to 0 (then it re-arms). A lasting
//!   shift therefore gives one alert, which stands; when staff acknowledge that the level has
//!   changed for good, [`ChartState::rebaseline`] starts Phase I again from the new level.
//! * **Recent level.** An EWMA of the observations (λ = 0.05, about the last 40 responses),
//!   started at the baseline, is carried in the state and reported with a signal.
//!
//! # Why CUSUM
//!
//! Trend alerts are about small, persistent shifts — a 0.3-point fall is 0.28 standard
//! deviations of single responses. A Shewhart chart of weekly means sees such a shift
//! only when the week holds well over a hundred responses, and needs a choice of period. The CUSUM
//! works per response, accumulates evidence at any volume, and is the chart with the shortest
//! worst-case detection delay for a given false-alarm rate (Moustakides 1986, Lorden's
//! criterion); k = δ/2 and the likelihood-ratio weights are the textbook tunings for a shift δ
//! (Page 1954; Reynolds & Stoumbos 1999 for the Bernoulli chart). An EWMA chart would perform
//! similarly; the CUSUM's "statistic back to 0" gives a natural re-arming rule.
//!
//! # Calibration
//!
//! All numbers are measured by simulation in `simulation.rs`
//! (`cargo bench -p domain --features calibration --bench early_warning_calibration`; 4,000 series or runs
//! each, fixed seeds). CSAT responses are drawn from P(1..5) = [0.04, 0.06, 0.12, 0.38, 0.40]
//! (mean 4.04, sd 1.06); a fall of 0.3 points mixes this with the same shape moved down one
//! category (weight 0.3/0.96), so every category shifts as in real slides. Detractors are
//! Bernoulli(0.20); the documented rise is to 0.30. A "team-year" is 25,000 responses (a busy
//! team) or 5,000, the first 400 being the baseline. Delays are counted from the start of the
//! shift after 2,000 stable responses; "standing" runs, where an earlier false alert had not
//! cleared when the shift began (1.5% of them), are left out of the delay figures.
//!
//! | | mean CSAT | detractor share |
//! | --- | --- | --- |
//! | parameters | k = 0.15, h = 32 | p1 = p0 + 0.10, h = 9 |
//! | ARL0, baseline known exactly | 192,000 | 402,000 (at p0 = 0.20) |
//! | false alarms per team-year of 25,000 | 0.25 (19% of series have any) | 0.21 (16%) |
//! | false alarms per team-year of 5,000 | 0.10 | 0.09 |
//! | delay to flag the shift: mean / median / p95 | 224 / 185 / 502 | 301 / 248 / 708 |
//! | flagged within [`CSAT_DETECTION_WITHIN`] (700) | 98.0% | |
//! | flagged within [`DETRACTOR_DETECTION_WITHIN`] (900) | | 97.9% |
//!
//! h was chosen as the smallest value whose false-alarm rate *with the baseline estimated
//! from the series*, averaged over series, is about one per 100,000 responses (≈ 0.25 per busy
//! team-year per chart); with the baseline known exactly that is an ARL0 of 192,000 (CSAT)
//! and 402,000 (detractors) responses. The known-baseline ARL0 depends on the shape of the
//! data: from 89,700 (CSAT [0.02, 0.03, 0.05, 0.10, 0.80]) and 107,000
//! ([0.01, 0.02, 0.05, 0.22, 0.70]) through 194,000 (polarised [0.10, 0.05, 0.10, 0.25, 0.50])
//! to 352,000 (mediocre, mean 3.31); for detractors from 246,000 at p0 = 0.05 to 516,000 at
//! p0 = 0.35. A shift right after the baseline (estimate on 400 responses only) is slower to
//! flag: CSAT median 204, 95th percentile 712; detractors 273 and 945. After 5,400 stable
//! responses (baseline refined) it is faster: CSAT 182 and 462; detractors 241 and 592.
//! A gradual slide (mean falling linearly by 0.4 over 1,500 responses after 3,000 stable ones)
//! is flagged before its end in 98.9% of runs, a median of 916 responses into it (when the
//! mean has fallen by 0.24).
//!
//! ## Why the baseline is refined
//!
//! A 400-response baseline misses μ0 by a standard error of 0.05 points (0.05σ), a third of
//! the allowance k. The series whose baseline came out high see every later response as a
//! little low, and those few series produce most false alarms. With a frozen 400-response
//! baseline, h = 30 (known-baseline ARL0 108,000) gives 0.98 false alarms per busy team-year
//! (one series in 4,000 had 15); h = 35 brings that to 0.50 but slows detection (median 207,
//! 95th percentile 694 responses). Refining the baseline to 5,000 quiet responses gives 0.39
//! at h = 30, and 0.25 at the chosen h = 32 with a median of 182 and a 95th percentile of 462.
//! For detractors, p1 = p0 + 0.08 had the same false-alarm rate (0.24) but left an unlucky
//! series under a standing false alert 4.7% of the time (its allowance, about 0.1σ above p0,
//! is only twice the standard error of p0), against 1.9% for p0 + 0.10, which is also the
//! optimal tuning for the documented rise (median 241 against 267 responses).
//!
//! # Limitations
//!
//! * **Discrete, non-normal data.** CSAT takes five values and is skewed; the standardised
//!   CUSUM does not need normality, but its false-alarm rate depends on the shape (above): very
//!   high-scoring series with a thin tail of ones alarm about twice as often as the reference.
//! * **Baseline estimation error.** The rate above is an average over series: most never
//!   alarm, a few with an unlucky baseline alarm several times a year (up to 8 in 4,000 busy
//!   series). Rebaselining such a chart draws a new baseline.
//! * **Low-volume series.** A chart cannot signal before its 400-response baseline, and its
//!   delays are in responses: a 0.3-point fall takes a median 185 responses, three days at
//!   25,000 a year, two weeks at 5,000, four months at 500.
//! * **Independence.** Responses are taken as independent draws; a burst from one bad day
//!   counts as evidence like any other. Seasonality is not modelled.
//! * **One direction, one level.** The charts look only for a fall of CSAT or a rise of
//!   detractors, relative to the frozen baseline: after a lasting improvement, rebaseline so
//!   that a return to the old level is seen as the fall it is.

mod chart;
mod replay;
/// The simulations behind the documented figures: the statistical tests run with every test
/// run; `cargo bench -p domain --features calibration --bench early_warning_calibration`
/// re-measures the operating characteristics.
#[cfg(any(test, feature = "calibration"))]
#[doc(hidden)]
pub mod simulation;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use chart::{ChartState, Phase, Signal};
pub use replay::{ChartPoint, replay};

/// What a chart watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Mean CSAT (1–5 per response); the chart looks for a fall.
    CsatMean,
    /// Share of detractors (NPS answer 0–6); the chart looks for a rise.
    DetractorShare,
}

impl Metric {
    pub const ALL: [Metric; 2] = [Metric::CsatMean, Metric::DetractorShare];

    /// The stable name used in the API, the database and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::CsatMean => "csat_mean",
            Metric::DetractorShare => "detractor_share",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            Metric::CsatMean => "Mean CSAT",
            Metric::DetractorShare => "Detractor share",
        }
    }

    /// The observation of a detractor chart for an NPS answer: 1.0 for 0–6, 0.0 for 7–10,
    /// `None` outside 0–10.
    pub fn detractor_observation(nps: u8) -> Option<f64> {
        match nps {
            0..=6 => Some(1.0),
            7..=10 => Some(0.0),
            _ => None,
        }
    }

    /// A value this metric's chart takes: a whole CSAT 1..=5, or a detractor flag 0/1.
    pub fn accepts(self, value: f64) -> bool {
        match self {
            Metric::CsatMean => (1.0..=5.0).contains(&value) && value.fract() == 0.0,
            Metric::DetractorShare => value == 0.0 || value == 1.0,
        }
    }
}

/// The parameters of a chart. See the module documentation for how the defaults were chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChartParams {
    /// Phase I: observations that estimate the baseline before the chart may signal.
    pub baseline_responses: u32,
    /// The baseline keeps being refined with observations taken while the chart is quiet
    /// (statistic at 0, not out of control) until it rests on this many.
    pub refine_responses: u32,
    /// Mean CSAT: the allowance subtracted from each standardised observation, in baseline
    /// standard deviations (half the shift the chart is tuned for). Detractor share: the rise
    /// of the share the chart is tuned for, p1 − p0; the log-likelihood-ratio weights, hence
    /// the allowance, follow from p0 and p1.
    pub k: f64,
    /// The decision limit: a signal when the statistic exceeds it.
    pub h: f64,
    /// Mean CSAT: the floor of σ0. Detractor share: p0 is clamped into [floor, 1 − floor].
    pub floor: f64,
    /// Smoothing of the "recent" level shown with a signal (an EWMA).
    pub ewma_lambda: f64,
}

impl ChartParams {
    /// The documented defaults.
    pub fn for_metric(metric: Metric) -> ChartParams {
        match metric {
            Metric::CsatMean => ChartParams {
                baseline_responses: 400,
                refine_responses: 5_000,
                k: 0.15,
                h: 32.0,
                floor: 0.5,
                ewma_lambda: 0.05,
            },
            Metric::DetractorShare => ChartParams {
                baseline_responses: 400,
                refine_responses: 5_000,
                k: 0.10,
                h: 9.0,
                floor: 0.02,
                ewma_lambda: 0.05,
            },
        }
    }
}

/// How a chart with the default parameters behaves, measured by simulation (see the module
/// documentation), for display beside the chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OperatingCharacteristics {
    pub metric: Metric,
    /// The shift the detection figures are for, in the metric's units: −0.3 CSAT points, or
    /// +0.10 detractor share.
    pub shift: f64,
    /// In-control average run length, in responses, when the baseline is known exactly.
    pub arl0_responses: u64,
    /// False alarms in a year of 25,000 responses (the first 400 being the baseline), with the
    /// baseline estimated from the series itself.
    pub false_alarms_per_25k_year: f64,
    /// The same for a year of 5,000 responses.
    pub false_alarms_per_5k_year: f64,
    /// Responses from the start of the shift (after 2,000 stable responses) to the signal:
    /// mean, median, 95th percentile, over the runs with no earlier alert still standing.
    pub detection_mean: u64,
    pub detection_median: u64,
    pub detection_p95: u64,
}

/// A 0.3-point fall of mean CSAT, after 2,000 stable responses, is flagged within this many
/// responses in at least 95% of cases (measured: 98.0%; a run whose chart still shows an
/// earlier alert when the fall begins counts as flagged).
pub const CSAT_DETECTION_WITHIN: u64 = 700;

/// A rise of the detractor share from 0.20 to 0.30, after 2,000 stable responses, is flagged
/// within this many responses in at least 95% of cases (measured: 97.9%).
pub const DETRACTOR_DETECTION_WITHIN: u64 = 900;

/// The documented operating characteristics of the default chart for `metric`: constants
/// measured by `simulation::calibrate_operating_characteristics`, run with
/// `cargo bench -p domain --features calibration --bench early_warning_calibration`.
pub fn operating_characteristics(metric: Metric) -> OperatingCharacteristics {
    match metric {
        Metric::CsatMean => OperatingCharacteristics {
            metric,
            shift: -0.3,
            arl0_responses: 192_000,
            false_alarms_per_25k_year: 0.25,
            false_alarms_per_5k_year: 0.10,
            detection_mean: 224,
            detection_median: 185,
            detection_p95: 502,
        },
        Metric::DetractorShare => OperatingCharacteristics {
            metric,
            shift: 0.10,
            arl0_responses: 402_000,
            false_alarms_per_25k_year: 0.21,
            false_alarms_per_5k_year: 0.09,
            detection_mean: 301,
            detection_median: 248,
            detection_p95: 708,
        },
    }
}
