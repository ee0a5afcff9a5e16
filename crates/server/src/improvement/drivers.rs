//! A key driver analysis as asked in the URL: the outcome (`csat` or `nps`), whole months
//! `from`..`to` (`YYYY-MM`, in the organization's time zone; default the last twelve), and
//! optionally a team and a touchpoint. The analysis itself is domain code over the moments
//! the store sums from its monthly rollup.

use crate::dashboard::query::{Refused, Scope};
use domain::dashboard::days::{local_day, month_of_day};
use domain::improvement::drivers::{DriverAnalysis, DriverSettings, analyse};
use domain::improvement::moments::{CSAT, NPS};
use domain::{TeamId, TouchpointId, ValidationError};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use store::{DriverFilter, Store, StoreError};

/// The longest period one analysis covers, in months.
const MAX_MONTHS: i64 = 36;

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DriverQuery {
    /// `csat` (overall satisfaction, the default) or `nps` (likelihood to recommend).
    pub outcome: Option<String>,
    /// First month (YYYY-MM); default eleven months before `to`.
    pub from: Option<String>,
    /// Last month, included (YYYY-MM); default this month.
    pub to: Option<String>,
    /// A team key.
    pub team: Option<String>,
    /// A touchpoint key.
    pub touchpoint: Option<String>,
}

/// What an analysis explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Csat,
    Nps,
}

impl Outcome {
    pub fn variable(self) -> &'static str {
        match self {
            Outcome::Csat => CSAT,
            Outcome::Nps => NPS,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Csat => "Overall satisfaction (CSAT, 1–5)",
            Outcome::Nps => "Likelihood to recommend (0–10)",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Csat => "csat",
            Outcome::Nps => "nps",
        }
    }
}

/// A query resolved against the organization.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverView {
    pub outcome: Outcome,
    pub from_month: i64,
    pub to_month: i64,
    pub team: Option<(TeamId, String, String)>,
    pub touchpoint: Option<(TouchpointId, String, String)>,
    pub query: DriverQuery,
}

/// A month number as `YYYY-MM`.
pub fn month_text(month: i64) -> String {
    format!(
        "{:04}-{:02}",
        month.div_euclid(12),
        month.rem_euclid(12) + 1
    )
}

fn parse_month(field: &'static str, raw: Option<&str>) -> Result<Option<i64>, ValidationError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let invalid = || ValidationError::new(field, "must be a month such as 2026-11");
    let (year, month) = text.split_once('-').ok_or_else(invalid)?;
    let year: i64 = year.parse().map_err(|_| invalid())?;
    let month: i64 = month.parse().map_err(|_| invalid())?;
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) || text.len() != 7 {
        return Err(invalid());
    }
    Ok(Some(year * 12 + month - 1))
}

fn text(raw: &Option<String>) -> Option<String> {
    raw.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().take(100).collect())
}

impl DriverView {
    pub async fn resolve(
        store: &dyn Store,
        query: &DriverQuery,
        scope: &Scope,
        zone: &TimeZone,
        now: jiff::Timestamp,
    ) -> Result<Self, Refused> {
        let outcome = match query.outcome.as_deref().map(str::trim) {
            None | Some("") | Some("csat") => Outcome::Csat,
            Some("nps") => Outcome::Nps,
            Some(_) => {
                return Err(Refused::Invalid(ValidationError::new(
                    "outcome",
                    "must be csat or nps",
                )));
            }
        };
        let this_month = month_of_day(local_day(now, zone));
        let to_month = parse_month("to", query.to.as_deref())
            .map_err(Refused::Invalid)?
            .unwrap_or(this_month);
        let from_month = parse_month("from", query.from.as_deref())
            .map_err(Refused::Invalid)?
            .unwrap_or(to_month - 11);
        if from_month > to_month {
            return Err(Refused::Invalid(ValidationError::new(
                "from",
                "must not be after to",
            )));
        }
        if to_month - from_month + 1 > MAX_MONTHS {
            return Err(Refused::Invalid(ValidationError::new(
                "from",
                "an analysis covers at most 36 months",
            )));
        }
        let team = match text(&query.team) {
            Some(key) => {
                let parsed = domain::Key::parse("team", &key).map_err(Refused::Invalid)?;
                let team = store.team_by_key(&parsed).await.map_err(|_| {
                    Refused::Invalid(ValidationError::new("team", "no team has this key"))
                })?;
                if let Scope::Teams(mine) = scope
                    && !mine.contains(&team.id)
                {
                    return Err(Refused::Forbidden(
                        "this team's figures are not yours to see".into(),
                    ));
                }
                Some((team.id, team.key.to_string(), team.name.to_string()))
            }
            None => None,
        };
        if team.is_none()
            && let Scope::Teams(_) = scope
        {
            return Err(Refused::Forbidden(
                "choose one of your teams: the whole organization's drivers are for the president and administrators"
                    .into(),
            ));
        }
        let touchpoint = match text(&query.touchpoint) {
            Some(key) => {
                let parsed = domain::Key::parse("touchpoint", &key).map_err(Refused::Invalid)?;
                let touchpoint = store.touchpoint_by_key(&parsed).await.map_err(|_| {
                    Refused::Invalid(ValidationError::new(
                        "touchpoint",
                        "no touchpoint has this key",
                    ))
                })?;
                Some((
                    touchpoint.id,
                    touchpoint.key.to_string(),
                    touchpoint.name.to_string(),
                ))
            }
            None => None,
        };
        Ok(Self {
            outcome,
            from_month,
            to_month,
            team,
            touchpoint,
            query: query.clone(),
        })
    }

