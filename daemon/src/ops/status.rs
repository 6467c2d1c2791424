//! The status file `state/status.json`: what the daemon is doing, rewritten atomically every
//! few seconds, read by `ingestd status`. It needs no network listener and survives the
//! daemon (a stale or `stopped` file says the daemon is not running).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::stats::{Counts, LastError, Stats};
use crate::fsutil;
use crate::inbox::names::NameFilter;
use crate::source::rfc3339;

/// File name of the status file inside the state folder.
pub const STATUS_FILE: &str = "status.json";

/// How often the running daemon rewrites the status file.
pub const STATUS_INTERVAL: Duration = Duration::from_secs(2);

/// What the daemon is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DaemonState {
    /// Loading plugins, recovering files.
    Starting,
    /// Watching the inbox and processing files.
    Running,
    /// Applying a new configuration.
    Reloading,
    /// Finishing the files in progress before exiting.
    Stopping,
    /// Exited cleanly.
    Stopped,
}

/// The content of `state/status.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// Process id of the daemon.
    pub pid: u32,
    /// ingestd version.
    pub version: String,
    /// What it is doing.
    pub state: DaemonState,
    /// Start time (RFC 3339).
    pub started: String,
    /// Time of this snapshot (RFC 3339).
    pub updated: String,
    /// Time of this snapshot (Unix seconds), for staleness checks.
    pub updated_unix: u64,
    /// Seconds between snapshots.
    pub interval_secs: u64,
    /// Counters since start.
    pub counts: Counts,
    /// When the last document was written (RFC 3339).
    pub last_success: Option<String>,
    /// The most recent failures, oldest first.
    pub last_errors: Vec<LastError>,
    /// The running plugin chain.
    pub chain: Vec<String>,
    /// The watched inbox.
    pub inbox: PathBuf,
    /// The metrics listener, when on.
    pub metrics: Option<String>,
}

impl Status {
    /// A snapshot of `stats`.
    pub fn snapshot(
        stats: &Stats,
        state: DaemonState,
        inbox: &Path,
        metrics: Option<String>,
    ) -> Self {
        let now = SystemTime::now();
        Status {
            pid: std::process::id(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            state,
            started: rfc3339(Some(stats.started())),
            updated: rfc3339(Some(now)),
            updated_unix: unix(now),
            interval_secs: STATUS_INTERVAL.as_secs(),
            counts: stats.counts(),
            last_success: stats.last_success().map(|t| rfc3339(Some(t))),
            last_errors: stats.last_errors(),
            chain: stats.chain(),
            inbox: inbox.to_owned(),
            metrics,
        }
    }

    /// Writes the snapshot atomically into `state_dir` (no fsync: it is rewritten soon),
    /// readable by everyone who may enter the state folder (temp files start private).
    pub fn write(&self, state_dir: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        fsutil::write_atomic_with_mode(state_dir, STATUS_FILE, &json, false, Some(0o644)).map(drop)
    }

    /// Reads the status file from `state_dir`.
    pub fn read(state_dir: &Path) -> Result<Status, StatusError> {
        let path = state_dir.join(STATUS_FILE);
        let bytes = std::fs::read(&path).map_err(|source| StatusError::Read {
            path: path.clone(),
            source,
        })?;
        serde_json::from_slice(&bytes).map_err(|source| StatusError::Parse { path, source })
    }

    /// Why this snapshot does not describe a running daemon, if it does not: it says
    /// `stopped`, its process is gone, or it was not refreshed for three intervals.
    pub fn not_running_reason(&self, now: SystemTime) -> Option<String> {
        if self.state == DaemonState::Stopped {
            return Some(format!("it stopped at {}", self.updated));
        }
        if !process_alive(self.pid) {
            return Some(format!(
                "its process {} is gone (last update {}); it may have crashed",
                self.pid, self.updated
            ));
        }
        let age = unix(now).saturating_sub(self.updated_unix);
        let limit = (self.interval_secs * 3).max(10);
        (age > limit).then(|| {
            format!(
                "the status file was last updated {age} s ago ({}); the daemon is stuck or gone",
                self.updated
            )
        })
    }
}

impl Status {
    /// The human summary `ingestd status` prints.
    pub fn summary(&self, not_running: Option<&str>, waiting: Waiting) -> String {
        let mut out = String::new();
        let mut line = |text: String| {
            out.push_str(&text);
            out.push('\n');
        };
        match not_running {
            None => line(format!(
                "ingestd {} is {} (pid {}, since {}; status from {}).",
                self.version,
                state_word(self.state),
                self.pid,
                self.started,
                self.updated
            )),
            Some(reason) => line(format!(
                "ingestd is NOT running: {reason}. Figures below are from that last update."
            )),
        }
        let c = &self.counts;
        line(format!(
            "Files: {} seen, {} processed, {} failed, {} skipped as duplicates.",
            c.seen, c.processed, c.failed, c.skipped
        ));
        line(format!(
            "Queue: {} ready, {} in flight; {} waiting in {}; {} in failed/.",
            c.queue,
            c.in_flight,
            waiting.inbox,
            self.inbox.display(),
            waiting.failed
        ));
        line(format!(
            "Last success: {}.",
            self.last_success.as_deref().unwrap_or("none yet")
        ));
        line(format!("Chain: {}.", self.chain.join(" -> ")));
        if let Some(metrics) = &self.metrics {
            line(format!("Metrics: http://{metrics}/metrics"));
        }
        if !self.last_errors.is_empty() {
            line("Recent failures (newest last):".to_owned());
            for e in &self.last_errors {
                let plugin = e.plugin.as_deref().unwrap_or("-");
                line(format!("  {} {} [{plugin}] {}", e.time, e.file, e.error));
            }
        }
        if waiting.failed > 0 {
            line("Retry failed files with: ingestd replay --dry-run, then ingestd replay.".into());
        }
        out
    }
}

fn state_word(state: DaemonState) -> &'static str {
    match state {
        DaemonState::Starting => "starting",
        DaemonState::Running => "running",
        DaemonState::Reloading => "reloading",
        DaemonState::Stopping => "stopping",
        DaemonState::Stopped => "stopped",
    }
}

