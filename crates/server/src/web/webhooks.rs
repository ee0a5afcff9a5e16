//! `/settings/webhooks` (administrators): endpoints that receive signed events (the signing
//! secret is shown once, when created), and each endpoint's delivery log with the attempts
//! and a manual re-send for the dead-letter list. Parsed as `/api/v1/webhooks` parses.

use super::list::{ListQuery, Pager};
use super::teams::form_error;
use super::{Chrome, PageError, PageResult, Staff, actor, render, see_other};
use crate::api::webhooks::{WebhookInput, new_secret};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::Role;
use domain::time::display_in;
use domain::webhook::{EVENT_TYPES, MAX_ATTEMPTS};
use jiff::tz::TimeZone;
use serde::Deserialize;
use store::{
    DeliveryFilter, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEndpointInput,
    delivery_state,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/webhooks", get(list).post(create))
        .route("/settings/webhooks/new", get(new_form))
        .route("/settings/webhooks/{id}/edit", get(edit_form).post(update))
        .route("/settings/webhooks/{id}/delete", post(delete))
        .route("/settings/webhooks/{id}/deliveries", get(deliveries))
        .route("/settings/webhook-deliveries/{id}/resend", post(resend))
}

/// Deliveries per page of the log; each shows its attempts.
const DELIVERIES_PER_PAGE: i64 = 20;

fn id(raw: &str) -> Result<i64, PageError> {
    raw.parse().map_err(|_| PageError::NotFound)
}

struct EndpointRow {
    id: i64,
    url: String,
    description: String,
    events: String,
    enabled: bool,
    created_at: String,
}

impl EndpointRow {
    fn of(endpoint: WebhookEndpoint, zone: &TimeZone) -> Self {
        Self {
            id: endpoint.id,
            url: endpoint.url,
            description: endpoint.description.unwrap_or_default(),
            events: endpoint.event_types.join(", "),
            enabled: endpoint.enabled,
            created_at: display_in(endpoint.created_at, zone),
        }
    }
}

#[derive(Template)]
#[template(path = "webhooks/list.html")]
struct ListPage {
    chrome: Chrome,
    endpoints: Vec<EndpointRow>,
}

async fn list(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(Role::can_administer)?;
    let zone = staff.zone();
    let endpoints = state.store.list_webhooks().await?;
    let view = ListPage {
        chrome: Chrome::for_staff(&staff, "/settings", &staff.time_zone),
        endpoints: endpoints
            .into_iter()
            .map(|e| EndpointRow::of(e, &zone))
            .collect(),
    };
    Ok(render(StatusCode::OK, &view))
}

/// The endpoint form as typed.
#[derive(Debug, Clone, PartialEq)]
struct EndpointForm {
    url: String,
    description: String,
    events: Vec<String>,
    enabled: bool,
}

impl EndpointForm {
    fn of(endpoint: &WebhookEndpoint) -> Self {
        Self {
            url: endpoint.url.clone(),
            description: endpoint.description.clone().unwrap_or_default(),
            events: endpoint.event_types.clone(),
            enabled: endpoint.enabled,
        }
    }

    fn from_fields(fields: Vec<(String, String)>) -> Self {
        let mut form = Self {
            url: String::new(),
            description: String::new(),
            events: Vec::new(),
            enabled: false,
        };
        for (name, value) in fields {
            match name.as_str() {
                "url" => form.url = value,
                "description" => form.description = value,
                "events" => form.events.push(value),
                "enabled" => form.enabled = true,
                _ => {}
            }
        }
        form
    }

    /// Through the API's parser; the message is ready to show.
    fn parse(&self) -> Result<WebhookEndpointInput, String> {
        WebhookInput {
            url: self.url.clone(),
            description: Some(self.description.clone()),
            events: self.events.clone(),
            enabled: self.enabled,
        }
        .parse()
        .map_err(|e| {
            let field = match e.field {
                "url" => "URL",
                "events" => "Events",
                "description" => "Description",
                other => other,
            };
            format!("{field}: {}.", e.message)
        })
    }
}

struct EventBox {
    name: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "webhooks/form.html")]
struct FormPage {
    chrome: Chrome,
    editing: Option<i64>,
    form: EndpointForm,
    events: Vec<EventBox>,
    error: Option<String>,
}

