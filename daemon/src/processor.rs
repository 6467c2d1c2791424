//! Processing one claimed file from start to finish: read, decode, run the chain, write the
//! outbox, and move the source to its terminal place.
//!
//! The order is what makes a crash harmless: the outbox file is durable before the source
//! leaves `.processing/`, and a failure report is durable before the source enters `failed/`.
//! Errors writing the daemon's own folders (outbox read-only, disk full) are not the
//! article's fault: the file stays claimed and is retried with backoff, and the problem is
//! logged once when it starts and once when it clears.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::fsutil;
use crate::inbox::claim::claimed_name;
use crate::ops::Stats;
use crate::outbox::{Outbox, Serialized, Written};
use crate::plugin_host::{Chain, ChainFailure, ChainOutcome};
use crate::records::{
    FailureClass, FailureReport, SkipLog, SkipRecord, display_name, log_safe, move_to_failed,
    now_rfc3339,
};
use crate::settings::{Settings, SourceAction};
use crate::source::{SourceError, document_from, read_source};

/// What happened to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    /// The document is in the outbox; the source was archived or deleted.
    Written {
        /// Document id.
        id: String,
    },
    /// A plugin skipped it; recorded, source archived or deleted.
    Skipped {
        /// Document id.
        id: String,
    },
    /// The source is in `failed/` with a report.
    Failed,
    /// Not finished: try again after this delay (the file stays claimed).
    Retry {
        /// How long to wait.
        after: Duration,
    },
}

/// A claimed file after the CPU part of processing, waiting for the disk part.
#[derive(Debug)]
pub struct Staged {
    claimed: PathBuf,
    name: OsString,
    attempt: u32,
    /// The file's log span, entered again by the disk part.
    span: tracing::Span,
    result: CpuResult,
}

/// A file after its disk part.
#[derive(Debug)]
pub struct Finished {
    /// Where the file was claimed (still there if `outcome` is a retry).
    pub claimed: PathBuf,
    /// The attempt that just ended (from 1).
    pub attempt: u32,
    /// What happened to it.
    pub outcome: FileOutcome,
}

/// What the CPU part ended with.
#[derive(Debug)]
enum CpuResult {
    /// The file could not be read; retried later.
    Unreadable(std::io::Error),
    /// The file is not a text article.
    BadInput {
        error: SourceError,
        size: Option<u64>,
    },
    /// The chain gave a document, serialized for the outbox.
    Document(std::io::Result<Serialized>),
    /// The chain gave no document (skipped, failed, retry).
    Chain {
        outcome: ChainOutcome,
        id: String,
        size: u64,
    },
}

/// Logs a fault of the daemon's own folders once when it starts and once when it clears,
/// instead of once per file per retry.
#[derive(Debug, Default)]
pub struct FaultLatch {
    active: AtomicBool,
}

impl FaultLatch {
    fn fault(&self, what: &str, error: &std::io::Error) {
        if !self.active.swap(true, Ordering::SeqCst) {
            tracing::error!(
                error = %error,
                "Cannot {what}; files wait in .processing and are retried with backoff until it is fixed."
            );
        }
    }

    fn clear(&self) {
        if self.active.swap(false, Ordering::SeqCst) {
            tracing::info!("Writing works again; waiting files resume.");
        }
    }

    /// True while a fault is active.
    pub fn is_active(&self) -> bool {
        self.active.load(Ordering::SeqCst)
    }
}

/// Processes claimed files. Shared by all workers.
#[derive(Debug)]
pub struct Processor {
    settings: Arc<Settings>,
    outbox: Outbox,
    skip_log: SkipLog,
    faults: Arc<FaultLatch>,
    stats: Arc<Stats>,
}

/// Backoff for attempt `n` (1-based): 1 s, 2 s, 4 s, ... capped at 60 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(1u64 << attempt.saturating_sub(1).min(6)).min(Duration::from_secs(60))
}

impl Processor {
    /// A processor for these settings.
    pub fn new(settings: Arc<Settings>) -> Self {
        let skip_log = SkipLog::new(&settings.paths.state);
        Processor {
            outbox: Outbox::new(
                &settings.paths.outbox,
                settings.processing.fsync,
                settings.processing.sync_scope,
            ),
            settings,
            skip_log,
            faults: Arc::default(),
            stats: Arc::default(),
        }
    }

