//! A compliance harness every plugin crate runs: a mock host that drives the plugin through
//! the real C ABI (in-process) and checks the contract.
//!
//! ```ignore
//! #[test]
//! fn compliance() {
//!     ingestd_sdk::testing::assert_plugin_compliance(
//!         crate::ingestd_plugin_v1,
//!         &ingestd_sdk::testing::ComplianceCase::new(r#"{}"#)
//!             .with_text("sample.txt", "Title\n\nSome article text."),
//!     );
//! }
//! ```

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::abi::DeclarationFn;
use crate::client::{CallOutcome, CreateError, Instance, LogFn, ValidDeclaration};
use crate::document::Document;
use crate::plugin::{Level, Plugin, PluginError};

/// The inputs of a compliance run.
#[derive(Debug, Clone)]
pub struct ComplianceCase {
    /// Configuration JSON the plugin must accept.
    pub config_json: String,
    /// Documents to process; each must come back as continue or skip.
    pub documents: Vec<Document>,
    /// State directory handed to the instance (a fresh temp dir when `None`).
    pub state_dir: Option<PathBuf>,
}

impl ComplianceCase {
    /// A case with a configuration and no documents yet.
    pub fn new(config_json: &str) -> Self {
        ComplianceCase {
            config_json: config_json.to_owned(),
            documents: Vec::new(),
            state_dir: None,
        }
    }

    /// Adds a document built from text the way the host builds it.
    pub fn with_text(mut self, name: &str, text: &str) -> Self {
        self.documents.push(sample_document(name, text));
        self
    }

    /// Adds an already-built document (e.g. the output of cleanup, for later plugins).
    pub fn with_document(mut self, doc: Document) -> Self {
        self.documents.push(doc);
        self
    }
}

/// Builds the document the host would send for a file with this text.
pub fn sample_document(name: &str, text: &str) -> Document {
    Document::from_source(name, text.as_bytes(), "2024-01-01T00:00:00Z")
        .unwrap_or_else(|e| panic!("sample {name} does not decode: {e}"))
}

/// Log lines a [`MockHost`] collected.
pub type CapturedLogs = Arc<Mutex<Vec<(Level, String)>>>;

/// A host for tests: validates the declaration and creates instances that log into memory.
#[derive(Debug)]
pub struct MockHost {
    declaration: ValidDeclaration,
    /// Name, version and ABI facts from the declaration.
    pub info: crate::client::DeclarationInfo,
    /// Everything instances logged.
    pub logs: CapturedLogs,
}

impl MockHost {
    /// Reads and validates the plugin's declaration; panics with the reason if it is invalid.
    pub fn load(declaration_fn: DeclarationFn) -> MockHost {
        // SAFETY: the declaration function comes from a crate using `export_plugin!`.
        let (declaration, info) = unsafe { ValidDeclaration::new(declaration_fn()) }
            .unwrap_or_else(|e| panic!("invalid plugin declaration: {e}"));
        MockHost {
            declaration,
            info,
            logs: CapturedLogs::default(),
        }
    }

    /// Creates an instance through the C ABI.
    pub fn create(
        &self,
        config_json: &str,
        state_dir: Option<&std::path::Path>,
    ) -> Result<Instance, CreateError> {
        let logs = Arc::clone(&self.logs);
        let log: LogFn = Arc::new(move |level, line| {
            if let Ok(mut logs) = logs.lock() {
                logs.push((level, line.to_owned()));
            }
        });
        Instance::create(self.declaration, config_json.as_bytes(), log, state_dir)
    }

    /// Sends a document through `process` as the daemon does (only the fields the plugin
    /// reads) and returns the outcome; a continued document comes back whole (a field patch
    /// is applied to `doc`, as the daemon does).
    pub fn process(&self, instance: &Instance, doc: &Document) -> Processed {
        let json = self
            .info
            .encode_input(doc, &mut crate::fields::FieldCache::default())
            .unwrap_or_else(|e| panic!("serialize: {e}"));
        match instance.process(&json, MAX_TEST_OUTPUT) {
            CallOutcome::Continue(bytes) => match serde_json::from_slice::<Document>(&bytes) {
                Ok(doc) => Processed::Continue(Box::new(doc)),
                Err(e) => panic!("plugin returned invalid JSON: {e}"),
            },
            CallOutcome::Patch(bytes) => {
                let mut patched = doc.clone();
                match crate::fields::apply_patch(&mut patched, &bytes) {
                    Ok(touched) => match self.info.check_writes(touched) {
                        Ok(()) => Processed::Continue(Box::new(patched)),
                        Err(e) => panic!("{e}"),
                    },
                    Err(e) => panic!("{e}"),
                }
            }
            other => Processed::Other(other),
        }
    }
}

/// Outcome of [`MockHost::process`].
#[derive(Debug)]
pub enum Processed {
    /// The plugin returned this document.
    Continue(Box<Document>),
    /// Skip, error, panic or protocol violation.
    Other(CallOutcome),
}

const MAX_TEST_OUTPUT: usize = 64 * 1024 * 1024;

