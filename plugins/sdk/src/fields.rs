//! Field masks and field patches: how a document crosses the ABI from version 1.1 on.
//!
//! ABI 1.0 sends the whole document to every plugin and reads the whole document back. From
//! ABI 1.1 a plugin declares which top-level fields it **reads** (a bit mask, [`ALL`] by
//! default) and, when the host speaks 1.1 too, returns a **field patch** instead of the whole
//! document:
//!
//! * the host sends `id` plus the fields in the plugin's mask, leaving out fields that hold
//!   their default value (an absent field reads as its default: `null`, `""`, `[]`, `false`);
//! * the plugin returns a JSON object whose members replace the document's top-level fields of
//!   the same name; `null` resets a field to its default (or removes an unknown field). Fields
//!   the patch does not name are left as they were. `id` may only appear unchanged.
//!
//! From ABI 1.3 both cross in the binary form of [`crate::binary`] between a host and a plugin
//! of 1.3 ([`encode_fields_binary`], [`decode_fields_binary`], [`encode_patch_binary`];
//! [`apply_patch`] reads both forms), with the same meaning.
//!
//! From ABI 1.2 a plugin also declares which fields it **writes**: the SDK keeps a
//! [`snapshot`] of only those before `process` and compares only those after it
//! ([`encode_patch_within`]), and the host refuses a patch that sets any other.
//!
//! The SDK does both sides: [`encode_fields`] and [`apply_patch`] for the host,
//! [`encode_patch`] for the plugin (it compares the document before and after `process`). The
//! safety rules do not change: bytes are borrowed in, copied out through the sink, and the
//! host validates every member of a patch before the document goes on.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::binary::{self, Binary, BinaryError, Reader};
use crate::document::Document;
use crate::json::{self, WriteJson};

/// Every field, present and future: what a plugin that declares nothing reads.
pub const ALL: u64 = u64::MAX;

/// Fields this SDK version does not know (the document's `extra` map).
pub const EXTRA: u64 = 1 << 63;

macro_rules! document_fields {
    ($( $bit:literal => $konst:ident : $field:ident ),* $(,)?) => {
        $(
            #[doc = concat!("The `", stringify!($field), "` field.")]
            pub const $konst: u64 = 1 << $bit;
        )*

        /// Names of the known top-level fields (besides `id`), in bit order.
        pub const KNOWN: &[&str] = &[$(stringify!($field)),*];

        /// Writes the fields of `doc` in `mask` as members of a JSON object (`,` before each
        /// but the object's first member).
        fn write_known(
            out: &mut Vec<u8>,
            doc: &Document,
            mask: u64,
            first: &mut bool,
        ) -> serde_json::Result<()> {
            $(
                if mask & $konst != 0 {
                    if !std::mem::take(first) {
                        out.push(b',');
                    }
                    out.extend_from_slice(concat!("\"", stringify!($field), "\":").as_bytes());
                    doc.$field.write_json(out)?;
                }
            )*
            Ok(())
        }

        /// Whether the known field number `bit` holds its default value.
        fn known_is_default(doc: &Document, bit: usize) -> bool {
            match bit {
                $( $bit => is_default(&doc.$field), )*
                _ => true,
            }
        }

        /// The JSON of the known field number `bit`, in a buffer sized for it up front.
        fn encode_known(doc: &Document, bit: usize) -> serde_json::Result<Vec<u8>> {
            match bit {
                $(
                    $bit => {
                        let mut out = Vec::with_capacity(doc.$field.json_size());
                        doc.$field.write_json(&mut out)?;
                        Ok(out)
                    }
                )*
                _ => Ok(b"null".to_vec()),
            }
        }

        /// About how many bytes the JSON of the known fields in `mask` of `doc` takes, names
        /// included (a buffer of this size rarely grows). It sizes binary messages too: no
        /// field's binary form is longer than this estimate of its JSON.
        fn known_size(doc: &Document, mask: u64) -> usize {
            let mut size = 0;
            $(
                if mask & $konst != 0 {
                    size += stringify!($field).len() + 4 + doc.$field.json_size();
                }
            )*
            size
        }

        /// The known fields in `mask` that differ between two documents.
        fn changed_known(before: &Document, after: &Document, mask: u64) -> u64 {
            let mut changed = 0;
            $(
                if mask & $konst != 0 && before.$field != after.$field {
                    changed |= $konst;
                }
            )*
            changed
        }

        /// Copies the known fields in `mask` from `from` into `doc`.
        fn clone_known(doc: &mut Document, from: &Document, mask: u64) {
            $(
                if mask & $konst != 0 {
                    doc.$field.clone_from(&from.$field);
                }
            )*
        }

        /// Sets a known field from its JSON value and returns its bit; `None` when the name is
        /// not a known field.
        fn set_known(
            doc: &mut Document,
            name: &str,
            value: &RawValue,
        ) -> Option<Result<u64, serde_json::Error>> {
            match name {
                $(
                    stringify!($field) => {
                        Some(parse_or_default(value).map(|v| doc.$field = v).map(|()| $konst))
                    }
                )*
                _ => None,
            }
        }

        /// Reads the value of the known field `name` from `map` into `fields` (`null` as the
        /// default, as [`set_known`] does) and returns its bit; `None` when the name is not a
        /// known field.
        fn read_known<'de, A: serde::de::MapAccess<'de>>(
            map: &mut A,
            fields: &mut Document,
            name: &str,
        ) -> Option<Result<u64, A::Error>> {
            match name {
                $(
                    stringify!($field) => Some(map.next_value::<Option<_>>().map(|value| {
                        fields.$field = value.unwrap_or_default();
                        $konst
                    })),
                )*
                _ => None,
            }
        }

        /// Writes the known fields in `mask` of `doc` as binary entries (bit, value).
        fn put_known_binary(
            out: &mut Vec<u8>,
            doc: &Document,
            mask: u64,
        ) -> serde_json::Result<()> {
            $(
                if mask & $konst != 0 {
                    out.push($bit);
                    Binary::put(&doc.$field, out)?;
                }
            )*
            Ok(())
        }

        /// Reads the binary value of the known field number `bit` into `doc` and returns its
        /// mask; `None` when the number is not a known field.
        fn get_known_binary(
            r: &mut Reader<'_>,
            doc: &mut Document,
            bit: u8,
        ) -> Option<Result<u64, BinaryError>> {
            match bit {
                $( $bit => Some(Binary::get(r).map(|value| {
                    doc.$field = value;
                    $konst
                })), )*
                _ => None,
            }
        }

        /// Moves the known fields in `mask` from `from` into `doc`.
        fn move_known(doc: &mut Document, from: &mut Document, mask: u64) {
            $(
                if mask & $konst != 0 {
                    doc.$field = std::mem::take(&mut from.$field);
                }
            )*
        }
    };
}

