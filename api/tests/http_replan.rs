//! Re-planning as a planning job through the real router: `as_of` without a schedule or
//! without progress is refused at submit time (409), and with both the job stores a new
//! schedule whose document fixes the finished work at its actual dates and lists what
//! moved per owner.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::{StatusCode, header};
use actix_web::{App, test, web};
use api::auth::AuthMode;
use api::jobs::JobSystem;
use api::planner::CityPlanner;
use api::server::AppState;
use api::storage::Store;
use api::storage::sqlite::SqliteStore;
use serde_json::{Value, json};

const PLAN: &[u8] = include_bytes!("../../tests/fixtures/schedules/renewal.plan.geojson");
const SCHEDULE: &[u8] = include_bytes!("../../tests/fixtures/schedules/renewal.schedule.json");
/// w-gas-c done 2026-03-02 – 2026-03-20, w-sewer half done, w-heat not started; all
/// reported on 2026-03-25.
const PROGRESS: &str = include_str!("../../tests/fixtures/progress/renewal.progress.csv");

fn state() -> (web::Data<AppState>, Arc<dyn Store>, String) {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().expect("store"));
    let planner = CityPlanner {
        default_time_limit: Duration::from_secs(1),
    };
    let jobs = JobSystem::start(Arc::clone(&store), Some(Arc::new(planner)), 1).expect("jobs");
    let plan_id = common::store_plan(store.as_ref(), PLAN);
    let state = common::app_state(&store, jobs, AuthMode::Open);
    (state, store, plan_id)
}

fn submit(plan_id: &str, options: &Value) -> test::TestRequest {
    test::TestRequest::post()
        .uri(&format!("/v1/plans/{plan_id}/schedules"))
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .set_payload(options.to_string())
}

#[actix_web::test]
async fn a_job_with_as_of_replans_from_the_stored_progress_and_schedule() {
    let (state, store, plan_id) = state();
    let app = test::init_service(
        App::new()
            .app_data(state.clone())
            .configure(api::routes::configure),
    )
    .await;
    let options = json!({"as_of": "2026-03-31", "time_limit_s": 2});

    // No schedule yet: 409 naming the missing schedule, no job stored.
    let resp = test::call_service(&app, submit(&plan_id, &options).to_request()).await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let body: Value = test::read_body_json(resp).await;
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("no schedule to re-plan from"), "{body}");

    // A schedule but no progress: 409 naming the missing progress.
    store
        .insert_schedule(&plan_id, 1, SCHEDULE)
        .expect("schedule")
        .expect("plan exists");
    let resp = test::call_service(&app, submit(&plan_id, &options).to_request()).await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let body: Value = test::read_body_json(resp).await;
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("no progress"), "{body}");

    // An unknown plan is still a 404.
    let resp = test::call_service(&app, submit("pl_none", &options).to_request()).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    // Progress reported after the data date does not count either.
    let post = test::TestRequest::post()
        .uri(&format!("/v1/plans/{plan_id}/progress"))
        .insert_header((header::CONTENT_TYPE, "text/csv"))
        .set_payload(PROGRESS)
        .to_request();
    let resp = test::call_service(&app, post).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let early = json!({"as_of": "2026-03-20"});
    let resp = test::call_service(&app, submit(&plan_id, &early).to_request()).await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);

    // With both: the job runs and stores the re-planned schedule.
    let resp = test::call_service(&app, submit(&plan_id, &options).to_request()).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let job: Value = test::read_body_json(resp).await;
    assert_eq!(job["options"]["as_of"], "2026-03-31", "{job}");
    let id = job["id"].as_str().expect("job id").to_owned();
    let deadline = Instant::now() + Duration::from_mins(1);
    let done = loop {
        let req = test::TestRequest::get()
            .uri(&format!("/v1/jobs/{id}"))
            .to_request();
        let body: Value = test::read_body_json(test::call_service(&app, req).await).await;
        if body["status"] != "queued" && body["status"] != "running" || Instant::now() > deadline {
            break body;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(done["status"], "done", "{done}");
    let schedule = done["schedule_id"].as_str().expect("schedule id");
    let req = test::TestRequest::get()
        .uri(&format!("/v1/schedules/{schedule}"))
        .to_request();
    let doc: Value = test::read_body_json(test::call_service(&app, req).await).await;
    assert_eq!(doc["replan"]["as_of"], "2026-03-31", "{doc}");
    let activity = |id: &str| {
        doc["activities"]
            .as_array()
            .expect("activities")
            .iter()
            .find(|a| a["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id}"))
    };
    // Finished work at its actual dates; work in progress keeps its actual start.
    assert_eq!(activity("w-gas-c/excavate")["start"], "2026-03-02");
    assert_eq!(activity("w-sewer/lay")["start"], "2026-03-03");
    // The moved restore step, and its SEQUENCE for calendar clients.
    assert_eq!(doc["replan"]["sequence"]["w-gas-c/restore"], 1);
    let moved: Vec<&str> = doc["replan"]["owners"]
        .as_array()
        .expect("owners")
        .iter()
        .flat_map(|o| o["moved"].as_array().into_iter().flatten())
        .filter_map(|m| m["activity"].as_str())
        .collect();
    assert!(moved.contains(&"w-gas-c/restore"), "{moved:?}");
    // w-heat has not started: none of its steps begins before the data date.
    let heat: Vec<&Value> = doc["activities"]
        .as_array()
        .expect("activities")
        .iter()
        .filter(|a| a["id"].as_str().is_some_and(|id| id.starts_with("w-heat/")))
        .collect();
    assert!(!heat.is_empty());
    for a in heat {
        let start = a["start"].as_str().unwrap_or_default();
        assert!(start >= "2026-03-31", "{} starts {start}", a["id"]);
    }
    // It is now the plan's newest schedule.
    let latest = store
        .latest_schedule(&plan_id, 1)
        .expect("read")
        .expect("a schedule");
    assert_eq!(latest.id, schedule);
}
