//! The safe trait a plugin author implements, and the types it returns.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::abi::{self, HostApi};
use crate::document::Document;

/// A document-processing plugin.
///
/// One instance is created per configured chain entry and shared by all worker threads, hence
/// `Send + Sync`. `process` runs on a blocking worker thread, never on the async reactor, so it
/// may do file or database I/O. Build everything expensive (regexes, word lists, indexes) in
/// [`Plugin::new`], never per document.
pub trait Plugin: Send + Sync + Sized + 'static {
    /// The plugin's configuration, from its `[chain.config]` table in `ingestd.toml`.
    /// Use `#[serde(deny_unknown_fields, default)]` so typos are refused at start.
    type Config: DeserializeOwned;

    /// The top-level fields [`Plugin::process`] reads, as [`crate::fields`] bits, e.g.
    /// `fields::TITLE | fields::BODY`. The host sends only these (and `id`); the others arrive
    /// at their default value. Whatever the plugin changes is sent back whether it read the
    /// field or not. The default, [`fields::ALL`](crate::fields::ALL), sends everything:
    /// narrow it only to fields you are sure you do not look at.
    const READS: u64 = crate::fields::ALL;

    /// The top-level fields [`Plugin::process`] may change, as [`crate::fields`] bits
    /// ([`fields::EXTRA`](crate::fields::EXTRA) for fields this SDK does not know). The SDK
    /// keeps a copy of only these to compute the patch it sends back, so a plugin that reads a
    /// long body and writes one small field does not pay for copying and comparing the body.
    /// A change to any other field is not sent back; builds with debug assertions (tests)
    /// check every field and fail the document with code `undeclared_write` when that happens.
    /// The default, [`fields::ALL`](crate::fields::ALL), compares everything.
    const WRITES: u64 = crate::fields::ALL;

    /// Validates the configuration and builds the runtime instance.
    fn new(config: Self::Config, host: Host) -> Result<Self, PluginError>;

    /// Processes one document in place.
    fn process(&self, doc: &mut Document) -> Result<Verdict, PluginError>;
}

/// What should happen to a document after a plugin ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Pass the (possibly modified) document to the next plugin.
    Continue,
    /// Stop here: the document is not written to the outbox (e.g. an exact duplicate). The
    /// reason is recorded and logged.
    Skip {
        /// Why the document was skipped, for the log and the skip record.
        reason: String,
    },
}

/// An error from a plugin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{code}: {message}")]
pub struct PluginError {
    /// Short machine-readable code (`bad_input`, `not_utf8`, `config`, `io`, ...).
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// True when trying again later may succeed (a locked database, a full disk).
    #[serde(default)]
    pub retryable: bool,
}

impl PluginError {
    /// A permanent error: this document will never succeed with this plugin.
    pub fn permanent(code: impl Into<String>, message: impl Into<String>) -> Self {
        PluginError {
            code: code.into(),
            message: message.into(),
            retryable: false,
        }
    }

    /// A transient error: the host may retry the document later.
    pub fn retryable(code: impl Into<String>, message: impl Into<String>) -> Self {
        PluginError {
            code: code.into(),
            message: message.into(),
            retryable: true,
        }
    }

    /// A configuration error, reported when the plugin is created.
    pub fn config(message: impl Into<String>) -> Self {
        PluginError::permanent("config", message)
    }
}

/// Log levels a plugin can log at through the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// An operator must act.
    Error,
    /// Unexpected but handled.
    Warn,
    /// Normal operation.
    Info,
    /// Debugging detail.
    Debug,
    /// Fine detail.
    Trace,
}

impl Level {
    pub(crate) fn to_raw(self) -> u32 {
        match self {
            Level::Error => abi::level::ERROR,
            Level::Warn => abi::level::WARN,
            Level::Info => abi::level::INFO,
            Level::Debug => abi::level::DEBUG,
            Level::Trace => abi::level::TRACE,
        }
    }

