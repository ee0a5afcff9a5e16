//! Did it work? A before/after comparison of a measure around a fix: a mean (CSAT, an
//! attribute rating) or a proportion (a theme's share of comments, a top-2-box share).
//!
//! # Means: Welch's t-test
//!
//! Each side is summarized by its count, sum and sum of squares ([`MeanSample`]). With means
//! `m₁` (before) and `m₂` (after) and sample variances `s₁²`, `s₂²`:
//!
//! ```text
//! difference = m₂ − m₁
//! se         = √(s₁²/n₁ + s₂²/n₂)
//! df         = se⁴ / ((s₁²/n₁)² / (n₁ − 1) + (s₂²/n₂)² / (n₂ − 1))     (Welch–Satterthwaite)
//! t          = difference / se
//! p          = P(|T_df| ≥ |t|)                                          (two-sided)
//! interval   = difference ± t_{df, (1 + confidence)/2} × se
//! ```
//!
//! Welch's test does not assume the two periods have the same spread, which a fix often
//! changes. Student's t distribution is computed from the regularized incomplete beta
//! function, `P(|T| ≥ t) = I_{df/(df+t²)}(df/2, 1/2)`, for fractional degrees of freedom too
//! (to ~1e-12 at the degrees of freedom of surveys, ~1e-10 at a million); its quantiles by
//! bisection on that. When neither side has any
//! spread the difference is exact: the interval is the difference itself, the test is
//! decided by whether it is zero, and df is `n₁ + n₂ − 2`.
//!
//! # Proportions: the two-proportion z-test
//!
//! ```text
//! difference = p₂ − p₁
//! pooled p   = (x₁ + x₂) / (n₁ + n₂)
//! z          = difference / √(pooled p (1 − pooled p) (1/n₁ + 1/n₂))
//! p          = 2 (1 − Φ(|z|))
//! ```
//!
//! The interval is Newcombe's hybrid score interval (method 10) built from the two Wilson
//! intervals at the chosen confidence — the one the dashboards use — because the simple Wald
//! interval misbehaves for the small shares themes usually have (it can cross 0 or vanish).
//! `significant` is the test's verdict, `p < 1 − confidence`; the score interval agrees with
//! it except, rarely, right at the edge.
//!
//! # Enough data
//!
//! Both comparisons need at least [`MIN_PER_SIDE`] = 10 observations on each side and
//! otherwise say why they are [`Comparison::Insufficient`]. Below ten the variance estimate of
//! a 1–5 rating is too unstable for Welch's df to mean much, a single unusual answer moves a
//! mean by a tenth of the scale, and the normal approximation behind the z-test is poor. Ten
//! is a floor, not a recommendation: the interval's width shows how much more data would
//! help.
//!
//! # Verdict
//!
//! [`Verdict`] reads a comparison with a [`Direction`]: an improvement is a significant move
//! in the good direction — up for CSAT, down for the share of comments about a theme.

use crate::ValidationError;
use crate::dashboard::stats::Interval;
use serde::{Deserialize, Serialize};

/// The fewest observations each side needs for a comparison.
pub const MIN_PER_SIDE: i64 = 10;

/// The count, sum and sum of squares of a sample of numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MeanSample {
    pub n: i64,
    pub sum: f64,
    pub sum_squares: f64,
}

impl MeanSample {
    pub fn of(values: &[f64]) -> MeanSample {
        let mut sample = MeanSample::default();
        for value in values {
            sample.observe(*value);
        }
        sample
    }

    pub fn observe(&mut self, value: f64) {
        self.n += 1;
        self.sum += value;
        self.sum_squares += value * value;
    }
}

/// Hits out of a number of trials, e.g. comments mentioning a theme out of all comments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proportion {
    pub hits: i64,
    pub n: i64,
}

/// A confidence level strictly between 0 and 1, such as 0.95.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Confidence(f64);

impl Confidence {
    pub const NINETY_FIVE: Confidence = Confidence(0.95);

