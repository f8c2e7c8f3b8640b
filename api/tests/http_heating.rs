//! `POST /v1/plans/{id}/heating` through the real router with the two-village fixture:
//! the report's fields, a scenario, a bad scenario and a missing plan; `GET
//! /v1/plans/{id}/villages`, the map's village points.

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::{StatusCode, header};
use actix_web::{App, test, web};
use api::auth::AuthMode;
use api::intake::{GeodataValidator, ValidatedPlan};
use api::jobs::JobSystem;
use api::server::AppState;
use api::storage::sqlite::SqliteStore;
use api::storage::{NewPlanVersion, Store};
use serde_json::Value;

const PLAN: &[u8] = include_bytes!("../../tests/fixtures/plans/heating-two-villages.geojson");

fn state() -> (web::Data<AppState>, String) {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().expect("store"));
    let plan = geodata::ingest::ingest(PLAN, &geodata::ingest::IngestOptions::default())
        .expect("the fixture is valid");
    let valid = ValidatedPlan::from_plan(&plan);
    let id = store
        .create_plan(&NewPlanVersion {
            name: valid.name,
            crs: "wgs84".into(),
            body: PLAN.to_vec(),
            summary: valid.summary,
            locations: valid.locations,
            source: None,
        })
        .expect("stored")
        .id;
    let jobs = JobSystem::start(Arc::clone(&store), None, 1).expect("jobs");
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
    (state, id)
}

async fn post(state: &web::Data<AppState>, uri: &str, body: &str) -> (StatusCode, Value) {
    let app = test::init_service(
        App::new()
            .app_data(state.clone())
            .configure(api::routes::configure),
    )
    .await;
    let req = test::TestRequest::post()
        .uri(uri)
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .set_payload(body.to_owned())
        .to_request();
    let resp = test::call_service(&app, req).await;
    let status = resp.status();
    let body = test::read_body(resp).await;
    (
        status,
        serde_json::from_slice(&body).expect("a JSON answer"),
    )
}

#[actix_web::test]
async fn the_heating_report_lists_every_village_and_route() {
    let (state, id) = state();
    let uri = format!("/v1/plans/{id}/heating");
    let (status, report) = post(&state, &uri, r#"{"scenarios": ["prices+20"]}"#).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let villages = report["villages"].as_array().expect("villages");
    assert_eq!(villages.len(), 2);
    assert_eq!(villages[0]["id"], "v-near");
    assert_eq!(villages[0]["households"], 100);
    assert!(villages[0]["route"].is_string());
    let options = villages[0]["options"].as_array().expect("options");
    assert_eq!(options.len(), 7);
    for field in [
        "route",
        "feasible",
        "affordable",
        "install_cost_after_subsidy_cny",
        "bill_before_cny",
        "bill_after_cny",
        "total_annual_cost_cny",
        "substation_load_kw",
    ] {
        assert!(!options[0][field].is_null(), "{field} missing");
    }
    // The far village cannot have gas: the main is more than 5 km away.
    let far_gas = &villages[1]["options"][0];
    assert_eq!(far_gas["route"], "gas_wall_boiler");
    assert_eq!(far_gas["feasible"], false);
    assert!(report["total_cost_cny"].as_f64().is_some_and(|c| c > 0.0));
    assert!(report["shadow_prices"]["substations"].is_array());
    assert_eq!(report["scenarios"][0]["name"], "prices+20");
    assert!(
        report["scenarios"][0]["change_cny"]
            .as_f64()
            .is_some_and(|c| c > 0.0)
    );
    // An empty body means the defaults.
    let (status, _) = post(&state, &uri, "").await;
    assert_eq!(status, StatusCode::OK);
}

#[actix_web::test]
async fn a_bad_scenario_and_a_missing_plan_are_problems() {
    let (state, id) = state();
    let (status, problem) = post(
        &state,
        &format!("/v1/plans/{id}/heating"),
        r#"{"scenarios": ["heat+5"]}"#,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("heat+5")),
        "{problem}"
    );
    let (status, _) = post(&state, "/v1/plans/nope/heating", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn get(state: &web::Data<AppState>, uri: &str) -> (StatusCode, Option<String>, Value) {
    let app = test::init_service(
        App::new()
            .app_data(state.clone())
            .configure(api::routes::configure),
    )
    .await;
    let resp = test::call_service(&app, test::TestRequest::get().uri(uri).to_request()).await;
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = test::read_body(resp).await;
    (
        status,
        content_type,
        serde_json::from_slice(&body).expect("a JSON answer"),
    )
}

#[actix_web::test]
async fn the_villages_are_map_points_with_their_route_and_bills() {
    let (state, id) = state();
    let (status, content_type, doc) = get(&state, &format!("/v1/plans/{id}/villages")).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert_eq!(content_type.as_deref(), Some("application/geo+json"));
    let features = doc["features"].as_array().expect("features");
    assert_eq!(features.len(), 2);
    let near = &features[0];
    assert_eq!(near["properties"]["id"], "v-near");
    assert_eq!(near["properties"]["households"], 100);
    assert_eq!(near["properties"]["bill_before_cny"], 2_250.0);
    assert!(near["properties"]["route"].is_string());
    assert!(near["properties"]["bill_after_cny"].is_number());
    assert_eq!(near["geometry"]["coordinates"][0], 116.0);
    // The polygon village becomes its centroid.
    let far = &features[1]["geometry"]["coordinates"];
    assert!(
        (far[0].as_f64().expect("lon") - 116.2005).abs() < 1e-6,
        "{far}"
    );
    let (_, _, shifted) = get(&state, &format!("/v1/plans/{id}/villages?crs=gcj02")).await;
    let lon = shifted["features"][0]["geometry"]["coordinates"][0]
        .as_f64()
        .expect("lon");
    assert!(
        lon > 116.0 && lon < 116.01,
        "GCJ-02 moves points a few hundred metres: {lon}"
    );
    let (status, _, _) = get(&state, &format!("/v1/plans/{id}/villages?crs=bd09")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = get(&state, "/v1/plans/nope/villages").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
