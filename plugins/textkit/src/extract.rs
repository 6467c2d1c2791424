//! The generic pass: from classified blocks to metadata and clean paragraphs.
//!
//! Position decides what a text block is: before the first paragraph of prose come the
//! section label, title, subtitle/standfirst, author line and captions; after it comes the
//! body, minus author bios. Metadata lines (bylines, dates, source trailers) count wherever
//! they are, header or trailer, and never enter the body.

use ingestd_sdk::{Paragraph, ParagraphKind};
use rustc_hash::FxHashSet;

use crate::cleaner::{Block, Cleaner, Note};
use crate::config::Family;
use crate::markdown::LineKind;

/// Everything the generic pass found in an article.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extraction {
    /// Site named in a "Site, DATE" line.
    pub site: Option<String>,
    /// Section label above the title ("Politics", "ASIA PACIFIC").
    pub section: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Subtitle or standfirst.
    pub subtitle: Option<String>,
    /// Authors, in byline order, without repeats.
    pub authors: Vec<String>,
    /// Publication date (ISO 8601).
    pub published: Option<String>,
    /// Date of first publication at the original source (ISO 8601).
    pub original_published: Option<String>,
    /// The outlet that first published the article.
    pub original_source: Option<String>,
    /// True when a trailer says the article is a translation.
    pub translated: Option<bool>,
    /// Dateline place ("Hanoi").
    pub dateline: Option<String>,
    /// Clean body blocks.
    pub paragraphs: Vec<Paragraph>,
}

/// A text as `str::to_lowercase` would write it, for a set of texts seen: an ASCII text is kept
/// as it is and lower-cased byte by byte when hashed or compared, so it is not copied.
#[derive(Debug)]
enum Lowered<'t> {
    /// An ASCII text, as written.
    Ascii(&'t str),
    /// Another text, lower-cased.
    Other(String),
}

impl<'t> Lowered<'t> {
    fn of(text: &'t str) -> Self {
        if text.is_ascii() {
            Lowered::Ascii(text)
        } else {
            Lowered::Other(text.to_lowercase())
        }
    }

    /// The text kept: ASCII as written, or lower-cased. Neither holds an ASCII capital once
    /// ASCII letters are folded, so two forms are equal when they are equal ignoring ASCII case.
    fn text(&self) -> &str {
        match self {
            Lowered::Ascii(t) => t,
            Lowered::Other(t) => t,
        }
    }
}

impl PartialEq for Lowered<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.text().eq_ignore_ascii_case(other.text())
    }
}

impl Eq for Lowered<'_> {}

impl std::hash::Hash for Lowered<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // The length and the first sixteen bytes, ASCII folded: equal forms hash alike, and
        // paragraphs of eight words or more rarely share both.
        let text = self.text().as_bytes();
        let mut head = [0u8; 16];
        for (h, b) in head.iter_mut().zip(text) {
            *h = b.to_ascii_lowercase();
        }
        state.write_usize(text.len());
        state.write(&head);
    }
}

/// Terminal punctuation of a sentence (closing quotes and brackets allowed after it).
fn ends_sentence(text: &str) -> bool {
    let t = text.trim_end_matches(['"', '”', '’', '\'', ')', ']', '»']);
    t.ends_with(['.', '!', '?', '…', ':', ';'])
}

fn word_count(text: &str) -> usize {
    crate::words::count(text)
}

/// [`word_count`], counted up to `limit` (enough for a "more than" or "at least" test).
fn word_count_upto(text: &str, limit: usize) -> usize {
    crate::words::count_upto(text, limit)
}

/// A paragraph of prose: it ends a sentence with a period, or it is long.
fn is_prose(text: &str) -> bool {
    let words = word_count_upto(text, 31);
    words > 30
        || (ends_sentence(text) && !text.ends_with('?') && !text.ends_with(':')) && words >= 4
}

impl Cleaner {
    /// The full generic pass over raw article text.
    pub fn extract(&self, raw: &str) -> Extraction {
        let blocks = self.blocks(raw);
        self.extract_blocks(&blocks)
    }

