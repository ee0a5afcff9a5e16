//! Value axes: the interval shown, round tick values (1, 2 or 5 times a power of ten) and how
//! numbers on the axis and on the data are printed.

/// A linear map from a value interval onto a pixel interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    pub(super) fn new(axis: &Axis, r0: f64, r1: f64) -> Self {
        Self {
            d0: axis.lo,
            d1: axis.hi,
            r0,
            r1,
        }
    }

    /// Values outside the axis are held at its ends.
    pub(super) fn map(&self, value: f64) -> f64 {
        let t = ((value - self.d0) / (self.d1 - self.d0)).clamp(0.0, 1.0);
        if t.is_finite() {
            self.r0 + t * (self.r1 - self.r0)
        } else {
            self.r0
        }
    }
}

/// The interval drawn and its ticks; `lo < hi` always, and both are finite.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    pub decimals: usize,
}

impl Axis {
    /// Where the zero line goes, when zero is strictly inside the axis.
    pub(super) fn zero_inside(&self) -> bool {
        self.lo < 0.0 && self.hi > 0.0
    }

    pub(super) fn tick_label(&self, value: f64) -> String {
        fixed(value, self.decimals)
    }
}

/// The axis over `min..max` (the metric's natural range), widened to any data outside it and
/// to round ticks; about `target` intervals.
pub(super) fn axis(min: f64, max: f64, data: impl IntoIterator<Item = f64>, target: usize) -> Axis {
    let (lo, hi) = span(min, max, data);
    let step = nice_step(hi - lo, target);
    let start = whole_steps(lo / step, f64::floor) * step;
    let end = whole_steps(hi / step, f64::ceil) * step;
    let count = (((end - start) / step).round() as usize).clamp(1, 50);
    let decimals = decimals_for(step);
    let ticks = (0..=count)
        .map(|i| snap(start + i as f64 * step, decimals))
        .collect();
    Axis {
        lo: start,
        hi: start + count as f64 * step,
        ticks,
        decimals,
    }
}

fn span(min: f64, max: f64, data: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let given = min.is_finite() && max.is_finite() && min < max;
    let start = if given {
        (min, max)
    } else {
        (f64::INFINITY, f64::NEG_INFINITY)
    };
    let (lo, hi) = data
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(start, |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    if hi - lo > f64::EPSILON * lo.abs().max(1.0) {
        return (lo, hi);
    }
    // A single value: show it with room around it, from zero when it is positive.
    let pad = if lo == 0.0 { 1.0 } else { lo.abs() / 2.0 };
    let bottom = if lo >= 0.0 {
        (lo - pad).max(0.0)
    } else {
        lo - pad
    };
    (bottom, hi + pad)
}

/// `q` rounded to a whole number of steps: to the nearest one when it is one already (so that
/// 0.3 / 0.1 = 2.9999999999999996 counts as 3), else by `round`.
fn whole_steps(q: f64, round: fn(f64) -> f64) -> f64 {
    if (q - q.round()).abs() < 1e-9 {
        q.round()
    } else {
        round(q)
    }
}

/// A round step (1, 2 or 5 times a power of ten) giving about `target` intervals over `span`.
pub(super) fn nice_step(span: f64, target: usize) -> f64 {
    let raw = span.abs() / target.max(1) as f64;
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let magnitude = 10_f64.powf(raw.log10().floor());
    let nice = match raw / magnitude {
        f if f <= 1.0 => 1.0,
        f if f <= 2.0 => 2.0,
        f if f <= 5.0 => 5.0,
        _ => 10.0,
    };
    nice * magnitude
}

/// How many decimals tick labels need for ticks `step` apart.
pub(super) fn decimals_for(step: f64) -> usize {
    if step >= 1.0 || step <= 0.0 || !step.is_finite() {
        0
    } else {
        (-step.log10().floor()).min(6.0) as usize
    }
}

/// `value` rounded to `decimals`, so that 0.30000000000000004 is 0.3 and -0 is 0.
fn snap(value: f64, decimals: usize) -> f64 {
    let factor = 10_f64.powi(decimals as i32);
    let snapped = (value * factor).round() / factor;
    if snapped == 0.0 { 0.0 } else { snapped }
}

/// `value` with `decimals` decimals; never "-0", "NaN" or "inf".
pub(super) fn fixed(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "–".to_owned();
    }
    let value = snap(value, decimals);
    format!("{value:.decimals$}")
}

/// Decimals for data values: none when every value is whole (counts, NPS), else one more than
/// the axis ticks need (a mean CSAT of 4.23 on ticks 1, 2, 3 prints as 4.2), at most two.
pub(super) fn value_decimals(axis: &Axis, values: impl IntoIterator<Item = f64>) -> usize {
    let whole = values
        .into_iter()
        .filter(|v| v.is_finite())
        .all(|v| (v - v.round()).abs() < 1e-9);
    if whole { 0 } else { (axis.decimals + 1).min(2) }
}
