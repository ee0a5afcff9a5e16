//! Rows the store returns and the inputs it accepts. Inputs hold already-validated domain types.

use domain::access::{CustomerStatus, TeamKind};
use domain::{
    ApiKeyId, ApiScopes, AuditId, CustomerId, Email, ExternalId, Key, Money, Name, Role, TeamId,
    TouchpointId, TransactionId, UserId,
};
use jiff::Timestamp;
use serde::Serialize;

/// Who made a change, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User {
        id: UserId,
        label: String,
    },
    ApiKey {
        id: ApiKeyId,
        label: String,
    },
    /// The command line or a background job.
    System {
        label: String,
    },
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::User { .. } => "user",
            Actor::ApiKey { .. } => "api_key",
            Actor::System { .. } => "system",
        }
    }

    pub fn id(&self) -> Option<i64> {
        match self {
            Actor::User { id, .. } => Some(id.0),
            Actor::ApiKey { id, .. } => Some(id.0),
            Actor::System { .. } => None,
        }
    }

    pub fn label(&self) -> &str {
        match self {
            Actor::User { label, .. } | Actor::ApiKey { label, .. } | Actor::System { label } => {
                label
            }
        }
    }
}

/// One page of a list, and where the next one starts.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_after_id: Option<i64>,
}

/// Paging and free-text search common to every list.
#[derive(Debug, Clone, Default)]
pub struct ListParams {
    pub after_id: Option<i64>,
    pub limit: i64,
    /// Case-insensitive substring match on the list's main text columns.
    pub search: Option<String>,
    /// Newest (highest id) first instead of oldest first; `after_id` then pages downwards.
    pub newest_first: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Organization {
    pub name: String,
    pub time_zone: String,
    pub president: Option<UserRef>,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct OrganizationUpdate {
    pub name: Name,
    pub time_zone: String,
    pub president: Option<UserId>,
}

/// A short reference to a user, as shown next to the things they do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRef {
    pub id: UserId,
    pub name: String,
    pub external_id: Option<String>,
}

/// A short reference to a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamRef {
    pub id: TeamId,
    pub key: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Team {
    pub id: TeamId,
    pub key: Key,
    pub name: String,
    pub kind: TeamKind,
    pub description: Option<String>,
    pub member_count: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewTeam {
    pub key: Key,
    pub name: Name,
    pub kind: TeamKind,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct TeamUpdate {
    pub name: Option<Name>,
    pub kind: Option<TeamKind>,
    pub description: Option<Option<String>>,
}

#[derive(Debug, Clone, Default)]
pub struct TeamFilter {
    pub kind: Option<TeamKind>,
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub external_id: Option<String>,
    pub teams: Vec<TeamRef>,
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub name: Name,
    pub role: Role,
    pub external_id: Option<ExternalId>,
    /// An argon2id PHC string; `None` for a user who cannot log in yet.
    pub password_hash: Option<String>,
    pub teams: Vec<TeamId>,
}

#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub name: Option<Name>,
    pub role: Option<Role>,
    pub external_id: Option<Option<ExternalId>>,
    pub teams: Option<Vec<TeamId>>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub team: Option<TeamId>,
}

/// What login needs to know about a user.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user_id: UserId,
    pub password_hash: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub name: String,
    pub prefix: String,
    #[serde(serialize_with = "serialize_scopes")]
    pub scopes: ApiScopes,
    pub created_by: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

fn serialize_scopes<S: serde::Serializer>(scopes: &ApiScopes, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&scopes.to_string())
}

#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub name: Name,
    pub prefix: String,
    pub secret_hash: String,
    pub scopes: ApiScopes,
}

