//! RFC 9457 problem details: the one mapping from every service error to an HTTP answer.
//!
//! Every failure a handler, an extractor or the router can produce is an [`ApiError`].
//! [`ApiError::status`] and [`ApiError::kind`] are exhaustive matches, so a new variant
//! cannot be added without deciding its status and problem type. Server-side failures
//! (status 500) are logged with their full cause chain and answered with a generic
//! sentence: internals never reach the client.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use geodata::validation::{Issue, ValidationReport};
use serde::Serialize;
use utoipa::ToSchema;

use crate::storage::StoreError;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Everything that can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A stored resource (plan, job, schedule...) does not exist.
    #[error("{resource} {id:?} does not exist")]
    NotFound {
        /// Which kind of resource was asked for.
        resource: &'static str,
        /// The id that was asked for.
        id: String,
    },
    /// No route matches the request path.
    #[error("no resource at {path}")]
    RouteNotFound {
        /// The path that was requested.
        path: String,
    },
    /// The route exists but not for this method.
    #[error("{method} is not allowed on {path}")]
    MethodNotAllowed {
        /// The method that was used.
        method: String,
        /// The path that was requested.
        path: String,
    },
    /// No or an unusable bearer token in token mode.
    #[error("authentication required: {reason}")]
    Unauthenticated {
        /// Why the credentials were not accepted.
        reason: &'static str,
    },
    /// The caller's role does not allow the action.
    #[error("the role {role} may not {action}")]
    Forbidden {
        /// The caller's role.
        role: String,
        /// What the caller tried to do, as a verb phrase.
        action: String,
    },
    /// The request body is larger than the configured limit.
    #[error("the request body exceeds {limit_bytes} bytes")]
    PayloadTooLarge {
        /// The configured limit.
        limit_bytes: usize,
    },
    /// The body's media type is not one the endpoint reads.
    #[error("media type {content_type:?} is not accepted here; expected {expected}")]
    UnsupportedMediaType {
        /// The `Content-Type` the client sent (empty when none).
        content_type: String,
        /// The media types the endpoint reads.
        expected: &'static str,
    },
    /// None of the media types in `Accept` can be produced.
    #[error("cannot produce any of {accept:?}; available: {available}")]
    NotAcceptable {
        /// The client's `Accept` header.
        accept: String,
        /// The media types the endpoint produces.
        available: &'static str,
    },
    /// The upload is not a valid plan; every problem is listed.
    #[error(transparent)]
    InvalidPlan(ValidationReport),
    /// Options of a request (a planning job's) are out of range; every problem is
    /// listed, its pointer naming the member.
    #[error("invalid options: {}", first_message(.0))]
    InvalidOptions(ValidationReport),
    /// A progress report has problems; every one is listed with its row and column, and
    /// nothing of the report was kept.
    #[error(transparent)]
    InvalidProgress(geodata::progress::ProgressRejected),
    /// A bulletin could not be written.
    #[error("the bulletin could not be written")]
    Bulletin {
        /// The renderer's error.
        #[source]
        source: crate::bulletin::RenderError,
    },
    /// A JSON body could not be read.
    #[error("invalid JSON body")]
    BadJson {
        /// What actix's JSON extractor reported.
        #[source]
        source: actix_web::error::JsonPayloadError,
    },
    /// A path segment could not be parsed.
    #[error("invalid path parameter")]
    BadPath {
        /// What actix's path extractor reported.
        #[source]
        source: actix_web::error::PathError,
    },
    /// The query string could not be parsed.
    #[error("invalid query string")]
    BadQuery {
        /// What actix's query extractor reported.
        #[source]
        source: actix_web::error::QueryPayloadError,
    },
    /// A parameter is syntactically fine but its value is not allowed.
    #[error("invalid parameter {parameter}: {reason}")]
    InvalidParameter {
        /// The parameter name.
        parameter: &'static str,
        /// Why the value is not allowed.
        reason: String,
    },
    /// An upload to import could not be read as its format (a corrupt zip, a binary
    /// DXF, a file of another kind).
    #[error("{}", crate::problem_details::cause_chain(source.as_ref()))]
    UnreadableUpload {
        /// The import's error.
        #[source]
        source: Box<geodata::import::ImportError>,
    },
    /// A GeoPackage could not be written.
    #[error("the GeoPackage could not be written")]
    GeoPackage {
        /// The writer's error.
        #[source]
        source: Box<crate::export::gpkg::GpkgError>,
    },
    /// The body could not be received.
    #[error("the request body could not be read")]
    PayloadRead {
        /// The transport failure.
        #[source]
        source: actix_web::error::PayloadError,
    },
    /// The request conflicts with the resource's state (cancelling a finished job).
    #[error("{reason}")]
    Conflict {
        /// Why the request cannot be applied now.
        reason: String,
    },
    /// A capability is not available in this build or at this moment.
    #[error("{reason}")]
    Unavailable {
        /// What is missing.
        reason: &'static str,
    },
    /// The request took longer than the configured timeout.
    #[error("the request did not complete within {seconds} s")]
    Timeout {
        /// The configured timeout.
        seconds: u64,
    },
    /// The store failed.
    #[error("storage failure")]
    Storage {
        /// The store's error.
        #[source]
        source: StoreError,
    },
    /// A blocking task could not complete (it panicked or the pool shut down).
    #[error("a background task failed while {context}")]
    Blocking {
        /// What the task was doing.
        context: &'static str,
        /// The runtime's report.
        #[source]
        source: actix_web::error::BlockingError,
    },
    /// A stored document could not be decoded: the store holds something it should not.
    #[error("stored {what} could not be decoded")]
    CorruptDocument {
        /// What was being decoded.
        what: &'static str,
        /// The decoder's report.
        #[source]
        source: serde_json::Error,
    },
    /// Stored data could not be turned into analysis or overlay layers.
    #[error("layers could not be derived from stored data")]
    Layers {
        /// What failed.
        #[source]
        source: crate::layers::LayerError,
    },
    /// The clean-heating route choice failed (a solver failure).
    #[error("the clean-heating choice failed")]
    Heating {
        /// What failed.
        #[source]
        source: optimizer::heating::HeatingError,
    },
    /// A response could not be encoded.
    #[error("the response could not be encoded")]
    Encode {
        /// The encoder's report.
        #[source]
        source: serde_json::Error,
    },
    /// An error answer produced by the framework itself rather than by this service's
    /// code (a safety net: every known source is mapped to a specific variant above).
    #[error("the request could not be processed (HTTP {status})")]
    Framework {
        /// The status the framework chose.
        status: StatusCode,
    },
}

