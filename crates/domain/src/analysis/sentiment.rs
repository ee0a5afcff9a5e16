//! Sentiment scores in [-1, 1]: VADER for English; for French and German the same rules
//! (intensifiers, negation, contrast, capitals, exclamation marks, normalisation) over an
//! embedded lexicon of our own.

use super::language::Scoring;
use super::matcher::{FnvMap, PhraseMatcher};
use super::normalize::Normalized;
use std::sync::LazyLock;
use vader_parity::SentimentIntensityAnalyzer;

/// Building the analyser parses VADER's 7,500-entry lexicon (about 2 ms): done once.
static VADER: LazyLock<SentimentIntensityAnalyzer> = LazyLock::new(SentimentIntensityAnalyzer::new);

static FRENCH: LazyLock<Lexicon> =
    LazyLock::new(|| Lexicon::load(include_str!("lexicon_fr.txt"), &FRENCH_RULES));
static GERMAN: LazyLock<Lexicon> =
    LazyLock::new(|| Lexicon::load(include_str!("lexicon_de.txt"), &GERMAN_RULES));

/// Scores the comment `raw` (already truncated), whose folded form is `folded`.
pub(crate) fn score(raw: &str, folded: &Normalized, scoring: Scoring) -> f64 {
    let value = match scoring {
        Scoring::English => VADER.polarity_scores(raw).compound,
        Scoring::French => FRENCH.score(raw, folded),
        Scoring::German => GERMAN.score(raw, folded),
        Scoring::Unsupported => 0.0,
    };
    if value.is_finite() {
        value.clamp(-1.0, 1.0)
    } else {
        0.0
    }
}

/// The single words of the French lexicon (folded), for language identification.
pub(crate) fn french_words() -> impl Iterator<Item = &'static str> {
    let lexicon: &'static Lexicon = &FRENCH;
    lexicon.words.keys().map(|w| &**w)
}

/// The single words of the German lexicon (folded), for language identification.
pub(crate) fn german_words() -> impl Iterator<Item = &'static str> {
    let lexicon: &'static Lexicon = &GERMAN;
    lexicon.words.keys().map(|w| &**w)
}

// VADER's constants (Hutto & Gilbert, 2014), so that all languages score on one scale.
const BOOST: f64 = 0.293;
const BOOST_DECAY: [f64; 3] = [1.0, 0.95, 0.9];
const CAPS_BOOST: f64 = 0.733;
const NEGATION: f64 = -0.74;
const CONTRAST_BEFORE: f64 = 0.5;
const CONTRAST_AFTER: f64 = 1.5;
const EXCLAMATION: f64 = 0.292;
const MAX_EXCLAMATIONS: usize = 4;
const ALPHA: f64 = 15.0;

/// Looks a candidate form up in the lexicon.
type Lookup<'a> = &'a dyn Fn(&str) -> Option<f64>;
/// Finds the lexicon entry of an inflected word, trying candidate base forms.
type Stemmer = fn(&str, Lookup<'_>) -> Option<f64>;

/// The grammar a lexicon needs, per language.
struct Rules {
    /// Intensify the next valenced word within three words ("très", "sehr").
    boosters: &'static [&'static str],
    /// Soften the next valenced word within three words ("assez", "etwas").
    dampeners: &'static [&'static str],
    /// Negate a valenced word up to three words after them ("pas bon", "nicht gut").
    negators: &'static [&'static str],
    /// A word that dampens after its article and negates alone: French "un peu aimable"
    /// (a little) against "peu aimable" (hardly).
    little: (&'static str, &'static str),
    /// French "ne": negates a valenced word it precedes when one of `partners` follows within
    /// the clause, up to two words after it ("je ne recommande pas").
    particles: &'static [&'static str],
    partners: &'static [&'static str],
    /// German verb-final negation: a negator at most two words after the valenced word that
    /// ends the clause ("das gefällt mir nicht.").
    trailing: &'static [&'static str],
    /// "but": the first one halves what comes before it and weighs what follows by 1.5.
    contrasts: &'static [&'static str],
    /// Finds an inflected form's lexicon entry.
    stem: Stemmer,
}