fn form_page(
    staff: &Staff,
    editing: Option<i64>,
    form: EndpointForm,
    error: Option<String>,
) -> FormPage {
    FormPage {
        chrome: Chrome::for_staff(staff, "/settings", &staff.time_zone),
        editing,
        events: EVENT_TYPES
            .iter()
            .map(|name| EventBox {
                name,
                checked: form.events.iter().any(|e| e == name),
            })
            .collect(),
        form,
        error,
    }
}

async fn new_form(staff: Staff) -> PageResult {
    staff.require(Role::can_administer)?;
    let form = EndpointForm {
        url: String::new(),
        description: String::new(),
        events: vec!["case.opened".to_owned()],
        enabled: true,
    };
    Ok(render(StatusCode::OK, &form_page(&staff, None, form, None)))
}

#[derive(Template)]
#[template(path = "webhooks/created.html")]
struct CreatedPage {
    chrome: Chrome,
    endpoint: EndpointRow,
    secret: String,
}

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let form = EndpointForm::from_fields(fields);
    let secret = new_secret();
    let result = match form.parse() {
        Ok(input) => state
            .store
            .create_webhook(&actor(&staff), input, &secret)
            .await
            .map_err(form_error),
        Err(message) => Err(Ok(message)),
    };
    match result {
        Ok(endpoint) => {
            let view = CreatedPage {
                chrome: Chrome::for_staff(&staff, "/settings", &staff.time_zone),
                endpoint: EndpointRow::of(endpoint, &staff.zone()),
                secret,
            };
            Ok(render(StatusCode::CREATED, &view))
        }
        Err(Ok(message)) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(&staff, None, form, Some(message)),
        )),
        Err(Err(error)) => Err(error),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(raw): Path<String>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let id = id(&raw)?;
    let endpoint = state.store.webhook(id).await?;
    let view = form_page(&staff, Some(id), EndpointForm::of(&endpoint), None);
    Ok(render(StatusCode::OK, &view))
}

async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(raw): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let id = id(&raw)?;
    let form = EndpointForm::from_fields(fields);
    let result = match form.parse() {
        Ok(input) => state
            .store
            .update_webhook(&actor(&staff), id, input)
            .await
            .map_err(form_error),
        Err(message) => Err(Ok(message)),
    };
    match result {
        Ok(_) => Ok(see_other("/settings/webhooks")),
        Err(Ok(message)) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(&staff, Some(id), form, Some(message)),
        )),
        Err(Err(error)) => Err(error),
    }
}

async fn delete(
    State(state): State<AppState>,
    staff: Staff,
    Path(raw): Path<String>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    state
        .store
        .delete_webhook(&actor(&staff), id(&raw)?)
        .await?;
    Ok(see_other("/settings/webhooks"))
}

struct AttemptRow {
    at: String,
    status: String,
    error: String,
    duration_ms: i64,
}

impl AttemptRow {
    fn of(attempt: WebhookAttempt, zone: &TimeZone) -> Self {
        Self {
            at: display_in(attempt.at, zone),
            status: attempt
                .status_code
                .map(|s| s.to_string())
                .unwrap_or_else(|| "no answer".to_owned()),
            error: attempt.error.unwrap_or_default(),
            duration_ms: attempt.duration_ms,
        }
    }
}

struct DeliveryRow {
    id: i64,
    event_type: String,
    event_id: String,
    state: String,
    attempts: i64,
    created_at: String,
    /// When the next attempt is due (pending) or when it was delivered.
    when: String,
    last: String,
    payload: String,
    log: Vec<AttemptRow>,
}

impl DeliveryRow {
    fn of(delivery: WebhookDelivery, log: Vec<WebhookAttempt>, zone: &TimeZone) -> Self {
        let when = match delivery.state.as_str() {
            delivery_state::PENDING => {
                format!("next attempt {}", display_in(delivery.available_at, zone))
            }
            delivery_state::DELIVERED => delivery
                .delivered_at
                .map(|at| format!("delivered {}", display_in(at, zone)))
                .unwrap_or_default(),
            _ => format!("gave up after {MAX_ATTEMPTS} attempts"),
        };
        let last = match (delivery.last_status, &delivery.last_error) {
            (Some(status), _) => format!("HTTP {status}"),
            (None, Some(error)) => error.clone(),
            (None, None) => String::new(),
        };
        let payload = serde_json::from_str::<serde_json::Value>(&delivery.payload)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or(delivery.payload);
        Self {
            id: delivery.id,
            event_type: delivery.event_type,
            event_id: delivery.event_id,
            state: delivery.state,
            attempts: delivery.attempts,
            created_at: display_in(delivery.created_at, zone),
            when,
            last,
            payload,
            log: log.into_iter().map(|a| AttemptRow::of(a, zone)).collect(),
        }
    }
}

