//! The editable theme taxonomy, its validation, and its compiled form used for matching.

use super::matcher::PhraseMatcher;
use super::normalize::Normalized;
use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// At most this many themes in a taxonomy.
pub const MAX_THEMES: usize = 200;
/// At most this many phrases in one theme.
pub const MAX_PHRASES_PER_THEME: usize = 1_000;
/// At most this many characters in one phrase.
pub const MAX_PHRASE_CHARS: usize = 100;
/// At most this many characters in a theme key.
pub const MAX_KEY_CHARS: usize = 64;
/// At most this many characters in a theme label.
pub const MAX_LABEL_CHARS: usize = 100;
/// A word ending in `*` (a prefix pattern) needs at least this many characters before the `*`.
pub const MIN_PREFIX_CHARS: usize = 3;

/// One theme of the taxonomy: a stable key, a label, and the words/phrases that signal it.
///
/// Phrases match whole words, ignoring case and accents; punctuation other than apostrophes
/// and hyphens must not come between the words of a phrase. A word ending in `*` matches any
/// word starting with it: `wait*` matches "wait", "waited" and "waiting" but "price" does not
/// match "priceless".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Theme {
    /// Stable identifier stored with each analysed comment, e.g. `waiting_time`.
    pub key: String,
    /// Human-readable name shown in the console, e.g. "Waiting time".
    pub label: String,
    /// Words and phrases that signal the theme, in any language.
    pub phrases: Vec<String>,
}

/// The editable list of themes that comments are classified into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Taxonomy {
    /// The themes, in the order in which matched keys are reported.
    pub themes: Vec<Theme>,
}

impl Taxonomy {
    /// Sensible defaults for a service company: waiting_time, staff_attitude, accuracy, price,
    /// communication, delivery, billing, resolution, quality_of_work, booking and
    /// online_service, each with English, French and German phrases.
    pub fn default_taxonomy() -> Taxonomy {
        super::defaults::default_taxonomy()
    }

    /// Validates: non-empty unique keys (slug: lowercase letters, digits, underscores or
    /// hyphens, at most 64 characters), non-empty labels (at most 100 characters), between
    /// one and 1,000 phrases per theme, each with at least one letter or digit and at most 100
    /// characters, `*` only at the end of a word of at least 3 characters, and at most 200
    /// themes.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.themes.len() > MAX_THEMES {
            return Err(ValidationError::new(
                "themes",
                format!("at most {MAX_THEMES} themes are allowed"),
            ));
        }
        let mut keys = HashSet::new();
        for (index, theme) in self.themes.iter().enumerate() {
            validate_theme(index + 1, theme)?;
            if !keys.insert(theme.key.as_str()) {
                return Err(ValidationError::new(
                    "key",
                    format!("theme {}: key {:?} is used twice", index + 1, theme.key),
                ));
            }
        }
        Ok(())
    }

    /// Prepares the taxonomy for fast matching by [`super::analyze_compiled`]. Never fails:
    /// phrases that cannot match anything are ignored (use [`Taxonomy::validate`] to reject
    /// them when the taxonomy is edited).
    pub fn compile(&self) -> CompiledTaxonomy {
        let mut matcher = PhraseMatcher::default();
        for (index, theme) in self.themes.iter().enumerate() {
            for phrase in &theme.phrases {
                matcher.add(&Normalized::new(phrase), index, false);
            }
        }
        CompiledTaxonomy {
            keys: self.themes.iter().map(|t| t.key.clone()).collect(),
            matcher,
        }
    }
}

fn validate_theme(number: usize, theme: &Theme) -> Result<(), ValidationError> {
    let key = &theme.key;
    let slug = key
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if key.is_empty() || key.len() > MAX_KEY_CHARS || !slug {
        return Err(ValidationError::new(
            "key",
            format!(
                "theme {number}: the key must be 1 to {MAX_KEY_CHARS} lowercase letters, digits, \
                 underscores or hyphens"
            ),
        ));
    }
    let label = theme.label.trim();
    if label.is_empty() || label.chars().count() > MAX_LABEL_CHARS {
        return Err(ValidationError::new(
            "label",
            format!("theme {key}: the label must be 1 to {MAX_LABEL_CHARS} characters"),
        ));
    }
    if theme.phrases.is_empty() || theme.phrases.len() > MAX_PHRASES_PER_THEME {
        return Err(ValidationError::new(
            "phrases",
            format!("theme {key}: give 1 to {MAX_PHRASES_PER_THEME} phrases"),
        ));
    }
    for phrase in &theme.phrases {
        validate_phrase(phrase).map_err(|problem| {
            ValidationError::new(
                "phrases",
                format!("theme {key}: phrase {phrase:?} {problem}"),
            )
        })?;
    }
    Ok(())
}

