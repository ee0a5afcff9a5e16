//! Revenue at risk: how much of a year's revenue is expected to walk away with the customers
//! who leave, given how satisfied each one is.
//!
//! # The model
//!
//! For one customer:
//!
//! ```text
//! at risk = annual value × p(satisfaction)
//! ```
//!
//! where `p` is the [`ChurnModel`]'s annual churn probability (interpolated between bands).
//! Satisfaction is typically the customer's mean CSAT over the last twelve months. A customer
//! whose satisfaction is unknown (no answers) uses the model's
//! [`ChurnModel::unknown_probability`] — band 3 unless the organization set another — on the
//! reasoning that a customer we have not heard from is neither known to be happy nor known to
//! be unhappy; the page counts such customers separately so the assumption is visible.
//!
//! Amounts are integer minor units (cents). Each customer's amount is rounded to the minor
//! unit (half away from zero) *before* adding, so a group's total is exactly the sum of the
//! amounts its rows show, and the groups add up exactly to the total: no float drift. A
//! negative annual value (a data error) counts as zero.

use super::churn::ChurnModel;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a customer is worth a year and how satisfied they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerStanding {
    pub customer: i64,
    /// Annual revenue from the customer, in minor units.
    pub annual_value_minor: i64,
    /// Satisfaction on the CSAT scale 1–5, e.g. the mean CSAT of the last 12 months; `None`
    /// when unknown.
    pub satisfaction: Option<f64>,
    pub team: Option<i64>,
    pub segment: Option<String>,
}

impl CustomerStanding {
    /// The annual value counted: negative values are data errors and count as zero.
    pub fn value_minor(&self) -> i64 {
        self.annual_value_minor.max(0)
    }

    /// The satisfaction when it is known and a number.
    pub fn known_satisfaction(&self) -> Option<f64> {
        self.satisfaction.filter(|s| !s.is_nan())
    }
}

/// The customer's annual churn probability under `model`; unknown satisfaction uses the
/// model's unknown-satisfaction probability.
pub fn churn_probability(customer: &CustomerStanding, model: &ChurnModel) -> f64 {
    match customer.known_satisfaction() {
        Some(satisfaction) => model.probability(satisfaction),
        None => model.unknown_probability(),
    }
}

/// The customer's revenue at risk: annual value × churn probability, rounded to the minor
/// unit.
pub fn at_risk(customer: &CustomerStanding, model: &ChurnModel) -> i64 {
    scale_minor(customer.value_minor(), churn_probability(customer, model))
}

/// `minor × factor` rounded half away from zero to whole minor units, saturating at the
/// limits of `i64`; a non-finite product is 0. Exact to the minor unit for amounts below
/// 2⁵³ minor units (about 90 trillion in a two-decimal currency).
pub fn scale_minor(minor: i64, factor: f64) -> i64 {
    let product = minor as f64 * factor;
    if product.is_finite() {
        // `as` saturates at i64::MIN / i64::MAX.
        product.round() as i64
    } else {
        0
    }
}

/// Adds minor amounts exactly, saturating only beyond the range of `i64`.
pub fn sum_minor(amounts: impl IntoIterator<Item = i64>) -> i64 {
    let total: i128 = amounts.into_iter().map(i128::from).sum();
    clamp_to_i64(total)
}

fn clamp_to_i64(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

/// `part / whole`, or 0 when the whole is not positive.
pub(crate) fn share(part: i64, whole: i64) -> f64 {
    if whole > 0 {
        part as f64 / whole as f64
    } else {
        0.0
    }
}

/// Revenue at risk per group, largest first, and in total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevenueAtRisk<K> {
    /// Groups in descending order of revenue at risk, then by key.
    pub groups: Vec<GroupAtRisk<K>>,
    pub total: AtRiskTotals,
    /// The probability used for customers of unknown satisfaction.
    pub unknown_probability: f64,
}

/// One group of [`RevenueAtRisk`]: customers the grouping gave the same key (`None` for those
/// it gave none, e.g. customers without a team).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupAtRisk<K> {
    pub group: Option<K>,
    #[serde(flatten)]
    pub totals: AtRiskTotals,
    /// This group's share of the total revenue at risk, 0–1.
    pub share_of_total_at_risk: f64,
}

/// Customers, annual value and revenue at risk of a set of customers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct AtRiskTotals {
    pub customers: i64,
    /// Of them, customers whose satisfaction is unknown.
    pub customers_unknown_satisfaction: i64,
    pub annual_value_minor: i64,
    pub at_risk_minor: i64,
    /// Revenue at risk / annual value, 0–1 (0 with no value).
    pub share_of_value_at_risk: f64,
}

