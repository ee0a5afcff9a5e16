//! Pure domain types and policies of Perfect Service: parsing of every external input into
//! types that cannot hold invalid values, roles and permissions, money, pagination cursors and
//! rate limiting. Nothing here performs I/O.

pub mod access;
pub mod analysis;
pub mod cursor;
pub mod dashboard;
pub mod early_warning;
pub mod fatigue;
pub mod guarantee;
pub mod ids;
pub mod improvement;
pub mod money;
pub mod rate_limit;
pub mod recovery;
pub mod standards;
pub mod survey;
pub mod text;
pub mod time;
pub mod token;
pub mod webhook;

pub use access::{ApiScope, ApiScopes, Role};
pub use cursor::Cursor;
pub use ids::*;
pub use money::{Currency, Money};
pub use text::{Email, ExternalId, Key, Name, OptionalText, Password};

/// A value supplied from outside failed validation; the message is safe to show to the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: &'static str,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
