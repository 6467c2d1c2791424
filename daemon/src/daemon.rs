//! The long-running daemon: startup recovery, the dispatcher that turns inbox changes into
//! work, the worker pool, reload and graceful shutdown.
//!
//! State it owns: the ready tracker (dispatcher only), the set of inbox names queued or in
//! progress (`pending`), this daemon's claim folder, and the current plugin chain (swapped
//! whole on reload; each file runs on the chain it started with).
//!
//! Flow: a startup scan, watcher hints and periodic re-lists feed the ready tracker; ready
//! names go into a bounded queue (back-pressure: the dispatcher waits when it is full); a
//! fixed number of workers take names, claim them by rename, and process them on blocking
//! threads, off the async reactor.

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::{Mutex as AsyncMutex, mpsc, watch};

use crate::fsutil;
use crate::inbox::claim::{Claim, ClaimDir, claimed_name};
use crate::inbox::names::NameFilter;
use crate::inbox::ready::ReadyTracker;
use crate::ops::{ListenError, Ops, Stats};
use crate::pipeline::{DISK_THREADS, Gather, Pipeline, Stages};
use crate::plugin_host::{Chain, ChainError};
use crate::processor::{FileOutcome, Processor, Staged};
use crate::records::display_name;
use crate::settings::{Settings, SettingsError, SourceAction, WatchMode};
use crate::watcher::{self, Hint, WatchError};

/// Worker threads of the async runtime that runs the daemon (watching, dispatching, control).
pub const RUNTIME_WORKERS: usize = 2;

/// Why the daemon could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DaemonError {
    /// A folder could not be created or used.
    #[error("{0}")]
    Folder(std::io::Error),
    /// The plugin chain could not be built.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The inbox could not be watched.
    #[error(transparent)]
    Watch(#[from] WatchError),
    /// The metrics listener could not start.
    #[error(transparent)]
    Metrics(#[from] ListenError),
    /// The threads that run the plugins could not start.
    #[error("cannot start the processing threads: {0}")]
    Threads(std::io::Error),
}

/// A control message to the running daemon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Stop taking files, finish the ones in progress, exit.
    Shutdown,
    /// Reload the configuration and the plugin chain.
    Reload,
}

/// Loads fresh settings for a reload.
pub type SettingsSource = Box<dyn Fn() -> Result<Settings, SettingsError> + Send + Sync>;

/// Work for a worker.
#[derive(Debug)]
enum WorkItem {
    /// A ready file in the inbox, not claimed yet.
    Inbox(OsString),
    /// A file already claimed (recovered, or waiting for a retry).
    Claimed { path: PathBuf, attempt: u32 },
}

struct Shared {
    /// The settings the daemon started with (folders, watching, workers: fixed until exit).
    settings: Arc<Settings>,
    /// The settings in effect now (changed by reloads).
    current: RwLock<Arc<Settings>>,
    chain: RwLock<Arc<Chain>>,
    /// Swapped whole on reload, like the chain: a file finishes with the limits it started with.
    processor: RwLock<Arc<Processor>>,
    claims: ClaimDir,
    pending: Mutex<HashSet<OsString>>,
    ops: Arc<Ops>,
}

