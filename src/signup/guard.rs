//! Protection without third-party CAPTCHAs: signed start times (a minimum fill time),
//! a honeypot field, and rate limits per client and per card code. Client addresses
//! are used only in memory for the limits, never stored or logged.
use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::Mutex,
    time::{Duration, Instant},
};

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Fixed-window counters keyed by client or card code.
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
    limit: u32,
    window: Duration,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimiter { windows: Mutex::new(HashMap::new()), limit, window }
    }

    /// True when `key` has used up its attempts in the current window.
    pub fn is_blocked(&self, key: &str) -> bool {
        let map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key).is_some_and(|(start, n)| start.elapsed() < self.window && *n >= self.limit)
    }

    /// Forgets `key` (after a successful login, for example).
    pub fn reset(&self, key: &str) {
        self.windows.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }

    /// Counts one attempt for `key`; false when the key is over its limit.
    pub fn allow(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 50_000 {
            let window = self.window;
            map.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = map.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.limit
    }
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop when the
/// deployment says a trusted proxy sits in front.
pub fn client_key(peer: SocketAddr, headers: &HeaderMap, trust_proxy: bool) -> String {
    if trust_proxy {
        if let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
        {
            return format!("ip:{ip}");
        }
    }
    format!("ip:{}", peer.ip())
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

    fn mac(&self, payload: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length works");
        mac.update(payload.as_bytes());
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn stamp(&self, unix: i64) -> String {
        format!("{unix}.{}", self.mac(&unix.to_string()))
    }

    /// The signed start time, or None when the stamp is missing or forged.
    pub fn verify(&self, stamp: &str) -> Option<i64> {
        let (time, sig) = stamp.split_once('.')?;
        let expected = self.mac(time);
        // Constant-time comparison of the hex strings.
        let same = expected.len() == sig.len()
            && expected.bytes().zip(sig.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        same.then(|| time.parse().ok()).flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_verify_and_forgeries_do_not() {
        let s = Stamper::new("secret");
        let stamp = s.stamp(1_700_000_000);
        assert_eq!(s.verify(&stamp), Some(1_700_000_000));
        assert_eq!(s.verify("1700000000.deadbeef"), None);
        assert_eq!(Stamper::new("other").verify(&stamp), None);
        let forged = stamp.replacen("1700000000", "1600000000", 1);
        assert_eq!(s.verify(&forged), None);
        assert_eq!(s.verify(""), None);
    }

    #[test]
    fn limits_apply_per_key_and_reset_after_the_window() {
        let r = RateLimiter::new(2, Duration::from_millis(50));
        assert!(r.allow("a") && r.allow("a"));
        assert!(!r.allow("a"));
        assert!(r.allow("b"));
        std::thread::sleep(Duration::from_millis(60));
        assert!(r.allow("a"));
    }

    #[test]
    fn proxy_header_only_when_trusted() {
        let peer: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "203.0.113.9, 10.0.0.1".parse().unwrap());
        assert_eq!(client_key(peer, &h, false), "ip:10.0.0.1");
        assert_eq!(client_key(peer, &h, true), "ip:203.0.113.9");
    }
}
