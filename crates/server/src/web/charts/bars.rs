//! The horizontal bar chart comparing teams, touchpoints or agents: labels on the left, the
//! value at the end of each bar, confidence whiskers, small samples lighter and hatched, and
//! each bar a link when it has one.

use super::axis::{self, Axis, Scale};
use super::frame::{self, GRID, HEADING, INK, LegendItem, MUTED, Swatch, WIDTH};
use super::markup::{Doc, chart_id, clean, num};
use super::{Bar, SMALL_SAMPLE, colour, finite};

/// A bar chart; `x_min..x_max` is the measure's natural range, widened if data fall outside.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy)]
pub struct BarChart<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub x_min: f64,
    pub x_max: f64,
    pub bars: &'a [Bar],
}

const RIGHT: f64 = 56.0;
const ROW: f64 = 26.0;
const BAR: f64 = 16.0;
const LABEL_CHARS: usize = 28;
const BOTTOM: f64 = 52.0;
/// Room a value printed left of a negative bar needs before it would cover the labels.
const VALUE_ROOM: f64 = 40.0;

struct Plot {
    left: f64,
    top: f64,
    bottom: f64,
    axis: Axis,
    x: Scale,
    /// Where bars start: zero when the axis holds it, else its nearer end.
    base: f64,
    decimals: usize,
}

impl Plot {
    fn value(&self, value: f64) -> String {
        axis::fixed(value, self.decimals)
    }
}

/// The chart as an SVG document; a "no data" figure when there is no bar.
#[allow(dead_code)]
pub fn bar_chart(chart: &BarChart) -> String {
    if chart.bars.is_empty() {
        return frame::no_data("bars", chart.title);
    }
    let plot = plot(chart);
    let small = chart.bars.iter().any(|b| b.small);
    let id = chart_id(&id_parts(chart));
    let hatch = format!("{id}-hatch");
    let note_top = plot.bottom + BOTTOM;
    let height = note_top + if small { 24.0 } else { 0.0 };
    let mut doc = Doc::new();
    frame::open(&mut doc, &id, height, chart.title, &describe(chart, &plot));
    if small {
        frame::hatch_pattern(&mut doc, &hatch);
    }
    x_axis(&mut doc, &plot, chart.x_label);
    for (i, bar) in chart.bars.iter().enumerate() {
        draw_bar(&mut doc, &plot, bar, i, &hatch);
    }
    if small {
        let note = [LegendItem {
            swatch: Swatch::Hatched(colour(0)),
            label: format!("Hatched, lighter bar: small sample ({SMALL_SAMPLE})"),
        }];
        frame::legend(&mut doc, &note, note_top, &hatch);
    }
    doc.finish()
}

fn plot(chart: &BarChart) -> Plot {
    let data = chart
        .bars
        .iter()
        .flat_map(|b| [Some(b.value), b.low, b.high]);
    let axis = axis::axis(chart.x_min, chart.x_max, data.filter_map(finite), 5);
    let decimals = axis::value_decimals(&axis, chart.bars.iter().map(|b| b.value));
    let widest = chart
        .bars
        .iter()
        .map(|b| clean(&b.label).chars().count().min(LABEL_CHARS))
        .max()
        .unwrap_or(0);
    let left = (widest as f64 * 6.8 + 8.0).clamp(48.0, 200.0) + 16.0;
    let top = HEADING + 8.0;
    let base = if axis.lo > 0.0 {
        axis.lo
    } else if axis.hi < 0.0 {
        axis.hi
    } else {
        0.0
    };
    Plot {
        left,
        top,
        bottom: top + chart.bars.len() as f64 * ROW,
        x: Scale::new(&axis, left, WIDTH - RIGHT),
        axis,
        base,
        decimals,
    }
}

fn id_parts<'a>(chart: &'a BarChart) -> Vec<&'a str> {
    let mut parts = vec!["bars", chart.title, chart.x_label];
    parts.extend(chart.bars.iter().take(3).map(|b| b.label.as_str()));
    parts
}

fn x_axis(doc: &mut Doc, plot: &Plot, title: &str) {
    let (top, bottom) = (num(plot.top), num(plot.bottom));
    doc.open(
        "g",
        &[("class", "grid"), ("stroke", GRID), ("stroke-width", "1")],
    );
    for tick in &plot.axis.ticks {
        let x = num(plot.x.map(*tick));
        doc.leaf(
            "line",
            &[("x1", &x), ("x2", &x), ("y1", &top), ("y2", &bottom)],
        );
    }
    doc.close();
    let (left, right) = (num(plot.left), num(WIDTH - RIGHT));
    doc.leaf(
        "line",
        &[
            ("class", "axis"),
            ("x1", &left),
            ("x2", &right),
            ("y1", &bottom),
            ("y2", &bottom),
            ("stroke", MUTED),
        ],
    );
    let text_y = num(plot.bottom + 19.0);
    doc.open(
        "g",
        &[
            ("class", "x-ticks"),
            ("font-size", "12"),
            ("fill", MUTED),
            ("text-anchor", "middle"),
        ],
    );
    for tick in &plot.axis.ticks {
        let x = num(plot.x.map(*tick));
        doc.element(
            "text",
            &[("x", &x), ("y", &text_y)],
            &plot.axis.tick_label(*tick),
        );
    }
    doc.close();
    let base = num(plot.x.map(plot.base));
    let (class, stroke, width) = if plot.base == 0.0 && plot.axis.zero_inside() {
        ("zero", INK, "1.5")
    } else {
        ("baseline", MUTED, "1")
    };
    doc.leaf(
        "line",
        &[
            ("class", class),
            ("x1", &base),
            ("x2", &base),
            ("y1", &top),
            ("y2", &bottom),
            ("stroke", stroke),
            ("stroke-width", width),
        ],
    );
    doc.label(
        &[
            ("class", "axis-title"),
            ("x", &num(plot.left + (WIDTH - RIGHT - plot.left) / 2.0)),
            ("y", &num(plot.bottom + 42.0)),
            ("text-anchor", "middle"),
            ("font-size", "12"),
            ("fill", INK),
        ],
        title,
        60,
    );
}