const FRENCH_RULES: Rules = Rules {
    boosters: &[
        "tres",
        "vraiment",
        "extremement",
        "tellement",
        "trop",
        "si",
        "hyper",
        "vachement",
        "particulierement",
        "totalement",
        "completement",
        "absolument",
        "incroyablement",
        "beaucoup",
        "enormement",
        "carrement",
        "super",
        "fort",
        "franchement",
    ],
    dampeners: &[
        "assez",
        "plutot",
        "moyennement",
        "legerement",
        "relativement",
        "presque",
        "quelque",
        "globalement",
    ],
    negators: &[
        "pas",
        "jamais",
        "rien",
        "aucun",
        "aucune",
        "sans",
        "ni",
        "guere",
        "nullement",
    ],
    little: ("peu", "un"),
    particles: &["ne", "n"],
    partners: &[
        "pas", "plus", "jamais", "rien", "guere", "point", "aucun", "aucune",
    ],
    trailing: &[],
    contrasts: &["mais", "cependant", "toutefois", "pourtant", "neanmoins"],
    stem: french_stem,
};

const GERMAN_RULES: Rules = Rules {
    boosters: &[
        "sehr",
        "wirklich",
        "extrem",
        "total",
        "absolut",
        "ausserst",
        "besonders",
        "so",
        "richtig",
        "echt",
        "ganz",
        "voll",
        "zu",
        "viel",
        "hochst",
        "wahnsinnig",
        "unglaublich",
        "uberaus",
        "enorm",
        "mega",
        "ziemlich",
        "durchaus",
        "unheimlich",
    ],
    dampeners: &[
        "etwas",
        "eher",
        "leicht",
        "bisschen",
        "relativ",
        "halbwegs",
        "einigermassen",
        "teilweise",
        "fast",
    ],
    negators: &[
        "nicht", "nie", "niemals", "kein", "keine", "keinen", "keinem", "keiner", "keines", "ohne",
        "nichts", "kaum", "weder", "nirgends",
    ],
    little: ("wenig", "ein"),
    particles: &[],
    partners: &[],
    trailing: &["nicht", "nie", "niemals"],
    contrasts: &["aber", "jedoch", "allerdings"],
    stem: german_stem,
};

/// A sentiment lexicon: single words and idioms with VADER-scale valences (-4 to 4).
struct Lexicon {
    words: FnvMap<Box<str>, f64>,
    idioms: PhraseMatcher,
    idiom_values: Vec<f64>,
    rules: &'static Rules,
    /// Lines that could not be read (a test keeps this at zero).
    skipped: usize,
}