#[derive(Default)]
struct Accumulator {
    customers: i64,
    unknown: i64,
    value: i128,
    at_risk: i128,
}

impl Accumulator {
    fn add(&mut self, customer: &CustomerStanding, model: &ChurnModel) {
        self.customers += 1;
        self.unknown += i64::from(customer.known_satisfaction().is_none());
        self.value += i128::from(customer.value_minor());
        self.at_risk += i128::from(at_risk(customer, model));
    }

    fn totals(&self) -> AtRiskTotals {
        let annual_value_minor = clamp_to_i64(self.value);
        let at_risk_minor = clamp_to_i64(self.at_risk);
        AtRiskTotals {
            customers: self.customers,
            customers_unknown_satisfaction: self.unknown,
            annual_value_minor,
            at_risk_minor,
            share_of_value_at_risk: share(at_risk_minor, annual_value_minor),
        }
    }
}

impl<K: Ord + Clone> RevenueAtRisk<K> {
    /// Revenue at risk of `customers` under `model`, grouped by `group_by` (e.g. by team:
    /// `|c| c.team`; by segment: `|c| c.segment.clone()`; one group: `|_| None::<()>`).
    pub fn summarize<'a>(
        customers: impl IntoIterator<Item = &'a CustomerStanding>,
        model: &ChurnModel,
        group_by: impl Fn(&CustomerStanding) -> Option<K>,
    ) -> Self {
        let mut groups: BTreeMap<Option<K>, Accumulator> = BTreeMap::new();
        let mut total = Accumulator::default();
        for customer in customers {
            groups
                .entry(group_by(customer))
                .or_default()
                .add(customer, model);
            total.add(customer, model);
        }
        let total = total.totals();
        let mut groups: Vec<GroupAtRisk<K>> = groups
            .into_iter()
            .map(|(group, accumulator)| {
                let totals = accumulator.totals();
                GroupAtRisk {
                    group,
                    totals,
                    share_of_total_at_risk: share(totals.at_risk_minor, total.at_risk_minor),
                }
            })
            .collect();
        // Stable: equal amounts keep the key order of the map.
        groups.sort_by_key(|group| std::cmp::Reverse(group.totals.at_risk_minor));
        RevenueAtRisk {
            groups,
            total,
            unknown_probability: model.unknown_probability(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(
        customer: i64,
        value: i64,
        satisfaction: Option<f64>,
        team: Option<i64>,
    ) -> CustomerStanding {
        CustomerStanding {
            customer,
            annual_value_minor: value,
            satisfaction,
            team,
            segment: None,
        }
    }

    #[test]
    fn revenue_at_risk_is_value_times_churn_probability() {
        let model = ChurnModel::default();
        // 12,000.00 at CSAT 2: 1,200,000 × 0.25 = 300,000.
        assert_eq!(
            at_risk(&standing(1, 1_200_000, Some(2.0), None), &model),
            300_000
        );
        // 1,000.00 at 3.4: p = 0.092 → 9,200.
        assert_eq!(
            at_risk(&standing(1, 100_000, Some(3.4), None), &model),
            9_200
        );
        // Unknown satisfaction: band 3, 0.12 → 12,000.
        assert_eq!(at_risk(&standing(1, 100_000, None, None), &model), 12_000);
        assert_eq!(
            at_risk(&standing(1, 100_000, Some(f64::NAN), None), &model),
            12_000
        );
        // 0.05 × 0.12 = 0.006 minor units rounds to 0; 5 × 0.25 = 1.25 → 1; 6 × 0.25 = 1.5 → 2.
        assert_eq!(at_risk(&standing(1, 5, Some(3.0), None), &model), 1);
        assert_eq!(at_risk(&standing(1, 5, Some(2.0), None), &model), 1);
        assert_eq!(at_risk(&standing(1, 6, Some(2.0), None), &model), 2);
        // Negative values are data errors: nothing at risk.
        assert_eq!(at_risk(&standing(1, -500, Some(1.0), None), &model), 0);
        assert_eq!(
            at_risk(&standing(1, i64::MAX, Some(1.0), None), &model),
            (i64::MAX as f64 * 0.4) as i64
        );
    }

    #[test]
    fn sums_are_exact_per_customer_roundings_added_as_integers() {
        // Ten customers of 0.05 (5 minor units) at CSAT 2: each 1.25 → 1, total 10 — where
        // rounding the float sum 12.5 would give 13 (or 12), not what the rows add up to.
        let model = ChurnModel::default();
        let customers: Vec<_> = (0..10).map(|i| standing(i, 5, Some(2.0), None)).collect();
        let summary = RevenueAtRisk::summarize(&customers, &model, |_| None::<()>);
        assert_eq!(summary.total.at_risk_minor, 10);
        assert_eq!(summary.total.annual_value_minor, 50);
        assert_eq!(summary.groups.len(), 1);
        // A flat 10% model: each row is rounded on its own, and the total is their integer sum.
        let model = ChurnModel::new([0.1; 5], None);
        let Ok(model) = model else {
            panic!("flat model is valid");
        };
        let customers = vec![
            standing(1, 1_000_000_001, Some(4.0), Some(1)),
            standing(2, 2_000_000_003, Some(4.0), Some(1)),
            standing(3, 3_000_000_005, Some(4.0), Some(2)),
        ];
        let summary = RevenueAtRisk::summarize(&customers, &model, |c| c.team);
        // 100,000,000.1 → 100,000,000; 200,000,000.3 → 200,000,000; 300,000,000.5 → 300,000,001.
        assert_eq!(summary.total.at_risk_minor, 600_000_001);
        let group_sum: i64 = summary.groups.iter().map(|g| g.totals.at_risk_minor).sum();
        assert_eq!(group_sum, summary.total.at_risk_minor);
        assert_eq!(summary.total.annual_value_minor, 6_000_000_009);
    }

    #[test]
    fn groups_are_summarized_and_ordered_by_revenue_at_risk() {
        let model = ChurnModel::default();
        let customers = vec![
            // Team 1: 1,000.00 at 5 (20.00) + 2,000.00 at 4 (100.00) = 120.00 of 3,000.00.
            standing(1, 100_000, Some(5.0), Some(1)),
            standing(2, 200_000, Some(4.0), Some(1)),
            // Team 2: 1,000.00 at 1 (400.00).
            standing(3, 100_000, Some(1.0), Some(2)),
            // No team: 500.00 unknown (60.00) and −10.00 (counted 0).
            standing(4, 50_000, None, None),
            standing(5, -1_000, Some(1.0), None),
        ];
        let summary = RevenueAtRisk::summarize(&customers, &model, |c| c.team);
        let keys: Vec<_> = summary.groups.iter().map(|g| g.group).collect();
        assert_eq!(keys, vec![Some(2), Some(1), None]);
        let team_1 = &summary.groups[1].totals;
        assert_eq!(
            (
                team_1.customers,
                team_1.annual_value_minor,
                team_1.at_risk_minor
            ),
            (2, 300_000, 12_000)
        );
        assert!((team_1.share_of_value_at_risk - 0.04).abs() < 1e-12);
        let none = &summary.groups[2].totals;
        assert_eq!(
            (
                none.customers,
                none.customers_unknown_satisfaction,
                none.annual_value_minor
            ),
            (2, 1, 50_000)
        );
        assert_eq!(none.at_risk_minor, 6_000);
        // Total 400 + 120 + 60 = 580.00 of 4,500.00.
        assert_eq!(summary.total.at_risk_minor, 58_000);
        assert_eq!(summary.total.annual_value_minor, 450_000);
        assert_eq!(summary.total.customers, 5);
        assert!((summary.groups[0].share_of_total_at_risk - 40.0 / 58.0).abs() < 1e-12);
        let shares: f64 = summary
            .groups
            .iter()
            .map(|g| g.share_of_total_at_risk)
            .sum();
        assert!((shares - 1.0).abs() < 1e-12);
        assert_eq!(summary.unknown_probability, 0.12);
    }

    #[test]
    fn no_customers_give_zero_totals_not_nan() {
        let summary =
            RevenueAtRisk::summarize(&[], &ChurnModel::default(), |c: &CustomerStanding| c.team);
        assert!(summary.groups.is_empty());
        assert_eq!(summary.total, AtRiskTotals::default());
        let zero_value = [standing(1, 0, Some(1.0), None)];
        let summary = RevenueAtRisk::summarize(&zero_value, &ChurnModel::default(), |_| None::<()>);
        assert_eq!(summary.total.share_of_value_at_risk, 0.0);
        assert_eq!(summary.groups[0].share_of_total_at_risk, 0.0);
    }

    #[test]
    fn huge_totals_saturate_instead_of_overflowing() {
        let customers = [
            standing(1, i64::MAX, Some(1.0), None),
            standing(2, i64::MAX, Some(1.0), None),
        ];
        let summary = RevenueAtRisk::summarize(&customers, &ChurnModel::default(), |_| None::<()>);
        assert_eq!(summary.total.annual_value_minor, i64::MAX);
        assert!(summary.total.share_of_value_at_risk.is_finite());
        assert_eq!(sum_minor([i64::MAX, 1]), i64::MAX);
        assert_eq!(sum_minor([i64::MIN, -1]), i64::MIN);
        assert_eq!(scale_minor(100, f64::NAN), 0);
        assert_eq!(scale_minor(100, f64::INFINITY), 0);
    }
}
