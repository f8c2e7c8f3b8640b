//! The bulletin against a fixture whose every figure is computed by hand in the comments.

use chrono::NaiveDate;
use geodata::plan::{
    Conversion, Discipline, Fund, FundSource, Plan, RenovationClass, Trade, Utility,
};
use geodata::progress::{ProgressRow, Status};
use geodata::testkit::{CompoundBuilder, PlanBuilder, WorkBuilder};

use super::*;
use crate::city::document::{
    ActivityKind, Advice, PlanRef, ScheduleDocument, ScheduledActivity, Subject, Summary,
};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, m, day).expect("date")
}

/// District A: compound cA (1,000,000 yuan) with works w1 (Water Co, 400,000), w2 (Gas
/// Co, 200,000) and the retrofit h1 (Heat Co, 40 households, 720,000). District B:
/// compound cB (500,000) with w3 (Water Co, 300,000). Funds: A 1,000,000 allocated,
/// 600,000 disbursed; B 400,000 and 400,000.
fn plan() -> Plan {
    let mut b = PlanBuilder::new(d(3, 1));
    b.compound(
        CompoundBuilder::new("cA", RenovationClass::Basic)
            .district("A")
            .investment(1_000_000.0),
    );
    b.compound(
        CompoundBuilder::new("cB", RenovationClass::Basic)
            .district("B")
            .investment(500_000.0),
    );
    b.work(
        WorkBuilder::pipeline("w1", Utility::Water)
            .owner("Water Co")
            .compound("cA")
            .investment(400_000.0),
    );
    b.work(
        WorkBuilder::pipeline("w2", Utility::Gas)
            .owner("Gas Co")
            .compound("cA")
            .investment(200_000.0),
    );
    b.work(
        WorkBuilder::clean_heating("h1", Conversion::CoalToGas, 40)
            .owner("Heat Co")
            .compound("cA")
            .investment(720_000.0),
    );
    b.work(
        WorkBuilder::pipeline("w3", Utility::Water)
            .owner("Water Co")
            .compound("cB")
            .investment(300_000.0),
    );
    let mut plan = b.build();
    for (district, source, allocated, disbursed) in [
        ("A", FundSource::Central, 1_000_000.0, 600_000.0),
        ("B", FundSource::Municipal, 400_000.0, 400_000.0),
    ] {
        plan.settings.funds.push(Fund {
            source,
            district: district.into(),
            allocated_cny: allocated,
            disbursed_cny: disbursed,
        });
    }
    plan
}

fn activity(
    id: &str,
    subject: Subject,
    compound: &str,
    district: &str,
    start: NaiveDate,
    end: NaiveDate,
) -> ScheduledActivity {
    let works = match &subject {
        Subject::Work(w) => vec![w.clone()],
        _ => Vec::new(),
    };
    ScheduledActivity {
        id: id.into(),
        kind: ActivityKind::Lay,
        subject,
        works,
        owners: Vec::new(),
        discipline: Discipline::Trade(Trade::General),
        trench: None,
        compound: Some(compound.into()),
        district: Some(district.into()),
        start,
        end,
        crew: None,
    }
}

/// Spans: w1 03-01..03-10, w2 03-11..03-20, h1 04-01..04-30, cA's own phases 03-01..03-05
/// and 04-20..05-10 (so cA spans 03-01..05-10); w3 03-05..03-25, cB's clearing
/// 03-01..03-04 (cB spans 03-01..03-25).
fn schedule() -> ScheduleDocument {
    let w = |id: &str| Subject::Work(id.into());
    let c = |id: &str| Subject::Compound(id.into());
    ScheduleDocument {
        plan: PlanRef {
            name: "fixture".into(),
            start: d(3, 1),
        },
        activities: vec![
            activity("w1/lay", w("w1"), "cA", "A", d(3, 1), d(3, 10)),
            activity("w2/lay", w("w2"), "cA", "A", d(3, 11), d(3, 20)),
            activity("h1/retrofit", w("h1"), "cA", "A", d(4, 1), d(4, 30)),
            activity("cA/clearing", c("cA"), "cA", "A", d(3, 1), d(3, 5)),
            activity("cA/pave", c("cA"), "cA", "A", d(4, 20), d(5, 10)),
            activity("w3/lay", w("w3"), "cB", "B", d(3, 5), d(3, 25)),
            activity("cB/clearing", c("cB"), "cB", "B", d(3, 1), d(3, 4)),
        ],
        trenches: Vec::new(),
        deadlines: Vec::new(),
        beyond_horizon: Vec::new(),
        advice: Advice::default(),
        summary: Summary::default(),
        replan: None,
    }
}

