//! Route table under `/v1`, the shared request plumbing (blocking calls, bounded body
//! reading, timeouts) and the handlers for unknown routes and methods.
//!
//! Every resource has a default service answering 405, and the app's default service
//! answers 404, both as problem documents. Extractor failures (JSON, path, query) go
//! through [`ApiError`] too, so every error body is `application/problem+json`.
//!
//! Handler modules: [`plans`], [`jobs`], [`schedules`] (documents and exports),
//! [`layers`] (analysis and overlays), [`ogc`] (OGC API Features over the overlays) and
//! [`meta`] (health and documentation), [`progress`] (progress reports and the bulletin), [`progress_map`] (progress on the
//! map) and [`residents`] (the public page of a compound, `/p/{short}`).

pub mod heating;
pub mod jobs;
pub mod layers;
pub mod meta;
pub mod ogc;
pub mod plans;
pub mod progress;
pub mod progress_map;
pub mod residents;
pub mod schedules;

use actix_web::ResponseError as _;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{HttpRequest, web};
use futures_util::StreamExt as _;

use crate::problem_details::{ApiError, PROBLEM_JSON};
use crate::server::AppState;

/// Registers every route, the extractor error mapping and the 404 handler.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .error_handler(|source, _req| ApiError::BadJson { source }.into()),
    )
    .app_data(
        web::PathConfig::default()
            .error_handler(|source, _req| ApiError::BadPath { source }.into()),
    )
    .app_data(
        web::QueryConfig::default()
            .error_handler(|source, _req| ApiError::BadQuery { source }.into()),
    )
    .service(
        web::scope("/v1")
            .wrap(from_fn(timeout))
            .service(resource("/health").route(web::get().to(meta::health)))
            .service(resource("/openapi.json").route(web::get().to(meta::openapi)))
            .service(resource("/docs").route(web::get().to(meta::docs)))
            .service(
                resource("/plans")
                    .route(web::get().to(plans::list))
                    .route(web::post().to(plans::create)),
            )
            .service(
                resource("/plans/{id}")
                    .route(web::get().to(plans::get))
                    .route(web::put().to(plans::replace))
                    .route(web::delete().to(plans::delete)),
            )
            .service(resource("/plans/{id}/source").route(web::get().to(plans::source)))
            .service(resource("/plans/{id}/progress").route(web::post().to(progress::submit)))
            .service(resource("/plans/{id}/report").route(web::get().to(progress::report)))
            .service(resource("/plans/{id}/progress/map").route(web::get().to(progress_map::get)))
            .service(resource("/plans/{id}/schedules").route(web::post().to(jobs::submit)))
            .service(resource("/plans/{id}/analysis").route(web::get().to(layers::analysis)))
            .service(resource("/plans/{id}/heating").route(web::post().to(heating::choose)))
            .service(resource("/plans/{id}/villages").route(web::get().to(heating::villages)))
            .service(resource("/plans/{id}/overlay").route(web::get().to(layers::plan_overlay)))
            .service(
                resource("/schedules/{id}/overlay").route(web::get().to(layers::schedule_overlay)),
            )
            .service(
                resource("/jobs/{id}")
                    .route(web::get().to(jobs::get))
                    .route(web::delete().to(jobs::cancel)),
            )
            .service(resource("/schedules/{id}").route(web::get().to(schedules::get)))
            .service(
                resource("/schedules/{id}/utilities/{owner}")
                    .route(web::get().to(schedules::utility)),
            )
            .service(resource("/ogc").route(web::get().to(ogc::landing)))
            .service(resource("/ogc/").route(web::get().to(ogc::landing)))
            .service(resource("/ogc/conformance").route(web::get().to(ogc::conformance)))
            .service(resource("/ogc/collections").route(web::get().to(ogc::collections)))
            .service(
                resource("/ogc/collections/{collection}")
                    .route(web::get().to(ogc::collection_info)),
            )
            .service(
                resource("/ogc/collections/{collection}/items").route(web::get().to(ogc::items)),
            )
            .service(
                resource("/ogc/collections/{collection}/items/{feature}")
                    .route(web::get().to(ogc::item)),
            ),
    )
    .configure(crate::map::configure)
    .service(resource("/p/{short}").route(web::get().to(residents::page)))
    .default_service(web::to(route_not_found));
}

fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn route_not_found(req: HttpRequest) -> Result<&'static str, ApiError> {
    Err(ApiError::RouteNotFound {
        path: req.path().to_owned(),
    })
}

async fn method_not_allowed(req: HttpRequest) -> Result<&'static str, ApiError> {
    Err(ApiError::MethodNotAllowed {
        method: req.method().to_string(),
        path: req.path().to_owned(),
    })
}

/// Answers 503 when a request outlives the configured timeout, and turns any error
/// answer that did not come from [`ApiError`] (framework internals) into a problem
/// document too.
async fn timeout(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let limit = req
        .app_data::<web::Data<AppState>>()
        .map_or(std::time::Duration::from_mins(1), |s| s.request_timeout);
    // Errors returned here (rather than answered) are rendered by actix through
    // `ApiError`'s `ResponseError`, so they are problem documents as well.
    let response = match actix_web::rt::time::timeout(limit, next.call(req)).await {
        Ok(Ok(response)) => response,
        Ok(Err(error)) if error.as_error::<ApiError>().is_some() => return Err(error),
        Ok(Err(error)) => {
            tracing::warn!(%error, "framework error mapped to a problem document");
            return Err(ApiError::Framework {
                status: error.as_response_error().status_code(),
            }
            .into());
        }
        Err(_elapsed) => {
            return Err(ApiError::Timeout {
                seconds: limit.as_secs(),
            }
            .into());
        }
    };
    let status = response.status();
    let is_problem = response
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    if (status.is_client_error() || status.is_server_error()) && !is_problem {
        let (request, _plain) = response.into_parts();
        let problem = ApiError::Framework { status }.error_response();
        return Ok(ServiceResponse::new(request, problem).map_into_right_body());
    }
    Ok(response.map_into_left_body())
}

/// Runs a store call (or other blocking work) on actix's blocking pool.
pub(crate) async fn blocking<T, F>(context: &'static str, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    web::block(work)
        .await
        .map_err(|source| ApiError::Blocking { context, source })?
}

/// Looks `id` up on a blocking thread and answers 404 naming `resource` when `lookup`
/// finds nothing: the preamble of every handler that reads one stored resource.
pub(crate) async fn find<T, F>(
    context: &'static str,
    resource: &'static str,
    id: String,
    lookup: F,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&str) -> Result<Option<T>, ApiError> + Send + 'static,
{
    let key = id.clone();
    blocking(context, move || lookup(&key))
        .await?
        .ok_or(ApiError::NotFound { resource, id })
}

/// Reads a request body as it streams in, refusing it with 413 as soon as it passes
/// `limit` bytes (or up front when `Content-Length` already says so).
pub(crate) async fn read_body(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<Vec<u8>, ApiError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge { limit_bytes: limit });
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|source| ApiError::PayloadRead { source })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit_bytes: limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads an optional JSON options body (at most `limit` bytes): an empty or blank body is
/// `T::default()`, anything else must deserialize into `T` (400 `BadJson` otherwise).
pub(crate) async fn read_optional_json<T>(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<T, ApiError>
where
    T: Default + serde::de::DeserializeOwned,
{
    let body = read_body(req, payload, limit).await?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(&body).map_err(|source| ApiError::BadJson {
        source: actix_web::error::JsonPayloadError::Deserialize(source),
    })
}

/// The media type of the request without parameters, lower-cased; empty when absent.
pub(crate) fn content_type(req: &HttpRequest) -> String {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

/// `Content-Disposition: attachment` naming `file_name`: an ASCII `filename` (other
/// characters as `_`) for old clients and the exact UTF-8 name as `filename*` (RFC 6266).
pub(crate) fn attachment(file_name: &str) -> actix_web::http::header::ContentDisposition {
    use actix_web::http::header::{
        Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
    };
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut parameters = vec![DispositionParam::Filename(ascii.clone())];
    if ascii != file_name {
        parameters.push(DispositionParam::FilenameExt(ExtendedValue {
            charset: Charset::Ext("UTF-8".to_owned()),
            language_tag: None,
            value: file_name.as_bytes().to_vec(),
        }));
    }
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters,
    }
}

/// The `Accept` header as text, if any.
pub(crate) fn accept(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
