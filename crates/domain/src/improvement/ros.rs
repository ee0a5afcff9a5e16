//! Return on satisfaction (ROS): which improvement keeps the most revenue per unit of money
//! spent on it.
//!
//! # The model
//!
//! Two kinds of item compete for the same backlog.
//!
//! **A driver** — an attribute such as "timeliness", from key driver analysis — has a mean
//! performance (its mean rating), a target, and a slope: how many points of overall
//! satisfaction one point of this attribute is worth. Closing the gap lifts satisfaction by
//!
//! ```text
//! outcome lift = slope × max(0, target − mean)
//! ```
//!
//! which is "importance × performance gap", with the importance expressed through the slope
//! (the Shapley importance is shown beside it, but it is a share of explained variance, not a
//! number of points, so the arithmetic uses the slope). A negative slope (better performance
//! going with lower satisfaction) gives no lift. Each customer with known satisfaction `s` is
//! assumed to move up by the lift, capped at the top of the scale, so the revenue retained is
//!
//! ```text
//! retained = Σ value × (p(s) − p(min(s + lift, 5)))
//! ```
//!
//! over customers with known satisfaction, with `p` the [`ChurnModel`]'s annual churn
//! probability.
//!
//! **A systemic problem** affects some customers; fixing it is assumed to bring each of them
//! up to the satisfaction of customers it did not affect (the reference), and never down:
//!
//! ```text
//! retained = Σ over affected customers of value × max(0, p(s) − p(max(s, reference)))
//! ```
//!
//! Customers whose satisfaction is unknown cannot be moved and are counted as skipped.
//! Each customer's term is computed as the difference of their two rounded revenues at risk
//! (see [`super::revenue::at_risk`]), so "at risk before − at risk after = retained" holds to
//! the minor unit on the page; it differs from rounding the product directly by at most one
//! minor unit per customer.
//!
//! Then
//!
//! ```text
//! ROS = retained / effort
//! ```
//!
//! with both in the same currency: money kept per unit of money spent. Without an effort
//! estimate (or with one of zero or less, which is not an estimate) ROS is `None`: the backlog
//! ranks such items after every rated one, by their gain, and still shows the gain.
//! [`Backlog::rank`] orders rated items by ROS (highest first), then by retained revenue, then
//! by key, so the order is deterministic. Every number that goes into an item is kept in its
//! [`Formula`], which writes itself out line by line: the page shows the formula and all its
//! inputs, no black box.
//!
//! [`what_if`] moves a driver's mean performance to any value, up or down, and shows the
//! mean satisfaction and the revenue at risk before and after (a move down gives a negative
//! `retained`: a loss).
//!
//! Non-finite inputs are treated as 0 (a slope, a gap) or as "no change" (a new mean), so no
//! NaN reaches a page.

use super::churn::{ChurnModel, SCALE_MAX, SCALE_MIN};
use super::revenue::{CustomerStanding, at_risk, scale_minor};
use crate::money::format_minor;
use serde::{Deserialize, Serialize};

/// The top of the outcome (CSAT) scale used unless an item says otherwise.
pub const DEFAULT_OUTCOME_SCALE_MAX: f64 = SCALE_MAX;

fn default_outcome_scale_max() -> f64 {
    DEFAULT_OUTCOME_SCALE_MAX
}

/// What a driver's ROS is computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriverInputs {
    /// The attribute's question key, e.g. `timeliness`.
    pub key: String,
    /// Its importance from key driver analysis (a share of explained variance); shown only.
    pub importance: f64,
    /// Points of overall satisfaction per point of this attribute.
    pub slope: f64,
    pub mean_performance: f64,
    pub target_performance: f64,
    /// The cost of closing the gap, in minor units; `None` without an estimate.
    pub effort_minor: Option<i64>,
    /// The top of the outcome scale, 5.0 for CSAT.
    #[serde(default = "default_outcome_scale_max")]
    pub outcome_scale_max: f64,
}

impl DriverInputs {
    /// `max(0, target − mean)`; 0 when either is not finite.
    pub fn performance_gap(&self) -> f64 {
        finite_or_zero(self.target_performance - self.mean_performance).max(0.0)
    }

