//! The JSON API under `/api/v1`, and its OpenAPI document, generated from the handlers.

pub(crate) mod alert_rules;
pub(crate) mod api_keys;
mod audit;
pub(crate) mod cases;
pub(crate) mod commitments;
pub mod customers;
pub(crate) mod dashboard;
pub mod docs;
pub(crate) mod drivers;
mod email_templates;
pub mod extract;
pub(crate) mod guarantees;
pub mod idempotency;
pub(crate) mod improvement;
pub mod invitation_rules;
mod organization;
pub(crate) mod problems;
mod recovery_settings;
pub(crate) mod responses;
pub(crate) mod standards;
pub(crate) mod surveys;
mod teams;
mod touchpoints;
pub mod transactions;
mod users;
pub(crate) mod webhooks;

use crate::error::{ApiError, Problem, ProblemKind};
use crate::state::AppState;
use axum::Router;
use axum::response::{IntoResponse, Response};
use domain::cursor::Cursor;
use serde::{Deserialize, Deserializer, Serialize};
use store::Page;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "Perfect Service API", description = "Push transactions and customers in, read what customers say. \
        Authenticate with `Authorization: Bearer <API key>`; create keys in the console or with \
        `perfect-service apikey create`. Errors are RFC 9457 problem documents. Lists are paged with \
        `limit` and the opaque `cursor` from `next_cursor`. Every POST accepts an `Idempotency-Key` header."),
    modifiers(&BearerAuth),
    components(schemas(Problem)),
    tags((name = "teams"), (name = "users"), (name = "customers"), (name = "touchpoints"),
         (name = "transactions"), (name = "surveys"), (name = "responses"), (name = "alerts"), (name = "cases"), (name = "guarantee"), (name = "dashboard"), (name = "improvement"), (name = "standards"), (name = "webhooks"), (name = "api-keys"), (name = "audit"), (name = "organization"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("ps_<prefix>_<secret>")
            .build();
        components.add_security_scheme("api_key", SecurityScheme::Http(scheme));
    }
}

/// The API routes with their OpenAPI document.
pub fn router(state: AppState) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(teams::router())
        .merge(users::router())
        .merge(customers::router())
        .merge(touchpoints::router())
        .merge(transactions::router())
        .merge(api_keys::router())
        .merge(audit::router())
        .merge(organization::router())
        .merge(surveys::router())
        .merge(responses::router())
        .merge(invitation_rules::router())
        .merge(email_templates::router())
        .merge(alert_rules::router())
        .merge(cases::router())
        .merge(problems::router())
        .merge(webhooks::router())
        .merge(recovery_settings::router())
        .merge(guarantees::router())
        .merge(dashboard::router())
        .merge(drivers::router())
        .merge(improvement::router())
        .merge(standards::router())
        .merge(commitments::router())
        .split_for_parts();
    let router = router.layer(axum::middleware::from_fn_with_state(
        state,
        idempotency::middleware,
    ));
    (router, openapi)
}

pub fn not_found() -> Response {
    ApiError::new(
        ProblemKind::NotFound,
        "there is no such API route; see /api/docs",
    )
    .into_response()
}

pub fn method_not_allowed() -> Response {
    ApiError::new(
        ProblemKind::MethodNotAllowed,
        "this route does not accept that method; see /api/docs",
    )
    .into_response()
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListBody<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

pub fn list_body<R, T: ToSchema>(page: Page<R>, convert: impl Fn(R) -> T) -> ListBody<T> {
    ListBody {
        items: page.items.into_iter().map(convert).collect(),
        next_cursor: page
            .next_after_id
            .map(|after_id| Cursor { after_id }.encode()),
    }
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Parses an optional RFC 3339 query parameter.
pub fn parse_time(
    field: &'static str,
    raw: Option<&str>,
) -> Result<Option<jiff::Timestamp>, ApiError> {
    Ok(raw
        .map(|r| domain::time::parse_instant(field, r))
        .transpose()?)
}