/// The sentence of a report's first problem (a report is never empty when returned).
fn first_message(report: &ValidationReport) -> &str {
    report.problems.first().map_or("", |p| p.message.as_str())
}

impl From<crate::layers::LayerError> for ApiError {
    fn from(source: crate::layers::LayerError) -> Self {
        ApiError::Layers { source }
    }
}

impl From<StoreError> for ApiError {
    fn from(source: StoreError) -> Self {
        ApiError::Storage { source }
    }
}

/// The stable problem types, one per client-visible situation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// 404: unknown resource or route.
    NotFound,
    /// 405.
    MethodNotAllowed,
    /// 401.
    Unauthenticated,
    /// 403.
    Forbidden,
    /// 413.
    PayloadTooLarge,
    /// 415.
    UnsupportedMediaType,
    /// 406.
    NotAcceptable,
    /// 422 with the validation problems.
    InvalidPlan,
    /// 422 with the option problems.
    InvalidOptions,
    /// 422 with the progress report's problems.
    InvalidProgress,
    /// 400: a malformed request (body, path or query).
    BadRequest,
    /// 409.
    Conflict,
    /// 503: capability missing or timeout.
    Unavailable,
    /// 500.
    Internal,
}

impl ProblemKind {
    /// Every kind, for the documentation page.
    pub const ALL: [ProblemKind; 14] = [
        ProblemKind::NotFound,
        ProblemKind::MethodNotAllowed,
        ProblemKind::Unauthenticated,
        ProblemKind::Forbidden,
        ProblemKind::PayloadTooLarge,
        ProblemKind::UnsupportedMediaType,
        ProblemKind::NotAcceptable,
        ProblemKind::InvalidPlan,
        ProblemKind::InvalidOptions,
        ProblemKind::InvalidProgress,
        ProblemKind::BadRequest,
        ProblemKind::Conflict,
        ProblemKind::Unavailable,
        ProblemKind::Internal,
    ];