    /// `slope × gap`, never negative; 0 when not finite.
    pub fn outcome_lift(&self) -> f64 {
        finite_or_zero(self.slope * self.performance_gap()).max(0.0)
    }

    /// The top of the outcome scale used: the input when it is a number of at least 1, else 5.
    pub fn scale_max(&self) -> f64 {
        if self.outcome_scale_max.is_finite() && self.outcome_scale_max >= SCALE_MIN {
            self.outcome_scale_max
        } else {
            DEFAULT_OUTCOME_SCALE_MAX
        }
    }
}

/// What a systemic problem's ROS is computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemInputs {
    /// The problem's key or title, as the backlog shows it.
    pub key: String,
    /// The customers it affected.
    pub affected: Vec<CustomerStanding>,
    /// The satisfaction of customers it did not affect, which a fix is assumed to restore.
    pub reference_satisfaction: f64,
    /// The cost of the fix, in minor units; `None` without an estimate.
    pub effort_minor: Option<i64>,
}

/// Whether a backlog item is a driver or a systemic problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Driver,
    Problem,
}

/// One item of the improvement backlog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacklogItem {
    pub key: String,
    pub kind: ItemKind,
    /// Predicted revenue retained a year, in minor units.
    pub retained_minor: i64,
    /// The effort estimate used (positive), in minor units.
    pub effort_minor: Option<i64>,
    /// `retained / effort`; `None` without an effort estimate.
    pub ros: Option<f64>,
    pub formula: Formula,
}

/// Every input and intermediate number of a [`BacklogItem`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Formula {
    pub inputs: FormulaInputs,
    /// Customers whose satisfaction could be moved (known satisfaction).
    pub customers_counted: i64,
    /// Customers left out because their satisfaction is unknown.
    pub customers_skipped: i64,
    /// Of the counted, customers for whom the change keeps some revenue.
    pub customers_gaining: i64,
    /// Annual value of the counted customers, in minor units.
    pub annual_value_minor: i64,
    /// Their revenue at risk as they are, and after the change.
    pub at_risk_before_minor: i64,
    pub at_risk_after_minor: i64,
    /// `at_risk_before − at_risk_after`.
    pub retained_minor: i64,
    /// The effort as given, including a zero or negative one that was not used.
    pub effort_given_minor: Option<i64>,
    pub effort_minor: Option<i64>,
    pub ros: Option<f64>,
}

/// The item-specific inputs of a [`Formula`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FormulaInputs {
    Driver {
        importance: f64,
        slope: f64,
        mean_performance: f64,
        target_performance: f64,
        /// `max(0, target − mean)`.
        performance_gap: f64,
        /// `max(0, slope × gap)`.
        outcome_lift: f64,
        outcome_scale_max: f64,
    },
    Problem {
        /// The satisfaction the affected customers are brought up to.
        reference_satisfaction: f64,
    },
}

impl Formula {
    /// The formula written out, one step a line, with amounts in a currency of `exponent`
    /// minor-unit digits, e.g. `ROS = retained 12,400.00 / effort 3,000.00 = 4.13`.
    pub fn lines(&self, exponent: u32) -> Vec<String> {
        let money = |minor: i64| money_text(minor, exponent);
        let mut lines = Vec::new();
        let counted = self.customers_counted;
        match &self.inputs {
            FormulaInputs::Driver {
                importance,
                slope,
                mean_performance,
                target_performance,
                performance_gap,
                outcome_lift,
                outcome_scale_max,
            } => {
                lines.push(format!(
                    "performance gap = max(0, target {target_performance:.2} − mean \
                     {mean_performance:.2}) = {performance_gap:.2}"
                ));
                lines.push(format!(
                    "outcome lift = slope {slope:.3} × gap {performance_gap:.2} = \
                     {outcome_lift:.3} (importance {importance:.3})"
                ));
                lines.push(format!(
                    "retained = Σ value × (p(s) − p(min(s + {outcome_lift:.3}, \
                     {outcome_scale_max:.0}))) over {counted} customers with known satisfaction \
                     = at risk {} − {} = {}",
                    money(self.at_risk_before_minor),
                    money(self.at_risk_after_minor),
                    money(self.retained_minor)
                ));
            }
            FormulaInputs::Problem {
                reference_satisfaction,
            } => {
                lines.push(format!(
                    "retained = Σ value × max(0, p(s) − p(max(s, {reference_satisfaction:.2}))) \
                     over {counted} affected customers with known satisfaction = at risk {} − {} \
                     = {}",
                    money(self.at_risk_before_minor),
                    money(self.at_risk_after_minor),
                    money(self.retained_minor)
                ));
            }
        }
        match self.customers_skipped {
            0 => {}
            1 => lines.push("1 customer with unknown satisfaction is not counted".to_owned()),
            skipped => lines.push(format!(
                "{skipped} customers with unknown satisfaction are not counted"
            )),
        }
        lines.push(self.ros_line(exponent));
        lines
    }

