//! Recognition of staff names in comments.

use super::matcher::{FnvMap, PhraseMatcher};
use super::normalize::Normalized;
use serde::{Deserialize, Serialize};

/// A first name must have at least this many letters to be recognised on its own.
pub const MIN_FIRST_NAME_LETTERS: usize = 3;

/// A staff member whose name may appear in comments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffName {
    /// The staff member's id, reported in [`super::CommentAnalysis::staff_mentions`].
    pub id: i64,
    /// The name as people write it, e.g. "Sarah O'Connor" or "Jean-Pierre Dupont".
    pub full_name: String,
}

/// Staff names prepared for matching; build it once with [`CompiledStaff::new`] and reuse it.
///
/// A staff member is recognised by their full name (two or more words, ignoring case and
/// accents), or by their first name alone (the first word of the full name, e.g.
/// "Jean-Pierre") when it has at least 3 letters and no other given staff member has the
/// same first name. Because many first names are also ordinary words ("Will", "Grace",
/// "Bill"), a first name alone must be written with a capital letter, unless the comment has
/// no capital letter at all.
#[derive(Debug, Clone, Default)]
pub struct CompiledStaff {
    ids: Vec<i64>,
    matcher: PhraseMatcher,
}

impl CompiledStaff {
    /// Prepares `staff` for matching. Names without any letter are ignored.
    pub fn new(staff: &[StaffName]) -> Self {
        let first_names: Vec<Option<Normalized>> =
            staff.iter().map(|s| first_name(&s.full_name)).collect();
        let mut counts: FnvMap<&str, usize> = FnvMap::default();
        for name in first_names.iter().flatten() {
            *counts.entry(name.text.as_str()).or_default() += 1;
        }
        let mut matcher = PhraseMatcher::default();
        for (index, (member, first)) in staff.iter().zip(&first_names).enumerate() {
            if member.full_name.split_whitespace().nth(1).is_some() {
                matcher.add(&Normalized::new(&member.full_name), index, false);
            }
            let Some(first) = first else { continue };
            let unique = counts.get(first.text.as_str()).copied() == Some(1);
            if unique && letters(&first.text) >= MIN_FIRST_NAME_LETTERS {
                matcher.add(first, index, true);
            }
        }
        Self {
            ids: staff.iter().map(|s| s.id).collect(),
            matcher,
        }
    }

    /// Ids of the staff mentioned in `text`, in the order of the staff list, without
    /// duplicates.
    pub(crate) fn mentions_in(&self, text: &Normalized) -> Vec<i64> {
        let mut matched = vec![false; self.ids.len()];
        self.matcher.find(text, |pattern, _, _| {
            if let Some(flag) = matched.get_mut(pattern.target) {
                *flag = true;
            }
        });
        let mut ids: Vec<i64> = Vec::new();
        for (id, _) in self.ids.iter().zip(&matched).filter(|(_, m)| **m) {
            if !ids.contains(id) {
                ids.push(*id);
            }
        }
        ids
    }
}

/// The folded first word of a full name, or `None` when it has no letter or digit.
fn first_name(full_name: &str) -> Option<Normalized> {
    let first = full_name.split_whitespace().next()?;
    let folded = Normalized::new(first);
    (!folded.tokens.is_empty()).then_some(folded)
}

fn letters(folded: &str) -> usize {
    folded.chars().filter(|c| c.is_alphabetic()).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Taxonomy, analyze};

    fn staff() -> Vec<StaffName> {
        [
            (1, "Sarah O'Connor"),
            (2, "Tom Smith"),
            (3, "Tom Becker"),
            (4, "Amélie Dubois"),
            (5, "Al Jones"),
            (6, "Will Turner"),
            (7, "Jean-Pierre Lefèvre"),
        ]
        .into_iter()
        .map(|(id, name)| StaffName {
            id,
            full_name: name.into(),
        })
        .collect()
    }

    fn mentions(text: &str) -> Vec<i64> {
        analyze(text, &Taxonomy::default(), &staff()).staff_mentions
    }

    #[test]
    fn full_names_match_ignoring_case_accents_and_apostrophes() {
        assert_eq!(mentions("sarah o’connor was lovely"), vec![1]);
        assert_eq!(mentions("Thanks to AMELIE DUBOIS!"), vec![4]);
        assert_eq!(mentions("Merci à jean pierre lefevre"), vec![7]);
    }

    #[test]
    fn a_unique_first_name_of_three_letters_or_more_is_enough() {
        assert_eq!(mentions("Sarah sorted it out"), vec![1]);
        assert_eq!(mentions("Merci Amélie !"), vec![4]);
        assert_eq!(mentions("Jean-Pierre était super"), vec![7]);
        assert_eq!(mentions("Sarah's help and Will's patience"), vec![1, 6]);
        // "Al" is too short to be recognised alone; the full name still is.
        assert!(mentions("Al was great").is_empty());
        assert_eq!(mentions("Al Jones was great"), vec![5]);
    }

    #[test]
    fn an_ambiguous_first_name_is_not_enough() {
        assert!(mentions("Tom was great").is_empty());
        assert_eq!(mentions("Tom Becker was great"), vec![3]);
        assert_eq!(mentions("Tom Smith and Tom Becker"), vec![2, 3]);
    }

    #[test]
    fn names_match_whole_words_and_first_names_need_a_capital() {
        assert!(mentions("Tomorrow, Sarahs and Amélies").is_empty());
        assert!(mentions("They will call me back").is_empty());
        assert_eq!(mentions("Will called me back"), vec![6]);
        // A comment written without any capital letter is matched case-insensitively.
        assert_eq!(mentions("thanks sarah"), vec![1]);
    }

    #[test]
    fn names_without_letters_and_empty_lists_are_harmless() {
        let odd = [
            StaffName {
                id: 9,
                full_name: "  ".into(),
            },
            StaffName {
                id: 10,
                full_name: "!!".into(),
            },
        ];
        assert!(
            analyze("!! ", &Taxonomy::default(), &odd)
                .staff_mentions
                .is_empty()
        );
        assert!(
            analyze("Sarah", &Taxonomy::default(), &[])
                .staff_mentions
                .is_empty()
        );
    }
}
