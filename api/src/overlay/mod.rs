//! The map overlay (`docs/http-api.md#map-overlay`): a plan, its analysis and (optionally)
//! a schedule as one set of features with kind, ISO dates, status and display colour.
//!
//! [`Overlay::build`] is pure: plan + analysis + schedule in, features out. It keeps each
//! feature's WGS84 geometry, bounding box and dates, so one built overlay answers every
//! filter ([`filter::Filter`]: `bbox`, `datetime`) and every status date without being
//! rebuilt; [`Overlay::to_geojson`] and [`OverlayFeature::to_geojson`] render the
//! RFC 7946 document (optionally in GCJ-02). The service keeps built overlays in a
//! [`cache::OverlayCache`]; the OGC API Features routes serve the same features one
//! collection per kind.

pub mod cache;
pub mod filter;
pub mod geometry;
pub mod progress;
pub mod rendered;
pub mod short_code;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use geo::{BoundingRect, Geometry, LineString, MultiLineString, Point};
use geodata::analysis::{Analysis, ClearanceProfile, ProfileError};
use geodata::plan::{Discipline, Plan, Utility};
use serde_json::{Map, Value, json};

use filter::Filter;
use geometry::{OutputCrs, geometry_json};
use optimizer::city::document::{Advice, ScheduleDocument};

/// The kinds of overlay feature, in drawing order (bottom to top).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A residential compound (polygon).
    Compound,
    /// A utility or trade work.
    Work,
    /// A street with its paving and moratorium.
    Street,
    /// A shared trench: the stretch several works are laid in together.
    Trench,
    /// Two works whose lines cross.
    Crossing,
    /// A work cutting a street under road-cut moratorium.
    MoratoriumConflict,
}

impl Kind {
    /// Every kind, in the order features are emitted.
    pub const ALL: [Kind; 6] = [
        Kind::Compound,
        Kind::Work,
        Kind::Street,
        Kind::Trench,
        Kind::Crossing,
        Kind::MoratoriumConflict,
    ];

    /// The `properties.kind` value.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Compound => "compound",
            Kind::Work => "work",
            Kind::Street => "street",
            Kind::Trench => "trench",
            Kind::Crossing => "crossing",
            Kind::MoratoriumConflict => "moratorium_conflict",
        }
    }

    /// A short human title (OGC collection titles).
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Kind::Compound => "Compounds",
            Kind::Work => "Works",
            Kind::Street => "Streets",
            Kind::Trench => "Shared trenches",
            Kind::Crossing => "Crossings",
            Kind::MoratoriumConflict => "Moratorium conflicts",
        }
    }

    /// Whether features of this kind have start and end dates.
    #[must_use]
    pub fn is_timed(self) -> bool {
        matches!(self, Kind::Compound | Kind::Work | Kind::Trench)
    }

    /// The kind named `name`, if any.
    #[must_use]
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// Where a dated feature stands on a given day (the rules of `web/src/status.js`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// No dates.
    Unscheduled,
    /// Starts later.
    Planned,
    /// Being worked on that day.
    InProgress,
    /// Its last day of work has passed.
    Done,
    /// Not done and past its deadline.
    Late,
}

impl Status {
    /// The `properties.status` value.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unscheduled => "unscheduled",
            Status::Planned => "planned",
            Status::InProgress => "in_progress",
            Status::Done => "done",
            Status::Late => "late",
        }
    }

    /// Status on `day` of an item worked `start..=end` with `deadline`: done once past
    /// the last day; late when not done and past the deadline; in progress from the first
    /// day; planned before it; unscheduled without dates.
    #[must_use]
    pub fn at(
        day: NaiveDate,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
        deadline: Option<NaiveDate>,
    ) -> Status {
        if end.is_some_and(|e| day > e) {
            Status::Done
        } else if deadline.is_some_and(|d| day > d) {
            Status::Late
        } else {
            match start {
                Some(s) if day >= s => Status::InProgress,
                Some(_) => Status::Planned,
                None => Status::Unscheduled,
            }
        }
    }
}

