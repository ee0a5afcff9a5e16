//! The pages customers see, without any login: the survey at `/s/{token}`, the unsubscribe
//! page at `/u/{token}`, the guarantee at `/g/{token}` and the follow-up at `/f/{token}`, with
//! their own small stylesheet and optional script. They sit outside the console's session and
//! CSRF layer: the signed token in the address is the credential.

mod followup;
mod form;
mod guarantee;
mod guarantee_text;
pub(crate) mod i18n;
mod survey;
mod unsubscribe;

use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use i18n::Text;
use store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/survey.css", get(stylesheet))
        .route("/static/survey.js", get(script))
        .merge(survey::router())
        .merge(unsubscribe::router())
        .merge(followup::router())
        .merge(guarantee::router())
}

/// The survey page's own stylesheet (the console's is not needed, and would weigh more).
pub const STYLESHEET: &str = include_str!("../../static/survey.css");
/// Auto-saves answers as the customer goes; the page works the same without it.
pub const SCRIPT: &str = include_str!("../../static/survey.js");

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", STYLESHEET)
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

/// A page with a title and a sentence: thank-you, closed or invalid links, errors.
#[derive(Template)]
#[template(path = "public/message.html")]
struct MessagePage<'a> {
    t: &'static Text,
    organization: Option<&'a str>,
    title: &'static str,
    message: &'static str,
    request_id: Option<String>,
}

/// Why a customer's page cannot be shown as asked, each with its own clear page.
#[derive(Debug)]
enum Refusal {
    /// Forged, altered or unknown token.
    InvalidLink,
    Expired,
    /// A second submission.
    AlreadyAnswered,
    BadForm,
    Unavailable,
    Internal(String),
}

impl From<StoreError> for Refusal {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Refusal::InvalidLink,
            StoreError::Unavailable(_) => Refusal::Unavailable,
            StoreError::Conflict(_) => Refusal::AlreadyAnswered,
            other => Refusal::Internal(other.to_string()),
        }
    }
}

impl Refusal {
    fn page(self, t: &'static Text, organization: Option<&str>) -> Response {
        let (status, title, message) = match &self {
            Refusal::InvalidLink => (StatusCode::NOT_FOUND, t.invalid_title, t.invalid_message),
            Refusal::Expired => (StatusCode::GONE, t.expired_title, t.expired_message),
            Refusal::AlreadyAnswered => {
                (StatusCode::CONFLICT, t.answered_title, t.answered_message)
            }
            Refusal::BadForm => (
                StatusCode::BAD_REQUEST,
                t.bad_form_title,
                t.bad_form_message,
            ),
            Refusal::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                t.unavailable_title,
                t.unavailable_message,
            ),
            Refusal::Internal(error) => {
                tracing::error!(%error, "customer page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    t.failed_title,
                    t.failed_message,
                )
            }
        };
        let request_id = status
            .is_server_error()
            .then(crate::http::request_id::current)
            .flatten();
        message_page(status, t, organization, title, message, request_id)
    }
}

fn message_page(
    status: StatusCode,
    t: &'static Text,
    organization: Option<&str>,
    title: &'static str,
    message: &'static str,
    request_id: Option<String>,
) -> Response {
    let page = MessagePage {
        t,
        organization,
        title,
        message,
        request_id,
    };
    crate::web::render(status, &page)
}
