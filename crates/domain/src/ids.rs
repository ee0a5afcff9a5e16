//! Typed identifiers, so that a team id can never be passed where a customer id is expected.

use serde::{Deserialize, Serialize};

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

typed_id!(
    /// A team of staff.
    TeamId,
    /// A staff user (who can log in to the console).
    UserId,
    /// A customer of the organization.
    CustomerId,
    /// A point of connection between the organization and its customers.
    TouchpointId,
    /// A contact or transaction with a customer.
    TransactionId,
    /// An API key used by another system.
    ApiKeyId,
    /// An entry of the audit log.
    AuditId,
);
