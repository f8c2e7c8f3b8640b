//! OGC API – Features (Part 1: Core) over the overlay layers, so QGIS and GDAL open
//! them directly (`OAPIF:http://host/v1/ogc`).
//!
//! One collection per plan and feature kind, named `{plan_id}-{kind}` (`pl_x-work`,
//! `pl_x-trench`...): each holds one kind of geometry, which desktop GIS layers expect.
//! A collection shows the plan's latest version with its latest schedule, exactly the
//! features of `GET /v1/plans/{id}/overlay`, with the same properties (ISO `start`/`end`
//! for QGIS's temporal controller, `status` on `datetime` or today, `color`). Positions
//! are CRS84 (WGS84 longitude, latitude).
//!
//! - `GET /v1/ogc`: landing page; `GET /v1/ogc/conformance`: the classes met (core,
//!   GeoJSON, OpenAPI 3.0);
//! - `GET /v1/ogc/collections`, `GET /v1/ogc/collections/{c}`: collections with their
//!   spatial and temporal extents;
//! - `GET /v1/ogc/collections/{c}/items?bbox=&datetime=&limit=&offset=`: a page of
//!   features with `numberMatched`, `numberReturned` and `next`/`prev` links;
//! - `GET /v1/ogc/collections/{c}/items/{featureId}`: one feature.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use super::{blocking, find};
use crate::auth::{Action, Principal};
use crate::layers;
use crate::overlay::filter::Filter;
use crate::overlay::geometry::OutputCrs;
use crate::overlay::{Kind, Overlay};
use crate::problem_details::{ApiError, ProblemDocument};
use crate::routes::layers::{GEO_JSON, OverlayQuery, geojson};
use crate::server::AppState;

/// The conformance classes this service implements.
pub const CONFORMANCE: [&str; 3] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
];

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const JSON: &str = "application/json";

/// Items per page when the client gives no `limit`.
pub const DEFAULT_LIMIT: usize = 1000;
/// The largest `limit` honoured (larger values are lowered to it, as the standard says).
pub const MAX_LIMIT: usize = 10_000;

/// Query of item pages.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ItemsQuery {
    /// Items per page, 1 to 10,000 (default 1,000).
    pub limit: Option<usize>,
    /// Items to skip (the `next` link sets it).
    pub offset: Option<usize>,
    /// `minLon,minLat,maxLon,maxLat` (CRS84).
    pub bbox: Option<String>,
    /// RFC 3339 instant or interval (`..` for an open end).
    pub datetime: Option<String>,
}

/// The root URL of this API as the client reached it (`http://host/v1/ogc`).
fn root(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}/v1/ogc", info.scheme(), info.host())
}

fn link(href: impl Into<String>, rel: &str, media: &str, title: &str) -> Value {
    let href: String = href.into();
    json!({ "href": href, "rel": rel, "type": media, "title": title })
}

fn json_answer(body: &Value) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(|source| ApiError::Encode { source })?;
    Ok(HttpResponse::Ok().content_type(JSON).body(bytes))
}

/// Splits `{plan_id}-{kind}` into the plan id and kind.
fn parse_collection(id: &str) -> Option<(&str, Kind)> {
    let (plan, kind) = id.rsplit_once('-')?;
    Some((plan, Kind::parse(kind)?)).filter(|(p, _)| !p.is_empty())
}

fn collection(root: &str, overlay: &Overlay, kind: Kind) -> Value {
    let meta = &overlay.meta;
    let id = format!("{}-{}", meta.plan_id, kind.as_str());
    let mut extent = serde_json::Map::new();
    if let Some(bbox) = overlay.extent(Some(kind)) {
        extent.insert("spatial".into(), json!({ "bbox": [bbox], "crs": CRS84 }));
    }
    if kind.is_timed() {
        extent.insert(
            "temporal".into(),
            json!({
                "interval": [[format!("{}T00:00:00Z", meta.start), format!("{}T23:59:59Z", meta.end)]],
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            }),
        );
    }
    json!({
        "id": id,
        "title": format!("{}: {}", meta.plan_name, kind.title()),
        "description": format!(
            "{} of plan {} version {}{}",
            kind.title(),
            meta.plan_id,
            meta.plan_version,
            meta.schedule_id
                .as_deref()
                .map_or_else(|| " (not scheduled yet)".to_owned(), |s| format!(" as scheduled by {s}")),
        ),
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": extent,
        "links": [
            link(format!("{root}/collections/{id}"), "self", JSON, "This collection"),
            link(format!("{root}/collections/{id}/items"), "items", GEO_JSON, "Its features"),
        ],
    })
}

