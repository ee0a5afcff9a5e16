//! `/api/v1/webhooks`: endpoints that receive signed events, their deliveries (the log, with
//! each attempt) and the dead-letter list with manual re-send.

use super::extract::{ApiCaller, ApiJson, ApiQuery, PageQuery};
use super::{ListBody, list_body};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::webhook::{EVENT_TYPES, is_event_type};
use domain::{ApiScope, ValidationError};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::{
    DeliveryFilter, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEndpointInput,
    delivery_state,
};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(get_webhook, update_webhook, delete_webhook))
        .routes(routes!(list_deliveries))
        .routes(routes!(get_delivery))
        .routes(routes!(resend_delivery))
}

/// A webhook endpoint (its secret is shown once, when created).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookBody {
    pub id: i64,
    pub url: String,
    pub description: Option<String>,
    /// Subscribed event types.
    pub events: Vec<String>,
    pub enabled: bool,
    /// Only in the answer to the creation: the HMAC-SHA256 key of the signatures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<WebhookEndpoint> for WebhookBody {
    fn from(e: WebhookEndpoint) -> Self {
        Self {
            id: e.id,
            url: e.url,
            description: e.description,
            events: e.event_types,
            enabled: e.enabled,
            secret: None,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// An endpoint, e.g. `{"url": "https://crm.example.com/hooks/cx", "events": ["case.opened"]}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    pub url: String,
    pub description: Option<String>,
    /// Any of `response.received`, `alert.raised`, `case.opened`, `case.escalated`,
    /// `case.resolved`, `guarantee.invoked`, `guarantee.corrected`, `standard.breached`.
    pub events: Vec<String>,
    #[serde(default = "enabled")]
    pub enabled: bool,
}

fn enabled() -> bool {
    true
}

impl WebhookInput {
    pub fn parse(self) -> Result<WebhookEndpointInput, ValidationError> {
        Ok(WebhookEndpointInput {
            url: parse_url(&self.url)?,
            description: domain::OptionalText::parse(
                "description",
                self.description.as_deref(),
                500,
            )?,
            event_types: parse_events(&self.events)?,
            enabled: self.enabled,
        })
    }
}

/// An `http://` or `https://` URL with a host, no spaces and no credentials.
pub(crate) fn parse_url(raw: &str) -> Result<String, ValidationError> {
    let url = raw.trim();
    let invalid = || ValidationError::new("url", "must be an http:// or https:// URL with a host");
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(invalid)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty()
        || url.len() > 2000
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid());
    }
    if host.contains('@') {
        return Err(ValidationError::new("url", "must not carry credentials"));
    }
    Ok(url.to_owned())
}

pub(crate) fn parse_events(events: &[String]) -> Result<Vec<String>, ValidationError> {
    if events.is_empty() {
        return Err(ValidationError::new(
            "events",
            format!("subscribe to at least one of: {}", EVENT_TYPES.join(", ")),
        ));
    }
    let mut parsed: Vec<String> = Vec::new();
    for event in events {
        if !is_event_type(event) {
            return Err(ValidationError::new(
                "events",
                format!("{event:?} is not one of: {}", EVENT_TYPES.join(", ")),
            ));
        }
        if !parsed.contains(event) {
            parsed.push(event.clone());
        }
    }
    Ok(parsed)
}

/// A new signing secret.
pub(crate) fn new_secret() -> String {
    format!("whsec_{}", crate::security::random_token(24))
}

/// List webhook endpoints.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses((status = 200, body = Vec<WebhookBody>), (status = 403, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn list_webhooks(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<WebhookBody>>> {
    caller.require(ApiScope::Admin)?;
    let endpoints = state.store.list_webhooks().await?;
    Ok(Json(endpoints.into_iter().map(WebhookBody::from).collect()))
}

/// Add an endpoint. The answer carries its signing `secret`, shown this once.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = WebhookInput,
    responses((status = 201, body = WebhookBody), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn create_webhook(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<WebhookInput>,
) -> ApiResult<(StatusCode, Json<WebhookBody>)> {
    caller.require(ApiScope::Admin)?;
    let secret = new_secret();
    let created = state
        .store
        .create_webhook(&caller.actor(), body.parse()?, &secret)
        .await?;
    let mut body = WebhookBody::from(created);
    body.secret = Some(secret);
    Ok((StatusCode::CREATED, Json(body)))
}

/// Get an endpoint.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 200, body = WebhookBody), (status = 404, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn get_webhook(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<WebhookBody>> {
    caller.require(ApiScope::Admin)?;
    let endpoint = state
        .store
        .webhook(id)
        .await
        .map_err(|_| ApiError::not_found("webhook"))?;
    Ok(Json(endpoint.into()))
}

