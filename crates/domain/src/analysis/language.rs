//! Language identification: a vote of words distinctive of one language settles most
//! comments; whatlang's trigram model decides the others (see the module documentation).

use super::matcher::FnvMap;
use super::normalize::Normalized;
use super::sentiment;
use std::sync::LazyLock;
use whatlang::{Detector, Lang};

/// Languages told apart, with their ISO 639-1 codes. English, French and German (the first
/// three, in this order) have a sentiment lexicon; the others are there so that a comment in
/// them is reported as what it is instead of being forced into the nearest supported one.
const LANGUAGES: [(Lang, &str); 7] = [
    (Lang::Eng, "en"),
    (Lang::Fra, "fr"),
    (Lang::Deu, "de"),
    (Lang::Spa, "es"),
    (Lang::Ita, "it"),
    (Lang::Nld, "nl"),
    (Lang::Por, "pt"),
];

/// whatlang's cost grows with the text; the first 200 bytes settle the language of a comment.
const SAMPLE_BYTES: usize = 200;
/// Below this many letters trigram statistics are unreliable: only the word vote decides.
const MIN_LETTERS_FOR_MODEL: usize = 20;
/// A decisive vote with at least this many words settles the language without the trigram
/// model: a typical comment has that many function words, and the model costs ~20 µs.
const MIN_VOTES_WITHOUT_MODEL: usize = 4;
/// whatlang confidence (0–1) needed to report its answer on its own.
const MIN_CONFIDENCE: f64 = 0.9;
/// whatlang confidence needed to report its answer when the word vote is not decisive and
/// does not point elsewhere.
const MIN_PLAUSIBLE_CONFIDENCE: f64 = 0.5;

static DETECTOR: LazyLock<Detector> =
    LazyLock::new(|| Detector::with_allowlist(LANGUAGES.iter().map(|(l, _)| *l).collect()));

/// Which sentiment method applies to a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scoring {
    English,
    French,
    German,
    /// A language without a lexicon: no sentiment.
    Unsupported,
}

/// The outcome of language identification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Detected {
    /// ISO 639-1 code, when identified with reasonable confidence.
    pub code: Option<&'static str>,
    pub scoring: Scoring,
}

/// Identifies the language of `raw` (already truncated), whose folded form is `folded`.
pub(crate) fn detect(raw: &str, folded: &Normalized) -> Detected {
    let votes = vote(folded);
    let index = decisive(&votes)
        .filter(|&i| votes.get(i).is_some_and(|&v| v >= MIN_VOTES_WITHOUT_MODEL))
        .or_else(|| combine(model(raw), &votes));
    let scoring = match index.or_else(|| leader(&votes)) {
        Some(0) => Scoring::English,
        Some(1) => Scoring::French,
        Some(2) => Scoring::German,
        Some(_) => Scoring::Unsupported,
        // No clue at all (very short comments): VADER, whose large lexicon and emoji table
        // suit them best.
        None => Scoring::English,
    };
    Detected {
        code: index.and_then(|i| LANGUAGES.get(i)).map(|(_, code)| *code),
        scoring,
    }
}

/// The model's answer when confident; else a decisive vote; else the model's answer when
/// plausible and not contradicted by the vote.
fn combine(model: Option<(usize, f64)>, votes: &[usize]) -> Option<usize> {
    let confident = model.filter(|(_, confidence)| *confidence >= MIN_CONFIDENCE);
    let plausible = model.filter(|(index, confidence)| {
        *confidence >= MIN_PLAUSIBLE_CONFIDENCE && leader(votes).is_none_or(|l| l == *index)
    });
    confident
        .map(|(index, _)| index)
        .or_else(|| decisive(votes))
        .or(plausible.map(|(index, _)| index))
}

