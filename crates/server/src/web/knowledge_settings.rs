//! `/settings/analysis` (administrators): the taxonomy comments are classified into, and the
//! invitation rules (how often customers are asked, quiet hours, link validity, reminder).

use super::{Chrome, PageError, PageResult, Staff, actor, render, see_other};
use crate::knowledge::analyzer::TAXONOMY_SETTING;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::analysis::Taxonomy;
use domain::{Role, ValidationError};
use serde::Deserialize;
use store::InvitationRules;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/analysis", get(show))
        .route("/settings/analysis/taxonomy", post(save_taxonomy))
        .route("/settings/analysis/taxonomy/reset", post(reset_taxonomy))
        .route("/settings/analysis/invitations", post(save_rules))
}

/// The invitation rules as typed.
#[derive(Deserialize, Default)]
struct RulesForm {
    #[serde(default)]
    min_days_between: String,
    #[serde(default)]
    quiet_start: String,
    #[serde(default)]
    quiet_end: String,
    #[serde(default)]
    ttl_days: String,
    #[serde(default)]
    reminder_after_hours: String,
}

fn clock(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl RulesForm {
    fn of(rules: &InvitationRules) -> Self {
        Self {
            min_days_between: rules.min_days_between.to_string(),
            quiet_start: rules.quiet_hours.map(|q| clock(q.0)).unwrap_or_default(),
            quiet_end: rules.quiet_hours.map(|q| clock(q.1)).unwrap_or_default(),
            ttl_days: rules.ttl_days.to_string(),
            reminder_after_hours: rules.reminder_after_hours.to_string(),
        }
    }

    fn parse(&self) -> Result<InvitationRules, ValidationError> {
        let number = |field: &'static str, raw: &str, max: i64, min: i64| {
            raw.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| {
                    ValidationError::new(field, format!("give a whole number from {min} to {max}"))
                })
        };
        let quiet_hours = match (self.quiet_start.trim(), self.quiet_end.trim()) {
            ("", "") => None,
            ("", _) | (_, "") => {
                return Err(ValidationError::new(
                    "Quiet hours",
                    "give both the start and the end, or neither",
                ));
            }
            (start, end) => Some((
                time_of_day("Quiet hours start", start)?,
                time_of_day("Quiet hours end", end)?,
            )),
        };
        Ok(InvitationRules {
            min_days_between: number("Days between invitations", &self.min_days_between, 365, 0)?,
            quiet_hours,
            ttl_days: number("Link validity", &self.ttl_days, 365, 1)?,
            reminder_after_hours: number("Reminder", &self.reminder_after_hours, 720, 0)?,
        })
    }
}

/// Minutes after midnight of a time of day typed as `HH:MM`.
fn time_of_day(field: &'static str, raw: &str) -> Result<i64, ValidationError> {
    let invalid =
        || ValidationError::new(field, format!("{raw:?} is not a time of day such as 21:00"));
    let (hours, minutes) = raw.split_once(':').ok_or_else(invalid)?;
    let hours: i64 = hours.trim().parse().map_err(|_| invalid())?;
    let minutes: i64 = minutes.trim().parse().map_err(|_| invalid())?;
    if (0..24).contains(&hours) && (0..60).contains(&minutes) {
        Ok(hours * 60 + minutes)
    } else {
        Err(invalid())
    }
}

#[derive(Template)]
#[template(path = "knowledge/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    taxonomy: String,
    taxonomy_error: Option<String>,
    rules: RulesForm,
    rules_error: Option<String>,
    notice: Option<&'static str>,
}

fn pretty(taxonomy: &Taxonomy) -> String {
    serde_json::to_string_pretty(taxonomy).unwrap_or_default()
}

/// The stored taxonomy (as saved), or the defaults if none was saved.
async fn stored_taxonomy(state: &AppState) -> Result<String, PageError> {
    let saved = state.store.setting(TAXONOMY_SETTING).await?;
    let taxonomy = saved
        .and_then(|json| serde_json::from_str::<Taxonomy>(&json).ok())
        .unwrap_or_else(Taxonomy::default_taxonomy);
    Ok(pretty(&taxonomy))
}

