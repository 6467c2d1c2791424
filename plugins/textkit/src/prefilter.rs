//! A cheap necessary condition for outlet recognition: literal needles found in the raw text.
//!
//! Each [`Signal`] may name needles: ASCII-case-insensitive literals without white space, one
//! of which occurs in every text its pattern matches. One literal search over the *raw* text
//! (before normalizing it) then tells which signals can possibly match; when too few can, the
//! document is not the outlet's and costs no normalization and no regex search.
//!
//! The search runs case-sensitively over a copy of the text with ASCII letters lower-cased,
//! which finds exactly what an ASCII-case-insensitive search of the text would, and lets
//! Aho-Corasick use its SIMD literal search (it has none for case-insensitive needles, and its
//! automaton reads about 2 ns a byte).
//!
//! Normalization never creates a needle that the raw text lacks, with a few exceptions: it
//! deletes zero-width characters and soft hyphens (which may sit inside a word), and the
//! regex's case folding or NFC map a few non-ASCII characters to ASCII ones (the Kelvin sign,
//! the long s). When the raw text holds one of those, the prefilter answers "maybe".

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::outlet::Signal;

/// Characters that [`normalize`](crate::normalize::normalize) deletes, or that NFC or the
/// regex's case folding turn into ASCII.
const GUARDS: &[char] = &[
    '\u{00ad}', '\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}', '\u{017f}', '\u{212a}',
    '\u{037e}', '\u{1fef}',
];

/// Most signals a prefilter tracks per outlet (one bit each).
const MAX_SIGNALS: usize = 64;

/// Most outlets one prefilter answers for (one bit each); any further outlet is always
/// "maybe".
const MAX_OUTLETS: usize = 64;

/// Which needle an automaton pattern is: a needle of signal `signal` of outlet `outlet`.
#[derive(Debug, Clone, Copy)]
struct Owner {
    /// Index of the outlet.
    outlet: usize,
    /// Index of the signal in the outlet's signals.
    signal: usize,
}

/// One outlet's signals as a prefilter sees them.
#[derive(Debug, Clone, Copy)]
pub struct Demand<'a> {
    /// The outlet's built-in signals (those with needles are tracked).
    pub signals: &'a [Signal],
    /// Signals the prefilter knows nothing about (the user's extra signals).
    pub extra: usize,
    /// Signals needed to claim a document.
    pub min_signals: usize,
}

/// What one outlet needs of the signals seen, as bit masks over its signals.
#[derive(Debug, Clone)]
struct Need {
    /// Bit `i`: signal `i` has needles (without, it always counts as possible).
    with_needles: u64,
    /// Bit `i`: signal `i` is required.
    required: u64,
    /// Signals that always count as possible (user signals without needles are among them).
    always: usize,
    min_signals: usize,
}

impl Need {
    /// True when the signals in `seen` (and those without needles) could be enough.
    fn enough(&self, seen: u64) -> bool {
        let possible = (seen & self.with_needles).count_ones() as usize + self.always;
        self.required & !seen == 0 && possible >= self.min_signals
    }
}

/// The compiled prefilter of one or more outlets' signals: one pass over the raw text tells
/// every outlet whether it may match.
#[derive(Debug)]
pub struct Prefilter {
    /// The needles, lower-cased, for a leftmost-first search of lower-cased text.
    automaton: Option<AhoCorasick>,
    /// Per automaton pattern, per outlet: the signals it marks as possible (its own, and those
    /// of every needle that can overlap it, which a non-overlapping search may hide).
    marks: Vec<Vec<u64>>,
    needs: Vec<Need>,
}

/// The outlets a [`Prefilter`] found possible in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Possible(u64);

impl Possible {
    /// False when outlet `i` (in the order given to [`Prefilter::shared`]) cannot match.
    pub fn may_match(self, i: usize) -> bool {
        i >= MAX_OUTLETS || self.0 & (1 << i) != 0
    }
}

impl Prefilter {
    /// A prefilter for `signals` plus `extra` signals it knows nothing about, `min_signals` of
    /// which must match. With more than 64 built-in signals it never rejects anything.
    pub fn new(signals: &[Signal], extra: usize, min_signals: usize) -> Self {
        Prefilter::shared(&[Demand {
            signals,
            extra,
            min_signals,
        }])
    }

