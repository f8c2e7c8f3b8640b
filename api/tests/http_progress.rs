//! Progress reports and the bulletin through the real router: a utility reports only on
//! its own works, a rejected report keeps nothing, and an official reads the ranking.

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::{StatusCode, header};
use actix_web::{App, test, web};
use api::auth::{AuthMode, Role, create_token};
use api::intake::{GeodataValidator, ValidatedPlan};
use api::jobs::JobSystem;
use api::server::AppState;
use api::storage::sqlite::SqliteStore;
use api::storage::{NewPlanVersion, Store};
use serde_json::{Value, json};

/// Activities on w12 (Beijing Water, to 2027-03-09) and w40 (Beijing Gas, in trench t3, to
/// 2027-03-05), among others.
const SCHEDULE: &str = include_str!("fixtures/schedule_demo.json");

/// Compound c1 in Dongcheng, served by w12 (Beijing Water) and w40 (Beijing Gas).
fn plan() -> Value {
    let line = json!({"type": "LineString", "coordinates": [[116.40, 39.90], [116.41, 39.90]]});
    json!({
        "type": "FeatureCollection",
        "plan": { "name": "Progress city", "start": "2027-03-01",
                  "funds": [{"source": "central", "district": "Dongcheng", "allocated_cny": 1_000_000, "disbursed_cny": 250_000}] },
        "features": [
            { "type": "Feature", "geometry": { "type": "Polygon", "coordinates": [[[116.40, 39.901], [116.41, 39.901], [116.41, 39.905], [116.40, 39.905], [116.40, 39.901]]] },
              "properties": { "kind": "compound", "id": "c1", "name": "C1", "district": "Dongcheng", "class": "basic",
                              "buildings": 2, "households": 80, "finish_by": "2027-10-31", "investment_cny": 500_000 } },
            { "type": "Feature", "geometry": line,
              "properties": { "kind": "work", "id": "w12", "utility": "water", "owner": "Beijing Water",
                              "action": "replace", "duration_days": 4, "compound": "c1", "investment_cny": 300_000 } },
            { "type": "Feature", "geometry": line,
              "properties": { "kind": "work", "id": "w40", "utility": "gas", "owner": "Beijing Gas",
                              "action": "replace", "duration_days": 4, "compound": "c1", "investment_cny": 200_000 } }
        ]
    })
}

struct Fixture {
    state: web::Data<AppState>,
    store: Arc<dyn Store>,
    plan_id: String,
}

fn fixture() -> Fixture {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().expect("store"));
    let jobs = JobSystem::start(Arc::clone(&store), None, 1).expect("jobs");
    let body = serde_json::to_vec(&plan()).expect("json");
    let parsed =
        geodata::ingest::ingest(body.as_slice(), &geodata::ingest::IngestOptions::default())
            .expect("a valid plan");
    let valid = ValidatedPlan::from_plan(&parsed);
    let plan_id = store
        .create_plan(&NewPlanVersion {
            name: valid.name,
            crs: "wgs84".into(),
            body,
            summary: valid.summary,
            locations: valid.locations,
            source: None,
        })
        .expect("plan")
        .id;
    store
        .insert_schedule(&plan_id, 1, SCHEDULE.as_bytes())
        .expect("schedule")
        .expect("plan exists");
    let state = web::Data::new(AppState {
        store: Arc::clone(&store),
        jobs,
        validator: Arc::new(GeodataValidator),
        auth_mode: AuthMode::Tokens,
        max_upload_bytes: 1 << 20,
        request_timeout: Duration::from_secs(30),
        export_cache: api::export::cache::ExportCache::default(),
        overlay_cache: api::overlay::cache::OverlayCache::default(),
    });
    Fixture {
        state,
        store,
        plan_id,
    }
}

fn token(store: &dyn Store, role: &str) -> String {
    create_token(store, &role.parse::<Role>().expect("role")).expect("token")
}

const HEADER: &str =
    "id,status,actual_start,actual_finish,percent,households_done,spent_cny,reported_on\n";

