//! `/api/v1/responses`: feedback gathered anywhere (phone interviews, kiosks, focus groups,
//! briefings, 360 reviews…), one at a time or in all-or-nothing batches of up to 1,000; and
//! the filtered list of every response.

use super::extract::{ApiCaller, ApiJson, ApiQuery, PageQuery};
use super::{ListBody, list_body, parse_time};
use crate::error::{ApiError, ApiResult, ItemError, Problem, ProblemKind};
use crate::knowledge::ingest::{parse_source, prepare};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response as HttpResponse};
use domain::survey::ScoreBand;
use domain::time::parse_instant;
use domain::{ApiScope, ExternalId, Key, ValidationError};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::{NewResponse, Response, ResponseFilter, ResponseReferences, StoreError};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub const MAX_BATCH: usize = 1000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_responses, post_responses))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerReference {
    pub external_id: String,
}

/// A response gathered outside the survey page, e.g.
/// `{"customer": {"external_id": "C-1"}, "touchpoint": "phone-support", "source": "phone_interview",
/// "answers": {"csat": 2, "nps": 4, "comment": "Waited 40 minutes on hold"}}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseIn {
    /// External id of the transaction it is about; or give `customer` and `touchpoint`.
    pub transaction: Option<String>,
    pub customer: Option<CustomerReference>,
    /// Key of the touchpoint; its survey defines the questions.
    pub touchpoint: Option<String>,
    /// Where it was gathered: `phone_interview`, `kiosk`, `focus_group`, `briefing`, `review_360`…
    pub source: String,
    /// When the customer answered (RFC 3339); defaults to now.
    pub responded_at: Option<String>,
    /// Question key → value.
    #[schema(value_type = Object)]
    pub answers: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseBatch {
    pub responses: Vec<ResponseIn>,
}

/// A stored response with what was derived from it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResponseBody {
    pub id: i64,
    pub survey: Option<String>,
    pub survey_version: Option<i64>,
    /// External id of the transaction, if the response is about one.
    pub transaction: Option<String>,
    pub customer: super::transactions::CustomerSummary,
    pub touchpoint: String,
    pub team: Option<String>,
    /// Staff id of who served the customer.
    pub staff: Option<String>,
    pub source: String,
    pub responded_at: Timestamp,
    pub received_at: Timestamp,
    #[schema(value_type = Object)]
    pub answers: serde_json::Value,
    pub csat: Option<i64>,
    pub nps: Option<i64>,
    pub ces: Option<i64>,
    /// `poor`, `neutral` or `good`, from CSAT (else NPS).
    pub band: Option<String>,
    pub comment: Option<String>,
    /// In [-1, 1], for responses with a comment.
    pub sentiment: Option<f64>,
    pub language: Option<String>,
    pub themes: Vec<String>,
    pub contact_consent: bool,
}

