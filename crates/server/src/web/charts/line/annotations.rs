//! Annotations on the line chart (an alert raised, a case escalated or solved): where their
//! labels go above the plot, and how they are drawn.

use super::{LEFT, Plot, slot_label};
use crate::web::charts::frame::{self, INK, WIDTH};
use crate::web::charts::markup::{Doc, clean, num, truncate};
use crate::web::charts::{Annotation, Series};

const NOTE_CHARS: usize = 14;
pub(super) const NOTE_ROW: f64 = 13.0;
const NOTE_ROWS: usize = 3;

/// An annotation placed on the plot; `row` is its label's row above the plot, if it fits.
pub(super) struct Note<'a> {
    pub x: f64,
    pub row: Option<usize>,
    pub annotation: &'a Annotation,
}

/// Annotations on the x axis, their labels in up to three rows above the plot so that they
/// do not overlap; a label that finds no room is left to the tooltip.
pub(super) fn place_notes(annotations: &[Annotation], slots: usize, slot: f64) -> Vec<Note<'_>> {
    let mut sorted: Vec<&Annotation> = annotations.iter().filter(|a| a.at < slots).collect();
    sorted.sort_by_key(|a| a.at);
    let mut ends = [f64::NEG_INFINITY; NOTE_ROWS];
    sorted
        .into_iter()
        .map(|annotation| {
            let x = LEFT + (annotation.at as f64 + 0.5) * slot;
            let half = note_width(annotation) / 2.0;
            let centre = x.clamp(half + 2.0, WIDTH - half - 2.0);
            let row = ends.iter().position(|end| *end <= centre - half);
            if let Some(row) = row {
                ends[row] = centre + half + 4.0;
            }
            Note { x, row, annotation }
        })
        .collect()
}

fn note_width(annotation: &Annotation) -> f64 {
    truncate(&clean(&annotation.label), NOTE_CHARS)
        .chars()
        .count() as f64
        * 6.0
        + 6.0
}

/// Each annotation as a dashed vertical line with its kind's shape, its label and a tooltip.
pub(super) fn draw(doc: &mut Doc, plot: &Plot, notes: &[Note<'_>], series: &[Series]) {
    for note in notes {
        let kind = note.annotation.kind;
        let at = clean(slot_label(series, note.annotation.at));
        let tooltip = format!("{} at {at}: {}", kind.name(), clean(&note.annotation.label));
        doc.open("g", &[("class", kind.class())]);
        doc.element("title", &[], &tooltip);
        let x = num(note.x);
        doc.leaf(
            "line",
            &[
                ("x1", &x),
                ("x2", &x),
                ("y1", &num(plot.top)),
                ("y2", &num(plot.bottom)),
                ("stroke", kind.colour()),
                ("stroke-width", "2"),
                ("stroke-dasharray", "4 3"),
            ],
        );
        frame::shape(doc, kind, note.x, plot.top);
        if let Some(row) = note.row {
            let half = note_width(note.annotation) / 2.0;
            let centre = note.x.clamp(half + 2.0, WIDTH - half - 2.0);
            let y = plot.top - 10.0 - row as f64 * NOTE_ROW;
            doc.label(
                &[
                    ("x", &num(centre)),
                    ("y", &num(y)),
                    ("text-anchor", "middle"),
                    ("font-size", "11"),
                    ("fill", INK),
                ],
                &note.annotation.label,
                NOTE_CHARS,
            );
        }
        doc.close();
    }
}
