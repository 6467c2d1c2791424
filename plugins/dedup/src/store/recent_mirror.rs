//! An in-memory copy of the recent band table's buckets, so that a check reads them without redb.
//!
//! [`super::recent::read`] costs a range read per epoch and band (six epochs at 12,000
//! documents: about 200 B-tree descents per check, `pread`s once the pages leave redb's
//! cache). The recent table is small by design (merged away every [`MERGE_ROWS`] rows), so
//! its buckets fit in memory: the mirror holds, per band key, the keys that `read` would
//! return (the band's newest [`BUCKET_CAP`] rows, oldest first), filled from the table at
//! open and kept in step by the writer thread, the only code that changes the table.
//!
//! The newest [`BUCKET_CAP`] rows are all the mirror needs: `read` never shows the older ones,
//! and [`super::recent::remove`] drops them when it removes a visible key (so the bucket left
//! is the visible one minus that key, which is what [`RecentMirror::remove`] leaves too).
//!
//! # Staying in step with the committed snapshot
//!
//! The writer changes the mirror only *after* the transaction that changed the table has
//! committed, and, for new rows, *before* it drops their entries from the overlay. A check
//! reads the mirror after taking its stripe locks and *before* opening its redb snapshot
//! ([`super::redb_store`]). So a bucket it reads never lacks a row that both its snapshot and
//! the overlay lack: rows merged into the main table are in the snapshot once the mirror has
//! dropped them (the commit came first), and new rows are in the mirror once the overlay
//! has dropped their entries (which waits for the check's stripe locks).
//!
//! Most band keys have one row (band keys are random), so a band with one key costs one
//! `u64 -> u64` slot and only crowded bands get a list: about 20 bytes per row instead of 60.
//!
//! [`MERGE_ROWS`]: super::redb_store::RedbOptions::merge_rows

use std::collections::HashMap;
use std::collections::hash_map::Entry as Slot;
use std::ops::RangeBounds;
use std::sync::{PoisonError, RwLock};

use redb::ReadableTable;

use super::index::BUCKET_CAP;
use super::keyhash::KeyHashBuilder;
use super::recent::band_of;
use super::{OrDb, StoreError};

/// Shards (locks) of the mirror, picked by band key.
const SHARDS: usize = 64;

/// One shard: bands with a single key, and bands with two or more (oldest first).
#[derive(Debug, Default)]
struct Shard {
    single: HashMap<u64, u64, KeyHashBuilder>,
    many: HashMap<u64, Vec<u64>, KeyHashBuilder>,
}

impl Shard {
    fn push(&mut self, band: u64, key: u64) {
        if let Some(keys) = self.many.get_mut(&band) {
            if keys.len() >= BUCKET_CAP {
                keys.remove(0);
            }
            keys.push(key);
        } else if let Some(first) = self.single.remove(&band) {
            self.many.insert(band, vec![first, key]);
        } else {
            self.single.insert(band, key);
        }
    }

    fn read(&self, band: u64, out: &mut Vec<u64>) {
        if let Some(&key) = self.single.get(&band) {
            out.push(key);
        } else if let Some(keys) = self.many.get(&band) {
            out.extend_from_slice(keys);
        }
    }

    fn remove(&mut self, band: u64, key: u64) {
        if let Slot::Occupied(slot) = self.single.entry(band) {
            if *slot.get() == key {
                slot.remove();
            }
            return;
        }
        let Slot::Occupied(mut slot) = self.many.entry(band) else {
            return;
        };
        slot.get_mut().retain(|&k| k != key);
        match slot.get().as_slice() {
            [] => {
                slot.remove();
            }
            &[only] => {
                slot.remove();
                self.single.insert(band, only);
            }
            _ => {}
        }
    }
}

/// The recent band table's buckets, in memory (see the module docs).
#[derive(Debug)]
pub(super) struct RecentMirror {
    shards: Box<[RwLock<Shard>]>,
}

fn shard_of(band: u64) -> usize {
    // Band keys are xxh3 values; fold the high half in for any other pattern.
    ((band ^ (band >> 32)) as usize) % SHARDS
}

impl RecentMirror {
    /// An empty mirror (of an empty table).
    pub(super) fn new() -> Self {
        RecentMirror {
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
        }
    }

    /// A mirror of the recent band table `table`. Its rows come in key order: by epoch, then
    /// band, then arrival, so each band's rows arrive in arrival order.
    pub(super) fn load(table: &impl ReadableTable<u128, u64>) -> Result<Self, StoreError> {
        let context = "read the band rows";
        let mirror = RecentMirror::new();
        for item in table.iter().or_db(context)? {
            let (row, key) = item.or_db(context)?;
            mirror.push(band_of(row.value()), key.value());
        }
        Ok(mirror)
    }