    /// Counts outcomes and plugin timings into `stats` (the daemon's shared counters).
    pub fn with_stats(mut self, stats: Arc<Stats>) -> Self {
        self.stats = stats;
        self
    }

    /// Shares an existing fault latch (a reload keeps the running one, so a fault that
    /// outlives the reload is neither logged twice nor left without its "works again").
    pub fn with_faults(mut self, faults: Arc<FaultLatch>) -> Self {
        self.faults = faults;
        self
    }

    /// The fault latch (for health reporting).
    pub fn faults(&self) -> &Arc<FaultLatch> {
        &self.faults
    }

    /// The CPU part of processing a claimed file (read, decode, the plugin chain); `attempt`
    /// counts from 1. Runs on a CPU thread of the [`crate::pipeline`];
    /// [`Processor::finish_all`] does the rest on a disk thread.
    pub fn prepare(&self, chain: &Chain, claimed: PathBuf, attempt: u32) -> Staged {
        let name = claimed_name(&claimed);
        let span =
            tracing::info_span!("file", name = %display_name(&name), id = tracing::field::Empty);
        let result = span.in_scope(|| self.run_cpu(chain, &claimed, attempt));
        Staged {
            claimed,
            name,
            attempt,
            span,
            result,
        }
    }

    fn run_cpu(&self, chain: &Chain, claimed: &Path, attempt: u32) -> CpuResult {
        let limits = &self.settings.processing;
        let source = match read_source(claimed, limits.max_file_bytes) {
            Ok(source) => source,
            Err(SourceError::Io(e)) if attempt <= limits.max_retries => {
                return CpuResult::Unreadable(e);
            }
            Err(error) => return CpuResult::BadInput { error, size: None },
        };
        let size = source.bytes.len() as u64;
        let name = claimed_name(claimed);
        let doc = match document_from(&name.to_string_lossy(), &source) {
            Ok(doc) => doc,
            Err(error) => {
                return CpuResult::BadInput {
                    error,
                    size: Some(size),
                };
            }
        };
        drop(source);
        tracing::Span::current().record("id", doc.id.as_str());
        let id = doc.id.clone();
        let outcome = chain.run(doc);
        self.stats.observe_chain(&outcome);
        match outcome {
            ChainOutcome::Done(mut doc) => {
                if !self.settings.processing.keep_raw {
                    doc.raw = None;
                }
                CpuResult::Document(Serialized::new(&doc))
            }
            outcome => CpuResult::Chain { outcome, id, size },
        }
    }

    /// The disk part of a batch of files: writes their documents (sharing the flushes), skip
    /// records and failure reports, and moves each source to its terminal place. One
    /// [`Finished`] per file.
    pub fn finish_all(&self, batch: Vec<Staged>) -> Vec<Finished> {
        let mut finished = Vec::with_capacity(batch.len());
        let mut documents = Vec::new();
        let mut files = Vec::new();
        for staged in batch {
            let Staged {
                claimed,
                name,
                attempt,
                span,
                result,
            } = staged;
            match result {
                CpuResult::Document(Ok(document)) => {
                    documents.push(document);
                    files.push((claimed, name, attempt, span));
                }
                result => {
                    let outcome =
                        span.in_scope(|| self.finish_other(&claimed, &name, attempt, result));
                    finished.push(Finished {
                        claimed,
                        attempt,
                        outcome,
                    });
                }
            }
        }
        let written = self.outbox.write_all(&documents);
        for (((claimed, name, attempt, span), document), written) in
            files.into_iter().zip(documents).zip(written)
        {
            let outcome =
                span.in_scope(|| self.finish_written(&claimed, &name, document, attempt, written));
            finished.push(Finished {
                claimed,
                attempt,
                outcome,
            });
        }
        finished
    }

