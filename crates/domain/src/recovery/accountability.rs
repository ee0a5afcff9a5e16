//! Accountability figures of recovery work for a team or a person: how many cases, how many
//! still open and overdue, the median time to first contact and to resolution, and the
//! recovery rate (the share of answered follow-ups that say the problem was fixed).

use jiff::{SignedDuration, Timestamp};

/// What the figures need to know about one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFacts {
    pub opened_at: Timestamp,
    pub first_contacted_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub open: bool,
    pub overdue: bool,
    pub recovered: Option<bool>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Accountability {
    pub cases: usize,
    pub open: usize,
    pub overdue: usize,
    pub median_first_contact: Option<SignedDuration>,
    pub median_resolution: Option<SignedDuration>,
    pub followups_answered: usize,
    pub recovered: usize,
}

impl Accountability {
    /// Recovered ÷ answered follow-ups, `None` before any answer.
    pub fn recovery_rate(&self) -> Option<f64> {
        (self.followups_answered > 0)
            .then(|| self.recovered as f64 / self.followups_answered as f64)
    }
}

/// The median of `durations` (the mean of the middle two for an even count).
pub fn median(mut durations: Vec<SignedDuration>) -> Option<SignedDuration> {
    if durations.is_empty() {
        return None;
    }
    durations.sort();
    let middle = durations.len() / 2;
    Some(if !durations.len().is_multiple_of(2) {
        durations[middle]
    } else {
        let sum = durations[middle - 1].as_millis() + durations[middle].as_millis();
        SignedDuration::from_millis(i64::try_from(sum / 2).unwrap_or(i64::MAX))
    })
}

/// The figures over `cases`.
pub fn summarize<'a>(cases: impl IntoIterator<Item = &'a CaseFacts>) -> Accountability {
    let mut figures = Accountability::default();
    let mut first_contact = Vec::new();
    let mut resolution = Vec::new();
    for case in cases {
        figures.cases += 1;
        figures.open += usize::from(case.open);
        figures.overdue += usize::from(case.open && case.overdue);
        if let Some(at) = case.first_contacted_at {
            first_contact.push(at.duration_since(case.opened_at));
        }
        if let Some(at) = case.resolved_at {
            resolution.push(at.duration_since(case.opened_at));
        }
        if let Some(recovered) = case.recovered {
            figures.followups_answered += 1;
            figures.recovered += usize::from(recovered);
        }
    }
    figures.median_first_contact = median(first_contact);
    figures.median_resolution = median(resolution);
    figures
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hours: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + SignedDuration::from_hours(hours)
    }

    fn case(contact: Option<i64>, resolved: Option<i64>, recovered: Option<bool>) -> CaseFacts {
        CaseFacts {
            opened_at: at(0),
            first_contacted_at: contact.map(at),
            resolved_at: resolved.map(at),
            open: resolved.is_none(),
            overdue: resolved.is_none() && contact.is_none(),
            recovered,
        }
    }

    #[test]
    fn figures_match_a_hand_count() {
        let cases = [
            case(Some(2), Some(10), Some(true)),
            case(Some(4), Some(30), Some(false)),
            case(Some(9), None, None),
            case(None, None, None),
            case(Some(1), Some(20), Some(true)),
        ];
        let figures = summarize(&cases);
        assert_eq!(figures.cases, 5);
        assert_eq!(figures.open, 2);
        assert_eq!(figures.overdue, 1);
        // First contacts 1, 2, 4, 9 hours: median (2 + 4) / 2 = 3 hours.
        assert_eq!(
            figures.median_first_contact,
            Some(SignedDuration::from_hours(3))
        );
        // Resolutions 10, 20, 30 hours: median 20.
        assert_eq!(
            figures.median_resolution,
            Some(SignedDuration::from_hours(20))
        );
        assert_eq!(figures.recovery_rate(), Some(2.0 / 3.0));
    }

    #[test]
    fn no_cases_give_no_medians_and_no_rate() {
        let figures = summarize(&[]);
        assert_eq!(figures, Accountability::default());
        assert_eq!(figures.recovery_rate(), None);
        assert_eq!(median(Vec::new()), None);
    }
}
