//! `/api/v1/standards` and `/api/v1/events`: measurable performance standards, the
//! operational events they are measured on (one or a batch, idempotent), and each standard's
//! compliance over a period.

use super::extract::{ApiCaller, ApiJson, ApiQuery};
use crate::error::{ApiError, ApiResult, Problem};
use crate::standards::{ComplianceView, FeelingReport, Refused, compliance, feeling};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::standards::compliance::TrendBucket;
use domain::standards::events::EventInput;
use domain::standards::standard::StandardInput;
use domain::standards::{OperationalEvent, PerformanceStandard};
use domain::{ApiScope, ValidationError};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use store::{EventsRecorded, StoredStandard};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Events per request at most.
const MAX_EVENTS: usize = 1_000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_standards, create_standard))
        .routes(routes!(get_standard, replace_standard, delete_standard))
        .routes(routes!(get_compliance))
        .routes(routes!(get_feeling))
        .routes(routes!(record_events))
}

impl From<Refused> for ApiError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Invalid(error) => error.into(),
            Refused::Store(error) => error.into(),
        }
    }
}

/// Every standard.
#[utoipa::path(get, path = "/api/v1/standards", tag = "standards",
    responses((status = 200, description = "the standards", body = Object), (status = 401, body = Problem)),
    security(("api_key" = ["read"])))]
