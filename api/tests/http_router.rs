//! HTTP behaviour through the real router (`actix_web::test`) with the real pieces:
//! in-memory SQLite store, `GeodataValidator` (`geodata::ingest`) and `CityPlanner`
//! (analysis and the schedule engine, with a short time limit so debug builds stay fast).
//! Plans are small generated cities.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::dev::ServiceResponse;
use actix_web::http::{Method, StatusCode, header};
use actix_web::{App, test, web};
use api::auth::{AuthMode, Role, create_token};
use api::intake::{GeodataValidator, ValidatedPlan};
use api::jobs::JobSystem;
use api::planner::CityPlanner;
use api::server::AppState;
use api::storage::sqlite::SqliteStore;
use api::storage::{NewPlanVersion, Store};
use geodata::export::{ExportOptions, to_bytes};
use geodata::synthetic::{CityConfig, generate};
use serde_json::{Value, json};

/// A schedule document whose exports are known line by line (Beijing Water and Gas share
/// trench t3), stored directly beside a plan for the export tests.
const SCHEDULE: &str = include_str!("fixtures/schedule_demo.json");

/// A one-work plan that `geodata::ingest` accepts.
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

/// A generated city of `compounds` compounds as an upload.
fn city_geojson(compounds: usize) -> Vec<u8> {
    to_bytes(
        &generate(&CityConfig::new(compounds, 3)),
        &ExportOptions::default(),
    )
    .expect("export the generated city")
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
    let planner = CityPlanner {
        default_time_limit: Duration::from_secs(1),
    };
    let jobs = JobSystem::start(Arc::clone(&store), Some(Arc::new(planner)), 2).expect("jobs");
    let state = web::Data::new(AppState {
        store: Arc::clone(&store),
        jobs,
        validator: Arc::new(GeodataValidator),
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

/// An answer read in full.
struct Answer {
    status: StatusCode,
    headers: header::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    async fn read<B: actix_web::body::MessageBody>(resp: ServiceResponse<B>) -> Self {
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = test::read_body(resp).await.to_vec();
        Self {
            status,
            headers,
            body,
        }
    }

    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn content_type(&self) -> &str {
        self.header(header::CONTENT_TYPE)
    }

    fn is_problem(&self) -> bool {
        self.content_type() == "application/problem+json"
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "HTTP {}: not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("utf-8 body")
    }
}

/// Sends a request built by the helpers below and reads the answer.
macro_rules! call {
    ($app:expr, $req:expr) => {
        Answer::read(test::call_service(&$app, $req.to_request()).await).await
    };
}

fn get(uri: &str) -> test::TestRequest {
    test::TestRequest::get().uri(uri)
}

fn with_body(
    method: Method,
    uri: &str,
    media: &str,
    body: impl Into<Vec<u8>>,
) -> test::TestRequest {
    test::TestRequest::default()
        .method(method)
        .uri(uri)
        .insert_header((header::CONTENT_TYPE, media))
        .set_payload(body.into())
}

fn upload(uri: &str, plan: &Value) -> test::TestRequest {
    with_body(Method::POST, uri, "application/geo+json", plan.to_string())
}

/// Stores a plan (validated by `geodata::ingest`) and the fixture schedule directly,
/// returning (plan id, schedule id).
fn seed(store: &dyn Store) -> (String, String) {
    let plan = seed_plan(
        store,
        &serde_json::to_vec(&plan_geojson("Demo city")).expect("json"),
    );
    let schedule = store
        .insert_schedule(&plan, 1, SCHEDULE.as_bytes())
        .expect("schedule")
        .expect("plan exists");
    (plan, schedule)
}

/// Validates and stores an upload, returning the plan id.
fn seed_plan(store: &dyn Store, body: &[u8]) -> String {
    let plan = geodata::ingest::ingest(body, &geodata::ingest::IngestOptions::default())
        .expect("a valid plan");
    let valid = ValidatedPlan::from_plan(&plan);
    store
        .create_plan(&NewPlanVersion {
            name: valid.name,
            crs: "wgs84".into(),
            body: body.to_vec(),
            summary: valid.summary,
            locations: valid.locations,
            source: None,
        })
        .expect("plan")
        .id
}

/// Polls a job until it reaches `until` (or thirty seconds pass) and returns it.
macro_rules! poll_job {
    ($app:expr, $job:expr, $until:expr) => {{
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let body = call!($app, get(&format!("/v1/jobs/{}", $job))).json();
            if body["status"] == $until || Instant::now() > deadline {
                break body;
            }
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }};
}

fn kinds(collection: &Value) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for f in collection["features"].as_array().expect("features") {
        let kind = f["properties"]["kind"].as_str().expect("kind").to_owned();
        *counts.entry(kind).or_insert(0) += 1;
    }
    counts
}

#[actix_web::test]
async fn uploading_a_plan_answers_201_with_counts_and_a_location() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let app = app!(fx);
    let resp = call!(app, upload("/v1/plans", &plan_geojson("Demo city")));
    assert_eq!(resp.status, StatusCode::CREATED);
    let body = resp.json();
    assert_eq!(body["version"], 1);
    assert_eq!(body["name"], "Demo city");
    assert_eq!(
        body["summary"],
        json!({"compounds": 0, "works": 1, "streets": 1})
    );
    assert_eq!(
        resp.header(header::LOCATION),
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
    let resp = call!(
        app,
        with_body(
            Method::POST,
            "/v1/plans",
            "application/json",
            bad.to_string()
        )
    );
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.is_problem());
    let body = resp.json();
    assert_eq!(body["status"], 422);
    assert_eq!(body["type"], "/v1/docs#problem-invalid-plan");
    let problems = body["problems"].as_array().expect("problems");
    // Both features lack a kind and a geometry, and the plan member is missing.
    for pointer in [
        "/features/0/properties/kind",
        "/features/1/properties/kind",
        "/features/1/geometry",
        "/plan",
    ] {
        assert!(
            problems.iter().any(|p| p["pointer"] == pointer),
            "{pointer} in {body}"
        );
    }
    assert!(problems.iter().any(|p| p["code"] == "missing_property"));
}

#[actix_web::test]
async fn an_unknown_crs_is_an_unknown_crs_problem() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let app = app!(fx);
    let resp = call!(app, upload("/v1/plans?crs=mars2000", &plan_geojson("x")));
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(resp.json()["problems"][0]["code"], "unknown_crs");
}

