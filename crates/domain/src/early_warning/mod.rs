//! Statistical early warning: control charts over satisfaction series.
//!
//! DOCS-PLACEHOLDER

mod chart;
mod replay;
#[cfg(test)]
mod simulation;
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
    /// Responses from the start of the shift to the signal: mean, median, 95th percentile.
    pub detection_mean: u64,
    pub detection_median: u64,
    pub detection_p95: u64,
}

/// A 0.3-point fall of mean CSAT is flagged within this many responses in at least 95% of
/// cases (measured: see [`operating_characteristics`]).
pub const CSAT_DETECTION_WITHIN: u64 = 700;

/// A rise of the detractor share from 0.20 to 0.30 is flagged within this many responses in at
/// least 95% of cases.
pub const DETRACTOR_DETECTION_WITHIN: u64 = 900;

/// The documented operating characteristics of the default chart for `metric`: constants
/// measured by the simulation in this module's tests (`calibrate_operating_characteristics`,
/// run with `cargo test -p domain --release -- --ignored --nocapture calibrate`).
pub fn operating_characteristics(metric: Metric) -> OperatingCharacteristics {
    match metric {
        Metric::CsatMean => OperatingCharacteristics {
            metric,
            shift: -0.3,
            arl0_responses: 190_000,
            false_alarms_per_25k_year: 0.25,
            false_alarms_per_5k_year: 0.10,
            detection_mean: 224,
            detection_median: 185,
            detection_p95: 502,
        },
        Metric::DetractorShare => OperatingCharacteristics {
            metric,
            shift: 0.10,
            arl0_responses: 400_000,
            false_alarms_per_25k_year: 0.21,
            false_alarms_per_5k_year: 0.09,
            detection_mean: 301,
            detection_median: 248,
            detection_p95: 708,
        },
    }
}
