//! Timing of the plan-level check on a generated city: generates a city, analyses it, plans
//! it with a short search, then runs `optimizer::check::check` on the schedule several times
//! and prints the fastest and median time with the violations found per rule.
//!
//! Run: `cargo run --release --example check_city -- [--compounds N] [--seed S]
//! [--time-limit S] [--runs K] [--weekends-off] [--show N]` (defaults: 2000 compounds,
//! seed 1, a 5 s search, 5 runs). `--weekends-off` plans the city with five-day site weeks;
//! `--show N` prints the first `N` violations of each rule.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use geodata::analysis::{AnalysisOptions, analyze};
use geodata::synthetic::{CityConfig, generate};
use optimizer::check::check;
use optimizer::city::{CityOptions, plan_city};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut compounds, mut seed, mut time_limit, mut runs) = (2000_usize, 1_u64, 5.0_f64, 5);
    let mut weekends_off = false;
    let mut show = 0_usize;
    let mut k = 0;
    while k < args.len() {
        if args[k] == "--weekends-off" {
            weekends_off = true;
            k += 1;
            continue;
        }
        let value = args.get(k + 1).ok_or("option without value")?;
        match args[k].as_str() {
            "--compounds" => compounds = value.parse()?,
            "--seed" => seed = value.parse()?,
            "--time-limit" => time_limit = value.parse()?,
            "--runs" => runs = value.parse()?,
            "--show" => show = value.parse()?,
            other => return Err(format!("unknown option {other}").into()),
        }
        k += 2;
    }
    let clock = Instant::now();
    let mut plan = generate(&CityConfig::new(compounds, seed));
    plan.settings.calendars.weekends_work = !weekends_off;
    let analysis = analyze(&plan, &AnalysisOptions::default())?;
    let options = CityOptions {
        time_limit: Duration::from_secs_f64(time_limit),
        seed,
        ..CityOptions::default()
    };
    let schedule = plan_city(&plan, &analysis, &options)?;
    eprintln!(
        "[{:.1}s] planned {} works, {} compounds: {} activities",
        clock.elapsed().as_secs_f64(),
        plan.works.len(),
        plan.compounds.len(),
        schedule.activities.len()
    );
    let mut seconds = Vec::new();
    let mut violations = Vec::new();
    for _ in 0..runs.max(1) {
        let began = Instant::now();
        violations = check(&plan, &analysis, &schedule);
        seconds.push(began.elapsed().as_secs_f64());
    }
    seconds.sort_by(f64::total_cmp);
    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    for v in &violations {
        let count = per_rule.entry(format!("{:?}", v.rule)).or_default();
        if *count < show {
            println!("{:?}: {}", v.rule, v.message);
        }
        *count += 1;
    }
    println!(
        "check of {} activities: fastest {:.3} s, median {:.3} s over {} run(s); violations {per_rule:?}",
        schedule.activities.len(),
        seconds[0],
        seconds[seconds.len() / 2],
        seconds.len()
    );
    Ok(())
}
