//! Storage of Perfect Improvement, part 1: alert rules and alerts, recovery cases and their
//! timeline, in-app notifications, webhook endpoints and deliveries, and control-chart state.

use crate::model::{Actor, CustomerRef, ListParams, Page, TeamRef, TouchpointRef, UserRef};
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::early_warning::{ChartState, Metric};
use domain::recovery::rules::AlertRule;
use domain::recovery::{CaseStatus, Priority, Severity, SlaPolicy};
use domain::{CustomerId, Key, TeamId, TouchpointId, UserId};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

/// An alert rule with the names of what it is scoped to.
#[derive(Debug, Clone, Serialize)]
pub struct StoredAlertRule {
    pub rule: AlertRule,
    pub team: Option<TeamRef>,
    pub touchpoint: Option<TouchpointRef>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A rule to store; teams and touchpoints are given by key.
#[derive(Debug, Clone)]
pub struct AlertRuleInput {
    pub name: String,
    pub conditions: Vec<domain::recovery::Condition>,
    pub match_all: bool,
    pub team: Option<Key>,
    pub touchpoint: Option<Key>,
    pub segment: Option<String>,
    pub min_annual_value_minor: Option<i64>,
    pub severity: Severity,
    pub opens_case: bool,
    pub enabled: bool,
}

pub mod alert_kind {
    /// A response matched an alert rule.
    pub const RESPONSE: &str = "response";
    /// A control chart crossed its limit.
    pub const TREND: &str = "trend";
    /// A guarantee invocation matched an alert rule.
    pub const GUARANTEE: &str = "guarantee";
    /// The guarantee invocation rate rose significantly.
    pub const GUARANTEE_TREND: &str = "guarantee_trend";
    /// A subject of a performance standard is still open past its deadline.
    pub const STANDARD_BREACH: &str = "standard_breach";
    /// A promise made to a customer was broken (late, in part, or given up).
    pub const BROKEN_PROMISE: &str = "broken_promise";
    /// Every kind, as the alert lists filter on them.
    pub const ALL: &[&str] = &[
        RESPONSE,
        TREND,
        GUARANTEE,
        GUARANTEE_TREND,
        STANDARD_BREACH,
        BROKEN_PROMISE,
    ];
}

#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    pub id: i64,
    pub kind: String,
    pub rule_id: Option<i64>,
    pub rule_name: String,
    pub severity: Severity,
    pub response_id: Option<i64>,
    pub customer: Option<CustomerRef>,
    pub team: Option<TeamRef>,
    pub touchpoint: Option<TouchpointRef>,
    pub case_id: Option<i64>,
    pub series: Option<String>,
    pub metric: Option<String>,
    pub title: String,
    pub detail: String,
    pub raised_at: Timestamp,
}

#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub kind: Option<String>,
    pub team: Option<TeamId>,
    pub touchpoint: Option<TouchpointId>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Case {
    pub id: i64,
    pub title: String,
    pub customer: CustomerRef,
    pub transaction_id: Option<i64>,
    pub transaction_external_id: Option<String>,
    pub response_id: Option<i64>,
    pub touchpoint: Option<TouchpointRef>,
    pub status: CaseStatus,
    pub priority: Priority,
    /// The client team that owns the fix.
    pub owner_team: Option<TeamRef>,
    /// The team that owns the touchpoint (its operations queue).
    pub operations_team: Option<TeamRef>,
    pub owner_user: Option<UserRef>,
    pub opened_at: Timestamp,
    /// When the SLA clocks started (opening, or the last reopening).
    pub clock_started_at: Timestamp,
    pub first_contact_due_at: Timestamp,
    pub resolution_due_at: Timestamp,
    pub first_contacted_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// 0 owner, 1 team manager, 2 president.
    pub escalation_level: i64,
    pub first_contact_breached: bool,
    pub resolution_breached: bool,
    pub resolution_note: Option<String>,
    pub root_cause: Option<String>,
    pub followup_sent_at: Option<Timestamp>,
    pub followup_answered_at: Option<Timestamp>,
    /// The customer's answer to "did we make it right?".
    pub recovered: Option<bool>,
    pub followup_comment: Option<String>,
    pub updated_at: Timestamp,
}

/// One entry of a case's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct CaseEvent {
    pub id: i64,
    pub at: Timestamp,
    /// `opened`, `alert`, `note`, `status`, `assigned`, `escalated`, `breached`,
    /// `followup_sent`, `followup_answered`.
    pub kind: String,
    pub actor: String,
    pub body: Option<String>,
}

