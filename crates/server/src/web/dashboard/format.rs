//! Scores written for people: the value, its 95% interval and sample size, the change and
//! whether it is significant, small samples said so.

use crate::dashboard::overview::Figure;
use domain::dashboard::stats::Estimate;

pub fn estimate_text(e: &Option<Estimate>, decimals: usize) -> String {
    match e {
        None => "no answers".to_owned(),
        Some(e) => {
            let interval = e.interval.map_or(String::new(), |i| {
                format!(
                    " (95% CI {:.*} to {:.*})",
                    decimals, i.low, decimals, i.high
                )
            });
            let small = if e.small_sample { ", small sample" } else { "" };
            format!("{:.*}{interval}, n = {}{small}", decimals, e.value, e.n)
        }
    }
}

pub fn change_text(f: &Figure, decimals: usize) -> String {
    match &f.change {
        None => "no previous period to compare".to_owned(),
        Some(c) => {
            let arrow = if c.delta > 0.0 {
                "▲"
            } else if c.delta < 0.0 {
                "▼"
            } else {
                "="
            };
            let meaning = if c.significant {
                "significant"
            } else {
                "within noise"
            };
            format!(
                "{arrow} {:+.*} vs previous period ({meaning})",
                decimals, c.delta
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::dashboard::stats::{Interval, Kind};

    #[test]
    fn estimates_say_their_interval_and_sample() {
        let e = Estimate {
            kind: Kind::Nps,
            value: 32.4,
            interval: Some(Interval {
                low: 28.0,
                high: 36.8,
            }),
            standard_error: Some(2.2),
            n: 12,
            small_sample: true,
        };
        assert_eq!(
            estimate_text(&Some(e), 0),
            "32 (95% CI 28 to 37), n = 12, small sample"
        );
        assert_eq!(estimate_text(&None, 1), "no answers");
    }
}
