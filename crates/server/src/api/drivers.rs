//! `/api/v1/drivers`: key driver analysis of an outcome over whole months, for the whole
//! organization, a team or a touchpoint.

use super::extract::{ApiCaller, ApiQuery};
use crate::dashboard::query::Scope;
use crate::error::{ApiResult, Problem};
use crate::improvement::drivers::{DriverQuery, DriverReport, DriverView, report};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::ApiScope;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_drivers))
}

/// Each driver's relative importance by exact Shapley value regression (LMG), its share of R²
/// with a bootstrap interval, its performance (mean and top-2-box) and the responses used; or
/// `not_enough` with how many responses are needed.
#[utoipa::path(get, path = "/api/v1/drivers", tag = "improvement", params(DriverQuery),
    responses((status = 200, description = "the analysis", body = Object), (status = 401, body = Problem),
        (status = 422, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_drivers(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<DriverQuery>,
) -> ApiResult<Json<DriverReport>> {
    caller.require(ApiScope::Read)?;
    let zone = crate::recovery::zone(state.store.as_ref()).await?;
    let view = DriverView::resolve(
        state.store.as_ref(),
        &query,
        &Scope::Everything,
        &zone,
        state.clock.now(),
    )
    .await?;
    Ok(Json(report(state.store.as_ref(), &view).await?))
}
