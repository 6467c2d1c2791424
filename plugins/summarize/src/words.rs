//! Words for scoring: a tokenizer (lowercased words, one token per CJK character) and the
//! stop-word list (English, French, Spanish, German, Vietnamese), built once.

use rustc_hash::FxHashSet;
use std::borrow::Cow;

use ingestd_sdk::ascii8;

const ENGLISH: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "last",
    "less",
    "like",
    "made",
    "make",
    "many",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
    "new",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "per",
    "rather",
    "said",
    "same",
    "say",
    "says",
    "she",
    "should",
    "since",
    "so",
    "some",
    "still",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "to",
    "too",
    "two",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "was",
    "we",
    "well",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "s",
    "t",
    "d",
    "ll",
    "re",
    "ve",
    "mr",
    "mrs",
    "ms",
    "dr",
    "according",
    "told",
    "year",
    "years",
    "time",
    "week",
    "first",
    "get",
    "got",
    "go",
    "going",
    "including",
    "among",
    "another",
    "around",
    "across",
];

const FRENCH: &[&str] = &[
    "le", "la", "les", "un", "une", "des", "du", "de", "et", "ou", "mais", "donc", "car", "ni",
    "que", "qui", "quoi", "dont", "où", "ce", "cet", "cette", "ces", "il", "elle", "ils", "elles",
    "nous", "vous", "je", "tu", "on", "se", "sa", "son", "ses", "leur", "leurs", "au", "aux",
    "dans", "par", "pour", "sur", "avec", "sans", "sous", "est", "sont", "été", "être", "avoir",
    "a", "ont", "pas", "plus", "ne", "comme", "aussi", "entre", "selon", "lors", "très", "tout",
    "tous", "cela", "ça", "après", "avant", "depuis", "qu", "l", "d", "n", "c", "j", "m",
];

const SPANISH: &[&str] = &[
    "el", "la", "los", "las", "un", "una", "unos", "unas", "y", "o", "pero", "que", "de", "del",
    "al", "en", "por", "para", "con", "sin", "sobre", "entre", "es", "son", "fue", "ser", "ha",
    "han", "se", "su", "sus", "lo", "le", "les", "como", "más", "muy", "ya", "no", "sí", "este",
    "esta", "estos", "estas", "ese", "esa", "también", "según", "cuando", "donde", "porque",
];

const GERMAN: &[&str] = &[
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "eines",
    "und", "oder", "aber", "dass", "daß", "in", "im", "auf", "aus", "bei", "mit", "nach", "von",
    "vom", "zu", "zum", "zur", "für", "über", "unter", "ist", "sind", "war", "waren", "wird",
    "werden", "wurde", "hat", "haben", "hatte", "nicht", "auch", "sich", "er", "sie", "es", "wir",
    "ihr", "sein", "seine", "ihre", "als", "wie", "so", "noch", "nur", "schon", "am",
];

const VIETNAMESE: &[&str] = &[
    "và", "của", "là", "có", "các", "những", "được", "cho", "với", "trong", "này", "một", "không",
    "đã", "để", "khi", "từ", "về", "theo", "tại", "như", "cũng", "thì", "đến", "ra", "vào", "sẽ",
    "đang", "nhưng", "hay", "hoặc", "bị", "do", "nên", "mà", "rằng", "lại", "nhiều", "rất", "đó",
    "ông", "bà", "anh", "chị", "họ", "chúng", "tôi", "nói", "năm", "ngày",
];

/// The stop words of every supported language, in one set.
#[derive(Debug, Clone)]
pub struct StopWords {
    words: FxHashSet<&'static str>,
}

impl Default for StopWords {
    fn default() -> Self {
        let words = [ENGLISH, FRENCH, SPANISH, GERMAN, VIETNAMESE]
            .into_iter()
            .flatten()
            .copied()
            .collect();
        StopWords { words }
    }
}

impl StopWords {
    /// True when `word` (lowercase) carries no topic.
    pub fn contains(&self, word: &str) -> bool {
        self.words.contains(word)
    }
}

/// Calls `each` with every word of `text`, lowercased: runs of letters and digits; each CJK
/// ideograph or kana on its own (those scripts do not separate words).
pub fn for_each_word<'a>(text: &'a str, mut each: impl FnMut(Cow<'a, str>)) {
    let mut scratch = String::new();
    for_each_word_with(text, &mut scratch, |word| each(word.into_cow()));
}

