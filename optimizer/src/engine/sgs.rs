//! The serial schedule-generation scheme: decodes an activity list into start days.
//!
//! Activities are placed one by one in list order at the earliest day that respects the
//! lags to already placed activities, the per-day resource profile and the forbidden
//! windows. Maximum lags (and minimum lags against activities placed later in the list)
//! become upper bounds on a start; when an activity cannot be placed below such a bound, the
//! activity that imposes it gets a raised release; it and every placed activity reachable
//! from it by arcs (whose starts it may have pushed) are undone and placed again, in list
//! order, before the list moves on ("unschedule and repair", after Franck, Neumann and
//! Schwindt 2001, restricted to the activities the raised start can affect so that a
//! repair costs what it touches, not the length of the list).
//! The number of repairs is capped; a list that exceeds it is rejected, never a wrong
//! schedule.
//!
//! An open span that holds resources (a trench holding its district's quota from the
//! excavation's start to the restoration's end) is reserved when its first activity is
//! placed, for the shortest length its lags allow, and stretched to its real end when its
//! last activity is placed. If the stretch does not fit, the first activity gets a release
//! after the full day and is placed again with everything it pushed, like a maximum lag. Hard deadlines are not bounds here: the search treats them as heavily
//! penalised soft deadlines so that an infeasible plan still yields its least-late schedule.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::engine::problem::Problem;
use crate::engine::temporal::Network;

/// The decoding view of a problem: durations, demands, arcs, bounds and windows by index.
#[derive(Debug, Clone)]
pub struct Model {
    /// Duration of each activity.
    pub durations: Vec<i64>,
    /// Positive demands of each activity: `(resource, units)`.
    pub demands: Vec<Vec<(usize, u32)>>,
    /// Capacity of each resource per day.
    pub capacity: Vec<u32>,
    /// Arcs by tail: `out[u] = [(v, w)]` means `S_v >= S_u + w`.
    pub out: Vec<Vec<(usize, i64)>>,
    /// Arcs by head: `inc[v] = [(u, w)]`.
    pub inc: Vec<Vec<(usize, i64)>>,
    /// Earliest start of each activity.
    pub release: Vec<i64>,
    /// Hard latest start of each activity, if any.
    pub latest: Vec<Option<i64>>,
    /// Forbidden windows `[a, b)` of each activity.
    pub windows: Vec<Vec<(i64, i64)>>,
    /// Open spans that hold resources.
    pub spans: Vec<SpanHold>,
    /// `opens[j]`: the spans activity `j` opens (its start is theirs).
    pub opens: Vec<Vec<usize>>,
    /// `closes[j]`: the spans activity `j` closes (its finish is theirs).
    pub closes: Vec<Vec<usize>>,
}

/// An open span that holds resources on every day from its first activity's start to its
/// last activity's finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanHold {
    /// The activity whose start opens it.
    pub first: usize,
    /// The activity whose finish closes it.
    pub last: usize,
    /// Units held per day: `(resource, units)`.
    pub demands: Vec<(usize, u32)>,
    /// Its shortest length under the lags (at least the last activity's duration): what is
    /// reserved until the last activity is placed.
    pub min_len: i64,
}

impl Model {
    /// The forward decoding model of a problem.
    #[must_use]
    pub fn from_problem(problem: &Problem, network: &Network) -> Self {
        let n = problem.activities.len();
        let mut demands = vec![Vec::new(); n];
        for (j, a) in problem.activities.iter().enumerate() {
            if a.duration == 0 {
                continue;
            }
            for r in 0..problem.resources.len() {
                let units = problem.demand(j, r);
                if units > 0 {
                    demands[j].push((r, units));
                }
            }
        }
        let durations: Vec<i64> = problem
            .activities
            .iter()
            .map(|a| i64::from(a.duration))
            .collect();
        let spans: Vec<SpanHold> = problem
            .open_spans
            .iter()
            .filter(|s| s.demands.iter().any(|&(_, u)| u > 0))
            .map(|s| SpanHold {
                first: s.first,
                last: s.last,
                demands: s.demands.iter().copied().filter(|&(_, u)| u > 0).collect(),
                min_len: shortest_span(network, &durations, s.first, s.last)
                    .unwrap_or(0)
                    .max(durations[s.last])
                    .max(1),
            })
            .collect();
        let (opens, closes) = span_index(n, &spans);
        Self {
            durations,
            demands,
            capacity: problem.resources.iter().map(|r| r.capacity).collect(),
            out: network.out.clone(),
            inc: network.inc.clone(),
            release: problem.activities.iter().map(|a| a.release).collect(),
            latest: vec![None; n],
            windows: problem
                .activities
                .iter()
                .map(|a| {
                    if a.duration == 0 {
                        Vec::new()
                    } else {
                        a.forbidden.iter().map(|w| (w.start, w.end)).collect()
                    }
                })
                .collect(),
            spans,
            opens,
            closes,
        }
    }

