//! The residents' page of the renewal fixture's north compound, as of its progress
//! report (2026-03-25).

use chrono::NaiveDate;
use geodata::plan::{Plan, Utility};
use geodata::progress::{Format, ProgressIds, ProgressRow, parse};
use optimizer::city::document::ScheduleDocument;

use super::*;

pub(crate) fn renewal() -> (Plan, ScheduleDocument, Vec<ProgressRow>) {
    let plan = geodata::ingest::ingest(
        include_bytes!("../../../tests/fixtures/schedules/renewal.plan.geojson").as_slice(),
        &geodata::ingest::IngestOptions::default(),
    )
    .expect("plan");
    let schedule = ScheduleDocument::from_slice(include_bytes!(
        "../../../tests/fixtures/schedules/renewal.schedule.json"
    ))
    .expect("schedule");
    let ids = ProgressIds::new(&plan, schedule.activities.iter().map(|a| a.id.as_str()));
    let rows = parse(
        include_bytes!("../../../tests/fixtures/progress/renewal.progress.csv"),
        Format::Csv,
        &ids,
    )
    .expect("progress");
    (plan, schedule, rows)
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

#[test]
fn the_north_compound_lists_its_works_and_those_passing_by_with_their_status() {
    let (plan, schedule, rows) = renewal();
    let n = Notice::of(&plan, &schedule, &rows, "c-north", day("2026-06-01")).expect("c-north");
    assert_eq!(n.name, "North compound");
    assert_eq!(n.data_date, Some(day("2026-03-25")));
    assert_eq!(n.span, Some((day("2026-03-16"), day("2026-05-05"))));
    // Due to start on 2026-03-16 and never reported: late.
    assert_eq!(n.status, UnitStatus::Late);
    // w-water and w-sewer pass ~60 m away; w-gas-c, w-clear, w-heat serve it;
    // w-gas-far is 750 m north and is not listed.
    assert_eq!(n.works.len(), 5, "{:?}", n.works);
    assert!(
        n.works
            .iter()
            .all(|w| w.span.is_some_and(|(s, _)| s < day("2026-05-11")))
    );
    let gas = n
        .works
        .iter()
        .find(|w| w.discipline == Discipline::Utility(Utility::Gas))
        .expect("gas");
    assert!(gas.serves);
    assert_eq!(gas.status, UnitStatus::Done);
    assert_eq!(gas.owner, "Beijing Gas Group");
    let sewer = n
        .works
        .iter()
        .find(|w| w.discipline == Discipline::Utility(Utility::Sewer))
        .expect("sewer");
    assert!(!sewer.serves);
    assert_eq!(sewer.status, UnitStatus::InProgress);
    // Sorted by start: the shared trench of water and sewer comes first.
    assert_eq!(n.works[0].span.map(|s| s.0), Some(day("2026-03-02")));
    assert!(Notice::of(&plan, &schedule, &rows, "c-none", day("2026-06-01")).is_none());
}

#[test]
fn the_page_is_chinese_escaped_and_names_no_other_compound() {
    let (mut plan, schedule, rows) = renewal();
    plan.compounds[0].name = "<script>北区</script>".to_owned();
    let n = Notice::of(&plan, &schedule, &rows, "c-north", day("2026-06-01")).expect("c-north");
    let page = html::render(&n, "abc12345");
    assert!(
        page.contains("&lt;script&gt;北区&lt;/script&gt; 施工进度公开"),
        "{page}"
    );
    assert!(!page.contains("<script>"));
    assert!(page.contains("name=\"viewport\""));
    assert!(page.contains("数据截至：2026年3月25日"));
    assert!(page.contains("燃气管道（本小区）"));
    assert!(page.contains("施工单位：Beijing Gas Group"));
    assert!(page.contains("2026年3月2日 至"));
    assert!(
        !page.contains("East compound"),
        "another compound's name leaked"
    );
    assert!(!page.contains("http"), "no external resource");
}
