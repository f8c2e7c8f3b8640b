//! HTTP behaviour through the real router (`actix_web::test`), in-memory store.
//!
//! `geodata::ingest` and the schedule engine are not merged yet, so uploads are validated
//! by `TestOnlyValidator` and jobs are planned by `TestOnlyPlanner` below. Both are
//! test fakes: LEAD, replace them with `GeodataValidator` and the engine after merge.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::{Method, StatusCode, header};
use actix_web::{App, test, web};
use api::auth::{AuthMode, Role, create_token};
use api::intake::{PlanValidator, ValidatedPlan};
use api::jobs::{CancelToken, JobSystem, Planner, PlannerError, PlannerInput};
use api::server::AppState;
use api::storage::sqlite::SqliteStore;
use api::storage::{NewPlanVersion, PlanSummary, Progress, Store, WorkLocation};
use geodata::crs::InputCrs;
use geodata::ingest::IngestError;
use geodata::problem::{Problem, ProblemCode, ValidationReport};
use serde_json::{Value, json};

/// TEST-ONLY stand-in for `geodata::ingest`: counts features by `properties.kind` and
/// reports a `missing_property` problem for every feature without one. A plan named
/// "sleepy" takes half a second (to exercise request timeouts).
struct TestOnlyValidator;

impl PlanValidator for TestOnlyValidator {
    fn validate(&self, body: &[u8], _crs: InputCrs) -> Result<ValidatedPlan, IngestError> {
        let doc: Value = serde_json::from_slice(body).map_err(|e| {
            IngestError::Invalid(ValidationReport {
                problems: vec![Problem {
                    code: ProblemCode::MalformedJson,
                    feature_id: None,
                    feature_index: None,
                    pointer: String::new(),
                    message: e.to_string(),
                }],
            })
        })?;
        if doc["plan"]["name"] == "sleepy" {
            std::thread::sleep(Duration::from_millis(500));
        }
        let mut summary = PlanSummary::default();
        let mut problems = Vec::new();
        let features = doc["features"].as_array().cloned().unwrap_or_default();
        for (i, f) in features.iter().enumerate() {
            match f["properties"]["kind"].as_str() {
                Some("compound") => summary.compounds += 1,
                Some("work") => summary.works += 1,
                Some("street") => summary.streets += 1,
                _ => problems.push(Problem {
                    code: ProblemCode::MissingProperty,
                    feature_id: f["properties"]["id"].as_str().map(str::to_owned),
                    feature_index: Some(i),
                    pointer: format!("/features/{i}/properties/kind"),
                    message: "kind is required".into(),
                }),
            }
        }
        if !problems.is_empty() {
            return Err(IngestError::Invalid(ValidationReport { problems }));
        }
        Ok(ValidatedPlan {
            name: doc["plan"]["name"].as_str().unwrap_or("unnamed").to_owned(),
            summary,
            locations: BTreeMap::new(),
        })
    }
}

const SCHEDULE: &str = include_str!("fixtures/schedule_demo.json");

/// TEST-ONLY stand-in for the schedule engine: reports progress and returns the fixture
/// schedule, or waits for cancellation when the plan is named "slow".
struct TestOnlyPlanner;

