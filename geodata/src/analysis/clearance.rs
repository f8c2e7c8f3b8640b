//! Clearance profiles: which utilities may share one trench, how far apart they must lie,
//! and how long a freshly paved street may not be cut. One profile per jurisdiction.
//!
//! A profile is data, not code (`docs/domain.md#clearance-profiles`): a JSON file with an
//! ordered list of rules. Each rule names an unordered pair of utilities, optional
//! conditions on either work (diameter, gas pressure class, voltage), a [`Relation`], the
//! minimum horizontal separation in metres, and its [`Provenance`] (standard, clause, how
//! well it is known).
//!
//! Lookup is *first match wins* in file order, so a profile lists its conditional cells
//! before the unconditional fallback of the same pair. Loading checks that every one of
//! the 28 unordered utility pairs (diagonal included: same utility, different owners) has
//! an unconditional fallback, so a lookup always succeeds. A condition on an attribute the
//! work does not carry fails, which makes the fallback (listed last, the stricter value in
//! the built-in profiles) apply: missing data never relaxes a rule.
//!
//! Built-in profiles (embedded with `include_str!`): `cn-gb50289` (default) and
//! `us-generic`. A plan selects one by name; the command line may also load a file.

use std::path::{Path, PathBuf};

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::plan::{Discipline, GasPressure, Paving, Utility, Work};

/// The built-in China profile (GB 50289-2016, GB 50838-2015, 城市道路管理条例 Art. 33).
const CN_GB50289: &str = include_str!("../../profiles/cn-gb50289.json");
/// The built-in generic United States profile (state water rules, NESC 354A, CGA 2.12).
const US_GENERIC: &str = include_str!("../../profiles/us-generic.json");

/// Names of the built-in profiles, default first.
pub const BUILT_IN_PROFILES: [&str; 2] = ["cn-gb50289", "us-generic"];

/// Why a clearance profile could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// No built-in profile has this name.
    #[error("unknown clearance profile `{name}` (built in: cn-gb50289, us-generic)")]
    Unknown {
        /// The name asked for.
        name: String,
    },
    /// The profile file could not be read.
    #[error("could not read clearance profile file {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O failure.
        #[source]
        source: std::io::Error,
    },
    /// The profile is not valid profile JSON.
    #[error("clearance profile `{origin}` is not valid profile JSON")]
    Json {
        /// Profile name or file path.
        origin: String,
        /// The parse failure, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// A pair of utilities has no unconditional rule, so some lookups would fail.
    #[error("clearance profile `{profile}` has no unconditional rule for {first}-{second}")]
    MissingFallback {
        /// Profile name.
        profile: String,
        /// First utility of the pair.
        first: &'static str,
        /// Second utility of the pair.
        second: &'static str,
    },
    /// A rule carries a negative or non-finite separation.
    #[error("clearance profile `{profile}` rule {index} has an invalid separation {value}")]
    InvalidSeparation {
        /// Profile name.
        profile: String,
        /// Zero-based index of the rule in the file.
        index: usize,
        /// The offending value.
        value: f64,
    },
}

/// How well a number is known (the marks of `docs/domain.md#how-well-a-number-is-known`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    /// Read in a primary or official copy of the standard.
    Verified,
    /// From a secondary source (vendor, blog, utility practice).
    Secondary,
    /// Recollection not found in any source: must be checked before it is relied on.
    Unverified,
    /// No source at all: an engineering assumption made to complete the table.
    Assumed,
}

/// Where a rule comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// Standard or regulation, e.g. `GB 50289-2016`.
    pub standard: String,
    /// Clause or table, e.g. `Table 4.1.9`.
    pub clause: String,
    /// How well the value is known.
    pub status: Verification,
    /// Free explanation: how the clause was applied, what is inferred.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Provenance {
    /// Whether the value was read in an official copy.
    #[must_use]
    pub fn verified(&self) -> bool {
        self.status == Verification::Verified
    }
}

/// Whether two utilities may lie in one excavation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// One trench may hold both, kept at least the rule's separation apart.
    SharedTrench,
    /// Never one trench: the works may only be coordinated in time (separate trenches,
    /// dug in the same window), kept at least the rule's separation apart.
    SeparateTrench,
}

