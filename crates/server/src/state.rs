//! The state every handler shares.

use crate::config::Settings;
use crate::http::metrics::Metrics;
use domain::rate_limit::FixedWindow;
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use store::Store;

/// Where "now" comes from, so that time-dependent behaviour is testable.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    pub metrics: Metrics,
    pub login_limiter: Arc<LoginLimiter>,
    /// The installation's secret for signing customer links (shared by all instances).
    pub link_secret: Arc<Vec<u8>>,
    pub analyzer: crate::knowledge::analyzer::Analyzer,
    /// Sends invitation e-mails; `None` when no SMTP server is configured.
    pub mailer: Option<Arc<dyn crate::mail::Mailer>>,
    /// Pokes the background workers when a handler has just committed work for them.
    pub wake: crate::workers::Wakeups,
}

/// Limits login attempts per client address and per e-mail address.
pub struct LoginLimiter {
    max: u32,
    windows: Mutex<HashMap<String, FixedWindow>>,
}

impl LoginLimiter {
    pub fn new(max_per_15_minutes: u32) -> Self {
        Self {
            max: max_per_15_minutes,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Records an attempt for each subject; `Err` carries the wait if any subject is over.
    pub fn attempt(&self, subjects: &[String], now: Timestamp) -> Result<(), SignedDuration> {
        let Ok(mut windows) = self.windows.lock() else {
            return Ok(());
        };
        if windows.len() > 10_000 {
            windows.retain(|_, w| !w.is_stale(now));
        }
        let mut longest_wait = None;
        for subject in subjects {
            let window = windows
                .entry(subject.clone())
                .or_insert_with(|| FixedWindow::new(self.max, SignedDuration::from_mins(15)));
            if let Err(wait) = window.attempt(now) {
                longest_wait = Some(longest_wait.map_or(wait, |w: SignedDuration| w.max(wait)));
            }
        }
        longest_wait.map_or(Ok(()), Err)
    }
}
