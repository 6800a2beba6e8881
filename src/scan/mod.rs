//! `GET /j/<code>`: what happens when someone scans a card. Each page fetch by a
//! person is counted (time, card, batch — nothing about the person), then the panel
//! invitation is shown.
#[cfg(feature = "ssr")]
pub mod recorder;
#[cfg(feature = "ssr")]
pub use handlers::{landing, LandingPages};

#[cfg(feature = "ssr")]
mod handlers {
    use std::net::SocketAddr;

    use axum::{
        extract::{ConnectInfo, Path, Query, State},
        http::{HeaderMap, Method},
        response::{IntoResponse, Response},
    };

    use crate::{
        error::AppError,
        public::{request_lang, LangQuery},
        signup::{
            guard::client_key,
            handlers::{card, card_problem_page, Card},
            pages,
        },
        startup::AppState,
    };

    /// The landing page differs between cards only in the join link, so each language's
    /// body is rendered once (the busiest page: every scan) and the code put in per request.
    #[derive(Default)]
    pub struct LandingPages {
        bodies: std::sync::OnceLock<Vec<(crate::i18n::Lang, String)>>,
    }

    const CODE_SLOT: &str = "CARDCODESLOT";

    impl LandingPages {
        pub fn page(&self, lang: crate::i18n::Lang, force: &str, code: &str) -> crate::public::PublicPage {
            let bodies = self.bodies.get_or_init(|| {
                crate::i18n::Lang::ALL
                    .into_iter()
                    .map(|l| (l, pages::landing(l, force, &format!("/j/{CODE_SLOT}/join")).body))
                    .collect()
            });
            let mut page = pages::landing_shell(lang);
            if let Some((_, body)) = bodies.iter().find(|(l, _)| *l == lang) {
                page.body = body.replace(CODE_SLOT, code);
            }
            page
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
        let (lang, chosen) = request_lang(q.lang.as_deref(), &headers);
        let client = client_key(peer, &headers, state.settings.trust_proxy);
        match card(&state, &raw, &client).await? {
            Card::Valid { code, batch_id } => {
                // Switching language reloads the page: count the scan only once.
                if method == Method::GET && !is_prefetch(&headers) && q.lang.is_none() {
                    state.scans.record(code.as_str(), batch_id).await;
                }
                let page = state.landing_pages.page(lang, &state.settings.force_name, code.as_str());
                Ok(if chosen { page.remember_lang() } else { page }.into_response())
            }
            other => Ok(card_problem_page(lang, &other)),
        }
    }
}
