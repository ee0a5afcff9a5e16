//! The storage interface, split by resource. [`Store`] is all of them together, so the server
//! holds one `Arc<dyn Store>`. Every method that changes data takes the [`Actor`] and writes
//! the audit entry in the same database transaction as the change.

use crate::error::StoreError;
use crate::model::*;
use async_trait::async_trait;
use domain::{ApiKeyId, CustomerId, Email, Key, TeamId, TransactionId, UserId};
use jiff::Timestamp;

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait OrganizationStore: Send + Sync {
    async fn organization(&self) -> StoreResult<Organization>;
    async fn update_organization(
        &self,
        actor: &Actor,
        update: OrganizationUpdate,
    ) -> StoreResult<Organization>;
}

#[async_trait]
pub trait TeamStore: Send + Sync {
    async fn create_team(&self, actor: &Actor, team: NewTeam) -> StoreResult<Team>;
    async fn update_team(&self, actor: &Actor, key: &Key, update: TeamUpdate) -> StoreResult<Team>;
    async fn delete_team(&self, actor: &Actor, key: &Key) -> StoreResult<()>;
    async fn team_by_key(&self, key: &Key) -> StoreResult<Team>;
    async fn list_teams(&self, params: &ListParams, filter: &TeamFilter)
    -> StoreResult<Page<Team>>;
    async fn team_members(&self, team: TeamId) -> StoreResult<Vec<UserRef>>;
}

#[async_trait]
pub trait UserStore: Send + Sync {
    async fn create_user(&self, actor: &Actor, user: NewUser) -> StoreResult<User>;
    async fn update_user(&self, actor: &Actor, id: UserId, update: UserUpdate)
    -> StoreResult<User>;
    async fn set_password(&self, actor: &Actor, id: UserId, password_hash: &str)
    -> StoreResult<()>;
    async fn user(&self, id: UserId) -> StoreResult<User>;
    async fn list_users(&self, params: &ListParams, filter: &UserFilter)
    -> StoreResult<Page<User>>;
    async fn credentials(&self, email: &Email) -> StoreResult<Option<Credentials>>;
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(
        &self,
        id_hash: &str,
        user: UserId,
        csrf_token: &str,
        expires_at: Timestamp,
    ) -> StoreResult<()>;
    /// The live session with this id hash, if it exists and has not expired at `now`.
    async fn session(&self, id_hash: &str, now: Timestamp) -> StoreResult<Option<Session>>;
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;
    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64>;
}

#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    async fn create_api_key(&self, actor: &Actor, key: NewApiKey) -> StoreResult<ApiKey>;
    async fn list_api_keys(&self, params: &ListParams) -> StoreResult<Page<ApiKey>>;
    async fn api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<ApiKeyCredentials>>;
    async fn touch_api_key(&self, id: ApiKeyId, at: Timestamp) -> StoreResult<()>;
    async fn revoke_api_key(&self, actor: &Actor, id: ApiKeyId) -> StoreResult<ApiKey>;
}

#[async_trait]
pub trait CustomerStore: Send + Sync {
    async fn upsert_customer(
        &self,
        actor: &Actor,
        customer: CustomerInput,
    ) -> StoreResult<Upserted<Customer>>;
    async fn customer(&self, id: CustomerId) -> StoreResult<Customer>;
    async fn customer_by_external_id(&self, external_id: &str) -> StoreResult<Customer>;
    async fn list_customers(
        &self,
        params: &ListParams,
        filter: &CustomerFilter,
    ) -> StoreResult<Page<Customer>>;
    async fn delete_customer(&self, actor: &Actor, id: CustomerId) -> StoreResult<()>;
}

