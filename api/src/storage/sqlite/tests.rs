//! Behaviour of the SQLite store across its tables: plan versions, cascades on delete,
//! schedules per plan version, the job life cycle and recovery, reopening a file.

use std::collections::BTreeMap;

use super::SqliteStore;
use crate::storage::ids::random_id;
use crate::storage::{JobStatus, NewPlanVersion, PlanSummary, Progress, Store, WorkLocation};

fn sample(name: &str) -> NewPlanVersion {
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

#[test]
fn putting_a_plan_keeps_the_old_version() {
    let store = SqliteStore::in_memory().expect("open");
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

#[test]
fn deleting_a_plan_removes_its_schedules_and_jobs() {
    let store = SqliteStore::in_memory().expect("open");
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

#[test]
fn the_latest_schedule_of_a_plan_version_is_the_newest_stored() {
    let store = SqliteStore::in_memory().expect("open");
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

#[test]
fn a_cancelled_job_cannot_be_finished() {
    let store = SqliteStore::in_memory().expect("open");
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

#[test]
fn recovery_fails_running_jobs_and_returns_queued_ones() {
    let store = SqliteStore::in_memory().expect("open");
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

#[test]
fn a_schedule_for_a_missing_plan_version_is_not_stored() {
    let store = SqliteStore::in_memory().expect("open");
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

#[test]
fn a_database_file_reopens_with_its_data() {
    let dir = std::env::temp_dir().join(format!("digonce-store-{}", random_id("t")));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("db.sqlite3");
    let (plan, job) = {
        let store = SqliteStore::open(&path).expect("create");
        let plan = store.create_plan(&sample("kept")).expect("plan");
        let job = store
            .create_job(&plan.id, &serde_json::json!({"seed": 3}))
            .expect("job")
            .expect("plan exists");
        (plan, job)
    };
    let store = SqliteStore::open(&path).expect("reopen");
    let read = store.plan(&plan.id, None).expect("read").expect("kept");
    assert_eq!(read.meta.name, "kept");
    let queued = store.recover_jobs("restarted").expect("recover");
    assert_eq!(queued.iter().map(|j| &j.id).collect::<Vec<_>>(), [&job.id]);
    drop(store);
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn an_imported_version_keeps_its_original_and_loses_it_with_the_plan() {
    let store = SqliteStore::in_memory().expect("open");
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
