//! A cheap necessary condition for outlet recognition: literal needles found in the raw text.
//!
//! Each [`Signal`] may name needles: ASCII-case-insensitive literals without white space, one
//! of which occurs in every text its pattern matches. One Aho-Corasick pass over the *raw*
//! text (before normalizing it) then tells which signals can possibly match; when too few can,
//! the document is not the outlet's and costs no normalization and no regex search.
//!
//! Normalization never creates a needle that the raw text lacks, with a few exceptions: it
//! deletes zero-width characters and soft hyphens (which may sit inside a word), and the
//! regex's case folding or NFC map a few non-ASCII characters to ASCII ones (the Kelvin sign,
//! the long s). When the raw text holds one of those, the prefilter answers "maybe".

use aho_corasick::AhoCorasick;

use crate::outlet::Signal;

/// Characters that [`normalize`](crate::normalize::normalize) deletes, or that NFC or the
/// regex's case folding turn into ASCII.
const GUARDS: &[&str] = &[
    "\u{00ad}", "\u{200b}", "\u{200c}", "\u{200d}", "\u{2060}", "\u{feff}", "\u{017f}", "\u{212a}",
    "\u{037e}", "\u{1fef}",
];

/// Most signals a prefilter tracks (one bit each).
const MAX_SIGNALS: usize = 64;

/// Which needle an automaton pattern is.
#[derive(Debug, Clone, Copy)]
enum Owner {
    /// A needle of the signal with this index.
    Signal(usize),
    /// A guard character: the answer is "maybe".
    Guard,
}

/// The compiled prefilter of one outlet's signals.
#[derive(Debug)]
pub struct Prefilter {
    automaton: Option<AhoCorasick>,
    owners: Vec<Owner>,
    /// Bit `i`: signal `i` has needles (without, it always counts as possible).
    with_needles: u64,
    /// Bit `i`: signal `i` is required.
    required: u64,
    /// Signals that always count as possible (user signals without needles are among them).
    always: usize,
    min_signals: usize,
}

impl Prefilter {
    /// A prefilter for `signals` plus `extra` signals it knows nothing about, `min_signals` of
    /// which must match. With more than 64 built-in signals it never rejects anything.
    pub fn new(signals: &[Signal], extra: usize, min_signals: usize) -> Self {
        let mut patterns: Vec<&str> = Vec::new();
        let mut owners = Vec::new();
        let mut with_needles = 0u64;
        let mut required = 0u64;
        let mut always = extra;
        let usable = signals.len() <= MAX_SIGNALS;
        for (i, signal) in signals.iter().enumerate() {
            if !usable || signal.needles.is_empty() {
                always += 1;
                continue;
            }
            with_needles |= 1 << i;
            if signal.required {
                required |= 1 << i;
            }
            for needle in &signal.needles {
                patterns.push(needle);
                owners.push(Owner::Signal(i));
            }
        }
        for guard in GUARDS {
            patterns.push(guard);
            owners.push(Owner::Guard);
        }
        let automaton = if with_needles == 0 {
            None
        } else {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&patterns)
                .ok()
        };
        Prefilter {
            automaton,
            owners,
            with_needles,
            required,
            always,
            min_signals,
        }
    }

    /// False when `raw` cannot hold enough of the signals (so the outlet does not claim it);
    /// true when it may.
    pub fn may_match(&self, raw: &str) -> bool {
        let Some(automaton) = &self.automaton else {
            return true;
        };
        let mut seen = 0u64;
        for found in automaton.find_overlapping_iter(raw) {
            match self.owners.get(found.pattern().as_usize()) {
                Some(Owner::Signal(i)) => seen |= 1 << i,
                Some(Owner::Guard) | None => return true,
            }
        }
        let possible = (seen & self.with_needles).count_ones() as usize + self.always;
        self.required & !seen == 0 && possible >= self.min_signals
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals() -> Vec<Signal> {
        vec![
            Signal::new("credit", r"^Translated by [^\n]+ from RFA$")
                .unwrap()
                .needing(&["translated"]),
            Signal::new("named", r"\bRadio Free Asia\b")
                .unwrap()
                .needing(&["radio"]),
            Signal::new("anything", r"x{3}").unwrap(),
        ]
    }

    #[test]
    fn too_few_possible_signals_reject() {
        let p = Prefilter::new(&signals(), 0, 3);
        assert!(p.may_match("TRANSLATED by A from RFA\n\nRadio Free Asia"));
        assert!(!p.may_match("Translated by A from RFA"));
        assert!(!p.may_match("A text about nothing in particular."));
    }

    #[test]
    fn required_signal_needs_its_needle() {
        let mut s = signals();
        s[0].required = true;
        let p = Prefilter::new(&s, 0, 1);
        assert!(!p.may_match("Radio Free Asia xxx"));
        assert!(p.may_match("translated"));
    }

    #[test]
    fn guard_characters_and_user_signals_say_maybe() {
        let p = Prefilter::new(&signals(), 0, 3);
        assert!(p.may_match("Trans\u{ad}lated by A from RFA"));
        assert!(p.may_match("Translated by A from RFA, \u{17f}"));
        let with_user = Prefilter::new(&signals(), 1, 3);
        assert!(with_user.may_match("Translated by A from RFA"));
    }
}
