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
        // This paragraph's normalized words joined by single spaces, and their hashes.
        let mut text: Vec<u8> = Vec::new();
        let mut hashes: Vec<u64> = Vec::new();
        for paragraph in paragraphs(body) {
            text.clear();
            hashes.clear();
            words_into(paragraph, &mut text, &mut hashes);
            if hashes.is_empty() || self.is_boilerplate(paragraph, hashes.len()) {
                continue;
            }
            if !out.words.is_empty() {
                exact.update(b" ");
            }
            exact.update(&text);
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

/// Appends the normalized words of `text` (NFKC, lowercase, letters and digits only;
/// apostrophes inside a word are dropped, any other non-alphanumeric character separates
/// words) to `out`, joined by single spaces, and the hash of each to `hashes`.
///
/// The bytes of a word go straight into `out` and are hashed there; plain ASCII text (most
/// of it) is read byte by byte. `for_each_word` is the same rule, one `char` at a time
/// (the reference in tests).
fn words_into(text: &str, out: &mut Vec<u8>, hashes: &mut Vec<u64>) {
    let mut words = Words {
        out,
        hashes,
        start: 0,
        in_word: false,
    };
    if text.is_ascii() {
        words.ascii_run(text.as_bytes());
    } else if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        // Most text is NFKC already (precomposed accents, curly quotes): skip the normalizer.
        words.mixed(text);
    } else {
        for c in text.nfkc() {
            words.char(c);
        }
    }
    words.end();
}

/// The lowercase form of each ASCII letter and digit, by byte; 0 for every other byte.
const WORD_BYTES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let byte = b as u8;
        if byte.is_ascii_alphanumeric() {
            table[b] = byte.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// The word being read by [`words_into`].
struct Words<'a> {
    out: &'a mut Vec<u8>,
    hashes: &'a mut Vec<u64>,
    /// Where the current word starts in `out`.
    start: usize,
    /// True while a word is open (it has at least one byte).
    in_word: bool,
}

impl Words<'_> {
    /// Opens a word unless one is open (a space first, unless it is the first word).
    #[inline]
    fn begin(&mut self) {
        if !self.in_word {
            if !self.out.is_empty() {
                self.out.push(b' ');
            }
            self.start = self.out.len();
            self.in_word = true;
        }
    }

    /// Closes the open word, if any, and hashes it.
    #[inline]
    fn end(&mut self) {
        if self.in_word {
            self.hashes.push(xxh3_64(&self.out[self.start..]));
            self.in_word = false;
        }
    }

    #[inline]
    fn ascii(&mut self, b: u8) {
        if b.is_ascii_alphanumeric() {
            self.begin();
            self.out.push(b.to_ascii_lowercase());
        } else if b != b'\'' {
            self.end();
        }
    }

    /// [`Words::ascii`] on each byte of `bytes` (all ASCII), a word at a time: a run of
    /// letters and digits is lowercased into `out` through [`WORD_BYTES`], in one pass.
    #[inline]
    fn ascii_run(&mut self, bytes: &[u8]) {
        // Room for every byte and a space: pushes below never reallocate.
        self.out.reserve(bytes.len() + 1);
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            i += 1;
            let lower = WORD_BYTES[usize::from(b)];
            if lower != 0 {
                self.begin();
                self.out.push(lower);
                while let Some(&next) = bytes.get(i) {
                    let lower = WORD_BYTES[usize::from(next)];
                    if lower == 0 {
                        break;
                    }
                    self.out.push(lower);
                    i += 1;
                }
            } else if b != b'\'' {
                self.end();
            }
        }
    }

    /// [`Words::char`] on each `char` of `text`, with its ASCII stretches (most of a text
    /// that has a curly quote or an accent somewhere) read by [`Words::ascii_run`].
    fn mixed(&mut self, text: &str) {
        let mut rest = text;
        while !rest.is_empty() {
            let ascii = rest
                .bytes()
                .position(|b| !b.is_ascii())
                .unwrap_or(rest.len());
            // `ascii` ends before a non-ASCII lead byte (or at the end): a char boundary.
            let (head, tail) = rest.split_at(ascii);
            self.ascii_run(head.as_bytes());
            let mut chars = tail.chars();
            if let Some(c) = chars.next() {
                self.char(c);
            }
            rest = chars.as_str();
        }
    }

    fn push_char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.out
            .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }

    #[inline]
    fn char(&mut self, c: char) {
        if c.is_ascii() {
            self.ascii(c as u8);
        } else if unicode_normalization::char::is_combining_mark(c) {
            // A mark left uncomposed belongs to the word it follows.
            if self.in_word {
                self.push_char(c);
            }
        } else if c.is_alphanumeric() {
            self.begin();
            for lower in c.to_lowercase() {
                self.push_char(lower);
            }
        } else if !matches!(c, '\u{2019}' | '\u{02bc}') {
            self.end();
        }
    }
}

