//! Adding one activity: its id (`<prefix>/<kind>`, unique), works and owners, compound and
//! district (of its first work's first compound, else of the first street it cuts), crew
//! demand (see [`super::resources`]) and forbidden windows (see [`super::windows`]).

use geodata::plan::{Discipline, Work};

use super::Builder;
use super::facts::WorkFacts;
use crate::city::network::{Activity, ActivityKind, DayInterval, NetworkError};

/// Appends `s` unless `v` holds it already (keeps the order of first appearance).
fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_owned());
    }
}

impl Builder<'_> {
    /// Adds an activity; its crew demand and calendar windows follow from kind and discipline.
    #[expect(
        clippy::too_many_arguments,
        reason = "an activity has this many independent fields"
    )]
    pub(super) fn add_activity(
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
        let demands = self.crew_demands(kind, discipline);
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
            moratoria: Vec::new(),
            seasons: Vec::new(),
            release: release.max(0),
            deadlines: Vec::new(),
        });
        self.ids.insert(id, i);
        Ok(i)
    }

    /// The district of a work: its first compound's, else that of the first cut street
    /// that has one.
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
}

#[cfg(test)]
mod tests {
    use crate::city::network::build::probe::build;
    use crate::city::network::testkit::{PlanBuilder, date};
    use crate::city::network::{NetworkInputs, StreetCut};
    use geodata::plan::{RenovationClass, Utility};

    #[test]
    fn an_activity_lies_in_its_works_compound_district_else_in_its_first_districted_street() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .compound("c1", RenovationClass::Basic, 4, date(2027, 9, 30))
            .pipe("w1", Utility::Water, 10, 100.0, Some("c1"))
            .pipe("w2", Utility::Water, 10, 100.0, None)
            .pipe("w3", Utility::Water, 10, 100.0, None)
            .street("s1", None)
            .street("s2", Some("D2"))
            .build();
        let cut = |work: &str, street: &str| StreetCut {
            work: work.into(),
            street: street.into(),
            length_m: 100.0,
            trunk: false,
        };
        let inputs = NetworkInputs {
            cuts: vec![cut("w1", "s2"), cut("w2", "s1"), cut("w2", "s2")],
            ..NetworkInputs::default()
        };
        let n = build(&plan, &inputs);
        let w1 = n.activity("w1/excavate").expect("w1");
        assert_eq!(
            (w1.compound.as_deref(), w1.district.as_deref()),
            (Some("c1"), Some("D1")),
            "the compound's district wins over the street's"
        );
        let w2 = n.activity("w2/lay").expect("w2");
        assert_eq!(
            (w2.compound.as_deref(), w2.district.as_deref()),
            (None, Some("D2"))
        );
        assert_eq!(n.activity("w3/test").expect("w3").district, None);
        assert_eq!(w2.works, ["w2"]);
        assert_eq!(w2.owners, ["water co"]);
    }
}
