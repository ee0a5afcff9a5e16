//! Key driver analysis: which attribute ratings move the outcome (`@csat` or `@nps`), by exact
//! Shapley value regression — the LMG decomposition of Lindeman, Merenda and Gold (1980), the
//! same quantity as Budescu's general dominance.
//!
//! # Method
//!
//! * **Correlations** come from additive moments ([`Moments`]), pairwise complete: each
//!   correlation uses the responses that answered both of its questions (see
//!   [`CorrelationMatrix::from_moments`]). `responses` in the result is the smallest pairwise
//!   count among the pairs used.
//! * **Importance** of a driver is its LMG value: the R² it adds when it enters the regression,
//!   averaged over every order of entry. It is computed exactly from the R² of all 2^p subsets
//!   of drivers (see [`shapley`]), for up to [`MAX_EXACT_DRIVERS`] drivers; importances are in
//!   R² units and add up to the full model's R², and `share` is importance / R².
//! * **Collinearity**: a driver whose variance is (almost) entirely explained by the drivers
//!   already in a subset adds nothing to it ([`COLLINEAR_TOLERANCE`]), so perfectly collinear
//!   drivers cannot blow the arithmetic up and two identical drivers split their importance
//!   equally. Pairs correlated beyond ±0.9 are named in a warning.
//! * **Inconsistent pairwise matrices**: correlations from different sets of responses need not
//!   fit together (the matrix may not be positive semi-definite). Any R² outside [0, 1] is
//!   clamped and a warning says so.
//! * **Confidence intervals** use a *parametric* bootstrap, because moments hold no rows to
//!   resample: each replicate draws a covariance matrix from the Wishart distribution
//!   W(n − 1, Σ̂)/(n − 1) by the Bartlett decomposition (exact χ² and normal variates, seeded
//!   ChaCha8, so the same seed gives the same intervals), converts it to correlations and
//!   recomputes the LMG values; intervals are percentile intervals at `confidence`, widened to
//!   contain the point estimate if the replicates' skew would leave it out. n is the smallest
//!   pairwise count, which errs towards wider intervals when answers are missing. **Assumption:**
//!   the answers behave like a sample of multivariate-normal rows with covariance Σ̂. Ratings
//!   are discrete and bounded, so this is an approximation; it is most trustworthy with many
//!   responses and ratings that are not piled against one end of the scale.
//! * **Slope** is the effect used for "what if this driver's mean rose by one point":
//!   sign(r) · √importance · sd(outcome) / sd(driver). For uncorrelated drivers √LMG = |β|
//!   (the standardized coefficient), so it is exactly the OLS slope. With correlated drivers it
//!   shares their joint effect as LMG shares R², and it always has the sign of the driver's own
//!   correlation with the outcome, never the wrong sign raw OLS coefficients can take under
//!   collinearity.

mod bootstrap;
mod correlation;
mod shapley;
#[cfg(test)]
mod tests;

pub use correlation::CorrelationMatrix;
pub use shapley::{COLLINEAR_TOLERANCE, MAX_EXACT_DRIVERS, r_squared, shapley, subset_r_squared};

use crate::improvement::moments::{Moments, PairMoments};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Drivers correlated beyond this (in absolute value) are named in a warning.
pub const HIGH_CORRELATION: f64 = 0.9;

/// How the analysis is run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriverSettings {
    /// The fewest responses a driver must share with the outcome (and with every other driver
    /// kept) for the analysis to use it.
    pub min_responses: i64,
    /// Bootstrap replicates for the confidence intervals (0: no intervals, only estimates).
    pub replicates: usize,
    /// Seed of the bootstrap's random numbers: the same seed gives the same intervals.
    pub seed: u64,
    /// Coverage of the intervals, in (0, 1).
    pub confidence: f64,
}

impl Default for DriverSettings {
    fn default() -> Self {
        DriverSettings {
            min_responses: 50,
            replicates: 200,
            seed: 0x5EED_D21E,
            confidence: 0.95,
        }
    }
}

/// The outcome of [`analyse`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum DriverAnalysis {
    /// Too few responses (or no usable driver): `responses` had, `needed` wanted.
    NotEnough {
        responses: i64,
        needed: i64,
        reason: String,
    },
    Done(DriverResult),
}

/// What drives the outcome, most important first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriverResult {
    pub outcome: String,
    /// The smallest pairwise count among the pairs of variables used.
    pub responses: i64,
    /// R² of the outcome on all drivers kept.
    pub r_squared: f64,
    pub r_squared_interval: (f64, f64),
    /// Sorted by importance, largest first.
    pub drivers: Vec<DriverImportance>,
    /// Drivers dropped and why, highly correlated pairs, inconsistent correlations.
    pub warnings: Vec<String>,
    pub outcome_mean: f64,
    pub outcome_sd: f64,
    /// Bootstrap replicates behind the intervals.
    pub replicates: usize,
    /// Coverage of the intervals.
    pub confidence: f64,
}

