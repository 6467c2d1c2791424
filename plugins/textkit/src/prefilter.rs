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
    /// Per automaton pattern: the signals it marks as possible (its own, and those of every
    /// needle that can overlap it, which a non-overlapping search may hide), or `None` for a
    /// guard.
    marks: Vec<Option<u64>>,
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
        let marks = overlap_marks(&patterns, &owners);
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
            marks,
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
        for found in automaton.find_iter(raw) {
            match self.marks.get(found.pattern().as_usize()) {
                Some(Some(mask)) => seen |= mask,
                Some(None) | None => return true,
            }
        }
        let possible = (seen & self.with_needles).count_ones() as usize + self.always;
        self.required & !seen == 0 && possible >= self.min_signals
    }
}

/// Per pattern, the signals a match of it marks: a non-overlapping search skips any needle
/// occurrence that overlaps a reported match, so a match also marks the signals of every
/// needle that could overlap it. Guards mark nothing (`None`): they end the search. Guards
/// and needles are whole characters, so in UTF-8 text they never overlap each other.
fn overlap_marks(patterns: &[&str], owners: &[Owner]) -> Vec<Option<u64>> {
    let needles: Vec<(String, usize)> = patterns
        .iter()
        .zip(owners)
        .filter_map(|(p, owner)| match owner {
            Owner::Signal(i) => Some((p.to_ascii_lowercase(), *i)),
            Owner::Guard => None,
        })
        .collect();
    owners
        .iter()
        .zip(patterns)
        .map(|(owner, p)| match owner {
            Owner::Guard => None,
            Owner::Signal(i) => {
                let p = p.to_ascii_lowercase();
                let mask = needles
                    .iter()
                    .filter(|(q, _)| can_overlap(&p, q))
                    .fold(1u64 << i, |mask, (_, j)| mask | 1 << j);
                Some(mask)
            }
        })
        .collect()
}

/// True when occurrences of `a` and `b` can share bytes: one contains the other, or an end of
/// one is a start of the other.
fn can_overlap(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let joins = |x: &[u8], y: &[u8]| (1..=x.len().min(y.len())).any(|k| x.ends_with(&y[..k]));
    contains(a, b) || contains(b, a) || joins(a, b) || joins(b, a)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signal(pattern: &str, needles: &[&'static str]) -> Signal {
        Signal::new("test", pattern).unwrap().needing(needles)
    }

    fn signals() -> Vec<Signal> {
        vec![
            signal(r"^Translated by [^\n]+ from RFA$", &["translated"]),
            signal(r"\bRadio Free Asia\b", &["radio"]),
            signal(r"x{3}", &[]),
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
    fn overlapping_needles_are_not_lost() {
        let s = vec![
            signal(r"globalresearch\.ca", &["globalresearch.ca"]),
            signal(r"Research", &["research"]),
        ];
        // "research" ends first and is reported; the domain around it is only marked.
        let p = Prefilter::new(&s, 0, 2);
        assert!(p.may_match("see GLOBALRESEARCH.CA"));
        assert!(!p.may_match("see example.ca"));
        assert!(can_overlap("abc", "cde") && can_overlap("cde", "abc"));
        assert!(can_overlap("abc", "b") && !can_overlap("abc", "de"));
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
