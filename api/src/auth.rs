//! Roles, bearer tokens and the one table that says which role may do what.
//!
//! A token reads `dgo_<id>_<secret>`: the id (48 random bits) finds the stored record, the
//! secret (256 random bits) is checked against its stored SHA-256 in constant time. Only
//! the hash is stored; the token is printed once when created.
//!
//! With no token in the store the service runs in open mode: one local user who may do
//! everything. Open mode is chosen at start-up and refuses a non-loopback bind
//! ([`crate::config`]).

use std::fmt;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use sha2::{Digest, Sha256};

use crate::problem_details::ApiError;
use crate::server::AppState;
use crate::storage::ids::{hex, random_id};
use crate::storage::{Store, StoreError, TokenRecord};

/// Who a token speaks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Role {
    /// City planner: writes plans, runs planning jobs, reads everything.
    Planner,
    /// A utility company: reads overlays and analyses (where it shares trenches) and
    /// exports its own dig schedule only.
    Utility {
        /// The owner name as written in the plan's `owner` property.
        owner: String,
    },
    /// An official: reads everything, writes nothing.
    Official,
}

/// A role name that is not `planner`, `official` or `utility:<owner>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {given:?}: expected planner, official or utility:<owner>")]
pub struct UnknownRole {
    /// What was given.
    pub given: String,
}

impl std::str::FromStr for Role {
    type Err = UnknownRole;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "planner" => Ok(Role::Planner),
            "official" => Ok(Role::Official),
            other => match other.strip_prefix("utility:") {
                Some(owner) if !owner.trim().is_empty() => Ok(Role::Utility {
                    owner: owner.to_owned(),
                }),
                _ => Err(UnknownRole {
                    given: other.to_owned(),
                }),
            },
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::Planner => f.write_str("planner"),
            Role::Official => f.write_str("official"),
            Role::Utility { owner } => write!(f, "utility:{owner}"),
        }
    }
}

/// Something a request wants to do; every handler names exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// List and read plans (metadata and uploads).
    ReadPlans,
    /// Create, replace and delete plans.
    WritePlans,
    /// Start and cancel planning jobs.
    RunJobs,
    /// Read job status.
    ReadJobs,
    /// Read whole schedule documents.
    ReadSchedules,
    /// Read a plan's spatial analysis.
    ReadAnalysis,
    /// Read map overlays of a schedule.
    ReadOverlays,
    /// Export one company's dig schedule.
    ExportUtility {
        /// The company whose schedule is exported.
        owner: &'a str,
    },
    /// Report progress on a work of `owner` (`None`: a compound or shared trench, which
    /// only the planner reports on).
    ReportProgress {
        /// The owner of the work reported on.
        owner: Option<&'a str>,
    },
    /// Read the progress bulletin of a plan.
    ReadBulletin,
}

impl Action<'_> {
    /// A verb phrase for error messages.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Action::ReadPlans => "read plans".to_owned(),
            Action::WritePlans => "write plans".to_owned(),
            Action::RunJobs => "run or cancel planning jobs".to_owned(),
            Action::ReadJobs => "read planning jobs".to_owned(),
            Action::ReadSchedules => "read whole schedules".to_owned(),
            Action::ReadAnalysis => "read plan analyses".to_owned(),
            Action::ReadOverlays => "read schedule overlays".to_owned(),
            Action::ExportUtility { owner } => format!("export the dig schedule of {owner:?}"),
            Action::ReportProgress { owner: Some(owner) } => {
                format!("report progress on the works of {owner:?}")
            }
            Action::ReportProgress { owner: None } => {
                "report progress on compounds and shared trenches".to_owned()
            }
            Action::ReadBulletin => "read the progress bulletin".to_owned(),
        }
    }
}