    /// Drops every resource demand, the spans' holds included: the model of lags,
    /// releases and windows alone.
    pub fn without_resources(&mut self) {
        for demands in &mut self.demands {
            demands.clear();
        }
        self.spans.clear();
        for spans in self.opens.iter_mut().chain(self.closes.iter_mut()) {
            spans.clear();
        }
    }

    /// Number of activities.
    #[must_use]
    pub fn len(&self) -> usize {
        self.durations.len()
    }

    /// The time-mirrored model for horizon `horizon`: start `S'_j = horizon - S_j - d_j`.
    /// Arc `u -> v` of weight `w` becomes `v -> u` of weight `w + d_v - d_u`; releases
    /// become hard latest starts and windows are mirrored.
    #[must_use]
    pub fn mirrored(&self, horizon: i64) -> Self {
        let n = self.len();
        let mut out = vec![Vec::new(); n];
        let mut inc = vec![Vec::new(); n];
        for (u, arcs) in self.out.iter().enumerate() {
            for &(v, w) in arcs {
                let lag = w + self.durations[v] - self.durations[u];
                out[v].push((u, lag));
                inc[u].push((v, lag));
            }
        }
        // Mirrored, a span opens at its last activity and closes at its first.
        let spans: Vec<SpanHold> = self
            .spans
            .iter()
            .map(|s| SpanHold {
                first: s.last,
                last: s.first,
                ..s.clone()
            })
            .collect();
        let mut mirror = Self {
            durations: self.durations.clone(),
            demands: self.demands.clone(),
            capacity: self.capacity.clone(),
            out,
            inc,
            release: vec![0; n],
            latest: vec![None; n],
            windows: vec![Vec::new(); n],
            opens: self.closes.clone(),
            closes: self.opens.clone(),
            spans,
        };
        mirror.set_mirror_horizon(self, horizon);
        mirror
    }

    /// Re-targets a mirrored model to another horizon without rebuilding its arcs.
    pub fn set_mirror_horizon(&mut self, forward: &Self, horizon: i64) {
        for j in 0..self.len() {
            let d = forward.durations[j];
            self.release[j] = 0;
            self.latest[j] = Some(horizon - forward.release[j] - d);
            self.windows[j].clear();
            self.windows[j].extend(
                forward.windows[j]
                    .iter()
                    .map(|&(a, b)| (horizon - b, horizon - a)),
            );
        }
    }
}

/// Units to hold on the days `[from, to)`.
struct Need<'a> {
    demands: &'a [(usize, u32)],
    from: i64,
    to: i64,
}

impl Need<'_> {
    fn is_held(&self) -> bool {
        !self.demands.is_empty() && self.from < self.to
    }
}

/// The spans each activity opens and closes.
fn span_index(n: usize, spans: &[SpanHold]) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let mut opens = vec![Vec::new(); n];
    let mut closes = vec![Vec::new(); n];
    for (k, s) in spans.iter().enumerate() {
        opens[s.first].push(k);
        closes[s.last].push(k);
    }
    (opens, closes)
}

/// Most activities searched for the shortest path of one span (a trench's steps are a
/// handful; a span whose path runs further is reserved for its last activity's duration
/// only and stretched when that activity is placed, and bounded from below by nothing).
const SPAN_SEARCH_LIMIT: usize = 64;

/// The shortest length of a span: the longest chain of minimum lags from `first` to
/// `last` plus `last`'s duration, found among the activities near `first`; `None` when no
/// chain is found there (then nothing bounds the span from below).
#[must_use]
pub fn shortest_span(
    network: &Network,
    durations: &[i64],
    first: usize,
    last: usize,
) -> Option<i64> {
    if first == last {
        return Some(durations[last]);
    }
    let mut dist: std::collections::HashMap<usize, i64> = std::collections::HashMap::new();
    dist.insert(first, 0);
    let mut queue = std::collections::VecDeque::from([first]);
    let mut visits = 0;
    while let Some(u) = queue.pop_front() {
        visits += 1;
        if visits > SPAN_SEARCH_LIMIT {
            break;
        }
        let du = dist[&u];
        for &(v, w) in &network.out[u] {
            if w < 0 {
                continue;
            }
            let candidate = du + w;
            if dist.get(&v).is_none_or(|&d| candidate > d) {
                dist.insert(v, candidate);
                queue.push_back(v);
            }
        }
    }
    dist.get(&last).map(|d| d + durations[last])
}

