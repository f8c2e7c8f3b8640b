//! Villages, substations, gas mains and the route catalogue: read from the two-village
//! fixture, and every problem of a broken one reported at once.

use std::path::Path;

use geodata::heating::{Affordability, CurrentFuel, Route};
use geodata::ingest::{IngestError, IngestOptions, ingest};
use geodata::validation::IssueCode;

fn fixture() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/plans/heating-two-villages.geojson");
    std::fs::read_to_string(path).expect("the fixture exists")
}

#[test]
fn the_two_village_fixture_is_read() -> Result<(), IngestError> {
    let plan = ingest(fixture().as_bytes(), &IngestOptions::default())?;
    let heating = &plan.heating;
    assert_eq!(heating.villages.len(), 2);
    assert_eq!(heating.substations.len(), 1);
    assert_eq!(heating.gas_mains.len(), 1);
    let far = &heating.villages[1];
    assert_eq!(far.current_fuel, CurrentFuel::Briquette);
    assert_eq!(
        far.affordability,
        Affordability::IncomeShare {
            income_cny: 40_000.0,
            share: 0.08
        }
    );
    assert_eq!(heating.villages[0].substation.as_deref(), Some("s-1"));
    assert!((heating.substations[0].upgradable_kva - 400.0).abs() < 1e-9);
    // The default catalogue when the plan has none.
    assert!(heating.catalogue.spec(Route::GasWallBoiler).available);
    Ok(())
}

#[test]
fn the_catalogue_overrides_the_defaults() -> Result<(), IngestError> {
    let text = fixture().replace(
        "\"start\": \"2026-04-01\" }",
        "\"start\": \"2026-04-01\", \"heating\": {\"discount_rate\": 0.03, \
         \"prices\": {\"gas_cny_per_m3\": 3.1}, \
         \"routes\": {\"lpg_boiler\": {\"available\": false}, \
         \"air_source_heat_pump\": {\"install_cny\": 25000, \
         \"subsidies\": [{\"source\": \"city\", \"share\": 0.5, \"cap_cny\": 12000}]}}, \
         \"subsidy_budgets\": [{\"source\": \"city\", \"district\": \"Yanqing\", \"budget_cny\": 1e6}]} }",
    );
    let plan = ingest(text.as_bytes(), &IngestOptions::default())?;
    let c = &plan.heating.catalogue;
    assert!((c.discount_rate - 0.03).abs() < 1e-12);
    assert!((c.prices.gas_cny_per_m3 - 3.1).abs() < 1e-12);
    assert!(!c.spec(Route::LpgBoiler).available);
    let pump = c.spec(Route::AirSourceHeatPump);
    assert!((pump.install_cny - 25_000.0).abs() < 1e-9);
    assert_eq!(pump.subsidies[0].source, "city");
    assert_eq!(c.budgets[0].district.as_deref(), Some("Yanqing"));
    Ok(())
}

#[test]
fn every_problem_of_a_broken_village_plan_is_reported() {
    let text = fixture()
        .replace("\"households\": 100,", "\"households\": -1,")
        .replace("\"current_fuel\": \"coal\"", "\"current_fuel\": \"peat\"")
        .replace("\"substation\": \"s-1\"", "\"substation\": \"s-9\"")
        .replace("\"affordable_income_share\": 0.08, ", "")
        .replace("\"spare_kva\": 1200", "\"spare_kva\": \"lots\"")
        .replace(
            "\"start\": \"2026-04-01\" }",
            "\"start\": \"2026-04-01\", \"heating\": {\"routes\": {\"coal_stove\": {}}} }",
        );
    let Err(IngestError::Invalid(report)) = ingest(text.as_bytes(), &IngestOptions::default())
    else {
        panic!("the plan is broken");
    };
    let codes: Vec<(IssueCode, &str)> = report
        .problems
        .iter()
        .map(|p| (p.code, p.pointer.as_str()))
        .collect();
    for expected in [
        (IssueCode::OutOfRange, "/features/0/properties/households"),
        (
            IssueCode::UnknownValue,
            "/features/0/properties/current_fuel",
        ),
        (
            IssueCode::MissingProperty,
            "/features/1/properties/affordable_income_share",
        ),
        (IssueCode::WrongType, "/features/2/properties/spare_kva"),
        (IssueCode::UnknownValue, "/plan/heating/routes/coal_stove"),
    ] {
        assert!(codes.contains(&expected), "{expected:?} not in {codes:?}");
    }
}

#[test]
fn a_village_naming_a_missing_substation_is_an_unknown_reference() {
    let text = fixture().replace("\"substation\": \"s-1\"", "\"substation\": \"s-9\"");
    let Err(IngestError::Invalid(report)) = ingest(text.as_bytes(), &IngestOptions::default())
    else {
        panic!("the reference is broken");
    };
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].code, IssueCode::UnknownReference);
    assert_eq!(
        report.problems[0].pointer,
        "/features/0/properties/substation"
    );
}

#[test]
fn a_work_serves_a_village_by_id_and_a_missing_village_is_an_unknown_reference() {
    let work = |village: &str| {
        format!(
            r#"{{ "type": "Feature",
      "properties": {{ "kind": "work", "id": "w-spur", "utility": "gas", "owner": "County Gas",
                      "action": "new", "duration_days": 10, "village": "{village}" }},
      "geometry": {{ "type": "LineString", "coordinates": [[116.0, 39.9955], [116.0, 40.0]] }} }},
    "#
        )
    };
    let with = |village: &str| {
        fixture().replacen(
            "\"features\": [",
            &format!("\"features\": [{}", work(village)),
            1,
        )
    };
    let plan = ingest(with("v-near").as_bytes(), &IngestOptions::default()).expect("valid");
    assert_eq!(plan.works[0].village.as_deref(), Some("v-near"));
    let Err(IngestError::Invalid(report)) =
        ingest(with("v-nowhere").as_bytes(), &IngestOptions::default())
    else {
        panic!("the reference is broken");
    };
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].code, IssueCode::UnknownReference);
    assert_eq!(report.problems[0].pointer, "/features/0/properties/village");
    assert!(report.problems[0].message.contains("v-nowhere"));
}
