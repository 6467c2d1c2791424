//! The normalized article document: the serde types every plugin reads and writes.
//!
//! These types are the single source of truth for the JSON the daemon writes into the outbox.
//! Field names are stable `snake_case`. Fields this version does not know (written by a newer
//! plugin) are kept in `extra` maps and survive a round trip.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One article as it moves through the plugin chain and lands in the outbox.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Stable content id (hex, from the sha256 of the source bytes); the output file name.
    pub id: String,
    /// Where the article came from.
    #[serde(default)]
    pub source: SourceInfo,
    /// The decoded source text, as the host read it. Cleanup reads this; the host drops it
    /// before writing the outbox unless configured to keep it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// Name of the plugin that recognised the outlet (e.g. `outlet-globalresearch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    /// The site or publication the article was taken from (e.g. "Global Research").
    #[serde(default)]
    pub site: Option<String>,
    /// Headline.
    #[serde(default)]
    pub title: Option<String>,
    /// Subtitle or standfirst.
    #[serde(default)]
    pub subtitle: Option<String>,
    /// Author names, in byline order.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Publication date on the site the file came from (ISO 8601 date).
    #[serde(default)]
    pub published: Option<String>,
    /// Publication date at the original source, when the article is a reprint (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_published: Option<String>,
    /// The outlet that first published the article, when this is a reprint or translation.
    #[serde(default)]
    pub original_source: Option<String>,
    /// True when the article says it was translated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translated: Option<bool>,
    /// Place line at the head of the body ("Hanoi" for "HANOI – ...").
    #[serde(default)]
    pub dateline: Option<String>,
    /// ISO 639-1 language code of the body.
    #[serde(default)]
    pub language: Option<String>,
    /// Number of words in `body`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word_count: Option<u64>,
    /// Clean body text: paragraphs separated by a blank line, no boilerplate or markup.
    #[serde(default)]
    pub body: String,
    /// The body split into blocks, headings kept as headings.
    #[serde(default)]
    pub paragraphs: Vec<Paragraph>,
    /// Named entities found in the title and body.
    #[serde(default)]
    pub entities: Vec<Entity>,
    /// Short extractive summary.
    #[serde(default)]
    pub summary: Option<String>,
    /// Duplicate detection result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedup: Option<DedupInfo>,
    /// One entry per plugin that ran, in order.
    #[serde(default)]
    pub trace: Vec<TraceEntry>,
    /// Fields this version does not know; kept so that they survive a round trip.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// Facts about the source file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// Original file name (lossy UTF-8).
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// Hex sha256 of the file's bytes.
    pub sha256: String,
    /// When the file arrived (its modification time, RFC 3339 UTC), so a replay is identical.
    pub received: String,
    /// Text encoding the host decoded the file from (`utf-8`, `utf-16le`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Unknown fields from newer versions.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// What a block of the body is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParagraphKind {
    /// Running text.
    #[default]
    Paragraph,
    /// A section heading inside the article.
    Heading,
    /// A block quotation.
    Quote,
    /// An item of a list.
    ListItem,
    /// A photo or figure caption.
    Caption,
    /// A kind this version does not know.
    #[serde(other)]
    Other,
}

/// One block of the body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Paragraph {
    /// What the block is.
    #[serde(default)]
    pub kind: ParagraphKind,
    /// Its clean text.
    pub text: String,
}

impl Paragraph {
    /// A running-text paragraph.
    pub fn text(text: impl Into<String>) -> Self {
        Paragraph {
            kind: ParagraphKind::Paragraph,
            text: text.into(),
        }
    }

    /// A heading.
    pub fn heading(text: impl Into<String>) -> Self {
        Paragraph {
            kind: ParagraphKind::Heading,
            text: text.into(),
        }
    }
}

/// A named entity, folded over its aliases.
///
/// `Deserialize` is written by hand (below) and reads exactly what the derived one with these
/// attributes read, without the derived code's buffering for the flattened `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Entity {
    /// Canonical name ("United States" for "U.S.", "US" and "the US's").
    pub text: String,
    /// OntoNotes label: PERSON, ORG, GPE, LOC, NORP, EVENT, LAW, FAC, PRODUCT, ...
    pub label: String,
    /// Number of mentions.
    pub count: u64,
    /// `[start, end)` character offsets (Unicode scalar values) of each mention in `body`.
    /// Mentions in the title are counted but have no span.
    #[serde(default)]
    pub spans: Vec<[u64; 2]>,
    /// Unknown fields from newer versions.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A member name of an [`Entity`] object; an unknown one is borrowed from the input unless it