    /// The generic pass over already split blocks.
    pub fn extract_blocks(&self, blocks: &[Block]) -> Extraction {
        let notes: Vec<Note> = blocks.iter().map(|b| self.note(b)).collect();
        let mut ex = Extraction::default();
        self.collect_metadata(&notes, &mut ex);

        let first_body = (0..blocks.len())
            .find(|&i| {
                notes[i] == Note::Text
                    && blocks[i].kind != LineKind::Heading
                    && is_prose(&blocks[i].text)
            })
            .unwrap_or(blocks.len());
        let mut keep = vec![false; blocks.len()];
        let mut kinds = vec![None; blocks.len()];
        self.read_header(blocks, &notes, first_body, &mut ex, &mut keep, &mut kinds);
        for i in first_body..blocks.len() {
            keep[i] = notes[i].is_text();
            if notes[i] == Note::Caption {
                kinds[i] = Some(ParagraphKind::Caption);
            }
        }
        self.drop_bios(blocks, &notes, first_body, &ex.authors, &mut keep);
        let selected: Vec<(&Block, Option<ParagraphKind>)> = (0..blocks.len())
            .filter(|&i| keep[i])
            .map(|i| (&blocks[i], kinds[i]))
            .collect();
        ex.paragraphs = self.assemble(&selected, ex.title.as_deref());
        ex.dateline = self.take_dateline(&mut ex.paragraphs);
        ex
    }

    /// Metadata lines, wherever they are: bylines, dates, site lines, source trailers.
    fn collect_metadata(&self, notes: &[Note], ex: &mut Extraction) {
        let mut published = None;
        let mut updated = None;
        let mut byline_date = None;
        for note in notes {
            match note {
                Note::Byline(b) => {
                    push_unique(&mut ex.authors, &b.authors);
                    if byline_date.is_none() {
                        byline_date.clone_from(&b.date);
                    }
                    if ex.original_source.is_none() {
                        ex.original_source.clone_from(&b.outlet);
                    }
                }
                Note::Source(s) => {
                    if s.source.is_some() {
                        ex.original_source.clone_from(&s.source);
                    }
                    if ex.original_published.is_none() {
                        ex.original_published.clone_from(&s.date);
                    }
                    if s.translated {
                        ex.translated = Some(true);
                    }
                }
                Note::Date { iso, updated: true } => {
                    updated.get_or_insert_with(|| iso.clone());
                }
                Note::Date {
                    iso,
                    updated: false,
                } => {
                    published.get_or_insert_with(|| iso.clone());
                }
                Note::SiteDate { site, iso } => {
                    if ex.site.is_none() {
                        ex.site = Some(site.clone());
                        published.get_or_insert_with(|| iso.clone());
                    } else if ex.original_source.is_none() {
                        ex.original_source = Some(site.clone());
                        ex.original_published = Some(iso.clone());
                    }
                }
                _ => {}
            }
        }
        ex.published = published.or(byline_date).or(updated);
    }

