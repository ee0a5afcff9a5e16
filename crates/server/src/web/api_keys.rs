//! Console pages for API keys (admins only): list, create (the secret is shown once), revoke.

use super::list::{ListQuery, Pager};
use super::{Chrome, PageError, PageResult, Staff, render, see_other};
use crate::api::api_keys::issue_key;
use crate::error::{ApiError, ProblemKind};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::time::display_in;
use domain::{ApiKeyId, ApiScope, ApiScopes, Name, Role};
use jiff::tz::TimeZone;
use store::ApiKey;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api-keys", get(list).post(create))
        .route("/api-keys/new", get(new_form))
        .route("/api-keys/{id}/revoke", post(revoke))
}

/// An API key as shown: times already in the organization's zone.
struct KeyRow {
    id: i64,
    name: String,
    prefix: String,
    scopes: String,
    created_by: String,
    created_at: String,
    last_used_at: Option<String>,
    revoked_at: Option<String>,
}

impl KeyRow {
    fn new(key: ApiKey, zone: &TimeZone) -> Self {
        Self {
            id: key.id.0,
            name: key.name,
            prefix: key.prefix,
            scopes: key.scopes.to_string(),
            created_by: key.created_by,
            created_at: display_in(key.created_at, zone),
            last_used_at: key.last_used_at.map(|at| display_in(at, zone)),
            revoked_at: key.revoked_at.map(|at| display_in(at, zone)),
        }
    }
}

#[derive(Template)]
#[template(path = "api_keys/list.html")]
struct ListPage {
    chrome: Chrome,
    keys: Vec<KeyRow>,
    search: String,
    pager: Pager,
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let page = state.store.list_api_keys(&query.params()).await?;
    let filters = [("q", query.search())];
    let zone = staff.zone();
    let view = ListPage {
        chrome: Chrome::for_staff(&staff, "/api-keys", &staff.time_zone),
        pager: Pager::new("/api-keys", &filters, &query, &page),
        keys: page
            .items
            .into_iter()
            .map(|k| KeyRow::new(k, &zone))
            .collect(),
        search: query.search(),
    };
    Ok(render(StatusCode::OK, &view))
}

/// A scope checkbox on the create form.
struct ScopeCheck {
    value: &'static str,
    help: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "api_keys/form.html")]
struct FormPage {
    chrome: Chrome,
    name: String,
    scopes: Vec<ScopeCheck>,
    error: Option<String>,
}

fn form_page(staff: &Staff, name: String, checked: &[ApiScope], error: Option<String>) -> FormPage {
    let help = |scope: ApiScope| match scope {
        ApiScope::Ingest => "push transactions, customers and responses in",
        ApiScope::Read => "read customers, teams, touchpoints and results",
        ApiScope::Admin => "everything, including users, keys and settings",
    };
    FormPage {
        chrome: Chrome::for_staff(staff, "/api-keys", &staff.time_zone),
        name,
        scopes: ApiScope::ALL
            .iter()
            .map(|s| ScopeCheck {
                value: s.as_str(),
                help: help(*s),
                checked: checked.contains(s),
            })
            .collect(),
        error,
    }
}

async fn new_form(staff: Staff) -> PageResult {
    staff.require(Role::can_administer)?;
    let view = form_page(&staff, String::new(), &[ApiScope::Ingest], None);
    Ok(render(StatusCode::OK, &view))
}

#[derive(Template)]
#[template(path = "api_keys/created.html")]
struct CreatedPage {
    chrome: Chrome,
    key: KeyRow,
    secret: String,
}

/// Splits an API error into a message for the form (`Ok`) and a failure of the page (`Err`).
fn form_error(error: ApiError) -> Result<String, PageError> {
    match error.kind {
        ProblemKind::Validation | ProblemKind::Conflict => Ok(error.detail),
        ProblemKind::Unavailable => Err(PageError::Unavailable),
        _ => Err(PageError::Internal(error.internal.unwrap_or(error.detail))),
    }
}

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let name = pairs
        .iter()
        .find(|(field, _)| field == "name")
        .map(|(_, value)| value.clone())
        .unwrap_or_default();
    // Unknown scope values can only come from a forged form; they are ignored.
    let checked: Vec<ApiScope> = pairs
        .iter()
        .filter(|(field, _)| field == "scopes")
        .filter_map(|(_, value)| ApiScope::parse(value).ok())
        .collect();
    let parsed = Name::parse("Name", &name)
        .and_then(|n| Ok((n, ApiScopes::from_list(&checked)?)))
        .map_err(|e| match e.field {
            "scopes" => "Choose at least one scope.".to_owned(),
            _ => e.to_string(),
        });
    let issued = match parsed {
        Ok((key_name, scopes)) => {
            let actor = super::actor(&staff);
            issue_key(state.store.as_ref(), &actor, key_name, scopes)
                .await
                .map_err(form_error)
        }
        Err(message) => Err(Ok(message)),
    };
    match issued {
        Ok((key, secret)) => {
            let view = CreatedPage {
                chrome: Chrome::for_staff(&staff, "/api-keys", &staff.time_zone),
                key: KeyRow::new(key, &staff.zone()),
                secret,
            };
            Ok(render(StatusCode::CREATED, &view))
        }
        Err(Ok(message)) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(&staff, name, &checked, Some(message)),
        )),
        Err(Err(error)) => Err(error),
    }
}

async fn revoke(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> PageResult {
    staff.require(Role::can_administer)?;
    let id = id
        .parse::<i64>()
        .map(ApiKeyId)
        .map_err(|_| PageError::NotFound)?;
    state
        .store
        .revoke_api_key(&super::actor(&staff), id)
        .await?;
    Ok(see_other("/api-keys"))
}
