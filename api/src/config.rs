//! Service configuration from the command line, and the start-up checks on it.

use std::net::SocketAddr;
use std::time::Duration;

use crate::auth::AuthMode;

/// Everything `digonce serve` needs to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceConfig {
    /// Address to listen on (port 0 picks a free port; the chosen one is printed).
    pub bind: SocketAddr,
    /// The store: a SQLite database file, or a `postgres://` URL (`docs/postgres.md`).
    pub db: String,
    /// Largest accepted request body in bytes (larger uploads get 413).
    pub max_upload_bytes: usize,
    /// Longest a request may take before it is answered with 503.
    pub request_timeout: Duration,
    /// Planning jobs run at once (defaults to the number of cores).
    pub planner_slots: usize,
    /// How long shutdown waits for running planners to stop.
    pub shutdown_grace: Duration,
    /// With PostgreSQL: whether this process also runs a planning worker on the job queue
    /// (`--no-worker` turns it off, leaving the jobs to `digonce worker` processes). SQLite
    /// always plans in process.
    pub embedded_worker: bool,
}

impl ServiceConfig {
    /// Default port.
    pub const DEFAULT_BIND: &'static str = "127.0.0.1:8080";
    /// Default database file.
    pub const DEFAULT_DB: &'static str = "digonce.sqlite3";
    /// Default upload limit in MiB.
    pub const DEFAULT_MAX_UPLOAD_MB: usize = 64;

    /// A configuration with defaults for everything but the given values.
    #[must_use]
    pub fn new(bind: SocketAddr, db: String, max_upload_mb: usize) -> Self {
        Self {
            bind,
            db,
            max_upload_bytes: max_upload_mb.saturating_mul(1024 * 1024),
            request_timeout: Duration::from_mins(1),
            planner_slots: std::thread::available_parallelism().map_or(1, usize::from),
            shutdown_grace: Duration::from_secs(10),
            embedded_worker: true,
        }
    }
}

/// A configuration the service refuses to start with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Open mode (no tokens) on an address reachable from other machines.
    #[error(
        "no access tokens exist, so digonce would run in open single-user mode, which only \
         binds to a loopback address; {bind} is not one. Create a token first \
         (`digonce token create --role planner --db ...`) or bind to 127.0.0.1"
    )]
    OpenModeNotLoopback {
        /// The refused address.
        bind: SocketAddr,
    },
}

/// Refuses open mode on a non-loopback address.
///
/// # Errors
/// [`ConfigError::OpenModeNotLoopback`].
pub fn check_bind(mode: AuthMode, bind: SocketAddr) -> Result<(), ConfigError> {
    if mode == AuthMode::Open && !bind.ip().is_loopback() {
        return Err(ConfigError::OpenModeNotLoopback { bind });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_mode_binds_only_to_loopback() {
        let local: SocketAddr = "127.0.0.1:0".parse().expect("addr");
        let local6: SocketAddr = "[::1]:0".parse().expect("addr");
        let public: SocketAddr = "0.0.0.0:8080".parse().expect("addr");
        assert!(check_bind(AuthMode::Open, local).is_ok());
        assert!(check_bind(AuthMode::Open, local6).is_ok());
        assert!(matches!(
            check_bind(AuthMode::Open, public),
            Err(ConfigError::OpenModeNotLoopback { .. })
        ));
        assert!(check_bind(AuthMode::Tokens, public).is_ok());
    }
}
