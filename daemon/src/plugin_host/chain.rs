//! The plugin chain: runs a document through each plugin in order and checks what comes back.
//!
//! Each plugin gets the fields it reads (ABI 1.1; in binary from 1.3) or the whole document
//! (ABI 1.0). The host trusts nothing a plugin returns: a field patch must name fields with
//! values of the right type, a whole document must parse; neither may change the `id` or a
//! field the plugin does not declare it writes (ABI 1.2), and both must fit the size cap. A
//! panic (caught inside the plugin) fails that document and
//! recreates the instance; after `max_panics` panics the plugin is disabled with a loud error
//! until the chain is reloaded.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use ingestd_sdk::client::{CallOutcome, CreateError, DeclarationInfo, Instance, LogFn};
use ingestd_sdk::{Document, Level, TraceEntry, fields};

use super::isolated::{InitRequest, IsolatedOutcome, IsolatedPlugin};
use super::loader::{LoadError, LoadedPlugin, load_plugin};
use crate::settings::Settings;

/// Why the chain could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// A library was refused.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A plugin refused its configuration or failed to start.
    #[error("plugin {label} ({}): could not start: {source}", .path.display())]
    Create {
        /// The chain entry's label.
        label: String,
        /// The library path.
        path: PathBuf,
        /// The plugin's own error.
        source: CreateError,
    },
    /// Its state folder could not be created.
    #[error("plugin {label}: cannot create its state folder {}: {source}", .dir.display())]
    StateDir {
        /// The chain entry's label.
        label: String,
        /// The folder.
        dir: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An isolated plugin's child process could not start or create its instance.
    #[error("plugin {label} ({}): could not start its isolated process: {message}", .path.display())]
    Isolate {
        /// The chain entry's label.
        label: String,
        /// The library path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// How a plugin failed a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The plugin returned an error (bad input for that plugin, or a plugin bug).
    Error,
    /// The plugin panicked.
    Panic,
    /// The plugin returned something the host refuses (invalid JSON, changed id, too big).
    Protocol,
    /// The plugin is disabled after repeated panics.
    Disabled,
    /// An isolated plugin's process died (segfault, abort, exit).
    Crash,
    /// An isolated plugin missed its per-document deadline.
    Timeout,
}

impl FailureKind {
    /// Lowercase name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Error => "error",
            FailureKind::Panic => "panic",
            FailureKind::Protocol => "protocol",
            FailureKind::Disabled => "disabled",
            FailureKind::Crash => "crash",
            FailureKind::Timeout => "timeout",
        }
    }
}

/// A document's failure in the chain.
#[derive(Debug, Clone)]
pub struct ChainFailure {
    /// Label of the plugin that failed.
    pub plugin: String,
    /// How it failed.
    pub kind: FailureKind,
    /// Machine-readable code.
    pub code: String,
    /// Human-readable reason.
    pub message: String,
    /// The plugins that ran, the failing one last.
    pub trace: Vec<TraceEntry>,
}

/// The result of running the chain on one document.
#[derive(Debug)]
pub enum ChainOutcome {
    /// Every plugin continued; the final document, with its trace.
    Done(Box<Document>),
    /// A plugin asked to skip the document.
    Skipped {
        /// Label of the plugin.
        plugin: String,
        /// Its reason.
        reason: String,
        /// The plugins that ran.
        trace: Vec<TraceEntry>,
    },
    /// A permanent failure: the source goes to `failed/`.
    Failed(ChainFailure),
    /// A transient failure: try again later.
    Retry(ChainFailure),
}

/// How a stage runs its plugin: in the daemon's process, or in isolated child processes.
/// `Chain::run` does not care which.
enum Runner {
    /// Shared in-process instance, recreated after a panic.
    InProcess(RwLock<Arc<Instance>>),
    /// Child processes with a per-document timeout (`isolate = true`).
    Isolated(IsolatedPlugin),
}

/// One call's result, whichever runner made it.
enum RunOutcome {
    Call(CallOutcome),
    Crashed(String),
    TimedOut(Duration),
}

struct Stage {
    label: String,
    plugin: LoadedPlugin,
    config_json: Vec<u8>,
    state_dir: PathBuf,
    runner: Runner,
    panics: AtomicU32,
    disabled: AtomicBool,
}