#[actix_web::test]
async fn an_upload_over_the_limit_answers_413_even_without_content_length() {
    let fx = fixture(AuthMode::Open, 1024);
    let app = app!(fx);
    let big = "x".repeat(4096);
    // With Content-Length (set by set_payload).
    let resp = call!(
        app,
        with_body(
            Method::POST,
            "/v1/plans",
            "application/geo+json",
            big.clone()
        )
    );
    assert_eq!(resp.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(resp.is_problem());
    assert_eq!(resp.json()["limit_bytes"], 1024);
    // Streamed: no Content-Length, the limit is enforced while reading.
    let mut req = with_body(Method::POST, "/v1/plans", "application/geo+json", big).to_request();
    req.headers_mut().remove(header::CONTENT_LENGTH);
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[actix_web::test]
async fn an_upload_that_is_not_json_answers_415() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let app = app!(fx);
    let resp = call!(
        app,
        with_body(Method::POST, "/v1/plans", "text/plain", "hello")
    );
    assert_eq!(resp.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(resp.is_problem());
}

#[actix_web::test]
async fn putting_a_plan_makes_a_new_version_and_keeps_the_old_one() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let (plan, _) = seed(fx.store.as_ref());
    let app = app!(fx);
    let renamed = plan_geojson("Renamed").to_string();
    let body = call!(
        app,
        with_body(
            Method::PUT,
            &format!("/v1/plans/{plan}"),
            "application/geo+json",
            renamed
        )
    )
    .json();
    assert_eq!(body["version"], 2);
    let old = call!(app, get(&format!("/v1/plans/{plan}?version=1"))).json();
    assert_eq!(old["name"], "Demo city");
    assert_eq!(old["latest_version"], 2);
    let geojson = call!(
        app,
        get(&format!("/v1/plans/{plan}")).insert_header((header::ACCEPT, "application/geo+json"))
    )
    .json();
    assert_eq!(geojson["plan"]["name"], "Renamed");
    let list = call!(app, get("/v1/plans")).json();
    assert_eq!(list["plans"].as_array().map(Vec::len), Some(1));
}

#[actix_web::test]
async fn deleting_a_plan_removes_it_its_schedules_and_its_layers() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let (plan, schedule) = seed(fx.store.as_ref());
    let app = app!(fx);
    // Export and draw once so the parsed schedule and overlay are cached; deleting must
    // forget both.
    let export = format!("/v1/schedules/{schedule}/utilities/Beijing%20Gas");
    assert_eq!(call!(app, get(&export)).status, StatusCode::OK);
    let overlay = format!("/v1/plans/{plan}/overlay");
    assert_eq!(call!(app, get(&overlay)).status, StatusCode::OK);
    let resp = call!(
        app,
        test::TestRequest::delete().uri(&format!("/v1/plans/{plan}"))
    );
    assert_eq!(resp.status, StatusCode::NO_CONTENT);
    for uri in [
        format!("/v1/plans/{plan}"),
        format!("/v1/schedules/{schedule}"),
        format!("/v1/plans/{plan}/analysis"),
        format!("/v1/schedules/{schedule}/overlay"),
        format!("/v1/ogc/collections/{plan}-work/items"),
        overlay,
        export,
    ] {
        let resp = call!(app, get(&uri));
        assert_eq!(resp.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(resp.is_problem());
    }
}

#[actix_web::test]
async fn a_planning_job_runs_off_the_request_and_yields_a_schedule() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let plan = seed_plan(fx.store.as_ref(), &city_geojson(3));
    let app = app!(fx);
    let resp = call!(
        app,
        test::TestRequest::post().uri(&format!("/v1/plans/{plan}/schedules"))
    );
    assert_eq!(resp.status, StatusCode::ACCEPTED);
    let job = resp.json();
    assert_eq!(job["status"], "queued");
    assert_eq!(
        resp.header(header::LOCATION),
        format!("/v1/jobs/{}", job["id"].as_str().expect("id"))
    );
    let done = poll_job!(app, job["id"].as_str().expect("id"), "done");
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["progress"]["percent"], 100.0);
    let schedule = done["schedule_id"].as_str().expect("schedule id");
    let doc = call!(app, get(&format!("/v1/schedules/{schedule}"))).json();
    assert_eq!(doc["plan"]["name"], "Synthetic city (seed 3, 3 compounds)");
    assert!(
        doc["activities"].as_array().is_some_and(|a| !a.is_empty()),
        "the engine scheduled activities"
    );
}

