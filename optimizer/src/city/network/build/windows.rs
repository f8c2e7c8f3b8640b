//! Forbidden day windows of activities: seasons and moratoria.
//!
//! * **Windows**: frozen ground forbids excavation; the rainy season forbids roofing and
//!   facade insulation; the heating season forbids excavation, laying and testing
//!   (cut-over) of heat works, and a shared excavation with any heat member; moratoria
//!   forbid excavation (rule in [`moratorium_windows`]). Windows are sorted and merged, and
//!   a step may not be in progress in one at all, not even paused over it.
//! * **Holidays and weekends** are not windows: they are non-working days of the plan's
//!   calendars ([`WorkCalendar`](crate::city::network::WorkCalendar)), over which a step
//!   pauses.

use chrono::NaiveDate;
use geodata::plan::{Discipline, Settings, Utility, Work};

use super::Builder;
use crate::city::network::calendar::{day_offset, merge_intervals, season_intervals};
use crate::city::network::{ActivityKind, DayInterval, MoratoriumFact};

/// Season windows of the plan, computed once.
pub(super) struct CalendarWindows {
    rainy: Vec<DayInterval>,
    heating: Vec<DayInterval>,
    frozen: Vec<DayInterval>,
}

impl CalendarWindows {
    /// The seasons of the plan's calendars over its first `span` days.
    pub(super) fn new(settings: &Settings, span: i64) -> Self {
        let cal = &settings.calendars;
        Self {
            rainy: season_intervals(cal.rainy_season, settings.start, span),
            heating: season_intervals(cal.heating_season, settings.start, span),
            frozen: season_intervals(cal.frozen_ground, settings.start, span),
        }
    }
}

/// Moratorium windows for an excavation of `works`, as day intervals.
///
/// Rule (`docs/input-format.md`, forbidden windows): a street under moratorium may not be
/// cut from the fact's `from` (its paving date, or a planned repaving inside the
/// moratorium: cutting before that is restored by the repaving anyway) until `until`,
/// unless the city granted an exception.
fn moratorium_windows(start: NaiveDate, span: i64, facts: &[&MoratoriumFact]) -> Vec<DayInterval> {
    merge_intervals(
        facts
            .iter()
            .filter(|f| !f.exception)
            .map(|f| DayInterval {
                start: day_offset(start, f.from).clamp(0, span),
                end: day_offset(start, f.until).clamp(0, span),
            })
            .collect(),
    )
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
        moratorium_windows(self.plan.settings.start, self.span, &facts)
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
    fn calendars_forbid_excavation_in_frost_roofing_in_rain_and_heat_cutover_in_season() {
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
        let holidays_are_no_window = |id: &str| {
            let a = n.activity(id).expect("activity");
            assert!(
                !a.forbidden.contains(&holiday),
                "{id}: a holiday is a pause"
            );
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
        assert!(exc.contains(&frost));
        for id in ["w1/excavate", "w1/lay", "c1/retrofit", "r1/roofing"] {
            holidays_are_no_window(id);
        }
        assert!(!n.calendar.is_site_day(off(date(2027, 10, 1))));
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
        for a in &n.activities {
            assert!(
                a.forbidden.windows(2).all(|w| w[0].end < w[1].start),
                "sorted and merged: {}",
                a.id
            );
        }
        assert!(n.calendar.is_site_day(off(date(2027, 10, 3))));
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
        let fact = |work: &str, exception, from| MoratoriumFact {
            work: work.into(),
            street: "s1".into(),
            from,
            until: date(2028, 6, 1),
            exception,
        };
        let inputs = NetworkInputs {
            moratoria: vec![
                fact("w1", false, date(2025, 6, 1)),
                fact("w2", true, date(2025, 6, 1)),
                fact("w3", false, date(2027, 9, 1)),
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
        let windows = |id: &str| {
            let w = n.activity(id).expect("excavate").forbidden.clone();
            w.into_iter().filter(|i| i.len() > 1).collect::<Vec<_>>()
        };
        assert_eq!(
            windows("w1/excavate"),
            vec![DayInterval {
                start: 0,
                end: until
            }]
        );
        assert!(windows("w2/excavate").is_empty(), "an exception lifts it");
        assert_eq!(
            windows("w3/excavate"),
            vec![DayInterval {
                start: off(date(2027, 9, 1)),
                end: until
            }],
            "cutting before a planned repaving is restored by it"
        );
        assert!(
            n.activity("w1/excavate")
                .expect("w1")
                .forbidden
                .contains(&jan1(2029)),
            "seasons repeat past the horizon"
        );
        assert!(
            n.activity("w1/lay").expect("lay").forbidden.is_empty(),
            "only excavation is forbidden"
        );
    }

    #[test]
    fn weekends_are_non_working_days_when_the_plan_rests_on_them_not_windows() {
        let plan = PlanBuilder::new(date(2027, 3, 1))
            .pipe("w1", Utility::Water, 10, 100.0, None)
            .with_settings(|s| s.calendars.weekends_work = false)
            .build();
        let n = build(&plan, &NetworkInputs::default());
        // 1 March 2027 is a Monday: days 5 and 6 are the first weekend.
        assert!(n.calendar.is_site_day(4));
        assert!(!n.calendar.is_site_day(5) && !n.calendar.is_site_day(6));
        assert_eq!(n.calendar.site_index(7), 5);
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
