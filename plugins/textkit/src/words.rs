//! Word counting without allocating, with an optional bound (most rules only ask "more than N
//! words?", so a long paragraph need not be counted to its end).

/// Bit set in [`ASCII_CLASS`] for white space (`char::is_whitespace`).
const SPACE: u8 = 1;
/// Bit set in [`ASCII_CLASS`] for letters and digits (`char::is_alphanumeric`).
const ALNUM: u8 = 2;

/// The class bits of every ASCII byte; non-ASCII characters are decoded and asked.
const ASCII_CLASS: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let byte = b as u8;
        table[b] = if matches!(byte, b' ' | b'\t'..=b'\r') {
            SPACE
        } else if byte.is_ascii_alphanumeric() {
            ALNUM
        } else {
            0
        };
        b += 1;
    }
    table
};

/// The class bits of the character starting at byte `i` of `text` and its length in bytes.
/// ASCII bytes (most of any article) are looked up in a table, without decoding.
#[inline(always)]
fn class_at(text: &str, i: usize) -> (u8, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        return (ASCII_CLASS[usize::from(b)], 1);
    }
    match text[i..].chars().next() {
        Some(c) if c.is_whitespace() => (SPACE, c.len_utf8()),
        Some(c) if c.is_alphanumeric() => (ALNUM, c.len_utf8()),
        Some(c) => (0, c.len_utf8()),
        None => (SPACE, text.len() - i),
    }
}

/// Words of `text` (runs of non-white-space characters), as `text.split_whitespace().count()`,
/// counted up to `limit` at most (the result is the smaller of the two).
pub fn count_upto(text: &str, limit: usize) -> usize {
    let mut count = 0;
    // 1 when the previous character was white space (or there was none).
    let mut after_space = 1usize;
    let mut i = 0;
    while i < text.len() && count < limit {
        let (class, len) = class_at(text, i);
        let space = usize::from(class & SPACE);
        count += after_space & (space ^ 1);
        after_space = space;
        i += len;
    }
    count
}

/// Words of `text`, as `text.split_whitespace().count()`.
pub fn count(text: &str) -> usize {
    count_upto(text, usize::MAX)
}

/// Words that hold a letter or digit, as `text.split_whitespace().filter(|w|
/// w.chars().any(char::is_alphanumeric)).count()`.
pub fn count_alphanumeric(text: &str) -> usize {
    let mut count = 0;
    // 1 once the current word has been counted (it holds a letter or digit).
    let mut counted = 0usize;
    let mut i = 0;
    while i < text.len() {
        let (class, len) = class_at(text, i);
        let alnum = usize::from(class >> 1);
        let space = usize::from(class & SPACE);
        count += alnum & (counted ^ 1);
        counted = (counted | alnum) & (space ^ 1);
        i += len;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXTS: &[&str] = &[
        "",
        "   ",
        "one",
        " one  two\tthree\nfour\r\n",
        "a\u{a0}b\u{2003}c\u{3000}d\u{85}e\u{2028}f\u{b}g\u{c}h",
        "— – … 12 ,, Việt Nam’s “quoted” -- x",
        "trailing space ",
    ];

    #[test]
    fn counts_like_split_whitespace() {
        for text in TEXTS {
            let words = text.split_whitespace().count();
            assert_eq!(count(text), words, "{text:?}");
            for limit in 0..words + 2 {
                assert_eq!(
                    count_upto(text, limit),
                    words.min(limit),
                    "{text:?} {limit}"
                );
            }
            let alnum = text
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count();
            assert_eq!(count_alphanumeric(text), alnum, "{text:?}");
        }
    }
}
