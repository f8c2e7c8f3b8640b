//! End to end: `digonce heating PLAN --apply --out PLAN2` writes a plan with the works the
//! chosen routes imply, `digonce validate` accepts it and `digonce plan` schedules them,
//! each village connecting only after its gas main or transformer upgrade.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn digonce(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_digonce"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .expect("the binary runs")
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "digonce-heating-apply-{}-{name}",
        std::process::id()
    ))
}

fn activity<'a>(schedule: &'a Value, id: &str) -> &'a Value {
    schedule["activities"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == id))
        .unwrap_or_else(|| panic!("no activity {id}"))
}

#[test]
fn applied_heating_works_validate_and_are_scheduled_before_the_villages_connect() {
    let plan2 = temp("plan.geojson");
    let schedule_file = temp("schedule.json");
    let plan2_arg = plan2.to_str().expect("utf-8 path");
    let out = digonce(&[
        "heating",
        "tests/fixtures/plans/heating-apply.geojson",
        "--apply",
        "--out",
        plan2_arg,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("the report on stdout");
    assert_eq!(report["villages"][0]["route"], "gas_wall_boiler");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("5 works for 2 villages"), "{stderr}");
    assert!(
        stderr.contains("households confirmed by 2026-06-18")
            && stderr.contains("heating working by 2026-11-14"),
        "{stderr}"
    );

    let text = std::fs::read_to_string(&plan2).expect("plan written");
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    let features = doc["features"].as_array().expect("features");
    let main = features
        .iter()
        .find(|f| f["properties"]["id"] == "v-near-gas-main")
        .expect("the gas main extension");
    assert_eq!(main["properties"]["utility"], "gas");
    assert_eq!(main["properties"]["village"], "v-near");
    assert_eq!(main["geometry"]["type"], "LineString");
    assert_eq!(
        features
            .iter()
            .filter(|f| f["properties"]["kind"] == "village")
            .count(),
        2,
        "the villages are kept"
    );
    assert_eq!(
        doc["plan"]["heating"]["routes"]["biomass_pellet"]["available"], false,
        "the catalogue overrides are kept"
    );

    let valid = digonce(&["validate", plan2_arg]);
    assert_eq!(valid.status.code(), Some(0), "{valid:?}");

    let planned = digonce(&[
        "plan",
        "--time-limit",
        "0.3",
        "--out",
        schedule_file.to_str().expect("utf-8 path"),
        plan2_arg,
    ]);
    assert_eq!(planned.status.code(), Some(0), "{planned:?}");
    let schedule: Value =
        serde_json::from_str(&std::fs::read_to_string(&schedule_file).expect("schedule"))
            .expect("JSON");
    let _ = std::fs::remove_file(&plan2);
    let _ = std::fs::remove_file(&schedule_file);
    assert_eq!(schedule["summary"]["verified"], true);
    assert_eq!(schedule["summary"]["hard_deadlines_missed"], 0);
    let end = |id: &str| {
        activity(&schedule, id)["end"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    let start = |id: &str| {
        activity(&schedule, id)["start"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    assert!(end("v-near-gas-main/restore") < start("v-near-heating-gas-wall-boiler/connect"));
    assert!(end("v-near-gas-services/restore") < start("v-near-heating-gas-wall-boiler/connect"));
    assert!(end("v-far-transformer/general") < start("v-far-heating-air-source-heat-pump/connect"));
    assert!(end("v-near-heating-gas-wall-boiler/commission").as_str() < "2026-11-15");
}

#[test]
fn apply_without_an_output_file_is_a_usage_error() {
    let out = digonce(&[
        "heating",
        "tests/fixtures/plans/heating-apply.geojson",
        "--apply",
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--out"));
}
