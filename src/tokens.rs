//! Random tokens for links in emails and receipts. Only their SHA-256 hashes are stored.
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::{rngs::OsRng, RngCore};
use sha2::{Digest, Sha256};

/// 32 random bytes from the OS, URL-safe base64 (43 characters).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// 16 random bytes, URL-safe base64 (22 characters): for links in text messages, where
/// every character counts towards the fragments paid for. Still 128 bits.
pub fn new_short_token() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Tokens arriving in URLs are checked for shape before touching the database.
pub fn looks_valid(token: &str) -> bool {
    (token.len() == 43 || token.len() == 22)
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Journey keys are long tokens only.
pub fn looks_like_key(token: &str) -> bool {
    token.len() == 43 && looks_valid(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(looks_valid(&a));
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
        assert_eq!(hash(&a).len(), 64);
        assert!(!looks_valid("short"));
        assert!(!looks_valid(&"a/".repeat(22)[..43]));
    }
}
