//! Candidate sentences of a document: split every text paragraph, drop what may never be in a
//! summary (headings, captions, boilerplate, questions to the reader, fragments) and weigh what is merely unlikely.

use ingestd_sdk::{Paragraph, ParagraphKind};

use crate::sentences::SentenceSplitter;
use crate::signals::{QuoteState, Signals};
use crate::words::measure;

/// Sentences with fewer words are never chosen (datelines, fragments).
pub const MIN_WORDS: usize = 4;
/// Sentences with fewer words than this are weighed down.
const SHORT_WORDS: usize = 6;
/// Sentences with more words than this are weighed down in proportion.
const LONG_WORDS: usize = 45;

/// One sentence that may go into the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence<'a> {
    /// The sentence, as it appears in its paragraph (trimmed).
    pub text: &'a str,
    /// Index of its paragraph in `doc.paragraphs`.
    pub paragraph: usize,
    /// Its length in characters once inner whitespace runs are collapsed to one space.
    pub chars: usize,
    /// True when it belongs to the lead (the first text paragraphs).
    pub lead: bool,
    /// Multiplier of its score, in (0, 1]: penalties for form (questions, quotes, length).
    pub weight: f64,
}

/// What the candidate builder needs to know.
#[derive(Debug, Clone, Copy)]
pub struct Scan {
    /// How many text paragraphs form the lead.
    pub lead_paragraphs: usize,
    /// Stop after this many sentences (bounded work and memory on huge documents).
    pub max_sentences: usize,
}

/// Builds the candidates of some paragraphs.
#[derive(Debug)]
pub struct CandidateBuilder<'s> {
    /// The sentence splitter.
    pub splitter: &'s SentenceSplitter,
    /// The surface signals.
    pub signals: &'s Signals,
}

impl CandidateBuilder<'_> {
    /// The candidate sentences of `paragraphs`, in document order.
    pub fn build<'a>(&self, paragraphs: &'a [Paragraph], scan: Scan) -> Vec<Sentence<'a>> {
        let mut out = Vec::new();
        let mut ranges = Vec::new();
        let mut seen = 0;
        let mut text_paragraphs = 0;
        for (index, paragraph) in paragraphs.iter().enumerate() {
            let kind_weight = match paragraph.kind {
                ParagraphKind::Heading | ParagraphKind::Caption => continue,
                ParagraphKind::Paragraph => 1.0,
                ParagraphKind::ListItem => 0.7,
                ParagraphKind::Quote => 0.6,
                ParagraphKind::Other => 0.8,
            };
            ranges.clear();
            self.splitter.split_into(&paragraph.text, &mut ranges);
            if ranges.is_empty() {
                continue;
            }
            text_paragraphs += 1;
            let lead = text_paragraphs <= scan.lead_paragraphs;
            let mut quotes = QuoteState::default();
            for range in ranges.iter() {
                if seen >= scan.max_sentences {
                    return out;
                }
                seen += 1;
                let text = &paragraph.text[range.clone()];
                let unattributed = quotes.unattributed_quote(text);
                let size = measure(text);
                if let Some(weight) = self.weight(text, size.words, unattributed, out.is_empty()) {
                    out.push(Sentence {
                        text,
                        paragraph: index,
                        chars: size.chars,
                        lead,
                        weight: weight * kind_weight,
                    });
                }
            }
        }
        out
    }

    /// The form weight of a sentence, or `None` when it may never be chosen.
    fn weight(&self, text: &str, words: usize, unattributed: bool, first: bool) -> Option<f64> {
        if words < MIN_WORDS {
            return None;
        }
        let flags = self.signals.flags(text, words);
        if flags.caption || flags.boilerplate || flags.reader_question {
            return None;
        }
        let mut weight = 1.0;
        if words < SHORT_WORDS {
            weight *= 0.3;
        }
        if words > LONG_WORDS {
            weight *= LONG_WORDS as f64 / words as f64;
        }
        if flags.question {
            weight *= 0.3;
        }
        if flags.exclamation {
            weight *= 0.6;
        }
        if flags.unterminated {
            weight *= 0.3;
        }
        if flags.dangling && !first {
            weight *= 0.75;
        }
        if unattributed {
            weight *= 0.5;
        }
        Some(weight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(paragraphs: &[Paragraph], lead_paragraphs: usize) -> Vec<Sentence<'_>> {
        let splitter = SentenceSplitter::default();
        let signals = Signals::new().unwrap();
        CandidateBuilder {
            splitter: &splitter,
            signals: &signals,
        }
        .build(
            paragraphs,
            Scan {
                lead_paragraphs,
                max_sentences: 100,
            },
        )
    }

    #[test]
    fn headings_captions_and_boilerplate_are_never_candidates() {
        let paragraphs = [
            Paragraph {
                kind: ParagraphKind::Caption,
                text: "Leaders meet in Hanoi on a sunny Sunday morning.".into(),
            },
            Paragraph::heading("The summit in Hanoi on Sunday went well."),
            Paragraph::text(
                "Subscribe to our newsletter today for the full story. The summit went well for both of the leaders.",
            ),
        ];
        let out = build(&paragraphs, 3);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].text, "The summit went well for both of the leaders.");
        assert_eq!(out[0].paragraph, 2);
        assert!(out[0].lead);
        assert_eq!(out[0].weight, 1.0);
    }

    #[test]
    fn lead_counts_text_paragraphs_only() {
        let paragraphs = [
            Paragraph::heading("Heading"),
            Paragraph::text("The first paragraph has a sentence in it."),
            Paragraph::text("The second paragraph has a sentence in it."),
        ];
        let out = build(&paragraphs, 1);
        assert_eq!(
            out.iter().map(|s| s.lead).collect::<Vec<_>>(),
            [true, false]
        );
    }

    #[test]
    fn form_penalties() {
        let paragraphs = [Paragraph::text(
            "The talks in Hanoi ended on Sunday. Will the deal hold for long? \"It will not last at all.\" However, the deal was signed by both sides.",
        )];
        let out = build(&paragraphs, 3);
        let weights: Vec<f64> = out.iter().map(|s| s.weight).collect();
        assert_eq!(weights, [1.0, 0.3, 0.5, 0.75]);
    }

    #[test]
    fn scan_limit_bounds_the_work() {
        let text = "This is one short sentence here. ".repeat(50);
        let paragraphs = [Paragraph::text(text)];
        let splitter = SentenceSplitter::default();
        let signals = Signals::new().unwrap();
        let builder = CandidateBuilder {
            splitter: &splitter,
            signals: &signals,
        };
        let scan = Scan {
            lead_paragraphs: 1,
            max_sentences: 7,
        };
        assert_eq!(builder.build(&paragraphs, scan).len(), 7);
    }
}