impl Planner for TestOnlyPlanner {
    fn plan(
        &self,
        input: PlannerInput<'_>,
        progress: &dyn Fn(Progress),
        cancel: &CancelToken,
    ) -> Result<Value, PlannerError> {
        progress(Progress {
            percent: 40.0,
            incumbent: Some(12.0),
            bound: Some(10.0),
        });
        let slow = String::from_utf8_lossy(input.plan_geojson).contains("\"slow\"");
        if slow {
            loop {
                if cancel.is_cancelled() {
                    return Err(PlannerError::Cancelled);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        serde_json::from_str(SCHEDULE).map_err(|e| PlannerError::Failed {
            source: Box::new(e),
        })
    }
}

fn plan_geojson(name: &str) -> Value {
    json!({
        "type": "FeatureCollection",
        "plan": { "name": name, "start": "2027-03-01" },
        "features": [
            { "type": "Feature", "geometry": { "type": "LineString", "coordinates": [[116.40, 39.90], [116.41, 39.90]] },
              "properties": { "kind": "work", "id": "w12", "utility": "water", "owner": "Beijing Water",
                              "action": "replace", "duration_days": 4 } },
            { "type": "Feature", "geometry": { "type": "LineString", "coordinates": [[116.40, 39.90], [116.41, 39.90]] },
              "properties": { "kind": "street", "id": "s1", "name": "Main Street" } }
        ]
    })
}

struct Fixture {
    state: web::Data<AppState>,
    store: Arc<dyn Store>,
}

fn fixture(mode: AuthMode, max_upload_bytes: usize) -> Fixture {
    fixture_with_timeout(mode, max_upload_bytes, Duration::from_secs(30))
}

fn fixture_with_timeout(
    mode: AuthMode,
    max_upload_bytes: usize,
    request_timeout: Duration,
) -> Fixture {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().expect("store"));
    let jobs =
        JobSystem::start(Arc::clone(&store), Some(Arc::new(TestOnlyPlanner)), 2).expect("jobs");
    let state = web::Data::new(AppState {
        store: Arc::clone(&store),
        jobs,
        validator: Arc::new(TestOnlyValidator),
        auth_mode: mode,
        max_upload_bytes,
        request_timeout,
        export_cache: api::export::cache::ExportCache::default(),
        overlay_cache: api::overlay::cache::OverlayCache::default(),
    });
    Fixture { state, store }
}

macro_rules! app {
    ($fixture:expr) => {
        test::init_service(
            App::new()
                .app_data($fixture.state.clone())
                .configure(api::routes::configure),
        )
        .await
    };
}

/// Stores a plan and the fixture schedule directly, returning (plan id, schedule id).
fn seed(store: &dyn Store) -> (String, String) {
    let mut locations = BTreeMap::new();
    locations.insert(
        "w12".to_owned(),
        WorkLocation {
            lon: 116.405,
            lat: 39.9,
        },
    );
    let plan = store
        .create_plan(&NewPlanVersion {
            name: "Demo city".into(),
            crs: "wgs84".into(),
            body: serde_json::to_vec(&plan_geojson("Demo city")).expect("json"),
            summary: PlanSummary {
                compounds: 0,
                works: 1,
                streets: 1,
            },
            locations,
        })
        .expect("plan");
    let schedule = store
        .insert_schedule(&plan.id, 1, SCHEDULE.as_bytes())
        .expect("schedule")
        .expect("plan exists");
    (plan.id, schedule)
}

fn is_problem(resp: &actix_web::dev::ServiceResponse) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        == Some("application/problem+json")
}

#[actix_web::test]
async fn uploading_a_plan_answers_201_with_counts_and_a_location() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let app = app!(fx);
    let req = test::TestRequest::post()
        .uri("/v1/plans")
        .insert_header((header::CONTENT_TYPE, "application/geo+json"))
        .set_payload(plan_geojson("Demo city").to_string())
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let location = resp
        .headers()
        .get(header::LOCATION)
        .cloned()
        .expect("location");
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["version"], 1);
    assert_eq!(body["name"], "Demo city");
    assert_eq!(
        body["summary"],
        json!({"compounds": 0, "works": 1, "streets": 1})
    );
    assert_eq!(
        location.to_str().expect("ascii"),
        format!("/v1/plans/{}", body["id"].as_str().expect("id"))
    );
}