/// A word of [`for_each_word_with`]: a slice of the text when it has no capital, else its
/// lower-case form in the caller's scratch buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word<'a, 's> {
    /// The word as written (already lower-case).
    Text(&'a str),
    /// The lower-cased word, valid until the next word.
    Lowered(&'s str),
}

impl<'a> Word<'a, '_> {
    /// The word.
    pub fn as_str(&self) -> &str {
        match *self {
            Word::Text(w) | Word::Lowered(w) => w,
        }
    }

    /// The word, owned only when it had to be lower-cased.
    pub fn into_cow(self) -> Cow<'a, str> {
        match self {
            Word::Text(w) => Cow::Borrowed(w),
            Word::Lowered(w) => Cow::Owned(w.to_owned()),
        }
    }
}

/// The character starting at byte `i` of `text`; `None` at the end or inside a character.
/// The byte scanners of this crate decode only where a table says a byte may matter.
pub(crate) fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..)?.chars().next()
}

/// Classes of bytes for the word scanner: ASCII punctuation and spaces, ASCII lower-case
/// letters and digits, ASCII capitals, and bytes of other characters.
const OTHER: u8 = 0;
const LOWER: u8 = 1;
const UPPER: u8 = 2;
const NON_ASCII: u8 = 3;

/// The class of every byte.
static BYTE_CLASS: [u8; 256] = {
    let mut table = [NON_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_uppercase() {
            UPPER
        } else if c.is_ascii_alphanumeric() {
            LOWER
        } else {
            OTHER
        };
        b += 1;
    }
    table
};

/// [`for_each_word`] without an allocation per capitalised word: ASCII words are lower-cased
/// into `scratch` (other words with a capital through `str::to_lowercase`, which knows the
/// final sigma).
pub fn for_each_word_with<'a>(
    text: &'a str,
    scratch: &mut String,
    mut each: impl FnMut(Word<'a, '_>),
) {
    // `ascii` and `upper` describe the word being read: only ASCII bytes so far, a capital
    // among them.
    let mut emit = |from: usize, to: usize, ascii: bool, upper: bool| {
        let word = &text[from..to];
        if ascii && !upper {
            each(Word::Text(word));
            return;
        }
        if !ascii && !word.chars().any(char::is_uppercase) {
            each(Word::Text(word));
            return;
        }
        scratch.clear();
        if ascii {
            scratch.push_str(word);
            scratch.make_ascii_lowercase();
        } else {
            *scratch = word.to_lowercase();
        }
        each(Word::Lowered(scratch));
    };
    let bytes = text.as_bytes();
    let mut start: Option<usize> = None;
    let (mut ascii, mut upper) = (true, false);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let class = BYTE_CLASS[usize::from(b)];
        // ASCII: no CJK, letters and digits by table.
        if class != NON_ASCII {
            if class != OTHER {
                if start.is_none() {
                    start = Some(i);
                    (ascii, upper) = (true, false);
                }
                // The rest of the ASCII letters and digits of the word, in a tight loop.
                while let Some(&b) = bytes.get(i) {
                    match BYTE_CLASS[usize::from(b)] {
                        LOWER => {}
                        UPPER => upper = true,
                        _ => break,
                    }
                    i += 1;
                }
                continue;
            } else if let Some(s) = start.take() {
                emit(s, i, ascii, upper);
            }
            i += 1;
            continue;
        }
        let Some(c) = char_at(text, i) else {
            break;
        };
        let len = c.len_utf8();
        let cjk = is_cjk(c);
        if c.is_alphanumeric() && !cjk {
            if start.is_none() {
                start = Some(i);
                upper = false;
            }
            ascii = false;
        } else {
            if let Some(s) = start.take() {
                emit(s, i, ascii, upper);
            }
            if cjk {
                emit(i, i + len, false, false);
            }
        }
        i += len;
    }
    if let Some(s) = start {
        emit(s, text.len(), ascii, upper);
    }
}

/// Number of words in `text` (whitespace-separated; CJK characters count one each).
pub fn count_words(text: &str) -> usize {
    measure(text).words
}