#[derive(Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    taxonomy: Option<(String, String)>,
    rules: Option<(RulesForm, String)>,
    notice: Option<&'static str>,
) -> Result<SettingsPage, PageError> {
    let (taxonomy, taxonomy_error) = match taxonomy {
        Some((text, error)) => (text, Some(error)),
        None => (stored_taxonomy(state).await?, None),
    };
    let (rules, rules_error) = match rules {
        Some((form, error)) => (form, Some(error)),
        None => (RulesForm::of(&state.store.invitation_rules().await?), None),
    };
    Ok(SettingsPage {
        chrome: Chrome::for_staff(staff, "/settings", &staff.time_zone),
        taxonomy,
        taxonomy_error,
        rules,
        rules_error,
        notice,
    })
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let notice = match query.saved.as_deref() {
        Some("taxonomy") => Some(
            "The taxonomy was saved; new comments use it now. Run `perfect-service reanalyze` to apply it to earlier responses.",
        ),
        Some("invitations") => Some("The invitation rules were saved."),
        _ => None,
    };
    let view = page(&state, &staff, None, None, notice).await?;
    Ok(render(StatusCode::OK, &view))
}

#[derive(Deserialize)]
struct TaxonomyForm {
    #[serde(default)]
    taxonomy: String,
}

fn parse_taxonomy(text: &str) -> Result<Taxonomy, String> {
    let taxonomy: Taxonomy = serde_json::from_str(text)
        .map_err(|e| format!("The taxonomy is not valid JSON of the expected shape ({e})."))?;
    taxonomy.validate().map_err(|e| e.to_string())?;
    Ok(taxonomy)
}

async fn store_taxonomy(state: &AppState, staff: &Staff, taxonomy: &Taxonomy) -> PageResult {
    let json = serde_json::to_string(taxonomy).map_err(|e| PageError::Internal(e.to_string()))?;
    state
        .store
        .set_setting(&actor(staff), TAXONOMY_SETTING, &json)
        .await?;
    state.analyzer.refresh(state.store.as_ref()).await?;
    Ok(see_other("/settings/analysis?saved=taxonomy"))
}

async fn save_taxonomy(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<TaxonomyForm>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    match parse_taxonomy(&form.taxonomy) {
        Ok(taxonomy) => store_taxonomy(&state, &staff, &taxonomy).await,
        Err(message) => {
            let view = page(&state, &staff, Some((form.taxonomy, message)), None, None).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
    }
}

async fn reset_taxonomy(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(Role::can_administer)?;
    store_taxonomy(&state, &staff, &Taxonomy::default_taxonomy()).await
}

async fn save_rules(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<RulesForm>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    match form.parse() {
        Ok(rules) => {
            state
                .store
                .set_invitation_rules(&actor(&staff), rules)
                .await?;
            Ok(see_other("/settings/analysis?saved=invitations"))
        }
        Err(invalid) => {
            let view = page(
                &state,
                &staff,
                None,
                Some((form, invalid.to_string())),
                None,
            )
            .await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(start: &str, end: &str) -> RulesForm {
        RulesForm {
            min_days_between: "7".into(),
            quiet_start: start.into(),
            quiet_end: end.into(),
            ttl_days: "30".into(),
            reminder_after_hours: "0".into(),
        }
    }

    #[test]
    fn quiet_hours_are_both_or_neither() {
        assert_eq!(form("", "").parse().map(|r| r.quiet_hours), Ok(None));
        assert_eq!(
            form("21:00", "08:30").parse().map(|r| r.quiet_hours),
            Ok(Some((21 * 60, 8 * 60 + 30)))
        );
        assert!(form("21:00", "").parse().is_err());
        assert!(form("25:00", "08:00").parse().is_err());
        assert!(form("9pm", "08:00").parse().is_err());
    }

    #[test]
    fn rules_round_trip_through_the_form() {
        let rules = form("22:15", "07:05").parse();
        assert_eq!(
            rules.map(|r| RulesForm::of(&r).quiet_start),
            Ok("22:15".to_owned())
        );
        assert!(
            RulesForm {
                ttl_days: "0".into(),
                ..form("", "")
            }
            .parse()
            .is_err()
        );
    }
}
