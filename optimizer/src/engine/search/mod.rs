//! The disjunctive search: a genetic algorithm over activity lists, each decoded by the
//! serial SGS and improved by forward-backward improvement (double justification).
//!
//! Lists respect the order between strongly connected groups of the lag network (arcs
//! inside a group, i.e. cycles made by maximum lags or synchronisation, are repaired by the
//! decoder). The population starts from latest-start regret-biased random sampling;
//! children come from two-point crossover and adjacent-swap mutation (Hartmann 1998);
//! every child is justified right then left (Valls, Ballestín and Quintanilla 2005) and
//! re-encoded as the list of its justified start order. The search stops at the schedule
//! budget, the time limit, or as soon as a makespan-only objective reaches its lower bound.
//!
//! Networks of thousands of activities (a city) are too large for a population of lists:
//! there the search is the squeaky-wheel loop of [`squeaky`] instead, which spends every
//! decode on the activities that came out late.
//!
//! With `max_schedules` set, the result depends only on the seed; with only a time limit it
//! also depends on machine speed.

mod polish;
mod squeaky;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use petgraph::graph::DiGraph;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::engine::objective::Objective;
use crate::engine::progress::Progress;
use crate::engine::sgs::{Decoder, Model};

/// Effort and seed of a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchOptions {
    /// Wall-clock limit of the search.
    pub time_limit: Duration,
    /// Limit on the number of SGS passes; makes the result independent of speed.
    pub max_schedules: Option<u64>,
    /// Seed of the random generator.
    pub seed: u64,
    /// Stop when the search stalls (no better schedule for `STALL_MIN`) instead of running out its time:
    /// what a planner waiting for an answer wants; a benchmark leaves it off.
    pub stop_when_stalled: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(1),
            max_schedules: None,
            seed: 0x5eed,
            stop_when_stalled: false,
        }
    }
}

/// The best schedule found and how the search went.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchOutcome {
    /// Start day of each activity.
    pub starts: Vec<i64>,
    /// Weighted cost of those starts.
    pub cost: f64,
    /// SGS passes performed.
    pub schedules: u64,
    /// Whether the search stopped because the makespan reached the lower bound.
    pub reached_bound: bool,
}

/// Above this many activities the search is the squeaky-wheel loop, not the genetic one:
/// a population of 30–80 lists each decoded in milliseconds fits a PSPLIB instance, not a
/// city of tens of thousands of activities.
pub const SQUEAKY_ABOVE: usize = 1_500;

/// The least time without a better schedule after which a search stops as stalled (when
/// that is also half of the time it has run).
pub const STALL_MIN: Duration = Duration::from_millis(300);

#[derive(Debug, Clone)]
struct Individual {
    list: Vec<usize>,
    starts: Vec<i64>,
    cost: f64,
}

/// A genetic search over activity lists of one model.
#[derive(Debug)]
pub struct Search<'a> {
    model: &'a Model,
    mirror: Model,
    objective: &'a Objective,
    preds: Vec<Vec<usize>>,
    succs: Vec<Vec<usize>>,
    /// Group (strongly connected component) of each activity, numbered sinks first.
    group: Vec<usize>,
    /// Members of each group.
    groups: Vec<Vec<usize>>,
    priority: Vec<i64>,
    rng: ChaCha8Rng,
    decoder: Decoder,
    schedules: u64,
    options: SearchOptions,
    target: Option<i64>,
    started: Instant,
    incumbent: Option<Individual>,
    cancel: Option<Arc<AtomicBool>>,
    /// A lower bound on the cost: the search stops as soon as it reaches it (proven optimal).
    cost_target: Option<f64>,
    /// When the best cost last improved.
    improved: Instant,
    /// The best cost so far, for [`Search::stalled`].
    best_cost: f64,
    /// Where improvements are reported, and as which component.
    progress: Option<(Arc<Progress>, usize)>,
}

impl<'a> Search<'a> {
    /// Prepares a search; `latest` are latest starts used as the sampling priority and
    /// `target` a makespan lower bound that ends a makespan-only search when reached.
    #[must_use]
    pub fn new(
        model: &'a Model,
        objective: &'a Objective,
        latest: &[i64],
        target: Option<i64>,
        options: SearchOptions,
    ) -> Self {
        let GroupOrder {
            preds,
            succs,
            group,
            groups,
        } = group_order(model);
        let horizon =
            model.durations.iter().sum::<i64>() + model.release.iter().copied().max().unwrap_or(0);
        Self {
            model,
            mirror: model.mirrored(horizon),
            objective,
            preds,
            succs,
            group,
            groups,
            priority: latest.to_vec(),
            rng: ChaCha8Rng::seed_from_u64(options.seed),
            decoder: Decoder::default(),
            schedules: 0,
            options,
            target: if objective.is_makespan_only() {
                target
            } else {
                None
            },
            started: Instant::now(),
            incumbent: None,
            cancel: None,
            cost_target: None,
            improved: Instant::now(),
            best_cost: f64::INFINITY,
            progress: None,
        }
    }

