//! The grouping judged again on the schedules themselves.
//!
//! [`coordination::decide`](super::coordination::decide) judges the proposed trenches on
//! least schedules (unlimited crews) before any search. Crews, district limits and the
//! search can still leave a hard deadline late in the coordinated schedule that the
//! uncoordinated schedule meets. After both are searched, [`regroup`] names the works
//! behind every such deadline that sit in a shared trench — the deadline's own work, and
//! every member whose steps are on the chain that forces the miss — and takes them out of
//! their trench; a trench left with one member is dug alone. The planner then searches the
//! regrouped plan and keeps it only when it misses fewer hard deadlines (and is no later in
//! total): sharing never costs a deadline digging apart would meet, when the time limit
//! allows the second search.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::coordination::Split;
use super::document::DeadlineOutcome;
use super::network::{DeadlineSource, TrenchGroup};

/// The regrouped trenches and the works taken out of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Regrouped {
    /// The trenches to schedule in the second round.
    pub trenches: Vec<TrenchGroup>,
    /// The works now dug alone, with the trench they left.
    pub splits: Vec<Split>,
}

/// The hard deadlines `coordinated` misses that `apart` (the uncoordinated schedule) meets
/// everywhere: a deadline is known by its source (a compound's `finish_by` bounds several
/// activities), and counts as met apart when no activity it bounds there is late.
#[must_use]
pub fn lost_to_sharing<'a>(
    coordinated: &'a [DeadlineOutcome],
    apart: &[DeadlineOutcome],
) -> Vec<&'a DeadlineOutcome> {
    let hard = |d: &&DeadlineOutcome| d.kind == geodata::plan::DeadlineKind::Hard;
    let missed_apart: HashSet<&DeadlineSource> = apart
        .iter()
        .filter(|d| d.is_missed_hard())
        .map(|d| &d.source)
        .collect();
    let known_apart: HashSet<&DeadlineSource> =
        apart.iter().filter(hard).map(|d| &d.source).collect();
    coordinated
        .iter()
        .filter(|d| {
            d.is_missed_hard()
                && known_apart.contains(&d.source)
                && !missed_apart.contains(&d.source)
        })
        .collect()
}

/// The trenches without the shared members behind `lost` deadlines, or `None` when no
/// such deadline involves a shared trench.
#[must_use]
pub fn regroup(trenches: &[TrenchGroup], lost: &[&DeadlineOutcome]) -> Option<Regrouped> {
    let trench_of: HashMap<&str, &str> = trenches
        .iter()
        .filter(|t| t.works.len() > 1)
        .flat_map(|t| t.works.iter().map(move |w| (w.as_str(), t.id.as_str())))
        .collect();
    let mut out: BTreeSet<&str> = BTreeSet::new();
    for d in lost {
        let own = match &d.source {
            DeadlineSource::Work(w) | DeadlineSource::HeatingSeason(w) => Some(w.as_str()),
            DeadlineSource::Compound(_) => None,
        };
        let on_chain = d
            .explanation
            .iter()
            .flatten()
            .filter_map(|link| link.activity.split_once('/').map(|(subject, _)| subject));
        for work in own.into_iter().chain(on_chain) {
            if trench_of.contains_key(work) {
                out.insert(work);
            }
        }
    }
    if out.is_empty() {
        return None;
    }
    let mut regrouped = Regrouped {
        trenches: Vec::with_capacity(trenches.len()),
        splits: Vec::new(),
    };
    for t in trenches {
        let (gone, kept): (Vec<&String>, Vec<&String>) =
            t.works.iter().partition(|w| out.contains(w.as_str()));
        if gone.is_empty() || t.works.len() < 2 {
            regrouped.trenches.push(t.clone());
            continue;
        }
        let split = |w: &String| Split {
            trench: t.id.clone(),
            work: w.clone(),
        };
        regrouped.splits.extend(gone.iter().map(|w| split(w)));
        if kept.len() > 1 {
            regrouped.trenches.push(TrenchGroup {
                id: t.id.clone(),
                works: kept.into_iter().cloned().collect(),
                length_m: t.length_m,
            });
        } else {
            regrouped.splits.extend(kept.into_iter().map(split));
        }
    }
    Some(regrouped)
}