/// Which cases a list shows; `queue_team` matches the owning or the operations team.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    pub open_only: bool,
    pub owner_team: Option<TeamId>,
    pub operations_team: Option<TeamId>,
    pub owner_user: Option<UserId>,
    pub customer: Option<CustomerId>,
    pub priority: Option<Priority>,
    /// Only open cases with a clock run out at this instant.
    pub overdue_at: Option<Timestamp>,
}

/// A change to a case made by staff.
#[derive(Debug, Clone)]
pub enum CaseChange {
    Note(String),
    /// The customer was contacted (first contact stops its clock).
    Contacted(Option<String>),
    Resolve {
        note: String,
        root_cause: String,
        /// The lookup id of the follow-up survey's link.
        followup_lookup_id: String,
    },
    Close,
    Reopen(String),
    Assign {
        team: Option<TeamId>,
        user: Option<UserId>,
    },
}

/// What the SLA and follow-up work of a case needs to know about the organization.
#[derive(Debug, Clone)]
pub struct CasePolicy {
    pub sla: SlaPolicy,
    pub zone: jiff::tz::TimeZone,
    pub now: Timestamp,
}

/// What processing `response.received` events needs: the rules and policies, and now.
#[derive(Debug, Clone)]
pub struct ProcessingContext {
    pub rules: Vec<AlertRule>,
    pub policy: CasePolicy,
    /// Customers at least this valuable get a case one priority higher.
    pub high_value_minor: Option<i64>,
    /// Where new cases go.
    pub routing: Vec<domain::recovery::CaseRoute>,
    /// Responses older than this (by `responded_at`) update the charts but raise no alert.
    pub max_alert_age: SignedDuration,
}

/// What processing a batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcessingReport {
    pub responses: usize,
    pub alerts: usize,
    pub trend_alerts: usize,
    pub cases_opened: usize,
    pub notifications: usize,
    pub webhooks: usize,
}

/// An escalation made by the SLA sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    pub case_id: i64,
    pub level: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub id: i64,
    pub user_id: UserId,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

/// A notification to e-mail, with its recipient.
#[derive(Debug, Clone)]
pub struct NotificationEmail {
    pub notification: Notification,
    pub to_email: String,
    pub to_name: String,
}

