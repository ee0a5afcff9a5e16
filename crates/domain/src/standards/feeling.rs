//! What customers feel: is satisfaction lower when a standard was breached, by how much, and
//! which standard costs the most satisfaction?
//!
//! For transactions with both a standard outcome (met or breached) and a survey response, the
//! mean CSAT of the two groups is compared with Welch's t-test
//! ([`crate::improvement::before_after::compare_means`], the same test the before/after
//! comparison uses; it does not assume both groups have the same spread). The difference is
//! `met − breached`: positive when a breach hurts.
//!
//! # Effect size
//!
//! Cohen's d, the difference over the pooled standard deviation
//! `s = √(((n₁ − 1)s₁² + (n₂ − 1)s₂²) / (n₁ + n₂ − 2))`, puts standards measured on different
//! customers on one scale: 0.2 is small, 0.5 medium, 0.8 large (Cohen's conventions). Its
//! 95 % interval uses the usual large-sample standard error
//! `√((n₁ + n₂)/(n₁ n₂) + d² / (2(n₁ + n₂)))` (Hedges & Olkin, 1985).
//!
//! # Enough data
//!
//! Below `min_per_side` responses in either group (never fewer than
//! [`MIN_PER_SIDE`] = 10, the floor of Welch's comparison) the result is
//! [`FeelingResult::NotEnoughData`]: a handful of breached transactions says nothing about
//! what customers feel.
//!
//! # Ranking by the satisfaction a standard costs
//!
//! `cost = max(difference, 0) × breaches`: the CSAT points lost per breach times the number
//! of breaches in the period (all of them, not only the surveyed ones). It ranks a standard
//! that hurts a little but is breached every day above one that hurts a lot but is almost
//! always met — the one whose improvement gives back the most satisfaction. A negative
//! difference (breached customers happier, which is noise or a confounder) costs 0.
//! `cost_at_least` does the same with the low end of the interval, for a cautious reading.
//! Standards without enough data come last, by number of breaches.

use super::events::SubjectState;
use crate::Key;
use crate::access::string_enum;
use crate::dashboard::stats::Interval;
use crate::improvement::before_after::{
    Comparison, Confidence, MIN_PER_SIDE, MeanSample, compare_means, normal_quantile,
};
use serde::{Deserialize, Serialize};

string_enum!(
    /// Whether a subject met its standard.
    StandardOutcome, "outcome" {
        Met => "met",
        Breached => "breached",
    }
);

impl StandardOutcome {
    /// The outcome of a decided subject; `None` while open or pending.
    pub fn of(state: &SubjectState) -> Option<StandardOutcome> {
        match state {
            SubjectState::Met { .. } => Some(StandardOutcome::Met),
            SubjectState::Breached { .. } => Some(StandardOutcome::Breached),
            SubjectState::Open { .. } | SubjectState::OrphanEnd { .. } => None,
        }
    }
}

/// One transaction's standard outcome and its customer's CSAT.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FeelingPair {
    pub outcome: StandardOutcome,
    pub csat: f64,
}

/// One group's size and mean CSAT (`None` when empty).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Side {
    pub n: i64,
    pub mean: Option<f64>,
}

string_enum!(
    /// Cohen's reading of |d|: below 0.2 negligible, then small, medium (0.5), large (0.8).
    Magnitude, "magnitude" {
        Negligible => "negligible",
        Small => "small",
        Medium => "medium",
        Large => "large",
    }
);

impl Magnitude {
    pub fn of(d: f64) -> Magnitude {
        match d.abs() {
            x if x >= 0.8 => Magnitude::Large,
            x if x >= 0.5 => Magnitude::Medium,
            x if x >= 0.2 => Magnitude::Small,
            _ => Magnitude::Negligible,
        }
    }
}

/// Cohen's d with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EffectSize {
    pub cohens_d: f64,
    pub interval: Interval,
    pub magnitude: Magnitude,
}

/// The comparison of the two groups, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FeelingResult {
    Compared {
        /// Mean CSAT when met minus when breached.
        difference: f64,
        /// Welch's 95 % interval of the difference.
        interval: Interval,
        p_value: f64,
        /// The interval excludes 0.
        significant: bool,
        /// `None` when neither group has any spread (d is undefined).
        effect: Option<EffectSize>,
    },
    NotEnoughData {
        reason: String,
    },
}

