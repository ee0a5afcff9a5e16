//! Did it work: when a problem is solved, its touchpoint's CSAT, its driver's mean rating and
//! the share of responses complaining about each linked theme (a negative comment carrying
//! it), before and after, each with a significance test. "Before" is the 90 days before the
//! problem was recorded; "after" is from the moment it was solved, up to 90 days (so far,
//! while fewer have passed).

use domain::improvement::before_after::{
    Comparison, Confidence, Direction, MeanDifference, MeanSample, Proportion,
    ProportionDifference, Verdict, compare_means, compare_proportions,
};
use domain::improvement::problem::LinkKind;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use store::{PeriodSample, Problem, SampleFilter, Store, StoreError, Sums};

pub const WINDOW_DAYS: i64 = 90;

#[derive(Debug, Clone, Serialize)]
pub struct Measure<T> {
    pub name: String,
    pub comparison: Comparison<T>,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, Serialize)]
pub struct Impact {
    pub before_from: Timestamp,
    pub before_to: Timestamp,
    pub after_from: Timestamp,
    pub after_to: Timestamp,
    pub scope: String,
    pub means: Vec<Measure<MeanDifference>>,
    pub themes: Vec<Measure<ProportionDifference>>,
}

fn sample(sums: &Sums) -> MeanSample {
    MeanSample {
        n: sums.n,
        sum: sums.sum,
        sum_squares: sums.sum_squares,
    }
}

/// The comparison for a solved problem; `None` while it is not solved.
pub async fn impact(
    store: &dyn Store,
    problem: &Problem,
    now: Timestamp,
) -> Result<Option<Impact>, StoreError> {
    let Some(solved) = problem.solved_at else {
        return Ok(None);
    };
    let window = SignedDuration::from_hours(24 * WINDOW_DAYS);
    let before_to = problem.created_at.min(solved);
    let before_from = before_to.checked_sub(window).unwrap_or(before_to);
    let after_to = solved
        .checked_add(window)
        .unwrap_or(solved)
        .min(now.max(solved));
    let themes: Vec<String> = store
        .problem_links(problem.id)
        .await?
        .into_iter()
        .filter(|l| l.kind == LinkKind::Theme)
        .map(|l| l.target)
        .collect();
    let filter = |from: Timestamp, to: Timestamp| SampleFilter {
        from,
        to,
        touchpoint: problem.touchpoint.as_ref().map(|t| t.id.0),
        driver: problem.driver.clone(),
        themes: themes.clone(),
    };
    let (before_filter, after_filter) = (filter(before_from, before_to), filter(solved, after_to));
    let (before, after) = tokio::try_join!(
        store.period_sample(&before_filter),
        store.period_sample(&after_filter)
    )?;
    Ok(Some(compare(
        problem,
        &themes,
        &before,
        &after,
        [before_from, before_to, solved, after_to],
    )))
}

fn compare(
    problem: &Problem,
    themes: &[String],
    before: &PeriodSample,
    after: &PeriodSample,
    [before_from, before_to, after_from, after_to]: [Timestamp; 4],
) -> Impact {
    let scope = problem
        .touchpoint
        .as_ref()
        .map_or("all touchpoints".to_owned(), |t| t.name.clone());
    let mut means = vec![mean_measure(
        format!("CSAT ({scope})"),
        &before.csat,
        &after.csat,
    )];
    if let Some(driver) = &problem.driver {
        means.push(mean_measure(
            format!("{} rating ({scope})", driver.replace('_', " ")),
            &before.driver,
            &after.driver,
        ));
    }
    let themes = themes
        .iter()
        .map(|theme| {
            let share = |s: &PeriodSample| Proportion {
                hits: s.theme_hits.get(theme).copied().unwrap_or(0),
                n: s.responses,
            };
            let comparison =
                compare_proportions(&share(before), &share(after), Confidence::NINETY_FIVE);
            Measure {
                name: format!("Complaints about {}", theme.replace('_', " ")),
                verdict: comparison.verdict(Direction::LowerIsBetter),
                comparison,
            }
        })
        .collect();
    Impact {
        before_from,
        before_to,
        after_from,
        after_to,
        scope,
        means,
        themes,
    }
}

fn mean_measure(name: String, before: &Sums, after: &Sums) -> Measure<MeanDifference> {
    let comparison = compare_means(&sample(before), &sample(after), Confidence::NINETY_FIVE);
    Measure {
        name,
        verdict: comparison.verdict(Direction::HigherIsBetter),
        comparison,
    }
}

/// One measure of an [`Impact`] as a page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImpactRow {
    pub name: String,
    pub before: String,
    pub after: String,
    /// The difference with its 95% interval, or why there is none.
    pub change: String,
    pub p_value: Option<String>,
    pub verdict: &'static str,
    /// `improved`, `worsened`, `unclear` or `insufficient`, for styling.
    pub class: &'static str,
}

fn verdict_text(verdict: Verdict) -> (&'static str, &'static str) {
    match verdict {
        Verdict::Improved => ("Improved", "improved"),
        Verdict::Worsened => ("Worsened", "worsened"),
        Verdict::NoClearChange => ("No clear change", "unclear"),
        Verdict::NotEnoughData => ("Not enough data", "insufficient"),
    }
}

fn p_text(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".to_owned()
    } else {
        format!("{p:.3}")
    }
}

/// The rows of a before-and-after table.
pub fn rows(impact: &Impact) -> Vec<ImpactRow> {
    let means = impact.means.iter().map(|m| {
        let (verdict, class) = verdict_text(m.verdict);
        match &m.comparison {
            Comparison::Compared(c) => ImpactRow {
                name: m.name.clone(),
                before: format!("{:.2} (n = {})", c.before_mean, c.before_n),
                after: format!("{:.2} (n = {})", c.after_mean, c.after_n),
                change: format!(
                    "{:+.2} ({:+.2} to {:+.2})",
                    c.difference, c.interval.low, c.interval.high
                ),
                p_value: Some(p_text(c.p_value)),
                verdict,
                class,
            },
            Comparison::Insufficient { reason } => insufficient(&m.name, reason, verdict, class),
        }
    });
    let themes = impact.themes.iter().map(|m| {
        let (verdict, class) = verdict_text(m.verdict);
        match &m.comparison {
            Comparison::Compared(c) => ImpactRow {
                name: m.name.clone(),
                before: format!("{:.1}% (n = {})", c.before_rate * 100.0, c.before_n),
                after: format!("{:.1}% (n = {})", c.after_rate * 100.0, c.after_n),
                change: format!(
                    "{:+.1} points ({:+.1} to {:+.1})",
                    c.difference * 100.0,
                    c.interval.low * 100.0,
                    c.interval.high * 100.0
                ),
                p_value: Some(p_text(c.p_value)),
                verdict,
                class,
            },
            Comparison::Insufficient { reason } => insufficient(&m.name, reason, verdict, class),
        }
    });
    means.chain(themes).collect()
}

fn insufficient(name: &str, reason: &str, verdict: &'static str, class: &'static str) -> ImpactRow {
    ImpactRow {
        name: name.to_owned(),
        before: "—".to_owned(),
        after: "—".to_owned(),
        change: reason.to_owned(),
        p_value: None,
        verdict,
        class,
    }
}
