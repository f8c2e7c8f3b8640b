//! SQLite-only behaviour: a database file reopens with its data. Every behaviour both
//! backends share is in `storage::behaviour`, run against each.

use super::SqliteStore;
use crate::storage::Store;
use crate::storage::behaviour::sample;
use crate::storage::ids::random_id;

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
