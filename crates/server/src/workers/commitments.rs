//! The watch over promises made to customers: every [`SWEEP_EVERY`] of the app's clock the
//! owners of promises coming due are reminded, and a promise past its due time unresolved
//! raises a `broken_promise` alert to its owner and team managers. Every instance sweeps;
//! the store's dedupe keys make each reminder and alert happen once.

use crate::state::AppState;
use jiff::{SignedDuration, Timestamp};
use std::time::Duration;
use tokio::sync::watch;

pub const SWEEP_EVERY: SignedDuration = SignedDuration::from_secs(60);

pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let poll = Duration::from_millis(state.settings.worker_poll_ms);
    let mut next_sweep: Option<Timestamp> = None;
    loop {
        let now = state.clock.now();
        if next_sweep.is_none_or(|due| now >= due) {
            match state.store.sweep_commitments(now).await {
                Ok(sweep) if sweep.reminded + sweep.broken > 0 => {
                    tracing::info!(
                        reminded = sweep.reminded,
                        broken = sweep.broken,
                        "commitments swept"
                    );
                    state.wake.emails.notify_one();
                }
                Ok(_) => {}
                Err(error) => tracing::error!(error = %error, "commitments: cannot sweep"),
            }
            next_sweep = now.checked_add(SWEEP_EVERY).ok();
        }
        if super::pause(&mut stop, poll).await {
            return;
        }
    }
}
