//! Return on satisfaction through the API: revenue at risk, the ranked improvement backlog
//! with its what-if, the fee-change what-if, a solved problem's before and after, and the
//! settings behind them.

use super::extract::{ApiCaller, ApiJson, ApiQuery};
use crate::error::{ApiError, ApiResult, Problem};
use crate::improvement::settings::{self, ImprovementSettings};
use crate::improvement::{backlog, fee, impact, value};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use domain::{ApiScope, ValidationError};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_revenue_at_risk))
        .routes(routes!(get_backlog))
        .routes(routes!(get_what_if))
        .routes(routes!(get_fee_change))
        .routes(routes!(get_problem_impact))
        .routes(routes!(get_settings, put_settings))
}

/// Revenue at risk: each active customer's annual value × the churn probability of their mean
/// CSAT of the last 365 days, in total and by team, segment, touchpoint, driver and open
/// problem, the customers with the most at risk, and the churn model with how it was learnt from lost and retained
/// customers.
#[utoipa::path(get, path = "/api/v1/revenue-at-risk", tag = "improvement",
    responses((status = 200, description = "revenue at risk", body = Object), (status = 401, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_revenue_at_risk(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<value::AtRiskReport>> {
    caller.require(ApiScope::Read)?;
    let store = state.store.as_ref();
    let now = state.clock.now();
    let settings = settings::load(store).await?;
    let since = now - jiff::SignedDuration::from_hours(24 * value::SATISFACTION_DAYS);
    let (book, names, answers) = tokio::try_join!(
        value::book(store, &settings, now),
        value::names(store),
        store.customer_touchpoint_csat(since)
    )?;
    let mut report = value::report(&book, &names, &answers);
    let zone = crate::recovery::zone(store).await?;
    value::attribute(&mut report, store, &book, &zone, now).await?;
    Ok(Json(report))
}

/// The improvement backlog: every driver of overall satisfaction (raised to its target) and
/// every open systemic problem (its affected customers brought up to the others), with the
/// revenue kept a year, the effort and the return on satisfaction, ranked; each with its
/// formula written out.
#[utoipa::path(get, path = "/api/v1/improvements", tag = "improvement",
    responses((status = 200, description = "the ranked backlog", body = Object), (status = 401, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_backlog(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<backlog::BacklogReport>> {
    caller.require(ApiScope::Read)?;
    let store = state.store.as_ref();
    let settings = settings::load(store).await?;
    let zone = crate::recovery::zone(store).await?;
    Ok(Json(
        backlog::build(store, &settings, &zone, state.clock.now()).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WhatIfQuery {
    /// The driver's question key, e.g. `timeliness`.
    pub driver: String,
    /// The mean rating to move it to (1–5).
    pub performance: f64,
}

/// What if a driver's mean rating moved to `performance`: the predicted mean CSAT and revenue
/// at risk before and after.
#[utoipa::path(get, path = "/api/v1/improvements/what-if", tag = "improvement", params(WhatIfQuery),
    responses((status = 200, description = "the prediction", body = Object), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_what_if(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<WhatIfQuery>,
) -> ApiResult<Json<backlog::WhatIfReport>> {
    caller.require(ApiScope::Read)?;
    if !(query.performance.is_finite() && (1.0..=5.0).contains(&query.performance)) {
        return Err(
            ValidationError::new("performance", "must be a mean rating from 1 to 5").into(),
        );
    }
    let store = state.store.as_ref();
    let settings = settings::load(store).await?;
    let zone = crate::recovery::zone(store).await?;
    let report = backlog::what_if_driver(
        store,
        &settings,
        &zone,
        state.clock.now(),
        query.driver.trim(),
        query.performance,
    )
    .await?;
    report
        .map(Json)
        .ok_or_else(|| ApiError::not_found("driver in the current key driver analysis"))
}

/// A fee increase on a segment (or everyone): revenue gained from those who stay against
/// revenue lost to the churn it causes, by satisfaction band, with the break-even increase.
#[utoipa::path(get, path = "/api/v1/fee-change", tag = "improvement", params(fee::FeeQuery),
    responses((status = 200, description = "the impact", body = Object), (status = 422, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_fee_change(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<fee::FeeQuery>,
) -> ApiResult<Json<fee::FeeReport>> {
    caller.require(ApiScope::Read)?;
    let store = state.store.as_ref();
    let settings = settings::load(store).await?;
    let book = value::book(store, &settings, state.clock.now()).await?;
    Ok(Json(fee::report(&book, &settings, &query)?))
}

/// Whether a solved problem made a difference: its touchpoint's CSAT, its driver's rating and
/// the share of responses with each linked theme in the 90 days before it was recorded and
/// since it was solved, each with a significance test. `null` while it is not solved.
#[utoipa::path(get, path = "/api/v1/problems/{id}/impact", tag = "improvement",
    params(("id" = i64, Path)),
    responses((status = 200, description = "before and after", body = Object), (status = 404, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_problem_impact(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Option<impact::Impact>>> {
    caller.require(ApiScope::Read)?;
    let store = state.store.as_ref();
    let now = state.clock.now();
    let problem = store.problem(id, now).await?;
    Ok(Json(impact::impact(store, &problem, now).await?))
}

/// The improvement settings: churn probabilities per satisfaction band (the defaults, and the
/// prior when learning from history), whether to learn them, the drivers' target ratings and
/// effort estimates, and price sensitivity.
#[utoipa::path(get, path = "/api/v1/improvement-settings", tag = "improvement",
    responses((status = 200, description = "the settings", body = Object), (status = 401, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_settings(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<ImprovementSettings>> {
    caller.require(ApiScope::Read)?;
    Ok(Json(settings::load(state.store.as_ref()).await?))
}

/// Replace the improvement settings; absent fields take their defaults.
#[utoipa::path(put, path = "/api/v1/improvement-settings", tag = "improvement",
    request_body(content = Object, description = "the settings document"),
    responses((status = 200, description = "the settings", body = Object), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn put_settings(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(new): ApiJson<ImprovementSettings>,
) -> ApiResult<Json<ImprovementSettings>> {
    caller.require(ApiScope::Admin)?;
    new.validate()?;
    settings::save(state.store.as_ref(), &caller.actor(), &new).await?;
    Ok(Json(new))
}
