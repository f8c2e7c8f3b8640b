//! One feature: its properties checked against its kind and turned into the typed model.

use serde_json::Value;

use super::geometry::{Bounds, GeometryReader, GeometryType};
use super::pointer::{Sink, join};
use super::reader::{Fields, Lower, json_type};
use crate::crs::InputCrs;
use crate::plan::{
    Action, Compound, CompoundTask, Conversion, DeadlineKind, Discipline, Duration, GasPressure,
    MAX_CNY, MAX_ID_CHARS, Paving, Shape, Street, Trade, Utility, Work,
};
use crate::validation::IssueCode;

const KINDS: &[&str] = &[
    "compound",
    "work",
    "street",
    "village",
    "substation",
    "gas_main",
];
const CLASSES: &[&str] = &["basic", "beautify", "upgrade", "integrate"];
const TASKS: &[&str] = &[
    "roof_waterproofing",
    "facade_insulation",
    "greening",
    "facilities",
    "smart_management",
    "elevator",
    "parking",
];
const ACTIONS: &[&str] = &["new", "replace", "repair"];
const PRESSURES: &[&str] = &["low", "medium_b", "medium_a", "subhigh_b", "subhigh_a"];
const DEADLINE_KINDS: &[&str] = &["hard", "soft"];
const CONVERSIONS: &[&str] = &["coal_to_gas", "coal_to_electric"];
const PAVINGS: &[&str] = &["new", "rebuilt", "major_repair", "minor"];

const COMPOUND_PROPERTIES: &[&str] = &[
    "kind",
    "id",
    "name",
    "district",
    "class",
    "buildings",
    "households",
    "start_by",
    "finish_by",
    "extra_tasks",
    "investment_cny",
];
const WORK_PROPERTIES: &[&str] = &[
    "kind",
    "id",
    "utility",
    "trade",
    "owner",
    "action",
    "diameter_mm",
    "pressure",
    "voltage_kv",
    "duration_days",
    "productivity_m_per_day",
    "earliest",
    "deadline",
    "deadline_kind",
    "compound",
    "village",
    "conversion",
    "households",
    "investment_cny",
];
const STREET_PROPERTIES: &[&str] = &[
    "kind",
    "id",
    "name",
    "district",
    "paved_on",
    "paving",
    "repave_planned",
    "cut_exception",
];

const POLYGONS: &[GeometryType] = &[GeometryType::Polygon, GeometryType::MultiPolygon];
const LINES: &[GeometryType] = &[GeometryType::LineString, GeometryType::MultiLineString];
const SITES: &[GeometryType] = &[
    GeometryType::Point,
    GeometryType::MultiPoint,
    GeometryType::Polygon,
    GeometryType::MultiPolygon,
    GeometryType::LineString,
];
const ANY: &[GeometryType] = &[
    GeometryType::Point,
    GeometryType::MultiPoint,
    GeometryType::LineString,
    GeometryType::MultiLineString,
    GeometryType::Polygon,
    GeometryType::MultiPolygon,
];
const STREETS: &[GeometryType] = &[
    GeometryType::LineString,
    GeometryType::MultiLineString,
    GeometryType::Polygon,
];

/// The feature kinds, as read from `properties.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Compound,
    Work,
    Street,
    Village,
    Substation,
    GasMain,
}

/// A feature turned into the model (its `Shape::local` still to be projected).
#[derive(Debug)]
pub(super) enum Item {
    /// A compound.
    Compound(Compound),
    /// A work.
    Work(Work),
    /// A street.
    Street(Street),
    /// A village to convert to clean heating.
    Village(crate::heating::Village),
    /// A substation.
    Substation(crate::heating::Substation),
    /// An existing gas main.
    GasMain(crate::heating::GasMain),
}

