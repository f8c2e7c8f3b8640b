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

