//! The daemon's configuration: typed settings, layered defaults < file < env < command line.
//!
//! Every section denies unknown keys, so a typo in `ingestd.toml` or in an `INGESTD_...`
//! variable stops the daemon at start with a message naming the key, instead of being
//! silently ignored for months.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The file could not be read or parsed, or a key or value is wrong.
    #[error("invalid configuration")]
    Load(#[from] config::ConfigError),
    /// A value passed parsing but is not usable.
    #[error("configuration: {key}: {message}")]
    Invalid {
        /// Dotted key, e.g. `processing.workers`.
        key: String,
        /// What is wrong with it.
        message: String,
    },
}

/// All settings of the daemon.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The folders the daemon works on.
    #[serde(default)]
    pub paths: PathsSettings,
    /// How the inbox is watched.
    #[serde(default)]
    pub watch: WatchSettings,
    /// Workers, limits and what happens to sources.
    #[serde(default)]
    pub processing: ProcessingSettings,
    /// Logging.
    #[serde(default)]
    pub log: LogSettings,
    /// Plugin loading policy.
    #[serde(default)]
    pub plugins: PluginSettings,
    /// The optional metrics and health listener.
    #[serde(default)]
    pub metrics: MetricsSettings,
    /// The plugin chain, in order.
    #[serde(default)]
    pub chain: Vec<ChainEntry>,
}

/// The metrics and health HTTP listener (`/metrics`, `/healthz`). Off unless `listen` is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsSettings {
    /// Address to listen on, e.g. `127.0.0.1:9187`; absent means off.
    pub listen: Option<std::net::SocketAddr>,
    /// Allow a non-loopback address (the endpoint has no authentication).
    pub allow_remote: bool,
}

/// The folders; relative paths are relative to the working directory.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PathsSettings {
    /// Watched for new articles.
    pub inbox: PathBuf,
    /// Normalized JSON documents are written here.
    pub outbox: PathBuf,
    /// Sources after success, when `processing.on_success = "archive"`.
    pub archive: PathBuf,
    /// Sources that failed, each with `<name>.error.json`.
    pub failed: PathBuf,
    /// Plugin state (dedup index, staged plugin copies, skip records).
    pub state: PathBuf,
}

impl Default for PathsSettings {
    fn default() -> Self {
        PathsSettings {
            inbox: "inbox".into(),
            outbox: "outbox".into(),
            archive: "archive".into(),
            failed: "failed".into(),
            state: "state".into(),
        }
    }
}

/// How changes in the inbox are noticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WatchMode {
    /// Kernel notifications (inotify), with periodic re-listing as a safety net.
    Notify,
    /// Re-list the inbox every `poll_interval_ms` (network filesystems).
    Poll,
}

/// Watching and the ready check.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WatchSettings {
    /// `notify` or `poll`.
    pub mode: WatchMode,
    /// Re-list interval in poll mode.
    pub poll_interval_ms: u64,
    /// Full re-list interval in notify mode (events are hints, not truth).
    pub rescan_interval_ms: u64,
    /// A file whose size and mtime stayed the same this long counts as written.
    pub settle_ms: u64,
    /// Only names matching one of these globs are taken (default: all).
    pub include: Vec<String>,
    /// Names matching these globs are left alone, on top of hidden and temporary names.
    pub exclude: Vec<String>,
}

impl Default for WatchSettings {
    fn default() -> Self {
        WatchSettings {
            mode: WatchMode::Notify,
            poll_interval_ms: 1000,
            rescan_interval_ms: 30_000,
            settle_ms: 500,
            include: vec!["*".into()],
            exclude: Vec::new(),
        }
    }
}

/// What happens to a source file after it is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceAction {
    /// Move it into the archive folder.
    Archive,
    /// Delete it.
    Delete,
}

/// How outbox files are flushed with `fsync = true`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncScope {
    /// One `syncfs` of the outbox's filesystem per batch of documents: the fewest flushes,
    /// but it also flushes whatever else is waiting to be written on that filesystem.
    Filesystem,
    /// One `fdatasync` per document: touches nothing else, costs a flush per file.
    File,
}

/// Workers, limits, and source handling.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProcessingSettings {
    /// Worker count; 0 means one per CPU core.
    pub workers: usize,
    /// Files waiting for a worker, at most.
    pub queue_capacity: usize,
    /// What to do with a source after its document is in the outbox.
    pub on_success: SourceAction,
    /// What to do with a source a plugin skipped (e.g. an exact duplicate).
    pub on_skip: SourceAction,
    /// Files larger than this are refused without being read.
    pub max_file_bytes: u64,
    /// A plugin's output larger than this is refused.
    pub max_output_bytes: u64,
    /// Retries of a retryable plugin error before the file fails.
    pub max_retries: u32,
    /// Keep the decoded source text (`raw`) in the outbox document.
    pub keep_raw: bool,
    /// fsync outbox files and folders (turn off only for throwaway benchmarks).
    pub fsync: bool,
    /// How the outbox files' data is flushed when `fsync` is on.
    pub sync_scope: SyncScope,
}

