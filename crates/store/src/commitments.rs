//! Commitments: promises made to customers, kept in full and on time or broken.

use crate::model::Actor;
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::standards::Commitment;
use domain::{CustomerId, UserId};
use jiff::Timestamp;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct StoredCommitment {
    pub id: i64,
    pub commitment: Commitment,
}

/// A change to a promise, applied by the domain's rules inside the store's transaction.
#[derive(Debug, Clone)]
pub enum CommitmentChange {
    Fulfil { in_full: bool, note: Option<String> },
    GiveUp { note: Option<String> },
    Withdraw { reason: String },
    Reschedule { due: Timestamp },
    Reminded,
}

/// Which promises to list (all given filters apply).
#[derive(Debug, Clone, Copy, Default)]
pub struct CommitmentFilter {
    pub customer: Option<CustomerId>,
    pub owner: Option<UserId>,
    /// Only those not yet resolved.
    pub unresolved: bool,
}

/// What a sweep of open promises did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CommitmentSweep {
    /// Owners reminded of a promise coming due.
    pub reminded: u64,
    /// Promises found broken and alerted.
    pub broken: u64,
}

#[async_trait]
pub trait CommitmentStore: Send + Sync {
    async fn create_commitment(
        &self,
        actor: &Actor,
        commitment: &Commitment,
        now: Timestamp,
    ) -> StoreResult<StoredCommitment>;
    async fn commitment(&self, id: i64) -> StoreResult<StoredCommitment>;
    /// Applies `change` at `now`; a change the rules refuse is a `Conflict` with the reason.
    async fn change_commitment(
        &self,
        actor: &Actor,
        id: i64,
        change: CommitmentChange,
        now: Timestamp,
    ) -> StoreResult<StoredCommitment>;
    /// Reminds the owners of promises whose reminder time has come, and raises a
    /// `broken_promise` alert (owner and team managers notified) for each promise past its due
    /// time unresolved. Each happens once per promise, however many instances sweep.
    async fn sweep_commitments(&self, now: Timestamp) -> StoreResult<CommitmentSweep>;
    /// Newest due first, at most 500.
    async fn list_commitments(
        &self,
        filter: &CommitmentFilter,
    ) -> StoreResult<Vec<StoredCommitment>>;
}
