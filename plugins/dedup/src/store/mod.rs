//! The duplicate index behind a trait, so that a server store can replace the embedded one.
//!
//! # Atomic check-and-insert without a global lock
//!
//! A check looks up the document's exact hash and its LSH band keys, judges the candidates
//! and inserts the document, all while holding the *stripe* locks that cover exactly those
//! keys ([`index::MemIndex`]). Two near-duplicates processed at the same moment share at
//! least one band key (that is what makes them candidates), hence at least one stripe: one of
//! them runs first and the other sees it. Documents with disjoint keys proceed in parallel;
//! each critical section is a few hash-map look-ups, never I/O of its own making (the redb
//! store only *reads* its committed snapshot there, which redb serves concurrently).
//!
//! We chose striping over "one redb write transaction per document" because redb admits one
//! writer at a time and a durable commit costs an fsync: that would serialize every worker on
//! the database. Instead the redb store writes behind, in batches, on its own thread
//! ([`redb_store`]).

pub mod buckets;
pub mod codec;
pub mod deferred;
pub mod filter;
pub mod index;
mod keyhash;
pub mod memory;
pub mod recent;
pub mod redb_store;
mod redb_writer;

use std::fmt;

pub use deferred::DeferredStore;
pub use memory::MemoryStore;
pub use redb_store::{RedbOptions, RedbStore};

/// What the index said about a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Not seen before; now stored.
    New,
    /// The same normalized body as an earlier document.
    Exact {
        /// Id of the earlier document.
        of: String,
    },
    /// Similar to an earlier document.
    Near {
        /// Id of the earlier document.
        of: String,
        /// Estimated similarity, 0 to 1.
        similarity: f64,
    },
}

/// One document's fingerprints, as stored in the index.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Index key derived from the document id (the same id always gives the same key).
    pub key: u64,
    /// The document id.
    pub id: String,
    /// When it was stored (seconds since the Unix epoch), for retention.
    pub at: u64,
    /// 128-bit hash of the normalized body.
    pub exact: u128,
    /// Number of shingles in the body.
    pub shingles: u32,
    /// MinHash signature.
    pub signature: Vec<u32>,
    /// LSH band keys of the signature.
    pub bands: Vec<u64>,
    /// What the check found when the document was first processed (returned on a replay).
    pub outcome: Outcome,
}

/// Decides whether a stored candidate is a near-duplicate: `Some(similarity)` when it is.
pub type Judge<'a> = dyn Fn(&Entry) -> Option<f64> + 'a;

/// Result of [`DedupStore::check_and_insert`].
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// What was found.
    pub outcome: Outcome,
    /// True when this document id was already stored (a replay): `outcome` is what was found
    /// the first time, and nothing was inserted.
    pub replay: bool,
}

/// Errors from a store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened, read or written.
    #[error("{context}: {source}")]
    Db {
        /// What we were doing.
        context: &'static str,
        /// The database error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A stored record could not be decoded (a corrupt or foreign file).
    #[error("corrupt index record: {0}")]
    Corrupt(&'static str),
    /// The database file is held by another instance (e.g. one still draining after a
    /// reload); trying again later may succeed.
    #[error("the index file is in use by another instance")]
    Busy,
    /// The background writer is gone (it failed earlier or is shutting down).
    #[error("the index writer has stopped")]
    WriterStopped,
}

impl StoreError {
    pub(crate) fn db(
        context: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        StoreError::Db {
            context,
            source: Box::new(source),
        }
    }
}

/// Adds what we were doing to a redb error.
pub(crate) trait OrDb<T> {
    /// Maps the error to [`StoreError::Db`] with `context`.
    fn or_db(self, context: &'static str) -> Result<T, StoreError>;
}

impl<T, E: Into<redb::Error>> OrDb<T> for Result<T, E> {
    fn or_db(self, context: &'static str) -> Result<T, StoreError> {
        self.map_err(|e| StoreError::db(context, e.into()))
    }
}

/// A duplicate index shared by all worker threads.
pub trait DedupStore: Send + Sync + fmt::Debug {
    /// Atomically: if `entry.key` is stored, return its first outcome (a replay); else if its
    /// exact hash is stored, report an exact duplicate (not inserted); else find the best
    /// near-duplicate among the LSH candidates according to `judge` (unless `near` is false),
    /// and insert the entry with that outcome.
    fn check_and_insert(
        &self,
        entry: &Entry,
        near: bool,
        judge: &Judge<'_>,
    ) -> Result<Checked, StoreError>;

    /// Forgets at most `budget` entries stored before `cutoff` (seconds since the epoch);
    /// returns how many were removed.
    fn prune(&self, cutoff: u64, budget: usize) -> Result<usize, StoreError>;

    /// Like [`DedupStore::prune`], but may return before the work is done (a store with a
    /// writer thread queues it there, so a worker never waits for it).
    fn prune_in_background(&self, cutoff: u64, budget: usize) -> Result<(), StoreError> {
        self.prune(cutoff, budget).map(|_| ())
    }

    /// Makes everything inserted so far durable.
    fn flush(&self) -> Result<(), StoreError>;
}
