//! The schedule document (`docs/schedule-document.md`) as the service reads it.
//!
//! The service stores the planner's JSON byte for byte and derives every export from it.
//! These types read the parts the exports need; members they do not name (deadlines,
//! summary details, future additions) stay in the stored bytes untouched.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The plan a schedule belongs to, as the engine echoes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SchedulePlan {
    /// Plan name.
    pub name: String,
    /// First day works may start.
    #[schema(value_type = String, format = Date)]
    pub start: NaiveDate,
}

/// One scheduled activity (a step of a work, or of a shared trench).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Activity {
    /// Unique activity id (`t3/excavate`).
    pub id: String,
    /// Step kind: `excavate`, `lay`, `test`, `backfill`, `restore`, `pave`...
    pub kind: String,
    /// The work this activity belongs to (first of `works` for shared ones).
    pub work: String,
    /// Every work served.
    #[serde(default)]
    pub works: Vec<String>,
    /// Every company involved.
    #[serde(default)]
    pub owners: Vec<String>,
    /// Utility or trade name of `work`.
    pub utility: String,
    /// Shared trench id, if any.
    #[serde(default)]
    pub trench: Option<String>,
    /// Compound id, if any.
    #[serde(default)]
    pub compound: Option<String>,
    /// District, if known.
    #[serde(default)]
    pub district: Option<String>,
    /// First day of work.
    #[schema(value_type = String, format = Date)]
    pub start: NaiveDate,
    /// Last day of work (inclusive).
    #[schema(value_type = String, format = Date)]
    pub end: NaiveDate,
    /// Crew pool and index, if assigned.
    #[serde(default)]
    pub crew: Option<String>,
}

/// A shared trench.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Trench {
    /// Trench id.
    pub id: String,
    /// Works laid in it.
    #[serde(default)]
    pub works: Vec<String>,
    /// Utilities in it.
    #[serde(default)]
    pub utilities: Vec<String>,
    /// Companies in it.
    #[serde(default)]
    pub owners: Vec<String>,
    /// Length in metres.
    #[serde(default)]
    pub length_m: f64,
}

/// The parts of a schedule document the exports read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScheduleDocument {
    /// The plan.
    pub plan: SchedulePlan,
    /// Every activity.
    pub activities: Vec<Activity>,
    /// Every shared trench.
    #[serde(default)]
    pub trenches: Vec<Trench>,
}

impl ScheduleDocument {
    /// Reads a stored or freshly planned document.
    ///
    /// # Errors
    /// The decoder's error when the bytes are not a schedule document.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The trench with `id`, if listed.
    #[must_use]
    pub fn trench(&self, id: &str) -> Option<&Trench> {
        self.trenches.iter().find(|t| t.id == id)
    }
}
