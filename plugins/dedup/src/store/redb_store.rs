//! The embedded, persistent store: a redb file, written behind in batches by one thread.
//!
//! Checks read the last committed redb snapshot (redb serves readers concurrently, without
//! blocking on the writer) plus an in-memory overlay ([`MemIndex`]) of entries not committed
//! yet; the overlay's stripe locks make check-and-insert atomic (see [`super`]). Inserts go to
//! the overlay and their keys to the writer thread, which commits them in one durable
//! transaction per batch (at most [`BATCH`] entries or [`FLUSH_INTERVAL`] old) and then drops
//! them from the overlay. Workers never wait for an fsync; memory stays bounded because a
//! check waits when more than [`MAX_PENDING`] entries are uncommitted. A crash loses at most
//! the last interval's entries (their documents are then simply not known as originals).
//!
//! Tables: `entries` (key -> encoded [`Entry`]), `exact` (exact hash -> key),
//! `band_buckets` and `band_buckets_recent` (band key -> newest document keys, see
//! [`buckets`]; new rows go to the small one and are merged in sorted runs) and `by_time`
//! (stored-at << 64 | key), the last for retention.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use redb::{Database, Durability, ReadOnlyTable, ReadableTableMetadata, TableDefinition};

use super::buckets::{self, BucketTable};
use super::index::{Backing, MemIndex};
use super::redb_writer::{BandLevel, Writer, write_entries};
use super::{Checked, DedupStore, Entry, Judge, OrDb, StoreError, codec};

pub(super) const ENTRIES: TableDefinition<u64, &[u8]> = TableDefinition::new("entries");
pub(super) const EXACT: TableDefinition<u128, u64> = TableDefinition::new("exact");
pub(super) const BANDS: BucketTable = TableDefinition::new("band_buckets");
pub(super) const BANDS_RECENT: BucketTable = TableDefinition::new("band_buckets_recent");
pub(super) const BY_TIME: TableDefinition<u128, ()> = TableDefinition::new("by_time");

/// Most entries committed in one transaction.
pub const BATCH: usize = 2048;
/// Longest time an entry waits for its commit.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(200);
/// Most uncommitted entries before checks wait for the writer.
pub const MAX_PENDING: usize = 4 * BATCH;
/// Rows added to the recent bucket table that trigger a merge (about 30,000 documents).
const MERGE_ROWS: u64 = 1 << 20;

/// Tuning of a [`RedbStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedbOptions {
    /// Size of redb's page cache, in bytes.
    pub cache_bytes: usize,
    /// Rows added to the recent bucket table that trigger a merge into the main one.
    pub merge_rows: u64,
}

impl Default for RedbOptions {
    fn default() -> Self {
        RedbOptions {
            cache_bytes: 256 * 1024 * 1024,
            merge_rows: MERGE_ROWS,
        }
    }
}

/// Where the writer thread reports failures (the plugin sends them to the host log).
pub type ErrorLog = Arc<dyn Fn(&str) + Send + Sync>;

pub(super) type Reply = SyncSender<Result<usize, String>>;

pub(super) enum Msg {
    /// New keys are in the [`Queue`]: sent when it stops being empty and when it fills a
    /// batch, so the writer wakes once per batch rather than once per document.
    Queued,
    Flush(Reply),
    Prune {
        cutoff: u64,
        budget: usize,
        /// Where to report the result; `None` to log failures only.
        reply: Option<Reply>,
    },
}

/// Keys of overlay entries waiting for the writer, in insertion order.
pub(super) type Queue = Arc<Mutex<Vec<u64>>>;

