//! The alert worker: takes `response.received` events from the outbox and hands them to the
//! store in batches, which applies the alert rules, opens or joins recovery cases, queues
//! notifications and webhooks and feeds the control charts, exactly once per event.

use super::wakeups::pause_or_poke;
use crate::state::AppState;
use jiff::SignedDuration;
use std::time::Duration;
use store::{StoreError, topics};
use tokio::sync::watch;

/// Events taken per batch (one database transaction).
const BATCH: i64 = 200;
/// How long a claimed batch is ours before another instance may take it.
const LEASE: SignedDuration = SignedDuration::from_secs(60);

pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let poll = Duration::from_millis(state.settings.worker_poll_ms);
    loop {
        let handled = match run_batch(&state).await {
            Ok(handled) => handled,
            Err(error) => {
                tracing::error!(error = %error, "alerts: cannot process responses");
                0
            }
        };
        let more_due = handled == BATCH as usize;
        if *stop.borrow()
            || (!more_due && pause_or_poke(&mut stop, &state.wake.responses, poll).await)
        {
            return;
        }
    }
}

/// Processes one batch; returns how many events were claimed.
pub async fn run_batch(state: &AppState) -> Result<usize, StoreError> {
    let items = state
        .store
        .claim_outbox(
            &[topics::RESPONSE_RECEIVED],
            BATCH,
            state.clock.now(),
            LEASE,
        )
        .await?;
    if items.is_empty() {
        return Ok(0);
    }
    let mut events = Vec::with_capacity(items.len());
    for item in &items {
        match item.payload.get("response_id").and_then(|v| v.as_i64()) {
            Some(response) => events.push((item.id, response)),
            None => {
                tracing::warn!(payload = %item.payload, "dropping an unreadable response event");
                state
                    .store
                    .complete_outbox(item.id, state.clock.now())
                    .await?;
            }
        }
    }
    let context = crate::recovery::processing_context(state).await?;
    let report = match state.store.process_response_events(&events, &context).await {
        Ok(report) => report,
        Err(error) => {
            // Nothing was applied; make the batch due again soon rather than at lease expiry.
            let retry_at = state.clock.now() + SignedDuration::from_millis(200);
            for (outbox, _) in &events {
                state
                    .store
                    .retry_outbox(*outbox, &error.to_string(), retry_at)
                    .await?;
            }
            return Err(error);
        }
    };
    if report.webhooks > 0 {
        state.wake.deliveries.notify_one();
    }
    if report.notifications > 0 {
        state.wake.emails.notify_one();
    }
    if report.alerts + report.trend_alerts > 0 {
        tracing::info!(
            responses = report.responses,
            alerts = report.alerts,
            trend_alerts = report.trend_alerts,
            cases_opened = report.cases_opened,
            "responses processed"
        );
    }
    Ok(items.len())
}
