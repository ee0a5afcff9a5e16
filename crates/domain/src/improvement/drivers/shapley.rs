//! R² of every subset of drivers and the exact Shapley (LMG) decomposition of the full R².
//!
//! R²(S) = r_yS′ R_SS⁻¹ r_yS is read off a Schur complement: after pivoting the correlation
//! matrix on the drivers of S, the outcome's remaining diagonal entry is its residual variance
//! 1 − R²(S). A depth-first walk over subsets, adding drivers in increasing index order, lets
//! each subset extend its parent's complement by one pivot, restricted to the outcome and the
//! drivers still to come: the whole table of 2^p values costs about 6 · 2^p multiply-adds in
//! all, instead of a factorization per subset.

use super::correlation::CorrelationMatrix;

/// The most drivers decomposed exactly (2^18 subsets); `analyse` keeps the strongest this many.
pub const MAX_EXACT_DRIVERS: usize = 18;

/// A pivot (a driver's variance left unexplained by the drivers already in the subset, as a
/// share of its own variance) at or below this means the driver is collinear with them: it
/// adds nothing to that subset, and R² is unchanged.
pub const COLLINEAR_TOLERANCE: f64 = 1e-9;

/// How far outside [0, 1] an R² may fall by rounding before it counts as clamped.
const ROUNDING_SLACK: f64 = 1e-9;

/// R² of every subset of drivers, indexed by subset mask (bit `j` = driver `j`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SubsetTable {
    pub r_squared: Vec<f64>,
    /// Whether some R² fell outside [0, 1] (an inconsistent pairwise matrix) and was clamped.
    pub clamped: bool,
}

/// R² of every subset of the drivers of `corr`, indexed by mask; empty for more than
/// [`MAX_EXACT_DRIVERS`] drivers.
pub fn subset_r_squared(corr: &CorrelationMatrix) -> Vec<f64> {
    subset_table(&corr.dense(), corr.driver_count()).r_squared
}

/// R² of the regression of the outcome on the drivers in `subset_mask` (bit `j` = driver `j`;
/// bits beyond the drivers are ignored), with the same collinearity rule and clamping as the
/// full table.
pub fn r_squared(corr: &CorrelationMatrix, subset_mask: u32) -> f64 {
    let p = corr.driver_count();
    let mut dim = p + 1;
    let mut matrix = corr.dense();
    // Pivot the chosen drivers one at a time, always keeping the outcome first, the drivers
    // still to come after it.
    let mut first = 0;
    while dim > 1 {
        let Some(offset) = (first..p).position(|driver| bit(subset_mask, driver)) else {
            break;
        };
        let position = offset + 1;
        let mut child = vec![0.0; (dim - position) * (dim - position)];
        pivot_into(&matrix, dim, position, &mut child);
        dim -= position;
        matrix = child;
        first += position;
    }
    clamp_unit(1.0 - matrix.first().copied().unwrap_or(1.0)).0
}

/// The exact LMG importance of each driver: the average over all orders of entry of the R²
/// it adds, i.e. Σ over subsets S of the other drivers of |S|!(p−|S|−1)!/p! ·
/// (R²(S ∪ {j}) − R²(S)). The values sum to the full R². Empty for more than
/// [`MAX_EXACT_DRIVERS`] drivers.
pub fn shapley(corr: &CorrelationMatrix) -> Vec<f64> {
    let p = corr.driver_count();
    shapley_from_table(&subset_table(&corr.dense(), p).r_squared, p)
}

/// The table of R² for a flat `(p + 1) × (p + 1)` correlation matrix (outcome first).
pub(super) fn subset_table(matrix: &[f64], p: usize) -> SubsetTable {
    let dim = p + 1;
    if p > MAX_EXACT_DRIVERS || matrix.len() != dim * dim {
        return SubsetTable {
            r_squared: Vec::new(),
            clamped: false,
        };
    }
    let mut table = SubsetTable {
        r_squared: vec![0.0; 1 << p],
        clamped: false,
    };
    let mut levels: Vec<Vec<f64>> = (0..p).map(|_| vec![0.0; p * p]).collect();
    extend(matrix, dim, 0, 0, &mut levels, &mut table);
    table
}