impl From<Response> for ResponseBody {
    fn from(r: Response) -> Self {
        Self {
            id: r.id,
            survey: r.survey_key,
            survey_version: r.survey_version,
            transaction: r.transaction_external_id,
            customer: super::transactions::CustomerSummary {
                external_id: r.customer.external_id,
                name: r.customer.name,
            },
            touchpoint: r.touchpoint.key,
            team: r.team.map(|t| t.key),
            staff: r.staff.and_then(|s| s.external_id),
            source: r.source,
            responded_at: r.responded_at,
            received_at: r.received_at,
            answers: r.answers,
            csat: r.scores.csat,
            nps: r.scores.nps,
            ces: r.scores.ces,
            band: ScoreBand::of(&r.scores).map(|b| b.as_str().to_owned()),
            comment: r.comment,
            sentiment: r.analysis.sentiment,
            language: r.analysis.language,
            themes: r.analysis.themes,
            contact_consent: r.contact_consent,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub ids: Vec<i64>,
}

/// Checks one item and resolves it against the store; errors carry the item's field path.
async fn check(
    state: &AppState,
    item: &ResponseIn,
    now: Timestamp,
) -> Result<NewResponse, (Option<String>, String)> {
    let invalid = |e: ValidationError| (Some(e.field.to_owned()), e.to_string());
    let source = parse_source(&item.source).map_err(invalid)?;
    let responded_at = match item.responded_at.as_deref() {
        Some(raw) => parse_instant("responded_at", raw).map_err(invalid)?,
        None => now,
    };
    let refs = ResponseReferences {
        transaction: item
            .transaction
            .as_deref()
            .map(|t| ExternalId::parse("transaction", t))
            .transpose()
            .map_err(invalid)?,
        customer: item
            .customer
            .as_ref()
            .map(|c| ExternalId::parse("customer.external_id", &c.external_id))
            .transpose()
            .map_err(invalid)?,
        touchpoint: item
            .touchpoint
            .as_deref()
            .map(|t| Key::parse("touchpoint", t))
            .transpose()
            .map_err(invalid)?,
    };
    let context = state
        .store
        .response_context(&refs, "")
        .await
        .map_err(|error| match error {
            StoreError::UnknownReference { ref field, .. } => {
                (Some(field.clone()), error.to_string())
            }
            other => (None, other.to_string()),
        })?;
    prepare(
        context,
        &item.answers,
        source,
        responded_at,
        None,
        &state.analyzer,
    )
    .map_err(|e| (Some(e.field()), e.to_string()))
}

fn decode<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| ApiError::new(ProblemKind::Validation, e.to_string()))
}

