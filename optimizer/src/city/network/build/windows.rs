//! Forbidden day windows of activities (calendar seasons, holidays, moratoria) and the
//! network's non-working days.
//!
//! * **Windows**: holidays forbid every site activity (all but confirm and tender); frozen
//!   ground forbids excavation; the rainy season forbids roofing and facade insulation; the
//!   heating season forbids excavation, laying and testing (cut-over) of heat works, and a
//!   shared excavation with any heat member; moratoria forbid excavation (rule in
//!   [`moratorium_windows`]). Windows are sorted and merged.
//! * **Non-working days**: weekends, when the plan does not work them, for every site
//!   activity alike ([`Network::non_working`](crate::city::network::Network::non_working)).

use chrono::NaiveDate;
use geodata::plan::{Discipline, Settings, Utility, Work};

use super::Builder;
use crate::city::network::calendar::{
    day_offset, holiday_intervals, merge_intervals, season_intervals, weekend_intervals,
};
use crate::city::network::{ActivityKind, DayInterval, MoratoriumFact};

/// Calendar windows of the plan, computed once.
pub(super) struct CalendarWindows {
    rainy: Vec<DayInterval>,
    heating: Vec<DayInterval>,
    frozen: Vec<DayInterval>,
    holidays: Vec<DayInterval>,
}

impl CalendarWindows {
    /// The seasons and holidays of the plan's calendars over its first `span` days.
    pub(super) fn new(settings: &Settings, span: i64) -> Self {
        let cal = &settings.calendars;
        Self {
            rainy: season_intervals(cal.rainy_season, settings.start, span),
            heating: season_intervals(cal.heating_season, settings.start, span),
            frozen: season_intervals(cal.frozen_ground, settings.start, span),
            holidays: holiday_intervals(&cal.holidays, settings.start, span),
        }
    }
}

/// Non-working days of site activities: weekends when the plan does not work them.
pub(super) fn non_working_days(settings: &Settings, span: i64) -> Vec<DayInterval> {
    if settings.calendars.weekends_work {
        Vec::new()
    } else {
        weekend_intervals(settings.start, span)
    }
}

/// Moratorium windows for an excavation of `works`, as day intervals.
///
/// Rule: a street under moratorium may not be cut before `until` (`[0, until)` forbidden)
/// unless `exception`. If a repaving is planned before `until`, the street may be cut in the
/// `allowance` days before the repaving (the cut is restored by the new surface), so the
/// forbidden days become `[0, repave - allowance)` and `[repave, until)`. Any moratorium the
/// new surface itself brings is the analysis's to report as another fact.
fn moratorium_windows(
    start: NaiveDate,
    span: i64,
    allowance: i64,
    facts: &[&MoratoriumFact],
) -> Vec<DayInterval> {
    let mut out = Vec::new();
    for f in facts.iter().filter(|f| !f.exception) {
        let until = day_offset(start, f.until).min(span);
        if until <= 0 {
            continue;
        }
        match f.repave_planned {
            Some(r) if r < f.until => {
                let r = day_offset(start, r);
                out.push(DayInterval {
                    start: 0,
                    end: (r - allowance).clamp(0, until),
                });
                out.push(DayInterval {
                    start: r.clamp(0, until),
                    end: until,
                });
            }
            _ => out.push(DayInterval {
                start: 0,
                end: until,
            }),
        }
    }
    merge_intervals(out)
}

