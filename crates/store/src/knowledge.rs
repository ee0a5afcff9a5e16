//! Storage of Perfect Knowledge: surveys and their versions, invitations, responses, the
//! outbox of events and jobs, and installation settings.

use crate::model::{Actor, CustomerRef, ListParams, Page, TeamRef, TouchpointRef, UserRef};
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::survey::{Questions, Scores};
use domain::{CustomerId, ExternalId, Key, TeamId, TouchpointId, TransactionId, UserId};
use jiff::Timestamp;
use serde::Serialize;

/// A survey at its current version.
#[derive(Debug, Clone, Serialize)]
pub struct Survey {
    pub id: i64,
    pub key: Key,
    pub name: String,
    pub description: Option<String>,
    pub version: i64,
    pub version_id: i64,
    pub questions: Questions,
    /// The touchpoints whose transactions are asked this survey.
    pub touchpoints: Vec<TouchpointRef>,
    /// Responses to the current version.
    pub responses: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewSurvey {
    pub key: Key,
    pub name: String,
    pub description: Option<String>,
    pub questions: Questions,
    pub touchpoints: Vec<Key>,
}

/// Changes to a survey. New questions on a version that has responses make a new version.
#[derive(Debug, Clone, Default)]
pub struct SurveyUpdate {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub questions: Option<Questions>,
    pub touchpoints: Option<Vec<Key>>,
}

/// One version of a survey's questions, as answered.
#[derive(Debug, Clone, Serialize)]
pub struct SurveyVersion {
    pub id: i64,
    pub survey_key: String,
    pub survey_name: String,
    pub version: i64,
    pub questions: Questions,
}

/// The organization's rules for asking customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InvitationRules {
    /// At most one invitation per customer per this many days (0: ask every time).
    pub min_days_between: i64,
    /// Minutes after midnight (organization time) when no e-mail is sent, start and end.
    pub quiet_hours: Option<(i64, i64)>,
    pub ttl_days: i64,
    /// Send one reminder after this many hours if unanswered; 0 for none.
    pub reminder_after_hours: i64,
}

/// An invitation's life: link-only invitations start `sent` (handed to the caller).
pub mod invitation_state {
    pub const QUEUED: &str = "queued";
    pub const SENT: &str = "sent";
    pub const FAILED: &str = "failed";
    pub const ANSWERED: &str = "answered";
    pub const EXPIRED: &str = "expired";
}

/// A transaction's invitation, as returned with the transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvitationSummary {
    pub id: i64,
    pub lookup_id: String,
    pub channel: String,
    pub state: String,
    pub failure_reason: Option<String>,
}

/// Everything the survey page needs about one invitation.
#[derive(Debug, Clone)]
pub struct InvitationView {
    pub id: i64,
    pub state: String,
    pub expires_at: Timestamp,
    pub draft: serde_json::Map<String, serde_json::Value>,
    pub survey: SurveyVersion,
    pub customer: CustomerRef,
    pub customer_email: Option<String>,
    pub customer_locale: Option<String>,
    /// The customer asked for no more surveys (one-click unsubscribe).
    pub customer_opted_out: bool,
    pub touchpoint: TouchpointRef,
    pub transaction_id: TransactionId,
    pub occurred_at: Timestamp,
    pub staff: Option<UserRef>,
    pub team_id: Option<TeamId>,
    pub organization: String,
}

/// Where a response comes from and what it is about, given by external references.
#[derive(Debug, Clone)]
pub struct ResponseReferences {
    pub transaction: Option<ExternalId>,
    pub customer: Option<ExternalId>,
    pub touchpoint: Option<Key>,
}

/// The resolved context of a response: who, where, and the survey answered.
#[derive(Debug, Clone)]
pub struct ResponseContext {
    pub transaction: Option<TransactionId>,
    pub customer: CustomerId,
    pub touchpoint: TouchpointId,
    pub team: Option<TeamId>,
    pub staff: Option<UserId>,
    pub survey: SurveyVersion,
}

/// The comment analysis stored with a response.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StoredAnalysis {
    pub sentiment: Option<f64>,
    pub language: Option<String>,
    pub themes: Vec<String>,
    pub staff_mentions: Vec<i64>,
}

