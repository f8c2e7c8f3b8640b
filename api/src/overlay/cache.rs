//! Built overlays kept in memory.
//!
//! Building an overlay re-reads the stored upload (ingestion) and decodes the analysis
//! and the schedule; a map page and a GIS client paging through items ask for the same
//! overlay many times. Plan versions and schedules never change once stored, so an
//! overlay is keyed by (plan id, plan version, schedule id) and stays valid until
//! evicted (at most [`OverlayCache::CAPACITY`], oldest first, by a [`BoundedCache`]) or
//! its plan is deleted.

use std::sync::Arc;

use super::Overlay;
use crate::cache::BoundedCache;

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

/// A bounded map from [`OverlayKey`] to its built overlay.
#[derive(Debug)]
pub struct OverlayCache {
    overlays: BoundedCache<OverlayKey, Arc<Overlay>>,
}

impl Default for OverlayCache {
    fn default() -> Self {
        Self {
            overlays: BoundedCache::new(Self::CAPACITY),
        }
    }
}

impl OverlayCache {
    /// Most overlays kept at once (a 2,000-compound city is a few tens of MB built).
    pub const CAPACITY: usize = 8;

    /// The cached overlay, if present.
    #[must_use]
    pub fn get(&self, key: &OverlayKey) -> Option<Arc<Overlay>> {
        self.overlays.get(key)
    }

    /// Adds an overlay, evicting the oldest when full.
    pub fn insert(&self, key: OverlayKey, overlay: Arc<Overlay>) {
        self.overlays.insert(key, overlay);
    }

    /// Drops every overlay of a plan (after the plan is deleted).
    pub fn forget_plan(&self, plan_id: &str) {
        self.overlays.retain(|key, _| key.plan_id != plan_id);
    }
}
