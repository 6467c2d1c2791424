//! Global Research (globalresearch.ca): "Global Research, DATE" site line, "Region:"/"Theme:"
//! tags, share and newsletter prompts, a `***` rule before the text, and a long trailer (note
//! to readers, author bio, "The original source of this article is X", copyright, member and
//! comment prompts, "Articles by:", disclaimer, fair-use notice, media contact).

use crate::cleaner::{Block, Cleaner, Note};
use crate::error::BuildError;
use crate::extract::Extraction;
use crate::markdown::LineKind;
use crate::outlet::{OutletRules, Signal};

use super::text_indices;

/// The Global Research rules.
#[derive(Debug)]
pub struct GlobalResearch {
    signals: Vec<Signal>,
}

const SITE: &str = "Global Research";

impl OutletRules for GlobalResearch {
    const NAME: &'static str = "outlet-globalresearch";
    const MIN_SIGNALS: usize = 2;

    fn build() -> Result<Self, BuildError> {
        Ok(GlobalResearch {
            signals: vec![
                Signal::new(
                    "site line",
                    r"^Global Research,\s+\S+\s+\d{1,2},\s+\d{4}\s*$",
                )?
                .needing(&["research,"]),
                Signal::new("domain", r"globalresearch\.ca")?.needing(&["globalresearch.ca"]),
                Signal::new(
                    "publisher",
                    r"Centre (?:for|of) Research on Globali[sz]ation",
                )?
                .needing(&["globalisation", "globalization"]),
                // "heme:", not "theme:": the prefilter's literal search stops at every
                // occurrence of a needle's first three letters, and "the" is everywhere.
                Signal::new("tag lines", r"^Region:.*\n(?:\s*\n)*Theme:")?.needing(&["heme:"]),
                Signal::new(
                    "member prompt",
                    r"Become a Member of Global Research|Comment on Global Research Articles",
                )?
                .needing(&["research"]),
                Signal::new("share prompt", r"share widely Global Research articles")?
                    .needing(&["widely"]),
            ],
        })
    }

    fn signals(&self) -> &[Signal] {
        &self.signals
    }

    fn apply(&self, cleaner: &Cleaner, blocks: &[Block]) -> Extraction {
        let notes: Vec<Note> = blocks.iter().map(|b| cleaner.note(b)).collect();
        let mut ex = Extraction {
            site: Some(SITE.to_owned()),
            ..Extraction::default()
        };
        let site_at = blocks.iter().position(|b| is_site_line(&b.text));
        let header_end = site_at.unwrap_or(0);
        ex.title = text_indices(&notes[..header_end.max(1)])
            .next()
            .map(|i| blocks[i].text.clone());
        for note in &notes[..header_end] {
            if let Note::Byline(b) = note {
                ex.authors.extend(b.authors.iter().cloned());
            }
        }
        let mut body_start = header_end + 1;
        if let Some(at) = site_at {
            ex.published = cleaner.dates().parse(&blocks[at].text);
            // The line under the site line names the original outlet, sometimes with its date.
            if let Some(next) = blocks.get(at + 1) {
                let date = cleaner.dates().find(&next.text);
                let name = date
                    .as_ref()
                    .map_or(next.text.as_str(), |d| &next.text[..d.range.start]);
                let name = name.trim().trim_end_matches(',').trim();
                let words = name.split_whitespace().count();
                if (1..=6).contains(&words) && !name.contains(':') && !name.ends_with('.') {
                    ex.original_source = Some(name.to_owned());
                    ex.original_published = date.map(|d| d.iso);
                    body_start = at + 2;
                }
            }
        }
        // The text starts after the header's prompts and the `***` rule.
        let body_start = (body_start..blocks.len())
            .find(|&i| blocks[i].kind != LineKind::Separator && notes[i] == Note::Text)
            .unwrap_or(blocks.len());
        let trailer_at = self.trailer_at(blocks, &notes, body_start, &ex.authors);
        for note in &notes[trailer_at..] {
            match note {
                Note::Source(s) if s.source.is_some() => ex.original_source.clone_from(&s.source),
                Note::Byline(b) if ex.authors.is_empty() => {
                    ex.authors.extend(b.authors.iter().cloned())
                }
                _ => {}
            }
        }
        ex.paragraphs = cleaner.body_noted(
            &blocks[body_start..trailer_at],
            &notes[body_start..trailer_at],
        );
        ex.dateline = cleaner.take_dateline(&mut ex.paragraphs);
        ex
    }
}

/// True where `^Global Research,\s*(.+)$` (case-insensitive, multi-line) matches: a line
/// starts with "Global Research," in any case (the long s `ſ` is an `s` to case folding; no
/// other character outside ASCII folds to one of its letters), and something other than line
/// breaks follows the comma (`\s*` may cross line breaks, `.+` then takes any other character
/// and `$` the end of its line). A regex search read every block to its end.
fn is_site_line(text: &str) -> bool {
    line_starts(text).any(|line| {
        after_folded(line, "global research,").is_some_and(|rest| rest.chars().any(|c| c != '\n'))
    })
}

