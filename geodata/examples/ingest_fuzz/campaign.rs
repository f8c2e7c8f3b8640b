//! The campaign loop: mutate a seed, ingest it under `catch_unwind`, judge the outcome.
//!
//! An outcome is a *finding* when ingestion panicked, accepted a plan whose geometry is
//! not usable (see [`crate::usable`]), rejected one without a proper report (no
//! problem, an empty sentence, a pointer that is not a JSON pointer), or raised the
//! process's peak memory far beyond what the input's size explains. Inputs whose
//! outcome looks new (valid or not, and which problem codes) join the seeds, so later
//! mutations start from inputs that reach further into the reader.

use std::cell::RefCell;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};

use geodata::crs::InputCrs;
use geodata::ingest::{IngestError, IngestOptions, ingest};
use geodata::validation::IssueCode;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::corpus::{Seed, any_crs};
use crate::mutation::Mutation;
use crate::{bytes, structure, usable};

/// Inputs larger than this are not tried (a few stacked `huge_array` edits get there).
const MAX_INPUT_BYTES: usize = 16 << 20;
/// Inputs larger than this are not kept as seeds (so the kept seeds stay under 256 MB).
const MAX_SEED_BYTES: usize = 64 << 10;
/// Peak memory one ingestion may add beyond [`MEMORY_PER_INPUT_BYTE`] times the input.
const MEMORY_ALLOWANCE_BYTES: u64 = 256 << 20;
/// Memory one byte of input may cost while it is ingested (one feature's JSON tree at a
/// time, the typed plan, the report).
const MEMORY_PER_INPUT_BYTE: u64 = 32;
/// The most seeds kept; beyond it a new one replaces a random earlier find.
const MAX_SEEDS: usize = 4_000;

thread_local! {
    /// The message and place of the last panic on this thread, set by the hook.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Replaces the panic hook with one that records the panic for [`Campaign::step`] and
/// prints one line, instead of a backtrace per panicking input.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a non-string panic".to_owned());
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let text = format!("{message} at {place}");
        eprintln!("panic: {text}");
        LAST_PANIC.with(|last| *last.borrow_mut() = Some(text));
    }));
}

/// What kind of finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    /// Ingestion panicked.
    Panic,
    /// Ingestion accepted a plan whose geometry is not usable.
    Unusable,
    /// Ingestion rejected the input without a proper report.
    BadReport,
    /// Ingestion raised the peak memory far beyond what the input's size explains.
    Memory,
}

impl FindingKind {
    /// A short name for reports and file names.
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::Panic => "panic",
            FindingKind::Unusable => "unusable",
            FindingKind::BadReport => "bad_report",
            FindingKind::Memory => "memory",
        }
    }
}

/// An input that broke a rule, with what it broke.
#[derive(Debug, Clone)]
pub struct Finding {
    /// What went wrong.
    pub kind: FindingKind,
    /// The panic message and place, or the rule that was broken.
    pub message: String,
    /// The input.
    pub input: Vec<u8>,
    /// The coordinate system it was read in.
    pub crs: InputCrs,
    /// The seed it was made from.
    pub seed: String,
    /// The mutations applied, in order.
    pub mutations: Vec<Mutation>,
}

/// Counts for one kind of mutation.
#[derive(Debug, Clone, Copy, Default)]
pub struct MutationStats {
    /// Inputs it was applied to.
    pub applied: u64,
    /// Of those, plans accepted.
    pub valid: u64,
    /// Of those, findings.
    pub findings: u64,
}

/// Totals of a campaign.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Inputs ingested.
    pub inputs: u64,
    /// Bytes ingested.
    pub bytes: u64,
    /// Inputs accepted as plans.
    pub valid: u64,
    /// Inputs rejected with a report.
    pub invalid: u64,
    /// Inputs that panicked.
    pub panics: u64,
    /// Findings of every kind (panics included).
    pub findings: u64,
    /// Per kind of mutation.
    pub per_mutation: BTreeMap<Mutation, MutationStats>,
    /// Seeds at the start plus inputs kept since.
    pub seeds: usize,
}

