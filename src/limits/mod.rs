//! Who is asking, and how often: client identification behind proxies, fixed-window
//! rate limits, the sign-in throttle (growing delays, reserved before the password is
//! checked), and "once per client per window" counting for scans and funnel starts.
//! Client addresses are used only in memory, never stored or logged. Every map here is
//! bounded: keys are fixed-size hashes and old entries are swept.
use std::{
    collections::HashMap,
    hash::{BuildHasher, Hash, Hasher},
    net::{IpAddr, Ipv6Addr, SocketAddr},
    sync::Mutex,
    time::{Duration, Instant},
};

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};

/// Entries kept per limiter before old ones are swept; past this (a flood of distinct
/// clients) the oldest half is dropped, so memory stays bounded whatever arrives.
const MAX_ENTRIES: usize = 100_000;

/// Keeps a limiter's map bounded: when it is full, entries `keep` says are stale go, and
/// if that is not enough (a flood of distinct clients) everything goes.
fn sweep<K, V>(map: &mut HashMap<K, V>, keep: impl FnMut(&K, &mut V) -> bool) {
    if map.len() >= MAX_ENTRIES {
        map.retain(keep);
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
    }
}

/// A key of fixed size for any text (an email address of 60 KB costs 16 bytes).
fn digest(text: &str) -> [u8; 16] {
    let full = Sha256::digest(text.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// The client a request comes from: its IP address, IPv6 clients by their /64 (one
/// household or phone gets a whole /64, and rotating within it must not dodge limits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Client(IpAddr);

impl Client {
    /// The socket peer, or — when `trusted_hops` proxies sit in front — the address the
    /// outermost of our proxies saw: the `trusted_hops`-th `X-Forwarded-For` entry from
    /// the right. Entries further left are written by the client and never trusted.
    pub fn identify(peer: SocketAddr, headers: &HeaderMap, trusted_hops: u8) -> Client {
        let ip = if trusted_hops == 0 {
            peer.ip()
        } else {
            forwarded_hop(headers, trusted_hops as usize).unwrap_or(peer.ip())
        };
        Client(mask(ip))
    }

    pub fn ip(&self) -> IpAddr {
        self.0
    }

    /// A limiter key for this client.
    pub fn key(&self) -> String {
        format!("ip:{}", self.0)
    }
}

/// The `hops`-th address from the right across every `X-Forwarded-For` header.
fn forwarded_hop(headers: &HeaderMap, hops: usize) -> Option<IpAddr> {
    let hops_seen: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let hop = hops_seen.len().checked_sub(hops).map(|i| hops_seen[i])?;
    hop.parse::<IpAddr>().ok().or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

fn mask(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

mod repo;

/// Where a limit shared by several instances (PostgreSQL) is kept: a scope of the
/// `rate_limits` table. Keys are stored as keyed hashes (HMAC-SHA-256 under a key derived
/// from the instances' common secret), so a stored key cannot be turned back into an
/// address or an email address by hashing every candidate; every instance with the same
/// secret derives the same key.
#[derive(Clone)]
pub struct SharedStore {
    db: crate::db::Db,
    scope: &'static str,
    pepper: std::sync::Arc<[u8; 32]>,
}

impl SharedStore {
    pub fn new(db: crate::db::Db, scope: &'static str, secret: &str) -> SharedStore {
        SharedStore { db, scope, pepper: std::sync::Arc::new(pepper(secret)) }
    }

    /// The stored form of `text`.
    fn key(&self, text: &str) -> String {
        keyed(&self.pepper, self.scope, text)
    }
}

fn pepper(secret: &str) -> [u8; 32] {
    Sha256::digest(format!("scrutiny shared limits\n{secret}").as_bytes()).into()
}

/// HMAC-SHA-256 of `text` under `pepper`, for one scope; 32 hex digits.
fn keyed(pepper: &[u8; 32], scope: &str, text: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<Sha256>::new_from_slice(pepper).expect("any key length works");
    mac.update(scope.as_bytes());
    mac.update(b"\n");
    mac.update(text.as_bytes());
    mac.finalize().into_bytes()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Fixed-window counters keyed by client or card code. In memory for one instance; with
/// [`RateLimiter::shared`] (PostgreSQL, several instances) the counts live in the
/// database, so every instance holds the same limit. If the database cannot be reached
/// the in-memory count decides (a limit is never lifted by an outage).
pub struct RateLimiter {
    windows: Mutex<HashMap<[u8; 16], (Instant, u32)>>,
    limit: u32,
    window: Duration,
    shared: Option<SharedStore>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimiter { windows: Mutex::new(HashMap::new()), limit, window, shared: None }
    }

    /// The same limit, kept in the database for every instance.
    pub fn shared(mut self, store: SharedStore) -> Self {
        self.shared = Some(store);
        self
    }

    /// True when `key` has used up its attempts in the current window. Answered here
    /// (it is asked on every card lookup): with a shared limit, each attempt counted in
    /// the database brings this instance's count up to the shared one, so a client
    /// spreading attempts over instances gets at most one more per instance.
    pub fn is_blocked(&self, key: &str) -> bool {
        let map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&digest(key)).is_some_and(|(start, n)| start.elapsed() < self.window && *n >= self.limit)
    }

    /// Counts one attempt for `key`; false when the key is over its limit.
    pub async fn allow(&self, text: &str) -> bool {
        let key = digest(text);
        let here = self.allow_here(key);
        if let Some(store) = &self.shared {
            let scope = store.scope;
            match repo::count(&store.db, scope, &store.key(text), self.window.as_secs() as i64).await {
                Ok(n) => {
                    let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
                    if let Some(entry) = map.get_mut(&key) {
                        entry.1 = entry.1.max(u32::try_from(n).unwrap_or(u32::MAX));
                    }
                    return n <= i64::from(self.limit);
                }
                Err(e) => {
                    tracing::warn!(error = %crate::telemetry::error_text(&e), scope, "shared rate limit unavailable; counting here")
                }
            }
        }
        here
    }

    fn allow_here(&self, key: [u8; 16]) -> bool {
        let now = Instant::now();
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let window = self.window;
        sweep(&mut map, |_, (start, _)| now.duration_since(*start) < window);
        let entry = map.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 <= self.limit
    }

    /// Gives back one attempt counted by [`Self::allow`] (a sign-in that succeeded is not
    /// an attempt to hold against the address).
    pub async fn refund(&self, text: &str) {
        let key = digest(text);
        {
            let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(entry) = map.get_mut(&key) {
                entry.1 = entry.1.saturating_sub(1);
            }
        }
        if let Some(store) = &self.shared {
            if let Err(e) = repo::refund(&store.db, store.scope, &store.key(text)).await {
                tracing::warn!(error = %crate::telemetry::error_text(&e), scope = store.scope, "shared rate limit refund failed");
            }
        }
    }

    pub fn len(&self) -> usize {
        self.windows.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Failed sign-ins per account: a few free attempts, then each further attempt must wait
/// a delay that doubles (1 s, 2 s, 4 s …) up to `max_delay`. An attacker is slowed to one
/// guess per `max_delay`, and a real coordinator is never locked out for longer than
/// that. Attempts are *reserved* before the password is checked, so parallel requests
/// cannot all slip through while the first ones are being verified.
///
/// With several instances on PostgreSQL the failures are kept in the database (`shared`),
/// so an attacker spreading guesses over instances meets the same delays.
pub struct LoginThrottle {
    accounts: Mutex<HashMap<[u8; 16], Failures>>,
    free: u32,
    max_delay: Duration,
    forget_after: Duration,
    shared: Option<SharedStore>,
}

struct Failures {
    count: u32,
    last: Instant,
}

impl LoginThrottle {
    pub fn new(free: u32, max_delay: Duration) -> Self {
        LoginThrottle {
            accounts: Mutex::new(HashMap::new()),
            free,
            max_delay,
            forget_after: Duration::from_secs(15 * 60),
            shared: None,
        }
    }

    /// The same throttle, kept in the database for every instance.
    pub fn shared(mut self, store: SharedStore) -> Self {
        self.shared = Some(store);
        self
    }

    /// How long an account with `count` failures, last tried `idle` ago, must still wait.
    fn must_wait(&self, count: u32, idle: Duration) -> Option<Duration> {
        let wait = self.delay_after(count);
        (count > 0 && idle < wait).then(|| wait - idle)
    }

    /// Reserves one attempt for `account` (counted as a failure until [`Self::succeeded`]);
    /// `Err(wait)` when the account must wait before its next attempt. Shared throttles ask
    /// the database (and count here if it cannot answer).
    pub async fn reserve(&self, account: &str) -> Result<(), Duration> {
        if let Some(store) = &self.shared {
            let scope = store.scope;
            let forget = self.forget_after.max(self.max_delay).as_secs() as i64;
            match repo::reserve_attempt(&store.db, scope, &store.key(account), forget, |count, idle| {
                self.must_wait(count, idle)
            })
            .await
            {
                Ok(None) => return Ok(()),
                Ok(Some(wait)) => return Err(wait),
                Err(e) => {
                    tracing::warn!(error = %crate::telemetry::error_text(&e), scope, "shared sign-in throttle unavailable; counting here")
                }
            }
        }
        self.reserve_here(account)
    }

    /// The password was right: forget the account's failures.
    pub async fn succeeded(&self, account: &str) {
        if let Some(store) = &self.shared {
            if let Err(e) = repo::forget(&store.db, store.scope, &store.key(account)).await {
                tracing::warn!(error = %crate::telemetry::error_text(&e), scope = store.scope, "shared sign-in throttle unavailable");
            }
        }
        self.accounts.lock().unwrap_or_else(|p| p.into_inner()).remove(&digest(account));
    }

    fn delay_after(&self, count: u32) -> Duration {
        if count < self.free {
            return Duration::ZERO;
        }
        let doublings = (count - self.free).min(30);
        Duration::from_secs(1u64 << doublings).min(self.max_delay)
    }

    /// [`Self::reserve`] in this instance's memory.
    fn reserve_here(&self, account: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut map = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        let forget = self.forget_after.max(self.max_delay);
        sweep(&mut map, |_, f| now.duration_since(f.last) < forget);
        let entry = map.entry(digest(account)).or_insert(Failures { count: 0, last: now });
        let idle = now.duration_since(entry.last);
        if idle >= self.forget_after.max(self.max_delay) {
            entry.count = 0;
        }
        if let Some(wait) = self.must_wait(entry.count, idle) {
            return Err(wait);
        }
        entry.count = entry.count.saturating_add(1);
        entry.last = now;
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.accounts.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Remembers (client, thing) pairs for a window, so that a scan or a journey start is
/// counted once per person rather than once per request: reloads, language switches and
/// a script hammering one URL count once. Keyed by a 64-bit hash; bounded.
///
/// With several instances ([`OncePerWindow::shared`]) a pair first seen here may have been
/// seen by another instance (a proxy sends a person's reload elsewhere): [`Self::everywhere`]
/// gives the check to make against the database, off the request's path.
pub struct OncePerWindow {
    seen: Mutex<HashMap<u64, Instant>>,
    window: Duration,
    hasher: std::collections::hash_map::RandomState,
    shared: Option<SharedStore>,
}

/// The database's half of a [`OncePerWindow`] check, made later (when scans are written).
pub struct SharedOnce {
    store: SharedStore,
    key: String,
    window_secs: i64,
}

impl SharedOnce {
    /// True when no instance has seen the pair in the window (it is now seen). If the
    /// database cannot answer, true: a count is never dropped for an outage.
    pub async fn first(&self) -> bool {
        match repo::count(&self.store.db, self.store.scope, &self.key, self.window_secs).await {
            Ok(n) => n == 1,
            Err(e) => {
                tracing::warn!(error = %crate::telemetry::error_text(&e), scope = self.store.scope, "shared once-per-window unavailable");
                true
            }
        }
    }
}

impl OncePerWindow {
    pub fn new(window: Duration) -> Self {
        OncePerWindow { seen: Mutex::new(HashMap::new()), window, hasher: Default::default(), shared: None }
    }

    /// The same rule across every instance (PostgreSQL).
    pub fn shared(mut self, store: SharedStore) -> Self {
        self.shared = Some(store);
        self
    }

    /// [`Self::first`] here and then, with several instances, in the database (for a
    /// request that writes to the database anyway).
    pub async fn first_everywhere(&self, client: &Client, what: &str) -> bool {
        if !self.first(client, what) {
            return false;
        }
        match self.everywhere(client, what) {
            Some(once) => once.first().await,
            None => true,
        }
    }

    /// For a pair [`Self::first`] let through: the check other instances share, if any.
    pub fn everywhere(&self, client: &Client, what: &str) -> Option<SharedOnce> {
        let store = self.shared.clone()?;
        let key = store.key(&format!("{}\n{what}", client.key()));
        Some(SharedOnce { store, key, window_secs: self.window.as_secs() as i64 })
    }

    /// True the first time `client` does `what` in the window.
    pub fn first(&self, client: &Client, what: &str) -> bool {
        let mut h = self.hasher.build_hasher();
        client.hash(&mut h);
        what.hash(&mut h);
        let key = h.finish();
        let now = Instant::now();
        let mut map = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let window = self.window;
        sweep(&mut map, |_, at| now.duration_since(*at) < window);
        match map.get_mut(&key) {
            Some(at) if now.duration_since(*at) < self.window => false,
            Some(at) => {
                *at = now;
                true
            }
            None => {
                map.insert(key, now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_keys_are_keyed_hashes_every_instance_derives_alike() {
        let (one, other) = (pepper("the force's secret"), pepper("another secret"));
        let key = keyed(&one, "card_miss", "ip:10.1.2.3");
        assert_eq!(key.len(), 32);
        assert!(key.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(key, keyed(&pepper("the force's secret"), "card_miss", "ip:10.1.2.3"), "same secret, same key");
        assert_ne!(key, keyed(&other, "card_miss", "ip:10.1.2.3"), "the secret is in the key");
        assert_ne!(key, keyed(&one, "signup", "ip:10.1.2.3"), "scopes do not share keys");
        let unkeyed: String = Sha256::digest(b"ip:10.1.2.3")[..16].iter().map(|b| format!("{b:02x}")).collect();
        assert_ne!(key, unkeyed, "not a plain hash anyone can recompute");
    }

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn limits_apply_per_key_and_reset_after_the_window() {
        let r = RateLimiter::new(2, Duration::from_millis(50));
        let (a, b) = (digest("a"), digest("b"));
        assert!(r.allow_here(a) && r.allow_here(a));
        assert!(!r.allow_here(a));
        assert!(r.allow_here(b));
        std::thread::sleep(Duration::from_millis(60));
        assert!(r.allow_here(a));
    }

    #[tokio::test]
    async fn huge_keys_cost_a_fixed_size() {
        let r = RateLimiter::new(1, Duration::from_secs(60));
        let big = "x".repeat(60_000);
        assert!(r.allow(&big).await);
        assert!(!r.allow(&big).await);
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn forwarded_for_is_trusted_from_the_right_only() {
        let peer: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        // The client wrote 1.2.3.4 itself; our proxy appended 203.0.113.9.
        let h = headers(&["1.2.3.4, 203.0.113.9"]);
        assert_eq!(Client::identify(peer, &h, 0).key(), "ip:10.0.0.1");
        assert_eq!(Client::identify(peer, &h, 1).key(), "ip:203.0.113.9");
        assert_eq!(Client::identify(peer, &h, 2).key(), "ip:1.2.3.4");
        // Rotating the spoofed part changes nothing.
        let h2 = headers(&["9.9.9.9, 203.0.113.9"]);
        assert_eq!(Client::identify(peer, &h2, 1), Client::identify(peer, &h, 1));
        // Two headers count as one list, in order.
        let h3 = headers(&["1.2.3.4", "203.0.113.9"]);
        assert_eq!(Client::identify(peer, &h3, 1).key(), "ip:203.0.113.9");
        // Fewer hops than trusted proxies, or garbage: the socket peer.
        assert_eq!(Client::identify(peer, &headers(&["203.0.113.9"]), 2).key(), "ip:10.0.0.1");
        assert_eq!(Client::identify(peer, &headers(&["nonsense"]), 1).key(), "ip:10.0.0.1");
        assert_eq!(Client::identify(peer, &HeaderMap::new(), 1).key(), "ip:10.0.0.1");
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let a: SocketAddr = "[2001:db8:1:2:aaaa::1]:5000".parse().unwrap();
        let b: SocketAddr = "[2001:db8:1:2:bbbb::9]:5000".parse().unwrap();
        let c: SocketAddr = "[2001:db8:1:3::1]:5000".parse().unwrap();
        let none = HeaderMap::new();
        assert_eq!(Client::identify(a, &none, 0), Client::identify(b, &none, 0));
        assert_ne!(Client::identify(a, &none, 0), Client::identify(c, &none, 0));
        let mapped: SocketAddr = "[::ffff:192.0.2.7]:1".parse().unwrap();
        assert_eq!(Client::identify(mapped, &none, 0).key(), "ip:192.0.2.7");
    }

    #[tokio::test]
    async fn sign_in_delays_grow_and_are_reserved_before_checking() {
        let t = LoginThrottle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(t.reserve("a").await.is_ok());
        }
        // The fourth must wait about a second after the third.
        let wait = t.reserve("a").await.unwrap_err();
        assert!(wait <= Duration::from_secs(1) && wait > Duration::from_millis(500), "{wait:?}");
        assert!(t.reserve("b").await.is_ok(), "other accounts are not affected");
        t.succeeded("a").await;
        assert!(t.reserve("a").await.is_ok());
        assert_eq!(t.delay_after(3), Duration::from_secs(1));
        assert_eq!(t.delay_after(5), Duration::from_secs(4));
        assert_eq!(t.delay_after(40), Duration::from_secs(60), "capped: never locked out for long");
    }

    #[test]
    fn once_per_window_counts_a_client_once() {
        let once = OncePerWindow::new(Duration::from_millis(50));
        let peer: SocketAddr = "10.0.0.1:1".parse().unwrap();
        let other: SocketAddr = "10.0.0.2:1".parse().unwrap();
        let a = Client::identify(peer, &HeaderMap::new(), 0);
        let b = Client::identify(other, &HeaderMap::new(), 0);
        assert!(once.first(&a, "card:X"));
        assert!(!once.first(&a, "card:X"));
        assert!(once.first(&a, "card:Y"));
        assert!(once.first(&b, "card:X"));
        std::thread::sleep(Duration::from_millis(60));
        assert!(once.first(&a, "card:X"));
    }
}