    /// Title, section label, subtitle, author line and captions before the first paragraph.
    fn read_header(
        &self,
        blocks: &[Block],
        notes: &[Note],
        first_body: usize,
        ex: &mut Extraction,
        keep: &mut [bool],
        kinds: &mut [Option<ParagraphKind>],
    ) {
        let candidates: Vec<usize> = (0..first_body)
            .filter(|&i| notes[i].is_text())
            .filter(|&i| {
                notes[i] == Note::Caption
                    || !blocks[i].text.ends_with('.')
                    || blocks[i].kind == LineKind::Heading
            })
            .collect();
        // Text in the header that ends with a period is a short first paragraph.
        let mut is_candidate = vec![false; first_body];
        for &i in &candidates {
            is_candidate[i] = true;
        }
        for i in 0..first_body {
            if notes[i] == Note::Text && !is_candidate[i] {
                keep[i] = true;
            }
        }
        // meta_after[i]: a metadata line comes at or after i, before the body.
        let mut meta_after = vec![false; first_body + 1];
        for j in (0..first_body).rev() {
            meta_after[j] =
                meta_after[j + 1] || (!notes[j].is_text() && notes[j] != Note::Separator);
        }
        let titled = candidates
            .iter()
            .position(|&i| blocks[i].kind == LineKind::Heading && notes[i] == Note::Text)
            .or_else(|| candidates.iter().position(|&i| notes[i] == Note::Text));
        let Some(mut t) = titled else {
            for &i in &candidates {
                keep[i] = true;
                kinds[i] = Some(ParagraphKind::Caption).filter(|_| notes[i] == Note::Caption);
            }
            return;
        };
        if is_label(&blocks[candidates[t]].text)
            && candidates
                .get(t + 1)
                .is_some_and(|&n| notes[n] == Note::Text)
        {
            ex.section = Some(blocks[candidates[t]].text.clone());
            t += 1;
        }
        ex.title = Some(blocks[candidates[t]].text.clone());
        for &i in &candidates[t + 1..] {
            let text = &blocks[i].text;
            let meta_follows = meta_after[i + 1];
            if notes[i] == Note::Caption || (word_count(text) >= 8 && self.looks_like_caption(text))
            {
                keep[i] = true;
                kinds[i] = Some(ParagraphKind::Caption);
            } else if ex.authors.is_empty() && self.bylines.is_name(text) && word_count(text) <= 4 {
                ex.authors.push(text.clone());
            } else if word_count(text) >= 6 && ex.subtitle.is_none() {
                ex.subtitle = Some(text.clone());
            } else if word_count(text) >= 6 {
                keep[i] = true;
            } else if !meta_follows {
                keep[i] = true;
                kinds[i] = Some(ParagraphKind::Heading);
            }
        }
    }

    /// An unpunctuated line under the title that ends with a date describes a photo.
    fn looks_like_caption(&self, text: &str) -> bool {
        self.dates
            .find(text)
            .is_some_and(|d| text[d.range.end..].trim().is_empty())
    }

    /// Author biographies in the trailer: a short paragraph about a byline author (or any
    /// "Name is a journalist ..." paragraph) followed only by metadata and boilerplate.
    fn drop_bios(
        &self,
        blocks: &[Block],
        notes: &[Note],
        first_body: usize,
        authors: &[String],
        keep: &mut [bool],
    ) {
        if !self.config.strip.contains(&Family::AuthorBio) {
            return;
        }
        // only_meta_after[i]: no text block after i (computed in one pass from the end).
        let mut only_meta_after = vec![true; blocks.len() + 1];
        for i in (0..blocks.len()).rev() {
            only_meta_after[i] = only_meta_after[i + 1] && !notes[i].is_text();
        }
        let mut i = blocks.len();
        while i > first_body {
            i -= 1;
            let text = &blocks[i].text;
            if notes[i] != Note::Text || word_count_upto(text, 91) > 90 {
                continue;
            }
            let by_author = authors.iter().any(|a| {
                text.strip_prefix(a.as_str())
                    .is_some_and(|rest| rest.starts_with([' ', ',', '’', '\'']))
            });
            let trailing = only_meta_after[i + 1];
            let about = text.to_lowercase().starts_with("about the author");
            let generic = i + 1 < blocks.len()
                && self.bio_start.is_match(text)
                && self.bio_role.is_match(text);
            if trailing && (by_author || about || generic) {
                keep[i] = false;
                // The paragraph before may be a bio too (two-paragraph bios).
                only_meta_after[i] = true;
            } else {
                break;
            }
        }
    }