/// holds an escape.
enum EntityMember<'de> {
    Text,
    Label,
    Count,
    Spans,
    Other(Cow<'de, str>),
}

impl EntityMember<'_> {
    /// The known member `name` names, if any.
    fn known(name: &[u8]) -> Option<Self> {
        Some(match name {
            b"text" => EntityMember::Text,
            b"label" => EntityMember::Label,
            b"count" => EntityMember::Count,
            b"spans" => EntityMember::Spans,
            _ => return None,
        })
    }
}

impl<'de> Deserialize<'de> for EntityMember<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MemberVisitor;
        impl<'de> Visitor<'de> for MemberVisitor {
            type Value = EntityMember<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("field identifier")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(EntityMember::known(v.as_bytes())
                    .unwrap_or(EntityMember::Other(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(EntityMember::known(v.as_bytes())
                    .unwrap_or_else(|| EntityMember::Other(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(EntityMember::known(v.as_bytes()).unwrap_or(EntityMember::Other(Cow::Owned(v))))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
                // As derived: known names match as bytes; an unknown one must be a string key
                // of `extra`.
                match EntityMember::known(v) {
                    Some(member) => Ok(member),
                    None => match std::str::from_utf8(v) {
                        Ok(name) => Ok(EntityMember::Other(Cow::Owned(name.to_owned()))),
                        Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(v), &"a string")),
                    },
                }
            }
        }
        deserializer.deserialize_identifier(MemberVisitor)
    }
}

impl<'de> Deserialize<'de> for Entity {
    /// Reads an object as the derived `Deserialize` did: `text`, `label` and `count` required,
    /// `spans` empty when absent, a known member twice an error, every other member into
    /// `extra` (the last of a name wins). Known members are parsed straight into their types.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntityVisitor;
        impl<'de> Visitor<'de> for EntityVisitor {
            type Value = Entity;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("struct Entity")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entity, A::Error> {
                fn once<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
                    map: &mut A,
                    slot: &mut Option<T>,
                    name: &'static str,
                ) -> Result<(), A::Error> {
                    if slot.is_some() {
                        return Err(de::Error::duplicate_field(name));
                    }
                    *slot = Some(map.next_value()?);
                    Ok(())
                }
                let mut text = None;
                let mut label = None;
                let mut count = None;
                let mut spans = None;
                let mut extra = BTreeMap::new();
                while let Some(member) = map.next_key::<EntityMember<'de>>()? {
                    match member {
                        EntityMember::Text => once(&mut map, &mut text, "text")?,
                        EntityMember::Label => once(&mut map, &mut label, "label")?,
                        EntityMember::Count => once(&mut map, &mut count, "count")?,
                        EntityMember::Spans => once(&mut map, &mut spans, "spans")?,
                        EntityMember::Other(name) => {
                            let value: Value = map.next_value()?;
                            extra.insert(name.into_owned(), value);
                        }
                    }
                }
                Ok(Entity {
                    text: text.ok_or_else(|| de::Error::missing_field("text"))?,
                    label: label.ok_or_else(|| de::Error::missing_field("label"))?,
                    count: count.ok_or_else(|| de::Error::missing_field("count"))?,
                    spans: spans.unwrap_or_default(),
                    extra,
                })
            }
        }
        deserializer.deserialize_map(EntityVisitor)
    }
}

/// Result of duplicate detection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DedupInfo {
    /// Similarity fingerprint of the body (hex).
    pub fingerprint: String,
    /// Id of the earlier document this one duplicates, if any.
    #[serde(default)]
    pub duplicate_of: Option<String>,
    /// Estimated similarity to `duplicate_of`, 0.0 to 1.0.
    #[serde(default)]
    pub similarity: Option<f64>,
    /// `exact` or `near` when a duplicate was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Unknown fields from newer versions.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// One plugin's passage over the document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEntry {
    /// Plugin name.
    pub plugin: String,
    /// Plugin version.
    pub version: String,
    /// `ok`, `skip`, `error` or `panic`.
    pub status: String,
    /// Wall time of the call, in microseconds.
    pub micros: u64,
}

impl Document {
    /// Splits `body` into plain paragraphs, for plugins that only set the body.
    pub fn paragraphs_from_body(body: &str) -> Vec<Paragraph> {
        body.split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(Paragraph::text)
            .collect()
    }

