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
//! A [`KeyFilter`] of the committed keys lets a check skip the reads of keys that cannot be
//! there (most band buckets of a new article).
//!
//! Tables: `entries` (key -> encoded [`Entry`]), `exact` (exact hash -> key),
//! `band_buckets` (band key -> newest document keys, see [`buckets`]), `recent_band_rows`
//! (one row per band and new document, see [`recent`]; merged into `band_buckets` in sorted
//! runs), `meta` (the recent table's sequence and time bound) and `by_time`
//! (stored-at << 64 | key), the last for retention.

use std::cell::OnceCell;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use redb::{
    AccessGuard, Database, Durability, ReadOnlyTable, ReadTransaction, ReadableTable,
    ReadableTableMetadata, TableDefinition, TableHandle, WriteTransaction,
};

use super::buckets::{self, BucketTable};
use super::filter::{FilterView, Item, KeyFilter};
use super::index::{Backing, MemIndex};
use super::recent::{self, MetaTable, RecentTable};
use super::redb_writer::{BandLevel, Writer, write_entries};
use super::{Checked, DedupStore, Entry, Judge, OrDb, StoreError, codec};

pub(super) const ENTRIES: TableDefinition<u64, &[u8]> = TableDefinition::new("entries");
pub(super) const EXACT: TableDefinition<u128, u64> = TableDefinition::new("exact");
pub(super) const BANDS: BucketTable = TableDefinition::new("band_buckets");
/// The recent band rows (see [`recent`]).
pub(super) const BANDS_RECENT: RecentTable = TableDefinition::new("recent_band_rows");
/// Small values: the next recent row's sequence number and the recent table's time bound
/// (see [`recent::NEXT_SEQ`] and [`recent::SINCE`]).
pub(super) const META: MetaTable = TableDefinition::new("meta");
/// The recent band table of indexes written before [`BANDS_RECENT`] (band key -> packed
/// keys, like [`BANDS`]): its rows are moved to [`BANDS_RECENT`] at open, in order.
const BANDS_RECENT_V1: BucketTable = TableDefinition::new("band_buckets_recent");
pub(super) const BY_TIME: TableDefinition<u128, ()> = TableDefinition::new("by_time");

/// Most entries committed in one transaction.
pub const BATCH: usize = 2048;
/// Longest time an entry waits for its commit.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(200);
/// Most uncommitted entries before checks wait for the writer.
pub const MAX_PENDING: usize = 4 * BATCH;
/// Rows added to the recent band table that trigger a merge (about 30,000 documents).
const MERGE_ROWS: u64 = 1 << 20;

/// Tuning of a [`RedbStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedbOptions {
    /// Size of redb's page cache, in bytes.
    pub cache_bytes: usize,
    /// Rows added to the recent band table that trigger a merge into the main one.
    pub merge_rows: u64,
    /// Most memory of the [`KeyFilter`] of committed keys; 0 for none (every check reads).
    pub filter_bytes: usize,
}

impl Default for RedbOptions {
    fn default() -> Self {
        RedbOptions {
            cache_bytes: 256 * 1024 * 1024,
            merge_rows: MERGE_ROWS,
            filter_bytes: 4 * 1024 * 1024,
        }
    }
}

