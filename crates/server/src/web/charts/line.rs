//! The line chart of a measure over time: one line per series with gaps where a period has no
//! value, the first series' confidence band, hollow markers on small samples, and annotations
//! (alerts, escalations, solved cases) as vertical markers.

use super::axis::{self, Axis, Scale};
use super::frame::{self, GRID, HEADING, INK, LegendItem, MUTED, Swatch, WIDTH};
use super::markup::{Doc, chart_id, clean, num};
use super::{Annotation, Point, SMALL_SAMPLE, Series, colour, finite};
use annotations::{NOTE_ROW, place_notes};

mod annotations;

/// A line chart; `y_min..y_max` is the measure's natural range (1..5 for CSAT, -100..100 for
/// NPS), widened if data fall outside it.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy)]
pub struct LineChart<'a> {
    pub title: &'a str,
    pub y_label: &'a str,
    pub y_min: f64,
    pub y_max: f64,
    pub series: &'a [Series],
    pub annotations: &'a [Annotation],
}

const LEFT: f64 = 64.0;
const RIGHT: f64 = 40.0;
const PLOT_HEIGHT: f64 = 220.0;
const BOTTOM: f64 = 52.0;
const X_LABEL_CHARS: usize = 12;

/// The plot area and its scales.
struct Plot {
    slots: usize,
    slot: f64,
    top: f64,
    bottom: f64,
    axis: Axis,
    y: Scale,
    decimals: usize,
}

impl Plot {
    /// Periods sit in the middle of equal slots, so a single point is centred.
    fn x(&self, index: usize) -> f64 {
        LEFT + (index as f64 + 0.5) * self.slot
    }

    fn value(&self, value: f64) -> String {
        axis::fixed(value, self.decimals)
    }
}

/// The chart as an SVG document; a "no data" figure when no series has a point.
#[allow(dead_code)]
pub fn line_chart(chart: &LineChart) -> String {
    let slots = chart
        .series
        .iter()
        .map(|s| s.points.len())
        .max()
        .unwrap_or(0);
    if slots == 0 {
        return frame::no_data("line", chart.title);
    }
    let band = chart.series.first().is_some_and(has_band);
    let axis = axis::axis(chart.y_min, chart.y_max, drawn_values(chart), 5);
    let decimals = axis::value_decimals(&axis, values(chart));
    let legend = legend_items(chart, band, slots);
    let slot = (WIDTH - LEFT - RIGHT) / slots as f64;
    let notes = place_notes(chart.annotations, slots, slot);
    let rows = notes
        .iter()
        .filter_map(|n| n.row)
        .max()
        .map_or(0, |r| r + 1);
    let strip = if rows > 0 {
        rows as f64 * NOTE_ROW + 8.0
    } else {
        0.0
    };
    let top = HEADING + frame::legend_height(&legend) + 10.0 + strip;
    let bottom = top + PLOT_HEIGHT;
    let y = Scale::new(&axis, bottom, top);
    let plot = Plot {
        slots,
        slot,
        top,
        bottom,
        axis,
        y,
        decimals,
    };
    let id = chart_id(&id_parts(chart, slots));
    let mut doc = Doc::new();
    frame::open(
        &mut doc,
        &id,
        bottom + BOTTOM,
        chart.title,
        &describe(chart, &plot),
    );
    frame::legend(&mut doc, &legend, HEADING, "");
    y_axis(&mut doc, &plot, chart.y_label);
    x_axis(&mut doc, &plot, chart.series);
    annotations::draw(&mut doc, &plot, &notes, chart.series);
    if let Some(first) = chart.series.first().filter(|_| band) {
        draw_band(&mut doc, &plot, first);
    }
    for (i, series) in chart.series.iter().enumerate() {
        draw_line(&mut doc, &plot, series, colour(i));
    }
    for (i, series) in chart.series.iter().enumerate() {
        markers(&mut doc, &plot, series, colour(i));
    }
    if values(chart).next().is_none() {
        frame::message(
            &mut doc,
            LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
            top + PLOT_HEIGHT / 2.0,
        );
    }
    doc.finish()
}

fn has_band(series: &Series) -> bool {
    series.points.iter().any(|p| interval(p).is_some())
}

/// A point's interval, lower bound first, when both bounds are there.
fn interval(point: &Point) -> Option<(f64, f64)> {
    let (a, b) = (finite(point.low)?, finite(point.high)?);
    Some((a.min(b), a.max(b)))
}

