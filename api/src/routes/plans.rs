//! `/v1/plans`: upload, list, read, replace (new version) and delete plans.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{accept, blocking, content_type, find, read_body};
use crate::auth::{Action, Principal};
use crate::intake::{ImportRequest, disposition_file_name, mapping, parse_crs};
use crate::problem_details::{ApiError, ProblemDocument};
use crate::server::AppState;
use crate::storage::{NewPlanVersion, PlanMeta, PlanSource};
use geodata::import::{ImportError, ImportSummary, SourceFormat};

/// Query of uploads.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UploadQuery {
    /// Coordinate system of the positions (`wgs84` default, `cgcs2000`, `epsg:3857`,
    /// `epsg:4491`..`epsg:4533`, `gcj02`, `bd09`). For an import, the system of layers
    /// that declare none (DXF, CSV, a Shapefile without `.prj`).
    pub crs: Option<String>,
    /// For an import (any body but GeoJSON): the mapping, a preset name (`cn-survey`,
    /// the default, or `digonce`) or a mapping written as JSON (`docs/import.md`).
    pub mapping: Option<String>,
    /// For an import: the plan's name (default: the file name in `Content-Disposition`).
    pub name: Option<String>,
    /// For an import: the plan's start date, `YYYY-MM-DD` (default: today).
    pub start: Option<String>,
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

const UPLOAD_TYPES: &str = "application/geo+json or application/json (a plan), or to import: \
     application/zip (zipped Shapefile), application/geopackage+sqlite3, image/vnd.dxf, text/csv, \
     application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A stored upload and, for an import, what happened to each layer.
struct Intake {
    plan: NewPlanVersion,
    import: Option<ImportSummary>,
}

/// The answer to an upload: the plan's metadata and, for an import, the `import` member
/// with what happened to each source layer.
fn stored(meta: &PlanMeta, import: Option<ImportSummary>) -> Result<serde_json::Value, ApiError> {
    let mut body = serde_json::to_value(meta).map_err(|source| ApiError::Encode { source })?;
    if let (Some(summary), serde_json::Value::Object(map)) = (import, &mut body) {
        map.insert(
            "import".into(),
            serde_json::to_value(summary).map_err(|source| ApiError::Encode { source })?,
        );
    }
    Ok(body)
}

/// Reads, converts and validates an upload in another format than GeoJSON.
async fn import_intake(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    payload: web::Payload,
    query: &UploadQuery,
    (format, media): (SourceFormat, String),
) -> Result<Intake, ApiError> {
    let mapping_spec = query
        .mapping
        .clone()
        .unwrap_or_else(|| "cn-survey".to_owned());
    let mapping = mapping(&mapping_spec).map_err(|e| ApiError::InvalidParameter {
        parameter: "mapping",
        reason: e.to_string(),
    })?;
    let crs = query
        .crs
        .as_deref()
        .map(parse_crs)
        .transpose()
        .map_err(ApiError::InvalidPlan)?;
    let mut settings = serde_json::Map::new();
    if let Some(name) = query.name.as_deref().filter(|n| !n.trim().is_empty()) {
        settings.insert("name".into(), name.trim().into());
    }
    if let Some(start) = query.start.as_deref() {
        let day = chrono::NaiveDate::parse_from_str(start.trim(), "%Y-%m-%d").map_err(|e| {
            ApiError::InvalidParameter {
                parameter: "start",
                reason: format!("{start:?} is not a YYYY-MM-DD date: {e}"),
            }
        })?;
        settings.insert("start".into(), day.to_string().into());
    }
    let file_name = req
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .and_then(disposition_file_name);
    let mapping_name = if mapping_spec.trim_start().starts_with('{') {
        "custom".to_owned()
    } else {
        mapping.name.clone()
    };
    let request = ImportRequest {
        format,
        file_name: file_name.clone(),
        mapping,
        crs,
        settings,
    };
    let body = read_body(req, payload, state.max_upload_bytes).await?;
    let validator = state.validator.clone();
    blocking("importing a plan", move || {
        match validator.import(body.clone(), &request) {
            Ok(imported) => Ok(Intake {
                plan: NewPlanVersion {
                    name: imported.valid.name,
                    crs: "wgs84".into(),
                    body: imported.geojson,
                    summary: imported.valid.summary,
                    locations: imported.valid.locations,
                    source: Some(PlanSource {
                        media_type: media,
                        file_name,
                        mapping: mapping_name,
                        crs: request.crs.map(|c| c.to_string()),
                        body,
                    }),
                },
                import: Some(imported.summary),
            }),
            Err(ImportError::Invalid { failure }) => Err(ApiError::InvalidPlan(failure.report)),
            Err(source) => Err(ApiError::UnreadableUpload {
                source: Box::new(source),
            }),
        }
    })
    .await
}

