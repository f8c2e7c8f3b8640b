//! Precedences between activities: the finish-to-start helper every rule uses (an edge
//! is added once per pair and reason) and the user's custom precedences.
//!
//! * **Custom precedences**: each [`ExtraPrecedence`](crate::city::network::ExtraPrecedence)
//!   names two activities by id; `to` starts at least `gap_days` (and at most
//!   `max_gap_days`, if given) after `from` ends. An unknown id is an error naming it; a
//!   custom precedence closing a loop is reported as a cycle when the network is checked.

use super::Builder;
use crate::city::network::{NetworkError, Precedence, PrecedenceReason};

impl Builder<'_> {
    /// Finish-to-start: `to` starts at least `gap` days after `from` ends, and at most
    /// `max_gap` days after, if given.
    pub(super) fn fs(
        &mut self,
        from: usize,
        to: usize,
        gap: i64,
        max_gap: Option<i64>,
        reason: PrecedenceReason,
    ) {
        if !self.edge_set.insert((from, to, reason)) {
            return;
        }
        let d = i64::from(self.activities[from].duration_days);
        self.precedences.push(Precedence {
            from,
            to,
            min_lag: d + gap,
            max_lag: max_gap.map(|g| d + g),
            reason,
        });
    }

    /// Adds the user's precedences, after every other activity and rule.
    pub(super) fn add_custom(&mut self) -> Result<(), NetworkError> {
        for (k, p) in self.inputs.precedences.iter().enumerate() {
            let find = |id: &str| {
                self.ids
                    .get(id)
                    .copied()
                    .ok_or_else(|| NetworkError::UnknownActivity {
                        context: format!("precedence {k}"),
                        activity: id.to_owned(),
                    })
            };
            let from = find(&p.from)?;
            let to = find(&p.to)?;
            self.fs(
                from,
                to,
                p.gap_days,
                p.max_gap_days,
                PrecedenceReason::Custom,
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::city::network::testkit::{PlanBuilder, date};
    use crate::city::network::{ExtraPrecedence, Network, NetworkError, NetworkInputs, Templates};
    use geodata::plan::{Trade, Utility};

    #[test]
    fn a_custom_precedence_closing_a_loop_is_a_cycle_error_naming_every_activity_in_it() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .pipe("w1", Utility::Water, 10, 100.0, None)
            .trade("r1", Trade::Roofing, 5, None)
            .build();
        let p = |from: &str, to: &str| ExtraPrecedence {
            from: from.into(),
            to: to.into(),
            gap_days: 0,
            max_gap_days: None,
        };
        let inputs = NetworkInputs {
            precedences: vec![p("w1/test", "r1/roofing"), p("r1/roofing", "w1/lay")],
            ..NetworkInputs::default()
        };
        let err = Network::build(&plan, &inputs, &Templates::default()).expect_err("cyclic");
        let NetworkError::Cycle { activities } = err else {
            panic!("expected a cycle, got {err:?}")
        };
        let mut sorted = activities.clone();
        sorted.sort();
        assert_eq!(sorted, ["r1/roofing", "w1/lay", "w1/test"]);
        // In order: each precedes the next, cyclically.
        let pos = activities
            .iter()
            .position(|a| a == "w1/lay")
            .expect("lay in cycle");
        assert_eq!(activities[(pos + 1) % 3], "w1/test");
        assert_eq!(activities[(pos + 2) % 3], "r1/roofing");

        let unknown = NetworkInputs {
            precedences: vec![p("w1/test", "x/lay")],
            ..NetworkInputs::default()
        };
        assert!(matches!(
            Network::build(&plan, &unknown, &Templates::default()),
            Err(NetworkError::UnknownActivity { activity, .. }) if activity == "x/lay"
        ));
        let self_loop = NetworkInputs {
            precedences: vec![p("r1/roofing", "r1/roofing")],
            ..NetworkInputs::default()
        };
        assert_eq!(
            Network::build(&plan, &self_loop, &Templates::default()),
            Err(NetworkError::Cycle {
                activities: vec!["r1/roofing".into()]
            })
        );
    }
}
