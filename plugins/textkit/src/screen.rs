//! A cheap exact pre-check of the boilerplate set: its anchored branches at the block's start, literal triggers anywhere.
//!
//! The boilerplate [`RegexSet`](regex::RegexSet) scans every block to its end at some 2 ns a
//! byte, yet nearly every block matches none of its patterns. A pattern's top-level branch
//! either starts with `^` (it can only match at the start: one anchored regex of all such
//! branches fails after a few bytes) or holds one of [`TRIGGERS`] in every match. One literal
//! search of the triggers (SIMD, over an ASCII-lower-cased copy) and the anchored regex then
//! tell when no pattern can match, at well under half the set's cost.
//!
//! The triggers are ASCII and the patterns case-insensitive: a trigger letter of a match is the
//! same letter in either case, or a non-ASCII character that folds to it (`ſ` for `s`, the
//! Kelvin sign for `k`). A block with a non-ASCII character that has a case at all (any letter
//! beyond ASCII) is therefore always a "maybe"; only caseless punctuation (curly quotes,
//! dashes, no-break spaces) may sit beside the ASCII text.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::Regex;

use crate::error::BuildError;

/// Lower-case literals, one of which every match of every top-level branch of the boilerplate
/// patterns that does not start with `^` contains (ASCII case folded). Each is the rarest
/// piece of its phrases, so that the literal search seldom stops in ordinary prose.
#[rustfmt::skip]
pub(crate) const TRIGGERS: &[&str] = &[
    // Share prompts: "click the share button", "share this/the ...", "follow us on",
    // "feel free to repost", "read in N languages" (and the widget's "select language").
    "utton", "share ", "w us on", "feel free", "nguage",
    // Newsletters: "subscribe to", "sign up for", any "newsletter", "... your inbox".
    "bscrib", "sign up", "wsletter", "nbox",
    // Subscriptions in other languages: abonnez-vous, abonnieren, inscrivez-vous,
    // suscríbete / suscribirse, schrijf je in.
    "onnez", "onnieren", "nscrivez", "suscr", "hrijf",
    // Cookie banners: "cookie(s)" itself, "by continuing / using / browsing", "en
    // poursuivant", "vous acceptez", "navegando" / "navegar", "navigazione", "verder te".
    "okie", "inuing", "y using", "wsing", "rsuiv", "vous acc", "navega", "navigaz", "erder te",
    // Rights reserved (en, fr, de/nl, es, it, pt), copyrighted material, fair use.
    "rights res", "droits r", "orbeh", "rechos", "iritti", "eitos", "yrighted", "fair use",
    // Disclaimers: "sole responsibility", "views expressed", "not necessarily reflect".
    "sole resp", "xpressed", "ssarily",
    // Widgets: "pdf & email", "powered by google translate".
    "pdf ", "oogle",
];

/// The pre-check of a set of boilerplate patterns (see the module docs).
#[derive(Debug)]
pub(crate) struct Screen {
    /// Every top-level branch that starts with `^`, in one regex (`None`: there is none).
    anchored: Option<Regex>,
    /// [`TRIGGERS`], searched case-sensitively in an ASCII-lower-cased copy of the block
    /// (`None` if the automaton could not be built: every block is then a "maybe").
    triggers: Option<AhoCorasick>,
}

impl Screen {
    /// The pre-check of `patterns` (case-insensitive, not multi-line), whose branches without
    /// a leading `^` each hold one of [`TRIGGERS`] in every match.
    pub(crate) fn new(patterns: &[&str]) -> Result<Self, BuildError> {
        let anchored: Vec<String> = patterns
            .iter()
            .flat_map(|p| branches(p))
            .filter(|b| b.starts_with('^'))
            .map(|b| crate::boilerplate::loosen(b).unwrap_or_else(|| b.to_owned()))
            .collect();
        let anchored = match anchored.is_empty() {
            true => None,
            false => Some(crate::error::regex_with(&anchored.join("|"), true, false)?),
        };
        // The literal (SIMD) prefilter finds the candidates; a contiguous NFA confirms them and
        // builds in a fraction of a DFA's time.
        let triggers = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(TRIGGERS)
            .ok();
        Ok(Screen { anchored, triggers })
    }

