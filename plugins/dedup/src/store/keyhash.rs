//! A cheap hasher for the in-memory index, whose keys are hashes already.
//!
//! Band keys and document keys are xxh3 values and exact hashes are xxh3-128 values, so
//! std's SipHash (built to resist keys chosen by an attacker) spends its rounds on bits that
//! are random to begin with (with it, `MemIndex::remove` on the writer thread took 1.6 times
//! the instructions; the SipHash left on that thread is redb's own). [`KeyHasher`] mixes each
//! 64-bit word with one multiply and finishes with a folded 128-bit multiply, so that keys
//! that are *not* random (small test keys, ids that are counters) still spread over every
//! bit hashbrown uses (the low bits pick the group, the top seven are the tag). A random seed
//! per map keeps the layout unpredictable from outside.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// Odd 64-bit constants (from the golden ratio and from splitmix64).
const MUL: u64 = 0x9e37_79b9_7f4a_7c15;
const FOLD: u64 = 0xbf58_476d_1ce4_e5b9;

/// Builds [`KeyHasher`]s with a seed drawn once per map.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyHashBuilder {
    seed: u64,
}

impl Default for KeyHashBuilder {
    fn default() -> Self {
        // std's per-process random keys, advanced per call: a fresh seed without a new crate.
        KeyHashBuilder {
            seed: RandomState::new().hash_one(0u64),
        }
    }
}

impl BuildHasher for KeyHashBuilder {
    type Hasher = KeyHasher;

    fn build_hasher(&self) -> KeyHasher {
        KeyHasher { state: self.seed }
    }
}

/// The hasher of [`KeyHashBuilder`]: one multiply per 64-bit word, one folded multiply at the end.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyHasher {
    state: u64,
}

impl KeyHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.state = (self.state ^ word).wrapping_mul(MUL).rotate_left(26);
    }
}

/// The high and low halves of the 128-bit product, xor-ed: every input bit reaches every
/// output bit.
#[inline]
fn fold_multiply(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_u128(&mut self, n: u128) {
        self.add(n as u64);
        self.add((n >> 64) as u64);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        fold_multiply(self.state, FOLD)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;

    fn hash<T: std::hash::Hash>(builder: &KeyHashBuilder, value: T) -> u64 {
        builder.hash_one(value)
    }

    #[test]
    fn equal_keys_hash_equal_and_both_halves_of_a_u128_count() {
        let builder = KeyHashBuilder::default();
        assert_eq!(hash(&builder, 42u64), hash(&builder, 42u64));
        assert_ne!(hash(&builder, 1u128), hash(&builder, 1u128 << 64));
        assert_ne!(hash(&builder, 1u128 << 64), hash(&builder, 0u128));
        let mut hasher = builder.build_hasher();
        hasher.write(&[1, 2, 3]);
        assert_ne!(hasher.finish(), builder.build_hasher().finish());
    }

    #[test]
    fn small_sequential_keys_spread_over_low_bits_and_tag_bits() {
        let builder = KeyHashBuilder::default();
        let hashes: Vec<u64> = (0..4096u64).map(|k| hash(&builder, k)).collect();
        let low: HashSet<u64> = hashes.iter().map(|h| h & 1023).collect();
        let tags: HashSet<u64> = hashes.iter().map(|h| h >> 57).collect();
        assert!(low.len() > 900, "low buckets used: {}", low.len());
        assert_eq!(tags.len(), 128, "tag values used: {}", tags.len());
    }

    #[test]
    fn maps_with_it_behave_as_maps() {
        let mut map: HashMap<u128, u64, KeyHashBuilder> = HashMap::default();
        for k in 0..10_000u64 {
            map.insert(u128::from(k) << 64 | u128::from(k), k);
        }
        assert_eq!(map.len(), 10_000);
        assert_eq!(map.get(&(7u128 << 64 | 7)), Some(&7));
        assert_eq!(map.get(&7u128), None);
    }
}