/// The redb-backed store.
pub struct RedbStore {
    db: Arc<Database>,
    overlay: Arc<MemIndex>,
    pending: Arc<AtomicUsize>,
    queue: Queue,
    /// `Sender` is `Sync`: workers send without any lock; `None` once dropping.
    tx: Option<Sender<Msg>>,
    writer: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for RedbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedbStore")
            .field("pending", &self.pending.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl RedbStore {
    /// Opens (or creates) the index file and starts the writer thread.
    pub fn open(path: &Path, log: ErrorLog) -> Result<Self, StoreError> {
        Self::open_with(path, log, RedbOptions::default())
    }

    /// [`RedbStore::open`] with explicit tuning.
    pub fn open_with(path: &Path, log: ErrorLog, options: RedbOptions) -> Result<Self, StoreError> {
        let db = Database::builder()
            .set_cache_size(options.cache_bytes)
            .create(path)
            .map_err(|e| match e {
                redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Busy,
                e => StoreError::db("open the dedup index", e),
            })?;
        let txn = db.begin_write().or_db("create the tables")?;
        {
            let context = "create the tables";
            txn.open_table(ENTRIES).or_db(context)?;
            txn.open_table(EXACT).or_db(context)?;
            txn.open_table(BANDS).or_db(context)?;
            txn.open_table(BANDS_RECENT).or_db(context)?;
            txn.open_table(BY_TIME).or_db(context)?;
        }
        txn.commit().or_db("create the tables")?;
        let recent_rows = db
            .begin_read()
            .or_db("read the dedup index")?
            .open_table(BANDS_RECENT)
            .and_then(|t| Ok(t.len()?))
            .or_db("read the dedup index")?;
        let db = Arc::new(db);
        let overlay = Arc::new(MemIndex::new(false));
        let pending = Arc::new(AtomicUsize::new(0));
        let queue = Queue::default();
        let (tx, rx) = mpsc::channel();
        let writer = Writer {
            db: Arc::clone(&db),
            overlay: Arc::clone(&overlay),
            pending: Arc::clone(&pending),
            queue: Arc::clone(&queue),
            log,
            recent_rows,
            merge_rows: options.merge_rows,
        };
        let writer = std::thread::Builder::new()
            .name("dedup-writer".into())
            .spawn(move || writer.run(rx))
            .or_db("start the index writer")?;
        Ok(RedbStore {
            db,
            overlay,
            pending,
            queue,
            tx: Some(tx),
            writer: Some(writer),
        })
    }

    fn send(&self, msg: Msg) -> Result<(), StoreError> {
        self.tx
            .as_ref()
            .ok_or(StoreError::WriterStopped)?
            .send(msg)
            .map_err(|_| StoreError::WriterStopped)
    }

    /// Hands a new overlay entry's key to the writer, waking it only when needed.
    fn enqueue(&self, key: u64) -> Result<(), StoreError> {
        if self.tx.is_none() {
            return Err(StoreError::WriterStopped);
        }
        let queued = {
            let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            queue.push(key);
            queue.len()
        };
        if queued == 1 || queued == BATCH {
            self.send(Msg::Queued)?;
        }
        Ok(())
    }

    fn ask(&self, make: impl FnOnce(Reply) -> Msg) -> Result<usize, StoreError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.send(make(reply))?;
        answer
            .recv()
            .map_err(|_| StoreError::WriterStopped)?
            .map_err(|message| StoreError::Db {
                context: "index writer",
                source: message.into(),
            })
    }

    fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let context = "read the dedup index";
        let txn = self.db.begin_read().or_db(context)?;
        Ok(Snapshot {
            entries: txn.open_table(ENTRIES).or_db(context)?,
            exact: txn.open_table(EXACT).or_db(context)?,
            bands: txn.open_table(BANDS).or_db(context)?,
            recent: txn.open_table(BANDS_RECENT).or_db(context)?,
        })
    }

    /// Writes entries directly in one transaction (bulk loading for benchmarks and imports;
    /// no duplicate check). Call with no concurrent checks running.
    pub fn bulk_insert(&self, entries: &[Entry]) -> Result<(), StoreError> {
        let entries: Vec<&Entry> = entries.iter().collect();
        write_entries(&self.db, &entries, BandLevel::Main, Durability::Eventual).map(|_| ())
    }
}