impl Shared {
    fn chain(&self) -> Arc<Chain> {
        match self.chain.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn processor(&self) -> Arc<Processor> {
        match self.processor.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn unpend(&self, name: &OsString) {
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(name);
    }
    /// Claims a work item: its path in `.processing/` and its attempt, or `None` if there is
    /// nothing to process (gone, or the same name still in progress).
    fn claim(&self, item: WorkItem) -> Option<(PathBuf, u32)> {
        match item {
            WorkItem::Claimed { path, attempt } => Some((path, attempt)),
            WorkItem::Inbox(name) => {
                let claim = self.claims.claim(&name);
                self.unpend(&name);
                match claim {
                    Ok(Claim::Claimed(path)) => Some((path, 1)),
                    Ok(Claim::Gone) => None,
                    Ok(Claim::Busy) => {
                        tracing::debug!(name = %display_name(&name), "Same name still in progress; will retry.");
                        None
                    }
                    Err(e) => {
                        tracing::warn!(name = %display_name(&name), error = %e, "Cannot claim the file; will retry.");
                        None
                    }
                }
            }
        }
    }
}

/// The daemon's side of the [`Pipeline`]: where work comes from and where retries go.
struct Work {
    shared: Arc<Shared>,
    queue: AsyncMutex<mpsc::Receiver<WorkItem>>,
    requeue: mpsc::Sender<WorkItem>,
    shutdown: watch::Receiver<bool>,
    runtime: tokio::runtime::Handle,
}

/// A file after its CPU part, with the processor (settings) it started with.
struct StagedFile {
    processor: Arc<Processor>,
    staged: Staged,
}

impl Work {
    /// Puts a claimed file back into the queue after `after` (unless the daemon stops first).
    fn retry_later(&self, retry: WorkItem, after: Duration) {
        let requeue = self.requeue.clone();
        let mut stop = self.shutdown.clone();
        self.runtime.spawn(async move {
            tokio::select! {
                _ = tokio::time::sleep(after) => { let _ = requeue.send(retry).await; }
                _ = stopped(&mut stop) => {}
            }
        });
    }
}

impl Stages for Work {
    type Item = WorkItem;
    type Staged = StagedFile;

    fn next(&self) -> Option<WorkItem> {
        let mut shutdown = self.shutdown.clone();
        self.runtime.block_on(async {
            let mut queue = self.queue.lock().await;
            tokio::select! {
                biased;
                _ = stopped(&mut shutdown) => None,
                item = queue.recv() => item,
            }
        })
    }

    fn cpu(&self, item: WorkItem) -> Option<StagedFile> {
        let (path, attempt) = self.shared.claim(item)?;
        let stats = self.shared.ops.stats();
        if attempt == 1 {
            stats.file_seen();
        }
        stats.in_flight(true);
        let processor = self.shared.processor();
        let staged = processor.prepare(&self.shared.chain(), path, attempt);
        Some(StagedFile { processor, staged })
    }

    fn disk(&self, batch: Vec<StagedFile>) {
        let mut rest = batch;
        // Normally one processor; two around a reload, each file with the one it started with.
        while let Some(first) = rest.first() {
            let processor = Arc::clone(&first.processor);
            let (same, other): (Vec<_>, Vec<_>) = rest
                .into_iter()
                .partition(|file| Arc::ptr_eq(&file.processor, &processor));
            rest = other;
            for finished in processor.finish_all(same.into_iter().map(|f| f.staged).collect()) {
                self.shared.ops.stats().in_flight(false);
                if let FileOutcome::Retry { after } = finished.outcome {
                    let retry = WorkItem::Claimed {
                        path: finished.claimed,
                        attempt: finished.attempt + 1,
                    };
                    self.retry_later(retry, after);
                }
            }
        }
    }

    fn panicked(&self, part: &'static str) {
        tracing::error!(
            part,
            "Processing a file panicked; this is a bug in ingestd. The file stays in .processing and is taken again at the next start."
        );
    }
}

/// One entry of an inbox listing.
#[derive(Debug)]
struct Listed {
    name: OsString,
    size: u64,
    mtime: Option<SystemTime>,
    regular: bool,
}

/// Lists the inbox (blocking): accepted names, with what the ready check needs. Directories
/// are left alone; symlinks and special files are listed (they fail without being opened).
fn list_inbox(inbox: &Path, filter: &NameFilter) -> std::io::Result<Vec<Listed>> {
    let mut listed = Vec::new();
    for entry in std::fs::read_dir(inbox)? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name();
        if !filter.accepts(&name) {
            continue;
        }
        if let Some(item) = stat_one(inbox, name) {
            listed.push(item);
        }
    }
    Ok(listed)
}

fn stat_one(inbox: &Path, name: OsString) -> Option<Listed> {
    let meta = std::fs::symlink_metadata(inbox.join(&name)).ok()?;
    if meta.is_dir() {
        return None;
    }
    Some(Listed {
        regular: meta.is_file(),
        size: meta.len(),
        mtime: meta.modified().ok(),
        name,
    })
}

/// Prepares the folders and removes the daemon's own stale temp files.
fn prepare_folders(settings: &Settings) -> Result<(), DaemonError> {
    let p = &settings.paths;
    fsutil::ensure_dir("inbox", &p.inbox).map_err(DaemonError::Folder)?;
    fsutil::ensure_dir("outbox", &p.outbox).map_err(DaemonError::Folder)?;
    fsutil::ensure_dir("failed", &p.failed).map_err(DaemonError::Folder)?;
    fsutil::ensure_dir("state", &p.state).map_err(DaemonError::Folder)?;
    if settings.processing.on_success == SourceAction::Archive
        || settings.processing.on_skip == SourceAction::Archive
    {
        fsutil::ensure_dir("archive", &p.archive).map_err(DaemonError::Folder)?;
    }
    for dir in [&p.outbox, &p.failed] {
        match fsutil::remove_stale_temps(dir) {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(folder = %dir.display(), removed = n, "Removed temp files left by a crash.")
            }
            Err(e) => {
                tracing::warn!(folder = %dir.display(), error = %e, "Cannot clean temp files.")
            }
        }
    }
    Ok(())
}

