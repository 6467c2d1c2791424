//! The redb store's writer thread: batched durable commits, band-table merges and pruning.
//!
//! It is the only code that writes the database. Workers hand it the keys of new overlay
//! entries (see [`super::redb_store`]); it commits them in batches, then drops them from the
//! overlay, merges the recent band table into the main one now and then, and prunes on request.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, PoisonError};
use std::time::Instant;

use redb::{Database, Durability, ReadableTable};

use super::filter::KeyFilter;
use super::index::MemIndex;
use super::redb_store::{
    BANDS, BANDS_RECENT, BATCH, BY_TIME, ENTRIES, EXACT, ErrorLog, FLUSH_INTERVAL, META, Msg, Queue,
};
use super::{Entry, OrDb, StoreError, codec};
use super::{buckets, recent};

/// Which band table new rows go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BandLevel {
    /// The small recent band table, one row per band and document (normal commits).
    Recent,
    /// The large main bucket table (bulk loads, merges).
    Main,
}

/// A time-table key: stored-at in the high half, so a range scan finds the oldest first.
fn time_row(at: u64, key: u64) -> u128 {
    u128::from(at) << 64 | u128::from(key)
}

/// Maps the entry's exact hash to its key unless the hash has a key already (the first
/// document of a hash stays its original). A stored document's hash is new almost always (a
/// check finds exact duplicates before they are stored), so this inserts first, in one
/// B-tree descent instead of a look-up and an insert, and puts the earlier key back in the
/// rare other case.
fn insert_first_key(
    exact: &mut redb::Table<'_, u128, u64>,
    entry: &Entry,
) -> Result<(), StoreError> {
    let context = "write the dedup index";
    let earlier = exact
        .insert(entry.exact, entry.key)
        .or_db(context)?
        .map(|key| key.value());
    if let Some(earlier) = earlier.filter(|&k| k != entry.key) {
        exact.insert(entry.exact, earlier).or_db(context)?;
    }
    Ok(())
}

/// Writes entries in one transaction. Rows are inserted in key order, table by table, so
/// that neighbouring rows land on the same pages.
pub(super) fn write_entries(
    db: &Database,
    entries: &[&Entry],
    level: BandLevel,
    durability: Durability,
) -> Result<u64, StoreError> {
    let context = "write the dedup index";
    let mut txn = db.begin_write().or_db(context)?;
    txn.set_durability(durability);
    let mut sorted = entries.to_vec();
    sorted.sort_unstable_by_key(|e| e.key);
    // Sorted by band, then by key order of arrival within the batch (stable sort).
    let mut rows: Vec<(u64, u64)> = entries
        .iter()
        .flat_map(|e| e.bands.iter().map(|&b| (b, e.key)))
        .collect();
    rows.sort_by_key(|&(band, _)| band);
    {
        let mut table = txn.open_table(ENTRIES).or_db(context)?;
        for entry in &sorted {
            table
                .insert(entry.key, codec::encode(entry).as_slice())
                .or_db(context)?;
        }
        let mut exact = txn.open_table(EXACT).or_db(context)?;
        let mut by_exact = sorted.clone();
        by_exact.sort_unstable_by_key(|e| e.exact);
        for entry in by_exact {
            insert_first_key(&mut exact, entry)?;
        }
        let mut by_time = txn.open_table(BY_TIME).or_db(context)?;
        for entry in &sorted {
            by_time
                .insert(time_row(entry.at, entry.key), ())
                .or_db(context)?;
        }
        match level {
            BandLevel::Recent => {
                let mut bands = txn.open_table(BANDS_RECENT).or_db(context)?;
                let mut meta = txn.open_table(META).or_db(context)?;
                let oldest = entries.iter().map(|e| e.at).min().unwrap_or(u64::MAX);
                recent::append(&mut bands, &mut meta, &rows, oldest)?;
            }
            BandLevel::Main => {
                let mut bands = txn.open_table(BANDS).or_db(context)?;
                buckets::add(&mut bands, &rows)?;
            }
        }
    }
    txn.commit().or_db(context)?;
    Ok(rows.len() as u64)
}

