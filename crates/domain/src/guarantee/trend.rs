//! Early warning on the guarantee: is the invocation rate of the last 30 days above what the
//! 180 days before predict? The recent count of invocations is compared with a Poisson law
//! whose mean is the recent number of transactions times the baseline rate (with half an
//! invocation added to the baseline, so that a spotless history does not make the first
//! invocation "significant"). It raises an alert when
//!
//! - the recent window holds at least [`MIN_RECENT_TRANSACTIONS`] transactions, the baseline at
//!   least [`MIN_BASELINE_TRANSACTIONS`] and at least as many as the recent window (so a young
//!   installation is not compared with a few days of history), and at least [`MIN_INVOCATIONS`]
//!   recent invocations;
//! - the recent rate is at least [`MIN_RATIO`] times the baseline rate (a rise that matters);
//! - the chance of seeing that many invocations at the baseline rate is below [`ALPHA`].
//!
//! Measured by the simulation in the tests (200 team-years of a small team, 40 transactions a
//! day at a 1 % invocation rate, checked after every invocation): 0.2 false alarms per
//! team-year; a doubling of the rate is flagged in 87 of 100 runs within 120 days, after a
//! median of 23 days. Larger teams are flagged sooner: the test has more transactions to go on.

use jiff::SignedDuration;

pub const RECENT_WINDOW: SignedDuration = SignedDuration::from_hours(30 * 24);
pub const BASELINE_WINDOW: SignedDuration = SignedDuration::from_hours(180 * 24);
pub const MIN_RECENT_TRANSACTIONS: i64 = 50;
pub const MIN_BASELINE_TRANSACTIONS: i64 = 200;
pub const MIN_INVOCATIONS: i64 = 3;
pub const MIN_RATIO: f64 = 1.5;
/// One in 500: tried against 0.001 (0.13 false alarms a team-year, 84 % of doublings caught)
/// and 0.005 (0.4 false alarms, 96 % caught).
pub const ALPHA: f64 = 0.002;

/// Invocations and transactions over one window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub invocations: i64,
    pub transactions: i64,
}

impl Window {
    /// Invocations per 1,000 transactions.
    pub fn per_thousand(&self) -> Option<f64> {
        (self.transactions > 0).then(|| self.invocations as f64 * 1000.0 / self.transactions as f64)
    }
}

/// A rise worth an alert.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RisingRate {
    pub recent_per_thousand: f64,
    pub baseline_per_thousand: f64,
    /// How many invocations the baseline rate predicts for the recent transactions.
    pub expected: f64,
    /// The chance of at least the recent count at the baseline rate.
    pub p_value: f64,
}

/// Whether `recent` is a significant rise over `baseline`.
pub fn rising(recent: Window, baseline: Window) -> Option<RisingRate> {
    if recent.transactions < MIN_RECENT_TRANSACTIONS
        || baseline.transactions < MIN_BASELINE_TRANSACTIONS
        // A young installation's baseline is shorter than its recent window: no rate to rise from.
        || baseline.transactions < recent.transactions
        || recent.invocations < MIN_INVOCATIONS
    {
        return None;
    }
    let baseline_rate = (baseline.invocations as f64 + 0.5) / baseline.transactions as f64;
    let recent_rate = recent.invocations as f64 / recent.transactions as f64;
    if recent_rate < MIN_RATIO * baseline_rate {
        return None;
    }
    let expected = baseline_rate * recent.transactions as f64;
    let p_value = poisson_upper_tail(recent.invocations, expected);
    (p_value < ALPHA).then(|| RisingRate {
        recent_per_thousand: recent_rate * 1000.0,
        baseline_per_thousand: baseline.per_thousand().unwrap_or(0.0),
        expected,
        p_value,
    })
}

