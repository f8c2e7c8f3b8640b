//! Re-planning benchmark: a generated city is planned, a realistic progress report is
//! drawn against that schedule as of a data date (`geodata::synthetic::progress`: slipping
//! owners, districts ahead, silent owners, missing rows), and the city is re-planned from
//! the schedule as a warm start. Prints the time of each step, which warm start the search
//! used and how much of the not-started part of the old schedule stayed in place.
//!
//! `cargo run --example replan_bench -- [COMPOUNDS=200] [TIME_LIMIT_S=30] [AS_OF_DAYS=120]`

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::Days;
use geodata::analysis::{AnalysisOptions, analyze};
use geodata::synthetic::{CityConfig, generate, progress as synthetic};
use optimizer::city::replan::replan;
use optimizer::city::{CityOptions, plan_city};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let compounds: usize = args.next().map_or(Ok(200), |a| a.parse())?;
    let limit: f64 = args.next().map_or(Ok(30.0), |a| a.parse())?;
    let as_of_days: u64 = args.next().map_or(Ok(120), |a| a.parse())?;
    let options = CityOptions {
        time_limit: Duration::from_secs_f64(limit),
        ..CityOptions::default()
    };
    let clock = Instant::now();
    let plan = generate(&CityConfig::new(compounds, 7));
    let analysis = analyze(&plan, &AnalysisOptions::default())?;
    println!(
        "city: {} compounds, {} works; generated and analysed in {:.1} s",
        plan.compounds.len(),
        plan.works.len(),
        clock.elapsed().as_secs_f64()
    );
    let clock = Instant::now();
    let schedule = plan_city(&plan, &analysis, &options)?;
    println!(
        "plan: {} activities, makespan {} days, in {:.1} s (limit {limit} s)",
        schedule.activities.len(),
        schedule.summary.makespan_days,
        clock.elapsed().as_secs_f64()
    );
    // Planned spans of each work and compound, from the schedule.
    let mut spans: BTreeMap<String, synthetic::Span> = BTreeMap::new();
    for a in &schedule.activities {
        let mut ids: Vec<&str> = a.works.iter().map(String::as_str).collect();
        ids.extend(a.compound.as_deref());
        for id in ids {
            let span = spans.entry(id.to_owned()).or_insert((a.start, a.end));
            *span = (span.0.min(a.start), span.1.max(a.end));
        }
    }
    let as_of = plan.settings.start + Days::new(as_of_days);
    let rows = synthetic::progress(&plan, &spans, as_of, 1);
    println!("progress as of {as_of}: {} rows", rows.len());
    let clock = Instant::now();
    let new = replan(&plan, &analysis, &schedule, &rows, as_of, &options)?;
    let r = new.replan.as_ref().ok_or("no re-plan facts")?;
    let moved: usize = r.owners.iter().map(|o| o.moved.len()).sum();
    #[expect(
        clippy::cast_precision_loss,
        reason = "activity counts are far below 2^52"
    )]
    let share = r.kept_in_place as f64 / r.not_started.max(1) as f64;
    println!(
        "replan: {:.1} s (limit {limit} s), warm start {:?}; {} of {} not-started activities kept their dates ({:.1} %); {moved} owner-activity moves; hard deadlines missed {} (before {})",
        clock.elapsed().as_secs_f64(),
        r.warm_start,
        r.kept_in_place,
        r.not_started,
        share * 100.0,
        new.summary.hard_deadlines_missed,
        schedule.summary.hard_deadlines_missed
    );
    Ok(())
}