/// One driver's importance and what goes with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriverImportance {
    pub key: String,
    /// LMG value, in R² units.
    pub importance: f64,
    /// importance / R² (0 when R² is 0).
    pub share: f64,
    /// Bootstrap interval of `importance`.
    pub interval: (f64, f64),
    /// Bootstrap interval of `share`.
    pub share_interval: (f64, f64),
    /// Mean of every answer to the driver.
    pub mean: f64,
    /// Share of its ratings at or above 4; `None` for outcome variables (named `@…`).
    pub top_two: Option<f64>,
    /// Responses that answered both the driver and the outcome.
    pub responses: i64,
    /// Simple correlation with the outcome.
    pub correlation: f64,
    /// Outcome points per driver point: sign(r) · √importance · sd(outcome) / sd(driver).
    pub slope: f64,
}

/// Key driver analysis of `outcome` on `drivers` from moments (see the module docs).
pub fn analyse(
    m: &Moments,
    outcome: &str,
    drivers: &[String],
    settings: &DriverSettings,
) -> DriverAnalysis {
    let needed = settings.min_responses.max(2);
    let own = m.pair(outcome, outcome).unwrap_or_default();
    if own.n < needed {
        return not_enough(
            own.n,
            needed,
            format!(
                "{} responses answered {outcome}; {needed} are needed",
                own.n
            ),
        );
    }
    if !correlation::varies(&own) {
        return not_enough(
            own.n,
            needed,
            format!("every answer to {outcome} is the same, so there is nothing to explain"),
        );
    }
    let mut warnings = Vec::new();
    let usable = usable_drivers(m, outcome, drivers, needed, &mut warnings);
    if usable.is_empty() {
        let best = best_overlap(m, outcome, drivers);
        return not_enough(
            best,
            needed,
            format!(
                "no driver has {needed} responses in common with {outcome} and varies among \
                 them (the best has {best})"
            ),
        );
    }
    let kept = strongest(
        m,
        outcome,
        drop_sparse_pairs(m, outcome, usable, needed, &mut warnings),
        &mut warnings,
    );
    let corr = CorrelationMatrix::from_moments(m, outcome, &kept);
    let responses = corr.smallest_responses();
    let enough_for_fit = i64::try_from(kept.len() + 2).unwrap_or(i64::MAX);
    if responses < enough_for_fit {
        return not_enough(
            responses,
            enough_for_fit,
            format!(
                "{} drivers need at least {enough_for_fit} responses to every pair of \
                 questions; the sparsest pair has {responses}",
                kept.len()
            ),
        );
    }
    DriverAnalysis::Done(decompose(m, &corr, responses, settings, warnings))
}

fn not_enough(responses: i64, needed: i64, reason: String) -> DriverAnalysis {
    DriverAnalysis::NotEnough {
        responses,
        needed,
        reason,
    }
}

/// The drivers that can enter: named once, not the outcome, sharing at least `needed`
/// responses with it and varying among them. The others are named in `warnings`.
fn usable_drivers(
    m: &Moments,
    outcome: &str,
    drivers: &[String],
    needed: i64,
    warnings: &mut Vec<String>,
) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut usable = Vec::new();
    for driver in drivers {
        if driver == outcome || !seen.insert(driver.as_str()) {
            continue;
        }
        let with_outcome = m.pair(driver, outcome).unwrap_or_default();
        let own = m.pair(driver, driver).unwrap_or_default();
        let problem = if with_outcome.n == 0 {
            Some(format!("no response answered both {driver} and {outcome}"))
        } else if !correlation::varies(&own) {
            Some("every answer to it is the same".to_owned())
        } else if !correlation::varies(&with_outcome) {
            Some(format!(
                "its answers do not vary among the responses that also answered {outcome}"
            ))
        } else if !correlation::varies(&swapped(&with_outcome)) {
            Some(format!(
                "{outcome} does not vary among the responses that answered {driver}"
            ))
        } else if with_outcome.n < needed {
            Some(format!(
                "only {} responses answered both it and {outcome}; {needed} are needed",
                with_outcome.n
            ))
        } else {
            None
        };
        match problem {
            Some(why) => warnings.push(format!("{driver} was left out: {why}.")),
            None => usable.push(driver.clone()),
        }
    }
    usable
}

/// The pair with its two variables swapped.
fn swapped(pair: &PairMoments) -> PairMoments {
    PairMoments {
        n: pair.n,
        sum_a: pair.sum_b,
        sum_b: pair.sum_a,
        sum_aa: pair.sum_bb,
        sum_bb: pair.sum_aa,
        sum_ab: pair.sum_ab,
    }
}

