//! Order: each step starts after the step it follows has ended, some within a maximum gap,
//! and a cluster's clearings start together (`docs/input-format.md`, "Order").
//!
//! * a work's steps in the order of the steps table; in a shared trench the trench's
//!   `excavate` before every member's `lay`, each `lay` before its `test`, every `test`
//!   before the trench's `backfill`;
//! * `backfill` starts within 7 working days of the (last) `test`'s end, `restore` within 5
//!   of the `backfill`'s end (working days strictly between, site calendar);
//! * in a compound: clearing first; its utility works restored before its surface steps;
//!   their `lay`s and its clean-heating `retrofit`s before `roofing` and
//!   `facade_insulation`; surface and envelope steps before the finishing ones;
//! * a clean-heating `connect` after the `restore` of every gas or power work of its
//!   compound, by its conversion;
//! * the clearings of a cluster's compounds start within `W` working days of its first
//!   clearing start, `W` = the sum of their clearing days + 14. "Within" counts the site
//!   working days from the first clearing start up to the day before the later start.
//!
//! Each broken precedence is reported once, however many rules ask for it.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use geodata::analysis::Analysis;
use geodata::plan::{Conversion, Discipline, Plan, Trade, Utility};

use super::Findings;
use super::calendar::WorkCalendar;
use super::steps::{Expectation, Span};
use crate::city::document::{ActivityKind, Rule};

/// Most working days between the (last) test's end and the backfill's start.
const BACKFILL_GAP_DAYS: i64 = 7;
/// Most working days between the backfill's end and the restoration's start.
const RESTORE_GAP_DAYS: i64 = 5;
/// Working days a cluster's clearings may spread beyond their total clearing days.
const CLUSTER_SLACK_DAYS: i64 = 14;

/// Surface steps: they follow the restoration of the compound's utility works.
const SURFACE: [ActivityKind; 4] = [
    ActivityKind::Pave,
    ActivityKind::Subbase,
    ActivityKind::Parking,
    ActivityKind::Elevator,
];
/// Envelope steps that follow the pipe penetrations.
const PENETRATED: [ActivityKind; 2] = [ActivityKind::Roofing, ActivityKind::FacadeInsulation];
/// Finishing steps: they follow every surface and envelope step.
const FINISHING: [ActivityKind; 3] = [
    ActivityKind::Greening,
    ActivityKind::Facilities,
    ActivityKind::SmartManagement,
];

/// The precedences and gaps of one schedule, collected once each, then checked.
struct OrderCheck<'a> {
    expectation: &'a Expectation,
    dates: &'a [Option<Span>],
    site: &'a WorkCalendar,
    asked: HashSet<(usize, usize)>,
    findings: &'a mut Findings,
}

impl OrderCheck<'_> {
    /// `after` starts after `before` ends.
    fn precede(&mut self, before: usize, after: usize, why: &dyn Fn() -> String) {
        if before == after || !self.asked.insert((before, after)) {
            return;
        }
        let (Some(b), Some(a)) = (self.dates[before], self.dates[after]) else {
            return;
        };
        if a.start <= b.end {
            let steps = &self.expectation.steps;
            self.findings.push(
                Rule::Order,
                vec![steps[before].id.clone(), steps[after].id.clone()],
                format!(
                    "{} starts on {}, but it follows {}, which ends on {} ({}).",
                    steps[after].id,
                    a.start,
                    steps[before].id,
                    b.end,
                    why()
                ),
            );
        }
    }

    /// `after` starts within `most` working days after the latest end of `before`.
    fn within(&mut self, before: &[usize], after: usize, most: i64) {
        let latest = before
            .iter()
            .filter_map(|&b| self.dates[b].map(|s| (s.end, b)))
            .max();
        let (Some((end, b)), Some(a)) = (latest, self.dates[after]) else {
            return;
        };
        let gap = self.site.working_days_between(end, a.start);
        if gap > most {
            let steps = &self.expectation.steps;
            self.findings.push(
                Rule::Order,
                vec![steps[b].id.clone(), steps[after].id.clone()],
                format!(
                    "{} starts on {}, {gap} working days after {} ends on {}; at most {most} may lie between.",
                    steps[after].id, a.start, steps[b].id, end
                ),
            );
        }
    }
}

