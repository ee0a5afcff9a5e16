//! A dashboard view as asked in the URL: `from`/`to` (local dates), `team`, `touchpoint`,
//! `segment`, `source`, `staff` and the trend `step`, so that a view can be shared by its link.

use domain::dashboard::days::{day_number, local_day};
use domain::{Role, TeamId, TouchpointId, UserId, ValidationError};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use store::{DashboardFilter, Store, StoreError, User};

/// The longest period a dashboard covers.
const MAX_DAYS: i64 = 3 * 366;

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// First day (YYYY-MM-DD, in the organization's time zone); default 89 days before `to`.
    pub from: Option<String>,
    /// Last day, included; default today.
    pub to: Option<String>,
    /// A team key.
    pub team: Option<String>,
    /// A touchpoint key.
    pub touchpoint: Option<String>,
    /// A customer segment.
    pub segment: Option<String>,
    /// A response source (`survey_page`, `phone_interview`, …).
    pub source: Option<String>,
    /// A staff member's user id.
    pub staff: Option<i64>,
    /// Trend step: `day`, `week` or `month` (default: by the period's length).
    pub step: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Day,
    Week,
    Month,
}

/// Whose figures a user may see.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    Everything,
    Teams(Vec<TeamId>),
}

impl Scope {
    pub fn of(user: &User) -> Self {
        match user.role {
            Role::Admin | Role::President => Scope::Everything,
            Role::Manager | Role::Member => Scope::Teams(user.teams.iter().map(|t| t.id).collect()),
        }
    }

    pub fn teams(&self) -> Option<&[TeamId]> {
        match self {
            Scope::Everything => None,
            Scope::Teams(teams) => Some(teams),
        }
    }
}

/// A query resolved against the organization: days, ids and the filter to sum the rollups by.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub from: Date,
    pub to: Date,
    pub previous_from: Date,
    pub previous_to: Date,
    pub step: Step,
    pub team: Option<(TeamId, String, String)>,
    pub touchpoint: Option<(TouchpointId, String, String)>,
    pub segment: Option<String>,
    pub source: Option<String>,
    pub staff: Option<(UserId, String)>,
    pub scope: Scope,
    pub query: DashboardQuery,
}

#[derive(Debug)]
pub enum Refused {
    Invalid(ValidationError),
    Forbidden(String),
    Store(StoreError),
}

impl From<StoreError> for Refused {
    fn from(error: StoreError) -> Self {
        Refused::Store(error)
    }
}

fn date(field: &'static str, raw: Option<&str>) -> Result<Option<Date>, ValidationError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse::<Date>()
            .map(Some)
            .map_err(|_| ValidationError::new(field, "must be a date such as 2026-11-20")),
    }
}

fn text(raw: &Option<String>) -> Option<String> {
    raw.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().take(100).collect())
}