impl Role {
    /// The role matrix: whether this role may perform `action`.
    #[must_use]
    pub fn allows(&self, action: Action<'_>) -> bool {
        match (self, action) {
            (Role::Planner | Role::Official, Action::WritePlans | Action::RunJobs) => {
                matches!(self, Role::Planner)
            }
            (
                Role::Planner | Role::Official,
                Action::ReadPlans
                | Action::ReadJobs
                | Action::ReadSchedules
                | Action::ReadAnalysis
                | Action::ReadOverlays
                | Action::ExportUtility { .. }
                | Action::ReadBulletin,
            )
            | (Role::Utility { .. }, Action::ReadOverlays | Action::ReadAnalysis)
            | (Role::Planner, Action::ReportProgress { .. }) => true,
            (Role::Utility { owner: own }, Action::ExportUtility { owner }) => own == owner,
            (Role::Utility { owner: own }, Action::ReportProgress { owner }) => {
                owner == Some(own.as_str())
            }
            (Role::Official, Action::ReportProgress { .. })
            | (Role::Utility { .. }, Action::ReadBulletin)
            | (
                Role::Utility { .. },
                Action::ReadPlans
                | Action::WritePlans
                | Action::RunJobs
                | Action::ReadJobs
                | Action::ReadSchedules,
            ) => false,
        }
    }
}

/// How the service authenticates, fixed at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// No tokens exist: one local user may do everything (loopback binds only).
    Open,
    /// Every protected request needs a valid bearer token.
    Tokens,
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// The single local user of open mode.
    OpenMode,
    /// A token holder with a role.
    Token {
        /// The token's public id (for logs).
        id: String,
        /// What the token may do.
        role: Role,
    },
}

impl Principal {
    /// Succeeds when the caller may perform `action`.
    ///
    /// # Errors
    /// [`ApiError::Forbidden`] naming the role and the action.
    pub fn require(&self, action: Action<'_>) -> Result<(), ApiError> {
        match self {
            Principal::OpenMode => Ok(()),
            Principal::Token { role, .. } if role.allows(action) => Ok(()),
            Principal::Token { role, .. } => Err(ApiError::Forbidden {
                role: role.to_string(),
                action: action.describe(),
            }),
        }
    }
}

/// The prefix of every token.
pub const TOKEN_PREFIX: &str = "dgo_";

/// A freshly created token: the text to hand out once, and the record to store.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The full bearer token; shown once, never stored.
    pub token: String,
    /// What the store keeps.
    pub record: TokenRecord,
}