/// The items of an entry that the committed tables hold: its bands, exact hash and key.
pub(super) fn filter_items(entry: &Entry) -> impl Iterator<Item = Item> + '_ {
    entry
        .bands
        .iter()
        .map(|&b| Item::Band(b))
        .chain([Item::Exact(entry.exact), Item::Entry(entry.key)])
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
    /// Keys that may be committed; `None` when the options ask for no filter.
    filter: Option<Arc<KeyFilter>>,
    /// Fills the filter with the keys the index held at open.
    filler: Mutex<Option<Filler>>,
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
        create_tables(&txn)?;
        migrate_recent_v1(&txn)?;
        txn.commit().or_db("create the tables")?;
        let recent_rows = db
            .begin_read()
            .or_db("read the dedup index")?
            .open_table(BANDS_RECENT)
            .and_then(|t| Ok(t.len()?))
            .or_db("read the dedup index")?;
        let db = Arc::new(db);
        let (filter, filler) = match options.filter_bytes {
            0 => (None, None),
            bytes => {
                let (filter, filler) = Filler::start(&db, bytes, &log)?;
                (Some(filter), filler)
            }
        };
        let overlay = Arc::new(MemIndex::new(false));
        let pending = Arc::new(AtomicUsize::new(0));
        let queue = Queue::default();
        let (tx, rx) = mpsc::channel();
        let writer = Writer {
            db: Arc::clone(&db),
            overlay: Arc::clone(&overlay),
            pending: Arc::clone(&pending),
            queue: Arc::clone(&queue),
            filter: filter.clone(),
            log,
            recent_rows,
            merge_rows: options.merge_rows,
            oldest_written: u64::MAX,
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
            filter,
            filler: Mutex::new(filler),
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

    /// Waits until the key filter holds every key the index had at open (tests and
    /// benchmarks; checks are right before that too, only slower).
    pub fn wait_for_filter(&self) {
        let filler = self
            .filler
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(filler) = filler {
            let _ = filler.thread.join();
        }
    }

    /// True when the key filter answers "absent" (filled, not saturated, not turned off).
    pub fn filter_is_useful(&self) -> bool {
        self.filter.as_ref().is_some_and(|f| f.is_useful())
    }

    fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let context = "read the dedup index";
        let txn = self.db.begin_read().or_db(context)?;
        Ok(Snapshot {
            entries: txn.open_table(ENTRIES).or_db(context)?,
            exact: txn.open_table(EXACT).or_db(context)?,
            bands: txn.open_table(BANDS).or_db(context)?,
            recent: txn.open_table(BANDS_RECENT).or_db(context)?,
            recent_epochs: OnceCell::new(),
            // Taken after the check's stripe locks: see `filter`'s module docs.
            filter: self.filter.as_ref().map(|f| f.view()),
        })
    }

    /// Writes entries directly in one transaction (bulk loading for benchmarks and imports;
    /// no duplicate check). Call with no concurrent checks running.
    pub fn bulk_insert(&self, entries: &[Entry]) -> Result<(), StoreError> {
        if let Some(filter) = &self.filter {
            for entry in entries {
                filter.insert(filter_items(entry), entry.at);
            }
        }
        let entries: Vec<&Entry> = entries.iter().collect();
        write_entries(&self.db, &entries, BandLevel::Main, Durability::Eventual).map(|_| ())
    }
}

impl Drop for RedbStore {
    fn drop(&mut self) {
        let filler = self
            .filler
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(filler) = filler.take() {
            filler.stop();
        }
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
            // Into the filter before the writer can know of it, so never committed unfiltered.
            if let Some(filter) = &self.filter {
                filter.insert(filter_items(entry), entry.at);
            }
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

/// Creates the tables that do not exist yet.
pub(super) fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    let context = "create the tables";
    txn.open_table(ENTRIES).or_db(context)?;
    txn.open_table(EXACT).or_db(context)?;
    txn.open_table(BANDS).or_db(context)?;
    txn.open_table(BANDS_RECENT).or_db(context)?;
    txn.open_table(BY_TIME).or_db(context)?;
    txn.open_table(META).or_db(context)?;
    Ok(())
}

/// Moves the rows of an index's old recent bucket table (written before [`BANDS_RECENT`]
/// existed) into [`BANDS_RECENT`], bucket by bucket in their order, and deletes it: the
/// buckets read as before, and the next merge moves them into [`BANDS`] as it would have.
fn migrate_recent_v1(txn: &WriteTransaction) -> Result<(), StoreError> {
    let context = "move the old recent band buckets";
    let exists = txn
        .list_tables()
        .or_db(context)?
        .any(|t| t.name() == BANDS_RECENT_V1.name());
    if !exists {
        return Ok(());
    }
    {
        let mut old = txn.open_table(BANDS_RECENT_V1).or_db(context)?;
        let rows = buckets::take_rows(&mut old, .., false)?;
        let mut table = txn.open_table(BANDS_RECENT).or_db(context)?;
        let mut meta = txn.open_table(META).or_db(context)?;
        // Their entries' times are unknown: pruning must look in the table for any entry.
        recent::append(&mut table, &mut meta, &rows, 0)?;
    }
    txn.delete_table(BANDS_RECENT_V1).or_db(context)?;
    Ok(())
}

/// Reads every key of the committed tables into a filter, on a thread of its own: a large
/// index has tens of millions of band rows (about 3 million a second), and the plugin must
/// not hold up the daemon's start for that. Until it is done the filter answers "maybe".
struct Filler {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Filler {
    /// A filter for the keys in `db`, within `budget` bytes, and the thread filling it
    /// (none when the index is empty).
    fn start(
        db: &Arc<Database>,
        budget: usize,
        log: &ErrorLog,
    ) -> Result<(Arc<KeyFilter>, Option<Filler>), StoreError> {
        let context = "read the dedup index";
        let txn = db.begin_read().or_db(context)?;
        let mut rows = txn
            .open_table(ENTRIES)
            .or_db(context)?
            .len()
            .or_db(context)?;
        rows += txn.open_table(EXACT).or_db(context)?.len().or_db(context)?;
        rows += txn.open_table(BANDS).or_db(context)?.len().or_db(context)?;
        rows += txn
            .open_table(BANDS_RECENT)
            .or_db(context)?
            .len()
            .or_db(context)?;
        let filter = Arc::new(KeyFilter::new(
            budget,
            usize::try_from(rows).unwrap_or(usize::MAX),
        ));
        if rows == 0 {
            return Ok((filter, None));
        }
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (filter, stop, log) = (Arc::clone(&filter), Arc::clone(&stop), Arc::clone(log));
            std::thread::Builder::new()
                .name("dedup-filter".into())
                .spawn(move || match fill(&txn, &filter, &stop) {
                    Ok(true) => filter.mark_ready(),
                    Ok(false) => {}
                    Err(e) => log(&format!(
                        "error=\"{e}\" Could not read the dedup index into its key filter; \
                         look-ups read the index instead."
                    )),
                })
                .or_db("start the key filter")?
        };
        Ok((filter, Some(Filler { stop, thread })))
    }