    /// `ROS = retained 12,400.00 / effort 3,000.00 = 4.13`, or the gain without a rating.
    pub fn ros_line(&self, exponent: u32) -> String {
        let retained = money_text(self.retained_minor, exponent);
        match (self.effort_minor, self.ros) {
            (Some(effort), Some(ros)) => format!(
                "ROS = retained {retained} / effort {} = {ros:.2}",
                money_text(effort, exponent)
            ),
            _ => format!("ROS not rated: no effort estimate (retained {retained})"),
        }
    }
}

/// `retained / effort` for a positive effort; `None` otherwise.
pub fn return_on_satisfaction(retained_minor: i64, effort_minor: Option<i64>) -> Option<f64> {
    let effort = effort_minor.filter(|e| *e > 0)?;
    let ros = retained_minor as f64 / effort as f64;
    ros.is_finite().then_some(ros)
}

/// The backlog item of a driver, over the organization's `customers`.
pub fn driver_item(
    inputs: &DriverInputs,
    customers: &[CustomerStanding],
    model: &ChurnModel,
) -> BacklogItem {
    let lift = inputs.outcome_lift();
    let scale_max = inputs.scale_max();
    let tally = Tally::over(customers, model, |s| {
        let from = s.clamp(SCALE_MIN, scale_max);
        (from, (from + lift).min(scale_max))
    });
    finish(
        inputs.key.clone(),
        ItemKind::Driver,
        FormulaInputs::Driver {
            importance: finite_or_zero(inputs.importance),
            slope: finite_or_zero(inputs.slope),
            mean_performance: finite_or_zero(inputs.mean_performance),
            target_performance: finite_or_zero(inputs.target_performance),
            performance_gap: inputs.performance_gap(),
            outcome_lift: lift,
            outcome_scale_max: scale_max,
        },
        tally,
        inputs.effort_minor,
    )
}

/// The backlog item of a systemic problem. A non-finite reference moves no one.
pub fn problem_item(inputs: &ProblemInputs, model: &ChurnModel) -> BacklogItem {
    let reference = inputs.reference_satisfaction;
    let tally = Tally::over(&inputs.affected, model, |s| {
        let to = if reference.is_finite() {
            s.max(reference)
        } else {
            s
        };
        (s, to)
    });
    finish(
        inputs.key.clone(),
        ItemKind::Problem,
        FormulaInputs::Problem {
            reference_satisfaction: finite_or_zero(reference),
        },
        tally,
        inputs.effort_minor,
    )
}

/// Revenue at risk of the customers with known satisfaction, as they are and after a move.
#[derive(Debug, Default)]
struct Tally {
    counted: i64,
    skipped: i64,
    gaining: i64,
    value: i128,
    before: i128,
    after: i128,
}

impl Tally {
    /// `move_to(s)` gives the satisfaction before and after for a customer at `s`.
    fn over(
        customers: &[CustomerStanding],
        model: &ChurnModel,
        move_to: impl Fn(f64) -> (f64, f64),
    ) -> Self {
        let mut tally = Tally::default();
        for customer in customers {
            let Some(satisfaction) = customer.known_satisfaction() else {
                tally.skipped += 1;
                continue;
            };
            let value = customer.value_minor();
            let (from, to) = move_to(satisfaction);
            let before = scale_minor(value, model.probability(from));
            let after = scale_minor(value, model.probability(to));
            tally.counted += 1;
            tally.gaining += i64::from(before > after);
            tally.value += i128::from(value);
            tally.before += i128::from(before);
            tally.after += i128::from(after);
        }
        tally
    }
}

