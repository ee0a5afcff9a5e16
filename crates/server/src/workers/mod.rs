//! Background workers that run beside the HTTP server in every instance. They take due jobs
//! from the outbox under a lease, so several instances share the work and each job runs once
//! (at least once, should an instance die mid-job).

pub mod alerts;
pub mod commitments;
pub mod escalation;
pub mod invitations;
mod staff_mail;
pub mod standard_breaches;
mod wakeups;
pub mod webhooks;

pub use wakeups::Wakeups;

use crate::state::AppState;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Starts the workers; they finish their current job and return once `stop` turns true.
pub fn spawn(state: AppState, stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        tokio::join!(
            invitations::run(state.clone(), stop.clone()),
            alerts::run(state.clone(), stop.clone()),
            webhooks::run(state.clone(), stop.clone()),
            staff_mail::run(state.clone(), stop.clone()),
            standard_breaches::run(state.clone(), stop.clone()),
            commitments::run(state.clone(), stop.clone()),
            escalation::run(state, stop),
        );
    })
}

/// Waits `period`, or less if `stop` turns true (or its sender is gone); true when stopping.
pub(crate) async fn pause(stop: &mut watch::Receiver<bool>, period: std::time::Duration) -> bool {
    tokio::select! {
        _ = stop.wait_for(|stopping| *stopping) => {}
        () = tokio::time::sleep(period) => {}
    }
    *stop.borrow()
}
