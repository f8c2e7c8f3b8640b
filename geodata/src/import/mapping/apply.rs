//! Applying a checked mapping: which rule takes a layer, and what properties one record
//! gets, with every value that does not fit reported rather than dropped.

use serde_json::{Map, Value};

use super::target::FeatureKind;
use super::target::TargetType;
use super::value;
use super::{KindRule, LayerRule, Mapping, PropertyRule, glob_matches};
use crate::import::layer::{FieldValue, SourceFeature, SourceLayer};
use crate::validation::IssueCode;

/// The value-table entry that drops a record on purpose (an industrial pipe in a plan of
/// city utilities).
pub const SKIP: &str = "(skip)";

/// One source value a rule could not turn into a plan value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueProblem {
    /// The stable code (`unmapped_value`, `wrong_type`, `invalid_date`, `out_of_range`).
    pub code: IssueCode,
    /// The plan property being filled.
    pub property: String,
    /// The source field (or `@layer`) the value came from.
    pub field: String,
    /// The value as the source holds it.
    pub value: String,
    /// One sentence.
    pub message: String,
}

/// What one record becomes under a layer rule.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MappedFeature {
    /// The kind of feature the record becomes; `None` when it could not be decided
    /// (a problem says why) or the record is skipped.
    pub kind: Option<FeatureKind>,
    /// The plan properties, without `kind`.
    pub properties: Map<String, Value>,
    /// Set when a value table mapped one of the record's values to `(skip)`: the
    /// property and the value.
    pub skipped_by: Option<(String, String)>,
    /// Every value that did not fit.
    pub problems: Vec<ValueProblem>,
    /// Properties filled by a default or a fallback, not by the record.
    pub defaulted: Vec<String>,
    /// For each property filled from a source field: the property, the field and the
    /// value as the source holds it (so later problems can name them).
    pub fields: Vec<(String, String, String)>,
}

impl Mapping {
    /// The first rule that takes `layer` of a source in `format` (`shapefile`,
    /// `geopackage`, `dxf`, `csv`, `xlsx`, `geojson`), if any.
    #[must_use]
    pub fn rule_for(&self, layer: &SourceLayer, format: &str) -> Option<&LayerRule> {
        self.layers.iter().find(|rule| {
            (rule.formats.is_empty() || rule.formats.iter().any(|f| f == format))
                && (rule.layers.is_empty()
                    || rule.layers.iter().any(|p| glob_matches(p, &layer.name)))
                && rule.layer_values.as_ref().is_none_or(|table| {
                    value::lookup(table, &layer.name).is_some_and(|v| v != SKIP)
                })
                && (rule.with_fields.is_empty()
                    || rule
                        .with_fields
                        .iter()
                        .any(|f| layer.field_index(f).is_some()))
        })
    }
}

/// Where a record comes from, for placeholders and pseudo-fields.
#[derive(Debug, Clone, Copy)]
pub struct RecordContext<'a> {
    /// The layer.
    pub layer: &'a SourceLayer,
    /// The source file's stem.
    pub source_stem: &'a str,
    /// The record.
    pub feature: &'a SourceFeature,
}

impl RecordContext<'_> {
    /// The first non-blank value among `from`, with the name it was found under.
    fn find(&self, from: &[String], filled: &Map<String, Value>) -> Option<(String, FieldValue)> {
        from.iter().find_map(|name| {
            let value = match name.as_str() {
                "@layer" => Some(FieldValue::Text(self.layer.name.clone())),
                "@source" => Some(FieldValue::Text(self.source_stem.to_owned())),
                "@n" => i64::try_from(self.feature.number)
                    .ok()
                    .map(FieldValue::Integer),
                _ => {
                    if let Some(property) = name.strip_prefix('$') {
                        filled.get(property).map(|v| FieldValue::Text(json_text(v)))
                    } else {
                        let index = self.layer.field_index(name)?;
                        self.feature.values.get(index).cloned().flatten()
                    }
                }
            }?;
            (!value.is_blank()).then(|| (name.clone(), value))
        })
    }

    fn fill_placeholders(&self, text: &str) -> String {
        text.replace("{layer}", &self.layer.name)
            .replace("{source}", self.source_stem)
            .replace("{n}", &self.feature.number.to_string())
    }
}

fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A number as JSON: whole numbers without a fraction.
fn json_number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "a whole number well inside i64"
        )]
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

impl LayerRule {
    /// The plan properties of one record.
    #[must_use]
    pub fn apply(&self, record: &RecordContext<'_>) -> MappedFeature {
        let mut out = MappedFeature::default();
        let kind = match &self.kind {
            KindRule::Fixed(kind) => *kind,
            KindRule::PerRecord { from, values } => {
                match record_kind(record, from, values.as_ref(), &mut out) {
                    Some(kind) => Some(kind),
                    None => return out,
                }
            }
        };
        out.kind = kind;
        let Some(rules) = kind.and_then(|k| self.properties.get(&k)) else {
            return out;
        };
        for rule in rules {
            let applies = rule.when.iter().all(|(property, allowed)| {
                out.properties
                    .get(property)
                    .is_some_and(|v| allowed.iter().any(|a| *a == json_text(v)))
            });
            if !applies || rule.unless.iter().any(|p| out.properties.contains_key(p)) {
                continue;
            }
            if let Some((field, raw)) = record.find(&rule.from, &out.properties) {
                match convert(rule, &field, &raw) {
                    Converted::Value(v) => {
                        out.properties.insert(rule.property.clone(), v);
                        if !field.starts_with('$') {
                            out.fields
                                .push((rule.property.clone(), field.clone(), raw.display()));
                        }
                    }
                    Converted::Skip => {
                        out.skipped_by = Some((rule.property.clone(), raw.display()));
                    }
                    Converted::Problem(problem) => out.problems.push(*problem),
                }
                continue;
            }
            let fallback = rule.fallback.as_ref().and_then(|(property, table)| {
                let key = out.properties.get(property).map(json_text)?;
                value::lookup(table, &key).filter(|v| *v != SKIP)
            });
            if let Some(text) = fallback {
                let v = match convert(rule, "fallback", &FieldValue::Text(text.to_owned())) {
                    Converted::Value(v) => v,
                    _ => Value::String(text.to_owned()),
                };
                out.properties.insert(rule.property.clone(), v);
                out.defaulted.push(rule.property.clone());
            } else if let Some(default) = &rule.default {
                let v = match default {
                    Value::String(s) => Value::String(record.fill_placeholders(s)),
                    other => other.clone(),
                };
                out.properties.insert(rule.property.clone(), v);
                out.defaulted.push(rule.property.clone());
            }
        }
        out
    }
}

/// The kind of one record under a per-record kind rule; `None` (with a problem or a
/// skip recorded in `out`) when it has none.
fn record_kind(
    record: &RecordContext<'_>,
    from: &[String],
    values: Option<&std::collections::BTreeMap<String, String>>,
    out: &mut MappedFeature,
) -> Option<FeatureKind> {
    let field_list = from.join(", ");
    let Some((field, raw)) = record.find(from, &Map::new()) else {
        out.problems.push(ValueProblem {
            code: IssueCode::MissingProperty,
            property: "kind".into(),
            field: field_list.clone(),
            value: String::new(),
            message: format!("No field of {field_list} has a value, so the record has no kind."),
        });
        return None;
    };
    let text = raw.display();
    let name = match values {
        Some(table) => match value::lookup(table, &text) {
            Some(SKIP) => {
                out.skipped_by = Some(("kind".into(), text));
                return None;
            }
            Some(mapped) => mapped.to_owned(),
            None => {
                out.problems.push(ValueProblem {
                    code: IssueCode::UnmappedValue,
                    property: "kind".into(),
                    message: format!(
                        "`{field}` is {text:?}, which the mapping's value table does not list (for `kind`)."
                    ),
                    field,
                    value: text,
                });
                return None;
            }
        },
        None => text.trim().to_owned(),
    };
    if name == SKIP {
        out.skipped_by = Some(("kind".into(), text));
        return None;
    }
    let kind = FeatureKind::parse(&name);
    if kind.is_none() {
        out.problems.push(ValueProblem {
            code: IssueCode::UnknownKind,
            property: "kind".into(),
            message: format!("`{field}` is {name:?} but must be one of: compound, work, street."),
            field,
            value: text,
        });
    }
    kind
}