/// Display colours suggested to clients (`docs/http-api.md#map-overlay`).
pub mod colors {
    use geodata::plan::{RenovationClass, Utility};

    /// Shared trenches.
    pub const TRENCH: &str = "#000000";
    /// Moratorium conflicts.
    pub const MORATORIUM: &str = "#d62728";
    /// Streets.
    pub const STREET: &str = "#cfd3d8";
    /// Crossings.
    pub const CROSSING: &str = "#333333";
    /// Works of building trades.
    pub const TRADE: &str = "#888888";

    /// The colour of a utility's works.
    #[must_use]
    pub fn utility(utility: Utility) -> &'static str {
        match utility {
            Utility::Water => "#1f78b4",
            Utility::Drainage => "#33a02c",
            Utility::Sewer => "#6a3d9a",
            Utility::Power => "#e31a1c",
            Utility::Gas => "#ff7f00",
            Utility::Heat => "#b15928",
            Utility::Telecom => "#0099cc",
        }
    }

    /// The colour of a compound's renovation class.
    #[must_use]
    pub fn class(class: RenovationClass) -> &'static str {
        match class {
            RenovationClass::Basic => "#8dd3c7",
            RenovationClass::Beautify => "#b3de69",
            RenovationClass::Upgrade => "#fdb462",
            RenovationClass::Integrate => "#bc80bd",
        }
    }
}

/// One overlay feature, kept in WGS84 with its box and dates so filters need no rebuild.
#[derive(Debug, Clone, PartialEq)]
pub struct OverlayFeature {
    /// Its kind.
    pub kind: Kind,
    /// `properties.id`: the plan's feature id, or the analysis id.
    pub id: String,
    /// Geometry in WGS84.
    pub geometry: Geometry<f64>,
    /// `[min lon, min lat, max lon, max lat]` of the geometry.
    pub bbox: [f64; 4],
    /// First day of work, if scheduled.
    pub start: Option<NaiveDate>,
    /// Last day of work (inclusive), if scheduled.
    pub end: Option<NaiveDate>,
    /// The deadline that decides `late`, if any.
    pub deadline: Option<NaiveDate>,
    /// Every property except `kind`, `id` and `status` (which depends on the date asked).
    pub properties: Map<String, Value>,
}

impl OverlayFeature {
    /// The feature's status on `day` (`unscheduled` for kinds without dates).
    #[must_use]
    pub fn status(&self, day: NaiveDate) -> Option<Status> {
        self.kind
            .is_timed()
            .then(|| Status::at(day, self.start, self.end, self.deadline))
    }

    /// The RFC 7946 feature, with `status` on `day`, positions written in `crs`.
    /// `with_id` adds the top-level `id` (OGC API items, where ids are per collection).
    #[must_use]
    pub fn to_geojson(&self, day: NaiveDate, crs: OutputCrs, with_id: bool) -> Value {
        let mut properties = Map::with_capacity(self.properties.len() + 3);
        properties.insert("kind".into(), json!(self.kind.as_str()));
        properties.insert("id".into(), json!(self.id));
        properties.extend(self.properties.iter().map(|(k, v)| (k.clone(), v.clone())));
        if let Some(status) = self.status(day) {
            properties.insert("status".into(), json!(status.as_str()));
        }
        let mut feature = Map::with_capacity(4);
        feature.insert("type".into(), json!("Feature"));
        if with_id {
            feature.insert("id".into(), json!(self.id));
        }
        feature.insert("geometry".into(), geometry_json(&self.geometry, crs));
        feature.insert("properties".into(), Value::Object(properties));
        Value::Object(feature)
    }
}