#[actix_web::test]
async fn an_invalid_plan_answers_422_with_every_problem() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let app = app!(fx);
    let bad = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": null, "properties": {"id": "a"}},
        {"type": "Feature", "geometry": null, "properties": {"id": "b"}}
    ]});
    let req = test::TestRequest::post()
        .uri("/v1/plans")
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .set_payload(bad.to_string())
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(is_problem(&resp));
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["status"], 422);
    assert_eq!(body["type"], "/v1/docs#problem-invalid-plan");
    let problems = body["problems"].as_array().expect("problems");
    assert_eq!(problems.len(), 2);
    assert_eq!(problems[1]["code"], "missing_property");
    assert_eq!(problems[1]["pointer"], "/features/1/properties/kind");
}

#[actix_web::test]
async fn an_unknown_crs_is_an_unknown_crs_problem() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let app = app!(fx);
    let req = test::TestRequest::post()
        .uri("/v1/plans?crs=mars2000")
        .insert_header((header::CONTENT_TYPE, "application/geo+json"))
        .set_payload(plan_geojson("x").to_string())
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["problems"][0]["code"], "unknown_crs");
}

#[actix_web::test]
async fn an_upload_over_the_limit_answers_413_even_without_content_length() {
    let fx = fixture(AuthMode::Open, 1024);
    let app = app!(fx);
    let big = "x".repeat(4096);
    // With Content-Length (set by set_payload).
    let req = test::TestRequest::post()
        .uri("/v1/plans")
        .insert_header((header::CONTENT_TYPE, "application/geo+json"))
        .set_payload(big.clone())
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(is_problem(&resp));
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["limit_bytes"], 1024);
    // Streamed: no Content-Length, the limit is enforced while reading.
    let mut req = test::TestRequest::post()
        .uri("/v1/plans")
        .insert_header((header::CONTENT_TYPE, "application/geo+json"))
        .set_payload(big)
        .to_request();
    req.headers_mut().remove(header::CONTENT_LENGTH);
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[actix_web::test]
async fn an_upload_that_is_not_json_answers_415() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let app = app!(fx);
    let req = test::TestRequest::post()
        .uri("/v1/plans")
        .insert_header((header::CONTENT_TYPE, "text/plain"))
        .set_payload("hello")
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(is_problem(&resp));
}

#[actix_web::test]
async fn putting_a_plan_makes_a_new_version_and_keeps_the_old_one() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let (plan, _) = seed(fx.store.as_ref());
    let app = app!(fx);
    let req = test::TestRequest::put()
        .uri(&format!("/v1/plans/{plan}"))
        .insert_header((header::CONTENT_TYPE, "application/geo+json"))
        .set_payload(plan_geojson("Renamed").to_string())
        .to_request();
    let body: Value = test::call_and_read_body_json(&app, req).await;
    assert_eq!(body["version"], 2);
    let req = test::TestRequest::get()
        .uri(&format!("/v1/plans/{plan}?version=1"))
        .to_request();
    let old: Value = test::call_and_read_body_json(&app, req).await;
    assert_eq!(old["name"], "Demo city");
    assert_eq!(old["latest_version"], 2);
    let req = test::TestRequest::get()
        .uri(&format!("/v1/plans/{plan}"))
        .insert_header((header::ACCEPT, "application/geo+json"))
        .to_request();
    let geojson: Value = test::call_and_read_body_json(&app, req).await;
    assert_eq!(geojson["plan"]["name"], "Renamed");
    let req = test::TestRequest::get().uri("/v1/plans").to_request();
    let list: Value = test::call_and_read_body_json(&app, req).await;
    assert_eq!(list["plans"].as_array().map(Vec::len), Some(1));
}

