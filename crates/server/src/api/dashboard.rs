//! `/api/v1/dashboard`: the overview of a period for the whole organization or a filter —
//! the same figures as the console's dashboard, as JSON, summed from the rollups.

use super::extract::{ApiCaller, ApiQuery};
use crate::dashboard::query::{Refused, Scope};
use crate::dashboard::{DashboardQuery, View};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::ApiScope;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_dashboard))
}

impl From<Refused> for ApiError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Invalid(error) => error.into(),
            Refused::Forbidden(message) => ApiError::forbidden(message),
            Refused::Store(error) => error.into(),
        }
    }
}

/// The overview: NPS, CSAT (and top-2-box) and CES with 95% intervals and the change against
/// the previous period of the same length, responses and response rate, the trend by day, week
/// or month with the alerts raised, breakdowns by team, touchpoint, segment, source and staff
/// member, top themes, the latest comments, open and overdue cases and guarantee invocations.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboard", params(DashboardQuery),
    responses((status = 200, description = "the overview", body = Object), (status = 401, body = Problem),
        (status = 422, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_dashboard(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<DashboardQuery>,
) -> ApiResult<Json<crate::dashboard::Overview>> {
    caller.require(ApiScope::Read)?;
    let zone = crate::recovery::zone(state.store.as_ref()).await?;
    let now = state.clock.now();
    let view = View::resolve(
        state.store.as_ref(),
        &query,
        Scope::Everything,
        None,
        &zone,
        now,
    )
    .await?;
    let overview =
        crate::dashboard::build(state.store.as_ref(), &view, &zone, now, "/dashboard", None)
            .await?;
    Ok(Json(overview))
}
