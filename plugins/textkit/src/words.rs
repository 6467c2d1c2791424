//! Word counting without allocating, with an optional bound (most rules only ask "more than N
//! words?", so a long paragraph need not be counted to its end).

/// Words of `text` (runs of non-white-space characters), as `text.split_whitespace().count()`,
/// counted up to `limit` at most (the result is the smaller of the two).
pub fn count_upto(text: &str, limit: usize) -> usize {
    if limit == 0 {
        return 0;
    }
    let mut count = 0;
    let mut in_word = false;
    for c in text.chars() {
        if c.is_whitespace() {
            in_word = false;
        } else if !in_word {
            in_word = true;
            count += 1;
            if count >= limit {
                break;
            }
        }
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
    let mut in_word = false;
    let mut counted = false;
    for c in text.chars() {
        if c.is_whitespace() {
            in_word = false;
        } else {
            if !in_word {
                in_word = true;
                counted = false;
            }
            if !counted && c.is_alphanumeric() {
                counted = true;
                count += 1;
            }
        }
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