    pub fn new(level: f64) -> Result<Confidence, ValidationError> {
        if level > 0.0 && level < 1.0 {
            Ok(Confidence(level))
        } else {
            Err(ValidationError::new(
                "confidence",
                "must be a level between 0 and 1, such as 0.95",
            ))
        }
    }

    pub fn level(self) -> f64 {
        self.0
    }

    /// The significance level `1 − confidence`.
    pub fn alpha(self) -> f64 {
        1.0 - self.0
    }
}

impl Default for Confidence {
    fn default() -> Self {
        Confidence::NINETY_FIVE
    }
}

impl TryFrom<f64> for Confidence {
    type Error = ValidationError;
    fn try_from(level: f64) -> Result<Self, Self::Error> {
        Confidence::new(level)
    }
}

impl From<Confidence> for f64 {
    fn from(confidence: Confidence) -> Self {
        confidence.0
    }
}

/// A comparison, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Comparison<T> {
    Compared(T),
    Insufficient { reason: String },
}

/// Welch's comparison of two means; the difference is after − before.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeanDifference {
    pub before_mean: f64,
    pub after_mean: f64,
    pub before_sd: f64,
    pub after_sd: f64,
    pub before_n: i64,
    pub after_n: i64,
    pub difference: f64,
    pub standard_error: f64,
    pub interval: Interval,
    /// Welch–Satterthwaite degrees of freedom (`n₁ + n₂ − 2` without any spread).
    pub degrees_of_freedom: f64,
    /// `None` when the standard error is 0.
    pub t_statistic: Option<f64>,
    /// Two-sided.
    pub p_value: f64,
    pub confidence: f64,
    /// `p < 1 − confidence`.
    pub significant: bool,
}

/// The two-proportion comparison; the difference is after − before.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProportionDifference {
    pub before_rate: f64,
    pub after_rate: f64,
    pub before_n: i64,
    pub after_n: i64,
    pub difference: f64,
    /// Newcombe's hybrid score interval.
    pub interval: Interval,
    /// `None` when the pooled standard error is 0 (all hits or none on both sides).
    pub z_statistic: Option<f64>,
    /// Two-sided.
    pub p_value: f64,
    pub confidence: f64,
    /// `p < 1 − confidence`.
    pub significant: bool,
}

/// Compares the mean `after` a change with the mean `before` it.
pub fn compare_means(
    before: &MeanSample,
    after: &MeanSample,
    confidence: Confidence,
) -> Comparison<MeanDifference> {
    if let Some(reason) = too_few(before.n, after.n) {
        return Comparison::Insufficient { reason };
    }
    let (Some((m1, v1)), Some((m2, v2))) = (mean_and_variance(before), mean_and_variance(after))
    else {
        return Comparison::Insufficient {
            reason: "the sums are not finite numbers".to_owned(),
        };
    };
    let (n1, n2) = (before.n as f64, after.n as f64);
    let difference = m2 - m1;
    let (w1, w2) = (v1 / n1, v2 / n2);
    let variance = w1 + w2;
    let standard_error = variance.sqrt();
    let denominator = w1 * w1 / (n1 - 1.0) + w2 * w2 / (n2 - 1.0);
    let degrees_of_freedom = if denominator > 0.0 && (variance * variance).is_finite() {
        variance * variance / denominator
    } else {
        n1 + n2 - 2.0
    };
    let (t_statistic, p_value, half_width) = if standard_error > 0.0 && difference.is_finite() {
        let t = difference / standard_error;
        let half = t_quantile(confidence.level(), degrees_of_freedom) * standard_error;
        (Some(t), t_two_sided_p(t, degrees_of_freedom), half)
    } else {
        (None, if difference == 0.0 { 1.0 } else { 0.0 }, 0.0)
    };
    if !(difference.is_finite() && half_width.is_finite()) {
        return Comparison::Insufficient {
            reason: "the sums are too large to compare".to_owned(),
        };
    }
    Comparison::Compared(MeanDifference {
        before_mean: m1,
        after_mean: m2,
        before_sd: v1.sqrt(),
        after_sd: v2.sqrt(),
        before_n: before.n,
        after_n: after.n,
        difference,
        standard_error,
        interval: Interval {
            low: difference - half_width,
            high: difference + half_width,
        },
        degrees_of_freedom,
        t_statistic,
        p_value,
        confidence: confidence.level(),
        significant: p_value < confidence.alpha(),
    })
}

