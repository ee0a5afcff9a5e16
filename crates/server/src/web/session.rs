//! Staff sessions: the session cookie, loading the session for each console request, CSRF
//! checks on every state-changing request, and the [`Staff`] extractor.

use super::PageError;
use crate::security::{constant_time_eq, sha256_hex};
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use store::User;

pub const SESSION_COOKIE: &str = "ps_session";
pub const LOGIN_CSRF_COOKIE: &str = "ps_login_csrf";

/// The logged-in staff member of a console request.
#[derive(Clone)]
pub struct Staff {
    pub user: User,
    pub csrf_token: String,
    pub session_hash: String,
    pub time_zone: String,
    /// Unread notifications in the user's inbox, for the badge in the navigation.
    pub unread: i64,
}

impl Staff {
    pub fn require(&self, allowed: fn(domain::Role) -> bool) -> Result<(), PageError> {
        if allowed(self.user.role) {
            Ok(())
        } else {
            Err(PageError::Forbidden)
        }
    }

    pub fn zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

/// The value of cookie `name`, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value; `max_age_seconds` 0 deletes the cookie.
pub fn set_cookie(
    name: &str,
    value: &str,
    path: &str,
    max_age_seconds: i64,
    secure: bool,
    same_site: &str,
) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{name}={value}; Path={path}; Max-Age={max_age_seconds}; HttpOnly; SameSite={same_site}{secure}"
    )
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Loads the session (if any) into the request, and refuses state-changing requests whose
/// form does not carry the session's CSRF token.
pub async fn middleware(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let staff = match load(&state, request.headers()).await {
        Ok(staff) => staff,
        Err(error) => return error.into_response(),
    };
    let path = request.uri().path().to_owned();
    if is_unsafe(request.method()) && path != "/login" {
        let Some(staff) = &staff else {
            return Redirect::to("/login").into_response();
        };
        let (parts, body) = request.into_parts();
        let Ok(bytes) = to_bytes(body, state.settings.max_body_bytes).await else {
            return PageError::BadForm("The form is too large.".into()).into_response();
        };
        let fields: HashMap<String, String> =
            serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let token_ok = fields
            .get("csrf")
            .is_some_and(|t| constant_time_eq(t, &staff.csrf_token));
        if !token_ok {
            return PageError::BadForm(
                "This form has expired or did not come from this site. Go back, reload the page and try again.".into(),
            )
            .into_response();
        }
        request = Request::from_parts(parts, Body::from(bytes));
    }
    if let Some(staff) = staff {
        request.extensions_mut().insert(staff);
    }
    next.run(request).await
}

async fn load(state: &AppState, headers: &HeaderMap) -> Result<Option<Staff>, PageError> {
    let Some(raw) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let session_hash = sha256_hex(raw);
    let Some(session) = state
        .store
        .session(&session_hash, state.clock.now())
        .await?
    else {
        return Ok(None);
    };
    let organization = state.store.organization().await?;
    let unread = state.store.unread_notifications(session.user.id).await?;
    Ok(Some(Staff {
        user: session.user,
        csrf_token: session.csrf_token,
        session_hash,
        time_zone: organization.time_zone,
        unread,
    }))
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(staff) = parts.extensions.get::<Staff>() {
            return Ok(staff.clone());
        }
        let here = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let next: String = serde_urlencoded::to_string([("next", here)]).unwrap_or_default();
        Err(Redirect::to(&format!("/login?{next}")).into_response())
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for Staff {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Staff>().cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; ps_session=abc; ps_session_x=no"),
        );
        assert_eq!(cookie(&headers, "ps_session"), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn session_cookies_are_http_only_and_secure_under_tls() {
        let value = set_cookie("ps_session", "v", "/", 60, true, "Lax");
        assert!(
            value.contains("HttpOnly")
                && value.contains("SameSite=Lax")
                && value.ends_with("Secure")
        );
        assert!(!set_cookie("ps_session", "v", "/", 60, false, "Lax").contains("Secure"));
    }
}
