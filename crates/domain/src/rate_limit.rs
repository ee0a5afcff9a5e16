//! A fixed-window rate limit decided from the caller's clock, so tests control time.

use jiff::{SignedDuration, Timestamp};

/// Allows at most `max` attempts per `window` for one subject (an IP address, a login name).
#[derive(Debug, Clone)]
pub struct FixedWindow {
    pub max: u32,
    pub window: SignedDuration,
    window_start: Option<Timestamp>,
    used: u32,
}

impl FixedWindow {
    pub fn new(max: u32, window: SignedDuration) -> Self {
        Self {
            max,
            window,
            window_start: None,
            used: 0,
        }
    }

    /// Records an attempt at `now`; `Err` carries how long until the next attempt is allowed.
    pub fn attempt(&mut self, now: Timestamp) -> Result<(), SignedDuration> {
        let start = match self.window_start {
            Some(start) if now.duration_since(start) < self.window => start,
            _ => {
                self.window_start = Some(now);
                self.used = 0;
                now
            }
        };
        if self.used >= self.max {
            return Err(self.window - now.duration_since(start));
        }
        self.used += 1;
        Ok(())
    }

    /// True when the window has passed and the entry can be forgotten.
    pub fn is_stale(&self, now: Timestamp) -> bool {
        self.window_start
            .is_none_or(|start| now.duration_since(start) >= self.window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_beyond_the_limit_wait_for_the_next_window() {
        let start = Timestamp::UNIX_EPOCH;
        let mut limit = FixedWindow::new(2, SignedDuration::from_secs(60));
        assert!(limit.attempt(start).is_ok());
        assert!(limit.attempt(start).is_ok());
        let wait = limit.attempt(start + SignedDuration::from_secs(10));
        assert_eq!(wait, Err(SignedDuration::from_secs(50)));
        assert!(limit.attempt(start + SignedDuration::from_secs(60)).is_ok());
        assert!(!limit.is_stale(start + SignedDuration::from_secs(61)));
        assert!(limit.is_stale(start + SignedDuration::from_secs(120)));
    }
}
