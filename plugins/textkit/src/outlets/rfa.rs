//! Translations of Radio Free Asia (RFA) stories: headline, a photo caption under it, the
//! text with double blank lines between paragraphs, and a "Translated by … from RFA:" trailer.

use ingestd_sdk::ParagraphKind;

use crate::cleaner::{Block, Cleaner, Note};
use crate::error::BuildError;
use crate::extract::Extraction;
use crate::outlet::{OutletRules, Signal};

use super::{punctuated, text_indices};

/// The RFA-translation rules.
#[derive(Debug)]
pub struct Rfa {
    signals: Vec<Signal>,
}

impl OutletRules for Rfa {
    const NAME: &'static str = "outlet-rfa";
    const MIN_SIGNALS: usize = 2;

    fn build() -> Result<Self, BuildError> {
        Ok(Rfa {
            signals: vec![
                Signal::required(
                    "translation credit",
                    r"^(?:Translated|Translation)\b[^\n]{0,80}\bfrom (?:RFA|Radio Free Asia)\b[^\n]{0,40}$",
                )?
                // Pieces of "translat" and "radio" without their first letters: the
                // prefilter's literal search stops at every occurrence of a needle's first
                // three letters ("tra" and "rad" in "trade").
                .needing(&["nslat"]),
                Signal::new(
                    "double-spaced paragraphs",
                    r"[.!?”\x22]\n\n\n+\S[^\n]+[.!?”\x22]\n\n\n+\S",
                )?,
                Signal::new(
                    "caption under the headline",
                    r"\A[^\n]+\n\n+[^\n]+\b\d{4}\n",
                )?
                .checked(caption_lengths),
                Signal::new("RFA named", r"\bRadio Free Asia\b|\(RFA\)")?
                    .needing(&["dio", "(rfa)"]),
            ],
        })
    }

    fn signals(&self) -> &[Signal] {
        &self.signals
    }

    fn apply(&self, cleaner: &Cleaner, blocks: &[Block]) -> Extraction {
        let notes: Vec<Note> = blocks.iter().map(|b| cleaner.note(b)).collect();
        let mut ex = Extraction::default();
        let credit = notes
            .iter()
            .rposition(|n| matches!(n, Note::Source(s) if s.translated))
            .unwrap_or(blocks.len());
        if let Some(Note::Source(s)) = notes.get(credit) {
            ex.original_source.clone_from(&s.source);
            ex.translated = Some(true);
        }
        for note in &notes[..credit] {
            if let Note::Byline(b) = note {
                ex.authors.extend(b.authors.iter().cloned());
            }
        }
        let mut texts = text_indices(&notes[..credit]);
        let Some(title) = texts.next() else {
            return ex;
        };
        ex.title = Some(blocks[title].text.clone());
        let body = title + 1..credit;
        let mut paragraphs = cleaner.body_noted(&blocks[body.clone()], &notes[body]);
        // The unpunctuated line under the headline describes the photo.
        if let Some(first) = paragraphs.first_mut() {
            let block = Block {
                kind: crate::markdown::LineKind::Text,
                text: first.text.clone(),
            };
            if !punctuated(&block) && first.text.split_whitespace().count() >= 6 {
                first.kind = ParagraphKind::Caption;
            }
        }
        ex.paragraphs = paragraphs;
        ex.dateline = cleaner.take_dateline(&mut ex.paragraphs);
        ex
    }
}

/// The lengths of `\A[^\n]{10,200}\n\n+[^\n]{20,300}\b\d{4}\n` on a match of its loose form
/// (`+` for the counts): a headline of 10 to 200 characters and 20 to 300 before the caption's
/// year. The counted form compiles to some 4,600 NFA states (20,000 reversed) and a
/// megabyte of match cache per thread.
fn caption_lengths(found: &str) -> bool {
    let (headline, rest) = found.split_once('\n').unwrap_or((found, ""));
    let before_year = rest.trim_matches('\n').chars().count().saturating_sub(4);
    (10..=200).contains(&headline.chars().count()) && (20..=300).contains(&before_year)
}