    /// Stops the filling (when the store closes before it is done) and waits for it.
    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
    }
}

/// Inserts every key of `txn`'s tables into `filter`; false when stopped first.
fn fill(txn: &ReadTransaction, filter: &KeyFilter, stop: &AtomicBool) -> Result<bool, StoreError> {
    let context = "read the dedup index";
    // Every item stands for entries up to the newest one stored: the layer is dropped only
    // once all of them are pruned.
    let newest = txn
        .open_table(BY_TIME)
        .or_db(context)?
        .last()
        .or_db(context)?
        .map_or(0, |(row, _)| (row.value() >> 64) as u64);
    let mut rows = 0u64;
    let mut go_on = |item: Item| {
        filter.insert([item], newest);
        rows += 1;
        rows % 65_536 != 0 || !stop.load(Ordering::Relaxed)
    };
    let all = scan(txn, ENTRIES, |k| Item::Entry(k.value()), &mut go_on)?
        && scan(txn, EXACT, |k| Item::Exact(k.value()), &mut go_on)?
        && scan(txn, BANDS, |k| Item::Band(k.value()), &mut go_on)?
        && scan(
            txn,
            BANDS_RECENT,
            |k| Item::Band(recent::band_of(k.value())),
            &mut go_on,
        )?;
    Ok(all)
}