impl Default for ProcessingSettings {
    fn default() -> Self {
        ProcessingSettings {
            workers: 0,
            queue_capacity: 256,
            on_success: SourceAction::Archive,
            on_skip: SourceAction::Archive,
            max_file_bytes: 16 * 1024 * 1024,
            max_output_bytes: 64 * 1024 * 1024,
            max_retries: 5,
            keep_raw: false,
            fsync: true,
            sync_scope: SyncScope::Filesystem,
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Logging.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// `text` or `json`.
    pub format: LogFormat,
    /// A tracing filter: `info`, `debug`, `ingestd=debug,warn`, ...
    pub level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            format: LogFormat::Text,
            level: "info".into(),
        }
    }
}

/// Plugin loading policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PluginSettings {
    /// Folders `ingestd plugins` searches for plugin libraries.
    pub search_dirs: Vec<PathBuf>,
    /// After this many panics a plugin is disabled (its documents fail) until a reload.
    pub max_panics: u32,
    /// Load plugin files or folders that other users can write to (unsafe).
    pub allow_insecure_permissions: bool,
}

impl Default for PluginSettings {
    fn default() -> Self {
        PluginSettings {
            search_dirs: vec![
                "target/release".into(),
                "/usr/local/lib/ingestd/plugins".into(),
            ],
            max_panics: 5,
            allow_insecure_permissions: false,
        }
    }
}

/// One plugin of the chain.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainEntry {
    /// A label for logs and traces (defaults to the plugin's own name).
    #[serde(default)]
    pub name: Option<String>,
    /// Path of the plugin library (`.so`).
    pub path: PathBuf,
    /// Set to false to keep an entry in the file but not run it.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The plugin's own configuration, passed to it as JSON.
    #[serde(default)]
    pub config: BTreeMap<String, serde_json::Value>,
    /// Run the plugin in child processes: a crash or endless loop costs one document and a
    /// restart of the child, never the daemon.
    #[serde(default)]
    pub isolate: bool,
    /// Per-document deadline of an isolated plugin (default 30000); needs `isolate = true`.
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

fn yes() -> bool {
    true
}

/// Command-line values that override the file and the environment.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `key = value` pairs, dotted keys (`paths.inbox`).
    pub values: Vec<(String, String)>,
}

impl Overrides {
    /// Adds an override when the value is present.
    pub fn set(&mut self, key: &str, value: Option<impl ToString>) {
        if let Some(value) = value {
            self.values.push((key.to_owned(), value.to_string()));
        }
    }
}

/// Loads settings: defaults < `file` (if given) < `INGESTD_*` environment < `overrides`.
pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Settings, SettingsError> {
    load_with_env(file, overrides, Environment::with_prefix("INGESTD"))
}

fn load_with_env(
    file: Option<&Path>,
    overrides: &Overrides,
    env: Environment,
) -> Result<Settings, SettingsError> {
    let mut builder = Config::builder();
    if let Some(file) = file {
        builder = builder.add_source(File::from(file).format(FileFormat::Toml).required(true));
    }
    builder = builder.add_source(
        env.prefix_separator("_")
            .separator("__")
            .try_parsing(true)
            .list_separator(",")
            .with_list_parse_key("watch.include")
            .with_list_parse_key("watch.exclude")
            .with_list_parse_key("plugins.search_dirs"),
    );
    for (key, value) in &overrides.values {
        builder = builder.set_override(key.as_str(), value.as_str())?;
    }
    let settings: Settings = builder.build()?.try_deserialize()?;
    settings.validate()?;
    Ok(settings)
}

