//! The compact binary form of field inputs and field patches (ABI 1.3): text as length and bytes.
//!
//! JSON makes every crossing scan each text byte twice more than it copies it (escapes out,
//! escapes and validation in). From ABI 1.3 the host sends a plugin of ABI 1.3 its fields in
//! this form, and the SDK answers with a patch in the same form; older plugins, and plugins
//! written by hand, keep JSON. Both sides tell the forms apart by the first byte: [`MAGIC`]
//! can never start JSON.
//!
//! A message is [`MAGIC`], then (input only) the document's `id`, then entries until the end:
//! one byte naming the field (its [`crate::fields`] bit number, [`ID_ENTRY`] for `id` in a
//! patch, [`EXTRA_ENTRY`] for the fields this SDK does not know), then the field's value:
//!
//! * a string: its length (`u32`, little-endian) and its UTF-8 bytes;
//! * a number: `u64`, little-endian; an option: a byte `0` (none) or `1` and the value;
//!   `Option<bool>`: one byte, `0` none, `1` false, `2` true;
//! * a list: its length (`u32`) and the items; a paragraph: its kind (one byte, in the order of
//!   [`ParagraphKind`]) and its text; an entity: text, label, count, the spans (a `u32` count
//!   and two `u64` each) and its unknown fields as a JSON object (length and bytes, empty for
//!   none);
//! * `source`, `dedup`, `trace` and the unknown fields: their JSON (length and bytes; small; a
//!   length of 0 stands for the default value).
//!
//! In a patch an entry sets its field, to the field's default when the value is the default,
//! and the unknown-fields entry holds a JSON object whose `null` members remove a field, as in
//! a JSON patch. The reader checks every length against the bytes left and validates all
//! text as UTF-8, so malformed input is an error, never a panic or an oversized allocation.
//!
//! The reader refuses field numbers it does not know. So a document field added later comes
//! with a new ABI minor version: a side of that version sends the new field by number only to
//! a peer of that version, and to an older peer inside the unknown-fields entry, as JSON
//! carries it.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::document::{DedupInfo, Entity, Paragraph, ParagraphKind, SourceInfo, TraceEntry};

/// First byte of every binary message: not a byte JSON can start with.
pub const MAGIC: u8 = 0xB1;

/// The entry byte of `id` in a patch (it may only repeat the document's id).
pub const ID_ENTRY: u8 = 62;

/// The entry byte of the fields this SDK does not know (the document's `extra` map).
pub const EXTRA_ENTRY: u8 = 63;

/// Whether `bytes` are a binary message (and not JSON).
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes.first() == Some(&MAGIC)
}

/// Why binary bytes could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BinaryError {
    /// The message does not start with [`MAGIC`].
    #[error("not a binary message (first byte {0:#04x})")]
    NoMagic(u8),
    /// A length or value runs past the end.
    #[error("truncated at byte {0}")]
    Truncated(usize),
    /// A string is not valid UTF-8.
    #[error("text at byte {0} is not valid UTF-8")]
    NotUtf8(usize),
    /// An entry names no field this SDK knows.
    #[error("unknown field entry {0}")]
    UnknownField(u8),
    /// A tag byte has no meaning here.
    #[error("invalid tag {tag} at byte {at}")]
    BadTag {
        /// The byte.
        tag: u8,
        /// Where.
        at: usize,
    },
    /// An embedded JSON value does not parse as its field.
    #[error("invalid JSON in {field}: {reason}")]
    BadJson {
        /// The field.
        field: &'static str,
        /// The parser's message, bounded.
        reason: String,
    },
}

