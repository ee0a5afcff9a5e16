//! Logging in and out. Login is rate limited per address and per e-mail, protected against
//! cross-site posts by a double-submit cookie, and always issues a fresh session id.

use super::session::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, Staff, cookie, set_cookie};
use super::{Chrome, PageResult, render, see_other};
use crate::security::{
    constant_time_eq, dummy_password_hash, random_token, sha256_hex, verify_password,
};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::Email;
use jiff::SignedDuration;
use serde::Deserialize;
use std::net::SocketAddr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    next: String,
    email: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// Only local paths, so that login cannot be used to redirect people elsewhere.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn login_form(
    state: &AppState,
    status: StatusCode,
    next: String,
    email: String,
    error: Option<String>,
) -> Response {
    let csrf = random_token(24);
    let page = LoginPage {
        chrome: Chrome::anonymous(),
        csrf: csrf.clone(),
        next,
        email,
        error,
    };
    let mut response = render(status, &page);
    let cookie = set_cookie(
        LOGIN_CSRF_COOKIE,
        &csrf,
        "/login",
        3600,
        state.settings.uses_tls(),
        "Strict",
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

async fn login_page(
    State(state): State<AppState>,
    staff: Option<Staff>,
    Query(query): Query<NextQuery>,
) -> Response {
    let next = safe_next(query.next.as_deref());
    if staff.is_some() {
        return see_other(&next);
    }
    login_form(&state, StatusCode::OK, next, String::new(), None)
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let next = safe_next(Some(&form.next));
    let cookie_token = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if cookie_token.is_empty() || !constant_time_eq(cookie_token, &form.csrf) {
        let message = "The login form expired. Please try again.".to_owned();
        return Ok(login_form(
            &state,
            StatusCode::BAD_REQUEST,
            next,
            form.email,
            Some(message),
        ));
    }
    let subjects = [
        format!("ip:{}", peer.ip()),
        format!("email:{}", form.email.trim().to_lowercase()),
    ];
    if let Err(wait) = state.login_limiter.attempt(&subjects, state.clock.now()) {
        let minutes = (wait.as_secs().max(1) + 59) / 60;
        let message = format!("Too many login attempts. Try again in {minutes} minute(s).");
        let mut response = login_form(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            next,
            form.email,
            Some(message),
        );
        if let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return Ok(response);
    }
    let credentials = match Email::parse("email", &form.email) {
        Ok(email) => state.store.credentials(&email).await?,
        Err(_) => None,
    };
    let stored_hash = credentials.as_ref().and_then(|c| c.password_hash.clone());
    let password_ok = verify_password(
        &form.password,
        stored_hash.as_deref().unwrap_or(dummy_password_hash()),
    );
    let user = match credentials {
        Some(c) if password_ok && c.active && stored_hash.is_some() => c.user_id,
        _ => {
            let message = "Incorrect e-mail or password.".to_owned();
            return Ok(login_form(
                &state,
                StatusCode::UNAUTHORIZED,
                next,
                form.email,
                Some(message),
            ));
        }
    };
    if let Some(old) = cookie(&headers, SESSION_COOKIE) {
        state.store.delete_session(&sha256_hex(old)).await?;
    }
    let session_id = random_token(32);
    let ttl_hours = i64::try_from(state.settings.session_ttl_hours).unwrap_or(12);
    let expires_at = state.clock.now() + SignedDuration::from_hours(ttl_hours);
    state
        .store
        .create_session(
            &sha256_hex(&session_id),
            user,
            &random_token(32),
            expires_at,
        )
        .await?;
    let secure = state.settings.uses_tls();
    let mut response = see_other(&next);
    let cookies = [
        set_cookie(
            SESSION_COOKIE,
            &session_id,
            "/",
            ttl_hours * 3600,
            secure,
            "Lax",
        ),
        set_cookie(LOGIN_CSRF_COOKIE, "", "/login", 0, secure, "Strict"),
    ];
    for value in cookies {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    tracing::info!(user = %user, "staff logged in");
    Ok(response)
}

async fn logout(State(state): State<AppState>, staff: Staff) -> PageResult {
    state.store.delete_session(&staff.session_hash).await?;
    let mut response = see_other("/login");
    let cleared = set_cookie(SESSION_COOKIE, "", "/", 0, state.settings.uses_tls(), "Lax");
    if let Ok(value) = HeaderValue::from_str(&cleared) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response.into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next(Some("/teams?q=x")), "/teams?q=x");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
