//! Shared trenches: several utilities' works dug, backfilled and restored once.
//!
//! * **Shared trench**: one `t/excavate`, `t/backfill`, `t/restore` for all its works, each
//!   as long as the longest member's own step (the joint trench is dug once along the
//!   shared stretch, `metres` = trench length) and done by crews of the *lead* (first-listed)
//!   work's utility. Each work's `w/lay` → `w/test` sits between the shared excavate and
//!   backfill; the backfill must start within the backfill gap after *every* member's test,
//!   which keeps the members synchronised.
//! * A trench lists at least one work, all pipeline works, each in no other trench; its
//!   length is finite and non-negative.

use std::collections::HashMap;

use geodata::plan::{Discipline, Work};

use super::Builder;
use super::work::WorkNodes;
use crate::city::network::template::split_days;
use crate::city::network::{ActivityKind, NetworkError, PrecedenceReason};

impl<'a> Builder<'a> {
    /// Checks every trench; returns the trench of each work in one.
    pub(super) fn check_trenches(&self) -> Result<HashMap<&'a str, &'a str>, NetworkError> {
        let mut trench_of: HashMap<&str, &str> = HashMap::new();
        for t in &self.inputs.trenches {
            if t.works.is_empty() {
                return Err(NetworkError::EmptyTrench {
                    trench: t.id.clone(),
                });
            }
            if !(t.length_m.is_finite() && t.length_m >= 0.0) {
                return Err(NetworkError::InvalidNumber {
                    context: format!("trench `{}`", t.id),
                    quantity: "length_m",
                    value: t.length_m,
                });
            }
            for w in &t.works {
                let work = self.work(w).ok_or_else(|| NetworkError::UnknownWork {
                    context: format!("trench `{}`", t.id),
                    work: w.clone(),
                })?;
                if !matches!(work.discipline, Discipline::Utility(_)) {
                    return Err(NetworkError::NotAPipelineWork {
                        trench: t.id.clone(),
                        work: w.clone(),
                    });
                }
                if let Some(first) = trench_of.insert(work.id.as_str(), t.id.as_str()) {
                    return Err(NetworkError::WorkInSeveralTrenches {
                        work: w.clone(),
                        first: first.to_owned(),
                        second: t.id.clone(),
                    });
                }
            }
        }
        Ok(trench_of)
    }

    /// A work's own five step durations, as if it were dug alone.
    fn pipeline_split(&self, w: &Work) -> Vec<u32> {
        let total = self.facts.get(w.id.as_str()).map_or(1, |f| f.total_days);
        split_days(total, &self.templates.pipeline_shares)
    }

