//! How likely a customer is to be lost within a year, given how satisfied they are.
//!
//! # The model
//!
//! Satisfaction is on the CSAT scale 1–5. The model holds one probability per band
//! `1..=5`: the chance that a customer whose satisfaction is that band leaves (stops buying,
//! does not renew) within the next twelve months. Between bands the probability is
//! interpolated linearly — a customer at 3.4 has `p(3) + 0.4 × (p(4) − p(3))` — and outside
//! 1–5 the score is clamped to the scale. A customer whose satisfaction is not known uses
//! [`ChurnModel::unknown_probability`]: the band-3 ("neither satisfied nor dissatisfied")
//! probability unless the organization sets its own.
//!
//! # The defaults, and why
//!
//! | band | 1 | 2 | 3 | 4 | 5 |
//! | --- | --- | --- | --- | --- | --- |
//! | annual churn | 0.40 | 0.25 | 0.12 | 0.05 | 0.02 |
//!
//! These are a starting point, not a measurement. They sit inside the ranges commonly
//! published for business-to-business and subscription services: very dissatisfied customers
//! leaving at several tens of percent a year, "completely satisfied" ones at a few percent, and
//! a steep drop between "satisfied" and "completely satisfied" (the well-known finding that
//! satisfied customers still defect, while the delighted largely stay). Every organization's
//! numbers differ, so the page shows these as defaults and the organization should replace
//! them with its own — either by editing them or by learning them from its own history of
//! lost and retained customers with [`ChurnModel::estimate`].
//!
//! # Learning from history
//!
//! [`ChurnModel::estimate`] takes, per customer, the satisfaction band they had and whether
//! they were lost within the year. For each band it computes the beta-binomial posterior
//! mean with the default as the prior worth `prior_weight` pseudo-customers
//! (default [`DEFAULT_PRIOR_WEIGHT`] = 20):
//!
//! ```text
//! p(band) = (prior_weight × default(band) + lost(band)) / (prior_weight + customers(band))
//! ```
//!
//! With no history a band keeps its default exactly; with a few customers it moves a little
//! towards what was observed; with hundreds it is essentially the observed rate. Twenty
//! pseudo-customers means a band needs about twenty customers of its own before the data
//! outweighs the default — enough that one or two losses in a small band do not swing it.
//!
//! Satisfaction should never *raise* the chance of leaving, but small samples can make a
//! higher band look worse than a lower one. The posterior means are therefore made
//! non-increasing in satisfaction by pooling adjacent violators: whenever a band's
//! probability is above the one below it in satisfaction, the two are replaced by their mean
//! weighted by `prior_weight + customers` (the evidence behind each), repeated until the
//! sequence never rises. This is the least-squares monotone fit (isotonic regression), so it
//! changes as little as possible.
//!
//! Each band also reports its observed rate with a 95% Wilson interval and whether it is still
//! the default (no customers of its own), so the page can show how much the numbers rest on
//! data.

use crate::ValidationError;
use crate::dashboard::stats::{Interval, wilson};
use serde::{Deserialize, Serialize};

/// The number of satisfaction bands (CSAT 1–5).
pub const BANDS: usize = 5;

/// Default annual churn probability per band 1..=5 (index = band − 1); see the module docs.
pub const DEFAULT_BAND_PROBABILITIES: [f64; BANDS] = [0.40, 0.25, 0.12, 0.05, 0.02];

/// Default weight of the defaults, in pseudo-customers, when estimating from history.
pub const DEFAULT_PRIOR_WEIGHT: f64 = 20.0;

/// The lowest and highest satisfaction on the scale.
pub const SCALE_MIN: f64 = 1.0;
pub const SCALE_MAX: f64 = 5.0;

/// Annual churn probability per satisfaction band. Always valid: every probability is in
/// `[0, 1]` and they never rise with satisfaction (checked on construction and when read from
/// settings).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ChurnSettings", into = "ChurnSettings")]
pub struct ChurnModel {
    band_probabilities: [f64; BANDS],
    unknown_probability: Option<f64>,
}

/// The settings form of a [`ChurnModel`], as stored and edited.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChurnSettings {
    /// Annual churn probability for bands 1..=5 (index = band − 1).
    pub band_probabilities: [f64; BANDS],
    /// The probability for a customer whose satisfaction is unknown; `None` uses band 3.
    #[serde(default)]
    pub unknown_probability: Option<f64>,
}