#[actix_web::test]
async fn a_running_job_is_cancelled_and_a_second_cancel_conflicts() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let plan = seed_plan(fx.store.as_ref(), &city_geojson(3));
    let app = app!(fx);
    let resp = call!(
        app,
        with_body(
            Method::POST,
            &format!("/v1/plans/{plan}/schedules"),
            "application/json",
            r#"{"time_limit_s": 5, "seed": 7}"#
        )
    );
    let job = resp.json();
    let id = job["id"].as_str().expect("id");
    assert_eq!(job["options"]["seed"], 7);
    let running = poll_job!(app, id, "running");
    assert_eq!(running["status"], "running");
    let percent = running["progress"]["percent"].as_f64().expect("percent");
    assert!((0.0..100.0).contains(&percent), "{running}");
    let cancel = || test::TestRequest::delete().uri(&format!("/v1/jobs/{id}"));
    let cancelled = call!(app, cancel()).json();
    assert_eq!(cancelled["status"], "cancelled");
    let again = call!(app, cancel());
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.is_problem());
}

#[actix_web::test]
async fn unknown_job_options_are_a_400_problem() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let (plan, _) = seed(fx.store.as_ref());
    let app = app!(fx);
    let resp = call!(
        app,
        test::TestRequest::post()
            .uri(&format!("/v1/plans/{plan}/schedules"))
            .set_payload(r#"{"speed": "ludicrous"}"#)
    );
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    assert!(resp.is_problem());
}

