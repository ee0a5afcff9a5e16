//! A believable demo organization, "Northwind Facility Services", generated deterministically
//! from a seed and written through the [`store::Store`] trait only.
//!
//! Generation is split in two: [`plan`] builds a plain [`DemoWorld`] with no I/O (teams, staff,
//! touchpoints, customers, six months of transactions), then [`load`] writes it. Later
//! generators (survey responses, cases, guarantee claims, events) should read the `DemoWorld`
//! and draw from their own random stream (see [`plan::streams`]), so that what exists today
//! stays the same for a given seed.

mod calendar;
pub mod catalog;
mod customers;
mod details;
pub mod load;
mod names;
pub mod plan;
mod staff;
mod transactions;
mod world;

pub use plan::{CUSTOMERS, TRANSACTIONS, plan};
pub use world::*;

use jiff::Timestamp;
use store::{Actor, Store};

/// What `perfect-service demo` asks for.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// The same seed (and `now`) always produces the same organization.
    pub seed: u64,
    /// The end of the six months of history.
    pub now: Timestamp,
    /// An argon2id PHC string every demo staff member can log in with.
    pub staff_password_hash: String,
}

/// What was written, for the command to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub teams: usize,
    pub staff: usize,
    pub customers: usize,
    pub touchpoints: usize,
    pub transactions: usize,
    /// The administrator's e-mail address, to log in with.
    pub login_email: String,
}

/// Fills an empty store with the demo organization. Refuses a store that already holds users,
/// teams, customers, touchpoints or transactions, so that real data is never mixed with it.
pub async fn build(store: &dyn Store, options: &DemoOptions) -> anyhow::Result<DemoSummary> {
    let counts = store.counts().await?;
    let held = [
        (counts.users, "users"),
        (counts.teams, "teams"),
        (counts.customers, "customers"),
        (counts.touchpoints, "touchpoints"),
        (counts.transactions, "transactions"),
    ];
    let held: Vec<String> = held
        .iter()
        .filter(|(n, _)| *n != 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    if !held.is_empty() {
        anyhow::bail!(
            "the database is not empty (it holds {}); the demo refuses to touch it — \
             use a new database",
            held.join(", ")
        );
    }
    let world = plan(options.seed, options.now)?;
    let actor = Actor::System {
        label: "demo".into(),
    };
    load::load(store, &actor, &world, &options.staff_password_hash).await?;
    let counts = store.counts().await?;
    let size = |n: i64| usize::try_from(n).unwrap_or(0);
    Ok(DemoSummary {
        teams: size(counts.teams),
        staff: size(counts.users),
        customers: size(counts.customers),
        touchpoints: size(counts.touchpoints),
        transactions: size(counts.transactions),
        login_email: world.admin().map(|a| a.email.clone()).unwrap_or_default(),
    })
}
