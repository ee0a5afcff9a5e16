//! Dashboards: the additive measures kept in rollups at ingest, and the statistics read from
//! them (NPS, CSAT and CES with 95% confidence intervals, changes against a previous period,
//! small samples marked). Pure: the rollups are stored and summed elsewhere.

pub mod days;
pub mod measures;
pub mod stats;

pub use measures::Measures;