/// Compares the proportion `after` a change with the proportion `before` it.
pub fn compare_proportions(
    before: &Proportion,
    after: &Proportion,
    confidence: Confidence,
) -> Comparison<ProportionDifference> {
    if let Some(reason) = too_few(before.n, after.n) {
        return Comparison::Insufficient { reason };
    }
    for (side, p) in [("before", before), ("after", after)] {
        if p.hits < 0 || p.hits > p.n {
            return Comparison::Insufficient {
                reason: format!("{side} has {} hits out of {}", p.hits, p.n),
            };
        }
    }
    let (n1, n2) = (before.n as f64, after.n as f64);
    let (p1, p2) = (before.hits as f64 / n1, after.hits as f64 / n2);
    let difference = p2 - p1;
    let pooled = (before.hits as f64 + after.hits as f64) / (n1 + n2);
    let standard_error = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
        .max(0.0)
        .sqrt();
    let (z_statistic, p_value) = if standard_error > 0.0 {
        let z = difference / standard_error;
        (Some(z), normal_two_sided_p(z))
    } else {
        // All hits or none on both sides: the rates are equal.
        (None, 1.0)
    };
    let z = normal_quantile(confidence.level());
    let (low1, high1) = wilson_at(p1, n1, z);
    let (low2, high2) = wilson_at(p2, n2, z);
    let interval = Interval {
        low: difference - (p2 - low2).hypot(high1 - p1),
        high: difference + (high2 - p2).hypot(p1 - low1),
    };
    Comparison::Compared(ProportionDifference {
        before_rate: p1,
        after_rate: p2,
        before_n: before.n,
        after_n: after.n,
        difference,
        interval,
        z_statistic,
        p_value,
        confidence: confidence.level(),
        significant: p_value < confidence.alpha(),
    })
}

fn too_few(before: i64, after: i64) -> Option<String> {
    let short: Vec<String> = [("before", before), ("after", after)]
        .into_iter()
        .filter(|(_, n)| *n < MIN_PER_SIDE)
        .map(|(side, n)| format!("{side} has {}", n.max(0)))
        .collect();
    (!short.is_empty()).then(|| {
        format!(
            "at least {MIN_PER_SIDE} observations are needed on each side; {}",
            short.join(", ")
        )
    })
}

/// Mean and sample variance (clamped at 0 against rounding); `None` when not finite.
fn mean_and_variance(sample: &MeanSample) -> Option<(f64, f64)> {
    let n = sample.n as f64;
    let mean = sample.sum / n;
    let variance = ((sample.sum_squares - sample.sum * mean) / (n - 1.0)).max(0.0);
    (mean.is_finite() && variance.is_finite()).then_some((mean, variance))
}

/// Which way is better for a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// CSAT, NPS, top-2-box.
    HigherIsBetter,
    /// A theme's share of comments, effort (CES), complaints.
    LowerIsBetter,
}

/// What a before/after comparison says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A significant move in the good direction.
    Improved,
    /// A significant move in the bad direction.
    Worsened,
    /// No significant difference.
    NoClearChange,
    /// Too few observations to tell.
    NotEnoughData,
}

impl Verdict {
    /// The verdict of a difference (after − before) that is or is not significant.
    pub fn judge(difference: f64, significant: bool, direction: Direction) -> Verdict {
        if !significant || difference == 0.0 || difference.is_nan() {
            return Verdict::NoClearChange;
        }
        let up = difference > 0.0;
        match (up, direction) {
            (true, Direction::HigherIsBetter) | (false, Direction::LowerIsBetter) => {
                Verdict::Improved
            }
            _ => Verdict::Worsened,
        }
    }
}

