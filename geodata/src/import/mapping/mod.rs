//! Mapping files: how the layers and attributes of a planner's files become the plan
//! format's features and properties (`docs/import.md`).
//!
//! A mapping is TOML or JSON. Its `[[layers]]` rules decide which source layers become
//! which kind of feature (the first rule that takes a layer takes all of it; a layer no
//! rule takes is passed over and listed). Its `[compound]`, `[work]` and `[street]`
//! tables say where each plan property comes from: source fields tried in order, value
//! tables (`给水` → `water`), units, defaults, and fallbacks through another property
//! (the owner of a work named by its utility). Built-in presets ([`Mapping::preset`])
//! cover CJJ 61 layer codes and common Chinese survey field names (`cn-survey`) and files
//! whose fields already carry the plan format's names (`digonce`).
//!
//! A mapping is checked completely when it is read ([`Mapping::parse`]): unknown
//! properties, value tables or kinds are a [`MappingError`], never a silent no-op.

mod apply;
pub mod target;
pub mod value;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

pub use apply::{MappedFeature, RecordContext, SKIP, ValueProblem};
use target::{FeatureKind, Target, TargetType};

/// The built-in mappings, by name.
const PRESETS: &[(&str, &str)] = &[
    ("cn-survey", include_str!("../../../presets/cn-survey.toml")),
    ("digonce", include_str!("../../../presets/digonce.toml")),
];

/// Why a mapping file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    /// The text is not TOML.
    #[error("the mapping is not valid TOML")]
    Toml {
        /// The parser's report (with line and column).
        #[source]
        source: toml::de::Error,
    },
    /// The text is not JSON.
    #[error("the mapping is not valid JSON")]
    Json {
        /// The parser's report.
        #[source]
        source: serde_json::Error,
    },
    /// The document does not have the shape of a mapping (an unknown key, a number
    /// where a list is expected).
    #[error("the mapping does not have the expected shape: {reason}")]
    Shape {
        /// The decoder's report, naming the key.
        reason: String,
    },
    /// A rule names something the mapping does not define or the plan format does not
    /// have.
    #[error("{place}: {reason}")]
    Rule {
        /// Where in the mapping (`layers[2]`, `work.utility`).
        place: String,
        /// What is wrong.
        reason: String,
    },
    /// No preset has this name.
    #[error("no built-in mapping is called {name:?}; the presets are {}", Mapping::preset_names().join(", "))]
    UnknownPreset {
        /// The name asked for.
        name: String,
    },
}

/// A list written as one string or as an array.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// A value table: by name (`"utility"`) or written inline.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum ValuesSpec {
    Named(String),
    Inline(BTreeMap<String, String>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FallbackSpec {
    property: String,
    values: ValuesSpec,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    #[serde(default)]
    from: OneOrMany,
    values: Option<ValuesSpec>,
    default: Option<Value>,
    unit: Option<String>,
    fallback: Option<FallbackSpec>,
    #[serde(default)]
    when: BTreeMap<String, OneOrMany>,
    #[serde(default)]
    unless: OneOrMany,
}

/// A property rule written as a field name, a list of field names, or a table.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RuleWritten {
    Field(String),
    Fields(Vec<String>),
    Full(Box<RuleSpec>),
}

impl RuleWritten {
    fn into_spec(self) -> RuleSpec {
        match self {
            RuleWritten::Field(f) => RuleSpec::from_fields(vec![f]),
            RuleWritten::Fields(fs) => RuleSpec::from_fields(fs),
            RuleWritten::Full(spec) => *spec,
        }
    }
}

impl RuleSpec {
    fn from_fields(from: Vec<String>) -> Self {
        Self {
            from: OneOrMany::Many(from),
            values: None,
            default: None,
            unit: None,
            fallback: None,
            when: BTreeMap::new(),
            unless: OneOrMany::None,
        }
    }
}

