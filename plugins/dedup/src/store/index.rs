//! The in-memory LSH index with striped locks, and the check-and-insert algorithm shared by
//! every store.
//!
//! State: `stripes` own the band buckets and the exact-hash map, partitioned by key hash, each
//! behind its own mutex; `records` own the entries by document key, in read-write-locked
//! shards. Lock order is always stripes (ascending index) before a record shard, so there is
//! no deadlock. A bucket keeps its newest [`BUCKET_CAP`] documents: any member of a family of
//! duplicates is a good enough witness, and a hot bucket never makes a check linear.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use super::keyhash::KeyHashBuilder;
use super::{Checked, Entry, Judge, Outcome, StoreError};

/// Most documents remembered per band bucket.
pub const BUCKET_CAP: usize = 16;
const STRIPES: usize = 512;
const RECORD_SHARDS: usize = 64;

/// Committed state a check must also consult (the redb snapshot); [`NoBacking`] for none.
pub trait Backing {
    /// The stored entry with this key.
    fn entry(&self, key: u64) -> Result<Option<Arc<Entry>>, StoreError>;
    /// The key of the entry with this exact hash.
    fn exact(&self, hash: u128) -> Result<Option<u64>, StoreError>;
    /// Appends the keys in this band bucket (at most [`BUCKET_CAP`]) to `out`.
    fn band(&self, band: u64, out: &mut Vec<u64>) -> Result<(), StoreError>;
}

/// No committed state: the in-memory index is everything.
#[derive(Debug, Clone, Copy)]
pub struct NoBacking;

impl Backing for NoBacking {
    fn entry(&self, _: u64) -> Result<Option<Arc<Entry>>, StoreError> {
        Ok(None)
    }
    fn exact(&self, _: u128) -> Result<Option<u64>, StoreError> {
        Ok(None)
    }
    fn band(&self, _: u64, _: &mut Vec<u64>) -> Result<(), StoreError> {
        Ok(())
    }
}

#[derive(Debug, Default)]
struct Stripe {
    bands: HashMap<u64, Vec<u64>, KeyHashBuilder>,
    exact: HashMap<u128, u64, KeyHashBuilder>,
}

#[derive(Debug, Default)]
struct Records {
    map: HashMap<u64, Arc<Entry>, KeyHashBuilder>,
    /// `(at, key)` in insertion order, for retention (only when `keep_order`).
    order: VecDeque<(u64, u64)>,
}

/// The striped in-memory index.
#[derive(Debug)]
pub struct MemIndex {
    stripes: Box<[Mutex<Stripe>]>,
    records: Box<[RwLock<Records>]>,
    len: AtomicUsize,
    keep_order: bool,
}

fn stripe_of(hash: u64) -> usize {
    // Keys are hashes already; fold the high bits in so any bit pattern spreads.
    ((hash ^ (hash >> 32)) as usize) % STRIPES
}

fn exact_stripe(exact: u128) -> usize {
    stripe_of(exact as u64 ^ (exact >> 64) as u64)
}

/// The stripe locks held during one check.
struct Held<'a> {
    guards: Vec<(usize, MutexGuard<'a, Stripe>)>,
}

impl Held<'_> {
    fn stripe(&mut self, index: usize) -> Option<&mut Stripe> {
        let at = self.guards.binary_search_by_key(&index, |(i, _)| *i).ok()?;
        Some(&mut *self.guards[at].1)
    }
}

impl MemIndex {
    /// An empty index; `keep_order` tracks insertion order for [`MemIndex::prune`].
    pub fn new(keep_order: bool) -> Self {
        MemIndex {
            stripes: (0..STRIPES).map(|_| Mutex::default()).collect(),
            records: (0..RECORD_SHARDS).map(|_| RwLock::default()).collect(),
            len: AtomicUsize::new(0),
            keep_order,
        }
    }