impl View {
    /// Resolves `query` for a viewer who may see `scope` (and, for a staff filter, always
    /// themselves: `viewer`).
    pub async fn resolve(
        store: &dyn Store,
        query: &DashboardQuery,
        scope: Scope,
        viewer: Option<UserId>,
        zone: &TimeZone,
        now: jiff::Timestamp,
    ) -> Result<Self, Refused> {
        let today = domain::dashboard::days::date_of(local_day(now, zone));
        let to = date("to", query.to.as_deref())
            .map_err(Refused::Invalid)?
            .unwrap_or(today);
        let from = date("from", query.from.as_deref())
            .map_err(Refused::Invalid)?
            .unwrap_or_else(|| domain::dashboard::days::date_of(day_number(to) - 89));
        let length = day_number(to) - day_number(from) + 1;
        if length < 1 {
            return Err(Refused::Invalid(ValidationError::new(
                "from",
                "must not be after to",
            )));
        }
        if length > MAX_DAYS {
            return Err(Refused::Invalid(ValidationError::new(
                "from",
                "a dashboard covers at most three years",
            )));
        }
        let step = match query.step.as_deref().map(str::trim) {
            None | Some("") => match length {
                ..=62 => Step::Day,
                63..=200 => Step::Week,
                _ => Step::Month,
            },
            Some("day") => Step::Day,
            Some("week") => Step::Week,
            Some("month") => Step::Month,
            Some(_) => {
                return Err(Refused::Invalid(ValidationError::new(
                    "step",
                    "must be day, week or month",
                )));
            }
        };
        let team = match text(&query.team) {
            Some(key) => {
                let parsed = domain::Key::parse("team", &key).map_err(Refused::Invalid)?;
                let team = store.team_by_key(&parsed).await.map_err(|_| {
                    Refused::Invalid(ValidationError::new("team", "no team has this key"))
                })?;
                if let Scope::Teams(mine) = &scope
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
        let staff = match query.staff {
            Some(id) => {
                let person = store.user(UserId(id)).await.map_err(|_| {
                    Refused::Invalid(ValidationError::new("staff", "no staff member has this id"))
                })?;
                let shares_a_team = person.teams.iter().any(|t| match &scope {
                    Scope::Everything => true,
                    Scope::Teams(mine) => mine.contains(&t.id),
                });
                let allowed = matches!(scope, Scope::Everything)
                    || shares_a_team
                    || Some(person.id) == viewer;
                if !allowed {
                    return Err(Refused::Forbidden(
                        "this staff member's figures are not yours to see".into(),
                    ));
                }
                Some((person.id, person.name.clone()))
            }
            None => None,
        };
        let previous_to = domain::dashboard::days::date_of(day_number(from) - 1);
        let previous_from = domain::dashboard::days::date_of(day_number(from) - length);
        Ok(View {
            from,
            to,
            previous_from,
            previous_to,
            step,
            team,
            touchpoint,
            segment: text(&query.segment),
            source: text(&query.source),
            staff,
            scope,
            query: query.clone(),
        })
    }

    /// The rollup filter of the view's period (or of the previous one).
    pub fn filter(&self, previous: bool) -> DashboardFilter {
        let (from, to) = if previous {
            (self.previous_from, self.previous_to)
        } else {
            (self.from, self.to)
        };
        let teams = match (&self.team, &self.scope) {
            (Some((id, _, _)), _) => Some(vec![*id]),
            (None, Scope::Teams(mine)) => Some(mine.clone()),
            (None, Scope::Everything) => None,
        };
        DashboardFilter {
            from_day: day_number(from),
            to_day: day_number(to) + 1,
            teams,
            touchpoint: self.touchpoint.as_ref().map(|t| t.0),
            segment: self.segment.clone(),
            source: self.source.clone(),
            staff: self.staff.as_ref().map(|s| s.0),
        }
    }

    /// The teams whose cases and guarantees the view counts.
    pub fn teams(&self) -> Option<Vec<TeamId>> {
        self.filter(false).teams
    }

    /// The URL query of this view with `changes` applied (a value of "" removes the key).
    pub fn link(&self, path: &str, changes: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(String, String)> = Vec::new();
        let q = &self.query;
        let current = [
            ("from", q.from.clone()),
            ("to", q.to.clone()),
            ("team", q.team.clone()),
            ("touchpoint", q.touchpoint.clone()),
            ("segment", q.segment.clone()),
            ("source", q.source.clone()),
            ("staff", q.staff.map(|s| s.to_string())),
            ("step", q.step.clone()),
        ];
        for (key, value) in current.clone() {
            if let Some(change) = changes.iter().find(|(k, _)| *k == key) {
                if !change.1.is_empty() {
                    pairs.push((key.to_owned(), change.1.to_owned()));
                }
            } else if let Some(value) = value.filter(|v| !v.is_empty()) {
                pairs.push((key.to_owned(), value));
            }
        }
        for (key, value) in changes {
            let known = current.iter().any(|(k, _)| k == key);
            if !known && !value.is_empty() {
                pairs.push(((*key).to_owned(), (*value).to_owned()));
            }
        }
        let encoded = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if encoded.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{encoded}")
        }
    }
}
