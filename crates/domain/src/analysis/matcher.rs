//! Whole-word phrase matching over [`Normalized`] text: phrases are indexed by their first
//! word, so a comment costs one or two hash look-ups per word whatever the number of phrases.

use super::normalize::Normalized;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: much faster than SipHash on the short keys used here. Flooding resistance is not
/// needed because only trusted phrases are inserted; comment words are only looked up.
pub(crate) struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for FnvHasher {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<FnvHasher>>;

/// One word of a phrase: matched exactly, or as a prefix when written with a trailing `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PatternWord {
    text: Box<str>,
    prefix: bool,
}

impl PatternWord {
    fn matches(&self, word: &str) -> bool {
        if self.prefix {
            word.starts_with(&*self.text)
        } else {
            *word == *self.text
        }
    }
}

/// A compiled phrase and what it stands for.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    words: Vec<PatternWord>,
    /// Index of the theme, staff member or idiom the phrase belongs to.
    pub target: usize,
    /// Matches only a word starting with a capital letter, unless the comment has no
    /// capitals at all (used for first names that are also ordinary words: "Will", "Grace").
    pub needs_capital: bool,
}

/// A set of phrases indexed for matching.
#[derive(Debug, Clone, Default)]
pub(crate) struct PhraseMatcher {
    patterns: Vec<Pattern>,
    by_first_word: FnvMap<Box<str>, Vec<usize>>,
    by_first_prefix: FnvMap<Box<str>, Vec<usize>>,
    /// Distinct byte lengths of the first-word prefixes, ascending.
    prefix_lengths: Vec<usize>,
}

impl PhraseMatcher {
    /// Adds a phrase already folded by [`Normalized::new`]. A phrase without words is ignored.
    pub fn add(&mut self, phrase: &Normalized, target: usize, needs_capital: bool) {
        let words: Vec<PatternWord> = (0..phrase.len())
            .map(|i| PatternWord {
                text: phrase.word(i).into(),
                prefix: phrase.tokens.get(i).is_some_and(|t| t.star),
            })
            .collect();
        let Some(first) = words.first().cloned() else {
            return;
        };
        let id = self.patterns.len();
        self.patterns.push(Pattern {
            words,
            target,
            needs_capital,
        });
        if first.prefix {
            let length = first.text.len();
            if let Err(at) = self.prefix_lengths.binary_search(&length) {
                self.prefix_lengths.insert(at, length);
            }
            self.by_first_prefix.entry(first.text).or_default().push(id);
        } else {
            self.by_first_word.entry(first.text).or_default().push(id);
        }
    }

    /// Calls `found(pattern, start, end)` for every occurrence of every phrase, by start word
    /// in text order. `end` is exclusive. A phrase never spans a clause break.
    pub fn find(&self, text: &Normalized, mut found: impl FnMut(&Pattern, usize, usize)) {
        for start in 0..text.len() {
            let word = text.word(start);
            if let Some(ids) = self.by_first_word.get(word) {
                self.check(text, start, ids, &mut found);
            }
            for &length in &self.prefix_lengths {
                let Some(head) = word.get(..length) else {
                    // Longer than the word, or not on a character boundary.
                    continue;
                };
                if let Some(ids) = self.by_first_prefix.get(head) {
                    self.check(text, start, ids, &mut found);
                }
            }
        }
    }

    fn check(
        &self,
        text: &Normalized,
        start: usize,
        ids: &[usize],
        found: &mut impl FnMut(&Pattern, usize, usize),
    ) {
        for pattern in ids.iter().filter_map(|&id| self.patterns.get(id)) {
            let end = start + pattern.words.len();
            let rest_matches =
                pattern.words.iter().enumerate().skip(1).all(|(k, w)| {
                    !text.breaks_before(start + k) && w.matches(text.word(start + k))
                });
            if end <= text.len() && rest_matches && capital_ok(pattern, text, start) {
                found(pattern, start, end);
            }
        }
    }
}

fn capital_ok(pattern: &Pattern, text: &Normalized, start: usize) -> bool {
    !pattern.needs_capital
        || !text.has_upper
        || text.tokens.get(start).is_some_and(|t| t.capitalised)
}