    /// Starts the search from a known feasible schedule (a warm start: the previous plan
    /// version's schedule, or the schedule of a tighter problem). The search returns it
    /// unless it finds a cheaper one, so a solve warm-started this way is never worse than
    /// the incumbent. The caller vouches that `starts` satisfies every constraint of the
    /// model (the solver checks it with the independent verifier first).
    #[must_use]
    pub fn with_incumbent(mut self, starts: &[i64]) -> Self {
        let mut list: Vec<usize> = (0..starts.len()).collect();
        list.sort_by_key(|&j| (starts[j], j));
        let cost = self.objective.cost(starts);
        self.best_cost = cost;
        self.incumbent = Some(Individual {
            list,
            starts: starts.to_vec(),
            cost,
        });
        self
    }

    /// Stops the search (within a decode or two) when `flag` is set.
    #[must_use]
    pub fn with_cancel(mut self, flag: Arc<AtomicBool>) -> Self {
        self.cancel = Some(flag);
        self
    }

    /// Stops as soon as a schedule costs no more than `bound`, a lower bound on the cost of
    /// every schedule: that schedule is optimal.
    #[must_use]
    pub fn with_cost_bound(mut self, bound: f64) -> Self {
        self.cost_target = Some(bound);
        self
    }

    /// Whether the search stopped improving: no better schedule for [`STALL_MIN`], for half
    /// of the time spent so far and for a quarter of the time limit. Only with a time budget (a schedule budget makes the
    /// result depend on the seed alone).
    fn stalled(&self) -> bool {
        if !self.options.stop_when_stalled
            || self.options.max_schedules.is_some()
            || !self.best_cost.is_finite()
        {
            return false;
        }
        let quiet = self.improved.elapsed();
        quiet >= STALL_MIN
            && quiet * 2 >= self.started.elapsed()
            && quiet * 4 >= self.options.time_limit
    }

    /// Reports every improvement of the best cost to `progress` as `component`.
    #[must_use]
    pub fn with_progress(mut self, progress: Arc<Progress>, component: usize) -> Self {
        self.progress = Some((progress, component));
        self
    }

    /// Records a schedule's cost for the stall test and the progress report.
    fn note_cost(&mut self, cost: f64) {
        if cost < self.best_cost - 1e-9 {
            self.best_cost = cost;
            self.improved = Instant::now();
            if let Some((progress, component)) = &self.progress {
                progress.improve(*component, cost);
            }
        }
    }

    fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
    }

    fn out_of_budget(&self) -> bool {
        if self.cancelled() || self.stalled() {
            return true;
        }
        if let Some(max) = self.options.max_schedules {
            return self.schedules >= max;
        }
        self.started.elapsed() >= self.options.time_limit
    }

    fn at_target(&self, ind: &Individual) -> bool {
        if self
            .cost_target
            .is_some_and(|bound| ind.cost <= bound + 1e-6)
        {
            return true;
        }
        let Some(target) = self.target else {
            return false;
        };
        let terms = self.objective.terms(&ind.starts);
        terms.hard_lateness == 0 && terms.makespan <= target
    }

    /// Runs the search to its budget and returns the best schedule, or `None` if no list
    /// could be decoded (maximum lags too tight for the repair cap).
    #[must_use]
    pub fn run(mut self) -> Option<SearchOutcome> {
        self.started = Instant::now();
        self.improved = self.started;
        let n = self.model.len();
        if n > SQUEAKY_ABOVE {
            return self.run_squeaky();
        }
        let size = n.clamp(30, 80);
        let mut population: Vec<Individual> = Vec::with_capacity(2 * size);
        let mut best: Option<Individual> = self.incumbent.take();
        population.extend(best.clone());
        let mut reached = best.as_ref().is_some_and(|b| self.at_target(b));
        let mut attempts = 0;
        while !reached && population.len() < size && attempts < 4 * size {
            attempts += 1;
            let list = self.sample_list(attempts == 1);
            if let Some(ind) = self.evaluate(list) {
                keep_best(&mut best, &ind);
                reached = self.at_target(&ind);
                population.push(ind);
            }
            if reached || (population.len() >= 2 && self.out_of_budget()) {
                break;
            }
        }
        if population.is_empty() {
            return None;
        }
        let mut stale = 0;
        while !reached && !self.out_of_budget() {
            let before = best.as_ref().map_or(f64::INFINITY, |b| b.cost);
            let mut children = Vec::with_capacity(size);
            for _ in 0..size.div_ceil(2) {
                let mother = self.tournament(&population);
                let father = self.tournament(&population);
                for (a, b) in [(mother, father), (father, mother)] {
                    let mut child = self.crossover(&population[a].list, &population[b].list);
                    self.mutate(&mut child);
                    if self.rng.random_bool(0.3) {
                        self.shift(&mut child);
                    }
                    if let Some(ind) = self.evaluate(child) {
                        keep_best(&mut best, &ind);
                        reached = self.at_target(&ind);
                        children.push(ind);
                    }
                    if reached || self.out_of_budget() {
                        break;
                    }
                }
                if reached || self.out_of_budget() {
                    break;
                }
            }
            population.append(&mut children);
            population.sort_by(|a, b| a.cost.total_cmp(&b.cost));
            population.dedup_by(|a, b| a.starts == b.starts);
            population.truncate(size);
            // Restart around the best when the population stops improving.
            stale = if best.as_ref().is_some_and(|b| b.cost < before) {
                0
            } else {
                stale + 1
            };
            if stale > 15 {
                stale = 0;
                if n <= polish::POLISH_UP_TO {
                    // One of the best few, so successive restarts descend from different
                    // lists.
                    let k = self.rng.random_range(0..population.len().min(4));
                    let polished = self.polish(&population[k]);
                    reached = self.at_target(&polished);
                    keep_best(&mut best, &polished);
                    population.swap(0, k);
                    population[0] = polished;
                    if reached {
                        break;
                    }
                }
                population.truncate(1);
                while population.len() < size && !self.out_of_budget() {
                    let mut list = if self.rng.random_bool(0.5) {
                        self.sample_list(false)
                    } else {
                        population[0].list.clone()
                    };
                    for _ in 0..3 {
                        self.shift(&mut list);
                    }
                    if let Some(ind) = self.evaluate(list) {
                        keep_best(&mut best, &ind);
                        reached = self.at_target(&ind);
                        population.push(ind);
                    }
                    if reached {
                        break;
                    }
                }
            }
        }
        self.outcome(best, reached)
    }

    /// The search's result from its best individual.
    fn outcome(&self, best: Option<Individual>, reached_bound: bool) -> Option<SearchOutcome> {
        best.map(|b| SearchOutcome {
            cost: b.cost,
            starts: b.starts,
            schedules: self.schedules,
            reached_bound,
        })
    }

    fn tournament(&mut self, population: &[Individual]) -> usize {
        let a = self.rng.random_range(0..population.len());
        let b = self.rng.random_range(0..population.len());
        if population[a].cost <= population[b].cost {
            a
        } else {
            b
        }
    }

    /// A random list respecting group order, biased toward small latest starts
    /// (regret-based biased random sampling); `greedy` takes the best priority always.
    fn sample_list(&mut self, greedy: bool) -> Vec<usize> {
        let n = self.model.len();
        let mut missing: Vec<usize> = self.preds.iter().map(Vec::len).collect();
        let mut eligible: Vec<usize> = (0..n).filter(|&j| missing[j] == 0).collect();
        let mut list = Vec::with_capacity(n);
        while !eligible.is_empty() {
            let worst = eligible
                .iter()
                .map(|&j| self.priority[j])
                .max()
                .unwrap_or(0);
            let pick = if greedy {
                eligible
                    .iter()
                    .enumerate()
                    .min_by_key(|&(_, &j)| (self.priority[j], j))
                    .map_or(0, |(k, _)| k)
            } else {
                let weights: Vec<i64> = eligible
                    .iter()
                    .map(|&j| worst - self.priority[j] + 1)
                    .collect();
                let total: i64 = weights.iter().sum();
                let mut x = self.rng.random_range(0..total);
                let mut k = 0;
                while x >= weights[k] {
                    x -= weights[k];
                    k += 1;
                }
                k
            };
            let j = eligible.swap_remove(pick);
            list.push(j);
            for &v in &self.succs[j] {
                missing[v] -= 1;
                if missing[v] == 0 {
                    eligible.push(v);
                }
            }
        }
        list
    }

    /// Two-point crossover: mother's prefix, father's order for the middle, mother's rest.
    fn crossover(&mut self, mother: &[usize], father: &[usize]) -> Vec<usize> {
        let n = mother.len();
        let mut q1 = self.rng.random_range(0..=n);
        let mut q2 = self.rng.random_range(0..=n);
        if q1 > q2 {
            std::mem::swap(&mut q1, &mut q2);
        }
        let mut taken = vec![false; n];
        let mut child = Vec::with_capacity(n);
        for &j in &mother[..q1] {
            taken[j] = true;
            child.push(j);
        }
        for &j in father {
            if child.len() >= q2 {
                break;
            }
            if !taken[j] {
                taken[j] = true;
                child.push(j);
            }
        }
        for &j in mother {
            if !taken[j] {
                taken[j] = true;
                child.push(j);
            }
        }
        child
    }

    /// Swaps neighbours with a small probability when no group order links them.
    fn mutate(&mut self, list: &mut [usize]) {
        for i in 1..list.len() {
            if self.rng.random_bool(0.05) && !self.succs[list[i - 1]].contains(&list[i]) {
                list.swap(i - 1, i);
            }
        }
    }

    /// Moves one random activity to a random position between its last predecessor and
    /// its first successor in the list.
    fn shift(&mut self, list: &mut Vec<usize>) {
        let n = list.len();
        if n < 2 {
            return;
        }
        let from = self.rng.random_range(0..n);
        let j = list[from];
        let mut lo = 0;
        let mut hi = n - 1;
        for (p, &k) in list.iter().enumerate() {
            if self.preds[j].contains(&k) {
                lo = lo.max(p + 1);
            }
            if self.succs[j].contains(&k) {
                hi = hi.min(p.saturating_sub(1));
            }
        }
        list.remove(from);
        let lo = if lo > from { lo - 1 } else { lo };
        let hi = if hi > from { hi - 1 } else { hi };
        let hi = hi.min(list.len());
        let to = if lo >= hi {
            lo.min(list.len())
        } else {
            self.rng.random_range(lo..=hi)
        };
        list.insert(to, j);
    }

    /// Decodes a list, justifies the schedule right then left while it improves, and
    /// re-encodes the best schedule as its start order.
    fn evaluate(&mut self, list: Vec<usize>) -> Option<Individual> {
        self.schedules += 1;
        let makespan = self.decoder.decode(self.model, &list)?;
        let mut starts = self.decoder.starts.clone();
        let mut cost = self.objective.cost(&starts);
        let mut horizon = makespan;
        let n = list.len();
        let mut order: Vec<usize> = Vec::with_capacity(n);
        for _ in 0..4 {
            // Right justification: mirrored decode in order of decreasing finish.
            self.mirror.set_mirror_horizon(self.model, horizon);
            order.clear();
            order.extend(0..n);
            order.sort_by_key(|&j| (std::cmp::Reverse(starts[j] + self.model.durations[j]), j));
            self.schedules += 1;
            if self.decoder.decode(&self.mirror, &order).is_none() {
                break;
            }
            let right: Vec<i64> = (0..n)
                .map(|j| horizon - self.decoder.starts[j] - self.model.durations[j])
                .collect();
            // Left justification: forward decode in order of increasing start.
            order.sort_by_key(|&j| (right[j], j));
            self.schedules += 1;
            let Some(left_makespan) = self.decoder.decode(self.model, &order) else {
                break;
            };
            let left_cost = self.objective.cost(&self.decoder.starts);
            if left_cost < cost {
                cost = left_cost;
                starts.clone_from(&self.decoder.starts);
                horizon = left_makespan;
            } else {
                break;
            }
        }
        let mut list = list;
        list.sort_by_key(|&j| (starts[j], j));
        self.note_cost(cost);
        Some(Individual { list, starts, cost })
    }
}

