//! The [`Cleaner`]: every compiled pattern in one place, built once, and the first two passes
//! over an article (split into blocks, say what each block is).

use aho_corasick::AhoCorasick;
use regex::Regex;

use crate::boilerplate::Boilerplate;
use crate::byline::{Byline, BylineParser};
use crate::config::{CleanupConfig, Family};
use crate::dateline::DatelineParser;
use crate::dates::DateParser;
use crate::error::{BuildError, LineRegex, regex};
use crate::markdown::{LineKind, Markdown};
use crate::source::{SourceNote, SourceParser};

/// One block of an article: a paragraph, a heading, a metadata line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// What the markdown said the block was.
    pub kind: LineKind,
    /// Plain text (markup removed, soft line breaks joined with a space).
    pub text: String,
}

/// What a block says about the article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Running text (or a title, heading or subtitle: decided later, from position).
    Text,
    /// A thematic break.
    Separator,
    /// Boilerplate of a family (`None`: a user pattern).
    Boilerplate(Option<Family>),
    /// A byline.
    Byline(Byline),
    /// An original-source trailer.
    Source(SourceNote),
    /// A line that is a date (`updated` when labelled as an update).
    Date {
        /// ISO 8601 date.
        iso: String,
        /// "Updated ..." rather than "Published ...".
        updated: bool,
    },
    /// "Site Name, DATE" or "Site Name DATE".
    SiteDate {
        /// The name before the date.
        site: String,
        /// ISO 8601 date.
        iso: String,
    },
    /// A photo caption (kept as a caption paragraph).
    Caption,
}

impl Note {
    /// True for blocks that carry article text (body, title, caption).
    pub fn is_text(&self) -> bool {
        matches!(self, Note::Text | Note::Caption)
    }
}

/// Most words a metadata line (byline, date line, source trailer) may have.
const MAX_META_WORDS: usize = 24;

/// Most words a photo caption may have.
const MAX_CAPTION_WORDS: usize = 60;

/// The text machinery, compiled once from a [`CleanupConfig`] and shared by all threads.
#[derive(Debug)]
pub struct Cleaner {
    pub(crate) config: CleanupConfig,
    pub(crate) markdown: Markdown,
    pub(crate) boilerplate: Boilerplate,
    pub(crate) dates: DateParser,
    pub(crate) bylines: BylineParser,
    pub(crate) sources: SourceParser,
    pub(crate) datelines: DatelineParser,
    date_label: Regex,
    date_noise: Regex,
    caption_cue: Regex,
    /// "pictured" in any ASCII case: with `(`, `:` and `/` what a caption cue needs (see
    /// [`Cleaner::may_be_caption`]); `None` if it could not be built (every text may be one).
    pictured: Option<AhoCorasick>,
    pub(crate) bio_start: LineRegex,
    pub(crate) bio_role: Regex,
}

