//! The abbreviation table the sentence splitter consults before ending a sentence at a period.

use rustc_hash::FxHashMap;

/// How an abbreviation behaves before a capitalised word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbbrevKind {
    /// A title or label that always precedes what it qualifies ("Mr.", "Dr.", "No.", "e.g."):
    /// never the end of a sentence.
    Inner,
    /// An abbreviation that may close a sentence ("U.S.", "Inc.", "etc.", "Jan."): the sentence
    /// ends only when the next word is a typical sentence opener ("The", "He", "But", ...).
    MayEnd,
}

/// Titles and labels that are followed by a name or a number.
const INNER: &[&str] = &[
    "mr", "mrs", "ms", "mx", "dr", "prof", "st", "mt", "ft", "gen", "sen", "rep", "gov", "lt",
    "col", "capt", "cpt", "sgt", "maj", "adm", "cmdr", "rev", "hon", "pres", "supt", "insp",
    "messrs", "no", "nos", "nr", "vol", "fig", "figs", "pp", "p", "art", "sec", "ch", "e.g", "i.e",
    "cf", "vs", "v", "viz", "approx", "ca", "est", "dept", "univ", "ave", "blvd", "rd", "mme",
    "mlle", "mmes", "sr", "sra", "srta", "hr", "fr", "z.b", "d.h", "u.a", "bzw", "ggf", "vgl",
    "op",
];

/// Abbreviations that often end a sentence as well.
const MAY_END: &[&str] = &[
    "u.s", "u.k", "u.n", "u.s.a", "e.u", "d.c", "a.m", "p.m", "inc", "ltd", "co", "corp", "llc",
    "plc", "bros", "jr", "etc", "al", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat",
    "sun",
];

/// Capitalised words that typically open a sentence, used after a [`AbbrevKind::MayEnd`]
/// abbreviation ("... moved to the U.S. The move ...").
const OPENERS: &[&str] = &[
    "the",
    "a",
    "an",
    "he",
    "she",
    "it",
    "they",
    "we",
    "i",
    "you",
    "this",
    "that",
    "these",
    "those",
    "there",
    "his",
    "her",
    "its",
    "their",
    "our",
    "my",
    "in",
    "on",
    "at",
    "but",
    "and",
    "or",
    "so",
    "yet",
    "if",
    "when",
    "while",
    "after",
    "before",
    "as",
    "for",
    "however",
    "meanwhile",
    "still",
    "also",
    "since",
    "although",
    "though",
    "what",
    "who",
    "why",
    "how",
    "some",
    "many",
    "most",
    "such",
    "both",
    "each",
    "other",
    "another",
    "last",
    "earlier",
    "later",
    "then",
    "now",
    "instead",
    "nevertheless",
    "moreover",
    "according",
];

/// The lookup tables, built once per plugin instance.
#[derive(Debug, Clone)]
pub struct Abbreviations {
    kinds: FxHashMap<&'static str, AbbrevKind>,
    openers: FxHashMap<&'static str, ()>,
}

/// Longest token (in bytes) that is looked up; longer ones are never abbreviations.
pub const MAX_ABBREV_BYTES: usize = 12;

impl Default for Abbreviations {
    fn default() -> Self {
        let mut kinds = FxHashMap::default();
        kinds.extend(INNER.iter().map(|a| (*a, AbbrevKind::Inner)));
        kinds.extend(MAY_END.iter().map(|a| (*a, AbbrevKind::MayEnd)));
        let openers = OPENERS.iter().map(|w| (*w, ())).collect();
        Abbreviations { kinds, openers }
    }
}

impl Abbreviations {
    /// The kind of `token` (the word before a period, without that period, any case), if it is
    /// a known abbreviation or a dotted acronym ("D.C", "U.S.A").
    pub fn kind(&self, token: &str) -> Option<AbbrevKind> {
        let mut buf = [0u8; MAX_ABBREV_BYTES];
        let lower = ascii_lower(token, &mut buf)?;
        if let Some(kind) = self.kinds.get(lower) {
            return Some(*kind);
        }
        is_dotted_acronym(lower).then_some(AbbrevKind::MayEnd)
    }

    /// True when `word` (any case) typically opens a sentence.
    pub fn is_opener(&self, word: &str) -> bool {
        let mut buf = [0u8; MAX_ABBREV_BYTES];
        ascii_lower(word, &mut buf).is_some_and(|w| self.openers.contains_key(w))
    }
}

/// Lowercases a short ASCII token into `buf`; `None` when it is too long or not ASCII.
fn ascii_lower<'b>(token: &str, buf: &'b mut [u8; MAX_ABBREV_BYTES]) -> Option<&'b str> {
    let bytes = token.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_ABBREV_BYTES || !token.is_ascii() {
        return None;
    }
    let out = &mut buf[..bytes.len()];
    out.copy_from_slice(bytes);
    out.make_ascii_lowercase();
    std::str::from_utf8(out).ok()
}

/// "d.c", "u.s.a", "a.b": one or two letters between dots, at least one inner dot.
fn is_dotted_acronym(token: &str) -> bool {
    token.contains('.')
        && token.split('.').all(|part| {
            (1..=2).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphabetic())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_case_insensitive() {
        let a = Abbreviations::default();
        assert_eq!(a.kind("Mr"), Some(AbbrevKind::Inner));
        assert_eq!(a.kind("U.S"), Some(AbbrevKind::MayEnd));
        assert_eq!(a.kind("Sept"), Some(AbbrevKind::MayEnd));
        assert_eq!(a.kind("e.g"), Some(AbbrevKind::Inner));
        assert_eq!(a.kind("house"), None);
    }

    #[test]
    fn dotted_acronyms_may_end() {
        let a = Abbreviations::default();
        assert_eq!(a.kind("N.A.T.O"), Some(AbbrevKind::MayEnd));
        assert_eq!(a.kind("D.C"), Some(AbbrevKind::MayEnd));
        assert_eq!(a.kind("3.5"), None);
        assert_eq!(a.kind("end.Then"), None);
    }

    #[test]
    fn long_or_non_ascii_tokens_are_not_abbreviations() {
        let a = Abbreviations::default();
        assert_eq!(a.kind("extraordinarily"), None);
        assert_eq!(a.kind("Hà"), None);
        assert!(a.is_opener("The"));
        assert!(!a.is_opener("Army"));
    }
}