impl Comparison<MeanDifference> {
    pub fn verdict(&self, direction: Direction) -> Verdict {
        match self {
            Comparison::Compared(c) => Verdict::judge(c.difference, c.significant, direction),
            Comparison::Insufficient { .. } => Verdict::NotEnoughData,
        }
    }
}

impl Comparison<ProportionDifference> {
    pub fn verdict(&self, direction: Direction) -> Verdict {
        match self {
            Comparison::Compared(c) => Verdict::judge(c.difference, c.significant, direction),
            Comparison::Insufficient { .. } => Verdict::NotEnoughData,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Distributions.

/// The Wilson score interval for a share `p` of `n` trials at normal quantile `z`.
fn wilson_at(p: f64, n: f64, z: f64) -> (f64, f64) {
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).max(0.0).sqrt();
    (
        (centre - half).clamp(0.0, 1.0),
        (centre + half).clamp(0.0, 1.0),
    )
}

/// The cumulative distribution function of Student's t with `df` degrees of freedom (any
/// positive df, fractional included). A non-positive or NaN df is taken as 1; an infinite
/// one is the normal distribution; a NaN t gives 0.5.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    if t.is_nan() {
        return 0.5;
    }
    if df.is_infinite() {
        return normal_cdf(t);
    }
    let tail = t_two_sided_p(t, df) / 2.0;
    if t > 0.0 { 1.0 - tail } else { tail }
}

/// `P(|T_df| ≥ |t|)`: the two-sided p-value of a t statistic.
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    if t.is_nan() {
        return 1.0;
    }
    if t.is_infinite() {
        return 0.0;
    }
    let df = if df > 0.0 { df } else { 1.0 };
    if df.is_infinite() {
        return normal_two_sided_p(t);
    }
    let x = df / (df + t * t);
    regularized_incomplete_beta(df / 2.0, 0.5, x).clamp(0.0, 1.0)
}

/// The two-sided quantile of Student's t: the `t` with `P(|T_df| ≤ t) = confidence`, found by
/// bisection (to ~1e-12 relative). Infinite df gives the normal quantile.
pub fn t_quantile(confidence: f64, df: f64) -> f64 {
    let alpha = (1.0 - confidence).clamp(f64::MIN_POSITIVE, 1.0);
    if df.is_infinite() {
        return normal_quantile(confidence);
    }
    bisect_decreasing(|t| t_two_sided_p(t, df), alpha)
}

/// The standard normal cumulative distribution function.
pub fn normal_cdf(z: f64) -> f64 {
    if z.is_nan() {
        return 0.5;
    }
    let tail = normal_two_sided_p(z) / 2.0;
    if z > 0.0 { 1.0 - tail } else { tail }
}

/// `P(|Z| ≥ |z|) = erfc(|z| / √2) = Q(1/2, z² / 2)`.
pub fn normal_two_sided_p(z: f64) -> f64 {
    if z.is_nan() {
        return 1.0;
    }
    if z.is_infinite() {
        return 0.0;
    }
    regularized_upper_gamma(0.5, z * z / 2.0).clamp(0.0, 1.0)
}

/// The two-sided normal quantile: the `z` with `P(|Z| ≤ z) = confidence`.
pub fn normal_quantile(confidence: f64) -> f64 {
    let alpha = (1.0 - confidence).clamp(f64::MIN_POSITIVE, 1.0);
    bisect_decreasing(normal_two_sided_p, alpha)
}