    /// The disk part of a file outside a batch of documents (no document, or one that could
    /// not be serialized).
    fn finish_other(
        &self,
        claimed: &Path,
        name: &OsStr,
        attempt: u32,
        result: CpuResult,
    ) -> FileOutcome {
        let limits = &self.settings.processing;
        let (outcome, id, size) = match result {
            CpuResult::Unreadable(e) => {
                tracing::warn!(error = %e, attempt, "Cannot read the file; will retry.");
                return FileOutcome::Retry {
                    after: backoff(attempt),
                };
            }
            CpuResult::BadInput { error, size } => {
                return self.fail_input(claimed, name, &error, size, attempt);
            }
            CpuResult::Document(document) => {
                return self.write_one(claimed, name, document, attempt);
            }
            CpuResult::Chain { outcome, id, size } => (outcome, id, size),
        };
        match outcome {
            ChainOutcome::Done(doc) => {
                self.write_one(claimed, name, Serialized::new(&doc), attempt)
            }
            ChainOutcome::Skipped { plugin, reason, .. } => {
                self.finish_skipped(claimed, name, &id, &plugin, &reason, attempt)
            }
            ChainOutcome::Failed(failure) => {
                self.fail_plugin(claimed, name, failure, Some(size), attempt)
            }
            ChainOutcome::Retry(failure) if attempt <= limits.max_retries => {
                tracing::warn!(
                    plugin = %failure.plugin, error = %log_safe(&failure.message), attempt,
                    "Plugin asked to retry later."
                );
                FileOutcome::Retry {
                    after: backoff(attempt),
                }
            }
            ChainOutcome::Retry(mut failure) => {
                failure.message = format!("{} (gave up after {attempt} attempts)", failure.message);
                self.fail_plugin(claimed, name, failure, Some(size), attempt)
            }
        }
    }

    /// Writes one document on its own (outside a batch) and finishes its file.
    fn write_one(
        &self,
        claimed: &Path,
        name: &OsStr,
        document: std::io::Result<Serialized>,
        attempt: u32,
    ) -> FileOutcome {
        let document = match document {
            Ok(document) => document,
            Err(e) => return self.outbox_fault(&e, attempt),
        };
        let written = self.outbox.write_all(std::slice::from_ref(&document)).pop();
        let written =
            written.unwrap_or_else(|| Err(std::io::Error::other("no result for the document")));
        self.finish_written(claimed, name, document, attempt, written)
    }

    /// The outbox cannot be written: not the article's fault; retried with backoff.
    fn outbox_fault(&self, error: &std::io::Error, attempt: u32) -> FileOutcome {
        self.faults.fault("write to the outbox", error);
        FileOutcome::Retry {
            after: backoff(attempt),
        }
    }

    fn finish_written(
        &self,
        claimed: &Path,
        name: &OsStr,
        document: Serialized,
        attempt: u32,
        written: std::io::Result<Written>,
    ) -> FileOutcome {
        match written {
            Ok(written) => {
                self.faults.clear();
                let (path, replay) = match written {
                    Written::New(path) => (path, false),
                    Written::Unchanged(path) => (path, true),
                };
                if let Some(retry) =
                    self.dispose(claimed, name, self.settings.processing.on_success, attempt)
                {
                    return retry;
                }
                tracing::info!(
                    output = %path.display(), replay, title = document.title.as_deref().unwrap_or(""),
                    "Document written."
                );
                self.stats.written();
                FileOutcome::Written { id: document.id }
            }
            Err(e) => self.outbox_fault(&e, attempt),
        }
    }

    fn finish_skipped(
        &self,
        claimed: &Path,
        name: &OsStr,
        id: &str,
        plugin: &str,
        reason: &str,
        attempt: u32,
    ) -> FileOutcome {
        let action = self.settings.processing.on_skip;
        let archived = match action {
            SourceAction::Archive => Some(self.settings.paths.archive.join(name)),
            SourceAction::Delete => None,
        };
        let record = SkipRecord {
            time: now_rfc3339(),
            file: name.to_string_lossy().into_owned(),
            id,
            plugin,
            reason,
            source_now: archived.map(|p| p.display().to_string()),
        };
        if let Err(e) = self.skip_log.append(&record) {
            self.faults
                .fault("record a skipped document in the state folder", &e);
            return FileOutcome::Retry {
                after: backoff(attempt),
            };
        }
        if let Some(retry) = self.dispose(claimed, name, action, attempt) {
            return retry;
        }
        tracing::info!(plugin, reason, "Document skipped.");
        self.stats.skipped();
        FileOutcome::Skipped { id: id.to_owned() }
    }