fn finish(
    key: String,
    kind: ItemKind,
    inputs: FormulaInputs,
    tally: Tally,
    effort_given_minor: Option<i64>,
) -> BacklogItem {
    let at_risk_before_minor = saturate(tally.before);
    let at_risk_after_minor = saturate(tally.after);
    let retained_minor = saturate(tally.before - tally.after);
    let effort_minor = effort_given_minor.filter(|e| *e > 0);
    let ros = return_on_satisfaction(retained_minor, effort_minor);
    BacklogItem {
        key,
        kind,
        retained_minor,
        effort_minor,
        ros,
        formula: Formula {
            inputs,
            customers_counted: tally.counted,
            customers_skipped: tally.skipped,
            customers_gaining: tally.gaining,
            annual_value_minor: saturate(tally.value),
            at_risk_before_minor,
            at_risk_after_minor,
            retained_minor,
            effort_given_minor,
            effort_minor,
            ros,
        },
    }
}

/// The improvement backlog in the order to work on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backlog {
    /// Rated items by ROS (highest first), then retained revenue, then key; then the items
    /// without an effort estimate, by retained revenue, then key.
    pub items: Vec<BacklogItem>,
    /// How many of the leading items are rated (have a ROS).
    pub rated: usize,
}

impl Backlog {
    pub fn rank(mut items: Vec<BacklogItem>) -> Backlog {
        items.sort_by(|a, b| {
            let rated = b.ros.is_some().cmp(&a.ros.is_some());
            let ros = match (a.ros, b.ros) {
                (Some(x), Some(y)) => y.total_cmp(&x),
                _ => std::cmp::Ordering::Equal,
            };
            rated
                .then(ros)
                .then(b.retained_minor.cmp(&a.retained_minor))
                .then_with(|| a.key.cmp(&b.key))
        });
        let rated = items.iter().filter(|item| item.ros.is_some()).count();
        Backlog { items, rated }
    }
}

/// What moving a driver's mean performance would do.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WhatIf {
    pub performance_before: f64,
    pub performance_after: f64,
    /// `slope × (after − before)`, in outcome points; negative for a move down.
    pub outcome_shift: f64,
    /// Mean satisfaction of the customers with known satisfaction, before and after (each
    /// customer kept within the scale); `None` when no satisfaction is known.
    pub outcome_before: Option<f64>,
    pub outcome_after: Option<f64>,
    /// Revenue at risk of all the customers (those of unknown satisfaction unchanged).
    pub revenue_at_risk_before_minor: i64,
    pub revenue_at_risk_after_minor: i64,
    /// `before − after`: positive is revenue kept, negative is revenue lost.
    pub retained_minor: i64,
    pub customers_known: i64,
    pub customers_unknown: i64,
}