/// What reading one feature produced.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    /// The readable `properties.id`, if any (for duplicate checks).
    pub id: Option<String>,
    /// The feature as a model item, when it had no problems.
    pub item: Option<Item>,
    /// `kind` was `compound` (its id may be referenced even if the compound is invalid).
    pub is_compound: bool,
    /// The `compound` a work refers to, for the reference check at the end.
    pub compound_ref: Option<String>,
    /// The `substation` a village refers to, for the reference check at the end.
    pub substation_ref: Option<String>,
    /// `kind` was `substation`.
    pub is_substation: bool,
    /// The `village` a work refers to, for the reference check at the end.
    pub village_ref: Option<String>,
    /// `kind` was `village`.
    pub is_village: bool,
}

/// Reads feature `index` of `features`; problems go to `sink` (a feature sink).
pub(super) fn read(value: &Value, crs: InputCrs, bounds: &mut Bounds, sink: &mut Sink) -> Outcome {
    let base = format!("/features/{}", sink.index.unwrap_or_default());
    let mut outcome = Outcome::default();
    let Value::Object(feature) = value else {
        sink.push(
            IssueCode::WrongType,
            &base,
            format!(
                "Each member of `features` must be a GeoJSON Feature object, not {}.",
                json_type(value)
            ),
        );
        return outcome;
    };
    match feature.get("type") {
        Some(Value::String(t)) if t == "Feature" => {}
        Some(other) => sink.push(
            IssueCode::NotFeatureCollection,
            join(&base, "type"),
            format!("Each member of `features` must have type \"Feature\", not {other}."),
        ),
        None => sink.push(
            IssueCode::MissingProperty,
            join(&base, "type"),
            "The feature has no `type`; it must be \"Feature\".",
        ),
    }
    let props_pointer = join(&base, "properties");
    let props = match feature.get("properties") {
        Some(Value::Object(m)) => m,
        None | Some(Value::Null) => {
            sink.push(
                IssueCode::MissingProperty,
                &props_pointer,
                "The feature has no `properties`; it needs at least `kind` and `id`.",
            );
            return outcome;
        }
        Some(other) => {
            sink.push(
                IssueCode::WrongType,
                &props_pointer,
                format!("`properties` must be an object, not {}.", json_type(other)),
            );
            return outcome;
        }
    };
    let fields = Fields::new(props, &props_pointer);
    if let Some(id) = fields.string(sink, "id", true) {
        let length = id.chars().count();
        if id.is_empty() {
            sink.push(
                IssueCode::MissingProperty,
                fields.pointer("id"),
                "`id` is empty; every feature needs a non-empty id unique in the plan.",
            );
        } else if length > MAX_ID_CHARS {
            sink.push(
                IssueCode::OutOfRange,
                fields.pointer("id"),
                format!("`id` has {length} characters; an id may have at most {MAX_ID_CHARS}."),
            );
        } else {
            sink.id = Some(id.clone());
            outcome.id = Some(id);
        }
    }
    let kind: Option<Kind> = fields.choice(sink, "kind", true, IssueCode::UnknownKind, KINDS);
    let before = sink.found();
    let mut geometry = GeometryReader { crs, sink, bounds };
    let geometry_value = feature.get("geometry");
    let geometry_pointer = join(&base, "geometry");
    let item = match kind {
        Some(Kind::Compound) => {
            outcome.is_compound = true;
            compound(&fields, geometry_value, &geometry_pointer, &mut geometry)
        }
        Some(Kind::Work) => {
            let (work, reference, village) =
                work(&fields, geometry_value, &geometry_pointer, &mut geometry);
            outcome.compound_ref = reference;
            outcome.village_ref = village;
            work
        }
        Some(Kind::Street) => street(&fields, geometry_value, &geometry_pointer, &mut geometry),
        Some(k @ (Kind::Village | Kind::Substation | Kind::GasMain)) => {
            let (item, reference) =
                heating(k, &fields, geometry_value, &geometry_pointer, &mut geometry);
            (outcome.is_substation, outcome.substation_ref) = (k == Kind::Substation, reference);
            outcome.is_village = k == Kind::Village;
            item
        }
        None => {
            // Still check the geometry so one upload reports everything.
            geometry.read(geometry_value, &geometry_pointer, ANY, "a feature");
            None
        }
    };
    if sink.found() == before && sink.is_clean() {
        outcome.item = item;
    }
    outcome
}