fn keep_best(best: &mut Option<Individual>, ind: &Individual) {
    if best.as_ref().is_none_or(|b| ind.cost < b.cost) {
        *best = Some(ind.clone());
    }
}

/// The order lists must keep: arcs between different strongly connected groups of the lag
/// network. Order inside a group is free (the decoder repairs it).
struct GroupOrder {
    preds: Vec<Vec<usize>>,
    succs: Vec<Vec<usize>>,
    group: Vec<usize>,
    groups: Vec<Vec<usize>>,
}

/// The group order of a model's lag network.
fn group_order(model: &Model) -> GroupOrder {
    let n = model.len();
    let mut graph = DiGraph::<(), ()>::with_capacity(n, 0);
    let nodes: Vec<_> = (0..n).map(|_| graph.add_node(())).collect();
    for (u, arcs) in model.out.iter().enumerate() {
        for &(v, _) in arcs {
            graph.add_edge(nodes[u], nodes[v], ());
        }
    }
    let mut group = vec![0; n];
    let groups: Vec<Vec<usize>> = petgraph::algo::tarjan_scc(&graph)
        .into_iter()
        .map(|scc| {
            scc.into_iter()
                .map(petgraph::graph::NodeIndex::index)
                .collect()
        })
        .collect();
    for (g, members) in groups.iter().enumerate() {
        for &j in members {
            group[j] = g;
        }
    }
    let mut preds = vec![Vec::new(); n];
    let mut succs = vec![Vec::new(); n];
    for (u, arcs) in model.out.iter().enumerate() {
        for &(v, _) in arcs {
            if group[u] != group[v] && !succs[u].contains(&v) {
                succs[u].push(v);
                preds[v].push(u);
            }
        }
    }
    GroupOrder {
        preds,
        succs,
        group,
        groups,
    }
}