/// Calls `f` with each normalized word, one `char` at a time: the rule [`words_into`] follows.
#[cfg(test)]
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

    /// The words [`words_into`] finds in `text`.
    fn words(text: &str) -> Vec<String> {
        let (mut out, mut hashes) = (Vec::new(), Vec::new());
        words_into(text, &mut out, &mut hashes);
        let words: Vec<String> = String::from_utf8(out)
            .unwrap()
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        assert_eq!(words.len(), hashes.len());
        words
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

    #[test]
    fn ascii_stretches_of_a_mixed_text_read_as_in_an_ascii_text() {
        let mixed = "It\u{2019}s the \u{201C}rock\u{2019}n\u{2019}roll\u{201D} mayor's plan, \
                     caf\u{e9} owners said: 42 O'Brien\u{2014}and CO2 \u{2018}x\u{2019}.";
        assert_eq!(
            words(mixed),
            [
                "its",
                "the",
                "rocknroll",
                "mayors",
                "plan",
                "caf\u{e9}",
                "owners",
                "said",
                "42",
                "obrien",
                "and",
                "co2",
                "x"
            ]
        );
        let ascii =
            "It's the \"rock'n'roll\" mayor's plan, cafe owners said: 42 O'Brien--and CO2 'x'.";
        let expected = words(ascii);
        let mut mixed_words = words(mixed);
        mixed_words[5] = "cafe".into();
        assert_eq!(mixed_words, expected);
    }

    #[test]
    fn words_into_gives_the_words_of_the_char_by_char_rule() {
        // Pieces that exercise every branch: ASCII, apostrophes (straight, curly, modifier),
        // punctuation, accents precomposed and combining (also after a space), compatibility
        // characters, letters whose lowercase is longer, digits, non-Latin scripts.
        let pieces = [
            "Hello",
            "world",
            " ",
            "  ",
            "\n",
            "'",
            "\u{2019}",
            "\u{02bc}",
            "s",
            "U.S.",
            "-",
            "\u{2014}",
            "Vi\u{1ec7}t",
            "Nam",
            "e\u{301}",
            " \u{301}",
            "q\u{307}",
            "\u{FF4F}k",
            "\u{FB01}ne",
            "\u{130}",
            "\u{1E9E}",
            "42",
            "3.5",
            "\u{0394}\u{03B9}",
            "\u{65E5}\u{672C}",
            "\u{0661}\u{0662}",
            "!",
            "\"",
            "\u{201C}x\u{201D}",
            "A",
            "Z",
            "\t",
            "_",
            "ß",
        ];
        let mut seed = 0x1234_5678_9abc_def0_u64;
        for _ in 0..3_000 {
            let mut text = String::new();
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            for i in 0..(seed >> 60) + 1 {
                let pick = (seed.rotate_left(7 * i as u32) >> 33) as usize % pieces.len();
                text.push_str(pieces[pick]);
            }
            let mut expected = Vec::new();
            for_each_word(&text, &mut String::new(), |w| expected.push(w.to_owned()));
            let (mut out, mut hashes) = (Vec::new(), Vec::new());
            words_into(&text, &mut out, &mut hashes);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                expected.join(" "),
                "{text:?}"
            );
            let expected_hashes: Vec<u64> =
                expected.iter().map(|w| xxh3_64(w.as_bytes())).collect();
            assert_eq!(hashes, expected_hashes, "{text:?}");
        }
    }
}