    pub fn filter(&self) -> DriverFilter {
        DriverFilter {
            from_month: self.from_month,
            to_month: self.to_month,
            team: self.team.as_ref().map(|t| t.0.0),
            touchpoint: self.touchpoint.as_ref().map(|t| t.0.0),
        }
    }
}

/// An analysis with what it was asked for and the names of its drivers.
#[derive(Debug, Clone, Serialize)]
pub struct DriverReport {
    pub outcome: Outcome,
    pub outcome_label: &'static str,
    pub from: String,
    pub to: String,
    pub team: Option<String>,
    pub touchpoint: Option<String>,
    /// Question key → attribute name, for every driver.
    pub labels: BTreeMap<String, String>,
    pub analysis: DriverAnalysis,
    /// How the figures are computed, in words.
    pub method: &'static str,
}

pub const METHOD: &str = "Relative importance by exact Shapley value regression (LMG): each driver's \
    importance is its average gain in R² when added to every subset of the other drivers, so the \
    importances add up to the R² of all drivers together. Correlations are pairwise-complete: each \
    uses the responses that answered both questions, so a survey that skips a rating still counts \
    for the others. Intervals come from 200 parametric bootstrap replicates (covariance matrices \
    drawn from their Wishart sampling distribution). Below 50 responses the analysis says so \
    instead of guessing.";

/// Runs the analysis of `view` over every rating answered in it.
pub async fn report(store: &dyn Store, view: &DriverView) -> Result<DriverReport, StoreError> {
    let filter = view.filter();
    let (moments, labels) = tokio::try_join!(store.driver_moments(&filter), store.rating_labels())?;
    let drivers: Vec<String> = moments
        .variables()
        .into_iter()
        .filter(|v| !v.starts_with('@'))
        .collect();
    let outcome = view.outcome.variable();
    let analysis = analyse(&moments, outcome, &drivers, &DriverSettings::default());
    let labels = drivers
        .iter()
        .map(|d| {
            let label = labels
                .get(d)
                .cloned()
                .unwrap_or_else(|| d.replace('_', " "));
            (d.clone(), label)
        })
        .collect();
    Ok(DriverReport {
        outcome: view.outcome,
        outcome_label: view.outcome.label(),
        from: month_text(view.from_month),
        to: month_text(view.to_month),
        team: view.team.as_ref().map(|t| t.2.clone()),
        touchpoint: view.touchpoint.as_ref().map(|t| t.2.clone()),
        labels,
        analysis,
        method: METHOD,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_parsed_and_written_back() {
        assert_eq!(
            parse_month("from", Some("2026-11")),
            Ok(Some(2026 * 12 + 10))
        );
        assert_eq!(month_text(2026 * 12 + 10), "2026-11");
        assert_eq!(parse_month("from", None), Ok(None));
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "x", "2026-00"] {
            assert!(parse_month("from", Some(bad)).is_err(), "{bad}");
        }
    }
}
