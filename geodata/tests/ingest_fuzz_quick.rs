//! The ingest fuzz campaign's quick mode: a few hundred inputs on every test run.
//!
//! The campaign itself lives in `geodata/examples/ingest_fuzz/` (run it for minutes or hours with
//! `cargo run --release -p geodata --example ingest_fuzz -- --minutes 30`); this test
//! includes its modules and runs a fixed number of steps from a fixed seed, so every
//! mutation kind is exercised against the current reader in a few seconds.

#[path = "../examples/ingest_fuzz/bytes.rs"]
mod bytes;
#[path = "../examples/ingest_fuzz/campaign.rs"]
mod campaign;
#[path = "../examples/ingest_fuzz/corpus.rs"]
mod corpus;
#[path = "../examples/ingest_fuzz/mutation.rs"]
mod mutation;
#[path = "../examples/ingest_fuzz/structure.rs"]
mod structure;
#[path = "../examples/ingest_fuzz/usable.rs"]
mod usable;

use campaign::Campaign;
use mutation::Mutation;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

/// Inputs tried: enough for every mutation kind to be applied many times.
const STEPS: usize = 300;

#[test]
fn a_quick_campaign_finds_nothing_and_exercises_every_mutation() {
    campaign::install_panic_hook();
    let seeds = corpus::load().expect("the seed plans are readable");
    let initial = seeds.len();
    let mut campaign = Campaign::new(seeds, 7, None);
    let findings: Vec<String> = (0..STEPS)
        .filter_map(|_| campaign.step())
        .map(|f| {
            let mutations: Vec<&str> = f.mutations.iter().map(|m| m.name()).collect();
            format!(
                "{}: {} ({} bytes in {} from {} by {mutations:?})",
                f.kind.name(),
                f.message,
                f.input.len(),
                f.crs,
                f.seed
            )
        })
        .collect();
    assert!(findings.is_empty(), "{findings:#?}");
    let stats = &campaign.stats;
    assert_eq!(stats.panics + stats.findings, 0);
    assert_eq!(stats.valid + stats.invalid, stats.inputs);
    assert!(stats.inputs > 250 && stats.bytes > 0, "{stats:?}");
    assert!(stats.valid > 0 && stats.invalid > 0, "{stats:?}");
    assert!(stats.seeds > initial, "no input was kept as a seed");
    for mutation in Mutation::STRUCTURAL.iter().chain(&Mutation::RAW) {
        let counts = stats
            .per_mutation
            .get(mutation)
            .copied()
            .unwrap_or_default();
        assert!(counts.applied > 0, "{} was never applied", mutation.name());
        assert!(counts.valid <= counts.applied && counts.findings == 0);
    }
    assert!(campaign::memory_bytes() < 4 << 30);
}

#[test]
fn a_huge_array_edit_stays_near_8_mb_even_with_one_big_element_among_small_ones() {
    // Sized on its first element, this array grew to 16,666 copies of the big one (33 GB).
    let big = "x".repeat(2_000_000);
    for seed in 0..20 {
        let mut tree = json!({"features": [{"id": 1}, {"id": big}, {"id": 3}]});
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        assert!(structure::apply(Mutation::HugeArray, &mut tree, &mut rng));
        let size = serde_json::to_vec(&tree).map_or(usize::MAX, |b| b.len());
        assert!(size < 10 << 20, "seed {seed}: {size} bytes");
    }
}