fn values<'a>(chart: &'a LineChart) -> impl Iterator<Item = f64> + 'a {
    chart
        .series
        .iter()
        .flat_map(|s| &s.points)
        .filter_map(|p| finite(p.value))
}

/// Everything the axis must show: the values, and the first series' band.
fn drawn_values<'a>(chart: &'a LineChart) -> impl Iterator<Item = f64> + 'a {
    let band = chart
        .series
        .first()
        .into_iter()
        .flat_map(|s| &s.points)
        .filter_map(interval)
        .flat_map(|(lo, hi)| [lo, hi]);
    values(chart).chain(band)
}

fn id_parts<'a>(chart: &'a LineChart, slots: usize) -> Vec<&'a str> {
    let mut parts = vec!["line", chart.title, chart.y_label];
    parts.extend(chart.series.iter().map(|s| s.name.as_str()));
    parts.extend(
        chart
            .series
            .first()
            .and_then(|s| s.points.first())
            .map(|p| p.label.as_str()),
    );
    // The count of periods tells apart two charts of the same series over different spans.
    parts.push(["1", "2", "3", "many"][slots.clamp(1, 4) - 1]);
    parts
}

fn legend_items(chart: &LineChart, band: bool, slots: usize) -> Vec<LegendItem> {
    let mut items = Vec::new();
    let several = chart.series.len() > 1;
    if several {
        items.extend(chart.series.iter().enumerate().map(|(i, s)| LegendItem {
            swatch: Swatch::Line(colour(i)),
            label: clean(&s.name),
        }));
    }
    if let Some(first) = chart.series.first().filter(|_| band) {
        let label = if several {
            format!("{}: confidence interval", clean(&first.name))
        } else {
            "Confidence interval".to_owned()
        };
        items.push(LegendItem {
            swatch: Swatch::Band(colour(0)),
            label,
        });
    }
    let small = chart
        .series
        .iter()
        .flat_map(|s| &s.points)
        .any(|p| p.small && finite(p.value).is_some());
    if small {
        items.push(LegendItem {
            swatch: Swatch::Hollow,
            label: format!("Hollow marker: small sample ({SMALL_SAMPLE})"),
        });
    }
    for kind in [
        super::AnnotationKind::Alert,
        super::AnnotationKind::Escalation,
        super::AnnotationKind::Solved,
    ] {
        if chart
            .annotations
            .iter()
            .any(|a| a.kind == kind && a.at < slots)
        {
            items.push(LegendItem {
                swatch: Swatch::Annotation(kind),
                label: kind.name().to_owned(),
            });
        }
    }
    items
}

fn y_axis(doc: &mut Doc, plot: &Plot, title: &str) {
    let (left, right) = (num(LEFT), num(WIDTH - RIGHT));
    doc.open(
        "g",
        &[("class", "grid"), ("stroke", GRID), ("stroke-width", "1")],
    );
    for tick in &plot.axis.ticks {
        let y = num(plot.y.map(*tick));
        doc.leaf(
            "line",
            &[("x1", &left), ("x2", &right), ("y1", &y), ("y2", &y)],
        );
    }
    doc.close();
    doc.open(
        "g",
        &[
            ("class", "y-ticks"),
            ("font-size", "12"),
            ("fill", MUTED),
            ("text-anchor", "end"),
        ],
    );
    for tick in &plot.axis.ticks {
        let (x, y) = (num(LEFT - 8.0), num(plot.y.map(*tick) + 4.0));
        doc.element(
            "text",
            &[("x", &x), ("y", &y)],
            &plot.axis.tick_label(*tick),
        );
    }
    doc.close();
    if plot.axis.zero_inside() {
        let y = num(plot.y.map(0.0));
        doc.leaf(
            "line",
            &[
                ("class", "zero"),
                ("x1", &left),
                ("x2", &right),
                ("y1", &y),
                ("y2", &y),
                ("stroke", INK),
                ("stroke-width", "1.5"),
            ],
        );
    }
    let (x, y) = (16.0, (plot.top + plot.bottom) / 2.0);
    let rotate = format!("rotate(-90 {} {})", num(x), num(y));
    doc.label(
        &[
            ("class", "axis-title"),
            ("x", &num(x)),
            ("y", &num(y)),
            ("text-anchor", "middle"),
            ("font-size", "12"),
            ("fill", INK),
            ("transform", &rotate),
        ],
        title,
        (PLOT_HEIGHT / 7.0) as usize,
    );
}