document_fields! {
    0 => SOURCE: source,
    1 => RAW: raw,
    2 => OUTLET: outlet,
    3 => SITE: site,
    4 => TITLE: title,
    5 => SUBTITLE: subtitle,
    6 => AUTHORS: authors,
    7 => PUBLISHED: published,
    8 => ORIGINAL_PUBLISHED: original_published,
    9 => ORIGINAL_SOURCE: original_source,
    10 => TRANSLATED: translated,
    11 => DATELINE: dateline,
    12 => LANGUAGE: language,
    13 => WORD_COUNT: word_count,
    14 => BODY: body,
    15 => PARAGRAPHS: paragraphs,
    16 => ENTITIES: entities,
    17 => SUMMARY: summary,
    18 => DEDUP: dedup,
    19 => TRACE: trace,
}

/// About how many bytes a value's JSON takes: the text it holds plus a little for quotes,
/// escapes and punctuation. Used to size output buffers once instead of letting them double.
trait JsonSize {
    fn json_size(&self) -> usize;
}

impl JsonSize for String {
    fn json_size(&self) -> usize {
        // Quotes, and room for a few escapes (line breaks between paragraphs, quotes).
        self.len() + self.len() / 16 + 8
    }
}

impl JsonSize for u64 {
    fn json_size(&self) -> usize {
        20
    }
}

impl JsonSize for bool {
    fn json_size(&self) -> usize {
        5
    }
}

impl<T: JsonSize> JsonSize for Option<T> {
    fn json_size(&self) -> usize {
        self.as_ref().map_or(4, JsonSize::json_size)
    }
}

impl<T: JsonSize> JsonSize for Vec<T> {
    fn json_size(&self) -> usize {
        self.iter().map(|item| item.json_size() + 1).sum::<usize>() + 2
    }
}

impl JsonSize for crate::document::Paragraph {
    fn json_size(&self) -> usize {
        // {"kind":"paragraph","text":...}
        32 + self.text.json_size()
    }
}

impl JsonSize for crate::document::Entity {
    fn json_size(&self) -> usize {
        // {"text":...,"label":...,"count":N,"spans":[[a,b],...]}
        48 + self.text.json_size() + self.label.len() + 16 * self.spans.len()
    }
}

impl JsonSize for crate::document::SourceInfo {
    fn json_size(&self) -> usize {
        96 + self.name.json_size() + self.sha256.len() + self.received.len()
    }
}

impl JsonSize for crate::document::DedupInfo {
    fn json_size(&self) -> usize {
        96 + self.fingerprint.len()
    }
}

impl JsonSize for crate::document::TraceEntry {
    fn json_size(&self) -> usize {
        64 + self.plugin.len() + self.version.len() + self.status.len()
    }
}

