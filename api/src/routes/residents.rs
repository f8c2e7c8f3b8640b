//! The residents' public page of a compound: `GET /p/{short}` (进度公开,
//! `docs/progress.md`, "The residents' page"). No token; read-only; HTML in Chinese.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use geodata::progress::ProgressRow;

use super::find;
use super::progress::plan_and_schedule;
use crate::overlay::short_code;
use crate::problem_details::{ApiError, ProblemDocument};
use crate::residents::{Notice, html};
use crate::server::AppState;

/// The public page of the compound whose short code is `short` (listed as `short` in
/// `GET /v1/plans/{id}/progress/map`): what will be dug when around it, by whom, and its
/// status as of the latest progress report. Readable without a token.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/p/{short}", tag = "progress",
    params(("short" = String, Path, description = "The compound's ten-character code")),
    responses(
        (status = 200, description = "The page, HTML in Chinese", body = String, content_type = "text/html"),
        (status = 404, description = "No compound has this code, or its plan has no schedule yet", body = ProblemDocument, content_type = "application/problem+json"),
    ),
)]
pub async fn page(
    state: web::Data<AppState>,
    short: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let body = find(
        "writing a residents' page",
        "compound page",
        short.into_inner(),
        move |short| {
            if !short_code::is_well_formed(short) {
                return Ok(None);
            }
            let plan_part = &short[..short_code::PLAN_PART];
            for meta in store.list_plans()? {
                if short_code::plan_part(&meta.id) != plan_part {
                    continue;
                }
                let (plan, schedule) = plan_and_schedule(store.as_ref(), &meta.id)?;
                let Some(compound) = plan
                    .compounds
                    .iter()
                    .find(|c| short_code::code(&meta.id, &c.id) == short)
                else {
                    continue;
                };
                let Some(schedule) = schedule else {
                    return Ok(None);
                };
                let rows: Vec<ProgressRow> = store
                    .progress(&meta.id)?
                    .into_iter()
                    .map(|s| s.row)
                    .collect();
                let today = chrono::Utc::now().date_naive();
                return Ok(Notice::of(&plan, &schedule, &rows, &compound.id, today)
                    .map(|notice| html::render(&notice, short)));
            }
            Ok(None)
        },
    )
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body))
}
