//! `/api/v1/customers`: customers, upserted by their external id.

use super::extract::{ApiCaller, ApiJson, ApiQuery, PageQuery};
use super::{ListBody, list_body};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::access::CustomerStatus;
use domain::{
    ApiScope, Currency, Email, ExternalId, Key, Money, Name, OptionalText, ValidationError,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::{Customer, CustomerFilter, CustomerInput};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_customers, upsert_customer))
        .routes(routes!(get_customer, delete_customer))
}

/// An amount of money in minor units (cents) of an ISO 4217 currency: never a float.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyBody {
    #[schema(example = 12000)]
    pub minor: i64,
    #[schema(example = "EUR")]
    pub currency: String,
}

impl MoneyBody {
    pub fn parse(&self, field: &'static str) -> Result<Money, ValidationError> {
        let currency =
            Currency::parse(&self.currency).map_err(|e| ValidationError::new(field, e.message))?;
        Money::new(self.minor, currency).map_err(|e| ValidationError::new(field, e.message))
    }
}

impl From<Money> for MoneyBody {
    fn from(money: Money) -> Self {
        Self {
            minor: money.minor,
            currency: money.currency.as_str().into(),
        }
    }
}

/// A customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerBody {
    pub id: i64,
    pub external_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: Option<String>,
    pub segment: Option<String>,
    pub annual_value: Option<MoneyBody>,
    /// Key of the owning client team.
    pub team: Option<String>,
    /// `active` or `lost`.
    pub status: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Customer> for CustomerBody {
    fn from(c: Customer) -> Self {
        Self {
            id: c.id.0,
            external_id: c.external_id,
            name: c.name,
            email: c.email,
            phone: c.phone,
            locale: c.locale,
            segment: c.segment,
            annual_value: c.annual_value.map(Into::into),
            team: c.team.map(|t| t.key),
            status: c.status.as_str().into(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A customer to create or update; absent fields keep their stored value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerIn {
    #[schema(example = "C-42")]
    pub external_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// BCP 47 language tag, e.g. `fr-FR`.
    pub locale: Option<String>,
    pub segment: Option<String>,
    pub annual_value: Option<MoneyBody>,
    /// Key of the owning client team.
    pub team: Option<String>,
    /// `active` or `lost`.
    pub status: Option<String>,
}

impl CustomerIn {
    /// Validates every field; `prefix` locates errors inside a larger document.
    pub fn parse(&self) -> Result<CustomerInput, ValidationError> {
        let text = |field: &'static str, raw: &Option<String>, max| {
            OptionalText::parse(field, raw.as_deref(), max)
        };
        Ok(CustomerInput {
            external_id: ExternalId::parse("customer.external_id", &self.external_id)?,
            name: self
                .name
                .as_deref()
                .filter(|n| !n.trim().is_empty())
                .map(|n| Name::parse("customer.name", n))
                .transpose()?,
            email: self
                .email
                .as_deref()
                .filter(|e| !e.trim().is_empty())
                .map(|e| Email::parse("customer.email", e))
                .transpose()?,
            phone: text("customer.phone", &self.phone, 40)?,
            locale: text("customer.locale", &self.locale, 35)?,
            segment: text("customer.segment", &self.segment, 100)?,
            annual_value: self
                .annual_value
                .as_ref()
                .map(|m| m.parse("customer.annual_value"))
                .transpose()?,
            team: self
                .team
                .as_deref()
                .map(|t| Key::parse("customer.team", t))
                .transpose()?,
            status: self
                .status
                .as_deref()
                .map(CustomerStatus::parse)
                .transpose()?,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerListQuery {
    /// Only customers owned by the team with this key.
    pub team: Option<String>,
    pub segment: Option<String>,
    /// `active` or `lost`.
    pub status: Option<String>,
}

/// List customers.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(PageQuery, CustomerListQuery),
    responses((status = 200, body = ListBody<CustomerBody>), (status = 401, body = Problem)), security(("api_key" = ["read"])))]
async fn list_customers(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(page): ApiQuery<PageQuery>,
    ApiQuery(query): ApiQuery<CustomerListQuery>,
) -> ApiResult<Json<ListBody<CustomerBody>>> {
    caller.require(ApiScope::Read)?;
    let team = match query.team.as_deref() {
        Some(key) => super::users::team_ids(state.store.as_ref(), &[key.to_owned()])
            .await?
            .first()
            .copied(),
        None => None,
    };
    let filter = CustomerFilter {
        team,
        segment: query.segment.clone(),
        status: query
            .status
            .as_deref()
            .map(CustomerStatus::parse)
            .transpose()?,
    };
    let page = state.store.list_customers(&page.params()?, &filter).await?;
    Ok(Json(list_body(page, CustomerBody::from)))
}

/// Create or update a customer by external id (201 when created, 200 when updated).
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", request_body = CustomerIn,
    responses((status = 201, body = CustomerBody), (status = 200, body = CustomerBody), (status = 422, body = Problem)),
    security(("api_key" = ["ingest"])))]
async fn upsert_customer(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<CustomerIn>,
) -> ApiResult<(StatusCode, Json<CustomerBody>)> {
    caller.require(ApiScope::Ingest)?;
    let upserted = state
        .store
        .upsert_customer(&caller.actor(), body.parse()?)
        .await?;
    let status = if upserted.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(upserted.record.into())))
}

/// Get a customer by external id.
#[utoipa::path(get, path = "/api/v1/customers/{external_id}", tag = "customers", params(("external_id" = String, Path)),
    responses((status = 200, body = CustomerBody), (status = 404, body = Problem)), security(("api_key" = ["read"])))]
async fn get_customer(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(external_id): Path<String>,
) -> ApiResult<Json<CustomerBody>> {
    caller.require(ApiScope::Read)?;
    let customer = state
        .store
        .customer_by_external_id(&external_id)
        .await
        .map_err(|_| ApiError::not_found("customer"))?;
    Ok(Json(customer.into()))
}

/// Delete a customer who has no transactions.
#[utoipa::path(delete, path = "/api/v1/customers/{external_id}", tag = "customers", params(("external_id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)), security(("api_key" = ["admin"])))]
async fn delete_customer(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(external_id): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(ApiScope::Admin)?;
    let customer = state
        .store
        .customer_by_external_id(&external_id)
        .await
        .map_err(|_| ApiError::not_found("customer"))?;
    state
        .store
        .delete_customer(&caller.actor(), customer.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