    /// Turns kept blocks into paragraphs: kinds, headings, broken paragraphs, repeats.
    fn assemble(
        &self,
        selected: &[(&Block, Option<ParagraphKind>)],
        title: Option<&str>,
    ) -> Vec<Paragraph> {
        let mut out: Vec<Paragraph> = Vec::with_capacity(selected.len());
        for (block, forced) in selected {
            let kind = forced.unwrap_or(match block.kind {
                LineKind::Heading => ParagraphKind::Heading,
                LineKind::Quote => ParagraphKind::Quote,
                LineKind::ListItem => ParagraphKind::ListItem,
                LineKind::Text | LineKind::Separator => ParagraphKind::Paragraph,
            });
            let text = block.text.trim();
            if let Some(prev) = out.last_mut() {
                let starts_lower = text.chars().next().is_some_and(char::is_lowercase);
                if kind == ParagraphKind::Paragraph
                    && prev.kind == ParagraphKind::Paragraph
                    && starts_lower
                    && !ends_sentence(&prev.text)
                {
                    prev.text.push(' ');
                    prev.text.push_str(text);
                    continue;
                }
            }
            out.push(Paragraph {
                kind,
                text: text.to_owned(),
            });
        }
        self.mark_headings(&mut out);
        // The lower-case forms seen, compared without copying ASCII paragraphs.
        let mut seen: FxHashSet<Lowered<'_>> =
            FxHashSet::with_capacity_and_hasher(out.len() + 1, Default::default());
        if let Some(t) = title {
            seen.insert(Lowered::of(t));
        }
        let min = self.config.min_paragraph_chars;
        let keep: Vec<bool> = out
            .iter()
            .map(|p| {
                let repeated = self.config.drop_repeated_paragraphs
                    && (word_count_upto(&p.text, 8) >= 8
                        || title.is_some_and(|t| t.eq_ignore_ascii_case(&p.text)))
                    && !seen.insert(Lowered::of(&p.text));
                !repeated && (p.kind == ParagraphKind::Heading || p.text.chars().count() >= min)
            })
            .collect();
        drop(seen);
        let mut keep = keep.into_iter();
        out.retain(|_| keep.next().unwrap_or(true));
        out
    }

    /// A short unpunctuated line between two paragraphs is a section heading.
    fn mark_headings(&self, paragraphs: &mut [Paragraph]) {
        for i in 1..paragraphs.len().saturating_sub(1) {
            let text = &paragraphs[i].text;
            let words = word_count_upto(text, 13);
            let heading_like = paragraphs[i].kind == ParagraphKind::Paragraph
                && (1..=12).contains(&words)
                && text.chars().count() <= 100
                && !text
                    .trim_end()
                    .ends_with(['.', '!', '?', ',', ';', ':', '"', '”', '…'])
                && text
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c.is_numeric());
            if heading_like
                && paragraphs[i - 1].kind != ParagraphKind::Heading
                && paragraphs[i + 1].kind == ParagraphKind::Paragraph
            {
                paragraphs[i].kind = ParagraphKind::Heading;
            }
        }
    }

    /// Takes the dateline off the first running-text paragraph.
    pub fn take_dateline(&self, paragraphs: &mut [Paragraph]) -> Option<String> {
        let first = paragraphs
            .iter_mut()
            .take(3)
            .find(|p| p.kind == ParagraphKind::Paragraph)?;
        let found = self.datelines.find(&first.text)?;
        first.text = first.text[found.text_start..].to_owned();
        Some(found.place)
    }

    /// Body paragraphs from blocks already known to be body (for outlet rules): boilerplate
    /// and metadata lines are still dropped, headings and broken paragraphs handled.
    pub fn body(&self, blocks: &[Block]) -> Vec<Paragraph> {
        let notes: Vec<Note> = blocks.iter().map(|b| self.note(b)).collect();
        self.body_noted(blocks, &notes)
    }

    /// [`Cleaner::body`] of blocks whose notes ([`Cleaner::note`], same order) are known.
    pub fn body_noted(&self, blocks: &[Block], notes: &[Note]) -> Vec<Paragraph> {
        let selected: Vec<(&Block, Option<ParagraphKind>)> = blocks
            .iter()
            .zip(notes)
            .filter_map(|(b, note)| match note {
                Note::Text => Some((b, None)),
                Note::Caption => Some((b, Some(ParagraphKind::Caption))),
                _ => None,
            })
            .collect();
        self.assemble(&selected, None)
    }
}

