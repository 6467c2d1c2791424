//! The JSON of the document's text fields, written as `serde_json` writes them, eight bytes at a time.

use crate::ascii8;
use crate::document::{DedupInfo, Entity, Paragraph, SourceInfo, TraceEntry};

/// How `serde_json` escapes each byte of a string: 0 for none, `u` for `\u00XX`, else the
/// letter after the backslash.
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// High bit of each byte of a word that holds a byte `serde_json` escapes (a control
/// character, `"` or `\`); only bytes below 0x80 can be such a byte.
fn escapes(word: u64) -> u64 {
    // `word - 0x20 * ONES` sets a byte's high bit where the byte was below 0x20 (for bytes
    // below 0x80, which `!word & HIGH` keeps).
    let control = word.wrapping_sub(0x2020_2020_2020_2020) & !word & ascii8::HIGH;
    control | ascii8::equal(word, b'"') | ascii8::equal(word, b'\\')
}

/// Writes `text` as a JSON string, byte for byte as `serde_json::to_writer` does: `"` and `\`
/// escaped, control characters as `\b \t \n \f \r` or `\u00XX` (lower-case hex), nothing else.
/// Runs without an escape are copied eight bytes at a time.
pub(crate) fn write_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(word) = ascii8::word(bytes, i) {
            let found = escapes(word);
            if found == 0 {
                i += 8;
                continue;
            }
            // Borrows in the subtraction can mark a byte after a true hit, never before one:
            // the first marked byte is the first escape, the rest are checked one by one.
            i += (found.trailing_zeros() / 8) as usize;
        }
        let b = bytes[i];
        let escape = ESCAPE[usize::from(b)];
        if escape == 0 {
            i += 1;
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        if escape == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]);
        } else {
            out.extend_from_slice(&[b'\\', escape]);
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// A field value's JSON, as `serde_json::to_writer` writes it. Strings, the paragraphs and the
/// entities (most of a document's bytes) go through [`write_str`]; the rest through `serde_json`.
pub(crate) trait WriteJson {
    /// Appends the value's JSON to `out`.
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()>;
}

impl WriteJson for String {
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        write_str(out, self);
        Ok(())
    }
}

impl WriteJson for Option<String> {
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        match self {
            Some(text) => write_str(out, text),
            None => out.extend_from_slice(b"null"),
        }
        Ok(())
    }
}

/// Writes `items` as a JSON array, each element by `write`.
fn write_array<T>(
    out: &mut Vec<u8>,
    items: &[T],
    mut write: impl FnMut(&mut Vec<u8>, &T) -> serde_json::Result<()>,
) -> serde_json::Result<()> {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item)?;
    }
    out.push(b']');
    Ok(())
}

impl WriteJson for Vec<String> {
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        write_array(out, self, |out, text| {
            write_str(out, text);
            Ok(())
        })
    }
}

impl WriteJson for Vec<Paragraph> {
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        write_array(out, self, |out, p| {
            // As derived: {"kind":...,"text":...}.
            out.extend_from_slice(b"{\"kind\":");
            serde_json::to_writer(&mut *out, &p.kind)?;
            out.extend_from_slice(b",\"text\":");
            write_str(out, &p.text);
            out.push(b'}');
            Ok(())
        })
    }
}

/// Writes `n` in decimal, as `serde_json` does (with the same `itoa`).
fn write_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

impl WriteJson for Vec<Entity> {
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        write_array(out, self, |out, entity| {
            // As derived, which writes a map for the flattened `extra`:
            // {"text":...,"label":...,"count":N,"spans":[[a,b],...],"name":value,...}.
            out.extend_from_slice(b"{\"text\":");
            write_str(out, &entity.text);
            out.extend_from_slice(b",\"label\":");
            write_str(out, &entity.label);
            out.extend_from_slice(b",\"count\":");
            write_u64(out, entity.count);
            out.extend_from_slice(b",\"spans\":");
            write_array(out, &entity.spans, |out, [start, end]| {
                out.push(b'[');
                write_u64(out, *start);
                out.push(b',');
                write_u64(out, *end);
                out.push(b']');
                Ok(())
            })?;
            for (name, value) in &entity.extra {
                out.push(b',');
                write_str(out, name);
                out.push(b':');
                serde_json::to_writer(&mut *out, value)?;
            }
            out.push(b'}');
            Ok(())
        })
    }
}

