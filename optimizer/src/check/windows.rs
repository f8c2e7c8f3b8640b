//! Forbidden windows: no day of a step, working or not, may fall in a window that forbids
//! it (`docs/input-format.md`, "Forbidden windows").
//!
//! | window | forbids |
//! |---|---|
//! | frozen ground | every `excavate` |
//! | rainy season | `roofing`, `facade_insulation` |
//! | heating season | `excavate`, `lay`, `test` of heat works; the `excavate` of a trench holding one |
//! | a street's moratorium | the `excavate` of every excavation that cuts the street |
//!
//! Seasons repeat every year. A street paved on `paved_on` has a moratorium until the
//! clearance profile's end (exclusive); a `repave_planned` strictly inside it moves its
//! start there; `cut_exception` lifts it.

use std::collections::HashMap;

use chrono::NaiveDate;
use geodata::analysis::{Analysis, ClearanceProfile};
use geodata::plan::{Discipline, Plan, SeasonWindow, Utility};

use super::Findings;
use super::steps::{Expectation, Span};
use crate::city::document::{ActivityKind, Rule};

/// A step longer than this many days meets every yearly window.
const YEAR_DAYS: usize = 366;

/// The first and last day of `span` inside the yearly `window`.
fn season_days(window: SeasonWindow, span: Span) -> Option<(NaiveDate, NaiveDate)> {
    let first = span
        .start
        .iter_days()
        .take_while(|d| *d <= span.end)
        .take(YEAR_DAYS)
        .find(|d| window.contains(*d))?;
    let last = span
        .end
        .iter_days()
        .rev()
        .take_while(|d| *d >= span.start)
        .take(YEAR_DAYS)
        .find(|d| window.contains(*d))
        .unwrap_or(first);
    Some((first, last))
}

/// `MM-DD to MM-DD`.
fn month_days(window: SeasonWindow) -> String {
    format!(
        "{:02}-{:02} to {:02}-{:02}",
        window.from.0, window.from.1, window.to.0, window.to.1
    )
}

/// A street's moratorium: cutting forbidden from `from` until the day before `until`.
struct Moratorium {
    from: NaiveDate,
    until: NaiveDate,
}

/// The moratorium of every street that has one under `profile`.
fn moratoria<'p>(plan: &'p Plan, profile: &ClearanceProfile) -> HashMap<&'p str, Moratorium> {
    plan.streets
        .iter()
        .filter(|s| !s.cut_exception)
        .filter_map(|s| {
            let (paved_on, paving) = (s.paved_on?, s.paving?);
            let until = profile.moratorium.end(paved_on, paving)?;
            let from = s
                .repave_planned
                .filter(|r| *r > paved_on && *r < until)
                .unwrap_or(paved_on);
            Some((s.id.as_str(), Moratorium { from, until }))
        })
        .collect()
}

/// Reports every step in progress in a window that forbids it.
pub(super) fn check_windows(
    plan: &Plan,
    analysis: &Analysis,
    profile: Option<&ClearanceProfile>,
    expectation: &Expectation,
    dates: &[Option<Span>],
    findings: &mut Findings,
) {
    let calendars = &plan.settings.calendars;
    let mut heating_steps = vec![false; expectation.steps.len()];
    for (w, work) in plan.works.iter().enumerate() {
        if work.discipline == Discipline::Utility(Utility::Heat) {
            for &s in expectation.works[w].chain.iter().take(3) {
                heating_steps[s] = true;
            }
        }
    }
    for (step, (span, heating)) in expectation
        .steps
        .iter()
        .zip(dates.iter().zip(heating_steps))
    {
        let Some(span) = *span else { continue };
        if span.end < span.start {
            continue;
        }
        let mut seasons: Vec<(&str, SeasonWindow, &str)> = Vec::new();
        if step.kind == ActivityKind::Excavate {
            seasons.push(("frozen ground", calendars.frozen_ground, "excavation"));
        }
        if matches!(
            step.kind,
            ActivityKind::Roofing | ActivityKind::FacadeInsulation
        ) {
            seasons.push((
                "the rainy season",
                calendars.rainy_season,
                step.kind.as_str(),
            ));
        }
        if heating {
            seasons.push((
                "the heating season",
                calendars.heating_season,
                "heat-network works",
            ));
        }
        for (name, window, forbids) in seasons {
            if let Some((first, last)) = season_days(window, span) {
                findings.push(
                    Rule::Window,
                    vec![step.id.clone()],
                    format!(
                        "{} is in progress from {} to {}, and {first} to {last} of it lie in {name} ({}), which forbids {forbids}.",
                        step.id,
                        span.start,
                        span.end,
                        month_days(window)
                    ),
                );
            }
        }
    }
    let Some(profile) = profile else {
        findings.push(
            Rule::Window,
            Vec::new(),
            format!(
                "Clearance profile {} is not built in, so road-cut moratoria cannot be checked.",
                plan.settings.clearance_profile
            ),
        );
        return;
    };
    check_moratoria(plan, analysis, profile, expectation, dates, findings);
}

