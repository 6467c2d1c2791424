//! Errors raised while building a [`Cleaner`](crate::Cleaner) or outlet rules from configuration.

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