/// A validated response ready to store.
#[derive(Debug, Clone)]
pub struct NewResponse {
    pub context: ResponseContext,
    pub invitation: Option<i64>,
    pub source: String,
    pub responded_at: Timestamp,
    pub answers: serde_json::Value,
    pub scores: Scores,
    /// The attribute ratings answered, by question key.
    pub ratings: domain::survey::Ratings,
    pub comment: Option<String>,
    pub analysis: StoredAnalysis,
    pub contact_consent: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Response {
    pub id: i64,
    pub survey_key: Option<String>,
    pub survey_version: Option<i64>,
    /// The id of the survey version answered, for its question prompts.
    pub survey_version_id: Option<i64>,
    pub transaction_external_id: Option<String>,
    pub customer: CustomerRef,
    pub touchpoint: TouchpointRef,
    pub team: Option<TeamRef>,
    pub staff: Option<UserRef>,
    pub source: String,
    pub responded_at: Timestamp,
    pub received_at: Timestamp,
    pub answers: serde_json::Value,
    pub scores: Scores,
    pub comment: Option<String>,
    pub analysis: StoredAnalysis,
    pub contact_consent: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ResponseFilter {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub team: Option<TeamId>,
    pub touchpoint: Option<TouchpointId>,
    pub staff: Option<UserId>,
    pub customer: Option<CustomerId>,
    pub band: Option<domain::survey::ScoreBand>,
    pub theme: Option<String>,
    /// Only responses whose sentiment is at least / below these bounds.
    pub sentiment_min: Option<f64>,
    pub sentiment_max: Option<f64>,
    pub source: Option<String>,
    /// Only responses with a comment.
    pub has_comment: bool,
}

/// A unit of work or event waiting in the outbox.
#[derive(Debug, Clone)]
pub struct OutboxItem {
    pub id: i64,
    pub topic: String,
    pub payload: serde_json::Value,
    pub attempts: i64,
}

pub mod topics {
    /// A response was stored: `{"response_id": …}`.
    pub const RESPONSE_RECEIVED: &str = "response.received";
    /// Send (or re-send) an invitation e-mail: `{"invitation_id": …, "reminder": bool}`.
    pub const INVITATION_EMAIL: &str = "invitation.email";
    /// E-mail an in-app notification to its recipient: `{"notification_id": …}`.
    pub const NOTIFICATION_EMAIL: &str = "notification.email";
    /// E-mail the "did we make it right?" follow-up of a resolved case: `{"case_id": …}`.
    pub const FOLLOWUP_EMAIL: &str = "case.followup_email";
    /// E-mail the customer the confirmation of a guarantee invocation: `{"claim_id": …}`.
    pub const GUARANTEE_EMAIL: &str = "guarantee.confirmation_email";
}

#[async_trait]
pub trait SurveyStore: Send + Sync {
    async fn create_survey(&self, actor: &Actor, survey: NewSurvey) -> StoreResult<Survey>;
    async fn update_survey(
        &self,
        actor: &Actor,
        key: &Key,
        update: SurveyUpdate,
    ) -> StoreResult<Survey>;
    async fn survey_by_key(&self, key: &Key) -> StoreResult<Survey>;
    async fn list_surveys(&self, params: &ListParams) -> StoreResult<Page<Survey>>;
    async fn survey_version(&self, id: i64) -> StoreResult<SurveyVersion>;
}

#[async_trait]
pub trait InvitationStore: Send + Sync {
    async fn invitation_rules(&self) -> StoreResult<InvitationRules>;
    async fn set_invitation_rules(&self, actor: &Actor, rules: InvitationRules) -> StoreResult<()>;
    async fn invitation_view(&self, lookup_id: &str) -> StoreResult<InvitationView>;
    /// The lookup id (the nonce of its links) of an invitation, by id.
    async fn invitation_lookup_id(&self, invitation: i64) -> StoreResult<String>;
    /// Saves partial answers; refused (`Conflict`) once answered or expired.
    async fn save_draft(
        &self,
        invitation: i64,
        draft: &serde_json::Map<String, serde_json::Value>,
    ) -> StoreResult<()>;
    async fn mark_invitation_sent(
        &self,
        invitation: i64,
        reminder: bool,
        at: Timestamp,
    ) -> StoreResult<()>;
    async fn mark_invitation_failed(&self, invitation: i64, reason: &str) -> StoreResult<()>;
    /// Ends the customer's invitations for good (one-click unsubscribe).
    async fn opt_out(&self, lookup_id: &str, at: Timestamp) -> StoreResult<()>;
}

#[async_trait]
pub trait ResponseStore: Send + Sync {
    /// Resolves a response's references; unknown ones are `UnknownReference` naming `field_prefix`.
    async fn response_context(
        &self,
        refs: &ResponseReferences,
        field_prefix: &str,
    ) -> StoreResult<ResponseContext>;
    /// Stores responses and one `response.received` outbox event each, all or nothing. An
    /// invitation already answered is a `Conflict`.
    async fn insert_responses(
        &self,
        actor: &Actor,
        responses: Vec<NewResponse>,
    ) -> StoreResult<Vec<i64>>;
    async fn response(&self, id: i64) -> StoreResult<Response>;
    async fn list_responses(
        &self,
        params: &ListParams,
        filter: &ResponseFilter,
    ) -> StoreResult<Page<Response>>;
    /// Replaces the comment analysis of responses by id (after the taxonomy changed), 500
    /// per transaction; unknown ids are skipped.
    async fn update_analysis(&self, updates: Vec<(i64, StoredAnalysis)>) -> StoreResult<()>;
}

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Claims up to `limit` due items of `topics` for `lease`; each is handed to one claimer.
    async fn claim_outbox(
        &self,
        topics: &[&str],
        limit: i64,
        now: Timestamp,
        lease: jiff::SignedDuration,
    ) -> StoreResult<Vec<OutboxItem>>;
    async fn complete_outbox(&self, id: i64, at: Timestamp) -> StoreResult<()>;
    /// Records a failure and makes the item due again at `retry_at`.
    async fn retry_outbox(&self, id: i64, error: &str, retry_at: Timestamp) -> StoreResult<()>;
    async fn pending_outbox(&self, topic: &str) -> StoreResult<i64>;
}

#[async_trait]
pub trait SettingsStore: Send + Sync {
    async fn setting(&self, key: &str) -> StoreResult<Option<String>>;
    async fn set_setting(&self, actor: &Actor, key: &str, value: &str) -> StoreResult<()>;
    /// The installation's secret for signing customer links, created on first use.
    async fn link_secret(&self) -> StoreResult<Vec<u8>>;
}
