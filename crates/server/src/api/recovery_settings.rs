//! `/api/v1/recovery-settings`: SLA clocks per priority (calendar or business hours), case
//! routing, the customer value that raises a case's priority, and how old a response may be and
//! still alert. Also lists the root-cause categories cases are resolved with.

use super::extract::{ApiCaller, ApiJson};
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::ApiScope;
use domain::recovery::RecoverySettings;
use domain::recovery::cases::RootCause;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, put_settings))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsBody {
    /// `{"sla": {"urgent"|"high"|"normal"|"low": {"first_contact_minutes", "resolution_minutes"},
    /// "business_hours": null | {"start_minute", "end_minute", "days": [7 booleans, Monday first]},
    /// "president_after_minutes"}, "routing": ["customer_team", "touchpoint_team"],
    /// "high_value_minor": null, "max_alert_age_days": 14}`
    #[schema(value_type = Object)]
    pub settings: RecoverySettings,
    /// The root-cause categories a resolution takes.
    pub root_causes: Vec<String>,
}

fn body(settings: RecoverySettings) -> SettingsBody {
    SettingsBody {
        settings,
        root_causes: RootCause::ALL
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
    }
}

/// The recovery settings.
#[utoipa::path(get, path = "/api/v1/recovery-settings", tag = "cases",
    responses((status = 200, body = SettingsBody), (status = 401, body = Problem)),
    security(("api_key" = ["read"])))]
async fn get_settings(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<SettingsBody>> {
    caller.require(ApiScope::Read)?;
    let settings = crate::recovery::load_settings(state.store.as_ref()).await?;
    Ok(Json(body(settings)))
}

/// Replace the recovery settings; absent fields take their defaults. New clocks apply to
/// cases opened or reopened from now on.
#[utoipa::path(put, path = "/api/v1/recovery-settings", tag = "cases",
    request_body(content = Object, description = "the `settings` document"),
    responses((status = 200, body = SettingsBody), (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn put_settings(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(settings): ApiJson<RecoverySettings>,
) -> ApiResult<Json<SettingsBody>> {
    caller.require(ApiScope::Admin)?;
    settings.validate()?;
    crate::recovery::save_settings(state.store.as_ref(), &caller.actor(), &settings).await?;
    Ok(Json(body(settings)))
}