/// The effect of moving `driver`'s mean performance to `new_mean` (up or down) on the
/// satisfaction and revenue at risk of `customers`. A non-finite `new_mean` is no change.
pub fn what_if(
    driver: &DriverInputs,
    new_mean: f64,
    customers: &[CustomerStanding],
    model: &ChurnModel,
) -> WhatIf {
    let before_mean = finite_or_zero(driver.mean_performance);
    let after_mean = if new_mean.is_finite() {
        new_mean
    } else {
        before_mean
    };
    let shift = finite_or_zero(driver.slope * (after_mean - before_mean));
    let scale_max = driver.scale_max();
    let (mut known, mut unknown) = (0_i64, 0_i64);
    let (mut sum_before, mut sum_after) = (0.0, 0.0);
    let (mut risk_before, mut risk_after) = (0_i128, 0_i128);
    for customer in customers {
        match customer.known_satisfaction() {
            Some(satisfaction) => {
                let from = satisfaction.clamp(SCALE_MIN, scale_max);
                let to = (from + shift).clamp(SCALE_MIN, scale_max);
                known += 1;
                sum_before += from;
                sum_after += to;
                let value = customer.value_minor();
                risk_before += i128::from(scale_minor(value, model.probability(from)));
                risk_after += i128::from(scale_minor(value, model.probability(to)));
            }
            None => {
                unknown += 1;
                let unchanged = i128::from(at_risk(customer, model));
                risk_before += unchanged;
                risk_after += unchanged;
            }
        }
    }
    let mean = |sum: f64| (known > 0).then(|| sum / known as f64);
    WhatIf {
        performance_before: before_mean,
        performance_after: after_mean,
        outcome_shift: shift,
        outcome_before: mean(sum_before),
        outcome_after: mean(sum_after),
        revenue_at_risk_before_minor: saturate(risk_before),
        revenue_at_risk_after_minor: saturate(risk_after),
        retained_minor: saturate(risk_before - risk_after),
        customers_known: known,
        customers_unknown: unknown,
    }
}

