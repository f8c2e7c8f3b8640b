//! End to end: the `digonce validate` binary's output and exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn digonce(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_digonce"))
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    if let Some(bytes) = stdin {
        input.write_all(bytes).expect("stdin accepts the plan");
    }
    drop(input);
    child.wait_with_output().expect("the binary finishes")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_valid_plan_exits_zero_with_a_one_line_summary() {
    let out = digonce(
        &["validate", "examples/two-utilities-one-street.geojson"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1);
    assert!(
        text.contains("1 compound(s), 4 work(s), 1 street(s)"),
        "{text}"
    );
}

#[test]
fn an_invalid_plan_exits_one_and_prints_each_problem_with_its_feature() {
    let out = digonce(
        &[
            "validate",
            "geodata/tests/fixtures/invalid/unknown_utility.geojson",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with("unknown_utility [feature 1 \"w1\"] at /features/1/properties/utility"),
        "{text}"
    );
}

#[test]
fn json_output_lists_every_problem() {
    let out = digonce(
        &[
            "validate",
            "--format",
            "json",
            "geodata/tests/fixtures/invalid/duplicate_id.geojson",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
    assert_eq!(v["valid"], false);
    let problems = v["problems"].as_array().expect("problems array");
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0]["code"], "duplicate_id");
    assert_eq!(problems[0]["feature_id"], "w1");
    assert_eq!(problems[0]["pointer"], "/features/2/properties/id");
}

#[test]
fn a_dash_reads_the_plan_from_standard_input() {
    let plan = std::fs::read(repo().join("examples/minimal.geojson")).expect("example");
    let out = digonce(&["validate", "-", "--format", "json"], Some(&plan));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
    assert_eq!(v["valid"], true);
    assert_eq!(v["works"], 1);
    let out = digonce(
        &["validate", "-"],
        Some(b"{\"type\": \"FeatureCollection\", \"features\": ["),
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stdout(&out).contains("malformed_json"));
}

#[test]
fn a_missing_file_or_unknown_crs_exits_two() {
    let out = digonce(&["validate", "no/such/plan.geojson"], None);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/plan.geojson"));
    let out = digonce(
        &["validate", "--crs", "epsg:9999", "examples/minimal.geojson"],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("9999"));
}