/// The most responses any named driver shares with the outcome.
fn best_overlap(m: &Moments, outcome: &str, drivers: &[String]) -> i64 {
    drivers
        .iter()
        .filter(|driver| driver.as_str() != outcome)
        .filter_map(|driver| m.pair(driver, outcome))
        .map(|pair| pair.n)
        .max()
        .unwrap_or(0)
}

/// Drops drivers until every pair of them shares at least `needed` responses: of the sparsest
/// pair, the driver with fewer responses in common with the outcome goes first.
fn drop_sparse_pairs(
    m: &Moments,
    outcome: &str,
    mut kept: Vec<String>,
    needed: i64,
    warnings: &mut Vec<String>,
) -> Vec<String> {
    loop {
        let sparsest = kept
            .iter()
            .enumerate()
            .flat_map(|(i, a)| {
                kept.iter()
                    .enumerate()
                    .skip(i + 1)
                    .map(move |(j, b)| (i, a, j, b))
            })
            .map(|(i, a, j, b)| (m.pair(a, b).map_or(0, |p| p.n), i, j))
            .filter(|(n, _, _)| *n < needed)
            .min();
        let Some((n, i, j)) = sparsest else {
            return kept;
        };
        let overlap = |k: usize| m.pair(&kept[k], outcome).map_or(0, |p| p.n);
        let (leave, stay) = if overlap(j) <= overlap(i) {
            (j, i)
        } else {
            (i, j)
        };
        warnings.push(format!(
            "{} was left out: only {n} responses answered both it and {}; {needed} are needed.",
            kept[leave], kept[stay]
        ));
        kept.remove(leave);
    }
}

/// At most [`MAX_EXACT_DRIVERS`] drivers, those most correlated with the outcome.
fn strongest(
    m: &Moments,
    outcome: &str,
    kept: Vec<String>,
    warnings: &mut Vec<String>,
) -> Vec<String> {
    if kept.len() <= MAX_EXACT_DRIVERS {
        return kept;
    }
    let corr = CorrelationMatrix::from_moments(m, outcome, &kept);
    let mut order: Vec<usize> = (0..kept.len()).collect();
    order.sort_by(|&a, &b| {
        corr.correlation(0, b + 1)
            .abs()
            .total_cmp(&corr.correlation(0, a + 1).abs())
    });
    let (chosen, left) = order.split_at(MAX_EXACT_DRIVERS);
    let left_names: Vec<&str> = left.iter().map(|&k| kept[k].as_str()).collect();
    warnings.push(format!(
        "Only the {MAX_EXACT_DRIVERS} drivers most correlated with {outcome} were analysed; \
         left out: {}.",
        left_names.join(", ")
    ));
    let mut chosen = chosen.to_vec();
    chosen.sort_unstable();
    chosen.into_iter().map(|k| kept[k].clone()).collect()
}

/// The decomposition of a matrix built from enough responses, with its bootstrap.
fn decompose(
    m: &Moments,
    corr: &CorrelationMatrix,
    responses: i64,
    settings: &DriverSettings,
    mut warnings: Vec<String>,
) -> DriverResult {
    let p = corr.driver_count();
    let dense = corr.dense();
    let table = shapley::subset_table(&dense, p);
    let full_mask = (1usize << p) - 1;
    let r_squared = table.r_squared.get(full_mask).copied().unwrap_or(0.0);
    let importances = shapley::shapley_from_table(&table.r_squared, p);
    let factor = bootstrap::factorize(&dense, p + 1);
    warnings.extend(collinearity_warnings(corr));
    if !factor.semi_definite {
        warnings.push(
            "The pairwise correlations do not fit together (different responses answered \
             different questions); the bootstrap used the nearest consistent matrix."
                .to_owned(),
        );
    }
    if table.clamped {
        warnings.push(
            "Some R² values fell outside [0, 1] because the pairwise correlations are \
             inconsistent, and were clamped."
                .to_owned(),
        );
    }
    let confidence = valid_confidence(settings.confidence);
    let replicates = Replicates::draw(&factor, responses, settings, p);
    let mut r_squared_draws = replicates.r_squared.clone();
    let r_squared_interval =
        bootstrap::percentile_interval(&mut r_squared_draws, confidence, r_squared);
    let mut drivers: Vec<DriverImportance> = (0..p)
        .map(|j| {
            let importance = importances.get(j).copied().unwrap_or(0.0);
            driver_importance(m, corr, j, importance, r_squared, &replicates, confidence)
        })
        .collect();
    drivers.sort_by(|a, b| {
        b.importance
            .total_cmp(&a.importance)
            .then_with(|| a.key.cmp(&b.key))
    });
    DriverResult {
        outcome: corr.names().first().cloned().unwrap_or_default(),
        responses,
        r_squared,
        r_squared_interval,
        drivers,
        warnings,
        outcome_mean: corr.mean(0),
        outcome_sd: corr.sd(0),
        replicates: settings.replicates,
        confidence,
    }
}

