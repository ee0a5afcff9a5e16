//! The correlation matrix of the outcome and its drivers, from additive moments (pairwise
//! complete) or from raw rows (complete cases).

use crate::improvement::moments::{Moments, PairMoments};
use serde::Serialize;

/// Correlations, pairwise response counts, means and standard deviations of the outcome
/// (index 0) and its drivers (indices 1…).
///
/// Built only by its constructors, so every row has one entry per variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrelationMatrix {
    names: Vec<String>,
    corr: Vec<Vec<f64>>,
    n: Vec<Vec<i64>>,
    means: Vec<f64>,
    sds: Vec<f64>,
}

impl CorrelationMatrix {
    /// From moments, pairwise complete. **Missing-answer rule:** each correlation uses exactly
    /// the responses that answered both of its variables (as R's
    /// `cor(use = "pairwise.complete.obs")` does), with that pair's own means and variances;
    /// a response that skipped one question still counts for every pair it did answer. Means
    /// and standard deviations use every answer to the variable. A pair nobody answered, or
    /// in which either variable does not vary, has correlation 0 and count as observed.
    pub fn from_moments(m: &Moments, outcome: &str, drivers: &[String]) -> CorrelationMatrix {
        let names: Vec<String> = std::iter::once(outcome.to_owned())
            .chain(drivers.iter().cloned())
            .collect();
        let dim = names.len();
        let mut corr = vec![vec![0.0; dim]; dim];
        let mut n = vec![vec![0; dim]; dim];
        let mut means = vec![0.0; dim];
        let mut sds = vec![0.0; dim];
        for (i, name_i) in names.iter().enumerate() {
            for (j, name_j) in names.iter().enumerate() {
                let pair = m.pair(name_i, name_j).unwrap_or_default();
                n[i][j] = pair.n;
                corr[i][j] = if i == j { 1.0 } else { pair_correlation(&pair) };
            }
            let own = m.pair(name_i, name_i).unwrap_or_default();
            means[i] = mean_of(&own);
            sds[i] = sd_of(&own);
        }
        CorrelationMatrix {
            names,
            corr,
            n,
            means,
            sds,
        }
    }

    /// From raw rows (`row[0]` is the outcome), complete cases only: a row with a missing
    /// (non-finite) value or of the wrong length is left out entirely. For tests and reference
    /// datasets.
    pub fn from_rows(names: &[&str], rows: &[Vec<f64>]) -> CorrelationMatrix {
        let dim = names.len();
        let complete: Vec<&Vec<f64>> = rows
            .iter()
            .filter(|row| row.len() == dim && row.iter().all(|v| v.is_finite()))
            .collect();
        let count = complete.len();
        let divisor = count.max(1) as f64;
        let means: Vec<f64> = (0..dim)
            .map(|i| complete.iter().map(|row| row[i]).sum::<f64>() / divisor)
            .collect();
        let mut cross = vec![vec![0.0; dim]; dim];
        for row in &complete {
            for i in 0..dim {
                let di = row[i] - means[i];
                for j in 0..dim {
                    cross[i][j] += di * (row[j] - means[j]);
                }
            }
        }
        let sds: Vec<f64> = (0..dim).map(|i| sample_sd(cross[i][i], count)).collect();
        let corr = (0..dim)
            .map(|i| {
                (0..dim)
                    .map(|j| {
                        if i == j {
                            1.0
                        } else {
                            correlation_of(cross[i][j], cross[i][i], cross[j][j])
                        }
                    })
                    .collect()
            })
            .collect();
        let responses = i64::try_from(count).unwrap_or(i64::MAX);
        CorrelationMatrix {
            names: names.iter().map(|s| (*s).to_owned()).collect(),
            corr,
            n: vec![vec![responses; dim]; dim],
            means,
            sds,
        }
    }

    /// From a given correlation matrix (index 0 = outcome), every pair observed `responses`
    /// times, means 0 and standard deviations 1. `None` unless the matrix is square with one
    /// row per name and finite entries. For hand-worked examples.
    pub fn from_correlations(
        names: &[&str],
        corr: &[Vec<f64>],
        responses: i64,
    ) -> Option<CorrelationMatrix> {
        let dim = names.len();
        let square = corr.len() == dim
            && corr
                .iter()
                .all(|row| row.len() == dim && row.iter().all(|v| v.is_finite()));
        square.then(|| CorrelationMatrix {
            names: names.iter().map(|s| (*s).to_owned()).collect(),
            corr: corr.to_vec(),
            n: vec![vec![responses; dim]; dim],
            means: vec![0.0; dim],
            sds: vec![1.0; dim],
        })
    }