/// Types written by `serde_json` itself.
macro_rules! through_serde {
    ($($ty:ty),* $(,)?) => {
        $(
            impl WriteJson for $ty {
                fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
                    serde_json::to_writer(out, self)
                }
            }
        )*
    };
}

through_serde!(
    SourceInfo,
    Option<bool>,
    Option<u64>,
    Option<DedupInfo>,
    Vec<TraceEntry>,
);

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        write_str(&mut out, text);
        out
    }

    #[test]
    fn every_byte_at_every_position_is_written_as_serde_json_writes_it() {
        for c in (0u8..0x80)
            .map(char::from)
            .chain(['é', '\u{2028}', '😀', '\u{7f}'])
        {
            for before in 0..17 {
                for after in [0, 1, 7, 8, 9] {
                    let text = format!("{}{c}{}", "a".repeat(before), "b".repeat(after));
                    assert_eq!(ours(&text), serde_json::to_vec(&text).unwrap(), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn random_texts_are_written_as_serde_json_writes_them() {
        const PIECES: &[&str] = &[
            "a", "Z", " ", "\n", "\n\n", "\"", "\\", "\t", "\r", "\u{1}", "\u{1f}", "\u{7f}", "é",
            "—", "😀", "/", "abcdefgh", "<>&'",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        for _ in 0..20_000 {
            let text: String = (0..next(30)).map(|_| PIECES[next(PIECES.len())]).collect();
            assert_eq!(ours(&text), serde_json::to_vec(&text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn fields_are_written_as_serde_json_writes_them() {
        let paragraphs = vec![
            Paragraph::text("One \"quoted\"\nline"),
            Paragraph::heading("Two"),
            Paragraph {
                kind: crate::document::ParagraphKind::Other,
                text: String::new(),
            },
        ];
        let mut out = Vec::new();
        paragraphs.write_json(&mut out).unwrap();
        assert_eq!(out, serde_json::to_vec(&paragraphs).unwrap());
        let authors = vec!["A \\ B".to_owned(), "C".to_owned()];
        out.clear();
        authors.write_json(&mut out).unwrap();
        assert_eq!(out, serde_json::to_vec(&authors).unwrap());
        for title in [None, Some("T\u{0}".to_owned())] {
            out.clear();
            title.write_json(&mut out).unwrap();
            assert_eq!(out, serde_json::to_vec(&title).unwrap());
        }
    }

    #[test]
    fn entities_are_written_as_serde_json_writes_them() {
        use serde_json::json;
        let entity = |text: &str, label: &str, count: u64, spans: Vec<[u64; 2]>| Entity {
            text: text.to_owned(),
            label: label.to_owned(),
            count,
            spans,
            ..Entity::default()
        };
        let mut with_extra = entity("Hồ Chí Minh \"City\"", "GPE", 3, vec![[1, 2], [30, 45]]);
        with_extra
            .extra
            .insert("wikidata".to_owned(), json!("Q1854"));
        with_extra
            .extra
            .insert("a\"b\\c\n\u{1}é😀".to_owned(), json!(null));
        with_extra.extra.insert(
            "nested".to_owned(),
            json!({"z": [1, -2, 3.5, true, {"k": "v\t"}], "a": {}, "e": []}),
        );
        with_extra.extra.insert(String::new(), json!(1e300));
        with_extra.extra.insert("aa".to_owned(), json!(u64::MAX));
        let mut only_extra = Entity::default();
        only_extra.extra.insert("x".to_owned(), json!(-1));
        let lists = vec![
            vec![],
            vec![Entity::default()],
            vec![entity("United States", "GPE", 2, vec![[0, 13]])],
            vec![
                entity("", "", 0, vec![]),
                entity(
                    "a\\b\"c\u{0}\u{1f}\u{7f}\r\n\t\u{8}\u{c}/",
                    "ORG",
                    1,
                    vec![],
                ),
                entity("U.S. — 😀 \u{2028}", "LAW", u64::MAX, vec![[u64::MAX, 0]]),
                entity(
                    "many",
                    "PERSON",
                    1_000_000,
                    (0..100).map(|i| [i * 977, i * 977 + 12]).collect(),
                ),
                with_extra,
                only_extra,
            ],
        ];
        let mut out = Vec::new();
        for entities in &lists {
            out.clear();
            entities.write_json(&mut out).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&serde_json::to_vec(entities).unwrap())
            );
            assert_eq!(out, serde_json::to_vec(entities).unwrap());
        }
    }
}
