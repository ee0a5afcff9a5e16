//! Server-side SVG charts for the dashboards: a line chart of a measure over time and a
//! horizontal bar chart comparing teams, touchpoints or agents, and the importance ×
//! performance chart of key driver analysis. Pure functions from data to an
//! SVG string, readable without JavaScript and scaled to the page width. Pages embed the string
//! as it is (`{{ chart|safe }}`), which is sound because every label and attribute value is
//! escaped when written (see `markup`).

mod axis;
mod bars;
mod frame;
mod line;
mod markup;
mod quadrant;
#[cfg(test)]
mod tests;

pub use bars::{BarChart, bar_chart};
pub use line::{LineChart, line_chart};
pub use quadrant::{QuadrantChart, QuadrantPoint, quadrant_chart};

/// The Okabe–Ito palette, told apart with the common colour-vision deficiencies; series take
/// the colours in this order.
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
];

/// What a point or a bar based on a small sample is marked with, in the legend or the note.
pub const SMALL_SAMPLE: &str = "n < 30";

/// One period of a series: `value` is `None` (or not finite) for a period without data, drawn
/// as a gap; `low`/`high` bound the confidence interval (drawn for the first series).
#[allow(dead_code)]
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The x label, e.g. "2026-11" or "12 Nov".
    pub label: String,
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// How many observations the value rests on (shown in the tooltip).
    pub n: i64,
    /// Drawn as a hollow marker: the caller decides, usually `n < 30`.
    pub small: bool,
    /// Where a click on the point leads; only relative and http(s) links are emitted.
    pub link: Option<String>,
}

/// A named line; series share the x axis by index, so their points should be aligned.
#[allow(dead_code)]
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<Point>,
}

/// A vertical marker at an index of the x axis (an alert raised, a case escalated or solved).
#[allow(dead_code)]
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    pub at: usize,
    pub label: String,
    pub kind: AnnotationKind,
}

#[allow(dead_code)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnotationKind {
    Alert,
    Escalation,
    Solved,
}

impl AnnotationKind {
    fn name(self) -> &'static str {
        match self {
            Self::Alert => "Alert",
            Self::Escalation => "Escalation",
            Self::Solved => "Solved",
        }
    }

    fn class(self) -> &'static str {
        match self {
            Self::Alert => "annotation alert",
            Self::Escalation => "annotation escalation",
            Self::Solved => "annotation solved",
        }
    }

    /// Okabe–Ito colours not taken by the first series; the shape tells kinds apart as well.
    fn colour(self) -> &'static str {
        match self {
            Self::Alert => "#D55E00",
            Self::Escalation => "#E69F00",
            Self::Solved => "#009E73",
        }
    }
}

/// One bar: `low`/`high` draw a confidence whisker; a `small` bar is lighter and hatched.
#[allow(dead_code)]
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub n: i64,
    pub small: bool,
    pub link: Option<String>,
}

/// A series' colour: the palette in order, starting again after eight.
fn colour(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

/// `value` if there is one to draw.
fn finite(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite())
}
