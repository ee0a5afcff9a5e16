//! Dashboards on the server side: what a view asks for (period, filters, trend step), who may
//! see what (members their teams, managers their teams, the president and administrators the
//! whole company), and the overview built from the rollups — never from raw responses.

pub mod overview;
pub mod query;

pub use overview::{Overview, build};
pub use query::{DashboardQuery, Scope, Step, View};
