//! `/api/v1/alert-rules` (conditions over a response that raise alerts and open cases) and
//! `/api/v1/alerts` (what they raised, and the early warning's trend alerts).

use super::extract::{ApiCaller, ApiJson, ApiQuery, PageQuery};
use super::{ListBody, list_body, parse_time};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::recovery::rules::validate_conditions;
use domain::recovery::{Condition, Severity};
use domain::{ApiScope, Key, Name, ValidationError};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::{Alert, AlertFilter, AlertRuleInput, StoredAlertRule};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rules, create_rule))
        .routes(routes!(get_rule, replace_rule, delete_rule))
        .routes(routes!(list_alerts))
}

/// An alert rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleBody {
    pub id: i64,
    pub name: String,
    /// Conditions, each `{"type": …}`: `csat_at_most` {value}, `nps_at_most` {value},
    /// `ces_at_least` {value}, `question` {question, comparison (`at_most`, `at_least`,
    /// `below`, `above`, `equal`), value}, `sentiment_below` {value}, `theme` {theme},
    /// `keyword` {word}, `guarantee_invoked` (no fields: fires when a guarantee is invoked).
    #[schema(value_type = Vec<Object>)]
    pub conditions: Vec<Condition>,
    /// Every condition must hold; otherwise any one is enough.
    pub match_all: bool,
    /// Scope: only responses of this team, touchpoint, segment, or customers worth at least
    /// this much a year (minor units).
    pub team: Option<String>,
    pub touchpoint: Option<String>,
    pub segment: Option<String>,
    pub min_annual_value_minor: Option<i64>,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: String,
    /// A match opens (or joins) a recovery case.
    pub opens_case: bool,
    pub enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<StoredAlertRule> for RuleBody {
    fn from(stored: StoredAlertRule) -> Self {
        let rule = stored.rule;
        Self {
            id: rule.id,
            name: rule.name,
            conditions: rule.conditions,
            match_all: rule.match_all,
            team: stored.team.map(|t| t.key),
            touchpoint: stored.touchpoint.map(|t| t.key),
            segment: rule.scope.segment,
            min_annual_value_minor: rule.scope.min_annual_value_minor,
            severity: rule.severity.as_str().into(),
            opens_case: rule.opens_case,
            enabled: rule.enabled,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
        }
    }
}

/// A rule as sent, e.g. `{"name": "Unhappy enterprise customer", "conditions": [{"type":
/// "csat_at_most", "value": 3}], "segment": "enterprise", "severity": "critical"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    pub name: String,
    #[schema(value_type = Vec<Object>)]
    pub conditions: Vec<Condition>,
    #[serde(default)]
    pub match_all: bool,
    pub team: Option<String>,
    pub touchpoint: Option<String>,
    pub segment: Option<String>,
    pub min_annual_value_minor: Option<i64>,
    pub severity: String,
    #[serde(default = "yes")]
    pub opens_case: bool,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

impl RuleInput {
    pub fn parse(self) -> Result<AlertRuleInput, ValidationError> {
        validate_conditions(&self.conditions)?;
        if self.min_annual_value_minor.is_some_and(|v| v < 0) {
            return Err(ValidationError::new(
                "min_annual_value_minor",
                "cannot be negative",
            ));
        }
        let key = |field: &'static str, raw: Option<String>| {
            raw.filter(|r| !r.trim().is_empty())
                .map(|r| Key::parse(field, &r))
                .transpose()
        };
        Ok(AlertRuleInput {
            name: Name::parse("name", &self.name)?.to_string(),
            conditions: self.conditions,
            match_all: self.match_all,
            team: key("team", self.team)?,
            touchpoint: key("touchpoint", self.touchpoint)?,
            segment: self
                .segment
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            min_annual_value_minor: self.min_annual_value_minor,
            severity: Severity::parse(&self.severity)?,
            opens_case: self.opens_case,
            enabled: self.enabled,
        })
    }
}

/// List alert rules (a fresh install has the default: CSAT ≤ 2 or NPS ≤ 6 opens a case).
#[utoipa::path(get, path = "/api/v1/alert-rules", tag = "alerts",
    responses((status = 200, body = Vec<RuleBody>), (status = 401, body = Problem)),
    security(("api_key" = ["read"])))]