/// The `x ≥ 0` where the decreasing `tail(x)` (with `tail(0) = 1`) equals `target`.
fn bisect_decreasing(tail: impl Fn(f64) -> f64, target: f64) -> f64 {
    let mut high = 1.0;
    while tail(high) > target && high < 1e300 {
        high *= 2.0;
    }
    let mut low = 0.0;
    for _ in 0..2000 {
        let middle = low + (high - low) / 2.0;
        if middle <= low || middle >= high {
            break;
        }
        if tail(middle) > target {
            low = middle;
        } else {
            high = middle;
        }
        if high - low <= 1e-13 * high {
            break;
        }
    }
    low + (high - low) / 2.0
}

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7, 9 terms; ~1e-15 relative).
fn ln_gamma(x: f64) -> f64 {
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = COEFFICIENTS[0];
    for (index, coefficient) in COEFFICIENTS.iter().enumerate().skip(1) {
        sum += coefficient / (x + index as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The regularized incomplete beta function `I_x(a, b)`, by its continued fraction
/// (modified Lentz), using the symmetry `I_x(a, b) = 1 − I_{1−x}(b, a)` where it converges
/// faster.
fn regularized_incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = a * x.ln() + b * (1.0 - x).ln() + ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b);
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPSILON: f64 = 1e-15;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=1000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let even = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + even * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + even / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let odd = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + odd * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + odd / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < EPSILON {
            break;
        }
    }
    h
}

