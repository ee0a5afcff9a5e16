//! `/api/v1/transactions`: contacts and transactions with customers, upserted by external id,
//! one at a time or in batches of up to 1,000 (all or nothing).

use super::customers::{CustomerIn, MoneyBody};
use super::extract::{ApiCaller, ApiQuery, PageQuery};
use super::{ListBody, list_body, parse_time};
use crate::error::{ApiError, ApiResult, Problem, ProblemKind};
use crate::links::Links;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::time::parse_instant;
use domain::{ApiScope, ExternalId, Key, ValidationError};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::{StoreError, Transaction, TransactionFilter, TransactionInput};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub const MAX_BATCH: usize = 1000;
const MAX_ATTRIBUTES_BYTES: usize = 8192;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_transactions, post_transactions))
}

/// A transaction or contact with a customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionBody {
    pub id: i64,
    pub external_id: String,
    pub customer: CustomerSummary,
    /// Key of the touchpoint.
    pub touchpoint: String,
    /// Staff id of who performed it.
    pub staff: Option<String>,
    /// Key of the team who performed it.
    pub team: Option<String>,
    pub occurred_at: Timestamp,
    pub amount: Option<MoneyBody>,
    #[schema(value_type = Object)]
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// The customer's signed, single-use survey link, when the touchpoint has a survey and
    /// fatigue rules and opt-outs allowed an invitation: send it by SMS or any channel.
    pub survey_url: Option<String>,
    /// The customer's signed guarantee link ("pay what you think it was worth"), when the
    /// transaction has an invoiced amount. It works once: one invocation per transaction.
    pub guarantee_url: Option<String>,
    pub invitation: Option<InvitationBody>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Where the survey invitation stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationBody {
    /// `email` (sent by Perfect Service) or `link` (handed to the caller).
    pub channel: String,
    /// `queued`, `sent`, `failed`, `answered` or `expired`.
    pub state: String,
    pub failure_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerSummary {
    pub external_id: String,
    pub name: Option<String>,
}

impl TransactionBody {
    pub fn new(t: Transaction, links: &Links) -> Self {
        let survey_url = t
            .invitation
            .as_ref()
            .and_then(|i| links.survey(&i.lookup_id));
        let guarantee_url = t
            .guarantee_lookup_id
            .as_deref()
            .and_then(|id| links.guarantee(id));
        Self {
            survey_url,
            guarantee_url,
            invitation: t.invitation.map(|i| InvitationBody {
                channel: i.channel,
                state: i.state,
                failure_reason: i.failure_reason,
            }),
            id: t.id.0,
            external_id: t.external_id,
            customer: CustomerSummary {
                external_id: t.customer.external_id,
                name: t.customer.name,
            },
            touchpoint: t.touchpoint.key,
            staff: t.staff.and_then(|s| s.external_id),
            team: t.team.map(|team| team.key),
            occurred_at: t.occurred_at,
            amount: t.amount.map(Into::into),
            attributes: t.attributes,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A transaction to record. Teams and touchpoints are referred to by key, customers and staff
/// by external id; the customer is created or updated from the fields given.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"external_id": "T-1001", "customer": {"external_id": "C-42", "name": "Ada Lovelace",
    "email": "ada@example.com"}, "touchpoint": "phone-support", "staff": "S-7", "occurred_at": "2026-11-20T10:00:00Z",
    "amount": {"minor": 12000, "currency": "EUR"}, "attributes": {"order_id": "O-9"}}))]
pub struct TransactionIn {
    pub external_id: String,
    pub customer: CustomerIn,
    pub touchpoint: String,
    pub staff: Option<String>,
    /// Defaults to the staff member's first team, else the touchpoint's owning team.
    pub team: Option<String>,
    /// RFC 3339 with offset.
    pub occurred_at: String,
    pub amount: Option<MoneyBody>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// A batch of up to 1,000 transactions, stored all or nothing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransactionBatch {
    pub transactions: Vec<TransactionIn>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResult {
    pub items: Vec<TransactionBody>,
    pub created: usize,
    pub updated: usize,
}

impl TransactionIn {
    pub fn parse(&self) -> Result<TransactionInput, ValidationError> {
        let attributes_size = serde_json::Value::Object(self.attributes.clone())
            .to_string()
            .len();
        if attributes_size > MAX_ATTRIBUTES_BYTES {
            return Err(ValidationError::new(
                "attributes",
                format!("must be at most {MAX_ATTRIBUTES_BYTES} bytes of JSON"),
            ));
        }
        Ok(TransactionInput {
            external_id: ExternalId::parse("external_id", &self.external_id)?,
            customer: self.customer.parse()?,
            touchpoint: Key::parse("touchpoint", &self.touchpoint)?,
            staff: self
                .staff
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|s| ExternalId::parse("staff", s))
                .transpose()?,
            team: self
                .team
                .as_deref()
                .map(|t| Key::parse("team", t))
                .transpose()?,
            occurred_at: parse_instant("occurred_at", &self.occurred_at)?,
            amount: self
                .amount
                .as_ref()
                .map(|m| m.parse("amount"))
                .transpose()?,
            attributes: self.attributes.clone(),
        })
    }
}

fn at_index(index: Option<usize>, error: ValidationError) -> ApiError {
    let field = match index {
        Some(i) => format!("transactions[{i}].{}", error.field),
        None => error.field.to_owned(),
    };
    ApiError {
        field: Some(field.clone()),
        ..ApiError::new(
            ProblemKind::Validation,
            format!("{field}: {}", error.message),
        )
    }
}