fn saturate(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

fn finite_or_zero(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// An amount with thousands separators: `1240000` at exponent 2 is `12,400.00`.
fn money_text(minor: i64, exponent: u32) -> String {
    let plain = format_minor(minor, exponent);
    let (sign, unsigned) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(fraction) => format!("{sign}{grouped}.{fraction}"),
        None => format!("{sign}{grouped}"),
    }
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
            segment: None,
        }
    }

    fn driver(key: &str, effort_minor: Option<i64>) -> DriverInputs {
        DriverInputs {
            key: key.to_owned(),
            importance: 0.31,
            slope: 0.5,
            mean_performance: 3.0,
            target_performance: 4.0,
            effort_minor,
            outcome_scale_max: 5.0,
        }
    }

    /// A: 1,000.00 at CSAT 3; B: 2,000.00 at 4.8; C: 500.00, satisfaction unknown.
    fn customers() -> Vec<CustomerStanding> {
        vec![
            standing(1, 100_000, Some(3.0)),
            standing(2, 200_000, Some(4.8)),
            standing(3, 50_000, None),
        ]
    }

    #[test]
    fn a_driver_retains_the_revenue_its_lift_takes_out_of_risk() {
        // Lift = 0.5 × (4 − 3) = 0.5.
        // A: p(3) = 0.12 → 120.00; p(3.5) = 0.085 → 85.00; keeps 35.00.
        // B: p(4.8) = 0.05 + 0.8 × (0.02 − 0.05) = 0.026 → 52.00; min(5.3, 5) = 5, p = 0.02
        //    → 40.00; keeps 12.00.
        // C is skipped. Retained 47.00; effort 100.00 → ROS 0.47.
        let item = driver_item(
            &driver("timeliness", Some(10_000)),
            &customers(),
            &ChurnModel::default(),
        );
        assert_eq!(item.kind, ItemKind::Driver);
        assert_eq!(item.retained_minor, 4_700);
        assert_eq!(item.ros, Some(0.47));
        let f = &item.formula;
        assert_eq!(
            (
                f.customers_counted,
                f.customers_skipped,
                f.customers_gaining
            ),
            (2, 1, 2)
        );
        assert_eq!(
            (f.at_risk_before_minor, f.at_risk_after_minor),
            (17_200, 12_500)
        );
        assert_eq!(f.annual_value_minor, 300_000);
        let FormulaInputs::Driver {
            performance_gap,
            outcome_lift,
            ..
        } = f.inputs
        else {
            panic!("a driver's formula");
        };
        assert_eq!((performance_gap, outcome_lift), (1.0, 0.5));
        assert_eq!(
            f.lines(2),
            vec![
                "performance gap = max(0, target 4.00 − mean 3.00) = 1.00".to_owned(),
                "outcome lift = slope 0.500 × gap 1.00 = 0.500 (importance 0.310)".to_owned(),
                "retained = Σ value × (p(s) − p(min(s + 0.500, 5))) over 2 customers with known \
                 satisfaction = at risk 172.00 − 125.00 = 47.00"
                    .to_owned(),
                "1 customer with unknown satisfaction is not counted".to_owned(),
                "ROS = retained 47.00 / effort 100.00 = 0.47".to_owned(),
            ]
        );
    }

    #[test]
    fn a_driver_at_or_above_target_or_with_a_negative_slope_retains_nothing() {
        let model = ChurnModel::default();
        let mut above = driver("a", Some(10_000));
        above.mean_performance = 4.5;
        assert_eq!(above.performance_gap(), 0.0);
        assert_eq!(driver_item(&above, &customers(), &model).retained_minor, 0);
        let mut negative = driver("b", Some(10_000));
        negative.slope = -0.4;
        assert_eq!(negative.outcome_lift(), 0.0);
        assert_eq!(driver_item(&negative, &customers(), &model).ros, Some(0.0));
        let mut broken = driver("c", Some(10_000));
        broken.slope = f64::NAN;
        broken.outcome_scale_max = f64::NAN;
        let item = driver_item(&broken, &customers(), &model);
        assert_eq!((item.retained_minor, item.ros), (0, Some(0.0)));
        let FormulaInputs::Driver {
            slope,
            outcome_scale_max,
            ..
        } = item.formula.inputs
        else {
            panic!("a driver's formula");
        };
        assert_eq!((slope, outcome_scale_max), (0.0, 5.0));
    }

    #[test]
    fn a_problem_brings_affected_customers_up_to_the_reference_never_down() {
        // D: 1,000.00 at 2 → reference 4: p 0.25 → 0.05, 250.00 → 50.00, keeps 200.00.
        // E: 1,000.00 at 4.5, already above the reference: unchanged.
        //    (p(4.5) = 0.035 → 35.00 before and after.)
        // F: unknown satisfaction, skipped. No effort: unrated.
        let inputs = ProblemInputs {
            key: "late deliveries".to_owned(),
            affected: vec![
                standing(4, 100_000, Some(2.0)),
                standing(5, 100_000, Some(4.5)),
                standing(6, 100_000, None),
            ],
            reference_satisfaction: 4.0,
            effort_minor: None,
        };
        let item = problem_item(&inputs, &ChurnModel::default());
        assert_eq!(item.kind, ItemKind::Problem);
        assert_eq!(
            (item.retained_minor, item.ros, item.effort_minor),
            (20_000, None, None)
        );
        let f = &item.formula;
        assert_eq!(
            (
                f.customers_counted,
                f.customers_skipped,
                f.customers_gaining
            ),
            (2, 1, 1)
        );
        assert_eq!(
            f.ros_line(2),
            "ROS not rated: no effort estimate (retained 200.00)"
        );
        assert_eq!(
            f.lines(2)[0],
            "retained = Σ value × max(0, p(s) − p(max(s, 4.00))) over 2 affected customers with \
             known satisfaction = at risk 285.00 − 85.00 = 200.00"
        );
    }

    #[test]
    fn zero_or_negative_effort_is_not_an_estimate() {
        for effort in [Some(0), Some(-5)] {
            let item = driver_item(&driver("a", effort), &customers(), &ChurnModel::default());
            assert_eq!((item.ros, item.effort_minor), (None, None));
            assert_eq!(item.formula.effort_given_minor, effort);
        }
    }

    #[test]
    fn the_ros_line_prints_retained_over_effort() {
        // 12,400.00 / 3,000.00 = 4.1333… → 4.13.
        let mut item = driver_item(&driver("a", Some(300_000)), &[], &ChurnModel::default());
        item.formula.retained_minor = 1_240_000;
        item.formula.ros = return_on_satisfaction(1_240_000, Some(300_000));
        assert_eq!(
            item.formula.ros_line(2),
            "ROS = retained 12,400.00 / effort 3,000.00 = 4.13"
        );
        assert_eq!(money_text(-123_456_789, 2), "-1,234,567.89");
        assert_eq!(money_text(999, 0), "999");
        assert_eq!(money_text(1_000, 0), "1,000");
        assert_eq!(money_text(5, 2), "0.05");
    }

    fn rated(key: &str, retained_minor: i64, effort_minor: Option<i64>) -> BacklogItem {
        let mut item = driver_item(&driver(key, effort_minor), &[], &ChurnModel::default());
        item.retained_minor = retained_minor;
        item.ros = return_on_satisfaction(retained_minor, item.effort_minor);
        item
    }

    #[test]
    fn the_backlog_ranks_by_ros_then_retained_with_unrated_items_last() {
        // x: 1,000 / 500 = 2; y: 500 / 100 = 5; w: 3,000 / 1,500 = 2 (ties x, retains more);
        // z: 100,000 without effort — the largest gain, but unrated, so after every rated
        // item; v: 50,000 without effort, after z; u: 0 / 100 = 0, last of the rated.
        let backlog = Backlog::rank(vec![
            rated("x", 1_000, Some(500)),
            rated("z", 100_000, None),
            rated("y", 500, Some(100)),
            rated("u", 0, Some(100)),
            rated("v", 50_000, None),
            rated("w", 3_000, Some(1_500)),
        ]);
        let order: Vec<&str> = backlog.items.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(order, vec!["y", "w", "x", "u", "z", "v"]);
        assert_eq!(backlog.rated, 4);
        // Full ties fall back to the key.
        let backlog = Backlog::rank(vec![rated("b", 10, Some(5)), rated("a", 10, Some(5))]);
        assert_eq!(backlog.items[0].key, "a");
    }

    #[test]
    fn what_if_shows_gains_for_moves_up_and_losses_for_moves_down() {
        let model = ChurnModel::default();
        // Up from 3 to 4: shift 0.5, as in the driver test; C (500.00 unknown, 0.12 → 60.00)
        // is in both totals. Before 120 + 52 + 60 = 232.00, after 85 + 40 + 60 = 185.00.
        let up = what_if(&driver("a", None), 4.0, &customers(), &model);
        assert_eq!(up.outcome_shift, 0.5);
        assert_eq!(
            (
                up.revenue_at_risk_before_minor,
                up.revenue_at_risk_after_minor,
                up.retained_minor
            ),
            (23_200, 18_500, 4_700)
        );
        // Outcome: mean of (3, 4.8) = 3.9; after (3.5, 5.0) = 4.25.
        assert!(up.outcome_before.is_some_and(|o| (o - 3.9).abs() < 1e-12));
        assert!(up.outcome_after.is_some_and(|o| (o - 4.25).abs() < 1e-12));
        assert_eq!((up.customers_known, up.customers_unknown), (2, 1));
        // Down from 3 to 2: shift −0.5. A: p(2.5) = 0.185 → 185.00; B: p(4.3) = 0.041 → 82.00.
        // After 185 + 82 + 60 = 327.00: retained 232 − 327 = −95.00, a loss.
        let down = what_if(&driver("a", None), 2.0, &customers(), &model);
        assert_eq!(down.outcome_shift, -0.5);
        assert_eq!(
            (down.revenue_at_risk_after_minor, down.retained_minor),
            (32_700, -9_500)
        );
        assert!(down.outcome_after.is_some_and(|o| (o - 3.4).abs() < 1e-12));
        // No change, or a non-finite target, changes nothing.
        for new_mean in [3.0, f64::NAN] {
            let same = what_if(&driver("a", None), new_mean, &customers(), &model);
            assert_eq!(same.retained_minor, 0);
            assert_eq!(same.revenue_at_risk_before_minor, 23_200);
        }
        let nobody = what_if(&driver("a", None), 4.0, &[], &model);
        assert_eq!((nobody.outcome_before, nobody.retained_minor), (None, 0));
    }

    #[test]
    fn a_big_move_down_stops_at_the_bottom_of_the_scale() {
        // Shift 0.5 × (−10) = −5: A goes from 3 to 1 (not −2): p = 0.40 → 400.00.
        let down = what_if(
            &driver("a", None),
            -7.0,
            &[standing(1, 100_000, Some(3.0))],
            &ChurnModel::default(),
        );
        assert_eq!(down.outcome_after, Some(1.0));
        assert_eq!(down.retained_minor, 12_000 - 40_000);
    }
}