impl Lexicon {
    /// Reads lines of `phrase valence`; `#` starts a comment line. Phrases are folded like
    /// comments, so the files keep their accents.
    fn load(data: &'static str, rules: &'static Rules) -> Self {
        let mut lexicon = Lexicon {
            words: FnvMap::default(),
            idioms: PhraseMatcher::default(),
            idiom_values: Vec::new(),
            rules,
            skipped: 0,
        };
        for line in data.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let entry = line
                .rsplit_once(char::is_whitespace)
                .and_then(|(phrase, value)| Some((phrase, value.parse::<f64>().ok()?)));
            let Some((phrase, value)) = entry.filter(|(_, v)| v.abs() <= 4.0) else {
                lexicon.skipped += 1;
                continue;
            };
            let folded = Normalized::new(phrase);
            match folded.tokens.as_slice() {
                [] => lexicon.skipped += 1,
                [single] if !single.star => {
                    lexicon.words.insert(folded.word(0).into(), value);
                }
                _ => {
                    lexicon
                        .idioms
                        .add(&folded, lexicon.idiom_values.len(), false);
                    lexicon.idiom_values.push(value);
                }
            }
        }
        lexicon
    }

    fn lookup(&self, word: &str) -> Option<f64> {
        if let Some(value) = self.words.get(word) {
            return Some(*value);
        }
        (self.rules.stem)(word, &|candidate| self.words.get(candidate).copied())
    }

    fn score(&self, raw: &str, text: &Normalized) -> f64 {
        let n = text.len();
        let mut values = vec![0.0; n];
        let mut in_idiom = vec![false; n];
        let mut spans: Vec<(usize, usize)> = Vec::new();
        self.idioms.find(text, |pattern, start, end| {
            let Some(covered) = in_idiom.get_mut(start..end) else {
                return;
            };
            if covered.iter().any(|c| *c) {
                return;
            }
            covered.iter_mut().for_each(|c| *c = true);
            if let (Some(slot), Some(value)) =
                (values.get_mut(start), self.idiom_values.get(pattern.target))
            {
                *slot = *value;
                spans.push((start, end));
            }
        });
        for (i, slot) in values.iter_mut().enumerate() {
            if in_idiom.get(i) == Some(&false)
                && let Some(value) = self.lookup(text.word(i))
            {
                *slot = value;
                spans.push((i, i + 1));
            }
        }
        for &(start, end) in &spans {
            if let Some(slot) = values.get_mut(start) {
                *slot = self.modified(text, &in_idiom, start, end, *slot);
            }
        }
        self.apply_contrast(text, &in_idiom, &mut values);
        let mut sum: f64 = values.iter().sum();
        if sum != 0.0 {
            let bangs = raw.matches('!').take(MAX_EXCLAMATIONS).count();
            sum += (bangs as f64 * EXCLAMATION).copysign(sum);
        }
        sum / (sum * sum + ALPHA).sqrt()
    }

    /// The valence of the span `start..end` after intensifiers, capitals and negation.
    fn modified(
        &self,
        text: &Normalized,
        in_idiom: &[bool],
        start: usize,
        end: usize,
        value: f64,
    ) -> f64 {
        if value == 0.0 {
            return 0.0;
        }
        let mut value = value;
        for (j, decay) in preceding(text, in_idiom, start).zip(BOOST_DECAY) {
            let word = text.word(j);
            if self.rules.boosters.contains(&word) {
                value += (BOOST * decay).copysign(value);
            } else if self.rules.dampeners.contains(&word) || self.little(text, j) == Some(false) {
                value -= (BOOST * decay).copysign(value);
            }
        }
        if text.tokens.get(start).is_some_and(|t| t.all_caps) && text.has_lower {
            value += CAPS_BOOST.copysign(value);
        }
        if self.negated(text, in_idiom, start, end) {
            value *= NEGATION;
        }
        value
    }

    /// For the "little" word at `j`: `Some(true)` when it negates, `Some(false)` when it
    /// dampens, `None` when word `j` is something else.
    fn little(&self, text: &Normalized, j: usize) -> Option<bool> {
        let (little, article) = self.rules.little;
        if text.word(j) != little {
            return None;
        }
        let after_article = j > 0 && !text.breaks_before(j) && text.word(j - 1) == article;
        Some(!after_article)
    }

    fn negated(&self, text: &Normalized, in_idiom: &[bool], start: usize, end: usize) -> bool {
        let rules = self.rules;
        for j in preceding(text, in_idiom, start) {
            let word = text.word(j);
            if rules.negators.contains(&word) || self.little(text, j) == Some(true) {
                return true;
            }
            if rules.particles.contains(&word) {
                // Words between the particle and `start` are in its clause already.
                let partner = (j + 1..=end + 1)
                    .take_while(|&m| !text.breaks_before(m))
                    .any(|m| {
                        in_idiom.get(m) == Some(&false) && rules.partners.contains(&text.word(m))
                    });
                if partner {
                    return true;
                }
            }
        }
        (end..end + 2)
            .take_while(|&m| !text.breaks_before(m))
            .any(|m| rules.trailing.contains(&text.word(m)) && text.breaks_before(m + 1))
    }

    fn apply_contrast(&self, text: &Normalized, in_idiom: &[bool], values: &mut [f64]) {
        let contrast = (0..text.len()).find(|&i| {
            in_idiom.get(i) == Some(&false) && self.rules.contrasts.contains(&text.word(i))
        });
        let Some(at) = contrast else { return };
        for (i, value) in values.iter_mut().enumerate() {
            if i < at {
                *value *= CONTRAST_BEFORE;
            } else if i > at {
                *value *= CONTRAST_AFTER;
            }
        }
    }
}

