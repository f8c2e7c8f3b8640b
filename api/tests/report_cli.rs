//! End to end: the `digonce report` binary writes the bulletin, and refuses (exit 1) a
//! progress report with problems, naming the file, row, column and code of each.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PLAN: &str = "tests/fixtures/schedules/renewal.plan.geojson";
const SCHEDULE: &str = "tests/fixtures/schedules/renewal.schedule.json";
const PROGRESS: &str = "tests/fixtures/progress/renewal.progress.csv";
const INVALID: &str = "tests/fixtures/progress/invalid.progress.csv";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn digonce(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_digonce"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("the binary runs")
}

#[test]
fn a_valid_report_gives_the_bulletin_as_json() {
    let out = digonce(&[
        "report",
        PLAN,
        SCHEDULE,
        PROGRESS,
        "--as-of",
        "2026-03-31",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let b: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON bulletin");
    assert_eq!(b["as_of"], "2026-03-31");
    assert!(!b["districts"].as_array().expect("districts").is_empty());
    let finished: u64 = b["districts"]
        .as_array()
        .expect("districts")
        .iter()
        .map(|d| d["works_finished"].as_u64().unwrap_or_default())
        .sum();
    assert_eq!(finished, 1, "only w-gas-c is done");
}

#[test]
fn an_invalid_report_exits_one_naming_every_problem() {
    let out = digonce(&["report", PLAN, SCHEDULE, INVALID, "--as-of", "2026-03-31"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "invalid.progress.csv: row 1, actual_finish: missing_date",
        "invalid.progress.csv: row 2, id: unknown_id",
        "invalid.progress.csv: row 2, percent: out_of_range",
        "invalid.progress.csv: row 2, actual_start: date_after_report",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in {err}");
    }
}
