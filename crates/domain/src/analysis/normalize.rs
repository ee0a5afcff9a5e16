//! Text folded for matching: lower case, accents removed, split into words with the
//! punctuation between them remembered.

/// One word of a [`Normalized`] text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Token {
    /// Byte range of the folded word in [`Normalized::text`].
    pub start: usize,
    pub end: usize,
    /// Punctuation (anything but spaces, apostrophes and hyphens) separates this word from the
    /// previous one: phrases, negation and intensifiers do not reach across it.
    pub break_before: bool,
    /// The original word starts with an upper-case letter.
    pub capitalised: bool,
    /// The original word has at least two letters, all upper case ("SLOW").
    pub all_caps: bool,
    /// The original word is directly followed by `*` (a prefix pattern in a phrase).
    pub star: bool,
}

/// A text folded for matching. Words are maximal runs of letters and digits; combining
/// accents stay inside their word; apostrophes and hyphens split words without being a
/// break, so "d'attente" is "d attente" and "rendez-vous" is "rendez vous".
#[derive(Debug, Clone, Default)]
pub(crate) struct Normalized {
    pub text: String,
    pub tokens: Vec<Token>,
    /// The original text has at least one upper-case letter.
    pub has_upper: bool,
    /// The original text has at least one lower-case letter.
    pub has_lower: bool,
}

/// State of the word being read.
struct Word {
    token: Token,
    upper: usize,
    lower: usize,
}

impl Normalized {
    pub fn new(raw: &str) -> Self {
        let mut out = Normalized {
            text: String::with_capacity(raw.len() + raw.len() / 8),
            tokens: Vec::with_capacity(raw.len() / 5 + 1),
            has_upper: false,
            has_lower: false,
        };
        let mut word: Option<Word> = None;
        let mut pending_break = false;
        for c in raw.chars() {
            if c.is_alphanumeric() {
                let current = word.get_or_insert_with(|| Word {
                    token: Token {
                        start: out.text.len(),
                        break_before: std::mem::take(&mut pending_break),
                        capitalised: c.is_uppercase(),
                        ..Token::default()
                    },
                    upper: 0,
                    lower: 0,
                });
                if c.is_uppercase() {
                    current.upper += 1;
                } else if c.is_lowercase() {
                    current.lower += 1;
                }
                push_folded(&mut out.text, c);
            } else if is_combining(c) && word.is_some() {
                // A decomposed accent: part of the letter before it, dropped by folding.
            } else {
                if let Some(done) = word.take() {
                    out.finish(done, c == '*');
                }
                if !is_soft_separator(c) {
                    pending_break = true;
                }
            }
        }
        if let Some(done) = word.take() {
            out.finish(done, false);
        }
        out
    }

    fn finish(&mut self, word: Word, star: bool) {
        let mut token = word.token;
        token.end = self.text.len();
        if token.end == token.start {
            return;
        }
        token.all_caps = word.upper >= 2 && word.lower == 0;
        token.star = star;
        self.has_upper |= word.upper > 0;
        self.has_lower |= word.lower > 0;
        self.tokens.push(token);
    }

    /// The folded text of word `index` (empty when out of range).
    pub fn word(&self, index: usize) -> &str {
        self.tokens
            .get(index)
            .and_then(|t| self.text.get(t.start..t.end))
            .unwrap_or("")
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether word `index` begins a new clause (or is out of range).
    pub fn breaks_before(&self, index: usize) -> bool {
        self.tokens.get(index).is_none_or(|t| t.break_before)
    }
}

/// Characters that separate words without separating clauses.
fn is_soft_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\'' | '’' | 'ʼ' | '‘' | '`' | '´' | '-' | '‐' | '‑' | '*' | '\u{a0}'
    ) || (c.is_whitespace() && c != '\n' && c != '\r')
}

/// Combining marks, as produced by decomposed accents (e + U+0301 for é).
fn is_combining(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036f}'
        | '\u{1ab0}'..='\u{1aff}'
        | '\u{1dc0}'..='\u{1dff}'
        | '\u{20d0}'..='\u{20ff}'
        | '\u{fe20}'..='\u{fe2f}')
}

fn push_folded(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    for lower in c.to_lowercase() {
        if is_combining(lower) {
            continue;
        }
        match fold(lower) {
            Some(plain) => out.push_str(plain),
            None => out.push(lower),
        }
    }
}

/// Accented Latin letters to their plain form. German umlauts fold to the bare vowel
/// (ü → u), like every other accent, so "pünktlich" and "punktlich" match.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}