/// A layer's kind: fixed (`"work"`, `"skip"`), or read per record from fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum KindSpec {
    Fixed(String),
    PerRecord {
        from: OneOrMany,
        #[serde(default)]
        values: Option<ValuesSpec>,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerSpec {
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    layers: OneOrMany,
    #[serde(default)]
    layer_values: Option<String>,
    #[serde(default)]
    with_fields: OneOrMany,
    #[serde(default)]
    formats: OneOrMany,
    kind: KindSpec,
    #[serde(default)]
    properties: BTreeMap<String, RuleWritten>,
    #[serde(default)]
    point_square_m: Option<f64>,
}

/// Where table sources (CSV, XLSX) keep their positions.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct GeometrySpec {
    #[serde(default)]
    wkt: OneOrMany,
    #[serde(default)]
    x: OneOrMany,
    #[serde(default)]
    y: OneOrMany,
    #[serde(default)]
    from_x: OneOrMany,
    #[serde(default)]
    from_y: OneOrMany,
    #[serde(default)]
    to_x: OneOrMany,
    #[serde(default)]
    to_y: OneOrMany,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingSpec {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    plan: serde_json::Map<String, Value>,
    #[serde(default)]
    geometry: GeometrySpec,
    #[serde(default)]
    layers: Vec<LayerSpec>,
    #[serde(default)]
    compound: BTreeMap<String, RuleWritten>,
    #[serde(default)]
    work: BTreeMap<String, RuleWritten>,
    #[serde(default)]
    street: BTreeMap<String, RuleWritten>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
}

/// The columns of a table source that hold positions, each a list of candidate names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeometryColumns {
    /// A column of WKT geometries.
    pub wkt: Vec<String>,
    /// Easting or longitude of a point.
    pub x: Vec<String>,
    /// Northing or latitude of a point.
    pub y: Vec<String>,
    /// Easting or longitude where a line segment starts.
    pub from_x: Vec<String>,
    /// Northing or latitude where a line segment starts.
    pub from_y: Vec<String>,
    /// Easting or longitude where a line segment ends.
    pub to_x: Vec<String>,
    /// Northing or latitude where a line segment ends.
    pub to_y: Vec<String>,
}

/// One property rule, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyRule {
    /// The plan property it fills.
    pub property: String,
    /// Its type.
    pub target: Target,
    /// Source fields, tried in order; `@layer`, `@source` and `@n` are the layer name,
    /// the source file's stem and the record number; `$name` a property filled before.
    pub from: Vec<String>,
    /// The value table source values go through, if any.
    pub values: Option<BTreeMap<String, String>>,
    /// The value (a plan value, not a source one) when no field has one; strings may use
    /// `{layer}`, `{source}` and `{n}`.
    pub default: Option<Value>,
    /// The unit bare source numbers are in (`mm`, `cm`, `m`, `in`; `kV`, `V`).
    pub unit: Option<String>,
    /// A property filled before, and the table its value goes through, when neither a
    /// field nor the default gives a value.
    pub fallback: Option<(String, BTreeMap<String, String>)>,
    /// Properties filled before and the values one of which each must have for the rule
    /// to apply (`pressure` only on gas works).
    pub when: Vec<(String, Vec<String>)>,
    /// Properties filled before any of which, when filled, turns the rule off
    /// (`productivity_m_per_day` unless `duration_days`).
    pub unless: Vec<String>,
}

/// One layer rule, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerRule {
    /// A label for reports.
    pub label: String,
    /// Layer name patterns (`*` and `?`, case-insensitive); empty takes every name.
    pub layers: Vec<String>,
    /// A value table the layer's name must be found in (`utility` takes layers `JS`,
    /// `RQ_中压`, `给水管线`).
    pub layer_values: Option<BTreeMap<String, String>>,
    /// The layer must have at least one of these fields (none: no condition).
    pub with_fields: Vec<String>,
    /// Source formats the rule applies to (none: every format).
    pub formats: Vec<String>,
    /// The kind of feature its records become.
    pub kind: KindRule,
    /// The rules for the properties of each kind it makes, the layer's own over its
    /// kind's; `utility` and `trade` first, so other rules may use them.
    pub properties: BTreeMap<FeatureKind, Vec<PropertyRule>>,
    /// Side of the square a point becomes when the kind needs a polygon (compounds).
    pub point_square_m: Option<f64>,
}