/// The process's peak resident memory in bytes (`VmHWM`, Linux), or 0 elsewhere.
pub fn peak_memory_bytes() -> u64 {
    status_kilobytes("VmHWM:") * 1024
}

/// The process's resident memory in bytes (`VmRSS`, Linux), or 0 elsewhere.
pub fn memory_bytes() -> u64 {
    status_kilobytes("VmRSS:") * 1024
}

fn status_kilobytes(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with(field))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

/// A running campaign.
pub struct Campaign {
    seeds: Vec<Seed>,
    initial_seeds: usize,
    rng: ChaCha8Rng,
    signatures: HashSet<u64>,
    /// Where each input is written before it is ingested, if anywhere (see [`Self::new`]).
    trace: Option<std::path::PathBuf>,
    /// The totals so far.
    pub stats: Stats,
}

/// An input ready to ingest and how it was made.
struct Candidate {
    bytes: Vec<u8>,
    crs: InputCrs,
    seed: String,
    mutations: Vec<Mutation>,
}

impl Campaign {
    /// A campaign over `seeds`, every random choice drawn from `seed`.
    ///
    /// With `trace`, every input is written to that path (and its coordinate system to
    /// the same path with the extension `crs`) before it is ingested, so an input that
    /// aborts the process (out of memory, stack overflow), which `catch_unwind` cannot
    /// catch, is left on disk. That is slow: it is for replaying a seed.
    pub fn new(seeds: Vec<Seed>, seed: u64, trace: Option<std::path::PathBuf>) -> Self {
        let initial_seeds = seeds.len();
        Self {
            stats: Stats {
                seeds: initial_seeds,
                ..Stats::default()
            },
            seeds,
            initial_seeds,
            rng: ChaCha8Rng::seed_from_u64(seed),
            signatures: HashSet::new(),
            trace,
        }
    }

    fn candidate(&mut self) -> Option<Candidate> {
        // Half the time an original seed: most of them are valid, so single edits of
        // them probe the rules one at a time; the finds are already off the beaten path.
        let pool = if self.rng.random_bool(0.5) {
            &self.seeds[..self.initial_seeds]
        } else {
            &self.seeds[..]
        };
        let seed = pool.choose(&mut self.rng)?;
        // Kept finds carry no tree (it would cost ten times their bytes): parse them now.
        let tree = seed
            .tree
            .clone()
            .or_else(|| serde_json::from_slice(&seed.bytes).ok());
        let (name, seed_bytes, seed_crs) = (seed.name.clone(), seed.bytes.clone(), seed.crs);
        let mut mutations = Vec::new();
        let mut raw_edits = 0;
        let mut bytes = match tree {
            Some(mut tree) if self.rng.random_bool(0.75) => {
                // One edit most of the time, so the rule it breaks is the one reported.
                let edits = *[1, 1, 1, 2, 2, 3].choose(&mut self.rng)?;
                for _ in 0..edits {
                    let mutation = *Mutation::STRUCTURAL.choose(&mut self.rng)?;
                    if structure::apply(mutation, &mut tree, &mut self.rng) {
                        mutations.push(mutation);
                    }
                }
                if self.rng.random_bool(0.15) {
                    raw_edits = 1;
                }
                serde_json::to_vec(&tree).ok()?
            }
            _ => {
                raw_edits = self.rng.random_range(1..=4);
                seed_bytes
            }
        };
        for _ in 0..raw_edits {
            let mutation = *Mutation::RAW.choose(&mut self.rng)?;
            let other = &self.seeds.choose(&mut self.rng)?.bytes;
            if bytes::apply(mutation, &mut bytes, other, &mut self.rng) {
                mutations.push(mutation);
            }
        }
        let crs = if self.rng.random_bool(0.85) {
            seed_crs
        } else {
            any_crs(&mut self.rng)
        };
        Some(Candidate {
            bytes,
            crs,
            seed: name,
            mutations,
        })
    }

