//! Word counting without allocating, with an optional bound (most rules only ask "more than N
//! words?", so a long paragraph need not be counted to its end).

/// What a character is to the word counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// White space (`char::is_whitespace`).
    Space,
    /// A letter or digit (`char::is_alphanumeric`).
    Alphanumeric,
    /// Anything else (punctuation, symbols).
    Other,
}

/// The class of every ASCII byte; non-ASCII characters are decoded and asked.
const ASCII_CLASS: [Class; 128] = {
    let mut table = [Class::Other; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = if matches!(b as u8, b' ' | b'\t'..=b'\r') {
            Class::Space
        } else if (b as u8).is_ascii_alphanumeric() {
            Class::Alphanumeric
        } else {
            Class::Other
        };
        b += 1;
    }
    table
};

/// Calls `f` with the class of each character of `text`, in order, until it returns false.
/// ASCII bytes (most of any article) are looked up in a table, without decoding.
#[inline]
fn for_each_class(text: &str, mut f: impl FnMut(Class) -> bool) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let class = if b < 0x80 {
            i += 1;
            ASCII_CLASS[usize::from(b)]
        } else {
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            i += c.len_utf8();
            if c.is_whitespace() {
                Class::Space
            } else if c.is_alphanumeric() {
                Class::Alphanumeric
            } else {
                Class::Other
            }
        };
        if !f(class) {
            break;
        }
    }
}

/// Words of `text` (runs of non-white-space characters), as `text.split_whitespace().count()`,
/// counted up to `limit` at most (the result is the smaller of the two).
pub fn count_upto(text: &str, limit: usize) -> usize {
    if limit == 0 {
        return 0;
    }
    let mut count = 0;
    let mut in_word = false;
    for_each_class(text, |class| {
        if class == Class::Space {
            in_word = false;
        } else if !in_word {
            in_word = true;
            count += 1;
        }
        count < limit
    });
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
    let mut counted = false;
    for_each_class(text, |class| {
        match class {
            Class::Space => counted = false,
            Class::Alphanumeric if !counted => {
                counted = true;
                count += 1;
            }
            Class::Alphanumeric | Class::Other => {}
        }
        true
    });
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
