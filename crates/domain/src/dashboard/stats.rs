//! Statistics read from [`Measures`]: CSAT, top-2-box, CES, NPS, sentiment and response rate,
//! each with a 95% interval and a small-sample flag, and the change between two periods.
//!
//! Everything here is total: empty, one-response or inconsistent measures (negative counts, a
//! top-2 count above the answers) give `None` or a clamped value, never NaN or infinity.

use serde::{Deserialize, Serialize};

use super::Measures;

/// Below this many answers an estimate is flagged `small_sample`. 30 is the usual rule of thumb
/// for the normal approximation behind these intervals (and where the t quantile is within 5%
/// of the normal one); below it the interval is still shown, but the UI should warn.
pub const SMALL_SAMPLE: i64 = 30;

/// The two-sided 95% normal quantile.
const Z95: f64 = 1.959_963_984_540_054;

/// Two-sided 95% quantiles of Student's t for 1–30 degrees of freedom (index = df − 1).
const T95: [f64; 30] = [
    12.706_205, 4.302_653, 3.182_446, 2.776_445, 2.570_582, 2.446_912, 2.364_624, 2.306_004,
    2.262_157, 2.228_139, 2.200_985, 2.178_813, 2.160_369, 2.144_787, 2.131_450, 2.119_905,
    2.109_816, 2.100_922, 2.093_024, 2.085_963, 2.079_614, 2.073_873, 2.068_658, 2.063_899,
    2.059_539, 2.055_529, 2.051_831, 2.048_407, 2.045_230, 2.042_272,
];

/// A 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// What an [`Estimate`] measures, which decides how [`change`] compares two of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A mean on a bounded scale (CSAT 1–5, CES 1–7), with a t-based interval.
    Mean,
    /// A share 0–1 (top-2-box, response rate), with a Wilson score interval.
    Proportion,
    /// A Net Promoter Score −100..100, with a normal interval.
    Nps,
}

/// A statistic with its interval and sample size, flagged when the sample is too small to trust.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub kind: Kind,
    pub value: f64,
    /// `None` when it cannot be computed (one answer for a mean or an NPS).
    pub interval: Option<Interval>,
    /// The standard error of `value`, in its units (NPS points for NPS): for means
    /// `s / √n`, for proportions the Wald `√(p(1 − p) / n)`. `None` with one answer for means
    /// and NPS.
    pub standard_error: Option<f64>,
    pub n: i64,
    pub small_sample: bool,
}

/// The change from a previous period to the current one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// `current − previous`, in the estimates' units.
    pub delta: f64,
    /// 95% interval for the difference; `None` when either side lacks one, or the kinds differ.
    pub interval: Option<Interval>,
    /// Whether the interval excludes 0.
    pub significant: bool,
}

/// Mean CSAT (1–5), with a t interval clamped to the scale; `None` without answers.
pub fn csat(m: &Measures) -> Option<Estimate> {
    mean(m.csat_n, m.csat_sum, m.csat_sq, 1.0, 5.0)
}

/// Share of CSAT answers that are 4 or 5, with a Wilson interval; `None` without answers.
pub fn csat_top2(m: &Measures) -> Option<Estimate> {
    proportion(m.csat_top2, m.csat_n)
}

/// Mean customer effort (1–7), with a t interval clamped to the scale; `None` without answers.
pub fn ces(m: &Measures) -> Option<Estimate> {
    mean(m.ces_n, m.ces_sum, m.ces_sq, 1.0, 7.0)
}

/// Net Promoter Score, −100..100; `None` without answers.
///
/// Each answer scores +1 (promoter), 0 (passive) or −1 (detractor), so NPS is 100 × their mean,
/// with variance `(p + d) − (p − d)²` for shares `p` and `d`. The interval is normal (1.96, not
/// t): the score is a difference of multinomial shares, like a proportion, and small samples
/// are flagged rather than widened. It is clamped to [−100, 100]. With every answer alike the
/// variance is 0 and the interval collapses to the value; `small_sample` is the warning there.
pub fn nps(m: &Measures) -> Option<Estimate> {
    let n = m.nps_n;
    if n <= 0 {
        return None;
    }
    let nf = n as f64;
    let p = m.promoters.clamp(0, n) as f64 / nf;
    let d = m.detractors.clamp(0, n) as f64 / nf;
    let value = (100.0 * (p - d)).clamp(-100.0, 100.0);
    let standard_error =
        (n >= 2).then(|| 100.0 * (non_negative((p + d) - (p - d).powi(2)) / nf).sqrt());
    let interval = standard_error.map(|se| bounded(value, Z95 * se, -100.0, 100.0));
    Some(estimate(Kind::Nps, value, interval, standard_error, n))
}

