//! `/api/v1/organization`: the organization's name, time zone and president.

use super::extract::{ApiCaller, ApiJson};
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::time::parse_time_zone;
use domain::{ApiScope, Name, UserId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::{Organization, OrganizationUpdate};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_organization, put_organization))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationBody {
    pub name: String,
    /// IANA time zone in which times are shown, e.g. `Europe/Paris`.
    pub time_zone: String,
    /// User id of the president, who receives every guarantee invocation.
    pub president_user_id: Option<i64>,
    pub updated_at: Timestamp,
}

impl From<Organization> for OrganizationBody {
    fn from(o: Organization) -> Self {
        Self {
            name: o.name,
            time_zone: o.time_zone,
            president_user_id: o.president.map(|p| p.id.0),
            updated_at: o.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPut {
    pub name: String,
    pub time_zone: String,
    pub president_user_id: Option<i64>,
}

/// The organization's settings.
#[utoipa::path(get, path = "/api/v1/organization", tag = "organization",
    responses((status = 200, body = OrganizationBody), (status = 401, body = Problem)), security(("api_key" = ["read"])))]
async fn get_organization(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<OrganizationBody>> {
    caller.require(ApiScope::Read)?;
    Ok(Json(state.store.organization().await?.into()))
}

/// Replace the organization's settings.
#[utoipa::path(put, path = "/api/v1/organization", tag = "organization", request_body = OrganizationPut,
    responses((status = 200, body = OrganizationBody), (status = 422, body = Problem)), security(("api_key" = ["admin"])))]
async fn put_organization(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<OrganizationPut>,
) -> ApiResult<Json<OrganizationBody>> {
    caller.require(ApiScope::Admin)?;
    parse_time_zone(&body.time_zone)?;
    let update = OrganizationUpdate {
        name: Name::parse("name", &body.name)?,
        time_zone: body.time_zone.trim().to_owned(),
        president: body.president_user_id.map(UserId),
    };
    Ok(Json(
        state
            .store
            .update_organization(&caller.actor(), update)
            .await?
            .into(),
    ))
}
