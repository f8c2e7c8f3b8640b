//! Parsed schedules kept in memory for exports.
//!
//! A stored schedule never changes, so its parsed document and its plan's work locations
//! can be reused by every export request instead of decoding the JSON each time. The
//! cache holds at most [`ExportCache::CAPACITY`] schedules (oldest evicted first, by a
//! [`BoundedCache`]) and forgets a plan's schedules when the plan is deleted through this
//! process. Several service instances over one shared store would each need that
//! signal; until then a deleted schedule can be served from another instance's cache
//! until evicted.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::cache::BoundedCache;
use crate::storage::WorkLocation;
use optimizer::city::document::ScheduleDocument;

/// A parsed schedule ready for exports.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedSchedule {
    /// Schedule id.
    pub id: String,
    /// Plan id.
    pub plan_id: String,
    /// When the schedule was stored (RFC 3339).
    pub created_at: String,
    /// The parsed document.
    pub document: ScheduleDocument,
    /// The plan version's work locations.
    pub locations: BTreeMap<String, WorkLocation>,
}

/// A bounded map from schedule id to its parsed form.
#[derive(Debug)]
pub struct ExportCache {
    schedules: BoundedCache<String, Arc<CachedSchedule>>,
}

impl Default for ExportCache {
    fn default() -> Self {
        Self {
            schedules: BoundedCache::new(Self::CAPACITY),
        }
    }
}

impl ExportCache {
    /// Most schedules kept at once.
    pub const CAPACITY: usize = 64;

    /// The cached schedule, if present.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<Arc<CachedSchedule>> {
        self.schedules.get(id)
    }

    /// Adds a schedule, evicting the oldest when full.
    pub fn insert(&self, schedule: Arc<CachedSchedule>) {
        self.schedules.insert(schedule.id.clone(), schedule);
    }

    /// Drops every schedule of a plan (after the plan is deleted).
    pub fn forget_plan(&self, plan_id: &str) {
        self.schedules.retain(|_, s| s.plan_id != plan_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(id: &str, plan: &str) -> Arc<CachedSchedule> {
        let document =
            ScheduleDocument::from_slice(super::super::fixture::SCHEDULE_JSON.as_bytes())
                .expect("fixture");
        Arc::new(CachedSchedule {
            id: id.to_owned(),
            plan_id: plan.to_owned(),
            created_at: String::new(),
            document,
            locations: BTreeMap::new(),
        })
    }

    #[test]
    fn the_oldest_schedule_is_evicted_beyond_capacity() {
        let cache = ExportCache::default();
        for i in 0..=ExportCache::CAPACITY {
            cache.insert(schedule(&format!("s{i}"), "p"));
        }
        assert!(cache.get("s0").is_none());
        assert!(cache.get(&format!("s{}", ExportCache::CAPACITY)).is_some());
    }

    #[test]
    fn deleting_a_plan_forgets_its_schedules_only() {
        let cache = ExportCache::default();
        cache.insert(schedule("a", "p1"));
        cache.insert(schedule("b", "p2"));
        cache.forget_plan("p1");
        assert!(cache.get("a").is_none());
        assert!(cache.get("b").is_some());
    }
}
