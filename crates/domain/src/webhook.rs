//! Outgoing webhooks: the event types, the signature over timestamp and body, and the retry
//! schedule.
//!
//! Each delivery carries `Perfect-Service-Signature: t=<unix seconds>,v1=<hex>` where the hex is
//! HMAC-SHA256, keyed by the endpoint's secret, of `"<t>.<body>"`. A receiver recomputes it,
//! compares in constant time and refuses timestamps older than a few minutes, so a captured
//! delivery cannot be replayed later.

use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use sha2::Sha256;

/// Every event an endpoint can subscribe to.
pub const EVENT_TYPES: &[&str] = &[
    "response.received",
    "alert.raised",
    "case.opened",
    "case.escalated",
    "case.resolved",
    "guarantee.invoked",
    "guarantee.corrected",
    "standard.breached",
];

/// The version of the payload schema, sent as `schema_version` in every body.
pub const SCHEMA_VERSION: u32 = 1;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "perfect-service-signature";

/// How many attempts a delivery gets before it goes to the dead-letter list.
pub const MAX_ATTEMPTS: i64 = 10;

/// Whether `name` is a known event type.
pub fn is_event_type(name: &str) -> bool {
    EVENT_TYPES.contains(&name)
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// The signature header's value for `body` sent at `timestamp` (Unix seconds).
pub fn signature_header(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, timestamp, body)
        .map(|m| hex_lower(&m.finalize().into_bytes()))
        .unwrap_or_default();
    format!("t={timestamp},v1={digest}")
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a received signature is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature header is malformed")]
    Malformed,
    #[error("the timestamp is outside the tolerance (a replay?)")]
    Stale,
    #[error("the signature does not match")]
    Mismatch,
}

/// Verifies a signature header the way a receiver should: parse, check the timestamp is within
/// `tolerance` of `now`, recompute and compare in constant time.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: Timestamp,
    tolerance: SignedDuration,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", s)) => signatures.push(s),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let age = now.as_second().saturating_sub(timestamp).abs();
    if age > tolerance.as_secs() {
        return Err(SignatureError::Stale);
    }
    let matches = signatures.iter().any(|candidate| {
        decode_hex(candidate).is_some_and(|bytes| {
            mac(secret, timestamp, body).is_some_and(|m| m.verify_slice(&bytes).is_ok())
        })
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn decode_hex(raw: &str) -> Option<Vec<u8>> {
    if !raw.len().is_multiple_of(2) {
        return None;
    }
    (0..raw.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(raw.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The wait before attempt `attempt + 1` after `attempt` failed ones: 10 s, 20 s, 40 s, …
/// doubling, at most an hour. Ten attempts span about two and a half hours.
pub fn backoff(attempts: i64) -> SignedDuration {
    let exponent = attempts.clamp(1, 20) - 1;
    let seconds = 10_i64.saturating_mul(1_i64 << exponent);
    SignedDuration::from_secs(seconds.min(3600))
}

/// A receiver's answer counts as delivered when it is a 2xx.
pub fn is_delivered(status: u16) -> bool {
    (200..300).contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test";

    #[test]
    fn a_signature_verifies_and_anything_altered_does_not() {
        let now = Timestamp::from_second(1_800_000_000).unwrap_or(Timestamp::UNIX_EPOCH);
        let body = br#"{"type":"case.opened"}"#;
        let header = signature_header(SECRET, now.as_second(), body);
        assert!(header.starts_with("t=1800000000,v1="));
        let tolerance = SignedDuration::from_mins(5);
        assert_eq!(verify(SECRET, &header, body, now, tolerance), Ok(()));
        assert_eq!(
            verify(SECRET, &header, b"{}", now, tolerance),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"other", &header, body, now, tolerance),
            Err(SignatureError::Mismatch)
        );
        let later = now + SignedDuration::from_mins(6);
        assert_eq!(
            verify(SECRET, &header, body, later, tolerance),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(SECRET, "v1=abc", body, now, tolerance),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(SECRET, "t=1800000000,v1=zz", body, now, tolerance),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn the_signature_matches_an_independent_computation() {
        // HMAC-SHA256(key "whsec_test", "1800000000.hello"), computed with Python's hmac module.
        let header = signature_header(SECRET, 1_800_000_000, b"hello");
        assert_eq!(
            header,
            "t=1800000000,v1=330b7b39b3cfa2bec65543834b6b2a327bed701452b264ca2bfd195591264efb"
        );
    }

    #[test]
    fn back_off_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), SignedDuration::from_secs(10));
        assert_eq!(backoff(2), SignedDuration::from_secs(20));
        assert_eq!(backoff(4), SignedDuration::from_secs(80));
        assert_eq!(backoff(12), SignedDuration::from_secs(3600));
        assert_eq!(backoff(i64::MAX), SignedDuration::from_secs(3600));
    }

    #[test]
    fn event_types_are_known() {
        assert!(is_event_type("case.opened"));
        assert!(!is_event_type("case.deleted"));
    }
}