/// Moves the rows of one band range (`step` of [`MERGE_STEPS`]) from the recent band table
/// into the main one, in one transaction; [`Writer::merge`] runs the steps in band order.
///
/// Band keys are random, so inserting them one commit at a time into a large table would
/// dirty a different page for almost every row. New rows therefore go to a small table, and
/// are merged into the large one in sorted runs (a two-level LSM in effect): each page of the
/// large table is rewritten about once per merge instead of once per row. A transaction holds
/// its dirty pages in memory, so the merge moves one band range at a time: the memory it
/// needs is a fraction of the table's, and each range moves atomically (a look-up reads both
/// tables, so it finds every row before, during and after the merge).
///
/// `since`, given with the last step, is the oldest stored-at time of the entries committed
/// since the merge began: their rows are the only ones it can leave in the recent table.
fn merge_band_range(db: &Database, step: u64, since: Option<u64>) -> Result<(), StoreError> {
    let context = "merge the dedup band tables";
    let width = u64::MAX / MERGE_STEPS + 1;
    let low = step * width;
    let txn = db.begin_write().or_db(context)?;
    {
        let mut recent = txn.open_table(BANDS_RECENT).or_db(context)?;
        let rows = if step + 1 == MERGE_STEPS {
            recent::take_rows(&mut recent, low..)?
        } else {
            recent::take_rows(&mut recent, low..low + width)?
        };
        let mut main = txn.open_table(BANDS).or_db(context)?;
        buckets::add(&mut main, &rows)?;
        if let Some(since) = since {
            let mut meta = txn.open_table(META).or_db(context)?;
            meta.insert(recent::SINCE, since).or_db(context)?;
        }
    }
    txn.commit().or_db(context)?;
    Ok(())
}

/// Band ranges (transactions) of one merge.
const MERGE_STEPS: u64 = 16;

/// What one pruning pass did.
struct Pruned {
    /// Entries removed.
    removed: usize,
    /// True when nothing stored before the cut-off is left.
    complete: bool,
}

fn prune_entries(db: &Database, cutoff: u64, budget: usize) -> Result<Pruned, StoreError> {
    let context = "prune the dedup index";
    let txn = db.begin_write().or_db(context)?;
    let mut removed = 0;
    let complete;
    {
        let mut table = txn.open_table(ENTRIES).or_db(context)?;
        let mut exact = txn.open_table(EXACT).or_db(context)?;
        let mut bands = txn.open_table(BANDS).or_db(context)?;
        let mut recent = txn.open_table(BANDS_RECENT).or_db(context)?;
        let mut by_time = txn.open_table(BY_TIME).or_db(context)?;
        // Entries stored before this have no rows in the recent table (merged since).
        let recent_since = txn
            .open_table(META)
            .or_db(context)?
            .get(recent::SINCE)
            .or_db(context)?
            .map_or(u64::MAX, |v| v.value());
        let mut expired = Vec::new();
        for item in by_time
            .range(..time_row(cutoff, 0))
            .or_db(context)?
            .take(budget)
        {
            expired.push(item.or_db(context)?.0.value());
        }
        complete = expired.len() < budget;
        for stamp in expired {
            by_time.remove(stamp).or_db(context)?;
            let key = stamp as u64;
            let stored = table.remove(key).or_db(context)?;
            let Some(bytes) = stored else { continue };
            let entry = codec::decode(key, bytes.value())?;
            drop(bytes);
            for &band in &entry.bands {
                buckets::remove(&mut bands, band, key)?;
            }
            if entry.at >= recent_since {
                for &band in &entry.bands {
                    recent::remove(&mut recent, band, key)?;
                }
            }
            let owner = exact.get(entry.exact).or_db(context)?.map(|k| k.value());
            if owner == Some(key) {
                exact.remove(entry.exact).or_db(context)?;
            }
            removed += 1;
        }
    }
    txn.commit().or_db(context)?;
    Ok(Pruned { removed, complete })
}

