//! The geometry of the early-warning charts, drawn on the server as SVG: scales, round tick
//! values, path data and marker shapes. Pure functions; the template only places what they
//! compute, so no markup is built here.

use domain::early_warning::{ChartPoint, Metric};

/// Okabe–Ito blue: the series' line.
pub const BLUE: &str = "#0072B2";
/// Okabe–Ito vermillion: the decision limit and the signals.
pub const VERMILLION: &str = "#D55E00";
/// Okabe–Ito bluish green: the baseline level.
pub const GREEN: &str = "#009E73";

/// Shown instead of a chart when the series has no observation yet.
pub const NO_DATA: &str = "No data yet: the chart appears after the first response of this series.";

const WIDTH: f64 = 720.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 34.0;
const BOTTOM: f64 = 48.0;

/// A linear map from a data interval onto a pixel interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub domain: (f64, f64),
    pub range: (f64, f64),
}

impl Scale {
    /// A degenerate domain (a single value) is widened so that it still maps somewhere sane.
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Self {
        let (lo, hi) = domain;
        let domain = if (hi - lo).abs() < f64::EPSILON {
            (lo - 1.0, hi + 1.0)
        } else {
            domain
        };
        Self { domain, range }
    }

    pub fn map(&self, value: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        round1(r0 + (value - d0) / (d1 - d0) * (r1 - r0))
    }
}

/// Pixel coordinates to one decimal: enough for the eye, and short attribute values.
fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// A round step (1, 2 or 5 times a power of ten) giving about `target` intervals over `span`.
pub fn nice_step(span: f64, target: usize) -> f64 {
    let raw = span.abs() / target.max(1) as f64;
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let magnitude = 10_f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = match fraction {
        f if f <= 1.0 => 1.0,
        f if f <= 2.0 => 2.0,
        f if f <= 5.0 => 5.0,
        _ => 10.0,
    };
    nice * magnitude
}

/// An interval widened to whole steps, and the round ticks inside it.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> (f64, f64, Vec<f64>) {
    let (lo, hi) = if (hi - lo).abs() < f64::EPSILON {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo.min(hi), lo.max(hi))
    };
    let step = nice_step(hi - lo, target);
    let start = (lo / step).floor() * step;
    let end = (hi / step).ceil() * step;
    let count = ((end - start) / step).round() as usize;
    let ticks = (0..=count)
        // Recomputed from the index so that rounding errors do not accumulate.
        .map(|i| snap(start + i as f64 * step, step))
        .collect();
    (start, end, ticks)
}

/// `v` rounded to the precision of `step`, so that 0.30000000000000004 prints as 0.3.
fn snap(v: f64, step: f64) -> f64 {
    let decimals = decimals_for(step);
    let factor = 10_f64.powi(decimals as i32);
    let snapped = (v * factor).round() / factor;
    if snapped == 0.0 { 0.0 } else { snapped }
}

/// How many decimals a tick label needs for ticks `step` apart.
pub fn decimals_for(step: f64) -> usize {
    if step >= 1.0 || step <= 0.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    }
}

/// A tick: where it is drawn and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

/// A marked observation: a triangle (its shape, not only its colour, tells it apart).
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub x: f64,
    pub y: f64,
    pub path: String,
    pub title: String,
}

/// A horizontal reference line (decision limit, baseline).
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub y: f64,
    pub colour: &'static str,
}

/// One legend entry; `sample` is `line`, `dashed` or `marker`.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendItem {
    pub x: f64,
    pub sample: &'static str,
    pub colour: &'static str,
    pub label: String,
    pub marker_path: String,
}

/// Everything the template needs to draw one line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub id: &'static str,
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    pub x_title: String,
    pub y_title: String,
    /// Where the rotated y title is anchored.
    pub y_title_x: f64,
    pub y_title_y: f64,
    pub line: String,
    pub reference: Option<Reference>,
    pub markers: Vec<Marker>,
    pub legend: Vec<LegendItem>,
    pub legend_y: f64,
    pub title: String,
    pub description: String,
}

