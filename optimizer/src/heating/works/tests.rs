//! The works implied by the choice on the two-village fixture: a gas main from the
//! nearest main, service connections, a transformer upgrade for the excess load, one
//! retrofit per route, milestones as deadlines.

use chrono::NaiveDate;
use geo::{Euclidean, Geometry, Length};
use geodata::ingest::{IngestOptions, ingest};
use geodata::plan::{Conversion, DeadlineKind, Discipline, Duration, Plan, Trade, Utility};

use super::*;
use crate::heating::{HeatingOptions, optimise};

const PLAN: &[u8] = include_bytes!("../../../../tests/fixtures/plans/heating-apply.geojson");

fn plan() -> Plan {
    ingest(PLAN, &IngestOptions::default()).expect("the fixture is valid")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

#[test]
fn the_chosen_routes_imply_a_main_connections_an_upgrade_and_retrofits() {
    let mut plan = plan();
    let report = optimise(&plan, &HeatingOptions::default()).expect("solved");
    let before = plan.works.len();
    let implied = apply(&mut plan, &report).expect("applied");
    let ids: Vec<&str> = plan.works[before..].iter().map(|w| w.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "v-near-gas-main",
            "v-near-gas-services",
            "v-near-heating-gas-wall-boiler",
            "v-far-transformer",
            "v-far-heating-air-source-heat-pump",
        ]
    );
    let work = |id: &str| plan.works.iter().find(|w| w.id == id).expect(id);
    let main = work("v-near-gas-main");
    assert_eq!(main.discipline, Discipline::Utility(Utility::Gas));
    assert_eq!(main.village.as_deref(), Some("v-near"));
    // From the main at latitude 39.9955 straight north to the village: about 500 m.
    let Geometry::LineString(line) = &main.shape.local else {
        panic!("a line");
    };
    let length = Euclidean.length(line);
    assert!((490.0..510.0).contains(&length), "{length} m");
    assert_eq!(main.duration, Duration::MetresPerDay(MAIN_M_PER_DAY));
    assert_eq!(
        main.deadline,
        Some(date(2026, 10, 31)),
        "connected 15 days before"
    );
    assert_eq!(main.deadline_kind, DeadlineKind::Soft);
    let services = work("v-near-gas-services");
    assert_eq!(services.households, Some(100));
    assert_eq!(
        services.duration,
        Duration::Days(13),
        "100 households, 8 a day"
    );
    let upgrade = work("v-far-transformer");
    assert_eq!(upgrade.discipline, Discipline::Trade(Trade::General));
    // 194 kVA on a substation with 40 spare: 154 kVA at 1000 yuan.
    let cost = upgrade.investment_cny.expect("a cost");
    assert!((150_000.0..160_000.0).contains(&cost), "{cost}");
    let gas = work("v-near-heating-gas-wall-boiler");
    assert_eq!(gas.conversion, Some(Conversion::CoalToGas));
    assert_eq!(gas.deadline, Some(date(2026, 11, 14)));
    assert_eq!(gas.deadline_kind, DeadlineKind::Hard);
    let ashp = work("v-far-heating-air-source-heat-pump");
    assert_eq!(ashp.conversion, Some(Conversion::CoalToElectric));
    assert_eq!(ashp.households, Some(50));
    assert_eq!(implied.milestones.len(), 2);
    let m = &implied.milestones[0];
    assert_eq!(m.households_confirmed, date(2026, 6, 18));
    assert_eq!(m.equipment_tendered, date(2026, 8, 2));
    assert_eq!(m.retrofit_done, date(2026, 10, 16));
    assert!(m.households_confirmed < m.equipment_tendered && m.connected < m.working);
}

#[test]
fn applying_twice_is_refused_and_leaves_the_plan_alone() {
    let mut plan = plan();
    let report = optimise(&plan, &HeatingOptions::default()).expect("solved");
    apply(&mut plan, &report).expect("applied");
    let n = plan.works.len();
    assert_eq!(
        apply(&mut plan, &report).map(|_| ()),
        Err(WorksError::IdTaken {
            id: "v-near-gas-main".into()
        })
    );
    assert_eq!(plan.works.len(), n);
}

#[test]
fn a_report_about_other_villages_is_refused() {
    let plan = plan();
    let mut report = optimise(&plan, &HeatingOptions::default()).expect("solved");
    report.villages.pop();
    assert!(matches!(
        implied_works(&plan, &report),
        Err(WorksError::ReportMismatch { report: 1, plan: 2 })
    ));
}

#[test]
fn milestones_never_fall_before_the_plan_start() {
    let m = milestones("v", date(2026, 9, 1), date(2026, 11, 15));
    assert_eq!(m.households_confirmed, date(2026, 9, 1));
    assert_eq!(m.equipment_tendered, date(2026, 9, 1));
    assert_eq!(m.retrofit_done, date(2026, 10, 16));
    assert_eq!(m.working, date(2026, 11, 14));
}
