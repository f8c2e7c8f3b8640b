//! The progress layer of the renewal fixture as of its report: statuses from the progress
//! and the bulletin's late list, the district's area and rank from the bulletin.

use chrono::NaiveDate;

use super::*;
use crate::residents::tests::renewal;

#[test]
fn statuses_counts_and_the_district_area_follow_the_bulletin() {
    let (plan, schedule, rows) = renewal();
    let as_of: NaiveDate = "2026-03-25".parse().expect("date");
    let layer = progress_map("pl_1", &plan, &schedule, &rows, as_of, OutputCrs::Wgs84);
    let status = |id: &str| {
        layer
            .units
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| panic!("{id}"), |u| u.status)
    };
    assert_eq!(status("w-gas-c"), UnitStatus::Done);
    assert_eq!(status("w-sewer"), UnitStatus::InProgress);
    // Planned to start 2026-03-02, never reported.
    assert_eq!(status("w-water"), UnitStatus::Late);
    // Planned for May.
    assert_eq!(status("w-gas-far"), UnitStatus::NotStarted);
    assert_eq!(
        layer.counts.values().sum::<usize>(),
        plan.works.len() + plan.compounds.len()
    );
    let north = layer
        .units
        .iter()
        .find(|u| u.id == "c-north")
        .expect("c-north");
    assert_eq!(
        north.short.as_deref(),
        Some(short_code::code("pl_1", "c-north").as_str())
    );
    assert!(
        layer
            .units
            .iter()
            .filter(|u| u.kind == "work")
            .all(|u| u.short.is_none())
    );

    let b = weekly_bulletin(&plan, &schedule, &rows, as_of);
    let features = layer.districts["features"].as_array().expect("features");
    // Xicheng has compounds (an area); Dongcheng has none (no area).
    assert_eq!(features.len(), 1);
    let xicheng = &features[0];
    let line = b
        .districts
        .iter()
        .find(|d| d.district == "Xicheng")
        .expect("line");
    assert_eq!(xicheng["properties"]["rank"], line.rank);
    assert_eq!(
        xicheng["properties"]["completion_rate"].as_f64(),
        line.figures.completion_rate
    );
    assert_eq!(xicheng["geometry"]["type"], "Polygon");
    let ranked: Vec<(&str, usize)> = layer
        .ranking
        .iter()
        .map(|r| (r.district.as_str(), r.rank))
        .collect();
    let want: Vec<(&str, usize)> = b
        .districts
        .iter()
        .map(|d| (d.district.as_str(), d.rank))
        .collect();
    assert_eq!(ranked, want);
    // The hull spans both compounds: west edge of c-north to east edge of c-south.
    let ring = xicheng["geometry"]["coordinates"][0]
        .as_array()
        .expect("ring");
    let lons: Vec<f64> = ring.iter().filter_map(|p| p[0].as_f64()).collect();
    let min = lons.iter().copied().fold(f64::INFINITY, f64::min);
    let max = lons.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert!(
        (min - 116.3605).abs() < 1e-9 && (max - 116.364).abs() < 1e-9,
        "{lons:?}"
    );
}