    /// Joins paragraphs into a body (blank line between blocks).
    pub fn body_from_paragraphs(paragraphs: &[Paragraph]) -> String {
        let size = paragraphs.iter().map(|p| p.text.len() + 2).sum::<usize>();
        let mut body = String::with_capacity(size);
        for p in paragraphs {
            if !body.is_empty() {
                body.push_str("\n\n");
            }
            body.push_str(&p.text);
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let json = r#"{"id":"a","source":{"name":"x","size":1,"sha256":"s","received":"t","future":1},
            "body":"b","sentiment":{"score":0.5},
            "entities":[{"text":"Hanoi","label":"GPE","count":1,"spans":[[0,5]],"wikidata":"Q1858"}]}"#;
        let doc: Document = serde_json::from_str(json).unwrap();
        assert_eq!(doc.extra["sentiment"]["score"], 0.5);
        assert_eq!(doc.source.extra["future"], 1);
        assert_eq!(doc.entities[0].extra["wikidata"], "Q1858");
        let again: Document = serde_json::from_str(&serde_json::to_string(&doc).unwrap()).unwrap();
        assert_eq!(doc, again);
    }

    /// The derived `Deserialize` the hand-written one of [`Entity`] replaces.
    #[derive(Debug, Serialize, Deserialize)]
    struct DerivedEntity {
        text: String,
        label: String,
        count: u64,
        #[serde(default)]
        spans: Vec<[u64; 2]>,
        #[serde(flatten)]
        extra: BTreeMap<String, Value>,
    }

    impl From<DerivedEntity> for Entity {
        fn from(e: DerivedEntity) -> Self {
            Entity {
                text: e.text,
                label: e.label,
                count: e.count,
                spans: e.spans,
                extra: e.extra,
            }
        }
    }

    /// Reads `json` as an entity and as a list of one, through the borrowing, copying and
    /// `Value` deserializers, with both `Deserialize`s, and checks that they agree. Returns
    /// whether it was accepted.
    fn reads_as_derived(json: &str) -> bool {
        fn agree(
            json: &str,
            how: &str,
            ours: Result<Vec<Entity>, serde_json::Error>,
            derived: Result<Vec<DerivedEntity>, serde_json::Error>,
        ) -> bool {
            match (ours, derived) {
                (Ok(ours), Ok(derived)) => {
                    let derived: Vec<Entity> = derived.into_iter().map(Entity::from).collect();
                    assert_eq!(ours, derived, "{how}: {json}");
                    true
                }
                (Err(ours), Err(derived)) => {
                    // Same kind of error at the same place, except for the errors the derived
                    // code finds only after the object's end.
                    assert_eq!(ours.classify(), derived.classify(), "{how}: {json}");
                    false
                }
                (ours, derived) => panic!("{how}: {json}: ours {ours:?}, derived {derived:?}"),
            }
        }
        let list = format!("[{json}]");
        let one = agree(
            json,
            "str",
            serde_json::from_str::<Entity>(json).map(|e| vec![e]),
            serde_json::from_str::<DerivedEntity>(json).map(|e| vec![e]),
        );
        let many = agree(
            json,
            "slice",
            serde_json::from_slice::<Vec<Entity>>(list.as_bytes()),
            serde_json::from_slice::<Vec<DerivedEntity>>(list.as_bytes()),
        );
        let reader = agree(
            json,
            "reader",
            serde_json::from_reader::<_, Vec<Entity>>(list.as_bytes()),
            serde_json::from_reader::<_, Vec<DerivedEntity>>(list.as_bytes()),
        );
        assert_eq!(many, reader, "{json}");
        if let Ok(value) = serde_json::from_str::<Value>(&list) {
            agree(
                json,
                "value",
                Vec::<Entity>::deserialize(&value),
                Vec::<DerivedEntity>::deserialize(&value),
            );
            agree(
                json,
                "owned value",
                serde_json::from_value(value.clone()),
                serde_json::from_value(value),
            );
        }
        one
    }

