//! Construction of the activity network from a plan and the analysis facts.
//!
//! Rules beyond the templates (see [`super::template`] for their provenance):
//! * **Shared trench**: one `t/excavate`, `t/backfill`, `t/restore` for all its works, each
//!   as long as the longest member's own step (the joint trench is dug once along the
//!   shared stretch, `metres` = trench length) and done by crews of the *lead* (first-listed)
//!   work's utility. Each work's `w/lay` → `w/test` sits between the shared excavate and
//!   backfill; the backfill must start within the backfill gap after *every* member's test,
//!   which keeps the members synchronised.
//! * **Trade works** become one activity (`w/<kind>`), paving two (`w/subbase` → `w/pave`),
//!   clean heating five (`w/confirm` → `w/tender` → `w/retrofit` → `w/connect` →
//!   `w/commission`). A trade work referencing a compound stands for the compound phase of
//!   its trade (a roofing work replaces the compound's generated roofing phase).
//! * **Windows**: holidays forbid every site activity (all but confirm and tender); frozen
//!   ground forbids excavation; the rainy season forbids roofing and facade insulation; the
//!   heating season forbids excavation, laying and testing (cut-over) of heat works;
//!   moratoria forbid excavation (rule in [`moratorium_windows`]).
//! * **Releases** sit on every activity of a work: plan start, `work.earliest` and the
//!   `start_by` of each compound the work references or lies in.
//! * **Deadlines**: `work.deadline` on the work's last activity (the shared restore for a
//!   work in a trench); `compound.finish_by` (hard) on every compound phase and on the last
//!   activity of trade works standing for a phase; the heating-season start (hard) on every
//!   clean-heating commissioning.
//! * **Crews**: every site activity demands one crew of its discipline
//!   (`Settings::crews_for`); the clean-heating connection uses a gas or power crew; confirm
//!   and tender use none.
//! * **District limits**: an excavation holds, in each limited district, one unit per
//!   distinct street it cuts there, from excavate start to restore end.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use geo::{Euclidean, Geometry, Length};
use geodata::plan::{
    Compound, Conversion, DeadlineKind, Discipline, Duration, Plan, Street, Trade, Utility, Work,
};

use super::calendar::{
    day_offset, holiday_intervals, merge_intervals, season_intervals, weekend_intervals,
};
use super::template::{Phase, Stage, class_phases, split_days, stage_of_kind};
use super::{
    Activity, ActivityKind, DayInterval, Deadline, DeadlineSource, Demand, Excavation, Network,
    NetworkError, NetworkInputs, Precedence, PrecedenceReason, Resource, ResourceKind, StreetCut,
    Templates,
};

/// Days beyond its total clearing time within which a cluster's clearings all start
/// (holidays and a crew's travel between compounds).
pub const CLUSTER_SLACK_DAYS: i64 = 14;

/// Calendar windows of the plan, computed once.
struct CalendarWindows {
    rainy: Vec<DayInterval>,
    heating: Vec<DayInterval>,
    frozen: Vec<DayInterval>,
    holidays: Vec<DayInterval>,
}

/// The activities one work maps to, for linking.
#[derive(Debug, Clone, Copy)]
struct WorkNodes {
    first: usize,
    last: usize,
    lay: Option<usize>,
    retrofit: Option<usize>,
    connect: Option<usize>,
}

/// Per-work facts derived once.
struct WorkFacts<'a> {
    length_m: f64,
    total_days: u32,
    compounds: Vec<&'a Compound>,
    cuts: Vec<&'a StreetCut>,
    release: i64,
}

struct Builder<'a> {
    plan: &'a Plan,
    inputs: &'a NetworkInputs,
    templates: &'a Templates,
    span: i64,
    calendar: CalendarWindows,
    activities: Vec<Activity>,
    precedences: Vec<Precedence>,
    edge_set: HashSet<(usize, usize, PrecedenceReason)>,
    ids: HashMap<String, usize>,
    resources: Vec<Resource>,
    resource_ids: HashMap<String, usize>,
    streets: HashMap<&'a str, &'a Street>,
    works: HashMap<&'a str, &'a Work>,
    moratoria: HashMap<&'a str, Vec<&'a super::MoratoriumFact>>,
    compounds: HashMap<&'a str, &'a Compound>,
    facts: HashMap<&'a str, WorkFacts<'a>>,
    nodes: HashMap<&'a str, WorkNodes>,
    excavations: Vec<Excavation>,
}

impl Network {
    /// Builds the activity network of `plan` with the analysis facts `inputs`.
    ///
    /// # Errors
    /// A [`NetworkError`] naming the offending input: unknown work, compound, street or
    /// activity ids, a work in two trenches, a non-pipeline work in a trench, a clean-heating
    /// work without conversion, invalid lengths or productivities, duplicate activity ids,
    /// inconsistent lags, or a precedence cycle (listing its activities in order).
    ///
    /// # Complexity
    /// Linear in works, facts and precedences, plus O(compound works²) edges per compound
    /// and O(span) per season for the calendars.
    pub fn build(
        plan: &Plan,
        inputs: &NetworkInputs,
        templates: &Templates,
    ) -> Result<Network, NetworkError> {
        let settings = &plan.settings;
        let span = i64::from(settings.horizon_days) + 366;
        let cal = &settings.calendars;
        let calendar = CalendarWindows {
            rainy: season_intervals(cal.rainy_season, settings.start, span),
            heating: season_intervals(cal.heating_season, settings.start, span),
            frozen: season_intervals(cal.frozen_ground, settings.start, span),
            holidays: holiday_intervals(&cal.holidays, settings.start, span),
        };
        let mut b = Builder {
            plan,
            inputs,
            templates,
            span,
            calendar,
            activities: Vec::new(),
            precedences: Vec::new(),
            edge_set: HashSet::new(),
            ids: HashMap::new(),
            resources: Vec::new(),
            resource_ids: HashMap::new(),
            streets: plan.streets.iter().map(|s| (s.id.as_str(), s)).collect(),
            works: plan.works.iter().map(|w| (w.id.as_str(), w)).collect(),
            moratoria: HashMap::new(),
            compounds: plan.compounds.iter().map(|c| (c.id.as_str(), c)).collect(),
            facts: HashMap::new(),
            nodes: HashMap::new(),
            excavations: Vec::new(),
        };
        b.derive_facts()?;
        let trench_of = b.check_trenches()?;
        b.add_trenches()?;
        for work in &plan.works {
            if !trench_of.contains_key(work.id.as_str()) {
                b.add_work(work)?;
            }
        }
        b.add_compounds()?;
        b.add_clusters()?;
        b.add_custom()?;
        let network = Network {
            plan_start: settings.start,
            horizon_days: settings.horizon_days,
            calendar_span_days: span,
            activities: b.activities,
            precedences: b.precedences,
            resources: b.resources,
            excavations: b.excavations,
            non_working: if cal.weekends_work {
                Vec::new()
            } else {
                weekend_intervals(settings.start, span)
            },
        };
        network.check()?;
        Ok(network)
    }
}