    /// Archives or deletes the source; `Some(retry)` if that failed.
    fn dispose(
        &self,
        claimed: &Path,
        name: &OsStr,
        action: SourceAction,
        attempt: u32,
    ) -> Option<FileOutcome> {
        // No fsync here, on purpose: the document (or skip record) is already durable, and if
        // a crash loses this rename the source is simply back in `.processing/`, replayed, and
        // its outbox write is an idempotent no-op. Two fsyncs per file saved (see README).
        let result = match action {
            SourceAction::Archive => {
                fsutil::move_into(claimed, &self.settings.paths.archive, name, false).map(|_| ())
            }
            SourceAction::Delete => std::fs::remove_file(claimed),
        };
        match result {
            Ok(()) => None,
            Err(e) => {
                self.faults.fault("move the source out of .processing", &e);
                Some(FileOutcome::Retry {
                    after: backoff(attempt),
                })
            }
        }
    }

    fn fail_input(
        &self,
        claimed: &Path,
        name: &OsStr,
        error: &SourceError,
        size: Option<u64>,
        attempt: u32,
    ) -> FileOutcome {
        let mut report = FailureReport::new(
            name,
            &error.to_string(),
            error.code(),
            FailureClass::BadInput,
        );
        report.size = match error {
            SourceError::TooLarge { size, .. } => Some(*size),
            _ => size,
        };
        report.attempts = attempt;
        self.to_failed(claimed, name, &report, attempt)
    }

    fn fail_plugin(
        &self,
        claimed: &Path,
        name: &OsStr,
        failure: ChainFailure,
        size: Option<u64>,
        attempt: u32,
    ) -> FileOutcome {
        let class = if failure.plugin == "host" {
            FailureClass::Internal
        } else {
            FailureClass::Plugin
        };
        let error = format!(
            "plugin {} failed ({}): {}",
            failure.plugin,
            failure.kind.as_str(),
            failure.message
        );
        let mut report = FailureReport::new(name, &error, &failure.code, class);
        report.plugin = Some(failure.plugin);
        report.trace = failure.trace;
        report.size = size;
        report.attempts = attempt;
        self.to_failed(claimed, name, &report, attempt)
    }

    fn to_failed(
        &self,
        claimed: &Path,
        name: &OsStr,
        report: &FailureReport,
        attempt: u32,
    ) -> FileOutcome {
        let fsync = self.settings.processing.fsync;
        match move_to_failed(claimed, &self.settings.paths.failed, name, report, fsync) {
            Ok(path) => {
                self.faults.clear();
                tracing::warn!(
                    code = %report.code, class = ?report.class, plugin = report.plugin.as_deref().unwrap_or("-"),
                    failed = %display_name(path.as_os_str()), "File failed: {}", log_safe(&report.error)
                );
                self.stats
                    .failed(name, report.plugin.as_deref(), &report.error);
                FileOutcome::Failed
            }
            Err(e) => {
                self.faults
                    .fault("move a failed file into the failed folder", &e);
                FileOutcome::Retry {
                    after: backoff(attempt),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(2), Duration::from_secs(2));
        assert_eq!(backoff(4), Duration::from_secs(8));
        assert_eq!(backoff(50), Duration::from_secs(60));
    }

    #[test]
    fn a_reloaded_processor_keeps_an_active_fault() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings =
            crate::settings::load(None, &crate::settings::Overrides::default()).unwrap();
        settings.paths.outbox = dir.path().join("outbox");
        settings.paths.state = dir.path().join("state");
        let settings = Arc::new(settings);
        let running = Processor::new(Arc::clone(&settings));
        running
            .faults()
            .fault("write to the outbox", &std::io::Error::other("disk full"));
        let reloaded =
            Processor::new(Arc::clone(&settings)).with_faults(Arc::clone(running.faults()));
        assert!(reloaded.faults().is_active());
        reloaded.faults().clear();
        assert!(!running.faults().is_active());
    }
}
