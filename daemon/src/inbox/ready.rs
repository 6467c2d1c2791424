//! The ready check: a file is taken once it was closed after writing, moved in by rename, or
//! its size and mtime stayed unchanged for `settle_ms`.
//!
//! When file times come from this machine's clock (a local filesystem, watched with inotify),
//! a file whose mtime is already `settle_ms` old when first seen has been unchanged that long:
//! a backlog found at start is taken at once instead of waiting out the settle time again.
//! On a network filesystem the server's clock sets mtime and may lag ours, so there the
//! tracker only trusts its own observations.
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
    trust_mtime: bool,
    seen: HashMap<OsString, Observation>,
}

impl ReadyTracker {
    /// A tracker with the settle time from the configuration. With `trust_mtime`, a file first
    /// seen with an mtime `settle` old or older counts as settled at once (local filesystems,
    /// where this machine's clock sets mtime).
    pub fn new(settle: Duration, trust_mtime: bool) -> Self {
        ReadyTracker {
            settle,
            trust_mtime,
            seen: HashMap::new(),
        }
    }

    /// When a file first seen now has been unchanged since, as far as can be told: its mtime
    /// when that is trusted (capped at `settle` ago), otherwise now.
    fn first_seen_unchanged_since(&self, now: Instant, mtime: Option<SystemTime>) -> Instant {
        let age = match mtime {
            Some(mtime) if self.trust_mtime => SystemTime::now()
                .duration_since(mtime)
                .unwrap_or(Duration::ZERO),
            _ => Duration::ZERO,
        };
        now.checked_sub(age.min(self.settle)).unwrap_or(now)
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
        let first_seen = self.first_seen_unchanged_since(now, mtime);
        let obs = self.seen.entry(name.clone()).or_insert(Observation {
            size,
            mtime,
            unchanged_since: first_seen,
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
        let mut t = ReadyTracker::new(Duration::from_millis(30), false);
        let m = Some(SystemTime::UNIX_EPOCH);
        assert!(!t.observe(&name("a"), 10, m));
        std::thread::sleep(Duration::from_millis(40));
        assert!(t.observe(&name("a"), 10, m));
    }

    #[test]
    fn a_growing_file_is_not_ready() {
        let mut t = ReadyTracker::new(Duration::from_millis(30), false);
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
        let mut t = ReadyTracker::new(Duration::from_secs(3600), false);
        t.hint_ready(&name("a"));
        assert!(t.observe(&name("a"), 10, None));
        t.forget(&name("a"));
        assert!(t.is_empty());
    }

    #[test]
    fn a_file_already_old_when_first_seen_is_ready_at_once_when_mtime_is_trusted() {
        let old = Some(SystemTime::now() - Duration::from_secs(60));
        let mut trusting = ReadyTracker::new(Duration::from_secs(3600), true);
        assert!(
            !trusting.observe(&name("a"), 10, old),
            "a minute old but the settle time is an hour"
        );
        let mut trusting = ReadyTracker::new(Duration::from_secs(30), true);
        assert!(trusting.observe(&name("a"), 10, old));
        let mut wary = ReadyTracker::new(Duration::from_secs(30), false);
        assert!(
            !wary.observe(&name("a"), 10, old),
            "without trust in mtime, only its own observations count"
        );
    }

    #[test]
    fn a_fresh_or_future_mtime_still_waits_for_the_settle_time() {
        let mut t = ReadyTracker::new(Duration::from_secs(30), true);
        assert!(!t.observe(&name("new"), 10, Some(SystemTime::now())));
        let future = Some(SystemTime::now() + Duration::from_secs(600));
        assert!(!t.observe(&name("future"), 10, future));
        assert!(!t.observe(&name("no mtime"), 10, None));
    }

    #[test]
    fn an_old_file_that_changes_waits_again() {
        let old = Some(SystemTime::now() - Duration::from_secs(60));
        let mut t = ReadyTracker::new(Duration::from_secs(30), true);
        assert!(t.observe(&name("a"), 10, old));
        assert!(
            !t.observe(&name("a"), 20, old),
            "grew since: the settle clock restarts from now"
        );
    }
}