/// Per-document deadline of an isolated plugin without `timeout_ms`.
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;

/// The loaded, configured plugin chain. Shared by all workers.
pub struct Chain {
    stages: Vec<Stage>,
    max_output: usize,
    max_panics: u32,
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain")
            .field("plugins", &self.labels())
            .finish_non_exhaustive()
    }
}

/// What `ingestd check` prints for each stage.
#[derive(Debug, Clone)]
pub struct StageSummary {
    /// Chain label.
    pub label: String,
    /// Plugin name from its declaration.
    pub name: String,
    /// Plugin version.
    pub version: String,
    /// SDK version it was built with.
    pub sdk_version: String,
    /// ABI version.
    pub abi: String,
    /// ABI minor version (1 and later: fields in, patch out).
    pub abi_minor: u32,
    /// The fields the plugin reads ([`fields::ALL`] for everything).
    pub reads: u64,
    /// The fields the plugin may change ([`fields::ALL`] for any).
    pub writes: u64,
    /// Configured library path.
    pub path: PathBuf,
}

fn plugin_logger(label: &str) -> LogFn {
    let label = label.to_owned();
    Arc::new(move |level, line| {
        let line = crate::records::log_safe(line);
        match level {
            Level::Error => tracing::error!(plugin = %label, "{line}"),
            Level::Warn => tracing::warn!(plugin = %label, "{line}"),
            Level::Info => tracing::info!(plugin = %label, "{line}"),
            Level::Debug => tracing::debug!(plugin = %label, "{line}"),
            Level::Trace => tracing::trace!(plugin = %label, "{line}"),
        }
    })
}

impl Stage {
    fn create_instance(&self) -> Result<Instance, CreateError> {
        Instance::create(
            self.plugin.declaration,
            &self.config_json,
            plugin_logger(&self.label),
            Some(&self.state_dir),
        )
    }

    fn call(&self, json: &[u8], max_output: usize) -> RunOutcome {
        match &self.runner {
            Runner::InProcess(instance) => {
                let current = match instance.read() {
                    Ok(guard) => Arc::clone(&guard),
                    Err(poisoned) => Arc::clone(&poisoned.into_inner()),
                };
                RunOutcome::Call(current.process(json, max_output))
            }
            Runner::Isolated(isolated) => match isolated.process(json) {
                IsolatedOutcome::Call(outcome) => RunOutcome::Call(outcome),
                IsolatedOutcome::Crashed(how) => RunOutcome::Crashed(how),
                IsolatedOutcome::TimedOut(after) => RunOutcome::TimedOut(after),
            },
        }
    }

    /// After a panic (or, isolated, a crash or timeout): count it, and recreate the instance
    /// or disable the plugin. An isolated child that failed was already dropped; the next
    /// call starts a fresh one.
    fn after_panic(&self, max_panics: u32) {
        let panics = self.panics.fetch_add(1, Ordering::SeqCst) + 1;
        if panics >= max_panics {
            if !self.disabled.swap(true, Ordering::SeqCst) {
                tracing::error!(
                    plugin = %self.label, panics,
                    "Plugin disabled after repeated panics; its documents fail until the chain is reloaded."
                );
            }
            return;
        }
        let Runner::InProcess(instance) = &self.runner else {
            return;
        };
        match self.create_instance() {
            Ok(fresh) => {
                let mut guard = match instance.write() {
                    Ok(guard) => guard,
                    Err(poisoned) => poisoned.into_inner(),
                };
                *guard = Arc::new(fresh);
                tracing::warn!(plugin = %self.label, panics, "Plugin panicked; instance recreated.");
            }
            Err(e) => {
                self.disabled.store(true, Ordering::SeqCst);
                tracing::error!(plugin = %self.label, error = %e, "Plugin panicked and could not be recreated; disabled.");
            }
        }
    }
}