/// Length of a line geometry in local metres; 0 for points and polygons.
fn line_length(g: &Geometry<f64>) -> f64 {
    match g {
        Geometry::LineString(l) => Euclidean.length(l),
        Geometry::MultiLineString(m) => Euclidean.length(m),
        Geometry::Line(l) => Euclidean.length(l),
        _ => 0.0,
    }
}

fn days_from_f64(x: f64) -> u32 {
    if x.is_finite() && x >= 0.0 && x < f64::from(u32::MAX) {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked finite, non-negative and below u32::MAX just above"
        )]
        let d = x.ceil() as u32;
        d
    } else {
        u32::MAX
    }
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_owned());
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
    facts: &[&super::MoratoriumFact],
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

impl<'a> Builder<'a> {
    /// The plan's work with this id, in O(1).
    fn work(&self, id: &str) -> Option<&'a Work> {
        self.works.get(id).copied()
    }

    fn offset(&self, d: NaiveDate) -> i64 {
        day_offset(self.plan.settings.start, d)
    }

    fn deadline(&self, date: NaiveDate, kind: DeadlineKind, source: DeadlineSource) -> Deadline {
        Deadline {
            date,
            finish_by: self.offset(date) + 1,
            kind,
            source,
        }
    }

    fn work_deadline(&self, w: &Work) -> Option<Deadline> {
        w.deadline
            .map(|d| self.deadline(d, w.deadline_kind, DeadlineSource::Work(w.id.clone())))
    }

    fn compound_deadline(&self, c: &Compound) -> Deadline {
        self.deadline(
            c.finish_by,
            DeadlineKind::Hard,
            DeadlineSource::Compound(c.id.clone()),
        )
    }

    /// An analysis fact about `work` on `street` must name both: the error says which is
    /// unknown, in `context`.
    fn check_work_on_street(
        &self,
        work: &str,
        street: &str,
        context: impl Fn() -> String,
    ) -> Result<(), NetworkError> {
        if self.work(work).is_none() {
            return Err(NetworkError::UnknownWork {
                context: context(),
                work: work.to_owned(),
            });
        }
        if !self.streets.contains_key(street) {
            return Err(NetworkError::UnknownStreet {
                context: context(),
                street: street.to_owned(),
            });
        }
        Ok(())
    }

    /// Street cuts by work, every reference and length checked; moratoria checked too.
    fn cuts_by_work(&self) -> Result<HashMap<&'a str, Vec<&'a StreetCut>>, NetworkError> {
        let mut cuts: HashMap<&str, Vec<&StreetCut>> = HashMap::new();
        for c in &self.inputs.cuts {
            let ctx = || format!("street cut of `{}` on `{}`", c.work, c.street);
            self.check_work_on_street(&c.work, &c.street, ctx)?;
            if !(c.length_m.is_finite() && c.length_m >= 0.0) {
                return Err(NetworkError::InvalidNumber {
                    context: ctx(),
                    quantity: "length_m",
                    value: c.length_m,
                });
            }
            cuts.entry(c.work.as_str()).or_default().push(c);
        }
        for m in &self.inputs.moratoria {
            let ctx = || format!("moratorium of `{}` on `{}`", m.work, m.street);
            self.check_work_on_street(&m.work, &m.street, ctx)?;
        }
        Ok(cuts)
    }

    fn derive_facts(&mut self) -> Result<(), NetworkError> {
        let plan = self.plan;
        let mut cuts = self.cuts_by_work()?;
        for m in &self.inputs.moratoria {
            self.moratoria.entry(m.work.as_str()).or_default().push(m);
        }
        let mut members: HashMap<&str, Vec<&Compound>> = HashMap::new();
        for w in &plan.works {
            if let Some(c) = &w.compound {
                let comp = self.compounds.get(c.as_str()).ok_or_else(|| {
                    NetworkError::UnknownCompound {
                        context: format!("work `{}`", w.id),
                        compound: c.clone(),
                    }
                })?;
                members.entry(w.id.as_str()).or_default().push(comp);
            }
        }
        for m in &self.inputs.memberships {
            let ctx = || format!("membership of `{}` in `{}`", m.work, m.compound);
            let work = self
                .work(&m.work)
                .ok_or_else(|| NetworkError::UnknownWork {
                    context: ctx(),
                    work: m.work.clone(),
                })?;
            let comp = self.compounds.get(m.compound.as_str()).ok_or_else(|| {
                NetworkError::UnknownCompound {
                    context: ctx(),
                    compound: m.compound.clone(),
                }
            })?;
            let list = members.entry(work.id.as_str()).or_default();
            if !list.iter().any(|c| c.id == comp.id) {
                list.push(comp);
            }
        }
        for w in &plan.works {
            let length_m = line_length(&w.shape.local);
            if !length_m.is_finite() {
                return Err(NetworkError::InvalidNumber {
                    context: format!("work `{}`", w.id),
                    quantity: "geometry length",
                    value: length_m,
                });
            }
            let work_cuts = cuts.remove(w.id.as_str()).unwrap_or_default();
            let total_days = match w.duration {
                Duration::Days(d) => d.max(1),
                Duration::MetresPerDay(rate) => {
                    if !(rate.is_finite() && rate > 0.0) {
                        return Err(NetworkError::InvalidNumber {
                            context: format!("work `{}`", w.id),
                            quantity: "productivity_m_per_day",
                            value: rate,
                        });
                    }
                    let len = if length_m > 0.0 {
                        length_m
                    } else {
                        work_cuts.iter().map(|c| c.length_m).sum()
                    };
                    days_from_f64(len / rate).max(1)
                }
            };
            let compounds = members.remove(w.id.as_str()).unwrap_or_default();
            let mut release = w.earliest.map_or(0, |d| self.offset(d)).max(0);
            for c in &compounds {
                if let Some(s) = c.start_by {
                    release = release.max(self.offset(s));
                }
            }
            self.facts.insert(
                w.id.as_str(),
                WorkFacts {
                    length_m,
                    total_days,
                    compounds,
                    cuts: work_cuts,
                    release,
                },
            );
        }
        Ok(())
    }

    fn check_trenches(&self) -> Result<HashMap<&'a str, &'a str>, NetworkError> {
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

    fn crew(&mut self, discipline: Discipline) -> usize {
        let id = format!("crew:{}", discipline.as_str());
        if let Some(&i) = self.resource_ids.get(&id) {
            return i;
        }
        let i = self.resources.len();
        self.resources.push(Resource {
            id: id.clone(),
            kind: ResourceKind::Crew { discipline },
            capacity: self.plan.settings.crews_for(discipline),
        });
        self.resource_ids.insert(id, i);
        i
    }

    fn district_resource(&mut self, district: &str) -> Option<usize> {
        let capacity = *self.plan.settings.district_limits.get(district)?;
        let id = format!("district:{district}");
        if let Some(&i) = self.resource_ids.get(&id) {
            return Some(i);
        }
        let i = self.resources.len();
        self.resources.push(Resource {
            id: id.clone(),
            kind: ResourceKind::District {
                district: district.to_owned(),
            },
            capacity,
        });
        self.resource_ids.insert(id, i);
        Some(i)
    }

    /// Forbidden windows of an activity of `kind` by `discipline` (moratoria added by callers).
    fn windows(
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

    /// Adds an activity; its crew demand and calendar windows follow from kind and discipline.
    #[expect(
        clippy::too_many_arguments,
        reason = "an activity has this many independent fields"
    )]
    fn add_activity(
        &mut self,
        prefix: &str,
        kind: ActivityKind,
        works: &[&Work],
        discipline: Discipline,
        duration_days: u32,
        metres: f64,
        extra_windows: &[DayInterval],
        release: i64,
    ) -> Result<usize, NetworkError> {
        let id = format!("{prefix}/{}", kind.as_str());
        if self.ids.contains_key(&id) {
            return Err(NetworkError::DuplicateActivity { activity: id });
        }
        let mut owners = Vec::new();
        for w in works {
            push_unique(&mut owners, &w.owner);
        }
        let first = works.first().and_then(|w| self.facts.get(w.id.as_str()));
        let compound = first
            .and_then(|f| f.compounds.first())
            .map(|c| c.id.clone());
        let district = first.and_then(|f| self.district_of(f));
        let demands = if kind.is_site_work()
            && !matches!(kind, ActivityKind::Confirm | ActivityKind::Tender)
        {
            vec![Demand {
                resource: self.crew(discipline),
                amount: 1,
            }]
        } else {
            Vec::new()
        };
        let forbidden = self.windows(kind, discipline, extra_windows);
        let i = self.activities.len();
        self.activities.push(Activity {
            id: id.clone(),
            kind,
            works: works.iter().map(|w| w.id.clone()).collect(),
            owners,
            discipline,
            trench: None,
            compound,
            district,
            duration_days: duration_days.max(1),
            metres,
            demands,
            forbidden,
            release: release.max(0),
            deadlines: Vec::new(),
        });
        self.ids.insert(id, i);
        Ok(i)
    }

    fn district_of(&self, f: &WorkFacts<'_>) -> Option<String> {
        if let Some(c) = f.compounds.first() {
            return Some(c.district.clone());
        }
        f.cuts.iter().find_map(|c| {
            self.streets
                .get(c.street.as_str())
                .and_then(|s| s.district.clone())
        })
    }

    /// Finish-to-start: `to` starts at least `gap` days after `from` ends, and at most
    /// `max_gap` days after, if given.
    fn fs(
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

    fn restore_gap(&self, works: &[&Work]) -> i64 {
        let trunk = works
            .iter()
            .filter_map(|w| self.facts.get(w.id.as_str()))
            .any(|f| f.cuts.iter().any(|c| c.trunk));
        if trunk {
            self.templates.restore_max_gap_trunk_days
        } else {
            self.templates.restore_max_gap_other_days
        }
    }

    fn moratoria_for(&self, works: &[&Work]) -> Vec<DayInterval> {
        let facts: Vec<&super::MoratoriumFact> = works
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
    fn shared_excavation_windows(&self, works: &[&Work]) -> Vec<DayInterval> {
        let mut windows = self.moratoria_for(works);
        if works
            .iter()
            .any(|w| w.discipline == Discipline::Utility(Utility::Heat))
        {
            windows.extend_from_slice(&self.calendar.heating);
        }
        windows
    }

    fn pipeline_split(&self, w: &Work) -> Vec<u32> {
        let total = self.facts.get(w.id.as_str()).map_or(1, |f| f.total_days);
        split_days(total, &self.templates.pipeline_shares)
    }

    fn release_of(&self, works: &[&Work]) -> i64 {
        works
            .iter()
            .filter_map(|w| self.facts.get(w.id.as_str()))
            .map(|f| f.release)
            .max()
            .unwrap_or(0)
    }

    fn add_trenches(&mut self) -> Result<(), NetworkError> {
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
            let moratoria = self.shared_excavation_windows(&works);
            let exc = self.add_activity(
                &t.id,
                ActivityKind::Excavate,
                &works,
                discipline,
                step(0),
                t.length_m,
                &moratoria,
                release,
            )?;
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

    fn push_excavation(
        &mut self,
        id: &str,
        shared: bool,
        excavate: usize,
        restore: usize,
        length_m: f64,
        works: &[&Work],
    ) {
        let mut streets: Vec<String> = Vec::new();
        let mut per_district: BTreeMap<String, u32> = BTreeMap::new();
        for w in works {
            let Some(f) = self.facts.get(w.id.as_str()) else {
                continue;
            };
            for c in &f.cuts {
                if streets.contains(&c.street) {
                    continue;
                }
                streets.push(c.street.clone());
                if let Some(d) = self
                    .streets
                    .get(c.street.as_str())
                    .and_then(|s| s.district.clone())
                {
                    *per_district.entry(d).or_default() += 1;
                }
            }
        }
        let mut demands = Vec::new();
        for (district, amount) in per_district {
            if let Some(r) = self.district_resource(&district) {
                demands.push(Demand {
                    resource: r,
                    amount,
                });
            }
        }
        self.excavations.push(Excavation {
            id: id.to_owned(),
            shared,
            excavate,
            restore,
            length_m,
            works: works.iter().map(|w| w.id.clone()).collect(),
            streets,
            demands,
        });
    }

    fn add_work(&mut self, w: &'a Work) -> Result<(), NetworkError> {
        let release = self.release_of(&[w]);
        let len = self.facts.get(w.id.as_str()).map_or(0.0, |f| f.length_m);
        let total = self.facts.get(w.id.as_str()).map_or(1, |f| f.total_days);
        let t = self.templates;
        let nodes = match w.discipline {
            Discipline::Utility(_) => self.add_pipeline(w, total, len, release)?,
            Discipline::Trade(Trade::CleanHeating) => {
                self.add_clean_heating(w, total, len, release)?
            }
            Discipline::Trade(trade) => {
                let (first, last) = if trade == Trade::Paving {
                    let split = split_days(total, &t.paving_shares);
                    let sub = self.add_activity(
                        &w.id,
                        ActivityKind::Subbase,
                        &[w],
                        w.discipline,
                        split[0],
                        len,
                        &[],
                        release,
                    )?;
                    let pave = self.add_activity(
                        &w.id,
                        ActivityKind::Pave,
                        &[w],
                        w.discipline,
                        split[1],
                        len,
                        &[],
                        release,
                    )?;
                    self.fs(sub, pave, 0, None, PrecedenceReason::Template);
                    (sub, pave)
                } else {
                    let kind = match trade {
                        Trade::Clearing => ActivityKind::Clearing,
                        Trade::Roofing => ActivityKind::Roofing,
                        Trade::FacadeInsulation => ActivityKind::FacadeInsulation,
                        Trade::Greening => ActivityKind::Greening,
                        Trade::Facilities => ActivityKind::Facilities,
                        _ => ActivityKind::General,
                    };
                    let a = self.add_activity(
                        &w.id,
                        kind,
                        &[w],
                        w.discipline,
                        total,
                        len,
                        &[],
                        release,
                    )?;
                    (a, a)
                };
                if Phase::replaced_by(trade).is_some() {
                    let deadlines: Vec<Deadline> = self
                        .facts
                        .get(w.id.as_str())
                        .map(|f| {
                            f.compounds
                                .iter()
                                .map(|c| self.compound_deadline(c))
                                .collect()
                        })
                        .unwrap_or_default();
                    self.activities[last].deadlines.extend(deadlines);
                }
                WorkNodes {
                    first,
                    last,
                    lay: None,
                    retrofit: None,
                    connect: None,
                }
            }
        };
        if let Some(d) = self.work_deadline(w) {
            self.activities[nodes.last].deadlines.push(d);
        }
        self.nodes.insert(w.id.as_str(), nodes);
        Ok(())
    }

    fn add_pipeline(
        &mut self,
        w: &'a Work,
        total: u32,
        len: f64,
        release: i64,
    ) -> Result<WorkNodes, NetworkError> {
        let t = self.templates;
        let split = split_days(total, &t.pipeline_shares);
        let excavation_len = if len > 0.0 {
            len
        } else {
            self.facts
                .get(w.id.as_str())
                .map_or(0.0, |f| f.cuts.iter().map(|c| c.length_m).sum())
        };
        let moratoria = self.moratoria_for(&[w]);
        let kinds = [
            ActivityKind::Excavate,
            ActivityKind::Lay,
            ActivityKind::Test,
            ActivityKind::Backfill,
            ActivityKind::Restore,
        ];
        let mut ids = [0usize; 5];
        for (k, kind) in kinds.into_iter().enumerate() {
            let windows: &[DayInterval] = if k == 0 { &moratoria } else { &[] };
            let metres = if matches!(kind, ActivityKind::Lay | ActivityKind::Test) {
                len
            } else {
                excavation_len
            };
            ids[k] = self.add_activity(
                &w.id,
                kind,
                &[w],
                w.discipline,
                split[k],
                metres,
                windows,
                release,
            )?;
        }
        self.fs(ids[0], ids[1], 0, None, PrecedenceReason::Template);
        self.fs(ids[1], ids[2], 0, None, PrecedenceReason::Template);
        self.fs(
            ids[2],
            ids[3],
            0,
            Some(t.backfill_max_gap_days),
            PrecedenceReason::Template,
        );
        let gap = self.restore_gap(&[w]);
        self.fs(ids[3], ids[4], 0, Some(gap), PrecedenceReason::Template);
        self.push_excavation(&w.id, false, ids[0], ids[4], excavation_len, &[w]);
        Ok(WorkNodes {
            first: ids[0],
            last: ids[4],
            lay: Some(ids[1]),
            retrofit: None,
            connect: None,
        })
    }

    fn add_clean_heating(
        &mut self,
        w: &'a Work,
        total: u32,
        len: f64,
        release: i64,
    ) -> Result<WorkNodes, NetworkError> {
        let conversion = w
            .conversion
            .ok_or_else(|| NetworkError::MissingConversion { work: w.id.clone() })?;
        let supply = match conversion {
            Conversion::CoalToGas => Discipline::Utility(Utility::Gas),
            Conversion::CoalToElectric => Discipline::Utility(Utility::Power),
        };
        let split = split_days(total, &self.templates.clean_heating_shares);
        let steps = [
            (ActivityKind::Confirm, w.discipline),
            (ActivityKind::Tender, w.discipline),
            (ActivityKind::Retrofit, w.discipline),
            (ActivityKind::Connect, supply),
            (ActivityKind::Commission, w.discipline),
        ];
        let mut ids = [0usize; 5];
        for (k, (kind, discipline)) in steps.into_iter().enumerate() {
            ids[k] =
                self.add_activity(&w.id, kind, &[w], discipline, split[k], len, &[], release)?;
            if k > 0 {
                self.fs(ids[k - 1], ids[k], 0, None, PrecedenceReason::Template);
            }
        }
        let season = super::calendar::heating_deadline(
            self.plan.settings.calendars.heating_season,
            self.plan.settings.start,
        );
        let last_day = season.pred_opt().unwrap_or(season);
        let d = self.deadline(
            last_day,
            DeadlineKind::Hard,
            DeadlineSource::HeatingSeason(w.id.clone()),
        );
        self.activities[ids[4]].deadlines.push(d);
        Ok(WorkNodes {
            first: ids[0],
            last: ids[4],
            lay: None,
            retrofit: Some(ids[2]),
            connect: Some(ids[3]),
        })
    }

    fn add_compounds(&mut self) -> Result<(), NetworkError> {
        let plan = self.plan;
        let mut members_of: HashMap<&str, Vec<&'a Work>> = HashMap::new();
        for w in &plan.works {
            if let Some(f) = self.facts.get(w.id.as_str()) {
                for c in &f.compounds {
                    members_of.entry(c.id.as_str()).or_default().push(w);
                }
            }
        }
        for c in &plan.compounds {
            let members = members_of.remove(c.id.as_str()).unwrap_or_default();
            // Generated phases, minus those a trade work of the compound stands for.
            let mut phases: Vec<Phase> = class_phases(c.class);
            for t in &c.extra_tasks {
                let p = Phase::Task(*t);
                if !phases.contains(&p) {
                    phases.push(p);
                }
            }
            phases.retain(|p| {
                !members.iter().any(|w| matches!(w.discipline, Discipline::Trade(t) if Phase::replaced_by(t) == Some(*p)))
            });
            let release = c.start_by.map_or(0, |d| self.offset(d));
            let mut staged: Vec<(Stage, ActivityKind, usize, usize)> = Vec::new();
            for p in phases {
                let d = p.rate(self.templates).days(c.buildings);
                let i = self.add_activity(
                    &c.id,
                    p.kind(),
                    &[],
                    Discipline::Trade(p.trade()),
                    d,
                    0.0,
                    &[],
                    release,
                )?;
                let a = &mut self.activities[i];
                a.compound = Some(c.id.clone());
                a.district = Some(c.district.clone());
                let dl = self.compound_deadline(c);
                self.activities[i].deadlines.push(dl);
                staged.push((p.stage(), p.kind(), i, i));
            }
            let mut pipes: Vec<WorkNodes> = Vec::new();
            let mut heating: Vec<(Conversion, WorkNodes)> = Vec::new();
            let mut supplies: Vec<(Utility, WorkNodes)> = Vec::new();
            for w in &members {
                let Some(n) = self.nodes.get(w.id.as_str()).copied() else {
                    continue;
                };
                match w.discipline {
                    Discipline::Utility(u) => {
                        pipes.push(n);
                        supplies.push((u, n));
                    }
                    Discipline::Trade(Trade::CleanHeating) => {
                        if let Some(conv) = w.conversion {
                            heating.push((conv, n));
                        }
                    }
                    Discipline::Trade(_) => {
                        let kind = self.activities[n.last].kind;
                        staged.push((stage_of_kind(kind), kind, n.first, n.last));
                    }
                }
            }
            self.link_compound(&staged, &pipes, &heating, &supplies);
        }
        Ok(())
    }

    fn link_compound(
        &mut self,
        staged: &[(Stage, ActivityKind, usize, usize)],
        pipes: &[WorkNodes],
        heating: &[(Conversion, WorkNodes)],
        supplies: &[(Utility, WorkNodes)],
    ) {
        let of = |s: Stage| staged.iter().filter(move |x| x.0 == s);
        for &(_, _, _, clear_last) in of(Stage::Clearing) {
            for p in pipes {
                self.fs(
                    clear_last,
                    p.first,
                    0,
                    None,
                    PrecedenceReason::ClearingFirst,
                );
            }
            for &(stage, _, first, _) in staged {
                if stage != Stage::Clearing {
                    self.fs(clear_last, first, 0, None, PrecedenceReason::ClearingFirst);
                }
            }
        }
        for &(_, _, first, _) in of(Stage::Surface) {
            for p in pipes {
                self.fs(
                    p.last,
                    first,
                    0,
                    None,
                    PrecedenceReason::UndergroundBeforeSurface,
                );
            }
        }
        for &(_, kind, first, _) in of(Stage::Envelope) {
            if !matches!(kind, ActivityKind::Roofing | ActivityKind::FacadeInsulation) {
                continue;
            }
            for lay in pipes.iter().filter_map(|p| p.lay) {
                self.fs(
                    lay,
                    first,
                    0,
                    None,
                    PrecedenceReason::PenetrationsBeforeEnvelope,
                );
            }
            for retrofit in heating.iter().filter_map(|h| h.1.retrofit) {
                self.fs(
                    retrofit,
                    first,
                    0,
                    None,
                    PrecedenceReason::PenetrationsBeforeEnvelope,
                );
            }
        }
        for &(_, _, first, _) in of(Stage::Finishing) {
            for &(stage, _, _, last) in staged {
                if matches!(stage, Stage::Surface | Stage::Envelope) {
                    self.fs(last, first, 0, None, PrecedenceReason::FinishingLast);
                }
            }
        }
        for (conv, h) in heating {
            let needed = match conv {
                Conversion::CoalToGas => Utility::Gas,
                Conversion::CoalToElectric => Utility::Power,
            };
            let Some(connect) = h.connect else { continue };
            for (_, s) in supplies.iter().filter(|(u, _)| *u == needed) {
                self.fs(
                    s.last,
                    connect,
                    0,
                    None,
                    PrecedenceReason::ConnectionNeedsSupply,
                );
            }
        }
    }

    fn first_clearing(&self, compound: &str) -> Option<usize> {
        self.activities.iter().position(|a| {
            a.kind == ActivityKind::Clearing && a.compound.as_deref() == Some(compound)
        })
    }

    /// Compounds of one cluster are one project: their clearings start within a
    /// mobilisation window after the first one's. The window is the cluster's total
    /// clearing days plus [`CLUSTER_SLACK_DAYS`], so a single clearing crew can clear them
    /// back to back; starting them all on one day would need as many crews as compounds.
    fn add_clusters(&mut self) -> Result<(), NetworkError> {
        for (k, cluster) in self.inputs.compound_clusters.iter().enumerate() {
            let mut clearings = Vec::with_capacity(cluster.len());
            for c in cluster {
                if !self.compounds.contains_key(c.as_str()) {
                    return Err(NetworkError::UnknownCompound {
                        context: format!("compound cluster {k}"),
                        compound: c.clone(),
                    });
                }
                if let Some(i) = self.first_clearing(c)
                    && !clearings.contains(&i)
                {
                    clearings.push(i);
                }
            }
            let Some((&anchor, members)) = clearings.split_first() else {
                continue;
            };
            let window = clearings
                .iter()
                .map(|&i| i64::from(self.activities[i].duration_days))
                .sum::<i64>()
                + CLUSTER_SLACK_DAYS;
            for &i in members {
                if self
                    .edge_set
                    .insert((anchor, i, PrecedenceReason::ClusterSynchronised))
                {
                    self.precedences.push(Precedence {
                        from: anchor,
                        to: i,
                        min_lag: 0,
                        max_lag: Some(window),
                        reason: PrecedenceReason::ClusterSynchronised,
                    });
                }
            }
        }
        Ok(())
    }

    fn add_custom(&mut self) -> Result<(), NetworkError> {
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
    use super::*;
    use crate::city::network::testkit::{PlanBuilder, date};
    use crate::city::network::{ExtraPrecedence, MoratoriumFact, TrenchGroup};
    use geodata::plan::{CompoundTask, RenovationClass};

    fn build(plan: &Plan, inputs: &NetworkInputs) -> Network {
        Network::build(plan, inputs, &Templates::default()).expect("network builds")
    }

    fn idx(n: &Network, id: &str) -> usize {
        n.index_of(id)
            .unwrap_or_else(|| panic!("activity {id} exists"))
    }

    /// Whether `to` cannot start before `from` ends in every schedule (a min-lag path).
    fn finishes_before(n: &Network, from: &str, to: &str) -> bool {
        let (f, t) = (idx(n, from), idx(n, to));
        // Longest min-lag path from `from` to `to`, by relaxation in topological order.
        let order = n.topological_order().expect("acyclic");
        let mut dist: Vec<Option<i64>> = vec![None; n.activities.len()];
        dist[f] = Some(0);
        for v in order {
            let Some(dv) = dist[v] else { continue };
            for p in n.precedences.iter().filter(|p| p.from == v) {
                let c = dv + p.min_lag;
                if dist[p.to].is_none_or(|d| d < c) {
                    dist[p.to] = Some(c);
                }
            }
        }
        dist[t].is_some_and(|d| d >= i64::from(n.activities[f].duration_days))
    }

    fn edge<'n>(n: &'n Network, from: &str, to: &str) -> &'n Precedence {
        let (f, t) = (idx(n, from), idx(n, to));
        n.precedences
            .iter()
            .find(|p| p.from == f && p.to == t)
            .unwrap_or_else(|| panic!("edge {from} -> {to}"))
    }

    #[test]
    fn a_pipeline_work_becomes_five_chained_steps_with_restore_and_backfill_max_lags() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .pipe("w1", Utility::Water, 20, 200.0, None)
            .build();
        let n = build(&plan, &NetworkInputs::default());
        let ids: Vec<&str> = n.activities.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "w1/excavate",
                "w1/lay",
                "w1/test",
                "w1/backfill",
                "w1/restore"
            ]
        );
        let d: Vec<u32> = n.activities.iter().map(|a| a.duration_days).collect();
        assert_eq!(d, [5, 6, 2, 3, 4]);
        let lay = edge(&n, "w1/excavate", "w1/lay");
        assert_eq!((lay.min_lag, lay.max_lag), (5, None));
        let backfill = edge(&n, "w1/test", "w1/backfill");
        assert_eq!((backfill.min_lag, backfill.max_lag), (2, Some(2 + 7)));
        let restore = edge(&n, "w1/backfill", "w1/restore");
        assert_eq!(
            (restore.min_lag, restore.max_lag),
            (3, Some(3 + 5)),
            "5 days off trunk roads"
        );
        assert_eq!(n.excavation_count(), 1);
        assert!((n.excavations[0].length_m - 200.0).abs() < 1e-6);
        assert!(
            n.activities
                .iter()
                .all(|a| a.demands.len() == 1 && a.release == 0)
        );
        assert_eq!(n.resources[0].id, "crew:water");
        assert_eq!(n.resources[0].capacity, 4);
    }

    #[test]
    fn productivity_gives_the_duration_and_trunk_roads_restore_within_three_days() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .pipe("w1", Utility::Gas, 1, 250.0, None)
            .with_work("w1", |w| w.duration = Duration::MetresPerDay(25.0))
            .street("s1", Some("D1"))
            .build();
        let inputs = NetworkInputs {
            cuts: vec![StreetCut {
                work: "w1".into(),
                street: "s1".into(),
                length_m: 250.0,
                trunk: true,
            }],
            ..NetworkInputs::default()
        };
        let n = build(&plan, &inputs);
        let total: u32 = n.activities.iter().map(|a| a.duration_days).sum();
        assert_eq!(total, 10, "250 m at 25 m/day");
        let restore = edge(&n, "w1/backfill", "w1/restore");
        assert_eq!(restore.max_lag, Some(restore.min_lag + 3));
        assert_eq!(n.activities[0].district.as_deref(), Some("D1"));
    }

    #[test]
    fn trade_works_become_one_activity_and_paving_two() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .trade("r1", Trade::Roofing, 12, None)
            .trade("p1", Trade::Paving, 10, None)
            .trade("g1", Trade::General, 3, None)
            .build();
        let n = build(&plan, &NetworkInputs::default());
        let ids: Vec<&str> = n.activities.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["r1/roofing", "p1/subbase", "p1/pave", "g1/general"]);
        assert_eq!(n.activity("r1/roofing").expect("roofing").duration_days, 12);
        assert_eq!(edge(&n, "p1/subbase", "p1/pave").min_lag, 6);
        assert_eq!(n.excavation_count(), 0);
    }

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

    #[test]
    fn a_compound_digs_underground_before_surface_and_penetrates_before_roofing() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .compound("c1", RenovationClass::Beautify, 10, date(2027, 10, 31))
            .extra_task("c1", CompoundTask::RoofWaterproofing)
            .pipe("w1", Utility::Drainage, 20, 200.0, Some("c1"))
            .pipe("w2", Utility::Heat, 10, 150.0, None)
            .build();
        let inputs = NetworkInputs {
            memberships: vec![crate::city::network::CompoundMembership {
                work: "w2".into(),
                compound: "c1".into(),
            }],
            ..NetworkInputs::default()
        };
        let n = build(&plan, &inputs);
        for id in [
            "c1/clearing",
            "c1/pave",
            "c1/greening",
            "c1/facilities",
            "c1/roofing",
        ] {
            let a = n.activity(id).expect("compound phase");
            assert_eq!(a.compound.as_deref(), Some("c1"));
            assert_eq!(a.deadlines.len(), 1);
            assert_eq!(a.deadlines[0].date, date(2027, 10, 31));
            assert_eq!(
                a.deadlines[0].finish_by,
                day_offset(date(2027, 4, 1), date(2027, 10, 31)) + 1
            );
        }
        assert_eq!(
            n.activity("c1/pave").expect("surface").duration_days,
            15,
            "1.5 days x 10 buildings"
        );
        for w in ["w1", "w2"] {
            assert!(finishes_before(&n, "c1/clearing", &format!("{w}/excavate")));
            assert!(
                finishes_before(&n, &format!("{w}/restore"), "c1/pave"),
                "underground before surface"
            );
            assert!(
                finishes_before(&n, &format!("{w}/lay"), "c1/roofing"),
                "penetrations before roofing"
            );
        }
        assert!(finishes_before(&n, "c1/pave", "c1/greening"));
        assert!(finishes_before(&n, "c1/roofing", "c1/facilities"));
        assert!(
            !finishes_before(&n, "w1/restore", "c1/roofing"),
            "roofing needs only the lay"
        );
        let starts = n.earliest_starts().expect("acyclic");
        assert!(starts[idx(&n, "c1/pave")] >= starts[idx(&n, "w1/restore")] + 4);
    }

    #[test]
    fn a_trade_work_of_a_compound_replaces_the_generated_phase() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .compound("c1", RenovationClass::Basic, 10, date(2027, 10, 31))
            .trade("p1", Trade::Paving, 20, Some("c1"))
            .pipe("w1", Utility::Water, 10, 100.0, Some("c1"))
            .build();
        let n = build(&plan, &NetworkInputs::default());
        assert!(n.activity("c1/pave").is_none());
        assert!(finishes_before(&n, "w1/restore", "p1/subbase"));
        assert!(finishes_before(&n, "c1/clearing", "p1/subbase"));
        let pave = n.activity("p1/pave").expect("paving work");
        assert_eq!(
            pave.deadlines[0].source,
            DeadlineSource::Compound("c1".into())
        );
    }

    #[test]
    fn a_coal_to_gas_retrofit_connects_after_the_gas_main_and_commissions_before_the_season() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .compound("c1", RenovationClass::Basic, 5, date(2027, 12, 31))
            .pipe("g1", Utility::Gas, 20, 200.0, Some("c1"))
            .pipe("p1", Utility::Power, 20, 200.0, Some("c1"))
            .clean_heating("h1", Conversion::CoalToGas, 40, Some("c1"))
            .build();
        let n = build(&plan, &NetworkInputs::default());
        let chain = [
            "h1/confirm",
            "h1/tender",
            "h1/retrofit",
            "h1/connect",
            "h1/commission",
        ];
        for pair in chain.windows(2) {
            assert!(finishes_before(&n, pair[0], pair[1]), "{pair:?}");
        }
        assert!(finishes_before(&n, "g1/restore", "h1/connect"));
        assert!(
            !finishes_before(&n, "p1/restore", "h1/connect"),
            "power is not needed for gas"
        );
        let commission = n.activity("h1/commission").expect("commission");
        let season = &commission.deadlines[0];
        assert_eq!(season.kind, DeadlineKind::Hard);
        assert_eq!(season.date, date(2027, 11, 14));
        assert_eq!(
            season.finish_by,
            day_offset(date(2027, 4, 1), date(2027, 11, 15))
        );
        assert!(
            n.activity("h1/confirm")
                .expect("confirm")
                .demands
                .is_empty(),
            "office step"
        );
        let connect = n.activity("h1/connect").expect("connect");
        assert_eq!(
            connect.discipline,
            Discipline::Utility(Utility::Gas),
            "the gas company connects"
        );
        assert!(n.activity("h1/retrofit").expect("retrofit").demands.len() == 1);
    }

    #[test]
    fn a_coal_to_electric_retrofit_waits_for_power_and_a_missing_conversion_is_an_error() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .compound("c1", RenovationClass::Basic, 5, date(2027, 12, 31))
            .pipe("p1", Utility::Power, 20, 200.0, Some("c1"))
            .clean_heating("h1", Conversion::CoalToElectric, 40, Some("c1"))
            .build();
        let n = build(&plan, &NetworkInputs::default());
        assert!(finishes_before(&n, "p1/restore", "h1/connect"));
        let bad = PlanBuilder::new(date(2027, 4, 1))
            .clean_heating("h1", Conversion::CoalToGas, 40, None)
            .with_work("h1", |w| w.conversion = None)
            .build();
        assert_eq!(
            Network::build(&bad, &NetworkInputs::default(), &Templates::default()),
            Err(NetworkError::MissingConversion { work: "h1".into() })
        );
    }

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
    fn releases_and_deadlines_come_from_plan_start_work_and_compound_dates() {
        let start = date(2027, 4, 1);
        let plan = PlanBuilder::new(start)
            .compound("c1", RenovationClass::Basic, 4, date(2027, 9, 30))
            .pipe("w1", Utility::Water, 10, 100.0, Some("c1"))
            .pipe("w2", Utility::Water, 10, 100.0, None)
            .with_work("w2", |w| {
                w.earliest = Some(date(2027, 3, 1));
                w.deadline = Some(date(2027, 6, 30));
                w.deadline_kind = DeadlineKind::Soft;
            })
            .build();
        let mut plan = plan;
        plan.compounds[0].start_by = Some(date(2027, 5, 1));
        let n = build(&plan, &NetworkInputs::default());
        assert_eq!(n.activity("w1/excavate").expect("w1").release, 30);
        assert_eq!(n.activity("c1/clearing").expect("clearing").release, 30);
        assert_eq!(
            n.activity("w2/excavate").expect("w2").release,
            0,
            "before plan start clamps to 0"
        );
        let d = &n.activity("w2/restore").expect("restore").deadlines[0];
        assert_eq!((d.kind, d.finish_by), (DeadlineKind::Soft, 91));
        assert!(n.activity("w2/test").expect("test").deadlines.is_empty());
    }

    #[test]
    fn crews_and_district_limits_become_resources() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .pipe("w1", Utility::Water, 10, 100.0, None)
            .pipe("w2", Utility::Gas, 10, 100.0, None)
            .street("s1", Some("D1"))
            .street("s2", Some("D1"))
            .street("s3", Some("D2"))
            .with_settings(|s| {
                s.crews.insert("water".into(), 2);
                s.district_limits.insert("D1".into(), 3);
            })
            .build();
        let cut = |w: &str, s: &str| StreetCut {
            work: w.into(),
            street: s.into(),
            length_m: 50.0,
            trunk: false,
        };
        let inputs = NetworkInputs {
            cuts: vec![
                cut("w1", "s1"),
                cut("w1", "s2"),
                cut("w1", "s3"),
                cut("w2", "s3"),
            ],
            ..NetworkInputs::default()
        };
        let n = build(&plan, &inputs);
        let res = |id: &str| {
            n.resources
                .iter()
                .position(|r| r.id == id)
                .expect("resource")
        };
        assert_eq!(n.resources[res("crew:water")].capacity, 2);
        assert_eq!(n.resources[res("crew:gas")].capacity, 4);
        assert_eq!(n.resources[res("district:D1")].capacity, 3);
        assert!(
            n.resources.iter().all(|r| r.id != "district:D2"),
            "unlimited district"
        );
        let w1 = n
            .excavations
            .iter()
            .find(|e| e.id == "w1")
            .expect("w1 excavation");
        assert_eq!(
            w1.demands,
            vec![Demand {
                resource: res("district:D1"),
                amount: 2
            }]
        );
        assert_eq!(w1.streets, ["s1", "s2", "s3"]);
        let w2 = n
            .excavations
            .iter()
            .find(|e| e.id == "w2")
            .expect("w2 excavation");
        assert!(w2.demands.is_empty());
    }

    #[test]
    fn cluster_compounds_start_clearing_within_one_mobilisation_window() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .compound("c1", RenovationClass::Integrate, 4, date(2027, 9, 30))
            .compound("c2", RenovationClass::Integrate, 4, date(2027, 9, 30))
            .build();
        let inputs = NetworkInputs {
            compound_clusters: vec![vec!["c1".into(), "c2".into()]],
            ..NetworkInputs::default()
        };
        let n = build(&plan, &inputs);
        let p = edge(&n, "c1/clearing", "c2/clearing");
        let clearing_days: i64 = ["c1/clearing", "c2/clearing"]
            .iter()
            .map(|id| i64::from(n.activity(id).expect("clearing").duration_days))
            .sum();
        assert_eq!(
            (p.min_lag, p.max_lag, p.reason),
            (
                0,
                Some(clearing_days + CLUSTER_SLACK_DAYS),
                PrecedenceReason::ClusterSynchronised
            )
        );
        let bad = NetworkInputs {
            compound_clusters: vec![vec!["c1".into(), "c9".into()]],
            ..NetworkInputs::default()
        };
        assert!(matches!(
            Network::build(&plan, &bad, &Templates::default()),
            Err(NetworkError::UnknownCompound { compound, .. }) if compound == "c9"
        ));
    }

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
    fn the_network_round_trips_through_json() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .compound("c1", RenovationClass::Upgrade, 4, date(2027, 9, 30))
            .pipe("w1", Utility::Water, 10, 100.0, Some("c1"))
            .clean_heating("h1", Conversion::CoalToGas, 10, Some("c1"))
            .build();
        let n = build(&plan, &NetworkInputs::default());
        let json = serde_json::to_string(&n).expect("serialises");
        let back: Network = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, n);
        back.check().expect("still consistent");
    }
}

#[cfg(test)]
mod heat_tests {
    use super::*;
    use crate::city::network::TrenchGroup;
    use crate::city::network::testkit::{PlanBuilder, date};

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