/// Reports every broken precedence, gap and cluster window.
pub(super) fn check_order(
    plan: &Plan,
    analysis: &Analysis,
    expectation: &Expectation,
    site: &WorkCalendar,
    dates: &[Option<Span>],
    findings: &mut Findings,
) {
    let mut order = OrderCheck {
        expectation,
        dates,
        site,
        asked: HashSet::new(),
        findings,
    };
    work_chains(plan, &mut order);
    for c in 0..plan.compounds.len() {
        compound_order(plan, c, &mut order);
    }
    connections(plan, &mut order);
    village_connections(plan, &mut order);
    clusters(plan, analysis, &mut order);
}

/// Each work's steps in table order, and the maximum gaps of pipeline works and trenches.
fn work_chains(plan: &Plan, order: &mut OrderCheck<'_>) {
    let e = order.expectation;
    for (w, steps) in e.works.iter().enumerate() {
        let chain = &steps.chain;
        for pair in chain.windows(2) {
            order.precede(pair[0], pair[1], &|| {
                format!("the order of work {}'s steps", plan.works[w].id)
            });
        }
        if steps.trench.is_none() && matches!(plan.works[w].discipline, Discipline::Utility(_)) {
            order.within(&[chain[2]], chain[3], BACKFILL_GAP_DAYS);
            order.within(&[chain[3]], chain[4], RESTORE_GAP_DAYS);
        }
    }
    for trench in &e.trenches {
        let tests: Vec<usize> = trench.works.iter().map(|&w| e.works[w].chain[2]).collect();
        order.within(&tests, trench.backfill, BACKFILL_GAP_DAYS);
        order.within(&[trench.backfill], trench.restore, RESTORE_GAP_DAYS);
    }
}

/// The order inside compound `c` (module docs).
fn compound_order(plan: &Plan, c: usize, order: &mut OrderCheck<'_>) {
    let e = order.expectation;
    let compound = &plan.compounds[c];
    let members = &e.compounds[c].works;
    // Clean heating is in-home work: it does not wait for the compound's site clearing.
    let is_trade = |w: usize| matches!(plan.works[w].discipline, Discipline::Trade(t) if t != Trade::CleanHeating);
    let is_utility = |w: usize| matches!(plan.works[w].discipline, Discipline::Utility(_));
    // Its clearing: the phase, or the clearing works standing for it.
    let clearing: Vec<usize> = e.compounds[c]
        .phases
        .iter()
        .copied()
        .filter(|&s| e.steps[s].kind == ActivityKind::Clearing)
        .chain(
            members
                .iter()
                .filter(|&&w| {
                    e.works[w].stands_for == Some(c)
                        && plan.works[w].discipline == Discipline::Trade(Trade::Clearing)
                })
                .flat_map(|&w| e.works[w].chain.iter().copied()),
        )
        .collect();
    // Every other step of its phases and of its trade works.
    let above: Vec<usize> = e.compounds[c]
        .phases
        .iter()
        .copied()
        .chain(
            members
                .iter()
                .filter(|&&w| is_trade(w))
                .flat_map(|&w| e.works[w].chain.iter().copied()),
        )
        .filter(|s| !clearing.contains(s))
        .collect();
    let of_kind = |kinds: &[ActivityKind]| -> Vec<usize> {
        above
            .iter()
            .copied()
            .filter(|&s| kinds.contains(&e.steps[s].kind))
            .collect()
    };
    let pipes: Vec<usize> = members.iter().copied().filter(|&w| is_utility(w)).collect();
    let id = &compound.id;
    for &first in &clearing {
        for &s in &above {
            order.precede(first, s, &|| format!("compound {id} is cleared first"));
        }
        for &w in &pipes {
            order.precede(first, e.works[w].chain[0], &|| {
                format!("compound {id} is cleared before its works dig")
            });
        }
    }
    let surface = of_kind(&SURFACE);
    for &w in &pipes {
        for &s in &surface {
            order.precede(e.works[w].chain[4], s, &|| {
                format!("compound {id}'s utility works are restored before its surface")
            });
        }
    }
    let penetrations: Vec<usize> = pipes
        .iter()
        .map(|&w| e.works[w].chain[1])
        .chain(
            members
                .iter()
                .filter(|&&w| plan.works[w].discipline == Discipline::Trade(Trade::CleanHeating))
                .filter_map(|&w| {
                    e.works[w]
                        .chain
                        .iter()
                        .copied()
                        .find(|&s| e.steps[s].kind == ActivityKind::Retrofit)
                }),
        )
        .collect();
    let envelope = of_kind(&PENETRATED);
    for &p in &penetrations {
        for &s in &envelope {
            order.precede(p, s, &|| {
                format!("pipes and retrofits of compound {id} go in before its roofs and facades")
            });
        }
    }
    let mut below = surface;
    below.extend(of_kind(&[
        ActivityKind::Roofing,
        ActivityKind::FacadeInsulation,
        ActivityKind::General,
    ]));
    let finishing = of_kind(&FINISHING);
    for &b in &below {
        for &f in &finishing {
            order.precede(b, f, &|| {
                format!("compound {id}'s surface and envelope come before its finishing")
            });
        }
    }
}

