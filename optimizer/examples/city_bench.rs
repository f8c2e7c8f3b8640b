//! City benchmark of the planner: generates cities, analyses and plans each one, and prints
//! what the targets ask for (time, saving against the uncoordinated baseline, and
//! missed hard deadlines split into unavoidable ones and the rest).
//!
//! Run: `cargo run --release -p optimizer --example city_bench -- [--compounds N]
//! [--seeds A,B,..] [--time-limit S]`. Peak memory is the process's: wrap the command in
//! `/usr/bin/time -f "%M KB"` (one seed per run for a per-city figure).
//!
//! Every line is tab-separated `city` with the figures (time including the analysis); the
//! run ends with medians.

use std::time::{Duration, Instant};

use geodata::analysis::{AnalysisOptions, analyze};
use geodata::synthetic::{CityConfig, generate};
use optimizer::city::{CityOptions, plan_city};

struct Args {
    compounds: usize,
    seeds: Vec<u64>,
    time_limit: f64,
}

fn parse_args() -> Result<Args, Box<dyn std::error::Error>> {
    let mut args = Args {
        compounds: 2000,
        seeds: vec![3],
        time_limit: 30.0,
    };
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let mut it = raw.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--compounds" => args.compounds = value.parse()?,
            "--seeds" => {
                args.seeds = value.split(',').map(str::parse).collect::<Result<_, _>>()?;
            }
            "--time-limit" => args.time_limit = value.parse()?,
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    Ok(args)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let mut seconds = Vec::new();
    let mut savings = Vec::new();
    println!(
        "city\tcompounds\tseed\tworks\tactivities\tseconds\texcavations\tbaseline\tsaving\t\
         missed\tunavoidable\tmetre_days\tbaseline_metre_days\tverified"
    );
    for &seed in &args.seeds {
        let plan = generate(&CityConfig::new(args.compounds, seed));
        let clock = Instant::now();
        let analysis = analyze(&plan, &AnalysisOptions::default())?;
        let document = plan_city(
            &plan,
            &analysis,
            &CityOptions {
                time_limit: Duration::from_secs_f64(args.time_limit),
                seed: CityOptions::default().seed,
                cancel: None,
                progress: None,
            },
        )?;
        let elapsed = clock.elapsed().as_secs_f64();
        let s = &document.summary;
        #[expect(clippy::cast_precision_loss, reason = "excavation counts are small")]
        let saving = 1.0 - s.excavations as f64 / s.baseline_excavations.max(1) as f64;
        let md_saving = 1.0 - s.trench_open_metre_days / s.baseline_trench_open_metre_days.max(1.0);
        let advice = &document.advice;
        println!(
            "city\t{}\t{seed}\tworks {}\tactivities {}\t{elapsed:.2} s\texcavations {} vs {} ({:.1}% fewer)\tmetre-days {:.0} vs {:.0} ({:.1}% fewer)\thard missed {} (unavoidable {}) vs {} uncoordinated\tbeyond horizon {}\tadvice {} change(s) recover {}/{} deadlines, {}/{} beyond horizon\tverified {}",
            args.compounds,
            plan.works.len(),
            s.activities,
            s.excavations,
            s.baseline_excavations,
            saving * 100.0,
            s.trench_open_metre_days,
            s.baseline_trench_open_metre_days,
            md_saving * 100.0,
            s.hard_deadlines_missed,
            s.hard_deadlines_unavoidable,
            s.baseline_hard_deadlines_missed,
            s.beyond_horizon,
            advice.changes.len(),
            advice.deadlines_recovered,
            advice.deadlines_missed,
            advice.horizon_recovered,
            advice.beyond_horizon,
            s.verified
        );
        seconds.push(elapsed);
        savings.push(saving);
    }
    println!(
        "summary\tcities {}\tmedian seconds {:.2}\tmedian saving {:.1}%",
        seconds.len(),
        median(seconds),
        median(savings) * 100.0
    );
    Ok(())
}
