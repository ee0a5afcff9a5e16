//! Additive pairwise moments of integer answers: the sufficient statistics of key driver
//! analysis. Each response adds, for every pair of variables it answered, its count, sums,
//! sums of squares and cross-product. Sums are exact integers, so moments of months, teams and
//! touchpoints add up to exactly the moments of their union, and a rollup can hold them.
//!
//! Variables are named: the outcomes [`CSAT`] and [`NPS`], and attribute ratings by their
//! question key (`timeliness`, …). Pairs are stored once, with the names in order; the pair of
//! a variable with itself holds its own moments.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The overall satisfaction outcome (1–5).
pub const CSAT: &str = "@csat";
/// The likelihood-to-recommend outcome (0–10).
pub const NPS: &str = "@nps";
/// Ratings at or above this are in the top two boxes of the 1–5 attribute scale.
pub const TOP_TWO_FROM: i64 = 4;

/// The moments of one pair of variables over the responses that answered both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairMoments {
    pub n: i64,
    pub sum_a: i64,
    pub sum_b: i64,
    pub sum_aa: i64,
    pub sum_bb: i64,
    pub sum_ab: i64,
}

impl PairMoments {
    pub fn observe(&mut self, a: i64, b: i64) {
        self.n += 1;
        self.sum_a += a;
        self.sum_b += b;
        self.sum_aa += a * a;
        self.sum_bb += b * b;
        self.sum_ab += a * b;
    }

    pub fn add(&mut self, other: &PairMoments) {
        self.n += other.n;
        self.sum_a += other.sum_a;
        self.sum_b += other.sum_b;
        self.sum_aa += other.sum_aa;
        self.sum_bb += other.sum_bb;
        self.sum_ab += other.sum_ab;
    }

    /// The same moments with the opposite sign: what removing the responses takes away.
    pub fn negated(&self) -> PairMoments {
        PairMoments {
            n: -self.n,
            sum_a: -self.sum_a,
            sum_b: -self.sum_b,
            sum_aa: -self.sum_aa,
            sum_bb: -self.sum_bb,
            sum_ab: -self.sum_ab,
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == PairMoments::default()
    }
}

/// Per variable: how many of its answers were in the top two boxes (ratings only).
pub type TopTwo = BTreeMap<String, i64>;

/// The moments of every pair of variables over a set of responses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moments {
    pub pairs: BTreeMap<(String, String), PairMoments>,
    pub top_two: TopTwo,
}

impl Moments {
    /// The moments of one response's answers (variable name, value). A variable named twice
    /// counts once, with its first value.
    pub fn of_response(values: &[(String, i64)]) -> Moments {
        let mut seen: Vec<&(String, i64)> = Vec::with_capacity(values.len());
        for value in values {
            if seen.iter().all(|s| s.0 != value.0) {
                seen.push(value);
            }
        }
        let mut moments = Moments::default();
        for (i, (name_a, a)) in seen.iter().map(|v| (&v.0, v.1)).enumerate() {
            if !name_a.starts_with('@') && a >= TOP_TWO_FROM {
                *moments.top_two.entry(name_a.clone()).or_default() += 1;
            }
            for (name_b, b) in seen[i..].iter().map(|v| (&v.0, v.1)) {
                let (key, first, second) = if name_a <= name_b {
                    ((name_a.clone(), name_b.clone()), a, b)
                } else {
                    ((name_b.clone(), name_a.clone()), b, a)
                };
                moments.pairs.entry(key).or_default().observe(first, second);
            }
        }
        moments
    }

    pub fn add(&mut self, other: &Moments) {
        for (key, pair) in &other.pairs {
            self.pairs.entry(key.clone()).or_default().add(pair);
        }
        for (name, count) in &other.top_two {
            *self.top_two.entry(name.clone()).or_default() += count;
        }
    }

    /// The moments of the pair (a, b), oriented so that `sum_a` is `a`'s.
    pub fn pair(&self, a: &str, b: &str) -> Option<PairMoments> {
        if a <= b {
            self.pairs.get(&(a.to_owned(), b.to_owned())).copied()
        } else {
            self.pairs
                .get(&(b.to_owned(), a.to_owned()))
                .map(|p| PairMoments {
                    n: p.n,
                    sum_a: p.sum_b,
                    sum_b: p.sum_a,
                    sum_aa: p.sum_bb,
                    sum_bb: p.sum_aa,
                    sum_ab: p.sum_ab,
                })
        }
    }

    /// The variables with any answers, outcomes included.
    pub fn variables(&self) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|((a, b), p)| a == b && p.n > 0)
            .map(|((a, _), _)| a.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(values: &[(&str, i64)]) -> Vec<(String, i64)> {
        values.iter().map(|(n, v)| ((*n).to_owned(), *v)).collect()
    }

    #[test]
    fn a_response_adds_every_pair_once_in_name_order() {
        let m = Moments::of_response(&named(&[(CSAT, 4), ("timeliness", 5), ("price", 2)]));
        assert_eq!(m.pairs.len(), 6);
        let p = m.pair("timeliness", CSAT).unwrap_or_default();
        assert_eq!((p.n, p.sum_a, p.sum_b, p.sum_ab), (1, 5, 4, 20));
        let q = m.pair(CSAT, "timeliness").unwrap_or_default();
        assert_eq!((q.sum_a, q.sum_b, q.sum_aa), (4, 5, 16));
        assert_eq!(m.top_two.get("timeliness"), Some(&1));
        assert_eq!(m.top_two.get("price"), None);
        assert_eq!(m.top_two.get(CSAT), None);
    }

    #[test]
    fn moments_add_and_negate_exactly() {
        let mut total = Moments::of_response(&named(&[(CSAT, 4), ("price", 2)]));
        let second = Moments::of_response(&named(&[(CSAT, 1), ("price", 5), ("price", 1)]));
        total.add(&second);
        let p = total.pair(CSAT, "price").unwrap_or_default();
        assert_eq!((p.n, p.sum_a, p.sum_b, p.sum_ab), (2, 5, 7, 13));
        let mut back = Moments::default();
        for (key, pair) in &second.pairs {
            back.pairs.insert(key.clone(), pair.negated());
        }
        total.add(&back);
        let p = total.pair(CSAT, "price").unwrap_or_default();
        assert_eq!((p.n, p.sum_ab), (1, 8));
        assert_eq!(total.variables(), vec![CSAT.to_owned(), "price".to_owned()]);
    }
}
