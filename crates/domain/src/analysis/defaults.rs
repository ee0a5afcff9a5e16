//! The default taxonomy, kept as an editable text file embedded at compile time.

use super::taxonomy::{Taxonomy, Theme};

/// A line `key | label` starts a theme; indented lines `xx: phrase, phrase` add phrases.
const DATA: &str = include_str!("default_taxonomy.txt");

pub(super) fn default_taxonomy() -> Taxonomy {
    let mut themes: Vec<Theme> = Vec::new();
    for line in DATA.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !line.starts_with(char::is_whitespace) {
            if let Some((key, label)) = trimmed.split_once('|') {
                themes.push(Theme {
                    key: key.trim().to_owned(),
                    label: label.trim().to_owned(),
                    phrases: Vec::new(),
                });
            }
        } else if let Some(theme) = themes.last_mut() {
            let phrases = trimmed.split_once(':').map_or(trimmed, |(_, list)| list);
            theme.phrases.extend(
                phrases
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned),
            );
        }
    }
    Taxonomy { themes }
}