    /// Adds every shared trench: its three shared steps and each member's lay and test.
    pub(super) fn add_trenches(&mut self) -> Result<(), NetworkError> {
        for t in &self.inputs.trenches {
            let works: Vec<&Work> = t.works.iter().filter_map(|w| self.work(w)).collect();
            let Some(lead) = works.first() else {
                return Err(NetworkError::EmptyTrench {
                    trench: t.id.clone(),
                });
            };
            let discipline = lead.discipline;
            let splits: Vec<Vec<u32>> = works.iter().map(|w| self.pipeline_split(w)).collect();
            let step = |k: usize| splits.iter().map(|s| s[k]).max().unwrap_or(1);
            let release = self.release_of(&works);
            let heating = self.shared_excavation_windows(&works);
            let exc = self.add_activity(
                &t.id,
                ActivityKind::Excavate,
                &works,
                discipline,
                step(0),
                t.length_m,
                &heating,
                release,
            )?;
            let moratoria = self.moratoria_for(&works);
            self.add_moratoria(exc, moratoria);
            let bf = self.add_activity(
                &t.id,
                ActivityKind::Backfill,
                &works,
                discipline,
                step(3),
                t.length_m,
                &[],
                release,
            )?;
            let rest = self.add_activity(
                &t.id,
                ActivityKind::Restore,
                &works,
                discipline,
                step(4),
                t.length_m,
                &[],
                release,
            )?;
            for i in [exc, bf, rest] {
                self.activities[i].trench = Some(t.id.clone());
            }
            for (w, split) in works.iter().zip(&splits) {
                let facts_release = self.release_of(&[w]);
                let len = self.facts.get(w.id.as_str()).map_or(0.0, |f| f.length_m);
                let lay = self.add_activity(
                    &w.id,
                    ActivityKind::Lay,
                    &[w],
                    w.discipline,
                    split[1],
                    len,
                    &[],
                    facts_release,
                )?;
                let test = self.add_activity(
                    &w.id,
                    ActivityKind::Test,
                    &[w],
                    w.discipline,
                    split[2],
                    len,
                    &[],
                    facts_release,
                )?;
                self.activities[lay].trench = Some(t.id.clone());
                self.activities[test].trench = Some(t.id.clone());
                self.fs(exc, lay, 0, None, PrecedenceReason::SharedTrench);
                self.fs(lay, test, 0, None, PrecedenceReason::Template);
                self.fs(
                    test,
                    bf,
                    0,
                    Some(self.templates.backfill_max_gap_days),
                    PrecedenceReason::SharedTrench,
                );
                if let Some(d) = self.work_deadline(w) {
                    self.activities[rest].deadlines.push(d);
                }
                self.nodes.insert(
                    w.id.as_str(),
                    WorkNodes {
                        first: exc,
                        last: rest,
                        lay: Some(lay),
                        retrofit: None,
                        connect: None,
                    },
                );
            }
            let gap = self.restore_gap(&works);
            self.fs(bf, rest, 0, Some(gap), PrecedenceReason::Template);
            self.push_excavation(&t.id, true, exc, rest, t.length_m, &works);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::city::network::build::probe::{build, edge, finishes_before};
    use crate::city::network::testkit::{PlanBuilder, date};
    use crate::city::network::{
        ActivityKind, Network, NetworkError, NetworkInputs, PrecedenceReason, Templates,
        TrenchGroup,
    };
    use geodata::plan::{Discipline, Trade, Utility};

    #[test]
    fn a_shared_trench_of_three_works_is_dug_backfilled_and_restored_once() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .pipe("w1", Utility::Water, 20, 300.0, None)
            .pipe("w2", Utility::Telecom, 10, 300.0, None)
            .pipe("w3", Utility::Power, 30, 300.0, None)
            .with_work("w2", |w| w.earliest = Some(date(2027, 4, 11)))
            .build();
        let inputs = NetworkInputs {
            trenches: vec![TrenchGroup {
                id: "t1".into(),
                works: vec!["w1".into(), "w2".into(), "w3".into()],
                length_m: 280.0,
            }],
            ..NetworkInputs::default()
        };
        let n = build(&plan, &inputs);
        let count = |k: ActivityKind| n.activities.iter().filter(|a| a.kind == k).count();
        assert_eq!(count(ActivityKind::Excavate), 1);
        assert_eq!(count(ActivityKind::Backfill), 1);
        assert_eq!(count(ActivityKind::Restore), 1);
        assert_eq!(count(ActivityKind::Lay), 3);
        assert_eq!(count(ActivityKind::Test), 3);
        let exc = n.activity("t1/excavate").expect("shared excavate");
        assert_eq!(exc.works, ["w1", "w2", "w3"]);
        assert_eq!(exc.owners, ["water co", "telecom co", "power co"]);
        assert_eq!(
            exc.discipline,
            Discipline::Utility(Utility::Water),
            "lead utility digs"
        );
        assert_eq!(exc.duration_days, 8, "longest member step: 25% of 30 days");
        assert_eq!(exc.release, 10, "latest member release");
        assert!((exc.metres - 280.0).abs() < 1e-9);
        for w in ["w1", "w2", "w3"] {
            assert!(finishes_before(&n, "t1/excavate", &format!("{w}/lay")));
            assert!(finishes_before(&n, &format!("{w}/test"), "t1/backfill"));
            assert_eq!(
                edge(&n, &format!("{w}/test"), "t1/backfill").reason,
                PrecedenceReason::SharedTrench
            );
            assert_eq!(
                n.activity(&format!("{w}/lay"))
                    .expect("lay")
                    .trench
                    .as_deref(),
                Some("t1")
            );
        }
        assert_eq!(n.excavation_count(), 1);
        assert!(n.excavations[0].shared);
        assert!(
            exc.forbidden.iter().all(|i| i.len() < 100),
            "no heat member: no heating season"
        );
        assert_eq!(n.excavations_saved(), 2);
    }

    #[test]
    fn trench_inputs_that_make_no_sense_are_errors_naming_them() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .pipe("w1", Utility::Water, 20, 300.0, None)
            .pipe("w2", Utility::Gas, 20, 300.0, None)
            .trade("r1", Trade::Roofing, 5, None)
            .build();
        let t = |id: &str, works: &[&str]| TrenchGroup {
            id: id.into(),
            works: works.iter().map(|w| (*w).to_owned()).collect(),
            length_m: 10.0,
        };
        let err = |trenches| {
            Network::build(
                &plan,
                &NetworkInputs {
                    trenches,
                    ..NetworkInputs::default()
                },
                &Templates::default(),
            )
            .expect_err("invalid trench")
        };
        assert_eq!(
            err(vec![t("t1", &["w9"])]),
            NetworkError::UnknownWork {
                context: "trench `t1`".into(),
                work: "w9".into()
            }
        );
        assert_eq!(
            err(vec![t("t1", &["w1", "r1"])]),
            NetworkError::NotAPipelineWork {
                trench: "t1".into(),
                work: "r1".into()
            }
        );
        assert_eq!(
            err(vec![t("t1", &["w1"]), t("t2", &["w1"])]),
            NetworkError::WorkInSeveralTrenches {
                work: "w1".into(),
                first: "t1".into(),
                second: "t2".into()
            }
        );
        assert_eq!(
            err(vec![t("t1", &[])]),
            NetworkError::EmptyTrench {
                trench: "t1".into()
            }
        );
        assert_eq!(
            err(vec![t("w2", &["w1"])]),
            NetworkError::DuplicateActivity {
                activity: "w2/excavate".into()
            }
        );
    }
}
