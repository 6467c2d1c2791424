//! Markdown and markup artifacts: links, images, emphasis, escapes, headings, rules, HTML bits.
//!
//! Scraped articles arrive as half-rendered markdown: `[text](#)` links, `\*` escapes, `**`
//! emphasis, `\(` parentheses. [`Markdown`] turns one line into plain text (keeping link text)
//! and tells what kind of line it was.

use std::borrow::Cow;

use regex::Regex;

use crate::error::BuildError;

/// What a line of markdown was, before its markup was removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Ordinary text.
    Text,
    /// `# Heading` (ATX heading) or a line that is bold as a whole.
    Heading,
    /// `> quoted`.
    Quote,
    /// `- item`, `* item`, `1. item`.
    ListItem,
    /// A thematic break (`***`, `---`, `\*`, `* * *`): a section separator, no text.
    Separator,
}

/// Private-use stand-ins for escaped characters while emphasis is removed.
const ESCAPE_BASE: u32 = 0xF0000;

/// The compiled markdown cleaner.
#[derive(Debug)]
pub struct Markdown {
    image: Regex,
    link: Regex,
    ref_link: Regex,
    autolink: Regex,
    strong: Regex,
    emphasis: Regex,
    underscore: Regex,
    html_tag: Regex,
    heading: Regex,
    list_item: Regex,
}

impl Markdown {
    /// Compiles the patterns (once per plugin instance).
    pub fn new() -> Result<Self, BuildError> {
        Ok(Markdown {
            image: crate::error::regex(r"!\[([^\]]*)\]\([^)]*\)")?,
            link: crate::error::regex(r"\[([^\]]*)\]\(([^)\s]*)(?:\s+[^)]*)?\)")?,
            ref_link: crate::error::regex(r"\[([^\]]+)\]\[[^\]]*\]")?,
            autolink: crate::error::regex(r"<((?:https?://|mailto:)[^>\s]+)>")?,
            strong: crate::error::regex(r"(\*\*|__)(\S(?:.*?\S)?)(\*\*|__)")?,
            emphasis: crate::error::regex(r"(^|[^\p{L}\p{N}*])\*(\S(?:[^*]*?\S)?)\*")?,
            underscore: crate::error::regex(
                r"(^|[^\p{L}\p{N}_])_(\S(?:[^_]*?\S)?)_($|[^\p{L}\p{N}_])",
            )?,
            html_tag: crate::error::regex(
                r"</?(?:a|b|i|u|em|strong|span|p|br|div|sup|sub|small)\b[^>]*>",
            )?,
            heading: crate::error::regex(r"^#{1,6}\s+")?,
            list_item: crate::error::regex(r"^[-+•*]\s+")?,
        })
    }

    /// Classifies a line and returns its plain text.
    pub fn clean_line(&self, line: &str) -> (LineKind, String) {
        let trimmed = line.trim();
        if is_separator(trimmed) {
            return (LineKind::Separator, String::new());
        }
        let mut kind = LineKind::Text;
        let mut body = trimmed;
        if let Some(m) = self.heading.find(body) {
            kind = LineKind::Heading;
            body = body[m.end()..].trim_end_matches('#').trim();
        } else if let Some(rest) = body.strip_prefix('>') {
            kind = LineKind::Quote;
            body = rest.trim_start_matches('>').trim();
        } else if self.list_item.is_match(body) && !body.starts_with("**") {
            kind = LineKind::ListItem;
            let end = self.list_item.find(body).map_or(0, |m| m.end());
            body = &body[end..];
        }
        let whole_bold = kind == LineKind::Text && is_wholly_bold(body);
        let text = self.inline(body);
        if whole_bold && !text.is_empty() {
            kind = LineKind::Heading;
        }
        (kind, text)
    }

    /// Removes inline markup from a piece of text, keeping link text.
    pub fn inline(&self, text: &str) -> String {
        // Byte test: every markup character is ASCII. Folded without an early exit, 64 bytes
        // at a time, so that the compiler can test many bytes per instruction.
        let markup = |b: u8| matches!(b, b'[' | b'<' | b'*' | b'_' | b'\\' | b'&');
        if !text
            .as_bytes()
            .chunks(64)
            .any(|chunk| chunk.iter().fold(false, |any, &b| any | markup(b)))
        {
            return text.trim().to_owned();
        }
        // Each step runs only when the text holds a character its pattern needs (a step that
        // cannot match returns its input unchanged); the text is tested as each step left it.
        let text = if text.contains('\\') {
            Cow::Owned(protect_escapes(text))
        } else {
            Cow::Borrowed(text)
        };
        let text = when(text, &["!["], |t| self.image.replace_all(t, ""));
        let text = when(text, &["]("], |t| self.link.replace_all(t, "$1"));
        let text = when(text, &["]["], |t| self.ref_link.replace_all(t, "$1"));
        let text = when(text, &["<"], |t| self.autolink.replace_all(t, "$1"));
        let text = when(text, &["<"], |t| self.html_tag.replace_all(t, ""));
        let text = when(text, &["**", "__"], |t| self.strong.replace_all(t, "$2"));
        let text = when(text, &["*"], |t| self.emphasis.replace_all(t, "$1$2"));
        let text = when(text, &["_"], |t| self.underscore.replace_all(t, "$1$2$3"));
        let text = when(text, &["*"], |t| Cow::Owned(strip_stray_asterisks(t)));
        let text = decode_entities(&text);
        // Escapes were protected as private-use characters, which need a four-byte sequence
        // starting 0xF3; without one, there is nothing to restore.
        if text.as_bytes().contains(&0xF3) {
            restore_escapes(&text).trim().to_owned()
        } else {
            text.trim().to_owned()
        }
    }
}

