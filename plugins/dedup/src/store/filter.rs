//! A memory-capped filter of the keys in the committed index, so a check skips the redb
//! reads of band buckets, exact hashes and entries that cannot be there.
//!
//! Almost every band bucket a new article asks for is empty, yet each look-up is a B-tree
//! descent in two tables, and in an index larger than redb's page cache a `pread` per page:
//! at 10,000 articles those reads were 40 % of the plugin's time (issue 7). The filter answers
//! "certainly absent" for most of them from memory.
//!
//! It is a Bloom filter with one 64-bit word per item (four bits in one word: one cache miss
//! per layer probed), in layers: when the newest layer is full a new one four times its size
//! is added (few layers, since a check probes each), up to a memory budget; past the budget
//! the newest layer fills further and answers "maybe" more often, which costs reads, never
//! results. A filter cannot forget one item, so a layer
//! is dropped as a whole once every entry that could have put an item in it has been pruned
//! (retention): its newest entry's time is below a cut-off that pruning has fully reached.
//!
//! A filter that is still being filled from the tables (at open, in the background) or whose
//! layers are overfilled past use answers "maybe" to everything, at no cost.
//!
//! Rules that keep it exact (no false "absent"): every key reaches the committed tables only
//! after it is in the filter (the store inserts before handing the entry to the writer, and
//! at open the filter is filled from the tables), and a check reads the layer list after
//! taking its stripe locks (see [`super::index`]), which orders it after any insert it must see.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

/// Bits of filter per item: under 1 % false "maybe" per full layer, four bits in a word.
const BITS_PER_ITEM: usize = 12;
/// How much larger each new layer is than the one before.
const GROWTH: usize = 4;
/// A layer holding this many times its capacity says "maybe" to more than half of all
/// absent items: the filter then costs more than it spares, and is not consulted.
const SATURATED: usize = 6;
/// Items of the first layer of an empty index (96 KiB).
const FIRST_LAYER_ITEMS: usize = 1 << 16;

/// What a key is, so equal numbers of different kinds do not share bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// An LSH band key.
    Band(u64),
    /// An exact (normalized-text) hash.
    Exact(u128),
    /// A document key (replays look their own key up).
    Entry(u64),
}