/// The top-level `overlay` member.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OverlayMeta {
    /// Plan id.
    pub plan_id: String,
    /// Plan name.
    pub plan_name: String,
    /// The plan version shown.
    pub plan_version: u32,
    /// The schedule shown, if any.
    pub schedule_id: Option<String>,
    /// First day of the schedule, or the plan's start.
    pub start: NaiveDate,
    /// Last day of the schedule, or the end of the plan's horizon.
    pub end: NaiveDate,
    /// Every district named by compounds and streets, sorted.
    pub districts: Vec<String>,
    /// Every utility with works, in the plan model's order.
    pub utilities: Vec<String>,
    /// Every company with works, sorted.
    pub owners: Vec<String>,
    /// Hard deadlines the schedule shown misses (null without a schedule).
    pub hard_deadlines_missed: Option<usize>,
    /// Activities of the schedule shown that end after the horizon (null without one).
    pub beyond_horizon: Option<usize>,
    /// The schedule's advice: the changes that would make every missed hard deadline hold
    /// (null without a schedule; no changes when nothing is missed).
    pub advice: Option<Advice>,
}

/// A built overlay: its metadata and every feature.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// The `overlay` member.
    pub meta: OverlayMeta,
    /// Features in [`Kind::ALL`] order.
    pub features: Vec<OverlayFeature>,
}

/// What an overlay is built from.
#[derive(Debug, Clone, Copy)]
pub struct OverlaySource<'a> {
    /// Plan id.
    pub plan_id: &'a str,
    /// Plan version.
    pub plan_version: u32,
    /// The validated plan.
    pub plan: &'a Plan,
    /// Its analysis.
    pub analysis: &'a Analysis,
    /// The schedule to show, with its id.
    pub schedule: Option<(&'a str, &'a ScheduleDocument)>,
}

/// Why an overlay could not be built.
#[derive(Debug, thiserror::Error)]
pub enum OverlayError {
    /// The plan names a clearance profile this build does not know (moratorium years).
    #[error("the plan's clearance profile cannot be loaded")]
    Profile {
        /// The profile lookup's error.
        #[source]
        source: ProfileError,
    },
}

/// First and last day over a set of activities.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: NaiveDate,
    end: NaiveDate,
}

impl Span {
    fn widen(slot: &mut Option<Span>, start: NaiveDate, end: NaiveDate) {
        *slot = Some(match *slot {
            Some(s) => Span {
                start: s.start.min(start),
                end: s.end.max(end),
            },
            None => Span { start, end },
        });
    }
}

/// Spans per work, compound and trench, and a district per work, from a schedule.
#[derive(Debug, Default)]
struct Timing<'a> {
    works: BTreeMap<&'a str, Span>,
    compounds: BTreeMap<&'a str, Span>,
    trenches: BTreeMap<&'a str, Span>,
    districts: BTreeMap<&'a str, &'a str>,
    all: Option<Span>,
}

impl<'a> Timing<'a> {
    fn of(schedule: Option<&'a ScheduleDocument>) -> Self {
        let mut timing = Timing::default();
        let Some(schedule) = schedule else {
            return timing;
        };
        for a in &schedule.activities {
            let mut slot = timing.all;
            Span::widen(&mut slot, a.start, a.end);
            timing.all = slot;
            for w in a.works.iter().map(String::as_str) {
                let mut slot = timing.works.get(w).copied();
                Span::widen(&mut slot, a.start, a.end);
                if let Some(s) = slot {
                    timing.works.insert(w, s);
                }
                if let Some(d) = &a.district {
                    timing.districts.entry(w).or_insert(d.as_str());
                }
            }
            for (map, key) in [
                (&mut timing.compounds, a.compound.as_deref()),
                (&mut timing.trenches, a.trench.as_deref()),
            ] {
                if let Some(key) = key {
                    let mut slot = map.get(key).copied();
                    Span::widen(&mut slot, a.start, a.end);
                    if let Some(s) = slot {
                        map.insert(key, s);
                    }
                }
            }
        }
        timing
    }
}

fn bbox_of(geometry: &Geometry<f64>) -> [f64; 4] {
    geometry
        .bounding_rect()
        .map_or([0.0; 4], |r| [r.min().x, r.min().y, r.max().x, r.max().y])
}

