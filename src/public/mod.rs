//! The public shell: pages for people holding a card. Rendered on the server from
//! Leptos views to plain HTML, with the CSS inlined (one request, nothing else to
//! fetch) and no scripts, so they work on any phone with JavaScript off.
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
};
use leptos::{prelude::*, tachys::view::RenderHtml};

use crate::i18n::{t, Lang};

/// Small by design: the first visit to a public page must stay under 14 KB.
pub const PUBLIC_CSS: &str = include_str!("../../style/public.css");

/// How the language switcher works on a page.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Switcher {
    /// Links to `?lang=xx` (pages reached by GET).
    Links,
    /// Buttons that re-post the question form (id `signup`) in another language,
    /// so nothing typed is lost.
    Form,
    /// English-only pages (staff sign-in).
    None,
}

/// A rendered public page, ready to send.
pub struct PublicPage {
    pub lang: Lang,
    pub status: StatusCode,
    pub title: String,
    pub body: String,
    pub switcher: Switcher,
    pub set_lang_cookie: bool,
}

impl PublicPage {
    /// A page from HTML already escaped by the caller.
    pub fn raw(lang: Lang, title: impl Into<String>, body_html: String) -> Self {
        PublicPage {
            lang,
            status: StatusCode::OK,
            title: title.into(),
            body: body_html,
            switcher: Switcher::Links,
            set_lang_cookie: false,
        }
    }

    pub fn new(lang: Lang, title: impl Into<String>, body: impl IntoView + 'static) -> Self {
        PublicPage {
            lang,
            status: StatusCode::OK,
            title: title.into(),
            body: render(body),
            switcher: Switcher::Links,
            set_lang_cookie: false,
        }
    }

    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub fn with_switcher(mut self, switcher: Switcher) -> Self {
        self.switcher = switcher;
        self
    }

    /// Remember the language chosen with `?lang=` (a functional cookie, nothing else).
    pub fn remember_lang(mut self) -> Self {
        self.set_lang_cookie = true;
        self
    }
}

/// Renders a view to an HTML fragment outside any router.
pub fn render(view: impl IntoView + 'static) -> String {
    let owner = Owner::new();
    owner.with(|| view.into_view().to_html())
}

/// Text for HTML written by hand (attribute values included).
pub fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn switcher_html(current: Lang, switcher: Switcher) -> String {
    if switcher == Switcher::None {
        return String::new();
    }
    let mut html = format!("<nav class=\"langs\" aria-label=\"{}\"><ul>", html_escape(t(current, "nav.languages")));
    for lang in Lang::ALL {
        let name = lang.native_name();
        let code = lang.code();
        if lang == current {
            html.push_str(&format!("<li><span aria-current=\"true\" lang=\"{code}\">{name}</span></li>"));
        } else if switcher == Switcher::Form {
            html.push_str(&format!(
                "<li><button type=\"submit\" form=\"signup\" name=\"switch_lang\" value=\"{code}\" lang=\"{code}\" class=\"link-button\">{name}</button></li>"
            ));
        } else {
            html.push_str(&format!("<li><a href=\"?lang={code}\" lang=\"{code}\" hreflang=\"{code}\">{name}</a></li>"));
        }
    }
    html.push_str("</ul></nav>");
    html
}

/// Pressing Enter (a phone's Go key) in a field submits a form with its *first* submit
/// button in document order, which on a question page was the language switch in the
/// header, or Back. This invisible button comes before both and does what the page's
/// main button does.
fn default_button(lang: Lang, switcher: Switcher) -> String {
    if switcher != Switcher::Form {
        return String::new();
    }
    format!(
        "<button type=\"submit\" form=\"signup\" name=\"action\" value=\"continue\" class=\"visually-hidden\" \
         tabindex=\"-1\" aria-hidden=\"true\">{}</button>",
        html_escape(t(lang, "form.continue"))
    )
}