/// The x axis: a label under every period when they fit, else under every k-th one.
fn x_axis(doc: &mut Doc, plot: &Plot, series: &[Series]) {
    let (bottom, left, right) = (num(plot.bottom), num(LEFT), num(WIDTH - RIGHT));
    doc.open(
        "g",
        &[("class", "axis"), ("stroke", MUTED), ("stroke-width", "1")],
    );
    doc.leaf(
        "line",
        &[
            ("x1", &left),
            ("x2", &left),
            ("y1", &num(plot.top)),
            ("y2", &bottom),
        ],
    );
    doc.leaf(
        "line",
        &[
            ("x1", &left),
            ("x2", &right),
            ("y1", &bottom),
            ("y2", &bottom),
        ],
    );
    doc.close();
    let labels: Vec<&str> = (0..plot.slots).map(|i| slot_label(series, i)).collect();
    let widest = labels
        .iter()
        .map(|l| clean(l).chars().count().min(X_LABEL_CHARS))
        .max()
        .unwrap_or(1);
    let every = ((widest as f64 * 6.6 + 10.0) / plot.slot).ceil().max(1.0) as usize;
    let (mark_end, text_y) = (num(plot.bottom + 5.0), num(plot.bottom + 19.0));
    doc.open(
        "g",
        &[
            ("class", "x-ticks"),
            ("font-size", "12"),
            ("fill", MUTED),
            ("text-anchor", "middle"),
        ],
    );
    for (i, label) in labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i.is_multiple_of(every))
    {
        let x = num(plot.x(i));
        doc.leaf(
            "line",
            &[
                ("x1", &x),
                ("x2", &x),
                ("y1", &bottom),
                ("y2", &mark_end),
                ("stroke", MUTED),
            ],
        );
        doc.label(&[("x", &x), ("y", &text_y)], label, X_LABEL_CHARS);
    }
    doc.close();
    doc.element(
        "text",
        &[
            ("class", "axis-title"),
            ("x", &num(LEFT + (WIDTH - LEFT - RIGHT) / 2.0)),
            ("y", &num(plot.bottom + 42.0)),
            ("text-anchor", "middle"),
            ("font-size", "12"),
            ("fill", INK),
        ],
        "Period",
    );
}

/// The label of period `index`: from the first series that has that period.
fn slot_label(series: &[Series], index: usize) -> &str {
    series
        .iter()
        .find_map(|s| s.points.get(index))
        .map_or("", |p| p.label.as_str())
}