/// Mean sentiment of the analysed comments, −1..1; `None` when none were analysed.
pub fn sentiment(m: &Measures) -> Option<f64> {
    (m.sentiment_n > 0)
        .then(|| (m.sentiment_milli_sum as f64 / 1000.0 / m.sentiment_n as f64).clamp(-1.0, 1.0))
}

/// Invitations answered / sent, with a Wilson interval; `None` when none were sent.
pub fn response_rate(answered: i64, sent: i64) -> Option<Estimate> {
    proportion(answered, sent)
}

/// The change from `previous` to `current`, with a 95% interval for the difference:
/// - means: Welch's t interval, `√(se₁² + se₂²)` with Welch–Satterthwaite degrees of freedom;
/// - NPS: the two standard errors combined, `Δ ± 1.96 √(se₁² + se₂²)`;
/// - proportions: Newcombe's hybrid score interval built from the two Wilson intervals, which
///   stays sensible near 0 and 1 where the Wald standard error vanishes.
///
/// The interval is not clamped to the possible range of a difference.
pub fn change(current: &Estimate, previous: &Estimate) -> Change {
    let delta = finite_or_zero(current.value - previous.value);
    let interval = if current.kind == previous.kind {
        match current.kind {
            Kind::Mean => welch(current, previous, delta),
            Kind::Nps => combined_normal(current, previous, delta),
            Kind::Proportion => newcombe(current, previous, delta),
        }
    } else {
        None
    };
    let interval = interval.filter(|i| i.low.is_finite() && i.high.is_finite());
    let significant = interval.is_some_and(|i| i.low > 0.0 || i.high < 0.0);
    Change {
        delta,
        interval,
        significant,
    }
}

/// The two-sided 95% quantile of Student's t with `df` degrees of freedom.
///
/// Exact (6 decimals) from the table for df 1–30, with a fractional df rounded down (the
/// conservative side); above 30 the Cornish–Fisher expansion to the third term, within 1e-5 of
/// the exact value there and tending to 1.96. Non-finite or df < 1 use df = 1.
pub fn t95(df: f64) -> f64 {
    if df.is_nan() || df < 31.0 {
        let index = (df.max(1.0).floor() as usize).saturating_sub(1);
        return T95[index.min(T95.len() - 1)];
    }
    if df.is_infinite() {
        return Z95;
    }
    let z = Z95;
    let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
    z + (z3 + z) / (4.0 * df)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df.powi(2))
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df.powi(3))
}