/// whatlang's best language (index into [`LANGUAGES`]) and its confidence.
fn model(raw: &str) -> Option<(usize, f64)> {
    let mut end = raw.len().min(SAMPLE_BYTES);
    while !raw.is_char_boundary(end) {
        end -= 1;
    }
    let sample = raw.get(..end)?;
    if sample.chars().filter(|c| c.is_alphabetic()).count() < MIN_LETTERS_FOR_MODEL {
        return None;
    }
    let info = DETECTOR.detect(sample)?;
    let index = LANGUAGES
        .iter()
        .position(|(lang, _)| *lang == info.lang())?;
    Some((index, info.confidence()))
}

/// Counts of distinctive words per language of [`LANGUAGES`].
fn vote(folded: &Normalized) -> [usize; LANGUAGES.len()] {
    let mut votes = [0; LANGUAGES.len()];
    for i in 0..folded.len() {
        if let Some(slot) = VOTERS
            .get(folded.word(i))
            .and_then(|&l| votes.get_mut(usize::from(l)))
        {
            *slot += 1;
        }
    }
    votes
}

/// The language with strictly more votes than each other one.
fn leader(votes: &[usize]) -> Option<usize> {
    let (best, &top) = votes.iter().enumerate().max_by_key(|(_, v)| **v)?;
    let tied = votes.iter().filter(|&&v| v == top).count() > 1;
    (top > 0 && !tied).then_some(best)
}

/// A vote clear enough to report as the language: at least two words of one language and
/// at least three times as many as of all others together.
fn decisive(votes: &[usize]) -> Option<usize> {
    let best = leader(votes)?;
    let top = votes.get(best).copied().unwrap_or(0);
    let others = votes.iter().sum::<usize>() - top;
    (top >= 2 && (others == 0 || top >= 3 * others)).then_some(best)
}

/// Word → language (index into [`LANGUAGES`]) for words that belong to exactly one of the
/// languages: function words, plus the French and German sentiment lexicons.
static VOTERS: LazyLock<FnvMap<&'static str, u8>> = LazyLock::new(|| {
    let mut masks: FnvMap<&'static str, u8> = FnvMap::default();
    let mut add = |word: &'static str, language: u8| {
        *masks.entry(word).or_default() |= 1 << language;
    };
    let lists = [
        EN_WORDS, FR_WORDS, DE_WORDS, ES_WORDS, IT_WORDS, NL_WORDS, PT_WORDS,
    ];
    for (language, list) in (0u8..).zip(lists) {
        list.iter().for_each(|w| add(w, language));
    }
    sentiment::french_words().for_each(|w| add(w, 1));
    sentiment::german_words().for_each(|w| add(w, 2));
    masks
        .into_iter()
        .filter(|(_, mask)| mask.count_ones() == 1)
        .map(|(word, mask)| (word, mask.trailing_zeros() as u8))
        .collect()
});

const EN_WORDS: &[&str] = &[
    "a",
    "the",
    "and",
    "was",
    "were",
    "is",
    "are",
    "it",
    "its",
    "to",
    "of",
    "for",
    "with",
    "very",
    "not",
    "but",
    "they",
    "them",
    "this",
    "that",
    "my",
    "me",
    "we",
    "our",
    "you",
    "your",
    "have",
    "had",
    "has",
    "be",
    "been",
    "on",
    "at",
    "an",
    "would",
    "could",
    "should",
    "will",
    "did",
    "didn",
    "don",
    "doesn",
    "wasn",
    "weren",
    "isn",
    "can",
    "couldn",
    "there",
    "what",
    "when",
    "from",
    "about",
    "after",
    "again",
    "all",
    "no",
    "just",
    "only",
    "too",
    "so",
    "he",
    "she",
    "his",
    "her",
    "who",
    "which",
    "i",
    "am",
    "by",
    "out",
    "up",
    "any",
    "some",
    "really",
    "thanks",
    "thank",
    "good",
    "great",
    "bad",
    "poor",
    "terrible",
    "awful",
    "excellent",
    "helpful",
    "friendly",
    "rude",
    "slow",
    "quick",
    "fast",
    "late",
    "waited",
    "wait",
    "waiting",
    "staff",
    "service",
    "price",
    "fair",
    "nice",
    "lovely",
    "happy",
    "never",
    "always",
    "still",
    "time",
    "hour",
    "hours",
    "minutes",
    "day",
    "days",
    "super",
    "top",
    "ok",
    "okay",
    "perfect",
    "correct",
    "problem",
    "professional",
];