/// Conditions on one work of a rule's pair. Every present field must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Diameter at most this (mm). Fails when the work has no diameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diameter_mm_max: Option<f64>,
    /// Diameter strictly above this (mm). Fails when the work has no diameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diameter_mm_over: Option<f64>,
    /// Gas pressure class is one of these (a gas work without a class counts as `low`,
    /// the input format's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pressure_in: Option<Vec<GasPressure>>,
    /// Voltage at least this (kV). Fails when the work has no voltage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voltage_kv_min: Option<f64>,
}

impl Condition {
    fn is_empty(&self) -> bool {
        self.diameter_mm_max.is_none()
            && self.diameter_mm_over.is_none()
            && self.pressure_in.is_none()
            && self.voltage_kv_min.is_none()
    }

    fn holds(&self, key: &UtilityKey) -> bool {
        let diameter_ok = |limit: Option<f64>, pass: fn(f64, f64) -> bool| {
            limit.is_none_or(|l| key.diameter_mm.is_some_and(|d| pass(d, l)))
        };
        diameter_ok(self.diameter_mm_max, |d, l| d <= l)
            && diameter_ok(self.diameter_mm_over, |d, l| d > l)
            && self
                .pressure_in
                .as_ref()
                .is_none_or(|set| set.contains(&key.pressure.unwrap_or(GasPressure::Low)))
            && self
                .voltage_kv_min
                .is_none_or(|l| key.voltage_kv.is_some_and(|v| v >= l))
    }
}

/// One cell of the clearance table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearanceRule {
    /// The unordered pair of utilities (equal for same-utility, different-owner pairs).
    pub pair: [Utility; 2],
    /// Conditions on the work of `pair[0]`.
    #[serde(default, skip_serializing_if = "Condition::is_empty")]
    pub first: Condition,
    /// Conditions on the work of `pair[1]`.
    #[serde(default, skip_serializing_if = "Condition::is_empty")]
    pub second: Condition,
    /// May they share one trench?
    pub relation: Relation,
    /// Minimum horizontal clear distance between the two, in metres.
    pub min_separation_m: f64,
    /// Where the numbers come from.
    pub provenance: Provenance,
}

impl ClearanceRule {
    fn is_unconditional(&self) -> bool {
        self.first.is_empty() && self.second.is_empty()
    }

    /// Whether the rule applies to works `a` and `b` in either order.
    fn matches(&self, a: &UtilityKey, b: &UtilityKey) -> bool {
        let direct = self.pair[0] == a.utility
            && self.pair[1] == b.utility
            && self.first.holds(a)
            && self.second.holds(b);
        let swapped = self.pair[0] == b.utility
            && self.pair[1] == a.utility
            && self.first.holds(b)
            && self.second.holds(a);
        direct || swapped
    }
}

/// Road-cut moratorium lengths per paving kind, in years after `paved_on`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoratoriumRule {
    /// After a new or expanded road.
    pub new_years: u32,
    /// After a rebuilt road.
    pub rebuilt_years: u32,
    /// After a major repair.
    pub major_repair_years: u32,
    /// After a minor repair or resurfacing (0: no moratorium).
    pub minor_years: u32,
    /// Where the numbers come from.
    pub provenance: Provenance,
}

impl MoratoriumRule {
    /// Years a street paved this way may not be cut.
    #[must_use]
    pub fn years(&self, paving: Paving) -> u32 {
        match paving {
            Paving::New => self.new_years,
            Paving::Rebuilt => self.rebuilt_years,
            Paving::MajorRepair => self.major_repair_years,
            Paving::Minor => self.minor_years,
        }
    }

    /// The first day a street paved on `paved_on` this way may be cut again, or `None` when
    /// this paving brings no moratorium.
    #[must_use]
    pub fn end(&self, paved_on: NaiveDate, paving: Paving) -> Option<NaiveDate> {
        let years = self.years(paving);
        (years > 0).then(|| {
            paved_on
                .checked_add_months(Months::new(12 * years))
                .unwrap_or(NaiveDate::MAX)
        })
    }
}