/// The names of the fields in a mask, in bit order (`extra` for [`EXTRA`]).
pub fn names(mask: u64) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = KNOWN
        .iter()
        .enumerate()
        .filter(|(bit, _)| mask & (1 << bit) != 0)
        .map(|(_, name)| *name)
        .collect();
    if mask & EXTRA != 0 {
        names.push("extra");
    }
    names
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

fn parse_or_default<T: DeserializeOwned + Default>(value: &RawValue) -> serde_json::Result<T> {
    if value.get().trim() == "null" {
        Ok(T::default())
    } else {
        serde_json::from_str(value.get())
    }
}

/// Host side: `id` and the fields of `doc` selected by `reads`, as the JSON a 1.1 plugin gets.
/// Fields at their default value are left out.
pub fn encode_fields(doc: &Document, reads: u64) -> serde_json::Result<Vec<u8>> {
    FieldCache::default().encode(doc, reads)
}

/// Host side: each field of one document encoded once, and reused for every plugin that reads
/// it until a patch changes it (the document is passed once, not once per plugin).
///
/// The cache knows nothing of the document: the caller must [`FieldCache::invalidate`] the
/// fields it changes ([`apply_patch`] says which) and [`FieldCache::clear`] it when the
/// document is replaced.
#[derive(Debug, Default)]
pub struct FieldCache {
    values: Vec<Option<Vec<u8>>>,
}

impl FieldCache {
    /// Same bytes as [`encode_fields`], from the cached field encodings where there are any.
    pub fn encode(&mut self, doc: &Document, reads: u64) -> serde_json::Result<Vec<u8>> {
        if self.values.len() < KNOWN.len() {
            self.values.resize(KNOWN.len(), None);
        }
        // Encode what is missing first, so that the output is allocated once at its size.
        let mut size = 16 + doc.id.len();
        let mut sent = 0u64;
        for (bit, (name, slot)) in KNOWN.iter().zip(&mut self.values).enumerate() {
            if reads & (1 << bit) == 0 || known_is_default(doc, bit) {
                continue;
            }
            sent |= 1 << bit;
            let value = match slot {
                Some(value) => value,
                None => slot.insert(encode_known(doc, bit)?),
            };
            size += name.len() + 4 + value.len();
        }
        let mut out = Vec::with_capacity(size);
        out.extend_from_slice(b"{\"id\":");
        json::write_str(&mut out, &doc.id);
        for (bit, (name, slot)) in KNOWN.iter().zip(&self.values).enumerate() {
            if sent & (1 << bit) == 0 {
                continue;
            }
            if let Some(value) = slot {
                out.extend_from_slice(b",\"");
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b"\":");
                out.extend_from_slice(value);
            }
        }
        if reads & EXTRA != 0 {
            for (name, value) in &doc.extra {
                out.push(b',');
                serde_json::to_writer(&mut out, name)?;
                out.push(b':');
                serde_json::to_writer(&mut out, value)?;
            }
        }
        out.push(b'}');
        Ok(out)
    }

    /// Forgets the encodings of the fields in `mask`.
    pub fn invalidate(&mut self, mask: u64) {
        for (bit, slot) in self.values.iter_mut().enumerate() {
            if mask & (1 << bit) != 0 {
                *slot = None;
            }
        }
    }

    /// Forgets every encoding (the document was replaced).
    pub fn clear(&mut self) {
        self.invalidate(ALL);
    }
}

/// Plugin side: the field patch that turns `before` into `after` (`{}` when nothing changed).
///
/// Written member by member as `serde_json` writes a map (compact, in this order: `id` if it
/// changed, the known fields in bit order, then the unknown fields that are new, changed or
/// removed (`null`), in name order), with the text fields through [`json::write_str`].
pub fn encode_patch(before: &Document, after: &Document) -> serde_json::Result<Vec<u8>> {
    encode_patch_within(before, after, ALL)
}

/// Plugin side: `id` and the fields in `writes` of `doc`, the rest at their default: the copy
/// [`encode_patch_within`] compares with after `process`, for a plugin that changes only
/// those fields (cheaper than a whole copy when it reads large fields it does not change).
pub fn snapshot(doc: &Document, writes: u64) -> Document {
    if writes == ALL {
        return doc.clone();
    }
    let mut copy = Document {
        id: doc.id.clone(),
        ..Document::default()
    };
    clone_known(&mut copy, doc, writes);
    if writes & EXTRA != 0 {
        copy.extra.clone_from(&doc.extra);
    }
    copy
}

/// The fields that differ between two documents, as a mask ([`EXTRA`] when an unknown field
/// does; `id` is not a field).
pub fn changed_fields(before: &Document, after: &Document) -> u64 {
    let extra = if before.extra == after.extra {
        0
    } else {
        EXTRA
    };
    changed_known(before, after, ALL) | extra
}

