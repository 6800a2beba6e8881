//! Security headers on every response. Pages that need a different policy (the
//! dashboard with its nonce, public pages with inline CSS) set their own
//! Content-Security-Policy, which this layer leaves alone.
use axum::{extract::Request, http::HeaderValue, middleware::Next, response::Response};
use http::header;

/// Default policy: nothing executes, nothing loads except our own images and styles.
pub const DEFAULT_CSP: &str = "default-src 'none'; img-src 'self' data:; style-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Public pages: inline styles with a per-response nonce, no scripts at all.
pub fn public_csp(nonce: &str) -> String {
    format!(
        "default-src 'none'; img-src 'self' data:; style-src 'nonce-{nonce}'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
}

/// Dashboard pages: our own scripts and wasm, and the inline island loader by nonce.
pub fn dashboard_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
}

pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let defaults: [(header::HeaderName, &str); 7] = [
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
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}