/// A section label: one to three words, or a short line in capitals.
fn is_label(text: &str) -> bool {
    let words = word_count(text);
    let caps = text.chars().any(char::is_alphabetic) && !text.chars().any(char::is_lowercase);
    (words <= 3 || (caps && words <= 5)) && text.chars().count() <= 40 && !text.ends_with('?')
}

fn push_unique(list: &mut Vec<String>, names: &[String]) {
    for name in names {
        if !list.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            list.push(name.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CleanupConfig;

    #[test]
    fn lowered_forms_are_equal_and_hash_alike_as_to_lowercase_says() {
        use std::hash::BuildHasher;
        const PIECES: &[&str] = &[
            "a", "A", "b", "B", " ", "é", "É", "Σ", "σ", "ς", "\u{212a}", "k",
        ];
        let hasher = rustc_hash::FxBuildHasher;
        let mut next = crate::testing::seeded_below(23_u64);
        for _ in 0..20_000 {
            let mut text =
                || -> String { (0..next(5)).map(|_| PIECES[next(PIECES.len())]).collect() };
            let (a, b) = (text(), text());
            let (la, lb) = (Lowered::of(&a), Lowered::of(&b));
            let same = a.to_lowercase() == b.to_lowercase();
            assert_eq!(la == lb, same, "{a:?} {b:?}");
            if same {
                assert_eq!(hasher.hash_one(&la), hasher.hash_one(&lb), "{a:?} {b:?}");
            }
        }
    }

    fn extract(text: &str) -> Extraction {
        Cleaner::new(&CleanupConfig::default())
            .unwrap()
            .extract(text)
    }

    fn texts(ex: &Extraction) -> Vec<&str> {
        ex.paragraphs.iter().map(|p| p.text.as_str()).collect()
    }

    #[test]
    fn title_byline_date_and_body() {
        let ex = extract(
            "POLITICS\n\nA headline about trade\n\nBy Jane Doe and John Roe\n\nPublished: 3 March 2024\n\nHANOI – The first paragraph says something.\n\nThe second one too.\n\nJane Doe is a reporter covering trade.",
        );
        assert_eq!(ex.section.as_deref(), Some("POLITICS"));
        assert_eq!(ex.title.as_deref(), Some("A headline about trade"));
        assert_eq!(ex.authors, ["Jane Doe", "John Roe"]);
        assert_eq!(ex.published.as_deref(), Some("2024-03-03"));
        assert_eq!(ex.dateline.as_deref(), Some("Hanoi"));
        assert_eq!(
            texts(&ex),
            ["The first paragraph says something.", "The second one too."]
        );
    }

    #[test]
    fn headings_and_broken_paragraphs() {
        let ex = extract(
            "Title here\n\nFirst paragraph of the story is here.\n\nA section heading\n\nIt continues without an end\n\nand ends here.",
        );
        assert_eq!(ex.paragraphs[1], Paragraph::heading("A section heading"));
        assert_eq!(
            ex.paragraphs[2].text,
            "It continues without an end and ends here."
        );
    }

    #[test]
    fn no_metadata_at_all() {
        let ex = extract(
            "The river rose overnight and flooded three villages, officials said on Monday.\n\nRescue teams reached the area by boat.",
        );
        assert_eq!(ex.title, None);
        assert!(ex.authors.is_empty());
        assert_eq!(ex.published, None);
        assert_eq!(ex.paragraphs.len(), 2);
    }

    #[test]
    fn repeated_paragraphs_are_dropped_once() {
        let ex = extract(
            "T\n\nThis paragraph is repeated by a careless scraper somewhere.\n\nThis paragraph is repeated by a careless scraper somewhere.",
        );
        assert_eq!(ex.paragraphs.len(), 1);
    }
}