#[actix_web::test]
async fn a_time_limit_of_zero_or_over_an_hour_is_a_422_naming_the_field() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let (plan, _) = seed(fx.store.as_ref());
    let app = app!(fx);
    let submit = |body: &str| {
        with_body(
            Method::POST,
            &format!("/v1/plans/{plan}/schedules"),
            "application/json",
            body.to_owned(),
        )
    };
    for limit in ["0", "3601", "4294967296"] {
        let resp = call!(app, submit(&format!(r#"{{"time_limit_s": {limit}}}"#)));
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY, "{limit}");
        assert!(resp.is_problem());
        let body = resp.json();
        assert_eq!(body["type"], "/v1/docs#problem-invalid-options");
        assert_eq!(body["problems"][0]["code"], "out_of_range");
        assert_eq!(body["problems"][0]["pointer"], "/time_limit_s");
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("1 to 3600")),
            "{body}"
        );
    }
    // Not a whole number at all: the body is malformed, a 400.
    let resp = call!(app, submit(r#"{"time_limit_s": -1}"#));
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn a_ring_of_one_repeated_point_is_a_422_naming_the_feature_not_a_500() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let app = app!(fx);
    let mut plan = plan_geojson("Degenerate");
    plan["features"][1]["geometry"] =
        json!({"type": "Polygon", "coordinates": [[[116.4, 39.9], [116.4, 39.9]]]});
    let resp = call!(app, upload("/v1/plans", &plan));
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = resp.json();
    assert_eq!(body["problems"][0]["code"], "degenerate_ring");
    assert_eq!(body["problems"][0]["feature_id"], "s1");
    assert_eq!(
        body["problems"][0]["pointer"],
        "/features/1/geometry/coordinates/0"
    );
    // The service keeps serving.
    let resp = call!(app, upload("/v1/plans", &plan_geojson("Sound")));
    assert_eq!(resp.status, StatusCode::CREATED);
}

#[actix_web::test]
async fn a_utility_export_comes_as_json_csv_and_icalendar() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let (_, schedule) = seed(fx.store.as_ref());
    let app = app!(fx);
    let uri = format!("/v1/schedules/{schedule}/utilities/Beijing%20Water");
    let json = call!(app, get(&uri)).json();
    assert_eq!(json["owner"], "Beijing Water");
    assert_eq!(json["entries"][0]["shared_with"], json!(["Beijing Gas"]));
    // The location is the interior point of w12 in the stored plan.
    assert_eq!(json["entries"][0]["location"]["lat"], 39.9);

    let csv = call!(app, get(&uri).insert_header((header::ACCEPT, "text/csv")));
    assert!(csv.content_type().starts_with("text/csv"));
    let text = csv.text();
    assert!(text.starts_with("activity,kind,start,end,"));
    assert_eq!(text.matches("\r\n").count(), 3);

    let ics = call!(
        app,
        get(&uri).insert_header((header::ACCEPT, "text/calendar"))
    );
    assert!(ics.content_type().starts_with("text/calendar"));
    let text = ics.text();
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 1);
    // The interior point of w12 in the stored plan (a vertex of its line).
    assert!(text.contains("GEO:39.900000;116.400000\r\n"), "{text}");

    let png = call!(app, get(&uri).insert_header((header::ACCEPT, "image/png")));
    assert_eq!(png.status, StatusCode::NOT_ACCEPTABLE);
}

