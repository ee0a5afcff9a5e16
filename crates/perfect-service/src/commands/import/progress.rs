//! Progress on standard error: a bar redrawn in place (at most every 100 ms) when standard
//! error is a terminal, otherwise one line per imported batch, fit for a log file.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

const REDRAW_EVERY: Duration = Duration::from_millis(100);
const WIDTH: usize = 30;

pub struct Progress {
    terminal: bool,
    last_drawn: Option<Instant>,
    drawn: bool,
}

impl Progress {
    pub fn new() -> Self {
        Self {
            terminal: std::io::stderr().is_terminal(),
            last_drawn: None,
            drawn: false,
        }
    }

    /// While rows are checked: only a terminal gets to see it.
    pub fn checking(&mut self, fraction: f64, rows: u64) {
        if self.terminal && self.due() {
            self.draw("checking ", fraction, &format!("{rows} rows"));
        }
    }

    /// After each batch written.
    pub fn imported(&mut self, done: u64, total: u64) {
        if self.terminal {
            if self.due() || done == total {
                let fraction = done as f64 / total.max(1) as f64;
                self.draw("importing", fraction, &format!("{done}/{total} rows"));
            }
        } else {
            eprintln!("imported {done} of {total} rows");
        }
    }

    /// Clears the bar, so that what follows starts on a clean line.
    pub fn clear(&mut self) {
        if self.drawn {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
            self.drawn = false;
        }
    }

    fn due(&mut self) -> bool {
        let now = Instant::now();
        let due = self
            .last_drawn
            .is_none_or(|last| now.duration_since(last) >= REDRAW_EVERY);
        if due {
            self.last_drawn = Some(now);
        }
        due
    }

    fn draw(&mut self, label: &str, fraction: f64, count: &str) {
        let fraction = fraction.clamp(0.0, 1.0);
        let filled = (fraction * WIDTH as f64).round() as usize;
        eprint!(
            "\r{label} [{}{}] {:>3.0}% {count}",
            "#".repeat(filled),
            " ".repeat(WIDTH - filled.min(WIDTH)),
            fraction * 100.0
        );
        let _ = std::io::stderr().flush();
        self.drawn = true;
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}