/// [`encode_patch`] restricted to the fields in `writes` (and `id`): `before` may be a
/// [`snapshot`] of those fields only. Changes to other fields are not in the patch.
pub fn encode_patch_within(
    before: &Document,
    after: &Document,
    writes: u64,
) -> serde_json::Result<Vec<u8>> {
    let known = changed_known(before, after, writes);
    let mut out = Vec::with_capacity(64 + known_size(after, known));
    let mut first = true;
    out.push(b'{');
    if before.id != after.id {
        first = false;
        out.extend_from_slice(b"\"id\":");
        json::write_str(&mut out, &after.id);
    }
    write_known(&mut out, after, known, &mut first)?;
    if writes & EXTRA != 0 {
        for (name, value) in extra_changes(before, after) {
            if !std::mem::take(&mut first) {
                out.push(b',');
            }
            json::write_str(&mut out, name);
            out.push(b':');
            serde_json::to_writer(&mut out, &value)?;
        }
    }
    out.push(b'}');
    Ok(out)
}

/// The unknown fields that differ between two documents, in name order: the new value, or
/// `None` for a field `after` no longer has.
fn extra_changes<'a>(
    before: &'a Document,
    after: &'a Document,
) -> BTreeMap<&'a str, Option<&'a serde_json::Value>> {
    let changed = after
        .extra
        .iter()
        .filter(|(name, value)| before.extra.get(*name) != Some(value))
        .map(|(name, value)| (name.as_str(), Some(value)));
    let removed = before
        .extra
        .keys()
        .filter(|name| !after.extra.contains_key(*name))
        .map(|name| (name.as_str(), None));
    changed.chain(removed).collect()
}

/// Refuses a change (`changed`, a field mask) to fields outside `writes`, the fields a plugin
/// declares it writes. The host checks every output with it, and the SDK checks a plugin's
/// `process` with it in debug builds.
pub fn check_writes(changed: u64, writes: u64) -> Result<(), UndeclaredWrite> {
    let undeclared = changed & !writes;
    if undeclared == 0 {
        return Ok(());
    }
    Err(UndeclaredWrite {
        fields: names(undeclared).join(", "),
        declared: names(writes).join(", "),
    })
}

/// A change to fields that a plugin does not declare it writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("plugin changed {fields}, but declares that it writes only: {declared}")]
pub struct UndeclaredWrite {
    /// The fields changed without being declared.
    pub fields: String,
    /// The fields the plugin declares.
    pub declared: String,
}

/// Host side, ABI 1.3: [`encode_fields`] in the binary form of [`crate::binary`].
pub fn encode_fields_binary(doc: &Document, reads: u64) -> serde_json::Result<Vec<u8>> {
    let sent = (0..KNOWN.len())
        .filter(|&bit| reads & (1 << bit) != 0 && !known_is_default(doc, bit))
        .fold(0u64, |mask, bit| mask | 1 << bit);
    let mut out = Vec::with_capacity(16 + doc.id.len() + known_size(doc, sent));
    out.push(binary::MAGIC);
    binary::put_str(&mut out, &doc.id);
    put_known_binary(&mut out, doc, sent)?;
    if reads & EXTRA != 0 && !doc.extra.is_empty() {
        binary::put_extra_entry(&mut out, &doc.extra)?;
    }
    Ok(out)
}

/// Plugin side, ABI 1.3: the document a binary input describes (the fields it leaves out at
/// their default, as from JSON).
pub fn decode_fields_binary(bytes: &[u8]) -> Result<Document, BinaryError> {
    let mut r = Reader::new(bytes)?;
    let mut doc = Document {
        id: binary::get_id(&mut r)?,
        ..Document::default()
    };
    while !r.is_empty() {
        match r.byte()? {
            binary::EXTRA_ENTRY => doc.extra.extend(binary::get_extra_entry(&mut r)?),
            bit => match get_known_binary(&mut r, &mut doc, bit) {
                Some(result) => {
                    result?;
                }
                None => return Err(BinaryError::UnknownField(bit)),
            },
        }
    }
    Ok(doc)
}

/// Plugin side, ABI 1.3: [`encode_patch_within`] in the binary form of [`crate::binary`].
pub fn encode_patch_binary(
    before: &Document,
    after: &Document,
    writes: u64,
) -> serde_json::Result<Vec<u8>> {
    let known = changed_known(before, after, writes);
    let mut out = Vec::with_capacity(64 + known_size(after, known));
    out.push(binary::MAGIC);
    if before.id != after.id {
        out.push(binary::ID_ENTRY);
        binary::put_str(&mut out, &after.id);
    }
    put_known_binary(&mut out, after, known)?;
    if writes & EXTRA != 0 {
        let members = extra_changes(before, after);
        if !members.is_empty() {
            binary::put_extra_entry(&mut out, &members)?;
        }
    }
    Ok(out)
}