/// The landing page.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/ogc", tag = "ogc",
    responses((status = 200, description = "Links to the API description, conformance and collections", body = Object)),
    security(("bearer" = []))
)]
pub async fn landing(req: HttpRequest, principal: Principal) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadOverlays)?;
    let root = root(&req);
    let api = root.trim_end_matches("/ogc");
    json_answer(&json!({
        "title": "digonce overlays",
        "description": "Compounds, works, streets, shared trenches, crossings and moratorium conflicts of every plan, with their schedule",
        "links": [
            link(root.clone(), "self", JSON, "This document"),
            link(format!("{api}/openapi.json"), "service-desc", "application/vnd.oai.openapi+json;version=3.0", "The API definition"),
            link(format!("{api}/docs"), "service-doc", "text/html", "The API documentation"),
            link(format!("{root}/conformance"), "conformance", JSON, "Conformance classes"),
            link(format!("{root}/collections"), "data", JSON, "The collections"),
        ],
    }))
}

/// The conformance classes implemented.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/ogc/conformance", tag = "ogc",
    responses((status = 200, description = "conformsTo", body = Object)),
    security(("bearer" = []))
)]
pub async fn conformance(principal: Principal) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadOverlays)?;
    json_answer(&json!({ "conformsTo": CONFORMANCE }))
}

/// Every collection: one per plan and feature kind.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/ogc/collections", tag = "ogc",
    responses((status = 200, description = "The collections with their extents", body = Object)),
    security(("bearer" = []))
)]
pub async fn collections(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadOverlays)?;
    let root = root(&req);
    let app = state.clone();
    let overlays: Vec<Arc<Overlay>> = blocking("listing collections", move || {
        let mut overlays = Vec::new();
        for plan in app.store.list_plans()? {
            if let Some(overlay) =
                layers::plan_overlay(app.store.as_ref(), &app.overlay_cache, &plan.id)?
            {
                overlays.push(overlay);
            }
        }
        Ok(overlays)
    })
    .await?;
    let collections: Vec<Value> = overlays
        .iter()
        .flat_map(|o| Kind::ALL.into_iter().map(|k| collection(&root, o, k)))
        .collect();
    json_answer(&json!({
        "links": [link(format!("{root}/collections"), "self", JSON, "This document")],
        "collections": collections,
    }))
}

/// Loads the overlay behind a collection id, or 404.
async fn overlay_of(
    state: &web::Data<AppState>,
    collection_id: String,
) -> Result<(Arc<Overlay>, Kind), ApiError> {
    let app = state.clone();
    find(
        "loading a collection",
        "collection",
        collection_id,
        move |id| {
            let Some((plan, kind)) = parse_collection(id) else {
                return Ok(None);
            };
            Ok(
                layers::plan_overlay(app.store.as_ref(), &app.overlay_cache, plan)?
                    .map(|o| (o, kind)),
            )
        },
    )
    .await
}

