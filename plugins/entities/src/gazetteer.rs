//! Surface form -> (canonical name, label) lookup: one leftmost-longest Aho-Corasick automaton
//! over every gazetteer form, built once, with a whole-word check at match time.
//!
//! The automaton is only started where a form can begin: a table of the forms' first two
//! bytes rules out almost every position of a text (forms start with a capital, or with one
//! of a few particles such as "al-"), so the search costs a table look-up per byte.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Anchored, Input, MatchKind, StartKind};
use ingestd_sdk::ascii8;

use crate::label::Label;
use crate::lexicon::GazetteerEntry;

/// A gazetteer hit in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GazMatch {
    /// Byte offset of the first character.
    pub(crate) start: usize,
    /// Byte offset after the match.
    pub(crate) end: usize,
    /// Index of the entry (see [`Gazetteer::entry`]).
    pub(crate) entry: usize,
}

/// The compiled gazetteer.
#[derive(Debug)]
pub(crate) struct Gazetteer {
    /// Anchored leftmost-longest automaton over every form.
    automaton: AhoCorasick,
    /// Where a form may start.
    starts: StartPairs,
    /// Every form whose first byte [`passed_over`] accepts ("al-Qaeda", "von der Leyen"),
    /// for an overlapping search (`None` when there is none).
    lower_forms: Option<AhoCorasick>,
    /// Entry index of each automaton pattern.
    pattern_entry: Vec<usize>,
    entries: Vec<GazetteerEntry>,
}