/// Satisfaction when a standard was met versus breached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feeling {
    pub met: Side,
    pub breached: Side,
    pub result: FeelingResult,
}

impl Feeling {
    /// The difference (met − breached) when compared.
    pub fn difference(&self) -> Option<f64> {
        match self.result {
            FeelingResult::Compared { difference, .. } => Some(difference),
            FeelingResult::NotEnoughData { .. } => None,
        }
    }
}

/// Compares the CSAT of met and breached transactions. Pairs with a non-finite CSAT are left
/// out. `min_per_side` below [`MIN_PER_SIDE`] is raised to it.
pub fn feeling(pairs: &[FeelingPair], min_per_side: i64) -> Feeling {
    let sample = |outcome: StandardOutcome| {
        let mut s = MeanSample::default();
        for pair in pairs
            .iter()
            .filter(|p| p.outcome == outcome && p.csat.is_finite())
        {
            s.observe(pair.csat);
        }
        s
    };
    let (met, breached) = (
        sample(StandardOutcome::Met),
        sample(StandardOutcome::Breached),
    );
    let side = |s: &MeanSample| Side {
        n: s.n,
        mean: (s.n > 0).then(|| s.sum / s.n as f64),
    };
    let minimum = min_per_side.max(MIN_PER_SIDE);
    let result = if met.n < minimum || breached.n < minimum {
        FeelingResult::NotEnoughData {
            reason: format!(
                "at least {minimum} responses are needed when the standard was met and when \
                 it was breached; there are {} and {}",
                met.n, breached.n
            ),
        }
    } else {
        // compare_means gives after − before: "after" is met, "before" breached.
        match compare_means(&breached, &met, Confidence::NINETY_FIVE) {
            Comparison::Insufficient { reason } => FeelingResult::NotEnoughData { reason },
            Comparison::Compared(c) => FeelingResult::Compared {
                difference: c.difference,
                interval: c.interval,
                p_value: c.p_value,
                significant: c.interval.low > 0.0 || c.interval.high < 0.0,
                effect: cohens_d(
                    c.difference,
                    (c.after_n, c.after_sd),
                    (c.before_n, c.before_sd),
                ),
            },
        }
    };
    Feeling {
        met: side(&met),
        breached: side(&breached),
        result,
    }
}

/// Cohen's d of a difference between groups of `(n, sample sd)`, with its 95 % interval;
/// `None` when the pooled spread is 0 or a group has fewer than two values.
pub fn cohens_d(difference: f64, a: (i64, f64), b: (i64, f64)) -> Option<EffectSize> {
    let ((n1, s1), (n2, s2)) = ((a.0 as f64, a.1), (b.0 as f64, b.1));
    if n1 < 2.0 || n2 < 2.0 {
        return None;
    }
    let pooled = (((n1 - 1.0) * s1 * s1 + (n2 - 1.0) * s2 * s2) / (n1 + n2 - 2.0)).sqrt();
    if !(pooled > 0.0 && pooled.is_finite()) {
        return None;
    }
    let d = difference / pooled;
    let se = ((n1 + n2) / (n1 * n2) + d * d / (2.0 * (n1 + n2))).sqrt();
    let half = normal_quantile(Confidence::NINETY_FIVE.level()) * se;
    d.is_finite().then_some(EffectSize {
        cohens_d: d,
        interval: Interval {
            low: d - half,
            high: d + half,
        },
        magnitude: Magnitude::of(d),
    })
}

/// One standard's feeling and its breaches in the period, for ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardFeeling {
    pub standard: Key,
    /// All breaches of the period, surveyed or not.
    pub breaches: u64,
    pub feeling: Feeling,
}

/// A standard's place in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SatisfactionCost {
    pub standard: Key,
    pub breaches: u64,
    /// Met − breached mean CSAT; `None` without enough data.
    pub difference: Option<f64>,
    /// `max(difference, 0) × breaches`, in CSAT points.
    pub cost: Option<f64>,
    /// The same from the low end of the difference's interval.
    pub cost_at_least: Option<f64>,
    pub significant: bool,
}

