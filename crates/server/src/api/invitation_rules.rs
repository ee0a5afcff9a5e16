//! `/api/v1/invitation-rules`: how often customers are asked, when e-mail is not sent, how
//! long links stay valid and when the reminder goes.

use super::extract::{ApiCaller, ApiJson};
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::{ApiScope, ValidationError};
use serde::{Deserialize, Serialize};
use store::InvitationRules;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_rules, put_rules))
}

/// The organization's invitation rules (a touchpoint may override `min_days_between`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesBody {
    /// At most one invitation per customer per this many days; 0 asks about every transaction.
    pub min_days_between: i64,
    /// Quiet hours in the organization's time zone as `HH:MM`; e-mail waits until they end.
    pub quiet_hours_start: Option<String>,
    pub quiet_hours_end: Option<String>,
    /// How long a survey link stays valid, 1 to 365 days.
    pub link_valid_days: i64,
    /// Hours after the e-mail when one reminder is sent if unanswered; 0 for none.
    pub reminder_after_hours: i64,
}

fn minutes(field: &'static str, raw: &str) -> Result<i64, ValidationError> {
    let invalid = || ValidationError::new(field, "must be a time of day as HH:MM");
    let (hours, mins) = raw.trim().split_once(':').ok_or_else(invalid)?;
    let (hours, mins): (i64, i64) = (
        hours.parse().map_err(|_| invalid())?,
        mins.parse().map_err(|_| invalid())?,
    );
    if (0..24).contains(&hours) && (0..60).contains(&mins) {
        Ok(hours * 60 + mins)
    } else {
        Err(invalid())
    }
}

fn clock(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl From<InvitationRules> for RulesBody {
    fn from(r: InvitationRules) -> Self {
        Self {
            min_days_between: r.min_days_between,
            quiet_hours_start: r.quiet_hours.map(|q| clock(q.0)),
            quiet_hours_end: r.quiet_hours.map(|q| clock(q.1)),
            link_valid_days: r.ttl_days,
            reminder_after_hours: r.reminder_after_hours,
        }
    }
}

impl RulesBody {
    pub fn parse(&self) -> Result<InvitationRules, ValidationError> {
        if !(0..=365).contains(&self.min_days_between) {
            return Err(ValidationError::new(
                "min_days_between",
                "must be from 0 to 365",
            ));
        }
        if !(1..=365).contains(&self.link_valid_days) {
            return Err(ValidationError::new(
                "link_valid_days",
                "must be from 1 to 365",
            ));
        }
        if !(0..=24 * 30).contains(&self.reminder_after_hours) {
            return Err(ValidationError::new(
                "reminder_after_hours",
                "must be from 0 to 720",
            ));
        }
        let quiet_hours = match (
            self.quiet_hours_start.as_deref(),
            self.quiet_hours_end.as_deref(),
        ) {
            (None, None) => None,
            (Some(start), Some(end)) => Some((
                minutes("quiet_hours_start", start)?,
                minutes("quiet_hours_end", end)?,
            )),
            _ => {
                return Err(ValidationError::new(
                    "quiet_hours_end",
                    "give both the start and the end, or neither",
                ));
            }
        };
        Ok(InvitationRules {
            min_days_between: self.min_days_between,
            quiet_hours,
            ttl_days: self.link_valid_days,
            reminder_after_hours: self.reminder_after_hours,
        })
    }
}

/// The invitation rules.
#[utoipa::path(get, path = "/api/v1/invitation-rules", tag = "surveys",
    responses((status = 200, body = RulesBody), (status = 401, body = Problem)), security(("api_key" = ["read"])))]
async fn get_rules(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<Json<RulesBody>> {
    caller.require(ApiScope::Read)?;
    Ok(Json(state.store.invitation_rules().await?.into()))
}

/// Replace the invitation rules.
#[utoipa::path(put, path = "/api/v1/invitation-rules", tag = "surveys", request_body = RulesBody,
    responses((status = 200, body = RulesBody), (status = 422, body = Problem)), security(("api_key" = ["admin"])))]
async fn put_rules(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<RulesBody>,
) -> ApiResult<Json<RulesBody>> {
    caller.require(ApiScope::Admin)?;
    let rules = body.parse()?;
    state
        .store
        .set_invitation_rules(&caller.actor(), rules)
        .await?;
    Ok(Json(state.store.invitation_rules().await?.into()))
}