/// `step` of `text` when `text` contains one of `needles` (without them the step would return
/// its input unchanged), else `text` itself.
fn when<'t>(
    text: Cow<'t, str>,
    needles: &[&str],
    step: impl FnOnce(&str) -> Cow<'_, str>,
) -> Cow<'t, str> {
    if !needles.iter().any(|n| text.contains(n)) {
        return text;
    }
    let changed = match step(&text) {
        Cow::Owned(changed) => Some(changed),
        Cow::Borrowed(_) => None,
    };
    changed.map_or(text, Cow::Owned)
}

/// `***`, `---`, `___`, `* * *`, `\*`, `\*\*\*`, `===`: a thematic break.
fn is_separator(line: &str) -> bool {
    // The line without spaces and backslashes, walked again for each test (no allocation:
    // this runs on every line, and almost every line fails on its first character).
    let core = || line.chars().filter(|c| !matches!(c, ' ' | '\\'));
    core().next().is_some()
        && (core().all(|c| c == '*')
            || (core().all(|c| matches!(c, '-' | '_' | '=' | '~')) && core().count() >= 3)
            || core().all(|c| matches!(c, '•' | '·' | '◆' | '#')))
}

fn is_wholly_bold(line: &str) -> bool {
    let inner = line
        .strip_prefix("**")
        .and_then(|l| l.strip_suffix("**"))
        .or_else(|| line.strip_prefix("__").and_then(|l| l.strip_suffix("__")));
    inner.is_some_and(|i| !i.contains("**") && !i.trim().is_empty())
}

fn protect_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&next) = chars.peek() {
                if next.is_ascii_punctuation() {
                    chars.next();
                    out.push(char::from_u32(ESCAPE_BASE + u32::from(next)).unwrap_or(next));
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

fn restore_escapes(text: &str) -> String {
    text.chars()
        .map(|c| {
            let code = u32::from(c);
            if (ESCAPE_BASE..ESCAPE_BASE + 128).contains(&code) {
                char::from_u32(code - ESCAPE_BASE).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// An unpaired `*` or `**` glued to the start or end of a word (emphasis cut by a paragraph
/// break) is markup, not text.
fn strip_stray_asterisks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '*' {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let glued_start = prev.is_none_or(|p| p.is_whitespace() || p == '*')
                && next.is_some_and(|n| !n.is_whitespace());
            let glued_end = next.is_none_or(|n| n.is_whitespace() || n == '*')
                && prev.is_some_and(|p| !p.is_whitespace());
            if glued_start || glued_end {
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&nbsp;", " ")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&rsquo;", "’")
        .replace("&lsquo;", "‘")
        .replace("&ldquo;", "“")
        .replace("&rdquo;", "”")
        .replace("&ndash;", "–")
        .replace("&mdash;", "—")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    #[test]
    fn separators() {
        for line in [
            "***",
            "---",
            "___",
            "* * *",
            "\\*",
            "\\*\\*\\*",
            "===",
            "•••",
            "#",
            "*",
        ] {
            assert!(super::is_separator(line), "{line:?}");
        }
        for line in ["", " \\ ", "--", "-=", "*a*", "Text", "- item"] {
            assert!(!super::is_separator(line), "{line:?}");
        }
    }

    use super::*;

    fn md() -> Markdown {
        Markdown::new().unwrap()
    }

    #[test]
    fn links_keep_their_text() {
        let (_, t) = md().clean_line("Region: [Asia](#), [USA](http://x.org/a?b=1)");
        assert_eq!(t, "Region: Asia, USA");
        let (_, t) = md().clean_line("For media inquiries: [a@b.ca](mailto:a@b.ca)");
        assert_eq!(t, "For media inquiries: a@b.ca");
    }

    #[test]
    fn escapes_and_emphasis() {
        let m = md();
        assert_eq!(
            m.clean_line("It was [Russian SAM \\(surface-to-air missile\\) systems](#)")
                .1,
            "It was Russian SAM (surface-to-air missile) systems"
        );
        assert_eq!(
            m.clean_line("*On September 11, he left.*").1,
            "On September 11, he left."
        );
        assert_eq!(
            m.clean_line("a blog at *Russia Beyond*.").1,
            "a blog at Russia Beyond."
        );
        assert_eq!(
            m.clean_line("Articles by: **[A B](#)**").1,
            "Articles by: A B"
        );
        assert_eq!(m.clean_line("5 \\* 3 = 15").1, "5 * 3 = 15");
        assert_eq!(
            m.clean_line("snake_case_name stays").1,
            "snake_case_name stays"
        );
        assert_eq!(
            m.clean_line("*opened but never closed").1,
            "opened but never closed"
        );
    }

    #[test]
    fn line_kinds() {
        let m = md();
        assert_eq!(m.clean_line("\\*\\*\\*").0, LineKind::Separator);
        assert_eq!(m.clean_line("\\*").0, LineKind::Separator);
        assert_eq!(m.clean_line("---").0, LineKind::Separator);
        assert_eq!(m.clean_line("* * *").0, LineKind::Separator);
        assert_eq!(
            m.clean_line("# Title here"),
            (LineKind::Heading, "Title here".into())
        );
        assert_eq!(
            m.clean_line("**Bold heading**"),
            (LineKind::Heading, "Bold heading".into())
        );
        assert_eq!(m.clean_line("> quoted").0, LineKind::Quote);
        assert_eq!(
            m.clean_line("- item one"),
            (LineKind::ListItem, "item one".into())
        );
        assert_eq!(m.clean_line("Plain.").0, LineKind::Text);
    }

    #[test]
    fn html_bits() {
        assert_eq!(
            md().inline("Tom &amp; Jerry<br> <em>now</em>"),
            "Tom & Jerry now"
        );
    }
}
