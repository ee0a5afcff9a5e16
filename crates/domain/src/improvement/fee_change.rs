//! What a fee or price increase does to a segment's revenue, given how satisfied its
//! customers are: dissatisfied customers are far more likely to leave over a price rise.
//!
//! # The model
//!
//! For a customer with annual value `v`, annual churn probability `p₀` (from the
//! [`ChurnModel`]) and price sensitivity `k` (extra churn probability per 1% of increase, from
//! [`PriceSensitivity`]), an increase `x` (a fraction: 0.05 is 5%) gives
//!
//! ```text
//! p₁     = clamp(p₀ + k × 100x, 0, 1)          new churn probability
//! gained = v × x × (1 − p₁)                     the increase, paid by those who stay
//! lost   = v × (p₁ − p₀)                        the old revenue of those who now leave
//! net    = gained − lost
//! ```
//!
//! This is exact, not an approximation: the expected revenue after is `v (1 + x)(1 − p₁)` and
//! before `v (1 − p₀)`, and their difference is `v x (1 − p₁) − v (p₁ − p₀)`. Each amount is
//! rounded to the minor unit per customer, then added as integers, so bands add up exactly to
//! the total. A decrease (negative `x`, down to −50%) is modelled with the same sensitivity the
//! other way: churn falls (never below 0), `gained` is negative (less paid by those who
//! stay) and `lost` is negative (revenue kept from customers who no longer leave).
//! "Revenue now" is the customers' current annual value, `Σ v`. Customers of unknown
//! satisfaction use the churn model's unknown probability and the band-3 sensitivity.
//! Between bands the sensitivity is interpolated linearly, like the churn probability.
//!
//! # The defaults, and why
//!
//! | band | 1 | 2 | 3 | 4 | 5 |
//! | --- | --- | --- | --- | --- | --- |
//! | extra churn per 1% increase | 0.020 | 0.015 | 0.008 | 0.003 | 0.001 |
//!
//! A starting point, to be replaced with the organization's own experience. Their shape is the
//! robust finding of price-sensitivity and loyalty research: customers who are dissatisfied
//! are looking for a reason to leave and a price rise gives them one, while very satisfied
//! customers are markedly less price-sensitive (they value the relationship, and switching
//! carries risk). With these numbers a 5% increase adds 10 points of churn in band 1 but only
//! half a point in band 5. Sensitivities must be numbers in `[0, 1]`.
//!
//! # Break-even
//!
//! The net is searched over increases from 0.1% to 50% in steps of 0.1%. The break-even
//! increase is the first step at which the net is no longer positive, after being positive
//! at the steps before it: the largest increase worth making is just below it. If the net is
//! not positive even at 0.1%, any increase loses money; if it stays positive up to 50%, there
//! is no break-even in range. The step with the highest positive net is reported too.

use super::churn::{BANDS, ChurnModel, SCALE_MAX, SCALE_MIN};
use super::revenue::{CustomerStanding, churn_probability, scale_minor};
use crate::ValidationError;
use serde::{Deserialize, Serialize};

/// Default extra annual churn probability per 1% increase, bands 1..=5 (index = band − 1).
pub const DEFAULT_SENSITIVITY_PER_PERCENT: [f64; BANDS] = [0.020, 0.015, 0.008, 0.003, 0.001];

/// The break-even search: increases of `k / 1000` for `k` in `1..=SEARCH_STEPS` (0.1% to 50%).
pub const SEARCH_STEPS: u32 = 500;
const SEARCH_STEPS_PER_UNIT: f64 = 1000.0;

/// Extra annual churn probability per 1% of increase, per satisfaction band. Always valid:
/// every value in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(
    try_from = "PriceSensitivitySettings",
    into = "PriceSensitivitySettings"
)]
pub struct PriceSensitivity {
    per_percent: [f64; BANDS],
}

/// The settings form of [`PriceSensitivity`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PriceSensitivitySettings {
    /// Extra churn probability per 1% increase for bands 1..=5.
    pub extra_churn_per_percent: [f64; BANDS],
}

