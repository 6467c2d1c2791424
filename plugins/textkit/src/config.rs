//! The cleanup configuration: which boilerplate to strip and how to read ambiguous input.

use serde::Deserialize;

/// A family of boilerplate that [`Cleaner`](crate::Cleaner) can strip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Share, follow and repost prompts, membership and comment calls, "read more" links.
    Share,
    /// Newsletter and subscription prompts.
    Subscribe,
    /// Cookie-consent banners in any supported language (en, fr, de, es, it, pt, nl).
    Cookie,
    /// Copyright, rights-reserved, fair-use and media-contact lines.
    Copyright,
    /// Disclaimers ("the views expressed are those of the author").
    Disclaimer,
    /// Page widgets: print/PDF/email, translate, reading time, navigation.
    Widget,
    /// Author biographies at the end of the article.
    AuthorBio,
    /// Image credits ("Featured image: ...", "Photo credit: ...").
    Credit,
    /// Tag and category lines ("Region:", "Theme:", "Tags:").
    Tags,
}

impl Family {
    /// Every family, the default set to strip.
    pub const ALL: [Family; 9] = [
        Family::Share,
        Family::Subscribe,
        Family::Cookie,
        Family::Copyright,
        Family::Disclaimer,
        Family::Widget,
        Family::AuthorBio,
        Family::Credit,
        Family::Tags,
    ];
}

/// How to read an all-numeric date such as `03/04/2024` when both orders are possible.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// Day first (`03/04/2024` is 3 April), the usual order outside the United States.
    #[default]
    Dmy,
    /// Month first (`03/04/2024` is 4 March).
    Mdy,
}

/// Configuration of the text cleaner (the `cleanup` plugin's `[chain.config]`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CleanupConfig {
    /// Boilerplate families to strip (default: all of them).
    pub strip: Vec<Family>,
    /// Extra regular expressions (case-insensitive); a block that matches one is dropped.
    pub extra_patterns: Vec<String>,
    /// Paragraphs shorter than this many characters are dropped (headings are kept).
    pub min_paragraph_chars: usize,
    /// Drop a paragraph that repeats an earlier one word for word (a scraping artifact).
    pub drop_repeated_paragraphs: bool,
    /// Order of all-numeric dates.
    pub numeric_dates: DateOrder,
    /// Detect the language of the body.
    pub detect_language: bool,
    /// Minimum whatlang confidence (0.0 to 1.0) to report a language.
    pub min_language_confidence: f64,
}

impl CleanupConfig {
    /// Checks what can be wrong in a configuration (the user's extra patterns), without
    /// building the whole cleaner.
    pub fn check(&self) -> Result<(), crate::error::BuildError> {
        self.extra_patterns
            .iter()
            .try_for_each(|p| crate::error::regex(p).map(drop))
    }
}

impl Default for CleanupConfig {
    fn default() -> Self {
        CleanupConfig {
            strip: Family::ALL.to_vec(),
            extra_patterns: Vec::new(),
            min_paragraph_chars: 1,
            drop_repeated_paragraphs: true,
            numeric_dates: DateOrder::Dmy,
            detect_language: true,
            min_language_confidence: 0.1,
        }
    }
}