/// Why the host refused a field patch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatchError {
    /// The bytes are not a JSON object.
    #[error("plugin returned an invalid patch ({reason}): {excerpt}")]
    NotAnObject {
        /// The parser's message, bounded.
        reason: String,
        /// The start of the output, bounded.
        excerpt: String,
    },
    /// A member has the wrong type for its field.
    #[error("plugin returned an invalid value for `{field}`: {reason}")]
    BadField {
        /// The field's name, bounded.
        field: String,
        /// The parser's message, bounded.
        reason: String,
    },
    /// A binary patch does not read.
    #[error("plugin returned an invalid binary patch: {0}")]
    Binary(BinaryError),
    /// The patch changes the document id.
    #[error("plugin changed the document id from {from:?} to {to:?}")]
    IdChanged {
        /// The document's id.
        from: String,
        /// What the plugin wrote, bounded.
        to: String,
    },
}

fn bounded(text: &str, max: usize) -> String {
    crate::text::bounded_lossy(text.as_bytes(), max)
}

/// A member name of a patch, borrowed from the patch unless it holds an escape.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Name<'a>(std::borrow::Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Name<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(Name(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Name(std::borrow::Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Name(std::borrow::Cow::Owned(v)))
            }
        }
        deserializer.deserialize_string(Visitor)
    }
}

/// A well-formed patch, read in one pass: each member parsed straight into its field's type.
#[derive(Default)]
struct ParsedPatch {
    /// The last `id` member.
    id: Option<String>,
    /// The known fields the patch sets, in `fields`.
    known: u64,
    fields: Document,
    /// The unknown members in order (`None` for `null`: remove).
    extra: Vec<(String, Option<serde_json::Value>)>,
}

impl<'de> serde::Deserialize<'de> for ParsedPatch {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ParsedPatch;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field patch")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ParsedPatch, A::Error> {
                let mut patch = ParsedPatch::default();
                while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
                    if name == "id" {
                        patch.id = Some(map.next_value()?);
                        continue;
                    }
                    match read_known(&mut map, &mut patch.fields, &name) {
                        Some(bit) => patch.known |= bit?,
                        None => {
                            let value = map.next_value()?;
                            patch.extra.push((name.into_owned(), value));
                        }
                    }
                }
                Ok(patch)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// Host side: applies a field patch to `doc` and returns the mask of the fields it set
/// ([`EXTRA`] for unknown ones). On error the document may be partly patched; the host fails
/// it anyway.
///
/// A patch that parses in one pass with every member of its field's type and the document's
/// `id` (every patch a plugin of this SDK writes) is applied from that pass, which sets what
/// the member-by-member checks below would set: the last member of a name wins, and `null`
/// is a field's default or removes an unknown field. Anything else goes through those checks,
/// on the untouched document, for their error.
pub fn apply_patch(doc: &mut Document, patch: &[u8]) -> Result<u64, PatchError> {
    if binary::is_binary(patch) {
        return apply_patch_binary(doc, patch);
    }
    if let Ok(mut parsed) = serde_json::from_slice::<ParsedPatch>(patch)
        && parsed.id.as_ref().is_none_or(|id| *id == doc.id)
    {
        move_known(doc, &mut parsed.fields, parsed.known);
        let extra = if parsed.extra.is_empty() { 0 } else { EXTRA };
        for (name, value) in parsed.extra {
            match value {
                Some(value) => {
                    doc.extra.insert(name, value);
                }
                None => {
                    doc.extra.remove(&name);
                }
            }
        }
        return Ok(parsed.known | extra);
    }
    apply_patch_checked(doc, patch)
}

/// [`apply_patch`] for a binary patch: entries in order, the last of a field wins.
fn apply_patch_binary(doc: &mut Document, patch: &[u8]) -> Result<u64, PatchError> {
    let mut r = Reader::new(patch).map_err(PatchError::Binary)?;
    let mut touched = 0;
    while !r.is_empty() {
        match r.byte().map_err(PatchError::Binary)? {
            binary::ID_ENTRY => {
                let id = binary::get_id(&mut r).map_err(PatchError::Binary)?;
                if id != doc.id {
                    return Err(PatchError::IdChanged {
                        from: doc.id.clone(),
                        to: bounded(&id, 80),
                    });
                }
            }
            binary::EXTRA_ENTRY => {
                let members: BTreeMap<String, Option<serde_json::Value>> =
                    binary::get_extra_entry(&mut r).map_err(PatchError::Binary)?;
                for (name, value) in members {
                    touched |= EXTRA;
                    match value {
                        Some(value) => doc.extra.insert(name, value),
                        None => doc.extra.remove(&name),
                    };
                }
            }
            bit => match get_known_binary(&mut r, doc, bit) {
                Some(result) => touched |= result.map_err(PatchError::Binary)?,
                None => return Err(PatchError::Binary(BinaryError::UnknownField(bit))),
            },
        }
    }
    Ok(touched)
}

