//! A believable demo organization, "Northwind Facility Services", generated deterministically
//! from a seed and written through the [`store::Store`] trait only.
//!
//! Generation is split in two: [`plan()`] builds a plain [`DemoWorld`] with no I/O (teams,
//! staff, touchpoints, customers, six months of transactions, surveys and responses), then
//! [`load`] writes it. Each generator draws from its own random stream (see
//! [`plan::streams`]), so that what exists stays the same for a given seed when a generator
//! is added; later generators (cases, guarantee claims, events) should read the `DemoWorld`
//! and take the next stream.
//!
//! # What it holds
//!
//! 7 teams, 20 staff, 500 customers (French, British and German), 10 touchpoints and
//! [`TRANSACTIONS`] (75,000) transactions over the six months before `now`. Every touchpoint
//! has a survey of its own ([`surveys::SURVEYS`]): CSAT, NPS, CES on the support channels,
//! 3–5 ratings of the attributes that fit the contact (timeliness, courtesy, accuracy,
//! communication, quality of work, price), "was it resolved?" on the support channels, a
//! comment and consent to be contacted; English prompts, the same question keys everywhere.
//! The surveys are attached only after the transactions are written, so the history creates
//! no invitations and queues no invitation e-mails.
//!
//! About 80% of transactions are answered, at most once each: about 60,000 responses
//! ([`responses`]), most through the survey, some by phone interview, kiosk, focus group or
//! customer briefing, each after its transaction and before `now`. They are stored through
//! `insert_responses`, as every response is, so each has its `response.received` event waiting
//! in the outbox for the features that consume it. For seed 42 and `now` 2026-03-15T16:30Z
//! (the tests' world): 59,889 responses; CSAT 1–5 in 4.8/5.2/9.8/29.2/50.9% (mean 4.16); NPS
//! +44, correlated with CSAT (r 0.77); about 40% consent to be contacted; 37% have a comment,
//! in the customer's language (13,191 French, 5,198 English, 3,511 German), positive,
//! negative or mixed, about waiting, staff attitude, accuracy, billing, delivery, price,
//! communication and quality of work in words the default taxonomy recognises. Ratings
//! follow a latent experience per attribute of which overall satisfaction is a weighted sum,
//! so key-driver analysis finds timeliness (r with CSAT 0.54) and communication (0.53) the
//! strongest drivers, accuracy, quality of work and courtesy behind (0.37–0.44) and price
//! weak (0.14).
//!
//! # Hidden problems
//!
//! Later features (trends, alerts, key drivers, recognition) should find these; each is in
//! [`DemoWorld::hidden`] and asserted by a test on the plan (`tests/plan.rs`). Figures are for
//! the tests' world; other seeds give similar ones.
//!
//! 1. **Field Service's timeliness is sliding.** Over the last five weeks (from
//!    [`HiddenProblems::slide_start`]) the client team Field Service is rated gradually worse,
//!    evenly down to the full drop at `now`: in the final week its mean timeliness rating is
//!    about 0.65 lower (4.05 before the slide, 3.39) and its mean CSAT about 0.4 lower (4.06,
//!    3.67), with more comments about technicians arriving late. No other team moves by more
//!    than 0.15.
//! 2. **Phone support keeps people waiting.** 70% of the negative comments on phone support
//!    match the `waiting_time` theme (1,231 of 1,753), against 30–36% on e-mail and chat and
//!    10% on all other touchpoints together; complaints follow the calls' `wait_seconds`.
//! 3. **One colleague is praised by name.** A Care agent whose first name no colleague shares
//!    (seed 42: Thomas Masson) is named in about 55% of the positive comments on the contacts
//!    they handle, mostly by first name: 1,877 mentions that the analysis's
//!    `staff_mentions` finds, against at most 33 for anyone else.
//! 4. **Mid-market customers are less satisfied.** Their mean CSAT is about 0.3 lower (3.99
//!    against 4.26 for enterprise and 4.31 for small-business customers), with lower ratings
//!    of communication and price.
//! 5. **Field Service's guarantee invocations are rising.** Over the last
//!    [`guarantee::RISE_DAYS`] days its transactions are invoked on [`guarantee::RISE`] times
//!    as often (besides its slide's poorer reviews): 53 of its 162 invocations fall in the
//!    last 30 days. The guarantee's early warning flags it (and the whole organization's rate,
//!    which it lifts); no other team is flagged.
//!
//! 6. **Invoices were wrong until a fix.** Until [`responses::BILLING_FIXED_DAYS`] days
//!    before `now` (`HiddenProblems::billing_fixed_at`), invoicing's accuracy ratings are
//!    about half a point lower; after the fix they are as good as elsewhere.
//!
//! Besides the few customers who leave for reasons of their own, an answering customer leaves
//! just after their last contact with a chance that falls steeply with their mean CSAT
//! ([`retention::leaving_chance`]), so revenue at risk can learn churn rates from the history.
//!
//! # Perfect Improvement
//!
//! [`problems::create`] records the systemic problems behind the hidden ones (late field
//! technicians, phone waiting, the invoicing errors — solved on the day of the fix, so its
//! page shows the before and after) and two costly decoys, each with an owner, action items
//! (some overdue), linked themes and cases; the command also sets the drivers' effort
//! estimates ([`problems::DRIVER_EFFORTS`]) so that the return-on-satisfaction backlog ranks
//! drivers and problems together.
//!
//! # Perfect Guarantee
//!
//! [`guarantee::plan`] decides who invoked the guarantee, when, for how much and why: for the
//! tests' world 254 invocations on the 39,860 invoiced transactions (0.64%), 177 of them after
//! a poor review, 154 from the survey page and the rest from the transaction's own link; 224
//! customers, 30 of whom invoked twice; what they paid is 36% of the price on average, nothing
//! for 50 of them and at least 90% for 15; a short reason in their language, or none. The
//! replay of the recovery history ([`recovery::replay`]) makes each invocation at its moment
//! through the store, so each is in the ledger, reached the president, opened an urgent case
//! owned by the president (or joined the open case of the poor review), which the president
//! works, and fed the early warning.

mod calendar;
pub mod catalog;
pub mod comments;
mod customers;
mod details;
pub mod guarantee;
pub mod load;
mod names;
pub mod plan;
pub mod problems;
pub mod recovery;
pub mod responses;
pub mod retention;
mod staff;
pub mod standards;
pub mod surveys;
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
    pub surveys: usize,
    pub responses: usize,
    /// The administrator's e-mail address, to log in with.
    pub login_email: String,
}

impl DemoSummary {
    /// One line on the surveys and responses, for the command to print.
    pub fn knowledge(&self) -> String {
        format!(
            "{} surveys, one per touchpoint; {} responses, whose response.received events wait \
             in the outbox until processed.",
            self.surveys, self.responses
        )
    }
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
    let loaded = load::load(store, &actor, &world, &options.staff_password_hash).await?;
    let counts = store.counts().await?;
    let size = |n: i64| usize::try_from(n).unwrap_or(0);
    Ok(DemoSummary {
        teams: size(counts.teams),
        staff: size(counts.users),
        customers: size(counts.customers),
        touchpoints: size(counts.touchpoints),
        transactions: size(counts.transactions),
        surveys: loaded.surveys,
        responses: loaded.responses,
        login_email: world.admin().map(|a| a.email.clone()).unwrap_or_default(),
    })
}