/// Word and character counts of a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    /// Whitespace-separated words; CJK characters count one each.
    pub words: usize,
    /// Characters, with every whitespace run counted as one.
    pub chars: usize,
}

/// Counts words and (whitespace-collapsed) characters in one pass.
pub fn measure(text: &str) -> Measure {
    let (mut words, mut chars) = (0, 0);
    let mut in_word = false;
    let mut in_space = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        // Eight ASCII bytes at a time, by bit masks: `spaces` has bit `k` for byte `k`.
        if let Some(x) = ascii8::chunk(bytes, i) {
            let (space, control, _) = ascii8::masks(x);
            let spaces = ascii8::gather(space | control);
            let after_space = (spaces << 1 | usize::from(in_space)) & 0xff;
            let after_word_end = (spaces << 1 | usize::from(!in_word)) & 0xff;
            chars += 8 - (spaces & after_space).count_ones() as usize;
            words += (!spaces & after_word_end).count_ones() as usize;
            in_space = spaces & 0x80 != 0;
            in_word = !in_space;
            i += 8;
            continue;
        }
        // ASCII: whitespace as `char::is_whitespace` has it, never CJK.
        let (space, cjk) = if b.is_ascii() {
            i += 1;
            (is_ascii_space(b), false)
        } else {
            let Some(c) = char_at(text, i) else {
                break;
            };
            i += c.len_utf8();
            (c.is_whitespace(), is_cjk(c))
        };
        if !(space && in_space) {
            chars += 1;
        }
        in_space = space;
        if cjk {
            words += 1;
            in_word = false;
        } else if space {
            in_word = false;
        } else if !in_word {
            words += 1;
            in_word = true;
        }
    }
    Measure { words, chars }
}

/// An ASCII byte that `char::is_whitespace` counts as whitespace.
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t'..=b'\r')
}

/// Han ideographs, kana and Hangul syllables.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}'
        | '\u{ac00}'..='\u{d7af}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{2fa1f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_word(text, |w| out.push(w.into_owned()));
        out
    }

    #[test]
    fn words_are_lowercased_and_split_at_punctuation() {
        assert_eq!(
            words("Biden's visit to Hà Nội, U.S.-Vietnam (2023)."),
            [
                "biden", "s", "visit", "to", "hà", "nội", "u", "s", "vietnam", "2023"
            ]
        );
    }

    #[test]
    fn measure_by_eight_bytes_matches_byte_by_byte() {
        let reference = |text: &str| {
            let (mut words, mut chars, mut in_word, mut in_space) = (0, 0, false, false);
            for c in text.chars() {
                let (space, cjk) = (c.is_whitespace(), is_cjk(c));
                chars += usize::from(!(space && in_space));
                in_space = space;
                if cjk || space {
                    words += usize::from(cjk);
                    in_word = false;
                } else if !in_word {
                    words += 1;
                    in_word = true;
                }
            }
            Measure { words, chars }
        };
        let texts = [
            "",
            "a",
            "Eight by.",
            "two  spaces\tand\r\n\x0b\x0c tabs   here, and more words after them",
            "  leading and trailing spaces  \n\n",
            "越南 is here with ASCII after the CJK text, 越南ab cd",
            "Hà Nội,  U.S.-Vietnam (2023)\u{a0} non-breaking\u{a0}\u{a0}spaces and \x1f\x08 controls",
        ];
        for text in texts {
            for start in 0..text.len() {
                if let Some(t) = text.get(start..) {
                    assert_eq!(measure(t), reference(t), "{t:?}");
                }
            }
        }
    }

    #[test]
    fn cjk_characters_are_words() {
        assert_eq!(words("越南ab"), ["越", "南", "ab"]);
        assert_eq!(count_words("越南 is here"), 4);
    }

    #[test]
    fn stop_words_cover_languages() {
        let s = StopWords::default();
        for w in ["the", "les", "los", "und", "của"] {
            assert!(s.contains(w), "{w}");
        }
        assert!(!s.contains("vietnam"));
    }

    #[test]
    fn counts_words() {
        assert_eq!(count_words("  One two,  three. "), 3);
        assert_eq!(count_words(""), 0);
    }

    #[test]
    fn measures_collapse_whitespace() {
        assert_eq!(
            measure("Hà  Nội\n đẹp."),
            Measure {
                words: 3,
                chars: 11
            }
        );
    }
}
