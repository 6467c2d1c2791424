//! Text normalization: BOM, line endings, Unicode NFC, invisible and odd space characters.

use std::borrow::Cow;

use crate::ascii8;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// `text` in NFC, borrowed when it already is (almost every article: the quick check is a
/// table look-up per character, composing is several times dearer and allocates).
fn composed(text: &str) -> Cow<'_, str> {
    if quick_nfc(text) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    }
}

/// True when the quick check says `text` is in NFC. An ASCII character is always allowed and
/// resets the check's state (it is a starter), so only the runs of non-ASCII characters
/// between ASCII ones are checked, each on its own.
fn quick_nfc(text: &str) -> bool {
    non_ascii_runs(text).all(|run| is_nfc_quick(run.chars()) == IsNormalized::Yes)
}

/// The maximal runs of non-ASCII characters in `text`, in order; ASCII is skipped eight bytes
/// at a time. A run starts after an ASCII byte (or at the start) and ends before the next
/// one (or at the end), so it is whole characters.
pub(crate) fn non_ascii_runs(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            if ascii8::chunk(bytes, i).is_some() {
                i += 8;
            } else if bytes[i] < 0x80 {
                i += 1;
            } else {
                let start = i;
                while bytes.get(i).is_some_and(|&b| b >= 0x80) {
                    i += 1;
                }
                return text.get(start..i);
            }
        }
        None
    })
}

/// True when `text` is in NFC by the quick check (so [`nfc`] would return it unchanged).
pub(crate) fn is_nfc(text: &str) -> bool {
    matches!(composed(text), Cow::Borrowed(_))
}

/// What [`normalize`] does with a character it rewrites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rewrite {
    /// A line break (CR, CRLF, LF, line and paragraph separators, NEL).
    Newline,
    /// Tabs, no-break and other odd spaces become a plain space.
    Space,
    /// Zero-width characters and soft hyphens are deleted.
    Delete,
}

/// How [`normalize`] rewrites `c`; `None` keeps it.
fn rewrite(c: char) -> Option<Rewrite> {
    match c {
        '\r' | '\n' | '\u{2028}' | '\u{2029}' | '\u{0085}' => Some(Rewrite::Newline),
        '\t' | '\u{00a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => {
            Some(Rewrite::Space)
        }
        '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{00ad}' => {
            Some(Rewrite::Delete)
        }
        _ => None,
    }
}

/// True for the bytes that may start a character [`rewrite`] changes: `\t`, `\n`, `\r` and
/// the UTF-8 lead bytes of U+0085..U+00AD, U+2000..U+2060, U+3000 and U+FEFF.
fn may_rewrite(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\r' | 0xC2 | 0xE2 | 0xE3 | 0xEF)
}

/// Normalizes article text: strips a BOM, turns CRLF/CR into LF, composes to NFC, turns
/// no-break and other odd spaces into plain spaces, removes zero-width characters and
/// trailing spaces, and expands tabs to a space.
///
/// One pass: runs of bytes that need no rewriting are copied whole, and each line loses its
/// trailing white space as it ends.
pub fn normalize(raw: &str) -> String {
    let text = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    let text = composed(text);
    let text: &str = &text;
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut line_start = 0;
    // Start of the bytes not yet copied to `out`.
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight ASCII bytes none of which is a control character: nothing to rewrite.
        if ascii8::chunk(bytes, i).is_some_and(|x| ascii8::at_least(x, 0x0E) == ascii8::HIGH) {
            i += 8;
            continue;
        }
        if !may_rewrite(bytes[i]) {
            i += 1;
            continue;
        }
        // `may_rewrite` bytes are ASCII or lead bytes: `i` is a character boundary.
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        let Some(action) = rewrite(c) else {
            i += c.len_utf8();
            continue;
        };
        out.push_str(&text[copied..i]);
        i += c.len_utf8();
        match action {
            Rewrite::Newline => {
                if c == '\r' && bytes.get(i) == Some(&b'\n') {
                    i += 1;
                }
                out.truncate(line_start + out[line_start..].trim_end().len());
                out.push('\n');
                line_start = out.len();
            }
            Rewrite::Space => out.push(' '),
            Rewrite::Delete => {}
        }
        copied = i;
    }
    out.push_str(&text[copied..]);
    out.truncate(out.trim_end().len());
    out
}

