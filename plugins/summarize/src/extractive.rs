//! The built-in extractive summarizer: candidates, scores, selection.

use std::borrow::Cow;

use ingestd_sdk::{Document, Paragraph};

use crate::candidates::{CandidateBuilder, Scan};
use crate::engine::Summarizer;
use crate::error::SummarizeError;
use crate::select::{Budget, summarize};
use crate::sentences::SentenceSplitter;
use crate::signals::Signals;
use crate::words::StopWords;

/// Picks the best 2–3 sentences of a document; deterministic, linear in its length.
#[derive(Debug, Clone)]
pub struct ExtractiveSummarizer {
    splitter: SentenceSplitter,
    signals: Signals,
    stop_words: StopWords,
    budget: Budget,
    scan: Scan,
}

impl ExtractiveSummarizer {
    /// Builds the word lists and phrase matchers once.
    pub fn new(budget: Budget, scan: Scan, signals: Signals) -> Self {
        ExtractiveSummarizer {
            splitter: SentenceSplitter::default(),
            signals,
            stop_words: StopWords::default(),
            budget,
            scan,
        }
    }
}

impl Summarizer for ExtractiveSummarizer {
    fn name(&self) -> &'static str {
        "extractive"
    }

    fn summarize(&self, doc: &Document) -> Result<Option<String>, SummarizeError> {
        let paragraphs: Cow<'_, [Paragraph]> = if doc.paragraphs.is_empty() {
            Cow::Owned(Document::paragraphs_from_body(&doc.body))
        } else {
            Cow::Borrowed(&doc.paragraphs)
        };
        let builder = CandidateBuilder {
            splitter: &self.splitter,
            signals: &self.signals,
        };
        let sentences = builder.build(&paragraphs, self.scan);
        let scores = crate::scoring::score(&sentences, doc.title.as_deref(), &self.stop_words);
        Ok(summarize(&sentences, &scores, self.budget))
    }
}
