//! The `dedup` plugin: finds exact and near-duplicate articles and skips or marks them.
//!
//! Per document: normalize the body ([`normalize`]; the plugin reads `body` only, which
//! cleanup sets from the paragraphs), hash it for exact matches and sketch it
//! with MinHash over word shingles ([`minhash`]), then ask the shared index ([`store`]) in one
//! atomic check-and-insert. Near-duplicate candidates come from LSH band buckets and are
//! confirmed with the estimated Jaccard index, or the estimated containment of the shorter
//! article in the longer one (for dropped paragraphs), against `threshold`.
//!
//! The result lands in `doc.dedup` (`fingerprint`, `duplicate_of`, `similarity`, `kind`), and
//! the configured policy skips or marks duplicates. A document processed again under the same
//! id (a replay after a crash) gets the result of its first pass, never "duplicate of itself".

pub mod config;
pub mod corpus;
pub mod eval;
pub mod minhash;
pub mod normalize;
pub mod store;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use ingestd_sdk::{DedupInfo, Document, Host, Level, Plugin, PluginError, Verdict, fields};

pub use config::{Config, ExactPolicy, NearPolicy};
use minhash::Sketcher;
use normalize::Normalizer;
use store::{
    DedupStore, DeferredStore, Entry, MemoryStore, Outcome, RedbOptions, RedbStore, StoreError,
};

/// File name of the index in the host's state directory.
pub const DB_FILE: &str = "dedup.redb";
/// Retention is enforced once every this many documents.
const PRUNE_EVERY: u64 = 256;
/// Most entries forgotten per pruning pass (bounds its cost).
const PRUNE_BUDGET: usize = 2048;

/// The plugin instance, shared by all workers.
#[derive(Debug)]
pub struct Dedup {
    config: Config,
    normalizer: Normalizer,
    sketcher: Sketcher,
    store: Box<dyn DedupStore>,
    host: Host,
    processed: AtomicU64,
}

impl Dedup {
    /// Builds the plugin around a given store (tests, evaluation, or a server store).
    pub fn with_store(
        config: Config,
        host: Host,
        store: Box<dyn DedupStore>,
    ) -> Result<Self, PluginError> {
        config.validate().map_err(PluginError::config)?;
        let normalizer = Normalizer::new(&config.boilerplate_phrases, config.boilerplate_max_words)
            .map_err(|e| PluginError::config(e.to_string()))?;
        let sketcher = Sketcher::new(config.num_hashes, config.bands, config.shingle_size);
        Ok(Dedup {
            config,
            normalizer,
            sketcher,
            store,
            host,
            processed: AtomicU64::new(0),
        })
    }

    /// The store this instance uses.
    pub fn store(&self) -> &dyn DedupStore {
        self.store.as_ref()
    }

    /// Fingerprints a body and checks it against the index (inserting it when new). `None`
    /// when the body has no words.
    pub fn check(&self, id: &str, body: &str) -> Result<Option<DedupInfo>, PluginError> {
        let normalized = self.normalizer.normalize(body);
        if normalized.words.is_empty() {
            return Ok(None);
        }
        let sketch = self.sketcher.sketch(&normalized);
        let entry = Entry {
            key: id_key(id),
            id: id.to_owned(),
            at: now_secs(),
            exact: normalized.exact,
            shingles: sketch.shingles,
            bands: self.sketcher.band_keys(&sketch.signature),
            signature: sketch.signature,
            outcome: Outcome::New,
        };
        let threshold = self.config.threshold;
        let judge = |candidate: &Entry| {
            // Signatures made with other settings (num_hashes changed) are not comparable.
            if candidate.signature.len() != entry.signature.len() {
                return None;
            }
            let j = minhash::jaccard(&entry.signature, &candidate.signature);
            let similarity = if j >= threshold / 2.0 {
                j.max(minhash::containment(j, entry.shingles, candidate.shingles))
            } else {
                j
            };
            (similarity >= threshold).then_some(similarity)
        };
        let near = self.config.near_policy != NearPolicy::Off;
        let checked = self
            .store
            .check_and_insert(&entry, near, &judge)
            .map_err(|e| PluginError::retryable("index", e.to_string()))?;
        let mut info = DedupInfo {
            fingerprint: format!("{:032x}", entry.exact),
            ..DedupInfo::default()
        };
        match checked.outcome {
            Outcome::New => {}
            Outcome::Exact { of } => {
                info.duplicate_of = Some(of);
                info.similarity = Some(1.0);
                info.kind = Some("exact".into());
            }
            Outcome::Near { of, similarity } => {
                info.duplicate_of = Some(of);
                info.similarity = Some((similarity * 1e4).round() / 1e4);
                info.kind = Some("near".into());
            }
        }
        Ok(Some(info))
    }

