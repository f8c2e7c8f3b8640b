//! PostgreSQL-only behaviour, each test on a fresh database: migrations, the `PostGIS`
//! features (read back by SQL and by GDAL's `ogrinfo`), and the durable job queue
//! (claims that skip each other, leases taken over, bounded attempts, cancellation and
//! one schedule per job).

use std::process::Command;
use std::time::Duration;

use geodata::export::{ExportOptions, to_bytes};
use geodata::synthetic::{CityConfig, generate};
use postgres::NoTls;

use super::PostgresStore;
use super::queue::Heartbeat;
use super::testdb::TestDatabase;
use crate::intake::ValidatedPlan;
use crate::storage::{JobStatus, NewPlanVersion, PlanMeta, Progress, Store};

/// A fresh database and its store; `None` when PostgreSQL may be skipped.
fn fresh() -> Option<(TestDatabase, PostgresStore)> {
    let database = TestDatabase::create()?;
    let store = PostgresStore::open(database.url()).expect("open");
    Some((database, store))
}

/// Stores a small generated city (3 compounds) and returns its metadata.
fn stored_city(store: &PostgresStore) -> (PlanMeta, usize) {
    let plan = generate(&CityConfig::new(3, 5));
    let features = plan.compounds.len() + plan.works.len() + plan.streets.len();
    let valid = ValidatedPlan::from_plan(&plan);
    let meta = store
        .create_plan(&NewPlanVersion {
            name: valid.name,
            crs: "wgs84".into(),
            body: to_bytes(&plan, &ExportOptions::default()).expect("export"),
            summary: valid.summary,
            locations: valid.locations,
            source: None,
        })
        .expect("store");
    (meta, features)
}

fn client(database: &TestDatabase) -> postgres::Client {
    postgres::Client::connect(database.url(), NoTls).expect("connect")
}

#[test]
fn a_fresh_database_is_migrated_once_and_reopens() {
    let Some((database, store)) = fresh() else {
        return;
    };
    let newest = i64::try_from(super::MIGRATIONS.len()).expect("small");
    assert_eq!(store.schema_version().expect("version"), newest);
    drop(store);
    let again = PostgresStore::open(database.url()).expect("reopen");
    assert_eq!(again.schema_version().expect("version"), newest);
}

#[test]
fn a_database_from_a_newer_build_is_refused() {
    let Some((database, store)) = fresh() else {
        return;
    };
    drop(store);
    client(&database)
        .batch_execute("UPDATE schema_version SET version = 99")
        .expect("bump");
    let error = PostgresStore::open(database.url()).expect_err("newer schema");
    assert!(matches!(
        error,
        crate::storage::StoreError::SchemaTooNew { found: 99, .. }
    ));
}

#[test]
fn plan_features_are_postgis_geometries_in_wgs84_with_a_gist_index() {
    let Some((database, store)) = fresh() else {
        return;
    };
    let (meta, count) = stored_city(&store);
    let mut client = client(&database);
    let row = client
        .query_one(
            "SELECT count(*), count(DISTINCT kind), min(ST_SRID(geom)), \
             bool_and(ST_IsValid(geom)) FROM plan_features WHERE plan_id = $1 AND version = 1",
            &[&meta.id],
        )
        .expect("query");
    assert_eq!(row.get::<_, i64>(0), i64::try_from(count).expect("small"));
    assert_eq!(row.get::<_, i64>(1), 3, "compounds, works and streets");
    assert_eq!(row.get::<_, i32>(2), 4326);
    assert!(row.get::<_, bool>(3));
    let index: String = client
        .query_one(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'plan_features_geom'",
            &[],
        )
        .expect("index")
        .get(0);
    assert!(index.contains("USING gist"), "{index}");
    // A bounding-box query served by the index finds the compounds.
    let inside: i64 = client
        .query_one(
            "SELECT count(*) FROM plan_features f, \
             (SELECT ST_Extent(geom)::geometry AS box FROM plan_features WHERE plan_id = $1) e \
             WHERE f.plan_id = $1 AND f.kind = 'compound' AND f.geom && e.box",
            &[&meta.id],
        )
        .expect("bbox")
        .get(0);
    assert_eq!(inside, 3);
    assert!(store.delete_plan(&meta.id).expect("delete"));
    let left: i64 = client
        .query_one("SELECT count(*) FROM plan_features", &[])
        .expect("count")
        .get(0);
    assert_eq!(left, 0, "features go with their plan");
}