impl Default for ChurnModel {
    fn default() -> Self {
        Self {
            band_probabilities: DEFAULT_BAND_PROBABILITIES,
            unknown_probability: None,
        }
    }
}

impl TryFrom<ChurnSettings> for ChurnModel {
    type Error = ValidationError;
    fn try_from(settings: ChurnSettings) -> Result<Self, Self::Error> {
        ChurnModel::new(settings.band_probabilities, settings.unknown_probability)
    }
}

impl From<ChurnModel> for ChurnSettings {
    fn from(model: ChurnModel) -> Self {
        Self {
            band_probabilities: model.band_probabilities,
            unknown_probability: model.unknown_probability,
        }
    }
}

impl ChurnModel {
    /// A model from per-band probabilities (index = band − 1) and an optional probability
    /// for unknown satisfaction. Each must be in `[0, 1]`, and they must not rise from one
    /// band to the next.
    pub fn new(
        band_probabilities: [f64; BANDS],
        unknown_probability: Option<f64>,
    ) -> Result<Self, ValidationError> {
        for (index, p) in band_probabilities.iter().enumerate() {
            if !is_probability(*p) {
                return Err(ValidationError::new(
                    "band_probabilities",
                    format!("band {} must be a probability between 0 and 1", index + 1),
                ));
            }
        }
        for index in 1..BANDS {
            if band_probabilities[index] > band_probabilities[index - 1] {
                return Err(ValidationError::new(
                    "band_probabilities",
                    format!(
                        "band {} must not be more likely to churn than band {}",
                        index + 1,
                        index
                    ),
                ));
            }
        }
        if let Some(p) = unknown_probability
            && !is_probability(p)
        {
            return Err(ValidationError::new(
                "unknown_probability",
                "must be a probability between 0 and 1",
            ));
        }
        Ok(Self {
            band_probabilities,
            unknown_probability,
        })
    }

    /// The per-band probabilities, index = band − 1.
    pub fn band_probabilities(&self) -> [f64; BANDS] {
        self.band_probabilities
    }

    /// The probability of band `band` (1..=5); `None` outside the scale.
    pub fn band(&self, band: u8) -> Option<f64> {
        band_index(band).map(|index| self.band_probabilities[index])
    }

    /// The probability used for a customer whose satisfaction is unknown: the setting, or the
    /// band-3 probability.
    pub fn unknown_probability(&self) -> f64 {
        self.unknown_probability
            .unwrap_or(self.band_probabilities[2])
    }

    /// The unknown-satisfaction probability as set; `None` when it follows band 3.
    pub fn unknown_probability_setting(&self) -> Option<f64> {
        self.unknown_probability
    }

    /// The annual churn probability at satisfaction `score`, interpolated linearly between
    /// band points and clamped to 1–5. A NaN score is unknown satisfaction.
    pub fn probability(&self, score: f64) -> f64 {
        if score.is_nan() {
            return self.unknown_probability();
        }
        let position = score.clamp(SCALE_MIN, SCALE_MAX) - SCALE_MIN;
        let lower = (position.floor() as usize).min(BANDS - 1);
        let upper = (lower + 1).min(BANDS - 1);
        let fraction = position - lower as f64;
        let (low, high) = (
            self.band_probabilities[lower],
            self.band_probabilities[upper],
        );
        (low + fraction * (high - low)).clamp(0.0, 1.0)
    }

