//! Health, the OpenAPI document and the documentation page (all public).

use actix_web::HttpResponse;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthMode;
use crate::problem_details::ApiError;
use crate::server::AppState;

/// Liveness and mode.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the service answers.
    pub status: &'static str,
    /// `open` (single local user) or `tokens`.
    pub auth: &'static str,
    /// Whether planning jobs can run in this build.
    pub planner: bool,
}

/// Liveness, authentication mode and whether a planner is configured.
#[utoipa::path(
    get, path = "/v1/health", tag = "meta",
    responses((status = 200, description = "The service is up", body = Health))
)]
pub async fn health(state: actix_web::web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok",
        auth: match state.auth_mode {
            AuthMode::Open => "open",
            AuthMode::Tokens => "tokens",
        },
        planner: state.jobs.has_planner(),
    })
}

/// The OpenAPI 3 document.
///
/// # Errors
/// A 500 problem document if the document cannot be encoded (not expected).
pub async fn openapi() -> Result<HttpResponse, ApiError> {
    let body = crate::openapi::document().map_err(|source| ApiError::Encode { source })?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

/// The offline documentation page.
pub async fn docs() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(crate::openapi::docs_page())
}