/// How a layer rule decides the kind of its records.
#[derive(Debug, Clone, PartialEq)]
pub enum KindRule {
    /// Every record becomes this kind; `None` passes the layer over on purpose.
    Fixed(Option<FeatureKind>),
    /// Each record's kind is read from the first of these fields that has a value,
    /// through the value table if any (`compound`, `work`, `street` or `(skip)`).
    PerRecord {
        /// Source fields, tried in order.
        from: Vec<String>,
        /// The value table, if any.
        values: Option<BTreeMap<String, String>>,
    },
}

impl KindRule {
    /// Whether the rule passes its layers over on purpose.
    #[must_use]
    pub fn is_skip(&self) -> bool {
        matches!(self, KindRule::Fixed(None))
    }
}

/// A checked mapping, ready to apply.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// The text encoding of sources that do not declare theirs (`gbk`, `utf-8`).
    pub encoding: &'static encoding_rs::Encoding,
    /// Plan settings (the `"plan"` member) this mapping brings.
    pub plan: serde_json::Map<String, Value>,
    /// Where table sources keep positions.
    pub geometry: GeometryColumns,
    /// The layer rules, in order.
    pub layers: Vec<LayerRule>,
}

/// Turns TOML into JSON, with TOML dates as ISO strings.
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

fn rule_error(place: impl Into<String>, reason: impl Into<String>) -> MappingError {
    MappingError::Rule {
        place: place.into(),
        reason: reason.into(),
    }
}

