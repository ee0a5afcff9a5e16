//! `/api/v1/email-templates`: the subject and bodies of invitation e-mails, per language.

use super::extract::{ApiCaller, ApiJson};
use crate::error::{ApiError, ApiResult, Problem, ProblemKind};
use crate::mail::templates::{EmailTemplate, EmailTemplates, PLACEHOLDERS, TEMPLATES_SETTING};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::ApiScope;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_email_templates, put_email_templates))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailTemplatesBody {
    /// Templates by language code (`en`, `fr`, …), chosen by the customer's locale; `en` is
    /// used when the customer's language has none.
    pub templates: BTreeMap<String, EmailTemplate>,
    /// What templates may use, written `{{name}}`.
    pub placeholders: Vec<String>,
}

impl From<EmailTemplates> for EmailTemplatesBody {
    fn from(templates: EmailTemplates) -> Self {
        Self {
            templates: templates.languages().clone(),
            placeholders: PLACEHOLDERS.iter().map(|p| (*p).to_owned()).collect(),
        }
    }
}

/// Every language's templates; languages left out are removed. `en` is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailTemplatesPut {
    pub templates: BTreeMap<String, EmailTemplate>,
}

/// The invitation e-mail templates (the defaults until edited).
#[utoipa::path(get, path = "/api/v1/email-templates", tag = "email-templates",
    responses((status = 200, body = EmailTemplatesBody), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn get_email_templates(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<EmailTemplatesBody>> {
    caller.require(ApiScope::Admin)?;
    let templates = EmailTemplates::load(state.store.as_ref()).await?;
    Ok(Json(templates.into()))
}

/// Replace the invitation e-mail templates.
#[utoipa::path(put, path = "/api/v1/email-templates", tag = "email-templates", request_body = EmailTemplatesPut,
    responses((status = 200, body = EmailTemplatesBody), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)),
    security(("api_key" = ["admin"])))]
async fn put_email_templates(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<EmailTemplatesPut>,
) -> ApiResult<Json<EmailTemplatesBody>> {
    caller.require(ApiScope::Admin)?;
    let templates = EmailTemplates::parse(body.templates).map_err(|e| ApiError {
        field: Some(e.field.clone()),
        ..ApiError::new(
            ProblemKind::Validation,
            format!("{}: {}", e.field, e.message),
        )
    })?;
    state
        .store
        .set_setting(&caller.actor(), TEMPLATES_SETTING, &templates.to_json())
        .await?;
    Ok(Json(templates.into()))
}
