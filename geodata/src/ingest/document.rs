//! The streaming walk over the whole upload.
//!
//! A custom serde visitor reads the top-level object member by member. `features` is
//! visited element by element: each feature is parsed into a small JSON tree, read into
//! the model by [`feature::read`], and dropped before the next one is parsed.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;

use geo::{Coord, Euclidean, Geometry, Length};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::feature::{self, Item};
use super::geometry::Bounds;
use super::pointer::Sink;
use super::{IngestError, IngestOptions, heating, settings};
use crate::crs::LocalFrame;
use crate::heating::HeatingInputs;
use crate::plan::{Compound, Duration, Plan, Street, Work};
use crate::validation::{Issue, IssueCode};

/// Everything gathered while walking the document.
struct State {
    options: IngestOptions,
    /// Document-level problems and, merged in order, every feature's.
    sink: Sink,
    /// What the top level turned out to be, if not an object.
    top_level: Option<&'static str>,
    /// The `type` member of the top level.
    doc_type: Option<Value>,
    /// Whether a `features` member was seen, and whether it was an array.
    features: Option<bool>,
    /// The `plan` member, kept as JSON (it is small).
    plan: Option<Value>,
    /// The feature being parsed, for locating a JSON syntax error.
    current: Option<usize>,
    bounds: Bounds,
    /// First index of every readable id.
    ids: HashMap<String, usize>,
    compound_ids: HashSet<String>,
    /// (feature index, work id, referenced compound) for the reference check.
    references: Vec<(usize, String, String)>,
    compounds: Vec<Compound>,
    works: Vec<Work>,
    /// The feature index of each of `works`.
    work_indices: Vec<usize>,
    streets: Vec<Street>,
    /// Villages, substations and gas mains.
    heating: HeatingInputs,
    substation_ids: HashSet<String>,
    /// (feature index, village id, referenced substation) for the reference check.
    substation_references: Vec<(usize, String, String)>,
    village_ids: HashSet<String>,
    /// (feature index, work id, referenced village) for the reference check.
    village_references: Vec<(usize, String, String)>,
}

impl State {
    fn feature(&mut self, index: usize, value: &Value) {
        let mut sink = Sink::feature(index, self.sink.remaining());
        let outcome = feature::read(value, self.options.crs, &mut self.bounds, &mut sink);
        if let Some(id) = &outcome.id {
            if let Some(&first) = self.ids.get(id) {
                sink.push(
                    IssueCode::DuplicateId,
                    format!("/features/{index}/properties/id"),
                    format!(
                        "The id \"{id}\" is already used by feature {first}; ids must be unique."
                    ),
                );
            } else {
                self.ids.insert(id.clone(), index);
            }
            if outcome.is_compound {
                self.compound_ids.insert(id.clone());
            }
            if let Some(reference) = outcome.compound_ref {
                self.references.push((index, id.clone(), reference));
            }
            if outcome.is_substation {
                self.substation_ids.insert(id.clone());
            }
            if outcome.is_village {
                self.village_ids.insert(id.clone());
            }
            if let Some(reference) = outcome.village_ref {
                self.village_references.push((index, id.clone(), reference));
            }
            if let Some(reference) = outcome.substation_ref {
                self.substation_references
                    .push((index, id.clone(), reference));
            }
        }
        // Once anything is wrong the plan is not built, so stop keeping geometry.
        let keep = sink.is_clean() && self.sink.is_clean();
        self.sink.absorb(&mut sink);
        if !keep {
            self.compounds = Vec::new();
            self.works = Vec::new();
            self.work_indices = Vec::new();
            self.streets = Vec::new();
            self.heating = HeatingInputs::default();
            return;
        }
        match outcome.item {
            Some(Item::Compound(c)) => self.compounds.push(c),
            Some(Item::Work(w)) => {
                self.works.push(w);
                self.work_indices.push(index);
            }
            Some(Item::Street(s)) => self.streets.push(s),
            Some(Item::Village(v)) => self.heating.villages.push(v),
            Some(Item::Substation(s)) => self.heating.substations.push(s),
            Some(Item::GasMain(m)) => self.heating.gas_mains.push(m),
            None => {}
        }
    }
}