#[actix_web::test]
async fn a_utility_reports_only_its_own_works_and_an_official_reads_the_ranking() {
    let fx = fixture();
    let app = test::init_service(
        App::new()
            .app_data(fx.state.clone())
            .configure(api::routes::configure),
    )
    .await;
    let water = token(fx.store.as_ref(), "utility:Beijing Water");
    let official = token(fx.store.as_ref(), "official");
    let uri = format!("/v1/plans/{}/progress", fx.plan_id);
    let post = |who: &str, media: &str, body: String| {
        test::TestRequest::post()
            .uri(&uri)
            .insert_header((header::AUTHORIZATION, format!("Bearer {who}")))
            .insert_header((header::CONTENT_TYPE, media.to_owned()))
            .set_payload(body)
            .to_request()
    };

    // Beijing Water may not report on Beijing Gas's w40: 403, nothing kept.
    let both = format!(
        "{HEADER}w12,done,2027-03-02,2027-03-08,,,280000,2027-03-09\nw40,done,2027-03-02,2027-03-05,,,,2027-03-09\n"
    );
    let resp = test::call_service(&app, post(&water, "text/csv", both)).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(fx.store.progress(&fx.plan_id).expect("read").is_empty());

    // A report with problems: every one with its row and column, nothing kept.
    let bad = json!([
        {"id": "w12", "status": "done", "reported_on": "2027-03-09"},
        {"id": "w99", "status": "in_progress", "actual_start": "2027-03-20", "percent": 120, "reported_on": "2027-03-09"}
    ]);
    let resp = test::call_service(&app, post(&water, "application/json", bad.to_string())).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["type"], "/v1/docs#problem-invalid-progress");
    let got: Vec<(String, u64, String)> = body["report_problems"]
        .as_array()
        .expect("report problems")
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap_or_default().to_owned(),
                p["row"].as_u64().unwrap_or_default(),
                p["column"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("missing_date".to_owned(), 1, "actual_finish".to_owned()),
            ("unknown_id".to_owned(), 2, "id".to_owned()),
            ("out_of_range".to_owned(), 2, "percent".to_owned()),
            ("date_after_report".to_owned(), 2, "actual_start".to_owned()),
        ]
    );
    assert!(fx.store.progress(&fx.plan_id).expect("read").is_empty());

    // Its own work, and an activity of it: kept, with who sent it.
    let own = format!(
        "{HEADER}w12,done,2027-03-02,2027-03-08,,,280000,2027-03-09\nw12/lay,done,2027-03-06,2027-03-08,,,,2027-03-09\n"
    );
    let resp = test::call_service(&app, post(&water, "text/csv", own)).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let receipt: Value = test::read_body_json(resp).await;
    assert_eq!(receipt["rows"], 2);
    let kept = fx.store.progress(&fx.plan_id).expect("read");
    assert_eq!(kept.len(), 2);
    assert!(kept[0].sent_by.starts_with("utility:Beijing Water"));

    // An official may not report, but reads the bulletin.
    let resp = test::call_service(
        &app,
        post(
            &official,
            "text/csv",
            format!("{HEADER}c1,not_started,,,,,,2027-03-09\n"),
        ),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let report = |who: &str, query: &str| {
        test::TestRequest::get()
            .uri(&format!("/v1/plans/{}/report?{query}", fx.plan_id))
            .insert_header((header::AUTHORIZATION, format!("Bearer {who}")))
            .to_request()
    };
    let resp = test::call_service(&app, report(&official, "as_of=2027-03-10")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let b: Value = test::read_body_json(resp).await;
    assert_eq!(b["as_of"], "2027-03-10");
    let d = &b["districts"][0];
    // Both works were due by 03-10 (w12 ends 03-09, w40 with trench t3 03-05); w12 is done.
    assert_eq!(d["district"], "Dongcheng");
    assert_eq!(d["works_planned_to_finish"], 2);
    assert_eq!(d["works_finished"], 1);
    assert_eq!(d["completion_rate"], 0.5);
    assert_eq!(d["funds_rate"], 0.25);
    assert_eq!(d["investment_spent_cny"], 280_000.0);
    assert_eq!(b["not_reporting"], json!(["Beijing Gas"]));
    let resp = test::call_service(&app, report(&official, "as_of=2027-03-10&format=xlsx")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = test::read_body(resp).await;
    assert!(bytes.starts_with(b"PK"));
    let resp = test::call_service(&app, report(&official, "as_of=2027-03-10&format=html")).await;
    let html = String::from_utf8(test::read_body(resp).await.to_vec()).expect("utf-8");
    assert!(html.contains("进度通报") && html.contains("Dongcheng"));

    // A utility does not read the bulletin; a bad date is a 400.
    let resp = test::call_service(&app, report(&water, "as_of=2027-03-10")).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = test::call_service(&app, report(&official, "as_of=2027-02-30")).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}
