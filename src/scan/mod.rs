//! `GET /j/<code>`: what happens when someone scans a card. Each page fetch by a
//! person is counted (time, card, batch — nothing about the person), then the panel
//! invitation is shown.
#[cfg(feature = "ssr")]
mod gzip;
#[cfg(feature = "ssr")]
mod recorder;
#[cfg(feature = "ssr")]
mod repo;
#[cfg(feature = "ssr")]
pub use handlers::landing;

/// Puts the scan recorder and the prerendered landing pages in the state (startup).
#[cfg(feature = "ssr")]
pub fn install(db: &crate::db::Db, services: &mut http::Extensions) {
    services.insert(recorder::ScanRecorder::spawn(db.clone()));
    services.insert(std::sync::Arc::new(handlers::LandingPages::default()));
}

#[cfg(feature = "ssr")]
fn recorder(state: &crate::state::AppState) -> &recorder::ScanRecorder {
    state.service::<recorder::ScanRecorder>().expect("scan::install runs at startup")
}

#[cfg(feature = "ssr")]
fn landing_pages(state: &crate::state::AppState) -> &handlers::LandingPages {
    state.service::<std::sync::Arc<handlers::LandingPages>>().expect("scan::install runs at startup")
}

/// Waits until every scan counted so far is written (shutdown, tests).
#[cfg(feature = "ssr")]
pub async fn flush(state: &crate::state::AppState) {
    recorder(state).flush().await;
}

#[cfg(feature = "ssr")]
mod handlers {
    use std::net::SocketAddr;

    use axum::{
        extract::{ConnectInfo, Path, Query, State},
        http::{HeaderMap, Method},
        response::Response,
    };

    use super::{landing_pages, recorder};
    use crate::{
        cards::{card, Card},
        error::AppError,
        limits::Client,
        public::{request_lang, LangQuery},
        signup::card_problem_page,
        state::AppState,
    };

    /// The landing page differs between cards only in the join link, so each language's
    /// whole document is rendered once (the busiest page: every scan), cut where the card
    /// code goes, and put together around the code per request.
    #[derive(Default)]
    pub struct LandingPages {
        documents: std::sync::OnceLock<Vec<(crate::i18n::Lang, super::gzip::Pieces)>>,
    }

    const CODE_SLOT: &str = "CARDCODESLOT";

    impl LandingPages {
        /// The page for `code`, gzipped from its precompressed pieces when the client
        /// takes gzip.
        pub fn page(
            &self,
            lang: crate::i18n::Lang,
            force: &str,
            facts: crate::config::PanelFacts,
            code: &str,
            remember_lang: bool,
            gzip: bool,
        ) -> Response {
            let documents = self.documents.get_or_init(|| {
                crate::i18n::Lang::ALL
                    .into_iter()
                    .map(|l| {
                        let html = crate::signup::landing(l, force, &format!("/j/{CODE_SLOT}/join"), facts).html();
                        (l, super::gzip::Pieces::new(html.split(CODE_SLOT).map(str::to_owned).collect()))
                    })
                    .collect()
            });
            let Some((_, pieces)) = documents.iter().find(|(l, _)| *l == lang) else {
                return crate::public::public_response(http::StatusCode::OK, String::new(), lang, remember_lang);
            };
            if !gzip {
                return crate::public::public_response(http::StatusCode::OK, pieces.plain(code), lang, remember_lang);
            }
            let mut response = crate::public::public_response(http::StatusCode::OK, String::new(), lang, remember_lang);
            *response.body_mut() = axum::body::Body::from(pieces.gzip(code));
            let headers = response.headers_mut();
            headers.insert(http::header::CONTENT_ENCODING, http::HeaderValue::from_static("gzip"));
            headers.insert(http::header::VARY, http::HeaderValue::from_static("accept-encoding"));
            headers.remove(http::header::CONTENT_LENGTH);
            response
        }
    }

    /// Browsers and messaging apps prefetch links; those are not people scanning.
    fn is_prefetch(headers: &HeaderMap) -> bool {
        ["sec-purpose", "purpose", "x-purpose", "x-moz"].iter().any(|h| {
            headers
                .get(*h)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("prefetch") || v.contains("preview"))
        })
    }

    pub async fn landing(
        State(state): State<AppState>,
        ConnectInfo(peer): ConnectInfo<SocketAddr>,
        method: Method,
        headers: HeaderMap,
        Path(raw): Path<String>,
        Query(q): Query<LangQuery>,
    ) -> Result<Response, AppError> {
        let (lang, chosen) = request_lang(q.lang.as_deref(), &headers, state.settings.default_language);
        let client = Client::identify(peer, &headers, state.settings.trust_proxy);
        match card(&state, &raw, &client).await? {
            Card::Valid { code, batch_id } => {
                // A scan is a person: reloads, language switches and repeated requests
                // from one client count once per card per half hour.
                if method == Method::GET
                    && !is_prefetch(&headers)
                    && q.lang.is_none()
                    && state.counted_once.first(&client, code.as_str())
                {
                    let once = state.counted_once.everywhere(&client, code.as_str());
                    recorder(&state).record(code.as_str(), batch_id, once).await;
                }
                Ok(landing_pages(&state).page(
                    lang,
                    &state.settings.force_name,
                    state.settings.panel,
                    code.as_str(),
                    chosen,
                    crate::respond::accepts_gzip(
                        headers.get(http::header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()),
                    ),
                ))
            }
            other => Ok(card_problem_page(lang, &other)),
        }
    }
}
