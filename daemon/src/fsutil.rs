//! File-system primitives with the guarantees the daemon promises: atomic writes, moves that
//! never overwrite, and fsyncs of the folders that hold renamed files.

use std::ffi::{CString, OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

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
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    if fsync {
        temp.as_file().sync_all()?;
    }
    let target = dir.join(name);
    temp.persist(&target).map_err(|e| e.error)?;
    if fsync {
        fsync_dir(dir)?;
    }
    Ok(target)
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
    fn stale_temps_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(".ingestd-abc.tmp"), "").unwrap();
        fs::write(dir.path().join("keep.json"), "").unwrap();
        fs::write(dir.path().join("user.tmp"), "").unwrap();
        assert_eq!(remove_stale_temps(dir.path()).unwrap(), 1);
        assert!(dir.path().join("keep.json").exists() && dir.path().join("user.tmp").exists());
    }
}
