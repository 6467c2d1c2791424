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

#[cfg(test)]
mod tests {
    use super::*;

    fn summarizer(max_chars: usize) -> ExtractiveSummarizer {
        ExtractiveSummarizer::new(
            Budget {
                max_chars,
                min_sentences: 2,
                max_sentences: 3,
            },
            Scan {
                lead_paragraphs: 3,
                max_sentences: 2000,
            },
            Signals::new().unwrap(),
        )
    }

    fn doc(paragraphs: Vec<Paragraph>) -> Document {
        Document {
            title: Some("Hanoi opens a new metro line".into()),
            body: Document::body_from_paragraphs(&paragraphs),
            paragraphs,
            ..Document::default()
        }
    }

    #[test]
    fn a_body_without_paragraphs_is_split_at_blank_lines() {
        let mut d = doc(Vec::new());
        d.body = "Hanoi opened its second metro line on Friday after years of delay.\n\n\
                  The line links the old quarter with the western districts of the city."
            .into();
        assert_eq!(
            summarizer(600).summarize(&d).unwrap().as_deref(),
            Some(
                "Hanoi opened its second metro line on Friday after years of delay. \
                 The line links the old quarter with the western districts of the city."
            )
        );
    }

    #[test]
    fn headings_only_give_no_summary() {
        let d = doc(vec![
            Paragraph::heading("The new metro line in Hanoi opens today"),
            Paragraph::heading("What riders need to know about fares"),
        ]);
        assert_eq!(summarizer(600).summarize(&d).unwrap(), None);
    }

    #[test]
    fn boilerplate_and_questions_lose_to_news() {
        let d = doc(vec![
            Paragraph::text(
                "Hanoi opened its second metro line on Friday after years of delay. \
                 Subscribe to our newsletter for daily updates on the metro line.",
            ),
            Paragraph::text(
                "Will you ride the new metro line in Hanoi this week? \
                 The metro line carries up to 30,000 riders a day between Hanoi's districts.",
            ),
        ]);
        let summary = summarizer(600).summarize(&d).unwrap().unwrap_or_default();
        assert_eq!(
            summary,
            "Hanoi opened its second metro line on Friday after years of delay. \
             The metro line carries up to 30,000 riders a day between Hanoi's districts."
        );
    }

    #[test]
    fn cjk_articles_are_summarized_within_the_budget() {
        let d = doc(vec![Paragraph::text(
            "河内市周五开通了第二条地铁线路。该线路连接老城区和西部城区。\
             官员表示每天可运送三万名乘客。市民对新线路表示欢迎。",
        )]);
        let summary = summarizer(40).summarize(&d).unwrap().unwrap_or_default();
        assert!(
            summary.starts_with("河内市周五开通了第二条地铁线路。"),
            "{summary}"
        );
        assert!(summary.chars().count() <= 40, "{summary}");
    }
}