/// Replace an endpoint's address, description, events or enabled flag (the secret stays).
#[utoipa::path(put, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path)),
    request_body = WebhookInput,
    responses((status = 200, body = WebhookBody), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn update_webhook(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<WebhookInput>,
) -> ApiResult<Json<WebhookBody>> {
    caller.require(ApiScope::Admin)?;
    let input = body.parse()?;
    let endpoint = state
        .store
        .update_webhook(&caller.actor(), id, input)
        .await?;
    Ok(Json(endpoint.into()))
}

/// Delete an endpoint and its deliveries.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)), security(("api_key" = ["admin"])))]
async fn delete_webhook(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    caller.require(ApiScope::Admin)?;
    state.store.delete_webhook(&caller.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One delivery of one event to one endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryBody {
    pub id: i64,
    pub endpoint_id: i64,
    /// The event's id, also in the payload and the `Perfect-Service-Delivery` header.
    pub event_id: String,
    pub event_type: String,
    /// `pending`, `delivered` or `dead` (out of attempts: the dead-letter list).
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Option<Timestamp>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt_log: Option<Vec<AttemptBody>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptBody {
    pub at: Timestamp,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

impl From<WebhookAttempt> for AttemptBody {
    fn from(a: WebhookAttempt) -> Self {
        Self {
            at: a.at,
            status_code: a.status_code,
            error: a.error,
            duration_ms: a.duration_ms,
        }
    }
}

impl From<WebhookDelivery> for DeliveryBody {
    fn from(d: WebhookDelivery) -> Self {
        Self {
            id: d.id,
            endpoint_id: d.endpoint_id,
            event_id: d.event_id,
            event_type: d.event_type,
            next_attempt_at: (d.state == delivery_state::PENDING).then_some(d.available_at),
            state: d.state,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
            payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null),
            attempt_log: None,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// `pending`, `delivered` or `dead`.
    pub state: Option<String>,
}

/// An endpoint's deliveries (`state=dead` is its dead-letter list).
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = i64, Path), PageQuery, DeliveryQuery),
    responses((status = 200, body = ListBody<DeliveryBody>), (status = 404, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn list_deliveries(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiQuery(page): ApiQuery<PageQuery>,
    ApiQuery(query): ApiQuery<DeliveryQuery>,
) -> ApiResult<Json<ListBody<DeliveryBody>>> {
    caller.require(ApiScope::Admin)?;
    state
        .store
        .webhook(id)
        .await
        .map_err(|_| ApiError::not_found("webhook"))?;
    if let Some(s) = &query.state
        && ![
            delivery_state::PENDING,
            delivery_state::DELIVERED,
            delivery_state::DEAD,
        ]
        .contains(&s.as_str())
    {
        return Err(ValidationError::new("state", "must be pending, delivered or dead").into());
    }
    let filter = DeliveryFilter {
        endpoint: Some(id),
        state: query.state,
    };
    let page = state
        .store
        .list_deliveries(&page.params()?, &filter)
        .await?;
    Ok(Json(list_body(page, DeliveryBody::from)))
}

/// A delivery with its log of attempts.
#[utoipa::path(get, path = "/api/v1/webhook-deliveries/{id}", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 200, body = DeliveryBody), (status = 404, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn get_delivery(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<DeliveryBody>> {
    caller.require(ApiScope::Admin)?;
    let (delivery, attempts) = state
        .store
        .delivery(id)
        .await
        .map_err(|_| ApiError::not_found("delivery"))?;
    let mut body = DeliveryBody::from(delivery);
    body.attempt_log = Some(attempts.into_iter().map(AttemptBody::from).collect());
    Ok(Json(body))
}

/// Send a delivery again now (from the dead-letter list, or any other), with fresh attempts.
#[utoipa::path(post, path = "/api/v1/webhook-deliveries/{id}/resend", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 202), (status = 404, body = Problem)), security(("api_key" = ["admin"])))]
async fn resend_delivery(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    caller.require(ApiScope::Admin)?;
    state
        .store
        .resend_delivery(&caller.actor(), id, state.clock.now())
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError::not_found("delivery"),
            other => other.into(),
        })?;
    state.wake.deliveries.notify_one();
    Ok(StatusCode::ACCEPTED)
}
