//! `/api/v1/audit-log`: every change by staff or API keys, newest last.

use super::extract::{ApiCaller, ApiQuery, PageQuery};
use super::{ListBody, list_body, parse_time};
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::ApiScope;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::{AuditEntry, AuditFilter};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

/// One change, with the record before and after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditBody {
    pub id: i64,
    pub at: Timestamp,
    /// `user`, `api_key` or `system`.
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl From<AuditEntry> for AuditBody {
    fn from(entry: AuditEntry) -> Self {
        Self {
            id: entry.id.0,
            at: entry.at,
            actor_kind: entry.actor_kind,
            actor_id: entry.actor_id,
            actor: entry.actor_label,
            action: entry.action,
            entity: entry.entity,
            entity_id: entry.entity_id,
            before: entry.before,
            after: entry.after,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only changes to this kind of record, e.g. `team`.
    pub entity: Option<String>,
    /// Only changes at or after this instant (RFC 3339).
    pub from: Option<String>,
    /// Only changes before this instant (RFC 3339).
    pub to: Option<String>,
}

/// List audit log entries.
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "audit", params(PageQuery, AuditQuery),
    responses((status = 200, body = ListBody<AuditBody>), (status = 403, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn list_audit(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(page): ApiQuery<PageQuery>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<ListBody<AuditBody>>> {
    caller.require(ApiScope::Admin)?;
    let filter = AuditFilter {
        entity: query.entity.clone(),
        actor: None,
        from: parse_time("from", query.from.as_deref())?,
        to: parse_time("to", query.to.as_deref())?,
    };
    let page = state.store.list_audit(&page.params()?, &filter).await?;
    Ok(Json(list_body(page, AuditBody::from)))
}