/// What a follow-up e-mail needs.
#[derive(Debug, Clone)]
pub struct FollowupEmail {
    pub case_id: i64,
    pub lookup_id: String,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    pub customer_locale: Option<String>,
    pub touchpoint: Option<String>,
    pub organization: String,
    pub answered: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub url: String,
    pub description: Option<String>,
    #[serde(skip)]
    pub secret: String,
    pub event_types: Vec<String>,
    pub enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct WebhookEndpointInput {
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<String>,
    pub enabled: bool,
}

pub mod delivery_state {
    pub const PENDING: &str = "pending";
    pub const DELIVERED: &str = "delivered";
    /// Out of attempts: on the dead-letter list until re-sent by hand.
    pub const DEAD: &str = "dead";
}

#[derive(Debug, Clone, Serialize)]
pub struct WebhookDelivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: String,
    pub event_type: String,
    pub payload: String,
    pub state: String,
    pub attempts: i64,
    pub available_at: Timestamp,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WebhookAttempt {
    pub id: i64,
    pub at: Timestamp,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// A delivery claimed for sending, with its endpoint's address and secret.
#[derive(Debug, Clone)]
pub struct DeliveryJob {
    pub id: i64,
    pub url: String,
    pub secret: String,
    pub event_id: String,
    pub event_type: String,
    pub payload: String,
    pub attempts: i64,
}

/// How one attempt went.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub endpoint: Option<i64>,
    pub state: Option<String>,
}

/// A control chart's current state and what it watches.
#[derive(Debug, Clone)]
pub struct ChartRow {
    pub series: String,
    pub metric: Metric,
    pub team: Option<TeamRef>,
    pub touchpoint: Option<TouchpointRef>,
    pub state: ChartState,
    pub updated_at: Timestamp,
}

#[async_trait]
pub trait AlertStore: Send + Sync {
    /// Enabled and disabled rules; a fresh install gets the default rule on first read.
    async fn alert_rules(&self) -> StoreResult<Vec<StoredAlertRule>>;
    async fn alert_rule(&self, id: i64) -> StoreResult<StoredAlertRule>;
    async fn create_alert_rule(
        &self,
        actor: &Actor,
        rule: AlertRuleInput,
    ) -> StoreResult<StoredAlertRule>;
    async fn update_alert_rule(
        &self,
        actor: &Actor,
        id: i64,
        rule: AlertRuleInput,
    ) -> StoreResult<StoredAlertRule>;
    async fn delete_alert_rule(&self, actor: &Actor, id: i64) -> StoreResult<()>;
    async fn list_alerts(
        &self,
        params: &ListParams,
        filter: &AlertFilter,
    ) -> StoreResult<Page<Alert>>;
    async fn alert(&self, id: i64) -> StoreResult<Alert>;
}

#[async_trait]
pub trait CaseStore: Send + Sync {
    /// Handles claimed `response.received` events (outbox id, response id) in one
    /// transaction: alerts, cases, notifications, webhook deliveries, chart updates. An event
    /// another instance already handled is skipped, so each has its effects exactly once.
    async fn process_response_events(
        &self,
        events: &[(i64, i64)],
        context: &ProcessingContext,
    ) -> StoreResult<ProcessingReport>;
    async fn case(&self, id: i64) -> StoreResult<Case>;
    async fn list_cases(&self, params: &ListParams, filter: &CaseFilter)
    -> StoreResult<Page<Case>>;
    async fn case_events(&self, id: i64) -> StoreResult<Vec<CaseEvent>>;
    /// Every case opened in `[from, to)`, for accountability figures.
    async fn cases_opened_between(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<Case>>;
    async fn change_case(
        &self,
        actor: &Actor,
        id: i64,
        change: CaseChange,
        policy: &CasePolicy,
    ) -> StoreResult<Case>;
    /// Marks breached clocks and escalates overdue cases to the level `policy` requires at
    /// `policy.now`; each step once, even with several instances sweeping.
    async fn escalate_overdue_cases(&self, policy: &CasePolicy) -> StoreResult<Vec<Escalation>>;
    async fn followup(&self, lookup_id: &str) -> StoreResult<(Case, FollowupEmail)>;
    async fn followup_email(&self, case_id: i64) -> StoreResult<FollowupEmail>;
    async fn mark_followup_sent(&self, case_id: i64, at: Timestamp) -> StoreResult<()>;
    /// Records the customer's answer; a second answer is a `Conflict`.
    async fn record_followup(
        &self,
        lookup_id: &str,
        recovered: bool,
        comment: Option<String>,
        at: Timestamp,
    ) -> StoreResult<Case>;
}

#[async_trait]
pub trait NotificationStore: Send + Sync {
    async fn notifications(
        &self,
        user: UserId,
        params: &ListParams,
        unread_only: bool,
    ) -> StoreResult<Page<Notification>>;
    async fn unread_notifications(&self, user: UserId) -> StoreResult<i64>;
    /// Marks one notification (or, with `None`, all of the user's) read.
    async fn mark_notifications_read(
        &self,
        user: UserId,
        id: Option<i64>,
        at: Timestamp,
    ) -> StoreResult<()>;
    async fn notification_email(&self, id: i64) -> StoreResult<NotificationEmail>;
}

#[async_trait]
pub trait WebhookStore: Send + Sync {
    async fn create_webhook(
        &self,
        actor: &Actor,
        endpoint: WebhookEndpointInput,
        secret: &str,
    ) -> StoreResult<WebhookEndpoint>;
    async fn update_webhook(
        &self,
        actor: &Actor,
        id: i64,
        endpoint: WebhookEndpointInput,
    ) -> StoreResult<WebhookEndpoint>;
    async fn delete_webhook(&self, actor: &Actor, id: i64) -> StoreResult<()>;
    async fn webhook(&self, id: i64) -> StoreResult<WebhookEndpoint>;
    async fn list_webhooks(&self) -> StoreResult<Vec<WebhookEndpoint>>;
    async fn list_deliveries(
        &self,
        params: &ListParams,
        filter: &DeliveryFilter,
    ) -> StoreResult<Page<WebhookDelivery>>;
    async fn delivery(&self, id: i64) -> StoreResult<(WebhookDelivery, Vec<WebhookAttempt>)>;
    async fn claim_deliveries(
        &self,
        limit: i64,
        now: Timestamp,
        lease: SignedDuration,
    ) -> StoreResult<Vec<DeliveryJob>>;
    /// Records an attempt; `retry_at` `None` after a failure puts it on the dead-letter list.
    async fn record_attempt(
        &self,
        id: i64,
        outcome: &AttemptOutcome,
        delivered: bool,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Puts a delivery back in the queue, due now, with a fresh set of attempts.
    async fn resend_delivery(&self, actor: &Actor, id: i64, now: Timestamp) -> StoreResult<()>;
}

#[async_trait]
pub trait ChartStore: Send + Sync {
    async fn control_charts(&self) -> StoreResult<Vec<ChartRow>>;
    /// The observations of a series in arrival order (CSAT, or 1/0 for detractors).
    async fn series_observations(&self, series: &str, metric: Metric) -> StoreResult<Vec<f64>>;
    /// Starts the chart's baseline again (staff accept a lasting change).
    async fn rebaseline_chart(
        &self,
        actor: &Actor,
        series: &str,
        metric: Metric,
    ) -> StoreResult<()>;
}