    fn shard(&self, band: u64) -> &RwLock<Shard> {
        &self.shards[shard_of(band)]
    }

    /// Adds a row: `key` becomes the newest of `band`'s bucket (the oldest drops out of a full
    /// one, as it does from [`super::recent::read`]'s view).
    pub(super) fn push(&self, band: u64, key: u64) {
        self.shard(band)
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push(band, key);
    }

    /// Appends the keys of `band`'s bucket, oldest first, to `out`: what
    /// [`super::recent::read`] appends for the table this mirrors.
    pub(super) fn read(&self, band: u64, out: &mut Vec<u64>) {
        self.shard(band)
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .read(band, out);
    }

    /// Removes `key` from `band`'s bucket, as [`super::recent::remove`] does in the table.
    pub(super) fn remove(&self, band: u64, key: u64) {
        self.shard(band)
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(band, key);
    }

    /// Drops the buckets of the bands in `bands`, as [`super::recent::take_rows`] does.
    pub(super) fn remove_bands(&self, bands: &impl RangeBounds<u64>) {
        for shard in self.shards.iter() {
            let mut shard = shard.write().unwrap_or_else(PoisonError::into_inner);
            shard.single.retain(|band, _| !bands.contains(band));
            shard.many.retain(|band, _| !bands.contains(band));
        }
    }
}

#[cfg(test)]
mod tests {
    use redb::TableDefinition;

    use super::*;
    use crate::corpus::Rng;
    use crate::store::recent::{self, EPOCH_ROWS, MetaTable, NEXT_SEQ, RecentTable};

    const T: RecentTable = TableDefinition::new("t");
    const M: MetaTable = TableDefinition::new("m");

    fn bucket_of_table(table: &impl ReadableTable<u128, u64>, band: u64) -> Vec<u64> {
        let mut out = Vec::new();
        recent::read(table, recent::epochs(table).unwrap(), band, &mut out).unwrap();
        out
    }

    fn bucket_of_mirror(mirror: &RecentMirror, band: u64) -> Vec<u64> {
        let mut out = Vec::new();
        mirror.read(band, &mut out);
        out
    }

    /// Random appends, removals and range moves, done to a table and to a mirror: every
    /// bucket reads the same from both, and a mirror loaded from the table reads the same.
    #[test]
    fn the_mirror_reads_as_the_table_through_appends_removals_and_merges() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let db = redb::Database::create(file.path()).unwrap();
        let txn = db.begin_write().unwrap();
        let mut rng = Rng::new(11);
        let bands = 24u64;
        let mirror = RecentMirror::new();
        {
            let mut table = txn.open_table(T).unwrap();
            let mut meta = txn.open_table(M).unwrap();
            // Start near an epoch's end so that buckets spread over epochs.
            meta.insert(NEXT_SEQ, 2 * EPOCH_ROWS - 40).unwrap();
            let mut next_key = 1u64;
            let mut live: Vec<(u64, u64)> = Vec::new();
            for round in 0..300 {
                match rng.next_u64() % 10 {
                    0..=5 => {
                        let mut rows: Vec<(u64, u64)> = (0..rng.next_u64() % 12)
                            .map(|_| {
                                next_key += 1;
                                (rng.next_u64() % bands * 1_000_003, next_key)
                            })
                            .collect();
                        rows.sort_by_key(|&(band, _)| band);
                        recent::append(&mut table, &mut meta, &rows, 10).unwrap();
                        for &(band, key) in &rows {
                            mirror.push(band, key);
                        }
                        live.extend(rows);
                    }
                    6..=8 if !live.is_empty() => {
                        let (band, key) = live[(rng.next_u64() % live.len() as u64) as usize];
                        recent::remove(&mut table, band, key).unwrap();
                        mirror.remove(band, key);
                    }
                    _ => {
                        let low = rng.next_u64() % bands * 1_000_003;
                        let range = low..low + 3 * 1_000_003;
                        recent::take_rows(&mut table, range.clone()).unwrap();
                        mirror.remove_bands(&range);
                    }
                }
                let loaded = RecentMirror::load(&table).unwrap();
                for band in (0..bands).map(|b| b * 1_000_003) {
                    let expected = bucket_of_table(&table, band);
                    assert_eq!(bucket_of_mirror(&mirror, band), expected, "round {round}");
                    assert_eq!(bucket_of_mirror(&loaded, band), expected, "round {round}");
                }
            }
            assert!(recent::epochs(&table).unwrap().is_some());
        }
        txn.commit().unwrap();
    }
}
