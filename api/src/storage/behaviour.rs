//! The store's behaviour, one function per behaviour taking `&dyn Store`, run against
//! every backend: an in-memory SQLite database and a fresh PostgreSQL database per test
//! (`postgres::testdb`). A backend passes when it behaves the same as the other.

use std::collections::BTreeMap;

use crate::storage::{
    JobStatus, NewPlanVersion, PlanSummary, Progress, Store, TokenRecord, WorkLocation,
};

/// Runs each named behaviour against SQLite and PostgreSQL, one test per pair.
macro_rules! for_each_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            $(
                #[test]
                fn $name() {
                    let store = crate::storage::sqlite::SqliteStore::in_memory().expect("open");
                    super::$name(&store);
                }
            )*
        }
        mod postgres_backend {
            $(
                #[test]
                fn $name() {
                    let Some(database) = crate::storage::postgres::testdb::TestDatabase::create()
                    else {
                        return;
                    };
                    let store = crate::storage::postgres::PostgresStore::open(database.url())
                        .expect("open");
                    super::$name(&store);
                    drop(store);
                    drop(database);
                }
            )*
        }
    };
}

pub(super) fn sample(name: &str) -> NewPlanVersion {
    let mut locations = BTreeMap::new();
    locations.insert(
        "w1".to_owned(),
        WorkLocation {
            lon: 116.4,
            lat: 39.9,
        },
    );
    NewPlanVersion {
        name: name.to_owned(),
        crs: "wgs84".to_owned(),
        body: br#"{"type":"FeatureCollection","features":[]}"#.to_vec(),
        summary: PlanSummary {
            compounds: 1,
            works: 2,
            streets: 3,
        },
        locations,
        source: None,
    }
}

pub(super) fn putting_a_plan_keeps_the_old_version(store: &dyn Store) {
    let first = store.create_plan(&sample("one")).expect("create");
    let second = store
        .add_plan_version(&first.id, &sample("two"))
        .expect("put")
        .expect("plan exists");
    assert_eq!(second.version, 2);
    let old = store.plan(&first.id, Some(1)).expect("read").expect("v1");
    assert_eq!(old.meta.name, "one");
    assert_eq!(old.meta.latest_version, 2);
    let latest = store.plan(&first.id, None).expect("read").expect("latest");
    assert_eq!(latest.meta.name, "two");
    assert_eq!(latest.meta.summary.streets, 3);
    assert!((latest.locations["w1"].lat - 39.9).abs() < 1e-9);
    assert_eq!(store.list_plans().expect("list").len(), 1);
}

pub(super) fn deleting_a_plan_removes_its_schedules_and_jobs(store: &dyn Store) {
    let plan = store.create_plan(&sample("one")).expect("create");
    let schedule = store
        .insert_schedule(&plan.id, 1, b"{}")
        .expect("insert")
        .expect("plan exists");
    let job = store
        .create_job(&plan.id, &serde_json::json!({}))
        .expect("job")
        .expect("plan exists");
    assert!(store.delete_plan(&plan.id).expect("delete"));
    assert!(store.schedule(&schedule).expect("read").is_none());
    assert!(store.job(&job.id).expect("read").is_none());
    assert!(!store.delete_plan(&plan.id).expect("second delete"));
}

pub(super) fn the_latest_schedule_of_a_plan_version_is_the_newest_stored(store: &dyn Store) {
    let plan = store.create_plan(&sample("one")).expect("create");
    assert!(store.latest_schedule(&plan.id, 1).expect("read").is_none());
    let first = store.insert_schedule(&plan.id, 1, b"{}").expect("insert");
    let second = store.insert_schedule(&plan.id, 1, b"{}").expect("insert");
    assert_ne!(first, second);
    let latest = store.latest_schedule(&plan.id, 1).expect("read");
    assert_eq!(latest.map(|s| s.id), second);
    store
        .add_plan_version(&plan.id, &sample("two"))
        .expect("put")
        .expect("plan exists");
    assert!(store.latest_schedule(&plan.id, 2).expect("read").is_none());
}

pub(super) fn a_cancelled_job_cannot_be_finished(store: &dyn Store) {
    let plan = store.create_plan(&sample("one")).expect("create");
    let job = store
        .create_job(&plan.id, &serde_json::json!({"seed": 1}))
        .expect("job")
        .expect("plan exists");
    assert!(
        store
            .transition_job(
                &job.id,
                &[JobStatus::Queued],
                JobStatus::Running,
                None,
                None
            )
            .expect("run")
    );
    assert!(
        store
            .transition_job(
                &job.id,
                &[JobStatus::Queued, JobStatus::Running],
                JobStatus::Cancelled,
                None,
                Some("cancelled by a client")
            )
            .expect("cancel")
    );
    let finished = store
        .finish_job(&job.id, Progress::default(), b"{}")
        .expect("finish");
    assert!(finished.is_none());
    let stored = store.job(&job.id).expect("read").expect("exists");
    assert_eq!(stored.status, JobStatus::Cancelled);
    assert_eq!(stored.options["seed"], 1);
}

