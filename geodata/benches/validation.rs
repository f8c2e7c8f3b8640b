//! Throughput of the plan pipeline on a generated city: generation, GeoJSON export and
//! ingestion (validation), reported by criterion as time and MB/s.
//!
//! `cargo bench -p geodata --bench validation` runs all three on a 2,000-compound city
//! (about 20,000 works); `DIGONCE_BENCH_COMPOUNDS=20000` makes it ten times bigger.
//! Filter with a trailing name, e.g. `-- ingest`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use geodata::export::{ExportOptions, to_bytes};
use geodata::ingest::{IngestOptions, ingest};
use geodata::synthetic::{CityConfig, generate};

fn compounds() -> usize {
    std::env::var("DIGONCE_BENCH_COMPOUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

fn pipeline(c: &mut Criterion) {
    let n = compounds();
    let config = CityConfig::new(n, 1);
    let plan = generate(&config);
    let bytes = to_bytes(&plan, &ExportOptions::default()).expect("a generated city exports");
    let size = u64::try_from(bytes.len()).expect("fits in u64");
    println!(
        "city: {n} compounds, {} works, {} streets, {:.1} MB of GeoJSON",
        plan.works.len(),
        plan.streets.len(),
        f64::from(u32::try_from(bytes.len() / 1000).unwrap_or(u32::MAX)) / 1000.0
    );

    let mut group = c.benchmark_group(format!("city_{n}"));
    group.sample_size(10);
    group.bench_function("generate", |b| b.iter(|| generate(black_box(&config))));
    group.throughput(Throughput::Bytes(size));
    group.bench_function("export", |b| {
        b.iter(|| to_bytes(black_box(&plan), &ExportOptions::default()));
    });
    group.bench_function("ingest", |b| {
        b.iter(|| ingest(black_box(&bytes[..]), &IngestOptions::default()));
    });
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