    /// Makes one input, ingests it and records the outcome; returns the finding, if any.
    pub fn step(&mut self) -> Option<Finding> {
        let candidate = self.candidate()?;
        if candidate.bytes.len() > MAX_INPUT_BYTES {
            return None;
        }
        let options = IngestOptions { crs: candidate.crs };
        if let Some(path) = &self.trace {
            let written = std::fs::write(path, &candidate.bytes).and_then(|()| {
                std::fs::write(path.with_extension("crs"), candidate.crs.to_string())
            });
            if let Err(error) = written {
                eprintln!("could not write the trace {}: {error}", path.display());
            }
        }
        LAST_PANIC.with(|last| last.borrow_mut().take());
        let peak_before = peak_memory_bytes();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            ingest(candidate.bytes.as_slice(), &options)
        }));
        let peak_rise = peak_memory_bytes().saturating_sub(peak_before);
        let allowance =
            MEMORY_ALLOWANCE_BYTES + MEMORY_PER_INPUT_BYTE * candidate.bytes.len() as u64;
        self.stats.inputs += 1;
        self.stats.bytes += candidate.bytes.len() as u64;
        let (valid, codes, problem) = match outcome {
            Err(_) => {
                self.stats.panics += 1;
                let message = LAST_PANIC
                    .with(|last| last.borrow_mut().take())
                    .unwrap_or_else(|| "a panic".to_owned());
                (false, Vec::new(), Some((FindingKind::Panic, message)))
            }
            Ok(Ok(plan)) => {
                self.stats.valid += 1;
                let problem = usable::check(&plan)
                    .err()
                    .map(|why| (FindingKind::Unusable, why));
                (true, Vec::new(), problem)
            }
            Ok(Err(IngestError::Invalid(report))) => {
                self.stats.invalid += 1;
                let bad = report.problems.is_empty()
                    || report.problems.iter().any(|p| {
                        p.message.trim().is_empty()
                            || !(p.pointer.is_empty() || p.pointer.starts_with('/'))
                    });
                let problem = bad.then(|| {
                    (
                        FindingKind::BadReport,
                        format!("a report without a proper problem: {report:?}"),
                    )
                });
                let mut codes: Vec<IssueCode> = report.problems.iter().map(|p| p.code).collect();
                codes.sort_unstable();
                codes.dedup();
                (false, codes, problem)
            }
            Ok(Err(error)) => (
                false,
                Vec::new(),
                Some((
                    FindingKind::BadReport,
                    format!("reading a slice failed: {error}"),
                )),
            ),
        };
        let problem = problem.or_else(|| {
            (peak_rise > allowance).then(|| {
                (
                    FindingKind::Memory,
                    format!(
                        "ingesting {} bytes raised the peak memory by {} MB",
                        candidate.bytes.len(),
                        peak_rise >> 20
                    ),
                )
            })
        });
        for mutation in &candidate.mutations {
            let entry = self.stats.per_mutation.entry(*mutation).or_default();
            entry.applied += 1;
            entry.valid += u64::from(valid);
            entry.findings += u64::from(problem.is_some());
        }
        if let Some((kind, message)) = problem {
            self.stats.findings += 1;
            return Some(Finding {
                kind,
                message,
                input: candidate.bytes,
                crs: candidate.crs,
                seed: candidate.seed,
                mutations: candidate.mutations,
            });
        }
        self.keep_if_new(valid, &codes, candidate);
        None
    }

    /// Keeps an input as a seed when its outcome (valid, and which codes) is new.
    fn keep_if_new(&mut self, valid: bool, codes: &[IssueCode], candidate: Candidate) {
        let mut hasher = DefaultHasher::new();
        (valid, codes, candidate.crs == InputCrs::Wgs84).hash(&mut hasher);
        if !self.signatures.insert(hasher.finish()) || candidate.bytes.len() > MAX_SEED_BYTES {
            return;
        }
        let name = format!("found-{}", self.stats.inputs);
        let seed = Seed {
            name,
            bytes: candidate.bytes,
            tree: None,
            crs: candidate.crs,
        };
        if self.seeds.len() < MAX_SEEDS {
            self.seeds.push(seed);
        } else if self.initial_seeds < self.seeds.len() {
            let i = self.rng.random_range(self.initial_seeds..self.seeds.len());
            self.seeds[i] = seed;
        }
        self.stats.seeds = self.seeds.len();
    }
}