impl Settings {
    /// Checks values that parse but cannot work.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let invalid = |key: &str, message: &str| {
            Err(SettingsError::Invalid {
                key: key.to_owned(),
                message: message.to_owned(),
            })
        };
        if self.processing.queue_capacity == 0 {
            return invalid("processing.queue_capacity", "must be at least 1");
        }
        if self.processing.max_file_bytes == 0 {
            return invalid("processing.max_file_bytes", "must be at least 1");
        }
        if self.watch.mode == WatchMode::Poll && self.watch.poll_interval_ms == 0 {
            return invalid("watch.poll_interval_ms", "must be at least 1 in poll mode");
        }
        if let Err(e) = crate::inbox::names::NameFilter::new(&self.watch) {
            return invalid("watch.include/exclude", &e.to_string());
        }
        if let Err(e) = crate::logging::parse_filter(&self.log.level) {
            return invalid("log.level", &e.to_string());
        }
        for (i, entry) in self.chain.iter().enumerate() {
            if entry.path.as_os_str().is_empty() {
                return invalid(&format!("chain[{i}].path"), "must not be empty");
            }
            if entry.timeout_ms.is_some() && !entry.isolate {
                let message =
                    "is only enforced with isolate = true (an in-process plugin cannot be stopped)";
                return invalid(&format!("chain[{i}].timeout_ms"), message);
            }
            if entry.timeout_ms == Some(0) {
                return invalid(&format!("chain[{i}].timeout_ms"), "must be at least 1");
            }
        }
        let remote = self.metrics.listen.filter(|a| !a.ip().is_loopback());
        if remote.is_some() && !self.metrics.allow_remote {
            let message = "is not a loopback address; the endpoint has no authentication \
                           (set metrics.allow_remote = true to allow it)";
            return invalid("metrics.listen", message);
        }
        let p = &self.paths;
        for (key, path) in [
            ("paths.outbox", &p.outbox),
            ("paths.archive", &p.archive),
            ("paths.failed", &p.failed),
            ("paths.state", &p.state),
        ] {
            if path == &p.inbox {
                return invalid(key, "must not be the inbox");
            }
        }
        Ok(())
    }

    /// Worker count with `0` resolved to the number of cores.
    pub fn worker_count(&self) -> usize {
        match self.processing.workers {
            0 => std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(2),
            n => n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> Environment {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Environment::with_prefix("INGESTD").source(Some(map))
    }

    fn write(toml: &str) -> tempfile::NamedTempFile {
        let file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
        std::fs::write(file.path(), toml).unwrap();
        file
    }

    #[test]
    fn defaults_need_no_file() {
        let s = load_with_env(None, &Overrides::default(), env(&[])).unwrap();
        assert_eq!(s.paths.inbox, PathBuf::from("inbox"));
        assert_eq!(s.watch.mode, WatchMode::Notify);
        assert_eq!(s.processing.sync_scope, SyncScope::Filesystem);
        assert!(s.chain.is_empty());
    }

    #[test]
    fn the_sync_scope_is_read_and_checked() {
        let file = write("[processing]\nsync_scope = \"file\"\n");
        let s = load_with_env(Some(file.path()), &Overrides::default(), env(&[])).unwrap();
        assert_eq!(s.processing.sync_scope, SyncScope::File);
        let file = write("[processing]\nsync_scope = \"disk\"\n");
        let err = load_with_env(Some(file.path()), &Overrides::default(), env(&[])).unwrap_err();
        assert!(format!("{err:?}").contains("disk"), "{err:?}");
    }

    #[test]
    fn layers_apply_in_order_file_env_cli() {
        let file = write(
            "[paths]\ninbox = \"file-in\"\noutbox = \"file-out\"\n[processing]\nworkers = 3\n",
        );
        let s = load_with_env(Some(file.path()), &Overrides::default(), env(&[])).unwrap();
        assert_eq!(
            (s.paths.inbox.to_str(), s.processing.workers),
            (Some("file-in"), 3)
        );

        let e = env(&[
            ("INGESTD_PATHS__OUTBOX", "/srv/out"),
            ("INGESTD_PROCESSING__WORKERS", "4"),
        ]);
        let s = load_with_env(Some(file.path()), &Overrides::default(), e).unwrap();
        assert_eq!(s.paths.outbox, PathBuf::from("/srv/out"));
        assert_eq!(s.processing.workers, 4);

        let mut cli = Overrides::default();
        cli.set("processing.workers", Some(7));
        let e = env(&[("INGESTD_PROCESSING__WORKERS", "4")]);
        let s = load_with_env(Some(file.path()), &cli, e).unwrap();
        assert_eq!(s.processing.workers, 7);
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let file = write("[paths]\ninbx = \"x\"\n");
        let err = load_with_env(Some(file.path()), &Overrides::default(), env(&[])).unwrap_err();
        assert!(format!("{err:?}").contains("inbx"), "{err:?}");

        let err = load_with_env(
            None,
            &Overrides::default(),
            env(&[("INGESTD_WACH__MODE", "poll")]),
        )
        .unwrap_err();
        assert!(format!("{err:?}").contains("wach"), "{err:?}");
    }

    #[test]
    fn bad_values_are_refused_by_key() {
        let file = write("[watch]\nmode = \"sometimes\"\n");
        let err = load_with_env(Some(file.path()), &Overrides::default(), env(&[])).unwrap_err();
        assert!(format!("{err:?}").contains("sometimes"), "{err:?}");

        let file = write("[processing]\nqueue_capacity = 0\n");
        let err = load_with_env(Some(file.path()), &Overrides::default(), env(&[])).unwrap_err();
        assert!(
            err.to_string().contains("processing.queue_capacity"),
            "{err}"
        );

        let file = write("[log]\nlevel = \"ingestd=loud\"\n");
        let err = load_with_env(Some(file.path()), &Overrides::default(), env(&[])).unwrap_err();
        assert!(err.to_string().contains("log.level"), "{err}");
    }

    #[test]
    fn chain_entries_carry_plugin_config() {
        let file = write(
            "[[chain]]\npath = \"a.so\"\n[chain.config]\nthreshold = 0.8\nwords = [\"x\"]\n\n[[chain]]\nname = \"b\"\npath = \"b.so\"\nenabled = false\n",
        );
        let s = load_with_env(Some(file.path()), &Overrides::default(), env(&[])).unwrap();
        assert_eq!(s.chain.len(), 2);
        assert_eq!(s.chain[0].config["threshold"], serde_json::json!(0.8));
        assert_eq!(s.chain[0].config["words"], serde_json::json!(["x"]));
        assert!(!s.chain[1].enabled);
    }
}