impl Drop for RedbStore {
    fn drop(&mut self) {
        // Closing the channel makes the writer commit what is left and stop.
        self.tx.take();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

impl DedupStore for RedbStore {
    fn check_and_insert(
        &self,
        entry: &Entry,
        near: bool,
        judge: &Judge<'_>,
    ) -> Result<Checked, StoreError> {
        while self.pending.load(Ordering::Relaxed) >= MAX_PENDING {
            std::thread::sleep(Duration::from_millis(1));
        }
        let (checked, inserted) =
            self.overlay
                .check_and_insert(|| self.snapshot(), entry, near, judge)?;
        if inserted {
            self.pending.fetch_add(1, Ordering::Relaxed);
            if let Err(e) = self.enqueue(entry.key) {
                self.pending.fetch_sub(1, Ordering::Relaxed);
                self.overlay.remove(entry.key);
                return Err(e);
            }
        }
        Ok(checked)
    }

    fn prune(&self, cutoff: u64, budget: usize) -> Result<usize, StoreError> {
        self.ask(|reply| Msg::Prune {
            cutoff,
            budget,
            reply: Some(reply),
        })
    }

    fn prune_in_background(&self, cutoff: u64, budget: usize) -> Result<(), StoreError> {
        self.send(Msg::Prune {
            cutoff,
            budget,
            reply: None,
        })
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.ask(Msg::Flush).map(|_| ())
    }
}

/// One committed snapshot, opened per check.
struct Snapshot {
    entries: ReadOnlyTable<u64, &'static [u8]>,
    exact: ReadOnlyTable<u128, u64>,
    bands: ReadOnlyTable<u64, &'static [u8]>,
    recent: ReadOnlyTable<u64, &'static [u8]>,
}

impl Backing for Snapshot {
    fn entry(&self, key: u64) -> Result<Option<Arc<Entry>>, StoreError> {
        let found = self.entries.get(key).or_db("read an entry")?;
        found
            .map(|bytes| codec::decode(key, bytes.value()).map(Arc::new))
            .transpose()
    }

    fn exact(&self, hash: u128) -> Result<Option<u64>, StoreError> {
        let found = self.exact.get(hash).or_db("read the exact index")?;
        Ok(found.map(|key| key.value()))
    }

    fn band(&self, band: u64, out: &mut Vec<u64>) -> Result<(), StoreError> {
        for table in [&self.recent, &self.bands] {
            let found = table.get(band).or_db("read a band")?;
            if let Some(value) = found {
                buckets::unpack(value.value(), out);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::store::Outcome;

    fn tiny_merges() -> RedbOptions {
        RedbOptions {
            merge_rows: 8,
            ..RedbOptions::default()
        }
    }

    fn entry(key: u64, band: u64) -> Entry {
        Entry {
            key,
            id: format!("{key:016x}"),
            at: 10,
            exact: u128::from(key),
            shingles: 10,
            signature: vec![band as u32; 8],
            bands: vec![band, band + 1_000_000],
            outcome: Outcome::New,
        }
    }

    #[test]
    fn band_rows_are_found_before_and_after_merges_and_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.redb");
        let log: ErrorLog = Arc::new(|_: &str| {});
        let any = |c: &Entry| Some(if c.key % 2 == 0 { 0.9 } else { 0.8 });
        {
            let store = RedbStore::open_with(&path, log.clone(), tiny_merges()).unwrap();
            for key in 1..=40 {
                let checked = store
                    .check_and_insert(&entry(key, key), true, &any)
                    .unwrap();
                assert_eq!(checked.outcome, Outcome::New);
                store.flush().unwrap();
            }
            let rows = |def| {
                let txn = store.db.begin_read().unwrap();
                let table = txn.open_table(def).unwrap();
                table.len().unwrap()
            };
            assert!(rows(BANDS) >= 70, "merged rows: {}", rows(BANDS));
            assert!(rows(BANDS_RECENT) < 8);
        }
        let store = RedbStore::open_with(&path, log, tiny_merges()).unwrap();
        for key in [1u64, 17, 40] {
            let checked = store.check_and_insert(&entry(1000 + key, key), true, &any);
            let expected = Outcome::Near {
                of: format!("{key:016x}"),
                similarity: if key % 2 == 0 { 0.9 } else { 0.8 },
            };
            assert_eq!(checked.unwrap().outcome, expected);
        }
    }

    #[test]
    fn queued_entries_are_committed_without_a_flush_by_batch_and_by_time() {
        let dir = tempfile::tempdir().unwrap();
        let log: ErrorLog = Arc::new(|_: &str| {});
        let store =
            RedbStore::open_with(&dir.path().join("q.redb"), log, RedbOptions::default()).unwrap();
        let none = |_: &Entry| None;
        let committed = || {
            let txn = store.db.begin_read().unwrap();
            txn.open_table(ENTRIES).unwrap().len().unwrap() as usize
        };
        // A full batch is committed at once, and the few after it within an interval.
        let total = BATCH + 3;
        for key in 1..=total as u64 {
            store
                .check_and_insert(&entry(key, key), true, &none)
                .unwrap();
        }
        let deadline = Instant::now() + 50 * FLUSH_INTERVAL;
        // The writer counts an entry out of `pending` once its commit is done.
        while store.pending.load(Ordering::Relaxed) > 0 && Instant::now() < deadline {
            std::thread::sleep(FLUSH_INTERVAL / 4);
        }
        assert_eq!(store.pending.load(Ordering::Relaxed), 0);
        assert_eq!(committed(), total);
        assert!(store.queue.lock().unwrap().is_empty());
        // Every entry is found through its bands, merged or not.
        let any = |_: &Entry| Some(0.9);
        for key in [1u64, 700, BATCH as u64, total as u64] {
            let checked = store.check_and_insert(&entry(1_000_000_000 + key, key), true, &any);
            assert_eq!(
                checked.unwrap().outcome,
                Outcome::Near {
                    of: format!("{key:016x}"),
                    similarity: 0.9
                }
            );
        }
    }
}
