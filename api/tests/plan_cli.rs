//! End to end: the `digonce plan` binary's schedule document, summary and exit codes.

use std::path::Path;
use std::process::{Command, Output};

fn plan(fixture: &str) -> (Output, serde_json::Value) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out_file = std::env::temp_dir().join(format!(
        "digonce-plan-cli-{}-{fixture}.json",
        std::process::id()
    ));
    let output = Command::new(env!("CARGO_BIN_EXE_digonce"))
        .args(["plan", "--time-limit", "0.3", "--out"])
        .arg(&out_file)
        .arg(format!("tests/fixtures/plans/{fixture}"))
        .current_dir(repo)
        .output()
        .expect("the binary runs");
    let text = std::fs::read_to_string(&out_file).expect("schedule written");
    let _ = std::fs::remove_file(&out_file);
    (
        output,
        serde_json::from_str(&text).expect("the schedule is JSON"),
    )
}

#[test]
fn a_plan_that_meets_every_deadline_exits_zero_with_the_saving_in_its_summary() {
    let (out, doc) = plan("shared-trench.geojson");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let s = &doc["summary"];
    assert_eq!(s["excavations"], 1);
    assert_eq!(s["baseline_excavations"], 2);
    assert_eq!(s["verified"], true);
    for key in [
        "makespan_days",
        "trench_open_metre_days",
        "hard_deadlines_missed",
        "lateness_days",
        "lower_bound_days",
        "gap",
        "baseline_trench_open_metre_days",
    ] {
        assert!(s.get(key).is_some(), "summary lacks {key}");
    }
    let activity = &doc["activities"][0];
    for key in [
        "id",
        "kind",
        "subject",
        "discipline",
        "trench",
        "start",
        "end",
        "crew",
    ] {
        assert!(activity.get(key).is_some(), "activity lacks {key}");
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("excavations 1 vs 2 uncoordinated"),
        "{stderr}"
    );
}

#[test]
fn a_missed_hard_deadline_exits_three_and_names_the_late_work() {
    let (out, doc) = plan("moratorium.geojson");
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert_eq!(doc["summary"]["hard_deadlines_missed"], 1);
    assert_eq!(doc["summary"]["hard_deadlines_unavoidable"], 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("late: w-water/restore (deadline of work w-water) due 2026-11-14"),
        "{stderr}"
    );
}
