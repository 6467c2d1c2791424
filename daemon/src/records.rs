//! Where finished sources go: `failed/` with a `<name>.error.json` report, the archive, and the
//! skip log (`<state>/skipped.jsonl`).

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use ingestd_sdk::TraceEntry;
use serde::Serialize;

use crate::fsutil;

/// Whether a failure is the article's fault or ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureClass {
    /// The file is not a usable article (binary, empty, too large, undecodable, a link).
    BadInput,
    /// A plugin failed, panicked or broke the protocol.
    Plugin,
    /// The daemon itself failed (I/O on its own folders, retries exhausted).
    Internal,
}

/// The content of `failed/<name>.error.json`.
#[derive(Debug, Clone, Serialize)]
pub struct FailureReport {
    /// Original file name (lossy UTF-8).
    pub file: String,
    /// What went wrong, for people.
    pub error: String,
    /// Machine-readable code (`binary`, `too_large`, `panic`, ...).
    pub code: String,
    /// Bad input, plugin, or internal.
    pub class: FailureClass,
    /// The plugin that failed, if any.
    pub plugin: Option<String>,
    /// The plugins that ran before the failure, with timings.
    pub trace: Vec<TraceEntry>,
    /// When it failed (RFC 3339).
    pub time: String,
    /// Size of the source in bytes, when known.
    pub size: Option<u64>,
    /// Attempts made.
    pub attempts: u32,
    /// The daemon version.
    pub ingestd_version: &'static str,
    /// Identity of the claimed file (device and inode), set when the report is written: a
    /// replay after a crash between writing the report and moving the source recognises
    /// its own report and reuses that name instead of leaving a stale one behind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
}

/// Longest error message kept in a report: reports never echo unbounded input.
const MAX_ERROR_CHARS: usize = 4096;

impl FailureReport {
    /// A report with the common fields filled in.
    pub fn new(file: &OsStr, error: &str, code: &str, class: FailureClass) -> Self {
        let mut error = error.to_owned();
        if error.chars().count() > MAX_ERROR_CHARS {
            error = error.chars().take(MAX_ERROR_CHARS).collect::<String>() + "… [cut]";
        }
        FailureReport {
            file: file.to_string_lossy().into_owned(),
            error,
            code: code.to_owned(),
            class,
            plugin: None,
            trace: Vec::new(),
            time: now_rfc3339(),
            size: None,
            attempts: 1,
            ingestd_version: env!("CARGO_PKG_VERSION"),
            claim: None,
        }
    }
}

/// Current time, RFC 3339 with milliseconds.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

fn report_name(name: &OsStr) -> OsString {
    let mut report = name.to_os_string();
    report.push(crate::ops::replay::REPORT_SUFFIX);
    report
}

/// `device-inode` of a file: stable across the renames of a claim.
fn claim_identity(path: &Path) -> io::Result<String> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::symlink_metadata(path)?;
    Ok(format!("{:x}-{:x}", meta.dev(), meta.ino()))
}

/// True if the report at `path` was written for this very claim (by an interrupted attempt).
fn report_of_claim(path: &Path, claim: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Claimed {
        claim: Option<String>,
    }
    fs::read(path)
        .ok()
        .filter(|bytes| bytes.len() < 1 << 20)
        .and_then(|bytes| serde_json::from_slice::<Claimed>(&bytes).ok())
        .is_some_and(|r| r.claim.as_deref() == Some(claim))
}

/// Moves a source into `failed/` next to its error report; returns the source's new path.
///
/// The report is written first, so a crash never leaves a failed source without a reason; a
/// name already taken in `failed/` gets a `.N` suffix, the same for source and report. A
/// report left by an interrupted attempt on the same claim is replaced, not duplicated.
pub fn move_to_failed(
    source: &Path,
    failed_dir: &Path,
    name: &OsStr,
    report: &FailureReport,
    fsync: bool,
) -> io::Result<PathBuf> {
    let claim = claim_identity(source)?;
    let report = FailureReport {
        claim: Some(claim.clone()),
        ..report.clone()
    };
    let json = serde_json::to_vec_pretty(&report).map_err(io::Error::other)?;
    for n in 0u64.. {
        let candidate = if n == 0 {
            name.to_os_string()
        } else {
            fsutil::numbered(name, n)
        };
        let target = failed_dir.join(&candidate);
        let report_path = failed_dir.join(report_name(&candidate));
        if target.symlink_metadata().is_ok() {
            continue;
        }
        let ours = report_path.symlink_metadata().is_ok();
        if ours && !report_of_claim(&report_path, &claim) {
            continue;
        }
        // A unique temp file, published under the report name only if that name is free.
        let mut temp = tempfile::Builder::new()
            .prefix(fsutil::TEMP_PREFIX)
            .suffix(fsutil::TEMP_SUFFIX)
            .tempfile_in(failed_dir)?;
        temp.write_all(&json)?;
        if fsync {
            temp.as_file().sync_all()?;
        }
        let published = if ours {
            temp.persist(&report_path).map(drop)
        } else {
            temp.persist_noclobber(&report_path).map(drop)
        };
        if let Err(e) = published {
            if e.error.kind() == io::ErrorKind::AlreadyExists {
                continue;
            }
            return Err(e.error);
        }
        match fsutil::rename_noreplace(source, &target) {
            Ok(()) => {
                if fsync {
                    fsutil::fsync_dir(failed_dir)?;
                }
                return Ok(target);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let _ = fs::remove_file(&report_path);
                continue;
            }
            Err(e) => {
                let _ = fs::remove_file(&report_path);
                return Err(e);
            }
        }
    }
    Err(io::Error::other("no free name in the failed folder"))
}

