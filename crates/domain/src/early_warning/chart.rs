//! One control chart: the baseline estimate, the lower CUSUM recursion and its alarm state.

use serde::{Deserialize, Serialize};

use super::{ChartParams, Metric};

/// Where a chart is in its life: estimating its own limits, or watching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Phase I: the first `baseline_responses` observations estimate the baseline; no signals.
    Baseline,
    /// Phase II: the CUSUM runs against the baseline.
    Monitoring,
}

/// The state of one chart, persisted between responses as JSON. Its size does not grow with
/// the series: the baseline is kept as running moments, not as a history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartState {
    metric: Metric,
    params: ChartParams,
    phase: Phase,
    /// Valid observations fed since the chart was created (not reset by a rebaseline).
    observations: u64,
    /// Observations in the baseline estimate (Phase I, then quiet Phase II refinement).
    baseline_n: u64,
    baseline_mean: f64,
    /// Sum of squared deviations from `baseline_mean` (Welford).
    baseline_m2: f64,
    /// The CUSUM statistic S_t (≥ 0).
    statistic: f64,
    /// EWMA of the observations (λ = `params.ewma_lambda`), the "recent" level.
    recent: f64,
    out_of_control: bool,
    /// Signals raised since the chart was created.
    signals: u64,
}

/// The chart crossed its limit: the series has drifted down (CSAT) or up (detractors).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signal {
    pub metric: Metric,
    /// The CUSUM statistic at the signal (> `limit`).
    pub statistic: f64,
    /// The decision limit h.
    pub limit: f64,
    /// The baseline level: μ0 (mean CSAT) or p0 (detractor share).
    pub baseline: f64,
    /// The recent level: an EWMA of the observations with λ = 0.05 (about the last 40).
    pub recent: f64,
    /// The number of observations of the series when the signal was raised.
    pub observations: u64,
}

impl ChartState {
    /// A new chart with the documented defaults of `metric` ([`ChartParams::for_metric`]).
    pub fn new(metric: Metric) -> Self {
        Self::with_params(metric, ChartParams::for_metric(metric))
    }

    /// A new chart with other parameters (tuning, tests). A baseline shorter than two
    /// observations is raised to two, and the refinement never stops before the baseline.
    pub fn with_params(metric: Metric, mut params: ChartParams) -> Self {
        params.baseline_responses = params.baseline_responses.max(2);
        params.refine_responses = params.refine_responses.max(params.baseline_responses);
        Self {
            metric,
            params,
            phase: Phase::Baseline,
            observations: 0,
            baseline_n: 0,
            baseline_mean: 0.0,
            baseline_m2: 0.0,
            statistic: 0.0,
            recent: 0.0,
            out_of_control: false,
            signals: 0,
        }
    }

    /// Feeds one observation (CSAT 1..=5 as f64, or 0.0/1.0 for a detractor); `Some(signal)`
    /// when the chart crosses its limit with this observation. Invalid values (NaN, a CSAT
    /// outside 1..=5 or not whole, a detractor flag other than 0/1) are ignored: `None`, and
    /// the state is unchanged.
    pub fn observe(&mut self, value: f64) -> Option<Signal> {
        if !self.metric.accepts(value) {
            return None;
        }
        self.observations += 1;
        match self.phase {
            Phase::Baseline => {
                self.add_to_baseline(value);
                self.recent = self.baseline_mean;
                if self.baseline_n >= u64::from(self.params.baseline_responses) {
                    self.phase = Phase::Monitoring;
                    self.statistic = 0.0;
                }
                None
            }
            Phase::Monitoring => self.monitor(value),
        }
    }

    fn monitor(&mut self, value: f64) -> Option<Signal> {
        // Decided before looking at `value`, so in control the refined estimate stays unbiased.
        let quiet = self.statistic <= 0.0 && !self.out_of_control;
        self.statistic = (self.statistic + self.increment(value)).max(0.0);
        self.recent += self.params.ewma_lambda * (value - self.recent);
        let signal = if self.out_of_control {
            if self.statistic <= 0.0 {
                self.out_of_control = false;
            }
            None
        } else if self.statistic > self.params.h {
            self.out_of_control = true;
            self.signals += 1;
            Some(self.signal())
        } else {
            None
        };
        if quiet && self.baseline_n < u64::from(self.params.refine_responses) {
            self.add_to_baseline(value);
        }
        signal
    }

