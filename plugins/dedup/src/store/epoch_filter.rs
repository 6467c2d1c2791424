//! One small Bloom filter of band keys per epoch of the recent band table, so that a look-up
//! skips the epochs that cannot hold a band.
//!
//! [`super::recent::read`] reads a band once per epoch, newest first: at 12,000 documents
//! there are six epochs, so a band that the [`super::filter::KeyFilter`] lets through (its key
//! is somewhere in the index) cost six B-tree range reads, nearly all of them empty, and
//! `pread`s once the pages leave redb's small cache. These filters answer "certainly not in
//! this epoch" for most of them from memory. An epoch has [`EPOCH_ROWS`] rows at most, so its
//! filter has a fixed size: 96 KiB, under 1 % false "maybe" when full (about 1.5 MiB for the
//! 16 epochs a merge period fills). A whole copy of the table in memory would take about
//! 26 MiB at a merge, past the daemon's memory target.
//!
//! Rules that keep it exact (no false "absent"):
//! - The writer sets a row's bits before the transaction that adds the row commits, so a
//!   snapshot that holds the row is opened after they are set (redb's commit and
//!   `begin_read` pass through the same lock).
//! - At open the filters are filled from the table, in the background with the key filter
//!   ([`super::redb_store`]); until that is done, and for an epoch without a filter, the
//!   answer is "maybe".
//! - A filter cannot forget a row: removed and merged rows leave their bits (extra reads,
//!   never a wrong answer). The filters of epochs older than the table's first are dropped
//!   after a merge.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard};

use super::recent::EPOCH_ROWS;

/// Bits of filter per row: under 1 % false "maybe" for a full epoch, four bits in a word.
const BITS_PER_ROW: u64 = 12;
/// Words of one epoch's filter.
const WORDS: usize = (EPOCH_ROWS * BITS_PER_ROW / 64) as usize;

/// A well-mixed hash of a band key (splitmix64's finalizer): test and counter keys are not
/// random.
fn mix(band: u64) -> u64 {
    let mut z = band ^ 0x6a09_e667_f3bc_c909;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The word and the bit mask of a band key.
fn slot(band: u64) -> (usize, u64) {
    let hash = mix(band);
    // Multiply-shift maps the high half onto the word count.
    let word = ((hash >> 32) * WORDS as u64) >> 32;
    let mask = (0..4).fold(0u64, |mask, i| mask | 1u64 << ((hash >> (6 * i)) & 63));
    (word as usize, mask)
}

type Filters = BTreeMap<u32, Box<[AtomicU64]>>;

/// The band filters of the recent table's epochs (see the module docs). Shared (`Arc`) by
/// the store's checks, its writer and the thread that fills it at open.
#[derive(Debug)]
pub(super) struct EpochFilters {
    /// True once every row the table held at open is in.
    ready: AtomicBool,
    /// Epochs before this one were dropped: they get no filter again (one made later could
    /// lack rows that an older snapshot still holds), so they answer "maybe".
    dropped_below: AtomicU32,
    filters: RwLock<Filters>,
}

impl EpochFilters {
    /// Filters of a table whose rows are all in them already (`ready`, e.g. an empty one), or
    /// not yet: then they answer "maybe" until [`EpochFilters::mark_ready`].
    pub(super) fn new(ready: bool) -> Self {
        EpochFilters {
            ready: AtomicBool::new(ready),
            dropped_below: AtomicU32::new(0),
            filters: RwLock::default(),
        }
    }

    /// Says that every row the table held at open has been inserted.
    pub(super) fn mark_ready(&self) {
        self.ready.store(true, Ordering::Release);
    }

    /// Adds a row of `band` in `epoch`.
    pub(super) fn insert(&self, epoch: u32, band: u64) {
        let (word, mask) = slot(band);
        {
            let filters = self.filters.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(words) = filters.get(&epoch) {
                words[word].fetch_or(mask, Ordering::Relaxed);
                return;
            }
        }
        let mut filters = self.filters.write().unwrap_or_else(PoisonError::into_inner);
        if epoch < self.dropped_below.load(Ordering::Relaxed) {
            return;
        }
        let words = filters
            .entry(epoch)
            .or_insert_with(|| (0..WORDS).map(|_| AtomicU64::new(0)).collect());
        words[word].fetch_or(mask, Ordering::Relaxed);
    }

    /// Drops the filters of the epochs before `epoch` (whose rows are all gone).
    pub(super) fn forget_before(&self, epoch: u32) {
        let mut filters = self.filters.write().unwrap_or_else(PoisonError::into_inner);
        self.dropped_below.fetch_max(epoch, Ordering::Relaxed);
        *filters = filters.split_off(&epoch);
    }

    /// A view for probing; `None` while the filters are not filled (every epoch "maybe").
    pub(super) fn view(&self) -> Option<EpochView<'_>> {
        self.ready.load(Ordering::Acquire).then(|| EpochView {
            filters: self.filters.read().unwrap_or_else(PoisonError::into_inner),
        })
    }

    /// Number of epochs with a filter.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.filters
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// The filters, held for a few probes.
pub(super) struct EpochView<'a> {
    filters: RwLockReadGuard<'a, Filters>,
}

impl EpochView<'_> {
    /// False when `epoch` certainly has no row of `band`.
    pub(super) fn may_hold(&self, epoch: u32, band: u64) -> bool {
        let Some(words) = self.filters.get(&epoch) else {
            return true;
        };
        let (word, mask) = slot(band);
        words[word].load(Ordering::Relaxed) & mask == mask
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserted_bands_are_held_and_most_others_are_not() {
        let filters = EpochFilters::new(false);
        filters.insert(3, 42);
        assert!(filters.view().is_none(), "not ready: no view");
        filters.mark_ready();
        let absent = {
            let view = filters.view().unwrap();
            assert!(view.may_hold(3, 42));
            assert!(
                view.may_hold(4, 42),
                "an epoch without a filter may hold anything"
            );
            (0..10_000u64).filter(|&b| !view.may_hold(3, b)).count()
        };
        assert!(absent > 9_900, "absent: {absent}");
        // A full epoch still says "absent" to most bands not in it.
        for band in 0..EPOCH_ROWS {
            filters.insert(5, band.wrapping_mul(0x2545_f491_4f6c_dd1d));
        }
        let view = filters.view().unwrap();
        assert!((0..EPOCH_ROWS).all(|b| view.may_hold(5, b.wrapping_mul(0x2545_f491_4f6c_dd1d))));
        let false_maybe = (0..100_000u64)
            .filter(|&b| view.may_hold(5, b | 1 << 63))
            .count();
        assert!(false_maybe < 2_000, "false maybe: {false_maybe} of 100,000");
        drop(view);
        filters.forget_before(5);
        assert_eq!(filters.len(), 1);
        assert!(
            filters.view().unwrap().may_hold(3, 7),
            "a dropped epoch says maybe"
        );
    }
}
