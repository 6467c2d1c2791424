//! Writing an [`Extraction`] into a [`Document`], and the finishing touches every document
//! gets (NFC, body/paragraph consistency, language, word count).

use ingestd_sdk::{Document, Paragraph};

use crate::cleaner::Cleaner;
use crate::extract::Extraction;
use crate::normalize::nfc;

/// Sets `slot` to `value` when `slot` is empty.
fn fill<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}

impl Extraction {
    /// Fills the document's empty fields from this extraction (never overwrites), and sets
    /// body and paragraphs when the document has none.
    pub fn fill_document(self, doc: &mut Document) {
        fill(&mut doc.site, self.site);
        fill(&mut doc.title, self.title);
        fill(&mut doc.subtitle, self.subtitle);
        if doc.authors.is_empty() {
            doc.authors = self.authors;
        }
        fill(&mut doc.published, self.published);
        fill(&mut doc.original_published, self.original_published);
        fill(&mut doc.original_source, self.original_source);
        fill(&mut doc.translated, self.translated);
        fill(&mut doc.dateline, self.dateline);
        if let Some(section) = self.section {
            doc.extra
                .entry("section".to_owned())
                .or_insert(serde_json::Value::String(section));
        }
        if doc.paragraphs.is_empty() && doc.body.trim().is_empty() {
            doc.paragraphs = self.paragraphs;
        }
    }
}

/// Counts words: runs of characters separated by white space that hold a letter or digit.
pub fn word_count(text: &str) -> u64 {
    crate::words::count_alphanumeric(text) as u64
}

impl Cleaner {
    /// Makes a document consistent and complete: NFC text, `body` equal to the paragraphs
    /// joined by a blank line (paragraphs derived from `body` if only that was set), and
    /// `language` and `word_count` filled from the body when missing.
    pub fn finish(&self, doc: &mut Document) {
        if doc.paragraphs.is_empty() && !doc.body.trim().is_empty() {
            doc.paragraphs = Document::paragraphs_from_body(&nfc(&doc.body));
        }
        for p in &mut doc.paragraphs {
            crate::normalize::nfc_trimmed_in_place(&mut p.text);
        }
        doc.paragraphs.retain(|p: &Paragraph| !p.text.is_empty());
        doc.body = Document::body_from_paragraphs(&doc.paragraphs);
        for field in [
            &mut doc.title,
            &mut doc.subtitle,
            &mut doc.site,
            &mut doc.dateline,
            &mut doc.original_source,
        ] {
            if let Some(value) = field.as_mut() {
                crate::normalize::nfc_trimmed_in_place(value);
            }
            if field.as_deref().is_some_and(str::is_empty) {
                *field = None;
            }
        }
        for author in &mut doc.authors {
            crate::normalize::nfc_trimmed_in_place(author);
        }
        if doc.language.is_none() && self.config.detect_language {
            doc.language = crate::lang::detect(&doc.body, self.config.min_language_confidence)
                .map(str::to_owned);
        }
        if doc.word_count.is_none() {
            doc.word_count = Some(word_count(&doc.body));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CleanupConfig;

    #[test]
    fn finish_fills_language_and_count_and_joins_paragraphs() {
        let cleaner = Cleaner::new(&CleanupConfig::default()).unwrap();
        let mut doc = Document {
            paragraphs: vec![
                Paragraph::text("The government announced a new trade agreement on Monday."),
                Paragraph::text("Officials said it would take effect next year."),
            ],
            title: Some("  A title ".into()),
            ..Document::default()
        };
        cleaner.finish(&mut doc);
        assert!(doc.body.contains("Monday.\n\nOfficials"));
        assert_eq!(doc.language.as_deref(), Some("en"));
        assert_eq!(doc.word_count, Some(17));
        assert_eq!(doc.title.as_deref(), Some("A title"));
    }

    #[test]
    fn fill_never_overwrites() {
        let mut doc = Document {
            title: Some("Kept".into()),
            ..Document::default()
        };
        Extraction {
            title: Some("Other".into()),
            published: Some("2024-01-01".into()),
            ..Extraction::default()
        }
        .fill_document(&mut doc);
        assert_eq!(doc.title.as_deref(), Some("Kept"));
        assert_eq!(doc.published.as_deref(), Some("2024-01-01"));
    }
}