/// Reads values from a binary message, every length checked against the bytes left.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// A reader after the magic byte of `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Result<Self, BinaryError> {
        match bytes.first() {
            Some(&MAGIC) => Ok(Reader { bytes, at: 1 }),
            first => Err(BinaryError::NoMagic(first.copied().unwrap_or(0))),
        }
    }

    /// Whether every byte was read.
    pub(crate) fn is_empty(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], BinaryError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len());
        let end = end.ok_or(BinaryError::Truncated(self.at))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    pub(crate) fn byte(&mut self) -> Result<u8, BinaryError> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<usize, BinaryError> {
        let bytes: [u8; 4] = self.take(4)?.try_into().map_err(|_| self.truncated())?;
        Ok(u32::from_le_bytes(bytes) as usize)
    }

    fn u64(&mut self) -> Result<u64, BinaryError> {
        let bytes: [u8; 8] = self.take(8)?.try_into().map_err(|_| self.truncated())?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn truncated(&self) -> BinaryError {
        BinaryError::Truncated(self.at)
    }

    fn str(&mut self) -> Result<&'a str, BinaryError> {
        let len = self.u32()?;
        let at = self.at;
        std::str::from_utf8(self.take(len)?).map_err(|_| BinaryError::NotUtf8(at))
    }

    /// A list length, with room reserved for no more items than the bytes left could hold
    /// (each item takes at least `min_item` bytes).
    fn list<T>(&mut self, min_item: usize) -> Result<(usize, Vec<T>), BinaryError> {
        let count = self.u32()?;
        let room = (self.bytes.len() - self.at) / min_item.max(1);
        if count > room {
            return Err(self.truncated());
        }
        Ok((count, Vec::with_capacity(count)))
    }

    /// An embedded JSON value; no bytes at all stand for its default.
    fn json<T: serde::de::DeserializeOwned + Default>(
        &mut self,
        field: &'static str,
    ) -> Result<T, BinaryError> {
        let len = self.u32()?;
        if len == 0 {
            return Ok(T::default());
        }
        let bytes = self.take(len)?;
        serde_json::from_slice(bytes).map_err(|e| BinaryError::BadJson {
            field,
            reason: crate::text::bounded_lossy(e.to_string().as_bytes(), 200),
        })
    }
}

/// Writes `n` as a `u32` length (texts and lists over 4 GiB cannot cross; the host's output
/// cap is far below).
fn put_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

