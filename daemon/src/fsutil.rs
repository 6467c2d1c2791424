//! File-system primitives with the guarantees the daemon promises: atomic writes, moves that
//! never overwrite, and fsyncs of the folders that hold renamed files ([`GroupSync`] lets
//! concurrent writers share one folder fsync, or one `syncfs` for their new files).

use std::ffi::{CString, OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Prefix of the daemon's own temporary files, so leftovers can be recognised and removed.
pub const TEMP_PREFIX: &str = ".ingestd-";
/// Suffix of the daemon's own temporary files.
pub const TEMP_SUFFIX: &str = ".tmp";

fn cstring(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte"))
}

/// Renames `from` to `to`, failing with `AlreadyExists` instead of replacing `to`.
///
/// Uses `renameat2(RENAME_NOREPLACE)`; where the filesystem does not support it, falls back to
/// `link` + `unlink`, which is equally atomic about the target (and works on NFS).
pub fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    let (c_from, c_to) = (cstring(from)?, cstring(to)?);
    // SAFETY: both paths are valid NUL-terminated strings for the duration of the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            c_from.as_ptr(),
            libc::AT_FDCWD,
            c_to.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::ENOTSUP) => {
            fs::hard_link(from, to)?;
            fs::remove_file(from)
        }
        _ => Err(err),
    }
}

/// fsyncs a directory, so that a rename into or out of it survives a power cut.
pub fn fsync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Flushes everything written to the filesystem that holds `path` (`syncfs`): file data,
/// sizes, folders. Errors of writes since the last call are reported (Linux 5.8 and later).
pub fn syncfs(path: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let handle = File::open(path)?;
    // SAFETY: the descriptor is open for the duration of the call.
    if unsafe { libc::syncfs(handle.as_raw_fd()) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Moves `src` into `dir` under `name`, or `name.1`, `name.2`, ... if taken. Never overwrites.
/// Falls back to copy + fsync + remove across filesystems. Returns the final path.
pub fn move_into(src: &Path, dir: &Path, name: &OsStr, fsync: bool) -> io::Result<PathBuf> {
    let mut target = dir.join(name);
    for n in 1u64.. {
        let result = rename_noreplace(src, &target);
        match result {
            Ok(()) => break,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                target = dir.join(numbered(name, n));
            }
            Err(e) if e.raw_os_error() == Some(libc::EXDEV) => {
                copy_then_remove(src, &target, fsync)?;
                break;
            }
            Err(e) => return Err(e),
        }
    }
    if fsync {
        fsync_dir(dir)?;
        if let Some(parent) = src.parent() {
            fsync_dir(parent)?;
        }
    }
    Ok(target)
}

/// `name.N`.
pub fn numbered(name: &OsStr, n: u64) -> OsString {
    let mut s = name.to_os_string();
    s.push(format!(".{n}"));
    s
}

fn copy_then_remove(src: &Path, target: &Path, fsync: bool) -> io::Result<()> {
    let mut input = File::open(src)?;
    let mut output = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(target)?;
    io::copy(&mut input, &mut output)?;
    if fsync {
        output.sync_all()?;
    }
    fs::remove_file(src)
}

/// Writes `bytes` to `dir/name` atomically: a temp file in `dir`, fsync, rename over the
/// target, fsync of `dir`. Readers see the old file or the new one, never a partial one.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8], fsync: bool) -> io::Result<PathBuf> {
    write_atomic_with_mode(dir, name, bytes, fsync, None)
}

/// [`write_atomic`] with the file's permission bits (e.g. `0o644`) set on the temp file, so
/// the file has them from the moment it appears (temp files start private, `0o600`).
pub fn write_atomic_with_mode(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    fsync: bool,
    mode: Option<u32>,
) -> io::Result<PathBuf> {
    let sync = if fsync { FileSync::All } else { FileSync::None };
    let target = persist_temp(dir, name, bytes, mode, sync)?;
    if fsync {
        fsync_dir(dir)?;
    }
    Ok(target)
}

