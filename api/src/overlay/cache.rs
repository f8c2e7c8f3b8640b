//! Built overlays kept in memory.
//!
//! Building an overlay re-reads the stored upload (ingestion) and decodes the analysis
//! and the schedule; a map page and a GIS client paging through items ask for the same
//! overlay many times. Plan versions and schedules never change once stored, so an
//! overlay is keyed by (plan id, plan version, schedule id) and stays valid until
//! evicted (at most [`OverlayCache::CAPACITY`], oldest first, by a [`BoundedCache`]) or
//! its plan is deleted. Beside them, the GeoJSON renderings most recently asked for
//! ([`RenderedOverlay`], at most [`OverlayCache::RENDERINGS`]).

use std::sync::Arc;

use super::Overlay;
use super::rendered::{RenderKey, RenderedOverlay};
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
    renderings: BoundedCache<RenderKey, Arc<RenderedOverlay>>,
}

impl Default for OverlayCache {
    fn default() -> Self {
        Self {
            overlays: BoundedCache::new(Self::CAPACITY),
            renderings: BoundedCache::new(Self::RENDERINGS),
        }
    }
}

impl OverlayCache {
    /// Most overlays kept at once (a 2,000-compound city is a few tens of MB built).
    pub const CAPACITY: usize = 8;

    /// Most renderings kept at once (a 2,000-compound city renders to about 12 MB plus
    /// about 1.5 MB gzip-encoded).
    pub const RENDERINGS: usize = 16;

    /// The cached rendering, if present.
    #[must_use]
    pub fn rendering(&self, key: &RenderKey) -> Option<Arc<RenderedOverlay>> {
        self.renderings.get(key)
    }

    /// Adds a rendering, evicting the oldest when full.
    pub fn insert_rendering(&self, key: RenderKey, rendered: Arc<RenderedOverlay>) {
        self.renderings.insert(key, rendered);
    }

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
        self.renderings.retain(|key, _| key.plan_id != plan_id);
    }
}
