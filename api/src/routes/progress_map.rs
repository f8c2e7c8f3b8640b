//! Progress on the map: `GET /v1/plans/{id}/progress/map` (`docs/progress.md`, "On the
//! map"), the status of every work and compound and the district areas with their rank,
//! as of a data date.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use geodata::progress::ProgressRow;
use serde::Deserialize;
use utoipa::IntoParams;

use super::blocking;
use super::progress::plan_and_schedule;
use crate::auth::{Action, Principal};
use crate::overlay::geometry::OutputCrs;
use crate::overlay::progress::progress_map;
use crate::problem_details::{ApiError, ProblemDocument};
use crate::server::AppState;

/// Query of the progress layer.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ProgressMapQuery {
    /// The data date (`YYYY-MM-DD`); by default the latest `reported_on` of the plan's
    /// progress.
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
    /// `wgs84` (default) or `gcj02`, as for the overlay.
    pub crs: Option<String>,
}

/// The progress layer of a plan as of a data date: each work's and compound's status
/// (`done`, `in_progress`, `late`, `not_started`), each compound's public page code, and
/// the districts (convex hull of their compounds) with the bulletin's completion rate and
/// rank.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/plans/{id}/progress/map", tag = "progress",
    params(("id" = String, Path, description = "Plan id"), ProgressMapQuery),
    responses(
        (status = 200, description = "`as_of`, `counts`, `units` (id, kind, status, short), `districts` (a GeoJSON FeatureCollection) and `ranking`", body = Object),
        (status = 400, description = "A bad date or crs", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Utilities do not read the ranking", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such plan, no schedule of it yet, or no progress and no `as_of`", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    query: web::Query<ProgressMapQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadBulletin)?;
    let crs = match query.crs.as_deref() {
        None => OutputCrs::Wgs84,
        Some(name) => OutputCrs::parse(name).ok_or_else(|| ApiError::InvalidParameter {
            parameter: "crs",
            reason: format!("{name:?} is not one of wgs84, gcj02"),
        })?,
    };
    let store = state.store.clone();
    let id = id.into_inner();
    let wanted = query.as_of;
    let body = blocking("building the progress layer", move || {
        let (plan, schedule) = plan_and_schedule(store.as_ref(), &id)?;
        let schedule = schedule.ok_or_else(|| ApiError::NotFound {
            resource: "schedule of plan",
            id: id.clone(),
        })?;
        let rows: Vec<ProgressRow> = store.progress(&id)?.into_iter().map(|s| s.row).collect();
        let as_of = wanted
            .or_else(|| rows.iter().map(|r| r.reported_on).max())
            .ok_or_else(|| ApiError::NotFound {
                resource: "progress of plan",
                id: id.clone(),
            })?;
        let layer = progress_map(&id, &plan, &schedule, &rows, as_of, crs);
        serde_json::to_vec(&layer).map_err(|source| ApiError::Encode { source })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-cache"))
        .body(body))
}