/// Hands the item of every key of `table` to `go_on`, until it says stop (then false).
fn scan<K: redb::Key + 'static, V: redb::Value + 'static>(
    txn: &ReadTransaction,
    table: TableDefinition<K, V>,
    item: impl Fn(&AccessGuard<'_, K>) -> Item,
    go_on: &mut impl FnMut(Item) -> bool,
) -> Result<bool, StoreError> {
    let context = "read the dedup index";
    for row in txn
        .open_table(table)
        .or_db(context)?
        .iter()
        .or_db(context)?
    {
        if !go_on(item(&row.or_db(context)?.0)) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// One committed snapshot, opened per check.
struct Snapshot {
    entries: ReadOnlyTable<u64, &'static [u8]>,
    exact: ReadOnlyTable<u128, u64>,
    bands: ReadOnlyTable<u64, &'static [u8]>,
    recent: ReadOnlyTable<u128, u64>,
    /// The epochs of `recent`, read at the first band that the filter lets through.
    recent_epochs: OnceCell<Option<(u32, u32)>>,
    filter: Option<FilterView>,
}

impl Snapshot {
    /// False when the filter says `item` is certainly not in the committed tables.
    fn may_hold(&self, item: Item) -> bool {
        self.filter.as_ref().is_none_or(|f| f.may_contain(item))
    }
}

impl Backing for Snapshot {
    fn entry(&self, key: u64) -> Result<Option<Arc<Entry>>, StoreError> {
        if !self.may_hold(Item::Entry(key)) {
            return Ok(None);
        }
        let found = self.entries.get(key).or_db("read an entry")?;
        found
            .map(|bytes| codec::decode(key, bytes.value()).map(Arc::new))
            .transpose()
    }

    fn exact(&self, hash: u128) -> Result<Option<u64>, StoreError> {
        if !self.may_hold(Item::Exact(hash)) {
            return Ok(None);
        }
        let found = self.exact.get(hash).or_db("read the exact index")?;
        Ok(found.map(|key| key.value()))
    }

    fn band(&self, band: u64, out: &mut Vec<u64>) -> Result<(), StoreError> {
        if !self.may_hold(Item::Band(band)) {
            return Ok(());
        }
        let epochs = match self.recent_epochs.get() {
            Some(&epochs) => epochs,
            None => {
                let epochs = recent::epochs(&self.recent)?;
                let _ = self.recent_epochs.set(epochs);
                epochs
            }
        };
        recent::read(&self.recent, epochs, band, out)?;
        if let Some(value) = self.bands.get(band).or_db("read a band")? {
            buckets::unpack(value.value(), out);
        }
        Ok(())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::time::Instant;

    use super::*;
    use crate::store::Outcome;

    fn tiny_merges() -> RedbOptions {
        RedbOptions {
            merge_rows: 8,
            ..RedbOptions::default()
        }
    }

    /// A stored entry with `key` whose two bands are derived from `band`.
    pub(in crate::store) fn entry(key: u64, band: u64) -> Entry {
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
            let txn = store.db.begin_read().unwrap();
            assert!(txn.open_table(BANDS_RECENT).unwrap().len().unwrap() < 8);
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
    fn an_index_written_with_the_old_recent_bucket_table_opens_and_reads_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.redb");
        {
            // As the previous version wrote it: entries, and packed recent buckets.
            let db = Database::create(&path).unwrap();
            let txn = db.begin_write().unwrap();
            {
                let mut entries = txn.open_table(ENTRIES).unwrap();
                let mut old = txn.open_table(BANDS_RECENT_V1).unwrap();
                for key in 1..=20u64 {
                    let bytes = codec::encode(&entry(key, 5));
                    entries.insert(key, bytes.as_slice()).unwrap();
                }
                let rows: Vec<(u64, u64)> = (1..=20).map(|key| (5, key)).collect();
                buckets::add(&mut old, &rows).unwrap();
                buckets::add(&mut old, &[(9, 3)]).unwrap();
            }
            txn.commit().unwrap();
        }
        let log: ErrorLog = Arc::new(|_: &str| {});
        let store = RedbStore::open_with(&path, log, RedbOptions::default()).unwrap();
        store.wait_for_filter();
        {
            let txn = store.db.begin_read().unwrap();
            let names: Vec<String> = txn
                .list_tables()
                .unwrap()
                .map(|t| t.name().to_owned())
                .collect();
            assert!(
                !names.iter().any(|n| n == BANDS_RECENT_V1.name()),
                "{names:?}"
            );
            let table = txn.open_table(BANDS_RECENT).unwrap();
            assert_eq!(table.len().unwrap(), 17);
        }
        // The bucket of band 5 holds its newest 16 keys, as the packed row did.
        let judged = Mutex::new(Vec::new());
        let record = |c: &Entry| {
            judged.lock().unwrap().push(c.key);
            None
        };
        store
            .check_and_insert(&entry(100, 5), true, &record)
            .unwrap();
        let mut judged = judged.into_inner().unwrap();
        judged.sort_unstable();
        assert_eq!(judged, (5..=20).collect::<Vec<u64>>());
        let near = |_: &Entry| Some(0.9);
        let checked = store.check_and_insert(&entry(101, 9), true, &near).unwrap();
        assert_eq!(
            checked.outcome,
            Outcome::Near {
                of: format!("{:016x}", 3),
                similarity: 0.9
            }
        );
    }

    #[test]
    fn pruning_leaves_no_recent_row_of_a_pruned_entry_before_or_after_merges() {
        let log: ErrorLog = Arc::new(|_: &str| {});
        let none = |_: &Entry| None;
        let at = |key: u64, at: u64| Entry {
            at,
            ..entry(key, key)
        };
        // Every recent row belongs to a stored entry.
        let consistent = |store: &RedbStore| {
            let txn = store.db.begin_read().unwrap();
            let entries = txn.open_table(ENTRIES).unwrap();
            let recent = txn.open_table(BANDS_RECENT).unwrap();
            let mut rows = 0;
            for row in recent.iter().unwrap() {
                let key = row.unwrap().1.value();
                assert!(entries.get(key).unwrap().is_some(), "row of pruned {key}");
                rows += 1;
            }
            rows
        };
        for options in [RedbOptions::default(), tiny_merges()] {
            let dir = tempfile::tempdir().unwrap();
            let store =
                RedbStore::open_with(&dir.path().join("p.redb"), log.clone(), options).unwrap();
            for key in 1..=20 {
                store.check_and_insert(&at(key, 100), true, &none).unwrap();
                store.flush().unwrap();
            }
            for key in 21..=23 {
                store.check_and_insert(&at(key, 300), true, &none).unwrap();
                store.flush().unwrap();
            }
            assert_eq!(store.prune(200, 1_000).unwrap(), 20);
            let rows = consistent(&store);
            if options == RedbOptions::default() {
                assert_eq!(rows, 6, "the young entries' rows stay");
            }
        }
    }

    #[test]
    fn the_exact_index_keeps_the_first_key_of_a_hash() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::create(dir.path().join("e.redb")).unwrap();
        let (first, same_batch, later) = (entry(1, 7), entry(2, 8), entry(3, 9));
        let same = |mut e: Entry| {
            e.exact = 42;
            e
        };
        let (first, same_batch, later) = (same(first), same(same_batch), same(later));
        write_entries(
            &db,
            &[&first, &same_batch],
            BandLevel::Recent,
            Durability::Immediate,
        )
        .unwrap();
        write_entries(&db, &[&later], BandLevel::Recent, Durability::Immediate).unwrap();
        let txn = db.begin_read().unwrap();
        let exact = txn.open_table(EXACT).unwrap();
        assert_eq!(exact.get(42).unwrap().map(|v| v.value()), Some(1));
    }

    #[test]
    fn pruning_drops_only_filter_layers_of_pruned_entries_and_the_rest_is_still_found() {
        let dir = tempfile::tempdir().unwrap();
        let log: ErrorLog = Arc::new(|_: &str| {});
        let path = dir.path().join("f.redb");
        let store = RedbStore::open_with(&path, log.clone(), RedbOptions::default()).unwrap();
        let layers = |store: &RedbStore| store.filter.as_ref().unwrap().layer_count();
        let none = |_: &Entry| None;
        let stored = |key: u64, at: u64| Entry {
            at,
            bands: (0..32).map(|b| key << 8 | b).collect(),
            ..entry(key, key)
        };
        // 2,000 old entries fill the first layer (34 keys each); the young ones go on.
        for key in 1..=2_000 {
            store
                .check_and_insert(&stored(key, 100), true, &none)
                .unwrap();
        }
        for key in 2_001..=2_100 {
            store
                .check_and_insert(&stored(key, 1_000), true, &none)
                .unwrap();
        }
        assert_eq!(layers(&store), 2);
        // A pass that leaves old entries behind keeps every layer.
        assert_eq!(store.prune(500, 1_500).unwrap(), 1_500);
        assert_eq!(layers(&store), 2);
        assert_eq!(store.prune(500, 1_500).unwrap(), 500);
        assert_eq!(layers(&store), 1);
        let any = |_: &Entry| Some(0.9);
        let young = |key: u64| Entry {
            key: key + 10_000,
            id: format!("{:016x}", key + 10_000),
            exact: u128::from(key + 10_000),
            ..stored(key, 2_000)
        };
        let expected = |key: u64| Outcome::Near {
            of: format!("{key:016x}"),
            similarity: 0.9,
        };
        for key in [2_001u64, 2_100] {
            let checked = store.check_and_insert(&young(key), true, &any).unwrap();
            assert_eq!(checked.outcome, expected(key));
        }
        // After a restart the filter is filled from the tables: still found, one layer.
        drop(store);
        let store = RedbStore::open_with(&path, log, RedbOptions::default()).unwrap();
        store.wait_for_filter();
        assert!(store.filter_is_useful());
        assert_eq!(layers(&store), 1);
        let checked = store.check_and_insert(&young(2_050), true, &any).unwrap();
        assert_eq!(checked.outcome, expected(2_050));
        let old = store.check_and_insert(&young(5), true, &any).unwrap();
        assert_eq!(old.outcome, Outcome::New);
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
