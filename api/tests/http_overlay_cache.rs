//! The map overlay as cached bytes through the real router: an `ETag` on every answer,
//! `304 Not Modified` for a client that names it, the gzip encoding for a client that
//! accepts it (decoding to the same document), and a different tag for a different query.

mod common;

use std::io::Read;
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
async fn an_overlay_is_tagged_revalidated_with_304_and_sent_gzip_when_accepted() {
    let (state, store, plan_id) = state();
    let app = test::init_service(
        App::new()
            .app_data(state.clone())
            .configure(api::routes::configure),
    )
    .await;
    let token = create_token(store.as_ref(), &Role::Official).expect("token");
    let uri = format!("/v1/plans/{plan_id}/overlay");
    let request = |uri: &str, headers: &[(header::HeaderName, &str)]| {
        let mut req = test::TestRequest::get()
            .uri(uri)
            .insert_header((header::AUTHORIZATION, format!("Bearer {token}")));
        for (name, value) in headers {
            req = req.insert_header((name.clone(), *value));
        }
        req.to_request()
    };

    let first = test::call_service(&app, request(&uri, &[])).await;
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first
        .headers()
        .get(header::ETAG)
        .expect("an ETag")
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert_eq!(first.headers().get(header::CONTENT_ENCODING), None);
    assert_eq!(
        first
            .headers()
            .get(header::VARY)
            .map(header::HeaderValue::as_bytes),
        Some(&b"Accept-Encoding"[..])
    );
    let plain = test::read_body(first).await;
    let document: Value = serde_json::from_slice(&plain).expect("GeoJSON");
    assert_eq!(document["type"], "FeatureCollection");
    assert!(
        document["features"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
    );

    // The same rendering again: the same tag, and the same bytes.
    let again = test::call_service(&app, request(&uri, &[])).await;
    assert_eq!(again.headers().get(header::ETAG).expect("tag"), &etag[..]);
    assert_eq!(test::read_body(again).await, plain);

    // A client holding it is told so, with no body.
    let revalidated =
        test::call_service(&app, request(&uri, &[(header::IF_NONE_MATCH, &etag)])).await;
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        revalidated.headers().get(header::ETAG).expect("tag"),
        &etag[..]
    );
    assert!(test::read_body(revalidated).await.is_empty());

    // A stale tag gets the document.
    let stale =
        test::call_service(&app, request(&uri, &[(header::IF_NONE_MATCH, "\"0123\"")])).await;
    assert_eq!(stale.status(), StatusCode::OK);

    // gzip when accepted: smaller, and decoding to the same document.
    let zipped = test::call_service(
        &app,
        request(&uri, &[(header::ACCEPT_ENCODING, "gzip, deflate, br")]),
    )
    .await;
    assert_eq!(zipped.status(), StatusCode::OK);
    assert_eq!(
        zipped
            .headers()
            .get(header::CONTENT_ENCODING)
            .map(header::HeaderValue::as_bytes),
        Some(&b"gzip"[..])
    );
    let compressed = test::read_body(zipped).await;
    assert!(
        compressed.len() < plain.len() / 2,
        "{} vs {}",
        compressed.len(),
        plain.len()
    );
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut decoded)
        .expect("gzip");
    assert_eq!(decoded, plain);

    // Another query is another rendering with another tag.
    let other = test::call_service(&app, request(&format!("{uri}?crs=gcj02"), &[])).await;
    assert_eq!(other.status(), StatusCode::OK);
    assert_ne!(other.headers().get(header::ETAG).expect("tag"), &etag[..]);

    // A malformed query is still a 400 problem, not a cached answer.
    let bad = test::call_service(&app, request(&format!("{uri}?bbox=1,2"), &[])).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}