enum Converted {
    Value(Value),
    Skip,
    Problem(Box<ValueProblem>),
}

fn problem(
    rule: &PropertyRule,
    field: &str,
    raw: &FieldValue,
    code: IssueCode,
    why: &str,
) -> Converted {
    let value = raw.display();
    Converted::Problem(Box::new(ValueProblem {
        code,
        property: rule.property.clone(),
        field: field.to_owned(),
        message: format!(
            "`{field}` is {value:?}, which {why} (for `{}`).",
            rule.property
        ),
        value,
    }))
}

/// The plan value of one source value under `rule`.
fn convert(rule: &PropertyRule, field: &str, raw: &FieldValue) -> Converted {
    let ty = rule.target.ty;
    if let Some(table) = &rule.values {
        if ty == TargetType::NameList {
            let mut items = Vec::new();
            for item in value::list(raw) {
                match value::lookup(table, &item) {
                    Some(SKIP) => {}
                    Some(mapped) => items.push(Value::String(mapped.to_owned())),
                    None => {
                        return problem(
                            rule,
                            field,
                            &FieldValue::Text(item),
                            IssueCode::UnmappedValue,
                            "the mapping's value table does not list",
                        );
                    }
                }
            }
            return Converted::Value(Value::Array(items));
        }
        return match value::lookup(table, &raw.display()) {
            Some(SKIP) => Converted::Skip,
            Some(mapped) => convert_typed(rule, field, &FieldValue::Text(mapped.to_owned())),
            None => problem(
                rule,
                field,
                raw,
                IssueCode::UnmappedValue,
                "the mapping's value table does not list",
            ),
        };
    }
    convert_typed(rule, field, raw)
}

fn convert_typed(rule: &PropertyRule, field: &str, raw: &FieldValue) -> Converted {
    let unit = rule.unit.as_deref();
    let number = |n: Option<f64>, what: &str| match n {
        Some(n) => Converted::Value(json_number(n)),
        None => problem(rule, field, raw, IssueCode::WrongType, what),
    };
    match rule.target.ty {
        TargetType::Text if rule.target.name == "x_" => Converted::Value(match raw {
            FieldValue::Integer(i) => Value::from(*i),
            FieldValue::Real(r) => json_number(*r),
            FieldValue::Bool(b) => Value::Bool(*b),
            other => Value::String(other.display().trim().to_owned()),
        }),
        TargetType::Text | TargetType::Name => {
            Converted::Value(Value::String(raw.display().trim().to_owned()))
        }
        TargetType::Integer => match value::integer(raw) {
            Some(i) => Converted::Value(Value::from(i)),
            None => problem(
                rule,
                field,
                raw,
                IssueCode::WrongType,
                "is not a whole number",
            ),
        },
        TargetType::Number => number(value::number(raw), "is not a number"),
        TargetType::LengthMm => number(
            value::length_mm(raw, unit),
            "is not a diameter (a number, DN300, 0.3m ...)",
        ),
        TargetType::VoltageKv => number(
            value::voltage_kv(raw, unit),
            "is not a voltage (10kV, 380V ...)",
        ),
        TargetType::Date => match value::date(raw) {
            Some(d) => Converted::Value(Value::String(d.to_string())),
            None => problem(
                rule,
                field,
                raw,
                IssueCode::InvalidDate,
                "is not a date (2026-05-01, 2026/5/1, 2026年5月1日 ...)",
            ),
        },
        TargetType::Bool => match value::boolean(raw) {
            Some(b) => Converted::Value(Value::Bool(b)),
            None => problem(rule, field, raw, IssueCode::WrongType, "is not yes or no"),
        },
        TargetType::NameList => Converted::Value(Value::Array(
            value::list(raw).into_iter().map(Value::String).collect(),
        )),
    }
}