/// Runs of consecutive indices for which `f` gives a value.
fn runs<T: Copy>(points: &[Point], f: impl Fn(&Point) -> Option<T>) -> Vec<Vec<(usize, T)>> {
    let mut runs: Vec<Vec<(usize, T)>> = Vec::new();
    let mut current = Vec::new();
    for (i, point) in points.iter().enumerate() {
        match f(point) {
            Some(v) => current.push((i, v)),
            None if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

fn draw_band(doc: &mut Doc, plot: &Plot, series: &Series) {
    let colour = colour(0);
    doc.open("g", &[("class", "band")]);
    for run in runs(&series.points, interval) {
        if let [(i, (lo, hi))] = run.as_slice() {
            let x = num(plot.x(*i));
            doc.leaf(
                "line",
                &[
                    ("x1", &x),
                    ("x2", &x),
                    ("y1", &num(plot.y.map(*lo))),
                    ("y2", &num(plot.y.map(*hi))),
                    ("stroke", colour),
                    ("stroke-opacity", "0.35"),
                    ("stroke-width", "6"),
                ],
            );
            continue;
        }
        let upper = run.iter().map(|(i, (_, hi))| (plot.x(*i), plot.y.map(*hi)));
        let lower = run
            .iter()
            .rev()
            .map(|(i, (lo, _))| (plot.x(*i), plot.y.map(*lo)));
        let d = format!("{} Z", path(upper.chain(lower)));
        doc.leaf(
            "path",
            &[("d", &d), ("fill", colour), ("fill-opacity", "0.2")],
        );
    }
    doc.close();
}

/// Path data through pixel points: `M x y L x y …`.
fn path(points: impl Iterator<Item = (f64, f64)>) -> String {
    let mut d = String::new();
    for (i, (x, y)) in points.enumerate() {
        d.push_str(if i == 0 { "M" } else { " L" });
        d.push_str(&num(x));
        d.push(' ');
        d.push_str(&num(y));
    }
    d
}

fn draw_line(doc: &mut Doc, plot: &Plot, series: &Series, colour: &str) {
    for run in runs(&series.points, |p| finite(p.value)) {
        // A lone value is drawn by its marker only.
        if run.len() < 2 {
            continue;
        }
        let d = path(run.iter().map(|(i, v)| (plot.x(*i), plot.y.map(*v))));
        doc.leaf(
            "path",
            &[
                ("class", "line"),
                ("d", &d),
                ("fill", "none"),
                ("stroke", colour),
                ("stroke-width", "2.5"),
                ("stroke-linejoin", "round"),
            ],
        );
    }
}

fn markers(doc: &mut Doc, plot: &Plot, series: &Series, colour: &str) {
    let r = (plot.slot / 3.0).clamp(2.0, 4.0);
    for (i, point) in series.points.iter().enumerate() {
        let Some(value) = finite(point.value) else {
            continue;
        };
        let linked = doc.open_link(point.link.as_deref());
        let class = if point.small { "point small" } else { "point" };
        doc.open("g", &[("class", class)]);
        doc.element("title", &[], &tooltip(plot, series, point, value));
        let radius = if point.small { r.max(3.0) } else { r };
        frame::circle(
            doc,
            plot.x(i),
            plot.y.map(value),
            radius,
            colour,
            point.small,
        );
        doc.close();
        if linked {
            doc.close();
        }
    }
}

fn tooltip(plot: &Plot, series: &Series, point: &Point, value: f64) -> String {
    let mut text = format!(
        "{}, {}: {} (n = {})",
        clean(&series.name),
        clean(&point.label),
        plot.value(value),
        point.n
    );
    if let Some((lo, hi)) = interval(point) {
        text.push_str(&format!(
            "; interval {} to {}",
            plot.value(lo),
            plot.value(hi)
        ));
    }
    if point.small {
        text.push_str(&format!("; small sample, {SMALL_SAMPLE}"));
    }
    text
}

/// The text alternative: what a reader would take from the chart at a glance.
fn describe(chart: &LineChart, plot: &Plot) -> String {
    let first = slot_label(chart.series, 0);
    let last = slot_label(chart.series, plot.slots - 1);
    let mut text = format!(
        "{} by period, {} to {}; axis from {} to {}.",
        clean(chart.y_label),
        clean(first),
        clean(last),
        plot.axis.tick_label(plot.axis.lo),
        plot.axis.tick_label(plot.axis.hi)
    );
    for series in chart.series {
        text.push(' ');
        text.push_str(&summary(plot, series));
    }
    let small = chart
        .series
        .iter()
        .flat_map(|s| &s.points)
        .filter(|p| p.small && finite(p.value).is_some())
        .count();
    if small > 0 {
        text.push_str(&format!(
            " {small} point{} rest on a small sample ({SMALL_SAMPLE}) and are drawn hollow.",
            if small == 1 { "" } else { "s" }
        ));
    }
    for annotation in chart.annotations.iter().filter(|a| a.at < plot.slots) {
        text.push_str(&format!(
            " {} at {}: {}.",
            annotation.kind.name(),
            clean(slot_label(chart.series, annotation.at)),
            clean(&annotation.label)
        ));
    }
    text
}

/// "Team Care: latest 4.2 (2026-11), lowest 3.9 (2026-08), highest 4.4 (2026-10)."
fn summary(plot: &Plot, series: &Series) -> String {
    let name = clean(&series.name);
    let valued: Vec<(&Point, f64)> = series
        .points
        .iter()
        .filter_map(|p| finite(p.value).map(|v| (p, v)))
        .collect();
    let (Some(latest), Some(low), Some(high)) = (
        valued.last(),
        valued.iter().min_by(|a, b| a.1.total_cmp(&b.1)),
        valued.iter().max_by(|a, b| a.1.total_cmp(&b.1)),
    ) else {
        return format!("{name}: no data.");
    };
    let at = |(p, v): &(&Point, f64)| format!("{} ({})", plot.value(*v), clean(&p.label));
    format!(
        "{name}: latest {}, lowest {}, highest {}.",
        at(latest),
        at(low),
        at(high)
    )
}