    /// One prefilter for several outlets, which [`Prefilter::possible`] answers for in one
    /// pass. Each outlet's answer is a necessary condition of its recognition, as with its
    /// own [`Prefilter::new`].
    pub fn shared(outlets: &[Demand<'_>]) -> Self {
        let mut patterns: Vec<String> = Vec::new();
        let mut owners = Vec::new();
        let mut needs = Vec::new();
        for (outlet, demand) in outlets.iter().enumerate().take(MAX_OUTLETS) {
            let mut need = Need {
                with_needles: 0,
                required: 0,
                always: demand.extra,
                min_signals: demand.min_signals,
            };
            let usable = demand.signals.len() <= MAX_SIGNALS;
            for (signal, s) in demand.signals.iter().enumerate() {
                if !usable || s.needles.is_empty() {
                    need.always += 1;
                    continue;
                }
                need.with_needles |= 1 << signal;
                if s.required {
                    need.required |= 1 << signal;
                }
                for needle in &s.needles {
                    patterns.push(needle.to_ascii_lowercase());
                    owners.push(Owner { outlet, signal });
                }
            }
            needs.push(need);
        }
        let marks = overlap_marks(&patterns, &owners, needs.len());
        let automaton = if owners.is_empty() {
            None
        } else {
            // The SIMD literal search finds the candidates; a contiguous NFA confirms them.
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .build(&patterns)
                .ok()
        };
        Prefilter {
            automaton,
            marks,
            needs,
        }
    }

    /// False when `raw` cannot hold enough of the signals (so the outlet does not claim it);
    /// true when it may. For the first outlet of a [`Prefilter::shared`] one.
    pub fn may_match(&self, raw: &str) -> bool {
        self.possible(raw).may_match(0)
    }

    /// The outlets that may match `raw`.
    pub fn possible(&self, raw: &str) -> Possible {
        let Some(automaton) = &self.automaton else {
            return Possible(u64::MAX);
        };
        if has_guard(raw) {
            return Possible(u64::MAX);
        }
        let lowered = raw.to_ascii_lowercase();
        let mut seen = [0u64; MAX_OUTLETS];
        // Bit `i`: outlet `i` may match (the answer only grows with `seen`).
        let mut possible = 0u64;
        let all = if self.needs.len() >= MAX_OUTLETS {
            u64::MAX
        } else {
            (1u64 << self.needs.len()) - 1
        };
        for found in automaton.find_iter(lowered.as_bytes()) {
            let Some(marks) = self.marks.get(found.pattern().as_usize()) else {
                return Possible(u64::MAX);
            };
            for (i, (seen, mark)) in seen.iter_mut().zip(marks).enumerate() {
                if *mark & !*seen != 0 {
                    *seen |= mark;
                    if self.needs[i].enough(*seen) {
                        possible |= 1 << i;
                    }
                }
            }
            // Once every outlet may match, the rest of the text cannot change the answer.
            if possible == all {
                return Possible(u64::MAX);
            }
        }
        for (i, (need, seen)) in self.needs.iter().zip(seen).enumerate() {
            if need.enough(seen) {
                possible |= 1 << i;
            }
        }
        Possible(possible)
    }
}

/// True when `text` holds one of [`GUARDS`]. They are all outside ASCII: ASCII is skipped
/// eight bytes at a time, and only the other characters are decoded.
fn has_guard(text: &str) -> bool {
    crate::normalize::non_ascii_runs(text).any(|run| run.chars().any(|c| GUARDS.contains(&c)))
}

/// Per pattern, per outlet, the signals a match marks: a non-overlapping search skips any
/// needle occurrence that overlaps a reported match, so a match also marks the signals of
/// every needle (of any outlet) that could overlap it.
fn overlap_marks(patterns: &[String], owners: &[Owner], outlets: usize) -> Vec<Vec<u64>> {
    patterns
        .iter()
        .map(|p| {
            let mut marks = vec![0u64; outlets];
            // The pattern itself is among the needles it can overlap.
            for (q, owner) in patterns.iter().zip(owners) {
                if can_overlap(p, q) {
                    marks[owner.outlet] |= 1 << owner.signal;
                }
            }
            marks
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
        // The domain starts first and is reported; "research" inside it is only marked.
        let p = Prefilter::new(&s, 0, 2);
        assert!(p.may_match("see GLOBALRESEARCH.CA"));
        assert!(!p.may_match("see example.ca"));
        assert!(can_overlap("abc", "cde") && can_overlap("cde", "abc"));
        assert!(can_overlap("abc", "b") && !can_overlap("abc", "de"));
    }

    #[test]
    fn a_shared_prefilter_says_maybe_whenever_each_outlet_s_own_does() {
        let a = vec![signal(r"globalresearch\.ca", &["globalresearch.ca"])];
        let b = vec![
            signal(r"Research", &["research"]),
            signal(r"Radio Free Asia", &["radio"]),
        ];
        let demands = [
            Demand {
                signals: &a,
                extra: 0,
                min_signals: 1,
            },
            Demand {
                signals: &b,
                extra: 0,
                min_signals: 2,
            },
        ];
        let shared = Prefilter::shared(&demands);
        let own: Vec<Prefilter> = demands
            .iter()
            .map(|d| Prefilter::new(d.signals, d.extra, d.min_signals))
            .collect();
        let mut texts: Vec<String> = [
            "see GLOBALRESEARCH.CA",
            "research by Radio Free Asia",
            "nothing here",
            "radio",
        ]
        .map(String::from)
        .to_vec();
        texts.extend(
            crate::testing::fixture_articles()
                .into_iter()
                .map(|(_, t)| t),
        );
        for text in &texts {
            let possible = shared.possible(text);
            for (i, own) in own.iter().enumerate() {
                assert!(
                    !own.may_match(text) || possible.may_match(i),
                    "{i} {text:.60}"
                );
            }
        }
        // The domain hides the other outlet's "research" inside it: that is marked.
        assert!(shared.possible("see globalresearch.ca").may_match(0));
        assert!(!shared.possible("see globalresearch.ca").may_match(1));
        assert!(!shared.possible("nothing here").may_match(0));
        assert!(shared.possible("Research by Radio Free Asia").may_match(1));
    }

    /// Outlet `i` may match by the plain definition: every required signal and enough signals
    /// have a needle somewhere in `text` (ASCII case ignored), or `text` holds a guard.
    fn possible_by_definition(demands: &[Demand<'_>], text: &str, i: usize) -> bool {
        let lower = text.to_ascii_lowercase();
        let d = &demands[i];
        let found = |s: &Signal| {
            s.needles
                .iter()
                .any(|n| lower.contains(&n.to_ascii_lowercase()))
        };
        let present = d
            .signals
            .iter()
            .filter(|s| s.needles.is_empty() || found(s))
            .count();
        GUARDS.iter().any(|g| text.contains(*g))
            || (d.signals.iter().all(|s| !s.required || found(s))
                && present + d.extra >= d.min_signals)
    }

    #[test]
    fn lower_cased_search_says_maybe_whenever_the_definition_does() {
        let a = vec![
            signal(r"Global Research,", &["research,"]),
            signal(r"globalresearch\.ca", &["globalresearch.ca"]),
            signal(r"Research", &["research"]),
        ];
        let mut b = vec![
            signal(r"Translated", &["translat"]),
            signal(r"Radio", &["radio", "(rfa)"]),
            signal(r" – ", &["–", "—"]),
        ];
        b[0].required = true;
        let demands = [
            Demand {
                signals: &a,
                extra: 0,
                min_signals: 2,
            },
            Demand {
                signals: &b,
                extra: 0,
                min_signals: 2,
            },
        ];
        let shared = Prefilter::shared(&demands);
        const PIECES: &[&str] = &[
            "Global",
            "RESEARCH",
            "research,",
            ".CA",
            "Translat",
            "TRANSLATED",
            "Radio",
            "(RFA)",
            "–",
            "—",
            " ",
            "a",
            "é",
            "“",
            "\u{ad}",
            "\u{17f}",
            "\u{212a}",
            "\n",
        ];
        let mut next = crate::testing::seeded_below(29_u64);
        let mut possible = 0;
        for _ in 0..20_000 {
            let text = crate::testing::random_text(&mut next, PIECES, 10);
            let answer = shared.possible(&text);
            for i in 0..demands.len() {
                let expected = possible_by_definition(&demands, &text, i);
                assert!(!expected || answer.may_match(i), "{i} {text:?}");
                possible += usize::from(expected);
            }
        }
        assert!(possible > 2000, "{possible}");
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
