//! Text normalization: BOM, line endings, Unicode NFC, invisible and odd space characters.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// `text` in NFC, borrowed when it already is (almost every article: the quick check is a
/// table look-up per character, composing is several times dearer and allocates).
fn composed(text: &str) -> Cow<'_, str> {
    if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    }
}

/// True when `text` is in NFC by the quick check (so [`nfc`] would return it unchanged).
pub(crate) fn is_nfc(text: &str) -> bool {
    matches!(composed(text), Cow::Borrowed(_))
}

/// Normalizes article text: strips a BOM, turns CRLF/CR into LF, composes to NFC, turns
/// no-break and other odd spaces into plain spaces, removes zero-width characters and
/// trailing spaces, and expands tabs to a space.
pub fn normalize(raw: &str) -> String {
    let text = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    let mut out = String::with_capacity(text.len());
    let text = composed(text);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\u{2028}' | '\u{2029}' | '\u{0085}' => out.push('\n'),
            '\t' | '\u{00a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => {
                out.push(' ')
            }
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{00ad}' => {}
            c => out.push(c),
        }
    }
    let mut trimmed = String::with_capacity(out.len());
    for line in out.split('\n') {
        trimmed.push_str(line.trim_end());
        trimmed.push('\n');
    }
    trimmed.truncate(trimmed.trim_end().len());
    trimmed
}

/// True when text is mostly not text: more than 2% control characters (other than line
/// breaks and tabs) or replacement characters, as left by decoding a binary file as text.
pub fn looks_binary(text: &str) -> bool {
    if text.is_ascii() {
        // One byte per character, and no replacement characters.
        let bad = text
            .bytes()
            .filter(|&b| (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t')) || b == 0x7f)
            .count();
        return !text.is_empty() && bad * 50 > text.len();
    }
    let mut total = 0usize;
    let mut bad = 0usize;
    for c in text.chars() {
        total += 1;
        if (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || c == '\u{fffd}' {
            bad += 1;
        }
    }
    total > 0 && bad * 50 > total
}

/// Composes a string to Unicode NFC (for fields set by other plugins).
pub fn nfc(text: &str) -> String {
    composed(text).into_owned()
}

/// Collapses runs of white space inside a line to one space and trims the ends.
pub fn squash_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_line_endings_and_spaces() {
        let raw = "\u{feff}Title\r\n\r\nOne\u{a0}two\rthree\u{200b}   \n";
        assert_eq!(normalize(raw), "Title\n\nOne two\nthree");
    }

    #[test]
    fn composes_to_nfc() {
        // "e" + combining acute, "D" + combining dot below... -> precomposed.
        assert_eq!(normalize("Vie\u{0302}\u{0323}t"), "Việt");
        assert_eq!(nfc("Vie\u{0302}\u{0323}t"), "Việt");
        // Already composed (the quick check's fast path) and decomposed text agree.
        assert_eq!(
            normalize("Việt Nam\r\n"),
            normalize("Vie\u{0323}\u{0302}t Nam")
        );
        assert_eq!(nfc("plain ascii"), "plain ascii");
    }

    #[test]
    fn binary_looking_text() {
        assert!(looks_binary("\u{1}\u{2}\u{3}abc\u{fffd}\u{fffd}"));
        assert!(!looks_binary("Hà Nội\n\tnormal text, with “quotes”."));
        assert!(looks_binary("\u{1}\u{2}\u{7f}abc"));
        let one_in_sixty = format!("{}\u{1}", "plain\r\n\ttext ".repeat(5));
        assert!(!looks_binary(&one_in_sixty));
        assert!(!looks_binary(""));
    }

    #[test]
    fn squashes_spaces() {
        assert_eq!(squash_spaces("  a \t b\n c "), "a b c");
    }
}
