//! A redb store opened on first use when its file is still held at start.
//!
//! On a reload the host creates the new instance while the old one drains, and redb refuses a
//! second open of the same file. Rather than fail the reload, the new instance keeps trying to
//! open the file on each check (answering "retry later" meanwhile) until the old one is gone.

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};

use super::redb_store::{ErrorLog, RedbOptions};
use super::{Checked, DedupStore, Entry, Judge, RedbStore, StoreError};

/// A [`RedbStore`] that is opened lazily.
pub struct DeferredStore {
    path: PathBuf,
    log: ErrorLog,
    options: RedbOptions,
    opening: Mutex<()>,
    store: OnceLock<RedbStore>,
}

impl std::fmt::Debug for DeferredStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeferredStore")
            .field("path", &self.path)
            .field("open", &self.store.get().is_some())
            .finish_non_exhaustive()
    }
}

impl DeferredStore {
    /// A store for `path` that is not open yet.
    pub fn new(path: PathBuf, log: ErrorLog, options: RedbOptions) -> Self {
        DeferredStore {
            path,
            log,
            options,
            opening: Mutex::new(()),
            store: OnceLock::new(),
        }
    }

    fn get(&self) -> Result<&RedbStore, StoreError> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let _one_at_a_time = self.opening.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let store = RedbStore::open_with(&self.path, self.log.clone(), self.options)?;
        Ok(self.store.get_or_init(|| store))
    }
}

impl DedupStore for DeferredStore {
    fn check_and_insert(
        &self,
        entry: &Entry,
        near: bool,
        judge: &Judge<'_>,
    ) -> Result<Checked, StoreError> {
        self.get()?.check_and_insert(entry, near, judge)
    }

    fn prune(&self, cutoff: u64, budget: usize) -> Result<usize, StoreError> {
        self.get()?.prune(cutoff, budget)
    }

    fn prune_in_background(&self, cutoff: u64, budget: usize) -> Result<(), StoreError> {
        self.get()?.prune_in_background(cutoff, budget)
    }

    fn flush(&self) -> Result<(), StoreError> {
        match self.store.get() {
            Some(store) => store.flush(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::store::Outcome;

    #[test]
    fn waits_for_the_file_to_be_released() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.redb");
        let log: ErrorLog = Arc::new(|_: &str| {});
        let first = RedbStore::open(&path, log.clone()).unwrap();
        assert!(matches!(
            RedbStore::open(&path, log.clone()),
            Err(StoreError::Busy)
        ));
        let deferred = DeferredStore::new(path, log, RedbOptions::default());
        let entry = Entry {
            key: 1,
            id: "a".into(),
            at: 0,
            exact: 1,
            shingles: 1,
            signature: vec![1; 8],
            bands: vec![1, 2],
            outcome: Outcome::New,
        };
        let none = |_: &Entry| None;
        assert!(matches!(
            deferred.check_and_insert(&entry, true, &none),
            Err(StoreError::Busy)
        ));
        drop(first);
        let checked = deferred.check_and_insert(&entry, true, &none).unwrap();
        assert_eq!(checked.outcome, Outcome::New);
    }
}