pub(super) fn recovery_fails_running_jobs_and_returns_queued_ones(store: &dyn Store) {
    let plan = store.create_plan(&sample("one")).expect("create");
    let running = store
        .create_job(&plan.id, &serde_json::json!({}))
        .expect("job")
        .expect("plan");
    let queued = store
        .create_job(&plan.id, &serde_json::json!({}))
        .expect("job")
        .expect("plan");
    store
        .transition_job(
            &running.id,
            &[JobStatus::Queued],
            JobStatus::Running,
            None,
            None,
        )
        .expect("run");
    let halfway = Progress {
        percent: 50.0,
        incumbent: Some(3.0),
        bound: None,
    };
    store
        .record_progress(&running.id, halfway)
        .expect("progress");
    store.record_progress(&queued.id, halfway).expect("ignored");
    let untouched = store.job(&queued.id).expect("read").expect("exists");
    assert!(untouched.progress.percent.abs() < 1e-9);
    let again = store.recover_jobs("service restarted").expect("recover");
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, queued.id);
    let failed = store.job(&running.id).expect("read").expect("exists");
    assert_eq!(failed.status, JobStatus::Failed);
    assert!((failed.progress.percent - 50.0).abs() < 1e-9);
    assert_eq!(failed.error.as_deref(), Some("service restarted"));
}

pub(super) fn a_schedule_for_a_missing_plan_version_is_not_stored(store: &dyn Store) {
    let plan = store.create_plan(&sample("one")).expect("create");
    assert!(
        store
            .insert_schedule(&plan.id, 2, b"{}")
            .expect("insert")
            .is_none()
    );
    assert!(
        store
            .insert_schedule("pl_missing", 1, b"{}")
            .expect("insert")
            .is_none()
    );
    assert!(store.latest_schedule(&plan.id, 1).expect("read").is_none());
}

pub(super) fn an_imported_version_keeps_its_original_and_loses_it_with_the_plan(store: &dyn Store) {
    let mut imported = sample("imported");
    imported.source = Some(crate::storage::PlanSource {
        media_type: "application/zip".into(),
        file_name: Some("管线普查.zip".into()),
        mapping: "cn-survey".into(),
        crs: Some("epsg:4527".into()),
        body: b"PK\x03\x04 the zip".to_vec(),
    });
    let meta = store.create_plan(&sample("geojson")).expect("create");
    let second = store
        .add_plan_version(&meta.id, &imported)
        .expect("put")
        .expect("plan exists");
    assert_eq!(store.plan_source(&meta.id, 1).expect("read"), None);
    assert_eq!(
        store.plan_source(&meta.id, second.version).expect("read"),
        imported.source
    );
    assert!(store.delete_plan(&meta.id).expect("delete"));
    assert_eq!(
        store.plan_source(&meta.id, second.version).expect("read"),
        None
    );
}
pub(super) fn tokens_round_trip_by_id(store: &dyn Store) {
    assert_eq!(store.token_count().expect("count"), 0);
    assert_eq!(store.token("tk_missing").expect("read"), None);
    let token = TokenRecord {
        id: "tk_1".into(),
        secret_hash: [7; 32],
        role: "planner".into(),
        created_at: "2026-01-01T00:00:00Z".into(),
    };
    store.add_token(&token).expect("add");
    assert_eq!(store.token("tk_1").expect("read"), Some(token.clone()));
    assert_eq!(store.token_count().expect("count"), 1);
    assert!(
        store.add_token(&token).is_err(),
        "a duplicate id is refused"
    );
}

pub(super) fn progress_rows_keep_their_order_and_sender(store: &dyn Store) {
    let plan = store.create_plan(&sample("one")).expect("create");
    let rows: Vec<geodata::progress::ProgressRow> = serde_json::from_value(serde_json::json!([
        {"id": "w1", "status": "in_progress", "percent": 40.0, "reported_on": "2026-04-01"},
        {"id": "w2", "status": "done", "reported_on": "2026-04-02"}
    ]))
    .expect("rows");
    let receipt = store
        .add_progress(&plan.id, "utility:water", &rows)
        .expect("store");
    assert_eq!(receipt.rows, 2);
    let stored = store.progress(&plan.id).expect("read");
    assert_eq!(
        stored.iter().map(|r| r.row.id.as_str()).collect::<Vec<_>>(),
        ["w1", "w2"]
    );
    assert!(stored.iter().all(|r| r.sent_by == "utility:water"));
    assert!(stored.iter().all(|r| r.report_id == receipt.report_id));
    assert!(store.delete_plan(&plan.id).expect("delete"));
    assert!(store.progress(&plan.id).expect("read").is_empty());
}

pub(super) fn an_analysis_is_replaced_per_plan_version(store: &dyn Store) {
    let plan = store.create_plan(&sample("one")).expect("create");
    assert_eq!(store.analysis(&plan.id, 1).expect("read"), None);
    store.put_analysis(&plan.id, 1, b"{\"a\":1}").expect("put");
    store
        .put_analysis(&plan.id, 1, b"{\"a\":2}")
        .expect("replace");
    assert_eq!(
        store.analysis(&plan.id, 1).expect("read").as_deref(),
        Some(&b"{\"a\":2}"[..])
    );
}

for_each_backend!(
    putting_a_plan_keeps_the_old_version,
    deleting_a_plan_removes_its_schedules_and_jobs,
    the_latest_schedule_of_a_plan_version_is_the_newest_stored,
    a_cancelled_job_cannot_be_finished,
    recovery_fails_running_jobs_and_returns_queued_ones,
    a_schedule_for_a_missing_plan_version_is_not_stored,
    an_imported_version_keeps_its_original_and_loses_it_with_the_plan,
    tokens_round_trip_by_id,
    progress_rows_keep_their_order_and_sender,
    an_analysis_is_replaced_per_plan_version,
);
