//! The schedule engine behind the job system: ingest, analyse, plan a city.

use std::time::Duration;

use geodata::analysis::{AnalysisOptions, analyze};
use geodata::crs::InputCrs;
use geodata::ingest::{IngestOptions, ingest};
use optimizer::city::document::ScheduleDocument;
use optimizer::city::{CityOptions, plan_city};

use crate::jobs::{CancelToken, Planner, PlannerError, PlannerInput};
use crate::storage::Progress;

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
        let options = CityOptions {
            time_limit: input
                .options
                .time_limit_s
                .map_or(self.default_time_limit, Duration::from_secs),
            seed: input
                .options
                .seed
                .unwrap_or_else(|| CityOptions::default().seed),
        };
        let document = plan_city(&plan, &analysis, &options).map_err(failed)?;
        step(100.0)?;
        Ok(document)
    }
}