/// How a temp file is flushed before its rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileSync {
    None,
    /// `fsync`: the metadata too (the mode set on it).
    All,
}

/// Writes `bytes` to a new temp file in `dir` (mode `mode` if given), not flushed.
fn write_temp(dir: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<tempfile::NamedTempFile> {
    use std::os::unix::fs::PermissionsExt;
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    if let Some(mode) = mode {
        // fchmod, not the create mode: the umask (the unit sets 0007) must not narrow it.
        temp.as_file()
            .set_permissions(fs::Permissions::from_mode(mode))?;
    }
    temp.write_all(bytes)?;
    Ok(temp)
}

/// Writes `bytes` to a new temp file in `dir` (mode `mode` if given), flushes it as `sync`
/// says and renames it to `name`; the folder itself is not synced.
fn persist_temp(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    mode: Option<u32>,
    sync: FileSync,
) -> io::Result<PathBuf> {
    let temp = write_temp(dir, bytes, mode)?;
    match sync {
        FileSync::None => {}
        FileSync::All => temp.as_file().sync_all()?,
    }
    let target = dir.join(name);
    temp.persist(&target).map_err(|e| e.error)?;
    Ok(target)
}

/// Group commit of a flush: one folder's fsync, or a `syncfs` of one filesystem.
///
/// A file renamed into a folder is durable once *some* fsync of the folder has started after
/// the rename and finished; a file written is durable once some `syncfs` of its filesystem
/// has. Workers that need one at about the same time can therefore share it: the first caller
/// runs it; callers that arrive while it runs wait for the next one, which a single one of
/// them runs for all. On a disk where a flush costs a few milliseconds this turns one flush
/// per file into one per batch of concurrent files (issue 7). A flush that fails counts for
/// nobody: each waiter then runs its own.
#[derive(Debug)]
pub struct GroupSync {
    path: PathBuf,
    flush: Flush,
    state: Mutex<SyncState>,
    finished: Condvar,
    performed: AtomicU64,
}

/// What a [`GroupSync`] flushes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flush {
    /// fsync of the folder (its entries).
    Folder,
    /// syncfs of the filesystem (every file's data and size).
    Filesystem,
}

#[derive(Debug, Default)]
struct SyncState {
    /// Number of flushes started so far; the running one (if any) is number `started`.
    started: u64,
    /// Highest flush number that finished successfully.
    completed: u64,
    running: bool,
}

impl GroupSync {
    /// Group commit of the fsync of the folder `dir`.
    pub fn folder(dir: &Path) -> Self {
        Self::new(dir, Flush::Folder)
    }

    /// Group commit of the `syncfs` of the filesystem that holds `path`.
    pub fn filesystem(path: &Path) -> Self {
        Self::new(path, Flush::Filesystem)
    }

