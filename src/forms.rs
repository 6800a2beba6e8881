//! Protection without third-party CAPTCHAs: a journey key issued by the server and a
//! signed start time bound to it (a minimum fill time, a maximum age), and a honeypot
//! field. Rate limits per client and per card code are in [`crate::limits`].
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Compares two secrets (MACs, tokens) in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Signs and checks the time a journey started.
#[derive(Clone)]
pub struct Stamper {
    key: Vec<u8>,
}

impl Stamper {
    pub fn new(secret: &str) -> Self {
        Stamper { key: secret.as_bytes().to_vec() }
    }

    /// A MAC over `payload` with the site's secret (for the sign-in device cookie).
    pub fn sign(&self, payload: &str) -> String {
        self.mac(&format!("sign:{payload}"))
    }

    /// Constant-time check of [`Self::sign`].
    pub fn signed(&self, payload: &str, mac: &str) -> bool {
        let expected = self.sign(payload);
        same_secret(&expected, mac)
    }

    fn mac(&self, payload: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length works");
        mac.update(payload.as_bytes());
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A stamp for the journey `key` started at `unix`: the time and a MAC over both, so a
    /// stamp works for its own journey only.
    pub fn stamp(&self, unix: i64, key: &str) -> String {
        format!("{unix}.{}", self.mac(&format!("{unix}.{key}")))
    }

    /// The signed start time of journey `key`, or None when the stamp is missing, forged,
    /// made for another journey, or the key is not one the server issued (43 URL-safe
    /// characters).
    pub fn verify(&self, stamp: &str, key: &str) -> Option<i64> {
        if !crate::tokens::looks_like_key(key) {
            return None;
        }
        let (time, sig) = stamp.split_once('.')?;
        let unix: i64 = time.parse().ok()?;
        let expected = self.mac(&format!("{unix}.{key}"));
        same_secret(&expected, sig).then_some(unix)
    }
}

/// The answers of a journey between steps, carried in the address of each step's page
/// (post/redirect/get: Back, reload and the language switch are ordinary page loads).
/// Encrypted and authenticated (ChaCha20-Poly1305, a key derived from the site's
/// secret), so the address shows nothing of what was typed and cannot be altered.
impl Stamper {
    fn cipher(&self) -> chacha20poly1305::ChaCha20Poly1305 {
        use chacha20poly1305::KeyInit;
        let key = <Sha256 as sha2::Digest>::digest([b"journey-state:".as_slice(), &self.key].concat());
        chacha20poly1305::ChaCha20Poly1305::new(&key)
    }

    pub fn seal(&self, pairs: &[(&str, String)]) -> String {
        use base64::Engine;
        use chacha20poly1305::aead::{Aead, AeadCore, OsRng};
        let plain = serde_urlencoded::to_string(pairs).unwrap_or_default();
        let nonce = chacha20poly1305::ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self.cipher().encrypt(&nonce, plain.as_bytes()).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([nonce.as_slice(), &sealed].concat())
    }

    /// The pairs sealed by [`Self::seal`]; None when the text was altered or is not ours.
    pub fn open(&self, sealed: &str) -> Option<Vec<(String, String)>> {
        use base64::Engine;
        use chacha20poly1305::aead::Aead;
        if sealed.len() > 8192 {
            return None;
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sealed).ok()?;
        if bytes.len() < 12 + 16 {
            return None;
        }
        let (nonce, body) = bytes.split_at(12);
        let plain = self.cipher().decrypt(chacha20poly1305::Nonce::from_slice(nonce), body).ok()?;
        serde_urlencoded::from_bytes(&plain).ok()
    }
}

/// How a journey's stamp reads at submission.
#[derive(Debug, PartialEq, Eq)]
pub enum StampCheck {
    Fine,
    /// Missing, forged, for another journey, older than the maximum age or from the future.
    Invalid,
    /// Sent sooner after the start than a person could.
    TooFast,
}

/// A journey may take up to a day; a stamp older than that is refused (and a new
/// journey key and stamp are issued, so an old page cannot be replayed for ever).
pub const MAX_JOURNEY_SECS: i64 = 24 * 3600;

impl Stamper {
    pub fn check(&self, stamp: &str, key: &str, now: i64, min_fill_secs: i64) -> StampCheck {
        match self.verify(stamp, key) {
            None => StampCheck::Invalid,
            Some(started) if started > now + 60 || now - started > MAX_JOURNEY_SECS => StampCheck::Invalid,
            Some(started) if now - started < min_fill_secs => StampCheck::TooFast,
            Some(_) => StampCheck::Fine,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_verify_for_their_own_journey_only() {
        let s = Stamper::new("secret");
        let key = crate::tokens::new_token();
        let other = crate::tokens::new_token();
        let stamp = s.stamp(1_700_000_000, &key);
        assert_eq!(s.verify(&stamp, &key), Some(1_700_000_000));
        assert_eq!(s.verify(&stamp, &other), None, "one stamp, one journey");
        assert_eq!(s.verify("1700000000.deadbeef", &key), None);
        assert_eq!(Stamper::new("other").verify(&stamp, &key), None);
        let forged = stamp.replacen("1700000000", "1600000000", 1);
        assert_eq!(s.verify(&forged, &key), None);
        assert_eq!(s.verify("", &key), None);
        // Keys the server never issues are refused even with a matching MAC.
        let odd = "k\0ey";
        assert_eq!(s.verify(&s.stamp(1, odd), odd), None);
    }

    #[test]
    fn sealed_answers_open_only_unaltered() {
        let s = Stamper::new("secret");
        let sealed = s.seal(&[("name", "Siân Jones".to_string()), ("step", "about".to_string())]);
        assert!(!sealed.contains("Si"), "nothing typed shows in the address");
        let open = s.open(&sealed).unwrap();
        assert_eq!(
            open,
            vec![("name".to_string(), "Siân Jones".to_string()), ("step".to_string(), "about".to_string())]
        );
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert!(s.open(std::str::from_utf8(&altered).unwrap()).is_none());
        assert!(Stamper::new("other").open(&sealed).is_none());
        assert!(s.open("garbage").is_none());
    }

    #[test]
    fn stamps_have_a_minimum_and_a_maximum_age() {
        let s = Stamper::new("secret");
        let key = crate::tokens::new_token();
        let now = 1_700_000_000;
        assert_eq!(s.check(&s.stamp(now - 10, &key), &key, now, 3), StampCheck::Fine);
        assert_eq!(s.check(&s.stamp(now - 1, &key), &key, now, 3), StampCheck::TooFast);
        assert_eq!(s.check(&s.stamp(now - MAX_JOURNEY_SECS - 1, &key), &key, now, 3), StampCheck::Invalid);
        assert_eq!(s.check(&s.stamp(now + 3600, &key), &key, now, 3), StampCheck::Invalid);
    }
}
