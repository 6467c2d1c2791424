//! Live counters of the running daemon, kept once and read three ways: the Prometheus
//! metrics endpoint, the status file (`ingestd status`) and systemd's `STATUS=` line.
//!
//! State it owns: the metric registry (counters, gauges, per-plugin latency histograms), the
//! readiness flag, the current chain labels and the last few failures with their file names.

use std::collections::VecDeque;
use std::ffi::OsStr;
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use ingestd_sdk::TraceEntry;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use serde::{Deserialize, Serialize};

use crate::plugin_host::ChainOutcome;
use crate::records::{display_name, now_rfc3339};

/// How many recent failures are kept for `ingestd status`.
pub const LAST_ERRORS: usize = 10;

/// A recent failure, as shown by `ingestd status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastError {
    /// When it failed (RFC 3339).
    pub time: String,
    /// The file name, as it entered the inbox.
    pub file: String,
    /// The plugin that failed, if any.
    pub plugin: Option<String>,
    /// What went wrong (first line of the error report).
    pub error: String,
}

/// Counts at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Files taken from the inbox (claimed or recovered).
    pub seen: u64,
    /// Documents written to the outbox.
    pub processed: u64,
    /// Files moved to `failed/`.
    pub failed: u64,
    /// Documents a plugin skipped (e.g. exact duplicates).
    pub skipped: u64,
    /// Ready files waiting for a worker.
    pub queue: u64,
    /// Files a worker is processing now.
    pub in_flight: u64,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PluginLabel {
    plugin: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    result: &'static str,
}

type QueueProbe = Box<dyn Fn() -> usize + Send + Sync>;

/// The daemon's live counters. Cheap to update from any worker thread.
pub struct Stats {
    registry: Registry,
    seen: Counter,
    processed: Counter,
    failed: Counter,
    skipped: Counter,
    reloads: Family<ResultLabel, Counter>,
    queue: Gauge,
    in_flight: Gauge,
    /// 1 once start-up is complete and until shutdown begins (`/healthz` reads it too).
    ready: Gauge,
    last_success: Gauge<f64, AtomicU64>,
    latency: Family<PluginLabel, Histogram>,
    started: SystemTime,
    last_errors: Mutex<VecDeque<LastError>>,
    chain: Mutex<Vec<String>>,
    queue_probe: OnceLock<QueueProbe>,
}

impl std::fmt::Debug for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stats")
            .field("counts", &self.counts())
            .field("ready", &self.is_ready())
            .finish_non_exhaustive()
    }
}

impl Default for Stats {
    fn default() -> Self {
        Stats::new()
    }
}

