//! Corridor detection on generated street-like networks: wall time and peak memory.
//!
//! Run: `cargo bench -p geodata --bench corridors` (all sizes: 10k, 100k, 1M segments)
//! or `cargo bench -p geodata --bench corridors -- 10000 100000` (chosen sizes).
//!
//! Each size runs in its own child process so its peak resident memory (`VmHWM` from
//! `/proc/self/status`) is its own. The network: a square city with streets every 100 m
//! in both directions; works (random utility and owner) run along a random street for
//! 100-600 m at a random offset within 4 m of the centre line, with a vertex about every
//! 10 m jittered by up to 0.2 m across and 1 m along. The city side is chosen so that
//! about three works run along each street on average, as in a renewal programme.
//! Seeded (`ChaCha8`, seed 7): the same network every run.

use std::process::Command;
use std::time::Instant;

use geo::{Coord, Geometry, LineString};
use geodata::analysis::corridor::{LineWorks, detect};
use geodata::analysis::{AnalysisOptions, ClearanceProfile, analyze_with};
use geodata::plan::{Plan, Utility};
use geodata::testkit::{PlanBuilder, WorkBuilder, date};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const DEFAULT_SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];
const SPACING_M: f64 = 100.0;
const VERTEX_M: f64 = 10.0;

fn generate(segments: usize) -> Plan {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    #[expect(clippy::cast_precision_loss, reason = "sizes are far below 2^52")]
    let side = (500.0 * segments as f64 / 3.0).sqrt().max(500.0);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a few hundred streets"
    )]
    let streets = (side / SPACING_M).floor().max(1.0) as u32;
    let mut plan = PlanBuilder::new(date(2026, 3, 1)).into_plan();
    let mut count = 0;
    while count < segments {
        let street = f64::from(rng.random_range(0..=streets)) * SPACING_M - side / 2.0;
        let vertical = rng.random_bool(0.5);
        let offset = rng.random_range(-4.0..4.0);
        let length = rng.random_range(100.0..600.0f64).min(side);
        let from = rng.random_range(-side / 2.0..side / 2.0 - length);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "small"
        )]
        let n = (length / VERTEX_M).ceil() as usize;
        let mut coords = Vec::with_capacity(n + 1);
        for k in 0..=n {
            #[expect(clippy::cast_precision_loss, reason = "small")]
            let along = from + length * k as f64 / n as f64 + rng.random_range(-1.0..1.0);
            let across = street + offset + rng.random_range(-0.2..0.2);
            coords.push(if vertical {
                Coord {
                    x: across,
                    y: along,
                }
            } else {
                Coord {
                    x: along,
                    y: across,
                }
            });
        }
        count += n;
        let utility = Utility::ALL[rng.random_range(0..Utility::ALL.len())];
        let id = format!("w{}", plan.works.len());
        let owner = format!("owner{}", rng.random_range(0..12));
        let diameter = rng.random_range(100.0..400.0);
        plan.works.push(
            WorkBuilder::pipeline(&id, utility)
                .owner(&owner)
                .diameter_mm(diameter)
                .local(Geometry::LineString(LineString::new(coords)))
                // WGS84 is not read by the analysis; keep the local copy to save
                // generation time.
                .local_only()
                .build_in(&plan.frame),
        );
    }
    plan
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

#[expect(
    clippy::cast_precision_loss,
    reason = "memory in KiB is far below 2^52"
)]
fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// CPU time of this thread in seconds (`/proc/thread-self/schedstat`, nanoseconds on CPU):
/// on a loaded machine it shows the work done, where wall time shows the waiting too.
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |ns| ns / 1e9)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Child: one size; prints one line of `key=value` figures.
fn run_size(segments: usize) {
    let plan = generate(segments);
    let profile = ClearanceProfile::built_in("cn-gb50289").expect("built-in profile");
    let rss_input = status_kib("VmRSS:");
    let repeats = if segments >= 1_000_000 { 3 } else { 5 };
    let mut prepare = Vec::new();
    let mut detection = Vec::new();
    let mut detection_cpu = Vec::new();
    let mut corridors = 0;
    let mut crossings = 0;
    let mut real_segments = 0;
    for _ in 0..repeats {
        let t0 = Instant::now();
        let works = LineWorks::of(&plan);
        let t1 = Instant::now();
        let c1 = cpu_s();
        let d = detect(&works, &plan.frame, &profile, 3.0, 20.0);
        detection_cpu.push(cpu_s() - c1);
        let t2 = Instant::now();
        prepare.push((t1 - t0).as_secs_f64());
        detection.push((t2 - t1).as_secs_f64());
        corridors = d.corridors.len();
        crossings = d.crossings.len();
        real_segments = works.segment_count();
    }
    let hwm_detect = status_kib("VmHWM:");
    let t = Instant::now();
    let c = cpu_s();
    let full = analyze_with(&plan, &profile, &AnalysisOptions::default());
    let full_cpu_s = cpu_s() - c;
    let full_s = t.elapsed().as_secs_f64();
    println!(
        "segments={real_segments} works={} prepare_s={:.4} detect_s={:.4} detect_cpu_s={:.4} full_analysis_s={full_s:.4} full_analysis_cpu_s={full_cpu_s:.4} corridors={corridors} crossings={crossings} trenches={} rss_input_mib={:.1} hwm_detect_mib={:.1} hwm_full_mib={:.1}",
        plan.works.len(),
        median(prepare),
        median(detection),
        median(detection_cpu),
        full.trenches.len(),
        mib(rss_input),
        mib(hwm_detect),
        mib(status_kib("VmHWM:")),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(pos) = args.iter().position(|a| a == "--size") {
        let n = args
            .get(pos + 1)
            .and_then(|v| v.parse().ok())
            .expect("--size takes a number of segments");
        run_size(n);
        return;
    }
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() {
        DEFAULT_SIZES.to_vec()
    } else {
        sizes
    };
    let exe = std::env::current_exe().expect("own path");
    println!("corridor detection, share distance 3 m, min length 20 m, profile cn-gb50289");
    println!("median of 5 runs (3 at 1M); one process per size; times in seconds");
    for n in sizes {
        let out = Command::new(&exe)
            .args(["--size", &n.to_string()])
            .output()
            .expect("child runs");
        print!("{}", String::from_utf8_lossy(&out.stdout));
        if !out.status.success() {
            eprint!("{}", String::from_utf8_lossy(&out.stderr));
        }
    }
}