    /// The CUSUM increment of one observation against the current baseline.
    fn increment(&self, value: f64) -> f64 {
        match self.metric {
            Metric::CsatMean => (self.baseline_mean - value) / self.sigma0() - self.params.k,
            Metric::DetractorShare => {
                let p0 = self.p0();
                let p1 = (p0 + self.params.k).min((1.0 + p0) / 2.0);
                if value > 0.5 {
                    (p1 / p0).ln()
                } else {
                    ((1.0 - p1) / (1.0 - p0)).ln()
                }
            }
        }
    }

    /// σ0: the baseline standard deviation, floored.
    fn sigma0(&self) -> f64 {
        let var = if self.baseline_n > 1 {
            self.baseline_m2 / (self.baseline_n - 1) as f64
        } else {
            0.0
        };
        var.sqrt().max(self.params.floor)
    }

    /// p0: the baseline detractor share, clamped into [floor, 1 − floor].
    fn p0(&self) -> f64 {
        // `clamp` panics on a NaN bound, so a NaN floor is replaced by the default first.
        let floor = if self.params.floor.is_nan() {
            ChartParams::for_metric(Metric::DetractorShare).floor
        } else {
            self.params.floor.clamp(1e-6, 0.5)
        };
        self.baseline_mean.clamp(floor, 1.0 - floor)
    }

    fn add_to_baseline(&mut self, value: f64) {
        self.baseline_n += 1;
        let delta = value - self.baseline_mean;
        self.baseline_mean += delta / self.baseline_n as f64;
        self.baseline_m2 += delta * (value - self.baseline_mean);
    }

    fn signal(&self) -> Signal {
        Signal {
            metric: self.metric,
            statistic: self.statistic,
            limit: self.params.h,
            baseline: self.baseline_mean,
            recent: self.recent,
            observations: self.observations,
        }
    }

    /// Starts Phase I again: staff acknowledge a lasting change, and the chart learns the new
    /// level as its baseline. The observation and signal counts are kept.
    pub fn rebaseline(&mut self) {
        self.phase = Phase::Baseline;
        self.baseline_n = 0;
        self.baseline_mean = 0.0;
        self.baseline_m2 = 0.0;
        self.statistic = 0.0;
        self.out_of_control = false;
    }

    pub fn metric(&self) -> Metric {
        self.metric
    }

    pub fn params(&self) -> &ChartParams {
        &self.params
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Valid observations fed since the chart was created.
    pub fn observations(&self) -> u64 {
        self.observations
    }

    /// The CUSUM statistic: in baseline standard deviations (CSAT) or in nats of
    /// log-likelihood ratio (detractor share); 0 during the baseline.
    pub fn statistic(&self) -> f64 {
        self.statistic
    }

    /// The decision limit h, in the statistic's units.
    pub fn limit(&self) -> f64 {
        self.params.h
    }

    /// μ0 (mean CSAT) or p0 (detractor share, unclamped) once Phase I is over.
    pub fn baseline(&self) -> Option<f64> {
        (self.phase == Phase::Monitoring).then_some(self.baseline_mean)
    }

    /// σ0 (mean CSAT, floored) once Phase I is over; `None` for the detractor chart.
    pub fn baseline_sd(&self) -> Option<f64> {
        (self.phase == Phase::Monitoring && self.metric == Metric::CsatMean).then(|| self.sigma0())
    }

    /// Observations behind the baseline estimate (Phase I plus the quiet refinement).
    pub fn baseline_observations(&self) -> u64 {
        self.baseline_n
    }

    /// The recent level: an EWMA of the observations (during Phase I, their mean so far).
    pub fn recent(&self) -> f64 {
        self.recent
    }

    /// A signal was raised and the statistic has not yet come back to 0.
    pub fn is_out_of_control(&self) -> bool {
        self.out_of_control
    }

    pub fn in_baseline(&self) -> bool {
        self.phase == Phase::Baseline
    }

    /// Signals raised since the chart was created.
    pub fn signals(&self) -> u64 {
        self.signals
    }

    /// A chart already in Phase II with a known baseline: for simulating the known-parameter
    /// run length in the calibration.
    #[cfg(any(test, feature = "calibration"))]
    pub(super) fn with_known_baseline(metric: Metric, mean: f64, sd: f64) -> Self {
        let mut state = Self::new(metric);
        state.phase = Phase::Monitoring;
        state.baseline_n = u64::from(state.params.refine_responses);
        state.baseline_mean = mean;
        state.baseline_m2 = sd * sd * (state.baseline_n - 1) as f64;
        state.recent = mean;
        state
    }
}