impl Stats {
    /// Fresh counters, registered under the `ingestd_` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("ingestd");
        let stats = Stats {
            seen: Counter::default(),
            processed: Counter::default(),
            failed: Counter::default(),
            skipped: Counter::default(),
            reloads: Family::default(),
            queue: Gauge::default(),
            in_flight: Gauge::default(),
            ready: Gauge::default(),
            last_success: Gauge::default(),
            // 100 µs .. ~100 s, factor 4: enough resolution for cheap and slow plugins.
            latency: Family::new_with_constructor(|| {
                Histogram::new(exponential_buckets(0.0001, 4.0, 11))
            }),
            started: SystemTime::now(),
            last_errors: Mutex::new(VecDeque::with_capacity(LAST_ERRORS)),
            chain: Mutex::new(Vec::new()),
            queue_probe: OnceLock::new(),
            registry: Registry::default(),
        };
        registry.register(
            "files_seen",
            "Files taken from the inbox",
            stats.seen.clone(),
        );
        registry.register(
            "files_processed",
            "Documents written to the outbox",
            stats.processed.clone(),
        );
        registry.register(
            "files_failed",
            "Files moved to the failed folder",
            stats.failed.clone(),
        );
        registry.register(
            "files_skipped",
            "Documents skipped by a plugin (e.g. duplicates)",
            stats.skipped.clone(),
        );
        registry.register(
            "reloads",
            "Configuration reloads by result (ok, refused)",
            stats.reloads.clone(),
        );
        registry.register(
            "queue_depth",
            "Ready files waiting for a worker",
            stats.queue.clone(),
        );
        registry.register(
            "in_flight",
            "Files being processed now",
            stats.in_flight.clone(),
        );
        registry.register("ready", "1 once start-up is complete", stats.ready.clone());
        registry.register(
            "last_success_timestamp_seconds",
            "Unix time of the last document written",
            stats.last_success.clone(),
        );
        registry.register(
            "plugin_duration_seconds",
            "Time per plugin call",
            stats.latency.clone(),
        );
        Stats { registry, ..stats }
    }

    /// Tells the counters how to read the queue depth (the daemon's work channel).
    pub fn set_queue_probe(&self, probe: impl Fn() -> usize + Send + Sync + 'static) {
        let _ = self.queue_probe.set(Box::new(probe));
    }

    /// A file was taken from the inbox.
    pub fn file_seen(&self) {
        self.seen.inc();
    }

    /// A worker started (`true`) or finished (`false`) a file.
    pub fn in_flight(&self, started: bool) {
        if started {
            self.in_flight.inc();
        } else {
            self.in_flight.dec();
        }
    }

    /// A document was written to the outbox.
    pub fn written(&self) {
        self.processed.inc();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        self.last_success.set(now);
    }

    /// A plugin skipped a document.
    pub fn skipped(&self) {
        self.skipped.inc();
    }

    /// A file went to `failed/`.
    pub fn failed(&self, file: &OsStr, plugin: Option<&str>, error: &str) {
        self.failed.inc();
        let entry = LastError {
            time: now_rfc3339(),
            file: display_name(file),
            plugin: plugin.map(str::to_owned),
            error: error
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(300)
                .collect(),
        };
        let mut last = self.last_errors.lock().unwrap_or_else(|p| p.into_inner());
        if last.len() == LAST_ERRORS {
            last.pop_front();
        }
        last.push_back(entry);
    }

    /// Records each plugin's time from a chain run.
    pub fn observe_chain(&self, outcome: &ChainOutcome) {
        let trace: &[TraceEntry] = match outcome {
            ChainOutcome::Done(doc) => &doc.trace,
            ChainOutcome::Skipped { trace, .. } => trace,
            ChainOutcome::Failed(f) | ChainOutcome::Retry(f) => &f.trace,
        };
        for entry in trace {
            let label = PluginLabel {
                plugin: entry.plugin.clone(),
            };
            self.latency
                .get_or_create(&label)
                .observe(entry.micros as f64 / 1e6);
        }
    }

    /// A reload finished: applied (`true`) or refused.
    pub fn reloaded(&self, ok: bool) {
        let result = if ok { "ok" } else { "refused" };
        self.reloads.get_or_create(&ResultLabel { result }).inc();
    }

    /// Marks start-up complete (or, with `false`, the daemon stopping).
    pub fn set_ready(&self, ready: bool) {
        self.ready.set(i64::from(ready));
    }

    /// True once start-up is complete and until shutdown begins.
    pub fn is_ready(&self) -> bool {
        self.ready.get() != 0
    }

    /// The labels of the running chain.
    pub fn set_chain(&self, labels: Vec<String>) {
        *self.chain.lock().unwrap_or_else(|p| p.into_inner()) = labels;
    }

    /// The labels of the running chain.
    pub fn chain(&self) -> Vec<String> {
        self.chain.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// When the daemon started.
    pub fn started(&self) -> SystemTime {
        self.started
    }

    /// The most recent failures, oldest first.
    pub fn last_errors(&self) -> Vec<LastError> {
        let last = self.last_errors.lock().unwrap_or_else(|p| p.into_inner());
        last.iter().cloned().collect()
    }

    /// Unix time of the last document written, if any.
    pub fn last_success(&self) -> Option<SystemTime> {
        let secs = self.last_success.get();
        (secs > 0.0).then(|| UNIX_EPOCH + std::time::Duration::from_secs_f64(secs))
    }

    /// The counts now (refreshes the queue depth).
    pub fn counts(&self) -> Counts {
        if let Some(probe) = self.queue_probe.get() {
            self.queue.set(i64::try_from(probe()).unwrap_or(i64::MAX));
        }
        let non_negative = |v: i64| u64::try_from(v).unwrap_or(0);
        Counts {
            seen: self.seen.get(),
            processed: self.processed.get(),
            failed: self.failed.get(),
            skipped: self.skipped.get(),
            queue: non_negative(self.queue.get()),
            in_flight: non_negative(self.in_flight.get()),
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        self.counts();
        let mut text = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            tracing::warn!(error = %e, "Cannot encode the metrics.");
        }
        text
    }

    /// One line for systemd's `STATUS=`.
    pub fn status_line(&self) -> String {
        let c = self.counts();
        format!(
            "Processed {}, failed {}, skipped {}; queue {}, in flight {}.",
            c.processed, c.failed, c.skipped, c.queue, c.in_flight
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_metrics_agree() {
        let stats = Stats::new();
        stats.file_seen();
        stats.file_seen();
        stats.written();
        stats.failed(
            OsStr::new("bad.txt"),
            Some("cleanup"),
            "plugin failed\nmore",
        );
        stats.in_flight(true);
        stats.set_queue_probe(|| 7);
        let c = stats.counts();
        assert_eq!(
            (c.seen, c.processed, c.failed, c.queue, c.in_flight),
            (2, 1, 1, 7, 1)
        );
        let text = stats.render();
        assert!(text.contains("ingestd_files_processed_total 1"), "{text}");
        assert!(text.contains("ingestd_queue_depth 7"), "{text}");
        assert_eq!(stats.last_errors()[0].error, "plugin failed");
        assert!(stats.last_success().is_some());
        assert!(stats.status_line().contains("failed 1"));
    }

    #[test]
    fn last_errors_are_bounded() {
        let stats = Stats::new();
        for i in 0..(LAST_ERRORS + 5) {
            stats.failed(OsStr::new(&format!("f{i}")), None, "x");
        }
        let last = stats.last_errors();
        assert_eq!(last.len(), LAST_ERRORS);
        assert_eq!(last[LAST_ERRORS - 1].file, format!("f{}", LAST_ERRORS + 4));
    }
}