/// Reads a whole plan from a buffered reader.
pub(super) fn read<R: Read>(reader: R, options: IngestOptions) -> Result<Plan, IngestError> {
    let mut state = State {
        options,
        sink: Sink::document(),
        top_level: None,
        doc_type: None,
        features: None,
        plan: None,
        current: None,
        bounds: Bounds::default(),
        ids: HashMap::new(),
        compound_ids: HashSet::new(),
        references: Vec::new(),
        compounds: Vec::new(),
        works: Vec::new(),
        work_indices: Vec::new(),
        streets: Vec::new(),
        heating: HeatingInputs::default(),
        substation_ids: HashSet::new(),
        substation_references: Vec::new(),
        village_ids: HashSet::new(),
        village_references: Vec::new(),
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let walked = DocumentSeed(&mut state)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Err(error) = walked {
        if error.is_io() {
            return Err(IngestError::Read {
                source: std::io::Error::from(error),
            });
        }
        // The rest of the document cannot be read; report what was found so far.
        // Always listed, even past the budget: it is why reading stopped.
        let problem = json_problem(&error, state.current);
        state.sink.problems.push(problem);
        return Err(state.sink.take_report().into());
    }
    finish(state)
}

/// The problem for JSON that could not be parsed, with its line and column.
fn json_problem(error: &serde_json::Error, feature: Option<usize>) -> Issue {
    let pointer = feature.map_or_else(String::new, |i| format!("/features/{i}"));
    let text = error.to_string();
    let (code, message) = if text.starts_with("number out of range") {
        (
            if feature.is_some() {
                IssueCode::NonFiniteCoordinate
            } else {
                IssueCode::OutOfRange
            },
            format!(
                "A number at line {} column {} is too large to be represented (it overflows to \
                 infinity), so reading stopped there.",
                error.line(),
                error.column()
            ),
        )
    } else {
        (
            IssueCode::MalformedJson,
            format!("The file is not valid JSON ({text}), so reading stopped there."),
        )
    };
    Issue {
        code,
        feature_id: None,
        feature_index: feature,
        pointer,
        message,
        origin: None,
    }
}

/// Checks what needs the whole document, then builds the plan.
fn finish(mut state: State) -> Result<Plan, IngestError> {
    let sink = &mut state.sink;
    if let Some(what) = state.top_level {
        sink.push(
            IssueCode::NotFeatureCollection,
            "",
            format!("The document is {what}, not a GeoJSON FeatureCollection object."),
        );
        return Err(sink.take_report().into());
    }
    match &state.doc_type {
        Some(Value::String(t)) if t == "FeatureCollection" => {}
        Some(other) => sink.push(
            IssueCode::NotFeatureCollection,
            "/type",
            format!("The document's type is {other}, but a plan must be a \"FeatureCollection\"."),
        ),
        None => sink.push(
            IssueCode::NotFeatureCollection,
            "/type",
            "The document has no `type`; a plan must be a \"FeatureCollection\".",
        ),
    }
    match state.features {
        Some(true) => {}
        Some(false) => sink.push(
            IssueCode::NotFeatureCollection,
            "/features",
            "`features` must be an array of GeoJSON Features.",
        ),
        None => sink.push(
            IssueCode::NotFeatureCollection,
            "/features",
            "The document has no `features` array.",
        ),
    }
    let settings = settings::read(state.plan.as_ref(), sink);
    for (index, id, reference) in &state.references {
        if !state.compound_ids.contains(reference) {
            sink.push_issue(Issue {
                code: IssueCode::UnknownReference,
                feature_id: Some(id.clone()),
                feature_index: Some(*index),
                pointer: format!("/features/{index}/properties/compound"),
                message: format!(
                    "`compound` refers to \"{reference}\", but no compound has that id."
                ),
                origin: None,
            });
        }
    }
    heating::check_references(
        &state.substation_references,
        &state.substation_ids,
        "substation",
        sink,
    );
    heating::check_references(
        &state.village_references,
        &state.village_ids,
        "village",
        sink,
    );
    let catalogue = heating::catalogue(state.plan.as_ref(), sink);
    let Some(settings) = settings.filter(|_| sink.is_clean()) else {
        return Err(sink.take_report().into());
    };
    let frame = LocalFrame::centred_on(state.bounds.center().unwrap_or(Coord { x: 0.0, y: 0.0 }));
    let project =
        |shape: &mut crate::plan::Shape| shape.local = frame.project_geometry(&shape.wgs84);
    state
        .compounds
        .iter_mut()
        .for_each(|c| project(&mut c.shape));
    state.works.iter_mut().for_each(|w| project(&mut w.shape));
    state.streets.iter_mut().for_each(|s| project(&mut s.shape));
    let mut heating = std::mem::take(&mut state.heating);
    heating.shapes_mut().for_each(project);
    heating.catalogue = catalogue;
    for (work, &index) in state.works.iter().zip(&state.work_indices) {
        if let Some(problem) = derived_duration_problem(work, index) {
            state.sink.push_issue(problem);
        }
    }
    if !state.sink.is_clean() {
        return Err(state.sink.take_report().into());
    }
    Ok(Plan {
        settings,
        compounds: state.compounds,
        works: state.works,
        streets: state.streets,
        heating,
        frame,
    })
}

/// The problem of a work whose duration derived from its length (in the plan's metres,
/// as the planner measures it) and `productivity_m_per_day` exceeds
/// [`Work::MAX_DURATION_DAYS`], if it does.
fn derived_duration_problem(work: &Work, index: usize) -> Option<Issue> {
    let Duration::MetresPerDay(rate) = work.duration else {
        return None;
    };
    let length = match &work.shape.local {
        Geometry::LineString(line) => Euclidean.length(line),
        Geometry::MultiLineString(lines) => Euclidean.length(lines),
        _ => return None,
    };
    let days = (length / rate).ceil();
    let max = Work::MAX_DURATION_DAYS;
    if days <= f64::from(max) {
        return None;
    }
    let days = if days < 1e9 {
        format!("{days:.0}")
    } else {
        format!("{days:.1e}")
    };
    Some(Issue {
        code: IssueCode::OutOfRange,
        feature_id: Some(work.id.clone()),
        feature_index: Some(index),
        origin: None,
        pointer: format!("/features/{index}/properties/productivity_m_per_day"),
        message: format!(
            "At {rate} m per day the {length:.0} m line takes {days} working days, more than \
             the {max} a work may take; give a higher productivity or split the work."
        ),
    })
}

/// Visits the top-level value.
struct DocumentSeed<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Records what a non-object top level was (and skips any array).
macro_rules! not_an_object {
    ($($method:ident($ty:ty) => $what:literal),* $(,)?) => {
        $(
            fn $method<E: serde::de::Error>(self, _: $ty) -> Result<(), E> {
                self.0.top_level = Some($what);
                Ok(())
            }
        )*
    };
}

impl<'de> Visitor<'de> for DocumentSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a GeoJSON FeatureCollection object")
    }

    not_an_object! {
        visit_bool(bool) => "a boolean",
        visit_i64(i64) => "a number",
        visit_u64(u64) => "a number",
        visit_f64(f64) => "a number",
        visit_str(&str) => "a string",
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.0.top_level = Some("null");
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.top_level = Some("an array");
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.0;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => state.doc_type = Some(map.next_value()?),
                "plan" => state.plan = Some(map.next_value()?),
                "features" => map.next_value_seed(FeaturesSeed(&mut *state))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Visits the `features` member one feature at a time.
struct FeaturesSeed<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for FeaturesSeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FeaturesSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of GeoJSON Features")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let state = self.0;
        state.features = Some(true);
        let mut index = 0;
        loop {
            state.current = Some(index);
            let Some(value) = seq.next_element::<Value>()? else {
                break;
            };
            state.feature(index, &value);
            index += 1;
        }
        state.current = None;
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.features = Some(false);
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.0.features = Some(false);
        Ok(())
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.0.features = Some(false);
        Ok(())
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.0.features = Some(false);
        Ok(())
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.0.features = Some(false);
        Ok(())
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        self.0.features = Some(false);
        Ok(())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.0.features = Some(false);
        Ok(())
    }
}
