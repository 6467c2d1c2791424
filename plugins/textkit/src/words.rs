//! Word counting without allocating, with an optional bound (most rules only ask "more than N
//! words?", so a long paragraph need not be counted to its end).

use crate::ascii8;

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

/// [`count_alphanumeric`] over four characters at once: indexed by `counted | spaces << 1 |
/// alnums << 5` (one bit per character), the words counted (low bits) and the new
/// `counted` (bit 3).
const ALNUM_STEP: [u8; 512] = {
    let mut table = [0u8; 512];
    let mut index = 0;
    while index < 512 {
        let mut counted = index & 1;
        let mut count = 0;
        let mut j = 0;
        while j < 4 {
            let space = (index >> (1 + j)) & 1;
            let alnum = (index >> (5 + j)) & 1;
            count += alnum & (counted ^ 1);
            counted = (counted | alnum) & (space ^ 1);
            j += 1;
        }
        table[index] = (count | counted << 3) as u8;
        index += 1;
    }
    table
};

/// Words of `text` (runs of non-white-space characters), as `text.split_whitespace().count()`,
/// counted up to `limit` at most (the result is the smaller of the two).
pub fn count_upto(text: &str, limit: usize) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    // 1 when the previous character was white space (or there was none).
    let mut after_space = 1usize;
    let mut i = 0;
    while i < text.len() && count < limit {
        if let Some(x) = ascii8::chunk(bytes, i) {
            let (space, control, _) = ascii8::masks(x);
            let white = space | control;
            let before = (white << 8) | ((after_space as u64) << 7);
            count += ascii8::ones(!white & before & ascii8::HIGH);
            after_space = (white >> 63) as usize;
            i += 8;
            continue;
        }
        let (class, len) = class_at(text, i);
        let space = usize::from(class & SPACE);
        count += after_space & (space ^ 1);
        after_space = space;
        i += len;
    }
    count.min(limit)
}

/// Words of `text`, as `text.split_whitespace().count()`.
pub fn count(text: &str) -> usize {
    count_upto(text, usize::MAX)
}

/// Words that hold a letter or digit, as `text.split_whitespace().filter(|w|
/// w.chars().any(char::is_alphanumeric)).count()`.
pub fn count_alphanumeric(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    // 1 once the current word has been counted (it holds a letter or digit).
    let mut counted = 0usize;
    let mut i = 0;
    while i < text.len() {
        if let Some(x) = ascii8::chunk(bytes, i) {
            let (space, control, alnum) = ascii8::masks(x);
            let spaces = ascii8::gather(space | control);
            let alnums = ascii8::gather(alnum);
            for half in [0, 4] {
                let step = ALNUM_STEP
                    [counted | ((spaces >> half) & 0xF) << 1 | ((alnums >> half) & 0xF) << 5];
                count += usize::from(step & 7);
                counted = usize::from(step >> 3);
            }
            i += 8;
            continue;
        }
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
        "Words, of (prose) -- with “quotes” and 12,000 numbers; a\tlong\n\nline  here.",
        " x \u{b}y\u{c}\u{1c}z\u{1f}\u{7f}@[`{ AZaz09/:@[`{~",
    ];

    /// Texts with every ASCII byte in every position of an eight-byte chunk, beside the
    /// pieces of [`TEXTS`].
    fn texts() -> Vec<String> {
        let mut texts: Vec<String> = TEXTS.iter().map(|t| (*t).to_owned()).collect();
        for b in 0u8..128 {
            for at in 0..9 {
                let mut text = "ab c".repeat(3).into_bytes();
                text.insert(at, b);
                texts.extend(String::from_utf8(text).ok());
            }
        }
        let mut next = crate::testing::seeded_below(3_u64);
        const PIECES: &[&str] = &[
            "a", "Z", "9", " ", "  ", "\t", "\n", "-", "“", "é", "\u{a0}", "\u{b}", ".", "\u{2003}",
        ];
        for _ in 0..5_000 {
            let text = crate::testing::random_text(&mut next, PIECES, 40);
            texts.push(text);
        }
        texts
    }

    #[test]
    fn counts_like_split_whitespace() {
        for text in &texts() {
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