/// Reads, checks and validates an upload into what the store keeps.
async fn intake(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    payload: web::Payload,
    query: &UploadQuery,
) -> Result<Intake, ApiError> {
    let media = content_type(req);
    if media != "application/geo+json" && media != "application/json" {
        return match SourceFormat::from_media_type(&media) {
            Some(format) => import_intake(state, req, payload, query, (format, media)).await,
            None => Err(ApiError::UnsupportedMediaType {
                content_type: media,
                expected: UPLOAD_TYPES,
            }),
        };
    }
    let crs_name = query.crs.clone().unwrap_or_else(|| "wgs84".to_owned());
    let crs = parse_crs(&crs_name).map_err(ApiError::InvalidPlan)?;
    let body = read_body(req, payload, state.max_upload_bytes).await?;
    let validator = state.validator.clone();
    blocking("validating a plan", move || {
        match validator.validate(&body, crs) {
            Ok(valid) => Ok(Intake {
                plan: NewPlanVersion {
                    name: valid.name,
                    crs: crs_name.trim().to_ascii_lowercase(),
                    body,
                    summary: valid.summary,
                    locations: valid.locations,
                    source: None,
                },
                import: None,
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

/// Uploads a plan: a GeoJSON FeatureCollection (`docs/input-format.md`), or a file to
/// import through a mapping (`docs/import.md`): a zipped Shapefile, a GeoPackage, a DXF
/// drawing, a CSV or XLSX table. An import stores the converted GeoJSON as the version's
/// body and keeps the original beside it (`GET /v1/plans/{id}/source`).
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    post, path = "/v1/plans", tag = "plans", params(UploadQuery),
    request_body(description = "The plan as an RFC 7946 FeatureCollection, or a file to import (`mapping`, `crs`, `name`, `start` apply; `Content-Disposition: attachment; filename=...` names it)",
        content(
            (Object = "application/geo+json"),
            (Vec<u8> = "application/zip"),
            (Vec<u8> = "application/geopackage+sqlite3"),
            (Vec<u8> = "image/vnd.dxf"),
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
    responses(
        (status = 201, description = "Stored as version 1; an import adds `import`, what happened to each source layer", body = PlanMeta),
        (status = 400, description = "Unknown mapping, malformed start date, or an upload that cannot be read as its format", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, description = "Body over the limit", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "A media type digonce neither reads nor imports", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Every validation problem; for an import each names its source record (`origin`)", body = ProblemDocument, content_type = "application/problem+json"),
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
    let Intake { plan, import } = intake(&state, &req, payload, &query).await?;
    let store = state.store.clone();
    let meta = blocking("storing a plan", move || Ok(store.create_plan(&plan)?)).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/plans/{}", meta.id)))
        .json(stored(&meta, import)?))
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

/// The file a plan version was uploaded as: for an import, the original (zip,
/// GeoPackage, DXF, CSV, XLSX) with its media type and file name; for a GeoJSON upload,
/// the GeoJSON itself.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/plans/{id}/source", tag = "plans",
    params(("id" = String, Path, description = "Plan id"), VersionQuery),
    responses(
        (status = 200, description = "The upload exactly as received", content(
            (Vec<u8> = "application/octet-stream"),
            (Object = "application/geo+json"),
        )),
        (status = 404, description = "No such plan or version", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn source(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    query: web::Query<VersionQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadPlans)?;
    let store = state.store.clone();
    let wanted = query.version;
    let (plan, source) = find(
        "reading a plan's upload",
        "plan",
        id.into_inner(),
        move |id| {
            let Some(plan) = store.plan(id, wanted)? else {
                return Ok(None);
            };
            let source = store.plan_source(id, plan.meta.version)?;
            Ok(Some((plan, source)))
        },
    )
    .await?;
    Ok(match source {
        Some(source) => {
            let file_name = source
                .file_name
                .unwrap_or_else(|| format!("{}-v{}", plan.meta.id, plan.meta.version));
            HttpResponse::Ok()
                .content_type(source.media_type)
                .insert_header((header::CONTENT_DISPOSITION, super::attachment(&file_name)))
                .body(source.body)
        }
        None => HttpResponse::Ok()
            .content_type("application/geo+json")
            .body(plan.body),
    })
}

/// Replaces a plan: stores the upload as a new version, keeping the old ones.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    put, path = "/v1/plans/{id}", tag = "plans",
    params(("id" = String, Path, description = "Plan id"), UploadQuery),
    request_body(description = "As for POST /v1/plans: a plan GeoJSON or a file to import",
        content(
            (Object = "application/geo+json"),
            (Vec<u8> = "application/zip"),
            (Vec<u8> = "application/geopackage+sqlite3"),
            (Vec<u8> = "image/vnd.dxf"),
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
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
    let Intake { plan, import } = intake(&state, &req, payload, &query).await?;
    let store = state.store.clone();
    let meta = find(
        "storing a plan version",
        "plan",
        id.into_inner(),
        move |id| Ok(store.add_plan_version(id, &plan)?),
    )
    .await?;
    Ok(HttpResponse::Ok().json(stored(&meta, import)?))
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