/// Runs the daemon until a [`Control::Shutdown`] arrives (or `control` closes).
pub async fn run(
    settings: Settings,
    reload_source: SettingsSource,
    mut control: mpsc::Receiver<Control>,
) -> Result<(), DaemonError> {
    let settings = Arc::new(settings);
    prepare_folders(&settings)?;
    let chain = Chain::build(&settings, true)?;
    tracing::info!(plugins = ?chain.labels(), "Plugin chain loaded.");
    if let Err(e) = crate::memory::spawn_trimmer(crate::memory::TRIM_EVERY) {
        tracing::warn!(error = %e, "Cannot start the memory trimmer; memory freed after bursts stays reserved.");
    }
    let claims = ClaimDir::create(&settings.paths.inbox, settings.processing.fsync)
        .map_err(DaemonError::Folder)?;
    let filter = NameFilter::new(&settings.watch)
        .map_err(|e| DaemonError::Folder(std::io::Error::other(e)))?;
    let stats = Arc::new(Stats::new());
    stats.set_chain(chain.labels().iter().map(|s| (*s).to_owned()).collect());
    let ops = Ops::start(&settings, Arc::clone(&stats))?;
    let processor = Processor::new(Arc::clone(&settings)).with_stats(stats);
    let shared = Arc::new(Shared {
        settings: Arc::clone(&settings),
        current: RwLock::new(Arc::clone(&settings)),
        chain: RwLock::new(Arc::new(chain)),
        processor: RwLock::new(Arc::new(processor)),
        claims,
        pending: Mutex::new(HashSet::new()),
        ops,
    });

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let (work_tx, work_rx) = mpsc::channel::<WorkItem>(settings.processing.queue_capacity);
    let probe = work_tx.downgrade();
    shared.ops.stats().set_queue_probe(move || {
        probe
            .upgrade()
            .map_or(0, |tx| tx.max_capacity() - tx.capacity())
    });
    let workers = settings.worker_count();
    let work = Arc::new(Work {
        shared: Arc::clone(&shared),
        queue: AsyncMutex::new(work_rx),
        requeue: work_tx.clone(),
        shutdown: shutdown_rx.clone(),
        runtime: tokio::runtime::Handle::current(),
    });
    let pipeline = Pipeline::start(work, workers, Gather::DEFAULT).map_err(DaemonError::Threads)?;
    tracing::info!(
        inbox = %settings.paths.inbox.display(), outbox = %settings.paths.outbox.display(),
        workers, disk_threads = DISK_THREADS, mode = ?settings.watch.mode, "Daemon started."
    );

    // Control messages: shutdown flips the watch; reload swaps the chain.
    let control_shared = Arc::clone(&shared);
    let control_task = tokio::spawn(async move {
        while let Some(message) = control.recv().await {
            match message {
                Control::Shutdown => break,
                Control::Reload => reload(&control_shared, &reload_source).await,
            }
        }
        let _ = shutdown_tx.send(true);
    });

    let dispatched = dispatch(Arc::clone(&shared), filter, work_tx, shutdown_rx.clone()).await;
    stopped(&mut shutdown_rx.clone()).await;
    shared.ops.stopping();
    tracing::info!("Shutting down: finishing files in progress.");
    if tokio::task::spawn_blocking(move || pipeline.join())
        .await
        .is_err()
    {
        tracing::error!("Waiting for the files in progress failed; this is a bug in ingestd.");
    }
    control_task.abort();
    // Files claimed but not finished (waiting for a retry) go back to the inbox.
    match shared.claims.claimed_files() {
        Ok(files) => {
            for path in files {
                if let Err(e) = shared.claims.release(&path) {
                    tracing::error!(file = %display_name(path.as_os_str()), error = %e, "Cannot return a claimed file to the inbox; it stays in .processing and is recovered at the next start.");
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "Cannot list claimed files."),
    }
    shared.ops.stopped();
    tracing::info!("Stopped.");
    dispatched
}

async fn reload(shared: &Arc<Shared>, source: &SettingsSource) {
    tracing::info!("Reloading the configuration and the plugin chain.");
    shared.ops.reloading();
    let applied = apply_reload(shared, source).await;
    shared.ops.reloaded(applied);
}

/// Loads, checks and applies a new configuration; false (and the old one keeps running) if
/// anything in it is wrong. Nothing is applied until everything has been checked.
async fn apply_reload(shared: &Arc<Shared>, source: &SettingsSource) -> bool {
    let fresh = match source() {
        Ok(fresh) => fresh,
        Err(e) => {
            tracing::error!(error = %error_chain(&e), "Reload refused: the configuration is invalid; the old one keeps running.");
            return false;
        }
    };
    let running = Arc::clone(&shared.current.read().unwrap_or_else(|p| p.into_inner()));
    let plan = crate::ops::reload::plan(&running, fresh);
    if let Some(level) = &plan.new_log_level {
        if let Err(e) = crate::logging::parse_filter(level) {
            tracing::error!(error = %e, "Reload refused: the configuration is invalid; the old one keeps running.");
            return false;
        }
    }
    let settings = Arc::new(plan.settings);
    let for_build = Arc::clone(&settings);
    let built = tokio::task::spawn_blocking(move || Chain::build(&for_build, true)).await;
    let chain = match built {
        Ok(Ok(chain)) => chain,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "Reload refused: the plugin chain could not be built; the old one keeps running.");
            return false;
        }
        Err(e) => {
            tracing::error!(error = %e, "Reload failed unexpectedly; the old chain keeps running.");
            return false;
        }
    };
    let labels: Vec<String> = chain.labels().iter().map(|s| (*s).to_owned()).collect();
    let processor = Processor::new(Arc::clone(&settings))
        .with_stats(Arc::clone(shared.ops.stats()))
        .with_faults(Arc::clone(shared.processor().faults()));
    *shared.processor.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(processor);
    *shared.chain.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(chain);
    *shared.current.write().unwrap_or_else(|p| p.into_inner()) = settings;
    shared.ops.stats().set_chain(labels.clone());
    if let Some(level) = &plan.new_log_level {
        match crate::logging::set_level(level) {
            Ok(crate::logging::LevelChange::OverriddenByEnv) => {
                tracing::warn!(level = %level, "log.level changed but RUST_LOG is set and wins; unset it to use log.level.")
            }
            Ok(_) => tracing::info!(level = %level, "Log level changed."),
            Err(e) => tracing::warn!(error = %e, "Cannot change the log level."),
        }
    }
    if !plan.needs_restart.is_empty() {
        tracing::warn!(
            keys = %plan.needs_restart.join(", "),
            "Some changes take effect only after a restart (systemctl restart ingestd); the running values stay until then."
        );
    }
    tracing::info!(plugins = ?labels, "Reloaded; new files use the new chain and settings.");
    true
}