/// A clean-heating connection follows the restoration of its compounds' supply works.
fn connections(plan: &Plan, order: &mut OrderCheck<'_>) {
    let e = order.expectation;
    for (h, work) in plan.works.iter().enumerate() {
        let Some(conversion) = work.conversion else {
            continue;
        };
        if work.discipline != Discipline::Trade(Trade::CleanHeating) {
            continue;
        }
        let supply = match conversion {
            Conversion::CoalToGas => Utility::Gas,
            Conversion::CoalToElectric => Utility::Power,
        };
        let Some(&connect) = e.works[h]
            .chain
            .iter()
            .find(|&&s| e.steps[s].kind == ActivityKind::Connect)
        else {
            continue;
        };
        for &c in &e.works[h].compounds {
            for &w in &e.compounds[c].works {
                if plan.works[w].discipline == Discipline::Utility(supply) {
                    order.precede(e.works[w].chain[4], connect, &|| {
                        format!(
                            "the {} supply of compound {} is restored before the connection",
                            supply.as_str(),
                            plan.compounds[c].id
                        )
                    });
                }
            }
        }
    }
}

/// A village's clean-heating connection follows the end of every other work of the
/// village (its gas main extension, service connections, transformer upgrade).
fn village_connections(plan: &Plan, order: &mut OrderCheck<'_>) {
    let e = order.expectation;
    let mut supplies: HashMap<&str, Vec<usize>> = HashMap::new();
    for (w, work) in plan.works.iter().enumerate() {
        if let Some(village) = work.village.as_deref()
            && work.discipline != Discipline::Trade(Trade::CleanHeating)
        {
            supplies.entry(village).or_default().push(w);
        }
    }
    for (h, work) in plan.works.iter().enumerate() {
        let Some(village) = work.village.as_deref() else {
            continue;
        };
        if work.discipline != Discipline::Trade(Trade::CleanHeating) {
            continue;
        }
        let Some(&connect) = e.works[h]
            .chain
            .iter()
            .find(|&&s| e.steps[s].kind == ActivityKind::Connect)
        else {
            continue;
        };
        for &w in supplies.get(village).into_iter().flatten() {
            let other = &plan.works[w];
            let Some(&last) = e.works[w].chain.last() else {
                continue;
            };
            order.precede(last, connect, &|| {
                format!(
                    "work {} of village {village} is finished before its connection",
                    other.id
                )
            });
        }
    }
}