/// The Wilson score interval for a share `p` of `n` trials.
pub fn wilson(p: f64, n: f64) -> Option<Interval> {
    if !(n > 0.0 && n.is_finite() && p.is_finite()) {
        return None;
    }
    let p = p.clamp(0.0, 1.0);
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z95 / denominator * non_negative(p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(Interval {
        low: (centre - half).clamp(0.0, 1.0),
        high: (centre + half).clamp(0.0, 1.0),
    })
}

/// A mean from its count, sum and sum of squares, on the scale `[min, max]`.
fn mean(n: i64, sum: i64, sq: i64, min: f64, max: f64) -> Option<Estimate> {
    if n <= 0 {
        return None;
    }
    let nf = n as f64;
    let mean = sum as f64 / nf;
    let value = mean.clamp(min, max);
    let standard_error = (n >= 2).then(|| {
        // n·Σx² − (Σx)² is exact in i128; the sample variance is that over n(n − 1).
        let spread = i128::from(n)
            .saturating_mul(i128::from(sq))
            .saturating_sub(i128::from(sum).saturating_mul(i128::from(sum)));
        let variance = non_negative(spread as f64 / (nf * (nf - 1.0)));
        (variance / nf).sqrt()
    });
    let interval = standard_error.map(|se| bounded(mean, t95(nf - 1.0) * se, min, max));
    Some(estimate(Kind::Mean, value, interval, standard_error, n))
}

/// A share of `x` in `n`, with `x` clamped to `0..=n`.
fn proportion(x: i64, n: i64) -> Option<Estimate> {
    if n <= 0 {
        return None;
    }
    let nf = n as f64;
    let p = x.clamp(0, n) as f64 / nf;
    let standard_error = Some(non_negative(p * (1.0 - p) / nf).sqrt());
    Some(estimate(
        Kind::Proportion,
        p,
        wilson(p, nf),
        standard_error,
        n,
    ))
}

fn estimate(
    kind: Kind,
    value: f64,
    interval: Option<Interval>,
    standard_error: Option<f64>,
    n: i64,
) -> Estimate {
    Estimate {
        kind,
        value: finite_or_zero(value),
        interval: interval.filter(|i| i.low.is_finite() && i.high.is_finite()),
        standard_error: standard_error.filter(|se| se.is_finite()),
        n,
        small_sample: n < SMALL_SAMPLE,
    }
}

fn welch(a: &Estimate, b: &Estimate, delta: f64) -> Option<Interval> {
    let (va, vb) = (a.standard_error?.powi(2), b.standard_error?.powi(2));
    if a.n < 2 || b.n < 2 {
        return None;
    }
    let (dfa, dfb) = ((a.n - 1) as f64, (b.n - 1) as f64);
    let pooled = va + vb;
    let denominator = va * va / dfa + vb * vb / dfb;
    // With no spread on either side Welch's df is 0/0; fall back to the pooled df.
    let df = if denominator > 0.0 {
        pooled * pooled / denominator
    } else {
        dfa + dfb
    };
    Some(around(delta, t95(df) * pooled.sqrt()))
}

fn combined_normal(a: &Estimate, b: &Estimate, delta: f64) -> Option<Interval> {
    let (sa, sb) = (a.standard_error?, b.standard_error?);
    Some(around(delta, Z95 * (sa * sa + sb * sb).sqrt()))
}

/// Newcombe (1998), method 10: the difference's limits from each side's Wilson limits.
fn newcombe(a: &Estimate, b: &Estimate, delta: f64) -> Option<Interval> {
    let (ia, ib) = (a.interval?, b.interval?);
    let below = (a.value - ia.low).hypot(ib.high - b.value);
    let above = (ia.high - a.value).hypot(b.value - ib.low);
    Some(Interval {
        low: delta - below,
        high: delta + above,
    })
}

fn around(centre: f64, half: f64) -> Interval {
    Interval {
        low: centre - half,
        high: centre + half,
    }
}

fn bounded(centre: f64, half: f64, min: f64, max: f64) -> Interval {
    let i = around(centre, half);
    Interval {
        low: i.low.clamp(min, max),
        high: i.high.clamp(min, max),
    }
}

/// Rounding can make a variance slightly negative; it is 0 then (and for NaN).
fn non_negative(x: f64) -> f64 {
    if x > 0.0 { x } else { 0.0 }
}

fn finite_or_zero(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
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

    fn interval_close(i: Option<Interval>, low: f64, high: f64, tolerance: f64) {
        let Some(i) = i else {
            panic!("expected an interval [{low}, {high}]");
        };
        close(i.low, low, tolerance);
        close(i.high, high, tolerance);
    }

    fn csat_of(answers: &[i64]) -> Measures {
        let mut m = Measures::default();
        for &a in answers {
            m.add(&Measures::of(Some(a), None, None, None, false));
        }
        m
    }

    /// NPS measures from counts of promoters, passives and detractors.
    fn nps_of(promoters: i64, passives: i64, detractors: i64) -> Measures {
        Measures {
            responses: promoters + passives + detractors,
            nps_n: promoters + passives + detractors,
            promoters,
            detractors,
            ..Measures::default()
        }
    }

    #[test]
    fn csat_is_the_mean_with_a_t_interval_clamped_to_the_scale() {
        // [5, 4, 4, 2, 5]: n = 5, Σx = 20, Σx² = 86, mean 4.0.
        // Sample variance (5·86 − 20²) / (5·4) = 30 / 20 = 1.5, sd ≈ 1.2247,
        // se = √(1.5 / 5) = √0.3 ≈ 0.547723; t(4) = 2.776445, half-width ≈ 1.520722.
        // Raw interval [2.479278, 5.520722]; the top is clamped to the scale's 5.
        let m = csat_of(&[5, 4, 4, 2, 5]);
        assert_eq!((m.csat_n, m.csat_sum, m.csat_sq), (5, 20, 86));
        let Some(e) = csat(&m) else {
            panic!("five answers give a CSAT");
        };
        assert_eq!(e.kind, Kind::Mean);
        close(e.value, 4.0, 1e-12);
        close(e.standard_error.unwrap_or(f64::NAN), 0.547_723, 1e-6);
        interval_close(e.interval, 2.479_278, 5.0, 1e-6);
        assert_eq!(e.n, 5);
        assert!(e.small_sample);
    }

    #[test]
    fn ces_uses_its_own_scale() {
        // [7, 7, 6]: mean 20/3 ≈ 6.6667; variance (3·134 − 400) / 6 = 2/6 ≈ 0.3333,
        // se = √(0.3333 / 3) ≈ 0.333333; t(2) = 4.302653, half ≈ 1.434218.
        // Raw [5.232449, 8.100885], clamped to [5.232449, 7.0].
        let m = Measures {
            ces_n: 3,
            ces_sum: 20,
            ces_sq: 134,
            ..Measures::default()
        };
        let Some(e) = ces(&m) else {
            panic!("three answers give a CES");
        };
        close(e.value, 20.0 / 3.0, 1e-12);
        interval_close(e.interval, 5.232_449, 7.0, 1e-6);
    }

    #[test]
    fn one_answer_has_a_value_but_no_interval_and_none_has_nothing() {
        let one = csat_of(&[3]);
        let Some(e) = csat(&one) else {
            panic!("one answer gives a CSAT");
        };
        assert_eq!((e.value, e.interval, e.standard_error), (3.0, None, None));
        assert!(e.small_sample);
        assert_eq!(csat(&Measures::default()), None);
        assert_eq!(ces(&Measures::default()), None);
        assert_eq!(csat_top2(&Measures::default()), None);
        assert_eq!(nps(&Measures::default()), None);
        assert_eq!(sentiment(&Measures::default()), None);
        assert_eq!(response_rate(0, 0), None);

        let Some(single) = nps(&nps_of(1, 0, 0)) else {
            panic!("one answer gives an NPS");
        };
        assert_eq!((single.value, single.interval), (100.0, None));
        // A proportion of one still has a Wilson interval: 1 of 1 → [0.206549, 1].
        let Some(rate) = response_rate(1, 1) else {
            panic!("one invitation sent gives a rate");
        };
        interval_close(rate.interval, 0.206_549, 1.0, 1e-6);
    }

    #[test]
    fn identical_answers_have_a_zero_width_interval() {
        // [4, 4, 4]: variance (3·48 − 144) / 6 = 0, so the interval is [4, 4].
        let Some(e) = csat(&csat_of(&[4, 4, 4])) else {
            panic!("three answers give a CSAT");
        };
        assert_eq!(e.standard_error, Some(0.0));
        interval_close(e.interval, 4.0, 4.0, 0.0);
    }

    #[test]
    fn nps_uses_the_variance_of_the_per_answer_score() {
        // 6 promoters, 3 passives, 1 detractor: p = 0.6, d = 0.1, NPS = 50.
        // var = (0.6 + 0.1) − (0.6 − 0.1)² = 0.7 − 0.25 = 0.45; se = √(0.45 / 10) ≈ 0.212132,
        // ×100 = 21.2132 points; 1.96 × 21.2132 ≈ 41.5771 → [8.4229, 91.5771].
        let Some(e) = nps(&nps_of(6, 3, 1)) else {
            panic!("ten answers give an NPS");
        };
        assert_eq!(e.kind, Kind::Nps);
        close(e.value, 50.0, 1e-12);
        close(e.standard_error.unwrap_or(f64::NAN), 21.2132, 1e-4);
        interval_close(e.interval, 8.4229, 91.5771, 1e-4);
    }

    #[test]
    fn nps_interval_is_clamped_to_its_range() {
        // 9 promoters, 1 passive: NPS 90, var = 0.9 − 0.81 = 0.09, se = √0.009 ≈ 9.4868 points,
        // half ≈ 18.5938 → raw [71.4062, 108.5938], clamped to [71.4062, 100].
        let Some(e) = nps(&nps_of(9, 1, 0)) else {
            panic!("ten answers give an NPS");
        };
        close(e.value, 90.0, 1e-12);
        interval_close(e.interval, 71.4062, 100.0, 1e-4);
    }

    #[test]
    fn top2_and_response_rate_use_the_wilson_interval() {
        // 8 of 10: z² = 3.841459, denominator 1 + z²/n = 1.384146,
        // centre (0.8 + 0.192073) / 1.384146 = 0.716741,
        // half (1.959964 / 1.384146) × √(0.016 + 0.009604) = 1.416010 × 0.160011 = 0.226577
        // → [0.490162, 0.943318].
        let m = Measures {
            csat_n: 10,
            csat_top2: 8,
            ..Measures::default()
        };
        let Some(top2) = csat_top2(&m) else {
            panic!("ten answers give a top-2 share");
        };
        assert_eq!(top2.kind, Kind::Proportion);
        close(top2.value, 0.8, 1e-12);
        // Wald se √(0.8 · 0.2 / 10) = √0.016 ≈ 0.126491.
        close(top2.standard_error.unwrap_or(f64::NAN), 0.126_491, 1e-6);
        interval_close(top2.interval, 0.490_162, 0.943_318, 1e-6);
        assert_eq!(response_rate(8, 10), Some(top2));
        // 0 of 1: [0, 0.793451] — the Wilson interval does not collapse at 0.
        let Some(none) = response_rate(0, 1) else {
            panic!("one invitation sent gives a rate");
        };
        interval_close(none.interval, 0.0, 0.793_451, 1e-6);
    }

    #[test]
    fn inconsistent_counts_are_clamped() {
        // More answered than sent reads as all of them; a negative count as none.
        assert_eq!(response_rate(12, 10).map(|e| e.value), Some(1.0));
        assert_eq!(response_rate(-3, 10).map(|e| e.value), Some(0.0));
        assert_eq!(response_rate(3, -10), None);
        // A sum beyond the scale gives a mean clamped to it.
        let m = Measures {
            csat_n: 2,
            csat_sum: 40,
            csat_sq: 800,
            ..Measures::default()
        };
        assert_eq!(csat(&m).map(|e| e.value), Some(5.0));
    }

    #[test]
    fn sentiment_is_the_mean_of_the_analysed_comments() {
        // (0.5 + 1.0) / 2 = 0.75, stored as 1500 thousandths over 2.
        let m = Measures {
            sentiment_n: 2,
            sentiment_milli_sum: 1500,
            ..Measures::default()
        };
        assert_eq!(sentiment(&m), Some(0.75));
        let out_of_range = Measures {
            sentiment_n: 1,
            sentiment_milli_sum: -4000,
            ..Measures::default()
        };
        assert_eq!(sentiment(&out_of_range), Some(-1.0));
    }

    #[test]
    fn samples_below_thirty_are_flagged() {
        assert_eq!(response_rate(10, 29).map(|e| e.small_sample), Some(true));
        assert_eq!(response_rate(10, 30).map(|e| e.small_sample), Some(false));
        let many = nps_of(20, 10, 10);
        assert_eq!(nps(&many).map(|e| e.small_sample), Some(false));
    }

    #[test]
    fn the_t_quantile_comes_from_the_table_then_the_expansion() {
        assert_eq!(t95(4.0), 2.776_445);
        assert_eq!(t95(6.4), 2.446_912); // fractional df rounds down
        assert_eq!(t95(30.0), 2.042_272);
        assert_eq!(t95(0.0), 12.706_205);
        assert_eq!(t95(f64::NAN), 12.706_205);
        // Exact values: t(31) = 2.039513, t(60) = 2.000298, t(120) = 1.979930.
        close(t95(31.0), 2.039_513, 1e-5);
        close(t95(60.0), 2.000_298, 1e-5);
        close(t95(120.0), 1.979_930, 1e-5);
        close(t95(1e9), 1.959_964, 1e-6);
        assert_eq!(t95(f64::INFINITY), Z95);
    }

    fn csat_estimate(answers: &[i64]) -> Estimate {
        match csat(&csat_of(answers)) {
            Some(e) => e,
            None => panic!("answers give a CSAT"),
        }
    }

    fn nps_estimate(promoters: i64, passives: i64, detractors: i64) -> Estimate {
        match nps(&nps_of(promoters, passives, detractors)) {
            Some(e) => e,
            None => panic!("answers give an NPS"),
        }
    }

    #[test]
    fn a_clear_rise_in_csat_is_significant() {
        // Current [5, 4, 4, 2, 5]: mean 4, se² = 0.3. Previous [2, 3, 2, 1, 2]: Σx = 10,
        // Σx² = 22, variance (110 − 100) / 20 = 0.5, se² = 0.1, mean 2. Δ = 2.
        // se = √0.4 ≈ 0.632456; Welch df = 0.4² / (0.3²/4 + 0.1²/4) = 0.16 / 0.025 = 6.4 → 6,
        // t(6) = 2.446912, half ≈ 1.547563 → [0.452437, 3.547563].
        let c = change(
            &csat_estimate(&[5, 4, 4, 2, 5]),
            &csat_estimate(&[2, 3, 2, 1, 2]),
        );
        close(c.delta, 2.0, 1e-12);
        interval_close(c.interval, 0.452_437, 3.547_563, 1e-6);
        assert!(c.significant);
    }

    #[test]
    fn a_small_rise_in_csat_is_not_significant() {
        // Previous [4, 3, 5, 3, 4]: Σx = 19, Σx² = 75, variance (375 − 361) / 20 = 0.7,
        // se² = 0.14, mean 3.8. Δ = 0.2; se = √0.44 ≈ 0.663325;
        // df = 0.44² / (0.09/4 + 0.0196/4) = 0.1936 / 0.0274 ≈ 7.07 → 7, t(7) = 2.364624,
        // half ≈ 1.568514 → [−1.368514, 1.768514].
        let c = change(
            &csat_estimate(&[5, 4, 4, 2, 5]),
            &csat_estimate(&[4, 3, 5, 3, 4]),
        );
        close(c.delta, 0.2, 1e-12);
        interval_close(c.interval, -1.368_514, 1.768_514, 1e-6);
        assert!(!c.significant);
    }

    #[test]
    fn nps_changes_combine_the_two_standard_errors() {
        // Current 60/30/10 of 100: NPS 50, var 0.45, se² = 45 points².
        // Previous 30/40/30 of 100: NPS 0, var 0.6 − 0 = 0.6, se² = 60 points².
        // Δ = 50 ± 1.96 × √105 (≈ 10.24695) = 50 ± 20.0837 → [29.9163, 70.0837]: significant.
        let c = change(&nps_estimate(60, 30, 10), &nps_estimate(30, 40, 30));
        close(c.delta, 50.0, 1e-9);
        interval_close(c.interval, 29.9163, 70.0837, 1e-4);
        assert!(c.significant);
        // Current 6/3/1 (NPS 50, se² = 450); previous 5/3/2 of 10: NPS 30,
        // var 0.7 − 0.09 = 0.61, se² = 610. Δ = 20 ± 1.96 × √1060 (≈ 32.5576) = 20 ± 63.8118
        // → [−43.8118, 83.8118]: not significant.
        let c = change(&nps_estimate(6, 3, 1), &nps_estimate(5, 3, 2));
        close(c.delta, 20.0, 1e-9);
        interval_close(c.interval, -43.8118, 83.8118, 1e-4);
        assert!(!c.significant);
    }

    #[test]
    fn proportion_changes_use_newcombes_interval() {
        // 8/10 has Wilson [0.490162, 0.943318]; 2/10 by symmetry [0.056682, 0.509838].
        // Δ = 0.6; low = 0.6 − √((0.8 − 0.490162)² + (0.509838 − 0.2)²) = 0.6 − 0.438176
        // = 0.161824; high = 0.6 + √((0.943318 − 0.8)² + (0.2 − 0.056682)²) = 0.6 + 0.202682
        // = 0.802682.
        let (Some(now), Some(before)) = (response_rate(8, 10), response_rate(2, 10)) else {
            panic!("rates exist");
        };
        let c = change(&now, &before);
        close(c.delta, 0.6, 1e-12);
        interval_close(c.interval, 0.161_824, 0.802_682, 1e-6);
        assert!(c.significant);
        // 5/10 against 4/10 overlaps 0.
        let (Some(now), Some(before)) = (response_rate(5, 10), response_rate(4, 10)) else {
            panic!("rates exist");
        };
        assert!(!change(&now, &before).significant);
    }

    #[test]
    fn changes_without_intervals_or_across_kinds_are_not_significant() {
        let one = csat_estimate(&[5]);
        let many = csat_estimate(&[1, 1, 1, 2]);
        let c = change(&one, &many);
        assert_eq!((c.interval, c.significant), (None, false));
        close(c.delta, 3.75, 1e-12);
        let c = change(&many, &nps_estimate(6, 3, 1));
        assert_eq!((c.interval, c.significant), (None, false));
    }

    fn assert_finite(e: &Estimate) {
        assert!(e.value.is_finite(), "{e:?}");
        assert!(
            e.standard_error
                .is_none_or(|se| se.is_finite() && se >= 0.0),
            "{e:?}"
        );
        if let Some(i) = e.interval {
            assert!(
                i.low.is_finite() && i.high.is_finite() && i.low <= i.high,
                "{e:?}"
            );
        }
    }

    fn assert_change_finite(c: &Change) {
        assert!(c.delta.is_finite(), "{c:?}");
        if let Some(i) = c.interval {
            assert!(
                i.low.is_finite() && i.high.is_finite() && i.low <= i.high,
                "{c:?}"
            );
        }
    }

    #[test]
    fn no_combination_of_small_counts_gives_nan_or_infinity() {
        let mut estimates = Vec::new();
        // Raw fields, including inconsistent and negative ones a bad rollup could hold.
        for n in -1..=5 {
            for sum in -2..=26 {
                for sq in (-2..=130).step_by(3) {
                    let m = Measures {
                        csat_n: n,
                        csat_sum: sum,
                        csat_sq: sq,
                        csat_top2: sum % 7,
                        ces_n: n,
                        ces_sum: sum,
                        ces_sq: sq,
                        sentiment_n: n,
                        sentiment_milli_sum: sum * 100,
                        ..Measures::default()
                    };
                    let found = [csat(&m), ces(&m), csat_top2(&m)];
                    estimates.extend(found.into_iter().flatten());
                    assert!(sentiment(&m).is_none_or(f64::is_finite));
                }
            }
            for promoters in -1..=7 {
                for detractors in -1..=7 {
                    estimates.extend(nps(&Measures {
                        nps_n: n,
                        promoters,
                        detractors,
                        ..Measures::default()
                    }));
                    estimates.extend(response_rate(promoters, n));
                }
            }
        }
        let extreme = Measures::from_fields([i64::MAX; 14]);
        estimates.extend(
            [csat(&extreme), ces(&extreme), nps(&extreme)]
                .into_iter()
                .flatten(),
        );
        let extreme = Measures::from_fields([
            i64::MAX,
            i64::MAX,
            i64::MIN,
            i64::MIN,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
        ]);
        estimates.extend(csat(&extreme));
        estimates.extend(response_rate(i64::MAX, i64::MAX));
        for e in &estimates {
            assert_finite(e);
        }
        for a in estimates.iter().step_by(97) {
            for b in estimates.iter().step_by(89) {
                assert_change_finite(&change(a, b));
            }
        }
    }
}
