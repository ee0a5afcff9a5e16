//! Replaying a whole series through a new chart, for drawing it.

use serde::Serialize;

use super::{ChartState, Metric};

/// A point of a chart for drawing, from replaying a whole series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartPoint {
    /// The observation's number in the series (1-based, valid observations only).
    pub index: u64,
    pub statistic: f64,
    pub limit: f64,
    /// The recent level (EWMA) after this observation.
    pub recent: f64,
    /// The chart signalled at this observation.
    pub signal: bool,
}

/// Replays `values` from a new state; returns the final state and at most `max_points`
/// points, spread evenly over the series (first and last included) and always including the
/// points where a signal happened. Should there be more signals than `max_points`, the
/// signal points themselves are thinned evenly. Invalid values are skipped, as by
/// [`ChartState::observe`].
pub fn replay(
    metric: Metric,
    values: impl IntoIterator<Item = f64>,
    max_points: usize,
) -> (ChartState, Vec<ChartPoint>) {
    let values: Vec<f64> = values.into_iter().filter(|v| metric.accepts(*v)).collect();
    // First pass: where the signals are. The chart is deterministic, so the second pass
    // retraces it exactly.
    let mut state = ChartState::new(metric);
    let mut signals = Vec::new();
    for &value in &values {
        if state.observe(value).is_some() {
            signals.push(state.observations());
        }
    }
    let wanted = wanted_indices(values.len() as u64, &signals, max_points);
    if wanted.is_empty() {
        return (state, Vec::new());
    }
    let mut state = ChartState::new(metric);
    let mut points = Vec::with_capacity(wanted.len());
    let mut next = wanted.iter().peekable();
    for &value in &values {
        let signal = state.observe(value).is_some();
        if next.next_if_eq(&&state.observations()).is_some() {
            points.push(ChartPoint {
                index: state.observations(),
                statistic: state.statistic(),
                limit: state.limit(),
                recent: state.recent(),
                signal,
            });
        }
    }
    (state, points)
}

/// The 1-based indices to draw, ascending: every signal (thinned evenly if they alone
/// exceed `max_points`) plus an even grid over `1..=n` with the remaining budget.
fn wanted_indices(n: u64, signals: &[u64], max_points: usize) -> Vec<u64> {
    if signals.len() >= max_points {
        return even_picks(signals.len() as u64, max_points)
            .into_iter()
            .filter_map(|i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| signals.get(i).copied())
            })
            .collect();
    }
    let mut wanted: Vec<u64> = even_picks(n, max_points - signals.len())
        .into_iter()
        .map(|i| i + 1)
        .chain(signals.iter().copied())
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    wanted
}

/// `m` distinct positions in `0..n`, evenly spaced, first and last included (all of them when
/// `m >= n`; the last one alone when `m == 1`).
fn even_picks(n: u64, m: usize) -> Vec<u64> {
    let m = m as u64;
    if n == 0 || m == 0 {
        return Vec::new();
    }
    if m >= n {
        return (0..n).collect();
    }
    if m == 1 {
        return vec![n - 1];
    }
    let (span, steps) = (u128::from(n - 1), u128::from(m - 1));
    (0..m)
        .map(|j| {
            let pick = (u128::from(j) * span + steps / 2) / steps;
            u64::try_from(pick).unwrap_or(n - 1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_picks_spread_over_the_range_with_both_ends() {
        assert_eq!(even_picks(10, 4), vec![0, 3, 6, 9]);
        assert_eq!(even_picks(5, 9), vec![0, 1, 2, 3, 4]);
        assert_eq!(even_picks(7, 1), vec![6]);
        assert!(even_picks(0, 3).is_empty());
        assert!(even_picks(3, 0).is_empty());
        let picks = even_picks(1_000_003, 997);
        assert_eq!(picks.len(), 997);
        assert!(picks.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn wanted_indices_keep_every_signal_within_the_budget() {
        let wanted = wanted_indices(100, &[37, 38, 90], 6);
        assert_eq!(wanted, vec![1, 37, 38, 51, 90, 100]);
        assert_eq!(wanted_indices(100, &[5, 10, 15, 20], 2), vec![5, 20]);
        assert!(wanted_indices(100, &[], 0).is_empty());
    }
}
