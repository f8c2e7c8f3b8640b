//! A bounded in-memory map shared between threads: the one cache behind the export and
//! overlay caches.
//!
//! Eviction is first in, first out: when an insert takes the map past its capacity, the
//! key inserted longest ago is dropped, however often it was read since. Inserting a key
//! that is already present replaces its value and keeps its place in line. That is the
//! right policy for what is cached here (documents derived from stored data that never
//! changes): it costs nothing on a hit, and a working set larger than the capacity is
//! rebuilt from the store rather than served stale.
//!
//! Every call takes one mutex for the length of a map operation; values are meant to be
//! cheap to clone (an [`Arc`](std::sync::Arc) of the cached document).

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The map and the insertion order of its keys, always holding the same keys.
struct Entries<K, V> {
    by_key: HashMap<K, V>,
    order: VecDeque<K>,
}

/// A thread-safe map holding at most `capacity` entries, evicting the oldest insert.
pub struct BoundedCache<K, V> {
    capacity: usize,
    entries: Mutex<Entries<K, V>>,
}

impl<K, V> std::fmt::Debug for BoundedCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundedCache")
            .field("capacity", &self.capacity)
            .field("len", &self.lock().order.len())
            .finish_non_exhaustive()
    }
}

impl<K, V> BoundedCache<K, V> {
    /// An empty cache keeping at most `capacity` entries (zero keeps nothing).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(Entries {
                by_key: HashMap::new(),
                order: VecDeque::new(),
            }),
        }
    }

    /// Most entries kept at once.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many entries are cached now.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().order.len()
    }

    /// Whether nothing is cached.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, Entries<K, V>> {
        // A panic inside an update (a `retain` predicate, a key's `Hash`) can at worst leave
        // a key in the order that is no longer in the map, which only makes a later
        // eviction early: a poisoned lock is safe to reuse.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<K: Eq + Hash + Clone, V: Clone> BoundedCache<K, V> {
    /// The cached value of `key`, if present.
    #[must_use]
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.lock().by_key.get(key).cloned()
    }

    /// Caches `value` under `key`, evicting the oldest entries beyond the capacity.
    pub fn insert(&self, key: K, value: V) {
        let mut entries = self.lock();
        if entries.by_key.insert(key.clone(), value).is_none() {
            entries.order.push_back(key);
        }
        while entries.order.len() > self.capacity {
            if let Some(oldest) = entries.order.pop_front() {
                entries.by_key.remove(&oldest);
            }
        }
    }

    /// Keeps only the entries for which `keep` is true (to forget what was deleted).
    pub fn retain(&self, mut keep: impl FnMut(&K, &V) -> bool) {
        let mut entries = self.lock();
        let Entries { by_key, order } = &mut *entries;
        by_key.retain(|key, value| keep(key, value));
        order.retain(|key| by_key.contains_key(key));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn a_cached_value_is_a_hit_and_an_unknown_key_a_miss() {
        let cache = BoundedCache::new(2);
        assert!(cache.is_empty());
        cache.insert("a".to_owned(), 1);
        assert_eq!(cache.get("a"), Some(1));
        assert_eq!(cache.get("b"), None);
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn the_oldest_insert_is_evicted_beyond_capacity_even_when_read() {
        let cache = BoundedCache::new(3);
        for key in 0..3 {
            cache.insert(key, key * 10);
        }
        assert_eq!(cache.get(&0), Some(0), "reading does not renew an entry");
        cache.insert(3, 30);
        assert_eq!(cache.len(), cache.capacity());
        assert_eq!(cache.get(&0), None);
        assert_eq!(cache.get(&1), Some(10));
        cache.insert(4, 40);
        assert_eq!(cache.get(&1), None);
        assert_eq!(cache.get(&4), Some(40));
    }

    #[test]
    fn inserting_a_present_key_replaces_it_in_place() {
        let cache = BoundedCache::new(2);
        cache.insert("a", 1);
        cache.insert("b", 2);
        cache.insert("a", 3);
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get("a"), Some(3));
        cache.insert("c", 4);
        assert_eq!(cache.get("a"), None, "a kept its first place in line");
        assert_eq!(cache.get("b"), Some(2));
    }

    #[test]
    fn retained_entries_stay_and_removed_ones_free_their_place() {
        let cache = BoundedCache::new(3);
        for key in 0..3 {
            cache.insert(key, key);
        }
        cache.retain(|key, _| *key != 1);
        assert_eq!(cache.get(&1), None);
        assert_eq!(cache.len(), 2);
        cache.insert(3, 3);
        assert_eq!(cache.get(&0), Some(0), "no eviction while below capacity");
        cache.insert(4, 4);
        assert_eq!(cache.get(&0), None);
        assert_eq!(cache.get(&2), Some(2));
    }

    #[test]
    fn a_zero_capacity_cache_keeps_nothing() {
        let cache = BoundedCache::new(0);
        cache.insert(1, 1);
        assert_eq!(cache.get(&1), None);
        assert!(cache.is_empty());
    }

    #[test]
    fn threads_share_one_cache_within_its_capacity() {
        let cache = Arc::new(BoundedCache::new(16));
        let writers: Vec<_> = (0..4)
            .map(|thread| {
                let cache = Arc::clone(&cache);
                std::thread::spawn(move || {
                    for i in 0..100 {
                        cache.insert((thread, i), i);
                        assert!(cache.len() <= 16);
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().expect("writer thread");
        }
        assert_eq!(cache.len(), 16);
        let kept = (0..4).filter(|t| cache.get(&(*t, 99)).is_some()).count();
        assert!(kept >= 1, "the newest inserts are kept");
    }
}
