//! Claiming files: an atomic rename from the inbox into this daemon's own folder under
//! `inbox/.processing/`.
//!
//! Each running daemon owns `inbox/.processing/<owner>/`, holding an exclusive `flock` on
//! `<owner>/.lock` for its whole life. A claim is `rename(inbox/x, .processing/<owner>/x)`:
//! only one daemon can win it, even with several daemons on one shared inbox. A daemon that
//! died leaves its folder unlocked; any daemon that finds such a folder (at start, and on
//! every full re-list) adopts its files and processes them again. Outputs are deterministic,
//! so a replay rewrites the same outbox file: nothing is lost and nothing is doubled.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use crate::fsutil;

/// Name of the folder of claimed files inside the inbox.
pub const PROCESSING_DIR: &str = ".processing";
const LOCK_FILE: &str = ".lock";

/// This daemon's claim folder, locked for the life of the value.
#[derive(Debug)]
pub struct ClaimDir {
    inbox: PathBuf,
    dir: PathBuf,
    _lock: File,
    fsync: bool,
}

/// Outcome of a claim attempt.
#[derive(Debug)]
pub enum Claim {
    /// The file is ours now, at this path.
    Claimed(PathBuf),
    /// The file is gone (taken by another daemon, or deleted).
    Gone,
    /// A file with the same name is still being processed; try again later.
    Busy,
}

fn try_lock(file: &File) -> io::Result<bool> {
    // SAFETY: flock on a valid, owned file descriptor.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let err = io::Error::last_os_error();
    if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(err)
    }
}

fn open_lock(dir: &Path) -> io::Result<File> {
    fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK_FILE))
}