/// An error with its causes, `a: b: c`, for one log line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Sends items to the queue in order, waiting while it is full; false on shutdown.
async fn send_all(
    items: impl IntoIterator<Item = WorkItem>,
    tx: &mpsc::Sender<WorkItem>,
    shutdown: &mut watch::Receiver<bool>,
) -> bool {
    for item in items {
        tokio::select! {
            biased;
            _ = stopped(shutdown) => return false,
            sent = tx.send(item) => if sent.is_err() { return false },
        }
    }
    true
}

/// Names sent to the queue at once: the dispatcher waits until this many places are free, so
/// on a backlog it wakes once per this many files taken instead of once per file.
const SEND_BATCH: usize = 32;

/// Sends ready inbox files to the queue in order, each joining `pending` as its batch is sent
/// (not before: on a backlog of 100,000 files, marking them all at once held every name twice
/// while the queue drained); false on shutdown.
async fn send_inbox(
    names: Vec<OsString>,
    shared: &Shared,
    tx: &mpsc::Sender<WorkItem>,
    shutdown: &mut watch::Receiver<bool>,
) -> bool {
    let batch = SEND_BATCH.min(tx.max_capacity()).max(1);
    let mut names = names.into_iter();
    loop {
        let fresh: Vec<OsString> = {
            let mut pending = shared.pending.lock().unwrap_or_else(|p| p.into_inner());
            names
                .by_ref()
                .take(batch)
                .filter(|name| pending.insert(name.clone()))
                .collect()
        };
        if fresh.is_empty() {
            if names.len() == 0 {
                return true;
            }
            continue;
        }
        let permits = tokio::select! {
            biased;
            _ = stopped(shutdown) => return false,
            permits = tx.reserve_many(fresh.len()) => match permits {
                Ok(permits) => permits,
                Err(_) => return false,
            },
        };
        for (permit, name) in permits.zip(fresh) {
            permit.send(WorkItem::Inbox(name));
        }
    }
}

