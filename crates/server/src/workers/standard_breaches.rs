//! The real-time breach watch of performance standards: every [`SWEEP_EVERY`] of the app's
//! clock it folds each standard's recent events (those [`crate::standards::compliance`] reads:
//! the last [`crate::standards::LOOKBACK_DAYS`] days and a day) and flags every subject still
//! open past its deadline — one `standard_breach` alert per standard and subject, with a
//! notification to the owning team's managers and a `standard.breached` webhook — before the
//! customer complains. Every instance sweeps; the store's unique keys make each breach raise
//! once however many do, and however often.

use crate::standards::{Refused, compliance};
use crate::state::AppState;
use domain::standards::{PerformanceStandard, TrendBucket};
use jiff::{SignedDuration, Timestamp};
use std::time::Duration;
use store::{BreachesRaised, OpenBreach, Store, StoreError, StoredStandard};
use tokio::sync::watch;

/// How often (on the app's clock) the standards are swept: a breach is flagged at most this
/// long after its deadline passes.
pub const SWEEP_EVERY: SignedDuration = SignedDuration::from_secs(60);

pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let poll = Duration::from_millis(state.settings.worker_poll_ms);
    let mut next_sweep: Option<Timestamp> = None;
    loop {
        let now = state.clock.now();
        if next_sweep.is_none_or(|due| now >= due) {
            if let Err(error) = sweep(&state).await {
                tracing::error!(error = %error, "standards: cannot sweep for breaches");
            }
            next_sweep = now.checked_add(SWEEP_EVERY).ok();
        }
        if super::pause(&mut stop, poll).await {
            return;
        }
    }
}

/// One sweep of every standard at the clock's now; returns what was newly raised.
pub async fn sweep(state: &AppState) -> Result<BreachesRaised, StoreError> {
    let now = state.clock.now();
    let mut total = BreachesRaised::default();
    for stored in state.store.list_standards().await? {
        let breaches = match breaching_now(state.store.as_ref(), &stored, now).await {
            Ok(breaches) => breaches,
            Err(Refused::Store(error)) => return Err(error),
            Err(Refused::Invalid(error)) => {
                tracing::warn!(standard = %stored.definition.key, error = %error,
                    "standards: cannot measure a standard");
                continue;
            }
        };
        if breaches.is_empty() {
            continue;
        }
        let raised = state
            .store
            .raise_standard_breaches(&stored, &breaches, now)
            .await?;
        if raised.alerts > 0 {
            tracing::info!(
                standard = %stored.definition.key,
                alerts = raised.alerts,
                "standard breaches flagged"
            );
        }
        total += raised;
    }
    if total.webhooks > 0 {
        state.wake.deliveries.notify_one();
    }
    if total.notifications > 0 {
        state.wake.emails.notify_one();
    }
    Ok(total)
}

/// The subjects of `stored` open past their deadline at `now`, folded as its compliance is.
async fn breaching_now(
    store: &dyn Store,
    stored: &StoredStandard,
    now: Timestamp,
) -> Result<Vec<OpenBreach>, Refused> {
    let threshold = PerformanceStandard::parse(&stored.definition)?
        .threshold
        .duration();
    let from = now
        .checked_sub(SignedDuration::from_hours(24))
        .unwrap_or(now);
    let view = compliance(store, stored, from, now, TrendBucket::Day, now).await?;
    Ok(view
        .breaching_now
        .into_iter()
        .filter_map(|summary| {
            let state = summary.state;
            let (started, deadline) = (state.started()?, state.deadline()?);
            Some(OpenBreach {
                started,
                deadline,
                overrun: state
                    .overrun(threshold)
                    .unwrap_or_else(|| now.duration_since(deadline)),
                subject: summary.subject,
                customer: summary.customer,
                transaction: summary.transaction,
            })
        })
        .collect())
}