#[test]
fn gdal_opens_the_plan_features_layer() {
    let found = Command::new("ogrinfo")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("DIGONCE_REQUIRE_GDAL").is_none(),
            "DIGONCE_REQUIRE_GDAL is set but ogrinfo is not installed"
        );
        eprintln!("ogrinfo is not installed: skipping this GDAL check");
        return;
    }
    let Some((database, store)) = fresh() else {
        return;
    };
    let (_meta, count) = stored_city(&store);
    let config: postgres::Config = database.url().parse().expect("url");
    let dbname = config.get_dbname().expect("dbname");
    let user = config.get_user().unwrap_or("root");
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let connection = format!("PG:dbname={dbname} host=127.0.0.1 port={port} user={user}");
    let out = Command::new("ogrinfo")
        .args(["-ro", "-so", "-al", &connection, "plan_features"])
        .output()
        .expect("ogrinfo runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ogrinfo failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(&format!("Feature Count: {count}")), "{text}");
    assert!(
        text.contains("EPSG\",4326") || text.contains("WGS 84"),
        "{text}"
    );
    assert!(text.contains("kind: String"), "{text}");
}

/// A store holding one plan with one queued job.
fn queued_job(store: &PostgresStore) -> String {
    let (meta, _) = stored_city(store);
    store
        .create_job(&meta.id, &serde_json::json!({}))
        .expect("job")
        .expect("plan exists")
        .id
}

#[test]
fn two_workers_never_claim_the_same_job() {
    let Some((_database, store)) = fresh() else {
        return;
    };
    let first = queued_job(&store);
    let second = store
        .create_job(
            &store.job(&first).expect("read").expect("job").plan_id,
            &serde_json::json!({}),
        )
        .expect("job")
        .expect("plan")
        .id;
    let lease = Duration::from_secs(30);
    let a = store.claim_job("a", lease).expect("claim").expect("one");
    let b = store.claim_job("b", lease).expect("claim").expect("two");
    assert_eq!(a.job.id, first, "oldest first");
    assert_eq!(b.job.id, second);
    assert_eq!((a.attempt, b.attempt), (1, 1));
    assert!(store.claim_job("c", lease).expect("claim").is_none());
    assert_eq!(
        store.job(&first).expect("read").expect("job").status,
        JobStatus::Running
    );
}

#[test]
fn an_expired_lease_is_taken_over_and_the_old_holder_stores_nothing() {
    let Some((_database, store)) = fresh() else {
        return;
    };
    let job = queued_job(&store);
    let short = Duration::from_millis(200);
    store.claim_job("dead", short).expect("claim").expect("job");
    assert!(
        store.claim_job("live", short).expect("claim").is_none(),
        "lease still held"
    );
    std::thread::sleep(Duration::from_millis(400));
    let taken = store
        .claim_job("live", Duration::from_secs(30))
        .expect("claim")
        .expect("taken over");
    assert_eq!(taken.job.id, job);
    assert_eq!(taken.attempt, 2);
    let attempts = store.job_attempts(&job).expect("read").expect("job");
    assert!(
        attempts
            .last_failure
            .as_deref()
            .is_some_and(|r| r.contains("dead") && r.contains("attempt 1")),
        "{attempts:?}"
    );
    assert_eq!(
        store
            .heartbeat(&job, "dead", short, Progress::default())
            .expect("beat"),
        Heartbeat::Lost
    );
    assert!(
        store
            .finish_claimed(&job, "dead", Progress::default(), b"{}")
            .expect("finish")
            .is_none()
    );
    let schedule = store
        .finish_claimed(&job, "live", Progress::default(), b"{}")
        .expect("finish")
        .expect("stored");
    let done = store.job(&job).expect("read").expect("job");
    assert_eq!(done.status, JobStatus::Done);
    assert_eq!(done.schedule_id.as_deref(), Some(schedule.as_str()));
    assert!(
        store
            .finish_claimed(&job, "live", Progress::default(), b"{}")
            .expect("finish again")
            .is_none(),
        "one schedule per job"
    );
}