/// No excavation is dug while a street it cuts is under moratorium.
fn check_moratoria(
    plan: &Plan,
    analysis: &Analysis,
    profile: &ClearanceProfile,
    expectation: &Expectation,
    dates: &[Option<Span>],
    findings: &mut Findings,
) {
    let moratoria = moratoria(plan, profile);
    if moratoria.is_empty() {
        return;
    }
    let mut cuts: HashMap<&str, Vec<&str>> = HashMap::new();
    for cut in &analysis.street_cuts {
        cuts.entry(cut.work.as_str())
            .or_default()
            .push(cut.street.as_str());
    }
    for excavation in &expectation.excavations {
        let Some(span) = dates[excavation.excavate] else {
            continue;
        };
        let mut streets: Vec<&str> = excavation
            .works
            .iter()
            .filter_map(|&w| cuts.get(plan.works[w].id.as_str()))
            .flatten()
            .copied()
            .collect();
        streets.sort_unstable();
        streets.dedup();
        for street in streets {
            let Some(m) = moratoria.get(street) else {
                continue;
            };
            if span.start < m.until && span.end >= m.from {
                let step = &expectation.steps[excavation.excavate];
                findings.push(
                    Rule::Window,
                    vec![step.id.clone(), street.to_owned()],
                    format!(
                        "{} digs from {} to {}, but street {street} may not be cut from {} until {} (road-cut moratorium).",
                        step.id,
                        span.start,
                        span.end,
                        m.from,
                        m.until.pred_opt().unwrap_or(m.until)
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testkit::{Fixture, assert_only};
    use crate::city::document::Rule;

    #[test]
    fn an_excavation_in_frozen_ground_is_in_a_forbidden_window() {
        let mut f = Fixture::load();
        f.shift("w-gas-far/", 210); // Mon 7 December
        let found = f.violations();
        assert_only(&found, Rule::Window, 1);
        assert_eq!(found[0].subjects, ["w-gas-far/excavate"]);
        assert!(found[0].message.contains("frozen ground"), "{found:?}");
    }

    #[test]
    fn a_trench_dug_in_its_streets_moratorium_is_in_a_forbidden_window() {
        let mut f = Fixture::load();
        for prefix in ["trench-1/", "w-water/", "w-sewer/"] {
            f.shift(prefix, 91); // 13 weeks: Mon 1 June, the repaving date
        }
        f.report_deadlines_truly();
        let found = f.violations();
        assert_only(&found, Rule::Window, 1);
        assert_eq!(found[0].subjects, ["trench-1/excavate", "s-main"]);
    }

    #[test]
    fn a_cut_exception_lifts_the_moratorium() {
        let mut f = Fixture::with_plan(|plan| {
            plan["features"][0]["properties"]["cut_exception"] = true.into();
        });
        for prefix in ["trench-1/", "w-water/", "w-sewer/"] {
            f.shift(prefix, 91);
        }
        f.report_deadlines_truly();
        assert!(f.violations().is_empty());
    }

    #[test]
    fn heat_works_dig_lay_and_test_outside_the_heating_season_but_may_backfill_in_it() {
        let mut f = Fixture::with_plan(|plan| {
            plan["features"][6]["properties"]["utility"] = "heat".into();
        });
        assert!(f.violations().is_empty());
        f.shift("w-gas-far/", 189); // Mon 16 November
        let found = f.violations();
        assert_only(&found, Rule::Window, 3);
        let steps: Vec<&str> = found.iter().map(|v| v.subjects[0].as_str()).collect();
        assert_eq!(
            steps,
            ["w-gas-far/excavate", "w-gas-far/lay", "w-gas-far/test"]
        );
    }

    #[test]
    fn roofing_in_the_rainy_season_is_in_a_forbidden_window() {
        let f = Fixture::with_plan(|plan| {
            plan["plan"]["calendars"]["rainy_season"] =
                serde_json::json!({"from": "04-20", "to": "09-15"});
        });
        let found = f.violations();
        assert_only(&found, Rule::Window, 1);
        assert!(
            found[0]
                .message
                .contains("2026-04-20 to 2026-04-27 of it lie in the rainy season"),
            "{found:?}"
        );
    }
}