#[actix_web::test]
async fn the_analysis_is_geojson_computed_once_and_kept_in_the_store() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let plan = seed_plan(fx.store.as_ref(), &city_geojson(4));
    let app = app!(fx);
    assert!(fx.store.analysis(&plan, 1).expect("read").is_none());
    let resp = call!(app, get(&format!("/v1/plans/{plan}/analysis")));
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.content_type(), "application/geo+json");
    let doc = resp.json();
    assert_eq!(doc["plan_id"], plan.as_str());
    assert_eq!(doc["plan_version"], 1);
    let counts = kinds(&doc);
    for kind in counts.keys() {
        assert!(
            ["corridor", "trench", "crossing", "moratorium_conflict"].contains(&kind.as_str()),
            "{kind}"
        );
    }
    assert_eq!(
        json!(counts.get("trench").copied().unwrap_or(0)),
        doc["summary"]["trenches"]
    );
    assert!(counts.get("corridor").is_some_and(|n| *n > 0), "{counts:?}");
    // Persisted: the stored document is what the next request serves.
    assert!(fx.store.analysis(&plan, 1).expect("read").is_some());
    let again = call!(app, get(&format!("/v1/plans/{plan}/analysis"))).json();
    assert_eq!(again, doc);
    let missing = call!(app, get(&format!("/v1/plans/{plan}/analysis?version=9")));
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_overlay_shows_the_plan_then_its_schedule_with_filters_and_gcj02() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let plan = seed_plan(fx.store.as_ref(), &city_geojson(3));
    let app = app!(fx);
    let uri = format!("/v1/plans/{plan}/overlay");
    let before = call!(app, get(&uri));
    assert_eq!(before.content_type(), "application/geo+json");
    let before = before.json();
    assert_eq!(before["overlay"]["schedule_id"], Value::Null);
    let summary = fx
        .store
        .plan(&plan, None)
        .expect("read")
        .expect("plan")
        .meta
        .summary;
    let counts = kinds(&before);
    assert_eq!(counts["compound"], summary.compounds);
    assert_eq!(counts["work"], summary.works);
    assert_eq!(counts["street"], summary.streets);
    assert!(counts.get("trench").is_some_and(|n| *n > 0), "{counts:?}");

    let job = call!(
        app,
        test::TestRequest::post().uri(&format!("/v1/plans/{plan}/schedules"))
    )
    .json();
    let done = poll_job!(app, job["id"].as_str().expect("id"), "done");
    let schedule = done["schedule_id"]
        .as_str()
        .expect("schedule id")
        .to_owned();
    let after = call!(app, get(&uri)).json();
    assert_eq!(after["overlay"]["schedule_id"], schedule.as_str());
    assert_eq!(kinds(&after), counts, "the same features, now with dates");
    let start = after["overlay"]["start"]
        .as_str()
        .expect("start")
        .to_owned();
    let work = after["features"]
        .as_array()
        .and_then(|fs| {
            fs.iter()
                .find(|f| f["properties"]["kind"] == "work" && f["properties"]["start"].is_string())
        })
        .expect("a scheduled work");
    assert!(work["properties"]["end"].is_string());
    assert!(
        work["properties"]["color"]
            .as_str()
            .is_some_and(|c| c.starts_with('#'))
    );

    // Statuses on the first day, and only what is being worked on then.
    let on_start = call!(app, get(&format!("{uri}?datetime={start}"))).json();
    assert_eq!(on_start["datetime"], start.as_str());
    let features = on_start["features"].as_array().expect("features");
    assert!(!features.is_empty());
    assert!(
        features
            .iter()
            .all(|f| f["properties"]["status"] == "in_progress"
                || f["properties"]["status"] == "late")
    );
    // The schedule's own overlay is the same document.
    let by_schedule = call!(app, get(&format!("/v1/schedules/{schedule}/overlay"))).json();
    assert_eq!(by_schedule["features"], after["features"]);
    // A box far away holds nothing; GCJ-02 shifts every position.
    let away = call!(app, get(&format!("{uri}?bbox=100,20,100.1,20.1"))).json();
    assert_eq!(away["features"].as_array().map(Vec::len), Some(0));
    let gcj = call!(app, get(&format!("{uri}?crs=gcj02"))).json();
    let first = |doc: &Value| doc["features"][0]["geometry"]["coordinates"][0][0].clone();
    assert_ne!(first(&gcj), first(&after));
    for bad in ["bbox=1,2,3", "datetime=someday", "crs=bd09"] {
        let resp = call!(app, get(&format!("{uri}?{bad}")));
        assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            resp.json()["detail"]
                .as_str()
                .is_some_and(|d| d.contains(bad.split('=').next().unwrap_or_default()))
        );
    }
}