#[actix_web::test]
async fn deleting_a_plan_removes_it_and_its_schedules() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let (plan, schedule) = seed(fx.store.as_ref());
    let app = app!(fx);
    // Export once so the parsed schedule is cached; deleting must forget it.
    let export = format!("/v1/schedules/{schedule}/utilities/Beijing%20Gas");
    let resp = test::call_service(&app, test::TestRequest::get().uri(&export).to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let req = test::TestRequest::delete()
        .uri(&format!("/v1/plans/{plan}"))
        .to_request();
    assert_eq!(
        test::call_service(&app, req).await.status(),
        StatusCode::NO_CONTENT
    );
    for uri in [
        format!("/v1/plans/{plan}"),
        format!("/v1/schedules/{schedule}"),
        export,
    ] {
        let resp = test::call_service(&app, test::TestRequest::get().uri(&uri).to_request()).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{uri}");
        assert!(is_problem(&resp));
    }
}

/// Polls a job until it reaches `until` (or ten seconds pass) and returns it.
macro_rules! poll_job {
    ($app:expr, $job:expr, $until:expr) => {{
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let req = test::TestRequest::get()
                .uri(&format!("/v1/jobs/{}", $job))
                .to_request();
            let body: Value = test::call_and_read_body_json(&$app, req).await;
            if body["status"] == $until || Instant::now() > deadline {
                break body;
            }
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
    }};
}

#[actix_web::test]
async fn a_planning_job_runs_off_the_request_and_yields_a_schedule() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let (plan, _) = seed(fx.store.as_ref());
    let app = app!(fx);
    let req = test::TestRequest::post()
        .uri(&format!("/v1/plans/{plan}/schedules"))
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let job: Value = test::read_body_json(resp).await;
    assert_eq!(job["status"], "queued");
    let done = poll_job!(app, job["id"].as_str().expect("id"), "done");
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["progress"]["percent"], 100.0);
    assert_eq!(done["progress"]["bound"], 10.0);
    let schedule = done["schedule_id"].as_str().expect("schedule id");
    let req = test::TestRequest::get()
        .uri(&format!("/v1/schedules/{schedule}"))
        .to_request();
    let doc: Value = test::call_and_read_body_json(&app, req).await;
    assert_eq!(doc["plan"]["name"], "Demo city");
}

#[actix_web::test]
async fn a_running_job_is_cancelled_and_a_second_cancel_conflicts() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let plan = fx
        .store
        .create_plan(&NewPlanVersion {
            name: "slow".into(),
            crs: "wgs84".into(),
            body: serde_json::to_vec(&plan_geojson("slow")).expect("json"),
            summary: PlanSummary::default(),
            locations: BTreeMap::new(),
        })
        .expect("plan");
    let app = app!(fx);
    let req = test::TestRequest::post()
        .uri(&format!("/v1/plans/{}/schedules", plan.id))
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .set_payload(r#"{"time_limit_s": 5, "seed": 7}"#)
        .to_request();
    let job: Value = test::call_and_read_body_json(&app, req).await;
    let id = job["id"].as_str().expect("id");
    assert_eq!(job["options"]["seed"], 7);
    let running = poll_job!(app, id, "running");
    assert_eq!(running["status"], "running");
    assert_eq!(running["progress"]["percent"], 40.0);
    let req = test::TestRequest::delete()
        .uri(&format!("/v1/jobs/{id}"))
        .to_request();
    let cancelled: Value = test::call_and_read_body_json(&app, req).await;
    assert_eq!(cancelled["status"], "cancelled");
    let req = test::TestRequest::delete()
        .uri(&format!("/v1/jobs/{id}"))
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    assert!(is_problem(&resp));
}

#[actix_web::test]
async fn unknown_job_options_are_a_400_problem() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let (plan, _) = seed(fx.store.as_ref());
    let app = app!(fx);
    let req = test::TestRequest::post()
        .uri(&format!("/v1/plans/{plan}/schedules"))
        .set_payload(r#"{"speed": "ludicrous"}"#)
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(is_problem(&resp));
}

