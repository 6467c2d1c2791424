//! Original-source trailers: "The original source of this article is X", "This article first
//! appeared in X", "Translated by … from X:", "Originally published by X on DATE", "Source: X".

use regex::Regex;

use crate::dates::DateParser;
use crate::error::{BuildError, LineRegex, regex};

/// What a source trailer says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceNote {
    /// The outlet that first published the article, if named.
    pub source: Option<String>,
    /// The date it first appeared (ISO 8601), if given.
    pub date: Option<String>,
    /// True when the trailer says the article is a translation.
    pub translated: bool,
}

/// Language names that follow "Translated from" without being an outlet.
const LANGUAGES: &[&str] = &[
    "english",
    "french",
    "german",
    "spanish",
    "italian",
    "portuguese",
    "dutch",
    "russian",
    "chinese",
    "mandarin",
    "vietnamese",
    "thai",
    "khmer",
    "lao",
    "burmese",
    "japanese",
    "korean",
    "arabic",
    "persian",
    "turkish",
    "ukrainian",
    "polish",
    "indonesian",
    "malay",
    "tagalog",
    "hindi",
    "the original",
];

/// The compiled trailer recogniser.
#[derive(Debug)]
pub struct SourceParser {
    patterns: Vec<LineRegex>,
    translated: LineRegex,
    cut: Regex,
}

impl SourceParser {
    /// Compiles the patterns.
    pub fn new() -> Result<Self, BuildError> {
        Ok(SourceParser {
            patterns: vec![
                LineRegex::new(r"^the original source of this article is\s+(.+)$", true)?,
                LineRegex::new(
                    r"^(?:this (?:article|story|piece|post|report|commentary|interview) )?(?:was )?(?:first|originally) (?:appeared|published|ran|posted)\s+(?:in|on|at|by)\s+(.+)$",
                    true,
                )?,
                LineRegex::new(
                    r"^(?:this (?:article|story|piece) (?:is|was) )?(?:republished|reprinted|reproduced|syndicated) (?:with permission )?(?:from|by)\s+(.+)$",
                    true,
                )?,
                LineRegex::new(
                    r"^(?:source|original source|courtesy of|quelle|fuente|fonte|bron|nguồn)\s*:\s*(.{2,80})$",
                    true,
                )?,
            ],
            translated: LineRegex::new(
                r"^(?:translated|translation|traduit|übersetzt|traducido|tradotto|traduzido|vertaald)\b(?:.*?\bfrom\s+(?:the\s+)?(.+?))?[\s:.]*$",
                true,
            )?,
            cut: regex(
                r"\s+(?:under a\b|with permission\b|and is\b|and was\b|on\s+\S+day\b)|[.;:]\s|[.:;]$",
            )?,
        })
    }

    /// Parses a line as a source trailer; `None` when it is not one.
    pub fn parse(&self, line: &str, dates: &DateParser) -> Option<SourceNote> {
        if line.split_whitespace().count() > 40 {
            return None;
        }
        if let Some(caps) = self.translated.captures(line) {
            let from = caps.get(1).map(|m| self.clean(m.as_str(), dates));
            let mut note = from.unwrap_or_default();
            note.translated = true;
            if let Some(source) = &note.source {
                let lower = source.to_lowercase();
                let lower = lower.split(" by ").next().unwrap_or(&lower);
                if LANGUAGES.contains(&lower.trim()) {
                    note.source = None;
                }
            }
            return Some(note);
        }
        self.patterns.iter().find_map(|re| {
            re.captures(line)
                .and_then(|c| c.get(1))
                .map(|m| self.clean(m.as_str(), dates))
                .filter(|n| n.source.is_some())
        })
    }

    /// "Russia Direct on 27 May 2016 under a Creative Commons licence." -> name and date.
    fn clean(&self, text: &str, dates: &DateParser) -> SourceNote {
        let date = dates.find(text);
        let mut name = match &date {
            Some(d) => &text[..d.range.start],
            None => text,
        };
        if let Some(m) = self.cut.find(name) {
            name = &name[..m.start()];
        }
        let name = name
            .trim()
            .trim_end_matches([',', ' '])
            .trim_end_matches(" on")
            .trim_end_matches(" in")
            .trim();
        let name = name.strip_prefix("the ").unwrap_or(name).trim();
        let words = name.split_whitespace().count();
        SourceNote {
            source: (1..=8).contains(&words).then(|| name.to_owned()),
            date: date.map(|d| d.iso),
            translated: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DateOrder;

    fn parse(line: &str) -> Option<SourceNote> {
        let dates = DateParser::new(DateOrder::Dmy).unwrap();
        SourceParser::new().unwrap().parse(line, &dates)
    }

    fn source(line: &str) -> Option<String> {
        parse(line).and_then(|n| n.source)
    }

    #[test]
    fn trailers_name_the_source() {
        assert_eq!(
            source("The original source of this article is InfoBrics").as_deref(),
            Some("InfoBrics")
        );
        assert_eq!(
            source("This article first appeared in The Diplomat.").as_deref(),
            Some("The Diplomat")
        );
        assert_eq!(
            source("This article was originally published on Nikkei Asia on 3 March 2024.")
                .as_deref(),
            Some("Nikkei Asia")
        );
        assert_eq!(
            source("This article is republished from The Conversation under a Creative Commons license.").as_deref(),
            Some("The Conversation")
        );
        assert_eq!(source("Source: Xinhua").as_deref(), Some("Xinhua"));
        let n = parse("Originally published by Mekong Eye on 2016-05-27").unwrap();
        assert_eq!(n.date.as_deref(), Some("2016-05-27"));
    }

    #[test]
    fn translation_trailers() {
        let n = parse("Translated by from RFA:").unwrap();
        assert!(n.translated);
        assert_eq!(n.source.as_deref(), Some("RFA"));
        let n = parse("Translated from Vietnamese by Minh Anh.").unwrap();
        assert!(n.translated);
        assert_eq!(n.source, None);
        let n = parse("Translated by Le Van from VnExpress").unwrap();
        assert_eq!(n.source.as_deref(), Some("VnExpress"));
    }

    #[test]
    fn sentences_are_not_trailers() {
        assert_eq!(parse("The translation of the treaty took years."), None);
        assert_eq!(source("The source said the deal was close."), None);
    }
}
