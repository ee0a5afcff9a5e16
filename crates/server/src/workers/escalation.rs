//! The SLA worker: marks breached clocks and escalates overdue recovery cases (owner → team
//! manager → president) by the organization's policy, at every poll.

use crate::state::AppState;
use std::time::Duration;
use store::StoreError;
use tokio::sync::watch;

pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let poll = Duration::from_millis(state.settings.worker_poll_ms);
    loop {
        if let Err(error) = sweep(&state).await {
            tracing::error!(error = %error, "escalation: cannot sweep overdue cases");
        }
        if super::pause(&mut stop, poll).await {
            return;
        }
    }
}

/// One sweep; returns how many escalation steps were taken.
pub async fn sweep(state: &AppState) -> Result<usize, StoreError> {
    let policy = crate::recovery::case_policy(state).await?;
    let escalations = state.store.escalate_overdue_cases(&policy).await?;
    for step in &escalations {
        tracing::info!(case = step.case_id, level = step.level, "case escalated");
    }
    if !escalations.is_empty() {
        state.wake.deliveries.notify_one();
        state.wake.emails.notify_one();
    }
    Ok(escalations.len())
}