    /// The model learnt from the organization's history: `(band, lost)` per customer, with
    /// `defaults` as the prior worth `prior_weight` pseudo-customers per band (see the module
    /// docs). Entries with a band outside 1..=5 are ignored and counted. A NaN or negative
    /// prior weight uses [`DEFAULT_PRIOR_WEIGHT`]; an infinite one keeps the defaults.
    pub fn estimate(
        defaults: &ChurnModel,
        history: &[(u8, bool)],
        prior_weight: f64,
    ) -> EstimatedChurn {
        let prior_weight = if prior_weight >= 0.0 {
            prior_weight
        } else {
            DEFAULT_PRIOR_WEIGHT
        };
        let mut customers = [0_i64; BANDS];
        let mut lost = [0_i64; BANDS];
        let mut ignored = 0_i64;
        for &(band, was_lost) in history {
            match band_index(band) {
                Some(index) => {
                    customers[index] += 1;
                    lost[index] += i64::from(was_lost);
                }
                None => ignored += 1,
            }
        }
        let mut posteriors = [0.0; BANDS];
        let mut weights = [0.0; BANDS];
        for index in 0..BANDS {
            let prior = defaults.band_probabilities[index];
            let (n, x) = (customers[index] as f64, lost[index] as f64);
            posteriors[index] = if prior_weight.is_infinite() || prior_weight + n <= 0.0 {
                prior
            } else {
                ((prior_weight * prior + x) / (prior_weight + n)).clamp(0.0, 1.0)
            };
            // With an infinite prior every band is its (monotone) default; equal weights keep
            // the pooling arithmetic finite.
            weights[index] = if prior_weight.is_infinite() {
                1.0
            } else {
                prior_weight + n
            };
        }
        let monotone = pool_adjacent_violators(&posteriors, &weights);
        let bands = std::array::from_fn(|index| {
            let (n, x) = (customers[index], lost[index]);
            let observed_rate = (n > 0).then(|| x as f64 / n as f64);
            BandEstimate {
                band: index as u8 + 1,
                default_probability: defaults.band_probabilities[index],
                customers: n,
                lost: x,
                observed_rate,
                observed_interval: observed_rate.and_then(|rate| wilson(rate, n as f64)),
                posterior: posteriors[index],
                probability: monotone[index],
                pooled: monotone[index] != posteriors[index],
                is_default: n == 0,
            }
        });
        EstimatedChurn {
            model: ChurnModel {
                band_probabilities: monotone,
                unknown_probability: defaults.unknown_probability,
            },
            prior_weight,
            bands,
            ignored,
        }
    }
}

/// A churn model learnt from history, with what each band rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimatedChurn {
    /// The learnt, monotone model to use.
    pub model: ChurnModel,
    /// The prior weight used, in pseudo-customers per band.
    pub prior_weight: f64,
    /// Bands 1..=5.
    pub bands: [BandEstimate; BANDS],
    /// History entries with a band outside 1..=5, left out.
    pub ignored: i64,
}

/// One band of an [`EstimatedChurn`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BandEstimate {
    pub band: u8,
    /// The prior: the default or configured probability.
    pub default_probability: f64,
    /// Customers in the history with this band.
    pub customers: i64,
    /// Of them, lost within the year.
    pub lost: i64,
    /// `lost / customers`; `None` without customers.
    pub observed_rate: Option<f64>,
    /// 95% Wilson interval of the observed rate; `None` without customers.
    pub observed_interval: Option<Interval>,
    /// The beta-binomial posterior mean, before monotone pooling.
    pub posterior: f64,
    /// The probability used: the posterior after pooling adjacent violators.
    pub probability: f64,
    /// Whether pooling changed this band's posterior.
    pub pooled: bool,
    /// Whether the band has no customers of its own, so rests on the default alone.
    pub is_default: bool,
}

/// The index (band − 1) of a band 1..=5.
fn band_index(band: u8) -> Option<usize> {
    (1..=BANDS as u8)
        .contains(&band)
        .then(|| usize::from(band) - 1)
}

fn is_probability(p: f64) -> bool {
    (0.0..=1.0).contains(&p)
}