/// Files waiting on disk, counted when `ingestd status` runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Waiting {
    /// Visible files in the inbox (not yet claimed).
    pub inbox: usize,
    /// Failed source files (not counting their reports).
    pub failed: usize,
}

/// Counts the files waiting in the inbox (those `filter` accepts, as the daemon would) and in
/// `failed/` (a missing folder counts 0).
pub fn waiting_counts(inbox: &Path, filter: &NameFilter, failed: &Path) -> Waiting {
    let inbox = std::fs::read_dir(inbox)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| filter.accepts(&e.file_name()))
                .count()
        })
        .unwrap_or(0);
    let failed = super::replay::failed_files(failed).map_or(0, |f| f.len());
    Waiting { inbox, failed }
}

/// Why the status file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// Missing or unreadable.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The status file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not a status file.
    #[error("{path} is not a valid status file: {source}")]
    Parse {
        /// The status file.
        path: PathBuf,
        /// The parser's message.
        source: serde_json::Error,
    },
}

fn unix(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// True if a process with this id exists (a process of another user counts: `EPERM`).
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_liveness() {
        let dir = tempfile::tempdir().unwrap();
        let stats = Stats::new();
        stats.written();
        let status = Status::snapshot(&stats, DaemonState::Running, Path::new("in"), None);
        status.write(dir.path()).unwrap();
        let read = Status::read(dir.path()).unwrap();
        assert_eq!(read, status);
        let now = SystemTime::now();
        assert_eq!(read.not_running_reason(now), None);
        let later = now + Duration::from_secs(60);
        assert!(
            read.not_running_reason(later)
                .unwrap()
                .contains("last updated")
        );
        let stopped = Status {
            state: DaemonState::Stopped,
            ..read.clone()
        };
        assert!(stopped.not_running_reason(now).unwrap().contains("stopped"));
        let gone = Status {
            pid: u32::MAX - 1,
            ..read
        };
        assert!(gone.not_running_reason(now).unwrap().contains("gone"));
    }

    #[test]
    fn the_summary_says_when_the_daemon_is_gone() {
        let stats = Stats::new();
        stats.failed(std::ffi::OsStr::new("x.txt"), Some("cleanup"), "bad");
        let status = Status::snapshot(&stats, DaemonState::Running, Path::new("in"), None);
        let waiting = Waiting {
            inbox: 4,
            failed: 1,
        };
        let text = status.summary(None, waiting);
        assert!(text.contains("is running"), "{text}");
        assert!(text.contains("4 waiting in in; 1 in failed/"), "{text}");
        assert!(text.contains("x.txt [cleanup] bad"), "{text}");
        let text = status.summary(Some("it stopped"), waiting);
        assert!(text.contains("NOT running: it stopped"), "{text}");
    }

    #[test]
    fn a_missing_file_is_a_read_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Status::read(dir.path()),
            Err(StatusError::Read { .. })
        ));
    }
}
