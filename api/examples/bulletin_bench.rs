//! Bulletin benchmark: a 2,000-compound city with 60,000 progress rows, the bulletin as
//! JSON and as XLSX (issue 13's target: under 1 s).
//!
//! Run: `cargo run --release -p api --example bulletin_bench -- [COMPOUNDS] [ROWS]`
//! (defaults 2000 and 60000). Prints the time of each stage.
//!
//! The schedule document is built here from spans estimated from the plan
//! (`geodata::synthetic::progress::estimated_spans`): five activities per work and one per
//! compound, about the 56,000 activities of the real plan of such a city, without the
//! minutes of planning it takes. Reports are weekly, going back until `ROWS` rows are
//! reached; they are written as CSV and read back through the checked reader.

use std::time::Instant;

use api::bulletin::{Format, render};
use chrono::Days;
use geodata::plan::Discipline;
use geodata::progress::{self, ProgressIds};
use geodata::synthetic::{CityConfig, generate, progress as synthetic};
use optimizer::bulletin::{BulletinOptions, bulletin};
use optimizer::city::document::{
    ActivityKind, Advice, PlanRef, ScheduleDocument, ScheduledActivity, Subject, Summary,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let compounds: usize = args.next().map_or(Ok(2000), |a| a.parse())?;
    let wanted: usize = args.next().map_or(Ok(60_000), |a| a.parse())?;
    let clock = Instant::now();
    let plan = generate(&CityConfig::new(compounds, 7));
    let spans = synthetic::estimated_spans(&plan, 7);
    println!(
        "city: {} compounds, {} works, generated in {:.2} s",
        plan.compounds.len(),
        plan.works.len(),
        clock.elapsed().as_secs_f64()
    );
    let schedule = schedule_of(&plan, &spans);
    let as_of = plan.settings.start + Days::new(400);
    let mut reports = Vec::new();
    let mut total = 0;
    let mut week = 0;
    while total < wanted && week < 100 {
        let day = as_of - Days::new(7 * week);
        let rows = synthetic::progress(&plan, &spans, day, week);
        total += rows.len();
        reports.push(progress::to_csv(&rows));
        week += 1;
    }
    println!(
        "schedule: {} activities; {} weekly reports, {total} rows",
        schedule.activities.len(),
        reports.len()
    );

    let clock = Instant::now();
    let ids = ProgressIds::new(&plan, schedule.activities.iter().map(|a| a.id.as_str()));
    let mut rows = Vec::with_capacity(total);
    for report in &reports {
        rows.extend(progress::parse(
            report.as_bytes(),
            progress::Format::Csv,
            &ids,
        )?);
    }
    let read = clock.elapsed().as_secs_f64();
    println!("read and check {} rows: {read:.3} s", rows.len());

    for format in [Format::Json, Format::Xlsx] {
        let clock = Instant::now();
        let previous = bulletin(
            &plan,
            &schedule,
            &rows,
            &BulletinOptions::new(as_of - Days::new(7)),
            None,
        );
        let b = bulletin(
            &plan,
            &schedule,
            &rows,
            &BulletinOptions::new(as_of),
            Some(&previous),
        );
        let computed = clock.elapsed().as_secs_f64();
        let bytes = render(&b, format)?;
        let all = clock.elapsed().as_secs_f64();
        println!(
            "bulletin {format:?}: {} districts, {} owners, {} late; computed (with the previous week's) in {computed:.3} s, written ({} bytes) in {all:.3} s",
            b.districts.len(),
            b.owners.len(),
            b.late.len(),
            bytes.len()
        );
    }
    Ok(())
}

/// A schedule document from the spans: five activities per work, one per compound.
fn schedule_of(
    plan: &geodata::plan::Plan,
    spans: &std::collections::BTreeMap<String, synthetic::Span>,
) -> ScheduleDocument {
    let district: std::collections::HashMap<&str, &str> = plan
        .compounds
        .iter()
        .map(|c| (c.id.as_str(), c.district.as_str()))
        .collect();
    let mut activities = Vec::new();
    for w in &plan.works {
        let (start, end) = spans[&w.id];
        for (k, kind) in ["excavate", "lay", "test", "backfill", "restore"]
            .iter()
            .enumerate()
        {
            activities.push(ScheduledActivity {
                id: format!("{}/{kind}", w.id),
                kind: ActivityKind::Lay,
                subject: Subject::Work(w.id.clone()),
                works: vec![w.id.clone()],
                owners: vec![w.owner.clone()],
                discipline: w.discipline,
                trench: None,
                compound: w.compound.clone(),
                district: w
                    .compound
                    .as_deref()
                    .and_then(|c| district.get(c))
                    .map(|d| (*d).to_owned()),
                start: if k == 0 {
                    start
                } else {
                    end.min(start + Days::new(k as u64))
                },
                end,
                crew: None,
            });
        }
    }
    for c in &plan.compounds {
        let (start, end) = spans[&c.id];
        activities.push(ScheduledActivity {
            id: format!("{}/clearing", c.id),
            kind: ActivityKind::Clearing,
            subject: Subject::Compound(c.id.clone()),
            works: Vec::new(),
            owners: Vec::new(),
            discipline: Discipline::Trade(geodata::plan::Trade::Clearing),
            trench: None,
            compound: Some(c.id.clone()),
            district: Some(c.district.clone()),
            start,
            end,
            crew: None,
        });
    }
    ScheduleDocument {
        plan: PlanRef {
            name: plan.settings.name.clone(),
            start: plan.settings.start,
        },
        activities,
        trenches: Vec::new(),
        deadlines: Vec::new(),
        beyond_horizon: Vec::new(),
        advice: Advice::default(),
        summary: Summary::default(),
        replan: None,
    }
}