fn row(
    id: &str,
    status: Status,
    start: Option<NaiveDate>,
    finish: Option<NaiveDate>,
    on: NaiveDate,
) -> ProgressRow {
    ProgressRow {
        id: id.into(),
        status,
        actual_start: start,
        actual_finish: finish,
        percent: None,
        households_done: None,
        spent_cny: None,
        reported_on: on,
    }
}

/// w1 done 03-02..03-12 (380,000 spent, reported 03-15); w2 half done from 03-15 (90,000,
/// reported 03-25); h1 a quarter done from 03-28 with 10 households (reported 03-30); cA
/// 20 % from 03-01 (150,000, reported 03-20); w3 done, but reported 04-02: after the data
/// date, so not counted.
fn rows() -> Vec<ProgressRow> {
    let mut w1 = row("w1", Status::Done, Some(d(3, 2)), Some(d(3, 12)), d(3, 15));
    w1.spent_cny = Some(380_000.0);
    let mut w2 = row("w2", Status::InProgress, Some(d(3, 15)), None, d(3, 25));
    w2.percent = Some(50.0);
    w2.spent_cny = Some(90_000.0);
    let mut h1 = row("h1", Status::InProgress, Some(d(3, 28)), None, d(3, 30));
    h1.percent = Some(25.0);
    h1.households_done = Some(10);
    let mut ca = row("cA", Status::InProgress, Some(d(3, 1)), None, d(3, 20));
    ca.percent = Some(20.0);
    ca.spent_cny = Some(150_000.0);
    let w3 = row("w3", Status::Done, Some(d(3, 20)), Some(d(4, 1)), d(4, 2));
    vec![w1, w2, h1, ca, w3]
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn the_fixture_figures_match_the_hand_computed_ones() {
    let b = bulletin(
        &plan(),
        &schedule(),
        &rows(),
        &BulletinOptions::new(d(3, 31)),
        None,
    );
    assert_eq!(b.as_of, d(3, 31));
    let a = &b.districts[0];
    assert_eq!((a.district.as_str(), a.rank, a.rank_change), ("A", 1, None));
    let f = &a.figures;
    // Due to start: w1, w2 (h1 starts 04-01). Started: all three. Due to finish: w1, w2.
    assert_eq!((f.works_planned_to_start, f.works_started), (2, 3));
    assert_eq!((f.works_planned_to_finish, f.works_finished), (2, 1));
    assert_eq!(f.completion_rate, Some(0.5));
    assert_eq!(
        (f.compounds_planned_to_finish, f.compounds_finished),
        (0, 0)
    );
    // Late: w2 only (due 03-20, half done).
    assert_eq!(f.late, 1);
    assert_eq!((f.households_target, f.households_done), (40, 10));
    // 400k + 200k + 720k + 1,000k planned; 380k + 90k + 150k spent.
    assert!(close(f.investment_planned_cny, 2_320_000.0));
    assert!(close(f.investment_spent_cny, 620_000.0));
    assert!(close(
        f.investment_rate.expect("rate"),
        620_000.0 / 2_320_000.0
    ));
    assert_eq!(f.funds_rate, Some(0.6));
    // PV: w1 400k and w2 200k fully due, h1 nothing yet, cA 31 of its 71 days.
    let pv = 400_000.0 + 200_000.0 + 1_000_000.0 * 31.0 / 71.0;
    assert!(close(f.planned_value_cny, pv));
    // EV: 400k × 1 + 200k × 0.5 + 720k × 0.25 + 1,000k × 0.2.
    assert!(close(f.earned_value_cny, 880_000.0));
    assert!(close(f.spi.expect("spi"), 880_000.0 / pv));
    assert!((f.spi.expect("spi") - 0.848_913).abs() < 1e-6);
    // 30 of the 70 days from the plan start to 05-10 gone; 880k of 2,320k done.
    assert!(close(f.time_elapsed_rate, 30.0 / 70.0));
    assert!(close(f.work_done_rate, 880_000.0 / 2_320_000.0));
    assert!(f.behind_time);

    let bl = &b.districts[1];
    assert_eq!((bl.district.as_str(), bl.rank), ("B", 2));
    let g = &bl.figures;
    assert_eq!(
        (
            g.works_planned_to_finish,
            g.works_finished,
            g.completion_rate
        ),
        (1, 0, Some(0.0))
    );
    assert_eq!((g.compounds_planned_to_finish, g.late), (1, 2));
    assert_eq!(g.spi, Some(0.0));
    assert!(close(g.time_elapsed_rate, 1.0));
    assert_eq!(g.funds_rate, Some(1.0));

    // Owners: Water Co 1 of 2 due, Gas Co 0 of 1, Heat Co nothing due yet.
    let names: Vec<(&str, usize, Option<f64>)> = b
        .owners
        .iter()
        .map(|o| (o.owner.as_str(), o.rank, o.figures.completion_rate))
        .collect();
    assert_eq!(
        names,
        vec![
            ("Water Co", 1, Some(0.5)),
            ("Gas Co", 2, Some(0.0)),
            ("Heat Co", 3, None)
        ]
    );
    // Water Co last reported on 03-15 (its 04-02 row is after the data date): 16 days.
    assert_eq!(b.owners[0].last_reported_on, Some(d(3, 15)));
    assert_eq!(b.not_reporting, vec!["Water Co".to_owned()]);
    // Late, most days first: w2 11 days; w3 and cB 6 days.
    let late: Vec<(&str, i64)> = b
        .late
        .iter()
        .map(|l| (l.id.as_str(), l.days_late))
        .collect();
    assert_eq!(late, vec![("w2", 11), ("cB", 6), ("w3", 6)]);
    assert_eq!(b.total.completion_rate, Some(1.0 / 3.0));
}

#[test]
fn rank_change_compares_with_the_previous_bulletin() {
    let plan = plan();
    let schedule = schedule();
    let earlier = bulletin(&plan, &schedule, &[], &BulletinOptions::new(d(3, 31)), None);
    // Without progress both rank 0 %: A first by name, B second. Pretend B led then.
    let mut previous = earlier.clone();
    previous.districts[0].rank = 2;
    previous.districts[1].rank = 1;
    let now = bulletin(
        &plan,
        &schedule,
        &rows(),
        &BulletinOptions::new(d(3, 31)),
        Some(&previous),
    );
    assert_eq!(now.districts[0].district, "A");
    assert_eq!(now.districts[0].rank_change, Some(1));
    assert_eq!(now.districts[1].rank_change, Some(-1));
}

#[test]
fn the_json_has_the_fields_the_issue_lists() {
    let b = bulletin(
        &plan(),
        &schedule(),
        &rows(),
        &BulletinOptions::new(d(3, 31)),
        None,
    );
    let v = serde_json::to_value(&b).expect("json");
    assert_eq!(v["as_of"], "2027-03-31");
    for key in [
        "district",
        "rank",
        "rank_change",
        "works_planned_to_finish",
        "works_finished",
        "completion_rate",
        "households_target",
        "households_done",
        "investment_planned_cny",
        "investment_spent_cny",
        "investment_rate",
        "funds_allocated_cny",
        "funds_disbursed_cny",
        "time_elapsed_rate",
        "spi",
    ] {
        assert!(v["districts"][0].get(key).is_some(), "districts lack {key}");
    }
    assert_eq!(v["owners"][0]["owner"], "Water Co");
    assert!(v["owners"][0].get("spi").is_some());
}