/// Up to three words before `start`, nearest first, in the same clause and outside idioms.
fn preceding<'a>(
    text: &'a Normalized,
    in_idiom: &'a [bool],
    start: usize,
) -> impl Iterator<Item = usize> + 'a {
    (1..=3)
        .map_while(move |k| {
            let j = start.checked_sub(k)?;
            (!text.breaks_before(j + 1)).then_some(j)
        })
        .filter(move |&j| in_idiom.get(j) == Some(&false))
}

/// French agreement: plural -s/-x, feminine -e, and the feminine forms whose masculine is
/// not the feminine minus -e (heureuse → heureux, attentive → attentif, bonne → bon).
fn french_stem(word: &str, get: Lookup<'_>) -> Option<f64> {
    if word.len() < 4 {
        return None;
    }
    if let Some(stem) = word.strip_suffix("aux")
        && let Some(value) = get(&format!("{stem}al"))
    {
        return Some(value);
    }
    let base = word
        .strip_suffix('s')
        .or_else(|| word.strip_suffix('x'))
        .unwrap_or(word);
    if base.len() < word.len()
        && let Some(value) = get(base)
    {
        return Some(value);
    }
    const FEMININE: [(&str, &str); 8] = [
        ("euse", "eux"),
        ("ive", "if"),
        ("elle", "el"),
        ("enne", "en"),
        ("onne", "on"),
        ("ette", "et"),
        ("ere", "er"),
        ("ille", "il"),
    ];
    for (feminine, masculine) in FEMININE {
        if let Some(stem) = base.strip_suffix(feminine)
            && let Some(value) = get(&format!("{stem}{masculine}"))
        {
            return Some(value);
        }
    }
    base.strip_suffix('e').and_then(get)
}

/// German adjective and noun endings, comparatives and superlatives.
fn german_stem(word: &str, get: Lookup<'_>) -> Option<f64> {
    const ENDINGS: [&str; 17] = [
        "esten", "ester", "estes", "estem", "este", "sten", "ster", "stes", "stem", "ste", "en",
        "em", "er", "es", "e", "n", "s",
    ];
    ENDINGS.iter().find_map(|ending| {
        word.strip_suffix(ending)
            .filter(|stem| stem.len() >= 3)
            .and_then(get)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lexicon_line_is_read() {
        for (name, lexicon) in [("fr", &*FRENCH), ("de", &*GERMAN)] {
            assert_eq!(lexicon.skipped, 0, "{name}");
            assert!(
                lexicon.words.len() >= 150,
                "{name}: {}",
                lexicon.words.len()
            );
            assert!(!lexicon.idiom_values.is_empty(), "{name}");
        }
    }

    #[test]
    fn inflected_forms_find_their_entry() {
        for word in [
            "satisfaite",
            "heureuse",
            "attentives",
            "professionnelle",
            "bonnes",
        ] {
            assert!(FRENCH.lookup(word).is_some_and(|v| v > 0.0), "{word}");
        }
        for word in ["mauvaises", "chère", "longues", "geniaux"] {
            let folded = Normalized::new(word);
            assert!(FRENCH.lookup(folded.word(0)).is_some(), "{word}");
        }
        for word in [
            "freundlichen",
            "schnellste",
            "schlechter",
            "probleme",
            "schones",
        ] {
            assert!(GERMAN.lookup(word).is_some(), "{word}");
        }
        assert_eq!(
            GERMAN.lookup("schon"),
            None,
            "schön folds to schon (already)"
        );
    }
}
