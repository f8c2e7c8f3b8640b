//! A plan's analysis and the map overlays of plans and schedules, as GeoJSON.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{blocking, find};
use crate::auth::{Action, Principal};
use std::sync::Arc;

use crate::layers::{self, LayerError};
use crate::overlay::Overlay;
use crate::overlay::cache::OverlayCache;
use crate::overlay::filter::Filter;
use crate::overlay::geometry::OutputCrs;
use crate::overlay::rendered::{RenderKey, RenderedOverlay};
use crate::problem_details::{ApiError, ProblemDocument};
use crate::server::AppState;
use crate::storage::Store;
use geodata::crs::InputCrs;

/// The media type of every GeoJSON answer.
pub const GEO_JSON: &str = "application/geo+json";

/// Query of analysis reads.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AnalysisQuery {
    /// A version number; the latest when absent.
    pub version: Option<u32>,
}

/// Query of overlays.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct OverlayQuery {
    /// `minLon,minLat,maxLon,maxLat` in WGS84: only features whose box meets it.
    pub bbox: Option<String>,
    /// An RFC 3339 instant or date, or an interval `a/b` (`..` for an open end): only
    /// features worked on then; `status` is given on that day (default: today).
    pub datetime: Option<String>,
    /// `wgs84` (default) or `gcj02` for Chinese basemaps. With `format=gpkg`: `wgs84`,
    /// `cgcs2000`, `epsg:3857` or a CGCS2000 Gauss-Krüger zone (`epsg:4491`..`epsg:4533`).
    pub crs: Option<String>,
    /// `geojson` (default) or `gpkg`: one GeoPackage with a layer per kind and `start` /
    /// `end` as dates, for QGIS and other desktop GIS.
    pub format: Option<String>,
}

/// What an overlay route answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OverlayFormat {
    GeoJson,
    GeoPackage(InputCrs),
}

impl OverlayQuery {
    fn format(&self) -> Result<OverlayFormat, ApiError> {
        match self.format.as_deref().map(str::trim) {
            None | Some("geojson") => Ok(OverlayFormat::GeoJson),
            Some("gpkg") => {
                let crs = match self.crs.as_deref() {
                    None => InputCrs::Wgs84,
                    Some(name) => {
                        name.parse::<InputCrs>()
                            .map_err(|e| ApiError::InvalidParameter {
                                parameter: "crs",
                                reason: e.to_string(),
                            })?
                    }
                };
                if geodata::crs::wkt::definition(crs).is_none() {
                    return Err(ApiError::InvalidParameter {
                        parameter: "crs",
                        reason: format!(
                            "a GeoPackage cannot be written in {crs}; use wgs84, cgcs2000, epsg:3857 or a Gauss-Krüger zone"
                        ),
                    });
                }
                Ok(OverlayFormat::GeoPackage(crs))
            }
            Some(other) => Err(ApiError::InvalidParameter {
                parameter: "format",
                reason: format!("{other:?} is not one of geojson, gpkg"),
            }),
        }
    }

    /// The filter alone (bbox and datetime), for formats that read `crs` their own way.
    fn filter(&self) -> Result<Filter, ApiError> {
        OverlayQuery {
            bbox: self.bbox.clone(),
            datetime: self.datetime.clone(),
            crs: None,
            format: None,
        }
        .parse()
        .map(|(filter, _)| filter)
    }
}

impl OverlayQuery {
    /// The parsed filter and output coordinate system.
    ///
    /// # Errors
    /// [`ApiError::InvalidParameter`] naming the parameter.
    pub fn parse(&self) -> Result<(Filter, OutputCrs), ApiError> {
        let filter = Filter::parse(
            self.bbox.as_deref(),
            self.datetime.as_deref(),
            chrono::Utc::now().date_naive(),
        )
        .map_err(|error| ApiError::InvalidParameter {
            parameter: match error {
                crate::overlay::filter::FilterError::Bbox { .. } => "bbox",
                crate::overlay::filter::FilterError::Datetime { .. } => "datetime",
            },
            reason: error.to_string(),
        })?;
        let crs = match self.crs.as_deref() {
            None => OutputCrs::Wgs84,
            Some(name) => OutputCrs::parse(name).ok_or_else(|| ApiError::InvalidParameter {
                parameter: "crs",
                reason: format!("{name:?} is not one of wgs84, gcj02"),
            })?,
        };
        Ok((filter, crs))
    }
}