impl Default for PriceSensitivity {
    fn default() -> Self {
        Self {
            per_percent: DEFAULT_SENSITIVITY_PER_PERCENT,
        }
    }
}

impl TryFrom<PriceSensitivitySettings> for PriceSensitivity {
    type Error = ValidationError;
    fn try_from(settings: PriceSensitivitySettings) -> Result<Self, Self::Error> {
        PriceSensitivity::new(settings.extra_churn_per_percent)
    }
}

impl From<PriceSensitivity> for PriceSensitivitySettings {
    fn from(sensitivity: PriceSensitivity) -> Self {
        Self {
            extra_churn_per_percent: sensitivity.per_percent,
        }
    }
}

impl PriceSensitivity {
    pub fn new(per_percent: [f64; BANDS]) -> Result<Self, ValidationError> {
        for (index, value) in per_percent.iter().enumerate() {
            if !(0.0..=1.0).contains(value) {
                return Err(ValidationError::new(
                    "extra_churn_per_percent",
                    format!(
                        "band {} must be an extra churn probability between 0 and 1",
                        index + 1
                    ),
                ));
            }
        }
        Ok(Self { per_percent })
    }

    /// Per band, index = band − 1.
    pub fn per_percent(&self) -> [f64; BANDS] {
        self.per_percent
    }

    /// The sensitivity at satisfaction `score`, interpolated between bands and clamped to 1–5;
    /// unknown (`None` or NaN) uses band 3.
    pub fn at(&self, score: Option<f64>) -> f64 {
        let Some(score) = score.filter(|s| !s.is_nan()) else {
            return self.per_percent[2];
        };
        let position = score.clamp(SCALE_MIN, SCALE_MAX) - SCALE_MIN;
        let lower = (position.floor() as usize).min(BANDS - 1);
        let upper = (lower + 1).min(BANDS - 1);
        let fraction = position - lower as f64;
        let (low, high) = (self.per_percent[lower], self.per_percent[upper]);
        (low + fraction * (high - low)).max(0.0)
    }
}

/// The impact of an increase on one band (or on the customers of unknown satisfaction, or on
/// all of them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct FeeChangeLine {
    /// The satisfaction band 1..=5 (satisfaction rounded to the nearest); `None` for the
    /// unknown-satisfaction line and the total.
    pub band: Option<u8>,
    pub customers: i64,
    /// Current annual value, `Σ v`.
    pub revenue_now_minor: i64,
    /// `Σ v × x × (1 − p₁)`.
    pub gained_minor: i64,
    /// `Σ v × (p₁ − p₀)`.
    pub lost_minor: i64,
    /// `gained − lost`.
    pub net_minor: i64,
    /// Churn probability before and after, weighted by value (plain mean when the value is
    /// zero); `None` without customers.
    pub churn_before: Option<f64>,
    pub churn_after: Option<f64>,
}

/// Where the net of an increase stops being positive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum BreakEven {
    /// The first increase searched at which the net is no longer positive.
    At { increase: f64 },
    /// Not positive even at the smallest increase searched (0.1%): any increase loses.
    LossAtAnyIncrease,
    /// Still positive at the largest increase searched (50%).
    GainUpToSearchLimit,
    /// No customers (or no value): nothing to gain or lose.
    NoRevenue,
}

/// An increase on the search grid and its net.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SearchPoint {
    pub increase: f64,
    pub net_minor: i64,
}

/// The impact of a fee change, per band and in total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeeChangeImpact {
    pub increase: f64,
    /// Bands 1..=5, all five, empty ones included.
    pub bands: Vec<FeeChangeLine>,
    /// Customers of unknown satisfaction.
    pub unknown: FeeChangeLine,
    pub total: FeeChangeLine,
    pub break_even: BreakEven,
    /// The searched increase with the highest positive net (the smallest of equal ones);
    /// `None` when none is positive.
    pub most_profitable: Option<SearchPoint>,
    /// The sensitivities used, bands 1..=5.
    pub sensitivity_per_percent: [f64; BANDS],
}

