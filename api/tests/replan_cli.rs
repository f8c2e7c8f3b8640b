//! End to end: `digonce replan` writes the re-planned schedule document with the finished
//! work at its actual dates and prints what moved per owner; an invalid progress report
//! is refused (exit 1) and nothing is written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PLAN: &str = "tests/fixtures/schedules/renewal.plan.geojson";
const SCHEDULE: &str = "tests/fixtures/schedules/renewal.schedule.json";
const PROGRESS: &str = "tests/fixtures/progress/renewal.progress.csv";
const INVALID: &str = "tests/fixtures/progress/invalid.progress.csv";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn replan(progress: &str, out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_digonce"))
        .args(["replan", PLAN, SCHEDULE, progress, "--as-of", "2026-03-31"])
        .arg("--out")
        .arg(out)
        .args(["--time-limit", "2"])
        .current_dir(repo())
        .output()
        .expect("the binary runs")
}

#[test]
fn replan_writes_the_new_schedule_and_prints_the_changes_per_owner() {
    let dir = std::env::temp_dir().join(format!("digonce-replan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let out_path = dir.join("new.json");
    let out = replan(PROGRESS, &out_path);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("re-planned as of 2026-03-31"), "{text}");
    assert!(
        text.contains(
            "moved   w-gas-c/restore: 2026-04-13 – 2026-04-13 -> 2026-03-20 – 2026-03-20"
        ),
        "{text}"
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_path).expect("written")).expect("JSON");
    assert_eq!(doc["replan"]["as_of"], "2026-03-31");
    let activity = |id: &str| {
        doc["activities"]
            .as_array()
            .expect("activities")
            .iter()
            .find(|a| a["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id}"))
    };
    assert_eq!(activity("w-gas-c/excavate")["start"], "2026-03-02");
    assert_eq!(activity("w-sewer/lay")["start"], "2026-03-03");
    assert_eq!(doc["replan"]["sequence"]["w-gas-c/restore"], 1);

    let rejected = dir.join("rejected.json");
    let out = replan(INVALID, &rejected);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid.progress.csv"));
    assert!(!rejected.exists(), "nothing written for a rejected report");
    std::fs::remove_dir_all(&dir).ok();
}