/// The writer thread's state.
pub(super) struct Writer {
    pub(super) db: Arc<Database>,
    pub(super) overlay: Arc<MemIndex>,
    pub(super) pending: Arc<AtomicUsize>,
    pub(super) queue: Queue,
    /// The store's filter of committed keys: layers are dropped once pruning has passed them.
    pub(super) filter: Option<Arc<KeyFilter>>,
    pub(super) log: ErrorLog,
    /// Rows added to the recent band table since the last merge.
    pub(super) recent_rows: u64,
    /// Merge when `recent_rows` reaches this.
    pub(super) merge_rows: u64,
    /// Oldest stored-at time of the entries committed since the last merge began.
    pub(super) oldest_written: u64,
}

impl Writer {
    pub(super) fn run(mut self, rx: Receiver<Msg>) {
        // Keys taken from the queue and not committed yet (kept after a failed commit).
        let mut keys: Vec<u64> = Vec::new();
        // When the oldest waiting key must be committed; `None` while nothing waits.
        let mut deadline: Option<Instant> = None;
        loop {
            let msg = match deadline {
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(at) => rx.recv_timeout(at.saturating_duration_since(Instant::now())),
            };
            match msg {
                Ok(Msg::Queued) => {
                    deadline.get_or_insert_with(|| Instant::now() + FLUSH_INTERVAL);
                    if self.queued() >= BATCH {
                        self.take_queued(&mut keys);
                        self.commit_logged(&mut keys);
                        deadline = self.next_deadline(&keys);
                    }
                }
                Ok(Msg::Flush(reply)) => {
                    self.take_queued(&mut keys);
                    let _ = reply.send(self.commit(&mut keys).map_err(|e| e.to_string()));
                    deadline = self.next_deadline(&keys);
                }
                Ok(Msg::Prune {
                    cutoff,
                    budget,
                    reply,
                }) => {
                    self.take_queued(&mut keys);
                    let result = self
                        .commit(&mut keys)
                        .and_then(|_| prune_entries(&self.db, cutoff, budget));
                    if let (Ok(pruned), Some(filter)) = (&result, &self.filter) {
                        if pruned.complete {
                            filter.forget_before(cutoff);
                        }
                    }
                    let result = result.map(|pruned| pruned.removed);
                    deadline = self.next_deadline(&keys);
                    match (reply, result) {
                        (Some(reply), result) => {
                            let _ = reply.send(result.map_err(|e| e.to_string()));
                        }
                        (None, Err(e)) => (self.log)(&format!(
                            "error=\"{e}\" Could not prune the dedup index; will retry."
                        )),
                        (None, Ok(_)) => {}
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.take_queued(&mut keys);
                    self.commit_logged(&mut keys);
                    // After a failed commit, retry one interval later rather than spinning.
                    deadline = self.next_deadline(&keys);
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.take_queued(&mut keys);
                    self.commit_logged(&mut keys);
                    return;
                }
            }
        }
    }

    /// Number of keys waiting in the queue.
    fn queued(&self) -> usize {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Moves the queued keys to `keys`. A worker that queues after this finds the queue empty
    /// and sends [`Msg::Queued`] again, so no key waits unseen.
    fn take_queued(&self, keys: &mut Vec<u64>) {
        keys.append(&mut self.queue.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// The next commit time: one interval from now while keys wait (a failed commit), else none.
    fn next_deadline(&self, keys: &[u64]) -> Option<Instant> {
        (!keys.is_empty()).then(|| Instant::now() + FLUSH_INTERVAL)
    }

    fn commit_logged(&mut self, keys: &mut Vec<u64>) {
        if let Err(e) = self.commit(keys) {
            (self.log)(&format!(
                "entries={} error=\"{e}\" Could not commit the dedup index; will retry.",
                keys.len()
            ));
        }
    }

    /// Commits the overlay entries of `keys` durably, then drops them from the overlay.
    fn commit(&mut self, keys: &mut Vec<u64>) -> Result<usize, StoreError> {
        let committed = self.write_keys(keys)?;
        if self.recent_rows >= self.merge_rows {
            // The entries are committed already; a failed merge is retried after the next commit.
            if let Err(e) = self.merge(keys) {
                self.recent_rows = self.recent_rows.max(self.merge_rows);
                (self.log)(&format!(
                    "error=\"{e}\" Could not merge the dedup band tables; will retry."
                ));
            }
        }
        Ok(committed)
    }

    /// Commits the overlay entries of `keys` and drops them from the overlay; on failure
    /// `keys` is left as it was.
    fn write_keys(&mut self, keys: &mut Vec<u64>) -> Result<usize, StoreError> {
        if keys.is_empty() {
            return Ok(0);
        }
        let entries: Vec<Arc<Entry>> = keys.iter().filter_map(|&k| self.overlay.get(k)).collect();
        let refs: Vec<&Entry> = entries.iter().map(Arc::as_ref).collect();
        self.recent_rows +=
            write_entries(&self.db, &refs, BandLevel::Recent, Durability::Immediate)?;
        let oldest = refs.iter().map(|e| e.at).min().unwrap_or(u64::MAX);
        self.oldest_written = self.oldest_written.min(oldest);
        for key in keys.drain(..) {
            self.overlay.remove(key);
            self.pending.fetch_sub(1, Ordering::Relaxed);
        }
        Ok(entries.len())
    }

    /// Merges the recent band table into the main one, one band range per transaction, and
    /// commits the entries queued meanwhile between ranges: a merge of a large index takes
    /// seconds, and the overlay must not hold a backlog's new entries for all that time.
    /// Rows committed meanwhile into ranges already merged stay for the next merge.
    fn merge(&mut self, keys: &mut Vec<u64>) -> Result<(), StoreError> {
        self.recent_rows = 0;
        self.oldest_written = u64::MAX;
        for step in 0..MERGE_STEPS {
            let since = (step + 1 == MERGE_STEPS).then_some(self.oldest_written);
            merge_band_range(&self.db, step, since)?;
            self.take_queued(keys);
            self.write_keys(keys)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::store::index::NoBacking;
    use crate::store::redb_store::create_tables;

    fn entry(key: u64, at: u64) -> Entry {
        Entry {
            at,
            ..crate::store::redb_store::tests::entry(key, key)
        }
    }

    #[test]
    fn rows_committed_during_a_merge_are_pruned_from_the_recent_table_later() {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Database::create(dir.path().join("w.redb")).unwrap());
        let txn = db.begin_write().unwrap();
        create_tables(&txn).unwrap();
        txn.commit().unwrap();
        let overlay = Arc::new(MemIndex::new(false));
        let none = |_: &Entry| None;
        for (key, at) in [(1, 100), (2, 100), (3, 100), (4, 100), (5, 300)] {
            overlay
                .check_and_insert(|| Ok(NoBacking), &entry(key, at), false, &none)
                .unwrap();
        }
        let queue = Queue::new(Mutex::new(vec![5]));
        let mut writer = Writer {
            db: Arc::clone(&db),
            overlay,
            pending: Arc::new(AtomicUsize::new(5)),
            queue,
            filter: None,
            log: Arc::new(|_: &str| {}),
            recent_rows: 0,
            merge_rows: 8,
            oldest_written: u64::MAX,
        };
        // Entries 1-4 fill the recent table to a merge; entry 5 waits in the queue, so it is
        // committed between the merge's first two steps, after its bands' range was merged.
        writer.commit(&mut vec![1, 2, 3, 4]).unwrap();
        let recent_keys = || {
            let txn = db.begin_read().unwrap();
            let table = txn.open_table(BANDS_RECENT).unwrap();
            let mut keys: Vec<u64> = table
                .iter()
                .unwrap()
                .map(|r| r.unwrap().1.value())
                .collect();
            keys.sort_unstable();
            keys
        };
        assert_eq!(recent_keys(), [5, 5], "entry 5 stays for the next merge");
        assert_eq!(prune_entries(&db, 200, 100).unwrap().removed, 4);
        assert_eq!(recent_keys(), [5, 5]);
        assert_eq!(prune_entries(&db, 400, 100).unwrap().removed, 1);
        assert!(recent_keys().is_empty(), "entry 5's rows went with it");
    }
}