/// [`apply_patch`] member by member, in name order, each member checked on its own.
fn apply_patch_checked(doc: &mut Document, patch: &[u8]) -> Result<u64, PatchError> {
    let members: BTreeMap<Name<'_>, &RawValue> =
        serde_json::from_slice(patch).map_err(|e| PatchError::NotAnObject {
            // serde quotes offending values whole: bound them (found by fuzzing, 1.0 output).
            reason: bounded(&e.to_string(), 200),
            excerpt: crate::text::bounded_lossy(patch, 200),
        })?;
    let mut touched = 0;
    for (Name(name), value) in members {
        let bad = |e: serde_json::Error| PatchError::BadField {
            field: bounded(&name, 80),
            reason: bounded(&e.to_string(), 200),
        };
        if name == "id" {
            let id: String = serde_json::from_str(value.get()).map_err(bad)?;
            if id != doc.id {
                return Err(PatchError::IdChanged {
                    from: doc.id.clone(),
                    to: bounded(&id, 80),
                });
            }
            continue;
        }
        touched |= match set_known(doc, &name, value) {
            Some(result) => result.map_err(bad)?,
            None if value.get().trim() == "null" => {
                doc.extra.remove(&*name);
                EXTRA
            }
            None => {
                let parsed = serde_json::from_str(value.get()).map_err(bad)?;
                doc.extra.insert(name.into_owned(), parsed);
                EXTRA
            }
        };
    }
    Ok(touched)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{DedupInfo, Entity, Paragraph, SourceInfo, TraceEntry};

    fn full_document() -> Document {
        Document {
            id: "abc".into(),
            source: SourceInfo {
                name: "a.txt".into(),
                size: 3,
                sha256: "s".into(),
                received: "t".into(),
                encoding: Some("utf-8".into()),
                extra: BTreeMap::new(),
            },
            raw: Some("raw".into()),
            outlet: Some("o".into()),
            site: Some("s".into()),
            title: Some("t".into()),
            subtitle: Some("st".into()),
            authors: vec!["a".into()],
            published: Some("2024-01-01".into()),
            original_published: Some("2023-01-01".into()),
            original_source: Some("os".into()),
            translated: Some(true),
            dateline: Some("d".into()),
            language: Some("en".into()),
            word_count: Some(2),
            body: "b b".into(),
            paragraphs: vec![Paragraph::text("b b")],
            entities: vec![Entity {
                text: "B".into(),
                label: "ORG".into(),
                count: 1,
                spans: vec![[0, 1]],
                extra: BTreeMap::new(),
            }],
            summary: Some("b".into()),
            dedup: Some(DedupInfo::default()),
            trace: vec![TraceEntry::default()],
            extra: [("future".to_owned(), serde_json::json!({"x": 1}))]
                .into_iter()
                .collect(),
        }
    }

    #[test]
    fn the_field_table_names_every_field_of_the_document() {
        let json = serde_json::to_value(full_document()).unwrap();
        let mut names: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        names.retain(|n| *n != "id" && *n != "future");
        names.sort_unstable();
        let mut known = KNOWN.to_vec();
        known.sort_unstable();
        assert_eq!(names, known, "fields.rs must list every field of Document");
    }

    #[test]
    fn a_mask_names_its_fields() {
        assert_eq!(names(TITLE | BODY | EXTRA), ["title", "body", "extra"]);
        assert_eq!(names(ALL).len(), KNOWN.len() + 1);
    }

    #[test]
    fn encoding_everything_round_trips() {
        let doc = full_document();
        let bytes = encode_fields(&doc, ALL).unwrap();
        assert_eq!(serde_json::from_slice::<Document>(&bytes).unwrap(), doc);
    }

    #[test]
    fn a_mask_sends_only_id_and_its_fields_and_leaves_defaults_out() {
        let mut doc = full_document();
        doc.summary = None;
        let bytes = encode_fields(&doc, TITLE | BODY | SUMMARY).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let mut names: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        assert_eq!(names, ["body", "id", "title"]);
        let seen: Document = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(seen.title, doc.title);
        assert!(seen.raw.is_none() && seen.entities.is_empty());
    }

    #[test]
    fn a_patch_carries_only_what_changed_and_applies_back() {
        let before = full_document();
        let mut after = before.clone();
        after.title = None;
        after.entities.clear();
        after.summary = Some("new".into());
        after.extra.remove("future");
        after
            .extra
            .insert("sentiment".into(), serde_json::json!(0.5));
        let patch = encode_patch(&before, &after).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&patch).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"title": null, "entities": [], "summary": "new",
                "sentiment": 0.5, "future": null})
        );
        let mut host = before.clone();
        apply_patch(&mut host, &patch).unwrap();
        assert_eq!(host, after);
    }

    #[test]
    fn the_cache_encodes_the_same_bytes_after_patches_it_was_told_about() {
        let mut doc = full_document();
        let mut cache = FieldCache::default();
        for mask in [ALL, TITLE | BODY, RAW | EXTRA, ALL] {
            assert_eq!(
                cache.encode(&doc, mask).unwrap(),
                encode_fields(&doc, mask).unwrap()
            );
        }
        let mut after = doc.clone();
        after.body = "changed".into();
        after.title = None;
        after.extra.insert("more".into(), serde_json::json!(2));
        let patch = encode_patch(&doc, &after).unwrap();
        let touched = apply_patch(&mut doc, &patch).unwrap();
        assert_eq!(touched, BODY | TITLE | EXTRA);
        cache.invalidate(touched);
        assert_eq!(
            cache.encode(&doc, ALL).unwrap(),
            encode_fields(&doc, ALL).unwrap()
        );
        let seen: Document = serde_json::from_slice(&cache.encode(&doc, ALL).unwrap()).unwrap();
        assert_eq!(seen, after);
    }

    #[test]
    fn a_patch_within_the_writes_compares_only_those_fields_from_a_snapshot() {
        let before = full_document();
        let writes = SUMMARY | ENTITIES;
        let snapshot = snapshot(&before, writes);
        assert_eq!(snapshot.id, before.id);
        assert_eq!(
            (&snapshot.summary, &snapshot.entities),
            (&before.summary, &before.entities)
        );
        assert!(snapshot.body.is_empty() && snapshot.raw.is_none() && snapshot.extra.is_empty());
        assert_eq!(super::snapshot(&before, ALL), before);

        let mut after = before.clone();
        after.summary = Some("new".into());
        after.title = None;
        after.extra.insert("more".into(), serde_json::json!(1));
        assert_eq!(changed_fields(&before, &after), SUMMARY | TITLE | EXTRA);
        assert_eq!(
            encode_patch_within(&snapshot, &after, writes).unwrap(),
            br#"{"summary":"new"}"#
        );
        let with_extra = super::snapshot(&before, writes | EXTRA);
        let patch = encode_patch_within(&with_extra, &after, writes | EXTRA).unwrap();
        assert_eq!(patch, br#"{"summary":"new","more":1}"#);
        assert_eq!(
            encode_patch_within(&snapshot, &before, writes).unwrap(),
            b"{}"
        );
    }

    /// Documents with every field set, with defaults, and with unusual unknown fields.
    fn varied_documents() -> Vec<Document> {
        let full = full_document();
        let mut sparse = Document {
            id: "sparse".into(),
            body: "b".into(),
            ..Document::default()
        };
        sparse.extra.insert("null".into(), serde_json::Value::Null);
        sparse
            .extra
            .insert("list".into(), serde_json::json!([1, "x", {"y": null}]));
        let mut tricky = full.clone();
        tricky.title = Some(String::new());
        tricky.translated = Some(false);
        tricky.word_count = Some(0);
        tricky.body = "Hồ \"Chí\"\n\u{0}\u{7f} 😀".into();
        tricky.paragraphs.push(crate::document::Paragraph {
            kind: crate::document::ParagraphKind::Other,
            text: String::new(),
        });
        vec![full, sparse, tricky, Document::default()]
    }

    const MASKS: [u64; 6] = [
        ALL,
        TITLE | BODY,
        RAW | EXTRA,
        ENTITIES | DEDUP | TRACE,
        0,
        EXTRA,
    ];

    #[test]
    fn binary_fields_read_as_the_json_fields_read() {
        for doc in varied_documents() {
            for mask in MASKS {
                let json: Document =
                    serde_json::from_slice(&encode_fields(&doc, mask).unwrap()).unwrap();
                let binary = encode_fields_binary(&doc, mask).unwrap();
                assert_eq!(
                    decode_fields_binary(&binary).unwrap(),
                    json,
                    "mask {mask:#x}"
                );
            }
        }
    }

    #[test]
    fn binary_patches_apply_as_json_patches() {
        let docs = varied_documents();
        for before in &docs {
            for after in &docs {
                let mut after = after.clone();
                after.id.clone_from(&before.id);
                for writes in MASKS {
                    let snapshot = snapshot(before, writes);
                    let json = encode_patch_within(&snapshot, &after, writes).unwrap();
                    let binary = encode_patch_binary(&snapshot, &after, writes).unwrap();
                    let (mut by_json, mut by_binary) = (before.clone(), before.clone());
                    let touched_json = apply_patch(&mut by_json, &json).unwrap();
                    let touched_binary = apply_patch(&mut by_binary, &binary).unwrap();
                    assert_eq!(by_binary, by_json, "writes {writes:#x}");
                    assert_eq!(touched_binary, touched_json, "writes {writes:#x}");
                }
            }
        }
    }

    #[test]
    fn bad_binary_patches_are_refused_and_never_panic() {
        let before = full_document();
        let mut after = before.clone();
        after.id = "other".into();
        after.summary = Some("new summary".into());
        let patch = encode_patch_binary(&before, &after, ALL).unwrap();
        let err = apply_patch(&mut before.clone(), &patch).unwrap_err();
        assert!(matches!(err, PatchError::IdChanged { .. }), "{err}");

        after.id.clone_from(&before.id);
        let patch = encode_patch_binary(&before, &after, ALL).unwrap();
        let mut unknown = patch.clone();
        unknown.push(40);
        let err = apply_patch(&mut before.clone(), &unknown).unwrap_err();
        assert_eq!(err, PatchError::Binary(BinaryError::UnknownField(40)));
        // Cut inside the summary's text.
        let err = apply_patch(&mut before.clone(), &patch[..patch.len() - 3]).unwrap_err();
        assert!(
            matches!(err, PatchError::Binary(BinaryError::Truncated(_))),
            "{err}"
        );
        for end in 0..patch.len() {
            let _ = apply_patch(&mut before.clone(), &patch[..end]);
        }
        // Random bytes after the magic byte: errors or small patches, never a panic.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            let mut bytes = vec![binary::MAGIC];
            for _ in 0..(state % 24) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                bytes.push((state % 23) as u8);
            }
            let _ = apply_patch(&mut before.clone(), &bytes);
            let _ = decode_fields_binary(&bytes);
        }
    }

    #[test]
    fn an_unchanged_document_gives_an_empty_patch() {
        let doc = full_document();
        assert_eq!(encode_patch(&doc, &doc).unwrap(), b"{}");
    }

    #[test]
    fn a_patch_from_a_partial_view_leaves_unsent_fields_alone() {
        let host_doc = full_document();
        let view: Document =
            serde_json::from_slice(&encode_fields(&host_doc, BODY).unwrap()).unwrap();
        let mut after = view.clone();
        after.summary = Some("from the body".into());
        let mut patched = host_doc.clone();
        apply_patch(&mut patched, &encode_patch(&view, &after).unwrap()).unwrap();
        assert_eq!(patched.summary.as_deref(), Some("from the body"));
        assert_eq!(patched.title, host_doc.title);
        assert_eq!(patched.raw, host_doc.raw);
    }

    #[test]
    fn the_one_pass_reading_sets_what_the_member_checks_set() {
        let patches: &[&str] = &[
            r#"{}"#,
            r#"{"title": "T", "body": "b\nc", "paragraphs": [{"kind": "heading", "text": "h"}]}"#,
            r#"{"title": null, "authors": null, "word_count": 3, "translated": true}"#,
            r#"{"title": "a", "title": "b", "future": 1, "future": null, "new": [1, "x"]}"#,
            r#"{"future": null, "id": "abc", "source": null, "dedup": {"fingerprint": "f"}}"#,
            r#"{"ti\u0074le": "escaped name", "entities": [{"text": "X", "label": "ORG", "count": 1}]}"#,
            r#"{"title": 5, "title": "valid last"}"#,
            r#"{"title": "valid first", "title": 5}"#,
            r#"{"id": "other", "title": "x"}"#,
            r#"{"id": "other", "id": "abc"}"#,
            r#"{"authors": "not a list", "body": 3}"#,
            r#"{"future": {"unclosed": 1}"#,
            r#"{"title": "x"} trailing"#,
            r#"[1, 2]"#,
            r#"{"body": "x", "summary": {"not": "a string"}}"#,
        ];
        for patch in patches {
            let (mut fast, mut checked) = (full_document(), full_document());
            let fast_result = apply_patch(&mut fast, patch.as_bytes());
            let checked_result = apply_patch_checked(&mut checked, patch.as_bytes());
            assert_eq!(fast_result, checked_result, "{patch}");
            if checked_result.is_ok() {
                assert_eq!(fast, checked, "{patch}");
            }
        }
    }

    #[test]
    fn bad_patches_are_refused_with_bounded_messages() {
        let mut doc = full_document();
        let huge = serde_json::to_vec(&"W".repeat(1_000_000)).unwrap();
        let err = apply_patch(&mut doc, &huge).unwrap_err();
        assert!(matches!(err, PatchError::NotAnObject { .. }));
        assert!(err.to_string().len() < 1000, "{}", err.to_string().len());
        let err = apply_patch(&mut doc, br#"{"authors": "not a list"}"#).unwrap_err();
        assert!(matches!(err, PatchError::BadField { ref field, .. } if field == "authors"));
        let err = apply_patch(&mut doc, br#"{"id": "other"}"#).unwrap_err();
        assert!(matches!(err, PatchError::IdChanged { .. }));
        apply_patch(&mut doc, br#"{"id": "abc"}"#).unwrap();
    }
}