impl Cleaner {
    /// Compiles everything the configuration asks for. Fails on an invalid user pattern.
    pub fn new(config: &CleanupConfig) -> Result<Self, BuildError> {
        Ok(Cleaner {
            config: config.clone(),
            markdown: Markdown::new()?,
            boilerplate: Boilerplate::new(&config.strip, &config.extra_patterns)?,
            dates: DateParser::new(config.numeric_dates)?,
            bylines: BylineParser::new()?,
            sources: SourceParser::new()?,
            datelines: DatelineParser::new()?,
            date_label: regex(
                r"^(?:(published|posted|first published|filed|date|dated|publié le|publié|veröffentlicht am|veröffentlicht|publicado el|publicado em|publicado|pubblicato il|pubblicato|gepubliceerd op|gepubliceerd|ngày đăng|ngày)|(updated|last updated|modified|mis à jour le|mis à jour|aktualisiert am|aktualisiert|actualizado|atualizado|aggiornato|bijgewerkt|cập nhật))\b\s*:?\s*(?:on\s+)?",
            )?,
            date_noise: regex(
                r"(?:\b\d{1,2}[:.h]\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s*(?:UTC|GMT|[A-Z]{2,4})(?:[+-]\d{1,2})?)?|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|sat|sun|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lunes|martes|miércoles|jueves|viernes|sábado|domingo)\b|[\s,|·•–—\-()]+)",
            )?,
            caption_cue: regex(
                r"\((?:photo|image|file photo|pictured|picture|credit)\b[^)]*\)\s*$|\b(?:photo|image|picture|photograph)\s*(?:credit)?\s*:\s*\S|\b(?:AFP|Reuters|AP|EPA|Getty Images|Xinhua|VNA|Bloomberg)\s*/\s*\S|\bpictured\b",
            )?,
            pictured: AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(["pictured"])
                .ok(),
            bio_start: LineRegex::new(
                r"^(?:about the author\b|(?:\p{Lu}[\p{L}'’.\-]*\s+){1,4}(?:is|was|has been|writes|covers|reports)\b(?:\s+(?:a|an|the|currently|also|now)\b)?)",
                true,
            )?,
            bio_role: regex(
                r"\b(?:writer|journalist|reporter|correspondent|editor|analyst|author|columnist|researcher|fellow|professor|lecturer|scholar|commentator|contributor|blogger|director|manager|founder|economist|consultant)\b",
            )?,
        })
    }

    /// The configuration the cleaner was built from.
    pub fn config(&self) -> &CleanupConfig {
        &self.config
    }

    /// The compiled date recogniser.
    pub fn dates(&self) -> &DateParser {
        &self.dates
    }

    /// The compiled byline recogniser.
    pub fn bylines(&self) -> &BylineParser {
        &self.bylines
    }

    /// Parses a byline line.
    pub fn byline(&self, line: &str) -> Option<Byline> {
        self.bylines.parse(line, &self.dates)
    }

    /// Parses an original-source trailer line.
    pub fn source_note(&self, line: &str) -> Option<SourceNote> {
        self.sources.parse(line, &self.dates)
    }

    /// Normalizes text and splits it into blocks, removing markup. A multi-line block whose
    /// lines are metadata or boilerplate is split into one block per line.
    pub fn blocks(&self, text: &str) -> Vec<Block> {
        self.split_blocks(&crate::normalize::normalize(text))
    }

    /// [`Cleaner::blocks`] of text that [`normalize`](crate::normalize::normalize) already
    /// returned. Normalizing such text again changes it only when it is not in NFC (deleting
    /// a zero-width character can leave a combining mark next to a letter), so NFC text
    /// skips the second pass.
    pub(crate) fn blocks_of_normalized(&self, text: &str) -> Vec<Block> {
        if crate::normalize::is_nfc(text) {
            self.split_blocks(text)
        } else {
            self.blocks(text)
        }
    }