/// What is drawn for a series: a chart, or a message when there is nothing to draw.
#[derive(Debug, Clone, PartialEq)]
pub enum Figure {
    NoData(&'static str),
    Chart(Box<LineChart>),
}

impl Figure {
    pub fn chart(&self) -> Option<&LineChart> {
        match self {
            Figure::Chart(chart) => Some(chart),
            Figure::NoData(_) => None,
        }
    }

    pub fn message(&self) -> &'static str {
        match self {
            Figure::NoData(message) => message,
            Figure::Chart(_) => "",
        }
    }
}

/// Path data through `points` (already in pixels): `M x y L x y …`.
pub fn line_path(points: &[(f64, f64)]) -> String {
    let mut path = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        let command = if i == 0 { "M" } else { " L" };
        path.push_str(&format!("{command}{x} {y}"));
    }
    path
}

/// A triangle pointing up, centred on (x, y).
pub fn triangle(x: f64, y: f64, size: f64) -> String {
    let (top, base, half) = (round1(y - size), round1(y + size * 0.8), round1(size));
    format!(
        "M{x} {top} L{} {base} L{} {base} Z",
        round1(x + half),
        round1(x - half)
    )
}

/// The data drawn on the y axis, and the chart's other parts.
struct Series<'a> {
    id: &'static str,
    height: f64,
    points: &'a [ChartPoint],
    y: fn(&ChartPoint) -> f64,
    y_title: String,
    y_decimals_min: usize,
    line_label: String,
    reference: Option<(f64, String, &'static str)>,
    markers: bool,
    title: String,
    description: String,
}

