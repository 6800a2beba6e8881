//! The public shell: pages for people holding a card. Rendered on the server from
//! Leptos views to plain HTML, with the CSS inlined (one request, nothing else to
//! fetch) and no scripts, so they work on any phone with JavaScript off.
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
};
use leptos::{prelude::*, tachys::view::RenderHtml};

/// Small by design: the first visit to a public page must stay under 14 KB.
pub const PUBLIC_CSS: &str = include_str!("../../style/public.css");

/// A rendered public page, ready to send.
pub struct PublicPage {
    pub status: StatusCode,
    pub title: String,
    pub body: String,
}

impl PublicPage {
    pub fn new(title: impl Into<String>, body: impl IntoView + 'static) -> Self {
        PublicPage { status: StatusCode::OK, title: title.into(), body: render(body) }
    }

    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
}

/// Renders a view to an HTML fragment outside any router.
pub fn render(view: impl IntoView + 'static) -> String {
    let owner = Owner::new();
    owner.with(|| view.into_view().to_html())
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

impl IntoResponse for PublicPage {
    fn into_response(self) -> Response {
        let nonce = leptos::nonce::Nonce::new();
        let nonce = nonce.as_inner();
        let html = format!(
            "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title} – Community Scrutiny Panel</title>\
             <style nonce=\"{nonce}\">{css}</style></head><body>\
             <a class=\"skip\" href=\"#main\">Skip to main content</a>\
             <header class=\"top\"><span class=\"brand\">Community Scrutiny Panel</span></header>\
             <main id=\"main\">{body}</main>\
             <footer><a href=\"/privacy\">Privacy</a></footer></body></html>",
            title = html_escape(&self.title),
            css = PUBLIC_CSS,
            body = self.body,
        );
        let mut response = (self.status, Html(html)).into_response();
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&crate::security::public_csp(nonce)).expect("nonce is ascii"),
        );
        response
    }
}

/// The page shown for an [`AppError`](crate::error::AppError).
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let heading = match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::TOO_MANY_REQUESTS => "Please wait a moment",
        s if s.is_server_error() => "Sorry, there is a problem with the service",
        _ => "There is a problem",
    };
    let message = message.to_string();
    PublicPage::new(heading, view! {
        <h1>{heading}</h1>
        <p>{message}</p>
        <p><a href="/">"Go to the start page"</a></p>
    })
    .with_status(status)
    .into_response()
}

/// `GET /`: what this site is, for anyone who arrives without a card.
pub async fn home() -> PublicPage {
    PublicPage::new("Have your say on stop and search", view! {
        <h1>"Have your say on stop and search"</h1>
        <p>
            "Our community scrutiny panel is a group of local volunteers, independent of the police, "
            "who review how stop and search is used and tell the force what they find."
        </p>
        <p>
            "If you have been stopped and searched and were given a card, scan the QR code on it "
            "or type the web address printed on the card to find out more and join."
        </p>
    })
}

/// Fallback for unknown addresses.
pub async fn not_found() -> Response {
    error_page(StatusCode::NOT_FOUND, "Check the address is typed correctly.")
}