impl PublicPage {
    /// The whole document. The same for everyone who gets this page: no per-response
    /// parts (the stylesheet is allowed by hash, see [`public_csp`]).
    pub fn html(&self) -> String {
        let lang = self.lang;
        let code = lang.code();
        format!(
            "<!DOCTYPE html><html lang=\"{html_lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <link rel=\"icon\" href=\"data:,\"><title>{title} – {site}</title>\
             <style>{css}</style></head><body>\
             <a class=\"skip\" href=\"#main\">{skip}</a>\
             <header class=\"top\"><a class=\"brand\" href=\"/?lang={code}\">{site}</a></header>\
             {default_button}{switcher}<main id=\"main\">{body}</main>\
             <footer><ul><li><a href=\"/privacy?lang={code}\">{privacy}</a></li>\
             <li><a href=\"/rights?lang={code}\">{rights}</a></li>\
             <li><a href=\"/accessibility?lang={code}\">{a11y}</a></li></ul></footer></body></html>",
            html_lang = lang.html_lang(),
            dir = lang.dir(),
            title = html_escape(&self.title),
            site = html_escape(t(lang, "site.name")),
            skip = html_escape(t(lang, "nav.skip")),
            privacy = html_escape(t(lang, "privacy.title")),
            rights = html_escape(t(lang, "rights.link")),
            a11y = html_escape(t(lang, "a11y.link")),
            switcher = switcher_html(lang, self.switcher),
            default_button = default_button(lang, self.switcher),
            css = PUBLIC_CSS,
            body = self.body,
        )
    }
}

/// Public pages: no scripts at all, and only the one inline stylesheet, allowed by its
/// SHA-256 hash. A hash (not a per-response nonce) keeps every public page identical for
/// everyone, so the busiest ones are rendered once and served as bytes.
pub fn public_csp() -> HeaderValue {
    static CSP: std::sync::LazyLock<HeaderValue> = std::sync::LazyLock::new(|| {
        use base64::Engine;
        use sha2::Digest;
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(PUBLIC_CSS));
        HeaderValue::from_str(&format!(
            "default-src 'none'; img-src 'self' data:; style-src 'sha256-{hash}'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        ))
        .expect("base64 is ascii")
    });
    CSP.clone()
}

/// A public page's response around its HTML: status, the public CSP, never cached in
/// shared caches (answers can appear on these pages), and the language cookie when
/// `?lang=` chose the language (a functional cookie, nothing else).
pub fn public_response(status: StatusCode, html: String, lang: Lang, set_lang_cookie: bool) -> Response {
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, public_csp());
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if set_lang_cookie {
        let cookie = format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly", lang.code());
        headers.insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("ascii"));
    }
    response
}

impl IntoResponse for PublicPage {
    fn into_response(self) -> Response {
        public_response(self.status, self.html(), self.lang, self.set_lang_cookie)
    }
}

/// The language for a GET request: `?lang=`, then the `lang` cookie, then the browser's
/// Accept-Language, then the force's default (`SCRUTINY_DEFAULT_LANGUAGE`). A browser
/// that only says English gets the default: in Wales most phones are set to English,
/// and the Welsh Language Standards ask for Welsh first. The bool says whether `?lang=`
/// chose it.
pub fn request_lang(query_lang: Option<&str>, headers: &axum::http::HeaderMap, default: Lang) -> (Lang, bool) {
    if let Some(lang) = query_lang.and_then(Lang::parse) {
        return (lang, true);
    }
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("lang=").and_then(Lang::parse));
    if let Some(lang) = cookie {
        return (lang, false);
    }
    let accept =
        headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language);
    (accept.filter(|&l| l != Lang::En).unwrap_or(default), false)
}

/// Control characters other than line breaks and tabs: never part of text a person
/// means to enter (and PostgreSQL refuses NUL in text).
pub fn has_control_chars(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// The fields of a plain HTML form post, in order, repeated names kept (checkboxes).
/// A body that is not `application/x-www-form-urlencoded` becomes an empty form, which
/// then gets the usual "please answer" messages.
pub fn form_pairs(body: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(body).unwrap_or_default()
}

/// The first value of `name` in a form, or "".
pub fn form_field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// Every value of `name` in a form (checkboxes, multi-selects).
pub fn form_fields<'a>(pairs: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    pairs.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[derive(serde::Deserialize, Default)]
pub struct LangQuery {
    pub lang: Option<String>,
}

/// The page shown for an [`AppError`](crate::error::AppError) (English: errors reach
/// this point only outside the translated journey).
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let heading = match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::TOO_MANY_REQUESTS => "Please wait a moment",
        s if s.is_server_error() => "Sorry, there is a problem with the service",
        _ => "There is a problem",
    };
    let message = message.to_string();
    PublicPage::new(
        Lang::En,
        heading,
        view! {
            <h1>{heading}</h1>
            <p>{message}</p>
            <p><a href="/">"Go to the start page"</a></p>
        },
    )
    .with_status(status)
    .into_response()
}

/// Fallback for unknown addresses.
pub async fn not_found() -> Response {
    error_page(StatusCode::NOT_FOUND, "Check the address is typed correctly.")
}
