//! Signed tokens for customer links (`/s/{token}` and the like): a random nonce and an HMAC
//! of it, so that a forged or altered token is refused before any lookup, and the link reveals
//! no ids. What the token grants (single use, expiry) is decided by the record it finds.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const NONCE_BYTES: usize = 16;
const TAG_BYTES: usize = 16;

/// What a token is for; a token made for one purpose is refused for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Survey,
    Unsubscribe,
    Guarantee,
    /// The follow-up of a resolved recovery case: "did we make it right?".
    Followup,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::Survey => b"survey:",
            Purpose::Unsubscribe => b"unsubscribe:",
            Purpose::Guarantee => b"guarantee:",
            Purpose::Followup => b"followup:",
        }
    }
}

/// A token and the id under which its record is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub token: String,
    pub lookup_id: String,
}

fn mac(secret: &[u8], purpose: Purpose, nonce: &[u8]) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(purpose.label());
    mac.update(nonce);
    Some(mac)
}

/// Makes a token from a fresh random `nonce` (the caller supplies randomness: this module does
/// no I/O). Returns `None` only for an empty secret.
pub fn issue(secret: &[u8], purpose: Purpose, nonce: [u8; NONCE_BYTES]) -> Option<Issued> {
    if secret.is_empty() {
        return None;
    }
    let tag = mac(secret, purpose, &nonce)?.finalize().into_bytes();
    let mut bytes = Vec::with_capacity(NONCE_BYTES + TAG_BYTES);
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&tag[..TAG_BYTES]);
    Some(Issued {
        token: URL_SAFE_NO_PAD.encode(bytes),
        lookup_id: lookup_id(&nonce),
    })
}

fn lookup_id(nonce: &[u8]) -> String {
    nonce.iter().map(|b| format!("{b:02x}")).collect()
}

/// The lookup id of a genuine token for `purpose`; `None` for anything else. The tag is
/// compared in constant time.
pub fn verify(secret: &[u8], purpose: Purpose, token: &str) -> Option<String> {
    if token.len() > 64 || secret.is_empty() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
    if bytes.len() != NONCE_BYTES + TAG_BYTES {
        return None;
    }
    let (nonce, tag) = bytes.split_at(NONCE_BYTES);
    mac(secret, purpose, nonce)?
        .verify_truncated_left(tag)
        .ok()?;
    Some(lookup_id(nonce))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"a secret of the installation, 32b";

    #[test]
    fn a_genuine_token_verifies_to_its_lookup_id() {
        let issued = issue(SECRET, Purpose::Survey, [7; 16]);
        let Some(issued) = issued else {
            panic!("not issued")
        };
        assert_eq!(issued.lookup_id, "07".repeat(16));
        assert!(
            !issued.token.contains("07070707"),
            "the token does not show the id in clear"
        );
        assert_eq!(
            verify(SECRET, Purpose::Survey, &issued.token),
            Some(issued.lookup_id)
        );
    }

    #[test]
    fn forged_altered_or_misused_tokens_are_refused() {
        let Some(issued) = issue(SECRET, Purpose::Survey, [7; 16]) else {
            panic!()
        };
        assert_eq!(
            verify(b"another secret", Purpose::Survey, &issued.token),
            None
        );
        assert_eq!(verify(SECRET, Purpose::Guarantee, &issued.token), None);
        let mut altered = issued.token.clone().into_bytes();
        altered[3] = if altered[3] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            verify(SECRET, Purpose::Survey, &String::from_utf8_lossy(&altered)),
            None
        );
        for junk in ["", "abc", "!!!!", &"A".repeat(43), &"A".repeat(500)] {
            assert_eq!(verify(SECRET, Purpose::Survey, junk), None, "{junk:?}");
        }
        assert_eq!(issue(b"", Purpose::Survey, [1; 16]), None);
    }
}