/// Phrases that open the trailer, as `^(?:...)\b` (case-insensitive, multi-line) found them.
const TRAILER_STARTS: &[&str] = &[
    "note to readers",
    "featured image",
    "the original source of this article",
];

/// True where `^(?:note to readers|featured image|the original source of this article)\b`
/// (case-insensitive, multi-line, ASCII word boundary) matches: a line starts with one of
/// [`TRAILER_STARTS`] in any case, at a word boundary (the bytes either side of the phrase's
/// end, one an ASCII word byte and one not: a final `ſ` for `s` is not one).
fn starts_trailer(text: &str) -> bool {
    let word = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
    line_starts(text).any(|line| {
        TRAILER_STARTS.iter().any(|phrase| {
            after_folded(line, phrase).is_some_and(|rest| {
                let before = line.get(..line.len() - rest.len()).unwrap_or_default();
                word(before.bytes().last()) != word(rest.bytes().next())
            })
        })
    })
}

/// Every line of `text` to the end of `text`, as multi-line `^` finds them: `text` itself and
/// what follows each line break.
fn line_starts(text: &str) -> impl Iterator<Item = &str> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .filter_map(|start| text.get(start..))
}

/// `text` after a leading `phrase` (lower-case ASCII) in any case, or `None`. The long s `ſ`
/// is an `s` and the Kelvin sign a `k` to case folding; no other character outside ASCII folds
/// to an ASCII letter.
fn after_folded<'t>(text: &'t str, phrase: &str) -> Option<&'t str> {
    let mut chars = text.chars();
    for want in phrase.chars() {
        let c = chars.next()?;
        let same = c.to_ascii_lowercase() == want
            || (want == 's' && c == '\u{17f}')
            || (want == 'k' && c == '\u{212a}');
        if !same {
            return None;
        }
    }
    Some(chars.as_str())
}

impl GlobalResearch {
    /// Where the trailer begins: a closing `*` rule, the note to readers, the author's bio,
    /// the image credit or the source line, whichever comes first after the text.
    fn trailer_at(
        &self,
        blocks: &[Block],
        notes: &[Note],
        body_start: usize,
        authors: &[String],
    ) -> usize {
        let bio = |b: &Block| {
            authors.iter().any(|a| {
                b.text
                    .strip_prefix(a.as_str())
                    .is_some_and(|rest| rest.starts_with(' '))
            })
        };
        let trailer_like =
            |i: usize| notes[i] != Note::Text || bio(&blocks[i]) || starts_trailer(&blocks[i].text);
        // rest_is_trailer[i]: every block after i is trailer material (one pass from the end).
        let mut rest_is_trailer = vec![true; blocks.len() + 1];
        for i in (0..blocks.len()).rev() {
            rest_is_trailer[i] = rest_is_trailer[i + 1] && trailer_like(i);
        }
        (body_start..blocks.len())
            .find(|&i| {
                let b = &blocks[i];
                let after = rest_is_trailer[i + 1];
                (b.kind == LineKind::Separator && after)
                    || starts_trailer(&b.text)
                    || matches!(notes[i], Note::Source(_))
                    || (bio(b) && after)
            })
            .unwrap_or(blocks.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::regex;

    #[test]
    fn trailer_start_check_agrees_with_its_pattern() {
        let pattern =
            regex(r"^(?:note to readers|featured image|the original source of this article)\b")
                .unwrap();
        const PIECES: &[&str] = &[
            "Note to readers",
            "NOTE TO READERS",
            "note to readerſ",
            "Featured image",
            "FEATURED IMAGE",
            "featured imag",
            "The original source of this article",
            "THE ORIGINAL ſOURCE OF THIS ARTICLE",
            ":",
            "s",
            "_",
            "1",
            " ",
            "\n",
            "é",
            "x",
        ];
        let mut next = crate::testing::seeded_below(41_u64);
        let mut starts = 0;
        for _ in 0..20_000 {
            let text = crate::testing::random_text(&mut next, PIECES, 5);
            let expected = pattern.is_match(&text);
            assert_eq!(starts_trailer(&text), expected, "{text:?}");
            starts += usize::from(expected);
        }
        assert!(starts > 2000, "{starts}");
    }

    #[test]
    fn site_line_check_agrees_with_its_pattern() {
        let pattern = regex(r"^Global Research,\s*(.+)$").unwrap();
        const PIECES: &[&str] = &[
            "Global Research,",
            "GLOBAL RESEARCH,",
            "global reſearch,",
            "Global Research",
            "Global Reſearch ,",
            ",",
            " ",
            "\n",
            "\t",
            "\r",
            "x",
            "é",
            "July 21, 2016",
            "\u{212a}",
            "Globаl Research,",
        ];
        let mut next = crate::testing::seeded_below(37_u64);
        let mut lines = 0;
        for _ in 0..20_000 {
            let text = crate::testing::random_text(&mut next, PIECES, 6);
            let expected = pattern.is_match(&text);
            assert_eq!(is_site_line(&text), expected, "{text:?}");
            lines += usize::from(expected);
        }
        assert!(lines > 2000, "{lines}");
    }
}
