//! `POST /v1/plans/{id}/heating`: the clean-heating route of every village of a plan's
//! latest version (`docs/heating.md`). Answered synchronously: 5,000 villages take well
//! under a second. `GET /v1/plans/{id}/villages`: the same choice as map features, one
//! point per village with its route and a household's bill before and after (the map
//! page's village layer).

use actix_web::{HttpRequest, HttpResponse, web};
use geo::Centroid;
use geodata::crs::gcj02::wgs84_to_gcj02;
use geodata::plan::Plan;
use optimizer::bulletin::heating_lines;
use optimizer::heating::{HeatingOptions, Scenario, optimise};
use serde::Deserialize;
use serde_json::{Value, json};

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

/// Query of `GET /v1/plans/{id}/villages`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VillagesQuery {
    /// `gcj02` for positions on Chinese web basemaps; WGS84 otherwise.
    pub crs: Option<String>,
}

/// The villages of the plan's latest version as map points: each with its chosen route,
/// households and a household's yearly bill before and after (the heating report's
/// choice with the default options).
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/plans/{id}/villages", tag = "heating",
    params(("id" = String, Path, description = "Plan id"), VillagesQuery),
    responses(
        (status = 200, description = "A GeoJSON FeatureCollection, one point per village (docs/http-api.md)", body = Object, content_type = "application/geo+json"),
        (status = 400, description = "An unknown query parameter or `crs` other than `wgs84` or `gcj02`", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such plan", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn villages(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<VillagesQuery>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadAnalysis)?;
    let gcj02 = match query.crs.as_deref() {
        None | Some("wgs84") => false,
        Some("gcj02") => true,
        Some(other) => {
            return Err(ApiError::InvalidParameter {
                parameter: "crs",
                reason: format!("`{other}` is not `wgs84` or `gcj02`"),
            });
        }
    };
    let store = state.store.clone();
    let body = find("listing villages", "plan", id.into_inner(), move |id| {
        let Some(version) = store.plan(id, None)? else {
            return Ok(None);
        };
        let plan = crate::layers::ingest_version(&version)?;
        serde_json::to_vec(&village_features(&plan, gcj02))
            .map(Some)
            .map_err(|source| ApiError::Encode { source })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/geo+json")
        .body(body))
}

/// One point feature per village with the bulletin's heating line as properties.
fn village_features(plan: &Plan, gcj02: bool) -> Value {
    let (lines, unavailable) = heating_lines(plan);
    let features: Vec<Value> = plan
        .heating
        .villages
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let mut at = v.shape.wgs84.centroid()?.0;
            if gcj02 {
                at = wgs84_to_gcj02(at);
            }
            let mut properties = json!({ "id": v.id, "name": v.name, "district": v.district,
                                         "households": v.households });
            if let (Some(line), Value::Object(map)) = (lines.get(i), &mut properties) {
                map.insert("route".into(), json!(line.route));
                map.insert(
                    "converted_households".into(),
                    json!(line.converted_households),
                );
                map.insert("bill_before_cny".into(), json!(line.bill_before_cny));
                map.insert("bill_after_cny".into(), json!(line.bill_after_cny));
                map.insert(
                    "install_cost_after_subsidy_cny".into(),
                    json!(line.install_cost_after_subsidy_cny),
                );
                map.insert("affordable".into(), json!(line.affordable));
            }
            Some(json!({
                "type": "Feature",
                "properties": properties,
                "geometry": { "type": "Point", "coordinates": [at.x, at.y] },
            }))
        })
        .collect();
    json!({ "type": "FeatureCollection", "features": features, "heating_unavailable": unavailable })
}
