//! The staff console: server-rendered pages behind a login, with CSRF protection on every
//! form. Each section has its own module with its routes and view structs.

mod accountability;
mod alert_rules;
mod alerts;
mod api_keys;
mod audit;
mod auth;
mod cases;
pub(crate) mod charts;
mod chrome;
mod customers;
mod dashboard;
mod early_warning;
mod email_settings;
mod guarantees;
mod home;
mod improvement;
mod inbox;
mod knowledge_settings;
pub mod list;
pub(crate) mod problems;
mod recovery_settings;
pub(crate) mod responses;
mod session;
mod settings;
mod standards;
mod surveys;
mod teams;
mod touchpoints;
mod transactions;
pub(crate) mod users;
mod webhooks;

pub use chrome::Chrome;
pub use session::Staff;

use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use store::StoreError;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/static/app.css", get(stylesheet))
        .merge(auth::router())
        .merge(home::router())
        .merge(dashboard::router())
        .merge(accountability::router())
        .merge(teams::router())
        .merge(users::router())
        .merge(api_keys::router())
        .merge(audit::router())
        .merge(settings::router())
        .merge(customers::router())
        .merge(transactions::router())
        .merge(touchpoints::router())
        .merge(surveys::router())
        .merge(responses::router())
        .merge(knowledge_settings::router())
        .merge(email_settings::router())
        .merge(cases::router())
        .merge(problems::router())
        .merge(guarantees::router())
        .merge(improvement::router())
        .merge(inbox::router())
        .merge(alerts::router())
        .merge(alert_rules::router())
        .merge(recovery_settings::router())
        .merge(webhooks::router())
        .merge(early_warning::router())
        .merge(standards::router())
        .layer(axum::middleware::from_fn_with_state(
            state,
            session::middleware,
        ))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
}

/// Renders a page, or the error page if the template fails.
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => {
            tracing::error!(%error, "template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The page could not be shown.",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    title: &'a str,
    message: &'a str,
    request_id: Option<String>,
}

/// A readable error page with the request id, for people.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let page = ErrorPage {
        chrome: Chrome::anonymous(),
        title,
        message,
        request_id: crate::http::request_id::current(),
    };
    render(status, &page)
}

/// What a console handler returns when it cannot show its page.
#[derive(Debug)]
pub enum PageError {
    NotFound,
    Forbidden,
    /// The form was stale or forged.
    BadForm(String),
    Unavailable,
    Internal(String),
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => PageError::NotFound,
            StoreError::Unavailable(_) => PageError::Unavailable,
            other => PageError::Internal(other.to_string()),
        }
    }
}

impl From<anyhow::Error> for PageError {
    fn from(error: anyhow::Error) -> Self {
        PageError::Internal(format!("{error:#}"))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::NotFound => error_page(
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing at this address; it may have been deleted.",
            ),
            PageError::Forbidden => error_page(
                StatusCode::FORBIDDEN,
                "Not allowed",
                "Your role does not give access to this page. Ask an administrator if you need it.",
            ),
            PageError::BadForm(message) => error_page(
                StatusCode::BAD_REQUEST,
                "The form could not be accepted",
                &message,
            ),
            PageError::Unavailable => error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Temporarily unavailable",
                "The database cannot be reached right now. Please try again in a moment.",
            ),
            PageError::Internal(error) => {
                tracing::error!(%error, "page failed");
                error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "The error has been logged. Please try again.",
                )
            }
        }
    }
}

pub type PageResult = Result<Response, PageError>;

/// After a successful form post: go to `to` with a 303.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A 500 for a handler that panicked: never the panic message.
pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The error has been logged. Please try again.",
    )
}

/// The audit actor for a console change.
pub fn actor(staff: &Staff) -> store::Actor {
    store::Actor::User {
        id: staff.user.id,
        label: format!("{} <{}>", staff.user.name, staff.user.email),
    }
}