    /// Splits normalized text into blocks.
    fn split_blocks(&self, text: &str) -> Vec<Block> {
        let mut blocks = Vec::new();
        // One buffer for the lines of every chunk: its texts move into the blocks.
        let mut lines: Vec<(LineKind, String)> = Vec::new();
        for chunk in paragraphs(text) {
            lines.clear();
            lines.extend(
                chunk
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| self.markdown.clean_line(l)),
            );
            let split = lines.len() > 1
                && lines.iter().any(|(kind, text)| {
                    *kind != LineKind::Text || !matches!(self.note_of(text), Note::Text)
                });
            if split {
                blocks.extend(lines.drain(..).map(|(kind, text)| Block { kind, text }));
            } else if lines.len() == 1 {
                // One line (most paragraphs): its text is kept, not copied, when squashed.
                blocks.extend(lines.drain(..).map(|(kind, text)| Block {
                    kind,
                    text: crate::normalize::squash_owned(text),
                }));
            } else if let Some((kind, _)) = lines.first() {
                let joined: Vec<&str> = lines.iter().map(|(_, t)| t.as_str()).collect();
                blocks.push(Block {
                    kind: *kind,
                    text: crate::normalize::squash_spaces(&joined.join(" ")),
                });
            }
        }
        blocks.retain(|b| b.kind == LineKind::Separator || !b.text.is_empty());
        blocks
    }

    /// Says what a block is.
    pub fn note(&self, block: &Block) -> Note {
        if block.kind == LineKind::Separator {
            return Note::Separator;
        }
        self.note_of(&block.text)
    }

    fn note_of(&self, text: &str) -> Note {
        let words = crate::boilerplate::bounded_word_count(text);
        if let Some(family) = self.boilerplate.classify_counted(text, words) {
            return Note::Boilerplate(family);
        }
        if words <= MAX_META_WORDS {
            if let Some(source) = self.source_note(text) {
                return Note::Source(source);
            }
            if let Some(byline) = self.byline(text) {
                return Note::Byline(byline);
            }
            if let Some(note) = self.date_line(text) {
                return note;
            }
        }
        if words <= MAX_CAPTION_WORDS
            && self.may_be_caption(text)
            && self.caption_cue.is_match(text)
        {
            return Note::Caption;
        }
        Note::Text
    }

    /// False when `text` cannot match the caption cue, whose every branch needs a `(`, a `:`, a
    /// `/` or the word "pictured" (in any case: no character outside ASCII case-folds to one of
    /// its letters). Most paragraphs have none, and this byte test and literal search cost a
    /// fraction of the cue's automaton reading the paragraph.
    fn may_be_caption(&self, text: &str) -> bool {
        let punctuation = |b: u8| matches!(b, b'(' | b':' | b'/');
        // Folded without an early exit, 64 bytes at a time, so that it vectorises.
        text.as_bytes()
            .chunks(64)
            .any(|chunk| chunk.iter().fold(false, |any, &b| any | punctuation(b)))
            || self.pictured.as_ref().is_none_or(|p| p.is_match(text))
    }

    /// "Published: 27 May 2016", "Sept. 9, 2023 10:15 GMT", "Global Research, July 21, 2016".
    fn date_line(&self, text: &str) -> Option<Note> {
        if text.split_whitespace().count() > 14 {
            return None;
        }
        let found = self.dates.find(text)?;
        let before = &text[..found.range.start];
        let after = &text[found.range.end..];
        let mut updated = false;
        let label_end = match self.date_label.captures(before) {
            Some(c) => {
                updated = c.get(2).is_some();
                c.get(0).map_or(0, |m| m.end())
            }
            None => 0,
        };
        let before = self.date_noise.replace_all(&before[label_end..], " ");
        let after = self.date_noise.replace_all(after, " ");
        if !after.trim().is_empty() {
            return None;
        }
        let site = before.trim();
        if site.is_empty() {
            return Some(Note::Date {
                iso: found.iso,
                updated,
            });
        }
        let before_date = text[..found.range.start].trim();
        let raw_site = before_date
            .trim_end_matches([',', '|', '–', '—', '-', '·'])
            .trim();
        let words = raw_site.split_whitespace().count();
        // A lone word glued to the date ("Ngày 27/05/2016") is a label, not a site.
        let separated = raw_site.len() < before_date.len() || words >= 2;
        let capitalised = raw_site.chars().next().is_some_and(char::is_uppercase);
        (label_end == 0
            && separated
            && (1..=5).contains(&words)
            && capitalised
            && !raw_site.contains(['.', ':', '?', '!']))
        .then(|| Note::SiteDate {
            site: raw_site.to_owned(),
            iso: found.iso,
        })
    }
}