fn validate_phrase(phrase: &str) -> Result<(), String> {
    if phrase.chars().count() > MAX_PHRASE_CHARS {
        return Err(format!("is longer than {MAX_PHRASE_CHARS} characters"));
    }
    let folded = Normalized::new(phrase);
    if folded.tokens.is_empty() {
        return Err("has no letter or digit".to_owned());
    }
    let stars = phrase.chars().filter(|&c| c == '*').count();
    let prefixes: Vec<usize> = (0..folded.len())
        .filter(|&i| folded.tokens.get(i).is_some_and(|t| t.star))
        .map(|i| folded.word(i).chars().count())
        .collect();
    if stars != prefixes.len() {
        return Err("may use * only directly after a word".to_owned());
    }
    if prefixes.iter().any(|&chars| chars < MIN_PREFIX_CHARS) {
        return Err(format!(
            "needs at least {MIN_PREFIX_CHARS} characters before *"
        ));
    }
    Ok(())
}

/// A [`Taxonomy`] prepared for matching; build it once with [`Taxonomy::compile`] and reuse it.
#[derive(Debug, Clone, Default)]
pub struct CompiledTaxonomy {
    keys: Vec<String>,
    matcher: PhraseMatcher,
}

impl CompiledTaxonomy {
    /// Keys of the themes whose phrases occur in `text`, in taxonomy order, without duplicates.
    pub(crate) fn themes_in(&self, text: &Normalized) -> Vec<String> {
        let mut matched = vec![false; self.keys.len()];
        self.matcher.find(text, |pattern, _, _| {
            if let Some(flag) = matched.get_mut(pattern.target) {
                *flag = true;
            }
        });
        let mut themes: Vec<String> = Vec::new();
        for (key, _) in self.keys.iter().zip(&matched).filter(|(_, m)| **m) {
            if !themes.contains(key) {
                themes.push(key.clone());
            }
        }
        themes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;

    fn themes(text: &str, taxonomy: &Taxonomy) -> Vec<String> {
        analyze(text, taxonomy, &[]).themes
    }

    fn one_theme(phrases: &[&str]) -> Taxonomy {
        Taxonomy {
            themes: vec![Theme {
                key: "price".into(),
                label: "Price".into(),
                phrases: phrases.iter().map(|p| (*p).to_owned()).collect(),
            }],
        }
    }

    #[test]
    fn the_default_taxonomy_validates_and_has_the_expected_themes() {
        let taxonomy = Taxonomy::default_taxonomy();
        assert_eq!(taxonomy.validate(), Ok(()));
        assert_eq!(taxonomy.themes.len(), 11);
        assert!(
            taxonomy.themes.iter().all(|t| t.phrases.len() >= 20),
            "{taxonomy:?}"
        );
        let keys: Vec<&str> = taxonomy.themes.iter().map(|t| t.key.as_str()).collect();
        for key in [
            "waiting_time",
            "staff_attitude",
            "accuracy",
            "price",
            "communication",
            "delivery",
            "billing",
            "resolution",
            "quality_of_work",
            "booking",
            "online_service",
        ] {
            assert!(keys.contains(&key), "{key}");
        }
    }

    #[test]
    fn every_default_phrase_finds_its_theme() {
        let taxonomy = Taxonomy::default_taxonomy();
        let compiled = taxonomy.compile();
        for theme in &taxonomy.themes {
            for phrase in &theme.phrases {
                let text = Normalized::new(&phrase.replace('*', "xyz"));
                assert!(
                    compiled.themes_in(&text).contains(&theme.key),
                    "{}: {phrase}",
                    theme.key
                );
            }
        }
    }

    #[test]
    fn default_themes_are_found_in_english_french_and_german() {
        let taxonomy = Taxonomy::default_taxonomy();
        let cases = [
            ("I was put on hold for 40 minutes", "waiting_time"),
            ("TEMPS D’ATTENTE beaucoup trop long", "waiting_time"),
            ("Le temps d'attente était correct", "waiting_time"),
            ("Ewig in der Warteschleife gewartet", "waiting_time"),
            ("The agent was rude", "staff_attitude"),
            ("Accueil très aimable", "staff_attitude"),
            ("Sehr unfreundlicher Mitarbeiter", "staff_attitude"),
            ("They got my address wrong", "accuracy"),
            ("Erreur sur la commande", "accuracy"),
            ("Way too expensive", "price"),
            ("Rapport qualité-prix excellent", "price"),
            ("Viel zu teuer", "price"),
            ("Nobody called back", "communication"),
            ("On ne m'a jamais rappelé", "communication"),
            ("Niemand hat zurückgerufen", "communication"),
            ("The parcel arrived damaged", "delivery"),
            ("Livraison en retard", "delivery"),
            ("Die Lieferung kam zu spät", "delivery"),
            ("I was billed twice", "billing"),
            ("La facture était fausse", "billing"),
            ("Die Rechnung war falsch", "billing"),
            ("The problem was resolved on the first visit", "resolution"),
            ("Problème résolu rapidement", "resolution"),
            ("Problem wurde schnell gelöst", "resolution"),
            ("Great job, very tidy", "quality_of_work"),
            ("Travail soigné", "quality_of_work"),
            ("Saubere Arbeit", "quality_of_work"),
        ];
        for (text, key) in cases {
            assert!(
                themes(text, &taxonomy).iter().any(|t| t == key),
                "{text}: {key}"
            );
        }
    }

    #[test]
    fn phrases_match_whole_words_ignoring_case_and_accents() {
        let taxonomy = one_theme(&["price", "hors de prix", "coût*"]);
        assert_eq!(themes("The PRICE!", &taxonomy), vec!["price"]);
        assert!(themes("Priceless service", &taxonomy).is_empty());
        assert!(themes("Unprice", &taxonomy).is_empty());
        assert_eq!(themes("C'était HORS DE PRIX", &taxonomy), vec!["price"]);
        assert_eq!(themes("Le cout était élevé", &taxonomy), vec!["price"]);
        assert_eq!(themes("Les coûts ont augmenté", &taxonomy), vec!["price"]);
        // Decomposed accents (e + U+0301) fold like composed ones.
        assert_eq!(themes("Les cou\u{302}ts", &taxonomy), vec!["price"]);
    }

    #[test]
    fn multi_word_phrases_need_adjacent_words_in_one_clause() {
        let taxonomy = Taxonomy::default_taxonomy();
        assert!(themes("I was on hold", &taxonomy).contains(&"waiting_time".to_owned()));
        assert!(themes("They will hold my order", &taxonomy).is_empty());
        assert!(themes("Carry on. Hold tight", &taxonomy).is_empty());
        assert!(
            themes("Le temps d\u{2019}attente", &taxonomy).contains(&"waiting_time".to_owned())
        );
    }

    #[test]
    fn prefix_phrases_cover_word_forms() {
        let taxonomy = one_theme(&["wait*"]);
        for text in ["wait", "We waited", "Waiting!", "the waits"] {
            assert_eq!(themes(text, &taxonomy), vec!["price"], "{text}");
        }
        assert!(themes("I await your reply", &taxonomy).is_empty());
    }

    #[test]
    fn themes_come_in_taxonomy_order_without_duplicates() {
        let taxonomy = Taxonomy::default_taxonomy();
        let found = themes(
            "Invoice wrong, invoice late, waited, waited again",
            &taxonomy,
        );
        assert_eq!(
            found,
            vec!["waiting_time", "accuracy", "delivery", "billing"]
        );
        let mut twice = one_theme(&["price"]);
        twice.themes.push(twice.themes[0].clone());
        assert_eq!(themes("price", &twice), vec!["price"]);
    }

    fn rejected(taxonomy: &Taxonomy) -> &'static str {
        match taxonomy.validate() {
            Err(error) => error.field,
            Ok(()) => panic!("accepted {taxonomy:?}"),
        }
    }