/// Checks that an increase is a number in (−0.5, 1.0].
pub fn validate_increase(increase: f64) -> Result<(), ValidationError> {
    if increase > -0.5 && increase <= 1.0 {
        Ok(())
    } else {
        Err(ValidationError::new(
            "increase",
            "must be a fraction above −0.5 and at most 1.0 (0.05 is a 5% increase)",
        ))
    }
}

/// The impact of raising the fees of `customers` by `increase` (0.05 = 5%).
pub fn fee_change(
    customers: &[CustomerStanding],
    increase: f64,
    model: &ChurnModel,
    sensitivity: &PriceSensitivity,
) -> Result<FeeChangeImpact, ValidationError> {
    validate_increase(increase)?;
    let prepared: Vec<Prepared> = customers
        .iter()
        .map(|customer| Prepared {
            band: band_of(customer.known_satisfaction()),
            value: customer.value_minor(),
            churn_before: churn_probability(customer, model),
            sensitivity: sensitivity.at(customer.known_satisfaction()),
        })
        .collect();
    let mut bands: [Accumulator; BANDS] = Default::default();
    let mut unknown = Accumulator::default();
    let mut total = Accumulator::default();
    for customer in &prepared {
        let effect = customer.effect(increase);
        match customer.band {
            Some(band) => bands[usize::from(band) - 1].add(customer, &effect),
            None => unknown.add(customer, &effect),
        }
        total.add(customer, &effect);
    }
    let (break_even, most_profitable) = search(&prepared, total.value);
    Ok(FeeChangeImpact {
        increase,
        bands: bands
            .iter()
            .enumerate()
            .map(|(index, band)| band.line(Some(index as u8 + 1)))
            .collect(),
        unknown: unknown.line(None),
        total: total.line(None),
        break_even,
        most_profitable,
        sensitivity_per_percent: sensitivity.per_percent,
    })
}

/// The band a satisfaction is reported in: rounded to the nearest, within 1..=5.
fn band_of(satisfaction: Option<f64>) -> Option<u8> {
    satisfaction.map(|s| s.round().clamp(SCALE_MIN, SCALE_MAX) as u8)
}

struct Prepared {
    band: Option<u8>,
    value: i64,
    churn_before: f64,
    sensitivity: f64,
}

struct Effect {
    churn_after: f64,
    gained: i64,
    lost: i64,
}

impl Prepared {
    fn effect(&self, increase: f64) -> Effect {
        let churn_after = (self.churn_before + self.sensitivity * increase * 100.0).clamp(0.0, 1.0);
        Effect {
            churn_after,
            gained: scale_minor(self.value, increase * (1.0 - churn_after)),
            lost: scale_minor(self.value, churn_after - self.churn_before),
        }
    }
}

#[derive(Default)]
struct Accumulator {
    customers: i64,
    value: i128,
    gained: i128,
    lost: i128,
    weighted_before: f64,
    weighted_after: f64,
    plain_before: f64,
    plain_after: f64,
}

impl Accumulator {
    fn add(&mut self, customer: &Prepared, effect: &Effect) {
        self.customers += 1;
        self.value += i128::from(customer.value);
        self.gained += i128::from(effect.gained);
        self.lost += i128::from(effect.lost);
        let value = customer.value as f64;
        self.weighted_before += value * customer.churn_before;
        self.weighted_after += value * effect.churn_after;
        self.plain_before += customer.churn_before;
        self.plain_after += effect.churn_after;
    }

    fn line(&self, band: Option<u8>) -> FeeChangeLine {
        let mean = |weighted: f64, plain: f64| {
            if self.customers == 0 {
                None
            } else if self.value > 0 {
                Some((weighted / self.value as f64).clamp(0.0, 1.0))
            } else {
                Some((plain / self.customers as f64).clamp(0.0, 1.0))
            }
        };
        FeeChangeLine {
            band,
            customers: self.customers,
            revenue_now_minor: saturate(self.value),
            gained_minor: saturate(self.gained),
            lost_minor: saturate(self.lost),
            net_minor: saturate(self.gained - self.lost),
            churn_before: mean(self.weighted_before, self.plain_before),
            churn_after: mean(self.weighted_after, self.plain_after),
        }
    }
}

