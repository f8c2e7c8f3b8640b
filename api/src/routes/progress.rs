//! Progress reports and the bulletin of a plan: `POST /v1/plans/{id}/progress` and
//! `GET /v1/plans/{id}/report` (`docs/progress.md`).

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use geodata::plan::Plan;
use geodata::progress::{self, ProgressIds, ProgressRow};
use optimizer::bulletin::{Bulletin, BulletinOptions, bulletin};
use optimizer::city::document::ScheduleDocument;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{blocking, content_type, read_body};
use crate::auth::{Action, Principal, Role};
use crate::bulletin::{Format, render};
use crate::layers::ingest_version;
use crate::problem_details::{ApiError, ProblemDocument};
use crate::server::AppState;
use crate::storage::{ProgressReceipt, Store};

/// The latest version of a plan, read again, and its newest schedule (if any).
pub(super) fn plan_and_schedule(
    store: &dyn Store,
    id: &str,
) -> Result<(Plan, Option<ScheduleDocument>), ApiError> {
    let version = store.plan(id, None)?.ok_or_else(|| ApiError::NotFound {
        resource: "plan",
        id: id.to_owned(),
    })?;
    let plan = ingest_version(&version)?;
    let schedule = store
        .latest_schedule(id, version.meta.version)?
        .map(|record| {
            ScheduleDocument::from_slice(&record.document).map_err(|source| {
                ApiError::CorruptDocument {
                    what: "schedule",
                    source,
                }
            })
        })
        .transpose()?;
    Ok((plan, schedule))
}

/// Who sent a report, as kept beside its rows.
fn sender(principal: &Principal) -> String {
    match principal {
        Principal::OpenMode => "open-mode".to_owned(),
        Principal::Token { id, role } => format!("{role} ({id})"),
    }
}

/// Receives a progress report (CSV with a header row, or JSON rows) for a plan's latest
/// version. Every problem is listed at once (422 `invalid-progress`, with each row and
/// column) and nothing is kept; a utility may only report on its own works.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    post, path = "/v1/plans/{id}/progress", tag = "progress",
    params(("id" = String, Path, description = "Plan id")),
    request_body(content = String, description = "A progress report: CSV (`text/csv`) or JSON (`application/json`), columns id, status, actual_start, actual_finish, percent, households_done, spent_cny, reported_on", content_type = "text/csv"),
    responses(
        (status = 201, description = "Kept; every row counts from now on", body = ProgressReceipt),
        (status = 403, description = "A row reports on a work the caller does not own", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such plan", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "Neither CSV nor JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Every problem of the report, with its row and column", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn submit(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if let Principal::Token {
        role: Role::Official,
        ..
    } = &principal
    {
        principal.require(Action::ReportProgress { owner: None })?;
    }
    let format = match content_type(&req).as_str() {
        "text/csv" | "text/plain" | "" => progress::Format::Csv,
        "application/json" => progress::Format::Json,
        other => {
            return Err(ApiError::UnsupportedMediaType {
                content_type: other.to_owned(),
                expected: "text/csv or application/json",
            });
        }
    };
    let body = read_body(&req, payload, state.max_upload_bytes).await?;
    let store = state.store.clone();
    let id = id.into_inner();
    let receipt = blocking("receiving progress", move || {
        let (plan, schedule) = plan_and_schedule(store.as_ref(), &id)?;
        let ids = ProgressIds::new(
            &plan,
            schedule
                .iter()
                .flat_map(|s| s.activities.iter().map(|a| a.id.as_str())),
        );
        let rows = progress::parse(&body, format, &ids).map_err(ApiError::InvalidProgress)?;
        for row in &rows {
            principal.require(Action::ReportProgress {
                owner: ids.owner_of(&row.id),
            })?;
        }
        Ok(store.add_progress(&id, &sender(&principal), &rows)?)
    })
    .await?;
    Ok(HttpResponse::Created().json(receipt))
}

/// Query of the bulletin.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ReportQuery {
    /// The data date (`YYYY-MM-DD`).
    #[param(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    /// `json` (default), `csv`, `html`, `xlsx` or `text`.
    #[param(value_type = Option<String>)]
    pub format: Option<Format>,
    /// Name owners silent for more than this many days (default 7).
    pub silent_after_days: Option<i64>,
    /// The date of the previous bulletin, for the change in rank (default: 7 days before
    /// `as_of`).
    #[param(value_type = Option<String>, format = Date)]
    pub previous_as_of: Option<NaiveDate>,
}

/// The bulletin of a plan as of a data date: districts and owners ranked, late works,
/// owners not reporting, from the progress reports received and the plan's newest
/// schedule.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/plans/{id}/report", tag = "progress",
    params(("id" = String, Path, description = "Plan id"), ReportQuery),
    responses(
        (status = 200, description = "The bulletin (JSON shown; CSV, HTML, XLSX and text by `format`)", body = Bulletin),
        (status = 400, description = "A bad date or format", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Utilities do not read the bulletin", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such plan, or no schedule of it yet", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn report(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadBulletin)?;
    let store = state.store.clone();
    let id = id.into_inner();
    let query = query.into_inner();
    let format = query.format.unwrap_or(Format::Json);
    let bytes = blocking("writing a bulletin", move || {
        let (plan, schedule) = plan_and_schedule(store.as_ref(), &id)?;
        let schedule = schedule.ok_or(ApiError::NotFound {
            resource: "schedule of plan",
            id: id.clone(),
        })?;
        let rows: Vec<ProgressRow> = store.progress(&id)?.into_iter().map(|s| s.row).collect();
        let options = BulletinOptions {
            as_of: query.as_of,
            silent_after_days: query
                .silent_after_days
                .unwrap_or(BulletinOptions::DEFAULT_SILENT_AFTER_DAYS),
        };
        let previous_as_of = query
            .previous_as_of
            .unwrap_or(query.as_of - chrono::Days::new(7));
        let previous: Bulletin = bulletin(
            &plan,
            &schedule,
            &rows,
            &BulletinOptions {
                as_of: previous_as_of,
                ..options
            },
            None,
        );
        let b = bulletin(&plan, &schedule, &rows, &options, Some(&previous));
        render(&b, format).map_err(|source| ApiError::Bulletin { source })
    })
    .await?;
    let mut response = HttpResponse::Ok();
    response.content_type(format.media_type());
    if format == Format::Xlsx {
        response.insert_header(super::attachment("bulletin.xlsx"));
    }
    Ok(response.body(bytes))
}
