//! End-to-end: the real `digonce` binary on a free loopback port, with tokens made by
//! `digonce token create`, data that survives a crash and restart, and the open-mode
//! bind check.
//!
//! The plan and schedule are stored through the `api` library before the service starts,
//! because `geodata::ingest` and the engine are not merged yet (LEAD: after merge, add
//! an upload through `POST /v1/plans` and a job through `POST /v1/plans/{id}/schedules`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use api::storage::sqlite::SqliteStore;
use api::storage::{NewPlanVersion, PlanSummary, Store, WorkLocation};
use digonce_tests::http::{Service, digonce_binary};

const DEMO_SCHEDULE: &str = include_str!("../../api/tests/fixtures/schedule_demo.json");

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("digonce-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn create_token(db: &Path, role: &str) -> String {
    let out = Command::new(digonce_binary())
        .args(["token", "create", "--role", role, "--db"])
        .arg(db)
        .output()
        .expect("run digonce token create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned();
    assert!(token.starts_with("dgo_"), "{token}");
    token
}

fn seed_demo(db: &Path) -> (String, String) {
    let store = SqliteStore::open(db).expect("open store");
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
            body: br#"{"type":"FeatureCollection","plan":{"name":"Demo city","start":"2027-03-01"},"features":[]}"#.to_vec(),
            summary: PlanSummary {
                compounds: 0,
                works: 2,
                streets: 0,
            },
            locations,
        })
        .expect("plan");
    let schedule = store
        .insert_schedule(&plan.id, 1, DEMO_SCHEDULE.as_bytes())
        .expect("schedule")
        .expect("plan exists");
    (plan.id, schedule)
}

#[test]
fn the_service_keeps_plans_schedules_and_tokens_across_a_crash_and_restart() {
    let dir = temp_dir("restart");
    let db = dir.join("digonce.sqlite3");
    let planner = create_token(&db, "planner");
    let gas = create_token(&db, "utility:Beijing Gas");
    let (plan, schedule) = seed_demo(&db);
    let planner_auth = format!("Bearer {planner}");
    let gas_auth = format!("Bearer {gas}");

    let service = Service::start(&db, &[]);
    let health = service.request("GET", "/v1/health", &[], b"").json();
    assert_eq!(health["auth"], "tokens");
    let anonymous = service.request("GET", "/v1/plans", &[], b"");
    assert_eq!(anonymous.status, 401);
    assert_eq!(
        anonymous.header("content-type"),
        Some("application/problem+json")
    );
    let listed = service.request("GET", "/v1/plans", &[("Authorization", &planner_auth)], b"");
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()["plans"][0]["id"], plan.as_str());
    // Crash: SIGKILL, no graceful shutdown.
    service.kill();

    let service = Service::start(&db, &[]);
    let doc = service.request(
        "GET",
        &format!("/v1/schedules/{schedule}"),
        &[("Authorization", &planner_auth)],
        b"",
    );
    assert_eq!(doc.status, 200);
    assert_eq!(doc.json()["plan"]["name"], "Demo city");
    let calendar = service.request(
        "GET",
        &format!("/v1/schedules/{schedule}/utilities/Beijing%20Gas"),
        &[("Authorization", &gas_auth), ("Accept", "text/calendar")],
        b"",
    );
    assert_eq!(calendar.status, 200);
    let text = calendar.text();
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 2);
    assert!(text.contains("GEO:39.900000;116.405000\r\n"));
    let other = service.request(
        "GET",
        &format!("/v1/schedules/{schedule}/utilities/Beijing%20Water"),
        &[("Authorization", &gas_auth)],
        b"",
    );
    assert_eq!(other.status, 403);
    service.kill();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn open_mode_refuses_a_non_loopback_address() {
    let dir = temp_dir("open");
    let db = dir.join("digonce.sqlite3");
    let out = Command::new(digonce_binary())
        .args(["serve", "--bind", "0.0.0.0:0", "--db"])
        .arg(&db)
        .output()
        .expect("run digonce serve");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("loopback"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn open_mode_on_loopback_serves_without_a_token_and_applies_the_upload_limit() {
    let dir = temp_dir("open-local");
    let db = dir.join("digonce.sqlite3");
    let (_, schedule) = seed_demo(&db);
    let service = Service::start(&db, &["--max-upload-mb", "1"]);
    assert_eq!(
        service.request("GET", "/v1/health", &[], b"").json()["auth"],
        "open"
    );
    let csv = service.request(
        "GET",
        &format!("/v1/schedules/{schedule}/utilities/Beijing%20Water?format=csv"),
        &[],
        b"",
    );
    assert_eq!(csv.status, 200);
    assert!(csv.text().starts_with("activity,kind,start,end,"));
    let too_big = service.request(
        "POST",
        "/v1/plans",
        &[
            ("Content-Type", "application/geo+json"),
            ("Content-Length", "2097152"),
        ],
        b"",
    );
    assert_eq!(too_big.status, 413);
    assert_eq!(too_big.json()["limit_bytes"], 1024 * 1024);
    service.kill();
    let _ = std::fs::remove_dir_all(&dir);
}