    /// The slug used in the problem `type` URI.
    #[must_use]
    pub fn slug(self) -> &'static str {
        match self {
            ProblemKind::NotFound => "not-found",
            ProblemKind::MethodNotAllowed => "method-not-allowed",
            ProblemKind::Unauthenticated => "unauthenticated",
            ProblemKind::Forbidden => "forbidden",
            ProblemKind::PayloadTooLarge => "payload-too-large",
            ProblemKind::UnsupportedMediaType => "unsupported-media-type",
            ProblemKind::NotAcceptable => "not-acceptable",
            ProblemKind::InvalidPlan => "invalid-plan",
            ProblemKind::InvalidOptions => "invalid-options",
            ProblemKind::InvalidProgress => "invalid-progress",
            ProblemKind::BadRequest => "bad-request",
            ProblemKind::Conflict => "conflict",
            ProblemKind::Unavailable => "unavailable",
            ProblemKind::Internal => "internal",
        }
    }

    /// The short human title, the same for every occurrence of the kind.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            ProblemKind::NotFound => "Not found",
            ProblemKind::MethodNotAllowed => "Method not allowed",
            ProblemKind::Unauthenticated => "Authentication required",
            ProblemKind::Forbidden => "Forbidden for this role",
            ProblemKind::PayloadTooLarge => "Request body too large",
            ProblemKind::UnsupportedMediaType => "Unsupported media type",
            ProblemKind::NotAcceptable => "No acceptable representation",
            ProblemKind::InvalidPlan => "The plan is not valid",
            ProblemKind::InvalidOptions => "The options are not valid",
            ProblemKind::InvalidProgress => "The progress report is not valid",
            ProblemKind::BadRequest => "Malformed request",
            ProblemKind::Conflict => "Conflict with the resource's state",
            ProblemKind::Unavailable => "Service unavailable",
            ProblemKind::Internal => "Internal error",
        }
    }

    /// The problem `type` URI: an anchor on the service's own documentation page.
    #[must_use]
    pub fn type_uri(self) -> String {
        format!("/v1/docs#problem-{}", self.slug())
    }
}

/// An RFC 9457 problem details document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemDocument {
    /// URI reference naming the problem type (an anchor on `/v1/docs`).
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence, in one sentence.
    pub detail: String,
    /// Every validation problem (only for `invalid-plan` and `invalid-options`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub problems: Option<Vec<Issue>>,
    /// Every problem of a progress report, with its row and column (only for
    /// `invalid-progress`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub report_problems: Option<Vec<geodata::progress::ProgressIssue>>,
    /// The body size limit in bytes (only for `payload-too-large`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_bytes: Option<usize>,
}

impl ApiError {
    /// The problem type of this error.
    #[must_use]
    pub fn kind(&self) -> ProblemKind {
        match self {
            ApiError::NotFound { .. } | ApiError::RouteNotFound { .. } => ProblemKind::NotFound,
            ApiError::MethodNotAllowed { .. } => ProblemKind::MethodNotAllowed,
            ApiError::Unauthenticated { .. } => ProblemKind::Unauthenticated,
            ApiError::Forbidden { .. } => ProblemKind::Forbidden,
            ApiError::PayloadTooLarge { .. } => ProblemKind::PayloadTooLarge,
            ApiError::UnsupportedMediaType { .. } => ProblemKind::UnsupportedMediaType,
            ApiError::NotAcceptable { .. } => ProblemKind::NotAcceptable,
            ApiError::InvalidPlan(_) => ProblemKind::InvalidPlan,
            ApiError::InvalidOptions(_) => ProblemKind::InvalidOptions,
            ApiError::InvalidProgress(_) => ProblemKind::InvalidProgress,
            ApiError::BadJson { .. }
            | ApiError::BadPath { .. }
            | ApiError::BadQuery { .. }
            | ApiError::InvalidParameter { .. }
            | ApiError::UnreadableUpload { .. }
            | ApiError::PayloadRead { .. } => ProblemKind::BadRequest,
            ApiError::Conflict { .. } => ProblemKind::Conflict,
            ApiError::Unavailable { .. } | ApiError::Timeout { .. } => ProblemKind::Unavailable,
            ApiError::Storage { .. }
            | ApiError::Blocking { .. }
            | ApiError::CorruptDocument { .. }
            | ApiError::Layers { .. }
            | ApiError::GeoPackage { .. }
            | ApiError::Bulletin { .. }
            | ApiError::Heating { .. }
            | ApiError::Encode { .. } => ProblemKind::Internal,
            ApiError::Framework { status } => match status.as_u16() {
                404 => ProblemKind::NotFound,
                405 => ProblemKind::MethodNotAllowed,
                401 => ProblemKind::Unauthenticated,
                403 => ProblemKind::Forbidden,
                413 => ProblemKind::PayloadTooLarge,
                415 => ProblemKind::UnsupportedMediaType,
                406 => ProblemKind::NotAcceptable,
                409 => ProblemKind::Conflict,
                503 | 504 => ProblemKind::Unavailable,
                400..=499 => ProblemKind::BadRequest,
                _ => ProblemKind::Internal,
            },
        }
    }

