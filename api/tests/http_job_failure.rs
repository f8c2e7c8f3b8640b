//! A failed planning job through the real router: the client reads one sentence, the
//! service log keeps the whole cause chain with the job id.
//!
//! The planner here is a test stand-in that fails the way the engine does when its
//! verifier rejects a schedule (three errors deep, a debug dump of violations at the
//! bottom). This file is its own test binary because it installs the process-wide log
//! subscriber that captures what the worker thread logs.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::{App, test, web};
use api::auth::AuthMode;
use api::intake::GeodataValidator;
use api::jobs::{CancelToken, JobSystem, Planner, PlannerError, PlannerInput};
use api::server::AppState;
use api::storage::sqlite::SqliteStore;
use api::storage::{NewPlanVersion, PlanSummary, Progress, Store};
use optimizer::city::CityError;
use optimizer::city::document::ScheduleDocument;
use optimizer::engine::{SolveError, Violation};
use serde_json::Value;

/// The name of the activity in the violation: internal, never for clients.
const INTERNAL_ACTIVITY: &str = "w_internal_17";

/// Fails every job with `planning failed` <- `the plan cannot be scheduled` <- an
/// `Unverified` error listing a violation.
struct UnverifiedPlanner;

impl Planner for UnverifiedPlanner {
    fn plan(
        &self,
        _input: PlannerInput<'_>,
        _progress: &dyn Fn(Progress),
        _cancel: &CancelToken,
    ) -> Result<ScheduleDocument, PlannerError> {
        Err(PlannerError::Failed {
            source: Box::new(CityError::Solve {
                source: SolveError::Unverified {
                    violations: vec![Violation::BeforeRelease {
                        activity: INTERNAL_ACTIVITY.into(),
                        start: 3,
                        release: 9,
                    }],
                },
            }),
        })
    }
}

/// Everything the service logs, as text.
#[derive(Clone, Default)]
struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl CapturedLog {
    fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[actix_web::test]
async fn a_failed_job_answers_one_sentence_and_logs_the_whole_chain() {
    let log = CapturedLog::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().expect("store"));
    let plan = store
        .create_plan(&NewPlanVersion {
            name: "p".into(),
            crs: "wgs84".into(),
            body: b"{}".to_vec(),
            summary: PlanSummary::default(),
            locations: std::collections::BTreeMap::new(),
            source: None,
        })
        .expect("plan");
    let jobs =
        JobSystem::start(Arc::clone(&store), Some(Arc::new(UnverifiedPlanner)), 1).expect("jobs");
    let state = web::Data::new(AppState {
        store,
        jobs,
        validator: Arc::new(GeodataValidator),
        auth_mode: AuthMode::Open,
        max_upload_bytes: 1 << 20,
        request_timeout: Duration::from_secs(30),
        export_cache: api::export::cache::ExportCache::default(),
        overlay_cache: api::overlay::cache::OverlayCache::default(),
    });
    let app = test::init_service(
        App::new()
            .app_data(state.clone())
            .configure(api::routes::configure),
    )
    .await;

    let submit = test::TestRequest::post()
        .uri(&format!("/v1/plans/{}/schedules", plan.id))
        .to_request();
    let job: Value = test::call_and_read_body_json(&app, submit).await;
    let id = job["id"].as_str().expect("job id").to_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    let failed: Value = loop {
        let poll = test::TestRequest::get()
            .uri(&format!("/v1/jobs/{id}"))
            .to_request();
        let body: Value = test::call_and_read_body_json(&app, poll).await;
        if body["status"] == "failed" || Instant::now() > deadline {
            break body;
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    };

    assert_eq!(failed["status"], "failed", "{failed}");
    let error = failed["error"].as_str().expect("an error sentence");
    assert_eq!(error, "planning failed: the plan cannot be scheduled");
    for inner in ["verification", INTERNAL_ACTIVITY, "{", "["] {
        assert!(!error.contains(inner), "{inner:?} leaked into {error:?}");
    }
    let logged = log.text();
    let line = logged
        .lines()
        .find(|line| line.contains("job failed"))
        .unwrap_or_else(|| panic!("no failure logged in {logged}"));
    assert!(line.contains("ERROR"), "{line}");
    assert!(line.contains(&id), "{line}");
    assert!(line.contains("the plan cannot be scheduled"), "{line}");
    assert!(line.contains(INTERNAL_ACTIVITY), "{line}");
    state.jobs.shutdown(Duration::from_secs(1));
}
