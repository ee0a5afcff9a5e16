//! What every chart shares: the `<svg>` root with its accessible title and description, the
//! visible heading, the legend, the "no data" figure, and marker shapes.

use super::AnnotationKind;
use super::markup::{Doc, num};

/// The width of the drawing; the `<svg>` itself is as wide as its container.
pub(super) const WIDTH: f64 = 640.0;
pub(super) const INK: &str = "#1d2330";
pub(super) const MUTED: &str = "#5b6475";
pub(super) const GRID: &str = "#d9dee8";
/// Where the first legend row starts, under the heading.
pub(super) const HEADING: f64 = 30.0;

/// Shown in place of a chart's data.
pub(super) const NO_DATA: &str = "No data for this period";

const LEGEND_ROW: f64 = 18.0;
const LEGEND_CHARS: usize = 48;

/// Opens `<svg>` and writes its `<title>`, `<desc>` and the visible heading.
pub(super) fn open(doc: &mut Doc, id: &str, height: f64, title: &str, description: &str) {
    let view_box = format!("0 0 {} {}", num(WIDTH), num(height));
    let title_id = format!("{id}-title");
    let labelled_by = format!("{id}-title {id}-desc");
    let desc_id = format!("{id}-desc");
    doc.open(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("class", "chart"),
            ("viewBox", &view_box),
            ("width", "100%"),
            ("preserveAspectRatio", "xMidYMid meet"),
            ("role", "img"),
            ("aria-labelledby", &labelled_by),
            ("font-family", "system-ui, sans-serif"),
        ],
    );
    doc.element("title", &[("id", &title_id)], title);
    doc.element("desc", &[("id", &desc_id)], description);
    doc.label(
        &[
            ("x", "8"),
            ("y", "18"),
            ("font-size", "14"),
            ("font-weight", "600"),
            ("fill", INK),
        ],
        title,
        80,
    );
}

/// A whole figure saying there is nothing to draw, the size of a small chart.
pub(super) fn no_data(kind: &str, title: &str) -> String {
    let mut doc = Doc::new();
    let id = super::markup::chart_id(&[kind, title, "no data"]);
    open(
        &mut doc,
        &id,
        160.0,
        title,
        &format!("{title}: there is no data for this period."),
    );
    doc.leaf(
        "rect",
        &[
            ("x", "8"),
            ("y", "34"),
            ("width", &num(WIDTH - 16.0)),
            ("height", "110"),
            ("fill", "#f6f8fa"),
            ("stroke", GRID),
            ("stroke-dasharray", "4 4"),
        ],
    );
    message(&mut doc, WIDTH / 2.0, 95.0);
    doc.finish()
}

/// The "no data" message centred on (x, y).
pub(super) fn message(doc: &mut Doc, x: f64, y: f64) {
    doc.element(
        "text",
        &[
            ("class", "no-data"),
            ("x", &num(x)),
            ("y", &num(y)),
            ("text-anchor", "middle"),
            ("font-size", "15"),
            ("fill", MUTED),
        ],
        NO_DATA,
    );
}

