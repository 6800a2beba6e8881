//! Request counts for `GET /metrics` and the request log: by route template (never the URL, which can carry
//! card codes and tokens) and status. Counting takes one uncontended lock per request
//! and allocates only the first time a route and status are seen.
use std::collections::HashMap;
use std::sync::Mutex;

use axum::{
    extract::{MatchedPath, Request, State},
    http::Method,
    middleware::Next,
    response::Response,
};

#[derive(Default)]
pub struct RequestCounts {
    by_route: Mutex<HashMap<String, HashMap<u16, u64>>>,
}

impl RequestCounts {
    pub fn count(&self, route: &str, status: u16) {
        let mut map = self.by_route.lock().unwrap_or_else(|e| e.into_inner());
        match map.get_mut(route) {
            Some(statuses) => *statuses.entry(status).or_default() += 1,
            None => {
                map.insert(route.to_string(), HashMap::from([(status, 1)]));
            }
        }
    }

    /// (route, status, count), sorted.
    pub fn snapshot(&self) -> Vec<(String, u16, u64)> {
        let map = self.by_route.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<(String, u16, u64)> =
            map.iter().flat_map(|(r, s)| s.iter().map(move |(code, n)| (r.clone(), *code, *n))).collect();
        out.sort();
        out
    }
}

/// Middleware: counts each answered request under its route template, and logs it as one
/// line (`request method=GET route=/j/{code} status=200 latency_ms=0.21`; a 5xx at error
/// level). The route template, never the URL: URLs can carry card codes and tokens.
///
/// One event, no span: a span per request (tower-http's TraceLayer) formatted and stored
/// its fields, was entered at each poll and closed again, and with the line it logged cost
/// the card landing page about a fifth of its requests a second (`benches/landing.sh`).
pub async fn record_request(
    State(counts): State<std::sync::Arc<RequestCounts>>,
    request: Request,
    next: Next,
) -> Response {
    let started = std::time::Instant::now();
    let route = request.extensions().get::<MatchedPath>().cloned();
    // The standard methods by name; any other is text the requester chose (it reached the
    // log verbatim, a card code or 390 kB of it): not shown.
    let method = match *request.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "(other)",
    };
    let response = next.run(request).await;
    let route = route.as_ref().map_or("(unmatched)", |p| p.as_str());
    let status = response.status().as_u16();
    counts.count(route, status);
    let latency_ms = started.elapsed().as_micros() as f64 / 1000.0;
    if status >= 500 {
        tracing::error!(method = %method, route, status, latency_ms, "request");
    } else {
        tracing::info!(method = %method, route, status, latency_ms, "request");
    }
    response
}

/// A label value in the Prometheus text format (backslash, quote and newline escaped).
pub fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_route_and_status() {
        let c = RequestCounts::default();
        c.count("/j/{code}", 200);
        c.count("/j/{code}", 200);
        c.count("/j/{code}", 404);
        c.count("/health", 200);
        assert_eq!(
            c.snapshot(),
            [("/health".into(), 200, 1), ("/j/{code}".into(), 200, 2), ("/j/{code}".into(), 404, 1)]
        );
        assert_eq!(label("a\"b\\c"), "a\\\"b\\\\c");
    }
}