    /// Every variable's name: the outcome first, then the drivers.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The drivers' names, in matrix order (driver `j` is variable `j + 1`).
    pub fn drivers(&self) -> &[String] {
        self.names.get(1..).unwrap_or_default()
    }

    pub fn driver_count(&self) -> usize {
        self.names.len().saturating_sub(1)
    }

    /// The correlation of variables `i` and `j` (0 = outcome); 0 outside the matrix.
    pub fn correlation(&self, i: usize, j: usize) -> f64 {
        self.corr
            .get(i)
            .and_then(|row| row.get(j))
            .copied()
            .unwrap_or(0.0)
    }

    /// How many responses answered both variables `i` and `j`; 0 outside the matrix.
    pub fn responses(&self, i: usize, j: usize) -> i64 {
        self.n
            .get(i)
            .and_then(|row| row.get(j))
            .copied()
            .unwrap_or(0)
    }

    /// The smallest pairwise count over every pair of variables in the matrix.
    pub fn smallest_responses(&self) -> i64 {
        self.n.iter().flatten().copied().min().unwrap_or(0)
    }

    pub fn mean(&self, i: usize) -> f64 {
        self.means.get(i).copied().unwrap_or(0.0)
    }

    pub fn sd(&self, i: usize) -> f64 {
        self.sds.get(i).copied().unwrap_or(0.0)
    }

    /// The matrix as a flat row-major vector, `dim × dim`.
    pub(super) fn dense(&self) -> Vec<f64> {
        let dim = self.names.len();
        (0..dim)
            .flat_map(|i| (0..dim).map(move |j| (i, j)))
            .map(|(i, j)| self.correlation(i, j))
            .collect()
    }
}

/// The correlation of a pair from its exact integer moments: the centred sums are formed in
/// 128-bit integers, so no cancellation is lost before the single division.
fn pair_correlation(pair: &PairMoments) -> f64 {
    let n = i128::from(pair.n);
    let (sum_a, sum_b) = (i128::from(pair.sum_a), i128::from(pair.sum_b));
    let cross = n * i128::from(pair.sum_ab) - sum_a * sum_b;
    let spread_a = n * i128::from(pair.sum_aa) - sum_a * sum_a;
    let spread_b = n * i128::from(pair.sum_bb) - sum_b * sum_b;
    correlation_of(cross as f64, spread_a as f64, spread_b as f64)
}

/// `cross / sqrt(spread_a · spread_b)`, 0 when either variable does not vary.
fn correlation_of(cross: f64, spread_a: f64, spread_b: f64) -> f64 {
    if spread_a <= 0.0 || spread_b <= 0.0 {
        return 0.0;
    }
    (cross / (spread_a.sqrt() * spread_b.sqrt())).clamp(-1.0, 1.0)
}

/// The mean of the first variable of a pair; 0 with no answers.
pub(super) fn mean_of(own: &PairMoments) -> f64 {
    if own.n > 0 {
        own.sum_a as f64 / own.n as f64
    } else {
        0.0
    }
}

/// The sample standard deviation (divisor n − 1) of the first variable of a pair.
pub(super) fn sd_of(own: &PairMoments) -> f64 {
    if own.n < 2 {
        return 0.0;
    }
    let n = i128::from(own.n);
    let sum = i128::from(own.sum_a);
    let spread = n * i128::from(own.sum_aa) - sum * sum;
    if spread <= 0 {
        return 0.0;
    }
    (spread as f64 / (n * (n - 1)) as f64).sqrt()
}

/// Whether the first variable of a pair varies among the pair's responses.
pub(super) fn varies(pair: &PairMoments) -> bool {
    i128::from(pair.n) * i128::from(pair.sum_aa) - i128::from(pair.sum_a) * i128::from(pair.sum_a)
        > 0
}

fn sample_sd(centred_squares: f64, count: usize) -> f64 {
    if count < 2 {
        0.0
    } else {
        (centred_squares / (count - 1) as f64).sqrt()
    }
}
