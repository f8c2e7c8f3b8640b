//! Checking and indexing the analysis facts, per work, before any activity is added.
//!
//! Every street cut and moratorium must name a known work and street, every membership (and
//! every work's own `compound`) a known work and compound; cut lengths are finite and
//! non-negative, productivities positive. The error names the fact. Each work then gets its
//! [`WorkFacts`]: geometry length, total duration (its fixed days, at least 1, or its length
//! (else the sum of its cuts) at its productivity, rounded up), the compounds it references or
//! lies in, its street cuts and its release (see [`super::dates`]). Moratoria are indexed by
//! work; trenches are checked in [`super::trench`].

use std::collections::HashMap;

use geo::{Euclidean, Geometry, Length};
use geodata::plan::{Compound, Duration, Work};

use super::Builder;
use crate::city::network::{NetworkError, StreetCut};

/// Per-work facts derived once.
pub(super) struct WorkFacts<'a> {
    pub(super) length_m: f64,
    pub(super) total_days: u32,
    pub(super) compounds: Vec<&'a Compound>,
    pub(super) cuts: Vec<&'a StreetCut>,
    pub(super) release: i64,
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

/// Whole days for a fractional count, rounded up; `u32::MAX` when out of range.
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

impl<'a> Builder<'a> {
    /// The plan's work with this id, in O(1).
    pub(super) fn work(&self, id: &str) -> Option<&'a Work> {
        self.works.get(id).copied()
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

    /// Checks the facts and derives each work's [`WorkFacts`]; indexes moratoria by work.
    pub(super) fn derive_facts(&mut self) -> Result<(), NetworkError> {
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
            let release = self.work_release(w, &compounds);
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
}

#[cfg(test)]
mod tests {
    use crate::city::network::testkit::{PlanBuilder, date};
    use crate::city::network::{
        CompoundMembership, MoratoriumFact, Network, NetworkError, NetworkInputs, StreetCut,
        Templates,
    };
    use geodata::plan::{Duration, Plan, RenovationClass, Trade, Utility};

    fn error(plan: &Plan, inputs: &NetworkInputs) -> NetworkError {
        Network::build(plan, inputs, &Templates::default()).expect_err("an invalid fact")
    }

    #[test]
    fn facts_naming_an_unknown_work_street_or_compound_or_a_bad_number_are_errors_naming_them() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .compound("c1", RenovationClass::Basic, 4, date(2027, 9, 30))
            .pipe("w1", Utility::Water, 10, 100.0, None)
            .street("s1", None)
            .build();
        let cut = |work: &str, street: &str, length_m| NetworkInputs {
            cuts: vec![StreetCut {
                work: work.into(),
                street: street.into(),
                length_m,
                trunk: false,
            }],
            ..NetworkInputs::default()
        };
        assert_eq!(
            error(&plan, &cut("w9", "s1", 10.0)),
            NetworkError::UnknownWork {
                context: "street cut of `w9` on `s1`".into(),
                work: "w9".into()
            }
        );
        assert_eq!(
            error(&plan, &cut("w1", "s9", 10.0)),
            NetworkError::UnknownStreet {
                context: "street cut of `w1` on `s9`".into(),
                street: "s9".into()
            }
        );
        assert_eq!(
            error(&plan, &cut("w1", "s1", -1.0)),
            NetworkError::InvalidNumber {
                context: "street cut of `w1` on `s1`".into(),
                quantity: "length_m",
                value: -1.0
            }
        );
        let moratorium = NetworkInputs {
            moratoria: vec![MoratoriumFact {
                work: "w1".into(),
                street: "s9".into(),
                from: date(2025, 1, 1),
                until: date(2028, 1, 1),
                exception: false,
            }],
            ..NetworkInputs::default()
        };
        assert_eq!(
            error(&plan, &moratorium),
            NetworkError::UnknownStreet {
                context: "moratorium of `w1` on `s9`".into(),
                street: "s9".into()
            }
        );
        let membership = NetworkInputs {
            memberships: vec![CompoundMembership {
                work: "w1".into(),
                compound: "c9".into(),
            }],
            ..NetworkInputs::default()
        };
        assert_eq!(
            error(&plan, &membership),
            NetworkError::UnknownCompound {
                context: "membership of `w1` in `c9`".into(),
                compound: "c9".into()
            }
        );
        let in_unknown_compound = PlanBuilder::new(date(2027, 4, 1))
            .pipe("w1", Utility::Water, 10, 100.0, Some("c9"))
            .build();
        assert_eq!(
            error(&in_unknown_compound, &NetworkInputs::default()),
            NetworkError::UnknownCompound {
                context: "work `w1`".into(),
                compound: "c9".into()
            }
        );
        let idle = PlanBuilder::new(date(2027, 4, 1))
            .pipe("w1", Utility::Water, 10, 100.0, None)
            .with_work("w1", |w| w.duration = Duration::MetresPerDay(0.0))
            .build();
        assert_eq!(
            error(&idle, &NetworkInputs::default()),
            NetworkError::InvalidNumber {
                context: "work `w1`".into(),
                quantity: "productivity_m_per_day",
                value: 0.0
            }
        );
    }

    #[test]
    fn a_work_without_a_line_is_as_long_as_its_cuts_at_its_productivity() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .trade("p1", Trade::Paving, 1, None)
            .with_work("p1", |w| w.duration = Duration::MetresPerDay(30.0))
            .street("s1", None)
            .street("s2", None)
            .build();
        let cut = |street: &str| StreetCut {
            work: "p1".into(),
            street: street.into(),
            length_m: 50.0,
            trunk: false,
        };
        let inputs = NetworkInputs {
            cuts: vec![cut("s1"), cut("s2")],
            ..NetworkInputs::default()
        };
        let n = Network::build(&plan, &inputs, &Templates::default()).expect("network builds");
        let total: u32 = n.activities.iter().map(|a| a.duration_days).sum();
        assert_eq!(total, 4, "100 m of cuts at 30 m/day, rounded up");
    }
}