impl Chain {
    /// Loads every enabled plugin of the configured chain and creates its instance.
    pub fn build(settings: &Settings, staging: bool) -> Result<Chain, ChainError> {
        let staging_dir = settings.paths.state.join("plugins");
        let max_output =
            usize::try_from(settings.processing.max_output_bytes).unwrap_or(usize::MAX);
        // The first stage gets the host's document: the file's text, JSON-escaped (<= 6x).
        let max_input = usize::try_from(settings.processing.max_file_bytes)
            .unwrap_or(usize::MAX)
            .saturating_mul(6)
            .saturating_add(1024 * 1024);
        let mut stages = Vec::new();
        for entry in settings.chain.iter().filter(|e| e.enabled) {
            let plugin = load_plugin(
                &entry.path,
                staging.then_some(staging_dir.as_path()),
                settings.plugins.allow_insecure_permissions,
            )?;
            let label = entry
                .name
                .clone()
                .unwrap_or_else(|| plugin.info.name.clone());
            let state_dir = settings.paths.state.join(sanitize_label(&label));
            std::fs::create_dir_all(&state_dir).map_err(|source| ChainError::StateDir {
                label: label.clone(),
                dir: state_dir.clone(),
                source,
            })?;
            let config_json = serde_json::to_vec(&entry.config).unwrap_or_else(|_| b"{}".to_vec());
            let runner = if entry.isolate {
                let request = InitRequest {
                    config: String::from_utf8_lossy(&config_json).into_owned(),
                    state_dir: Some(state_dir.clone()),
                    max_output,
                    max_input: max_output.saturating_add(max_input),
                    allow_insecure: settings.plugins.allow_insecure_permissions,
                };
                let timeout = Duration::from_millis(entry.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS));
                let isolated = IsolatedPlugin::start(
                    &label,
                    &plugin.staged,
                    &request,
                    timeout,
                    plugin_logger(&label),
                )
                .map_err(|e| ChainError::Isolate {
                    label: label.clone(),
                    path: entry.path.clone(),
                    message: e.to_string(),
                })?;
                Runner::Isolated(isolated)
            } else {
                let instance = Instance::create(
                    plugin.declaration,
                    &config_json,
                    plugin_logger(&label),
                    Some(&state_dir),
                )
                .map_err(|source| ChainError::Create {
                    label: label.clone(),
                    path: entry.path.clone(),
                    source,
                })?;
                Runner::InProcess(RwLock::new(Arc::new(instance)))
            };
            stages.push(Stage {
                label,
                plugin,
                config_json,
                state_dir,
                runner,
                panics: AtomicU32::new(0),
                disabled: AtomicBool::new(false),
            });
        }
        Ok(Chain {
            stages,
            max_output,
            max_panics: settings.plugins.max_panics.max(1),
        })
    }

    /// Labels of the stages, in order.
    pub fn labels(&self) -> Vec<&str> {
        self.stages.iter().map(|s| s.label.as_str()).collect()
    }

    /// What each stage is, for `ingestd check`.
    pub fn summary(&self) -> Vec<StageSummary> {
        self.stages
            .iter()
            .map(|s| StageSummary {
                label: s.label.clone(),
                name: s.plugin.info.name.clone(),
                version: s.plugin.info.version.clone(),
                sdk_version: s.plugin.info.sdk_version.clone(),
                abi: format!("{}.{}", s.plugin.info.abi_major, s.plugin.info.abi_minor),
                abi_minor: s.plugin.info.abi_minor,
                reads: s.plugin.info.reads,
                writes: s.plugin.info.writes,
                path: s.plugin.path.clone(),
            })
            .collect()
    }

    /// Runs the document through every stage. Blocking: call from a worker thread.
    pub fn run(&self, doc: Document) -> ChainOutcome {
        let mut trace = Vec::with_capacity(self.stages.len());
        let mut current = doc;
        // Each field is encoded once and reused by every plugin that reads it, until changed.
        let mut encoded = fields::FieldCache::default();
        for stage in &self.stages {
            let entry = |status: &str, micros: u64| TraceEntry {
                plugin: stage.label.clone(),
                version: stage.plugin.info.version.clone(),
                status: status.to_owned(),
                micros,
            };
            let fail = |kind, code: &str, message: String, trace: Vec<TraceEntry>| ChainFailure {
                plugin: stage.label.clone(),
                kind,
                code: code.to_owned(),
                message,
                trace,
            };
            let invalid_output = |message, trace| {
                ChainOutcome::Failed(fail(
                    FailureKind::Protocol,
                    "invalid_output",
                    message,
                    trace,
                ))
            };
            if stage.disabled.load(Ordering::SeqCst) {
                trace.push(entry("disabled", 0));
                let msg = "plugin is disabled after repeated panics; fix it and reload".to_owned();
                return ChainOutcome::Failed(fail(FailureKind::Disabled, "disabled", msg, trace));
            }
            let started = Instant::now();
            // ABI 1.1 plugins get only the fields they read; 1.0 plugins the whole document.
            let input = match stage.plugin.info.encode_input(&current, &mut encoded) {
                Ok(input) => input,
                Err(e) => {
                    return ChainOutcome::Failed(ChainFailure {
                        plugin: "host".into(),
                        kind: FailureKind::Protocol,
                        code: "serialize".into(),
                        message: e.to_string(),
                        trace,
                    });
                }
            };
            let called = match stage.call(&input, self.max_output) {
                RunOutcome::Call(outcome) => Ok(outcome),
                RunOutcome::TimedOut(after) => Err((
                    FailureKind::Timeout,
                    "timeout",
                    format!(
                        "the plugin did not finish within {} ms; its process was killed and restarted",
                        after.as_millis()
                    ),
                )),
                RunOutcome::Crashed(how) => Err((
                    FailureKind::Crash,
                    "crash",
                    format!("{how}; the plugin process was restarted"),
                )),
            };
            let outcome = match called {
                Ok(outcome) => outcome,
                Err((kind, code, message)) => {
                    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
                    stage.after_panic(self.max_panics);
                    trace.push(entry(code, micros));
                    return ChainOutcome::Failed(fail(kind, code, message, trace));
                }
            };
            let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            let status = match &outcome {
                CallOutcome::Continue(_) | CallOutcome::Patch(_) => "ok",
                CallOutcome::Skip(_) => "skip",
                CallOutcome::Error(_) | CallOutcome::Protocol(_) => "error",
                CallOutcome::Panic(_) => "panic",
            };
            tracing::debug!(plugin = %stage.label, micros, status, "Plugin finished.");
            trace.push(entry(status, micros));
            match outcome {
                CallOutcome::Continue(bytes) => {
                    match accept_document(&stage.plugin.info, &current, &bytes) {
                        Ok(next) => {
                            current = next;
                            encoded.clear();
                        }
                        Err(message) => return invalid_output(message, trace),
                    }
                }
                CallOutcome::Patch(bytes) => {
                    match accept_patch(&stage.plugin.info, &mut current, &bytes) {
                        Ok(touched) => encoded.invalidate(touched),
                        Err(message) => return invalid_output(message, trace),
                    }
                }
                CallOutcome::Skip(reason) => {
                    return ChainOutcome::Skipped {
                        plugin: stage.label.clone(),
                        reason,
                        trace,
                    };
                }
                CallOutcome::Error(e) => {
                    let failure = fail(FailureKind::Error, &e.code, e.message, trace);
                    return if e.retryable {
                        ChainOutcome::Retry(failure)
                    } else {
                        ChainOutcome::Failed(failure)
                    };
                }
                CallOutcome::Panic(message) => {
                    stage.after_panic(self.max_panics);
                    let message = format!("plugin panicked: {message}");
                    return ChainOutcome::Failed(fail(FailureKind::Panic, "panic", message, trace));
                }
                CallOutcome::Protocol(message) => {
                    return ChainOutcome::Failed(fail(
                        FailureKind::Protocol,
                        "protocol",
                        message,
                        trace,
                    ));
                }
            }
        }
        current.trace.extend(trace);
        ChainOutcome::Done(Box::new(current))
    }
}