/// What a legend entry shows before its label.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Swatch {
    Line(&'static str),
    Band(&'static str),
    Hollow,
    Hatched(&'static str),
    Annotation(AnnotationKind),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct LegendItem {
    pub swatch: Swatch,
    pub label: String,
}

/// Legend entries placed left to right, wrapping to new rows: `(x, row, item)`.
fn layout(items: &[LegendItem]) -> Vec<(f64, usize, &LegendItem)> {
    let (mut x, mut row) = (8.0, 0);
    let mut placed = Vec::with_capacity(items.len());
    for item in items {
        let chars = item.label.chars().count().min(LEGEND_CHARS) as f64;
        let width = 30.0 + chars * 6.6 + 18.0;
        if x > 8.0 && x + width > WIDTH - 8.0 {
            (x, row) = (8.0, row + 1);
        }
        placed.push((x, row, item));
        x += width;
    }
    placed
}

/// The height the legend takes, zero without entries.
pub(super) fn legend_height(items: &[LegendItem]) -> f64 {
    layout(items)
        .last()
        .map_or(0.0, |(_, row, _)| (*row + 1) as f64 * LEGEND_ROW)
}

/// The legend, its first row centred on `top + 9`.
pub(super) fn legend(doc: &mut Doc, items: &[LegendItem], top: f64, hatch: &str) {
    if items.is_empty() {
        return;
    }
    doc.open(
        "g",
        &[("class", "legend"), ("font-size", "12"), ("fill", INK)],
    );
    for (x, row, item) in layout(items) {
        let y = top + row as f64 * LEGEND_ROW + 9.0;
        swatch(doc, item.swatch, x, y, hatch);
        let (tx, ty) = (num(x + 30.0), num(y + 4.0));
        doc.label(&[("x", &tx), ("y", &ty)], &item.label, LEGEND_CHARS);
    }
    doc.close();
}

fn swatch(doc: &mut Doc, swatch: Swatch, x: f64, y: f64, hatch: &str) {
    let (x0, x1, ym) = (num(x), num(x + 24.0), num(y));
    match swatch {
        Swatch::Line(colour) => {
            doc.leaf(
                "line",
                &[
                    ("x1", &x0),
                    ("x2", &x1),
                    ("y1", &ym),
                    ("y2", &ym),
                    ("stroke", colour),
                    ("stroke-width", "2.5"),
                ],
            );
            circle(doc, x + 12.0, y, 3.5, colour, false);
        }
        Swatch::Band(colour) => rect(doc, x, y - 6.0, 24.0, 12.0, colour, "0.2"),
        Swatch::Hollow => circle(doc, x + 12.0, y, 4.0, INK, true),
        Swatch::Hatched(colour) => {
            rect(doc, x, y - 6.0, 24.0, 12.0, colour, "0.45");
            let fill = format!("url(#{hatch})");
            let (top, w, h) = (num(y - 6.0), num(24.0), num(12.0));
            doc.leaf(
                "rect",
                &[
                    ("x", &x0),
                    ("y", &top),
                    ("width", &w),
                    ("height", &h),
                    ("fill", &fill),
                ],
            );
        }
        Swatch::Annotation(kind) => {
            doc.leaf(
                "line",
                &[
                    ("x1", &num(x + 12.0)),
                    ("x2", &num(x + 12.0)),
                    ("y1", &num(y - 7.0)),
                    ("y2", &num(y + 7.0)),
                    ("stroke", kind.colour()),
                    ("stroke-width", "2"),
                    ("stroke-dasharray", "3 2"),
                ],
            );
            shape(doc, kind, x + 12.0, y - 2.0);
        }
    }
}

/// A filled rectangle with `opacity`.
pub(super) fn rect(doc: &mut Doc, x: f64, y: f64, w: f64, h: f64, colour: &str, opacity: &str) {
    doc.leaf(
        "rect",
        &[
            ("x", &num(x)),
            ("y", &num(y)),
            ("width", &num(w.max(0.0))),
            ("height", &num(h.max(0.0))),
            ("fill", colour),
            ("fill-opacity", opacity),
        ],
    );
}

/// A data marker: filled, or hollow (white inside, thicker outline) for a small sample.
pub(super) fn circle(doc: &mut Doc, x: f64, y: f64, r: f64, colour: &str, hollow: bool) {
    let (cx, cy, r) = (num(x), num(y), num(r));
    let (fill, width) = if hollow {
        ("#ffffff", "2")
    } else {
        (colour, "1")
    };
    let stroke = if hollow { colour } else { "#ffffff" };
    doc.leaf(
        "circle",
        &[
            ("cx", &cx),
            ("cy", &cy),
            ("r", &r),
            ("fill", fill),
            ("stroke", stroke),
            ("stroke-width", width),
        ],
    );
}

/// An annotation's shape, centred on (x, y): a triangle for an alert, a diamond for an
/// escalation, a circle for a solved case, so that kinds differ by more than colour.
pub(super) fn shape(doc: &mut Doc, kind: AnnotationKind, x: f64, y: f64) {
    let colour = kind.colour();
    let d = match kind {
        AnnotationKind::Alert => format!(
            "M{} {} L{} {} L{} {} Z",
            num(x),
            num(y - 5.0),
            num(x + 5.0),
            num(y + 4.0),
            num(x - 5.0),
            num(y + 4.0)
        ),
        AnnotationKind::Escalation => format!(
            "M{} {} L{} {} L{} {} L{} {} Z",
            num(x),
            num(y - 5.0),
            num(x + 5.0),
            num(y),
            num(x),
            num(y + 5.0),
            num(x - 5.0),
            num(y)
        ),
        AnnotationKind::Solved => return circle(doc, x, y, 4.5, colour, false),
    };
    doc.leaf("path", &[("d", &d), ("fill", colour)]);
}

/// The hatch drawn over small-sample bars, defined once per chart under `id`.
pub(super) fn hatch_pattern(doc: &mut Doc, id: &str) {
    doc.open("defs", &[]);
    doc.open(
        "pattern",
        &[
            ("id", id),
            ("width", "6"),
            ("height", "6"),
            ("patternUnits", "userSpaceOnUse"),
            ("patternTransform", "rotate(45)"),
        ],
    );
    doc.leaf(
        "line",
        &[
            ("x1", "0"),
            ("y1", "0"),
            ("x2", "0"),
            ("y2", "6"),
            ("stroke", "#ffffff"),
            ("stroke-width", "2.5"),
        ],
    );
    doc.close();
    doc.close();
}