fn draw(series: Series<'_>) -> Figure {
    let Some(last) = series.points.last() else {
        return Figure::NoData(NO_DATA);
    };
    let (bottom_px, top_px) = (series.height - BOTTOM, TOP);
    let (x_lo, x_hi, x_values) = nice_ticks(0.0, last.index.max(1) as f64, 6);
    let x = Scale::new((x_lo, x_hi), (LEFT, WIDTH - RIGHT));
    let values = series.points.iter().map(series.y);
    let reference = series.reference.as_ref().map(|r| r.0);
    let (lo, hi) = values
        .chain(reference)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let (y_lo, y_hi, y_values) = nice_ticks(lo, hi, 5);
    let y = Scale::new((y_lo, y_hi), (bottom_px, top_px));
    let x_decimals = decimals_for(nice_step(x_hi - x_lo, 6));
    let y_decimals = decimals_for(nice_step(y_hi - y_lo, 5)).max(series.y_decimals_min);
    let tick = |scale: Scale, decimals: usize| {
        move |v: f64| Tick {
            at: scale.map(v),
            label: format!("{v:.decimals$}"),
        }
    };
    let pixels: Vec<(f64, f64)> = series
        .points
        .iter()
        .map(|p| (x.map(p.index as f64), y.map((series.y)(p))))
        .collect();
    let markers = if series.markers {
        series
            .points
            .iter()
            .zip(&pixels)
            .filter(|(p, _)| p.signal)
            .map(|(p, &(mx, my))| Marker {
                x: mx,
                y: my,
                path: triangle(mx, my, 6.0),
                title: format!(
                    "Signal at response {}: statistic {:.2} above the limit {:.0}",
                    p.index, p.statistic, p.limit
                ),
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut legend = vec![("line", BLUE, series.line_label.clone())];
    if let Some((_, label, colour)) = &series.reference {
        legend.push(("dashed", *colour, label.clone()));
    }
    if series.markers {
        legend.push(("marker", VERMILLION, "Signal (trend alert)".to_owned()));
    }
    let legend_y = 14.0;
    let mut cursor = LEFT;
    let legend = legend
        .into_iter()
        .map(|(sample, colour, label)| {
            let item = LegendItem {
                x: cursor,
                sample,
                colour,
                marker_path: triangle(cursor + 12.0, legend_y, 5.0),
                label: label.clone(),
            };
            // About 6.5 px a character at the legend's font size, plus the sample.
            cursor = round1(cursor + 34.0 + label.chars().count() as f64 * 6.5 + 18.0);
            item
        })
        .collect();
    Figure::Chart(Box::new(LineChart {
        id: series.id,
        width: WIDTH,
        height: series.height,
        left: LEFT,
        right: WIDTH - RIGHT,
        top: top_px,
        bottom: bottom_px,
        x_ticks: x_values.into_iter().map(tick(x, x_decimals)).collect(),
        y_ticks: y_values.into_iter().map(tick(y, y_decimals)).collect(),
        x_title: "Response number in the series".to_owned(),
        y_title: series.y_title,
        y_title_x: 16.0,
        y_title_y: round1((top_px + bottom_px) / 2.0),
        line: line_path(&pixels),
        reference: series.reference.map(|(value, _, colour)| Reference {
            y: y.map(value),
            colour,
        }),
        markers,
        legend,
        legend_y,
        title: series.title,
        description: series.description,
    }))
}

/// The CUSUM statistic against its decision limit, with the signals marked.
pub fn cusum_chart(metric: Metric, points: &[ChartPoint]) -> Figure {
    let limit = points.last().map_or(0.0, |p| p.limit);
    let signals = points.iter().filter(|p| p.signal).count();
    draw(Series {
        id: "cusum",
        height: 300.0,
        points,
        y: |p| p.statistic,
        y_title: "CUSUM statistic".to_owned(),
        y_decimals_min: 0,
        line_label: "CUSUM statistic".to_owned(),
        reference: Some((limit, format!("Decision limit h = {limit}"), VERMILLION)),
        markers: true,
        title: format!("{}: CUSUM statistic by response", metric.label()),
        description: format!(
            "{} points up to response {}; the decision limit is {limit}; {signals} signal{}.",
            points.len(),
            points.last().map_or(0, |p| p.index),
            if signals == 1 { "" } else { "s" }
        ),
    })
}

/// The recent level (EWMA) against the baseline.
pub fn recent_chart(metric: Metric, points: &[ChartPoint], baseline: Option<f64>) -> Figure {
    let (unit, decimals) = match metric {
        Metric::CsatMean => ("Mean CSAT (recent)", 1),
        Metric::DetractorShare => ("Detractor share (recent)", 2),
    };
    draw(Series {
        id: "recent",
        height: 220.0,
        points,
        y: |p| p.recent,
        y_title: unit.to_owned(),
        y_decimals_min: decimals,
        line_label: "Recent level (EWMA, about 40 responses)".to_owned(),
        reference: baseline.map(|b| (b, format!("Baseline {b:.2}"), GREEN)),
        markers: false,
        title: format!("{}: recent level against the baseline", metric.label()),
        description: format!(
            "The recent level over {} points{}.",
            points.len(),
            baseline.map_or(String::new(), |b| format!("; the baseline is {b:.2}"))
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(index: u64, statistic: f64, signal: bool) -> ChartPoint {
        ChartPoint {
            index,
            statistic,
            limit: 32.0,
            recent: 4.0 - statistic / 100.0,
            signal,
        }
    }

    /// Whether every tick is a whole multiple of one step of 1, 2 or 5 times a power of ten.
    fn round_ticks(ticks: &[f64]) -> bool {
        let step = ticks[1] - ticks[0];
        let mantissa = step / 10_f64.powf(step.log10().floor());
        let whole = |v: f64| ((v / step) - (v / step).round()).abs() < 1e-6;
        [1.0, 2.0, 5.0].iter().any(|m| (mantissa - m).abs() < 1e-6)
            && ticks.iter().all(|t| whole(*t))
    }

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(100.0, 5), 20.0);
        assert_eq!(nice_step(37.0, 5), 10.0);
        assert_eq!(nice_step(0.9, 5), 0.2);
        assert_eq!(nice_step(1234.0, 6), 500.0);
        assert_eq!(nice_step(0.0, 5), 1.0);
    }

    #[test]
    fn ticks_are_round_numbers_covering_the_data() {
        let (lo, hi, ticks) = nice_ticks(3.71, 4.23, 5);
        assert!(lo <= 3.71 && hi >= 4.23);
        assert_eq!(ticks, vec![3.6, 3.8, 4.0, 4.2, 4.4]);
        let (_, _, ticks) = nice_ticks(0.0, 347.0, 6);
        assert_eq!(ticks, vec![0.0, 100.0, 200.0, 300.0, 400.0]);
        let (_, _, ticks) = nice_ticks(0.0, 347.0, 8);
        assert_eq!(
            ticks,
            (0..=7).map(|i| f64::from(i) * 50.0).collect::<Vec<_>>()
        );
        assert!(round_ticks(&ticks));
        let (_, _, ticks) = nice_ticks(0.013, 0.377, 5);
        assert!(round_ticks(&ticks));
        let (lo, hi, ticks) = nice_ticks(5.0, 5.0, 5);
        assert!(lo < 5.0 && hi > 5.0 && ticks.len() >= 2);
    }

    #[test]
    fn scales_map_the_domain_onto_the_range_and_survive_a_single_value() {
        let scale = Scale::new((0.0, 10.0), (100.0, 0.0));
        assert_eq!(scale.map(0.0), 100.0);
        assert_eq!(scale.map(10.0), 0.0);
        assert_eq!(scale.map(2.5), 75.0);
        let flat = Scale::new((3.0, 3.0), (0.0, 10.0));
        assert_eq!(flat.map(3.0), 5.0);
    }

    #[test]
    fn every_point_and_marker_lies_inside_the_plot_area() {
        let points: Vec<ChartPoint> = (1..=120)
            .map(|i| point(i * 5, (i as f64 - 60.0).max(0.0), i == 95))
            .collect();
        let figure = cusum_chart(Metric::CsatMean, &points);
        let chart = figure.chart().expect("a chart");
        let coordinates: Vec<(f64, f64)> = chart
            .line
            .split(['M', 'L'])
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                let mut parts = s.split_whitespace().map(|n| n.parse::<f64>().unwrap());
                (parts.next().unwrap(), parts.next().unwrap())
            })
            .collect();
        assert_eq!(coordinates.len(), points.len());
        let marked = chart.markers.iter().map(|m| (m.x, m.y));
        for (x, y) in coordinates.into_iter().chain(marked) {
            assert!((chart.left..=chart.right).contains(&x), "x {x}");
            assert!((chart.top..=chart.bottom).contains(&y), "y {y}");
        }
        assert_eq!(chart.markers.len(), 1);
        let limit = chart.reference.as_ref().expect("the limit line");
        assert!((chart.top..=chart.bottom).contains(&limit.y));
        assert!(chart.y_ticks.iter().any(|t| t.label == "0"));
        assert_eq!(chart.legend.len(), 3);
    }

    #[test]
    fn an_empty_series_is_a_message_instead_of_a_chart() {
        let figure = cusum_chart(Metric::CsatMean, &[]);
        assert_eq!(figure, Figure::NoData(NO_DATA));
        assert!(figure.chart().is_none());
        assert!(figure.message().starts_with("No data yet"));
        assert!(
            recent_chart(Metric::DetractorShare, &[], Some(0.2))
                .chart()
                .is_none()
        );
    }

    #[test]
    fn a_single_point_still_draws_inside_the_plot() {
        let figure = recent_chart(Metric::CsatMean, &[point(1, 0.0, false)], Some(4.0));
        let chart = figure.chart().expect("a chart");
        assert!(chart.line.starts_with('M') && !chart.line.contains('L'));
        assert!(chart.y_ticks.iter().all(|t| t.label.contains('.')));
    }

    #[test]
    fn path_data_and_markers_are_plain_numbers() {
        assert_eq!(line_path(&[(1.0, 2.0), (3.5, 4.0)]), "M1 2 L3.5 4");
        assert_eq!(triangle(10.0, 10.0, 5.0), "M10 5 L15 14 L5 14 Z");
    }
}