/// The break-even and most profitable increase on the search grid.
fn search(customers: &[Prepared], total_value: i128) -> (BreakEven, Option<SearchPoint>) {
    if total_value <= 0 {
        return (BreakEven::NoRevenue, None);
    }
    let mut break_even = BreakEven::GainUpToSearchLimit;
    let mut most_profitable: Option<SearchPoint> = None;
    for step in 1..=SEARCH_STEPS {
        let increase = f64::from(step) / SEARCH_STEPS_PER_UNIT;
        let net = saturate(
            customers
                .iter()
                .map(|customer| {
                    let effect = customer.effect(increase);
                    i128::from(effect.gained) - i128::from(effect.lost)
                })
                .sum(),
        );
        if net > 0 {
            if most_profitable.is_none_or(|best| net > best.net_minor) {
                most_profitable = Some(SearchPoint {
                    increase,
                    net_minor: net,
                });
            }
        } else if matches!(break_even, BreakEven::GainUpToSearchLimit) {
            break_even = if step == 1 {
                BreakEven::LossAtAnyIncrease
            } else {
                BreakEven::At { increase }
            };
        }
    }
    (break_even, most_profitable)
}

fn saturate(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(customer: i64, value: i64, satisfaction: Option<f64>) -> CustomerStanding {
        CustomerStanding {
            customer,
            annual_value_minor: value,
            satisfaction,
            team: None,
            segment: Some("smb".to_owned()),
        }
    }

    fn impact(
        customers: &[CustomerStanding],
        increase: f64,
        sensitivity: &PriceSensitivity,
    ) -> FeeChangeImpact {
        match fee_change(customers, increase, &ChurnModel::default(), sensitivity) {
            Ok(impact) => impact,
            Err(e) => panic!("valid inputs refused: {e}"),
        }
    }

    fn zero_sensitivity() -> PriceSensitivity {
        match PriceSensitivity::new([0.0; BANDS]) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn with_zero_sensitivity_an_increase_is_pure_gain() {
        // 1,000.00 at CSAT 3 (p₀ = 0.12), +5%: gained 100,000 × 0.05 × 0.88 = 4,400; lost 0.
        let customers = [standing(1, 100_000, Some(3.0))];
        let result = impact(&customers, 0.05, &zero_sensitivity());
        let total = result.total;
        assert_eq!(
            (total.gained_minor, total.lost_minor, total.net_minor),
            (4_400, 0, 4_400)
        );
        assert_eq!(total.revenue_now_minor, 100_000);
        assert_eq!(
            (total.churn_before, total.churn_after),
            (Some(0.12), Some(0.12))
        );
        assert_eq!(result.break_even, BreakEven::GainUpToSearchLimit);
        // The most profitable is the largest increase searched: 50% → 100,000 × 0.5 × 0.88.
        assert_eq!(
            result.most_profitable,
            Some(SearchPoint {
                increase: 0.5,
                net_minor: 44_000
            })
        );
    }

    #[test]
    fn the_formula_splits_gain_and_loss_exactly() {
        // Band 3, default sensitivity 0.008 per 1%, +5%: p₁ = 0.12 + 0.008 × 5 = 0.16.
        // gained = 100,000 × 0.05 × 0.84 = 4,200; lost = 100,000 × 0.04 = 4,000; net 200.
        // Check: after 100,000 × 1.05 × 0.84 = 88,200, before 100,000 × 0.88 = 88,000.
        let customers = [standing(1, 100_000, Some(3.0))];
        let result = impact(&customers, 0.05, &PriceSensitivity::default());
        let band_3 = result.bands[2];
        assert_eq!(band_3.band, Some(3));
        assert_eq!(
            (band_3.gained_minor, band_3.lost_minor, band_3.net_minor),
            (4_200, 4_000, 200)
        );
        assert!(band_3.churn_after.is_some_and(|p| (p - 0.16).abs() < 1e-12));
    }

    #[test]
    fn break_even_is_found_where_expected() {
        // One band-3 customer of 1,000,000.00: net = v x (1 − p₀ − 100k − 100k x)
        // = v x (0.08 − 0.8 x), zero at x = 0.1. At 9.9%: p₁ = 0.1992, gained
        // 10⁸ × 0.099 × 0.8008 = 7,927,920, lost 10⁸ × 0.0792 = 7,920,000, net 7,920 > 0.
        // At 10%: p₁ = 0.2, gained 8,000,000, lost 8,000,000, net 0 → break-even at 10%.
        // The net peaks at x = 0.05: 10⁸ × 0.05 × 0.04 = 200,000 (at 4.9% and 5.1% it is
        // 10⁸ × 0.049 × 0.0408 = 199,920).
        let customers = [standing(1, 100_000_000, Some(3.0))];
        let result = impact(&customers, 0.05, &PriceSensitivity::default());
        assert_eq!(result.break_even, BreakEven::At { increase: 0.1 });
        assert_eq!(
            result.most_profitable,
            Some(SearchPoint {
                increase: 0.05,
                net_minor: 200_000
            })
        );
        let serialized = serde_json::to_value(result.break_even);
        assert!(
            serialized.is_ok_and(|v| v == serde_json::json!({"status": "at", "increase": 0.1}))
        );
    }

    #[test]
    fn for_very_dissatisfied_customers_any_increase_loses() {
        // Band 1: p₀ = 0.40, 100k = 2.0 > 1 − p₀: at 0.1%, gained 100,000 × 0.001 × 0.598
        // = 59.8 → 60, lost 100,000 × 0.002 = 200, net −140.
        let customers = [standing(1, 100_000, Some(1.0))];
        let result = impact(&customers, 0.001, &PriceSensitivity::default());
        assert_eq!(result.total.net_minor, -140);
        assert_eq!(result.break_even, BreakEven::LossAtAnyIncrease);
        assert_eq!(result.most_profitable, None);
    }

    #[test]
    fn churn_is_capped_at_certainty() {
        // Band 1, +100%: p₁ = min(1, 0.4 + 2.0) = 1: nothing gained, 60% of the value lost.
        let customers = [standing(1, 100_000, Some(1.0))];
        let total = impact(&customers, 1.0, &PriceSensitivity::default()).total;
        assert_eq!((total.gained_minor, total.lost_minor), (0, 60_000));
        assert_eq!(total.churn_after, Some(1.0));
    }

    #[test]
    fn a_decrease_lowers_churn_and_revenue() {
        // Band 3, −10%: p₁ = max(0, 0.12 − 0.008 × 10) = 0.04.
        // gained = 100,000 × −0.1 × 0.96 = −9,600; lost = 100,000 × (0.04 − 0.12) = −8,000;
        // net −1,600 = after 100,000 × 0.9 × 0.96 = 86,400 − before 88,000.
        let customers = [standing(1, 100_000, Some(3.0))];
        let total = impact(&customers, -0.1, &PriceSensitivity::default()).total;
        assert_eq!(
            (total.gained_minor, total.lost_minor, total.net_minor),
            (-9_600, -8_000, -1_600)
        );
        // −40% in band 5: 0.02 − 0.001 × 40 < 0 is floored at 0.
        let customers = [standing(1, 100_000, Some(5.0))];
        let total = impact(&customers, -0.4, &PriceSensitivity::default()).total;
        assert_eq!(total.churn_after, Some(0.0));
        assert_eq!(total.lost_minor, -2_000);
    }

    #[test]
    fn bands_add_up_exactly_to_the_total() {
        // Band 1: 1,000.00 at 1.2 (rounds to band 1); band 4: 2,000.00 at 4.4 and 333.33 at 3.6;
        // unknown: 500.00 (p₀ = 0.12, sensitivity 0.008). +3%.
        let customers = [
            standing(1, 100_000, Some(1.2)),
            standing(2, 200_000, Some(4.4)),
            standing(3, 33_333, Some(3.6)),
            standing(4, 50_000, None),
        ];
        let result = impact(&customers, 0.03, &PriceSensitivity::default());
        assert_eq!(result.bands.len(), BANDS);
        assert_eq!(result.bands[0].customers, 1);
        assert_eq!(result.bands[3].customers, 2);
        assert_eq!(result.bands[1].customers, 0);
        assert_eq!(result.bands[1].churn_before, None);
        assert_eq!(result.unknown.customers, 1);
        // Unknown: p₁ = 0.12 + 0.008 × 3 = 0.144; gained 50,000 × 0.03 × 0.856 = 1,284;
        // lost 50,000 × 0.024 = 1,200.
        assert_eq!(
            (result.unknown.gained_minor, result.unknown.lost_minor),
            (1_284, 1_200)
        );
        let lines = result.bands.iter().chain([&result.unknown]);
        let (mut gained, mut lost, mut net, mut value, mut count) = (0, 0, 0, 0, 0);
        for line in lines {
            gained += line.gained_minor;
            lost += line.lost_minor;
            net += line.net_minor;
            value += line.revenue_now_minor;
            count += line.customers;
        }
        let total = result.total;
        assert_eq!(
            (gained, lost, net, value, count),
            (
                total.gained_minor,
                total.lost_minor,
                total.net_minor,
                total.revenue_now_minor,
                total.customers
            )
        );
        assert_eq!(total.net_minor, total.gained_minor - total.lost_minor);
        assert_eq!(total.revenue_now_minor, 383_333);
    }

    #[test]
    fn sensitivity_interpolates_between_bands() {
        let sensitivity = PriceSensitivity::default();
        // 3.5: halfway between 0.008 and 0.003 = 0.0055.
        assert!((sensitivity.at(Some(3.5)) - 0.0055).abs() < 1e-15);
        assert_eq!(sensitivity.at(Some(0.0)), 0.020);
        assert_eq!(sensitivity.at(Some(9.0)), 0.001);
        assert_eq!(sensitivity.at(None), 0.008);
        assert_eq!(sensitivity.at(Some(f64::NAN)), 0.008);
    }

    #[test]
    fn inputs_are_validated() {
        let model = ChurnModel::default();
        let sensitivity = PriceSensitivity::default();
        for bad in [-0.5, -0.9, 1.01, f64::NAN, f64::INFINITY] {
            let result = fee_change(&[], bad, &model, &sensitivity);
            assert!(
                result.is_err_and(|e| e.field == "increase"),
                "{bad} accepted"
            );
        }
        for good in [-0.49, 0.0, 1.0] {
            assert!(fee_change(&[], good, &model, &sensitivity).is_ok());
        }
        for bad in [
            [-0.001, 0.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, f64::NAN, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 1.5],
        ] {
            assert!(
                PriceSensitivity::new(bad).is_err_and(|e| e.field == "extra_churn_per_percent")
            );
        }
        let read: Result<PriceSensitivity, _> =
            serde_json::from_str(r#"{"extra_churn_per_percent":[0.02,0.015,-0.008,0.003,0.001]}"#);
        assert!(read.is_err());
        let read: Result<PriceSensitivity, _> =
            serde_json::from_str(r#"{"extra_churn_per_percent":[0.02,0.015,0.008,0.003,0.001]}"#);
        assert!(read.is_ok_and(|s| s == PriceSensitivity::default()));
    }

    #[test]
    fn no_customers_have_no_revenue_to_gain_or_lose() {
        let result = impact(&[], 0.05, &PriceSensitivity::default());
        assert_eq!(result.break_even, BreakEven::NoRevenue);
        assert_eq!(result.total.customers, 0);
        assert_eq!(result.total.churn_before, None);
        // A customer with no value: churn is still shown, as a plain mean.
        let result = impact(
            &[standing(1, 0, Some(3.0))],
            0.05,
            &PriceSensitivity::default(),
        );
        assert_eq!(result.break_even, BreakEven::NoRevenue);
        assert_eq!(result.total.churn_before, Some(0.12));
    }
}
