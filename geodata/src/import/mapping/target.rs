//! The plan properties a mapping can fill, per feature kind, with the type each must
//! have (`docs/input-format.md`). A mapping naming anything else is refused when it is
//! read, so a typo in a mapping file never silently drops a column.

/// A feature kind of the plan format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeatureKind {
    /// A residential compound.
    Compound,
    /// A planned work.
    Work,
    /// A street.
    Street,
}

impl FeatureKind {
    /// Every kind.
    pub const ALL: [FeatureKind; 3] = [
        FeatureKind::Compound,
        FeatureKind::Work,
        FeatureKind::Street,
    ];

    /// The `kind` value of the plan format.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            FeatureKind::Compound => "compound",
            FeatureKind::Work => "work",
            FeatureKind::Street => "street",
        }
    }

    /// The kind called `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// What a plan property holds, which decides how source values are read into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetType {
    /// Free text (ids, names, owners).
    Text,
    /// One name out of a list (`utility`, `class`...): text after the value table.
    Name,
    /// A whole number.
    Integer,
    /// A number; `Length` ones read units (`DN300`, `30cm`) and give millimetres.
    Number,
    /// A length in millimetres (`diameter_mm`).
    LengthMm,
    /// A voltage in kilovolts (`voltage_kv`).
    VoltageKv,
    /// An ISO date.
    Date,
    /// `true` or `false`.
    Bool,
    /// A list of names (`extra_tasks`).
    NameList,
}

/// One property a mapping can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The property name of the plan format.
    pub name: &'static str,
    /// What it holds.
    pub ty: TargetType,
}

const fn t(name: &'static str, ty: TargetType) -> Target {
    Target { name, ty }
}

const COMPOUND: &[Target] = &[
    t("id", TargetType::Text),
    t("name", TargetType::Text),
    t("district", TargetType::Text),
    t("class", TargetType::Name),
    t("buildings", TargetType::Integer),
    t("households", TargetType::Integer),
    t("start_by", TargetType::Date),
    t("finish_by", TargetType::Date),
    t("extra_tasks", TargetType::NameList),
];

const WORK: &[Target] = &[
    t("id", TargetType::Text),
    t("utility", TargetType::Name),
    t("trade", TargetType::Name),
    t("owner", TargetType::Text),
    t("action", TargetType::Name),
    t("diameter_mm", TargetType::LengthMm),
    t("pressure", TargetType::Name),
    t("voltage_kv", TargetType::VoltageKv),
    t("duration_days", TargetType::Integer),
    t("productivity_m_per_day", TargetType::Number),
    t("earliest", TargetType::Date),
    t("deadline", TargetType::Date),
    t("deadline_kind", TargetType::Name),
    t("compound", TargetType::Text),
    t("conversion", TargetType::Name),
    t("households", TargetType::Integer),
];

const STREET: &[Target] = &[
    t("id", TargetType::Text),
    t("name", TargetType::Text),
    t("district", TargetType::Text),
    t("paved_on", TargetType::Date),
    t("paving", TargetType::Name),
    t("repave_planned", TargetType::Date),
    t("cut_exception", TargetType::Bool),
];

/// The property `name` of features of `kind`: one of the format's, or a free `x_...`
/// attribute (kept as text or number as it comes).
#[must_use]
pub fn target(kind: FeatureKind, name: &str) -> Option<Target> {
    let list = match kind {
        FeatureKind::Compound => COMPOUND,
        FeatureKind::Work => WORK,
        FeatureKind::Street => STREET,
    };
    list.iter().copied().find(|t| t.name == name).or_else(|| {
        (name.starts_with("x_") && name.len() > 2).then_some(Target {
            name: "x_",
            ty: TargetType::Text,
        })
    })
}

/// The names a property of `kind` may have, for error messages.
#[must_use]
pub fn names(kind: FeatureKind) -> Vec<&'static str> {
    let list = match kind {
        FeatureKind::Compound => COMPOUND,
        FeatureKind::Work => WORK,
        FeatureKind::Street => STREET,
    };
    list.iter().map(|t| t.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_per_kind_and_free_attributes_start_with_x() {
        assert_eq!(
            target(FeatureKind::Work, "diameter_mm").map(|t| t.ty),
            Some(TargetType::LengthMm)
        );
        assert!(target(FeatureKind::Street, "diameter_mm").is_none());
        assert!(target(FeatureKind::Street, "x_material").is_some());
        assert!(target(FeatureKind::Street, "x_").is_none());
        assert_eq!(FeatureKind::parse("compound"), Some(FeatureKind::Compound));
        assert!(names(FeatureKind::Compound).contains(&"finish_by"));
    }
}