    #[test]
    fn entities_read_as_the_derived_deserialize_reads_them() {
        const ACCEPTED: &[&str] = &[
            r#"{"text":"a","label":"b","count":1}"#,
            r#"{"text":"a","label":"b","count":1,"spans":[]}"#,
            r#"{"text":"a","label":"b","count":1,"spans":[[1,2],[3,4]]}"#,
            r#"{"spans":[[0,18446744073709551615]],"count":18446744073709551615,"label":"","text":""}"#,
            r#" { "text" : "a\"\\\n\u00e9\ud83d\ude00" , "label":"b","count":0 } "#,
            r#"{"te\u0078t":"a","\u006cabel":"b","count":1,"spa\u006es":[[1,2]]}"#,
            r#"{"text":"a","label":"b","count":1,"wikidata":"Q1","x":null,"":{"a":[1,-2,3.5,true]}}"#,
            r#"{"text":"a","label":"b","count":1,"x":1,"x":2,"x":{"y":3}}"#,
            r#"{"x":[],"text":"a","y":{},"label":"b","z":-0,"count":1,"w":1e300,"spans":[]}"#,
            r#"{"text":"a","label":"b","count":1,"Text":1,"TEXT":2,"text ":3,"\u0000":4}"#,
            r#"{"text":"a","label":"b","count":1,"x\"y\\z\u00e9":"k\u0001"}"#,
            r#"{"text":"a","label":"b","count":1,"x":{"$serde_json::private::RawValue":"[1,2]"}}"#,
            r#"{"text":"a","label":"b","count":1,"$serde_json::private::RawValue":"7"}"#,
            r#"{"text":"a","label":"b","count":1,"x":{"a":1,"a":2}}"#,
            r#"{"text":"a","label":"b","count":1,"x":-9223372036854775808,"y":18446744073709551615}"#,
        ];
        const REJECTED: &[&str] = &[
            "{}",
            "null",
            "[]",
            r#"["a","b",1]"#,
            r#"["a","b",1,[]]"#,
            r#""text""#,
            "1",
            r#"{"label":"b","count":1}"#,
            r#"{"text":"a","count":1}"#,
            r#"{"text":"a","label":"b"}"#,
            r#"{"text":"a","label":"b","count":1,"text":"c"}"#,
            r#"{"text":"a","label":"b","count":1,"te\u0078t":"c"}"#,
            r#"{"text":"a","label":"b","count":1,"label":"c"}"#,
            r#"{"text":"a","label":"b","count":1,"count":1}"#,
            r#"{"text":"a","label":"b","count":1,"spans":[],"spans":[]}"#,
            r#"{"text":"a","label":"b","count":1,"spans":null}"#,
            r#"{"text":null,"label":"b","count":1}"#,
            r#"{"text":"a","label":null,"count":1}"#,
            r#"{"text":"a","label":"b","count":null}"#,
            r#"{"text":1,"label":"b","count":1}"#,
            r#"{"text":"a","label":["b"],"count":1}"#,
            r#"{"text":"a","label":"b","count":-1}"#,
            r#"{"text":"a","label":"b","count":1.0}"#,
            r#"{"text":"a","label":"b","count":1e3}"#,
            r#"{"text":"a","label":"b","count":"1"}"#,
            r#"{"text":"a","label":"b","count":18446744073709551616}"#,
            r#"{"text":"a","label":"b","count":1,"spans":{}}"#,
            r#"{"text":"a","label":"b","count":1,"spans":[1,2]}"#,
            r#"{"text":"a","label":"b","count":1,"spans":[[1]]}"#,
            r#"{"text":"a","label":"b","count":1,"spans":[[1,2,3]]}"#,
            r#"{"text":"a","label":"b","count":1,"spans":[[1,-2]]}"#,
            r#"{"text":"a","label":"b","count":1,"spans":[[1,2.5]]}"#,
            r#"{"text":"a","label":"b","count":1,"spans":[null]}"#,
            r#"{"text":"a","label":"b","count":1,"spans":[[1,2],]}"#,
            r#"{"text":"a","label":"b","count":1,}"#,
            r#"{"text":"a","label":"b","count":1"#,
            r#"{"text":"a","label":"b","count":1,"x":}"#,
            r#"{"text":"a","label":"b","count":1,"x":tru}"#,
            r#"{"text":"a","label":"b","count":1,"x":{"$serde_json::private::RawValue":1}}"#,
            r#"{"text":"a","label":"b","count":1,"x":{"$serde_json::private::RawValue":"[1"}}"#,
            r#"{"text":"a","label":"b","count":1,"x":"\ud800"}"#,
            r#"{"text":"a","label":"b","count":1,"\ud800":1}"#,
            r#"{"text":"a","label":"b","count":1,1:2}"#,
            r#"{"text":"a\u0","label":"b","count":1}"#,
            "{\"text\":\"a\nb\",\"label\":\"b\",\"count\":1}",
        ];
        for json in ACCEPTED {
            assert!(reads_as_derived(json), "{json}");
        }
        for json in REJECTED {
            assert!(!reads_as_derived(json), "{json}");
        }
        // Nesting: the recursion limit applies to unknown members as before.
        for depth in [100, 126, 127, 128, 200] {
            let json = format!(
                r#"{{"text":"a","label":"b","count":1,"x":{}{}}}"#,
                "[".repeat(depth),
                "]".repeat(depth)
            );
            reads_as_derived(&json);
        }
    }

