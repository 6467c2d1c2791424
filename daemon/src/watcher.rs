//! Inbox change notifications, turned into hints for the dispatcher.
//!
//! Events are hints, not truth: the dispatcher re-lists the inbox on overflow and
//! periodically. A close-after-write or a rename into the inbox marks a file ready at once;
//! other events only say "look at this name again". When the kernel's watch limit is reached,
//! the daemon falls back to polling with a warning.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;

/// A hint from the watcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// The file was closed after writing, or renamed into the inbox: it is complete.
    Ready(OsString),
    /// Something happened to this name; look again.
    Changed(OsString),
}

/// A running watcher; dropping it stops the notifications.
#[derive(Debug)]
pub struct InboxWatcher {
    _watcher: RecommendedWatcher,
}

/// Why watching could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WatchError {
    /// The kernel's limit on watches or instances is reached.
    #[error("the inotify watch limit is reached ({0}); raise fs.inotify.max_user_watches")]
    Limit(notify::Error),
    /// Any other failure.
    #[error("cannot watch the inbox: {0}")]
    Other(notify::Error),
}

fn is_limit(e: &notify::Error) -> bool {
    matches!(e.kind, notify::ErrorKind::MaxFilesWatch)
        || matches!(&e.kind, notify::ErrorKind::Io(io) if io.raw_os_error() == Some(libc::ENOSPC) || io.raw_os_error() == Some(libc::EMFILE))
}

/// A watch limit (the daemon falls back to polling) or another failure (it stops).
fn classify(e: notify::Error) -> WatchError {
    if is_limit(&e) {
        WatchError::Limit(e)
    } else {
        WatchError::Other(e)
    }
}

/// Names directly inside `inbox` that an event is about.
fn names_in(inbox: &Path, event: &Event) -> Vec<OsString> {
    event
        .paths
        .iter()
        .filter(|p| p.parent() == Some(inbox))
        .filter_map(|p| p.file_name().map(|n| n.to_os_string()))
        .collect()
}

fn hints_of(inbox: &Path, event: &Event) -> Vec<Hint> {
    let names = names_in(inbox, event);
    match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
            names.into_iter().map(Hint::Ready).collect()
        }
        EventKind::Modify(ModifyKind::Name(RenameMode::To)) => {
            names.into_iter().map(Hint::Ready).collect()
        }
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
            // paths = [from, to]: the target is complete; the source name is gone.
            let to = event.paths.get(1).filter(|p| p.parent() == Some(inbox));
            to.and_then(|p| p.file_name())
                .map(|n| vec![Hint::Ready(n.to_os_string())])
                .unwrap_or_default()
        }
        // A name that left the inbox (the daemon's own claims, mostly: one per file). A
        // settling file that goes is dropped at the tracker's next look, so waking the
        // dispatcher to stat a missing name would only cost a stat per file.
        EventKind::Modify(ModifyKind::Name(RenameMode::From)) | EventKind::Remove(_) => Vec::new(),
        EventKind::Access(_) => Vec::new(),
        _ => names.into_iter().map(Hint::Changed).collect(),
    }
}

/// Starts watching `inbox`. Hints go to `tx`; when `tx` is full, or the kernel queue
/// overflowed, `rescan` is set and the dispatcher re-lists the whole inbox.
pub fn watch(
    inbox: &Path,
    tx: mpsc::Sender<Hint>,
    rescan: Arc<AtomicBool>,
) -> Result<InboxWatcher, WatchError> {
    let root: PathBuf = std::fs::canonicalize(inbox).unwrap_or_else(|_| inbox.to_owned());
    let handler_root = root.clone();
    let handler = move |result: notify::Result<Event>| match result {
        Ok(event) => {
            if event.need_rescan() {
                rescan.store(true, Ordering::SeqCst);
                return;
            }
            for hint in hints_of(&handler_root, &event) {
                if tx.try_send(hint).is_err() {
                    rescan.store(true, Ordering::SeqCst);
                }
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "Watcher error; re-listing the inbox.");
            rescan.store(true, Ordering::SeqCst);
        }
    };
    let mut watcher = notify::recommended_watcher(handler).map_err(classify)?;
    watcher
        .watch(&root, RecursiveMode::NonRecursive)
        .map_err(classify)?;
    Ok(InboxWatcher { _watcher: watcher })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind, paths: &[&str]) -> Event {
        let mut e = Event::new(kind);
        for p in paths {
            e = e.add_path(PathBuf::from(p));
        }
        e
    }

    #[test]
    fn close_write_and_rename_in_mean_ready() {
        let inbox = Path::new("/in");
        let close = event(
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
            &["/in/a"],
        );
        assert_eq!(hints_of(inbox, &close), vec![Hint::Ready("a".into())]);
        let moved = event(
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
            &["/in/a.part", "/in/a"],
        );
        assert_eq!(hints_of(inbox, &moved), vec![Hint::Ready("a".into())]);
        let to = event(
            EventKind::Modify(ModifyKind::Name(RenameMode::To)),
            &["/in/b"],
        );
        assert_eq!(hints_of(inbox, &to), vec![Hint::Ready("b".into())]);
    }

    #[test]
    fn watch_limits_are_told_apart_from_other_failures() {
        let io = |errno| notify::Error::io(std::io::Error::from_raw_os_error(errno));
        for limit in [
            notify::Error::new(notify::ErrorKind::MaxFilesWatch),
            io(libc::ENOSPC),
            io(libc::EMFILE),
        ] {
            assert!(matches!(classify(limit), WatchError::Limit(_)));
        }
        for other in [
            io(libc::ENOENT),
            io(libc::EACCES),
            notify::Error::generic("x"),
        ] {
            assert!(matches!(classify(other), WatchError::Other(_)));
        }
    }

    #[test]
    fn a_full_hint_channel_asks_for_a_full_rescan() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, _rx) = mpsc::channel(1);
        let rescan = Arc::new(AtomicBool::new(false));
        let _watcher = watch(dir.path(), tx, Arc::clone(&rescan)).unwrap();
        for i in 0..20 {
            std::fs::write(dir.path().join(format!("{i}.txt")), "x").unwrap();
        }
        let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !rescan.load(Ordering::SeqCst) && std::time::Instant::now() < until {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(
            rescan.load(Ordering::SeqCst),
            "overflow must turn into a rescan"
        );
    }

    #[test]
    fn other_events_are_only_changes_and_subfolders_are_ignored() {
        let inbox = Path::new("/in");
        let create = event(
            EventKind::Create(notify::event::CreateKind::File),
            &["/in/a"],
        );
        assert_eq!(hints_of(inbox, &create), vec![Hint::Changed("a".into())]);
        let nested = event(
            EventKind::Create(notify::event::CreateKind::File),
            &["/in/.processing/x/a"],
        );
        assert!(hints_of(inbox, &nested).is_empty());
        let open = event(
            EventKind::Access(AccessKind::Open(AccessMode::Read)),
            &["/in/a"],
        );
        assert!(hints_of(inbox, &open).is_empty());
    }

    #[test]
    fn names_leaving_the_inbox_give_no_hint() {
        let inbox = Path::new("/in");
        let moved_out = event(
            EventKind::Modify(ModifyKind::Name(RenameMode::From)),
            &["/in/a"],
        );
        assert!(hints_of(inbox, &moved_out).is_empty());
        let removed = event(
            EventKind::Remove(notify::event::RemoveKind::File),
            &["/in/a"],
        );
        assert!(hints_of(inbox, &removed).is_empty());
    }
}