/// SHA-256 of a token secret.
#[must_use]
pub fn hash_secret(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Compares two hashes in time independent of where they differ.
#[must_use]
pub fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let difference = a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// Makes a new random token for `role`.
#[must_use]
pub fn issue_token(role: &Role) -> IssuedToken {
    let id = random_id("").chars().take(12).collect::<String>();
    let secret_bytes: [u8; 32] = rand::random();
    let secret = hex(&secret_bytes);
    IssuedToken {
        token: format!("{TOKEN_PREFIX}{id}_{secret}"),
        record: TokenRecord {
            id,
            secret_hash: hash_secret(&secret),
            role: role.to_string(),
            created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        },
    }
}

/// Creates a token for `role` in `store` and returns the text to show once.
///
/// # Errors
/// [`StoreError`] when the token cannot be stored.
pub fn create_token(store: &dyn Store, role: &Role) -> Result<String, StoreError> {
    let issued = issue_token(role);
    store.add_token(&issued.record)?;
    Ok(issued.token)
}

/// Checks a bearer token against the store.
///
/// # Errors
/// [`ApiError::Unauthenticated`] for a malformed, unknown or wrong token;
/// [`ApiError::Storage`] when the store fails.
pub fn verify_token(store: &dyn Store, token: &str) -> Result<Principal, ApiError> {
    let invalid = ApiError::Unauthenticated {
        reason: "the bearer token is not valid",
    };
    let Some((id, secret)) = token
        .strip_prefix(TOKEN_PREFIX)
        .and_then(|rest| rest.split_once('_'))
    else {
        return Err(invalid);
    };
    let Some(record) = store.token(id)? else {
        return Err(invalid);
    };
    if !constant_time_eq(&hash_secret(secret), &record.secret_hash) {
        return Err(invalid);
    }
    let role = record.role.parse::<Role>().map_err(|_unknown| {
        // A stored role this build cannot read: refuse rather than guess its rights.
        tracing::warn!(token = %record.id, role = %record.role, "stored token has an unknown role");
        ApiError::Unauthenticated {
            reason: "the bearer token's role is not known to this service",
        }
    })?;
    Ok(Principal::Token {
        id: record.id,
        role,
    })
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header_value = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|value| value.to_str().map(str::to_owned));
        Box::pin(async move {
            let Some(state) = state else {
                return Err(ApiError::Unavailable {
                    reason: "the service state is not configured",
                });
            };
            if state.auth_mode == AuthMode::Open {
                return Ok(Principal::OpenMode);
            }
            let token = match header_value {
                None => {
                    return Err(ApiError::Unauthenticated {
                        reason: "send an Authorization: Bearer <token> header",
                    });
                }
                Some(Err(_not_ascii)) => {
                    return Err(ApiError::Unauthenticated {
                        reason: "the Authorization header is not ASCII",
                    });
                }
                Some(Ok(value)) => match value.split_once(' ') {
                    Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                        token.trim().to_owned()
                    }
                    _ => {
                        return Err(ApiError::Unauthenticated {
                            reason: "the Authorization header must use the Bearer scheme",
                        });
                    }
                },
            };
            let store = state.store.clone();
            web::block(move || verify_token(store.as_ref(), &token))
                .await
                .map_err(|source| ApiError::Blocking {
                    context: "checking a token",
                    source,
                })?
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::sqlite::SqliteStore;

    #[test]
    fn roles_round_trip_through_text() {
        for text in ["planner", "official", "utility:Beijing Gas"] {
            let role: Role = text.parse().expect("known role");
            assert_eq!(role.to_string(), text);
        }
        assert!("utility:".parse::<Role>().is_err());
        assert!("admin".parse::<Role>().is_err());
    }

    #[test]
    fn a_utility_exports_only_its_own_schedule() {
        let role = Role::Utility {
            owner: "Beijing Gas".into(),
        };
        assert!(role.allows(Action::ExportUtility {
            owner: "Beijing Gas"
        }));
        assert!(!role.allows(Action::ExportUtility {
            owner: "Beijing Water"
        }));
        assert!(role.allows(Action::ReadOverlays));
        assert!(role.allows(Action::ReadAnalysis));
        assert!(!role.allows(Action::ReadSchedules));
    }

    #[test]
    fn a_utility_reports_progress_on_its_own_works_only_and_the_planner_on_anything() {
        let gas = Role::Utility {
            owner: "Beijing Gas".into(),
        };
        assert!(gas.allows(Action::ReportProgress {
            owner: Some("Beijing Gas")
        }));
        assert!(!gas.allows(Action::ReportProgress {
            owner: Some("Beijing Water")
        }));
        assert!(!gas.allows(Action::ReportProgress { owner: None }));
        assert!(!gas.allows(Action::ReadBulletin));
        assert!(Role::Planner.allows(Action::ReportProgress { owner: None }));
        assert!(!Role::Official.allows(Action::ReportProgress { owner: None }));
        assert!(Role::Official.allows(Action::ReadBulletin));
    }

    #[test]
    fn an_official_reads_but_never_writes() {
        assert!(Role::Official.allows(Action::ReadSchedules));
        assert!(!Role::Official.allows(Action::WritePlans));
        assert!(!Role::Official.allows(Action::RunJobs));
        assert!(Role::Planner.allows(Action::RunJobs));
    }

    #[test]
    fn an_issued_token_verifies_and_a_tampered_one_does_not() {
        let store = SqliteStore::in_memory().expect("store");
        let token = create_token(&store, &Role::Official).expect("create");
        assert!(token.starts_with(TOKEN_PREFIX));
        let principal = verify_token(&store, &token).expect("valid");
        assert!(matches!(
            principal,
            Principal::Token {
                role: Role::Official,
                ..
            }
        ));
        let mut tampered = token.clone();
        let last = tampered.pop().expect("non-empty");
        tampered.push(if last == '0' { '1' } else { '0' });
        assert!(matches!(
            verify_token(&store, &tampered),
            Err(ApiError::Unauthenticated { .. })
        ));
        assert!(verify_token(&store, "garbage").is_err());
    }

    #[test]
    fn constant_time_eq_detects_any_difference() {
        let a = [3_u8; 32];
        let mut b = a;
        assert!(constant_time_eq(&a, &b));
        b[31] ^= 1;
        assert!(!constant_time_eq(&a, &b));
    }
}
