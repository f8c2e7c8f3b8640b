//! What a re-plan changed, per owner: activities moved (old and new dates), added and
//! removed, and hard deadlines now at risk; and how many times each activity has moved
//! over successive re-plans (the iCalendar `SEQUENCE` of its event).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::city::document::{ScheduleDocument, ScheduledActivity};

/// How a re-planned schedule came about and what it changed; present on a schedule
/// document made by `digonce replan`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Replanned {
    /// The data date: progress up to it is built in; nothing new starts before it.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub as_of: NaiveDate,
    /// Where the search started: `previous` (the old schedule, moved to the new
    /// releases), `shifted` (its unstarted part shifted past the data date) or `fresh`.
    pub warm_start: WarmStart,
    /// Activities not started whose dates did not change.
    pub kept_in_place: usize,
    /// Activities not started in both schedules.
    pub not_started: usize,
    /// Per owner (a utility company; `""` for compound phases no work stands for), what
    /// changed, owners in name order; owners with no change are left out.
    pub owners: Vec<OwnerChanges>,
    /// Activity id -> in how many re-plans it moved (0 is never listed): the `SEQUENCE`
    /// of its calendar event.
    pub sequence: BTreeMap<String, u32>,
}

/// Which schedule the re-plan's search started from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WarmStart {
    /// The previous schedule with each activity moved to its new release.
    Previous,
    /// The previous schedule's unstarted activities shifted together past the data date.
    Shifted,
    /// Neither fits the new constraints: a fresh search.
    Fresh,
}

/// What changed for one owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OwnerChanges {
    /// The owner.
    pub owner: String,
    /// Activities whose first or last day changed.
    pub moved: Vec<Moved>,
    /// Activities of the new schedule that the previous one did not have.
    pub added: Vec<Dated>,
    /// Activities of the previous schedule that the new one does not have.
    pub removed: Vec<Dated>,
    /// Hard deadlines the new schedule misses.
    pub deadlines_at_risk: Vec<AtRisk>,
}

/// An activity that moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Moved {
    /// Activity id.
    pub activity: String,
    /// Old first day.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub old_start: NaiveDate,
    /// Old last day.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub old_end: NaiveDate,
    /// New first day.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub new_start: NaiveDate,
    /// New last day.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub new_end: NaiveDate,
}

/// An activity added or removed, with its dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dated {
    /// Activity id.
    pub activity: String,
    /// First day.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub start: NaiveDate,
    /// Last day.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub end: NaiveDate,
}

/// A hard deadline the new schedule misses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AtRisk {
    /// The activity it bounds.
    pub activity: String,
    /// Last allowed day.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: NaiveDate,
    /// Last day of work in the new schedule.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub finish: NaiveDate,
    /// Days late.
    pub lateness_days: i64,
}

/// The owners of an activity (`""` when it has none).
fn owners_of(a: &ScheduledActivity) -> Vec<&str> {
    if a.owners.is_empty() {
        vec![""]
    } else {
        a.owners.iter().map(String::as_str).collect()
    }
}

/// The changes of `owner`, created empty when first needed.
fn entry<'m>(
    by_owner: &'m mut BTreeMap<String, OwnerChanges>,
    owner: &str,
) -> &'m mut OwnerChanges {
    by_owner
        .entry(owner.to_owned())
        .or_insert_with(|| OwnerChanges {
            owner: owner.to_owned(),
            moved: Vec::new(),
            added: Vec::new(),
            removed: Vec::new(),
            deadlines_at_risk: Vec::new(),
        })
}

/// What changed from `previous` to `new`, per owner, with the moves counted on from the
/// previous document's own `sequence`.
#[must_use]
pub fn changes(
    previous: &ScheduleDocument,
    new: &ScheduleDocument,
) -> (Vec<OwnerChanges>, BTreeMap<String, u32>) {
    let mut by_owner: BTreeMap<String, OwnerChanges> = BTreeMap::new();
    let old: HashMap<&str, &ScheduledActivity> = previous
        .activities
        .iter()
        .map(|a| (a.id.as_str(), a))
        .collect();
    let mut sequence = previous
        .replan
        .as_ref()
        .map(|r| r.sequence.clone())
        .unwrap_or_default();
    let dated = |a: &ScheduledActivity| Dated {
        activity: a.id.clone(),
        start: a.start,
        end: a.end,
    };
    for a in &new.activities {
        match old.get(a.id.as_str()) {
            Some(o) if (o.start, o.end) != (a.start, a.end) => {
                *sequence.entry(a.id.clone()).or_insert(0) += 1;
                for owner in owners_of(a) {
                    entry(&mut by_owner, owner).moved.push(Moved {
                        activity: a.id.clone(),
                        old_start: o.start,
                        old_end: o.end,
                        new_start: a.start,
                        new_end: a.end,
                    });
                }
            }
            Some(_) => {}
            None => {
                for owner in owners_of(a) {
                    entry(&mut by_owner, owner).added.push(dated(a));
                }
            }
        }
    }
    let new_ids: std::collections::HashSet<&str> =
        new.activities.iter().map(|a| a.id.as_str()).collect();
    for a in &previous.activities {
        if !new_ids.contains(a.id.as_str()) {
            sequence.remove(&a.id);
            for owner in owners_of(a) {
                entry(&mut by_owner, owner).removed.push(dated(a));
            }
        }
    }
    let by_id: HashMap<&str, &ScheduledActivity> =
        new.activities.iter().map(|a| (a.id.as_str(), a)).collect();
    for d in new.deadlines.iter().filter(|d| d.is_missed_hard()) {
        let Some(a) = by_id.get(d.activity.as_str()) else {
            continue;
        };
        for owner in owners_of(a) {
            entry(&mut by_owner, owner).deadlines_at_risk.push(AtRisk {
                activity: d.activity.clone(),
                date: d.date,
                finish: d.finish,
                lateness_days: d.lateness_days,
            });
        }
    }
    (by_owner.into_values().collect(), sequence)
}
