//! The storage interface of Perfect Service (the [`Store`] trait and its row types) and its one
//! SQL implementation, which runs on SQLite and PostgreSQL.

pub mod commitments;
pub mod dashboard;
pub mod drivers;
mod error;
pub mod guarantee;
pub mod improvement;
pub mod knowledge;
pub mod model;
pub mod recovery;
mod sql;
pub mod standards;
mod traits;

#[cfg(feature = "test-support")]
pub mod test_support;

pub use commitments::*;
pub use dashboard::*;
pub use drivers::*;
pub use error::StoreError;
pub use guarantee::*;
pub use improvement::*;
pub use knowledge::*;
pub use model::*;
pub use recovery::*;
pub use sql::{Backend, SqlStore, redact_url};
pub use standards::*;
pub use traits::*;