impl Builder<'_> {
    /// Forbidden windows of an activity of `kind` by `discipline` (moratoria added by callers).
    pub(super) fn windows(
        &self,
        kind: ActivityKind,
        discipline: Discipline,
        extra: &[DayInterval],
    ) -> Vec<DayInterval> {
        let cal = &self.calendar;
        let mut w: Vec<DayInterval> = extra.to_vec();
        if kind.is_site_work() {
            w.extend_from_slice(&cal.holidays);
        }
        match kind {
            ActivityKind::Excavate => w.extend_from_slice(&cal.frozen),
            ActivityKind::Roofing | ActivityKind::FacadeInsulation => {
                w.extend_from_slice(&cal.rainy);
            }
            _ => {}
        }
        if discipline == Discipline::Utility(Utility::Heat)
            && matches!(
                kind,
                ActivityKind::Excavate | ActivityKind::Lay | ActivityKind::Test
            )
        {
            w.extend_from_slice(&cal.heating);
        }
        merge_intervals(w)
    }

    /// The moratorium windows of an excavation of `works`.
    pub(super) fn moratoria_for(&self, works: &[&Work]) -> Vec<DayInterval> {
        let facts: Vec<&MoratoriumFact> = works
            .iter()
            .filter_map(|w| self.moratoria.get(w.id.as_str()))
            .flatten()
            .copied()
            .collect();
        moratorium_windows(
            self.plan.settings.start,
            self.span,
            self.templates.repave_cut_allowance_days,
            &facts,
        )
    }

    /// Extra windows of a shared excavation: its works' moratoria, and the heating season
    /// when any member is a heat work (the lead's discipline alone would miss it).
    pub(super) fn shared_excavation_windows(&self, works: &[&Work]) -> Vec<DayInterval> {
        let mut windows = self.moratoria_for(works);
        if works
            .iter()
            .any(|w| w.discipline == Discipline::Utility(Utility::Heat))
        {
            windows.extend_from_slice(&self.calendar.heating);
        }
        windows
    }
}

#[cfg(test)]
mod tests {
    use crate::city::network::build::probe::build;
    use crate::city::network::calendar::day_offset;
    use crate::city::network::testkit::{PlanBuilder, date};
    use crate::city::network::{
        DayInterval, MoratoriumFact, Network, NetworkInputs, Templates, TrenchGroup,
    };
    use geodata::plan::{Conversion, Discipline, Trade, Utility};

    #[test]
    fn calendars_forbid_excavation_in_frost_roofing_in_rain_heat_cutover_in_season_and_all_site_work_on_holidays()
     {
        let start = date(2027, 4, 1);
        let plan = PlanBuilder::new(start)
            .pipe("w1", Utility::Water, 10, 100.0, None)
            .pipe("h1", Utility::Heat, 10, 100.0, None)
            .trade("r1", Trade::Roofing, 10, None)
            .clean_heating("c1", Conversion::CoalToGas, 10, None)
            .with_settings(|s| s.calendars.holidays = vec![date(2027, 10, 1), date(2027, 10, 2)])
            .build();
        let n = build(&plan, &NetworkInputs::default());
        let off = |d| day_offset(start, d);
        let holiday = DayInterval {
            start: off(date(2027, 10, 1)),
            end: off(date(2027, 10, 3)),
        };
        let frost = DayInterval {
            start: off(date(2027, 12, 1)),
            end: off(date(2028, 2, 29)),
        };
        let rain = DayInterval {
            start: off(date(2027, 6, 15)),
            end: off(date(2027, 9, 16)),
        };
        let heating = DayInterval {
            start: off(date(2027, 11, 15)),
            end: off(date(2028, 3, 16)),
        };
        let exc = &n.activity("w1/excavate").expect("excavate").forbidden;
        assert!(exc.contains(&holiday) && exc.contains(&frost));
        assert_eq!(n.activity("w1/lay").expect("lay").forbidden[0], holiday);
        let heat_exc = &n.activity("h1/excavate").expect("heat excavate").forbidden;
        assert!(
            heat_exc.contains(&heating),
            "frost inside the heating season merges into it"
        );
        assert!(
            n.activity("h1/lay")
                .expect("heat lay")
                .forbidden
                .contains(&heating)
        );
        assert!(
            !n.activity("h1/restore")
                .expect("heat restore")
                .forbidden
                .contains(&heating)
        );
        assert!(
            n.activity("r1/roofing")
                .expect("roofing")
                .forbidden
                .contains(&rain)
        );
        assert!(
            n.activity("c1/tender")
                .expect("tender")
                .forbidden
                .is_empty()
        );
        assert!(
            n.activity("c1/retrofit")
                .expect("retrofit")
                .forbidden
                .contains(&holiday)
        );
        for a in &n.activities {
            assert!(
                a.forbidden.windows(2).all(|w| w[0].end < w[1].start),
                "sorted and merged: {}",
                a.id
            );
        }
        assert!(n.non_working.is_empty());
    }