/// True when text is mostly not text: more than 2% control characters (other than line
/// breaks and tabs) or replacement characters, as left by decoding a binary file as text.
///
/// Counted on bytes: characters are the bytes that do not continue a UTF-8 sequence, C0
/// controls and DEL are single bytes, C1 controls are `C2 80..=C2 9F` and U+FFFD is
/// `EF BF BD`. Text with few bytes that could start one (almost every article) is settled
/// by one quick scan that counts them.
pub fn looks_binary(text: &str) -> bool {
    let bytes = text.as_bytes();
    let suspect = |b: u8| {
        (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t')) || b == 0x7f || b == 0xC2 || b == 0xEF
    };
    // Every control counted below starts with a suspect byte, and a text of `n` bytes has at
    // least `n / 4` characters: too few suspects settle it (no-break spaces are `C2 A0`).
    let suspects: usize = bytes
        .chunks(64)
        .map(|chunk| {
            // At most 64 per chunk: byte-wide counters, which the compiler vectorizes.
            let n = chunk.iter().fold(0u8, |n, &b| n + u8::from(suspect(b)));
            usize::from(n)
        })
        .sum();
    if suspects * 50 <= bytes.len() / 4 {
        return false;
    }
    let mut total = 0usize;
    let mut bad = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        if b & 0xC0 == 0x80 {
            continue;
        }
        total += 1;
        let control = match b {
            b'\n' | b'\r' | b'\t' => false,
            0..0x20 | 0x7f => true,
            0xC2 => bytes.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n)),
            0xEF => bytes.get(i + 1..i + 3) == Some(&[0xBF, 0xBD]),
            _ => false,
        };
        bad += usize::from(control);
    }
    total > 0 && bad * 50 > total
}

/// Composes a string to Unicode NFC (for fields set by other plugins).
pub fn nfc(text: &str) -> String {
    composed(text).into_owned()
}

/// `*text = nfc(text.trim())`, without a new string when `text` is already trimmed and in NFC
/// (nearly always: the cleaner wrote it).
pub(crate) fn nfc_trimmed_in_place(text: &mut String) {
    let trimmed = text.trim();
    let same = trimmed.len() == text.len();
    match composed(trimmed) {
        Cow::Borrowed(_) if same => {}
        Cow::Borrowed(t) => *text = t.to_owned(),
        Cow::Owned(t) => *text = t,
    }
}

