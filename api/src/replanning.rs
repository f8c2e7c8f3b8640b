//! What a re-planning job (`POST /v1/plans/{id}/schedules` with `as_of`) starts from: the
//! plan version's newest schedule and every progress row stored for the plan
//! (`docs/progress.md`, "Re-planning").
//!
//! The same check runs when the job is submitted (a missing schedule or progress is a 409
//! there) and again when a worker picks it up (the job fails with the same sentence).

use chrono::NaiveDate;
use geodata::progress::ProgressRow;
use optimizer::city::document::ScheduleDocument;

use crate::storage::{Store, StoreError};

/// The previous schedule and the progress a re-plan starts from.
#[derive(Debug, Clone)]
pub struct History {
    /// The data date.
    pub as_of: NaiveDate,
    /// The plan version's newest schedule (a plan or an earlier re-plan).
    pub previous: ScheduleDocument,
    /// Every progress row stored for the plan (the latest per id counts; rows reported
    /// after `as_of` are ignored by the re-plan).
    pub rows: Vec<ProgressRow>,
}

/// Why a re-plan cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ReplanError {
    /// The plan version was never scheduled.
    #[error(
        "plan {plan_id} version {version} has no schedule to re-plan from; run a planning job without `as_of` first"
    )]
    NoSchedule {
        /// The plan.
        plan_id: String,
        /// Its version.
        version: u32,
    },
    /// Nothing was reported on or before the data date.
    #[error(
        "no progress on plan {plan_id} was reported on or before {as_of}; post a progress report first"
    )]
    NoProgress {
        /// The plan.
        plan_id: String,
        /// The data date.
        as_of: NaiveDate,
    },
    /// The stored schedule is not a schedule document.
    #[error("the stored schedule could not be decoded")]
    Corrupt {
        /// The decoder's report.
        #[source]
        source: serde_json::Error,
    },
    /// The store failed.
    #[error("the store failed while reading the plan's history")]
    Store {
        /// The store's error.
        #[from]
        source: StoreError,
    },
}

impl History {
    /// The history of `plan_id` at `version` for a re-plan as of `as_of`; `None` when
    /// `as_of` is `None` (a plan from scratch).
    ///
    /// # Errors
    /// [`ReplanError::NoSchedule`] without a schedule of that version,
    /// [`ReplanError::NoProgress`] when no row was reported on or before `as_of`, and the
    /// store's and decoder's failures.
    pub fn for_job(
        store: &dyn Store,
        plan_id: &str,
        version: u32,
        as_of: Option<NaiveDate>,
    ) -> Result<Option<Self>, ReplanError> {
        let Some(as_of) = as_of else {
            return Ok(None);
        };
        let record =
            store
                .latest_schedule(plan_id, version)?
                .ok_or_else(|| ReplanError::NoSchedule {
                    plan_id: plan_id.to_owned(),
                    version,
                })?;
        let previous = ScheduleDocument::from_slice(&record.document)
            .map_err(|source| ReplanError::Corrupt { source })?;
        let rows: Vec<ProgressRow> = store
            .progress(plan_id)?
            .into_iter()
            .map(|stored| stored.row)
            .collect();
        if !rows.iter().any(|r| r.reported_on <= as_of) {
            return Err(ReplanError::NoProgress {
                plan_id: plan_id.to_owned(),
                as_of,
            });
        }
        Ok(Some(Self {
            as_of,
            previous,
            rows,
        }))
    }
}