/// The clearings of a cluster's compounds start within `W` working days of the first.
fn clusters(plan: &Plan, analysis: &Analysis, order: &mut OrderCheck<'_>) {
    let e = order.expectation;
    let compound_at: HashMap<&str, usize> = plan
        .compounds
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    for cluster in &analysis.clusters {
        let mut clearings: Vec<usize> = Vec::new();
        for id in &cluster.compounds {
            let Some(&c) = compound_at.get(id.as_str()) else {
                continue;
            };
            clearings.extend(
                e.compounds[c]
                    .phases
                    .iter()
                    .copied()
                    .filter(|&s| e.steps[s].kind == ActivityKind::Clearing),
            );
            clearings.extend(
                e.compounds[c]
                    .works
                    .iter()
                    .filter(|&&w| {
                        e.works[w].stands_for == Some(c)
                            && plan.works[w].discipline == Discipline::Trade(Trade::Clearing)
                    })
                    .flat_map(|&w| e.works[w].chain.iter().copied()),
            );
        }
        let window = clearings
            .iter()
            .map(|&s| i64::from(e.steps[s].days))
            .sum::<i64>()
            + CLUSTER_SLACK_DAYS;
        let Some((first, first_step)) = clearings
            .iter()
            .filter_map(|&s| order.dates[s].map(|d| (d.start, s)))
            .min()
        else {
            continue;
        };
        for &s in &clearings {
            let Some(span) = order.dates[s] else { continue };
            let waited = order
                .site
                .working_days(first, span.start.pred_opt().unwrap_or(NaiveDate::MIN));
            if waited > window {
                order.findings.push(
                    Rule::Order,
                    vec![
                        cluster.id.clone(),
                        e.steps[first_step].id.clone(),
                        e.steps[s].id.clone(),
                    ],
                    format!(
                        "{} starts on {}, {waited} working days after the first clearing of cluster {} ({} on {first}); the cluster's clearings start within {window}.",
                        e.steps[s].id, span.start, cluster.id, e.steps[first_step].id
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testkit::{Fixture, assert_only, date};
    use crate::city::document::Rule;

    #[test]
    fn a_finishing_phase_started_before_the_surface_is_done_is_out_of_order() {
        let mut f = Fixture::load();
        f.set("c-north/greening", date(2026, 4, 27), date(2026, 5, 4))
            .report_deadlines_truly();
        let found = f.violations();
        // Pave and roofing both end on 27 April.
        assert_only(&found, Rule::Order, 2);
        assert_eq!(found[0].subjects, ["c-north/pave", "c-north/greening"]);
        assert_eq!(found[1].subjects, ["c-north/roofing", "c-north/greening"]);
    }

    #[test]
    fn a_restoration_six_working_days_after_the_backfill_is_too_late() {
        let mut f = Fixture::load();
        // Backfill ends Thu 14 May; 15, 18, 19, 20, 21 and 22 May lie between.
        f.set("w-gas-far/restore", date(2026, 5, 25), date(2026, 5, 25));
        let found = f.violations();
        assert_only(&found, Rule::Order, 1);
        assert!(
            found[0].message.contains("6 working days after"),
            "{found:?}"
        );
        // Five between is still within the rule.
        let mut f = Fixture::load();
        f.set("w-gas-far/restore", date(2026, 5, 22), date(2026, 5, 22));
        assert!(f.violations().is_empty());
    }

    #[test]
    fn a_trench_backfill_counts_its_gap_from_the_last_members_test() {
        // The fixture's backfill starts 9 working days after the sewer's test but 5 after
        // the water's, the last: it keeps the rule.
        let mut f = Fixture::with_plan(|plan| {
            plan["plan"]["district_limits"]["Xicheng"] = 2.into();
        });
        assert!(f.violations().is_empty());
        // From Wed 18 March, 8 working days lie before Tue 31 March.
        f.set("trench-1/backfill", date(2026, 3, 31), date(2026, 4, 2))
            .set("trench-1/restore", date(2026, 4, 3), date(2026, 4, 9))
            .report_deadlines_truly();
        let found = f.violations();
        assert_only(&found, Rule::Order, 1);
        assert_eq!(found[0].subjects, ["w-water/test", "trench-1/backfill"]);
    }

    #[test]
    fn a_connection_before_its_gas_main_is_restored_is_out_of_order() {
        let mut f = Fixture::load();
        f.set("w-heat/connect", date(2026, 4, 2), date(2026, 4, 2));
        let found = f.violations();
        assert_only(&found, Rule::Order, 1);
        assert_eq!(found[0].subjects, ["w-gas-c/restore", "w-heat/connect"]);
    }

    #[test]
    fn clean_heating_paperwork_before_the_clearing_is_in_order() {
        let mut f = Fixture::load();
        f.set("w-heat/confirm", date(2026, 3, 17), date(2026, 3, 18));
        let found: Vec<_> = f
            .violations()
            .into_iter()
            .filter(|v| v.rule == Rule::Order)
            .collect();
        assert!(
            found.is_empty(),
            "in-home work waits for no clearing: {found:?}"
        );
    }

    #[test]
    fn a_cluster_clearing_later_than_its_window_is_out_of_order() {
        let mut f = Fixture::load();
        // W = 3 + 3 + 14 = 20 working days from Mon 16 March; 20 April is 24 after.
        f.set("c-south/clearing", date(2026, 4, 20), date(2026, 4, 22))
            .report_deadlines_truly();
        let found = f.violations();
        assert_only(&found, Rule::Order, 1);
        assert_eq!(
            found[0].subjects,
            ["cluster-1", "w-clear/clearing", "c-south/clearing"]
        );
        assert!(found[0].message.contains("24 working days"), "{found:?}");
    }
}
