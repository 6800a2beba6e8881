//! `GET /j/<code>`: what happens when someone scans a card. Each page fetch by a
//! person is counted (time, card, batch — nothing about the person), then the panel
//! invitation is shown.
#[cfg(feature = "ssr")]
pub mod recorder;
#[cfg(feature = "ssr")]
pub use handlers::landing;

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
                let page = pages::landing(lang, &state.settings.force_name, &format!("/j/{code}/join"));
                Ok(if chosen { page.remember_lang() } else { page }.into_response())
            }
            other => Ok(card_problem_page(lang, &other)),
        }
    }
}