/// A village, substation or gas main, with the substation a village refers to.
fn heating(
    kind: Kind,
    fields: &Fields<'_>,
    geometry_value: Option<&Value>,
    geometry_pointer: &str,
    geometry: &mut GeometryReader<'_>,
) -> (Option<Item>, Option<String>) {
    use super::heating::{gas_main, substation, village};
    match kind {
        Kind::Village => village(fields, geometry_value, geometry_pointer, geometry),
        Kind::Substation => (
            substation(fields, geometry_value, geometry_pointer, geometry),
            None,
        ),
        _ => (
            gas_main(fields, geometry_value, geometry_pointer, geometry),
            None,
        ),
    }
}

/// A shape whose local geometry is filled in once the plan's frame is known.
pub(super) fn unprojected(wgs84: geo::Geometry<f64>) -> Shape {
    Shape {
        local: wgs84.clone(),
        wgs84,
    }
}

fn compound(
    fields: &Fields<'_>,
    geometry_value: Option<&Value>,
    geometry_pointer: &str,
    geometry: &mut GeometryReader<'_>,
) -> Option<Item> {
    let sink = &mut *geometry.sink;
    fields.reject_unknown(sink, COMPOUND_PROPERTIES, "a compound");
    let name = fields.string(sink, "name", true);
    let district = fields.string(sink, "district", true);
    let class = fields.choice(sink, "class", true, IssueCode::UnknownClass, CLASSES);
    let buildings = fields.count(sink, "buildings", true, 0..=Compound::MAX_BUILDINGS);
    let households = fields.count(sink, "households", true, 0..=Compound::MAX_HOUSEHOLDS);
    let start_by = fields.date(sink, "start_by", false);
    let finish_by = fields.date(sink, "finish_by", true);
    if let (Some(start), Some(finish)) = (start_by, finish_by)
        && finish < start
    {
        sink.push(
            IssueCode::DeadlineBeforeEarliest,
            fields.pointer("finish_by"),
            format!("`finish_by` {finish} is before `start_by` {start}."),
        );
    }
    let extra_tasks = fields.array(sink, "extra_tasks", false).map(|items| {
        let base = fields.pointer("extra_tasks");
        items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                super::reader::choice::<CompoundTask>(
                    sink,
                    &format!("{base}/{i}"),
                    v,
                    IssueCode::UnknownValue,
                    TASKS,
                )
            })
            .collect()
    });
    let investment_cny = fields.number(sink, "investment_cny", false, Lower::NonNegative, MAX_CNY);
    let shape = geometry.read(geometry_value, geometry_pointer, POLYGONS, "a compound");
    Some(Item::Compound(Compound {
        id: fields.get("id")?.as_str()?.to_owned(),
        name: name?,
        district: district?,
        class: class?,
        buildings: buildings?,
        households: households?,
        start_by,
        finish_by: finish_by?,
        extra_tasks: extra_tasks.unwrap_or_default(),
        investment_cny,
        shape: unprojected(shape?),
    }))
}