    #[test]
    fn invalid_taxonomies_are_rejected() {
        let valid = one_theme(&["price"]);
        assert_eq!(valid.validate(), Ok(()));
        let with = |change: &dyn Fn(&mut Theme)| {
            let mut taxonomy = valid.clone();
            change(&mut taxonomy.themes[0]);
            taxonomy
        };
        assert_eq!(rejected(&with(&|t| t.key.clear())), "key");
        assert_eq!(rejected(&with(&|t| t.key = "Waiting Time".into())), "key");
        assert_eq!(rejected(&with(&|t| t.key = "é".into())), "key");
        assert_eq!(rejected(&with(&|t| t.key = "k".repeat(65))), "key");
        assert_eq!(rejected(&with(&|t| t.label = "  ".into())), "label");
        assert_eq!(rejected(&with(&|t| t.phrases.clear())), "phrases");
        assert_eq!(
            rejected(&with(&|t| t.phrases = vec!["!!!".into()])),
            "phrases"
        );
        assert_eq!(
            rejected(&with(&|t| t.phrases = vec!["  ".into()])),
            "phrases"
        );
        assert_eq!(
            rejected(&with(&|t| t.phrases = vec!["a".repeat(101)])),
            "phrases"
        );
        assert_eq!(
            rejected(&with(&|t| t.phrases = vec!["*wait".into()])),
            "phrases"
        );
        assert_eq!(
            rejected(&with(&|t| t.phrases = vec!["wa*".into()])),
            "phrases"
        );
        assert_eq!(
            rejected(&with(&|t| t.phrases = vec!["wait *".into()])),
            "phrases"
        );
        assert_eq!(
            with(&|t| t.phrases = vec!["é".repeat(100)]).validate(),
            Ok(())
        );
        assert_eq!(
            with(&|t| t.key = "quality_of-work2".into()).validate(),
            Ok(())
        );

        let mut duplicate = valid.clone();
        duplicate.themes.push(valid.themes[0].clone());
        assert_eq!(rejected(&duplicate), "key");

        let too_many = Taxonomy {
            themes: (0..=MAX_THEMES)
                .map(|i| Theme {
                    key: format!("theme-{i}"),
                    label: "Theme".into(),
                    phrases: vec!["word".into()],
                })
                .collect(),
        };
        assert_eq!(rejected(&too_many), "themes");
        let mut enough = too_many;
        enough.themes.pop();
        assert_eq!(enough.validate(), Ok(()));
    }
}