    /// The HTTP status of this error.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self.kind() {
            ProblemKind::NotFound => StatusCode::NOT_FOUND,
            ProblemKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ProblemKind::Forbidden => StatusCode::FORBIDDEN,
            ProblemKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemKind::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            ProblemKind::InvalidPlan
            | ProblemKind::InvalidOptions
            | ProblemKind::InvalidProgress => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemKind::BadRequest => StatusCode::BAD_REQUEST,
            ProblemKind::Conflict => StatusCode::CONFLICT,
            ProblemKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ProblemKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The client-facing sentence: the error's own message with its client-side cause,
    /// or a generic sentence for server-side failures.
    #[must_use]
    pub fn detail(&self) -> String {
        match self {
            ApiError::BadJson { source } => format!("invalid JSON body: {source}"),
            ApiError::BadPath { source } => format!("invalid path parameter: {source}"),
            ApiError::BadQuery { source } => format!("invalid query string: {source}"),
            ApiError::PayloadRead { source } => {
                format!("the request body could not be read: {source}")
            }
            ApiError::Storage { .. }
            | ApiError::Blocking { .. }
            | ApiError::CorruptDocument { .. }
            | ApiError::Layers { .. }
            | ApiError::GeoPackage { .. }
            | ApiError::Bulletin { .. }
            | ApiError::Heating { .. }
            | ApiError::Encode { .. } => {
                "the service failed to answer this request; the failure has been logged".to_owned()
            }
            other => other.to_string(),
        }
    }

    /// The problem document for this error.
    #[must_use]
    pub fn document(&self) -> ProblemDocument {
        let kind = self.kind();
        ProblemDocument {
            type_uri: kind.type_uri(),
            title: kind.title().to_owned(),
            status: self.status().as_u16(),
            detail: self.detail(),
            problems: match self {
                ApiError::InvalidPlan(report) | ApiError::InvalidOptions(report) => {
                    Some(report.problems.clone())
                }
                _ => None,
            },
            report_problems: match self {
                ApiError::InvalidProgress(rejected) => Some(rejected.problems.clone()),
                _ => None,
            },
            limit_bytes: match self {
                ApiError::PayloadTooLarge { limit_bytes } => Some(*limit_bytes),
                _ => None,
            },
        }
    }
}

/// Writes an error and its whole cause chain, for the log.
pub(crate) fn cause_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        if self.kind() == ProblemKind::Internal {
            tracing::error!(error = %cause_chain(self), "request failed");
        } else {
            tracing::debug!(error = %cause_chain(self), "request refused");
        }
        let body = serde_json::to_vec(&self.document()).unwrap_or_else(|_| {
            // Serialising plain strings and numbers cannot fail; this keeps the answer
            // well-formed even so.
            br#"{"type":"about:blank","title":"Internal error","status":500}"#.to_vec()
        });
        let mut response = HttpResponse::build(self.status());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if let ApiError::Unauthenticated { .. } = self {
            response.insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"digonce\""),
            ));
        }
        response.body(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let source = serde_json::from_str::<u8>("secret-internal-detail").expect_err("not json");
        let error = ApiError::CorruptDocument {
            what: "schedule",
            source,
        };
        let doc = error.document();
        assert_eq!(doc.status, 500);
        assert!(!doc.detail.contains("secret"));
        assert!(!doc.detail.contains("schedule"));
    }

    #[test]
    fn every_kind_has_a_distinct_slug() {
        let mut slugs: Vec<_> = ProblemKind::ALL.iter().map(|k| k.slug()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), ProblemKind::ALL.len());
    }

    #[test]
    fn invalid_plan_carries_every_problem() {
        let report = ValidationReport {
            problems: vec![
                Issue {
                    code: geodata::validation::IssueCode::MissingProperty,
                    feature_id: Some("w1".into()),
                    feature_index: Some(0),
                    pointer: "/features/0/properties/owner".into(),
                    message: "owner is required".into(),
                    origin: None,
                },
                Issue {
                    code: geodata::validation::IssueCode::DuplicateId,
                    feature_id: Some("w1".into()),
                    feature_index: Some(1),
                    pointer: "/features/1/properties/id".into(),
                    message: "id w1 is used twice".into(),
                    origin: None,
                },
            ],
        };
        let doc = ApiError::InvalidPlan(report).document();
        assert_eq!(doc.status, 422);
        assert_eq!(doc.problems.map(|p| p.len()), Some(2));
    }
}
