//! Measures streaming ingestion of a large generated plan: time and peak memory.
//!
//! Usage: `cargo run --release -p geodata --example ingest_large -- [MEGABYTES]` (default 200).
//! Writes a plan of roughly that size to a temporary file (never holding it in memory),
//! ingests it from disk and prints the file size, wall time, throughput and the peak
//! resident memory (`VmHWM` from `/proc/self/status`, Linux only) relative to the file size.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Instant;

use geodata::ingest::{IngestOptions, ingest};

/// Peak resident set size in bytes, from `/proc/self/status`.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn write_plan(path: &std::path::Path, target_bytes: u64) -> std::io::Result<u64> {
    let mut out = BufWriter::new(File::create(path)?);
    write!(
        out,
        r#"{{"type":"FeatureCollection","plan":{{"name":"large","start":"2026-03-01"}},"features":["#
    )?;
    let mut written = 0_u64;
    let mut i = 0_u32;
    while written < target_bytes {
        let mut feature: Vec<u8> = Vec::with_capacity(4096);
        let row = f64::from(i % 1000);
        let col = f64::from(i / 1000);
        write!(
            feature,
            r#"{}{{"type":"Feature","properties":{{"kind":"work","id":"w{i}","utility":"water","owner":"o","action":"replace","productivity_m_per_day":25}},"geometry":{{"type":"LineString","coordinates":["#,
            if i == 0 { "" } else { "," }
        )?;
        // 60 vertices per line, about 2 m apart, in a grid of lines around Beijing.
        for k in 0..60 {
            let x = 116.0 + col * 0.001 + f64::from(k) * 0.000_02;
            let y = 39.5 + row * 0.001;
            write!(feature, "{}[{x:.7},{y:.7}]", if k == 0 { "" } else { "," })?;
        }
        feature.extend_from_slice(b"]}}");
        out.write_all(&feature)?;
        written += feature.len() as u64;
        i += 1;
    }
    out.write_all(b"]}")?;
    out.flush()?;
    Ok(written + 2)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let megabytes: u64 = std::env::args().nth(1).map_or(Ok(200), |a| a.parse())?;
    let path = std::env::temp_dir().join(format!(
        "digonce-ingest-large-{}.geojson",
        std::process::id()
    ));
    let size = write_plan(&path, megabytes * 1_000_000)?;
    let before = peak_rss().unwrap_or(0);
    let start = Instant::now();
    let plan = ingest(File::open(&path)?, &IngestOptions::default())?;
    let elapsed = start.elapsed();
    let peak = peak_rss().unwrap_or(0);
    std::fs::remove_file(&path)?;
    #[expect(clippy::cast_precision_loss, reason = "sizes for a printed report")]
    let (mb, ratio) = (size as f64 / 1e6, peak as f64 / size as f64);
    println!(
        "file {mb:.1} MB, {} works, ingest {:.2} s ({:.1} MB/s), peak RSS {:.1} MB (before ingest {:.1} MB) = {ratio:.2}x file size",
        plan.works.len(),
        elapsed.as_secs_f64(),
        mb / elapsed.as_secs_f64(),
        f64::from(u32::try_from(peak / 1000).unwrap_or(u32::MAX)) / 1000.0,
        f64::from(u32::try_from(before / 1000).unwrap_or(u32::MAX)) / 1000.0,
    );
    Ok(())
}
