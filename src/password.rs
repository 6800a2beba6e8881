//! Password hashing with argon2id, off the async runtime.
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

/// OWASP's first recommended argon2id setting: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19 * 1024, 2, 1, None).expect("valid params"))
}

/// A hash of a password nobody knows, verified against when the email is unknown so
/// that unknown accounts take as long to refuse as wrong passwords.
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2NydXRpbnlkdW1teXNhbHQ$Ck0ozUSJi2rWdAC6b8S9G7Y0l2ffQmPD2nPcIXTqGfI";

pub fn validate_new(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < 12 {
        return Err("Use at least 12 characters for the password".into());
    }
    if n > 256 {
        return Err("Use 256 characters or fewer for the password".into());
    }
    Ok(())
}

pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await?
}

/// True when `password` matches `hash`. Always does the full work.
pub async fn verify(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&hash) else { return false };
        argon2().verify_password(password.as_bytes(), &parsed).is_ok()
    })
    .await
    .unwrap_or(false)
}

/// Password hashing in request handlers goes through this gate: at most `permits`
/// hashes run at once (each takes 19 MiB and most of a core), and a request that cannot
/// get a turn within `wait` is told to come back (503 with Retry-After) instead of
/// queueing without bound. 300 parallel sign-in attempts once grew the server to 3.8 GB.
pub struct PasswordGate {
    permits: tokio::sync::Semaphore,
    wait: std::time::Duration,
}

/// The gate was full for too long.
#[derive(Debug)]
pub struct Busy;

/// Seconds a refused client is asked to wait.
pub const BUSY_RETRY_AFTER_SECS: u64 = 5;

impl PasswordGate {
    pub fn new(permits: usize, wait: std::time::Duration) -> Self {
        PasswordGate { permits: tokio::sync::Semaphore::new(permits.max(1)), wait }
    }

    async fn turn(&self) -> Result<tokio::sync::SemaphorePermit<'_>, Busy> {
        match tokio::time::timeout(self.wait, self.permits.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Busy),
        }
    }

    pub async fn verify(&self, password: String, hash: String) -> Result<bool, Busy> {
        let _turn = self.turn().await?;
        Ok(verify(password, hash).await)
    }

    pub async fn hash(&self, password: String) -> Result<anyhow::Result<String>, Busy> {
        let _turn = self.turn().await?;
        Ok(hash(password).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_are_argon2id() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery".into(), h.clone()).await);
        assert!(!verify("wrong horse battery".into(), h).await);
        assert!(PasswordHash::new(DUMMY_HASH).is_ok(), "dummy hash parses, so it costs a full verify");
    }

    #[tokio::test]
    async fn the_gate_refuses_when_full_instead_of_queueing_for_ever() {
        let gate = std::sync::Arc::new(PasswordGate::new(1, std::time::Duration::from_millis(10)));
        let held = gate.turn().await.unwrap();
        assert!(gate.verify("x".into(), DUMMY_HASH.into()).await.is_err(), "no turn within the wait");
        drop(held);
        assert!(!gate.verify("x".into(), DUMMY_HASH.into()).await.unwrap());
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(validate_new("short").is_err());
        assert!(validate_new("twelve chars").is_ok());
    }
}
