//! Links sent to customers: `/s/{token}` (the survey), `/u/{token}` (unsubscribe),
//! `/g/{token}` (the guarantee) and `/f/{token}` (a recovery case's follow-up), signed
//! with the installation's secret so that they cannot be forged and reveal no ids.

use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use domain::token::{Purpose, issue, verify};
use std::convert::Infallible;

/// Makes customer links for one request (or job), under the public base URL.
#[derive(Clone)]
pub struct Links {
    base: String,
    secret: std::sync::Arc<Vec<u8>>,
}

fn nonce(lookup_id: &str) -> Option<[u8; 16]> {
    let mut bytes = [0u8; 16];
    if lookup_id.len() != 32 {
        return None;
    }
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(lookup_id.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(bytes)
}

impl Links {
    pub fn new(base: &str, secret: std::sync::Arc<Vec<u8>>) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            secret,
        }
    }

    /// The links of the configured public URL, else of the address the server listens on.
    pub fn for_state(state: &AppState) -> Self {
        let base = state
            .settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", state.settings.bind));
        Self::new(&base, state.link_secret.clone())
    }

    /// The public base URL, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn link(&self, path: &str, purpose: Purpose, lookup_id: &str) -> Option<String> {
        let issued = issue(&self.secret, purpose, nonce(lookup_id)?)?;
        Some(format!("{}/{path}/{}", self.base, issued.token))
    }

    pub fn survey(&self, lookup_id: &str) -> Option<String> {
        self.link("s", Purpose::Survey, lookup_id)
    }

    pub fn unsubscribe(&self, lookup_id: &str) -> Option<String> {
        self.link("u", Purpose::Unsubscribe, lookup_id)
    }

    /// A transaction's guarantee page.
    pub fn guarantee(&self, lookup_id: &str) -> Option<String> {
        self.link("g", Purpose::Guarantee, lookup_id)
    }

    /// The "did we make it right?" page of a resolved case.
    pub fn followup(&self, lookup_id: &str) -> Option<String> {
        self.link("f", Purpose::Followup, lookup_id)
    }

    /// The lookup id of a genuine token, or `None` for a forged, altered or foreign one.
    pub fn verify(&self, purpose: Purpose, token: &str) -> Option<String> {
        verify(&self.secret, purpose, token)
    }
}

impl FromRequestParts<AppState> for Links {
    type Rejection = Infallible;

    /// Without a configured public URL, links use the host the request was sent to.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.settings.public_url.is_some() {
            return Ok(Self::for_state(state));
        }
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| !h.is_empty() && h.len() < 256 && h.bytes().all(|b| b.is_ascii_graphic()));
        Ok(match host {
            Some(host) => Self::new(&format!("http://{host}"), state.link_secret.clone()),
            None => Self::for_state(state),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_verify_for_their_purpose_only() {
        let links = Links::new("https://cx.example.com/", std::sync::Arc::new(vec![9; 32]));
        let lookup = "00112233445566778899aabbccddeeff";
        let Some(url) = links.survey(lookup) else {
            panic!("no link")
        };
        assert!(url.starts_with("https://cx.example.com/s/"));
        let token = url.rsplit('/').next().unwrap_or_default();
        assert_eq!(
            links.verify(Purpose::Survey, token).as_deref(),
            Some(lookup)
        );
        assert_eq!(links.verify(Purpose::Unsubscribe, token), None);
        assert_eq!(links.survey("not hex"), None);
    }
}
