//! Parametric bootstrap of a correlation matrix: Wishart draws by the Bartlett decomposition.
//!
//! With only moments there are no rows to resample, so replicate covariance matrices are drawn
//! from W(n − 1, Σ̂)/(n − 1), the sampling distribution of a sample covariance matrix of n
//! multivariate-normal rows whose true covariance is Σ̂. A correlation matrix does not depend on
//! the scale of its variables, so drawing from W(n − 1, R̂) and rescaling to unit diagonal gives
//! the same replicate correlations.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A pivot below minus this (relative to the diagonal) shows a matrix that is not positive
/// semi-definite.
const INDEFINITE_TOLERANCE: f64 = 1e-9;

/// A lower-triangular factor L with L L′ ≈ the matrix, and whether the matrix was positive
/// semi-definite.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Factor {
    pub lower: Vec<f64>,
    pub dim: usize,
    pub semi_definite: bool,
}

/// Cholesky factorization that tolerates singular and indefinite matrices: a pivot at or below
/// the collinearity tolerance zeroes its column (the variable adds no new direction), so a
/// singular matrix is reproduced exactly and an indefinite one (pairwise correlations that
/// cannot all hold at once) is replaced by a nearby semi-definite one, `semi_definite` false.
pub(super) fn factorize(matrix: &[f64], dim: usize) -> Factor {
    let mut lower: Vec<f64> = vec![0.0; dim * dim];
    let mut semi_definite = true;
    for j in 0..dim {
        let diagonal = matrix[j * dim + j];
        let pivot = diagonal - (0..j).map(|k| lower[j * dim + k].powi(2)).sum::<f64>();
        let scale = diagonal.abs().max(f64::MIN_POSITIVE);
        if pivot < -INDEFINITE_TOLERANCE * scale || pivot.is_nan() {
            semi_definite = false;
        }
        if pivot.is_nan() || pivot <= super::shapley::COLLINEAR_TOLERANCE * scale {
            // A semi-definite matrix has nothing left in a column without a pivot.
            semi_definite &= (j + 1..dim).all(|i| {
                let dot: f64 = (0..j)
                    .map(|k| lower[i * dim + k] * lower[j * dim + k])
                    .sum();
                (matrix[i * dim + j] - dot).abs() <= INDEFINITE_TOLERANCE.sqrt() * scale
            });
            continue;
        }
        let root = pivot.sqrt();
        lower[j * dim + j] = root;
        for i in j + 1..dim {
            let dot: f64 = (0..j)
                .map(|k| lower[i * dim + k] * lower[j * dim + k])
                .sum();
            lower[i * dim + j] = (matrix[i * dim + j] - dot) / root;
        }
    }
    Factor {
        lower,
        dim,
        semi_definite,
    }
}

/// One replicate correlation matrix (flat, `dim × dim`): the correlation of L A A′ L′, where A
/// is Bartlett's lower-triangular matrix for `degrees_of_freedom` (A_ii² ~ χ²(df − i),
/// A_ij ~ N(0, 1) below the diagonal). Needs `degrees_of_freedom ≥ dim`.
pub(super) fn wishart_correlation(
    factor: &Factor,
    degrees_of_freedom: u64,
    rng: &mut ChaCha8Rng,
) -> Vec<f64> {
    let dim = factor.dim;
    let mut bartlett = vec![0.0; dim * dim];
    for i in 0..dim {
        let df = degrees_of_freedom.saturating_sub(i as u64).max(1);
        bartlett[i * dim + i] = chi_square(df, rng).sqrt();
        for j in 0..i {
            bartlett[i * dim + j] = standard_normal(rng);
        }
    }
    // B = L A is lower triangular; the draw is W = B B′.
    let mut product = vec![0.0; dim * dim];
    for i in 0..dim {
        for j in 0..=i {
            product[i * dim + j] = (j..=i)
                .map(|k| factor.lower[i * dim + k] * bartlett[k * dim + j])
                .sum();
        }
    }
    let mut draw = vec![0.0; dim * dim];
    for i in 0..dim {
        for j in 0..=i {
            let value: f64 = (0..=j)
                .map(|k| product[i * dim + k] * product[j * dim + k])
                .sum();
            draw[i * dim + j] = value;
            draw[j * dim + i] = value;
        }
    }
    to_correlation(&draw, dim)
}

/// Rescales a covariance matrix to unit diagonal; a variable with no variance gets
/// correlation 0 with every other.
fn to_correlation(covariance: &[f64], dim: usize) -> Vec<f64> {
    let roots: Vec<f64> = (0..dim)
        .map(|i| covariance[i * dim + i].max(0.0).sqrt())
        .collect();
    let mut corr = vec![0.0; dim * dim];
    for i in 0..dim {
        for j in 0..dim {
            corr[i * dim + j] = if i == j {
                1.0
            } else if roots[i] > 0.0 && roots[j] > 0.0 {
                (covariance[i * dim + j] / (roots[i] * roots[j])).clamp(-1.0, 1.0)
            } else {
                0.0
            };
        }
    }
    corr
}

/// A standard normal variate (Box–Muller; the uniform is taken from (0, 1]).
fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    let radius = (-2.0 * (1.0 - rng.r#gen::<f64>()).ln()).sqrt();
    radius * (std::f64::consts::TAU * rng.r#gen::<f64>()).cos()
}

/// A χ² variate with `df` degrees of freedom: exactly, as twice a Gamma(df/2) variate drawn
/// by Marsaglia and Tsang's method (a squared normal for df = 1).
fn chi_square(df: u64, rng: &mut ChaCha8Rng) -> f64 {
    if df <= 1 {
        return standard_normal(rng).powi(2);
    }
    let shape = df as f64 / 2.0;
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = standard_normal(rng);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = 1.0 - rng.r#gen::<f64>();
        if u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
            return 2.0 * d * v;
        }
    }
}

/// The percentile interval of `values` at `confidence` (linear interpolation between order
/// statistics, as R's default quantile type 7), widened if needed to contain `estimate`: the
/// replicates of a quantity bounded below by 0 are skewed, and a percentile interval of a
/// near-zero importance can otherwise miss the estimate it is about. Without replicates, the
/// estimate itself.
pub(super) fn percentile_interval(
    values: &mut [f64],
    confidence: f64,
    estimate: f64,
) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    let tail = (1.0 - confidence) / 2.0;
    match (quantile(values, tail), quantile(values, 1.0 - tail)) {
        (Some(low), Some(high)) => (low.min(estimate), high.max(estimate)),
        _ => (estimate, estimate),
    }
}

/// The `q` quantile of sorted `values`, type 7.
fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let position = q.clamp(0.0, 1.0) * last as f64;
    let below = position.floor() as usize;
    let above = (below + 1).min(last);
    let fraction = position - below as f64;
    Some(sorted.get(below)? * (1.0 - fraction) + sorted.get(above)? * fraction)
}
