//! Operations: what a service manager and an operator see of the running daemon — the
//! systemd notify protocol, the status file, the metrics listener — and the operator tools
//! (install, replay, reload planning, the progress bar of `ingestd process`).
//!
//! State it owns: the daemon's [`Stats`], its current [`DaemonState`], the metrics listener
//! and the heartbeat task that feeds the watchdog and rewrites the status file.

pub mod http;
pub mod install;
pub mod progress;
pub mod reload;
pub mod replay;
pub mod stats;
pub mod status;
pub mod systemd;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

pub use http::{ListenError, MetricsServer};
pub use stats::Stats;
pub use status::{DaemonState, Status};

use crate::settings::Settings;

/// The daemon's operational surface. Create with [`Ops::start`] inside the async runtime.
#[derive(Debug)]
pub struct Ops {
    stats: Arc<Stats>,
    state_dir: PathBuf,
    inbox: PathBuf,
    state: Mutex<DaemonState>,
    metrics: Mutex<Option<MetricsServer>>,
    metrics_addr: Option<String>,
    heartbeat: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Ops {
    /// Starts the metrics listener (when configured) and the heartbeat: watchdog pings when
    /// systemd asked for them, `STATUS=` lines and the status file every few seconds.
    pub fn start(settings: &Settings, stats: Arc<Stats>) -> Result<Arc<Ops>, ListenError> {
        let metrics = match settings.metrics.listen {
            Some(addr) => {
                let server = MetricsServer::start(addr, Arc::clone(&stats))?;
                tracing::info!(address = %server.addr(), "Metrics listening on http://{}/metrics.", server.addr());
                Some(server)
            }
            None => None,
        };
        let ops = Arc::new(Ops {
            stats,
            state_dir: settings.paths.state.clone(),
            inbox: settings.paths.inbox.clone(),
            state: Mutex::new(DaemonState::Starting),
            metrics_addr: metrics.as_ref().map(|m| m.addr().to_string()),
            metrics: Mutex::new(metrics),
            heartbeat: Mutex::new(None),
        });
        let task = tokio::spawn(heartbeat(Arc::downgrade(&ops)));
        *ops.heartbeat.lock().unwrap_or_else(|p| p.into_inner()) = Some(task);
        ops.write_status();
        Ok(ops)
    }

    /// The counters.
    pub fn stats(&self) -> &Arc<Stats> {
        &self.stats
    }

    /// Start-up is complete: plugins are loaded and the inbox scan has begun.
    pub fn ready(&self) {
        self.stats.set_ready(true);
        self.set_state(DaemonState::Running);
        systemd::ready(&self.stats.status_line());
    }

    /// A reload began (SIGHUP).
    pub fn reloading(&self) {
        self.set_state(DaemonState::Reloading);
        systemd::reloading();
    }

    /// A reload ended, applied or refused; either way the daemon runs again.
    pub fn reloaded(&self, applied: bool) {
        self.stats.reloaded(applied);
        self.set_state(DaemonState::Running);
        systemd::ready(&self.stats.status_line());
    }

    /// Shutdown began: not ready any more (`/healthz` says 503), `STOPPING=1`.
    pub fn stopping(&self) {
        self.stats.set_ready(false);
        self.set_state(DaemonState::Stopping);
        systemd::stopping();
    }

    /// The daemon is about to exit: a final status file, the listener closed.
    pub fn stopped(&self) {
        if let Some(task) = take(&self.heartbeat) {
            task.abort();
        }
        if let Some(server) = take(&self.metrics) {
            server.stop();
        }
        self.set_state(DaemonState::Stopped);
    }

    fn set_state(&self, state: DaemonState) {
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = state;
        self.write_status();
    }

    fn write_status(&self) {
        let state = *self.state.lock().unwrap_or_else(|p| p.into_inner());
        let status = Status::snapshot(&self.stats, state, &self.inbox, self.metrics_addr.clone());
        if let Err(e) = status.write(&self.state_dir) {
            tracing::debug!(error = %e, "Cannot write the status file.");
        }
    }
}

/// Takes the value out of a slot (a poisoned lock still holds a usable value).
fn take<T>(slot: &Mutex<Option<T>>) -> Option<T> {
    slot.lock().unwrap_or_else(|p| p.into_inner()).take()
}

/// Feeds the watchdog and refreshes the status every [`status::STATUS_INTERVAL`]. Pings come
/// from the async runtime, so a stuck reactor stops them and systemd restarts the daemon.
async fn heartbeat(ops: Weak<Ops>) {
    let watchdog = systemd::watchdog_interval();
    if let Some(every) = watchdog {
        tracing::info!(interval = ?every, "systemd watchdog enabled.");
    }
    let tick = watchdog
        .map(|w| (w / 2).clamp(Duration::from_millis(20), status::STATUS_INTERVAL))
        .unwrap_or(status::STATUS_INTERVAL);
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_status = tokio::time::Instant::now();
    loop {
        interval.tick().await;
        let Some(ops) = ops.upgrade() else { break };
        if watchdog.is_some() {
            systemd::watchdog();
        }
        if last_status.elapsed() >= status::STATUS_INTERVAL {
            last_status = tokio::time::Instant::now();
            systemd::status(&ops.stats.status_line());
            let _ = tokio::task::spawn_blocking(move || ops.write_status()).await;
        }
    }
}
