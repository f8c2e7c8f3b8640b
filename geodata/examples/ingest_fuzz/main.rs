//! A long-running fuzz campaign against plan ingestion: bad input must never panic.
//!
//! ```console
//! cargo run --release -p geodata --example ingest_fuzz -- --minutes 30 --seed 1
//! ```
//!
//! Mutates valid and nearly valid plans (the repository's `examples/`, the fixtures under
//! `geodata/tests/fixtures/`, small generated cities in every accepted coordinate system)
//! with structure-aware edits (features and properties dropped, duplicated, swapped;
//! values of the wrong type; boundary numbers; impossible and far dates; huge, deep and
//! empty arrays; degenerate coordinates; unicode and escapes) and raw-byte edits (bit
//! flips, truncation, insertion, splicing two inputs, number texts JSON cannot hold).
//! Every input goes through `ingest` inside `catch_unwind`, on one thread.
//!
//! Prints inputs per second, totals per mutation kind, valid and invalid counts and the
//! findings: panics, accepted plans with unusable geometry, rejections without a proper
//! report. Each finding's input is saved under `--out` with a note of how it was made.
//! Exits 1 when there was any finding, 0 otherwise. See `docs/robustness.md`.

mod bytes;
mod campaign;
mod corpus;
mod mutation;
mod structure;
mod usable;

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use campaign::{Campaign, Finding, Stats};
use mutation::Mutation;

/// Saved inputs per distinct finding message (the rest are only counted).
const SAVED_PER_MESSAGE: usize = 5;
/// Resident memory beyond which the campaign stops rather than crowd the machine.
const MEMORY_LIMIT_BYTES: u64 = 4 << 30;
/// How often a progress line is printed.
const PROGRESS_EVERY: Duration = Duration::from_mins(1);

/// The command line.
struct Args {
    duration: Duration,
    seed: u64,
    out: PathBuf,
    trace: bool,
}

const USAGE: &str =
    "usage: ingest_fuzz [--minutes M | --seconds S] [--seed N] [--out DIR] [--trace]
  --minutes M   run for M minutes (decimals allowed; default 1)
  --seconds S   run for S seconds instead
  --seed N      seed of every random choice (default 1)
  --out DIR     where findings are saved (default: <temp dir>/digonce-ingest-fuzz)
  --trace       write every input to DIR/current.geojson before ingesting it, so one
                that aborts the process is left on disk (slow; to replay a seed)";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        duration: Duration::from_mins(1),
        seed: 1,
        out: std::env::temp_dir().join("digonce-ingest-fuzz"),
        trace: false,
    };
    let mut words = std::env::args().skip(1);
    while let Some(flag) = words.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_owned());
        }
        if flag == "--trace" {
            args.trace = true;
            continue;
        }
        let value = words
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let seconds = |scale: f64| {
            value
                .parse::<f64>()
                .ok()
                .and_then(|v| Duration::try_from_secs_f64(v * scale).ok())
                .ok_or_else(|| format!("{flag}: {value:?} is not a duration\n{USAGE}"))
        };
        match flag.as_str() {
            "--minutes" => args.duration = seconds(60.0)?,
            "--seconds" => args.duration = seconds(1.0)?,
            "--seed" => {
                args.seed = value
                    .parse()
                    .map_err(|_| format!("--seed: {value:?} is not a whole number\n{USAGE}"))?;
            }
            "--out" => args.out = PathBuf::from(value),
            _ => return Err(format!("unknown flag {flag}\n{USAGE}")),
        }
    }
    Ok(args)
}

/// Saves a finding's input and a note beside it; returns the input's path.
fn save(out: &std::path::Path, finding: &Finding) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(out)?;
    let mut hasher = DefaultHasher::new();
    finding.input.hash(&mut hasher);
    let stem = format!("{}-{:016x}", finding.kind.name(), hasher.finish());
    let input = out.join(format!("{stem}.geojson"));
    std::fs::write(&input, &finding.input)?;
    let mutations: Vec<&str> = finding.mutations.iter().map(|m| m.name()).collect();
    let note = format!(
        "{}\ncrs: {}\nseed: {}\nmutations: {}\n",
        finding.message,
        finding.crs,
        finding.seed,
        mutations.join(", ")
    );
    std::fs::write(out.join(format!("{stem}.txt")), note)?;
    Ok(input)
}

