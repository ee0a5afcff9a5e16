//! The importance × performance chart of key driver analysis: each driver a labelled point,
//! importance (share of R²) across, performance (mean rating) up, with dashed lines at the
//! average importance and the average performance. Drivers right of the first line and below
//! the second — important and weak — are where to act first; the quadrants are named.

use super::axis::{self, Scale};
use super::colour;
use super::frame::{self, GRID, HEADING, INK, MUTED, WIDTH};
use super::markup::{Doc, chart_id, num};

/// One driver on the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct QuadrantPoint {
    pub label: String,
    /// Across: share of R², 0 to 1.
    pub importance: f64,
    /// Up: mean rating.
    pub performance: f64,
    /// Drawn hollow: the interval of its importance is wide or its sample small.
    pub uncertain: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct QuadrantChart<'a> {
    pub title: &'a str,
    pub y_min: f64,
    pub y_max: f64,
    pub points: &'a [QuadrantPoint],
}

const LEFT: f64 = 56.0;
const RIGHT: f64 = 24.0;
const PLOT_HEIGHT: f64 = 300.0;
const LABEL_CHARS: usize = 22;

/// The chart as an SVG document; a "no data" figure without points.
pub fn quadrant_chart(chart: &QuadrantChart) -> String {
    let points: Vec<&QuadrantPoint> = chart
        .points
        .iter()
        .filter(|p| p.importance.is_finite() && p.performance.is_finite())
        .collect();
    if points.is_empty() {
        return frame::no_data("quadrant", chart.title);
    }
    let top = HEADING + 12.0;
    let bottom = top + PLOT_HEIGHT;
    let x_axis = axis::axis(0.0, 0.0, points.iter().map(|p| p.importance * 100.0), 5);
    let y_axis = axis::axis(
        chart.y_min,
        chart.y_max,
        points.iter().map(|p| p.performance),
        5,
    );
    let x = Scale::new(&x_axis, LEFT, WIDTH - RIGHT);
    let y = Scale::new(&y_axis, bottom, top);
    let mean_importance =
        points.iter().map(|p| p.importance * 100.0).sum::<f64>() / points.len() as f64;
    let mean_performance = points.iter().map(|p| p.performance).sum::<f64>() / points.len() as f64;
    let mut parts = vec!["quadrant", chart.title];
    parts.extend(points.iter().take(3).map(|p| p.label.as_str()));
    let id = chart_id(&parts);
    let description = format!(
        "{} drivers: importance as a share of R² across, mean rating up. {}",
        points.len(),
        points
            .iter()
            .map(|p| format!(
                "{} {:.0}% of R², mean {:.2}",
                p.label,
                p.importance * 100.0,
                p.performance
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let height = bottom + 48.0;
    let mut doc = Doc::new();
    frame::open(&mut doc, &id, height, chart.title, &description);
    grid(&mut doc, &x_axis, &y_axis, &x, &y, top, bottom);
    let (vx, hy) = (x.map(mean_importance), y.map(mean_performance));
    for (x1, x2, y1, y2) in [(vx, vx, top, bottom), (LEFT, WIDTH - RIGHT, hy, hy)] {
        doc.leaf(
            "line",
            &[
                ("class", "average"),
                ("x1", &num(x1)),
                ("x2", &num(x2)),
                ("y1", &num(y1)),
                ("y2", &num(y2)),
                ("stroke", MUTED),
                ("stroke-dasharray", "5 4"),
            ],
        );
    }
    let corner = |doc: &mut Doc, x: f64, y: f64, anchor: &str, text: &str| {
        doc.element(
            "text",
            &[
                ("class", "quadrant-name"),
                ("x", &num(x)),
                ("y", &num(y)),
                ("text-anchor", anchor),
                ("font-size", "11"),
                ("fill", MUTED),
            ],
            text,
        );
    };
    corner(
        &mut doc,
        WIDTH - RIGHT - 4.0,
        bottom - 6.0,
        "end",
        "Fix first: important, weak",
    );
    corner(
        &mut doc,
        WIDTH - RIGHT - 4.0,
        top + 12.0,
        "end",
        "Keep up: important, strong",
    );
    corner(
        &mut doc,
        LEFT + 4.0,
        bottom - 6.0,
        "start",
        "Watch: less important, weak",
    );
    corner(
        &mut doc,
        LEFT + 4.0,
        top + 12.0,
        "start",
        "Maintain: less important, strong",
    );
    for (i, point) in points.iter().enumerate() {
        let (px, py) = (x.map(point.importance * 100.0), y.map(point.performance));
        doc.open("g", &[("class", "driver")]);
        doc.element(
            "title",
            &[],
            &format!(
                "{}: {:.1}% of R², mean rating {:.2}{}",
                point.label,
                point.importance * 100.0,
                point.performance,
                if point.uncertain { " (uncertain)" } else { "" }
            ),
        );
        frame::circle(&mut doc, px, py, 6.0, colour(i), point.uncertain);
        let anchor = if px > WIDTH - 160.0 { "end" } else { "start" };
        let dx = if anchor == "end" { -9.0 } else { 9.0 };
        doc.label(
            &[
                ("x", &num(px + dx)),
                ("y", &num(py + 4.0)),
                ("text-anchor", anchor),
                ("font-size", "12"),
                ("fill", INK),
            ],
            &point.label,
            LABEL_CHARS,
        );
        doc.close();
    }
    doc.element(
        "text",
        &[
            ("class", "axis-title"),
            ("x", &num(LEFT + (WIDTH - RIGHT - LEFT) / 2.0)),
            ("y", &num(bottom + 40.0)),
            ("text-anchor", "middle"),
            ("font-size", "12"),
            ("fill", INK),
        ],
        "Importance (share of R², %)",
    );
    doc.finish()
}

fn grid(
    doc: &mut Doc,
    x_axis: &axis::Axis,
    y_axis: &axis::Axis,
    x: &Scale,
    y: &Scale,
    top: f64,
    bottom: f64,
) {
    doc.open(
        "g",
        &[("class", "grid"), ("stroke", GRID), ("stroke-width", "1")],
    );
    for tick in &x_axis.ticks {
        let at = num(x.map(*tick));
        doc.leaf(
            "line",
            &[
                ("x1", &at),
                ("x2", &at),
                ("y1", &num(top)),
                ("y2", &num(bottom)),
            ],
        );
    }
    for tick in &y_axis.ticks {
        let at = num(y.map(*tick));
        doc.leaf(
            "line",
            &[
                ("x1", &num(LEFT)),
                ("x2", &num(WIDTH - RIGHT)),
                ("y1", &at),
                ("y2", &at),
            ],
        );
    }
    doc.close();
    doc.open(
        "g",
        &[("class", "ticks"), ("font-size", "12"), ("fill", MUTED)],
    );
    for tick in &x_axis.ticks {
        doc.element(
            "text",
            &[
                ("x", &num(x.map(*tick))),
                ("y", &num(bottom + 18.0)),
                ("text-anchor", "middle"),
            ],
            &x_axis.tick_label(*tick),
        );
    }
    for tick in &y_axis.ticks {
        doc.element(
            "text",
            &[
                ("x", &num(LEFT - 8.0)),
                ("y", &num(y.map(*tick) + 4.0)),
                ("text-anchor", "end"),
            ],
            &y_axis.tick_label(*tick),
        );
    }
    doc.close();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drivers_are_points_with_escaped_labels_and_named_quadrants() {
        let points = [
            QuadrantPoint {
                label: "Timeliness".into(),
                importance: 0.42,
                performance: 3.6,
                uncertain: false,
            },
            QuadrantPoint {
                label: "<script>alert(1)</script>".into(),
                importance: 0.05,
                performance: 4.4,
                uncertain: true,
            },
        ];
        let svg = quadrant_chart(&QuadrantChart {
            title: "What drives satisfaction",
            y_min: 1.0,
            y_max: 5.0,
            points: &points,
        });
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("Fix first: important, weak"));
        assert!(svg.contains("Timeliness: 42.0% of R²"));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        let empty = quadrant_chart(&QuadrantChart {
            title: "Nothing",
            y_min: 1.0,
            y_max: 5.0,
            points: &[],
        });
        assert!(empty.contains(frame::NO_DATA));
    }
}