    /// False when no pattern can match `block`; true when one may.
    pub(crate) fn may_match(&self, block: &str) -> bool {
        let (Some(triggers), Some(lowered)) = (&self.triggers, ascii_lowered(block)) else {
            return true;
        };
        self.anchored.as_ref().is_some_and(|re| re.is_match(block))
            || triggers.is_match(lowered.as_bytes())
    }
}

/// `text` with ASCII letters lower-cased, or `None` when it holds a non-ASCII character that
/// has a case (see [`caseless`]).
fn ascii_lowered(text: &str) -> Option<String> {
    if !text.is_ascii() && !text.chars().all(|c| c.is_ascii() || caseless(c)) {
        return None;
    }
    Some(text.to_ascii_lowercase())
}

/// Non-ASCII characters without case that articles hold beside ASCII text: Latin-1
/// punctuation and signs (not `ª`, `µ`, `º`, `×`-like letters), general punctuation (curly
/// quotes, dashes, odd spaces) and currency signs. No case-insensitive match can turn on them.
fn caseless(c: char) -> bool {
    matches!(c, '\u{a0}'..='\u{bf}' | '\u{d7}' | '\u{f7}' | '\u{2000}'..='\u{206f}' | '\u{20a0}'..='\u{20cf}')
        && !matches!(c, '\u{aa}' | '\u{b5}' | '\u{ba}')
}

/// The top-level branches of `pattern` (split at each `|` outside groups, classes and escapes).
fn branches(pattern: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut in_class, mut escaped, mut start) = (0usize, false, false, 0);
    for (i, c) in pattern.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => depth = depth.saturating_sub(1),
            '|' if !in_class && depth == 0 => {
                out.push(&pattern[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&pattern[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branches_split_only_at_the_top_level() {
        assert_eq!(
            branches(r"^a|b(?:c|d)|[|x]e|\|f"),
            [r"^a", r"b(?:c|d)", r"[|x]e", r"\|f"]
        );
        assert_eq!(branches("plain"), ["plain"]);
        assert_eq!(branches(r"(a|b)"), [r"(a|b)"]);
        assert_eq!(branches(r"[^)]|x"), [r"[^)]", "x"]);
    }

    #[test]
    fn every_unanchored_branch_names_a_trigger() {
        // A new pattern whose branch holds no trigger literally must get one (and a look at
        // whether every match of it holds that trigger).
        for (_, pattern) in crate::boilerplate::PATTERNS {
            for branch in branches(pattern) {
                if branch.starts_with('^') {
                    continue;
                }
                let lower = branch.to_lowercase();
                assert!(
                    TRIGGERS.iter().any(|t| lower.contains(t)),
                    "no trigger in {branch:?}"
                );
            }
        }
    }

    #[test]
    fn caseless_characters_have_no_case() {
        for c in ('\u{80}'..='\u{20cf}').filter(|&c| caseless(c)) {
            let one = c.to_string();
            assert_eq!(c.to_lowercase().to_string(), one, "{c:?}");
            assert_eq!(c.to_uppercase().to_string(), one, "{c:?}");
            assert!(!c.is_alphabetic(), "{c:?}");
        }
        assert!(!caseless('\u{17f}') && !caseless('\u{212a}') && !caseless('é'));
    }

    #[test]
    fn lowered_copy_only_of_caseless_text() {
        assert_eq!(
            ascii_lowered("Share “This” – Now").as_deref(),
            Some("share “this” – now")
        );
        assert_eq!(ascii_lowered("ſhare"), None);
        assert_eq!(ascii_lowered("Cookie \u{212a}"), None);
        assert_eq!(ascii_lowered("Café"), None);
    }
}
