//! Performance standards and the operational events they are measured on.

use crate::model::{Actor, TeamRef};
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::standards::OperationalEvent;
use domain::standards::standard::StandardInput;
use jiff::Timestamp;
use serde::Serialize;

/// A stored standard: its validated definition and owning team.
#[derive(Debug, Clone, Serialize)]
pub struct StoredStandard {
    pub id: i64,
    pub definition: StandardInput,
    pub team: TeamRef,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What recording a batch of events did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EventsRecorded {
    /// Events stored now.
    pub stored: u64,
    /// Events whose idempotency key was already stored (sent before): nothing changed.
    pub duplicates: u64,
}

#[async_trait]
pub trait StandardStore: Send + Sync {
    /// Creates a standard (its key is unique; the team must exist: else `Validation`).
    async fn create_standard(
        &self,
        actor: &Actor,
        definition: &StandardInput,
        now: Timestamp,
    ) -> StoreResult<StoredStandard>;
    /// Replaces a standard's definition (its key stays).
    async fn update_standard(
        &self,
        actor: &Actor,
        key: &str,
        definition: &StandardInput,
        now: Timestamp,
    ) -> StoreResult<StoredStandard>;
    async fn delete_standard(&self, actor: &Actor, key: &str) -> StoreResult<()>;
    async fn standard(&self, key: &str) -> StoreResult<StoredStandard>;
    async fn list_standards(&self) -> StoreResult<Vec<StoredStandard>>;
    /// Stores the events whose idempotency key is new, all in one transaction.
    async fn record_events(
        &self,
        actor: &Actor,
        events: &[OperationalEvent],
        now: Timestamp,
    ) -> StoreResult<EventsRecorded>;
    /// The events of `types` that occurred in `[from, to)`, oldest first.
    async fn events_of_types(
        &self,
        types: &[String],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<OperationalEvent>>;
}
