//! `/v1/plans`: upload, list, read, replace (new version) and delete plans.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{accept, blocking, content_type, find, read_body};
use crate::auth::{Action, Principal};
use crate::intake::parse_crs;
use crate::problem_details::{ApiError, ProblemDocument};
use crate::server::AppState;
use crate::storage::{NewPlanVersion, PlanMeta};

/// Query of uploads.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UploadQuery {
    /// Coordinate system of the positions (`wgs84` default, `cgcs2000`, `epsg:3857`,
    /// `epsg:4491`..`epsg:4533`, `gcj02`, `bd09`).
    pub crs: Option<String>,
}

/// Query of plan reads.
#[derive(Debug, Deserialize, IntoParams)]
pub struct VersionQuery {
    /// A version number; the latest when absent.
    pub version: Option<u32>,
}

/// Every plan at its latest version.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanList {
    /// Newest first.
    pub plans: Vec<PlanMeta>,
}

const UPLOAD_TYPES: &str = "application/geo+json or application/json";

/// Reads, checks and validates an upload into what the store keeps.
async fn intake(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    payload: web::Payload,
    query: &UploadQuery,
) -> Result<NewPlanVersion, ApiError> {
    let media = content_type(req);
    if media != "application/geo+json" && media != "application/json" {
        return Err(ApiError::UnsupportedMediaType {
            content_type: media,
            expected: UPLOAD_TYPES,
        });
    }
    let crs_name = query.crs.clone().unwrap_or_else(|| "wgs84".to_owned());
    let crs = parse_crs(&crs_name).map_err(ApiError::InvalidPlan)?;
    let body = read_body(req, payload, state.max_upload_bytes).await?;
    let validator = state.validator.clone();
    blocking("validating a plan", move || {
        match validator.validate(&body, crs) {
            Ok(valid) => Ok(NewPlanVersion {
                name: valid.name,
                crs: crs_name.trim().to_ascii_lowercase(),
                body,
                summary: valid.summary,
                locations: valid.locations,
            }),
            Err(geodata::ingest::IngestError::Invalid(report)) => {
                Err(ApiError::InvalidPlan(report))
            }
            Err(geodata::ingest::IngestError::Read { source }) => Err(ApiError::PayloadRead {
                source: actix_web::error::PayloadError::Io(source),
            }),
        }
    })
    .await
}

/// Uploads a plan (a GeoJSON FeatureCollection, `docs/input-format.md`).
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    post, path = "/v1/plans", tag = "plans", params(UploadQuery),
    request_body(content = Object, content_type = "application/geo+json",
                 description = "The plan as an RFC 7946 FeatureCollection"),
    responses(
        (status = 201, description = "Stored as version 1", body = PlanMeta),
        (status = 413, description = "Body over the limit", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "Not GeoJSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Every validation problem", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    payload: web::Payload,
    query: web::Query<UploadQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::WritePlans)?;
    let plan = intake(&state, &req, payload, &query).await?;
    let store = state.store.clone();
    let meta = blocking("storing a plan", move || Ok(store.create_plan(&plan)?)).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/plans/{}", meta.id)))
        .json(meta))
}

/// Lists plans.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/plans", tag = "plans",
    responses((status = 200, description = "Every plan", body = PlanList)),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadPlans)?;
    let store = state.store.clone();
    let plans = blocking("listing plans", move || Ok(store.list_plans()?)).await?;
    Ok(HttpResponse::Ok().json(PlanList { plans }))
}

/// Reads a plan's metadata, or its upload with `Accept: application/geo+json`.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/plans/{id}", tag = "plans",
    params(("id" = String, Path, description = "Plan id"), VersionQuery),
    responses(
        (status = 200, description = "Metadata (JSON) or the upload (GeoJSON)", body = PlanMeta),
        (status = 404, description = "No such plan or version", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    query: web::Query<VersionQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadPlans)?;
    let store = state.store.clone();
    let wanted = query.version;
    let plan = find("reading a plan", "plan", id.into_inner(), move |id| {
        Ok(store.plan(id, wanted)?)
    })
    .await?;
    let wants_geojson = accept(&req).is_some_and(|a| a.contains("application/geo+json"));
    if wants_geojson {
        return Ok(HttpResponse::Ok()
            .content_type("application/geo+json")
            .body(plan.body));
    }
    Ok(HttpResponse::Ok().json(plan.meta))
}

/// Replaces a plan: stores the upload as a new version, keeping the old ones.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    put, path = "/v1/plans/{id}", tag = "plans",
    params(("id" = String, Path, description = "Plan id"), UploadQuery),
    request_body(content = Object, content_type = "application/geo+json"),
    responses(
        (status = 200, description = "Stored as a new version", body = PlanMeta),
        (status = 404, description = "No such plan", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Every validation problem", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn replace(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<String>,
    query: web::Query<UploadQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::WritePlans)?;
    let plan = intake(&state, &req, payload, &query).await?;
    let store = state.store.clone();
    let meta = find(
        "storing a plan version",
        "plan",
        id.into_inner(),
        move |id| Ok(store.add_plan_version(id, &plan)?),
    )
    .await?;
    Ok(HttpResponse::Ok().json(meta))
}

/// Deletes a plan with every version, job and schedule.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    delete, path = "/v1/plans/{id}", tag = "plans",
    params(("id" = String, Path, description = "Plan id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such plan", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::WritePlans)?;
    let store = state.store.clone();
    let id = id.into_inner();
    find("deleting a plan", "plan", id.clone(), move |id| {
        Ok(store.delete_plan(id)?.then_some(()))
    })
    .await?;
    state.export_cache.forget_plan(&id);
    state.overlay_cache.forget_plan(&id);
    Ok(HttpResponse::NoContent().finish())
}
