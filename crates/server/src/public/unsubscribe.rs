//! `/u/{token}`: a customer stops all future surveys. GET asks for confirmation; any POST
//! records the opt-out for good, which also serves RFC 8058 one-click unsubscribe (a POST with
//! `List-Unsubscribe=One-Click` sent by the mail client).

use super::Refusal;
use super::i18n::{self, Text};
use crate::links::Links;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use domain::token::Purpose;

pub fn router() -> Router<AppState> {
    Router::new().route("/u/{token}", get(confirm).post(unsubscribe))
}

#[derive(Template)]
#[template(path = "public/unsubscribe.html")]
struct UnsubscribePage<'a> {
    t: &'static Text,
    organization: &'a str,
    action: String,
    done: bool,
}

/// The lookup id of a genuine unsubscribe token, the organization and the customer's language.
async fn open(
    state: &AppState,
    links: &Links,
    token: Result<Path<String>, PathRejection>,
    headers: &HeaderMap,
) -> Result<(String, String, String, &'static Text), Response> {
    let browser = i18n::choose(None, headers);
    let Ok(Path(token)) = token else {
        return Err(Refusal::InvalidLink.page(browser, None));
    };
    let Some(lookup_id) = links.verify(Purpose::Unsubscribe, &token) else {
        return Err(Refusal::InvalidLink.page(browser, None));
    };
    match state.store.invitation_view(&lookup_id).await {
        Ok(view) => {
            let t = i18n::choose(view.customer_locale.as_deref(), headers);
            Ok((token, lookup_id, view.organization, t))
        }
        Err(error) => Err(Refusal::from(error).page(browser, None)),
    }
}

fn page(t: &'static Text, organization: &str, token: &str, done: bool) -> Response {
    let page = UnsubscribePage {
        t,
        organization,
        action: format!("/u/{token}"),
        done,
    };
    crate::web::render(StatusCode::OK, &page)
}

async fn confirm(
    State(state): State<AppState>,
    links: Links,
    headers: HeaderMap,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    match open(&state, &links, token, &headers).await {
        Ok((token, _, organization, t)) => page(t, &organization, &token, false),
        Err(refused) => refused,
    }
}

async fn unsubscribe(
    State(state): State<AppState>,
    links: Links,
    headers: HeaderMap,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    let (token, lookup_id, organization, t) = match open(&state, &links, token, &headers).await {
        Ok(opened) => opened,
        Err(refused) => return refused,
    };
    match state.store.opt_out(&lookup_id, state.clock.now()).await {
        Ok(()) => page(t, &organization, &token, true),
        Err(error) => Refusal::from(error).page(t, Some(&organization)),
    }
}
