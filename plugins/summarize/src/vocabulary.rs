//! The scorer's per-document word table (word -> id), with short words keyed by their bytes.
//!
//! Nearly every word of news text has at most 15 bytes: such a word is packed with its length
//! into a `u128`, so a look-up hashes two integers and compares one, where a string key costs a
//! byte-wise hash and a `memcmp`, and a lower-cased word needs no copy of its own. Longer words
//! keep string keys.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use crate::words::Word;

/// Longest word stored as a packed key (the sixteenth byte holds the length).
const PACKED_MAX: usize = 15;

/// Word -> id, for the words of one document.
#[derive(Debug, Default)]
pub struct Vocabulary<'a> {
    /// Words of at most [`PACKED_MAX`] bytes, packed by [`pack`].
    packed: FxHashMap<u128, u32>,
    /// Longer words.
    long: FxHashMap<Cow<'a, str>, u32>,
}

/// The bytes of a short word and its length in one integer (byte `j` of the word in byte `j`,
/// the length in byte 15, the rest zero); `None` for a longer word.
///
/// Read with two overlapping loads rather than copied into a buffer: a copy of a variable
/// length read back as one integer stalls the processor (the store is not forwarded).
fn pack(word: &str) -> Option<u128> {
    let bytes = word.as_bytes();
    let n = bytes.len();
    let (low, high) = match n {
        0 => (0, 0),
        1..=3 => {
            let byte = |i: usize| bytes.get(i).map_or(0, |&b| u64::from(b) << (8 * i));
            (byte(0) | byte(n / 2) | byte(n - 1), 0)
        }
        // The two loads overlap; the overlapping bytes are equal, so `|` keeps them.
        4..=7 => (
            load::<4>(bytes, 0)? | load::<4>(bytes, n - 4)? << (8 * (n - 4)),
            0,
        ),
        // Bytes `8..n`: the last eight shifted by `8 * (16 - n)`, in two steps since a shift
        // by 64 (n = 8) overflows.
        8..=PACKED_MAX => (
            load::<8>(bytes, 0)?,
            load::<8>(bytes, n - 8)? >> (8 * (PACKED_MAX - n)) >> 8,
        ),
        _ => return None,
    };
    let length = (n as u64) << 56;
    Some(u128::from(low) | u128::from(high | length) << 64)
}

/// `N` bytes (4 or 8) of `bytes` from `at`, little-endian.
fn load<const N: usize>(bytes: &[u8], at: usize) -> Option<u64> {
    let mut word = [0u8; 8];
    word.get_mut(..N)?
        .copy_from_slice(bytes.get(at..at.checked_add(N)?)?);
    Some(u64::from_le_bytes(word))
}

impl<'a> Vocabulary<'a> {
    /// An empty table with room for about `words` distinct words.
    pub fn with_capacity(words: usize) -> Self {
        Vocabulary {
            packed: FxHashMap::with_capacity_and_hasher(words, Default::default()),
            long: FxHashMap::default(),
        }
    }

    /// The id of `word`, if it was inserted.
    pub fn get(&self, word: &str) -> Option<u32> {
        match pack(word) {
            Some(key) => self.packed.get(&key).copied(),
            None => self.long.get(word).copied(),
        }
    }

    /// Inserts `word` with `id` (replacing an earlier id); a short word is not copied, even
    /// a lower-cased one.
    pub fn insert(&mut self, word: Word<'a, '_>, id: u32) {
        match pack(word.as_str()) {
            Some(key) => self.packed.insert(key, id),
            None => self.long.insert(word.into_cow(), id),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`pack`] computes, byte by byte.
    fn packed_bytes(word: &str) -> Option<u128> {
        let bytes = word.as_bytes();
        if bytes.len() > PACKED_MAX {
            return None;
        }
        let mut key = [0u8; 16];
        key[..bytes.len()].copy_from_slice(bytes);
        key[PACKED_MAX] = bytes.len() as u8;
        Some(u128::from_le_bytes(key))
    }

    #[test]
    fn packing_by_two_loads_equals_packing_byte_by_byte() {
        let text = "abcdefghijklmnopqrs\u{e9}\u{8d8a}";
        for from in 0..text.len() {
            for to in from..=text.len() {
                if let Some(word) = text.get(from..to) {
                    assert_eq!(pack(word), packed_bytes(word), "{word:?}");
                }
            }
        }
    }

    #[test]
    fn short_and_long_words_round_trip() {
        let words = [
            "",
            "a",
            "vietnam",
            "fifteen-bytes!!",
            "sixteen-bytes!!!",
            "internationalisation",
            "hà",
            "nội-đẹp-quá-đi",
            "越南",
        ];
        let mut vocabulary = Vocabulary::with_capacity(4);
        for (id, word) in (0u32..).zip(words) {
            assert_eq!(vocabulary.get(word), None, "{word:?}");
            vocabulary.insert(Word::Text(word), id);
        }
        for (id, word) in (0u32..).zip(words) {
            assert_eq!(vocabulary.get(word), Some(id), "{word:?}");
        }
    }

    #[test]
    fn a_prefix_and_its_word_are_different_keys() {
        let mut vocabulary = Vocabulary::default();
        vocabulary.insert(Word::Text("russia"), 1);
        assert_eq!(vocabulary.get("russian"), None);
        assert_eq!(vocabulary.get("russ"), None);
        assert_eq!(vocabulary.get("russia\0"), None);
        vocabulary.insert(Word::Lowered("russia"), 2);
        assert_eq!(vocabulary.get("russia"), Some(2));
    }
}