#[actix_web::test]
async fn a_utility_export_comes_as_json_csv_and_icalendar() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let (_, schedule) = seed(fx.store.as_ref());
    let app = app!(fx);
    let uri = format!("/v1/schedules/{schedule}/utilities/Beijing%20Water");
    let json: Value =
        test::call_and_read_body_json(&app, test::TestRequest::get().uri(&uri).to_request()).await;
    assert_eq!(json["owner"], "Beijing Water");
    assert_eq!(json["entries"][0]["shared_with"], json!(["Beijing Gas"]));
    assert_eq!(json["entries"][0]["location"]["lat"], 39.9);

    let req = test::TestRequest::get()
        .uri(&uri)
        .insert_header((header::ACCEPT, "text/csv"))
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert!(
        resp.headers()
            .get(header::CONTENT_TYPE)
            .expect("content type")
            .to_str()
            .expect("ascii")
            .starts_with("text/csv")
    );
    let csv = String::from_utf8(test::read_body(resp).await.to_vec()).expect("utf-8");
    assert!(csv.starts_with("activity,kind,start,end,"));
    assert_eq!(csv.matches("\r\n").count(), 3);

    let req = test::TestRequest::get()
        .uri(&uri)
        .insert_header((header::ACCEPT, "text/calendar"))
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert!(
        resp.headers()
            .get(header::CONTENT_TYPE)
            .expect("content type")
            .to_str()
            .expect("ascii")
            .starts_with("text/calendar")
    );
    let ics = String::from_utf8(test::read_body(resp).await.to_vec()).expect("utf-8");
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1);
    assert!(ics.contains("GEO:39.900000;116.405000\r\n"));

    let req = test::TestRequest::get()
        .uri(&uri)
        .insert_header((header::ACCEPT, "image/png"))
        .to_request();
    assert_eq!(
        test::call_service(&app, req).await.status(),
        StatusCode::NOT_ACCEPTABLE
    );
}

#[actix_web::test]
async fn unknown_routes_and_methods_are_problem_documents() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let app = app!(fx);
    let resp =
        test::call_service(&app, test::TestRequest::get().uri("/nowhere").to_request()).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(is_problem(&resp));
    let req = test::TestRequest::default()
        .method(Method::PATCH)
        .uri("/v1/plans")
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(is_problem(&resp));
    let req = test::TestRequest::get()
        .uri("/v1/plans/x?version=notanumber")
        .to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(is_problem(&resp));
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["type"], "/v1/docs#problem-bad-request");
}