/// Standards ranked by the satisfaction they cost, highest first (see the module
/// documentation); ties by key.
pub fn rank_by_cost(standards: &[StandardFeeling]) -> Vec<SatisfactionCost> {
    let mut ranked: Vec<SatisfactionCost> = standards
        .iter()
        .map(|s| {
            let breaches = s.breaches as f64;
            let (difference, cost, cost_at_least, significant) = match &s.feeling.result {
                FeelingResult::Compared {
                    difference,
                    interval,
                    significant,
                    ..
                } => (
                    Some(*difference),
                    Some(difference.max(0.0) * breaches),
                    Some(interval.low.max(0.0) * breaches),
                    *significant,
                ),
                FeelingResult::NotEnoughData { .. } => (None, None, None, false),
            };
            SatisfactionCost {
                standard: s.standard.clone(),
                breaches: s.breaches,
                difference,
                cost,
                cost_at_least,
                significant,
            }
        })
        .collect();
    ranked.sort_by(|a, b| match (a.cost, b.cost) {
        (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.standard.cmp(&b.standard)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => b
            .breaches
            .cmp(&a.breaches)
            .then_with(|| a.standard.cmp(&b.standard)),
    });
    ranked
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

    fn pairs(met: &[f64], breached: &[f64]) -> Vec<FeelingPair> {
        let side = |outcome, values: &[f64]| {
            values
                .iter()
                .map(move |&csat| FeelingPair { outcome, csat })
                .collect::<Vec<_>>()
        };
        let mut all = side(StandardOutcome::Met, met);
        all.extend(side(StandardOutcome::Breached, breached));
        all
    }

    const MET: [f64; 10] = [5.0, 5.0, 4.0, 5.0, 4.0, 5.0, 4.0, 5.0, 5.0, 4.0];
    const BREACHED: [f64; 10] = [3.0, 2.0, 4.0, 3.0, 2.0, 3.0, 4.0, 3.0, 2.0, 3.0];

    #[test]
    fn effect_size_on_a_hand_computed_example() {
        // Met: mean 4.6, variance 0.266667; breached: mean 2.9, variance 0.544444.
        // Difference 1.7. Welch: se = √(0.026667 + 0.054444) = 0.284800, df = 16.1105,
        // t = 2.118724 → [1.096587, 2.303413].
        // Pooled sd √((9 × 0.266667 + 9 × 0.544444) / 18) = 0.636832, d = 2.669462,
        // se(d) = √(0.2 + d²/40) = 0.614940 → [1.464203, 3.874721]: large.
        let f = feeling(&pairs(&MET, &BREACHED), 10);
        assert_eq!(
            f.met,
            Side {
                n: 10,
                mean: Some(4.6)
            }
        );
        assert_eq!(f.breached.n, 10);
        close(f.breached.mean.unwrap(), 2.9, 1e-12);
        let FeelingResult::Compared {
            difference,
            interval,
            significant,
            effect,
            p_value,
        } = f.result
        else {
            panic!("ten a side is enough: {f:?}");
        };
        close(difference, 1.7, 1e-12);
        close(interval.low, 1.096_587, 1e-5);
        close(interval.high, 2.303_413, 1e-5);
        assert!(significant && p_value < 0.001);
        let effect = effect.unwrap();
        close(effect.cohens_d, 2.669_462, 1e-6);
        close(effect.interval.low, 1.464_203, 1e-6);
        close(effect.interval.high, 3.874_721, 1e-6);
        assert_eq!(effect.magnitude, Magnitude::Large);
    }

    #[test]
    fn too_few_responses_on_either_side_is_not_enough_data() {
        let f = feeling(&pairs(&MET, &BREACHED[..9]), 5);
        assert!(
            matches!(f.result, FeelingResult::NotEnoughData { ref reason } if reason.contains("10"))
        );
        assert_eq!(f.breached.n, 9);
        assert_eq!(f.difference(), None);
        // A higher minimum is honoured.
        let f = feeling(&pairs(&MET, &BREACHED), 20);
        assert!(matches!(f.result, FeelingResult::NotEnoughData { .. }));
        // Non-finite scores are left out.
        let mut with_nan = pairs(&MET, &BREACHED);
        with_nan.push(FeelingPair {
            outcome: StandardOutcome::Met,
            csat: f64::NAN,
        });
        assert_eq!(feeling(&with_nan, 10).met.n, 10);
        let empty = feeling(&[], 10);
        assert_eq!(empty.met, Side { n: 0, mean: None });
    }

    #[test]
    fn no_spread_gives_no_effect_size_and_small_differences_are_not_significant() {
        let f = feeling(&pairs(&[4.0; 12], &[4.0; 12]), 10);
        let FeelingResult::Compared {
            difference,
            effect,
            significant,
            ..
        } = f.result
        else {
            panic!("{f:?}");
        };
        assert_eq!((difference, effect, significant), (0.0, None, false));
        let f = feeling(
            &pairs(&MET, &[5.0, 4.0, 5.0, 4.0, 4.0, 5.0, 4.0, 5.0, 5.0, 4.0]),
            10,
        );
        let FeelingResult::Compared {
            significant,
            effect,
            ..
        } = f.result
        else {
            panic!("{f:?}");
        };
        assert!(!significant);
        // 4.6 against 4.5, pooled sd 0.5217: d = 0.19.
        assert_eq!(effect.unwrap().magnitude, Magnitude::Negligible);
        assert_eq!(Magnitude::of(-0.6), Magnitude::Medium);
        assert_eq!(Magnitude::of(0.1), Magnitude::Negligible);
    }

    #[test]
    fn standards_are_ranked_by_the_satisfaction_they_cost() {
        let key = |k: &str| Key::parse("standard", k).unwrap();
        let big = feeling(&pairs(&MET, &BREACHED), 10); // 1.7 points per breach
        let mild_breached = [4.0, 4.0, 5.0, 4.0, 4.0, 4.0, 3.0, 4.0, 5.0, 4.0]; // mean 4.1
        let mild = feeling(&pairs(&MET, &mild_breached), 10); // 0.5 points per breach
        let reversed = feeling(&pairs(&BREACHED, &MET), 10); // breached happier: −1.7
        let thin = feeling(&pairs(&MET, &BREACHED[..3]), 10);
        let standards = vec![
            StandardFeeling {
                standard: key("complaints"),
                breaches: 10,
                feeling: big,
            },
            StandardFeeling {
                standard: key("phone"),
                breaches: 50,
                feeling: mild,
            },
            StandardFeeling {
                standard: key("odd"),
                breaches: 100,
                feeling: reversed,
            },
            StandardFeeling {
                standard: key("callbacks"),
                breaches: 3,
                feeling: thin.clone(),
            },
            StandardFeeling {
                standard: key("orders"),
                breaches: 30,
                feeling: thin,
            },
        ];
        let ranked = rank_by_cost(&standards);
        let order: Vec<&str> = ranked.iter().map(|r| r.standard.as_str()).collect();
        // phone: 0.5 × 50 = 25 > complaints: 1.7 × 10 = 17 > odd: 0; then no data by breaches.
        assert_eq!(order, ["phone", "complaints", "odd", "orders", "callbacks"]);
        close(ranked[0].cost.unwrap(), 25.0, 1e-9);
        close(ranked[1].cost.unwrap(), 17.0, 1e-9);
        assert_eq!(ranked[2].cost, Some(0.0));
        assert_eq!(ranked[2].cost_at_least, Some(0.0));
        assert!(ranked[1].cost_at_least.unwrap() < 17.0);
        assert!(ranked[1].significant);
        assert_eq!(ranked[3].cost, None);
    }

    #[test]
    fn outcomes_come_from_decided_states() {
        let t: jiff::Timestamp = "2026-12-07T09:00:00Z".parse().unwrap();
        assert_eq!(
            StandardOutcome::of(&SubjectState::OrphanEnd { ended: t }),
            None
        );
        assert_eq!(
            StandardOutcome::of(&SubjectState::Breached {
                started: t,
                ended: None,
                deadline: t,
                duration: jiff::SignedDuration::ZERO
            }),
            Some(StandardOutcome::Breached)
        );
    }
}