/// P(X ≥ k) for X ~ Poisson(λ), summed upwards from k in log space (no underflow for large λ).
pub fn poisson_upper_tail(k: i64, lambda: f64) -> f64 {
    if k <= 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    let ln_factorial: f64 = (2..=k).map(|j| (j as f64).ln()).sum();
    let mut term = (-lambda + k as f64 * lambda.ln() - ln_factorial).exp();
    let mut sum = 0.0;
    let mut i = k;
    loop {
        sum += term;
        i += 1;
        term *= lambda / i as f64;
        if (i as f64 > lambda && term < sum * 1e-12) || term == 0.0 || i > k + 1_000_000 {
            break;
        }
    }
    sum.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_poisson_tail_matches_known_values() {
        // P(X ≥ 1 | λ = 1) = 1 − e^−1; P(X ≥ 10 | λ = 2) ≈ 4.65e-5.
        assert!((poisson_upper_tail(1, 1.0) - (1.0 - (-1.0f64).exp())).abs() < 1e-9);
        assert!((poisson_upper_tail(10, 2.0) - 4.6498e-5).abs() < 1e-8);
        assert_eq!(poisson_upper_tail(0, 3.0), 1.0);
        assert!(poisson_upper_tail(2000, 1000.0) < 1e-100);
        assert!((poisson_upper_tail(1000, 1000.0) - 0.5).abs() < 0.02);
    }

    #[test]
    fn a_steady_rate_is_not_a_rise_and_a_tripled_one_is() {
        let baseline = Window {
            invocations: 72,
            transactions: 7200,
        };
        let steady = Window {
            invocations: 13,
            transactions: 1200,
        };
        assert_eq!(rising(steady, baseline), None);
        let tripled = Window {
            invocations: 36,
            transactions: 1200,
        };
        let rise = rising(tripled, baseline).unwrap_or_else(|| panic!("not flagged"));
        assert!((rise.recent_per_thousand - 30.0).abs() < 1e-9);
        assert!((rise.baseline_per_thousand - 10.0).abs() < 1e-9);
        assert!(rise.p_value < ALPHA);
    }

    #[test]
    fn too_little_data_raises_nothing() {
        let spotless = Window {
            invocations: 0,
            transactions: 10_000,
        };
        let two = Window {
            invocations: 2,
            transactions: 100,
        };
        assert_eq!(
            rising(two, spotless),
            None,
            "two invocations are not a trend"
        );
        let young = Window {
            invocations: 0,
            transactions: 150,
        };
        let many = Window {
            invocations: 9,
            transactions: 500,
        };
        assert_eq!(rising(many, young), None, "no baseline yet");
    }

    /// A small deterministic generator, so the simulation is the same on every run.
    struct Lcg(u64);

    impl Lcg {
        fn uniform(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Day-by-day invocation counts of a team with `per_day` transactions at `rate`, which
    /// becomes `rate × factor` from day `change`.
    fn simulate(
        days: usize,
        per_day: i64,
        rate: f64,
        factor: f64,
        change: usize,
        seed: u64,
    ) -> Vec<i64> {
        let mut rng = Lcg(seed);
        (0..days)
            .map(|day| {
                let p = if day >= change { rate * factor } else { rate };
                (0..per_day).filter(|_| rng.uniform() < p).count() as i64
            })
            .collect()
    }

    /// The first day (after the warm-up) the check flags, run at the end of every day that had
    /// an invocation, as the server does after each one.
    fn first_alarm(counts: &[i64], per_day: i64, from: usize) -> Option<usize> {
        (from..counts.len()).find(|&day| {
            counts[day] > 0 && {
                let recent: i64 = counts[day + 1 - 30..=day].iter().sum();
                let baseline: i64 = counts[day + 1 - 210..day + 1 - 30].iter().sum();
                rising(
                    Window {
                        invocations: recent,
                        transactions: 30 * per_day,
                    },
                    Window {
                        invocations: baseline,
                        transactions: 180 * per_day,
                    },
                )
                .is_some()
            }
        })
    }

    #[test]
    fn stable_teams_raise_under_one_false_alarm_per_year_and_a_doubling_is_caught() {
        let years = 200;
        let mut false_alarms = 0;
        for seed in 0..years {
            let counts = simulate(210 + 365, 40, 0.01, 1.0, usize::MAX, seed);
            // After an alarm the series is watched afresh 30 days later (one alert per window).
            let mut from = 209;
            while let Some(day) = first_alarm(&counts, 40, from) {
                false_alarms += 1;
                from = day + 30;
            }
        }
        let per_year = false_alarms as f64 / years as f64;
        assert!(per_year < 0.25, "{per_year} false alarms per team-year");
        let mut delays = Vec::new();
        for seed in 0..100 {
            let counts = simulate(210 + 120, 40, 0.01, 2.0, 210, 10_000 + seed);
            if let Some(day) = first_alarm(&counts, 40, 210) {
                delays.push(day - 210);
            }
        }
        delays.sort_unstable();
        assert!(
            delays.len() >= 85,
            "a doubling missed in {} of 100 runs",
            100 - delays.len()
        );
        assert!(
            delays[delays.len() / 2] <= 30,
            "median delay {} days",
            delays[delays.len() / 2]
        );
    }
}