#[actix_web::test]
async fn openapi_and_docs_are_served_without_a_token() {
    let fx = fixture(AuthMode::Tokens, 1 << 20);
    let app = app!(fx);
    let doc: Value = test::call_and_read_body_json(
        &app,
        test::TestRequest::get()
            .uri("/v1/openapi.json")
            .to_request(),
    )
    .await;
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    let resp =
        test::call_service(&app, test::TestRequest::get().uri("/v1/docs").to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = String::from_utf8(test::read_body(resp).await.to_vec()).expect("utf-8");
    assert!(html.contains("openapi.json"));
}

#[actix_web::test]
async fn token_mode_refuses_missing_and_wrong_tokens_with_401() {
    let fx = fixture(AuthMode::Tokens, 1 << 20);
    let app = app!(fx);
    let resp =
        test::call_service(&app, test::TestRequest::get().uri("/v1/plans").to_request()).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(resp.headers().contains_key(header::WWW_AUTHENTICATE));
    assert!(is_problem(&resp));
    let req = test::TestRequest::get()
        .uri("/v1/plans")
        .insert_header((header::AUTHORIZATION, "Bearer dgo_nope_nope"))
        .to_request();
    assert_eq!(
        test::call_service(&app, req).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

/// Every endpoint against every role: `true` means the role gets past authorisation.
#[actix_web::test]
async fn the_role_matrix_holds_for_every_endpoint() {
    let fx = fixture(AuthMode::Tokens, 1 << 20);
    let (plan, schedule) = seed(fx.store.as_ref());
    let roles = [
        "planner",
        "official",
        "utility:Beijing Gas",
        "utility:Beijing Water",
    ];
    let mut tokens = BTreeMap::new();
    for role in roles {
        let role_value: Role = role.parse().expect("role");
        tokens.insert(
            role,
            create_token(fx.store.as_ref(), &role_value).expect("token"),
        );
    }
    let app = app!(fx);
    let gas = format!("/v1/schedules/{schedule}/utilities/Beijing%20Gas");
    // (method, uri, [planner, official, gas, water])
    let cases: Vec<(Method, String, [bool; 4])> = vec![
        (Method::GET, "/v1/plans".into(), [true, true, false, false]),
        (
            Method::POST,
            "/v1/plans".into(),
            [true, false, false, false],
        ),
        (
            Method::GET,
            format!("/v1/plans/{plan}"),
            [true, true, false, false],
        ),
        (
            Method::PUT,
            format!("/v1/plans/{plan}"),
            [true, false, false, false],
        ),
        (
            Method::DELETE,
            "/v1/plans/pl_missing".into(),
            [true, false, false, false],
        ),
        (
            Method::POST,
            "/v1/plans/pl_missing/schedules".into(),
            [true, false, false, false],
        ),
        (
            Method::GET,
            "/v1/jobs/job_missing".into(),
            [true, true, false, false],
        ),
        (
            Method::DELETE,
            "/v1/jobs/job_missing".into(),
            [true, false, false, false],
        ),
        (
            Method::GET,
            format!("/v1/schedules/{schedule}"),
            [true, true, false, false],
        ),
        (Method::GET, gas, [true, true, true, false]),
        (Method::GET, "/v1/health".into(), [true, true, true, true]),
        (
            Method::GET,
            "/v1/openapi.json".into(),
            [true, true, true, true],
        ),
    ];
    for (method, uri, allowed) in &cases {
        for (role, expect_allowed) in roles.iter().zip(allowed) {
            let mut req = test::TestRequest::default()
                .method(method.clone())
                .uri(uri)
                .insert_header((header::AUTHORIZATION, format!("Bearer {}", tokens[role])));
            if matches!(*method, Method::POST | Method::PUT) && uri.ends_with(&plan)
                || uri == "/v1/plans"
            {
                req = req
                    .insert_header((header::CONTENT_TYPE, "application/geo+json"))
                    .set_payload(plan_geojson("m").to_string());
            }
            let status = test::call_service(&app, req.to_request()).await.status();
            let got_through = status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED;
            assert_eq!(
                got_through, *expect_allowed,
                "{role} {method} {uri} answered {status}"
            );
            if *expect_allowed {
                assert!(
                    !status.is_server_error(),
                    "{role} {method} {uri} answered {status}"
                );
            }
        }
    }
}

#[actix_web::test]
async fn framework_errors_become_problem_documents_without_internals() {
    // An app missing its state: actix's own data extractor fails with a plain-text 500,
    // which the service's middleware must still answer as a problem document.
    let app = test::init_service(App::new().configure(api::routes::configure)).await;
    let resp =
        test::call_service(&app, test::TestRequest::get().uri("/v1/plans").to_request()).await;
    assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(is_problem(&resp));
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["type"], "/v1/docs#problem-internal");
    assert!(!body["detail"].as_str().expect("detail").contains("data"));
}

#[actix_web::test]
async fn a_request_over_the_timeout_answers_503() {
    let fx = fixture_with_timeout(AuthMode::Open, 1 << 20, Duration::from_millis(100));
    let app = app!(fx);
    let req = test::TestRequest::post()
        .uri("/v1/plans")
        .insert_header((header::CONTENT_TYPE, "application/geo+json"))
        .set_payload(plan_geojson("sleepy").to_string())
        .to_request();
    // The middleware returns the timeout as an error, which the server renders.
    let error = test::try_call_service(&app, req)
        .await
        .expect_err("the request times out");
    let resp = error.error_response();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        resp.headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
}
