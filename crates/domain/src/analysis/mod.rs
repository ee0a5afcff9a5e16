//! Comment analysis: sentiment, language, themes and staff names of free-text survey answers,
//! computed in-process at ingest. Pure and deterministic: no I/O, no network; the lexicons are
//! embedded in the binary.
//!
//! # Method
//!
//! * **Folding.** The comment (its first [`MAX_ANALYSED_CHARS`] characters) is lower-cased,
//!   accents are removed (é → e, ü → u, ß → ss, œ → oe) and it is split into words: runs of
//!   letters and digits. Apostrophes and hyphens split words ("d'attente" is "d attente");
//!   other punctuation also marks a clause break, which phrases, negation and intensifiers do
//!   not cross.
//! * **Language.** A vote of function words (and the French and German lexicon words) that
//!   belong to only one of English, French, German, Spanish, Italian, Dutch and Portuguese
//!   settles typical comments: at least four words of one language and three times as many
//!   as all others together. Otherwise [whatlang]'s trigram model, restricted to those seven
//!   languages, reads the first 200 bytes when they hold at least 20 letters: its answer is
//!   taken at confidence ≥ 0.9; else a clear vote (two words, three times the others);
//!   else the model's answer at confidence ≥ 0.5 unless the vote points elsewhere; else the
//!   language is `None` (very short comments such as "ok" or "Super").
//! * **Sentiment.** English: the compound score of VADER (Hutto & Gilbert, 2014; crate
//!   [vader_parity], output identical to the reference Python vaderSentiment 3.3.2), already
//!   in [-1, 1]. French and German: embedded lexicons of about 260 and 180 common valenced
//!   words plus 19 and 12 idioms (`lexicon_fr.txt`, `lexicon_de.txt`) on VADER's -4…4 scale,
//!   scored with VADER's rules and constants: intensifiers ("très", "sehr") and softeners
//!   ("assez", "etwas") within three words before, negation within three words before
//!   ("pas bon", "sans problème", "nicht gut", "kein Problem") and French "ne … pas" around a
//!   verb, German clause-final "nicht" ("gefällt mir nicht"), the first "mais"/"aber"
//!   halving what precedes and weighting what follows by 1.5, words in capitals, up to four
//!   exclamation marks, then `sum / sqrt(sum² + 15)`. Inflected forms find their entry
//!   (satisfaite → satisfait, freundlichen → freundlich). When the language is unknown
//!   (short comments) the word vote's leader, if any, picks the lexicon, else VADER. Spanish,
//!   Italian, Dutch and Portuguese comments get 0: there is no lexicon for them.
//! * **Themes.** Each phrase of the [`Taxonomy`] matches whole words after folding, so
//!   "price" does not match "priceless" but "Temps d’ATTENTE" matches "temps d'attente". A
//!   word ending in `*` matches by prefix: `wait*` covers "wait", "waited", "waiting".
//!   Phrases are indexed by first word ([`Taxonomy::compile`]), so the cost per comment does
//!   not grow with the number of phrases.
//! * **Staff.** See [`CompiledStaff`]: full names, and unique first names of at least three
//!   letters written with a capital.
//!
//! Sentiment is lexical: sarcasm, domain-specific words and mixed-language comments are
//! scored approximately. Analysing is infallible and never panics.
//!
//! Speed (release build, 2-core machine, ~270-character comments, default taxonomy, 50
//! staff; `cargo bench -p domain --bench analysis`): about 20 µs for an English comment
//! (VADER is most of it), 4–5 µs for French or German, ~10 µs on average. [`analyze`]
//! compiles the taxonomy and staff list on every call (~150 µs more): services analysing many
//! comments keep a [`CompiledTaxonomy`] and [`CompiledStaff`] and call [`analyze_compiled`].

mod defaults;
mod language;
mod matcher;
pub(crate) mod normalize;
mod sentiment;
mod staff;
mod taxonomy;
#[cfg(test)]
mod tests;

pub use staff::{CompiledStaff, MIN_FIRST_NAME_LETTERS, StaffName};
pub use taxonomy::{
    CompiledTaxonomy, MAX_KEY_CHARS, MAX_LABEL_CHARS, MAX_PHRASE_CHARS, MAX_PHRASES_PER_THEME,
    MAX_THEMES, MIN_PREFIX_CHARS, Taxonomy, Theme,
};

use normalize::Normalized;
use serde::{Deserialize, Serialize};

/// Only the first this many characters of a comment are analysed.
pub const MAX_ANALYSED_CHARS: usize = 10_000;

/// What analysis found in one free-text answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentAnalysis {
    /// In [-1, 1]; 0 for text with no sentiment signal.
    pub sentiment: f64,
    /// ISO 639-1 code such as "en" or "fr", if detected with reasonable confidence.
    pub language: Option<String>,
    /// Keys of the matched themes, in taxonomy order, without duplicates.
    pub themes: Vec<String>,
    /// Ids of staff whose name is mentioned (full name, or first name when it is unique among
    /// staff and appears as a whole word), in the order of the staff list, without duplicates.
    pub staff_mentions: Vec<i64>,
}

/// Analyses one comment. Pure and deterministic.
///
/// Compiles `taxonomy` and `staff` on every call; to analyse many comments, compile them once
/// and call [`analyze_compiled`].
pub fn analyze(text: &str, taxonomy: &Taxonomy, staff: &[StaffName]) -> CommentAnalysis {
    analyze_compiled(text, &taxonomy.compile(), &CompiledStaff::new(staff))
}

/// Analyses one comment against a taxonomy and staff list compiled beforehand. Pure and
/// deterministic; gives the same result as [`analyze`].
pub fn analyze_compiled(
    text: &str,
    taxonomy: &CompiledTaxonomy,
    staff: &CompiledStaff,
) -> CommentAnalysis {
    let text = truncate(text);
    let folded = Normalized::new(text);
    let language = language::detect(text, &folded);
    CommentAnalysis {
        sentiment: sentiment::score(text, &folded, language.scoring),
        language: language.code.map(str::to_owned),
        themes: taxonomy.themes_in(&folded),
        staff_mentions: staff.mentions_in(&folded),
    }
}

/// The first [`MAX_ANALYSED_CHARS`] characters of `text`.
fn truncate(text: &str) -> &str {
    match text.char_indices().nth(MAX_ANALYSED_CHARS) {
        Some((end, _)) => text.get(..end).unwrap_or(text),
        None => text,
    }
}