impl Item {
    /// A well-mixed 64-bit hash of the item (splitmix64's finalizer over a tagged value).
    fn hash(self) -> u64 {
        let (value, tag) = match self {
            Item::Band(b) => (b, 0x9e37_79b9_7f4a_7c15),
            Item::Exact(e) => (
                (e as u64) ^ ((e >> 64) as u64).rotate_left(32),
                0xd1b5_4a32_d192_ed03,
            ),
            Item::Entry(k) => (k, 0x8cb9_2ba7_2f3d_8dd7),
        };
        let mut z = value ^ tag;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// One Bloom layer.
#[derive(Debug)]
struct Layer {
    words: Box<[AtomicU64]>,
    /// Items it is sized for.
    capacity: usize,
    /// Items inserted.
    count: AtomicUsize,
    /// Newest stored-at time (seconds) of an entry whose items are in this layer.
    newest_at: AtomicU64,
}

impl Layer {
    fn new(words: usize) -> Self {
        let words = words.max(1);
        Layer {
            words: (0..words).map(|_| AtomicU64::new(0)).collect(),
            capacity: words * 64 / BITS_PER_ITEM,
            count: AtomicUsize::new(0),
            newest_at: AtomicU64::new(0),
        }
    }

    fn bytes(&self) -> usize {
        self.words.len() * 8
    }

    /// The word and the bit mask of `hash`.
    fn slot(&self, hash: u64) -> (usize, u64) {
        // Multiply-shift maps the high half onto any word count (not only powers of two).
        let word = ((hash >> 32) * self.words.len() as u64) >> 32;
        let mask = (0..4).fold(0u64, |mask, i| mask | 1u64 << ((hash >> (6 * i)) & 63));
        (word as usize, mask)
    }

    fn insert(&self, hash: u64, at: u64) {
        let (word, mask) = self.slot(hash);
        self.words[word].fetch_or(mask, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
        self.newest_at.fetch_max(at, Ordering::Relaxed);
    }

    fn may_contain(&self, hash: u64) -> bool {
        let (word, mask) = self.slot(hash);
        self.words[word].load(Ordering::Relaxed) & mask == mask
    }

    fn is_full(&self) -> bool {
        self.count.load(Ordering::Relaxed) >= self.capacity
    }

    fn is_saturated(&self) -> bool {
        self.count.load(Ordering::Relaxed) > self.capacity.saturating_mul(SATURATED)
    }
}

/// The layered, memory-capped key filter of one index. Cheap to share (`Arc`).
#[derive(Debug)]
pub struct KeyFilter {
    /// Oldest layer first. Inserts hold the read lock while they set bits, so a layer is
    /// never dropped under an insert; checks clone the list and let go at once.
    layers: RwLock<Arc<[Arc<Layer>]>>,
    budget_bytes: usize,
    /// False until every key already in the index has been inserted.
    ready: AtomicBool,
}

/// The layers as they were when a check began; `None` answers "maybe" to everything.
#[derive(Debug, Clone)]
pub struct FilterView {
    layers: Option<Arc<[Arc<Layer>]>>,
}

impl FilterView {
    /// False only when `item` was certainly never inserted.
    pub fn may_contain(&self, item: Item) -> bool {
        let Some(layers) = &self.layers else {
            return true;
        };
        let hash = item.hash();
        layers.iter().any(|layer| layer.may_contain(hash))
    }
}

impl KeyFilter {
    /// An empty filter that uses at most `budget_bytes` (at least one small layer), sized
    /// first for `expected` items (the number of keys already in the index). With keys
    /// expected it answers "maybe" until [`KeyFilter::mark_ready`] says they are all in.
    pub fn new(budget_bytes: usize, expected: usize) -> Self {
        let first_items = expected.saturating_add(expected / 4).max(FIRST_LAYER_ITEMS);
        let words = words_for(first_items).min(budget_bytes / 8);
        KeyFilter {
            layers: RwLock::new(Arc::from([Arc::new(Layer::new(words))])),
            budget_bytes,
            ready: AtomicBool::new(expected == 0),
        }
    }

    /// Marks the keys that were in the index when the filter was made as all inserted: from
    /// now on the filter answers "absent".
    pub fn mark_ready(&self) {
        self.ready.store(true, Ordering::Release);
    }

    /// The current layers, for one check.
    pub fn view(&self) -> FilterView {
        if !self.ready.load(Ordering::Acquire) {
            return FilterView { layers: None };
        }
        let layers = self.layers.read().unwrap_or_else(PoisonError::into_inner);
        let useful = !layers.iter().any(|l| l.is_saturated());
        FilterView {
            layers: useful.then(|| Arc::clone(&layers)),
        }
    }

    /// True once the filter answers "absent" (filled, and not saturated).
    pub fn is_useful(&self) -> bool {
        self.view().layers.is_some()
    }

    /// Adds the items of an entry stored at `at` (seconds).
    pub fn insert(&self, items: impl IntoIterator<Item = Item>, at: u64) {
        let mut layers = self.layers.read().unwrap_or_else(PoisonError::into_inner);
        if self.next_layer_words(&layers).is_some() {
            drop(layers);
            self.grow();
            layers = self.layers.read().unwrap_or_else(PoisonError::into_inner);
        }
        let Some(last) = layers.last() else { return };
        for item in items {
            last.insert(item.hash(), at);
        }
    }

    /// Drops the layers (except the newest) whose every entry is older than `cutoff`: call
    /// only once every entry stored before `cutoff` has been pruned from the index.
    pub fn forget_before(&self, cutoff: u64) {
        let mut layers = self.layers.write().unwrap_or_else(PoisonError::into_inner);
        let Some((newest, older)) = layers.split_last() else {
            return;
        };
        if older
            .iter()
            .all(|l| l.newest_at.load(Ordering::Relaxed) >= cutoff)
        {
            return;
        }
        let kept: Vec<Arc<Layer>> = older
            .iter()
            .filter(|l| l.newest_at.load(Ordering::Relaxed) >= cutoff)
            .chain(std::iter::once(newest))
            .cloned()
            .collect();
        *layers = Arc::from(kept);
    }

    /// Bytes held by the layers.
    pub fn bytes(&self) -> usize {
        bytes_of(&self.layers.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Number of layers (for tests and diagnostics).
    pub fn layer_count(&self) -> usize {
        self.layers
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// The size of the layer to add when the newest is full: [`GROWTH`] times the newest,
    /// or what the budget still allows; `None` while the newest has room, or when the budget
    /// allows only a sliver that would fill at once (the newest then fills further).
    fn next_layer_words(&self, layers: &[Arc<Layer>]) -> Option<usize> {
        let last = layers.last().filter(|last| last.is_full())?;
        let room = self.budget_bytes.saturating_sub(bytes_of(layers));
        let words = (last.words.len() * GROWTH).min(room / 8);
        (words > 0 && words >= last.words.len() / 4).then_some(words)
    }

    /// Adds a layer of [`KeyFilter::next_layer_words`], unless another insert did already.
    fn grow(&self) {
        let mut layers = self.layers.write().unwrap_or_else(PoisonError::into_inner);
        let Some(words) = self.next_layer_words(&layers) else {
            return;
        };
        let mut grown: Vec<Arc<Layer>> = layers.iter().cloned().collect();
        grown.push(Arc::new(Layer::new(words)));
        *layers = Arc::from(grown);
    }
}

/// Bytes held by `layers`.
fn bytes_of(layers: &[Arc<Layer>]) -> usize {
    layers.iter().map(|l| l.bytes()).sum()
}

/// Words a layer needs for `items` at [`BITS_PER_ITEM`].
fn words_for(items: usize) -> usize {
    items.saturating_mul(BITS_PER_ITEM).div_ceil(64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bands(range: std::ops::Range<u64>) -> impl Iterator<Item = Item> {
        range.map(|i| Item::Band(i.wrapping_mul(0x2545_f491_4f6c_dd1d)))
    }

    /// Inserts like the store does: one entry's 32 bands at a time.
    fn fill(filter: &KeyFilter, range: std::ops::Range<u64>, at: u64) {
        let items: Vec<Item> = bands(range).collect();
        for entry in items.chunks(32) {
            filter.insert(entry.iter().copied(), at);
        }
    }

    #[test]
    fn every_inserted_item_is_found_across_layers() {
        let filter = KeyFilter::new(1 << 20, 0);
        for i in 0..400_000u64 {
            filter.insert(
                [
                    Item::Band(i),
                    Item::Exact(u128::from(i) << 70),
                    Item::Entry(i),
                ],
                i,
            );
        }
        assert!(filter.layer_count() > 1, "the filter should have grown");
        let view = filter.view();
        for i in 0..400_000u64 {
            assert!(view.may_contain(Item::Band(i)), "band {i}");
            assert!(
                view.may_contain(Item::Exact(u128::from(i) << 70)),
                "exact {i}"
            );
            assert!(view.may_contain(Item::Entry(i)), "entry {i}");
        }
    }

    #[test]
    fn absent_items_are_mostly_answered_absent_within_the_budget() {
        let filter = KeyFilter::new(4 << 20, 0);
        fill(&filter, 0..1_000_000, 1);
        let view = filter.view();
        let false_maybe = (1_000_000..1_100_000u64)
            .filter(|&i| view.may_contain(Item::Band(i.wrapping_mul(0x2545_f491_4f6c_dd1d))))
            .count();
        assert!(
            false_maybe < 6_000,
            "{false_maybe} of 100,000 absent items said maybe"
        );
        assert!(filter.bytes() <= 4 << 20, "{} bytes", filter.bytes());
    }

    #[test]
    fn past_the_budget_it_keeps_every_item_and_stays_within_it() {
        let filter = KeyFilter::new(256 << 10, 0);
        fill(&filter, 0..2_000_000, 1);
        assert!(filter.bytes() <= 256 << 10);
        let view = filter.view();
        assert!(bands(0..2_000_000).all(|item| view.may_contain(item)));
    }

    #[test]
    fn until_ready_and_once_saturated_everything_may_be_there() {
        let filter = KeyFilter::new(1 << 20, 100);
        fill(&filter, 0..100, 1);
        assert!(!filter.is_useful());
        assert!(filter.view().may_contain(Item::Band(12_345)));
        filter.mark_ready();
        assert!(filter.is_useful());
        let tiny = KeyFilter::new(8, 0);
        fill(&tiny, 0..(64 / BITS_PER_ITEM * SATURATED) as u64 + 1, 1);
        assert!(!tiny.is_useful());
        assert!(tiny.view().may_contain(Item::Band(12_345)));
    }

    #[test]
    fn kinds_do_not_share_bits() {
        let filter = KeyFilter::new(1 << 20, 0);
        filter.insert((0..10_000u64).map(Item::Band), 1);
        let view = filter.view();
        let entries = (0..10_000u64)
            .filter(|&i| view.may_contain(Item::Entry(i)))
            .count();
        assert!(entries < 100, "{entries} entry keys matched band bits");
    }

    #[test]
    fn only_layers_older_than_the_cutoff_are_forgotten_and_never_the_newest() {
        let filter = KeyFilter::new(8 << 20, 0);
        // Fill the first layer with old entries, then newer ones spill into a second.
        fill(&filter, 0..FIRST_LAYER_ITEMS as u64, 100);
        fill(&filter, 1_000_000..1_000_010, 200);
        assert_eq!(filter.layer_count(), 2);
        filter.forget_before(100);
        assert_eq!(
            filter.layer_count(),
            2,
            "a layer with an entry at the cutoff stays"
        );
        filter.forget_before(150);
        assert_eq!(filter.layer_count(), 1);
        assert!(
            filter
                .view()
                .may_contain(bands(1_000_000..1_000_001).next().unwrap())
        );
        filter.forget_before(1_000);
        assert_eq!(filter.layer_count(), 1, "the newest layer is never dropped");
    }

    #[test]
    fn a_view_taken_before_a_growth_still_answers_for_its_layers() {
        let filter = KeyFilter::new(8 << 20, 0);
        fill(&filter, 0..10, 1);
        let before = filter.view();
        fill(&filter, 10..2 * FIRST_LAYER_ITEMS as u64, 1);
        assert!(filter.layer_count() > 1);
        assert!(bands(0..10).all(|item| before.may_contain(item)));
    }
}
