//! Splits text into word tokens with byte offsets, possessives, hyphen links and sentence starts.
//!
//! One linear pass per line. A token is a run of letters and digits; an inner apostrophe that
//! is not a possessive ("O'Brien") and dots of an acronym ("U.S.") stay inside it; a hyphen
//! between two words splits them but links the second to the first ("US-Vietnam").

use ingestd_sdk::ascii8;

/// Title abbreviations whose dot neither ends a sentence nor breaks a name ("Mr. Finer").
const ABBREVIATIONS: [&str; 14] = [
    "Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Gen", "Sen", "Rep", "Col", "Lt", "Jr", "Sr", "Gov",
];

/// One word of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    /// Byte offset of the first character.
    pub(crate) start: usize,
    /// Byte offset after the word (a possessive `'s` is not part of it).
    pub(crate) end: usize,
    /// Byte offset after the possessive, when there is one (else `end`).
    pub(crate) after: usize,
    /// The word carries a possessive `'s` / `’s`.
    pub(crate) possessive: bool,
    /// Only spaces (or an abbreviation's dot) separate it from the previous token on the line.
    pub(crate) spaced: bool,
    /// A hyphen joins it to the previous token ("Vietnam" in "US-Vietnam").
    pub(crate) hyphenated: bool,
    /// First word of a sentence or of a line.
    pub(crate) sentence_start: bool,
    /// The word starts with an upper-case letter (as "G20" does).
    pub(crate) capitalised: bool,
}

impl Token {
    /// The word's text.
    pub(crate) fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or_default()
    }

    /// Linked to the previous token (same name candidate), by spaces or a hyphen.
    pub(crate) fn linked(&self) -> bool {
        self.spaced || self.hyphenated
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2011}')
}

/// Tokenizes `text` line by line, appending to `out`; `skip_line` says which lines to leave out
/// (share prompts and the like). Offsets are into `text`.
pub(crate) fn tokenize_lines(text: &str, skip_line: impl Fn(&str) -> bool, out: &mut Vec<Token>) {
    let mut line_start = 0;
    for line in text.split('\n') {
        if !skip_line(line) {
            tokenize_line(text, line_start, line_start + line.len(), out);
        }
        line_start += line.len() + 1;
    }
}

/// The character at byte `i` of `line` (a character boundary), with an ASCII fast path.
fn char_at(line: &str, i: usize) -> Option<char> {
    let byte = *line.as_bytes().get(i)?;
    if byte.is_ascii() {
        Some(char::from(byte))
    } else {
        line.get(i..)?.chars().next()
    }
}

/// Class of a byte in [`BYTE_CLASS`]: ASCII other than a letter or digit.
const OTHER: u8 = 0;
/// Class of a byte in [`BYTE_CLASS`]: an ASCII letter or digit.
const ALNUM: u8 = 1;
/// Class of a byte in [`BYTE_CLASS`]: part of a multi-byte character.
const NON_ASCII: u8 = 2;

/// The class of each byte, so that the word loops test a byte with one look-up.
static BYTE_CLASS: [u8; 256] = {
    let mut table = [NON_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = if (b as u8).is_ascii_alphanumeric() {
            ALNUM
        } else {
            OTHER
        };
        b += 1;
    }
    table
};

fn class(byte: u8) -> u8 {
    BYTE_CLASS[usize::from(byte)]
}

/// Byte offset after the letters and digits starting at `i` (ASCII ones without decoding).
fn after_alphanumeric(line: &str, mut i: usize) -> usize {
    let bytes = line.as_bytes();
    loop {
        i = after_ascii_alphanumeric(bytes, i);
        match bytes.get(i) {
            Some(&b) if class(b) == NON_ASCII => match char_at(line, i) {
                Some(c) if c.is_alphanumeric() => i += c.len_utf8(),
                _ => break,
            },
            _ => break,
        }
    }
    i
}