async fn list_standards(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<StoredStandard>>> {
    caller.require(ApiScope::Read)?;
    Ok(Json(state.store.list_standards().await?))
}

/// Define a standard: `{"key", "name", "start_event", "end_event", "threshold_seconds",
/// "basis": "calendar"|"business", "target_percent", "team", "touchpoints": [...]}`.
#[utoipa::path(post, path = "/api/v1/standards", tag = "standards",
    request_body(content = Object, description = "the standard"),
    responses((status = 201, description = "created", body = Object), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn create_standard(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<StandardInput>,
) -> ApiResult<(StatusCode, Json<StoredStandard>)> {
    caller.require(ApiScope::Admin)?;
    let canonical = canonical(&input)?;
    let stored = state
        .store
        .create_standard(&caller.actor(), &canonical, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// The input validated, with its values trimmed as stored.
fn canonical(input: &StandardInput) -> Result<StandardInput, ValidationError> {
    Ok(PerformanceStandard::parse(input)?.to_input())
}

#[utoipa::path(get, path = "/api/v1/standards/{key}", tag = "standards", params(("key" = String, Path)),
    responses((status = 200, description = "the standard", body = Object), (status = 404, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_standard(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
) -> ApiResult<Json<StoredStandard>> {
    caller.require(ApiScope::Read)?;
    Ok(Json(state.store.standard(&key).await?))
}

/// Replace a standard's definition; its key stays.
#[utoipa::path(put, path = "/api/v1/standards/{key}", tag = "standards", params(("key" = String, Path)),
    request_body(content = Object, description = "the standard"),
    responses((status = 200, description = "replaced", body = Object), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn replace_standard(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
    ApiJson(mut input): ApiJson<StandardInput>,
) -> ApiResult<Json<StoredStandard>> {
    caller.require(ApiScope::Admin)?;
    input.key = key.clone();
    let canonical = canonical(&input)?;
    Ok(Json(
        state
            .store
            .update_standard(&caller.actor(), &key, &canonical, state.clock.now())
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/standards/{key}", tag = "standards", params(("key" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn delete_standard(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(ApiScope::Admin)?;
    state.store.delete_standard(&caller.actor(), &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplianceQuery {
    /// Start of the period (RFC 3339); default 30 days before `to`.
    pub from: Option<Timestamp>,
    /// End of the period, excluded (RFC 3339); default now.
    pub to: Option<Timestamp>,
    /// Trend step: `day`, `week` (default) or `month`.
    pub bucket: Option<String>,
}

/// A standard's compliance over a period: met, breached and open subjects, compliance against
/// the target with its interval, duration percentiles and histogram, the trend, the breaches
/// with the customer affected, and the subjects open past their threshold now.
#[utoipa::path(get, path = "/api/v1/standards/{key}/compliance", tag = "standards",
    params(("key" = String, Path), ComplianceQuery),
    responses((status = 200, description = "compliance", body = Object), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_compliance(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
    ApiQuery(query): ApiQuery<ComplianceQuery>,
) -> ApiResult<Json<ComplianceView>> {
    caller.require(ApiScope::Read)?;
    let now = state.clock.now();
    let to = query.to.unwrap_or(now);
    let from = query.from.unwrap_or_else(|| {
        to.checked_sub(SignedDuration::from_hours(24 * 30))
            .unwrap_or(to)
    });
    let bucket = match query.bucket.as_deref() {
        None | Some("") => TrendBucket::Week,
        Some(raw) => TrendBucket::parse(raw)?,
    };
    let stored = state.store.standard(&key).await?;
    Ok(Json(
        compliance(state.store.as_ref(), &stored, from, to, bucket, now).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeelingQuery {
    /// Start of the period (RFC 3339); default 90 days before `to`.
    pub from: Option<Timestamp>,
    /// End of the period, excluded (RFC 3339); default now.
    pub to: Option<Timestamp>,
}

/// What customers feel: per standard, mean CSAT on transactions whose subject met the
/// standard versus breached it (through the events' `transaction` reference), the difference
/// with its 95% interval and Cohen's d, and the standards ranked by the satisfaction their
/// breaches cost (difference × breaches).
#[utoipa::path(get, path = "/api/v1/standard-feelings", tag = "standards", params(FeelingQuery),
    responses((status = 200, description = "per standard and ranked", body = Object),
        (status = 422, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_feeling(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<FeelingQuery>,
) -> ApiResult<Json<FeelingReport>> {
    caller.require(ApiScope::Read)?;
    let now = state.clock.now();
    let to = query.to.unwrap_or(now);
    let from = query.from.unwrap_or_else(|| {
        to.checked_sub(SignedDuration::from_hours(24 * 90))
            .unwrap_or(to)
    });
    Ok(Json(feeling(state.store.as_ref(), from, to, now).await?))
}

/// One event, or `{"events": [...]}` (up to 1,000).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum EventsBody {
    Batch { events: Vec<EventInput> },
    One(EventInput),
}

/// Record operational events: `{"event_type", "subject", "customer", "transaction",
/// "occurred_at", "idempotency_key", "attributes"}`, one or `{"events": [...]}`. Idempotent:
/// an event whose key (given, or derived from type, subject and time) was stored before is
/// counted as a duplicate and changes nothing. A batch with any invalid event stores nothing
/// (422 naming `events[i].field`).
#[utoipa::path(post, path = "/api/v1/events", tag = "standards",
    request_body(content = Object, description = "an event or a batch"),
    responses((status = 201, description = "stored and duplicate counts", body = Object),
        (status = 422, body = Problem)),
    security(("api_key" = ["ingest"])))]
async fn record_events(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<EventsBody>,
) -> ApiResult<(StatusCode, Json<EventsRecorded>)> {
    caller.require(ApiScope::Ingest)?;
    let now = state.clock.now();
    let inputs = match body {
        EventsBody::Batch { events } => events,
        EventsBody::One(event) => vec![event],
    };
    if inputs.is_empty() || inputs.len() > MAX_EVENTS {
        return Err(ValidationError::new("events", "must hold 1 to 1000 events").into());
    }
    let mut events = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.iter().enumerate() {
        let event = OperationalEvent::parse(input, now).map_err(|e| {
            ValidationError::new(
                "events",
                format!("events[{index}].{}: {}", e.field, e.message),
            )
        })?;
        events.push(event);
    }
    let recorded = state
        .store
        .record_events(&caller.actor(), &events, now)
        .await?;
    Ok((StatusCode::CREATED, Json(recorded)))
}
