//! Progress on the map and the residents' public page through the real router: the
//! progress layer gives each compound's status and short code, and `/p/{short}` shows
//! that compound's page without a token, in Chinese, with nothing private in it.

mod common;

use std::sync::Arc;

use actix_web::http::{StatusCode, header};
use actix_web::{App, test, web};
use api::auth::{AuthMode, Role, create_token};
use api::jobs::JobSystem;
use api::server::AppState;
use api::storage::Store;
use api::storage::sqlite::SqliteStore;
use serde_json::Value;

const PLAN: &[u8] = include_bytes!("../../tests/fixtures/schedules/renewal.plan.geojson");
const SCHEDULE: &[u8] = include_bytes!("../../tests/fixtures/schedules/renewal.schedule.json");
const PROGRESS: &str = include_str!("../../tests/fixtures/progress/renewal.progress.csv");

fn state() -> (web::Data<AppState>, Arc<dyn Store>, String) {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().expect("store"));
    let jobs = JobSystem::start(Arc::clone(&store), None, 1).expect("jobs");
    let plan_id = common::store_plan(store.as_ref(), PLAN);
    store
        .insert_schedule(&plan_id, 1, SCHEDULE)
        .expect("schedule")
        .expect("plan exists");
    let state = common::app_state(&store, jobs, AuthMode::Tokens);
    (state, store, plan_id)
}

#[actix_web::test]
async fn the_progress_layer_lists_codes_and_the_public_page_shows_one_compound() {
    let (state, store, plan_id) = state();
    let app = test::init_service(
        App::new()
            .app_data(state.clone())
            .configure(api::routes::configure),
    )
    .await;
    let planner = create_token(store.as_ref(), &Role::Planner).expect("token");
    let official = create_token(store.as_ref(), &Role::Official).expect("token");
    let map_uri = format!("/v1/plans/{plan_id}/progress/map");
    let get = |uri: &str, token: Option<&str>| {
        let mut req = test::TestRequest::get().uri(uri);
        if let Some(t) = token {
            req = req.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
        }
        req.to_request()
    };

    // No progress yet and no as_of: 404.
    let resp = test::call_service(&app, get(&map_uri, Some(&official))).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    let post = test::TestRequest::post()
        .uri(&format!("/v1/plans/{plan_id}/progress"))
        .insert_header((header::AUTHORIZATION, format!("Bearer {planner}")))
        .insert_header((header::CONTENT_TYPE, "text/csv"))
        .set_payload(PROGRESS)
        .to_request();
    assert_eq!(
        test::call_service(&app, post).await.status(),
        StatusCode::CREATED
    );

    // The layer as of the data date (the latest report, 2026-03-25).
    let resp = test::call_service(&app, get(&map_uri, Some(&official))).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let layer: Value = test::read_body_json(resp).await;
    assert_eq!(layer["as_of"], "2026-03-25");
    let unit = |id: &str| {
        layer["units"]
            .as_array()
            .expect("units")
            .iter()
            .find(|u| u["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id}"))
    };
    assert_eq!(unit("w-gas-c")["status"], "done");
    assert_eq!(unit("w-sewer")["status"], "in_progress");
    assert_eq!(unit("w-water")["status"], "late");
    assert_eq!(layer["districts"]["features"][0]["properties"]["rank"], 1);
    let short = unit("c-north")["short"].as_str().expect("short").to_owned();
    let other = unit("c-south")["short"].as_str().expect("short").to_owned();
    assert_ne!(short, other);

    // The public page: no token needed, the compound's works, nothing private.
    let resp = test::call_service(&app, get(&format!("/p/{short}"), None)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"))
    );
    let page = String::from_utf8(test::read_body(resp).await.to_vec()).expect("utf-8");
    assert!(page.contains("North compound 施工进度公开"), "{page}");
    assert!(page.contains("数据截至：2026年3月25日"));
    assert!(
        page.contains("燃气管道（本小区） <span class=\"s done\">已完成</span>"),
        "{page}"
    );
    assert!(page.contains("施工单位：Beijing Drainage Group"));
    assert!(!page.contains("East compound"), "another compound leaked");
    assert!(
        !page.contains(&planner) && !page.contains(&official),
        "a token leaked"
    );
    assert!(
        !page.contains(&plan_id),
        "the plan id is not needed by residents"
    );
    assert!(!page.contains("150000"), "no money on the public page");

    // The other compound has its own page.
    let resp = test::call_service(&app, get(&format!("/p/{other}"), None)).await;
    let page = String::from_utf8(test::read_body(resp).await.to_vec()).expect("utf-8");
    assert!(page.contains("East compound 施工进度公开"));
    assert!(!page.contains("North compound"));

    // Unknown or malformed codes: 404 problem documents.
    for code in ["zzzzzzzzzz", "abc", "ABCDEFGHJK"] {
        let resp = test::call_service(&app, get(&format!("/p/{code}"), None)).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{code}");
    }
    let mut flipped = short.clone();
    let last = if flipped.ends_with('0') { "1" } else { "0" };
    let n = flipped.len();
    flipped.replace_range(n - 1..n, last);
    let resp = test::call_service(&app, get(&format!("/p/{flipped}"), None)).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    // Utilities do not read the ranking.
    let water = create_token(
        store.as_ref(),
        &"utility:Beijing Waterworks Group"
            .parse::<Role>()
            .expect("role"),
    )
    .expect("token");
    let resp = test::call_service(&app, get(&map_uri, Some(&water))).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}