fn lines_geometry(lines: &[Vec<[f64; 2]>]) -> Geometry<f64> {
    let mut strings: Vec<LineString<f64>> = lines
        .iter()
        .map(|l| LineString::from(l.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>()))
        .collect();
    if strings.len() == 1 {
        Geometry::LineString(strings.remove(0))
    } else {
        Geometry::MultiLineString(MultiLineString::new(strings))
    }
}

fn date(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| json!(d.to_string()))
}

fn feature(
    kind: Kind,
    id: &str,
    geometry: Geometry<f64>,
    span: Option<Span>,
    deadline: Option<NaiveDate>,
    properties: Value,
) -> OverlayFeature {
    let mut properties = match properties {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    if kind.is_timed() {
        properties.insert("start".into(), date(span.map(|s| s.start)));
        properties.insert("end".into(), date(span.map(|s| s.end)));
    }
    OverlayFeature {
        kind,
        id: id.to_owned(),
        bbox: bbox_of(&geometry),
        geometry,
        start: span.map(|s| s.start),
        end: span.map(|s| s.end),
        deadline,
        properties,
    }
}

fn utility_of(discipline: Discipline) -> (&'static str, &'static str, &'static str) {
    match discipline {
        Discipline::Utility(u) => ("utility", u.as_str(), colors::utility(u)),
        Discipline::Trade(t) => ("trade", t.as_str(), colors::TRADE),
    }
}

/// The plan and analysis indexed for building features.
struct Builder<'a> {
    plan: &'a Plan,
    analysis: &'a Analysis,
    profile: ClearanceProfile,
    timing: Timing<'a>,
    compound_district: BTreeMap<&'a str, &'a str>,
    deadline_of: BTreeMap<&'a str, NaiveDate>,
    trench_of: BTreeMap<&'a str, &'a str>,
    trench_owners: BTreeMap<&'a str, BTreeSet<&'a str>>,
}

impl<'a> Builder<'a> {
    fn new(source: &OverlaySource<'a>) -> Result<Self, OverlayError> {
        let OverlaySource { plan, analysis, .. } = *source;
        let profile = ClearanceProfile::built_in(&plan.settings.clearance_profile)
            .map_err(|source| OverlayError::Profile { source })?;
        let owner_of: BTreeMap<&str, &str> = plan
            .works
            .iter()
            .map(|w| (w.id.as_str(), w.owner.as_str()))
            .collect();
        let mut trench_of = BTreeMap::new();
        let mut trench_owners: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for t in &analysis.trenches {
            let owners = trench_owners.entry(t.id.as_str()).or_default();
            for w in &t.works {
                trench_of.insert(w.as_str(), t.id.as_str());
                if let Some(o) = owner_of.get(w.as_str()) {
                    owners.insert(o);
                }
            }
        }
        Ok(Self {
            plan,
            analysis,
            profile,
            timing: Timing::of(source.schedule.map(|(_, s)| s)),
            compound_district: plan
                .compounds
                .iter()
                .map(|c| (c.id.as_str(), c.district.as_str()))
                .collect(),
            deadline_of: plan
                .works
                .iter()
                .filter_map(|w| Some((w.id.as_str(), w.deadline?)))
                .collect(),
            trench_of,
            trench_owners,
        })
    }

    fn compounds(&self, out: &mut Vec<OverlayFeature>) {
        for c in &self.plan.compounds {
            out.push(feature(
                Kind::Compound,
                &c.id,
                c.shape.wgs84.clone(),
                self.timing.compounds.get(c.id.as_str()).copied(),
                Some(c.finish_by),
                json!({
                    "name": c.name,
                    "district": c.district,
                    "class": c.class,
                    "households": c.households,
                    "finish_by": c.finish_by.to_string(),
                    "color": colors::class(c.class),
                }),
            ));
        }
    }

