//! Log output: human-readable lines by default, JSON lines on request; colours only on a
//! terminal. Logs go to stderr, so `ingestd process` can print documents on stdout.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::settings::{LogFormat, LogSettings};

/// Why logging could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoggingError {
    /// The level filter does not parse.
    #[error("log.level: invalid filter {filter:?}: {source}")]
    Filter {
        /// The filter text.
        filter: String,
        /// The parser's message.
        source: tracing_subscriber::filter::ParseError,
    },
}

/// Installs the global subscriber. `RUST_LOG`, when set, overrides `log.level`.
pub fn init(settings: &LogSettings) -> Result<(), LoggingError> {
    let filter_text = std::env::var("RUST_LOG").unwrap_or_else(|_| settings.level.clone());
    let filter = EnvFilter::try_new(&filter_text).map_err(|source| LoggingError::Filter {
        filter: filter_text.clone(),
        source,
    })?;
    // Under systemd, stderr is the journal: no colours there.
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("JOURNAL_STREAM").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match settings.format {
        LogFormat::Text => builder.with_ansi(ansi).with_target(false).try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    // A second init (tests) keeps the first subscriber; that is fine.
    let _ = result;
    Ok(())
}
