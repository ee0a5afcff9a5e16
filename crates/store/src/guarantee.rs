//! Storage of the Perfect Guarantee: each transaction's guarantee link, the append-only ledger
//! of claims, and what the report needs.

use crate::model::{Actor, CustomerRef, ListParams, Page, TeamRef, TouchpointRef, UserRef};
use crate::recovery::ProcessingContext;
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::guarantee::Settlement;
use domain::guarantee::report::{Dimension, GroupKey, LedgerEntry};
use domain::{CustomerId, Money, TeamId, TransactionId};
use jiff::Timestamp;
use serde::Serialize;

pub mod claim_kind {
    /// The customer invoked the guarantee.
    pub const INVOCATION: &str = "invocation";
    /// Staff corrected an entry's amounts (the entry it corrects stays as it was).
    pub const CORRECTION: &str = "correction";
}

pub mod claim_source {
    /// The transaction's own link, `/g/{token}`.
    pub const LINK: &str = "link";
    /// The guarantee link of a survey page.
    pub const SURVEY: &str = "survey";
    /// A correction made in the console or through the API.
    pub const CONSOLE: &str = "console";
}

/// A transaction as its guarantee page shows it, with its invocation if there is one.
#[derive(Debug, Clone)]
pub struct GuaranteeTarget {
    pub transaction_id: TransactionId,
    pub transaction_external_id: String,
    pub occurred_at: Timestamp,
    pub customer: CustomerRef,
    pub customer_email: Option<String>,
    pub customer_locale: Option<String>,
    pub touchpoint: TouchpointRef,
    pub staff: Option<UserRef>,
    pub team: Option<TeamRef>,
    pub amount: Option<Money>,
    pub organization: String,
    /// The invocation (with its latest correction applied), once there is one.
    pub invocation: Option<Claim>,
}

/// One ledger entry.
#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    pub id: i64,
    /// `invocation` or `correction`.
    pub kind: String,
    /// The entry this one corrects.
    pub corrects: Option<i64>,
    /// The invocation this entry belongs to (its own id for an invocation).
    pub invocation_id: i64,
    /// The newer correction that replaces this entry's amounts, if any.
    pub superseded_by: Option<i64>,
    pub transaction_id: TransactionId,
    pub transaction_external_id: String,
    pub occurred_at: Timestamp,
    pub customer: CustomerRef,
    pub customer_email: Option<String>,
    pub team: Option<TeamRef>,
    pub staff: Option<UserRef>,
    pub touchpoint: TouchpointRef,
    pub invoiced: Money,
    pub paid: Money,
    pub credit: Money,
    pub reason: Option<String>,
    /// `link`, `survey` or `console`.
    pub source: String,
    pub case_id: Option<i64>,
    /// Who recorded a correction.
    pub recorded_by: Option<UserRef>,
    pub invoked_at: Timestamp,
    pub recorded_at: Timestamp,
}

/// A customer's invocation as it arrives.
#[derive(Debug, Clone)]
pub struct NewInvocation {
    pub lookup_id: String,
    pub settlement: Settlement,
    pub source: &'static str,
}

/// What an invocation did.
#[derive(Debug, Clone)]
pub struct Invoked {
    pub claim: Claim,
    pub case_id: i64,
    /// The case existed already (a poor review had opened it) and was taken over.
    pub case_joined: bool,
    pub alerts: usize,
    pub notifications: usize,
    pub webhooks: usize,
}

/// Which ledger entries to list.
#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub team: Option<TeamId>,
    pub customer: Option<CustomerId>,
    /// Only entries of these teams (a manager's view); `None` for everything.
    pub visible_teams: Option<Vec<TeamId>>,
    /// Only entries whose amounts are current (no newer correction).
    pub current_only: bool,
}

/// The confirmation e-mail of an invocation.
#[derive(Debug, Clone)]
pub struct GuaranteeEmail {
    pub claim: Claim,
    pub customer_locale: Option<String>,
    pub organization: String,
}

/// What the report reads: the current entries of the invocations in the period, and the
/// transactions of the period counted per group of the same dimension.
#[derive(Debug, Clone, Default)]
pub struct ReportData {
    pub entries: Vec<LedgerEntry>,
    pub transactions: Vec<(GroupKey, i64)>,
}

#[async_trait]
pub trait GuaranteeStore: Send + Sync {
    /// The transaction behind a guarantee link's lookup id.
    async fn guarantee_target(&self, lookup_id: &str) -> StoreResult<GuaranteeTarget>;

    /// The guarantee link's lookup id of a transaction, if it has an invoiced amount.
    async fn guarantee_lookup_id(&self, transaction: TransactionId) -> StoreResult<Option<String>>;

    /// Records the invocation and, in the same transaction, honours it: a top-priority case
    /// owned by the president, the president's in-app notification and e-mail, the
    /// `guarantee.invoked` webhook, alerts of the rules it matches, the rising-rate early
    /// warning and the customer's confirmation e-mail. `Conflict` if the transaction's
    /// guarantee was invoked already; `Invalid` if the settlement does not fit the invoice.
    async fn invoke_guarantee(
        &self,
        invocation: NewInvocation,
        context: &ProcessingContext,
    ) -> StoreResult<Invoked>;

    /// A correction of an entry's amounts, as a new entry.
    async fn correct_guarantee(
        &self,
        actor: &Actor,
        claim: i64,
        settlement: Settlement,
        now: Timestamp,
    ) -> StoreResult<Claim>;

    async fn guarantee_claim(&self, id: i64) -> StoreResult<Claim>;

    /// Ledger entries, newest first unless `params` ask otherwise.
    async fn list_guarantee_claims(
        &self,
        params: &ListParams,
        filter: &ClaimFilter,
    ) -> StoreResult<Page<Claim>>;

    /// The claims of a transaction's case, if the case was opened or joined by one.
    async fn claims_of_case(&self, case_id: i64) -> StoreResult<Vec<Claim>>;

    async fn guarantee_report_data(
        &self,
        from: Timestamp,
        to: Timestamp,
        by: Dimension,
        visible_teams: Option<&[TeamId]>,
        zone: &jiff::tz::TimeZone,
    ) -> StoreResult<ReportData>;

    async fn guarantee_email(&self, claim: i64) -> StoreResult<GuaranteeEmail>;
}