/// Appends skip records (one JSON object per line) to `<state>/skipped.jsonl`.
#[derive(Debug)]
pub struct SkipLog {
    path: PathBuf,
    lock: Mutex<()>,
}

/// One skipped document.
#[derive(Debug, Serialize)]
pub struct SkipRecord<'a> {
    /// When.
    pub time: String,
    /// Original file name.
    pub file: String,
    /// Document id.
    pub id: &'a str,
    /// The plugin that skipped it.
    pub plugin: &'a str,
    /// Its reason.
    pub reason: &'a str,
    /// Where the source went (`archive/...`), or null when deleted.
    pub source_now: Option<String>,
}

impl SkipLog {
    /// A skip log in the state folder.
    pub fn new(state_dir: &Path) -> Self {
        SkipLog {
            path: state_dir.join("skipped.jsonl"),
            lock: Mutex::new(()),
        }
    }

    /// Appends one record, as a single write.
    pub fn append(&self, record: &SkipRecord<'_>) -> io::Result<()> {
        let mut line = serde_json::to_vec(record).map_err(io::Error::other)?;
        line.push(b'\n');
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        file.write_all(&line)?;
        file.sync_data()
    }
}

/// Lossy display of a file name for logs, with control characters escaped.
pub fn display_name(name: &OsStr) -> String {
    let lossy = String::from_utf8_lossy(name.as_bytes());
    lossy.escape_debug().to_string()
}

/// Text from input or plugins made safe for a log line: control characters (newlines,
/// terminal escapes) are escaped, so no input can forge or garble log lines.
pub fn log_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_files_get_a_report_with_a_matching_name() {
        let dir = tempfile::tempdir().unwrap();
        let failed = dir.path().join("failed");
        fs::create_dir(&failed).unwrap();
        for i in 0..2 {
            let src = dir.path().join("bad.bin");
            fs::write(&src, [i]).unwrap();
            let report = FailureReport::new(
                OsStr::new("bad.bin"),
                "binary",
                "binary",
                FailureClass::BadInput,
            );
            move_to_failed(&src, &failed, OsStr::new("bad.bin"), &report, false).unwrap();
        }
        for name in [
            "bad.bin",
            "bad.bin.error.json",
            "bad.bin.1",
            "bad.bin.1.error.json",
        ] {
            assert!(failed.join(name).exists(), "{name}");
        }
        let report: serde_json::Value =
            serde_json::from_slice(&fs::read(failed.join("bad.bin.error.json")).unwrap()).unwrap();
        assert_eq!(report["class"], "bad_input");
        assert_eq!(
            fs::read_dir(&failed).unwrap().count(),
            4,
            "no temp file left"
        );
    }

    #[test]
    fn a_report_left_by_an_interrupted_attempt_is_reused_not_duplicated() {
        let dir = tempfile::tempdir().unwrap();
        let failed = dir.path().join("failed");
        fs::create_dir(&failed).unwrap();
        let src = dir.path().join("bad.bin");
        fs::write(&src, [0]).unwrap();
        let report = FailureReport::new(
            OsStr::new("bad.bin"),
            "binary",
            "binary",
            FailureClass::BadInput,
        );
        // A crash after the report was written, before the source moved: simulate it.
        let stale = FailureReport {
            claim: Some(claim_identity(&src).unwrap()),
            ..report.clone()
        };
        fs::write(
            failed.join("bad.bin.error.json"),
            serde_json::to_vec(&stale).unwrap(),
        )
        .unwrap();
        // Someone else's report under another name stays untouched.
        fs::write(failed.join("other.error.json"), b"{}").unwrap();
        let moved = move_to_failed(&src, &failed, OsStr::new("bad.bin"), &report, false).unwrap();
        assert_eq!(moved, failed.join("bad.bin"));
        let mut names: Vec<String> = fs::read_dir(&failed)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["bad.bin", "bad.bin.error.json", "other.error.json"]);

        // A report of another file under the same name is never replaced (the new file is
        // created while the old one still exists, so their inodes differ).
        let src2 = dir.path().join("bad.bin");
        fs::write(&src2, [1]).unwrap();
        fs::remove_file(failed.join("bad.bin")).unwrap();
        let moved = move_to_failed(&src2, &failed, OsStr::new("bad.bin"), &report, false).unwrap();
        assert_eq!(moved, failed.join("bad.bin.1"));
    }

    #[test]
    fn long_errors_are_cut() {
        let long = "x".repeat(100_000);
        let report = FailureReport::new(OsStr::new("a"), &long, "c", FailureClass::Plugin);
        assert!(report.error.len() < 5000);
    }

    #[test]
    fn names_with_control_characters_are_escaped_for_logs() {
        assert_eq!(display_name(OsStr::new("a\nb")), "a\\nb");
        assert_eq!(display_name(OsStr::from_bytes(b"caf\xe9")), "caf\u{fffd}");
        assert_eq!(log_safe("fine \"text\""), "fine \"text\"");
        assert_eq!(log_safe("a\nb\x1b[31m"), "a\\nb\\u{1b}[31m");
    }

    #[test]
    fn skip_records_are_json_lines() {
        let dir = tempfile::tempdir().unwrap();
        let log = SkipLog::new(dir.path());
        for id in ["a", "b"] {
            log.append(&SkipRecord {
                time: now_rfc3339(),
                file: "f".into(),
                id,
                plugin: "dedup",
                reason: "exact duplicate",
                source_now: None,
            })
            .unwrap();
        }
        let text = fs::read_to_string(dir.path().join("skipped.jsonl")).unwrap();
        assert_eq!(text.lines().count(), 2);
    }
}