/// The regularized upper incomplete gamma function `Q(a, x)`: by its series below `a + 1`,
/// by its continued fraction above.
fn regularized_upper_gamma(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let ln_front = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut denominator = a;
        for _ in 0..1000 {
            denominator += 1.0;
            term *= x / denominator;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        1.0 - sum * ln_front.exp()
    } else {
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..=1000 {
            let i = f64::from(i);
            let an = -i * (i - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let step = d * c;
            h *= step;
            if (step - 1.0).abs() < 1e-16 {
                break;
            }
        }
        ln_front.exp() * h
    }
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

    fn relative(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            ((actual - expected) / expected).abs() <= tolerance,
            "{actual} is not within {tolerance} (relative) of {expected}"
        );
    }

    fn compared<T: Copy + std::fmt::Debug>(c: &Comparison<T>) -> T {
        match c {
            Comparison::Compared(inner) => *inner,
            Comparison::Insufficient { reason } => panic!("not compared: {reason}"),
        }
    }

    #[test]
    fn the_t_cdf_matches_tables_and_a_reference_tool() {
        // Tables: t(10) 2.228 is the 97.5th percentile; exactly, P(T₁₀ ≤ 2.228) = 0.974994114
        // and P(T₁₀ ≤ 2.228139) = 0.975000006 (mpmath, 30 digits; the first also by numerical
        // integration of the density).
        close(t_cdf(2.228, 10.0), 0.975, 1e-5);
        close(t_cdf(2.228, 10.0), 0.974_994_114_091_444, 1e-12);
        close(t_cdf(2.228_139, 10.0), 0.975_000_006_273_559, 1e-12);
        // Closed forms: df 1 is Cauchy, P(T ≤ 1) = 3/4; df 2: ½ + t / (2√(2 + t²)), at 2
        // = 0.908248290463863.
        close(t_cdf(1.0, 1.0), 0.75, 1e-13);
        close(t_cdf(2.0, 2.0), 0.908_248_290_463_863, 1e-13);
        // More table points: t(5) 2.015048 → 0.95; t(30) 2.750 → 0.995 (0.995000052736534).
        close(t_cdf(2.015_048, 5.0), 0.949_999_976_182_542, 1e-12);
        close(t_cdf(2.75, 30.0), 0.995_000_052_736_534, 1e-12);
        // Fractional df and the lower tail (mpmath): P(T₃.₅ ≤ 1.5) = 0.891090906492327;
        // P(T₇ ≤ −2.5) = 0.0204961092928764.
        close(t_cdf(1.5, 3.5), 0.891_090_906_492_327, 1e-12);
        close(t_cdf(-2.5, 7.0), 0.020_496_109_292_876_4, 1e-13);
        close(t_cdf(0.0, 4.0), 0.5, 1e-15);
        // A tiny p-value keeps its relative precision: P(|T₂₀| ≥ 10) = 3.16378175871e-9.
        relative(t_two_sided_p(10.0, 20.0), 3.163_781_758_714_388e-9, 1e-9);
        // Huge df approaches the normal: P(T ≤ 0.3) at df 10⁶ = 0.617911391010503 (there
        // ln Γ of large arguments limits the precision to ~1e-10).
        close(t_cdf(0.3, 1e6), 0.617_911_391_010_503, 1e-9);
        close(t_cdf(1.959_963_984_540_054, f64::INFINITY), 0.975, 1e-14);
    }

    #[test]
    fn the_normal_cdf_matches_reference_values() {
        // Φ(1.959963984540054) = 0.975; Φ(−1) = 0.158655253931457 (mpmath).
        close(normal_cdf(1.959_963_984_540_054), 0.975, 1e-14);
        close(normal_cdf(-1.0), 0.158_655_253_931_457, 1e-14);
        close(normal_cdf(0.0), 0.5, 1e-15);
        close(normal_quantile(0.95), 1.959_963_984_540_054, 1e-10);
        close(normal_quantile(0.90), 1.644_853_626_951_473, 1e-10);
        // P(|Z| ≥ 6) = erfc(6 / √2) = 1.97317529007540e-9 (mpmath).
        relative(normal_two_sided_p(6.0), 1.973_175_290_075_396e-9, 1e-9);
    }

    #[test]
    fn t_quantiles_match_the_dashboard_table() {
        // `stats::t95` holds the two-sided 95% quantiles for df 1–30 to six decimals.
        for df in 1..=30 {
            let df = f64::from(df);
            close(t_quantile(0.95, df), crate::dashboard::stats::t95(df), 1e-6);
        }
        // And a 99% one: t(10) = 3.169273.
        close(t_quantile(0.99, 10.0), 3.169_273, 1e-6);
    }

    fn sample(values: &[f64]) -> MeanSample {
        MeanSample::of(values)
    }

    #[test]
    fn welch_matches_the_textbook_example() {
        // Wikipedia, "Welch's t-test", example 2 (also the reference tool): A₁ (n 15, mean
        // 20.82) against A₂ (n 15, mean 22.986667): difference 2.166667, se 0.882425,
        // t 2.455356, df 24.988529, p 0.021378; 95% interval with t(24.99) = 2.059586:
        // [0.349237, 3.984096].
        let a1 = sample(&[
            27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7,
            21.4,
        ]);
        let a2 = sample(&[
            27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5,
            24.4,
        ]);
        let c = compared(&compare_means(&a1, &a2, Confidence::NINETY_FIVE));
        close(c.before_mean, 20.82, 1e-12);
        close(c.after_mean, 22.986_666_666_666_667, 1e-12);
        close(c.difference, 2.166_666_666_666_667, 1e-12);
        close(c.standard_error, 0.882_424_510_013_755, 1e-10);
        close(c.degrees_of_freedom, 24.988_529_290_231_41, 1e-8);
        assert!(
            c.t_statistic
                .is_some_and(|t| (t - 2.455_356_398_286_005).abs() < 1e-9)
        );
        close(c.p_value, 0.021_378_001_462_867, 1e-9);
        close(c.interval.low, 0.349_237_066_192_405, 1e-8);
        close(c.interval.high, 3.984_096_267_140_928, 1e-8);
        assert!(c.significant);
        assert_eq!(
            compare_means(&a1, &a2, Confidence::NINETY_FIVE).verdict(Direction::HigherIsBetter),
            Verdict::Improved
        );
        // At 99% the interval [−0.293127, 4.626460] includes 0: not significant.
        let Ok(ninety_nine) = Confidence::new(0.99) else {
            panic!("0.99 is a confidence");
        };
        let c = compared(&compare_means(&a1, &a2, ninety_nine));
        close(c.interval.low, -0.293_127_127_881_098, 1e-8);
        close(c.interval.high, 4.626_460_461_214_432, 1e-8);
        assert!(!c.significant);
        // Swapped, the difference is negative: for a higher-is-better measure a worsening.
        let swapped = compare_means(&a2, &a1, Confidence::NINETY_FIVE);
        assert_eq!(
            swapped.verdict(Direction::HigherIsBetter),
            Verdict::Worsened
        );
        assert_eq!(swapped.verdict(Direction::LowerIsBetter), Verdict::Improved);
    }

    #[test]
    fn means_from_sums_alone_give_the_same_result() {
        // Σ A₁ = 312.3, Σ A₁² = 6612.23; Σ A₂ = 344.8, Σ A₂² = 7979.18.
        let before = MeanSample {
            n: 15,
            sum: 312.3,
            sum_squares: 6612.23,
        };
        let after = MeanSample {
            n: 15,
            sum: 344.8,
            sum_squares: 7979.18,
        };
        let c = compared(&compare_means(&before, &after, Confidence::NINETY_FIVE));
        close(c.p_value, 0.021_378_001_462_867, 1e-8);
    }

    #[test]
    fn samples_without_spread_are_decided_by_the_difference() {
        let fours = sample(&[4.0; 12]);
        let fives = sample(&[5.0; 12]);
        let c = compared(&compare_means(&fours, &fives, Confidence::NINETY_FIVE));
        assert_eq!((c.difference, c.t_statistic, c.p_value), (1.0, None, 0.0));
        assert_eq!((c.interval.low, c.interval.high), (1.0, 1.0));
        assert_eq!(c.degrees_of_freedom, 22.0);
        assert!(c.significant);
        let c = compared(&compare_means(&fours, &fours, Confidence::NINETY_FIVE));
        assert_eq!((c.p_value, c.significant), (1.0, false));
        assert_eq!(
            compare_means(&fours, &fours, Confidence::NINETY_FIVE)
                .verdict(Direction::HigherIsBetter),
            Verdict::NoClearChange
        );
    }

    #[test]
    fn fewer_than_ten_per_side_is_not_enough() {
        let nine = sample(&[4.0, 5.0, 3.0, 4.0, 5.0, 4.0, 4.0, 3.0, 5.0]);
        let ten = sample(&[4.0, 5.0, 3.0, 4.0, 5.0, 4.0, 4.0, 3.0, 5.0, 2.0]);
        let c = compare_means(&nine, &ten, Confidence::NINETY_FIVE);
        assert_eq!(
            c,
            Comparison::Insufficient {
                reason: "at least 10 observations are needed on each side; before has 9".to_owned()
            }
        );
        assert_eq!(c.verdict(Direction::HigherIsBetter), Verdict::NotEnoughData);
        assert!(matches!(
            compare_means(&ten, &ten, Confidence::NINETY_FIVE),
            Comparison::Compared(_)
        ));
        let empty = MeanSample::default();
        assert!(matches!(
            compare_means(&empty, &MeanSample { n: -3, ..empty }, Confidence::NINETY_FIVE),
            Comparison::Insufficient { reason } if reason.ends_with("before has 0, after has 0")
        ));
        let c = compare_proportions(
            &Proportion { hits: 1, n: 5 },
            &Proportion { hits: 3, n: 50 },
            Confidence::NINETY_FIVE,
        );
        assert_eq!(c.verdict(Direction::LowerIsBetter), Verdict::NotEnoughData);
    }

    #[test]
    fn broken_sums_are_refused_not_turned_into_nan() {
        let broken = MeanSample {
            n: 20,
            sum: f64::NAN,
            sum_squares: 10.0,
        };
        let fine = sample(&[3.0; 20]);
        assert!(matches!(
            compare_means(&broken, &fine, Confidence::NINETY_FIVE),
            Comparison::Insufficient { .. }
        ));
        let huge = MeanSample {
            n: 20,
            sum: f64::MAX,
            sum_squares: f64::MAX,
        };
        let result = compare_means(&huge, &fine, Confidence::NINETY_FIVE);
        if let Comparison::Compared(c) = result {
            assert!(c.difference.is_finite() && c.p_value.is_finite());
        }
        // Sums of squares below what the sum allows (a bad rollup): variance clamped to 0.
        let inconsistent = MeanSample {
            n: 20,
            sum: 80.0,
            sum_squares: 10.0,
        };
        let c = compared(&compare_means(
            &inconsistent,
            &fine,
            Confidence::NINETY_FIVE,
        ));
        assert_eq!(c.before_sd, 0.0);
    }

    #[test]
    fn proportions_use_the_z_test_and_newcombes_interval() {
        // A theme in 40 of 100 comments before and 25 of 100 after. Pooled 0.325,
        // se √(0.325 × 0.675 × 0.02) = 0.066238, z = −0.15 / 0.066238 = −2.264554,
        // p = 0.023540 (mpmath). Newcombe 95%: [−0.273130, −0.020133].
        let before = Proportion { hits: 40, n: 100 };
        let after = Proportion { hits: 25, n: 100 };
        let comparison = compare_proportions(&before, &after, Confidence::NINETY_FIVE);
        let c = compared(&comparison);
        close(c.difference, -0.15, 1e-12);
        assert!(
            c.z_statistic
                .is_some_and(|z| (z + 2.264_554_068_289_192).abs() < 1e-9)
        );
        close(c.p_value, 0.023_540_058_261_178, 1e-10);
        close(c.interval.low, -0.273_129_526_755_120, 1e-9);
        close(c.interval.high, -0.020_133_025_399_780, 1e-9);
        assert!(c.significant);
        // Lower is better for a theme's share: fewer mentions is an improvement.
        assert_eq!(
            comparison.verdict(Direction::LowerIsBetter),
            Verdict::Improved
        );
        assert_eq!(
            comparison.verdict(Direction::HigherIsBetter),
            Verdict::Worsened
        );
        // At 90%: z = 1.644854, Newcombe [−0.254171, −0.041038].
        let Ok(ninety) = Confidence::new(0.90) else {
            panic!("0.90 is a confidence");
        };
        let c = compared(&compare_proportions(&before, &after, ninety));
        close(c.interval.low, -0.254_170_739_510_061, 1e-9);
        close(c.interval.high, -0.041_037_962_612_493, 1e-9);
    }

    #[test]
    fn equal_or_degenerate_proportions_show_no_clear_change() {
        let none = Proportion { hits: 0, n: 30 };
        let comparison = compare_proportions(&none, &none, Confidence::NINETY_FIVE);
        let c = compared(&comparison);
        assert_eq!(
            (c.z_statistic, c.p_value, c.significant),
            (None, 1.0, false)
        );
        assert!(c.interval.low <= 0.0 && c.interval.high >= 0.0);
        assert_eq!(
            comparison.verdict(Direction::LowerIsBetter),
            Verdict::NoClearChange
        );
        let small = compare_proportions(
            &Proportion { hits: 5, n: 50 },
            &Proportion { hits: 6, n: 50 },
            Confidence::NINETY_FIVE,
        );
        assert_eq!(
            small.verdict(Direction::LowerIsBetter),
            Verdict::NoClearChange
        );
        let impossible = compare_proportions(
            &Proportion { hits: 11, n: 10 },
            &Proportion { hits: 1, n: 10 },
            Confidence::NINETY_FIVE,
        );
        assert!(matches!(impossible, Comparison::Insufficient { .. }));
    }

    #[test]
    fn confidence_must_be_between_zero_and_one() {
        for bad in [0.0, 1.0, -0.5, 95.0, f64::NAN] {
            assert!(Confidence::new(bad).is_err_and(|e| e.field == "confidence"));
        }
        let read: Result<Confidence, _> = serde_json::from_str("0.9");
        assert!(read.is_ok_and(|c| c.level() == 0.9));
        assert!(serde_json::from_str::<Confidence>("1.5").is_err());
    }

    #[test]
    fn comparisons_serialize_with_their_status() {
        let insufficient: Comparison<MeanDifference> = Comparison::Insufficient {
            reason: "x".to_owned(),
        };
        assert_eq!(
            serde_json::to_value(&insufficient).ok(),
            Some(serde_json::json!({"status": "insufficient", "reason": "x"}))
        );
        let ten = Proportion { hits: 5, n: 10 };
        let value = serde_json::to_value(compare_proportions(&ten, &ten, Confidence::NINETY_FIVE));
        assert!(value.is_ok_and(|v| v["status"] == "compared" && v["p_value"] == 1.0));
    }
}
