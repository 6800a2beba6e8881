//! `AppError`: the one error a user may see. Each variant carries only text that is
//! safe to show; internal causes are logged with their chain and never sent out.
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use leptos::prelude::ServerFnError;

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
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn log(&self) {
        if let AppError::Internal(e) = self {
            tracing::error!(error = ?e, "internal error");
        }
    }

    /// For `#[server]` functions: the browser gets the safe message only.
    pub fn into_server_error(self) -> ServerFnError {
        self.log();
        ServerFnError::new(self.to_string())
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let body = crate::public::error_page(status, &self.to_string());
        let mut response = (status, body).into_response();
        if matches!(self, AppError::Busy) {
            response.headers_mut().insert(http::header::RETRY_AFTER, http::HeaderValue::from_static("5"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_show_their_cause() {
        let e = AppError::Internal(anyhow::anyhow!("password authentication failed for user x"));
        assert!(!e.to_string().contains("password"));
        let server = e.into_server_error().to_string();
        assert!(!server.contains("password"), "{server}");
    }
}
