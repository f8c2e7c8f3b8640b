//! Built overlays kept in memory.
//!
//! Building an overlay re-reads the stored upload (ingestion) and decodes the analysis
//! and the schedule; a map page and a GIS client paging through items ask for the same
//! overlay many times. Plan versions and schedules never change once stored, so an
//! overlay is keyed by (plan id, plan version, schedule id) and stays valid until
//! evicted (at most [`OverlayCache::CAPACITY`], oldest first) or its plan is deleted.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use super::Overlay;

/// What an overlay is built from: a plan version and the schedule shown, if any.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OverlayKey {
    /// Plan id.
    pub plan_id: String,
    /// Plan version.
    pub plan_version: u32,
    /// Schedule id, if a schedule is shown.
    pub schedule_id: Option<String>,
}

#[derive(Debug, Default)]
struct Entries {
    by_key: HashMap<OverlayKey, Arc<Overlay>>,
    order: VecDeque<OverlayKey>,
}

/// A bounded map from [`OverlayKey`] to its built overlay.
#[derive(Debug, Default)]
pub struct OverlayCache {
    entries: Mutex<Entries>,
}

impl OverlayCache {
    /// Most overlays kept at once (a 2,000-compound city is a few tens of MB built).
    pub const CAPACITY: usize = 8;

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // Every update leaves the maps consistent, so a poisoned lock is safe to reuse.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached overlay, if present.
    #[must_use]
    pub fn get(&self, key: &OverlayKey) -> Option<Arc<Overlay>> {
        self.lock().by_key.get(key).cloned()
    }

    /// Adds an overlay, evicting the oldest when full.
    pub fn insert(&self, key: OverlayKey, overlay: Arc<Overlay>) {
        let mut entries = self.lock();
        if entries.by_key.insert(key.clone(), overlay).is_none() {
            entries.order.push_back(key);
        }
        while entries.order.len() > Self::CAPACITY {
            if let Some(oldest) = entries.order.pop_front() {
                entries.by_key.remove(&oldest);
            }
        }
    }

    /// Drops every overlay of a plan (after the plan is deleted).
    pub fn forget_plan(&self, plan_id: &str) {
        let mut entries = self.lock();
        entries.by_key.retain(|k, _| k.plan_id != plan_id);
        let Entries { by_key, order } = &mut *entries;
        order.retain(|k| by_key.contains_key(k));
    }
}
