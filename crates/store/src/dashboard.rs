//! What dashboards read: sums of the rollups kept at ingest, for a range of local days and a
//! filter, grouped by one dimension. Never a scan of raw responses.

use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::dashboard::Measures;
use domain::{TeamId, TouchpointId, UserId};

/// Which rollups to sum: local days `from_day` (included) to `to_day` (excluded), days since
/// 1970-01-01 in the organization's time zone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DashboardFilter {
    pub from_day: i64,
    pub to_day: i64,
    /// Only these teams (a member's or manager's view, or a team filter); `None` for all.
    pub teams: Option<Vec<TeamId>>,
    pub touchpoint: Option<TouchpointId>,
    /// The customer segment at the time of the response (ignored by staff figures and themes).
    pub segment: Option<String>,
    /// The response's source (ignored by themes and invitations).
    pub source: Option<String>,
    pub staff: Option<UserId>,
}

/// What the sums are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Total,
    Day,
    /// By month (`key` the month number, year × 12 + month − 1).
    Month,
    Team,
    Touchpoint,
    Segment,
    Source,
    Staff,
}

/// The measures of one group: `key` is the day number, the id, the segment or the source as
/// text (`""` for the total; `"0"` for responses without a team or staff member).
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub key: String,
    pub measures: Measures,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeBucket {
    pub theme: String,
    pub mentions: i64,
    pub sentiment_n: i64,
    pub sentiment_milli_sum: i64,
}

/// Invitations issued and answered, by day (`key` the day number) or in total (`key` "").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationBucket {
    pub key: String,
    pub issued: i64,
    pub answered: i64,
}

/// Every stored rollup row, sorted, to compare the incremental rollups with a rebuild.
pub type RollupSnapshot = Vec<String>;

#[async_trait]
pub trait DashboardStore: Send + Sync {
    async fn rollup(&self, filter: &DashboardFilter, by: Grouping) -> StoreResult<Vec<Bucket>>;

    /// Theme mentions in the period, most mentioned first, at most `limit`.
    async fn theme_rollup(
        &self,
        filter: &DashboardFilter,
        limit: i64,
    ) -> StoreResult<Vec<ThemeBucket>>;

    async fn invitation_rollup(
        &self,
        filter: &DashboardFilter,
        by_day: bool,
    ) -> StoreResult<Vec<InvitationBucket>>;

    /// Recomputes every rollup from the raw responses and invitations.
    async fn rebuild_rollups(&self) -> StoreResult<()>;

    async fn rollup_snapshot(&self) -> StoreResult<RollupSnapshot>;

    /// Open and overdue cases now, and guarantee invocations in `from`–`to`, of `teams`.
    async fn operations(
        &self,
        teams: Option<&[TeamId]>,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
        now: jiff::Timestamp,
    ) -> StoreResult<Operations>;
}

/// The recovery and guarantee figures a dashboard shows beside the scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Operations {
    pub open_cases: i64,
    pub overdue_cases: i64,
    pub guarantees: i64,
}

/// A response loaded in bulk (benchmarks): no survey, no invitation, no outbox event.
#[derive(Debug, Clone)]
pub struct BulkResponse {
    pub customer: i64,
    pub touchpoint: i64,
    pub team: Option<i64>,
    pub staff: Option<i64>,
    pub source: &'static str,
    pub segment: Option<&'static str>,
    pub responded_at: jiff::Timestamp,
    pub csat: Option<i64>,
    pub nps: Option<i64>,
    pub ces: Option<i64>,
    pub comment: Option<&'static str>,
    pub sentiment: Option<f64>,
    pub themes: &'static [&'static str],
    /// Attribute ratings by question key.
    pub ratings: Vec<(&'static str, i64)>,
}

#[async_trait]
pub trait BulkLoad {
    /// Appends responses in large statements, with their rollups, in one transaction.
    async fn bulk_insert_responses(&self, rows: &[BulkResponse]) -> StoreResult<()>;
}