/// A jurisdiction's clearance table and moratorium rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearanceProfile {
    /// Short name plans refer to (`cn-gb50289`).
    pub name: String,
    /// Human title.
    pub title: String,
    /// Road-cut moratorium lengths.
    pub moratorium: MoratoriumRule,
    /// The clearance cells, first match wins.
    pub rules: Vec<ClearanceRule>,
}

/// The attributes of a utility work the clearance table depends on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UtilityKey {
    /// The utility.
    pub utility: Utility,
    /// Pipe diameter (mm), if given.
    pub diameter_mm: Option<f64>,
    /// Gas pressure class, if given.
    pub pressure: Option<GasPressure>,
    /// Voltage (kV), if given.
    pub voltage_kv: Option<f64>,
}

impl UtilityKey {
    /// The key of a work, or `None` for a trade work (no clearance applies).
    #[must_use]
    pub fn of(work: &Work) -> Option<Self> {
        match work.discipline {
            Discipline::Utility(utility) => Some(Self {
                utility,
                diameter_mm: work.diameter_mm,
                pressure: work.pressure,
                voltage_kv: work.voltage_kv,
            }),
            Discipline::Trade(_) => None,
        }
    }
}

impl ClearanceProfile {
    /// A built-in profile by name.
    ///
    /// # Errors
    /// [`ProfileError::Unknown`] for a name that is not built in.
    pub fn built_in(name: &str) -> Result<Self, ProfileError> {
        let text = match name {
            "cn-gb50289" => CN_GB50289,
            "us-generic" => US_GENERIC,
            _ => {
                return Err(ProfileError::Unknown {
                    name: name.to_owned(),
                });
            }
        };
        Self::from_json(text, name)
    }

