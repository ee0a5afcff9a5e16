//! In-process wake-ups: a handler that has just committed work for a worker pokes it, so the
//! work starts at once instead of at the worker's next poll. Other instances still find the
//! work by polling, so a lost poke only costs one poll interval.

use std::sync::Arc;
use tokio::sync::Notify;

#[derive(Clone, Default)]
pub struct Wakeups {
    /// New `response.received` events.
    pub responses: Arc<Notify>,
    /// New webhook deliveries.
    pub deliveries: Arc<Notify>,
    /// New notification or follow-up e-mails.
    pub emails: Arc<Notify>,
}

/// Waits for `poke`, at most `period`, or until `stop` turns true; true when stopping.
pub(crate) async fn pause_or_poke(
    stop: &mut tokio::sync::watch::Receiver<bool>,
    poke: &Notify,
    period: std::time::Duration,
) -> bool {
    tokio::select! {
        _ = stop.wait_for(|stopping| *stopping) => {}
        () = poke.notified() => {}
        () = tokio::time::sleep(period) => {}
    }
    *stop.borrow()
}