#[async_trait]
pub trait TouchpointStore: Send + Sync {
    async fn create_touchpoint(
        &self,
        actor: &Actor,
        touchpoint: NewTouchpoint,
    ) -> StoreResult<Touchpoint>;
    async fn update_touchpoint(
        &self,
        actor: &Actor,
        key: &Key,
        update: TouchpointUpdate,
    ) -> StoreResult<Touchpoint>;
    async fn delete_touchpoint(&self, actor: &Actor, key: &Key) -> StoreResult<()>;
    async fn touchpoint_by_key(&self, key: &Key) -> StoreResult<Touchpoint>;
    async fn list_touchpoints(&self, params: &ListParams) -> StoreResult<Page<Touchpoint>>;
}

#[async_trait]
pub trait TransactionStore: Send + Sync {
    /// Upserts customers and transactions by external id, all or nothing.
    async fn upsert_transactions(
        &self,
        actor: &Actor,
        batch: Vec<TransactionInput>,
    ) -> StoreResult<Vec<Upserted<Transaction>>>;
    async fn transaction(&self, id: TransactionId) -> StoreResult<Transaction>;
    async fn list_transactions(
        &self,
        params: &ListParams,
        filter: &TransactionFilter,
    ) -> StoreResult<Page<Transaction>>;
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn list_audit(
        &self,
        params: &ListParams,
        filter: &AuditFilter,
    ) -> StoreResult<Page<AuditEntry>>;
}

#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Reserves `key` in `scope` for a request with `request_hash`, or reports what holds it.
    async fn claim_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
    ) -> StoreResult<IdempotencyClaim>;
    async fn complete_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> StoreResult<()>;
    /// Frees a reservation whose request failed, so that it may be retried.
    async fn release_idempotency_key(&self, scope: &str, key: &str) -> StoreResult<()>;
}

#[async_trait]
pub trait OperationsStore: Send + Sync {
    fn backend(&self) -> crate::Backend;
    async fn ping(&self) -> StoreResult<()>;
    async fn counts(&self) -> StoreResult<Counts>;
    /// Writes a consistent copy of the database to `path` while it stays in use.
    async fn backup(&self, path: &std::path::Path) -> StoreResult<()>;
    /// Connections open and idle in the pool, for metrics.
    fn pool_state(&self) -> (u32, u32);
}

/// Everything the application stores.
pub trait Store:
    OrganizationStore
    + TeamStore
    + UserStore
    + SessionStore
    + ApiKeyStore
    + CustomerStore
    + TouchpointStore
    + TransactionStore
    + AuditStore
    + IdempotencyStore
    + OperationsStore
    + crate::knowledge::SurveyStore
    + crate::knowledge::InvitationStore
    + crate::knowledge::ResponseStore
    + crate::knowledge::OutboxStore
    + crate::knowledge::SettingsStore
    + crate::recovery::AlertStore
    + crate::recovery::CaseStore
    + crate::recovery::NotificationStore
    + crate::recovery::WebhookStore
    + crate::guarantee::GuaranteeStore
    + crate::dashboard::DashboardStore
    + crate::drivers::DriverStore
    + crate::commitments::CommitmentStore
    + crate::standards::StandardStore
    + crate::recovery::ChartStore
    + crate::improvement::ProblemStore
{
}

impl<T> Store for T where
    T: OrganizationStore
        + TeamStore
        + UserStore
        + SessionStore
        + ApiKeyStore
        + CustomerStore
        + TouchpointStore
        + TransactionStore
        + AuditStore
        + IdempotencyStore
        + OperationsStore
        + crate::knowledge::SurveyStore
        + crate::knowledge::InvitationStore
        + crate::knowledge::ResponseStore
        + crate::knowledge::OutboxStore
        + crate::knowledge::SettingsStore
        + crate::recovery::AlertStore
        + crate::recovery::CaseStore
        + crate::recovery::NotificationStore
        + crate::recovery::WebhookStore
        + crate::guarantee::GuaranteeStore
        + crate::dashboard::DashboardStore
        + crate::drivers::DriverStore
        + crate::commitments::CommitmentStore
        + crate::standards::StandardStore
        + crate::recovery::ChartStore
        + crate::improvement::ProblemStore
{
}
