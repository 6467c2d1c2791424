//! Body normalization: NFKC, lowercase, punctuation and boilerplate removed, words hashed.
//!
//! Two bodies that differ only in white space, line breaks, letter case, punctuation, Unicode
//! form (NFC/NFD, compatibility characters such as full-width letters or ligatures) or short
//! boilerplate paragraphs normalize to the same word sequence, hence the same exact hash.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

/// A normalized body: word hashes grouped by paragraph, and the exact hash of the word sequence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    /// 64-bit hash of each normalized word, in order.
    pub words: Vec<u64>,
    /// End offset (exclusive, into `words`) of each non-empty paragraph.
    pub paragraph_ends: Vec<usize>,
    /// 128-bit hash of the normalized words joined by single spaces.
    pub exact: u128,
}

impl Normalized {
    /// Iterates over the word hashes of each paragraph.
    pub fn paragraphs(&self) -> impl Iterator<Item = &[u64]> {
        let mut start = 0;
        self.paragraph_ends.iter().map(move |&end| {
            let words = &self.words[start..end];
            start = end;
            words
        })
    }
}

/// Turns bodies into [`Normalized`] word sequences; built once per plugin instance.
#[derive(Debug, Clone)]
pub struct Normalizer {
    boilerplate: Option<AhoCorasick>,
    boilerplate_max_words: usize,
}

/// Why a normalizer could not be built.
#[derive(Debug, thiserror::Error)]
#[error("boilerplate_phrases: {0}")]
pub struct NormalizerError(#[from] aho_corasick::BuildError);

impl Normalizer {
    /// Builds a normalizer that drops paragraphs of at most `max_words` words containing one of
    /// `phrases` (ASCII case-insensitive).
    pub fn new(phrases: &[String], max_words: usize) -> Result<Self, NormalizerError> {
        let phrases: Vec<&str> = phrases
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect();
        let boilerplate = if phrases.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(phrases)?,
            )
        };
        Ok(Normalizer {
            boilerplate,
            boilerplate_max_words: max_words,
        })
    }

    /// Normalizes a body whose paragraphs are separated by blank lines.
    pub fn normalize(&self, body: &str) -> Normalized {
        let mut out = Normalized::default();
        let mut exact = Xxh3::new();
        let mut word = String::new();
        // This paragraph's normalized words joined by single spaces, and their hashes.
        let mut text = String::new();
        let mut hashes: Vec<u64> = Vec::new();
        for paragraph in paragraphs(body) {
            text.clear();
            hashes.clear();
            for_each_word(paragraph, &mut word, |w| {
                hashes.push(xxh3_64(w.as_bytes()));
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(w);
            });
            if hashes.is_empty() || self.is_boilerplate(paragraph, hashes.len()) {
                continue;
            }
            if !out.words.is_empty() {
                exact.update(b" ");
            }
            exact.update(text.as_bytes());
            out.words.extend_from_slice(&hashes);
            out.paragraph_ends.push(out.words.len());
        }
        out.exact = exact.digest128();
        out
    }

    fn is_boilerplate(&self, paragraph: &str, words: usize) -> bool {
        words <= self.boilerplate_max_words
            && self
                .boilerplate
                .as_ref()
                .is_some_and(|ac| ac.is_match(paragraph))
    }
}

/// Splits text into paragraphs at blank lines (any line ending, any white space on the line).
fn paragraphs(body: &str) -> impl Iterator<Item = &str> {
    let mut rest = body;
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            let mut end = rest.len();
            let mut next = rest.len();
            let mut pos = 0;
            for line in rest.split_inclusive('\n') {
                if pos > 0 && line.trim().is_empty() {
                    end = pos;
                    next = pos + line.len();
                    break;
                }
                pos += line.len();
            }
            let paragraph = &rest[..end];
            rest = &rest[next..];
            if !paragraph.trim().is_empty() {
                return Some(paragraph);
            }
        }
    })
}

/// Calls `f` with each normalized word (NFKC, lowercase, letters and digits only; apostrophes
/// inside a word are dropped, any other non-alphanumeric character separates words).
fn for_each_word(text: &str, word: &mut String, mut f: impl FnMut(&str)) {
    word.clear();
    let push = |c: char, word: &mut String, f: &mut dyn FnMut(&str)| {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if !c.is_ascii() && unicode_normalization::char::is_combining_mark(c) {
            // A mark left uncomposed belongs to the word it follows.
            if !word.is_empty() {
                word.push(c);
            }
        } else if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if !matches!(c, '\'' | '\u{2019}' | '\u{02bc}') && !word.is_empty() {
            f(word);
            word.clear();
        }
    };
    // Most text is NFKC already (precomposed accents, curly quotes): skip the normalizer then.
    if text.is_ascii() || is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        for c in text.chars() {
            push(c, word, &mut f);
        }
    } else {
        for c in text.nfkc() {
            push(c, word, &mut f);
        }
    }
    if !word.is_empty() {
        f(word);
        word.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalizer() -> Normalizer {
        let config = crate::Config::default();
        Normalizer::new(&config.boilerplate_phrases, config.boilerplate_max_words).unwrap()
    }

    fn words(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_word(text, &mut String::new(), |w| out.push(w.to_owned()));
        out
    }

    #[test]
    fn words_are_lowercased_without_punctuation() {
        assert_eq!(
            words("Vietnam’s “secret” plan—to buy U.S.-made arms!"),
            [
                "vietnams", "secret", "plan", "to", "buy", "u", "s", "made", "arms"
            ]
        );
    }

    #[test]
    fn unicode_forms_and_compatibility_characters_fold() {
        assert_eq!(words("Hà Nội"), words("Ha\u{300} No\u{323}\u{302}i"));
        assert_eq!(words("ｆｕｌｌ ﬁne"), ["full", "fine"]);
        // An uncomposable mark stays in its word whether or not the text was normalized.
        assert_eq!(words("q\u{307}x ok"), words("q\u{307}x \u{FF4F}k"));
        assert_eq!(words("q\u{307}x ok"), ["q\u{307}x", "ok"]);
    }

    #[test]
    fn whitespace_case_and_line_endings_do_not_change_the_exact_hash() {
        let n = normalizer();
        let a = n.normalize("First  paragraph here.\n\nSecond one, too.");
        let b = n.normalize("  FIRST paragraph\r\nhere\r\n\r\n\r\nsecond one too  \n");
        assert_eq!(a.exact, b.exact);
        assert_eq!(a.words, b.words);
        assert_ne!(
            a.exact,
            n.normalize("First paragraph here. Second one.").exact
        );
    }

    #[test]
    fn paragraphs_split_at_blank_lines() {
        let n = normalizer().normalize("a b c\nd e\n \nf g\n\n\n\nh");
        assert_eq!(n.paragraph_ends, [5, 7, 8]);
        assert_eq!(
            n.paragraphs().map(<[u64]>::len).collect::<Vec<_>>(),
            [5, 2, 1]
        );
    }

    #[test]
    fn short_boilerplate_paragraphs_are_ignored() {
        let n = normalizer();
        let plain = n.normalize("The council met on Monday.\n\nIt voted to close the bridge.");
        let noisy = n.normalize(
            "Share this article on Facebook\n\nThe council met on Monday.\n\n\
             It voted to close the bridge.\n\n© 2024 Daily Planet. All rights reserved.",
        );
        assert_eq!(plain, noisy);
    }

    #[test]
    fn empty_and_punctuation_only_bodies_have_no_words() {
        let n = normalizer();
        assert!(n.normalize("").words.is_empty());
        assert!(n.normalize(" ... \n\n —— ").paragraph_ends.is_empty());
    }
}
