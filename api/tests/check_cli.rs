//! End to end: the `digonce check` binary's verdict and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PLAN: &str = "tests/fixtures/schedules/renewal.plan.geojson";
const SCHEDULE: &str = "tests/fixtures/schedules/renewal.schedule.json";

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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The fixture schedule with `edit` applied, written to a temporary file.
fn broken_schedule(name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let raw = std::fs::read_to_string(repo().join(SCHEDULE)).expect("fixture schedule");
    let mut doc: serde_json::Value = serde_json::from_str(&raw).expect("JSON");
    edit(&mut doc);
    let path = std::env::temp_dir().join(format!(
        "digonce-check-cli-{}-{name}.json",
        std::process::id()
    ));
    std::fs::write(&path, doc.to_string()).expect("temporary file");
    path
}

#[test]
fn a_schedule_that_keeps_every_rule_exits_zero_with_a_one_line_verdict() {
    let out = digonce(&["check", PLAN, SCHEDULE]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("valid: the schedule keeps every rule"),
        "{stdout}"
    );
    let json = digonce(&["check", PLAN, SCHEDULE, "--format", "json"]);
    assert_eq!(json.status.code(), Some(0), "{json:?}");
    let verdict: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON verdict");
    assert_eq!(
        verdict,
        serde_json::json!({"valid": true, "violations": []})
    );
}

#[test]
fn a_broken_schedule_exits_one_and_lists_every_violation() {
    let path = broken_schedule("broken", |doc| {
        let activities = doc["activities"].as_array_mut().expect("activities");
        activities.retain(|a| a["id"] != "w-sewer/test");
        for a in activities.iter_mut() {
            if a["id"] == "w-water/lay" {
                a["end"] = "2026-03-13".into();
            }
        }
    });
    let arg = path.to_str().expect("UTF-8 temp path");
    let out = digonce(&["check", PLAN, arg]);
    let json = digonce(&["check", PLAN, arg, "--format", "json"]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].starts_with("steps [w-sewer/test]: "), "{stdout}");
    assert!(
        lines[1].starts_with("working_days [w-water/lay]: "),
        "{stdout}"
    );
    assert_eq!(json.status.code(), Some(1), "{json:?}");
    let verdict: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON verdict");
    assert_eq!(verdict["valid"], false);
    let rules: Vec<&str> = verdict["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| v["rule"].as_str().expect("rule name"))
        .collect();
    assert_eq!(rules, ["steps", "working_days"]);
    assert_eq!(verdict["violations"][0]["subjects"][0], "w-sewer/test");
}

#[test]
fn an_invalid_plan_exits_two_with_its_problems_printed_as_validate_prints_them() {
    let out = digonce(&[
        "check",
        "geodata/tests/fixtures/invalid/unknown_utility.geojson",
        SCHEDULE,
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("unknown_utility [feature 1 \"w1\"] at /features/1/properties/utility"),
        "{stderr}"
    );
    assert!(stderr.contains("error: the plan"), "{stderr}");
}

#[test]
fn a_file_that_is_not_a_schedule_document_exits_two() {
    let out = digonce(&["check", PLAN, PLAN]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("is not a schedule document"), "{stderr}");
    let missing = digonce(&["check", PLAN, "no/such/schedule.json"]);
    assert_eq!(missing.status.code(), Some(2), "{missing:?}");
}
