//! The weighted objective of a schedule: hard lateness, open spans, soft lateness and
//! makespan, evaluated from start days.

use serde::{Deserialize, Serialize};

use crate::engine::problem::{OpenSpan, Problem, SoftDue, Weights};

/// The unweighted value of each objective term.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Terms {
    /// Sum over activities of days past their hard deadline.
    pub hard_lateness: i64,
    /// Sum over open spans of `weight * (S_last + d_last - S_first)`.
    pub open_span: f64,
    /// Sum over soft due dates of `weight * days late`.
    pub soft_lateness: f64,
    /// Finish day of the last activity.
    pub makespan: i64,
}

impl Terms {
    /// The weighted total.
    #[must_use]
    #[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
    pub fn cost(&self, w: &Weights) -> f64 {
        w.hard_lateness * self.hard_lateness as f64
            + w.open_span * self.open_span
            + w.soft_lateness * self.soft_lateness
            + w.makespan * self.makespan as f64
    }
}

/// What the objective needs from a problem, by activity index.
#[derive(Debug, Clone)]
pub struct Objective {
    durations: Vec<i64>,
    deadlines: Vec<Option<i64>>,
    dues: Vec<Option<SoftDue>>,
    spans: Vec<OpenSpan>,
    /// The weights applied.
    pub weights: Weights,
}

impl Objective {
    /// The objective of a problem.
    #[must_use]
    pub fn from_problem(problem: &Problem) -> Self {
        Self {
            durations: problem
                .activities
                .iter()
                .map(|a| i64::from(a.duration))
                .collect(),
            deadlines: problem.activities.iter().map(|a| a.deadline).collect(),
            dues: problem.activities.iter().map(|a| a.due).collect(),
            spans: problem.open_spans.clone(),
            weights: problem.weights,
        }
    }

    /// Whether only the makespan (and hard lateness) matter, so that a makespan equal to
    /// its lower bound without lateness is optimal.
    #[must_use]
    pub fn is_makespan_only(&self) -> bool {
        let no_spans = self.spans.is_empty() || self.weights.open_span == 0.0;
        let no_dues = self.dues.iter().all(Option::is_none) || self.weights.soft_lateness == 0.0;
        no_spans && no_dues
    }

    /// The terms of a schedule given by its start days.
    #[must_use]
    #[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
    pub fn terms(&self, starts: &[i64]) -> Terms {
        let mut t = Terms::default();
        for (j, &s) in starts.iter().enumerate() {
            let finish = s + self.durations[j];
            t.makespan = t.makespan.max(finish);
            if let Some(deadline) = self.deadlines[j] {
                t.hard_lateness += (finish - deadline).max(0);
            }
            if let Some(due) = self.dues[j] {
                t.soft_lateness += due.weight * (finish - due.day).max(0) as f64;
            }
        }
        for span in &self.spans {
            let open = starts[span.last] + self.durations[span.last] - starts[span.first];
            t.open_span += span.weight * open as f64;
        }
        t
    }

    /// Days by which activity `j` started at `start` finishes after its hard deadline plus
    /// days after its soft due date: what the squeaky-wheel search blames it for.
    #[must_use]
    pub fn late_days(&self, j: usize, start: i64) -> i64 {
        let finish = start + self.durations[j];
        let hard = self.deadlines[j].map_or(0, |d| (finish - d).max(0));
        let soft = self.dues[j].map_or(0, |due| (finish - due.day).max(0));
        hard + soft
    }

    /// The weighted cost of a schedule.
    #[must_use]
    pub fn cost(&self, starts: &[i64]) -> f64 {
        self.terms(starts).cost(&self.weights)
    }

    /// A lower bound on every term over all schedules of the problem, from `calendar`
    /// (the least start of every activity under lags, releases and windows alone: no
    /// schedule starts any activity earlier), `span_lengths` (the least length of each open
    /// span under the lags) and `makespan` (a lower bound on the makespan).
    #[must_use]
    #[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
    pub fn lower_bound(&self, calendar: &[i64], span_lengths: &[i64], makespan: i64) -> Terms {
        let mut t = self.terms(calendar);
        t.makespan = t.makespan.max(makespan);
        t.open_span = self
            .spans
            .iter()
            .zip(span_lengths)
            .map(|(span, &len)| span.weight * len.max(0) as f64)
            .sum();
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::problem::Activity;

    #[test]
    fn terms_count_lateness_spans_and_makespan() {
        let mut p = Problem::default();
        let mut a = Activity::new("dig", 2);
        a.deadline = Some(1);
        let mut b = Activity::new("backfill", 1);
        b.due = Some(SoftDue {
            day: 3,
            weight: 2.0,
        });
        p.activities = vec![a, b];
        p.open_spans.push(OpenSpan::new(0, 1, 10.0));
        let obj = Objective::from_problem(&p);
        let t = obj.terms(&[0, 4]);
        assert_eq!(t.hard_lateness, 1);
        assert!((t.soft_lateness - 4.0).abs() < 1e-9);
        assert!((t.open_span - 50.0).abs() < 1e-9);
        assert_eq!(t.makespan, 5);
        assert!(!obj.is_makespan_only());
    }
}