/// The dispatcher loop: watches, lists, tracks readiness and enqueues ready files.
async fn dispatch(
    shared: Arc<Shared>,
    filter: NameFilter,
    tx: mpsc::Sender<WorkItem>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), DaemonError> {
    let settings = Arc::clone(&shared.settings);
    let inbox = settings.paths.inbox.clone();
    let rescan = Arc::new(AtomicBool::new(true));
    let (hint_tx, mut hint_rx) = mpsc::channel::<Hint>(8192);
    let watcher = match settings.watch.mode {
        WatchMode::Poll => None,
        WatchMode::Notify => match watcher::watch(&inbox, hint_tx, Arc::clone(&rescan)) {
            Ok(w) => Some(w),
            Err(WatchError::Limit(e)) => {
                tracing::warn!(error = %e, "Inotify watch limit reached; falling back to polling the inbox.");
                None
            }
            Err(e) => return Err(e.into()),
        },
    };
    let full_every = Duration::from_millis(match watcher {
        Some(_) => settings.watch.rescan_interval_ms.max(1),
        None => settings.watch.poll_interval_ms.max(1),
    });
    let settle = Duration::from_millis(settings.watch.settle_ms);
    let tick_every = (settle / 2).clamp(Duration::from_millis(10), Duration::from_millis(250));
    let mut tick = tokio::time::interval(tick_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Poll mode is for network filesystems, where mtime comes from the server's clock.
    let trust_mtime = settings.watch.mode == WatchMode::Notify;
    let mut tracker = ReadyTracker::new(settle, trust_mtime);
    let mut last_full: Option<Instant> = None;

    // Plugins are loaded and the scan starts now: tell systemd and /healthz.
    shared.ops.ready();
    // Recovery first: files a crashed run (or a dead daemon on this inbox) left claimed.
    let orphans = adopt_orphans(&shared).await;
    if !orphans.is_empty() {
        tracing::info!(
            files = orphans.len(),
            "Recovering files left in .processing by an earlier run."
        );
    }
    let recovered = orphans
        .into_iter()
        .map(|path| WorkItem::Claimed { path, attempt: 1 });
    if !send_all(recovered, &tx, &mut shutdown).await {
        return Ok(());
    }

    loop {
        let mut candidates: Vec<Listed> = Vec::new();
        let mut full = false;
        tokio::select! {
            biased;
            _ = stopped(&mut shutdown) => break,
            Some(hint) = hint_rx.recv() => {
                let mut hints = vec![hint];
                while let Ok(more) = hint_rx.try_recv() {
                    hints.push(more);
                    if hints.len() >= 4096 { break; }
                }
                for hint in hints {
                    let (name, closed) = match hint {
                        Hint::Ready(name) => (name, true),
                        Hint::Changed(name) => (name, false),
                    };
                    // Before the tracker: a name it holds is re-checked on every tick, so a
                    // hidden or temporary name must never enter it.
                    if !filter.accepts(&name) { continue; }
                    if closed { tracker.hint_ready(&name); }
                    match stat_one(&inbox, name.clone()) {
                        Some(listed) => candidates.push(listed),
                        None => tracker.forget(&name),
                    }
                }
            }
            _ = tick.tick() => {
                let due = last_full.is_none_or(|t| t.elapsed() >= full_every);
                if rescan.swap(false, Ordering::SeqCst) || due {
                    let dir = inbox.clone();
                    let f = filter.clone();
                    match tokio::task::spawn_blocking(move || list_inbox(&dir, &f)).await {
                        Ok(Ok(listed)) => { candidates = listed; full = true; }
                        Ok(Err(e)) => tracing::warn!(inbox = %inbox.display(), error = %e, "Cannot list the inbox."),
                        Err(e) => tracing::error!(error = %e, "Inbox listing task failed."),
                    }
                    last_full = Some(Instant::now());
                } else if !tracker.is_empty() {
                    // Re-check files still settling without listing the whole inbox.
                    let names: Vec<OsString> = tracker_names(&tracker);
                    for name in names {
                        match stat_one(&inbox, name.clone()) {
                            Some(listed) => candidates.push(listed),
                            None => tracker.forget(&name),
                        }
                    }
                }
            }
        }
        if full {
            // Another daemon on this inbox may have died: adopt what it had claimed.
            let adopted = adopt_orphans(&shared).await;
            let items = adopted
                .into_iter()
                .map(|path| WorkItem::Claimed { path, attempt: 1 });
            if !send_all(items, &tx, &mut shutdown).await {
                break;
            }
            let present: HashSet<&OsString> = candidates.iter().map(|c| &c.name).collect();
            tracker.retain(|name| present.contains(name));
        }
        let mut ready: Vec<Listed> = Vec::new();
        {
            let pending = shared.pending.lock().unwrap_or_else(|p| p.into_inner());
            for item in candidates {
                if pending.contains(&item.name) {
                    continue;
                }
                let is_ready = !item.regular || tracker.observe(&item.name, item.size, item.mtime);
                if is_ready {
                    ready.push(item);
                }
            }
        }
        // Oldest first.
        ready.sort_by(|a, b| a.mtime.cmp(&b.mtime).then_with(|| a.name.cmp(&b.name)));
        let names: Vec<OsString> = ready
            .into_iter()
            .map(|item| {
                tracker.forget(&item.name);
                item.name
            })
            .collect();
        if !send_inbox(names, &shared, &tx, &mut shutdown).await {
            break;
        }
    }
    drop(watcher);
    Ok(())
}

/// Resolves once shutdown was requested (the watch holds `true`).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

fn tracker_names(tracker: &ReadyTracker) -> Vec<OsString> {
    tracker.names().cloned().collect()
}

async fn adopt_orphans(shared: &Arc<Shared>) -> Vec<PathBuf> {
    let job = Arc::clone(shared);
    match tokio::task::spawn_blocking(move || job.claims.adopt_orphans()).await {
        Ok(Ok(files)) => {
            for f in &files {
                tracing::debug!(file = %display_name(&claimed_name(f)), "Adopted a claimed file.");
            }
            files
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "Cannot check .processing for files of stopped daemons.");
            Vec::new()
        }
        Err(_) => Vec::new(),
    }
}