/// The pieces of `text` between blank-line separators, as `text.split("\n\n")`: each line
/// break found (a fast byte search) is a separator when another one follows it.
fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        let mut from = 0;
        while let Some(at) = current.get(from..).and_then(|t| t.find('\n')) {
            let at = from + at;
            if current.as_bytes().get(at + 1) == Some(&b'\n') {
                rest = current.get(at + 2..);
                return current.get(..at);
            }
            from = at + 1;
        }
        rest = None;
        Some(current)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_as_str_split_does() {
        const PIECES: &[&str] = &["a", "bc", "\n", "\n\n", "\n\n\n", " ", "é", "\r"];
        let mut next = crate::testing::seeded_below(19_u64);
        for _ in 0..20_000 {
            let text = crate::testing::random_text(&mut next, PIECES, 12);
            let expected: Vec<&str> = text.split("\n\n").collect();
            assert_eq!(paragraphs(&text).collect::<Vec<_>>(), expected, "{text:?}");
        }
    }

    fn cleaner() -> Cleaner {
        Cleaner::new(&CleanupConfig::default()).unwrap()
    }

    fn note(text: &str) -> Note {
        cleaner().note_of(text)
    }

    #[test]
    fn date_lines() {
        assert_eq!(
            note("Published: 27 May 2016"),
            Note::Date {
                iso: "2016-05-27".into(),
                updated: false
            }
        );
        assert_eq!(
            note("Updated Sept. 9, 2023 10:15 GMT"),
            Note::Date {
                iso: "2023-09-09".into(),
                updated: true
            }
        );
        assert_eq!(
            note("Monday, 4 March 2024"),
            Note::Date {
                iso: "2024-03-04".into(),
                updated: false
            }
        );
        assert_eq!(
            note("Global Research, July 21, 2016"),
            Note::SiteDate {
                site: "Global Research".into(),
                iso: "2016-07-21".into()
            }
        );
        assert_eq!(note("On 27 May 2016 the embargo was lifted."), Note::Text);
        assert_eq!(note("Saigon 27/05/2016"), Note::Text);
        assert_eq!(
            note("Ngày 27/05/2016"),
            Note::Date {
                iso: "2016-05-27".into(),
                updated: false
            }
        );
        assert_eq!(
            note("Filed 27.03.2024, 14:05 ICT"),
            Note::Date {
                iso: "2024-03-27".into(),
                updated: false
            }
        );
    }

    #[test]
    fn blocks_split_metadata_lines_and_join_wrapped_text() {
        let c = cleaner();
        let blocks = c.blocks("Title\n\nThe original source of this article is [X](#)\nCopyright © A B, 2016\n\nA wrapped\nparagraph here.");
        let texts: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Title",
                "The original source of this article is X",
                "Copyright © A B, 2016",
                "A wrapped paragraph here."
            ]
        );
    }

    #[test]
    fn caption_pre_check_passes_every_caption() {
        const PIECES: &[&str] = &[
            "(Photo: Reuters)",
            "(photo ",
            "Photo credit : x",
            "image:",
            "AFP / Nhac",
            "Reuters/",
            "PICTURED",
            "Pictured",
            "pictur",
            "ed",
            "(",
            ")",
            ":",
            "/",
            " ",
            "a",
            "é",
            "ſ",
            "\u{212a}",
            "İ",
            "photograph",
            "Getty Images",
            "x",
        ];
        let c = cleaner();
        let mut next = crate::testing::seeded_below(31_u64);
        let mut captions = 0;
        for _ in 0..20_000 {
            let text = crate::testing::random_text(&mut next, PIECES, 8);
            let cue = c.caption_cue.is_match(&text);
            assert!(!cue || c.may_be_caption(&text), "{text:?}");
            captions += usize::from(cue);
        }
        assert!(captions > 2000, "{captions}");
        assert!(!c.may_be_caption("Traders at the port on Sunday, pictures aside."));
    }

    #[test]
    fn captions() {
        assert_eq!(
            note("Protesters march in Bangkok on Sunday. (Photo: Reuters)"),
            Note::Caption
        );
        assert_eq!(
            note("Traders at the port. Photo: AFP/Nhac Nguyen"),
            Note::Caption
        );
    }
}