fn draw_bar(doc: &mut Doc, plot: &Plot, bar: &Bar, index: usize, hatch: &str) {
    let centre = plot.top + index as f64 * ROW + ROW / 2.0;
    let linked = doc.open_link(bar.link.as_deref());
    doc.open(
        "g",
        &[("class", if bar.small { "bar small" } else { "bar" })],
    );
    doc.element("title", &[], &tooltip(plot, bar));
    let (x, y) = (num(plot.left - 8.0), num(centre + 4.0));
    let mut attrs = vec![
        ("x", x.as_str()),
        ("y", y.as_str()),
        ("text-anchor", "end"),
        ("font-size", "12"),
        ("fill", INK),
    ];
    if linked {
        attrs.push(("text-decoration", "underline"));
    }
    doc.label(&attrs, &bar.label, LABEL_CHARS);
    match finite(Some(bar.value)) {
        Some(value) => draw_value(doc, plot, bar, value, centre, hatch),
        None => doc.element(
            "text",
            &[
                ("x", &num(plot.x.map(plot.base) + 6.0)),
                ("y", &y),
                ("font-size", "12"),
                ("fill", MUTED),
            ],
            "no data",
        ),
    }
    doc.close();
    if linked {
        doc.close();
    }
}

fn draw_value(doc: &mut Doc, plot: &Plot, bar: &Bar, value: f64, centre: f64, hatch: &str) {
    let (from, to) = (plot.x.map(plot.base), plot.x.map(value));
    let (x, width) = (from.min(to), (to - from).abs().max(1.0));
    let opacity = if bar.small { "0.45" } else { "1" };
    frame::rect(doc, x, centre - BAR / 2.0, width, BAR, colour(0), opacity);
    if bar.small {
        let fill = format!("url(#{hatch})");
        let (x, y, w, h) = (num(x), num(centre - BAR / 2.0), num(width), num(BAR));
        doc.leaf(
            "rect",
            &[
                ("x", &x),
                ("y", &y),
                ("width", &w),
                ("height", &h),
                ("fill", &fill),
            ],
        );
    }
    let whisker = interval(bar).map(|(lo, hi)| (plot.x.map(lo), plot.x.map(hi)));
    if let Some((lo, hi)) = whisker {
        draw_whisker(doc, lo, hi, centre);
    }
    let (lo, hi) = whisker.unwrap_or((to, to));
    let (tx, anchor) = if value >= plot.base {
        (to.max(hi) + 6.0, "start")
    } else if to.min(lo) - 6.0 - plot.left >= VALUE_ROOM {
        (to.min(lo) - 6.0, "end")
    } else {
        // No room left of a long negative bar: print the value on the other side of zero.
        (from + 6.0, "start")
    };
    doc.element(
        "text",
        &[
            ("class", "value"),
            ("x", &num(tx)),
            ("y", &num(centre + 4.0)),
            ("text-anchor", anchor),
            ("font-size", "12"),
            ("fill", INK),
        ],
        &plot.value(value),
    );
}

/// A bar's interval, lower bound first, when both bounds are there.
fn interval(bar: &Bar) -> Option<(f64, f64)> {
    let (a, b) = (finite(bar.low)?, finite(bar.high)?);
    Some((a.min(b), a.max(b)))
}

/// The interval as a line with end caps.
fn draw_whisker(doc: &mut Doc, lo: f64, hi: f64, centre: f64) {
    let (y, cap_top, cap_bottom) = (num(centre), num(centre - 5.0), num(centre + 5.0));
    let d = format!(
        "M{lo} {cap_top} L{lo} {cap_bottom} M{lo} {y} L{hi} {y} M{hi} {cap_top} L{hi} {cap_bottom}",
        lo = num(lo),
        hi = num(hi)
    );
    doc.leaf(
        "path",
        &[
            ("class", "whisker"),
            ("d", &d),
            ("fill", "none"),
            ("stroke", INK),
            ("stroke-width", "1.5"),
        ],
    );
}

fn tooltip(plot: &Plot, bar: &Bar) -> String {
    let label = clean(&bar.label);
    if finite(Some(bar.value)).is_none() {
        return format!("{label}: no data");
    }
    let mut text = format!("{label}: {} (n = {})", plot.value(bar.value), bar.n);
    if let Some((lo, hi)) = interval(bar) {
        text.push_str(&format!(
            "; interval {} to {}",
            plot.value(lo),
            plot.value(hi)
        ));
    }
    if bar.small {
        text.push_str(&format!("; small sample, {SMALL_SAMPLE}"));
    }
    text
}

/// The text alternative: every bar's value, up to thirty of them.
fn describe(chart: &BarChart, plot: &Plot) -> String {
    const LISTED: usize = 30;
    let mut text = format!(
        "{} for {} bar{}; axis from {} to {}.",
        clean(chart.x_label),
        chart.bars.len(),
        if chart.bars.len() == 1 { "" } else { "s" },
        plot.axis.tick_label(plot.axis.lo),
        plot.axis.tick_label(plot.axis.hi)
    );
    let listed: Vec<String> = chart
        .bars
        .iter()
        .take(LISTED)
        .map(|b| tooltip(plot, b))
        .collect();
    text.push(' ');
    text.push_str(&listed.join(". "));
    text.push('.');
    if chart.bars.len() > LISTED {
        text.push_str(&format!(" And {} more.", chart.bars.len() - LISTED));
    }
    text
}