#[test]
fn a_job_whose_workers_keep_dying_fails_after_max_attempts_with_the_reason() {
    let Some((_database, store)) = fresh() else {
        return;
    };
    let job = queued_job(&store);
    let short = Duration::from_millis(100);
    for worker in ["w1", "w2", "w3"] {
        let claim = store
            .claim_job(worker, short)
            .expect("claim")
            .expect("claimable");
        assert_eq!(claim.job.id, job);
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(store.claim_job("w4", short).expect("claim").is_none());
    let failed = store.job(&job).expect("read").expect("job");
    assert_eq!(failed.status, JobStatus::Failed);
    let error = failed.error.expect("reason");
    assert!(
        error.contains("3 attempts") && error.contains("w3"),
        "{error}"
    );
}

#[test]
fn a_cancel_through_the_row_reaches_the_holder_at_its_heartbeat() {
    let Some((_database, store)) = fresh() else {
        return;
    };
    let job = queued_job(&store);
    let lease = Duration::from_secs(30);
    store.claim_job("w", lease).expect("claim").expect("job");
    let halfway = Progress {
        percent: 50.0,
        incumbent: Some(4.0),
        bound: None,
    };
    assert_eq!(
        store.heartbeat(&job, "w", lease, halfway).expect("beat"),
        Heartbeat::Held
    );
    assert!(
        (store
            .job(&job)
            .expect("read")
            .expect("job")
            .progress
            .percent
            - 50.0)
            .abs()
            < 1e-9
    );
    assert!(
        store
            .transition_job(
                &job,
                &[JobStatus::Queued, JobStatus::Running],
                JobStatus::Cancelled,
                None,
                Some("cancelled by a client"),
            )
            .expect("cancel")
    );
    assert_eq!(
        store.heartbeat(&job, "w", lease, halfway).expect("beat"),
        Heartbeat::Cancelled
    );
    assert!(
        store
            .finish_claimed(&job, "w", halfway, b"{}")
            .expect("finish")
            .is_none()
    );
}

#[test]
fn a_released_job_goes_back_uncounted_and_status_changes_are_announced() {
    let Some((_database, store)) = fresh() else {
        return;
    };
    let mut listener = store.listen().expect("listen");
    let job = queued_job(&store);
    store
        .claim_job("w", Duration::from_secs(30))
        .expect("claim")
        .expect("job");
    assert!(store.release_job(&job, "w").expect("release"));
    let again = store
        .claim_job("v", Duration::from_secs(30))
        .expect("claim")
        .expect("job");
    assert_eq!(again.attempt, 1, "a graceful release does not count");
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while seen.len() < 4 && std::time::Instant::now() < deadline {
        seen.extend(
            listener
                .wait(Duration::from_millis(200))
                .expect("wait")
                .into_iter()
                .filter(|e| e.job_id == job)
                .map(|e| e.status),
        );
    }
    assert_eq!(seen, ["queued", "running", "queued", "running"]);
}

#[test]
fn a_password_never_reaches_a_message() {
    assert_eq!(
        super::redacted("postgres://app:s3cret@db.example:5432/digonce"),
        "postgres://app:***@db.example:5432/digonce"
    );
    assert_eq!(
        super::redacted("postgres://root@127.0.0.1/test"),
        "postgres://root@127.0.0.1/test"
    );
    assert_eq!(super::redacted("digonce.sqlite3"), "digonce.sqlite3");
}