    fn works(&self, out: &mut Vec<OverlayFeature>) {
        for w in &self.plan.works {
            let (key, name, color) = utility_of(w.discipline);
            let trench = self.trench_of.get(w.id.as_str()).copied();
            let partners: Vec<&str> = trench
                .and_then(|t| self.trench_owners.get(t))
                .map(|owners| owners.iter().copied().filter(|o| *o != w.owner).collect())
                .unwrap_or_default();
            let district = w
                .compound
                .as_deref()
                .and_then(|c| self.compound_district.get(c).copied())
                .or_else(|| self.timing.districts.get(w.id.as_str()).copied());
            let mut props = json!({
                "owner": w.owner,
                "action": w.action,
                "district": district,
                "compound": w.compound,
                "trench": trench,
                "partners": partners,
                "deadline": date(w.deadline),
                "color": color,
            });
            if let Value::Object(map) = &mut props {
                map.insert(key.into(), json!(name));
            }
            out.push(feature(
                Kind::Work,
                &w.id,
                w.shape.wgs84.clone(),
                self.timing.works.get(w.id.as_str()).copied(),
                w.deadline,
                props,
            ));
        }
    }

    /// Streets; `moratorium_until` is the end of the road-cut moratorium after the last
    /// paving (profile years), or null when there is none or it ended before the plan.
    fn streets(&self, out: &mut Vec<OverlayFeature>) {
        for s in &self.plan.streets {
            let until = s.paved_on.zip(s.paving).and_then(|(paved, paving)| {
                let years = self.profile.moratorium.years(paving);
                let until = paved.checked_add_months(chrono::Months::new(years * 12))?;
                (years > 0 && until > self.plan.settings.start).then_some(until)
            });
            out.push(feature(
                Kind::Street,
                &s.id,
                s.shape.wgs84.clone(),
                None,
                None,
                json!({
                    "name": s.name,
                    "district": s.district,
                    "paved_on": date(s.paved_on),
                    "paving": s.paving,
                    "moratorium_until": date(until),
                    "cut_exception": s.cut_exception,
                    "color": colors::STREET,
                }),
            ));
        }
    }

    fn trenches(&self, out: &mut Vec<OverlayFeature>) {
        for t in &self.analysis.trenches {
            let owners: Vec<&str> = self
                .trench_owners
                .get(t.id.as_str())
                .map(|o| o.iter().copied().collect())
                .unwrap_or_default();
            // A trench is late once the earliest deadline of the works it holds passes.
            let deadline = t
                .works
                .iter()
                .filter_map(|w| self.deadline_of.get(w.as_str()).copied())
                .min();
            let utilities: Vec<&str> = t.utilities.iter().map(|u| u.as_str()).collect();
            out.push(feature(
                Kind::Trench,
                &t.id,
                lines_geometry(&t.geometry),
                self.timing.trenches.get(t.id.as_str()).copied(),
                deadline,
                json!({
                    "works": t.works,
                    "utilities": utilities,
                    "owners": owners,
                    "length_m": t.length_m,
                    "color": colors::TRENCH,
                }),
            ));
        }
    }

    fn crossings_and_conflicts(&self, out: &mut Vec<OverlayFeature>) {
        for x in &self.analysis.crossings {
            let utilities: Vec<&str> = x.utilities.iter().map(|u| u.as_str()).collect();
            out.push(feature(
                Kind::Crossing,
                &x.id,
                Geometry::Point(Point::new(x.point[0], x.point[1])),
                None,
                None,
                json!({ "works": x.works, "utilities": utilities, "color": colors::CROSSING }),
            ));
        }
        for m in &self.analysis.moratorium_conflicts {
            out.push(feature(
                Kind::MoratoriumConflict,
                &format!("{}@{}", m.work, m.street),
                lines_geometry(&m.geometry),
                None,
                None,
                json!({
                    "street": m.street,
                    "street_name": m.street_name,
                    "works": [m.work],
                    "until": m.moratorium_end.to_string(),
                    "exception": m.cut_exception,
                    "conflict": m.status,
                    "color": colors::MORATORIUM,
                }),
            ));
        }
    }