    /// Loads a profile from a JSON file.
    ///
    /// # Errors
    /// [`ProfileError::Read`], [`ProfileError::Json`] or a validation error.
    pub fn from_file(path: &Path) -> Result<Self, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_json(&text, &path.display().to_string())
    }

    /// Parses and validates a profile; `origin` names it in errors.
    ///
    /// # Errors
    /// [`ProfileError::Json`], [`ProfileError::MissingFallback`] or
    /// [`ProfileError::InvalidSeparation`].
    pub fn from_json(text: &str, origin: &str) -> Result<Self, ProfileError> {
        let profile: Self = serde_json::from_str(text).map_err(|source| ProfileError::Json {
            origin: origin.to_owned(),
            source,
        })?;
        profile.validate()?;
        Ok(profile)
    }

    fn validate(&self) -> Result<(), ProfileError> {
        for (index, rule) in self.rules.iter().enumerate() {
            let value = rule.min_separation_m;
            if !value.is_finite() || value < 0.0 {
                return Err(ProfileError::InvalidSeparation {
                    profile: self.name.clone(),
                    index,
                    value,
                });
            }
        }
        for (i, &a) in Utility::ALL.iter().enumerate() {
            for &b in &Utility::ALL[i..] {
                let covered = self.rules.iter().any(|r| {
                    r.is_unconditional()
                        && ((r.pair[0] == a && r.pair[1] == b)
                            || (r.pair[0] == b && r.pair[1] == a))
                });
                if !covered {
                    return Err(ProfileError::MissingFallback {
                        profile: self.name.clone(),
                        first: a.as_str(),
                        second: b.as_str(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The rule for two utility works: the first rule in file order that matches.
    #[must_use]
    pub fn rule(&self, a: &UtilityKey, b: &UtilityKey) -> &ClearanceRule {
        self.rules
            .iter()
            .find(|r| r.matches(a, b))
            // validate() guarantees an unconditional rule for every pair; the default
            // profile's first rule is never reached but keeps this total without a panic.
            .unwrap_or(&self.rules[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(utility: Utility) -> UtilityKey {
        UtilityKey {
            utility,
            diameter_mm: None,
            pressure: None,
            voltage_kv: None,
        }
    }

    #[test]
    fn both_built_in_profiles_load_and_cover_every_pair() {
        for name in BUILT_IN_PROFILES {
            let p = ClearanceProfile::built_in(name).expect("built-in profile is valid");
            assert_eq!(p.name, name);
        }
    }

    #[test]
    fn unknown_profile_name_is_an_error() {
        assert!(matches!(
            ClearanceProfile::built_in("xx"),
            Err(ProfileError::Unknown { .. })
        ));
    }

    #[test]
    fn cn_water_sewer_depends_on_water_diameter_and_is_verified() {
        let p = ClearanceProfile::built_in("cn-gb50289").expect("valid");
        let small = UtilityKey {
            diameter_mm: Some(200.0),
            ..key(Utility::Water)
        };
        let large = UtilityKey {
            diameter_mm: Some(300.0),
            ..key(Utility::Water)
        };
        let sewer = key(Utility::Sewer);
        let r = p.rule(&small, &sewer);
        assert!((r.min_separation_m - 1.0).abs() < 1e-12);
        assert_eq!(r.relation, Relation::SharedTrench);
        assert!(r.provenance.verified());
        // Either order gives the same cell.
        assert!((p.rule(&sewer, &large).min_separation_m - 1.5).abs() < 1e-12);
        // Unknown diameter takes the stricter fallback.
        assert!((p.rule(&key(Utility::Water), &sewer).min_separation_m - 1.5).abs() < 1e-12);
    }

    #[test]
    fn cn_gas_never_shares_and_its_separation_grows_with_pressure() {
        let p = ClearanceProfile::built_in("cn-gb50289").expect("valid");
        let sewer = key(Utility::Sewer);
        let gas = |pressure| UtilityKey {
            pressure: Some(pressure),
            ..key(Utility::Gas)
        };
        let low = p.rule(&gas(GasPressure::Low), &sewer);
        let high = p.rule(&gas(GasPressure::SubhighA), &sewer);
        assert_eq!(low.relation, Relation::SeparateTrench);
        assert!((low.min_separation_m - 1.0).abs() < 1e-12);
        assert!((high.min_separation_m - 2.0).abs() < 1e-12);
        let power = p.rule(&gas(GasPressure::Low), &key(Utility::Power));
        assert_eq!(power.relation, Relation::SeparateTrench);
        assert!(power.provenance.clause.contains("4.3.4"));
    }

    #[test]
    fn cn_heat_never_shares_with_power_and_high_voltage_not_with_telecom() {
        let p = ClearanceProfile::built_in("cn-gb50289").expect("valid");
        let heat_power = p.rule(&key(Utility::Heat), &key(Utility::Power));
        assert_eq!(heat_power.relation, Relation::SeparateTrench);
        let hv = UtilityKey {
            voltage_kv: Some(110.0),
            ..key(Utility::Power)
        };
        assert_eq!(
            p.rule(&hv, &key(Utility::Telecom)).relation,
            Relation::SeparateTrench
        );
        let lv = UtilityKey {
            voltage_kv: Some(10.0),
            ..key(Utility::Power)
        };
        assert_eq!(
            p.rule(&key(Utility::Telecom), &lv).relation,
            Relation::SharedTrench
        );
    }

    #[test]
    fn us_water_and_sewer_never_share_at_ten_feet() {
        let p = ClearanceProfile::built_in("us-generic").expect("valid");
        let r = p.rule(&key(Utility::Water), &key(Utility::Sewer));
        assert_eq!(r.relation, Relation::SeparateTrench);
        assert!((r.min_separation_m - 3.048).abs() < 1e-9);
        let g = p.rule(&key(Utility::Power), &key(Utility::Gas));
        assert_eq!(g.relation, Relation::SharedTrench);
        assert!((g.min_separation_m - 0.3048).abs() < 1e-9);
    }

    #[test]
    fn a_profile_missing_a_pair_is_rejected() {
        let text = r#"{"name":"x","title":"x","moratorium":{"new_years":5,"rebuilt_years":5,
            "major_repair_years":3,"minor_years":0,
            "provenance":{"standard":"s","clause":"c","status":"assumed"}},"rules":[]}"#;
        assert!(matches!(
            ClearanceProfile::from_json(text, "x"),
            Err(ProfileError::MissingFallback { .. })
        ));
    }
}