fn work(
    fields: &Fields<'_>,
    geometry_value: Option<&Value>,
    geometry_pointer: &str,
    geometry: &mut GeometryReader<'_>,
) -> (Option<Item>, Option<String>, Option<String>) {
    let sink = &mut *geometry.sink;
    fields.reject_unknown(sink, WORK_PROPERTIES, "a work");
    let discipline = discipline(fields, sink);
    let owner = fields.string(sink, "owner", true);
    let action: Option<Action> =
        fields.choice(sink, "action", true, IssueCode::UnknownValue, ACTIONS);
    let diameter_mm = fields.number(
        sink,
        "diameter_mm",
        false,
        Lower::Positive,
        Work::MAX_DIAMETER_MM,
    );
    let (pressure, voltage_kv) = utility_extras(fields, sink, discipline);
    let declared = GeometryType::of(geometry_value);
    let duration = duration(fields, sink, declared);
    let earliest = fields.date(sink, "earliest", false);
    let deadline = fields.date(sink, "deadline", false);
    if let (Some(earliest), Some(deadline)) = (earliest, deadline)
        && deadline < earliest
    {
        sink.push(
            IssueCode::DeadlineBeforeEarliest,
            fields.pointer("deadline"),
            format!("`deadline` {deadline} is before `earliest` {earliest}."),
        );
    }
    let deadline_kind: Option<DeadlineKind> = if fields.has("deadline_kind") {
        fields.choice(
            sink,
            "deadline_kind",
            false,
            IssueCode::UnknownValue,
            DEADLINE_KINDS,
        )
    } else {
        Some(DeadlineKind::default())
    };
    let compound = fields.string(sink, "compound", false);
    let village = fields.string(sink, "village", false);
    let clean_heating = discipline == Some(Discipline::Trade(Trade::CleanHeating));
    let conversion: Option<Conversion> = if clean_heating {
        fields.choice(
            sink,
            "conversion",
            true,
            IssueCode::UnknownValue,
            CONVERSIONS,
        )
    } else {
        if discipline.is_some() {
            fields.reject_present(
                sink,
                "conversion",
                "only applies to `trade: clean_heating` works",
            );
        }
        None
    };
    let households = fields.count(sink, "households", false, 0..=Work::MAX_HOUSEHOLDS);
    let investment_cny = fields.number(sink, "investment_cny", false, Lower::NonNegative, MAX_CNY);
    let allowed = match discipline {
        Some(Discipline::Utility(_)) => LINES,
        Some(Discipline::Trade(_)) => SITES,
        None => ANY,
    };
    let what = match discipline {
        Some(Discipline::Utility(_)) => "a utility work",
        Some(Discipline::Trade(_)) => "a trade work",
        None => "a work",
    };
    let shape = geometry.read(geometry_value, geometry_pointer, allowed, what);
    let item = (|| {
        Some(Item::Work(Work {
            id: fields.get("id")?.as_str()?.to_owned(),
            discipline: discipline?,
            owner: owner?,
            action: action?,
            diameter_mm,
            pressure,
            voltage_kv,
            duration: duration?,
            earliest,
            deadline,
            deadline_kind: deadline_kind?,
            compound: compound.clone(),
            village: village.clone(),
            conversion: if clean_heating {
                Some(conversion?)
            } else {
                None
            },
            households,
            investment_cny,
            shape: unprojected(shape?),
        }))
    })();
    (item, compound, village)
}

/// `pressure` (gas only, default low) and `voltage_kv` (power only).
fn utility_extras(
    fields: &Fields<'_>,
    sink: &mut Sink,
    discipline: Option<Discipline>,
) -> (Option<GasPressure>, Option<f64>) {
    let utility = match discipline {
        Some(Discipline::Utility(u)) => Some(u),
        _ => None,
    };
    let pressure = if utility == Some(Utility::Gas) {
        Some(
            fields
                .choice(
                    sink,
                    "pressure",
                    false,
                    IssueCode::UnknownPressure,
                    PRESSURES,
                )
                .unwrap_or(GasPressure::Low),
        )
    } else {
        if discipline.is_some() {
            fields.reject_present(sink, "pressure", "only applies to gas works");
        }
        None
    };
    let voltage_kv = if utility == Some(Utility::Power) {
        fields.number(
            sink,
            "voltage_kv",
            false,
            Lower::Positive,
            Work::MAX_VOLTAGE_KV,
        )
    } else {
        if discipline.is_some() {
            fields.reject_present(sink, "voltage_kv", "only applies to power works");
        }
        None
    };
    (pressure, voltage_kv)
}

