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

/// Compiles a case-insensitive, multi-line regex, naming the pattern on failure.
pub(crate) fn regex(pattern: &str) -> Result<Regex, BuildError> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(true)
        .multi_line(true)
        .build()
        .map_err(|source| BuildError::Pattern {
            pattern: pattern.to_owned(),
            source,
        })
}

/// Compiles a case-sensitive regex (for patterns that rely on capital letters).
pub(crate) fn regex_cs(pattern: &str) -> Result<Regex, BuildError> {
    regex::RegexBuilder::new(pattern)
        .multi_line(true)
        .build()
        .map_err(|source| BuildError::Pattern {
            pattern: pattern.to_owned(),
            source,
        })
}