impl ClaimDir {
    /// Creates and locks a fresh claim folder for this process.
    pub fn create(inbox: &Path, fsync: bool) -> io::Result<ClaimDir> {
        let root = inbox.join(PROCESSING_DIR);
        fs::create_dir_all(&root)?;
        let host = hostname();
        let pid = std::process::id();
        for n in 0u32.. {
            let dir = root.join(format!("{host}-{pid}-{n}"));
            match fs::create_dir(&dir) {
                Ok(()) => {
                    let lock = open_lock(&dir)?;
                    if !try_lock(&lock)? {
                        continue;
                    }
                    return Ok(ClaimDir {
                        inbox: inbox.to_owned(),
                        dir,
                        _lock: lock,
                        fsync,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other("no free claim folder name"))
    }

    /// This daemon's claim folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Claims `inbox/name` by renaming it into the claim folder.
    pub fn claim(&self, name: &OsStr) -> io::Result<Claim> {
        let target = self.dir.join(name);
        match fsutil::rename_noreplace(&self.inbox.join(name), &target) {
            Ok(()) => Ok(Claim::Claimed(target)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Claim::Gone),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(Claim::Busy),
            Err(e) => Err(e),
        }
    }

    /// Moves a claimed file back into the inbox (on shutdown, for files not started).
    pub fn release(&self, claimed: &Path) -> io::Result<PathBuf> {
        let name = claimed.file_name().unwrap_or(OsStr::new("unnamed"));
        fsutil::move_into(claimed, &self.inbox, name, self.fsync)
    }

    /// Adopts the files of dead daemons (unlocked claim folders) and any file lying directly
    /// in `.processing/`; returns the adopted files, now in this daemon's folder.
    pub fn adopt_orphans(&self) -> io::Result<Vec<PathBuf>> {
        let root = self.inbox.join(PROCESSING_DIR);
        let mut adopted = Vec::new();
        for entry in fs::read_dir(&root)? {
            let entry = entry?;
            let path = entry.path();
            if path == self.dir {
                continue;
            }
            let file_type = entry.file_type()?;
            if file_type.is_dir() {
                let lock = match open_lock(&path) {
                    Ok(lock) => lock,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                };
                if !try_lock(&lock)? {
                    continue; // a live daemon owns it
                }
                for file in fs::read_dir(&path)? {
                    let file = file?;
                    if file.file_name() == LOCK_FILE {
                        continue;
                    }
                    adopted.push(self.adopt(&file.path(), &file.file_name())?);
                }
                let _ = fs::remove_file(path.join(LOCK_FILE));
                let _ = fs::remove_dir(&path);
            } else {
                adopted.push(self.adopt(&path, &entry.file_name())?);
            }
        }
        Ok(adopted)
    }

    fn adopt(&self, path: &Path, name: &OsStr) -> io::Result<PathBuf> {
        fsutil::move_into(path, &self.dir, name, self.fsync)
    }

    /// Lists files currently claimed by this daemon.
    pub fn claimed_files(&self) -> io::Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            if entry.file_name() != LOCK_FILE {
                files.push(entry.path());
            }
        }
        Ok(files)
    }
}

impl Drop for ClaimDir {
    fn drop(&mut self) {
        // Empty on a clean exit: remove it so `.processing/` does not fill with dead folders.
        let _ = fs::remove_file(self.dir.join(LOCK_FILE));
        let _ = fs::remove_dir(&self.dir);
    }
}

fn hostname() -> String {
    let raw = fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_else(|_| "host".into());
    let clean: String = raw
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() {
        "host".into()
    } else {
        clean
    }
}

/// The original name of a claimed file (its last path component).
pub fn claimed_name(path: &Path) -> OsString {
    path.file_name()
        .map(OsStr::to_os_string)
        .unwrap_or_else(|| OsString::from("unnamed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_claimed_once() {
        let inbox = tempfile::tempdir().unwrap();
        fs::write(inbox.path().join("a.txt"), "x").unwrap();
        let one = ClaimDir::create(inbox.path(), false).unwrap();
        let two = ClaimDir::create(inbox.path(), false).unwrap();
        assert_ne!(one.path(), two.path());
        assert!(matches!(
            one.claim(OsStr::new("a.txt")).unwrap(),
            Claim::Claimed(_)
        ));
        assert!(matches!(
            two.claim(OsStr::new("a.txt")).unwrap(),
            Claim::Gone
        ));
    }

    #[test]
    fn same_name_while_busy_waits() {
        let inbox = tempfile::tempdir().unwrap();
        let claims = ClaimDir::create(inbox.path(), false).unwrap();
        fs::write(inbox.path().join("a.txt"), "1").unwrap();
        assert!(matches!(
            claims.claim(OsStr::new("a.txt")).unwrap(),
            Claim::Claimed(_)
        ));
        fs::write(inbox.path().join("a.txt"), "2").unwrap();
        assert!(matches!(
            claims.claim(OsStr::new("a.txt")).unwrap(),
            Claim::Busy
        ));
        assert_eq!(fs::read_to_string(inbox.path().join("a.txt")).unwrap(), "2");
    }

    #[test]
    fn files_of_a_dead_daemon_are_adopted_but_not_of_a_live_one() {
        let inbox = tempfile::tempdir().unwrap();
        let live = ClaimDir::create(inbox.path(), false).unwrap();
        fs::write(inbox.path().join("live.txt"), "x").unwrap();
        live.claim(OsStr::new("live.txt")).unwrap();
        // A dead daemon's folder: present, but nobody holds its lock.
        let dead = inbox.path().join(PROCESSING_DIR).join("deadhost-1-0");
        fs::create_dir_all(&dead).unwrap();
        fs::write(dead.join(LOCK_FILE), "").unwrap();
        fs::write(dead.join("orphan.txt"), "y").unwrap();
        // And a file lying directly in .processing (an older layout, or put there by hand).
        fs::write(inbox.path().join(PROCESSING_DIR).join("loose.txt"), "z").unwrap();

        let me = ClaimDir::create(inbox.path(), false).unwrap();
        let mut adopted: Vec<_> = me
            .adopt_orphans()
            .unwrap()
            .iter()
            .map(|p| claimed_name(p))
            .collect();
        adopted.sort();
        assert_eq!(
            adopted,
            vec![OsString::from("loose.txt"), OsString::from("orphan.txt")]
        );
        assert!(!dead.exists());
        assert_eq!(live.claimed_files().unwrap().len(), 1);
    }

    #[test]
    fn release_returns_a_file_to_the_inbox() {
        let inbox = tempfile::tempdir().unwrap();
        let claims = ClaimDir::create(inbox.path(), false).unwrap();
        fs::write(inbox.path().join("a.txt"), "x").unwrap();
        let Claim::Claimed(path) = claims.claim(OsStr::new("a.txt")).unwrap() else {
            panic!()
        };
        claims.release(&path).unwrap();
        assert!(inbox.path().join("a.txt").exists());
    }
}