    #[test]
    fn random_entities_read_as_the_derived_deserialize_reads_them() {
        const MEMBERS: &[&str] = &[
            r#""text":"Hanoi""#,
            r#""te\u0078t":"x""#,
            r#""text":null"#,
            r#""label":"GPE""#,
            r#""label":7"#,
            r#""count":3"#,
            r#""count":-3"#,
            r#""spans":[[0,5],[9,14]]"#,
            r#""spans":[]"#,
            r#""spans":null"#,
            r#""wikidata":"Q1858""#,
            r#""wikidata":null"#,
            r#""score":{"a":[1,2.5,"\n"]}"#,
            r#""\u00e9":true"#,
        ];
        let mut state = 0x853c_49e6_748f_ea9b_u64;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        let mut accepted = 0;
        for _ in 0..5_000 {
            let mut members: Vec<&str> =
                (0..next(5)).map(|_| MEMBERS[next(MEMBERS.len())]).collect();
            if next(2) == 0 {
                for required in [MEMBERS[0], MEMBERS[3], MEMBERS[5]] {
                    members.insert(next(members.len() + 1), required);
                }
            }
            accepted += usize::from(reads_as_derived(&format!("{{{}}}", members.join(","))));
        }
        assert!(accepted > 500, "{accepted}");
    }

    #[test]
    fn entities_write_as_before_pretty_too() {
        let json = r#"[{"text":"A \"b\"","label":"ORG","count":2,"spans":[[0,5],[9,14]],
            "wikidata":"Q1","nested":{"b":[1,{"c":null}],"a":1.5}},
            {"text":"","label":"","count":0}]"#;
        let ours: Vec<Entity> = serde_json::from_str(json).unwrap();
        let derived: Vec<DerivedEntity> = serde_json::from_str(json).unwrap();
        assert_eq!(
            serde_json::to_string(&ours).unwrap(),
            serde_json::to_string(&derived).unwrap()
        );
        assert_eq!(
            serde_json::to_string_pretty(&ours).unwrap(),
            serde_json::to_string_pretty(&derived).unwrap()
        );
    }

    #[test]
    fn unknown_paragraph_kind_reads_as_other() {
        let p: Paragraph = serde_json::from_str(r#"{"kind":"sidebar","text":"x"}"#).unwrap();
        assert_eq!(p.kind, ParagraphKind::Other);
    }

    #[test]
    fn body_and_paragraphs_convert_both_ways() {
        let paragraphs = Document::paragraphs_from_body("One.\n\n\n\nTwo.\n\n");
        assert_eq!(
            paragraphs,
            vec![Paragraph::text("One."), Paragraph::text("Two.")]
        );
        assert_eq!(Document::body_from_paragraphs(&paragraphs), "One.\n\nTwo.");
    }
}

/// Number of hex digits of the sha256 used as a document id (64 bits).
pub const ID_HEX_LEN: usize = 16;

impl Document {
    /// Builds the initial document for a source file, as the host does before the chain runs:
    /// decodes the bytes, hashes them for the id and fills `source`.
    ///
    /// `received` is an RFC 3339 timestamp (the file's modification time), so that processing
    /// the same file again yields the same document.
    pub fn from_source(
        name: &str,
        bytes: &[u8],
        received: &str,
    ) -> Result<Document, crate::text::DecodeError> {
        let decoded = crate::text::decode(bytes)?;
        let sha256 = sha256_hex(bytes);
        Ok(Document {
            id: sha256[..ID_HEX_LEN].to_owned(),
            source: SourceInfo {
                name: name.to_owned(),
                size: bytes.len() as u64,
                sha256,
                received: received.to_owned(),
                encoding: Some(decoded.encoding.to_owned()),
                extra: BTreeMap::new(),
            },
            raw: Some(decoded.text.into_owned()),
            ..Document::default()
        })
    }
}

/// Lowercase hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    hex
}

#[cfg(test)]
mod source_tests {
    use super::*;

    #[test]
    fn from_source_is_deterministic_and_hashes_bytes() {
        let a = Document::from_source("a.txt", b"Hello world", "2024-01-01T00:00:00Z").unwrap();
        let b = Document::from_source("b.txt", b"Hello world", "2024-01-01T00:00:00Z").unwrap();
        assert_eq!(a.id, b.id);
        assert_eq!(a.id.len(), ID_HEX_LEN);
        assert_eq!(
            a.source.sha256,
            "64ec88ca00b268e5ba1a35678a1b5316d212f4f366b2477232534a8aeca37f3c"
        );
        assert_eq!(a.raw.as_deref(), Some("Hello world"));
        assert!(Document::from_source("c", b"", "t").is_err());
    }
}