/// Record one response (201) or a batch `{"responses": [...]}` of up to 1,000 (201, all or
/// nothing: a 422 lists every failed item by index and stores none).
#[utoipa::path(post, path = "/api/v1/responses", tag = "responses",
    request_body(content = ResponseIn, description = "One response, or `{\"responses\": [...]}` with up to 1,000"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a repeated request")),
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["ingest"])))]
async fn post_responses(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<HttpResponse> {
    caller.require(ApiScope::Ingest)?;
    let is_batch = body
        .as_object()
        .is_some_and(|o| o.contains_key("responses"));
    let items: Vec<ResponseIn> = if is_batch {
        let batch: ResponseBatch = decode(body)?;
        if batch.responses.is_empty() || batch.responses.len() > MAX_BATCH {
            return Err(ValidationError::new(
                "responses",
                format!("must hold 1 to {MAX_BATCH} responses"),
            )
            .into());
        }
        batch.responses
    } else {
        vec![decode(body)?]
    };
    let now = state.clock.now();
    let mut prepared = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match check(&state, item, now).await {
            Ok(response) => prepared.push(response),
            Err((field, detail)) => errors.push(ItemError {
                index,
                field,
                detail,
            }),
        }
    }
    if let Some(first) = errors.first() {
        let detail = if is_batch {
            format!(
                "{} of {} responses are invalid; none was stored",
                errors.len(),
                items.len()
            )
        } else {
            first.detail.clone()
        };
        let field = if is_batch { None } else { first.field.clone() };
        return Err(ApiError {
            field,
            errors: if is_batch { errors } else { Vec::new() },
            ..ApiError::new(ProblemKind::Validation, detail)
        });
    }
    let ids = state
        .store
        .insert_responses(&caller.actor(), prepared)
        .await?;
    state.wake.responses.notify_one();
    Ok((StatusCode::CREATED, Json(Created { ids })).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResponseListQuery {
    /// Responses at or after this instant (RFC 3339).
    pub from: Option<String>,
    /// Responses before this instant (RFC 3339).
    pub to: Option<String>,
    /// Team key.
    pub team: Option<String>,
    /// Touchpoint key.
    pub touchpoint: Option<String>,
    /// Customer external id.
    pub customer: Option<String>,
    /// Staff id of who served the customer, e.g. `S-7`.
    pub staff: Option<String>,
    /// `poor`, `neutral` or `good`.
    pub band: Option<String>,
    /// Theme key, e.g. `waiting_time`.
    pub theme: Option<String>,
    /// `negative` (< -0.05), `neutral` or `positive` (> 0.05).
    pub sentiment: Option<String>,
    pub source: Option<String>,
}

/// Turns filter query parameters into a store filter; unknown teams, touchpoints or customers
/// match nothing (`Ok(None)`).
pub async fn response_filter(
    state: &AppState,
    query: &ResponseListQuery,
) -> Result<Option<ResponseFilter>, ApiError> {
    let mut filter = ResponseFilter {
        from: parse_time("from", query.from.as_deref())?,
        to: parse_time("to", query.to.as_deref())?,
        band: query.band.as_deref().map(ScoreBand::parse).transpose()?,
        theme: query.theme.clone().filter(|t| !t.is_empty()),
        source: query.source.clone().filter(|s| !s.is_empty()),
        ..ResponseFilter::default()
    };
    match query.sentiment.as_deref() {
        None | Some("") => {}
        Some("negative") => filter.sentiment_max = Some(-0.05),
        Some("neutral") => (filter.sentiment_min, filter.sentiment_max) = (Some(-0.05), Some(0.05)),
        Some("positive") => filter.sentiment_min = Some(0.05),
        Some(_) => {
            return Err(
                ValidationError::new("sentiment", "must be negative, neutral or positive").into(),
            );
        }
    }
    if let Some(raw) = query.team.as_deref().filter(|t| !t.is_empty()) {
        match state.store.team_by_key(&Key::parse("team", raw)?).await {
            Ok(team) => filter.team = Some(team.id),
            Err(StoreError::NotFound) => return Ok(None),
            Err(other) => return Err(other.into()),
        }
    }
    if let Some(raw) = query.touchpoint.as_deref().filter(|t| !t.is_empty()) {
        match state
            .store
            .touchpoint_by_key(&Key::parse("touchpoint", raw)?)
            .await
        {
            Ok(touchpoint) => filter.touchpoint = Some(touchpoint.id),
            Err(StoreError::NotFound) => return Ok(None),
            Err(other) => return Err(other.into()),
        }
    }
    if let Some(raw) = query.staff.as_deref().filter(|s| !s.is_empty()) {
        match staff_by_external_id(state, raw).await? {
            Some(id) => filter.staff = Some(id),
            None => return Ok(None),
        }
    }
    if let Some(raw) = query.customer.as_deref().filter(|c| !c.is_empty()) {
        match state.store.customer_by_external_id(raw).await {
            Ok(customer) => filter.customer = Some(customer.id),
            Err(StoreError::NotFound) => return Ok(None),
            Err(other) => return Err(other.into()),
        }
    }
    Ok(Some(filter))
}

/// The user with this staff id, found through the users list (staff ids are unique).
async fn staff_by_external_id(
    state: &AppState,
    external_id: &str,
) -> Result<Option<domain::UserId>, ApiError> {
    let params = store::ListParams {
        limit: 500,
        search: Some(external_id.to_owned()),
        ..store::ListParams::default()
    };
    let page = state
        .store
        .list_users(&params, &store::UserFilter::default())
        .await?;
    Ok(page
        .items
        .into_iter()
        .find(|u| u.external_id.as_deref() == Some(external_id))
        .map(|u| u.id))
}

/// List responses, newest first with `order=desc`.
#[utoipa::path(get, path = "/api/v1/responses", tag = "responses", params(PageQuery, ResponseListQuery),
    responses((status = 200, body = ListBody<ResponseBody>), (status = 401, body = Problem)), security(("api_key" = ["read"])))]
async fn list_responses(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(page): ApiQuery<PageQuery>,
    ApiQuery(query): ApiQuery<ResponseListQuery>,
) -> ApiResult<Json<ListBody<ResponseBody>>> {
    caller.require(ApiScope::Read)?;
    let params = page.params()?;
    let Some(filter) = response_filter(&state, &query).await? else {
        return Ok(Json(ListBody {
            items: Vec::new(),
            next_cursor: None,
        }));
    };
    let page = state.store.list_responses(&params, &filter).await?;
    Ok(Json(list_body(page, ResponseBody::from)))
}