/// A state filter link.
struct StateLink {
    label: &'static str,
    href: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "webhooks/deliveries.html")]
struct DeliveriesPage {
    chrome: Chrome,
    endpoint: EndpointRow,
    filters: Vec<StateLink>,
    dead_letters: bool,
    deliveries: Vec<DeliveryRow>,
    pager: Pager,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
struct DeliveriesQuery {
    #[serde(flatten)]
    list: ListQuery,
    state: Option<String>,
    resent: Option<String>,
}

async fn deliveries(
    State(state): State<AppState>,
    staff: Staff,
    Path(raw): Path<String>,
    Query(query): Query<DeliveriesQuery>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let id = id(&raw)?;
    let endpoint = state.store.webhook(id).await?;
    let states = [
        delivery_state::PENDING,
        delivery_state::DELIVERED,
        delivery_state::DEAD,
    ];
    let chosen = query
        .state
        .as_deref()
        .filter(|s| states.contains(s))
        .map(str::to_owned);
    let filter = DeliveryFilter {
        endpoint: Some(id),
        state: chosen.clone(),
    };
    let params = store::ListParams {
        limit: DELIVERIES_PER_PAGE,
        newest_first: true,
        ..query.list.params()
    };
    let page = state.store.list_deliveries(&params, &filter).await?;
    let path = format!("/settings/webhooks/{id}/deliveries");
    let current = chosen.clone().unwrap_or_default();
    let pager = Pager::new(&path, &[("state", current.clone())], &query.list, &page);
    let zone = staff.zone();
    let mut rows = Vec::with_capacity(page.items.len());
    for delivery in page.items {
        let (delivery, log) = state.store.delivery(delivery.id).await?;
        rows.push(DeliveryRow::of(delivery, log, &zone));
    }
    let link = |value: &str| {
        if value.is_empty() {
            path.clone()
        } else {
            format!("{path}?state={value}")
        }
    };
    let filters = [
        ("All", ""),
        ("Pending", delivery_state::PENDING),
        ("Delivered", delivery_state::DELIVERED),
        ("Dead letters", delivery_state::DEAD),
    ]
    .into_iter()
    .map(|(label, value)| StateLink {
        label,
        href: link(value),
        active: current == value,
    })
    .collect();
    let view = DeliveriesPage {
        chrome: Chrome::for_staff(&staff, "/settings", &staff.time_zone),
        endpoint: EndpointRow::of(endpoint, &zone),
        filters,
        dead_letters: current == delivery_state::DEAD,
        deliveries: rows,
        pager,
        notice: query
            .resent
            .is_some()
            .then_some("The delivery is queued again and will be sent in a moment."),
    };
    Ok(render(StatusCode::OK, &view))
}

async fn resend(
    State(state): State<AppState>,
    staff: Staff,
    Path(raw): Path<String>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let (delivery, _) = state.store.delivery(id(&raw)?).await?;
    state
        .store
        .resend_delivery(&actor(&staff), delivery.id, state.clock.now())
        .await?;
    state.wake.deliveries.notify_one();
    Ok(see_other(&format!(
        "/settings/webhooks/{}/deliveries?resent=1",
        delivery.endpoint_id
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_checked_events_and_refuses_none() {
        let fields = [
            ("url", "https://crm.example.com/hooks"),
            ("events", "case.opened"),
            ("events", "alert.raised"),
            ("enabled", "on"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        let input = EndpointForm::from_fields(fields.to_vec())
            .parse()
            .expect("valid");
        assert_eq!(input.event_types, ["case.opened", "alert.raised"]);
        assert!(input.enabled && input.description.is_none());
        let none = EndpointForm::from_fields(vec![("url".into(), "https://x.example".into())]);
        assert!(
            none.parse()
                .is_err_and(|m| m.starts_with("Events: subscribe"))
        );
        let bad = EndpointForm::from_fields(vec![("url".into(), "ftp://x".into())]);
        assert!(bad.parse().is_err_and(|m| m.starts_with("URL:")));
    }
}