/// Checks a plugin's output: valid document JSON with the same id. The error text quotes at
/// most a bounded excerpt of the output. Public for the fuzz target (`fuzz/`).
pub fn validate_output(bytes: &[u8], expected_id: &str) -> Result<Document, String> {
    let doc: Document = serde_json::from_slice(bytes).map_err(|e| {
        // serde's message quotes the offending value whole: bound it too (found by fuzzing).
        let e = e.to_string();
        format!(
            "plugin returned invalid JSON ({}): {}",
            ingestd_sdk::text::bounded_lossy(e.as_bytes(), 200),
            ingestd_sdk::text::bounded_lossy(bytes, 200)
        )
    })?;
    if doc.id != expected_id {
        return Err(format!(
            "plugin changed the document id from {expected_id:?} to {:?}",
            ingestd_sdk::text::bounded_lossy(doc.id.as_bytes(), 80)
        ));
    }
    Ok(doc)
}

/// A whole document a plugin returned (ABI 1.0 style), checked: valid, same `id`, and no
/// field changed that the plugin does not declare it writes.
fn accept_document(
    info: &DeclarationInfo,
    current: &Document,
    bytes: &[u8],
) -> Result<Document, String> {
    let next = validate_output(bytes, &current.id)?;
    if info.writes != fields::ALL {
        let changed = fields::changed_fields(current, &next);
        info.check_writes(changed).map_err(|e| e.to_string())?;
    }
    Ok(next)
}

