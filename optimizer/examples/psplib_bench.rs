//! PSPLIB benchmark of the schedule engine: solves every `.sm` instance of a directory with
//! the same search the planner uses and compares with a reference makespan table.
//!
//! Run: `cargo run --release -p optimizer --example psplib_bench -- DIR REF [--time-limit S]
//! [--part K/N] [--seed N] [--max-schedules N]`; every solved instance prints one `inst` line (tab-separated)
//! and the run ends with a summary. `summarise FILE..` merges the `inst` lines of several
//! runs (e.g. two halves run in parallel) into one summary.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use optimizer::benchmark::psplib::parse;
use optimizer::engine::SearchOptions;
use optimizer::engine::verify;
use optimizer::engine::{SolveOptions, solve};

struct Row {
    name: String,
    makespan: i64,
    reference: i64,
    lower: i64,
    seconds: f64,
    violations: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("summarise") {
        let mut rows = Vec::new();
        for file in &args[1..] {
            rows.extend(read_rows(&std::fs::read_to_string(file)?));
        }
        summarise(&rows);
        return Ok(());
    }
    let (Some(dir), Some(reference)) = (args.first(), args.get(1)) else {
        return Err("usage: psplib_bench DIR REF [--time-limit S] [--part K/N] [--seed N]".into());
    };
    let mut time_limit = 1.0_f64;
    let mut part = (0_usize, 1_usize);
    let mut seed = 1_u64;
    let mut max_schedules = None;
    let mut k = 2;
    while k < args.len() {
        let value = args.get(k + 1).ok_or("option without value")?;
        match args[k].as_str() {
            "--time-limit" => time_limit = value.parse()?,
            "--seed" => seed = value.parse()?,
            "--max-schedules" => max_schedules = Some(value.parse()?),
            "--part" => {
                let (a, b) = value.split_once('/').ok_or("--part K/N")?;
                part = (a.parse()?, b.parse()?);
            }
            other => return Err(format!("unknown option {other}").into()),
        }
        k += 2;
    }
    let refs = read_reference(&std::fs::read_to_string(reference)?);
    let set = Path::new(dir)
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .to_owned();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sm"))
        .collect();
    files.sort_by_key(|p| instance_key(p, &set));
    let options = SolveOptions {
        search: SearchOptions {
            time_limit: Duration::from_secs_f64(time_limit),
            max_schedules,
            seed,
            stop_when_stalled: false,
        },
        retime: true,
        cancel: None,
        progress: None,
        deadline: None,
    };
    let mut rows = Vec::new();
    for (index, file) in files.iter().enumerate() {
        if index % part.1 != part.0 {
            continue;
        }
        let key = instance_key(file, &set);
        let problem = parse(&std::fs::read_to_string(file)?)?;
        let clock = Instant::now();
        let schedule = solve(&problem, &options)?;
        let seconds = clock.elapsed().as_secs_f64();
        let row = Row {
            name: format!("{set}{}_{}", key.0, key.1),
            makespan: schedule.makespan(),
            reference: refs.get(&key).copied().unwrap_or(0),
            lower: schedule.bound.best(),
            seconds,
            violations: verify(&problem, &schedule.starts, &schedule.ends).len(),
        };
        println!(
            "inst\t{}\t{}\t{}\t{}\t{:.4}\t{}\t{}",
            row.name,
            row.makespan,
            row.reference,
            row.lower,
            row.seconds,
            row.violations,
            schedule.schedules
        );
        rows.push(row);
    }
    summarise(&rows);
    Ok(())
}

fn instance_key(path: &Path, set: &str) -> (u32, u32) {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let rest = stem.strip_prefix(set).unwrap_or(stem);
    let (par, inst) = rest.split_once('_').unwrap_or((rest, "0"));
    (par.parse().unwrap_or(0), inst.parse().unwrap_or(0))
}

/// Rows whose first three fields are integers: parameter, instance, makespan.
fn read_reference(text: &str) -> HashMap<(u32, u32), i64> {
    let mut refs = HashMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 3 {
            continue;
        }
        if let (Ok(p), Ok(i), Ok(m)) = (f[0].parse(), f[1].parse(), f[2].parse()) {
            refs.insert((p, i), m);
        }
    }
    refs
}

fn read_rows(text: &str) -> Vec<Row> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 7 || f[0] != "inst" {
                return None;
            }
            Some(Row {
                name: f[1].to_owned(),
                makespan: f[2].parse().ok()?,
                reference: f[3].parse().ok()?,
                lower: f[4].parse().ok()?,
                seconds: f[5].parse().ok()?,
                violations: f[6].parse().ok()?,
            })
        })
        .collect()
}

#[expect(clippy::cast_precision_loss, reason = "small counts")]
fn summarise(rows: &[Row]) {
    if rows.is_empty() {
        println!("no instances");
        return;
    }
    let at_ref = rows.iter().filter(|r| r.makespan <= r.reference).count();
    let below = rows.iter().filter(|r| r.makespan < r.reference).count();
    let proven = rows.iter().filter(|r| r.makespan == r.lower).count();
    let invalid = rows.iter().filter(|r| r.violations > 0).count();
    let gaps: Vec<f64> = rows
        .iter()
        .map(|r| (r.makespan - r.reference) as f64 / r.reference as f64)
        .collect();
    let mean_gap = gaps.iter().sum::<f64>() / gaps.len() as f64;
    let mut times: Vec<f64> = rows.iter().map(|r| r.seconds).collect();
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let max = times[times.len() - 1];
    let worst = rows
        .iter()
        .max_by_key(|r| r.makespan - r.reference)
        .map_or(String::new(), |r| {
            format!("{} ({} vs {})", r.name, r.makespan, r.reference)
        });
    println!(
        "instances={} at_reference={} below_reference={} proven_by_own_bound={} invalid={} \
         mean_gap_pct={:.3} median_s={:.3} max_s={:.3} worst={}",
        rows.len(),
        at_ref,
        below,
        proven,
        invalid,
        100.0 * mean_gap,
        median,
        max,
        worst
    );
}