/// Exactly one of `utility` or `trade`.
fn discipline(fields: &Fields<'_>, sink: &mut Sink) -> Option<Discipline> {
    const UTILITIES: &[&str] = &[
        "water", "drainage", "sewer", "power", "gas", "heat", "telecom",
    ];
    const TRADES: &[&str] = &[
        "clearing",
        "paving",
        "roofing",
        "facade_insulation",
        "greening",
        "facilities",
        "clean_heating",
        "general",
    ];
    match (fields.has("utility"), fields.has("trade")) {
        (true, true) => {
            sink.push(
                IssueCode::ConflictingProperties,
                fields.pointer("trade"),
                "A work has either `utility` or `trade`, not both.",
            );
            None
        }
        (false, false) => {
            sink.push(
                IssueCode::MissingProperty,
                fields.pointer("utility"),
                "A work needs `utility` (a pipeline or cable) or `trade` (a site work).",
            );
            None
        }
        (true, false) => fields
            .choice(sink, "utility", true, IssueCode::UnknownUtility, UTILITIES)
            .map(Discipline::Utility),
        (false, true) => fields
            .choice(sink, "trade", true, IssueCode::UnknownTrade, TRADES)
            .map(Discipline::Trade),
    }
}

/// Exactly one of `duration_days` or `productivity_m_per_day` (lines only).
fn duration(
    fields: &Fields<'_>,
    sink: &mut Sink,
    declared: Option<GeometryType>,
) -> Option<Duration> {
    match (
        fields.has("duration_days"),
        fields.has("productivity_m_per_day"),
    ) {
        (true, true) => {
            sink.push(
                IssueCode::ConflictingProperties,
                fields.pointer("productivity_m_per_day"),
                "Give either `duration_days` or `productivity_m_per_day`, not both.",
            );
            None
        }
        (false, false) => {
            sink.push(
                IssueCode::MissingProperty,
                fields.pointer("duration_days"),
                "A work needs `duration_days` or, for a line, `productivity_m_per_day`.",
            );
            None
        }
        (true, false) => fields
            .count(sink, "duration_days", true, 1..=Work::MAX_DURATION_DAYS)
            .map(Duration::Days),
        (false, true) => {
            let rate = fields.number(
                sink,
                "productivity_m_per_day",
                true,
                Lower::Positive,
                f64::MAX,
            )?;
            if declared.is_some_and(|t| !t.is_line()) {
                sink.push(
                    IssueCode::ConflictingProperties,
                    fields.pointer("productivity_m_per_day"),
                    "`productivity_m_per_day` needs a line geometry; give `duration_days` instead.",
                );
                return None;
            }
            Some(Duration::MetresPerDay(rate))
        }
    }
}

fn street(
    fields: &Fields<'_>,
    geometry_value: Option<&Value>,
    geometry_pointer: &str,
    geometry: &mut GeometryReader<'_>,
) -> Option<Item> {
    let sink = &mut *geometry.sink;
    fields.reject_unknown(sink, STREET_PROPERTIES, "a street");
    let name = fields.string(sink, "name", true);
    let district = fields.string(sink, "district", false);
    let paved_on = fields.date(sink, "paved_on", false);
    let paving: Option<Paving> = fields.choice(
        sink,
        "paving",
        fields.has("paved_on"),
        IssueCode::UnknownValue,
        PAVINGS,
    );
    if fields.has("paving") && !fields.has("paved_on") {
        sink.push(
            IssueCode::MissingProperty,
            fields.pointer("paved_on"),
            "`paving` is given, so `paved_on` (the date of that paving) is required.",
        );
    }
    let repave_planned = fields.date(sink, "repave_planned", false);
    let cut_exception = fields.boolean(sink, "cut_exception", false);
    let shape = geometry.read(geometry_value, geometry_pointer, STREETS, "a street");
    Some(Item::Street(Street {
        id: fields.get("id")?.as_str()?.to_owned(),
        name: name?,
        district,
        paved_on,
        paving,
        repave_planned,
        cut_exception: cut_exception.unwrap_or(false),
        shape: unprojected(shape?),
    }))
}