/// The confidence asked for, or 0.95 if it is not strictly between 0 and 1.
fn valid_confidence(confidence: f64) -> f64 {
    if confidence > 0.0 && confidence < 1.0 {
        confidence
    } else {
        0.95
    }
}

/// A warning naming each pair of drivers correlated beyond [`HIGH_CORRELATION`].
fn collinearity_warnings(corr: &CorrelationMatrix) -> Vec<String> {
    let names = corr.names();
    let mut warnings = Vec::new();
    for i in 1..names.len() {
        for j in i + 1..names.len() {
            let r = corr.correlation(i, j);
            if r.abs() > HIGH_CORRELATION {
                warnings.push(format!(
                    "{} and {} are highly correlated (r = {r:.2}): the data cannot tell their \
                     effects apart, so their importance is shared between them.",
                    names[i], names[j]
                ));
            }
        }
    }
    warnings
}

/// The bootstrap replicates: full R² and each driver's importance and share, per replicate.
struct Replicates {
    r_squared: Vec<f64>,
    importance: Vec<Vec<f64>>,
    share: Vec<Vec<f64>>,
}

impl Replicates {
    fn draw(
        factor: &bootstrap::Factor,
        responses: i64,
        settings: &DriverSettings,
        p: usize,
    ) -> Replicates {
        let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
        let degrees_of_freedom = u64::try_from(responses - 1).unwrap_or(1);
        let full_mask = (1usize << p) - 1;
        let mut replicates = Replicates {
            r_squared: Vec::with_capacity(settings.replicates),
            importance: vec![Vec::with_capacity(settings.replicates); p],
            share: vec![Vec::with_capacity(settings.replicates); p],
        };
        for _ in 0..settings.replicates {
            let draw = bootstrap::wishart_correlation(factor, degrees_of_freedom, &mut rng);
            let table = shapley::subset_table(&draw, p);
            let total = table.r_squared.get(full_mask).copied().unwrap_or(0.0);
            let values = shapley::shapley_from_table(&table.r_squared, p);
            replicates.r_squared.push(total);
            for (j, value) in values.into_iter().enumerate() {
                replicates.importance[j].push(value);
                replicates.share[j].push(share_of(value, total));
            }
        }
        replicates
    }
}

/// importance / R², 0 when R² is 0.
fn share_of(importance: f64, r_squared: f64) -> f64 {
    if r_squared > 0.0 {
        importance / r_squared
    } else {
        0.0
    }
}

/// Driver `j`'s row of the result.
fn driver_importance(
    m: &Moments,
    corr: &CorrelationMatrix,
    j: usize,
    importance: f64,
    r_squared: f64,
    replicates: &Replicates,
    confidence: f64,
) -> DriverImportance {
    let key = corr.drivers().get(j).cloned().unwrap_or_default();
    let share = share_of(importance, r_squared);
    let mut importance_draws = replicates.importance.get(j).cloned().unwrap_or_default();
    let mut share_draws = replicates.share.get(j).cloned().unwrap_or_default();
    let correlation = corr.correlation(0, j + 1);
    DriverImportance {
        interval: bootstrap::percentile_interval(&mut importance_draws, confidence, importance),
        share_interval: bootstrap::percentile_interval(&mut share_draws, confidence, share),
        mean: corr.mean(j + 1),
        top_two: top_two_share(m, &key),
        responses: corr.responses(0, j + 1),
        slope: effective_slope(correlation, importance, corr.sd(0), corr.sd(j + 1)),
        correlation,
        importance,
        share,
        key,
    }
}

/// The share of a rating's answers in the top two boxes; `None` for outcomes (`@…`) and
/// variables with no answers.
fn top_two_share(m: &Moments, key: &str) -> Option<f64> {
    if key.starts_with('@') {
        return None;
    }
    let answers = m.pair(key, key).map_or(0, |p| p.n);
    (answers > 0).then(|| m.top_two.get(key).copied().unwrap_or(0) as f64 / answers as f64)
}

/// sign(r) · √importance · sd(outcome) / sd(driver); 0 for a driver that does not vary.
fn effective_slope(correlation: f64, importance: f64, outcome_sd: f64, driver_sd: f64) -> f64 {
    if driver_sd <= 0.0 || correlation == 0.0 {
        return 0.0;
    }
    correlation.signum() * importance.max(0.0).sqrt() * outcome_sd / driver_sd
}