async fn list_rules(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<RuleBody>>> {
    caller.require(ApiScope::Read)?;
    let rules = state.store.alert_rules().await?;
    Ok(Json(rules.into_iter().map(RuleBody::from).collect()))
}

/// Create an alert rule.
#[utoipa::path(post, path = "/api/v1/alert-rules", tag = "alerts", request_body = RuleInput,
    responses((status = 201, body = RuleBody), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn create_rule(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<RuleInput>,
) -> ApiResult<(StatusCode, Json<RuleBody>)> {
    caller.require(ApiScope::Admin)?;
    let rule = state
        .store
        .create_alert_rule(&caller.actor(), body.parse()?)
        .await?;
    Ok((StatusCode::CREATED, Json(rule.into())))
}

/// Get an alert rule.
#[utoipa::path(get, path = "/api/v1/alert-rules/{id}", tag = "alerts", params(("id" = i64, Path)),
    responses((status = 200, body = RuleBody), (status = 404, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_rule(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<RuleBody>> {
    caller.require(ApiScope::Read)?;
    let rule = state
        .store
        .alert_rule(id)
        .await
        .map_err(|_| ApiError::not_found("alert rule"))?;
    Ok(Json(rule.into()))
}

/// Replace an alert rule.
#[utoipa::path(put, path = "/api/v1/alert-rules/{id}", tag = "alerts", params(("id" = i64, Path)),
    request_body = RuleInput,
    responses((status = 200, body = RuleBody), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn replace_rule(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RuleInput>,
) -> ApiResult<Json<RuleBody>> {
    caller.require(ApiScope::Admin)?;
    let input = body.parse()?;
    let rule = state
        .store
        .update_alert_rule(&caller.actor(), id, input)
        .await?;
    Ok(Json(rule.into()))
}

/// Delete an alert rule (alerts it raised stay).
#[utoipa::path(delete, path = "/api/v1/alert-rules/{id}", tag = "alerts", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)), security(("api_key" = ["admin"])))]
async fn delete_rule(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    caller.require(ApiScope::Admin)?;
    state.store.delete_alert_rule(&caller.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An alert: a response that matched a rule, or a control chart that crossed its limit.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertBody {
    pub id: i64,
    /// `response`, `trend`, `guarantee`, `guarantee_trend`, `standard_breach` or
    /// `broken_promise`.
    pub kind: String,
    pub rule_id: Option<i64>,
    pub rule_name: String,
    pub severity: String,
    pub title: String,
    pub detail: String,
    pub response_id: Option<i64>,
    pub customer: Option<String>,
    pub team: Option<String>,
    pub touchpoint: Option<String>,
    pub case_id: Option<i64>,
    /// For trend alerts: the series (`team:7`, `touchpoint:3`) and metric.
    pub series: Option<String>,
    pub metric: Option<String>,
    pub raised_at: Timestamp,
}

impl From<Alert> for AlertBody {
    fn from(a: Alert) -> Self {
        Self {
            id: a.id,
            kind: a.kind,
            rule_id: a.rule_id,
            rule_name: a.rule_name,
            severity: a.severity.as_str().into(),
            title: a.title,
            detail: a.detail,
            response_id: a.response_id,
            customer: a.customer.map(|c| c.external_id),
            team: a.team.map(|t| t.key),
            touchpoint: a.touchpoint.map(|t| t.key),
            case_id: a.case_id,
            series: a.series,
            metric: a.metric,
            raised_at: a.raised_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// `response`, `trend`, `guarantee`, `guarantee_trend`, `standard_breach` or
    /// `broken_promise`.
    pub kind: Option<String>,
    /// A team key.
    pub team: Option<String>,
    /// A touchpoint key.
    pub touchpoint: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// List alerts (`order=desc` for newest first).
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", params(PageQuery, AlertQuery),
    responses((status = 200, body = ListBody<AlertBody>), (status = 401, body = Problem)),
    security(("api_key" = ["read"])))]
async fn list_alerts(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(page): ApiQuery<PageQuery>,
    ApiQuery(query): ApiQuery<AlertQuery>,
) -> ApiResult<Json<ListBody<AlertBody>>> {
    caller.require(ApiScope::Read)?;
    if let Some(kind) = &query.kind
        && !store::alert_kind::ALL.contains(&kind.as_str())
    {
        let message = format!("must be one of {}", store::alert_kind::ALL.join(", "));
        return Err(ValidationError::new("kind", message).into());
    }
    let filter = AlertFilter {
        kind: query.kind.clone(),
        team: match &query.team {
            Some(key) => Some(super::cases::team_id(&state, key).await?),
            None => None,
        },
        touchpoint: match &query.touchpoint {
            Some(key) => Some(super::cases::touchpoint_id(&state, key).await?),
            None => None,
        },
        from: parse_time("from", query.from.as_deref())?,
        to: parse_time("to", query.to.as_deref())?,
    };
    let page = state.store.list_alerts(&page.params()?, &filter).await?;
    Ok(Json(list_body(page, AlertBody::from)))
}
