//! What key driver analysis, revenue at risk and return on satisfaction read: the pairwise
//! moments of outcomes and attribute ratings by month, team and touchpoint; the names of the
//! ratings; each customer's standing (value and recent satisfaction); and samples of a
//! period's responses for before-and-after comparisons.

use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::improvement::moments::Moments;
use jiff::Timestamp;
use serde::Serialize;
use std::collections::BTreeMap;

/// Which responses' moments to sum: whole local months `from_month..=to_month` (year × 12 +
/// month − 1), optionally one client team and one touchpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DriverFilter {
    pub from_month: i64,
    pub to_month: i64,
    pub team: Option<i64>,
    pub touchpoint: Option<i64>,
}

/// A customer as revenue at risk sees them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerStandingRow {
    pub customer: i64,
    pub name: Option<String>,
    pub external_id: String,
    pub team: Option<i64>,
    pub segment: Option<String>,
    /// `active` or `lost`.
    pub status: String,
    pub annual_value_minor: Option<i64>,
    pub currency: Option<String>,
    /// Their CSAT answers in the period: count and sum.
    pub csat_n: i64,
    pub csat_sum: i64,
}

impl CustomerStandingRow {
    pub fn mean_csat(&self) -> Option<f64> {
        (self.csat_n > 0).then(|| self.csat_sum as f64 / self.csat_n as f64)
    }
}

/// One customer's CSAT answers on one touchpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CustomerTouchpointCsat {
    pub customer: i64,
    pub touchpoint: i64,
    pub csat_n: i64,
    pub csat_sum: i64,
}

/// Which responses a before-or-after sample holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SampleFilter {
    pub from: Timestamp,
    pub to: Timestamp,
    pub touchpoint: Option<i64>,
    /// An attribute rating to sample as well.
    pub driver: Option<String>,
    /// Themes whose share of responses to count.
    pub themes: Vec<String>,
}

/// Count, sum and sum of squares of some answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Sums {
    pub n: i64,
    pub sum: f64,
    pub sum_squares: f64,
}

impl Sums {
    pub fn add(&mut self, value: f64) {
        self.n += 1;
        self.sum += value;
        self.sum_squares += value * value;
    }
}

/// The figures of one period's responses.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PeriodSample {
    pub responses: i64,
    pub csat: Sums,
    pub driver: Sums,
    /// Per theme: how many of the responses carry it in a negative comment (sentiment below
    /// −0.05): complaints about it.
    pub theme_hits: BTreeMap<String, i64>,
}

#[async_trait]
pub trait DriverStore: Send + Sync {
    /// The moments of the responses the filter selects, summed.
    async fn driver_moments(&self, filter: &DriverFilter) -> StoreResult<Moments>;
    /// The attribute ratings asked in any survey version: question key → attribute name.
    async fn rating_labels(&self) -> StoreResult<BTreeMap<String, String>>;
    /// Every customer with their value and their CSAT answers given since `since`.
    async fn customer_standings(&self, since: Timestamp) -> StoreResult<Vec<CustomerStandingRow>>;
    /// Per customer and touchpoint: their CSAT answers given since `since`.
    async fn customer_touchpoint_csat(
        &self,
        since: Timestamp,
    ) -> StoreResult<Vec<CustomerTouchpointCsat>>;
    /// The CSAT given on each of these transactions (by external id), for those that have
    /// one: what customers felt about a contact whose standard was met or breached.
    async fn csat_by_transaction(
        &self,
        external_ids: &[String],
    ) -> StoreResult<BTreeMap<String, i64>>;
    /// The figures of the responses given in `[from, to)` (on a touchpoint, if set).
    async fn period_sample(&self, filter: &SampleFilter) -> StoreResult<PeriodSample>;
}