/// Reusable buffers of the serial SGS.
#[derive(Debug, Clone, Default)]
pub struct Decoder {
    usage: Vec<u32>,
    resources: usize,
    scheduled: Vec<bool>,
    position: Vec<usize>,
    raised: Vec<i64>,
    reopened: BinaryHeap<Reverse<usize>>,
    stack: Vec<usize>,
    /// Days `[from, to)` each span currently holds, when its first activity is placed.
    held: Vec<Option<(i64, i64)>>,
    /// Start of each activity after the last successful decode.
    pub starts: Vec<i64>,
    /// Number of unschedule-and-repair steps in the last decode.
    pub repairs: usize,
}

impl Decoder {
    /// Decodes `list` (every activity exactly once) with the serial SGS into
    /// [`Decoder::starts`]; returns the makespan, or `None` if the list cannot be decoded
    /// within the repair cap or a hard latest start cannot hold.
    ///
    /// # Complexity
    /// `O(n * (m + d * r))` per pass without repairs, `d` the longest duration.
    #[expect(
        clippy::many_single_char_names,
        reason = "n, p, j, t, v, w follow the scheduling literature"
    )]
    pub fn decode(&mut self, model: &Model, list: &[usize]) -> Option<i64> {
        let n = model.len();
        self.resources = model.capacity.len();
        self.usage.clear();
        self.scheduled.clear();
        self.scheduled.resize(n, false);
        self.position.clear();
        self.position.resize(n, 0);
        for (p, &j) in list.iter().enumerate() {
            self.position[j] = p;
        }
        self.raised.clear();
        self.raised.extend_from_slice(&model.release);
        self.starts.clear();
        self.starts.resize(n, 0);
        self.held.clear();
        self.held.resize(model.spans.len(), None);
        self.reopened.clear();
        self.repairs = 0;
        let repair_cap = 4 * n + 64;
        let mut next = 0;
        loop {
            // Undone activities go first, in list order, before the list moves on.
            let p = match self.reopened.pop() {
                Some(Reverse(q)) => q,
                None if next < list.len() => {
                    next += 1;
                    next - 1
                }
                None => break,
            };
            let j = list[p];
            let mut earliest = self.raised[j];
            for &(u, w) in &model.inc[j] {
                if self.scheduled[u] {
                    earliest = earliest.max(self.starts[u] + w);
                }
            }
            let mut bound = i64::MAX;
            let mut culprit = None;
            for &(v, w) in &model.out[j] {
                if self.scheduled[v] && self.starts[v] - w < bound {
                    bound = self.starts[v] - w;
                    culprit = Some((v, w));
                }
            }
            let t = self.earliest_fit(model, j, earliest);
            if let Some(hard) = model.latest[j]
                && t > hard
            {
                return None;
            }
            // The activity to start later, and the day it may start at the earliest.
            let repair = if t > bound {
                let (v, w) = culprit?;
                Some((v, t + w))
            } else {
                // A span `j` closes must stretch to its finish; when a day of the stretch
                // is full, the span opens after that day.
                self.stretch_clash(model, j, t)
                    .map(|(first, day)| (first, day + 1))
            };
            if let Some((v, release)) = repair {
                self.repairs += 1;
                if self.repairs > repair_cap {
                    return None;
                }
                self.raised[v] = self.raised[v].max(release);
                self.reopened.push(Reverse(p));
                self.undo_from(model, v);
                continue;
            }
            self.place(model, j, t);
        }
        Some(
            (0..n)
                .map(|j| self.starts[j] + model.durations[j])
                .max()
                .unwrap_or(0),
        )
    }

    /// Undoes `v` and every placed activity whose start a chain of arcs from `v` may have
    /// pushed, queueing them to be placed again. Activities that only shared a resource
    /// with them stay: freeing capacity never invalidates a placement.
    ///
    /// # Complexity
    /// Linear in the undone activities and their arcs.
    fn undo_from(&mut self, model: &Model, v: usize) {
        self.stack.clear();
        self.stack.push(v);
        self.unplace(model, v);
        self.reopened.push(Reverse(self.position[v]));
        while let Some(u) = self.stack.pop() {
            for &(k, _) in &model.out[u] {
                if self.scheduled[k] {
                    self.unplace(model, k);
                    self.reopened.push(Reverse(self.position[k]));
                    self.stack.push(k);
                }
            }
        }
    }

    fn ensure(&mut self, end: i64) {
        let days = usize::try_from(end).unwrap_or(0);
        if self.usage.len() < days * self.resources {
            self.usage.resize(days * self.resources, 0);
        }
    }

    /// The last day on which the holds `needs` (each `demands` on `[from, to)`) do not fit
    /// together next to what is placed.
    fn last_clash(&mut self, model: &Model, needs: &[Need<'_>]) -> Option<i64> {
        if let [need] = needs {
            return self.last_clash_alone(model, need);
        }
        let from = needs.iter().filter(|n| n.is_held()).map(|n| n.from).min()?;
        let to = needs.iter().filter(|n| n.is_held()).map(|n| n.to).max()?;
        self.ensure(to);
        let r_count = self.resources;
        let mut day = to - 1;
        while day >= from {
            let base = usize::try_from(day).unwrap_or(0) * r_count;
            let covering = needs
                .iter()
                .filter(|n| n.is_held() && n.from <= day && day < n.to);
            for need in covering.clone() {
                for &(r, _) in need.demands {
                    let total: u32 = covering
                        .clone()
                        .flat_map(|n| n.demands.iter())
                        .filter(|&&(q, _)| q == r)
                        .map(|&(_, u)| u)
                        .sum();
                    if self.usage[base + r] + total > model.capacity[r] {
                        return Some(day);
                    }
                }
            }
            day -= 1;
        }
        None
    }

    /// [`Self::last_clash`] for one hold (an activity that opens no span): the hot path.
    fn last_clash_alone(&mut self, model: &Model, need: &Need<'_>) -> Option<i64> {
        if !need.is_held() {
            return None;
        }
        self.ensure(need.to);
        let r_count = self.resources;
        let mut day = need.to - 1;
        while day >= need.from {
            let base = usize::try_from(day).unwrap_or(0) * r_count;
            if need
                .demands
                .iter()
                .any(|&(r, u)| self.usage[base + r] + u > model.capacity[r])
            {
                return Some(day);
            }
            day -= 1;
        }
        None
    }

    /// Where span `k` ends if its first activity starts on `t`: its last activity's finish
    /// when that is placed, else its shortest length later.
    fn span_end(&self, model: &Model, k: usize, t: i64) -> i64 {
        let span = &model.spans[k];
        if span.last != span.first && self.scheduled[span.last] {
            self.starts[span.last] + model.durations[span.last]
        } else {
            t + span.min_len
        }
    }

    fn earliest_fit(&mut self, model: &Model, j: usize, from: i64) -> i64 {
        let d = model.durations[j];
        let mut t = from.max(0);
        'search: loop {
            for &(a, b) in &model.windows[j] {
                if t < b && t + d > a {
                    t = b;
                    continue 'search;
                }
            }
            let own = Need {
                demands: &model.demands[j],
                from: t,
                to: t + d,
            };
            if model.opens[j].is_empty() {
                if let Some(day) = self.last_clash_alone(model, &own) {
                    t = day + 1;
                    continue 'search;
                }
                return t;
            }
            let mut needs = vec![own];
            for &k in &model.opens[j] {
                needs.push(Need {
                    demands: &model.spans[k].demands,
                    from: t,
                    to: self.span_end(model, k, t),
                });
            }
            if let Some(day) = self.last_clash(model, &needs) {
                t = day + 1;
                continue 'search;
            }
            return t;
        }
    }

    /// For a span `j` would close by starting on `t`: its first activity and the last
    /// full day of the stretch beyond what the span holds now, if any.
    fn stretch_clash(&mut self, model: &Model, j: usize, t: i64) -> Option<(usize, i64)> {
        let end = t + model.durations[j];
        for &k in &model.closes[j] {
            let Some((_, held_to)) = self.held[k] else {
                continue;
            };
            let needs = [
                Need {
                    demands: &model.demands[j],
                    from: t.max(held_to),
                    to: end,
                },
                Need {
                    demands: &model.spans[k].demands,
                    from: held_to,
                    to: end,
                },
            ];
            if let Some(day) = self.last_clash(model, &needs) {
                return Some((model.spans[k].first, day));
            }
        }
        None
    }

    /// Adds (`sign` = 1) or removes (`sign` = -1) `demands` on the days `[from, to)`.
    fn book(&mut self, demands: &[(usize, u32)], from: i64, to: i64, sign: i8) {
        if demands.is_empty() || to <= from {
            return;
        }
        self.ensure(to);
        for day in from.max(0)..to {
            let base = usize::try_from(day).unwrap_or(0) * self.resources;
            for &(r, u) in demands {
                if sign > 0 {
                    self.usage[base + r] += u;
                } else {
                    self.usage[base + r] -= u;
                }
            }
        }
    }

    fn place(&mut self, model: &Model, j: usize, t: i64) {
        self.starts[j] = t;
        self.scheduled[j] = true;
        let end = t + model.durations[j];
        self.book(&model.demands[j], t, end, 1);
        for &k in &model.opens[j] {
            let to = self.span_end(model, k, t).max(t);
            self.book(&model.spans[k].demands, t, to, 1);
            self.held[k] = Some((t, to));
        }
        for &k in &model.closes[j] {
            if let Some((from, held_to)) = self.held[k] {
                self.resize_span(model, k, from, held_to, end.max(from));
            }
        }
    }

    /// Moves the end of span `k`'s holding from `held_to` to `to`.
    fn resize_span(&mut self, model: &Model, k: usize, from: i64, held_to: i64, to: i64) {
        let demands = &model.spans[k].demands;
        if to > held_to {
            self.book(demands, held_to, to, 1);
        } else {
            self.book(demands, to, held_to, -1);
        }
        self.held[k] = Some((from, to));
    }

    fn unplace(&mut self, model: &Model, j: usize) {
        if !self.scheduled[j] {
            return;
        }
        self.scheduled[j] = false;
        let t = self.starts[j];
        self.book(&model.demands[j], t, t + model.durations[j], -1);
        for &k in &model.opens[j] {
            if let Some((from, to)) = self.held[k].take() {
                self.book(&model.spans[k].demands, from, to, -1);
            }
        }
        for &k in &model.closes[j] {
            // Back to the shortest length, never longer than held: freeing is always safe.
            if let Some((from, held_to)) = self.held[k] {
                let to = held_to.min(from + model.spans[k].min_len);
                self.resize_span(model, k, from, held_to, to);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::problem::{Activity, Resource, Window};

    fn two_on_one_crew() -> Problem {
        let mut p = Problem {
            resources: vec![Resource {
                name: "crew".into(),
                capacity: 1,
            }],
            ..Problem::default()
        };
        for name in ["a", "b"] {
            let mut a = Activity::new(name, 3);
            a.demands.push((0, 1));
            p.activities.push(a);
        }
        p
    }

    #[test]
    fn serial_sgs_serialises_a_single_crew() {
        let p = two_on_one_crew();
        let model = Model::from_problem(&p, &Network::from_problem(&p));
        let mut dec = Decoder::default();
        assert_eq!(dec.decode(&model, &[1, 0]), Some(6));
        assert_eq!(dec.starts, vec![3, 0]);
    }

    #[test]
    fn serial_sgs_skips_forbidden_windows() {
        let mut p = two_on_one_crew();
        p.activities[0].forbidden.push(Window { start: 2, end: 5 });
        let model = Model::from_problem(&p, &Network::from_problem(&p));
        let mut dec = Decoder::default();
        assert_eq!(dec.decode(&model, &[0, 1]), Some(8));
        assert_eq!(dec.starts, vec![5, 0]);
    }

    #[test]
    fn synchronised_activities_are_repaired_to_start_together() {
        let mut p = two_on_one_crew();
        p.resources[0].capacity = 3;
        p.activities.push(Activity::new("c", 2));
        p.activities[2].demands.push((0, 1));
        p.activities[1].demands[0].1 = 2;
        // c holds one unit on days 0-1, so b (two units) cannot start with a on day 0
        // a must be pushed back to day 2 by a repair.
        p.synchronise(0, 1);
        let model = Model::from_problem(&p, &Network::from_problem(&p));
        let mut dec = Decoder::default();
        let makespan = dec.decode(&model, &[2, 0, 1]);
        assert_eq!(makespan, Some(5));
        assert_eq!(dec.starts[0], dec.starts[1]);
        assert!(dec.repairs > 0);
    }

    #[test]
    fn mirrored_model_reverses_lags() {
        let mut p = two_on_one_crew();
        p.precede(0, 1);
        let model = Model::from_problem(&p, &Network::from_problem(&p));
        let mirror = model.mirrored(10);
        // a -> b with lag 3 becomes b -> a with lag 3 + 3 - 3.
        assert_eq!(mirror.out[1], vec![(0, 3)]);
        assert_eq!(mirror.latest[0], Some(7));
    }
}
