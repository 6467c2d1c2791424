//! The ready check: a file is taken once it was closed after writing, moved in by rename, or
//! its size and mtime stayed unchanged for `settle_ms`.
//!
//! Watcher events are hints; this tracker holds what was last observed of each candidate so
//! that a re-list can tell a settled file from one still being written.

use std::collections::HashMap;
use std::ffi::OsString;
use std::time::{Duration, Instant, SystemTime};

/// What was last seen of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Observation {
    size: u64,
    mtime: Option<SystemTime>,
    unchanged_since: Instant,
    hinted_ready: bool,
}

/// Tracks candidate files until they are ready.
#[derive(Debug)]
pub struct ReadyTracker {
    settle: Duration,
    seen: HashMap<OsString, Observation>,
}

impl ReadyTracker {
    /// A tracker with the settle time from the configuration.
    pub fn new(settle: Duration) -> Self {
        ReadyTracker {
            settle,
            seen: HashMap::new(),
        }
    }

    /// Records an event saying the file was closed after writing or renamed into the inbox.
    pub fn hint_ready(&mut self, name: &OsString) {
        if let Some(obs) = self.seen.get_mut(name) {
            obs.hinted_ready = true;
        } else {
            self.seen.insert(
                name.clone(),
                Observation {
                    size: u64::MAX,
                    mtime: None,
                    unchanged_since: Instant::now(),
                    hinted_ready: true,
                },
            );
        }
    }

    /// Records a listing of the file and says whether it is ready now.
    pub fn observe(&mut self, name: &OsString, size: u64, mtime: Option<SystemTime>) -> bool {
        let now = Instant::now();
        let obs = self.seen.entry(name.clone()).or_insert(Observation {
            size,
            mtime,
            unchanged_since: now,
            hinted_ready: false,
        });
        if obs.hinted_ready {
            // The hint may predate the listing (a rename right after creation): trust it.
            obs.size = size;
            obs.mtime = mtime;
            return true;
        }
        if obs.size != size || obs.mtime != mtime {
            *obs = Observation {
                size,
                mtime,
                unchanged_since: now,
                hinted_ready: false,
            };
            return false;
        }
        now.duration_since(obs.unchanged_since) >= self.settle
    }

    /// Forgets a file (taken, or gone).
    pub fn forget(&mut self, name: &OsString) {
        self.seen.remove(name);
    }

    /// Forgets every file not in `present` (deleted before it was taken).
    pub fn retain(&mut self, present: impl Fn(&OsString) -> bool) {
        self.seen.retain(|name, _| present(name));
    }

    /// Names of the files being watched for readiness.
    pub fn names(&self) -> impl Iterator<Item = &OsString> {
        self.seen.keys()
    }

    /// Number of files being watched for readiness.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// True when no file is waiting.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> OsString {
        OsString::from(s)
    }

    #[test]
    fn a_file_is_ready_after_it_settles() {
        let mut t = ReadyTracker::new(Duration::from_millis(30));
        let m = Some(SystemTime::UNIX_EPOCH);
        assert!(!t.observe(&name("a"), 10, m));
        std::thread::sleep(Duration::from_millis(40));
        assert!(t.observe(&name("a"), 10, m));
    }

    #[test]
    fn a_growing_file_is_not_ready() {
        let mut t = ReadyTracker::new(Duration::from_millis(30));
        let m = Some(SystemTime::UNIX_EPOCH);
        assert!(!t.observe(&name("a"), 10, m));
        std::thread::sleep(Duration::from_millis(40));
        assert!(
            !t.observe(&name("a"), 20, m),
            "size changed: the settle clock restarts"
        );
        assert!(!t.observe(&name("a"), 20, m));
    }

    #[test]
    fn a_close_or_rename_hint_makes_it_ready_at_once() {
        let mut t = ReadyTracker::new(Duration::from_secs(3600));
        t.hint_ready(&name("a"));
        assert!(t.observe(&name("a"), 10, None));
        t.forget(&name("a"));
        assert!(t.is_empty());
    }
}