fn decode<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
    at: &str,
) -> Result<T, ApiError> {
    serde_json::from_value(value)
        .map_err(|e| ApiError::new(ProblemKind::Validation, format!("{at}{e}")))
}

/// Record one transaction (201 created / 200 updated) or a batch `{"transactions": [...]}` (200).
#[utoipa::path(post, path = "/api/v1/transactions", tag = "transactions",
    request_body(content = TransactionIn, description = "One transaction, or `{\"transactions\": [...]}` with up to 1,000"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a repeated request")),
    responses((status = 201, body = TransactionBody), (status = 200, body = BatchResult),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["ingest"])))]
async fn post_transactions(
    State(state): State<AppState>,
    caller: ApiCaller,
    links: Links,
    super::extract::ApiJson(body): super::extract::ApiJson<serde_json::Value>,
) -> ApiResult<Response> {
    caller.require(ApiScope::Ingest)?;
    let is_batch = body
        .as_object()
        .is_some_and(|o| o.contains_key("transactions"));
    if !is_batch {
        let one: TransactionIn = decode(body, "")?;
        let input = one.parse().map_err(|e| at_index(None, e))?;
        let mut stored = store_batch(&state, &caller, vec![input]).await?;
        let Some(upserted) = stored.pop() else {
            return Err(ApiError::internal("empty result"));
        };
        let status = if upserted.created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        return Ok((status, Json(TransactionBody::new(upserted.record, &links))).into_response());
    }
    let batch: TransactionBatch = decode(body, "")?;
    if batch.transactions.is_empty() || batch.transactions.len() > MAX_BATCH {
        return Err(ValidationError::new(
            "transactions",
            format!("must hold 1 to {MAX_BATCH} transactions"),
        )
        .into());
    }
    let inputs = batch
        .transactions
        .iter()
        .enumerate()
        .map(|(i, t)| t.parse().map_err(|e| at_index(Some(i), e)))
        .collect::<Result<Vec<_>, _>>()?;
    let stored = store_batch(&state, &caller, inputs).await?;
    let created = stored.iter().filter(|u| u.created).count();
    let result = BatchResult {
        updated: stored.len() - created,
        created,
        items: stored
            .into_iter()
            .map(|u| TransactionBody::new(u.record, &links))
            .collect(),
    };
    Ok(Json(result).into_response())
}

async fn store_batch(
    state: &AppState,
    caller: &ApiCaller,
    inputs: Vec<TransactionInput>,
) -> Result<Vec<store::Upserted<Transaction>>, ApiError> {
    state
        .store
        .upsert_transactions(&caller.actor(), inputs)
        .await
        .map_err(|error| match error {
            StoreError::UnknownReference { field, what, value } => ApiError {
                field: Some(field.clone()),
                ..ApiError::new(
                    ProblemKind::Validation,
                    format!("{field}: no {what} with {value:?}"),
                )
            },
            other => other.into(),
        })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransactionListQuery {
    /// Only transactions at or after this instant (RFC 3339).
    pub from: Option<String>,
    /// Only transactions before this instant (RFC 3339).
    pub to: Option<String>,
    /// Only this customer's (external id).
    pub customer: Option<String>,
    /// Only on this touchpoint (key).
    pub touchpoint: Option<String>,
    /// Only by this team (key).
    pub team: Option<String>,
}

/// List transactions, oldest first.
#[utoipa::path(get, path = "/api/v1/transactions", tag = "transactions", params(PageQuery, TransactionListQuery),
    responses((status = 200, body = ListBody<TransactionBody>), (status = 401, body = Problem)), security(("api_key" = ["read"])))]
async fn list_transactions(
    State(state): State<AppState>,
    caller: ApiCaller,
    links: Links,
    ApiQuery(page): ApiQuery<PageQuery>,
    ApiQuery(query): ApiQuery<TransactionListQuery>,
) -> ApiResult<Json<ListBody<TransactionBody>>> {
    caller.require(ApiScope::Read)?;
    let params = page.params()?;
    let empty = || {
        Json(ListBody {
            items: Vec::new(),
            next_cursor: None,
        })
    };
    let mut filter = TransactionFilter {
        from: parse_time("from", query.from.as_deref())?,
        to: parse_time("to", query.to.as_deref())?,
        ..TransactionFilter::default()
    };
    if let Some(external_id) = &query.customer {
        match state.store.customer_by_external_id(external_id).await {
            Ok(customer) => filter.customer = Some(customer.id),
            Err(StoreError::NotFound) => return Ok(empty()),
            Err(other) => return Err(other.into()),
        }
    }
    if let Some(raw) = &query.touchpoint {
        match state
            .store
            .touchpoint_by_key(&Key::parse("touchpoint", raw)?)
            .await
        {
            Ok(touchpoint) => filter.touchpoint = Some(touchpoint.id),
            Err(StoreError::NotFound) => return Ok(empty()),
            Err(other) => return Err(other.into()),
        }
    }
    if let Some(raw) = &query.team {
        match state.store.team_by_key(&Key::parse("team", raw)?).await {
            Ok(team) => filter.team = Some(team.id),
            Err(StoreError::NotFound) => return Ok(empty()),
            Err(other) => return Err(other.into()),
        }
    }
    let page = state.store.list_transactions(&params, &filter).await?;
    Ok(Json(list_body(page, |t| TransactionBody::new(t, &links))))
}
