//! `/api/v1/guarantees`: the guarantee ledger — every invocation and correction, newest first
//! on request, as JSON or CSV for billing; corrections (a new entry, never an edit); the report;
//! and `/api/v1/guarantee-policy`, the guarantee in the organization's words.

use super::extract::{ApiCaller, ApiJson, ApiQuery, PageQuery};
use super::{ListBody, list_body, parse_time};
use crate::error::{ApiError, ApiResult, Problem};
use crate::guarantee::report::ReportView;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::guarantee::claim::format_amount;
use domain::guarantee::report::Dimension;
use domain::guarantee::{ClaimRequest, GuaranteePolicy, Settlement};
use domain::{ApiScope, ValidationError};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use store::{Claim, ClaimFilter, ListParams};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_guarantees))
        .routes(routes!(export_guarantees))
        .routes(routes!(guarantee_report))
        .routes(routes!(get_guarantee))
        .routes(routes!(correct_guarantee))
        .routes(routes!(get_policy, put_policy))
}

/// An amount both exactly (minor units) and as written (`80.50`).
#[derive(Debug, Serialize, ToSchema)]
pub struct AmountBody {
    pub minor: i64,
    #[schema(example = "80.50")]
    pub decimal: String,
}

fn amount(money: &domain::Money) -> AmountBody {
    AmountBody {
        minor: money.minor,
        decimal: format_amount(money.minor, money.currency),
    }
}

/// One entry of the guarantee ledger. Entries never change: a correction is a new entry that
/// names the one it replaces, and the invocation's current amounts are its newest entry's.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuaranteeBody {
    pub id: i64,
    /// `invocation` (the customer's) or `correction`.
    pub kind: String,
    pub invocation_id: i64,
    pub corrects: Option<i64>,
    /// The newer entry whose amounts replace this one's; `null` when this one is current.
    pub superseded_by: Option<i64>,
    pub transaction: String,
    pub transaction_occurred_at: Timestamp,
    /// The customer's external id.
    pub customer: String,
    pub customer_name: Option<String>,
    pub team: Option<String>,
    /// The staff member's external id.
    pub staff: Option<String>,
    pub staff_name: Option<String>,
    pub touchpoint: String,
    pub currency: String,
    pub invoiced: AmountBody,
    /// What the customer chose to pay.
    pub paid: AmountBody,
    /// What is credited to the customer: invoiced − paid.
    pub credit: AmountBody,
    pub reason: Option<String>,
    /// `link`, `survey` or `console`.
    pub source: String,
    pub case_id: Option<i64>,
    /// Always `true`: there is no approval step.
    pub honoured: bool,
    pub invoked_at: Timestamp,
    pub recorded_at: Timestamp,
    pub recorded_by: Option<String>,
}

impl From<Claim> for GuaranteeBody {
    fn from(c: Claim) -> Self {
        Self {
            id: c.id,
            kind: c.kind,
            invocation_id: c.invocation_id,
            corrects: c.corrects,
            superseded_by: c.superseded_by,
            transaction: c.transaction_external_id,
            transaction_occurred_at: c.occurred_at,
            customer: c.customer.external_id,
            customer_name: c.customer.name,
            team: c.team.map(|t| t.key),
            staff: c.staff.as_ref().and_then(|s| s.external_id.clone()),
            staff_name: c.staff.map(|s| s.name),
            touchpoint: c.touchpoint.key,
            currency: c.invoiced.currency.as_str().to_owned(),
            invoiced: amount(&c.invoiced),
            paid: amount(&c.paid),
            credit: amount(&c.credit),
            reason: c.reason,
            source: c.source,
            case_id: c.case_id,
            honoured: true,
            invoked_at: c.invoked_at,
            recorded_at: c.recorded_at,
            recorded_by: c.recorded_by.map(|u| u.name),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GuaranteeQuery {
    /// Invoked at or after (RFC 3339).
    pub from: Option<String>,
    /// Invoked before (RFC 3339).
    pub to: Option<String>,
    /// A team key.
    pub team: Option<String>,
    /// A customer's external id.
    pub customer: Option<String>,
    /// `true`: only current entries (no newer correction), one per invocation.
    pub current: Option<bool>,
}

async fn filter(state: &AppState, query: &GuaranteeQuery) -> Result<ClaimFilter, ApiError> {
    Ok(ClaimFilter {
        from: parse_time("from", query.from.as_deref())?,
        to: parse_time("to", query.to.as_deref())?,
        team: match &query.team {
            Some(key) => Some(super::cases::team_id(state, key).await?),
            None => None,
        },
        customer: match &query.customer {
            Some(id) => Some(
                state
                    .store
                    .customer_by_external_id(id)
                    .await
                    .map_err(|_| store::StoreError::unknown("customer", "customer", id))?
                    .id,
            ),
            None => None,
        },
        visible_teams: None,
        current_only: query.current.unwrap_or(false),
    })
}

/// List ledger entries.
#[utoipa::path(get, path = "/api/v1/guarantees", tag = "guarantee", params(PageQuery, GuaranteeQuery),
    responses((status = 200, body = ListBody<GuaranteeBody>), (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["read"])))]
async fn list_guarantees(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(page): ApiQuery<PageQuery>,
    ApiQuery(query): ApiQuery<GuaranteeQuery>,
) -> ApiResult<Json<ListBody<GuaranteeBody>>> {
    caller.require(ApiScope::Read)?;
    let filter = filter(&state, &query).await?;
    let page = state
        .store
        .list_guarantee_claims(&page.params()?, &filter)
        .await?;
    Ok(Json(list_body(page, GuaranteeBody::from)))
}

/// The ledger as CSV for billing (every matching entry, oldest first; `current=true` for one
/// row per invocation with its current amounts).
#[utoipa::path(get, path = "/api/v1/guarantees/export", tag = "guarantee", params(GuaranteeQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = Problem)),
    security(("api_key" = ["read"])))]
