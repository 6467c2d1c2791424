//! A store that lives in memory only: for tests, and when the host gives no state directory.

use super::index::{MemIndex, NoBacking};
use super::{Checked, DedupStore, Entry, Judge, StoreError};

/// The in-memory store: a [`MemIndex`] and nothing else; forgotten on restart.
#[derive(Debug)]
pub struct MemoryStore {
    index: MemIndex,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore {
            index: MemIndex::new(true),
        }
    }

    /// Number of stored documents.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl DedupStore for MemoryStore {
    fn check_and_insert(
        &self,
        entry: &Entry,
        near: bool,
        judge: &Judge<'_>,
    ) -> Result<Checked, StoreError> {
        Ok(self
            .index
            .check_and_insert(|| Ok(NoBacking), entry, near, judge)?
            .0)
    }

    fn prune(&self, cutoff: u64, budget: usize) -> Result<usize, StoreError> {
        Ok(self.index.prune(cutoff, budget))
    }

    fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
