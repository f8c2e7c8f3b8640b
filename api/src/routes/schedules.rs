//! Schedules: the whole document and one company's dig schedule (JSON, CSV, iCalendar).

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{accept, find};
use crate::auth::{Action, Principal};
use crate::export::cache::CachedSchedule;
use crate::export::{ExportFormat, ScheduleSource, UtilitySchedule, csv, ical};
use crate::problem_details::{ApiError, ProblemDocument};
use crate::schedule::ScheduleDocument;
use crate::server::AppState;

/// Query of exports.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportQuery {
    /// `json`, `csv` or `ics`; overrides `Accept` (handy for links in a browser).
    pub format: Option<String>,
}

/// The whole schedule document (`docs/schedule-document.md`).
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/schedules/{id}", tag = "schedules",
    params(("id" = String, Path, description = "Schedule id")),
    responses(
        (status = 200, description = "The schedule document", body = Object),
        (status = 404, description = "No such schedule", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadSchedules)?;
    let store = state.store.clone();
    let schedule = find(
        "reading a schedule",
        "schedule",
        id.into_inner(),
        move |id| Ok(store.schedule(id)?),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(schedule.document))
}

/// One company's dig schedule, as JSON, CSV (`Accept: text/csv`) or iCalendar
/// (`Accept: text/calendar`).
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/schedules/{id}/utilities/{owner}", tag = "schedules",
    params(
        ("id" = String, Path, description = "Schedule id"),
        ("owner" = String, Path, description = "Company name as in the plan's `owner`"),
        ExportQuery,
    ),
    responses(
        (status = 200, description = "The company's activities (JSON shown; text/csv and text/calendar by Accept)", body = UtilitySchedule),
        (status = 404, description = "No such schedule, or no activity of this company", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 406, description = "No acceptable format", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn utility(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, owner) = path.into_inner();
    principal.require(Action::ExportUtility { owner: &owner })?;
    let accept = accept(&req);
    let format = ExportFormat::negotiate(query.format.as_deref(), accept.as_deref()).ok_or(
        ApiError::NotAcceptable {
            accept: query.format.clone().map_or_else(
                || accept.clone().unwrap_or_default(),
                |f| format!("format={f}"),
            ),
            available: ExportFormat::AVAILABLE,
        },
    )?;
    let cached = state.export_cache.get(&id);
    let schedule = if let Some(schedule) = cached {
        schedule
    } else {
        let store = state.store.clone();
        let schedule = find("loading a schedule for export", "schedule", id, move |id| {
            let Some(record) = store.schedule(id)? else {
                return Ok(None);
            };
            let document = ScheduleDocument::from_slice(&record.document).map_err(|source| {
                ApiError::CorruptDocument {
                    what: "schedule",
                    source,
                }
            })?;
            let locations = store
                .plan(&record.plan_id, Some(record.plan_version))?
                .map(|plan| plan.locations)
                .unwrap_or_default();
            Ok(Some(Arc::new(CachedSchedule {
                id: record.id,
                plan_id: record.plan_id,
                created_at: record.created_at,
                document,
                locations,
            })))
        })
        .await?;
        state.export_cache.insert(Arc::clone(&schedule));
        schedule
    };
    let export = UtilitySchedule::build(
        ScheduleSource {
            schedule_id: &schedule.id,
            plan_id: &schedule.plan_id,
            created_at: &schedule.created_at,
        },
        &schedule.document,
        &owner,
        &schedule.locations,
    )
    .ok_or(ApiError::NotFound {
        resource: "dig schedule of company",
        id: owner,
    })?;
    let export = match format {
        ExportFormat::Json => {
            serde_json::to_vec(&export).map_err(|source| ApiError::Encode { source })?
        }
        ExportFormat::Csv => csv::render(&export).into_bytes(),
        ExportFormat::Calendar => ical::render(&export).into_bytes(),
    };
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((header::VARY, "Accept"))
        .body(export))
}