/// The automaton could not be built (too many or too long patterns).
#[derive(Debug, thiserror::Error)]
#[error("gazetteer automaton: {0}")]
pub struct BuildError(#[from] aho_corasick::BuildError);

impl Gazetteer {
    /// Compiles the entries (and the capitalised forms of places); a form listed twice keeps
    /// its first entry.
    pub(crate) fn new(entries: Vec<GazetteerEntry>) -> Result<Gazetteer, BuildError> {
        let mut seen = std::collections::HashSet::new();
        let mut patterns = Vec::new();
        let mut pattern_entry = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            for form in &entry.forms {
                if seen.insert(form.clone()) {
                    patterns.push(form.clone());
                    pattern_entry.push(i);
                }
            }
        }
        // Datelines write places in capitals ("NEW DELHI –"); short forms are left out, as
        // capitals there are more often acronyms.
        for (i, entry) in entries.iter().enumerate() {
            if entry.label != Label::Gpe {
                continue;
            }
            for form in &entry.forms {
                let upper = form.to_uppercase();
                if form.chars().count() >= 4 && seen.insert(upper.clone()) {
                    patterns.push(upper);
                    pattern_entry.push(i);
                }
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .build(&patterns)?;
        let lower: Vec<&String> = patterns
            .iter()
            .filter(|p| p.as_bytes().first().is_some_and(|&b| passed_over(b)))
            .collect();
        let lower_forms = if lower.is_empty() {
            None
        } else {
            Some(AhoCorasick::new(lower)?)
        };
        Ok(Gazetteer {
            automaton,
            lower_forms,
            starts: StartPairs::of(&patterns),
            pattern_entry,
            entries,
        })
    }

    /// Where a form of [`Gazetteer::lower_forms`] starts in `text`, in order (empty
    /// without such forms or matches).
    fn lower_starts(&self, text: &str) -> Vec<usize> {
        let Some(lower) = &self.lower_forms else {
            return Vec::new();
        };
        let mut starts: Vec<usize> = lower
            .find_overlapping_iter(text)
            .map(|m| m.start())
            .collect();
        starts.sort_unstable();
        starts.dedup();
        starts
    }

    /// The entry a match points at.
    pub(crate) fn entry(&self, index: usize) -> Option<&GazetteerEntry> {
        self.entries.get(index)
    }

    /// Canonical name and label of an entry.
    pub(crate) fn describe(&self, index: usize) -> Option<(&str, Label)> {
        self.entry(index).map(|e| (e.canonical.as_str(), e.label))
    }

    /// Whole-word matches in `text`, in order, not overlapping.
    ///
    /// The same matches as an unanchored leftmost-longest search that drops the matches that
    /// are not whole words: positions are tried left to right, the longest form starting at
    /// the first position where one starts is the next match, and the search goes on after
    /// it (whole word or not, as the unanchored search would).
    #[cfg(test)]
    pub(crate) fn find(&self, text: &str) -> Vec<GazMatch> {
        let mut out = Vec::new();
        self.find_into(text, &mut out);
        out
    }

    /// [`Gazetteer::find`], appending to `out` (a buffer reused from text to text).
    pub(crate) fn find_into(&self, text: &str, out: &mut Vec<GazMatch>) {
        let bytes = text.as_bytes();
        // About one form per 150 bytes of news text.
        out.reserve(text.len() / 128);
        // Where a form starting with a lower-case byte ("al-Qaeda") starts; any other
        // position with such a byte starts no form.
        let lower_starts = self.lower_starts(text);
        let mut lower = lower_starts.iter().copied().peekable();
        let mut pos = 0;
        while pos < bytes.len() {
            let byte = bytes[pos];
            while lower.next_if(|&p| p < pos).is_some() {}
            let listed = lower.peek() == Some(&pos);
            if !self.starts.first[usize::from(byte)] || (passed_over(byte) && !listed) {
                let capital = next_capital(bytes, pos + 1);
                pos = lower.peek().map_or(capital, |&p| capital.min(p));
                continue;
            }
            let next = bytes.get(pos + 1).copied().unwrap_or(0);
            if !self.starts.contains(byte, next)
                || !self
                    .starts
                    .may_continue(byte, next, bytes.get(pos + 2).copied())
            {
                pos += 1;
                continue;
            }
            let input = Input::new(text).range(pos..).anchored(Anchored::Yes);
            let Some(m) = self.automaton.find(input) else {
                pos += 1;
                continue;
            };
            pos = m.end().max(pos + 1);
            if !is_word_boundary(text, m.start(), m.end()) {
                continue;
            }
            if let Some(&entry) = self.pattern_entry.get(m.pattern().as_usize()) {
                out.push(GazMatch {
                    start: m.start(),
                    end: m.end(),
                    entry,
                });
            }
        }
    }
}

/// The forms' first bytes: a set of byte pairs (the first two bytes of each form), the pairs
/// that are whole forms ("EU"), and a Bloom filter of the first three bytes. Together they rule
/// out a position before the automaton runs; they never rule out one where a form starts.
#[derive(Debug)]
struct StartPairs {
    /// First byte of a form.
    first: [bool; 256],
    /// First two bytes of a form, as a 65,536-bit set (a one-byte form sets every pair
    /// starting with its byte).
    pairs: Box<[u64]>,
    /// Forms of one or two bytes, as pairs (a one-byte form sets every pair with its byte).
    short: Box<[u64]>,
    /// First three bytes of the longer forms, hashed into 65,536 bits.
    triples: Box<[u64]>,
}

/// A byte the eight-byte skip passes over: ASCII, not a capital. Forms that start with one
/// are found apart (see [`Gazetteer::lower_forms`]).
fn passed_over(byte: u8) -> bool {
    byte.is_ascii() && !byte.is_ascii_uppercase()
}

/// The first position at or after `pos` that holds a capital or a non-ASCII byte, or near
/// it: words of eight bytes without one are passed (the byte returned still has to be
/// checked).
fn next_capital(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(x) = ascii8::word(bytes, pos) {
        let low = x & !ascii8::HIGH;
        let capital = ascii8::at_least(low, b'A') & !ascii8::at_least(low, b'Z' + 1);
        let hit = (capital | x) & ascii8::HIGH;
        if hit != 0 {
            return pos + (hit.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    pos
}

/// Sets bit `bit` of a 65,536-bit set.
fn set_bit(bits: &mut [u64], bit: usize) {
    if let Some(word) = bits.get_mut(bit / 64) {
        *word |= 1 << (bit % 64);
    }
}

/// Bit `bit` of a 65,536-bit set.
fn has_bit(bits: &[u64], bit: usize) -> bool {
    bits.get(bit / 64).is_some_and(|w| w >> (bit % 64) & 1 == 1)
}

fn pair(a: u8, b: u8) -> usize {
    usize::from(a) << 8 | usize::from(b)
}

/// A 16-bit hash of three bytes.
fn triple(a: u8, b: u8, c: u8) -> usize {
    let x = (u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c)).wrapping_mul(0x9E37_79B1);
    (x >> 16) as usize
}

impl StartPairs {
    fn of(patterns: &[String]) -> StartPairs {
        let empty = || vec![0u64; 65_536 / 64].into_boxed_slice();
        let (mut pairs, mut short, mut triples) = (empty(), empty(), empty());
        let mut first = [false; 256];
        for p in patterns {
            if let Some(&a) = p.as_bytes().first() {
                first[usize::from(a)] = true;
            }
            match *p.as_bytes() {
                [a, b, c, ..] => {
                    set_bit(&mut pairs, pair(a, b));
                    set_bit(&mut triples, triple(a, b, c));
                }
                [a, b] => {
                    set_bit(&mut pairs, pair(a, b));
                    set_bit(&mut short, pair(a, b));
                }
                [a] => {
                    for b in 0..=u8::MAX {
                        set_bit(&mut pairs, pair(a, b));
                        set_bit(&mut short, pair(a, b));
                    }
                }
                [] => {}
            }
        }
        StartPairs {
            first,
            pairs,
            short,
            triples,
        }
    }

    /// A form may start with byte `a` followed by byte `b` (`b` is 0 at the end of a text).
    fn contains(&self, a: u8, b: u8) -> bool {
        has_bit(&self.pairs, pair(a, b))
    }

    /// Given that a form may start with `a`, `b`: one does, or a longer one may go on with
    /// `c` (`None` at the end of the text).
    fn may_continue(&self, a: u8, b: u8, c: Option<u8>) -> bool {
        has_bit(&self.short, pair(a, b))
            || c.is_some_and(|c| has_bit(&self.triples, triple(a, b, c)))
    }
}

/// A match is a whole word when no letter or digit touches it on either side (hyphens and
/// apostrophes may: "Russia-dominated", "Moscow's").
fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An entry whose forms are its canonical name and `forms`.
    fn e(c: &str, l: Label, forms: &[&str]) -> GazetteerEntry {
        GazetteerEntry {
            canonical: c.into(),
            label: l,
            forms: std::iter::once(c)
                .chain(forms.iter().copied())
                .map(String::from)
                .collect(),
        }
    }

    fn gaz() -> Gazetteer {
        Gazetteer::new(vec![
            e("United States", Label::Gpe, &["US", "U.S."]),
            e("India", Label::Gpe, &[]),
            e("Ho Chi Minh", Label::Person, &[]),
            e("Ho Chi Minh City", Label::Gpe, &[]),
        ])
        .unwrap()
    }

    /// [`Gazetteer::find`] without the skips: every position is tried.
    fn find_byte_by_byte(g: &Gazetteer, text: &str) -> Vec<GazMatch> {
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < text.len() {
            let input = Input::new(text).range(pos..).anchored(Anchored::Yes);
            let Some(m) = g.automaton.find(input) else {
                pos += 1;
                continue;
            };
            pos = m.end().max(pos + 1);
            if is_word_boundary(text, m.start(), m.end()) {
                let entry = g.pattern_entry[m.pattern().as_usize()];
                out.push(GazMatch {
                    start: m.start(),
                    end: m.end(),
                    entry,
                });
            }
        }
        out
    }

    fn with_lower_case_forms() -> Gazetteer {
        Gazetteer::new(vec![
            e("India", Label::Gpe, &["US"]),
            e("Al-Qaeda", Label::Org, &["al-Qaeda", "al Qaeda"]),
            e("Ursula von der Leyen", Label::Person, &["von der Leyen"]),
            e("Leyen", Label::Person, &[]),
            e("Qaeda", Label::Org, &[]),
        ])
        .unwrap()
    }

    #[test]
    fn the_skips_find_what_trying_every_position_finds() {
        let text = "the quick brown fox jumped over india, and then India; Ho Chi Minh City \
                    was far. caf\u{e9} in H\u{e0} N\u{f4}i and the US-India talks in \
                    Ho Chi Minh, the U.S. said\nUnited States tail Ind. Then al-Qaeda and al \
                    Qaeda, xal-Qaeda, von der Leyen, avon der Leyen, Qaeda, Leyen, val Qaeda";
        for g in [gaz(), with_lower_case_forms()] {
            for cut in 0..=text.len() {
                if let Some(head) = text.get(..cut) {
                    assert_eq!(g.find(head), find_byte_by_byte(&g, head), "{head:?}");
                }
            }
        }
        let g = with_lower_case_forms();
        let found: Vec<&str> = g.find(text).iter().map(|m| &text[m.start..m.end]).collect();
        assert!(found.contains(&"von der Leyen") && found.contains(&"al Qaeda"));
        assert_eq!(
            found.iter().filter(|f| **f == "Leyen").count(),
            1,
            "{found:?}"
        );
    }

    #[test]
    fn the_bundled_gazetteer_finds_in_the_gold_texts_what_every_position_finds() {
        let mut lex = crate::lexicon::Lexicon::load().unwrap();
        let g = Gazetteer::new(std::mem::take(&mut lex.entries)).unwrap();
        assert!(g.lower_forms.is_some());
        let gold = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/gold");
        let mut texts = 0;
        for entry in std::fs::read_dir(gold).unwrap().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            assert_eq!(g.find(&text), find_byte_by_byte(&g, &text));
            texts += 1;
        }
        assert!(texts > 10);
    }

    #[test]
    fn next_capital_passes_eight_bytes_without_a_capital() {
        assert_eq!(next_capital(b"bcdefghijklmnopqrstuv", 0), 16);
        assert_eq!(next_capital(b"the bad val-Qaeda", 0), 12);
        assert_eq!(next_capital(b"xxxxxxxxxxxxxxxxIndia", 3), 16);
        assert_eq!(next_capital(b"xxxxxxxxxxx\xc3\xa9xxxxxxx", 0), 11);
        assert_eq!(next_capital(b"short", 2), 2);
    }

    #[test]
    fn longest_whole_word_matches() {
        let g = gaz();
        let text = "Indiana, the US’s India; Ho Chi Minh City and Ho Chi Minh's tomb; USA";
        let found: Vec<(&str, &str)> = g
            .find(text)
            .iter()
            .map(|m| (&text[m.start..m.end], g.describe(m.entry).unwrap().0))
            .collect();
        assert_eq!(
            found,
            [
                ("US", "United States"),
                ("India", "India"),
                ("Ho Chi Minh City", "Ho Chi Minh City"),
                ("Ho Chi Minh", "Ho Chi Minh"),
            ]
        );
    }
}
