//! Log output: human-readable lines by default, JSON lines on request; colours only on a
//! terminal. Logs go to stderr, so `ingestd process` can print documents on stdout.
//!
//! Under systemd, stderr is a journal stream (`$JOURNAL_STREAM` names it): lines then carry
//! a syslog-style `<N>` priority prefix (the sd-daemon(3) convention), so `journalctl -p err`
//! works, and no colours or timestamps (the journal keeps its own). The level filter sits
//! behind a reload handle, so SIGHUP can change `log.level` without a restart.

use std::fmt;
use std::io::IsTerminal;
use std::sync::OnceLock;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry, reload};

use crate::settings::{LogFormat, LogSettings};

/// Why logging could not start or change.
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

static FILTER: OnceLock<reload::Handle<EnvFilter, Registry>> = OnceLock::new();

/// Parses a level filter such as `info` or `ingestd=debug,warn`.
pub fn parse_filter(text: &str) -> Result<EnvFilter, LoggingError> {
    EnvFilter::try_new(text).map_err(|source| LoggingError::Filter {
        filter: text.to_owned(),
        source,
    })
}

/// True when stderr is the systemd journal: `$JOURNAL_STREAM` is `DEVICE:INODE` of fd 2.
pub fn stderr_is_journal() -> bool {
    let Some(value) = std::env::var_os("JOURNAL_STREAM") else {
        return false;
    };
    let Some((dev, ino)) = value.to_str().and_then(|v| v.split_once(':')) else {
        return false;
    };
    let mut stat = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: fstat writes into `stat` and we only read it when it succeeded.
    let stat = unsafe {
        if libc::fstat(libc::STDERR_FILENO, stat.as_mut_ptr()) != 0 {
            return false;
        }
        stat.assume_init()
    };
    dev.parse::<u64>().ok() == Some(stat.st_dev) && ino.parse::<u64>().ok() == Some(stat.st_ino)
}

/// Syslog priority of a tracing level: err(3), warning(4), info(6), debug(7).
pub fn syslog_priority(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        _ => 7,
    }
}

/// Prefixes each line with `<N>` for the journal, then formats as `inner` does.
struct JournalPrefix<F>(F);

impl<S, N, F> FormatEvent<S, N> for JournalPrefix<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        write!(writer, "<{}>", syslog_priority(event.metadata().level()))?;
        self.0.format_event(ctx, writer, event)
    }
}

/// Installs the global subscriber. `RUST_LOG`, when set, overrides `log.level`.
pub fn init(settings: &LogSettings) -> Result<(), LoggingError> {
    let filter_text = std::env::var("RUST_LOG").unwrap_or_else(|_| settings.level.clone());
    let filter = parse_filter(&filter_text)?;
    let journal = stderr_is_journal();
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("JOURNAL_STREAM").is_none();
    let base = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let output: Box<dyn Layer<Registry> + Send + Sync> = match (settings.format, journal) {
        (LogFormat::Text, false) => base.with_ansi(ansi).with_target(false).boxed(),
        (LogFormat::Text, true) => {
            let format = tracing_subscriber::fmt::format()
                .with_ansi(false)
                .with_target(false)
                .without_time()
                .with_level(false);
            base.with_ansi(false)
                .event_format(JournalPrefix(format))
                .boxed()
        }
        (LogFormat::Json, false) => json(base).boxed(),
        (LogFormat::Json, true) => {
            let format = tracing_subscriber::fmt::format()
                .json()
                .with_current_span(true)
                .with_span_list(false);
            json(base).event_format(JournalPrefix(format)).boxed()
        }
    };
    let (filter, handle) = reload::Layer::new(filter);
    // A second init (tests) keeps the first subscriber; that is fine.
    let _ = tracing_subscriber::registry()
        .with(output.with_filter(filter))
        .try_init()
        .map(|()| FILTER.set(handle));
    Ok(())
}

fn json<W>(
    base: tracing_subscriber::fmt::Layer<
        Registry,
        tracing_subscriber::fmt::format::DefaultFields,
        tracing_subscriber::fmt::format::Format,
        W,
    >,
) -> tracing_subscriber::fmt::Layer<
    Registry,
    tracing_subscriber::fmt::format::JsonFields,
    tracing_subscriber::fmt::format::Format<tracing_subscriber::fmt::format::Json>,
    W,
> {
    base.json().with_current_span(true).with_span_list(false)
}

/// What [`set_level`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelChange {
    /// The new filter is active.
    Applied,
    /// `RUST_LOG` is set and wins over the configuration; nothing changed.
    OverriddenByEnv,
    /// Logging was not initialised by [`init`] (tests); nothing changed.
    NotInitialised,
}

/// Replaces the level filter of the running daemon (SIGHUP).
pub fn set_level(level: &str) -> Result<LevelChange, LoggingError> {
    let filter = parse_filter(level)?;
    if std::env::var_os("RUST_LOG").is_some() {
        return Ok(LevelChange::OverriddenByEnv);
    }
    match FILTER.get() {
        Some(handle) if handle.reload(filter).is_ok() => Ok(LevelChange::Applied),
        _ => Ok(LevelChange::NotInitialised),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities_follow_syslog() {
        assert_eq!(syslog_priority(&Level::ERROR), 3);
        assert_eq!(syslog_priority(&Level::WARN), 4);
        assert_eq!(syslog_priority(&Level::INFO), 6);
        assert_eq!(syslog_priority(&Level::TRACE), 7);
    }

    #[test]
    fn a_bad_filter_is_refused() {
        assert!(parse_filter("info,=[").is_err());
        assert!(parse_filter("ingestd=debug,warn").is_ok());
    }
}