impl Mapping {
    /// Names of the built-in mappings.
    #[must_use]
    pub fn preset_names() -> Vec<&'static str> {
        PRESETS.iter().map(|(name, _)| *name).collect()
    }

    /// The built-in mapping called `name`.
    ///
    /// # Errors
    /// [`MappingError::UnknownPreset`]; a preset that does not parse is a bug caught by
    /// the tests.
    pub fn preset(name: &str) -> Result<Self, MappingError> {
        let (_, text) = PRESETS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| MappingError::UnknownPreset {
                name: name.to_owned(),
            })?;
        Self::parse(text)
    }

    /// The text of a built-in mapping (to start a mapping file from).
    #[must_use]
    pub fn preset_text(name: &str) -> Option<&'static str> {
        PRESETS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
            .map(|(_, text)| *text)
    }

    /// Reads a mapping from TOML or JSON text (JSON when it starts with `{`).
    ///
    /// # Errors
    /// [`MappingError`] naming the first thing that is wrong.
    pub fn parse(text: &str) -> Result<Self, MappingError> {
        let trimmed = text.trim_start_matches('\u{feff}').trim_start();
        let json = if trimmed.starts_with('{') {
            serde_json::from_str::<Value>(trimmed)
                .map_err(|source| MappingError::Json { source })?
        } else {
            let table: toml::Table =
                toml::from_str(trimmed).map_err(|source| MappingError::Toml { source })?;
            toml_to_json(toml::Value::Table(table))
        };
        let spec: MappingSpec = serde_json::from_value(json).map_err(|e| MappingError::Shape {
            reason: e.to_string(),
        })?;
        Self::check(spec)
    }

    fn check(spec: MappingSpec) -> Result<Self, MappingError> {
        let encoding = match spec.encoding.as_deref() {
            None => encoding_rs::UTF_8,
            Some(label) => {
                encoding_rs::Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
                    rule_error("encoding", format!("{label:?} names no text encoding"))
                })?
            }
        };
        let tables = &spec.values;
        let resolve =
            |place: &str, values: ValuesSpec| -> Result<BTreeMap<String, String>, MappingError> {
                match values {
                    ValuesSpec::Inline(table) => Ok(table),
                    ValuesSpec::Named(name) => tables.get(&name).cloned().ok_or_else(|| {
                        rule_error(place, format!("no value table [values.{name}]"))
                    }),
                }
            };
        let mut kind_rules: BTreeMap<FeatureKind, BTreeMap<String, RuleSpec>> = BTreeMap::new();
        for (kind, rules) in [
            (FeatureKind::Compound, spec.compound),
            (FeatureKind::Work, spec.work),
            (FeatureKind::Street, spec.street),
        ] {
            kind_rules.insert(
                kind,
                rules.into_iter().map(|(k, v)| (k, v.into_spec())).collect(),
            );
        }
        for (kind, rules) in &kind_rules {
            Self::check_kind(*kind, rules.clone(), kind.as_str(), &resolve)?;
        }
        let mut layers = Vec::with_capacity(spec.layers.len());
        for (index, layer) in spec.layers.into_iter().enumerate() {
            layers.push(Self::check_layer(index, layer, &kind_rules, &resolve)?);
        }
        let geometry = spec.geometry;
        Ok(Mapping {
            name: spec.name.unwrap_or_else(|| "custom".into()),
            description: spec.description.unwrap_or_default(),
            encoding,
            plan: spec.plan,
            geometry: GeometryColumns {
                wkt: geometry.wkt.into_vec(),
                x: geometry.x.into_vec(),
                y: geometry.y.into_vec(),
                from_x: geometry.from_x.into_vec(),
                from_y: geometry.from_y.into_vec(),
                to_x: geometry.to_x.into_vec(),
                to_y: geometry.to_y.into_vec(),
            },
            layers,
        })
    }

    /// Checks one `[[layers]]` rule, merging its own property rules over its kinds'.
    fn check_layer(
        index: usize,
        layer: LayerSpec,
        kind_rules: &BTreeMap<FeatureKind, BTreeMap<String, RuleSpec>>,
        resolve: &impl Fn(&str, ValuesSpec) -> Result<BTreeMap<String, String>, MappingError>,
    ) -> Result<LayerRule, MappingError> {
        let place = format!("layers[{index}]");
        let (kind, kinds) = match layer.kind {
            KindSpec::Fixed(name) if name == "skip" => (KindRule::Fixed(None), Vec::new()),
            KindSpec::Fixed(name) => {
                let kind = FeatureKind::parse(&name).ok_or_else(|| {
                    rule_error(
                        &place,
                        format!("kind {name:?} is not compound, work, street or skip"),
                    )
                })?;
                (KindRule::Fixed(Some(kind)), vec![kind])
            }
            KindSpec::PerRecord { from, values } => (
                KindRule::PerRecord {
                    from: from.into_vec(),
                    values: values.map(|v| resolve(&place, v)).transpose()?,
                },
                FeatureKind::ALL.to_vec(),
            ),
        };
        if let Some(name) = layer
            .properties
            .keys()
            .find(|name| !kinds.iter().any(|k| target::target(*k, name).is_some()))
        {
            return Err(rule_error(
                &place,
                format!("no kind this layer makes has a property {name:?}"),
            ));
        }
        let mut properties = BTreeMap::new();
        for kind in kinds {
            let mut rules = kind_rules[&kind].clone();
            for (name, rule) in &layer.properties {
                if target::target(kind, name).is_some() {
                    rules.insert(name.clone(), rule.clone().into_spec());
                }
            }
            let kind_place = format!("{place}.{}", kind.as_str());
            properties.insert(kind, Self::check_kind(kind, rules, &kind_place, resolve)?);
        }
        let layer_values = layer
            .layer_values
            .map(|name| resolve(&place, ValuesSpec::Named(name)))
            .transpose()?;
        if let Some(side) = layer.point_square_m
            && !(side.is_finite() && side > 0.0)
        {
            return Err(rule_error(
                &place,
                "point_square_m must be a positive number",
            ));
        }
        Ok(LayerRule {
            label: layer.label.unwrap_or_else(|| place.clone()),
            layers: layer.layers.into_vec(),
            layer_values,
            with_fields: layer.with_fields.into_vec(),
            formats: layer
                .formats
                .into_vec()
                .into_iter()
                .map(|f| f.to_lowercase())
                .collect(),
            kind,
            properties,
            point_square_m: layer.point_square_m,
        })
    }

    /// Checks the rules of one kind and orders them: `utility` and `trade` first, and
    /// every reference to another property only to one filled before.
    fn check_kind(
        kind: FeatureKind,
        rules: BTreeMap<String, RuleSpec>,
        place: &str,
        resolve: &impl Fn(&str, ValuesSpec) -> Result<BTreeMap<String, String>, MappingError>,
    ) -> Result<Vec<PropertyRule>, MappingError> {
        let mut properties = Vec::with_capacity(rules.len());
        for (name, rule) in rules {
            let rule_place = format!("{place}.{name}");
            properties.push(Self::check_rule(kind, &name, rule, &rule_place, resolve)?);
        }
        properties.sort_by_key(|p| !matches!(p.property.as_str(), "utility" | "trade"));
        for (i, p) in properties.iter().enumerate() {
            let earlier: Vec<&str> = properties[..i]
                .iter()
                .map(|e| e.property.as_str())
                .collect();
            let refers = p
                .from
                .iter()
                .filter_map(|f| f.strip_prefix('$'))
                .chain(p.fallback.iter().map(|(name, _)| name.as_str()))
                .chain(p.when.iter().map(|(name, _)| name.as_str()))
                .chain(p.unless.iter().map(String::as_str));
            for name in refers {
                if !earlier.contains(&name) {
                    return Err(rule_error(
                        format!("{place}.{}", p.property),
                        format!(
                            "refers to {name:?}, which is not filled before it (utility and trade \
                             come first, then the others in alphabetical order)"
                        ),
                    ));
                }
            }
        }
        Ok(properties)
    }

    fn check_rule(
        kind: FeatureKind,
        name: &str,
        rule: RuleSpec,
        place: &str,
        resolve: &impl Fn(&str, ValuesSpec) -> Result<BTreeMap<String, String>, MappingError>,
    ) -> Result<PropertyRule, MappingError> {
        let target = target::target(kind, name).ok_or_else(|| {
            rule_error(
                place,
                format!(
                    "a {} has no property {name:?}; it has {} and free x_... attributes",
                    kind.as_str(),
                    target::names(kind).join(", ")
                ),
            )
        })?;
        if let Some(unit) = &rule.unit {
            let fits = match target.ty {
                TargetType::LengthMm => value::is_length_unit(unit),
                TargetType::VoltageKv => ["kv", "v"].contains(&unit.trim().to_lowercase().as_str()),
                _ => false,
            };
            if !fits {
                return Err(rule_error(
                    place,
                    format!("unit {unit:?} does not apply to {name}"),
                ));
            }
        }
        let from = rule.from.into_vec();
        if from.is_empty() && rule.default.is_none() && rule.fallback.is_none() {
            return Err(rule_error(
                place,
                "gives no field (`from`), `default` or `fallback`",
            ));
        }
        Ok(PropertyRule {
            property: name.to_owned(),
            target,
            from,
            values: rule.values.map(|v| resolve(place, v)).transpose()?,
            default: rule.default,
            unit: rule.unit,
            fallback: rule
                .fallback
                .map(|f| Ok::<_, MappingError>((f.property, resolve(place, f.values)?)))
                .transpose()?,
            when: rule
                .when
                .into_iter()
                .map(|(k, v)| (k, v.into_vec()))
                .collect(),
            unless: rule.unless.into_vec(),
        })
    }
}

/// Whether `name` matches the pattern (`*` any run, `?` one character; case-insensitive).
#[must_use]
pub fn glob_matches(pattern: &str, name: &str) -> bool {
    fn matches(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => matches(&p[1..], n) || (!n.is_empty() && matches(p, &n[1..])),
            (Some('?'), Some(_)) => matches(&p[1..], &n[1..]),
            (Some(a), Some(b)) => a == b && matches(&p[1..], &n[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.trim().to_lowercase().chars().collect();
    let n: Vec<char> = name.trim().to_lowercase().chars().collect();
    matches(&p, &n)
}

#[cfg(test)]
mod tests;
