//! Typed errors of the summarizers and of the configuration.

/// A summarizer failed on one document.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SummarizeError {
    /// The external command could not be started.
    #[error("starting {program}: {source}")]
    Spawn {
        /// The program (first element of `command`).
        program: String,
        /// Why it could not start.
        source: std::io::Error,
    },
    /// Waiting for the external command failed.
    #[error("waiting for {program}: {source}")]
    Wait {
        /// The program.
        program: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The external command did not finish within `timeout_ms`; it was killed.
    #[error("{program} did not finish within {timeout_ms} ms and was killed")]
    Timeout {
        /// The program.
        program: String,
        /// The configured time limit.
        timeout_ms: u64,
    },
    /// The external command exited with a failure status.
    #[error("{program} failed ({status}): {stderr}")]
    Failed {
        /// The program.
        program: String,
        /// Its exit status.
        status: String,
        /// The start of what it wrote to stderr.
        stderr: String,
    },
    /// The external command's output cannot be a summary.
    #[error("{program} returned an unusable summary: {reason}")]
    BadOutput {
        /// The program.
        program: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The document could not be serialized for the external command.
    #[error("serializing the document: {0}")]
    Serialize(#[from] serde_json::Error),
}

impl SummarizeError {
    /// True when trying the same document later may succeed (a busy or restarting model
    /// server), false when the answer would be the same.
    pub fn retryable(&self) -> bool {
        !matches!(
            self,
            SummarizeError::BadOutput { .. } | SummarizeError::Serialize(_)
        )
    }

    /// A short machine-readable code, for the plugin error.
    pub fn code(&self) -> &'static str {
        match self {
            SummarizeError::Spawn { .. } | SummarizeError::Wait { .. } => "summarizer_io",
            SummarizeError::Timeout { .. } => "summarizer_timeout",
            SummarizeError::Failed { .. } => "summarizer_failed",
            SummarizeError::BadOutput { .. } => "summarizer_output",
            SummarizeError::Serialize(_) => "summarizer_input",
        }
    }
}

/// The plugin configuration is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A numeric option is outside its allowed range.
    #[error("{key} = {value} is out of range: {expected}")]
    OutOfRange {
        /// The option.
        key: &'static str,
        /// Its value.
        value: u64,
        /// What is allowed.
        expected: &'static str,
    },
    /// `min_sentences` is larger than `max_sentences`.
    #[error("min_sentences ({min}) must not exceed max_sentences ({max})")]
    MinAboveMax {
        /// `min_sentences`.
        min: usize,
        /// `max_sentences`.
        max: usize,
    },
    /// `engine = "command"` without a `command`.
    #[error("engine = \"command\" needs a non-empty `command` list (program and arguments)")]
    MissingCommand,
    /// The phrase matchers could not be built.
    #[error("{0}")]
    Signals(String),
}