/// A start for every activity of the regrouped network from the first round's schedule:
/// the same activity's start, or for a work taken out of trench `t` the start of `t`'s
/// step of the same name (`w/excavate` from `t/excavate`). `None` when an activity has no
/// counterpart; the caller then searches afresh.
#[must_use]
pub fn carried_starts(
    first: (&[String], &[i64]),
    second: &[String],
    splits: &[Split],
) -> Option<Vec<i64>> {
    let (ids, starts) = first;
    let start_of: HashMap<&str, i64> = ids
        .iter()
        .map(String::as_str)
        .zip(starts.iter().copied())
        .collect();
    let left: HashMap<&str, &str> = splits
        .iter()
        .map(|s| (s.work.as_str(), s.trench.as_str()))
        .collect();
    second
        .iter()
        .map(|id| {
            start_of.get(id.as_str()).copied().or_else(|| {
                let (work, step) = id.split_once('/')?;
                let trench = left.get(work)?;
                start_of.get(format!("{trench}/{step}").as_str()).copied()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::city::document::ChainLink;
    use chrono::NaiveDate;
    use geodata::plan::DeadlineKind;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 8, d).expect("date")
    }

    fn outcome(source: DeadlineSource, late: i64, chain: &[&str]) -> DeadlineOutcome {
        DeadlineOutcome {
            source,
            activity: "x".into(),
            kind: DeadlineKind::Hard,
            date: day(17),
            finish: day(17),
            lateness_days: late,
            forced_by: None,
            sharing: None,
            explanation: Some(
                chain
                    .iter()
                    .map(|a| ChainLink {
                        activity: (*a).to_owned(),
                        start: day(1),
                        because: String::new(),
                    })
                    .collect(),
            ),
        }
    }

    fn trench(id: &str, works: &[&str]) -> TrenchGroup {
        TrenchGroup {
            id: id.into(),
            works: works.iter().map(|w| (*w).to_owned()).collect(),
            length_m: 50.0,
        }
    }

    #[test]
    fn only_deadlines_met_apart_and_missed_together_are_lost_to_sharing() {
        let work = |w: &str| DeadlineSource::Work(w.into());
        let coordinated = [
            outcome(work("w1"), 4, &[]),
            outcome(work("w2"), 3, &[]),
            outcome(work("w3"), 0, &[]),
        ];
        let apart = [
            outcome(work("w1"), 0, &[]),
            outcome(work("w2"), 1, &[]),
            outcome(work("w3"), 0, &[]),
        ];
        let lost = lost_to_sharing(&coordinated, &apart);
        assert_eq!(lost.len(), 1);
        assert_eq!(lost[0].source, work("w1"));
    }

    #[test]
    fn the_late_work_and_the_members_on_its_chain_leave_their_trench() {
        let trenches = [
            trench("t1", &["w1", "w2", "w3"]),
            trench("t2", &["w4", "w5"]),
        ];
        // w1 is late; the chain runs through w5's lay in t2.
        let late = outcome(
            DeadlineSource::Work("w1".into()),
            4,
            &["w5/lay", "t2/restore", "c9/works"],
        );
        let r = regroup(&trenches, &[&late]).expect("a regrouping");
        assert_eq!(r.trenches, vec![trench("t1", &["w2", "w3"])]);
        let mut works: Vec<&str> = r.splits.iter().map(|s| s.work.as_str()).collect();
        works.sort_unstable();
        // w4 is left alone in t2, so it is dug alone too.
        assert_eq!(works, ["w1", "w4", "w5"]);
    }

    #[test]
    fn a_miss_that_involves_no_shared_trench_changes_nothing() {
        let trenches = [trench("t1", &["w1", "w2"])];
        let late = outcome(
            DeadlineSource::Compound("c1".into()),
            2,
            &["c1/works", "w7/lay"],
        );
        assert_eq!(regroup(&trenches, &[&late]), None);
    }

    #[test]
    fn a_split_work_starts_where_its_trench_did() {
        let ids: Vec<String> = ["t1/excavate", "w1/lay", "t1/restore"]
            .map(String::from)
            .to_vec();
        let second: Vec<String> = ["w1/excavate", "w1/lay", "w1/restore"]
            .map(String::from)
            .to_vec();
        let splits = [Split {
            trench: "t1".into(),
            work: "w1".into(),
        }];
        assert_eq!(
            carried_starts((&ids, &[3, 8, 12]), &second, &splits),
            Some(vec![3, 8, 12])
        );
        let unknown = vec!["w9/lay".to_owned()];
        assert_eq!(carried_starts((&ids, &[3, 8, 12]), &unknown, &splits), None);
    }
}
