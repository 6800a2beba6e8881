//! The errors users may see, built at the edge from the errors inside.
//!
//! - [`AppError`] (server): what a handler answers. Each variant carries only text that
//!   is safe to show; an internal cause (a [`crate::db::DbError`] with the place it
//!   happened, an I/O error) rides along and is logged once, with its chain, when the
//!   response is made — never sent out.
//! - [`ApiError`] (server and browser): what a server function answers, so `?` works on
//!   repositories' and `AppError`s in a `#[server]` function, and the dashboard shows
//!   the safe message.
#[cfg(feature = "ssr")]
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use leptos::{
    prelude::{FromServerFnError, ServerFnErrorErr},
    server_fn::codec::JsonEncoding,
};
use serde::{Deserialize, Serialize};

/// A server function's error, as the browser receives it (JSON). Only safe text: the
/// message of an [`AppError`] and the status it was answered with, or Leptos's own
/// report of a request that failed before the function ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    /// A message safe to show, and its HTTP status.
    #[error("{message}")]
    Shown { status: u16, message: String },
    /// The request itself failed (arguments that do not parse, a lost connection).
    #[error("{0}")]
    Request(ServerFnErrorErr),
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        ApiError::Request(value)
    }
}

impl ApiError {
    /// Arguments the server function could not read (answered 400, not 500).
    pub fn is_bad_arguments(&self) -> bool {
        matches!(self, ApiError::Request(ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_)))
    }
}

/// At the edge: log an internal cause once, set the response status, keep the safe part.
#[cfg(feature = "ssr")]
impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        e.log();
        let status = e.status().as_u16();
        crate::respond::set_response_status(status);
        ApiError::Shown { status, message: e.to_string() }
    }
}

#[cfg(feature = "ssr")]
impl From<crate::db::DbError> for ApiError {
    fn from(e: crate::db::DbError) -> Self {
        AppError::from(e).into()
    }
}

#[cfg(feature = "ssr")]
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad input; the message says what to fix.
    #[error("{0}")]
    Invalid(String),
    #[error("We could not find that page.")]
    NotFound,
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("You do not have permission to do that.")]
    Forbidden,
    #[error("Too many attempts. Please wait a few minutes and try again.")]
    RateLimited,
    /// Too much work at once (password checks); try again shortly.
    #[error("The service is busy. Please wait a few seconds and try again.")]
    Busy,
    #[error("Something went wrong on our side. Nothing you entered has been lost; please try again.")]
    Internal(#[source] anyhow::Error),
    /// The database cannot be reached just now (down, restarting, out of connections).
    #[error("We cannot reach our records just now. Nothing you entered has been lost; please try again in a minute.")]
    Unavailable(#[source] anyhow::Error),
}

#[cfg(feature = "ssr")]
impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy | AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Seconds to wait before trying again, for the errors that pass.
    fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::Busy => Some(crate::password::BUSY_RETRY_AFTER_SECS),
            AppError::Unavailable(_) => Some(30),
            _ => None,
        }
    }

    fn log(&self) {
        match self {
            AppError::Internal(e) => {
                tracing::error!(error = %crate::telemetry::error_text(e.as_ref()), "internal error")
            }
            AppError::Unavailable(e) => {
                tracing::error!(error = %crate::telemetry::error_text(e.as_ref()), "database unavailable")
            }
            _ => {}
        }
    }
}

#[cfg(feature = "ssr")]
impl From<crate::db::DbError> for AppError {
    fn from(e: crate::db::DbError) -> Self {
        if e.is_unavailable() {
            AppError::Unavailable(e.into())
        } else {
            AppError::Internal(e.into())
        }
    }
}

#[cfg(feature = "ssr")]
impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(e)
    }
}

#[cfg(feature = "ssr")]
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let body = crate::public::error_page(status, &self.to_string());
        let mut response = (status, body).into_response();
        if let Some(seconds) = self.retry_after() {
            response.headers_mut().insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_show_their_cause() {
        let e = AppError::Internal(anyhow::anyhow!("password authentication failed for user x"));
        assert!(!e.to_string().contains("password"));
        let api = ApiError::from(e);
        assert!(
            matches!(&api, ApiError::Shown { status: 500, message } if message.starts_with("Something went wrong"))
        );
        let json = serde_json::to_string(&api).unwrap();
        assert!(!json.contains("password"), "{json}");
    }

    /// A database that cannot be reached is a 503 to try again (Retry-After), not a 500;
    /// other database failures stay 500. Neither shows its cause.
    #[test]
    fn an_unreachable_database_is_503_with_retry_after() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connect 10.0.0.5:5432 refused");
        for cause in [sqlx::Error::Io(refused), sqlx::Error::PoolTimedOut, sqlx::Error::PoolClosed] {
            let e = AppError::from(crate::db::DbError::from(cause));
            assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert!(!e.to_string().contains("10.0.0.5"));
            let response = e.into_response();
            assert_eq!(response.headers()[http::header::RETRY_AFTER], "30");
        }
        let e = AppError::from(crate::db::DbError::from(sqlx::Error::RowNotFound));
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(e.into_response().headers().get(http::header::RETRY_AFTER).is_none());
    }
}