async fn export_guarantees(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<GuaranteeQuery>,
) -> ApiResult<Response> {
    caller.require(ApiScope::Read)?;
    let filter = filter(&state, &query).await?;
    let zone = crate::recovery::zone(state.store.as_ref()).await?;
    let csv = ledger_csv(&state, &filter, &zone).await?;
    Ok(crate::guarantee::csv::attachment(csv))
}

/// Every entry of `filter`, oldest first, as CSV.
pub(crate) async fn ledger_csv(
    state: &AppState,
    filter: &ClaimFilter,
    zone: &jiff::tz::TimeZone,
) -> Result<String, store::StoreError> {
    let mut csv = crate::guarantee::csv::header();
    let mut params = ListParams {
        limit: 500,
        ..ListParams::default()
    };
    loop {
        let page = state.store.list_guarantee_claims(&params, filter).await?;
        for claim in &page.items {
            csv.push_str(&crate::guarantee::csv::row(claim, zone));
        }
        match page.next_after_id {
            Some(after) => params.after_id = Some(after),
            None => return Ok(csv),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `team` (default), `touchpoint`, `staff` or `month`.
    pub by: Option<String>,
    /// Start (RFC 3339); default 90 days before `to`.
    pub from: Option<String>,
    /// End (RFC 3339); default now.
    pub to: Option<String>,
}

/// A report period and dimension from a query, with its defaults and bounds.
pub(crate) fn report_period(
    now: Timestamp,
    by: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Dimension, Timestamp, Timestamp), ApiError> {
    let by = by
        .map(Dimension::parse)
        .transpose()?
        .unwrap_or(Dimension::Team);
    let to = parse_time("to", to)?.unwrap_or(now);
    let from = parse_time("from", from)?.unwrap_or(to - SignedDuration::from_hours(24 * 90));
    if from >= to {
        return Err(ValidationError::new("from", "must be before to").into());
    }
    if to.duration_since(from) > SignedDuration::from_hours(24 * 366 * 5) {
        return Err(ValidationError::new("from", "a report covers at most five years").into());
    }
    Ok((by, from, to))
}

/// Invocation rate per 1,000 transactions, credits and the average share of the price paid by
/// team, touchpoint, staff member or month; repeat invokers; the president's time to act.
#[utoipa::path(get, path = "/api/v1/guarantees/report", tag = "guarantee", params(ReportQuery),
    responses((status = 200, body = ReportView), (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["read"])))]