/// A unique temporary directory for a plugin's state, under the system temp dir.
fn temp_state_dir(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "ingestd-compliance-{name}-{}-{n}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

/// The temporary state folders the harness made; removed when it returns or panics.
#[derive(Debug, Default)]
struct TempDirs(std::cell::RefCell<Vec<PathBuf>>);

impl TempDirs {
    fn make(&self, name: &str) -> PathBuf {
        let dir = temp_state_dir(name);
        self.0.borrow_mut().push(dir.clone());
        dir
    }
}

impl Drop for TempDirs {
    fn drop(&mut self) {
        for dir in self.0.get_mut().drain(..) {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Checks that a plugin honours the ingestd plugin contract:
///
/// 1. its declaration is valid (magic, ABI version, `panic = "unwind"`, UTF-8 name/version);
/// 2. it starts with the given configuration, and refuses an unknown configuration key and
///    malformed configuration JSON with an error (not a panic);
/// 3. every sample document comes back as continue (valid JSON, same `id`, unknown fields
///    preserved) or skip, and output is deterministic for a fresh instance;
/// 4. garbage input is an error, not a panic, and an empty document does not panic;
/// 5. the instance works from several threads at once and is destroyed cleanly.
pub fn assert_plugin_compliance(declaration_fn: DeclarationFn, case: &ComplianceCase) {
    let host = MockHost::load(declaration_fn);
    assert!(!host.info.name.is_empty(), "plugin name is empty");
    assert!(!host.info.version.is_empty(), "plugin version is empty");

    // Declared before any instance, so it is dropped (and the folders removed) after them.
    let temp_dirs = TempDirs::default();
    let fresh_dir = || {
        case.state_dir
            .clone()
            .unwrap_or_else(|| temp_dirs.make(&host.info.name))
    };
    let create = |dir: &std::path::Path| {
        host.create(&case.config_json, Some(dir))
            .unwrap_or_else(|e| panic!("{} refused its configuration: {e}", host.info.name))
    };

    // 2. Configuration handling.
    let probe_dir = fresh_dir();
    match host.create(r#"{"no_such_option_x": 1}"#, Some(&probe_dir)) {
        Err(CreateError::Refused(e)) => assert!(
            e.message.contains("no_such_option_x"),
            "unknown-key error should name the key: {e}"
        ),
        Err(e) => panic!("unknown config key: expected a refusal, got {e}"),
        Ok(_) => panic!("an unknown config key was accepted (use #[serde(deny_unknown_fields)])"),
    }
    assert!(
        matches!(
            host.create("{not json", Some(&probe_dir)),
            Err(CreateError::Refused(_))
        ),
        "malformed config JSON must be refused with an error"
    );

    // 3. Sample documents, twice on fresh instances: same results both times.
    let run_all = || {
        let dir = fresh_dir();
        let instance = create(&dir);
        let results: Vec<String> = case
            .documents
            .iter()
            .map(|doc| {
                let mut probe = doc.clone();
                probe.extra.insert(
                    "x_compliance_probe".into(),
                    serde_json::json!({"kept": true}),
                );
                match host.process(&instance, &probe) {
                    Processed::Continue(out) => {
                        assert_eq!(out.id, doc.id, "plugin changed the document id");
                        assert_eq!(
                            out.extra.get("x_compliance_probe"),
                            probe.extra.get("x_compliance_probe"),
                            "plugin dropped an unknown field"
                        );
                        let mut out = *out;
                        out.trace.clear();
                        serde_json::to_string(&out).unwrap_or_default()
                    }
                    Processed::Other(CallOutcome::Skip(reason)) => format!("skip: {reason}"),
                    Processed::Other(other) => {
                        panic!(
                            "{}: sample {} failed: {other:?}",
                            host.info.name, doc.source.name
                        )
                    }
                }
            })
            .collect();
        (instance, results)
    };
    let (instance, first) = run_all();
    let (_, second) = run_all();
    assert_eq!(first, second, "output differs between two fresh instances");

    // 4. Garbage and empty input.
    for garbage in [
        &b"not json"[..],
        b"",
        b"{\"id\": 5}",
        b"\xff\xfe\x00",
        b"\xb1\xff\xff\xff\xff",
        b"\xb1\x01\x00\x00\x00x\x0e\x09",
    ] {
        match instance.process(garbage, MAX_TEST_OUTPUT) {
            CallOutcome::Error(_) => {}
            other => panic!("garbage input {garbage:?}: expected an error, got {other:?}"),
        }
    }
    if let Processed::Other(CallOutcome::Panic(msg)) = host.process(&instance, &Document::default())
    {
        panic!("an empty document made the plugin panic: {msg}");
    }

    // 5. Concurrency: several threads on one instance.
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for doc in &case.documents {
                    if let Processed::Other(CallOutcome::Panic(msg)) = host.process(&instance, doc)
                    {
                        panic!("panic under concurrency: {msg}");
                    }
                }
            });
        }
    });
    drop(instance);
}

/// The files of a folder in name order, each as (file name, bytes): the input of the corpus
/// examples that time a plugin and print its output for comparison between builds.
pub fn read_corpus(dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let bytes = std::fs::read(&path)?;
        let name = path.file_name().map_or_else(
            || "article".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        files.push((name, bytes));
    }
    Ok(files)
}

/// Runs `plugin` over every document, `rounds` passes (at least one), and returns the best
/// pass's wall time per document in microseconds. The documents keep the last pass's output.
pub fn best_pass_us<P: Plugin>(
    plugin: &P,
    docs: &mut [Document],
    rounds: u32,
) -> Result<f64, PluginError> {
    let mut best = f64::INFINITY;
    for _ in 0..rounds.max(1) {
        let start = Instant::now();
        for doc in docs.iter_mut() {
            plugin.process(doc)?;
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    Ok(best * 1e6 / docs.len().max(1) as f64)
}