/// Byte offset after the ASCII letters and digits starting at `i`: eight bytes at a time
/// while eight are left, then byte by byte. Stops at any other byte (non-ASCII included).
fn after_ascii_alphanumeric(bytes: &[u8], mut i: usize) -> usize {
    while let Some(x) = ascii8::word(bytes, i) {
        // Letters and digits among the low seven bits, kept only where the byte is ASCII.
        let (_, _, alnum) = ascii8::masks(x & !ascii8::HIGH);
        let stop = !(alnum & !x) & ascii8::HIGH;
        if stop != 0 {
            return i + (stop.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while bytes.get(i).is_some_and(|&b| class(b) == ALNUM) {
        i += 1;
    }
    i
}

/// Byte range of the word starting at `begin`: (end of the word, end after a possessive,
/// whether there is one).
fn word_at(line: &str, begin: usize) -> (usize, usize, bool) {
    let mut end = begin;
    // Start of the current dot-separated part of an acronym ("S" in "U.S").
    let mut part = begin;
    loop {
        end = after_alphanumeric(line, end);
        let Some(c) = char_at(line, end) else {
            return (end, end, false);
        };
        // Only an apostrophe or a dot can extend a word (or mark a possessive).
        if c != '.' && !is_apostrophe(c) {
            return (end, end, false);
        }
        let n1 = end + c.len_utf8();
        let next = char_at(line, n1);
        let n2 = n1 + next.map_or(0, char::len_utf8);
        let next2 = char_at(line, n2);
        if is_apostrophe(c) && next == Some('s') && !next2.is_some_and(char::is_alphanumeric) {
            return (end, n2, true);
        }
        if is_apostrophe(c) && next.is_some_and(char::is_alphabetic) {
            end = n1;
            continue;
        }
        // Acronym dots: "U.S." / "U.N." (single capitals between dots).
        let one_capital = end == part + 1 && line.as_bytes()[part].is_ascii_uppercase();
        if c == '.' && one_capital {
            if next.is_some_and(|n| n.is_ascii_uppercase())
                && !next2.is_some_and(char::is_alphabetic)
            {
                end = n1;
                part = n1;
                continue;
            }
            if end - begin > 1 {
                return (n1, n1, false);
            }
        }
        return (end, end, false);
    }
}

/// What the characters between two words say about them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Gap {
    /// Only spaces (or an abbreviation's dot then spaces) separate them.
    spaced: bool,
    /// Exactly one hyphen separates them.
    hyphenated: bool,
    /// The gap holds a sentence-ending mark.
    ends_sentence: bool,
    /// The gap starts with the dot of a title abbreviation ("Mr.").
    after_abbreviation: bool,
}

impl Gap {
    /// Reads `gap`, the text between the previous word `prev` and the next one, in one pass.
    fn read<'t>(gap: &str, prev: impl FnOnce() -> &'t str) -> Gap {
        if gap.is_ascii() {
            Gap::read_ascii(gap.as_bytes(), prev)
        } else {
            Gap::read_chars(gap, prev)
        }
    }

    /// [`Gap::read`] of any gap, character by character.
    fn read_chars<'t>(gap: &str, prev: impl FnOnce() -> &'t str) -> Gap {
        let first = gap.chars().next();
        let after_abbreviation = first == Some('.') && ABBREVIATIONS.contains(&prev());
        let (mut all_spaces, mut rest_spaces, mut ends_sentence) = (true, true, false);
        let mut count = 0usize;
        for (k, c) in gap.chars().enumerate() {
            count += 1;
            all_spaces &= c == ' ' || c == '\u{a0}';
            rest_spaces &= k == 0 || c == ' ';
            ends_sentence |= matches!(c, '.' | '!' | '?' | ':' | ';' | '…' | '•' | '|');
        }
        Gap {
            spaced: count > 0 && (all_spaces || (after_abbreviation && rest_spaces)),
            hyphenated: count == 1 && first.is_some_and(is_hyphen),
            ends_sentence,
            after_abbreviation,
        }
    }

    /// [`Gap::read`] of an ASCII gap (nearly all of them, most a single space), byte by byte.
    fn read_ascii<'t>(gap: &[u8], prev: impl FnOnce() -> &'t str) -> Gap {
        if gap == b" " {
            return Gap {
                spaced: true,
                hyphenated: false,
                ends_sentence: false,
                after_abbreviation: false,
            };
        }
        let Some((&first, rest)) = gap.split_first() else {
            return Gap {
                spaced: false,
                hyphenated: false,
                ends_sentence: false,
                after_abbreviation: false,
            };
        };
        let after_abbreviation = first == b'.' && ABBREVIATIONS.contains(&prev());
        let rest_spaces = rest.iter().all(|&b| b == b' ');
        Gap {
            spaced: rest_spaces && (first == b' ' || after_abbreviation),
            hyphenated: gap == b"-",
            ends_sentence: gap
                .iter()
                .any(|b| matches!(b, b'.' | b'!' | b'?' | b':' | b';' | b'|')),
            after_abbreviation,
        }
    }
}