/// An API key found by its prefix, with the hash to verify the secret against.
#[derive(Debug, Clone)]
pub struct ApiKeyCredentials {
    pub key: ApiKey,
    pub secret_hash: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Customer {
    pub id: CustomerId,
    pub external_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: Option<String>,
    pub segment: Option<String>,
    pub annual_value: Option<Money>,
    pub team: Option<TeamRef>,
    pub status: CustomerStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The fields of a customer; `None` leaves a stored value unchanged on upsert.
#[derive(Debug, Clone)]
pub struct CustomerInput {
    pub external_id: ExternalId,
    pub name: Option<Name>,
    pub email: Option<Email>,
    pub phone: Option<String>,
    pub locale: Option<String>,
    pub segment: Option<String>,
    pub annual_value: Option<Money>,
    pub team: Option<Key>,
    pub status: Option<CustomerStatus>,
}

impl CustomerInput {
    /// True when the input names the customer and changes nothing.
    pub fn is_reference_only(&self) -> bool {
        self.name.is_none()
            && self.email.is_none()
            && self.phone.is_none()
            && self.locale.is_none()
            && self.segment.is_none()
            && self.annual_value.is_none()
            && self.team.is_none()
            && self.status.is_none()
    }

    /// Just a reference to the customer: every other field keeps its stored value.
    pub fn reference(external_id: ExternalId) -> Self {
        Self {
            external_id,
            name: None,
            email: None,
            phone: None,
            locale: None,
            segment: None,
            annual_value: None,
            team: None,
            status: None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    pub team: Option<TeamId>,
    pub segment: Option<String>,
    pub status: Option<CustomerStatus>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Touchpoint {
    pub id: TouchpointId,
    pub key: Key,
    pub name: String,
    pub description: Option<String>,
    pub team: Option<TeamRef>,
    /// Overrides the organization's minimum days between invitations to one customer.
    pub invitation_min_days: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewTouchpoint {
    pub key: Key,
    pub name: Name,
    pub description: Option<String>,
    pub team: Option<Key>,
}

#[derive(Debug, Clone, Default)]
pub struct TouchpointUpdate {
    pub name: Option<Name>,
    pub description: Option<Option<String>>,
    pub team: Option<Option<Key>>,
    /// `Some(None)` returns to the organization's rule.
    pub invitation_min_days: Option<Option<i64>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Transaction {
    pub id: TransactionId,
    pub external_id: String,
    pub customer: CustomerRef,
    pub touchpoint: TouchpointRef,
    pub staff: Option<UserRef>,
    pub team: Option<TeamRef>,
    pub occurred_at: Timestamp,
    pub amount: Option<Money>,
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// The survey invitation created with the transaction, if any.
    pub invitation: Option<crate::knowledge::InvitationSummary>,
    /// The lookup id of the guarantee link, when the transaction has an invoiced amount.
    pub guarantee_lookup_id: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerRef {
    pub id: CustomerId,
    pub external_id: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TouchpointRef {
    pub id: TouchpointId,
    pub key: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct TransactionInput {
    pub external_id: ExternalId,
    pub customer: CustomerInput,
    pub touchpoint: Key,
    pub staff: Option<ExternalId>,
    /// When absent: the staff member's first team, else the touchpoint's owning team.
    pub team: Option<Key>,
    pub occurred_at: Timestamp,
    pub amount: Option<Money>,
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// The stored transaction and whether this call created it (rather than updating it).
#[derive(Debug, Clone)]
pub struct Upserted<T> {
    pub record: T,
    pub created: bool,
}

#[derive(Debug, Clone, Default)]
pub struct TransactionFilter {
    pub customer: Option<CustomerId>,
    pub touchpoint: Option<TouchpointId>,
    pub team: Option<TeamId>,
    pub staff: Option<UserId>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: AuditId,
    pub at: Timestamp,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub actor: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

/// What an idempotency key already holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key is new and is now reserved for this request.
    Claimed,
    /// The same request finished before: replay its response.
    Completed {
        request_hash: String,
        status: u16,
        body: String,
    },
    /// A request with this key is still being processed (or died mid-way recently).
    InProgress { request_hash: String },
}

/// How many rows each table holds; used by `demo` to refuse a non-empty database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub users: i64,
    pub teams: i64,
    pub customers: i64,
    pub touchpoints: i64,
    pub transactions: i64,
}
