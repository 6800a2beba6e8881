//! `DbError`: what a repository returns. It says where the failing operation was asked
//! for (the `?` in the repository function, recorded by `#[track_caller]`, so every
//! query has its context without a hand-written label) and keeps the driver's error as
//! its source. It never reaches a browser: handlers and server functions turn it into
//! the safe [`crate::error::AppError`] / [`crate::error::ApiError`], which log the chain
//! once.
use std::panic::Location;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A query or transaction failed.
    #[error("database operation at {at} failed")]
    Query {
        at: &'static Location<'static>,
        #[source]
        source: sqlx::Error,
    },
    /// A stored value did not read back as its type (a code, a date, a status).
    #[error("stored value read at {at} is not valid: {what}")]
    Data { at: &'static Location<'static>, what: String },
}

impl From<sqlx::Error> for DbError {
    #[track_caller]
    fn from(source: sqlx::Error) -> Self {
        DbError::Query { at: Location::caller(), source }
    }
}

impl DbError {
    /// The database could not be reached: down, restarting, the network between, or every
    /// connection still busy when the pool's wait ran out. The same request may work in a
    /// moment (answered 503 with Retry-After, not 500).
    pub fn is_unavailable(&self) -> bool {
        match self {
            DbError::Query { source, .. } => match source {
                sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed => true,
                // PostgreSQL: connection exceptions (08…), shutting down or starting (57P…).
                sqlx::Error::Database(e) => {
                    e.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P"))
                }
                _ => false,
            },
            DbError::Data { .. } => false,
        }
    }

    /// A stored value that did not parse.
    #[track_caller]
    pub fn data(what: impl std::fmt::Display) -> Self {
        DbError::Data { at: Location::caller(), what: what.to_string() }
    }

    /// A unique key refused the write (a twin submitted at the same moment).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, DbError::Query { source: sqlx::Error::Database(d), .. } if d.is_unique_violation())
    }

    /// Where the failing operation was asked for.
    pub fn location(&self) -> &'static Location<'static> {
        match self {
            DbError::Query { at, .. } | DbError::Data { at, .. } => at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fails() -> Result<(), DbError> {
        Err(sqlx::Error::RowNotFound)?;
        Ok(())
    }

    #[test]
    fn the_error_says_which_line_asked() {
        let e = fails().unwrap_err();
        assert_eq!(e.location().file(), file!());
        assert_eq!(e.location().line(), line!() - 8, "the `?` in `fails`, not the From impl");
        assert!(e.to_string().starts_with(&format!("database operation at {}:", file!())), "{e}");
        let chain = format!("{:?}", anyhow::Error::new(e));
        assert!(chain.contains("no rows returned"), "the driver's error is kept as the source: {chain}");
    }
}