    /// Number of entries held.
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    /// True when no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self, exact: u128, bands: &[u64]) -> Held<'_> {
        let mut indices: Vec<usize> = bands.iter().map(|&b| stripe_of(b)).collect();
        indices.push(exact_stripe(exact));
        indices.sort_unstable();
        indices.dedup();
        let guards = indices
            .into_iter()
            .map(|i| {
                (
                    i,
                    self.stripes[i]
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner),
                )
            })
            .collect();
        Held { guards }
    }

    fn shard(&self, key: u64) -> &RwLock<Records> {
        &self.records[(key % RECORD_SHARDS as u64) as usize]
    }

    /// The entry with this key, if held.
    pub fn get(&self, key: u64) -> Option<Arc<Entry>> {
        let shard = self
            .shard(key)
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        shard.map.get(&key).cloned()
    }

    /// The check-and-insert algorithm (see [`super::DedupStore::check_and_insert`]), with
    /// `backing` consulted for committed entries. Returns the outcome and whether it inserted.
    ///
    /// `open_backing` is called *after* the stripe locks are taken, so that the committed
    /// snapshot it opens is never older than the moment this check excluded the writer from
    /// removing entries of these stripes from memory.
    pub fn check_and_insert<B: Backing>(
        &self,
        open_backing: impl FnOnce() -> Result<B, StoreError>,
        entry: &Entry,
        near: bool,
        judge: &Judge<'_>,
    ) -> Result<(Checked, bool), StoreError> {
        let mut held = self.lock(entry.exact, &entry.bands);
        let backing = open_backing()?;
        let lookup = |key: u64| match self.get(key) {
            Some(e) => Ok(Some(e)),
            None => backing.entry(key),
        };
        if let Some(stored) = lookup(entry.key)? {
            let checked = Checked {
                outcome: stored.outcome.clone(),
                replay: true,
            };
            return Ok((checked, false));
        }
        let exact_key = match held
            .stripe(exact_stripe(entry.exact))
            .and_then(|s| s.exact.get(&entry.exact).copied())
        {
            Some(key) => Some(key),
            None => backing.exact(entry.exact)?,
        };
        if let Some(original) = exact_key.map(lookup).transpose()?.flatten() {
            let checked = Checked {
                outcome: Outcome::Exact {
                    of: original.id.clone(),
                },
                replay: false,
            };
            return Ok((checked, false));
        }
        let mut outcome = Outcome::New;
        if near {
            let mut keys = Vec::new();
            for &band in &entry.bands {
                if let Some(bucket) = held
                    .stripe(stripe_of(band))
                    .and_then(|s| s.bands.get(&band))
                {
                    keys.extend_from_slice(bucket);
                }
                backing.band(band, &mut keys)?;
            }
            keys.sort_unstable();
            keys.dedup();
            let mut best: Option<(f64, Arc<Entry>)> = None;
            for key in keys.into_iter().filter(|&k| k != entry.key) {
                let Some(candidate) = lookup(key)? else {
                    continue;
                };
                let Some(similarity) = judge(&candidate) else {
                    continue;
                };
                let better = best.as_ref().is_none_or(|(s, b)| {
                    similarity > *s || (similarity == *s && candidate.id < b.id)
                });
                if better {
                    best = Some((similarity, candidate));
                }
            }
            if let Some((similarity, of)) = best {
                outcome = Outcome::Near {
                    of: of.id.clone(),
                    similarity,
                };
            }
        }
        let mut stored = entry.clone();
        stored.outcome = outcome.clone();
        self.insert_locked(&mut held, Arc::new(stored));
        let checked = Checked {
            outcome,
            replay: false,
        };
        Ok((checked, true))
    }

    fn insert_locked(&self, held: &mut Held<'_>, entry: Arc<Entry>) {
        for &band in &entry.bands {
            if let Some(stripe) = held.stripe(stripe_of(band)) {
                let bucket = stripe.bands.entry(band).or_default();
                if bucket.len() >= BUCKET_CAP {
                    bucket.remove(0);
                }
                bucket.push(entry.key);
            }
        }
        if let Some(stripe) = held.stripe(exact_stripe(entry.exact)) {
            stripe.exact.entry(entry.exact).or_insert(entry.key);
        }
        let mut shard = self
            .shard(entry.key)
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if self.keep_order {
            shard.order.push_back((entry.at, entry.key));
        }
        if shard.map.insert(entry.key, entry).is_none() {
            self.len.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Removes an entry and its bucket and exact-hash references; returns it if it was held.
    pub fn remove(&self, key: u64) -> Option<Arc<Entry>> {
        let entry = self.get(key)?;
        let mut held = self.lock(entry.exact, &entry.bands);
        for &band in &entry.bands {
            if let Some(stripe) = held.stripe(stripe_of(band)) {
                if let Some(bucket) = stripe.bands.get_mut(&band) {
                    bucket.retain(|&k| k != key);
                    if bucket.is_empty() {
                        stripe.bands.remove(&band);
                    }
                }
            }
        }
        if let Some(stripe) = held.stripe(exact_stripe(entry.exact)) {
            if stripe.exact.get(&entry.exact) == Some(&key) {
                stripe.exact.remove(&entry.exact);
            }
        }
        let mut shard = self
            .shard(key)
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let removed = shard.map.remove(&key);
        if removed.is_some() {
            self.len.fetch_sub(1, Ordering::Relaxed);
        }
        removed
    }

    /// Removes at most `budget` entries stored before `cutoff`, oldest first per shard.
    pub fn prune(&self, cutoff: u64, budget: usize) -> usize {
        let mut expired = Vec::new();
        for shard in self.records.iter() {
            let mut shard = shard.write().unwrap_or_else(PoisonError::into_inner);
            while expired.len() < budget {
                match shard.order.front() {
                    Some(&(at, key)) if at < cutoff => {
                        shard.order.pop_front();
                        expired.push(key);
                    }
                    _ => break,
                }
            }
        }
        expired
            .into_iter()
            .filter(|&key| self.remove(key).is_some())
            .count()
    }
}
