//! `POST /v1/plans/{id}/heating`: the clean-heating route of every village of a plan's
//! latest version (`docs/heating.md`). Answered synchronously: 5,000 villages take well
//! under a second.

use actix_web::{HttpRequest, HttpResponse, web};
use optimizer::heating::{HeatingOptions, Scenario, optimise};
use serde::Deserialize;

use super::{find, read_optional_json};
use crate::auth::{Action, Principal};
use crate::problem_details::{ApiError, ProblemDocument};
use crate::server::AppState;

/// The most bytes of a heating request body.
const REQUEST_LIMIT: usize = 16 * 1024;

/// What to choose; an empty body means the defaults.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeatingRequest {
    /// One route per village instead of a split of its households (default false).
    #[serde(default)]
    pub whole_villages: bool,
    /// Scenarios to compare: `prices+20`, `electricity-10`, `gas+30`, `lpg+10`,
    /// `pellet+10`, `coal+10`, `subsidy-50`, `budget-50`.
    #[serde(default)]
    pub scenarios: Vec<String>,
}

/// Chooses a clean-heating route per village of the plan's latest version: every
/// route's figures per household, the choice, shadow prices, explanations, scenarios.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    post, path = "/v1/plans/{id}/heating", tag = "heating",
    params(("id" = String, Path, description = "Plan id")),
    request_body(content = HeatingRequest, content_type = "application/json",
                 description = "Optional: `whole_villages`, `scenarios`; an empty body means defaults"),
    responses(
        (status = 200, description = "The heating report (docs/heating.md#output)", body = Object),
        (status = 400, description = "The body is not a heating request, or a scenario is not `<lever><+|-><percent>`", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such plan", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn choose(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadAnalysis)?;
    let request: HeatingRequest = read_optional_json(&req, payload, REQUEST_LIMIT).await?;
    let scenarios = request
        .scenarios
        .iter()
        .map(|s| s.parse::<Scenario>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::InvalidParameter {
            parameter: "scenarios",
            reason: e.to_string(),
        })?;
    let options = HeatingOptions {
        whole_villages: request.whole_villages,
        scenarios,
    };
    let store = state.store.clone();
    let report = find(
        "choosing heating routes",
        "plan",
        id.into_inner(),
        move |id| {
            let Some(version) = store.plan(id, None)? else {
                return Ok(None);
            };
            let plan = crate::layers::ingest_version(&version)?;
            let report =
                optimise(&plan, &options).map_err(|source| ApiError::Heating { source })?;
            serde_json::to_vec(&report)
                .map(Some)
                .map_err(|source| ApiError::Encode { source })
        },
    )
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(report))
}