/// The weighted least-squares non-increasing fit of `values` (pool adjacent violators).
/// A block whose weights are all zero takes the plain mean of its values.
fn pool_adjacent_violators(values: &[f64; BANDS], weights: &[f64; BANDS]) -> [f64; BANDS] {
    struct Block {
        weighted_sum: f64,
        weight: f64,
        plain_sum: f64,
        len: usize,
    }
    impl Block {
        fn value(&self) -> f64 {
            if self.weight > 0.0 {
                self.weighted_sum / self.weight
            } else {
                self.plain_sum / self.len.max(1) as f64
            }
        }
    }
    let mut blocks: Vec<Block> = Vec::with_capacity(BANDS);
    for (value, weight) in values.iter().zip(weights) {
        let weight = weight.max(0.0);
        blocks.push(Block {
            weighted_sum: value * weight,
            weight,
            plain_sum: *value,
            len: 1,
        });
        // Merge while the newest block rises above the one before it.
        while blocks.len() >= 2 {
            let last = blocks.len() - 1;
            if blocks[last].value() <= blocks[last - 1].value() {
                break;
            }
            if let Some(top) = blocks.pop()
                && let Some(below) = blocks.last_mut()
            {
                below.weighted_sum += top.weighted_sum;
                below.weight += top.weight;
                below.plain_sum += top.plain_sum;
                below.len += top.len;
            }
        }
    }
    let mut fitted = [0.0; BANDS];
    let mut index = 0;
    for block in &blocks {
        let value = block.value().clamp(0.0, 1.0);
        for slot in fitted.iter_mut().skip(index).take(block.len) {
            *slot = value;
        }
        index += block.len;
    }
    fitted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "{actual} is not within {tolerance} of {expected}"
        );
    }

    fn history(band: u8, customers: usize, lost: usize) -> Vec<(u8, bool)> {
        (0..customers).map(|i| (band, i < lost)).collect()
    }

    #[test]
    fn probabilities_interpolate_between_bands_and_clamp_outside_the_scale() {
        let model = ChurnModel::default();
        close(model.probability(1.0), 0.40, 1e-12);
        close(model.probability(3.0), 0.12, 1e-12);
        close(model.probability(5.0), 0.02, 1e-12);
        // 3.4: 0.12 + 0.4 × (0.05 − 0.12) = 0.12 − 0.028 = 0.092.
        close(model.probability(3.4), 0.092, 1e-12);
        // 1.5: halfway between 0.40 and 0.25 = 0.325.
        close(model.probability(1.5), 0.325, 1e-12);
        // 4.75: 0.05 + 0.75 × (0.02 − 0.05) = 0.0275.
        close(model.probability(4.75), 0.0275, 1e-12);
        close(model.probability(0.0), 0.40, 1e-12);
        close(model.probability(-7.0), 0.40, 1e-12);
        close(model.probability(6.0), 0.02, 1e-12);
        close(model.probability(f64::INFINITY), 0.02, 1e-12);
        close(model.probability(f64::NEG_INFINITY), 0.40, 1e-12);
        // NaN is unknown satisfaction: band 3 by default.
        close(model.probability(f64::NAN), 0.12, 1e-12);
        assert_eq!(model.band(0), None);
        assert_eq!(model.band(6), None);
        assert_eq!(model.band(2), Some(0.25));
    }

    #[test]
    fn unknown_satisfaction_uses_band_three_or_the_setting() {
        close(ChurnModel::default().unknown_probability(), 0.12, 1e-12);
        let model = ChurnModel::new(DEFAULT_BAND_PROBABILITIES, Some(0.2));
        assert!(model.is_ok_and(|m| m.unknown_probability() == 0.2));
    }

    #[test]
    fn settings_must_be_probabilities_that_never_rise_with_satisfaction() {
        assert!(ChurnModel::new([0.4, 0.25, 0.12, 0.05, 0.02], None).is_ok());
        // Flat is allowed (not rising).
        assert!(ChurnModel::new([0.1; 5], None).is_ok());
        assert!(ChurnModel::new([0.0; 5], None).is_ok());
        for bad in [
            [1.1, 0.25, 0.12, 0.05, 0.02],
            [0.4, 0.25, 0.12, 0.05, -0.01],
            [0.4, 0.25, f64::NAN, 0.05, 0.02],
            [0.4, 0.25, 0.12, 0.15, 0.02],
            [0.02, 0.05, 0.12, 0.25, 0.4],
        ] {
            let result = ChurnModel::new(bad, None);
            assert!(
                result
                    .as_ref()
                    .is_err_and(|e| e.field == "band_probabilities"),
                "{bad:?} gave {result:?}"
            );
        }
        for bad in [-0.1, 1.5, f64::NAN, f64::INFINITY] {
            assert!(
                ChurnModel::new(DEFAULT_BAND_PROBABILITIES, Some(bad))
                    .is_err_and(|e| e.field == "unknown_probability")
            );
        }
    }

    #[test]
    fn settings_round_trip_and_invalid_settings_are_refused_when_read() {
        let json = serde_json::to_string(&ChurnModel::default());
        assert_eq!(
            json.as_deref().ok(),
            Some(r#"{"band_probabilities":[0.4,0.25,0.12,0.05,0.02],"unknown_probability":null}"#)
        );
        let back: Result<ChurnModel, _> =
            serde_json::from_str(r#"{"band_probabilities":[0.4,0.25,0.12,0.05,0.02]}"#);
        assert!(back.is_ok_and(|m| m == ChurnModel::default()));
        let rising: Result<ChurnModel, _> =
            serde_json::from_str(r#"{"band_probabilities":[0.1,0.2,0.3,0.4,0.5]}"#);
        assert!(rising.is_err());
    }

    #[test]
    fn with_no_history_the_estimate_is_the_defaults() {
        let estimated = ChurnModel::estimate(&ChurnModel::default(), &[], DEFAULT_PRIOR_WEIGHT);
        assert_eq!(estimated.model, ChurnModel::default());
        for band in &estimated.bands {
            assert!(band.is_default);
            assert!(!band.pooled);
            assert_eq!((band.customers, band.lost), (0, 0));
            assert_eq!(band.observed_rate, None);
            assert_eq!(band.observed_interval, None);
            assert_eq!(band.probability, band.default_probability);
        }
    }

    #[test]
    fn a_few_customers_move_a_band_towards_what_was_observed() {
        // Band 3: 10 customers, 4 lost. Prior 0.12 × 20 = 2.4 pseudo-losses.
        // Posterior (2.4 + 4) / (20 + 10) = 6.4 / 30 = 0.213333…, which is still below band
        // 2's 0.25, so no pooling.
        let estimated = ChurnModel::estimate(&ChurnModel::default(), &history(3, 10, 4), 20.0);
        let band = &estimated.bands[2];
        close(band.posterior, 6.4 / 30.0, 1e-12);
        close(band.probability, 6.4 / 30.0, 1e-12);
        assert_eq!((band.customers, band.lost, band.is_default), (10, 4, false));
        close(band.observed_rate.unwrap_or(f64::NAN), 0.4, 1e-12);
        // Wilson 95% for 4/10: [0.168180, 0.687326].
        let interval = band.observed_interval;
        assert!(
            interval.is_some_and(
                |i| (i.low - 0.168_180).abs() < 1e-6 && (i.high - 0.687_326).abs() < 1e-6
            )
        );
        // The other bands keep their defaults.
        for index in [0, 1, 3, 4] {
            assert!(estimated.bands[index].is_default);
            close(
                estimated.model.band_probabilities()[index],
                DEFAULT_BAND_PROBABILITIES[index],
                1e-12,
            );
        }
    }

    #[test]
    fn with_lots_of_history_the_estimate_approaches_the_observed_rates() {
        // 10,000 customers per band lost at 50%, 30%, 10%, 4%, 1%. Band 1's posterior is
        // (20 × 0.4 + 5000) / 10020 = 0.499800…, within 2e-4 of 0.5; all bands within 1e-3.
        let rates = [0.5, 0.3, 0.1, 0.04, 0.01];
        let mut all = Vec::new();
        for (index, rate) in rates.iter().enumerate() {
            let lost = (10_000.0 * rate) as usize;
            all.extend(history(index as u8 + 1, 10_000, lost));
        }
        let estimated = ChurnModel::estimate(&ChurnModel::default(), &all, 20.0);
        close(estimated.bands[0].probability, 5008.0 / 10_020.0, 1e-12);
        for (band, rate) in estimated.bands.iter().zip(rates) {
            close(band.probability, rate, 1e-3);
            assert!(!band.is_default && !band.pooled);
        }
    }

    #[test]
    fn a_zero_prior_weight_gives_the_observed_rates() {
        let mut all = history(1, 10, 5);
        all.extend(history(5, 50, 1));
        let estimated = ChurnModel::estimate(&ChurnModel::default(), &all, 0.0);
        close(estimated.bands[0].probability, 0.5, 1e-12);
        close(estimated.bands[4].probability, 0.02, 1e-12);
        // Bands without data and zero prior weight keep the default.
        close(estimated.bands[2].probability, 0.12, 1e-12);
    }

    #[test]
    fn adjacent_violators_are_pooled_by_their_evidence() {
        // Prior weight 0: band 1 has 2/10 lost (0.2), band 2 has 4/10 (0.4): a rise. Pooled
        // with equal weights 10 and 10: (0.2 × 10 + 0.4 × 10) / 20 = 0.3 for both. Band 3 keeps
        // its default 0.12 (weight 0), which does not rise above 0.3.
        let mut all = history(1, 10, 2);
        all.extend(history(2, 10, 4));
        let estimated = ChurnModel::estimate(&ChurnModel::default(), &all, 0.0);
        let p = estimated.model.band_probabilities();
        close(p[0], 0.3, 1e-12);
        close(p[1], 0.3, 1e-12);
        close(p[2], 0.12, 1e-12);
        assert!(estimated.bands[0].pooled && estimated.bands[1].pooled);
        assert!(!estimated.bands[2].pooled);
        close(estimated.bands[1].posterior, 0.4, 1e-12);

        // Unequal evidence, prior weight 20: band 4 has 30/30 lost, posterior
        // (20 × 0.05 + 30) / 50 = 0.62, above band 3 (0.12, weight 20) and band 2 (0.25,
        // weight 20) and band 1 (0.40, weight 20). Pool 3+4: (0.12·20 + 0.62·50) / 70 =
        // 33.4 / 70 = 0.477142…; above band 2's 0.25, pool 2+3+4: (5 + 33.4) / 90 = 0.426666…;
        // above band 1's 0.40, pool all four: (8 + 38.4) / 110 = 0.421818…. Band 5 stays 0.02.
        let estimated = ChurnModel::estimate(&ChurnModel::default(), &history(4, 30, 30), 20.0);
        let p = estimated.model.band_probabilities();
        for value in &p[..4] {
            close(*value, 46.4 / 110.0, 1e-12);
        }
        close(p[4], 0.02, 1e-12);
        assert!(ChurnModel::new(p, None).is_ok());
    }

    #[test]
    fn estimates_are_always_valid_models() {
        // Every small history of bands 1..=5 (and an invalid band) gives a monotone model.
        for seed in 0_u64..200 {
            let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let mut all = Vec::new();
            for _ in 0..(seed % 40) {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let band = ((state >> 33) % 7) as u8;
                let lost = (state >> 20) % 3 == 0;
                all.push((band, lost));
            }
            for weight in [0.0, 1.0, 20.0, f64::NAN, -3.0, f64::INFINITY] {
                let estimated = ChurnModel::estimate(&ChurnModel::default(), &all, weight);
                let p = estimated.model.band_probabilities();
                assert!(
                    ChurnModel::new(p, None).is_ok(),
                    "{all:?} weight {weight} gave {p:?}"
                );
                let counted: i64 = estimated.bands.iter().map(|b| b.customers).sum();
                assert_eq!(counted + estimated.ignored, all.len() as i64);
            }
        }
    }

    #[test]
    fn invalid_prior_weights_fall_back_and_infinite_ones_keep_the_defaults() {
        let all = history(3, 10, 10);
        let nan = ChurnModel::estimate(&ChurnModel::default(), &all, f64::NAN);
        assert_eq!(nan.prior_weight, DEFAULT_PRIOR_WEIGHT);
        // (2.4 + 10) / 30 = 0.41333…, above band 2's 0.25: pooled with it (weights 20 and
        // 30): (5 + 12.4) / 50 = 0.348, which is below band 1's 0.40, so pooling stops there.
        close(nan.bands[2].probability, 0.348, 1e-12);
        close(nan.bands[1].probability, 0.348, 1e-12);
        close(nan.bands[0].probability, 0.40, 1e-12);
        let infinite = ChurnModel::estimate(&ChurnModel::default(), &all, f64::INFINITY);
        assert_eq!(infinite.model, ChurnModel::default());
    }

    #[test]
    fn bands_outside_the_scale_are_ignored_and_counted() {
        let estimated = ChurnModel::estimate(
            &ChurnModel::default(),
            &[(0, true), (6, true), (3, false)],
            20.0,
        );
        assert_eq!(estimated.ignored, 2);
        assert_eq!(estimated.bands[2].customers, 1);
    }
}