    fn new(path: &Path, flush: Flush) -> Self {
        GroupSync {
            path: path.to_owned(),
            flush,
            state: Mutex::new(SyncState::default()),
            finished: Condvar::new(),
            performed: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, SyncState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Returns once a flush that started after this call has finished.
    pub fn sync(&self) -> io::Result<()> {
        let mut state = self.lock();
        // A running flush may have started before the caller's write: only the next counts.
        let needed = state.started + 1;
        loop {
            if state.completed >= needed {
                return Ok(());
            }
            if !state.running {
                state.running = true;
                state.started += 1;
                let mine = state.started;
                drop(state);
                let result = match self.flush {
                    Flush::Folder => fsync_dir(&self.path),
                    Flush::Filesystem => syncfs(&self.path),
                };
                self.performed.fetch_add(1, Ordering::Relaxed);
                let mut state = self.lock();
                state.running = false;
                if result.is_ok() {
                    state.completed = state.completed.max(mine);
                }
                drop(state);
                self.finished.notify_all();
                return result;
            }
            state = self
                .finished
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// How many flushes were run (for tests and benchmarks).
    pub fn performed(&self) -> u64 {
        self.performed.load(Ordering::Relaxed)
    }
}

/// How [`write_durable_all`] makes the new files' data durable before their renames.
#[derive(Debug)]
pub enum DataFlush {
    /// One `syncfs` of their filesystem, shared with concurrent callers.
    Filesystem(GroupSync),
    /// One `fdatasync` per file.
    EachFile,
}

/// A copy of an I/O error for each of several callers it concerns.
fn copy_error(error: &io::Error) -> io::Error {
    io::Error::new(error.kind(), error.to_string())
}

/// Writes new files into the folder of `folder` durably and atomically, sharing the flushes
/// among them and with concurrent callers: each file goes to a temp file; one `syncfs`
/// (group-committed through `data`, the filesystem of that folder) makes all their data and
/// sizes durable (or one `fdatasync` per file, as `data` says); each is renamed to its name;
/// one folder fsync (through `folder`) makes the names durable. Each file gets its own
/// result, in order; a failed flush fails every file that waited for it. Readers see a whole
/// file or none, never a partial one.
///
/// Per file this costs no flush of its own: on a virtual disk where a flush costs a few
/// hundred microseconds of CPU and three waits, one `fdatasync` per file was most of the
/// daemon's I/O time (issue 7).
pub fn write_durable_all(
    folder: &GroupSync,
    data: &DataFlush,
    files: &[(&str, &[u8])],
) -> Vec<io::Result<PathBuf>> {
    let mut results = Vec::with_capacity(files.len());
    let mut temps = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        match write_temp(&folder.path, bytes, None) {
            Ok(temp) => {
                temps.push(Some(temp));
                results.push(Ok(folder.path.join(name)));
            }
            Err(e) => {
                temps.push(None);
                results.push(Err(e));
            }
        }
    }
    let fail_written = |results: &mut Vec<io::Result<PathBuf>>, error: &io::Error| {
        for result in results.iter_mut().filter(|r| r.is_ok()) {
            *result = Err(copy_error(error));
        }
    };
    if temps.iter().all(Option::is_none) {
        return results;
    }
    match data {
        DataFlush::Filesystem(group) => {
            if let Err(e) = group.sync() {
                fail_written(&mut results, &e);
                return results;
            }
        }
        DataFlush::EachFile => {
            for (result, temp) in results.iter_mut().zip(&mut temps) {
                if let Some(file) = temp {
                    if let Err(e) = file.as_file().sync_data() {
                        *result = Err(e);
                        *temp = None;
                    }
                }
            }
        }
    }
    for (result, temp) in results.iter_mut().zip(temps) {
        if let (Ok(target), Some(temp)) = (&*result, temp) {
            if let Err(e) = temp.persist(target) {
                *result = Err(e.error);
            }
        }
    }
    if results.iter().any(Result::is_ok) {
        if let Err(e) = folder.sync() {
            fail_written(&mut results, &e);
        }
    }
    results
}

/// Removes the daemon's temporary files left in `dir` by a crash; returns how many.
pub fn remove_stale_temps(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let bytes = name.as_bytes();
        if bytes.starts_with(TEMP_PREFIX.as_bytes()) && bytes.ends_with(TEMP_SUFFIX.as_bytes()) {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Creates a folder (and parents) if missing, with a message naming it.
pub fn ensure_dir(what: &str, dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot create the {what} folder {}: {e}", dir.display()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_written_with_a_mode_has_it_when_it_appears() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = write_atomic_with_mode(dir.path(), "s.json", b"{}", false, Some(0o644)).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
        let private = write_atomic(dir.path(), "p.json", b"{}", false).unwrap();
        assert_eq!(
            fs::metadata(private).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn rename_noreplace_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        fs::write(&a, "a").unwrap();
        fs::write(&b, "b").unwrap();
        let err = rename_noreplace(&a, &b).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&b).unwrap(), "b");
        fs::remove_file(&b).unwrap();
        rename_noreplace(&a, &b).unwrap();
        assert_eq!(fs::read_to_string(&b).unwrap(), "a");
        assert!(!a.exists());
    }

    #[test]
    fn move_into_numbers_on_collision() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("archive");
        fs::create_dir(&dest).unwrap();
        for i in 0..3 {
            let src = dir.path().join("story.txt");
            fs::write(&src, format!("{i}")).unwrap();
            move_into(&src, &dest, OsStr::new("story.txt"), true).unwrap();
        }
        let read = |n: &str| fs::read_to_string(dest.join(n)).unwrap();
        assert_eq!(
            (read("story.txt"), read("story.txt.1"), read("story.txt.2")),
            ("0".into(), "1".into(), "2".into())
        );
    }

    #[test]
    fn write_atomic_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        write_atomic(dir.path(), "x.json", b"one", true).unwrap();
        write_atomic(dir.path(), "x.json", b"two", true).unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("x.json")).unwrap(),
            "two"
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn concurrent_durable_batches_all_land_and_share_their_flushes() {
        let dir = tempfile::tempdir().unwrap();
        let sync = GroupSync::folder(dir.path());
        let data = DataFlush::Filesystem(GroupSync::filesystem(dir.path()));
        std::thread::scope(|scope| {
            for t in 0..8 {
                let (sync, data, dir) = (&sync, &data, &dir);
                scope.spawn(move || {
                    for i in 0..5 {
                        let names: Vec<String> =
                            (0..5).map(|j| format!("{t}-{i}-{j}.json")).collect();
                        let files: Vec<(&str, &[u8])> =
                            names.iter().map(|n| (n.as_str(), n.as_bytes())).collect();
                        for (result, name) in write_durable_all(sync, data, &files)
                            .into_iter()
                            .zip(&names)
                        {
                            assert_eq!(result.unwrap(), dir.path().join(name));
                        }
                    }
                });
            }
        });
        // One flush of each kind per batch at most, fewer whenever writers overlapped.
        let DataFlush::Filesystem(data) = data else {
            unreachable!()
        };
        assert!((1..=40).contains(&data.performed()), "{}", data.performed());
        for entry in fs::read_dir(dir.path()).unwrap() {
            let entry = entry.unwrap();
            assert_eq!(
                fs::read(entry.path()).unwrap(),
                entry.file_name().as_bytes()
            );
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 200);
        assert!((1..=40).contains(&sync.performed()), "{}", sync.performed());
    }

    #[test]
    fn a_failed_data_flush_fails_every_file_of_the_batch_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let folder = GroupSync::folder(dir.path());
        let data = DataFlush::Filesystem(GroupSync::filesystem(&dir.path().join("missing")));
        let files: [(&str, &[u8]); 2] = [("a.json", b"a"), ("b.json", b"b")];
        let results = write_durable_all(&folder, &data, &files);
        assert!(results.iter().all(Result::is_err), "{results:?}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        assert_eq!(folder.performed(), 0);
    }

    #[test]
    fn a_batch_flushed_file_by_file_lands_whole_with_one_folder_fsync() {
        let dir = tempfile::tempdir().unwrap();
        let folder = GroupSync::folder(dir.path());
        let files: [(&str, &[u8]); 3] = [("a.json", b"a"), ("b.json", b"bb"), ("c.json", b"")];
        for result in write_durable_all(&folder, &DataFlush::EachFile, &files) {
            result.unwrap();
        }
        for (name, bytes) in files {
            assert_eq!(fs::read(dir.path().join(name)).unwrap(), bytes);
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 3);
        assert_eq!(folder.performed(), 1);
    }

    #[test]
    fn a_failed_folder_fsync_is_reported_to_every_caller() {
        let dir = tempfile::tempdir().unwrap();
        let sync = GroupSync::folder(&dir.path().join("missing"));
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| assert!(sync.sync().is_err()));
            }
        });
        assert_eq!(sync.performed(), 4);
    }

    #[test]
    fn stale_temps_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(".ingestd-abc.tmp"), "").unwrap();
        fs::write(dir.path().join("keep.json"), "").unwrap();
        fs::write(dir.path().join("user.tmp"), "").unwrap();
        assert_eq!(remove_stale_temps(dir.path()).unwrap(), 1);
        assert!(dir.path().join("keep.json").exists() && dir.path().join("user.tmp").exists());
    }
}