fn encode(body: &serde_json::Value) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(body).map_err(|source| ApiError::Encode { source })
}

/// A `200 application/geo+json` answer.
pub(crate) fn geojson(bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(GEO_JSON)
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(bytes)
}

/// A rendering as the request asks for it: `304 Not Modified` when `If-None-Match` names
/// its tag, else the bytes (gzip-encoded when `Accept-Encoding` allows), always with the
/// `ETag` and `Vary: Accept-Encoding`.
fn conditional(rendered: &RenderedOverlay, request: &HttpRequest) -> HttpResponse {
    let header_of = |name| request.headers().get(name).and_then(|v| v.to_str().ok());
    let not_modified = header_of(header::IF_NONE_MATCH).is_some_and(|v| rendered.matches(v));
    let mut answer = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    answer
        .insert_header((header::ETAG, rendered.etag.clone()))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::VARY, "Accept-Encoding"));
    if not_modified {
        return answer.finish();
    }
    answer.content_type(GEO_JSON);
    if rendered.gzip_for(header_of(header::ACCEPT_ENCODING)) {
        answer
            .insert_header((header::CONTENT_ENCODING, "gzip"))
            .body(rendered.gzip.clone())
    } else {
        answer.body(rendered.body.clone())
    }
}

/// A plan's spatial analysis: corridors, shared trenches, crossings and moratorium
/// conflicts (computed once per plan version, then served from the store).
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/plans/{id}/analysis", tag = "layers",
    params(("id" = String, Path, description = "Plan id"), AnalysisQuery),
    responses(
        (status = 200, description = "FeatureCollection with kind corridor, trench, crossing, moratorium_conflict and the summary", body = Object, content_type = "application/geo+json"),
        (status = 404, description = "No such plan or version", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn analysis(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    query: web::Query<AnalysisQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadAnalysis)?;
    let store = state.store.clone();
    let wanted = query.version;
    let document = find("analysing a plan", "plan", id.into_inner(), move |id| {
        let Some(version) = store.plan(id, wanted)? else {
            return Ok(None);
        };
        let analysis = layers::analysis_of(store.as_ref(), &version, None)?;
        let mut document = geodata::analysis::feature_collection(&analysis);
        if let serde_json::Value::Object(map) = &mut document {
            map.insert("plan_id".into(), version.meta.id.clone().into());
            map.insert("plan_version".into(), version.meta.version.into());
        }
        Ok(Some(encode(&document)?))
    })
    .await?;
    Ok(geojson(document))
}

fn render(overlay: &Overlay, query: &OverlayQuery) -> Result<Vec<u8>, ApiError> {
    let (filter, crs) = query.parse()?;
    encode(&overlay.to_geojson(&filter, crs))
}

/// The map overlay of a plan's latest version with its latest schedule, if any
/// (`docs/http-api.md#map-overlay`): every compound, work, street, shared trench, crossing
/// and moratorium conflict with kind, ISO start/end, status on `datetime` and a display
/// colour.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/plans/{id}/overlay", tag = "layers",
    params(("id" = String, Path, description = "Plan id"), OverlayQuery),
    responses(
        (status = 200, description = "The overlay FeatureCollection (docs/http-api.md#map-overlay), or with format=gpkg one GeoPackage with a layer per kind", content(
            (Object = "application/geo+json"),
            (Vec<u8> = "application/geopackage+sqlite3"),
        )),
        (status = 304, description = "The client's copy is current: If-None-Match named the rendering's ETag"),
        (status = 400, description = "Malformed bbox, datetime, crs or format", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such plan", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn plan_overlay(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    query: web::Query<OverlayQuery>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    overlay(
        &state,
        (&principal, &request),
        ("building a plan overlay", "plan"),
        id.into_inner(),
        query.into_inner(),
        layers::plan_overlay,
    )
    .await
}

/// The map overlay of one schedule over the plan version it was computed from.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/schedules/{id}/overlay", tag = "layers",
    params(("id" = String, Path, description = "Schedule id"), OverlayQuery),
    responses(
        (status = 200, description = "The overlay FeatureCollection (docs/http-api.md#map-overlay), or with format=gpkg one GeoPackage with a layer per kind", content(
            (Object = "application/geo+json"),
            (Vec<u8> = "application/geopackage+sqlite3"),
        )),
        (status = 304, description = "The client's copy is current: If-None-Match named the rendering's ETag"),
        (status = 400, description = "Malformed bbox, datetime, crs or format", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such schedule", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn schedule_overlay(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    query: web::Query<OverlayQuery>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    overlay(
        &state,
        (&principal, &request),
        ("building a schedule overlay", "schedule"),
        id.into_inner(),
        query.into_inner(),
        layers::schedule_overlay,
    )
    .await
}

/// Loads an overlay from the store through the cache (`None` when the resource is absent).
type OverlayLoader =
    fn(&dyn Store, &OverlayCache, &str) -> Result<Option<Arc<Overlay>>, LayerError>;

/// What both overlay routes do once they know how to load their overlay: check the role
/// and the query, load (404 when absent) and render the filtered GeoJSON off the request
/// threads.
async fn overlay(
    state: &web::Data<AppState>,
    (principal, request): (&Principal, &HttpRequest),
    (what, resource): (&'static str, &'static str),
    id: String,
    query: OverlayQuery,
    load: OverlayLoader,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadOverlays)?;
    let format = query.format()?;
    let filter = match format {
        OverlayFormat::GeoJson => query.parse()?.0,
        OverlayFormat::GeoPackage(_) => query.filter()?,
    };
    let app = state.clone();
    let overlay = find(what, resource, id.clone(), move |id| {
        Ok(load(app.store.as_ref(), &app.overlay_cache, id)?)
    })
    .await?;
    match format {
        OverlayFormat::GeoJson => {
            let key = RenderKey {
                plan_id: overlay.meta.plan_id.clone(),
                plan_version: overlay.meta.plan_version,
                schedule_id: overlay.meta.schedule_id.clone(),
                bbox: query.bbox.clone(),
                datetime: query.datetime.clone(),
                crs: query.crs.clone(),
                today: chrono::Utc::now().date_naive(),
            };
            let rendered = if let Some(rendered) = state.overlay_cache.rendering(&key) {
                rendered
            } else {
                let rendered = blocking("rendering an overlay", move || {
                    render(&overlay, &query).map(|body| Arc::new(RenderedOverlay::new(body)))
                })
                .await?;
                state.overlay_cache.insert_rendering(key, rendered.clone());
                rendered
            };
            Ok(conditional(&rendered, request))
        }
        OverlayFormat::GeoPackage(crs) => {
            let body = blocking("writing a GeoPackage", move || {
                crate::export::gpkg::write(&overlay, &filter, crs).map_err(|source| match source {
                    crate::export::gpkg::GpkgError::Sqlite(_) => ApiError::GeoPackage {
                        source: Box::new(source),
                    },
                    other => ApiError::InvalidParameter {
                        parameter: "crs",
                        reason: other.to_string(),
                    },
                })
            })
            .await?;
            Ok(HttpResponse::Ok()
                .content_type(crate::export::gpkg::GEOPACKAGE)
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    super::attachment(&format!("{id}.gpkg")),
                ))
                .body(body))
        }
    }
}