#[actix_web::test]
async fn ogc_api_features_lists_one_collection_per_kind_and_pages_its_items() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let plan = seed_plan(fx.store.as_ref(), &city_geojson(3));
    let app = app!(fx);
    let landing = call!(app, get("/v1/ogc"));
    assert_eq!(landing.content_type(), "application/json");
    let rels: Vec<String> = landing.json()["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| l["rel"].as_str().unwrap_or_default().to_owned())
        .collect();
    for rel in ["self", "service-desc", "conformance", "data"] {
        assert!(rels.iter().any(|r| r == rel), "{rel} in {rels:?}");
    }
    let conformance = call!(app, get("/v1/ogc/conformance")).json();
    assert!(
        conformance["conformsTo"]
            .as_array()
            .expect("classes")
            .contains(&json!(
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
            ))
    );

    let collections = call!(app, get("/v1/ogc/collections")).json();
    let ids: Vec<&str> = collections["collections"]
        .as_array()
        .expect("collections")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 6);
    let works = format!("{plan}-work");
    assert!(ids.contains(&works.as_str()));
    let info = call!(app, get(&format!("/v1/ogc/collections/{works}"))).json();
    assert_eq!(info["itemType"], "feature");
    assert_eq!(
        info["extent"]["spatial"]["bbox"][0]
            .as_array()
            .map(Vec::len),
        Some(4)
    );

    let total = fx
        .store
        .plan(&plan, None)
        .expect("read")
        .expect("plan")
        .meta
        .summary
        .works;
    let page = call!(
        app,
        get(&format!("/v1/ogc/collections/{works}/items?limit=5"))
    );
    assert_eq!(page.content_type(), "application/geo+json");
    let page = page.json();
    assert_eq!(page["numberMatched"], total);
    assert_eq!(page["numberReturned"], 5);
    let next = page["links"]
        .as_array()
        .and_then(|ls| ls.iter().find(|l| l["rel"] == "next"))
        .and_then(|l| l["href"].as_str())
        .expect("a next link");
    let path = &next[next.find("/v1/").expect("absolute link to this API")..];
    let second = call!(app, get(path)).json();
    assert_eq!(second["numberReturned"], 5);
    assert_ne!(second["features"][0]["id"], page["features"][0]["id"]);
    let feature_id = page["features"][0]["id"].as_str().expect("id");
    let one = call!(
        app,
        get(&format!("/v1/ogc/collections/{works}/items/{feature_id}"))
    );
    assert_eq!(one.content_type(), "application/geo+json");
    assert_eq!(one.json()["properties"]["kind"], "work");
    let missing = call!(app, get(&format!("/v1/ogc/collections/{works}/items/nope")));
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let unknown = call!(app, get(&format!("/v1/ogc/collections/{plan}-road/items")));
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.is_problem());
    let zero = call!(
        app,
        get(&format!("/v1/ogc/collections/{works}/items?limit=0"))
    );
    assert_eq!(zero.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn unknown_routes_and_methods_are_problem_documents() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let app = app!(fx);
    let resp = call!(app, get("/nowhere"));
    assert_eq!(resp.status, StatusCode::NOT_FOUND);
    assert!(resp.is_problem());
    let resp = call!(
        app,
        test::TestRequest::default()
            .method(Method::PATCH)
            .uri("/v1/plans")
    );
    assert_eq!(resp.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(resp.is_problem());
    let resp = call!(app, get("/v1/plans/x?version=notanumber"));
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    assert!(resp.is_problem());
    assert_eq!(resp.json()["type"], "/v1/docs#problem-bad-request");
}

#[actix_web::test]
async fn openapi_and_docs_are_served_without_a_token() {
    let fx = fixture(AuthMode::Tokens, 1 << 20);
    let app = app!(fx);
    let doc = call!(app, get("/v1/openapi.json")).json();
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    let limit = &doc["components"]["schemas"]["JobOptions"]["properties"]["time_limit_s"];
    assert_eq!(
        (limit["minimum"].as_f64(), limit["maximum"].as_f64()),
        (Some(1.0), Some(3600.0)),
        "{limit}"
    );
    // Uploads to import: their media types and the mapping parameter are described.
    let upload = &doc["paths"]["/v1/plans"]["post"];
    for media in [
        "application/geo+json",
        "application/zip",
        "application/geopackage+sqlite3",
        "image/vnd.dxf",
        "text/csv",
    ] {
        assert!(
            upload["requestBody"]["content"].get(media).is_some(),
            "{media}"
        );
    }
    let parameters: Vec<&str> = upload["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(
        parameters.contains(&"mapping") && parameters.contains(&"start"),
        "{parameters:?}"
    );
    assert!(doc["paths"]["/v1/plans/{id}/source"]["get"].is_object());
    let overlay = &doc["paths"]["/v1/schedules/{id}/overlay"]["get"];
    assert!(
        overlay["responses"]["200"]["content"]
            .get("application/geopackage+sqlite3")
            .is_some()
    );
    let resp = call!(app, get("/v1/docs"));
    assert_eq!(resp.status, StatusCode::OK);
    assert!(resp.text().contains("openapi.json"));
    assert!(resp.text().contains("problem-invalid-options"));
}

#[actix_web::test]
async fn token_mode_refuses_missing_and_wrong_tokens_with_401() {
    let fx = fixture(AuthMode::Tokens, 1 << 20);
    let app = app!(fx);
    let resp = call!(app, get("/v1/plans"));
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
    assert!(resp.headers.contains_key(header::WWW_AUTHENTICATE));
    assert!(resp.is_problem());
    let resp = call!(
        app,
        get("/v1/plans").insert_header((header::AUTHORIZATION, "Bearer dgo_nope_nope"))
    );
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
}

/// The committed survey fixtures of `tests/fixtures/import/`.
fn import_fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/import")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

#[actix_web::test]
async fn a_zipped_survey_is_imported_and_its_original_kept_beside_the_plan() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let app = app!(fx);
    let zip = import_fixture("管线普查.zip");
    let created = call!(
        app,
        with_body(
            Method::POST,
            "/v1/plans?mapping=cn-survey&crs=epsg:4527&name=%E8%A5%BF%E5%9F%8E&start=2027-03-01",
            "application/zip",
            zip.clone()
        )
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename*=UTF-8''%E7%AE%A1%E7%BA%BF%E6%99%AE%E6%9F%A5.zip"
        ))
    );
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let body = created.json();
    assert_eq!(body["name"], "西城");
    assert_eq!(
        body["crs"], "wgs84",
        "the stored plan is the converted GeoJSON"
    );
    assert_eq!(body["summary"]["works"], 5);
    assert_eq!(body["import"]["layers"][0]["skipped"], 1, "{body}");
    let id = body["id"].as_str().expect("id").to_owned();
    let original = call!(app, get(&format!("/v1/plans/{id}/source")));
    assert_eq!(original.status, StatusCode::OK);
    assert_eq!(original.content_type(), "application/zip");
    assert_eq!(original.body, zip, "the upload exactly as received");
    let disposition = original.header(header::CONTENT_DISPOSITION);
    assert!(
        disposition.contains("filename*=UTF-8''%E7%AE%A1%E7%BA%BF%E6%99%AE%E6%9F%A5.zip"),
        "{disposition}"
    );
    let converted = call!(
        app,
        get(&format!("/v1/plans/{id}")).insert_header((header::ACCEPT, "application/geo+json"))
    );
    let plan = converted.json();
    assert_eq!(plan["plan"]["start"], "2027-03-01");
    // A GeoJSON upload's source is itself.
    let geojson = plan_geojson("plain");
    let plain = call!(app, upload("/v1/plans", &geojson)).json();
    let same = call!(
        app,
        get(&format!(
            "/v1/plans/{}/source",
            plain["id"].as_str().expect("id")
        ))
    );
    assert_eq!(same.content_type(), "application/geo+json");
    assert_eq!(same.json(), geojson);
}

