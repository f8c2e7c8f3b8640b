//! Planning jobs: start (`POST /v1/plans/{id}/schedules`), status and cancel.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{find, read_optional_json};
use crate::auth::{Action, Principal};
use crate::jobs::{JobError, JobOptions};
use crate::problem_details::{ApiError, ProblemDocument};
use crate::replanning::{History, ReplanError};
use crate::server::AppState;
use crate::storage::JobRecord;

/// Options bodies are tiny; anything larger is refused.
const OPTIONS_LIMIT: usize = 16 * 1024;

fn job_error(error: JobError) -> ApiError {
    match error {
        JobError::Store(source) => ApiError::Storage { source },
        JobError::NoPlanner => ApiError::Unavailable {
            reason: "no planning engine is configured in this build",
        },
        JobError::Finished { id, status } => ApiError::Conflict {
            reason: format!("job {id} is already {}", status.as_str()),
        },
        JobError::Options { source } => ApiError::Encode { source },
    }
}

fn replan_error(error: ReplanError) -> ApiError {
    match error {
        ReplanError::NoSchedule { .. } | ReplanError::NoProgress { .. } => ApiError::Conflict {
            reason: error.to_string(),
        },
        ReplanError::Corrupt { source } => ApiError::CorruptDocument {
            what: "schedule",
            source,
        },
        ReplanError::Store { source } => ApiError::Storage { source },
    }
}

/// Starts planning the latest version of a plan; answers at once with the queued job.
/// With `as_of` the job re-plans from the plan's stored progress and its newest schedule.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    post, path = "/v1/plans/{id}/schedules", tag = "jobs",
    params(("id" = String, Path, description = "Plan id")),
    request_body(content = JobOptions, content_type = "application/json",
                 description = "Optional planner options; an empty body means defaults"),
    responses(
        (status = 202, description = "Queued; poll the Location", body = JobRecord),
        (status = 400, description = "The body is not JSON options", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such plan", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "`as_of` given but the plan version has no schedule yet, or no progress was reported on or before `as_of`", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "An option is out of range (`time_limit_s` 0 or over 3600); `problems` names it", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "No planning engine in this build", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn submit(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::RunJobs)?;
    let options: JobOptions = read_optional_json(&req, payload, OPTIONS_LIMIT).await?;
    options.validate().map_err(ApiError::InvalidOptions)?;
    let id = id.into_inner();
    if let Some(as_of) = options.as_of {
        let store = state.store.clone();
        find("checking a re-plan", "plan", id.clone(), move |id| {
            let Some(plan) = store.plan(id, None)? else {
                return Ok(None);
            };
            History::for_job(store.as_ref(), id, plan.meta.version, Some(as_of))
                .map(|_history| Some(()))
                .map_err(replan_error)
        })
        .await?;
    }
    let jobs = state.jobs.clone();
    let job = find("queueing a job", "plan", id, move |id| {
        jobs.submit(id, &options).map_err(job_error)
    })
    .await?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/v1/jobs/{}", job.id)))
        .json(job))
}

/// A job's status and progress; `schedule_id` once done.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    get, path = "/v1/jobs/{id}", tag = "jobs",
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job", body = JobRecord),
        (status = 404, description = "No such job", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadJobs)?;
    let jobs = state.jobs.clone();
    let job = find("reading a job", "job", id.into_inner(), move |id| {
        Ok(jobs.get(id)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(job))
}

/// Cancels a queued or running job.
///
/// # Errors
/// A problem document (RFC 9457) for each failure the responses list.
#[utoipa::path(
    delete, path = "/v1/jobs/{id}", tag = "jobs",
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "Cancelled", body = JobRecord),
        (status = 404, description = "No such job", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already finished", body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn cancel(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::RunJobs)?;
    let jobs = state.jobs.clone();
    let job = find("cancelling a job", "job", id.into_inner(), move |id| {
        jobs.cancel(id).map_err(job_error)
    })
    .await?;
    Ok(HttpResponse::Ok().json(job))
}