#[expect(
    clippy::cast_precision_loss,
    reason = "counts far below 2^52 are shown as rates"
)]
fn rate(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-9)
}

#[expect(
    clippy::cast_precision_loss,
    reason = "byte counts far below 2^52 are shown in megabytes"
)]
fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn print_progress(stats: &Stats, elapsed: Duration) {
    println!(
        "[{:>6.0} s] {} inputs ({:.0}/s, {:.1} MB), {} valid, {} invalid, {} panics, {} findings, {} seeds, {} MB resident",
        elapsed.as_secs_f64(),
        stats.inputs,
        rate(stats.inputs, elapsed),
        megabytes(stats.bytes),
        stats.valid,
        stats.invalid,
        stats.panics,
        stats.findings,
        stats.seeds,
        campaign::memory_bytes() >> 20
    );
}

fn print_summary(stats: &Stats, elapsed: Duration, distinct: &HashMap<String, usize>) {
    println!(
        "\ningest fuzz: {:.1} min, {} inputs ({:.0}/s, {:.1} MB/s)",
        elapsed.as_secs_f64() / 60.0,
        stats.inputs,
        rate(stats.inputs, elapsed),
        rate(stats.bytes, elapsed) / 1e6
    );
    println!(
        "valid {}, invalid {}, panics {}, findings {} ({} distinct), seeds {}",
        stats.valid,
        stats.invalid,
        stats.panics,
        stats.findings,
        distinct.len(),
        stats.seeds
    );
    println!(
        "\n{:<18} {:>12} {:>10} {:>9}",
        "mutation", "applied", "valid", "findings"
    );
    for mutation in Mutation::STRUCTURAL.iter().chain(&Mutation::RAW) {
        let s = stats
            .per_mutation
            .get(mutation)
            .copied()
            .unwrap_or_default();
        println!(
            "{:<18} {:>12} {:>10} {:>9}",
            mutation.name(),
            s.applied,
            s.valid,
            s.findings
        );
    }
    for (message, count) in distinct {
        println!("\nfinding ({count}x): {message}");
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let seeds = match corpus::load() {
        Ok(seeds) => seeds,
        Err(error) => {
            eprintln!("could not read the seed plans: {error}");
            return ExitCode::from(2);
        }
    };
    println!(
        "ingest fuzz: {} seeds, seed {}, {:.1} min, findings to {}",
        seeds.len(),
        args.seed,
        args.duration.as_secs_f64() / 60.0,
        args.out.display()
    );
    campaign::install_panic_hook();
    let trace = if args.trace {
        if let Err(error) = std::fs::create_dir_all(&args.out) {
            eprintln!("could not create {}: {error}", args.out.display());
            return ExitCode::from(2);
        }
        Some(args.out.join("current.geojson"))
    } else {
        None
    };
    let mut campaign = Campaign::new(seeds, args.seed, trace);
    let mut distinct: HashMap<String, usize> = HashMap::new();
    let start = Instant::now();
    let mut next_progress = PROGRESS_EVERY;
    while start.elapsed() < args.duration {
        if let Some(finding) = campaign.step() {
            let seen = distinct.entry(finding.message.clone()).or_default();
            *seen += 1;
            if *seen <= SAVED_PER_MESSAGE {
                match save(&args.out, &finding) {
                    Ok(path) => println!("{}: saved {}", finding.kind.name(), path.display()),
                    Err(error) => eprintln!("could not save a finding: {error}"),
                }
            }
        }
        if campaign.stats.inputs.is_multiple_of(256)
            && campaign::memory_bytes() > MEMORY_LIMIT_BYTES
        {
            eprintln!(
                "stopping: the campaign holds {} MB, over its {} MB limit",
                campaign::memory_bytes() >> 20,
                MEMORY_LIMIT_BYTES >> 20
            );
            print_summary(&campaign.stats, start.elapsed(), &distinct);
            return ExitCode::from(3);
        }
        if start.elapsed() >= next_progress {
            print_progress(&campaign.stats, start.elapsed());
            next_progress += PROGRESS_EVERY;
        }
    }
    print_summary(&campaign.stats, start.elapsed(), &distinct);
    if campaign.stats.findings > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