#[actix_web::test]
async fn import_problems_unknown_mappings_and_unreadable_files_are_problem_documents() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let app = app!(fx);
    let dxf = import_fixture("街道设计.dxf");
    let no_crs = call!(
        app,
        with_body(Method::POST, "/v1/plans", "image/vnd.dxf", dxf.clone())
    );
    assert_eq!(
        no_crs.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        no_crs.text()
    );
    let problems = no_crs.json()["problems"].clone();
    assert_eq!(problems[0]["code"], "crs_required");
    assert_eq!(problems[0]["origin"]["source"], "upload.dxf");
    let unknown = call!(
        app,
        with_body(Method::POST, "/v1/plans?mapping=nope", "image/vnd.dxf", dxf)
    );
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(
        unknown.json()["detail"]
            .as_str()
            .expect("detail")
            .contains("mapping")
    );
    let broken = call!(
        app,
        with_body(
            Method::POST,
            "/v1/plans",
            "application/zip",
            b"PK not a zip".to_vec()
        )
    );
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert!(broken.is_problem());
    assert!(
        broken.json()["detail"]
            .as_str()
            .expect("detail")
            .contains("zip"),
        "{}",
        broken.text()
    );
    let csv = call!(
        app,
        with_body(
            Method::POST,
            "/v1/plans?start=soon",
            "text/csv",
            b"a,b\n".to_vec()
        )
    );
    assert_eq!(csv.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn a_schedule_overlay_comes_as_a_geopackage_in_wgs84_or_a_gauss_kruger_zone() {
    let fx = fixture(AuthMode::Open, 1 << 20);
    let (_, schedule) = seed(fx.store.as_ref());
    let app = app!(fx);
    let gpkg = call!(
        app,
        get(&format!("/v1/schedules/{schedule}/overlay?format=gpkg"))
    );
    assert_eq!(gpkg.status, StatusCode::OK);
    assert_eq!(gpkg.content_type(), "application/geopackage+sqlite3");
    assert!(gpkg.body.starts_with(b"SQLite format 3\0"));
    assert!(gpkg.header(header::CONTENT_DISPOSITION).contains(".gpkg"));
    let zone = call!(
        app,
        get(&format!(
            "/v1/schedules/{schedule}/overlay?format=gpkg&crs=epsg:4527"
        ))
    );
    assert_eq!(zone.status, StatusCode::OK);
    for (query, parameter) in [
        ("format=gpkg&crs=gcj02", "crs"),
        ("format=shp", "format"),
        ("format=gpkg&crs=epsg:4491", "crs"),
    ] {
        let bad = call!(
            app,
            get(&format!("/v1/schedules/{schedule}/overlay?{query}"))
        );
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            bad.json()["detail"]
                .as_str()
                .expect("detail")
                .contains(parameter),
            "{query}: {}",
            bad.text()
        );
    }
}

