//! Errors raised while building a [`Cleaner`](crate::Cleaner) or outlet rules from configuration.

use std::sync::OnceLock;

use regex::Regex;

/// Why the text machinery could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A built-in or user-supplied regular expression does not compile.
    #[error("invalid pattern {pattern:?}: {source}")]
    Pattern {
        /// The pattern as written.
        pattern: String,
        /// What the regex engine said.
        source: regex::Error,
    },
}

/// Rewrites `\b` as the ASCII word boundary `(?-u:\b)`.
///
/// The regex crate's fast engines cannot run a Unicode `\b` on non-ASCII text (curly quotes
/// are enough) and fall back to a much slower one; our keyword boundaries sit next to ASCII
/// letters, so the ASCII boundary means the same for them and keeps matching fast.
pub(crate) fn fast_boundaries(pattern: &str) -> String {
    pattern.replace(r"\b", r"(?-u:\b)")
}

/// Compiles `pattern` with ASCII word boundaries ([`fast_boundaries`]) and the given flags,
/// naming the pattern on failure.
pub(crate) fn regex_with(
    pattern: &str,
    case_insensitive: bool,
    multi_line: bool,
) -> Result<Regex, BuildError> {
    regex::RegexBuilder::new(&fast_boundaries(pattern))
        .case_insensitive(case_insensitive)
        .multi_line(multi_line)
        .build()
        .map_err(|source| BuildError::Pattern {
            pattern: pattern.to_owned(),
            source,
        })
}

/// Compiles a case-insensitive, multi-line regex, naming the pattern on failure.
pub(crate) fn regex(pattern: &str) -> Result<Regex, BuildError> {
    regex_with(pattern, true, true)
}

/// Compiles a case-sensitive regex (for patterns that rely on capital letters).
pub(crate) fn regex_cs(pattern: &str) -> Result<Regex, BuildError> {
    regex_with(pattern, false, true)
}

/// `re.captures(text)`, asking first whether `re` matches at all: a capture search allocates
/// its slots even when nothing matches, and most lines match none of these patterns.
pub(crate) fn captures<'t>(re: &Regex, text: &'t str) -> Option<regex::Captures<'t>> {
    if re.is_match(text) {
        re.captures(text)
    } else {
        None
    }
}

/// A pattern that starts with `^`, searched in lines. Multi-line, its `^` has the regex read the
/// whole text for a line start after the first; without a line break in the text, `^` and `$`
/// mean the same in either mode, and the one-line form searches anchored at the start, stopping
/// where the pattern fails. Text with a line break uses the multi-line form, compiled the first
/// time one comes (blocks and lines never hold one).
#[derive(Debug)]
pub(crate) struct LineRegex {
    /// The pattern compiled without multi-line mode.
    line: Regex,
    /// The multi-line form (it compiles: the one-line form did).
    multi: LazyRegex,
}

impl LineRegex {
    /// Compiles `pattern` (which should start with `^`) for one-line text.
    pub(crate) fn new(pattern: &str, case_insensitive: bool) -> Result<Self, BuildError> {
        Ok(LineRegex {
            line: regex_with(pattern, case_insensitive, false)?,
            multi: LazyRegex::new(pattern, case_insensitive, true),
        })
    }

    /// The regex that searches `text` as the multi-line pattern would.
    fn for_text(&self, text: &str) -> Option<&Regex> {
        if text.contains('\n') {
            self.multi.get()
        } else {
            Some(&self.line)
        }
    }

    /// True when the multi-line pattern matches `text`.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.for_text(text).is_some_and(|re| re.is_match(text))
    }

    /// The multi-line pattern's captures in `text` (see [`captures`]).
    pub(crate) fn captures<'t>(&self, text: &'t str) -> Option<regex::Captures<'t>> {
        captures(self.for_text(text)?, text)
    }
}

/// A built-in pattern compiled (as [`regex_with`] does) the first time it is needed: for
/// patterns that only rare text needs. `None` if it failed to compile, which each user's tests
/// rule out by compiling it.
#[derive(Debug)]
pub(crate) struct LazyRegex {
    pattern: String,
    case_insensitive: bool,
    multi_line: bool,
    compiled: OnceLock<Option<Regex>>,
}

impl LazyRegex {
    /// `pattern` with these flags, not compiled yet.
    pub(crate) fn new(pattern: &str, case_insensitive: bool, multi_line: bool) -> Self {
        LazyRegex {
            pattern: pattern.to_owned(),
            case_insensitive,
            multi_line,
            compiled: OnceLock::new(),
        }
    }

    /// The compiled pattern, compiling it on the first call.
    pub(crate) fn get(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| regex_with(&self.pattern, self.case_insensitive, self.multi_line).ok())
            .as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_regex_finds_what_the_multi_line_pattern_does() {
        const PATTERNS: &[(&str, bool)] = &[
            (r"^(?:by|written by)\b\s*:?\s*(.+)$", true),
            (r"^(.+?),\s*(?:staff writer|reporter)\b[^.]*$", true),
            (
                r"^(?:\p{Lu}[\p{L}'’\-]*\.?\s+)*\p{Lu}[\p{L}'’\-]*\.?$",
                false,
            ),
        ];
        const PIECES: &[&str] = &[
            "By",
            "by:",
            "Written by",
            " ",
            "Jane",
            "ROE",
            "é",
            ",",
            " staff writer",
            "reporter",
            ".",
            "\n",
            "x",
            "ſ",
            "-",
        ];
        let mut next = crate::testing::seeded_below(47_u64);
        for (pattern, case_insensitive) in PATTERNS {
            let line = LineRegex::new(pattern, *case_insensitive).unwrap();
            let multi = regex_with(pattern, *case_insensitive, true).unwrap();
            let mut found = 0;
            for _ in 0..10_000 {
                let text = crate::testing::random_text(&mut next, PIECES, 7);
                let expected = multi
                    .captures(&text)
                    .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect::<Vec<_>>());
                let got = line
                    .captures(&text)
                    .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect::<Vec<_>>());
                assert_eq!(got, expected, "{pattern} on {text:?}");
                assert_eq!(line.is_match(&text), expected.is_some(), "{text:?}");
                found += usize::from(expected.is_some());
            }
            assert!(found > 50, "{pattern}: {found}");
        }
    }
}
