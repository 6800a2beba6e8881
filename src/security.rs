//! Security headers on every response. Pages that need a different policy (the
//! dashboard with its nonce, public pages with inline CSS) set their own
//! Content-Security-Policy, which this layer leaves alone.
use axum::{http::HeaderValue, response::Response};
use http::header;

/// Default policy: nothing executes, nothing loads except our own images and styles.
pub const DEFAULT_CSP: &str = "default-src 'none'; img-src 'self' data:; style-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Dashboard pages: our own scripts and wasm, and the inline island loader by nonce.
pub fn dashboard_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
}

/// Adds the default security headers a response does not set itself. A plain
/// function over the response (no per-request future or allocation): it runs on every
/// request, including the busiest public page.
pub fn add_security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let defaults: [(header::HeaderName, &'static str); 7] = [
        (header::CONTENT_SECURITY_POLICY, DEFAULT_CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        // Card codes are in our URLs: never leak them to other sites. (Not "no-referrer":
        // that makes browsers send `Origin: null` on our own form posts, which the CSRF
        // check must refuse.)
        (header::REFERRER_POLICY, "same-origin"),
        (header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"),
        (
            header::HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        ),
        (header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
    ];
    for (name, value) in defaults {
        if let header::Entry::Vacant(slot) = headers.entry(name) {
            slot.insert(HeaderValue::from_static(value));
        }
    }
    response
}

/// The layer that applies `add_security_headers` to every response.
pub fn security_headers() -> tower::util::MapResponseLayer<fn(Response) -> Response> {
    tower::util::MapResponseLayer::new(add_security_headers as fn(Response) -> Response)
}
