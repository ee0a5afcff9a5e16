//! Errors every store method can return, independent of the database behind it.

/// Why a store operation failed. Messages of the client-caused variants are safe to show.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique value is already taken (a key, an e-mail, an external id).
    #[error("{0}")]
    Conflict(String),
    /// The record is still referred to by others and cannot be deleted.
    #[error("{0}")]
    InUse(String),
    /// The input names something that does not exist (an unknown touchpoint key, say).
    #[error("{field}: no {what} with {value:?}")]
    UnknownReference {
        field: String,
        what: &'static str,
        value: String,
    },
    /// The database cannot be reached or is overloaded; retrying later may succeed.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Internal(String),
}

impl StoreError {
    pub fn unknown(field: impl Into<String>, what: &'static str, value: impl Into<String>) -> Self {
        StoreError::UnknownReference {
            field: field.into(),
            what,
            value: value.into(),
        }
    }
}