async fn guarantee_report(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> ApiResult<Json<ReportView>> {
    caller.require(ApiScope::Read)?;
    let (by, from, to) = report_period(
        state.clock.now(),
        query.by.as_deref(),
        query.from.as_deref(),
        query.to.as_deref(),
    )?;
    let zone = crate::recovery::zone(state.store.as_ref()).await?;
    let view =
        crate::guarantee::report::build(state.store.as_ref(), from, to, by, None, &zone).await?;
    Ok(Json(view))
}

/// One ledger entry.
#[utoipa::path(get, path = "/api/v1/guarantees/{id}", tag = "guarantee",
    params(("id" = i64, Path, description = "entry id")),
    responses((status = 200, body = GuaranteeBody), (status = 404, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_guarantee(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<GuaranteeBody>> {
    caller.require(ApiScope::Read)?;
    let claim = state
        .store
        .guarantee_claim(id)
        .await
        .map_err(|_| ApiError::not_found("guarantee entry"))?;
    Ok(Json(claim.into()))
}

/// A correction: what the customer pays, as a decimal in the invoice's currency.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"paid": "60.00", "reason": "The customer told the president 60 on the phone"}))]
pub struct CorrectionIn {
    /// From 0 to the invoiced amount, at most as many decimals as the currency has.
    pub paid: String,
    /// The currency, if given, must be the invoice's.
    pub currency: Option<String>,
    /// Why the amounts change (required: the ledger says why).
    pub reason: String,
}

/// Correct an entry's amounts. The entry stays as it was; the correction is a new entry, and
/// the `guarantee.corrected` webhook carries it.
#[utoipa::path(post, path = "/api/v1/guarantees/{id}/corrections", tag = "guarantee",
    params(("id" = i64, Path, description = "the current entry of the invocation")),
    request_body = CorrectionIn,
    responses((status = 201, body = GuaranteeBody), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn correct_guarantee(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CorrectionIn>,
) -> ApiResult<(StatusCode, Json<GuaranteeBody>)> {
    caller.require(ApiScope::Admin)?;
    let corrected = state
        .store
        .guarantee_claim(id)
        .await
        .map_err(|_| ApiError::not_found("guarantee entry"))?;
    let settlement = correction(&corrected, &input.paid, input.currency, &input.reason)?;
    let entry = state
        .store
        .correct_guarantee(&caller.actor(), id, settlement, state.clock.now())
        .await?;
    state.wake.deliveries.notify_one();
    Ok((StatusCode::CREATED, Json(entry.into())))
}

/// The settlement of a correction, which must say why.
pub(crate) fn correction(
    corrected: &Claim,
    paid: &str,
    currency: Option<String>,
    reason: &str,
) -> Result<Settlement, ValidationError> {
    if reason.trim().is_empty() {
        return Err(ValidationError::new("reason", "say why the amounts change"));
    }
    let request = ClaimRequest {
        worth: paid.to_owned(),
        currency,
        reason: reason.to_owned(),
    };
    Settlement::decide(corrected.invoiced, &request).map_err(|e| match e.field {
        "worth" => ValidationError::new("paid", e.message),
        _ => e,
    })
}

/// The guarantee in the organization's words.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "If you are unhappy with our services for any reason, you pay what you think the services are worth. To invoke the guarantee, simply tell the president.", "link_label": "Invoke the guarantee"}))]
pub struct PolicyBody {
    /// Shown on every survey page and in every survey e-mail (at most 1,000 characters).
    pub text: String,
    /// The words of its link (one line, at most 80 characters).
    pub link_label: String,
}

#[utoipa::path(get, path = "/api/v1/guarantee-policy", tag = "guarantee",
    responses((status = 200, body = PolicyBody), (status = 401, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_policy(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<PolicyBody>> {
    caller.require(ApiScope::Read)?;
    let policy = crate::guarantee::load_policy(state.store.as_ref()).await?;
    Ok(Json(PolicyBody {
        text: policy.text,
        link_label: policy.link_label,
    }))
}

/// Replace the guarantee's wording.
#[utoipa::path(put, path = "/api/v1/guarantee-policy", tag = "guarantee",
    request_body = PolicyBody,
    responses((status = 200, body = PolicyBody), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn put_policy(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<PolicyBody>,
) -> ApiResult<Json<PolicyBody>> {
    caller.require(ApiScope::Admin)?;
    let policy = GuaranteePolicy::parse(&input.text, &input.link_label)?;
    crate::guarantee::save_policy(state.store.as_ref(), &caller.actor(), &policy).await?;
    Ok(Json(PolicyBody {
        text: policy.text,
        link_label: policy.link_label,
    }))
}