const FR_WORDS: &[&str] = &[
    "le", "la", "les", "un", "une", "des", "du", "de", "et", "est", "sont", "etait", "ete", "tres",
    "pas", "ne", "n", "je", "j", "il", "elle", "nous", "vous", "ils", "elles", "en", "au", "aux",
    "avec", "pour", "sur", "dans", "mais", "ou", "qui", "que", "qu", "c", "ce", "cette", "ces",
    "mon", "ma", "mes", "votre", "vos", "leur", "tout", "tous", "toute", "bien", "trop", "plus",
    "moins", "merci", "d", "l", "m", "y", "ai", "avait", "avons", "fait", "etre", "avoir", "rien",
    "jamais", "toujours", "encore", "deja", "apres", "avant", "chez", "car", "donc", "aussi", "si",
    "son", "sa", "ses", "lui", "par", "peu", "sans",
];

const DE_WORDS: &[&str] = &[
    "der", "die", "das", "den", "dem", "ein", "eine", "einen", "einem", "einer", "und", "ist",
    "war", "waren", "sind", "nicht", "sehr", "ich", "wir", "sie", "er", "es", "mit", "fur", "auf",
    "aus", "bei", "nach", "von", "zu", "zum", "zur", "im", "auch", "aber", "noch", "schon", "nur",
    "mir", "mich", "uns", "ihr", "hat", "hatte", "haben", "wurde", "wurden", "kein", "keine",
    "alles", "immer", "wieder", "dass", "weil", "wenn", "wie", "dann", "doch", "danke", "vielen",
    "leider", "ganz", "wirklich", "gibt", "habe", "hab", "mein", "meine",
];

const ES_WORDS: &[&str] = &[
    "el", "los", "las", "una", "unos", "y", "que", "por", "para", "con", "muy", "pero", "del",
    "al", "es", "fue", "era", "estaba", "no", "lo", "su", "mi", "se", "me", "nos", "mas", "todo",
    "bien", "gracias", "servicio", "tecnico", "tarde", "nunca", "siempre", "cuando", "como",
    "este", "esta", "hay", "porque", "malo", "mala", "bueno", "buena",
];

const IT_WORDS: &[&str] = &[
    "il", "lo", "gli", "la", "le", "un", "una", "e", "che", "per", "con", "molto", "ma", "del",
    "della", "dei", "non", "sono", "era", "stato", "ho", "mi", "si", "ci", "anche", "grazie",
    "servizio", "tecnico", "sempre", "mai", "quando", "come", "perche", "tutto", "bene", "questo",
    "questa", "pessimo", "ottimo",
];

const NL_WORDS: &[&str] = &[
    "de", "het", "een", "en", "van", "is", "was", "niet", "te", "met", "voor", "op", "zeer", "erg",
    "heel", "maar", "ook", "dat", "die", "wij", "we", "ik", "mijn", "geen", "nog", "wel", "bij",
    "naar", "om", "goed", "slecht", "slechte", "bedankt", "snel", "laat", "klopte",
];

const PT_WORDS: &[&str] = &[
    "o",
    "os",
    "a",
    "as",
    "um",
    "uma",
    "e",
    "que",
    "de",
    "do",
    "da",
    "dos",
    "das",
    "em",
    "no",
    "na",
    "com",
    "para",
    "por",
    "muito",
    "mas",
    "nao",
    "foi",
    "era",
    "estava",
    "eu",
    "meu",
    "minha",
    "se",
    "obrigado",
    "obrigada",
    "servico",
    "tecnico",
    "atendimento",
    "bem",
    "bom",
    "otimo",
    "pessimo",
];