    fn meta(&self, source: &OverlaySource<'_>) -> OverlayMeta {
        let plan = self.plan;
        let districts: BTreeSet<&str> = plan
            .compounds
            .iter()
            .map(|c| c.district.as_str())
            .chain(plan.streets.iter().filter_map(|s| s.district.as_deref()))
            .collect();
        let used: BTreeSet<Utility> = plan
            .works
            .iter()
            .filter_map(|w| match w.discipline {
                Discipline::Utility(u) => Some(u),
                Discipline::Trade(_) => None,
            })
            .collect();
        let owners: BTreeSet<&str> = plan.works.iter().map(|w| w.owner.as_str()).collect();
        let horizon_end = plan
            .settings
            .start
            .checked_add_days(chrono::Days::new(u64::from(plan.settings.horizon_days)))
            .unwrap_or(plan.settings.start);
        let (start, end) = self
            .timing
            .all
            .map_or((plan.settings.start, horizon_end), |s| (s.start, s.end));
        OverlayMeta {
            plan_id: source.plan_id.to_owned(),
            plan_name: plan.settings.name.clone(),
            plan_version: source.plan_version,
            schedule_id: source.schedule.map(|(id, _)| id.to_owned()),
            start,
            end,
            districts: districts.into_iter().map(str::to_owned).collect(),
            utilities: Utility::ALL
                .into_iter()
                .filter(|u| used.contains(u))
                .map(|u| u.as_str().to_owned())
                .collect(),
            owners: owners.into_iter().map(str::to_owned).collect(),
            hard_deadlines_missed: source
                .schedule
                .map(|(_, d)| d.summary.hard_deadlines_missed),
            beyond_horizon: source.schedule.map(|(_, d)| d.summary.beyond_horizon),
            advice: source.schedule.map(|(_, d)| d.advice.clone()),
        }
    }
}

impl Overlay {
    /// Builds the overlay of a plan, its analysis and optionally a schedule.
    ///
    /// # Errors
    /// [`OverlayError::Profile`] when the plan's clearance profile is unknown.
    ///
    /// # Complexity
    /// O(a log a + f log f) in activities a and features f.
    pub fn build(source: &OverlaySource<'_>) -> Result<Overlay, OverlayError> {
        let builder = Builder::new(source)?;
        let (plan, analysis) = (source.plan, source.analysis);
        let mut features = Vec::with_capacity(
            plan.compounds.len()
                + plan.works.len()
                + plan.streets.len()
                + analysis.trenches.len()
                + analysis.crossings.len()
                + analysis.moratorium_conflicts.len(),
        );
        builder.compounds(&mut features);
        builder.works(&mut features);
        builder.streets(&mut features);
        builder.trenches(&mut features);
        builder.crossings_and_conflicts(&mut features);
        Ok(Overlay {
            meta: builder.meta(source),
            features,
        })
    }

    /// The features of `kind` (all kinds when `None`) that pass `filter`.
    pub fn matching<'a>(
        &'a self,
        kind: Option<Kind>,
        filter: &'a Filter,
    ) -> impl Iterator<Item = &'a OverlayFeature> + 'a {
        self.features
            .iter()
            .filter(move |f| kind.is_none_or(|k| f.kind == k) && filter.matches(f))
    }

    /// The bounding box of every feature of `kind` (all when `None`), if any.
    #[must_use]
    pub fn extent(&self, kind: Option<Kind>) -> Option<[f64; 4]> {
        self.features
            .iter()
            .filter(|f| kind.is_none_or(|k| f.kind == k))
            .map(|f| f.bbox)
            .reduce(|a, b| {
                [
                    a[0].min(b[0]),
                    a[1].min(b[1]),
                    a[2].max(b[2]),
                    a[3].max(b[3]),
                ]
            })
    }

    /// The whole document (`docs/http-api.md#map-overlay`): matching features, status on
    /// the filter's day, positions in `crs`.
    #[must_use]
    pub fn to_geojson(&self, filter: &Filter, crs: OutputCrs) -> Value {
        let day = filter.status_day();
        let features: Vec<Value> = self
            .matching(None, filter)
            .map(|f| f.to_geojson(day, crs, false))
            .collect();
        json!({
            "type": "FeatureCollection",
            "overlay": self.meta,
            "datetime": day.to_string(),
            "features": features,
        })
    }
}

#[cfg(test)]
mod tests;
