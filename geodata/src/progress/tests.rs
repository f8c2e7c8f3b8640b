//! The report reader's promises: every problem at once with row, column and code; clean
//! rows typed; the latest row per id counts.

use super::*;
use crate::plan::{Conversion, RenovationClass, Utility};
use crate::testkit::{CompoundBuilder, PlanBuilder, WorkBuilder};

fn ids() -> ProgressIds {
    let mut b = PlanBuilder::new(crate::testkit::date(2027, 3, 1));
    b.compound(CompoundBuilder::new("c1", RenovationClass::Basic).households(100));
    b.work(WorkBuilder::pipeline("w1", Utility::Water).owner("Water Co."));
    b.work(WorkBuilder::clean_heating("h1", Conversion::CoalToGas, 40).compound("c1"));
    ProgressIds::new(&b.build(), ["t0/excavate"])
}

#[test]
fn a_clean_csv_report_reads_into_typed_rows() {
    let csv = "\u{feff}id,status,actual_start,actual_finish,percent,households_done,spent_cny,reported_on\n\
               w1,done,2027-03-02,2027-04-01,,,1200000,2027-04-03\n\
               h1,in_progress,2027-03-10,,40,16,,2027-04-03\n\
               c1/clearing,not_started,,,,,,2027-04-03\n\
               t0/excavate,in_progress,2027-03-20,,,,,2027-04-03\n";
    let rows = parse(csv.as_bytes(), Format::Csv, &ids()).expect("valid report");
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].status, Status::Done);
    assert_eq!(rows[0].spent_cny, Some(1_200_000.0));
    assert!((rows[1].fraction_done() - 0.4).abs() < 1e-12);
    assert_eq!(rows[1].households_done, Some(16));
    assert_eq!(ids().owner_of("w1/lay"), Some("Water Co."));
    assert_eq!(ids().owner_of("c1"), None);
}

#[test]
fn every_problem_is_reported_at_once_with_row_column_and_code() {
    let json = r#"[
      {"id": "w9", "status": "done", "actual_finish": "2027-04-01", "reported_on": "2027-04-03"},
      {"id": "w1", "status": "done", "reported_on": "2027-04-03"},
      {"id": "h1", "status": "in_progress", "actual_start": "2027-05-01", "percent": 140,
       "households_done": 41, "reported_on": "2027-04-03"},
      {"id": "c1", "status": "done", "actual_start": "2027-04-02", "actual_finish": "2027-04-01",
       "reported_on": "2027-02-30"},
      {"id": "c1", "status": "finished", "reported_on": "2027-04-03", "colour": "red"}
    ]"#;
    let err = parse(json.as_bytes(), Format::Json, &ids()).expect_err("invalid report");
    let got: Vec<(IssueCode, usize, &str)> = err
        .problems
        .iter()
        .map(|p| (p.code, p.row, p.column.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (IssueCode::UnknownProperty, 0, "colour"),
            (IssueCode::UnknownId, 1, "id"),
            (IssueCode::MissingDate, 2, "actual_finish"),
            (IssueCode::OutOfRange, 3, "percent"),
            (IssueCode::DateAfterReport, 3, "actual_start"),
            (IssueCode::OutOfRange, 3, "households_done"),
            (IssueCode::InvalidDate, 4, "reported_on"),
            (IssueCode::FinishBeforeStart, 4, "actual_finish"),
            (IssueCode::DuplicateRow, 5, "id"),
            (IssueCode::UnknownValue, 5, "status"),
        ]
    );
    assert!(err.problems.iter().all(|p| p.message.ends_with('.')));
}

#[test]
fn a_csv_without_required_columns_names_them() {
    let err = parse(b"id,state\nw1,done\n", Format::Csv, &ids()).expect_err("bad header");
    let got: Vec<(IssueCode, &str)> = err
        .problems
        .iter()
        .map(|p| (p.code, p.column.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (IssueCode::UnknownProperty, "state"),
            (IssueCode::MissingProperty, "status"),
            (IssueCode::MissingProperty, "reported_on"),
        ]
    );
}

#[test]
fn unreadable_bytes_are_one_problem_not_a_panic() {
    for bytes in [&b"{not json"[..], b"\xff\xfe", b"42"] {
        assert!(parse(bytes, Format::Json, &ids()).is_err());
    }
    assert!(parse(b"id,status,reported_on\n\xff,done,x\n", Format::Csv, &ids()).is_err());
}

#[test]
fn the_latest_row_per_id_counts() {
    let row = |status: Status, on: u32| ProgressRow {
        id: "w1".into(),
        status,
        actual_start: None,
        actual_finish: None,
        percent: None,
        households_done: None,
        spent_cny: None,
        reported_on: chrono::NaiveDate::from_ymd_opt(2027, 4, on).expect("date"),
    };
    let rows = [
        row(Status::Done, 10),
        row(Status::InProgress, 3),
        row(Status::NotStarted, 10),
    ];
    assert_eq!(latest(&rows)["w1"].status, Status::NotStarted);
}

#[test]
fn rows_written_as_csv_read_back_the_same() {
    let csv = "id,status,actual_start,actual_finish,percent,households_done,spent_cny,reported_on\n\
               w1,done,2027-03-02,2027-04-01,,,1200000.5,2027-04-03\n\
               h1,in_progress,2027-03-10,,40,16,,2027-04-03\n";
    let rows = parse(csv.as_bytes(), Format::Csv, &ids()).expect("valid report");
    let again = parse(to_csv(&rows).as_bytes(), Format::Csv, &ids()).expect("valid again");
    assert_eq!(again, rows);
}