    fn maybe_prune(&self) {
        let n = self.processed.fetch_add(1, Ordering::Relaxed);
        if self.config.retention_days == 0 || n % PRUNE_EVERY != PRUNE_EVERY - 1 {
            return;
        }
        let cutoff = now_secs().saturating_sub(self.config.retention_days.saturating_mul(86_400));
        if let Err(e) = self.store.prune_in_background(cutoff, PRUNE_BUDGET) {
            self.host.warn(&format!(
                "error=\"{e}\" Could not prune the dedup index; will retry."
            ));
        }
    }
}

/// Index key of a document id: the id itself when it is 16 hex digits (the host's ids),
/// otherwise a hash of it.
pub fn id_key(id: &str) -> u64 {
    if id.len() == 16 {
        if let Ok(key) = u64::from_str_radix(id, 16) {
            return key;
        }
    }
    xxhash_rust::xxh3::xxh3_64(id.as_bytes())
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn open_store(config: &Config, host: &Host) -> Result<Box<dyn DedupStore>, PluginError> {
    let path = match (&config.path, host.state_dir()) {
        (Some(path), _) => path.clone(),
        (None, Some(dir)) => dir.join(DB_FILE),
        (None, None) => {
            host.warn("No state directory or path; the dedup index is in memory only.");
            return Ok(Box::new(MemoryStore::new()));
        }
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            PluginError::config(format!("path: cannot create {}: {e}", parent.display()))
        })?;
    }
    let log_host = host.clone();
    let log = Arc::new(move |line: &str| log_host.log(Level::Error, line));
    let options = RedbOptions {
        cache_bytes: config.cache_mb.saturating_mul(1024 * 1024),
        filter_bytes: config.filter_mb.saturating_mul(1024 * 1024),
        ..RedbOptions::default()
    };
    match RedbStore::open_with(&path, log.clone(), options) {
        Ok(store) => Ok(Box::new(store)),
        Err(StoreError::Busy) => {
            host.warn(&format!(
                "path={} The dedup index is held by another instance; opening it on first use.",
                path.display()
            ));
            Ok(Box::new(DeferredStore::new(path, log, options)))
        }
        Err(e) => Err(PluginError::config(format!("path {}: {e}", path.display()))),
    }
}

impl Plugin for Dedup {
    type Config = Config;
    // The body only: cleanup sets it from the paragraphs, so sending both would carry the
    // text twice.
    const READS: u64 = fields::BODY;
    const WRITES: u64 = fields::DEDUP;

    fn new(config: Config, host: Host) -> Result<Self, PluginError> {
        config.validate().map_err(PluginError::config)?;
        let store = open_store(&config, &host)?;
        Dedup::with_store(config, host, store)
    }

    fn process(&self, doc: &mut Document) -> Result<Verdict, PluginError> {
        let Some(info) = self.check(&doc.id, &doc.body)? else {
            return Ok(Verdict::Continue);
        };
        self.maybe_prune();
        let skip = match info.kind.as_deref() {
            Some("exact") => self.config.exact_policy == ExactPolicy::Skip,
            Some("near") => self.config.near_policy == NearPolicy::Skip,
            _ => false,
        };
        let verdict = if skip {
            Verdict::Skip {
                reason: format!(
                    "{} duplicate of {} (similarity {})",
                    info.kind.as_deref().unwrap_or_default(),
                    info.duplicate_of.as_deref().unwrap_or_default(),
                    info.similarity.unwrap_or_default()
                ),
            }
        } else {
            Verdict::Continue
        };
        doc.dedup = Some(info);
        Ok(verdict)
    }
}

ingestd_sdk::export_plugin!(Dedup);

#[cfg(test)]
mod tests;
