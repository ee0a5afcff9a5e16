//! The SLA worker: marks breached clocks and escalates overdue recovery cases (owner → team
//! manager → president) by the organization's policy, and overdue action items of systemic
//! problems (owner → owning team's managers → president, one rung per
//! [`ACTION_ESCALATION_STEP`]), at every poll.

use crate::state::AppState;
use domain::improvement::problem::ACTION_ESCALATION_STEP;
use std::time::Duration;
use store::StoreError;
use tokio::sync::watch;

pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let poll = Duration::from_millis(state.settings.worker_poll_ms);
    loop {
        if let Err(error) = sweep(&state).await {
            tracing::error!(error = %error, "escalation: cannot sweep overdue cases");
        }
        if let Err(error) = sweep_actions(&state).await {
            tracing::error!(error = %error, "escalation: cannot sweep overdue action items");
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

/// One sweep of the action items of systemic problems; returns how many escalation steps
/// were taken.
pub async fn sweep_actions(state: &AppState) -> Result<usize, StoreError> {
    let escalations = state
        .store
        .escalate_overdue_actions(state.clock.now(), ACTION_ESCALATION_STEP)
        .await?;
    for step in &escalations {
        tracing::info!(
            problem = step.problem_id,
            action = step.action_id,
            level = step.level.level(),
            "overdue action item escalated"
        );
    }
    if !escalations.is_empty() {
        state.wake.emails.notify_one();
    }
    Ok(escalations.len())
}