/// Collapses runs of white space inside a line to one space and trims the ends.
pub fn squash_spaces(text: &str) -> String {
    if is_squashed(text) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// [`squash_spaces`] of an owned string, which is returned as it is when already squashed.
pub(crate) fn squash_owned(text: String) -> String {
    if is_squashed(&text) {
        text
    } else {
        squash_spaces(&text)
    }
}

/// True when [`squash_spaces`] would return `text` unchanged: its only white space is single
/// plain spaces between words (most lines). Non-ASCII characters are decoded only to ask
/// whether they are white space.
fn is_squashed(text: &str) -> bool {
    let bytes = text.as_bytes();
    // The previous character was white space (true at the start: no leading space).
    let mut after_space = true;
    let mut i = 0;
    while i < bytes.len() {
        // Eight ASCII bytes at once: no white space but single plain spaces.
        if let Some(x) = ascii8::chunk(bytes, i) {
            let (space, control, _) = ascii8::masks(x);
            let before = (space << 8) | (u64::from(after_space) << 7);
            if control != 0 || space & before != 0 {
                return false;
            }
            after_space = space >> 63 != 0;
            i += 8;
            continue;
        }
        let b = bytes[i];
        let space = if b < 0x80 {
            i += 1;
            if b == b' ' {
                true
            } else if b.is_ascii_whitespace() || b == 0x0B {
                return false;
            } else {
                false
            }
        } else {
            let Some(c) = text[i..].chars().next() else {
                return false;
            };
            i += c.len_utf8();
            if c.is_whitespace() {
                return false;
            }
            false
        };
        if space && after_space {
            return false;
        }
        after_space = space;
    }
    !after_space || text.is_empty()
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
        for text in TRICKY {
            let reference = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(squash_spaces(text), reference, "{text:?}");
            assert_eq!(squash_owned((*text).to_owned()), reference, "{text:?}");
        }
    }

    #[test]
    fn squashed_check_agrees_on_long_lines() {
        const PIECES: &[&str] = &[
            "word", "a", " ", "  ", "\t", "\n", "\u{b}", "\u{c}", "\r", "-", "“", "é", "\u{a0}",
            "\u{2003}", "\u{1680}", "abcdefgh", "abc defg",
        ];
        let mut next = crate::testing::seeded_below(13_u64);
        for _ in 0..20_000 {
            let text = crate::testing::random_text(&mut next, PIECES, 30);
            let reference = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(is_squashed(&text), text == reference, "{text:?}");
            assert_eq!(squash_spaces(&text), reference, "{text:?}");
        }
    }

    #[test]
    fn quick_check_by_runs_agrees_with_the_whole_text() {
        const PIECES: &[&str] = &[
            "a",
            "abcdefgh",
            " ",
            "e\u{301}",
            "\u{301}",
            "\u{323}\u{302}",
            "\u{302}\u{323}",
            "é",
            "’",
            "\u{212b}",
            "\u{0958}",
            "Việt",
            "\u{1100}\u{1161}",
            "\u{0344}",
        ];
        let mut next = crate::testing::seeded_below(17_u64);
        for _ in 0..20_000 {
            let text = crate::testing::random_text(&mut next, PIECES, 12);
            let whole = is_nfc_quick(text.chars()) == IsNormalized::Yes;
            assert_eq!(quick_nfc(&text), whole, "{text:?}");
        }
    }

    /// Lines and texts with every character the passes treat specially.
    const TRICKY: &[&str] = &[
        "",
        " ",
        "a",
        "a b",
        "a  b",
        " a",
        "a ",
        "a\u{b}b",
        "a\u{c}b",
        "a\u{a0}b",
        "a\u{85}b",
        "a\u{1680}b\u{3000}",
        "Việt Nam’s “quoted” — text",
        "\r\n\r\nTitle\r\rBody \t\u{a0}\r\nEnd\u{2028}x\u{2029}y\u{85}z",
        "zero\u{200b}width\u{feff}\u{ad}\u{2060}\u{200c}\u{200d} and\u{202f}narrow\u{205f}\u{2003}",
        "trailing \u{1680}\u{b}\u{c}\nnext\t\n\n\n \n",
        "\u{feff}\u{feff}BOM twice",
        "e\u{301}\u{200b}\u{301} composed",
        "\u{c2}\u{9f}\u{fffd}\u{7f}\u{1}\u{9f}\u{80}",
    ];

    /// The two-pass normalization `normalize` replaced, as the reference it must equal.
    fn normalize_reference(raw: &str) -> String {
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
                '\t'
                | '\u{00a0}'
                | '\u{2000}'..='\u{200a}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}' => out.push(' '),
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

    /// The character-by-character binary check `looks_binary` replaced.
    fn looks_binary_reference(text: &str) -> bool {
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

    #[test]
    fn the_binary_check_agrees_near_its_threshold() {
        // Suspect bytes (no-break spaces, controls, replacement characters) from far below
        // to above one in fifty characters, in ASCII and in four-byte text.
        for filler in ["a", "\u{1f600}", "é"] {
            for suspect in ["\u{a0}", "\u{1}", "\u{fffd}", "\u{85}", "\u{ff41}"] {
                for every in [1, 10, 12, 13, 49, 50, 51, 52, 200] {
                    let text: String = (0..600)
                        .map(|i| if i % every == 0 { suspect } else { filler })
                        .collect();
                    assert_eq!(
                        looks_binary(&text),
                        looks_binary_reference(&text),
                        "{text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn one_pass_versions_equal_the_references() {
        let mut texts: Vec<String> = TRICKY.iter().map(|t| (*t).to_owned()).collect();
        texts.extend(
            crate::testing::fixture_articles()
                .into_iter()
                .map(|(_, text)| text),
        );
        // Every pair of tricky pieces, so each follows each other one.
        for a in TRICKY {
            for b in TRICKY {
                texts.push(format!("{a}{b}"));
            }
        }
        for text in &texts {
            assert_eq!(normalize(text), normalize_reference(text), "{text:?}");
            assert_eq!(looks_binary(text), looks_binary_reference(text), "{text:?}");
            let line = text.replace('\n', " ");
            assert_eq!(
                squash_spaces(&line),
                line.split_whitespace().collect::<Vec<_>>().join(" "),
                "{line:?}"
            );
        }
    }

    #[test]
    fn non_ascii_runs_are_the_whole_characters_between_ascii_bytes() {
        let runs: Vec<&str> = non_ascii_runs("abcdefghij “é” x—y ŝ\u{301}").collect();
        assert_eq!(runs, vec!["“é”", "—", "ŝ\u{301}"]);
        assert_eq!(non_ascii_runs("plain ASCII text, long enough").count(), 0);
        assert_eq!(non_ascii_runs("").count(), 0);
        assert_eq!(non_ascii_runs("ééé").collect::<Vec<_>>(), vec!["ééé"]);
    }
}
