//! `ingestd replay`: moves files from `failed/` back into the inbox so the daemon tries them
//! again (after a plugin was fixed), and removes their `.error.json` reports.
//!
//! Never overwrites a file in the inbox: a name already there is left in `failed/` and
//! reported. Safe while the daemon runs: a file appears in the inbox by one atomic rename (or,
//! across filesystems, a hidden temp copy renamed into place), like any careful writer.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::fsutil;

/// Suffix of the error reports in `failed/`.
pub const REPORT_SUFFIX: &str = ".error.json";

/// Which failed files to replay.
#[derive(Debug, Clone)]
pub struct Selection {
    globs: Option<GlobSet>,
}

impl Selection {
    /// Every failed file.
    pub fn all() -> Self {
        Selection { globs: None }
    }

    /// Files whose name equals or matches one of `patterns` (shell globs: `*`, `?`, `[...]`).
    pub fn matching(patterns: &[String]) -> Result<Self, ReplayError> {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let glob = Glob::new(pattern).map_err(|source| ReplayError::Pattern {
                pattern: pattern.clone(),
                source,
            })?;
            builder.add(glob);
        }
        let globs = builder.build().map_err(|source| ReplayError::Pattern {
            pattern: patterns.join(" "),
            source,
        })?;
        Ok(Selection { globs: Some(globs) })
    }

    fn accepts(&self, name: &OsStr) -> bool {
        self.globs.as_ref().is_none_or(|g| g.is_match(name))
    }
}

/// What happened to one failed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replayed {
    /// Moved into the inbox (or would be, in a dry run); its report was removed.
    Moved {
        /// The file name.
        name: OsString,
        /// Whether an error report was removed with it.
        report: bool,
    },
    /// The inbox already holds a file of that name; nothing was touched.
    InboxTaken {
        /// The file name.
        name: OsString,
    },
}

/// Why replay could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// A name pattern is not a valid glob.
    #[error("bad pattern {pattern:?}: {source}")]
    Pattern {
        /// The pattern.
        pattern: String,
        /// The parser's message.
        source: globset::Error,
    },
    /// A folder or file could not be read or moved.
    #[error("cannot {what} {}: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
}

/// The failed source files (not reports, not temp files), sorted by name.
pub fn failed_files(failed: &Path) -> Result<Vec<OsString>, ReplayError> {
    let entries = match fs::read_dir(failed) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(ReplayError::Io {
                what: "list",
                path: failed.to_owned(),
                source,
            });
        }
    };
    let mut names: Vec<OsString> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name())
        .filter(|n| !is_report(n) && !n.as_bytes().starts_with(b"."))
        .collect();
    names.sort();
    Ok(names)
}

fn is_report(name: &OsStr) -> bool {
    name.as_bytes().ends_with(REPORT_SUFFIX.as_bytes())
}

fn report_path(failed: &Path, name: &OsStr) -> PathBuf {
    let mut report = name.to_os_string();
    report.push(REPORT_SUFFIX);
    failed.join(report)
}

/// Moves the selected failed files into `inbox`; with `dry_run`, only says what it would do.
pub fn replay(
    failed: &Path,
    inbox: &Path,
    selection: &Selection,
    dry_run: bool,
) -> Result<Vec<Replayed>, ReplayError> {
    let mut done = Vec::new();
    for name in failed_files(failed)? {
        if !selection.accepts(&name) {
            continue;
        }
        let source = failed.join(&name);
        let target = inbox.join(&name);
        let report = report_path(failed, &name);
        let has_report = report.is_file();
        if target.symlink_metadata().is_ok() {
            done.push(Replayed::InboxTaken { name });
            continue;
        }
        if !dry_run {
            match move_noclobber(&source, inbox, &target) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    done.push(Replayed::InboxTaken { name });
                    continue;
                }
                Err(source) => {
                    return Err(ReplayError::Io {
                        what: "move",
                        path: failed.join(&name),
                        source,
                    });
                }
            }
            // The source moved first: a crash here leaves a stale report, never a failed file
            // without its reason.
            if has_report {
                fs::remove_file(&report).map_err(|source| ReplayError::Io {
                    what: "remove",
                    path: report.clone(),
                    source,
                })?;
            }
        }
        done.push(Replayed::Moved {
            name,
            report: has_report,
        });
    }
    Ok(done)
}

/// Renames `source` to `target` without replacing it; across filesystems, copies to a hidden
/// temp name in `inbox` (ignored by the daemon) and renames that into place.
fn move_noclobber(source: &Path, inbox: &Path, target: &Path) -> io::Result<()> {
    match fsutil::rename_noreplace(source, target) {
        Err(e) if e.raw_os_error() == Some(libc::EXDEV) => {
            let temp = tempfile::Builder::new()
                .prefix(fsutil::TEMP_PREFIX)
                .suffix(fsutil::TEMP_SUFFIX)
                .tempfile_in(inbox)?;
            fs::copy(source, temp.path())?;
            temp.as_file().sync_all()?;
            let (_, temp_path) = temp.keep().map_err(|e| e.error)?;
            if let Err(e) = fsutil::rename_noreplace(&temp_path, target) {
                let _ = fs::remove_file(&temp_path);
                return Err(e);
            }
            fs::remove_file(source)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let failed = dir.path().join("failed");
        let inbox = dir.path().join("inbox");
        fs::create_dir_all(&failed).unwrap();
        fs::create_dir_all(&inbox).unwrap();
        for name in ["a.txt", "b.md", "c.txt"] {
            fs::write(failed.join(name), name).unwrap();
            fs::write(failed.join(format!("{name}{REPORT_SUFFIX}")), "{}").unwrap();
        }
        (dir, failed, inbox)
    }

    #[test]
    fn selected_files_move_with_their_reports_gone_and_the_inbox_is_never_clobbered() {
        let (_dir, failed, inbox) = setup();
        fs::write(inbox.join("c.txt"), "newer").unwrap();
        let selection = Selection::matching(&["*.txt".into()]).unwrap();
        let done = replay(&failed, &inbox, &selection, false).unwrap();
        assert_eq!(
            done,
            vec![
                Replayed::Moved {
                    name: "a.txt".into(),
                    report: true
                },
                Replayed::InboxTaken {
                    name: "c.txt".into()
                },
            ]
        );
        assert_eq!(fs::read_to_string(inbox.join("a.txt")).unwrap(), "a.txt");
        assert_eq!(fs::read_to_string(inbox.join("c.txt")).unwrap(), "newer");
        assert!(!failed.join("a.txt.error.json").exists());
        assert!(failed.join("c.txt.error.json").exists());
        assert_eq!(failed_files(&failed).unwrap(), vec!["b.md", "c.txt"]);
    }

    #[test]
    fn a_dry_run_moves_nothing() {
        let (_dir, failed, inbox) = setup();
        let done = replay(&failed, &inbox, &Selection::all(), true).unwrap();
        assert_eq!(done.len(), 3);
        assert_eq!(failed_files(&failed).unwrap().len(), 3);
        assert_eq!(fs::read_dir(&inbox).unwrap().count(), 0);
    }

    #[test]
    fn a_bad_pattern_is_refused() {
        assert!(Selection::matching(&["[".into()]).is_err());
    }
}