/// One collection.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/ogc/collections/{collectionId}", tag = "ogc",
    params(("collectionId" = String, Path, description = "`{plan_id}-{kind}`")),
    responses(
        (status = 200, description = "The collection with its extent", body = Object),
        (status = 404, description = "No such collection", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn collection_info(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadOverlays)?;
    let (overlay, kind) = overlay_of(&state, id.into_inner()).await?;
    json_answer(&collection(&root(&req), &overlay, kind))
}

/// A page of a collection's features.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/ogc/collections/{collectionId}/items", tag = "ogc",
    params(("collectionId" = String, Path, description = "`{plan_id}-{kind}`"), ItemsQuery),
    responses(
        (status = 200, description = "FeatureCollection with numberMatched, numberReturned and next/prev links", body = Object, content_type = "application/geo+json"),
        (status = 400, description = "Malformed bbox, datetime, limit or offset", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such collection", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn items(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    query: web::Query<ItemsQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadOverlays)?;
    let query = query.into_inner();
    let (filter, _) = OverlayQuery {
        bbox: query.bbox.clone(),
        datetime: query.datetime.clone(),
        crs: None,
        format: None,
    }
    .parse()?;
    if query.limit == Some(0) {
        return Err(ApiError::InvalidParameter {
            parameter: "limit",
            reason: "must be at least 1".to_owned(),
        });
    }
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
    let offset = query.offset.unwrap_or(0);
    let collection_id = id.into_inner();
    let (overlay, kind) = overlay_of(&state, collection_id.clone()).await?;
    let base = format!("{}/collections/{collection_id}/items", root(&req));
    let body = blocking("rendering items", move || {
        let page = Page {
            base: &base,
            limit,
            offset,
            query: &query,
        };
        serde_json::to_vec(&page.render(&overlay, kind, &filter))
            .map_err(|source| ApiError::Encode { source })
    })
    .await?;
    Ok(geojson(body))
}

/// One page of items and how to link to its neighbours.
struct Page<'a> {
    base: &'a str,
    limit: usize,
    offset: usize,
    query: &'a ItemsQuery,
}

impl Page<'_> {
    fn href(&self, offset: usize) -> String {
        let mut url = format!("{}?limit={}&offset={offset}", self.base, self.limit);
        for (name, value) in [
            ("bbox", &self.query.bbox),
            ("datetime", &self.query.datetime),
        ] {
            if let Some(v) = value {
                url.push('&');
                url.push_str(name);
                url.push('=');
                url.push_str(&percent_encode(v));
            }
        }
        url
    }

    fn render(&self, overlay: &Overlay, kind: Kind, filter: &Filter) -> Value {
        let day = filter.status_day();
        let matched = overlay.matching(Some(kind), filter).count();
        let features: Vec<Value> = overlay
            .matching(Some(kind), filter)
            .skip(self.offset)
            .take(self.limit)
            .map(|f| f.to_geojson(day, OutputCrs::Wgs84, true))
            .collect();
        let returned = features.len();
        let mut links = vec![link(self.href(self.offset), "self", GEO_JSON, "This page")];
        if self.offset.saturating_add(returned) < matched {
            links.push(link(
                self.href(self.offset + returned),
                "next",
                GEO_JSON,
                "Next page",
            ));
        }
        if self.offset > 0 {
            links.push(link(
                self.href(self.offset.saturating_sub(self.limit)),
                "prev",
                GEO_JSON,
                "Previous page",
            ));
        }
        let collection = self.base.trim_end_matches("/items").to_owned();
        links.push(link(collection, "collection", JSON, "The collection"));
        json!({
            "type": "FeatureCollection",
            "features": features,
            "numberMatched": matched,
            "numberReturned": returned,
            "timeStamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "links": links,
        })
    }
}

/// Percent-encodes a query value (bbox commas and datetime colons are kept readable
/// where RFC 3986 allows them).
fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~,:/".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// One feature of a collection.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/ogc/collections/{collectionId}/items/{featureId}", tag = "ogc",
    params(
        ("collectionId" = String, Path, description = "`{plan_id}-{kind}`"),
        ("featureId" = String, Path, description = "The feature's `id`"),
    ),
    responses(
        (status = 200, description = "The feature", body = Object, content_type = "application/geo+json"),
        (status = 404, description = "No such collection or feature", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn item(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadOverlays)?;
    let (collection_id, feature_id) = path.into_inner();
    let (overlay, kind) = overlay_of(&state, collection_id.clone()).await?;
    let feature = overlay
        .features
        .iter()
        .find(|f| f.kind == kind && f.id == feature_id)
        .ok_or(ApiError::NotFound {
            resource: "feature",
            id: feature_id,
        })?;
    let mut value = feature.to_geojson(chrono::Utc::now().date_naive(), OutputCrs::Wgs84, true);
    let collection = format!("{}/collections/{collection_id}", root(&req));
    if let Value::Object(map) = &mut value {
        map.insert(
            "links".into(),
            json!([
                link(
                    format!("{collection}/items/{}", feature.id),
                    "self",
                    GEO_JSON,
                    "This feature"
                ),
                link(collection, "collection", JSON, "The collection"),
            ]),
        );
    }
    let bytes = serde_json::to_vec(&value).map_err(|source| ApiError::Encode { source })?;
    Ok(geojson(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_ids_split_at_the_last_dash_into_plan_and_kind() {
        assert_eq!(
            parse_collection("pl_abc-moratorium_conflict"),
            Some(("pl_abc", Kind::MoratoriumConflict))
        );
        assert_eq!(parse_collection("a-b-work"), Some(("a-b", Kind::Work)));
        assert_eq!(parse_collection("pl_abc-road"), None);
        assert_eq!(parse_collection("-work"), None);
        assert_eq!(parse_collection("work"), None);
    }

    #[test]
    fn next_links_keep_the_filters_encoded() {
        let query = ItemsQuery {
            limit: Some(2),
            offset: None,
            bbox: Some("116.3,39.8,116.5,40".into()),
            datetime: Some("2027-05-01T00:00:00+08:00/..".into()),
        };
        let page = Page {
            base: "http://h/v1/ogc/collections/p-work/items",
            limit: 2,
            offset: 0,
            query: &query,
        };
        assert_eq!(
            page.href(2),
            "http://h/v1/ogc/collections/p-work/items?limit=2&offset=2&bbox=116.3,39.8,116.5,40&datetime=2027-05-01T00:00:00%2B08:00/.."
        );
    }
}