/// Applies a plugin's field patch to `current` after checking it, and returns the fields it
/// set. On error `current` may be partly patched; the document fails anyway.
fn accept_patch(
    info: &DeclarationInfo,
    current: &mut Document,
    bytes: &[u8],
) -> Result<u64, String> {
    let touched = fields::apply_patch(current, bytes).map_err(|e| e.to_string())?;
    info.check_writes(touched).map_err(|e| e.to_string())?;
    Ok(touched)
}

/// A chain label made safe as a folder name.
fn sanitize_label(label: &str) -> String {
    let clean: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() {
        "plugin".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_with_another_id_is_refused() {
        let doc = Document {
            id: "abc".into(),
            ..Document::default()
        };
        let bytes = serde_json::to_vec(&doc).unwrap();
        assert!(validate_output(&bytes, "abc").is_ok());
        let err = validate_output(&bytes, "xyz").unwrap_err();
        assert!(err.contains("changed the document id"), "{err}");
    }

    #[test]
    fn garbage_output_is_refused_with_a_bounded_excerpt() {
        let garbage = vec![b'x'; 10_000];
        let err = validate_output(&garbage, "abc").unwrap_err();
        assert!(
            err.contains("invalid JSON") && err.len() < 600,
            "{}",
            err.len()
        );
    }

    #[test]
    fn a_huge_string_where_a_document_belongs_gives_a_bounded_error() {
        // serde_json quotes the whole string in its message (fuzz/regressions/plugin_output).
        let output = serde_json::to_vec(&"W".repeat(1_000_000)).unwrap();
        let err = validate_output(&output, "abc").unwrap_err();
        assert!(err.len() < 1024, "{} bytes", err.len());
    }

    /// What the host knows of a plugin that declares it writes only `writes`.
    fn declares_writes(writes: u64) -> DeclarationInfo {
        DeclarationInfo {
            name: "p".into(),
            version: "0.0.0".into(),
            sdk_version: ingestd_sdk::SDK_VERSION.into(),
            abi_major: 1,
            abi_minor: 2,
            struct_size: 0,
            reads: fields::ALL,
            writes,
        }
    }

    #[test]
    fn output_that_changes_fields_the_plugin_does_not_write_is_refused() {
        let info = declares_writes(fields::SUMMARY);
        let doc = Document {
            id: "abc".into(),
            title: Some("T".into()),
            ..Document::default()
        };
        let mut patched = doc.clone();
        assert_eq!(
            accept_patch(&info, &mut patched, br#"{"summary":"s"}"#),
            Ok(fields::SUMMARY)
        );
        let err = accept_patch(&info, &mut patched, br#"{"summary":"s","title":null}"#);
        assert!(err.unwrap_err().contains("changed title"));

        let mut whole = doc.clone();
        whole.summary = Some("s".into());
        let bytes = serde_json::to_vec(&whole).unwrap();
        assert_eq!(accept_document(&info, &doc, &bytes), Ok(whole.clone()));
        whole.title = None;
        let bytes = serde_json::to_vec(&whole).unwrap();
        let err = accept_document(&info, &doc, &bytes).unwrap_err();
        assert!(err.contains("changed title"), "{err}");
        let any = declares_writes(fields::ALL);
        assert_eq!(accept_document(&any, &doc, &bytes), Ok(whole));
    }

    #[test]
    fn labels_become_safe_folder_names() {
        assert_eq!(sanitize_label("outlet/../x y"), "outlet____x_y");
        assert_eq!(sanitize_label(""), "plugin");
    }
}