/// Visits every subset that adds to `mask` drivers at or after `first`: `parent` is the
/// Schur complement of `mask` over the outcome and drivers `first..p`, `dim × dim`.
fn extend(
    parent: &[f64],
    dim: usize,
    first: usize,
    mask: u32,
    levels: &mut [Vec<f64>],
    table: &mut SubsetTable,
) {
    let Some((child, deeper)) = levels.split_first_mut() else {
        return;
    };
    for position in 1..dim {
        let driver = first + position - 1;
        let child_dim = dim - position;
        let child = &mut child[..child_dim * child_dim];
        pivot_into(parent, dim, position, child);
        let child_mask = mask | (1 << driver);
        let (value, clamped) = clamp_unit(1.0 - child[0]);
        if let Some(slot) = table.r_squared.get_mut(child_mask as usize) {
            *slot = value;
        }
        table.clamped |= clamped;
        if child_dim > 1 {
            extend(child, child_dim, driver + 1, child_mask, deeper, table);
        }
    }
}

/// Writes into `child` the complement of `parent` (`dim × dim`) after pivoting on `position`,
/// keeping the outcome (0) and the positions after the pivot. A pivot at or below
/// [`COLLINEAR_TOLERANCE`] (or not a number) leaves the entries as they were: the driver adds
/// nothing.
fn pivot_into(parent: &[f64], dim: usize, position: usize, child: &mut [f64]) {
    let child_dim = dim - position;
    let source = |a: usize| if a == 0 { 0 } else { position + a };
    let pivot = parent[position * dim + position];
    let collinear = pivot.is_nan() || pivot <= COLLINEAR_TOLERANCE;
    for a in 0..child_dim {
        let row = source(a);
        let factor = if collinear {
            0.0
        } else {
            parent[row * dim + position] / pivot
        };
        for b in 0..child_dim {
            let column = source(b);
            child[a * child_dim + b] =
                parent[row * dim + column] - factor * parent[position * dim + column];
        }
    }
}

/// The Shapley values of the game `table` (indexed by mask) over `p` players.
///
/// φ_j = Σ_{T∋j} w(|T|−1)·v(T) − Σ_{S∌j} w(|S|)·v(S). Writing e_T = w(|T|−1)·v(T) (the
/// weight of T as "after j entered") and s_T = w(|T|)·v(T) ("before"), the second sum is
/// Σ_T s_T − Σ_{T∋j} s_T, so φ_j = Σ_{T∋j} (e_T + s_T) − Σ_T s_T: one pass builds e + s,
/// and the masks holding bit j are contiguous runs of 2^j, summed as slices.
pub(super) fn shapley_from_table(table: &[f64], p: usize) -> Vec<f64> {
    if p == 0 || table.len() != 1 << p {
        return Vec::new();
    }
    let weights: Vec<f64> = (0..p).map(|size| order_weight(p, size)).collect();
    let mut combined = vec![0.0; table.len()];
    let mut before_total = 0.0;
    for (mask, (&value, slot)) in table.iter().zip(combined.iter_mut()).enumerate() {
        let size = mask.count_ones() as usize;
        let after = size
            .checked_sub(1)
            .and_then(|smaller| weights.get(smaller))
            .map_or(0.0, |w| w * value);
        let before = weights.get(size).map_or(0.0, |w| w * value);
        *slot = after + before;
        before_total += before;
    }
    (0..p)
        .map(|driver| {
            let run = 1 << driver;
            let holding: f64 = combined
                .chunks(2 * run)
                .map(|chunk| chunk.get(run..).unwrap_or(&[]).iter().sum::<f64>())
                .sum();
            holding - before_total
        })
        .collect()
}

/// The share of the p! orders in which a given driver enters right after a given set of
/// `size` others: size!(p − size − 1)!/p! = 1 / (p · C(p − 1, size)).
fn order_weight(p: usize, size: usize) -> f64 {
    let mut choose = 1.0;
    for k in 0..size {
        choose = choose * (p - 1 - k) as f64 / (k + 1) as f64;
    }
    1.0 / (p as f64 * choose)
}

/// `value` clamped into [0, 1], and whether that moved it by more than rounding.
fn clamp_unit(value: f64) -> (f64, bool) {
    if value.is_nan() {
        return (0.0, true);
    }
    let clamped = value.clamp(0.0, 1.0);
    (clamped, (clamped - value).abs() > ROUNDING_SLACK)
}

fn bit(mask: u32, driver: usize) -> bool {
    driver < 32 && mask & (1 << driver) != 0
}