/// Tokenizes one line `text[from..to]` (no newline inside).
fn tokenize_line(text: &str, from: usize, to: usize, out: &mut Vec<Token>) {
    let line = &text[from..to];
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut prev: Option<Token> = None;
    while let Some(&byte) = bytes.get(i) {
        // ASCII punctuation and spaces, the most common non-word characters, skip fast.
        if class(byte) == OTHER {
            i += 1;
            continue;
        }
        let Some(c) = char_at(line, i) else { break };
        if !c.is_alphanumeric() {
            i += c.len_utf8();
            continue;
        }
        let (word_end, word_after, possessive) = word_at(line, i);
        let (start, end, after) = (from + i, from + word_end, from + word_after);
        let gap = prev.map(|p| Gap::read(&text[p.after..start], || p.text(text)));
        let token = Token {
            start,
            end,
            after,
            possessive,
            spaced: gap.is_some_and(|g| g.spaced),
            hyphenated: gap.is_some_and(|g| g.hyphenated),
            sentence_start: gap
                .is_none_or(|g| g.ends_sentence && !(g.after_abbreviation && g.spaced)),
            capitalised: c.is_uppercase(),
        };
        out.push(token);
        prev = Some(token);
        i = word_after.max(i + c.len_utf8());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(String, bool, bool, bool, bool)> {
        let mut out = Vec::new();
        tokenize_lines(text, |_| false, &mut out);
        out.iter()
            .map(|t| {
                (
                    t.text(text).to_owned(),
                    t.possessive,
                    t.spaced,
                    t.hyphenated,
                    t.sentence_start,
                )
            })
            .collect()
    }

    /// Every string of up to `len` bytes over `alphabet`.
    fn strings(alphabet: &[u8], len: usize) -> Vec<Vec<u8>> {
        let mut all = vec![Vec::new()];
        let mut last = vec![Vec::new()];
        for _ in 0..len {
            last = last
                .iter()
                .flat_map(|s: &Vec<u8>| {
                    alphabet.iter().map(move |&b| {
                        let mut t = s.clone();
                        t.push(b);
                        t
                    })
                })
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    #[test]
    fn ascii_gaps_read_as_the_character_reader_reads_them() {
        for gap in strings(b" .-!?:;|,\"(x\t", 4) {
            let gap = std::str::from_utf8(&gap).unwrap();
            for prev in ["Mr", "Gov", "word", ""] {
                assert_eq!(
                    Gap::read_ascii(gap.as_bytes(), || prev),
                    Gap::read_chars(gap, || prev),
                    "{gap:?} after {prev:?}"
                );
            }
        }
    }

    #[test]
    fn ascii_words_end_where_the_byte_loop_ends_them() {
        let text = "a Z09 longerword-with-hyphens abcdefghijklmnopq,x 12345678.9 caf\u{e9}s \
                    tail\tend! UPPER-lower_under 7 nine_bytes";
        let bytes = text.as_bytes();
        for i in 0..bytes.len() {
            let mut expected = i;
            while bytes.get(expected).is_some_and(u8::is_ascii_alphanumeric) {
                expected += 1;
            }
            assert_eq!(after_ascii_alphanumeric(bytes, i), expected, "from {i}");
        }
        assert_eq!(after_alphanumeric("caf\u{e9}s, x", 0), "caf\u{e9}s".len());
        assert_eq!(after_alphanumeric("abcdefgh\u{2014}ij", 0), 8);
    }

    #[test]
    fn possessives_acronyms_and_hyphens() {
        let w = words("The U.S. and the US’s allies. Moscow's US-Vietnam O'Brien");
        let texts: Vec<&str> = w.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(
            texts,
            [
                "The", "U.S.", "and", "the", "US", "allies", "Moscow", "US", "Vietnam", "O'Brien"
            ]
        );
        assert!(w[4].1, "US’s is possessive");
        assert!(w[6].1 && w[6].4, "Moscow's opens a sentence");
        assert!(w[8].3 && !w[8].2, "Vietnam is hyphen-linked");
        assert!(w[5].2, "allies follows US’s after a space");
    }

    #[test]
    fn abbreviation_dots_do_not_break_names() {
        let w = words("Reuters quoted Mr. Finer as saying. Dr Li left");
        let finer = w.iter().find(|t| t.0 == "Finer").unwrap();
        assert!(finer.2 && !finer.4, "{finer:?}");
        let dr = w.iter().find(|t| t.0 == "Dr").unwrap();
        assert!(dr.4);
    }

    #[test]
    fn lines_start_sentences_and_can_be_skipped() {
        let text = "Alpha beta\nFollow us on Twitter\nGamma";
        let mut out = Vec::new();
        tokenize_lines(text, |l| l.starts_with("Follow"), &mut out);
        let texts: Vec<&str> = out.iter().map(|t| t.text(text)).collect();
        assert_eq!(texts, ["Alpha", "beta", "Gamma"]);
        assert!(out[2].sentence_start && !out[2].spaced);
        assert_eq!(&text[out[2].start..out[2].end], "Gamma");
    }
}
