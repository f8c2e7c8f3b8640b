//! The schedule engine behind the job system: ingest, analyse, plan a city (or re-plan
//! it from its history when the job has `as_of`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use geodata::analysis::{AnalysisOptions, analyze};
use geodata::crs::InputCrs;
use geodata::ingest::{IngestOptions, ingest};
use optimizer::city::document::ScheduleDocument;
use optimizer::city::replan::replan;
use optimizer::city::{CityError, CityOptions, plan_city};
use optimizer::engine::Progress as SearchProgress;

use crate::jobs::{CancelToken, Planner, PlannerError, PlannerInput};
use crate::storage::Progress;

/// How often a running plan's progress (best cost, bound) is reported to the job.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// Plans stored uploads with [`optimizer::city::plan_city`].
#[derive(Debug, Clone, Copy)]
pub struct CityPlanner {
    /// Search time when the client gives none.
    pub default_time_limit: Duration,
}

impl Default for CityPlanner {
    fn default() -> Self {
        Self {
            default_time_limit: Duration::from_secs(30),
        }
    }
}

fn failed(source: impl std::error::Error + Send + Sync + 'static) -> PlannerError {
    PlannerError::Failed {
        source: Box::new(source),
    }
}

impl Planner for CityPlanner {
    fn plan(
        &self,
        input: PlannerInput<'_>,
        progress: &dyn Fn(Progress),
        cancel: &CancelToken,
    ) -> Result<ScheduleDocument, PlannerError> {
        let step = |percent: f64| {
            progress(Progress {
                percent,
                incumbent: None,
                bound: None,
            });
            if cancel.is_cancelled() {
                Err(PlannerError::Cancelled)
            } else {
                Ok(())
            }
        };
        let crs: InputCrs = input.crs.parse().map_err(failed)?;
        let plan = ingest(input.plan_geojson, &IngestOptions { crs }).map_err(failed)?;
        step(10.0)?;
        let analysis = analyze(&plan, &AnalysisOptions::default()).map_err(failed)?;
        step(30.0)?;
        let time_limit = input
            .options
            .time_limit_s
            .map_or(self.default_time_limit, Duration::from_secs);
        let search = Arc::new(SearchProgress::default());
        let options = CityOptions {
            time_limit,
            seed: input
                .options
                .seed
                .unwrap_or_else(|| CityOptions::default().seed),
            cancel: Some(cancel.flag()),
            progress: Some(Arc::clone(&search)),
        };
        // Plan on a scoped thread while this one reports the search's best cost and bound
        // (the job's progress callback belongs to this thread).
        let started = Instant::now();
        let outcome = std::thread::scope(|scope| {
            let planning = scope.spawn(|| match input.history {
                Some(h) => replan(&plan, &analysis, &h.previous, &h.rows, h.as_of, &options),
                None => plan_city(&plan, &analysis, &options),
            });
            while !planning.is_finished() {
                std::thread::sleep(PROGRESS_EVERY);
                let share = started.elapsed().as_secs_f64() / time_limit.as_secs_f64().max(0.1);
                let snapshot = search.snapshot();
                progress(Progress {
                    percent: 30.0 + 65.0 * share.min(1.0),
                    incumbent: snapshot.map(|s| s.incumbent),
                    bound: snapshot.map(|s| s.bound),
                });
            }
            planning.join()
        });
        let document = outcome
            .map_err(|_panic| PlannerError::Failed {
                source: "the planning thread stopped unexpectedly".into(),
            })?
            .map_err(|error| match error {
                CityError::Cancelled => PlannerError::Cancelled,
                error => failed(error),
            })?;
        step(100.0)?;
        Ok(document)
    }
}