    /// Reads a raw ABI level; unknown values become `Info`.
    pub fn from_raw(raw: u32) -> Level {
        match raw {
            abi::level::ERROR => Level::Error,
            abi::level::WARN => Level::Warn,
            abi::level::DEBUG => Level::Debug,
            abi::level::TRACE => Level::Trace,
            _ => Level::Info,
        }
    }
}

/// The plugin's handle on its host: logging and the state directory.
///
/// Plugins must not print to stdout or stderr; the daemon's logs go where the operator
/// configured them (the journal, JSON lines), and `Host::log` sends lines there.
#[derive(Debug, Clone)]
pub struct Host {
    api: *const HostApi,
    state_dir: Option<PathBuf>,
}

// SAFETY: the host guarantees that the `HostApi` outlives every instance created with it and
// that its `log` function may be called from any thread.
unsafe impl Send for Host {}
// SAFETY: as above.
unsafe impl Sync for Host {}

impl Host {
    /// Wraps the host API pointer passed to `create`.
    ///
    /// # Safety
    /// `api` must be null or point to a `HostApi` that outlives the returned handle.
    pub unsafe fn from_raw(api: *const HostApi) -> Host {
        // SAFETY: guaranteed by the caller.
        let state_dir = unsafe { api.as_ref() }.and_then(|api| {
            // SAFETY: the host keeps the bytes alive with the API struct.
            let bytes = unsafe { api.state_dir.as_slice() };
            std::str::from_utf8(bytes)
                .ok()
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
        });
        Host { api, state_dir }
    }

    /// A host that discards logs and has no state directory (for unit tests).
    pub fn detached() -> Host {
        Host {
            api: std::ptr::null(),
            state_dir: None,
        }
    }

    /// A host with a state directory but no logging (for unit tests).
    pub fn with_state_dir(dir: impl Into<PathBuf>) -> Host {
        Host {
            api: std::ptr::null(),
            state_dir: Some(dir.into()),
        }
    }

    /// The directory this plugin may keep persistent state in, if the host gave one.
    pub fn state_dir(&self) -> Option<&Path> {
        self.state_dir.as_deref()
    }

    /// Writes a log line through the host.
    pub fn log(&self, level: Level, message: &str) {
        // SAFETY: `from_raw`'s contract keeps the API alive while this handle exists.
        if let Some(api) = unsafe { self.api.as_ref() } {
            // SAFETY: the pointer/length pair describes `message`, borrowed for the call.
            unsafe { (api.log)(api.ctx, level.to_raw(), message.as_ptr(), message.len()) };
        }
    }

    /// Logs at warn level.
    pub fn warn(&self, message: &str) {
        self.log(Level::Warn, message);
    }

    /// Logs at info level.
    pub fn info(&self, message: &str) {
        self.log(Level::Info, message);
    }

    /// Logs at debug level.
    pub fn debug(&self, message: &str) {
        self.log(Level::Debug, message);
    }
}

/// Parses a plugin configuration from JSON, with the serde error (naming the key) as message.
pub fn parse_config<C: DeserializeOwned>(json: &[u8]) -> Result<C, PluginError> {
    let json: &[u8] = if json.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        json
    };
    serde_json::from_slice(json).map_err(|e| PluginError::config(format!("invalid config: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Cfg {
        #[serde(default)]
        #[allow(dead_code)]
        threshold: f64,
    }

    #[test]
    fn empty_config_reads_as_empty_object() {
        assert!(parse_config::<Cfg>(b"").is_ok());
        assert!(parse_config::<Cfg>(b"  ").is_ok());
    }

    #[test]
    fn unknown_config_key_is_named() {
        let err = parse_config::<Cfg>(br#"{"treshold": 1}"#).unwrap_err();
        assert_eq!(err.code, "config");
        assert!(err.message.contains("treshold"), "{}", err.message);
    }

    #[test]
    fn detached_host_logs_nowhere() {
        let host = Host::detached();
        host.info("nothing happens");
        assert!(host.state_dir().is_none());
    }
}