/// Writes a string.
pub(crate) fn put_str(out: &mut Vec<u8>, text: &str) {
    put_len(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

/// Writes a value as length-prefixed JSON.
fn put_json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> serde_json::Result<()> {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    serde_json::to_writer(&mut *out, value)?;
    let len = u32::try_from(out.len() - start - 4).unwrap_or(u32::MAX);
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    Ok(())
}

/// A field value's binary form.
pub(crate) trait Binary: Sized {
    /// Appends the value.
    fn put(&self, out: &mut Vec<u8>) -> serde_json::Result<()>;
    /// Reads a value.
    fn get(r: &mut Reader<'_>) -> Result<Self, BinaryError>;
}

impl Binary for String {
    fn put(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        put_str(out, self);
        Ok(())
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, BinaryError> {
        r.str().map(str::to_owned)
    }
}

impl Binary for u64 {
    fn put(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        out.extend_from_slice(&self.to_le_bytes());
        Ok(())
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, BinaryError> {
        r.u64()
    }
}

impl<T: Binary> Binary for Option<T> {
    fn put(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        match self {
            None => out.push(0),
            Some(value) => {
                out.push(1);
                value.put(out)?;
            }
        }
        Ok(())
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, BinaryError> {
        let at = r.at;
        match r.byte()? {
            0 => Ok(None),
            1 => T::get(r).map(Some),
            tag => Err(BinaryError::BadTag { tag, at }),
        }
    }
}

// Not through `Option<T>`: one byte says both whether there is a value and which.
impl Binary for Option<bool> {
    fn put(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        out.push(match self {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        });
        Ok(())
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, BinaryError> {
        let at = r.at;
        match r.byte()? {
            0 => Ok(None),
            1 => Ok(Some(false)),
            2 => Ok(Some(true)),
            tag => Err(BinaryError::BadTag { tag, at }),
        }
    }
}

/// The smallest binary form of an item, to bound the room a list length may reserve.
trait MinSize {
    const MIN_SIZE: usize;
}

impl MinSize for String {
    const MIN_SIZE: usize = 4;
}

impl MinSize for Paragraph {
    const MIN_SIZE: usize = 5;
}

impl MinSize for Entity {
    const MIN_SIZE: usize = 24;
}

impl<T: Binary + MinSize> Binary for Vec<T> {
    fn put(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        put_len(out, self.len());
        for item in self {
            item.put(out)?;
        }
        Ok(())
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, BinaryError> {
        let (count, mut items) = r.list(T::MIN_SIZE)?;
        for _ in 0..count {
            items.push(T::get(r)?);
        }
        Ok(items)
    }
}

/// Paragraph kinds by their byte, in declaration order.
const KINDS: [ParagraphKind; 6] = [
    ParagraphKind::Paragraph,
    ParagraphKind::Heading,
    ParagraphKind::Quote,
    ParagraphKind::ListItem,
    ParagraphKind::Caption,
    ParagraphKind::Other,
];

impl Binary for Paragraph {
    fn put(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        // Its place in `KINDS`, which lists the variants in declaration order.
        out.push(self.kind as u8);
        put_str(out, &self.text);
        Ok(())
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, BinaryError> {
        let at = r.at;
        let tag = r.byte()?;
        let kind = *KINDS
            .get(usize::from(tag))
            .ok_or(BinaryError::BadTag { tag, at })?;
        Ok(Paragraph {
            kind,
            text: String::get(r)?,
        })
    }
}

impl Binary for Entity {
    fn put(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        put_str(out, &self.text);
        put_str(out, &self.label);
        self.count.put(out)?;
        put_len(out, self.spans.len());
        for [start, end] in &self.spans {
            out.extend_from_slice(&start.to_le_bytes());
            out.extend_from_slice(&end.to_le_bytes());
        }
        put_extra(out, &self.extra)
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, BinaryError> {
        let text = String::get(r)?;
        let label = String::get(r)?;
        let count = r.u64()?;
        let (n, mut spans) = r.list(16)?;
        for _ in 0..n {
            spans.push([r.u64()?, r.u64()?]);
        }
        Ok(Entity {
            text,
            label,
            count,
            spans,
            extra: r.json("entities")?,
        })
    }
}

/// Writes an unknown-fields map: no bytes for none (what [`Reader::json`] reads as empty), else
/// its JSON object.
fn put_extra(out: &mut Vec<u8>, extra: &BTreeMap<String, Value>) -> serde_json::Result<()> {
    if extra.is_empty() {
        put_len(out, 0);
        Ok(())
    } else {
        put_json(out, extra)
    }
}

/// Types that cross as embedded JSON (small, and rich in optional members).
macro_rules! as_json {
    ($($ty:ty => $field:literal),* $(,)?) => {
        $(
            impl Binary for $ty {
                fn put(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
                    put_json(out, self)
                }
                fn get(r: &mut Reader<'_>) -> Result<Self, BinaryError> {
                    r.json($field)
                }
            }
        )*
    };
}

as_json!(
    SourceInfo => "source",
    Option<DedupInfo> => "dedup",
    Vec<TraceEntry> => "trace",
);

/// Writes the unknown fields of a document (or of a patch) as an [`EXTRA_ENTRY`].
pub(crate) fn put_extra_entry<T: serde::Serialize>(
    out: &mut Vec<u8>,
    members: &T,
) -> serde_json::Result<()> {
    out.push(EXTRA_ENTRY);
    put_json(out, members)
}

/// Reads the JSON object of an [`EXTRA_ENTRY`] (as `Value`s for a document, as
/// `Option<Value>` for a patch, where `null` removes a field).
pub(crate) fn get_extra_entry<T: serde::de::DeserializeOwned + Default>(
    r: &mut Reader<'_>,
) -> Result<BTreeMap<String, T>, BinaryError> {
    r.json("extra")
}

/// Reads a document's `id` (the start of an input message).
pub(crate) fn get_id(r: &mut Reader<'_>) -> Result<String, BinaryError> {
    String::get(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Binary + PartialEq + std::fmt::Debug>(value: &T) {
        let mut out = vec![MAGIC];
        value.put(&mut out).unwrap();
        let mut r = Reader::new(&out).unwrap();
        assert_eq!(&T::get(&mut r).unwrap(), value);
        assert!(r.is_empty());
        // Every shorter message is an error, not a panic.
        for end in 1..out.len() {
            let mut r = Reader::new(&out[..end]).unwrap();
            assert!(T::get(&mut r).is_err(), "{value:?} cut at {end}");
        }
    }

    #[test]
    fn values_round_trip_and_every_truncation_is_an_error() {
        round_trip(&"Hồ Chí Minh \"City\"\n\u{0}".to_owned());
        round_trip(&Some(String::new()));
        round_trip(&None::<String>);
        round_trip(&Some(u64::MAX));
        for b in [None, Some(false), Some(true)] {
            round_trip(&b);
        }
        round_trip(&vec!["a".to_owned(), String::new(), "ç".to_owned()]);
        round_trip(
            &KINDS
                .map(|kind| Paragraph {
                    kind,
                    text: format!("{kind:?}"),
                })
                .to_vec(),
        );
        let mut entity = Entity {
            text: "Hanoi".into(),
            label: "GPE".into(),
            count: 3,
            spans: vec![[0, 5], [u64::MAX - 1, u64::MAX]],
            extra: BTreeMap::new(),
        };
        round_trip(&vec![entity.clone()]);
        entity.extra.insert(
            "wikidata".into(),
            serde_json::json!({"id": "Q1858", "n": [1.5, null]}),
        );
        round_trip(&vec![entity, Entity::default()]);
        round_trip(&Some(DedupInfo {
            fingerprint: "f".into(),
            similarity: Some(0.125),
            ..DedupInfo::default()
        }));
        round_trip(&vec![TraceEntry::default()]);
        round_trip(&SourceInfo::default());
    }

    #[test]
    fn malformed_bytes_are_errors() {
        assert_eq!(Reader::new(b"{}").unwrap_err(), BinaryError::NoMagic(b'{'));
        assert_eq!(Reader::new(b"").unwrap_err(), BinaryError::NoMagic(0));
        // A length far past the end.
        let mut r = Reader::new(&[MAGIC, 0xff, 0xff, 0xff, 0x7f, b'a']).unwrap();
        assert_eq!(String::get(&mut r), Err(BinaryError::Truncated(5)));
        // A list claiming more items than the bytes could hold reserves nothing.
        let mut r = Reader::new(&[MAGIC, 0xff, 0xff, 0xff, 0xff, 0, 0]).unwrap();
        assert!(Vec::<Paragraph>::get(&mut r).is_err());
        // Invalid UTF-8, a bad tag, a bad paragraph kind, invalid embedded JSON.
        let mut r = Reader::new(&[MAGIC, 2, 0, 0, 0, 0xc3, 0x28]).unwrap();
        assert_eq!(String::get(&mut r), Err(BinaryError::NotUtf8(5)));
        let mut r = Reader::new(&[MAGIC, 7]).unwrap();
        assert!(matches!(
            Option::<String>::get(&mut r),
            Err(BinaryError::BadTag { tag: 7, .. })
        ));
        let mut r = Reader::new(&[MAGIC, 6, 0, 0, 0, 0]).unwrap();
        assert!(Paragraph::get(&mut r).is_err());
        let mut r = Reader::new(&[MAGIC, 2, 0, 0, 0, b'{', b'x']).unwrap();
        assert!(matches!(
            SourceInfo::get(&mut r),
            Err(BinaryError::BadJson {
                field: "source",
                ..
            })
        ));
    }
}
