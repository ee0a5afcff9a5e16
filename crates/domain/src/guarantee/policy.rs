//! The guarantee as the organization words it: shown on every survey page and in every survey
//! e-mail, with its own link.

use crate::ValidationError;
use serde::{Deserialize, Serialize};

pub const MAX_TEXT_CHARS: usize = 1000;
pub const MAX_LINK_LABEL_CHARS: usize = 80;

pub const DEFAULT_TEXT: &str = "If you are unhappy with our services for any reason, you pay what you \
    think the services are worth. To invoke the guarantee, simply tell the president.";
pub const DEFAULT_LINK_LABEL: &str = "Invoke the guarantee";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuaranteePolicy {
    /// The promise, in the organization's words.
    pub text: String,
    /// The words of the link that invokes it.
    pub link_label: String,
}

impl Default for GuaranteePolicy {
    fn default() -> Self {
        Self {
            text: DEFAULT_TEXT.to_owned(),
            link_label: DEFAULT_LINK_LABEL.to_owned(),
        }
    }
}

impl GuaranteePolicy {
    /// Trims both parts and checks they are present, of a sensible length and free of markup
    /// characters that would read oddly in an e-mail's plain text.
    pub fn parse(text: &str, link_label: &str) -> Result<Self, ValidationError> {
        let text = text.trim();
        let link_label = link_label.trim();
        if text.is_empty() {
            return Err(ValidationError::new("text", "must state the guarantee"));
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(ValidationError::new(
                "text",
                format!("must be at most {MAX_TEXT_CHARS} characters"),
            ));
        }
        if link_label.is_empty() || link_label.chars().count() > MAX_LINK_LABEL_CHARS {
            return Err(ValidationError::new(
                "link_label",
                format!("must be 1 to {MAX_LINK_LABEL_CHARS} characters"),
            ));
        }
        if link_label.contains(['\n', '\r']) {
            return Err(ValidationError::new("link_label", "must be one line"));
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
        {
            return Err(ValidationError::new(
                "text",
                "must not contain control characters",
            ));
        }
        Ok(Self {
            text: text.replace("\r\n", "\n"),
            link_label: link_label.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_states_the_promise_and_how_to_invoke_it() {
        let policy = GuaranteePolicy::default();
        assert!(policy.text.contains("pay what you think"));
        assert!(policy.text.contains("tell the president"));
        assert_eq!(
            GuaranteePolicy::parse(&policy.text, &policy.link_label),
            Ok(policy)
        );
    }

    #[test]
    fn empty_long_or_multi_line_parts_are_refused() {
        assert_eq!(
            GuaranteePolicy::parse("  ", "Invoke").unwrap_err().field,
            "text"
        );
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            GuaranteePolicy::parse(&long, "Invoke").unwrap_err().field,
            "text"
        );
        assert_eq!(
            GuaranteePolicy::parse("Pay what it was worth", "")
                .unwrap_err()
                .field,
            "link_label"
        );
        assert_eq!(
            GuaranteePolicy::parse("Pay what it was worth", "a\nb")
                .unwrap_err()
                .field,
            "link_label"
        );
        assert_eq!(
            GuaranteePolicy::parse("Pay\u{7} what", "Invoke")
                .unwrap_err()
                .field,
            "text"
        );
    }

    #[test]
    fn windows_line_ends_are_kept_as_plain_new_lines() {
        let policy = GuaranteePolicy::parse("One.\r\nTwo.", "Invoke");
        assert_eq!(policy.map(|p| p.text), Ok("One.\nTwo.".to_owned()));
    }
}
