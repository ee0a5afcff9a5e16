//! Validated text values: keys (slugs), external ids, names, e-mail addresses and passwords.

use crate::ValidationError;
use serde::{Deserialize, Serialize};

/// A stable, URL-safe identifier chosen by people, such as `phone-support` or `care`:
/// 1–64 characters of lowercase ASCII letters, digits and single hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Key(String);

impl Key {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, ValidationError> {
        let value = raw.trim();
        let valid_chars = value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if value.is_empty() || value.len() > 64 {
            return Err(ValidationError::new(
                field,
                "must be 1 to 64 characters long",
            ));
        }
        if !valid_chars || value.starts_with('-') || value.ends_with('-') || value.contains("--") {
            return Err(ValidationError::new(
                field,
                "may contain only lowercase letters, digits and single hyphens inside",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Key {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse("key", &value)
    }
}

impl From<Key> for String {
    fn from(key: Key) -> Self {
        key.0
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An identifier assigned by another system (CRM, billing, telephony): 1–128 printable
/// characters without surrounding whitespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExternalId(String);

impl ExternalId {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, ValidationError> {
        let value = raw.trim();
        if value.is_empty() || value.chars().count() > 128 {
            return Err(ValidationError::new(
                field,
                "must be 1 to 128 characters long",
            ));
        }
        if value.chars().any(char::is_control) {
            return Err(ValidationError::new(
                field,
                "must not contain control characters",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ExternalId {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse("external_id", &value)
    }
}

impl From<ExternalId> for String {
    fn from(id: ExternalId) -> Self {
        id.0
    }
}

impl std::fmt::Display for ExternalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A human-readable name (of a person, team, touchpoint or organization): 1–200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Name(String);

impl Name {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, ValidationError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(ValidationError::new(field, "must not be empty"));
        }
        if value.chars().count() > 200 {
            return Err(ValidationError::new(
                field,
                "must be at most 200 characters long",
            ));
        }
        if value.chars().any(char::is_control) {
            return Err(ValidationError::new(
                field,
                "must not contain control characters",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Name {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse("name", &value)
    }
}

impl From<Name> for String {
    fn from(name: Name) -> Self {
        name.0
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Optional free text (a description, a phone number): blank input means "none".
pub struct OptionalText;

impl OptionalText {
    pub fn parse(
        field: &'static str,
        raw: Option<&str>,
        max_chars: usize,
    ) -> Result<Option<String>, ValidationError> {
        let Some(value) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        if value.chars().count() > max_chars {
            return Err(ValidationError::new(
                field,
                format!("must be at most {max_chars} characters long"),
            ));
        }
        Ok(Some(value.to_owned()))
    }
}

/// An e-mail address, normalised to lowercase. Deliberately permissive: one `@`, a non-empty
/// local part, a domain with a dot, no spaces; real verification happens by sending mail.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, ValidationError> {
        let value = raw.trim().to_lowercase();
        let invalid = || ValidationError::new(field, "is not a valid e-mail address");
        if value.len() > 254 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = value.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@');
        if local.is_empty() || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse("email", &value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password as typed by a person: 12 to 1024 characters. Never displayed or logged.
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 12;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let count = raw.chars().count();
        if count < Self::MIN_CHARS {
            return Err(ValidationError::new(
                "password",
                format!("must be at least {} characters long", Self::MIN_CHARS),
            ));
        }
        if count > 1024 {
            return Err(ValidationError::new(
                "password",
                "must be at most 1024 characters long",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_accept_slugs_and_reject_everything_else() {
        assert!(Key::parse("key", "phone-support").is_ok());
        assert!(Key::parse("key", "care2").is_ok());
        for bad in ["", "Phone", "a b", "-a", "a-", "a--b", "é", &"a".repeat(65)] {
            assert!(Key::parse("key", bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn emails_are_lowercased_and_need_a_domain_with_a_dot() {
        let email = Email::parse("email", " Ada@Example.COM ").map(String::from);
        assert_eq!(email.as_deref(), Ok("ada@example.com"));
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
        ] {
            assert!(Email::parse("email", bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            Name::parse("name", "  Care ").map(String::from).as_deref(),
            Ok("Care")
        );
        assert!(Name::parse("name", "   ").is_err());
        assert!(Name::parse("name", &"x".repeat(201)).is_err());
    }

    #[test]
    fn short_passwords_are_refused_and_never_printed() {
        assert!(Password::parse("short").is_err());
        let password = Password::parse("correct horse battery staple");
        assert!(password.is_ok());
        assert!(!format!("{password:?}").contains("horse"));
    }

    #[test]
    fn blank_optional_text_is_none() {
        assert_eq!(OptionalText::parse("phone", Some("  "), 10), Ok(None));
        assert_eq!(
            OptionalText::parse("phone", Some(" 12 "), 10),
            Ok(Some("12".into()))
        );
        assert!(OptionalText::parse("phone", Some("12345678901"), 10).is_err());
    }
}
