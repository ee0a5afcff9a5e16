//! Performance standards and the operational events they are measured on.

use crate::model::{Actor, TeamRef};
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::ExternalId;
use domain::standards::OperationalEvent;
use domain::standards::standard::StandardInput;
use jiff::{SignedDuration, Timestamp};
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

/// A subject of a standard still open past its deadline, as the real-time sweep found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenBreach {
    pub subject: ExternalId,
    pub customer: Option<ExternalId>,
    pub transaction: Option<ExternalId>,
    pub started: Timestamp,
    pub deadline: Timestamp,
    /// How far past the threshold it is so far, counted in the standard's time basis.
    pub overrun: SignedDuration,
}

/// What raising breaches did: only what was new counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BreachesRaised {
    /// New `standard_breach` alerts (one per standard and subject, ever).
    pub alerts: u64,
    /// In-app notifications to the owning team's managers (each with its e-mail job).
    pub notifications: u64,
    /// `standard.breached` webhook deliveries queued.
    pub webhooks: u64,
}

impl std::ops::AddAssign for BreachesRaised {
    fn add_assign(&mut self, other: Self) {
        self.alerts += other.alerts;
        self.notifications += other.notifications;
        self.webhooks += other.webhooks;
    }
}

/// The real-time breach alert: kept apart from [`StandardStore`] (its supertrait, so every
/// store has it) so that its SQL lives in one file.
#[async_trait]
pub trait StandardBreachStore: Send + Sync {
    /// Flags each of `breaches` of `standard` once: a `standard_breach` alert for its team, a
    /// notification to the team's managers (everyone in it when it has none) and a
    /// `standard.breached` webhook event, all in one transaction. A subject flagged before
    /// (by this or another instance) is skipped, so repeated sweeps raise nothing new.
    async fn raise_standard_breaches(
        &self,
        standard: &StoredStandard,
        breaches: &[OpenBreach],
        now: Timestamp,
    ) -> StoreResult<BreachesRaised>;
}

#[async_trait]
pub trait StandardStore: StandardBreachStore + Send + Sync {
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
