//! Secrets: password hashing (argon2id), random tokens, API key format and hashing.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::Password;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Hashes a password with argon2id and a random salt, as a PHC string.
pub fn hash_password(password: &Password) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash password: {e}"))
}

/// Checks a typed password against a stored PHC string; a malformed hash never matches.
pub fn verify_password(typed: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(typed.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so that timing does not reveal
/// which e-mail addresses have accounts.
pub fn dummy_password_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4y0pY0m6Lb8bQpNq3I8Y7mR6w2iS2bJqVQ0HqfX8p3U"
}

/// `bytes` random bytes from the operating system, URL-safe base64 encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buffer);
    URL_SAFE_NO_PAD.encode(buffer)
}

/// A fresh lookup id for a signed customer link: 16 random bytes as 32 hex digits.
pub fn random_lookup_id() -> String {
    hex::encode(random_bytes::<16>())
}

/// SHA-256 as lowercase hex; used for high-entropy secrets (session ids, API keys), where a
/// slow hash adds nothing.
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// Compares two strings in constant time.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// A freshly generated API key: `ps_<prefix>_<secret>`. Only the prefix and the hash of the
/// whole key are stored; the key itself is shown once.
pub struct GeneratedApiKey {
    pub full: String,
    pub prefix: String,
    pub hash: String,
}

pub fn generate_api_key() -> GeneratedApiKey {
    let prefix = hex::encode(random_bytes::<6>());
    let full = format!("ps_{prefix}_{}", random_token(32));
    let hash = sha256_hex(&full);
    GeneratedApiKey { full, prefix, hash }
}

/// The prefix of a presented API key, if it has the right shape.
pub fn api_key_prefix(presented: &str) -> Option<&str> {
    let rest = presented.strip_prefix("ps_")?;
    let (prefix, secret) = rest.split_once('_')?;
    let well_formed =
        prefix.len() == 12 && prefix.bytes().all(|b| b.is_ascii_hexdigit()) && !secret.is_empty();
    well_formed.then_some(prefix)
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buffer = [0u8; N];
    OsRng.fill_bytes(&mut buffer);
    buffer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let Ok(password) = Password::parse("correct horse battery staple") else {
            panic!()
        };
        let Ok(hash) = hash_password(&password) else {
            panic!("hashing failed")
        };
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery staple", &hash));
        assert!(!verify_password("wrong horse battery staple", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert!(!verify_password("anything", dummy_password_hash()));
    }

    #[test]
    fn api_keys_have_a_parseable_prefix_and_are_unique() {
        let a = generate_api_key();
        let b = generate_api_key();
        assert_ne!(a.full, b.full);
        assert_eq!(api_key_prefix(&a.full), Some(a.prefix.as_str()));
        assert_eq!(a.hash, sha256_hex(&a.full));
        for bad in [
            "",
            "ps_",
            "ps_abc_def",
            "xx_0123456789ab_secret",
            "ps_0123456789ab_",
        ] {
            assert_eq!(api_key_prefix(bad), None, "{bad:?}");
        }
    }
}