    #[test]
    fn a_moratorium_forbids_excavation_until_its_date_unless_excepted() {
        let start = date(2027, 4, 1);
        let plan = PlanBuilder::new(start)
            .pipe("w1", Utility::Water, 10, 100.0, None)
            .pipe("w2", Utility::Water, 10, 100.0, None)
            .pipe("w3", Utility::Water, 10, 100.0, None)
            .street("s1", None)
            .with_settings(|s| {
                s.calendars.frozen_ground = geodata::plan::SeasonWindow {
                    from: (1, 1),
                    to: (1, 1),
                }
            })
            .build();
        let fact = |work: &str, exception, repave| MoratoriumFact {
            work: work.into(),
            street: "s1".into(),
            until: date(2028, 6, 1),
            exception,
            repave_planned: repave,
        };
        let inputs = NetworkInputs {
            moratoria: vec![
                fact("w1", false, None),
                fact("w2", true, None),
                fact("w3", false, Some(date(2027, 9, 1))),
            ],
            ..NetworkInputs::default()
        };
        let n = build(&plan, &inputs);
        let off = |d| day_offset(start, d);
        let until = off(date(2028, 6, 1));
        let jan1 = |y| DayInterval {
            start: off(date(y, 1, 1)),
            end: off(date(y, 1, 2)),
        };
        assert_eq!(
            n.activity("w1/excavate").expect("w1").forbidden,
            vec![
                DayInterval {
                    start: 0,
                    end: until
                },
                jan1(2029),
                jan1(2030)
            ]
        );
        assert_eq!(
            n.activity("w2/excavate").expect("w2").forbidden,
            vec![jan1(2028), jan1(2029), jan1(2030)]
        );
        let repave = off(date(2027, 9, 1));
        assert_eq!(
            n.activity("w3/excavate").expect("w3").forbidden,
            vec![
                DayInterval {
                    start: 0,
                    end: repave - 90
                },
                DayInterval {
                    start: repave,
                    end: until
                },
                jan1(2029),
                jan1(2030)
            ],
            "cut allowed in the 90 days before the repaving"
        );
        assert!(
            n.activity("w1/lay").expect("lay").forbidden.is_empty(),
            "only excavation is forbidden"
        );
    }

    #[test]
    fn weekends_become_non_working_days_when_the_plan_rests_on_them() {
        let plan = PlanBuilder::new(date(2027, 3, 1))
            .pipe("w1", Utility::Water, 10, 100.0, None)
            .with_settings(|s| s.calendars.weekends_work = false)
            .build();
        let n = build(&plan, &NetworkInputs::default());
        assert_eq!(n.non_working[0], DayInterval { start: 5, end: 7 });
        assert!(
            n.activities[0]
                .forbidden
                .iter()
                .all(|i| *i != DayInterval { start: 5, end: 7 })
        );
    }

    #[test]
    fn a_shared_trench_with_a_heat_member_is_not_dug_in_the_heating_season() {
        let start = date(2027, 4, 1);
        let plan = PlanBuilder::new(start)
            .pipe("w1", Utility::Water, 20, 300.0, None)
            .pipe("h1", Utility::Heat, 20, 300.0, None)
            .build();
        let inputs = NetworkInputs {
            trenches: vec![TrenchGroup {
                id: "t1".into(),
                works: vec!["w1".into(), "h1".into()],
                length_m: 300.0,
            }],
            ..NetworkInputs::default()
        };
        let n = Network::build(&plan, &inputs, &Templates::default()).expect("builds");
        let season = DayInterval {
            start: day_offset(start, date(2027, 11, 15)),
            end: day_offset(start, date(2028, 3, 16)),
        };
        let exc = n.activity("t1/excavate").expect("shared excavate");
        assert_eq!(exc.discipline, Discipline::Utility(Utility::Water));
        assert!(exc.forbidden.contains(&season));
        assert!(
            n.activity("h1/lay")
                .expect("heat lay")
                .forbidden
                .contains(&season)
        );
        assert!(
            !n.activity("w1/lay")
                .expect("water lay")
                .forbidden
                .contains(&season)
        );
    }
}