/// Every endpoint against every role: `true` means the role gets past authorisation;
/// without a token every protected endpoint answers 401.
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
    let everyone = [true, true, true, true];
    let readers = [true, true, false, false];
    let planner = [true, false, false, false];
    // (method, uri, [planner, official, gas, water], needs a token)
    let cases: Vec<(Method, String, [bool; 4], bool)> = vec![
        (Method::GET, "/v1/plans".into(), readers, true),
        (Method::POST, "/v1/plans".into(), planner, true),
        (Method::GET, format!("/v1/plans/{plan}"), readers, true),
        (
            Method::GET,
            format!("/v1/plans/{plan}/source"),
            readers,
            true,
        ),
        (Method::PUT, format!("/v1/plans/{plan}"), planner, true),
        (Method::DELETE, "/v1/plans/pl_missing".into(), planner, true),
        (
            Method::POST,
            "/v1/plans/pl_missing/schedules".into(),
            planner,
            true,
        ),
        (Method::GET, "/v1/jobs/job_missing".into(), readers, true),
        (Method::DELETE, "/v1/jobs/job_missing".into(), planner, true),
        (
            Method::GET,
            format!("/v1/schedules/{schedule}"),
            readers,
            true,
        ),
        (Method::GET, gas, [true, true, true, false], true),
        (
            Method::GET,
            format!("/v1/plans/{plan}/analysis"),
            everyone,
            true,
        ),
        (
            Method::GET,
            format!("/v1/plans/{plan}/overlay"),
            everyone,
            true,
        ),
        (
            Method::GET,
            format!("/v1/schedules/{schedule}/overlay"),
            everyone,
            true,
        ),
        (
            Method::GET,
            format!("/v1/schedules/{schedule}/overlay?format=gpkg"),
            everyone,
            true,
        ),
        (Method::GET, "/v1/ogc".into(), everyone, true),
        (Method::GET, "/v1/ogc/conformance".into(), everyone, true),
        (Method::GET, "/v1/ogc/collections".into(), everyone, true),
        (
            Method::GET,
            format!("/v1/ogc/collections/{plan}-work"),
            everyone,
            true,
        ),
        (
            Method::GET,
            format!("/v1/ogc/collections/{plan}-work/items"),
            everyone,
            true,
        ),
        (
            Method::GET,
            format!("/v1/ogc/collections/{plan}-work/items/w12"),
            everyone,
            true,
        ),
        (Method::GET, "/v1/health".into(), everyone, false),
        (Method::GET, "/v1/openapi.json".into(), everyone, false),
        (Method::GET, "/v1/docs".into(), everyone, false),
    ];
    for (method, uri, allowed, needs_token) in &cases {
        let request = |token: Option<&str>| {
            let mut req = test::TestRequest::default().method(method.clone()).uri(uri);
            if let Some(token) = token {
                req = req.insert_header((header::AUTHORIZATION, format!("Bearer {token}")));
            }
            if matches!(*method, Method::POST | Method::PUT) && uri.ends_with(&plan)
                || uri == "/v1/plans"
            {
                req = req
                    .insert_header((header::CONTENT_TYPE, "application/geo+json"))
                    .set_payload(plan_geojson("m").to_string());
            }
            req
        };
        let anonymous = call!(app, request(None)).status;
        assert_eq!(
            anonymous == StatusCode::UNAUTHORIZED,
            *needs_token,
            "no token: {method} {uri} answered {anonymous}"
        );
        for (role, expect_allowed) in roles.iter().zip(allowed) {
            let status = call!(app, request(Some(&tokens[role]))).status;
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
    let resp = call!(app, get("/v1/plans"));
    assert_eq!(resp.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(resp.is_problem());
    let body = resp.json();
    assert_eq!(body["type"], "/v1/docs#problem-internal");
    assert!(!body["detail"].as_str().expect("detail").contains("data"));
}

#[actix_web::test]
async fn a_request_over_the_timeout_answers_503() {
    // Validating a generated city takes far longer than a millisecond.
    let fx = fixture_with_timeout(AuthMode::Open, 8 << 20, Duration::from_millis(1));
    let app = app!(fx);
    let req = with_body(
        Method::POST,
        "/v1/plans",
        "application/geo+json",
        city_geojson(20),
    )
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
