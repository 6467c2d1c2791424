//! The normalized article document: the serde types every plugin reads and writes.
//!
//! These types are the single source of truth for the JSON the daemon writes into the outbox.
//! Field names are stable `snake_case`. Fields this version does not know (written by a newer
//! plugin) are kept in `extra` maps and survive a round trip.

use std::collections::BTreeMap;

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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
