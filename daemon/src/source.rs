//! Reading a source file safely: never follows a symlink, never blocks on a FIFO, refuses
//! special files and oversized files without reading them, and turns the bytes into the
//! initial document.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;
use std::time::SystemTime;

use ingestd_sdk::Document;
use ingestd_sdk::text::DecodeError;

/// Why a source could not become a document. All of these are "bad input": the file goes to
/// `failed/` with this message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// A symbolic link; links are never followed (they could point outside the inbox).
    #[error(
        "the file is a symbolic link; links are never followed (copy the file into the inbox instead)"
    )]
    Symlink,
    /// A FIFO, socket, device or directory.
    #[error("the file is not a regular file ({0}); only regular files are read")]
    NotRegular(&'static str),
    /// Over the configured size limit.
    #[error(
        "the file is {size} bytes, over the limit of {limit} bytes (processing.max_file_bytes); not read"
    )]
    TooLarge {
        /// Size of the file.
        size: u64,
        /// The configured limit.
        limit: u64,
    },
    /// The daemon may not read it.
    #[error("the file cannot be read: permission denied")]
    PermissionDenied,
    /// The bytes are not a text article.
    #[error("{0}")]
    Decode(#[from] DecodeError),
    /// Another I/O error while reading.
    #[error("the file cannot be read: {0}")]
    Io(io::Error),
}

impl SourceError {
    /// A short machine-readable code for the error report.
    pub fn code(&self) -> &'static str {
        match self {
            SourceError::Symlink => "symlink",
            SourceError::NotRegular(_) => "not_regular_file",
            SourceError::TooLarge { .. } => "too_large",
            SourceError::PermissionDenied => "permission_denied",
            SourceError::Decode(DecodeError::Empty) => "empty",
            SourceError::Decode(DecodeError::Binary(_)) => "binary",
            SourceError::Decode(_) => "undecodable",
            SourceError::Io(_) => "io",
        }
    }
}

fn kind_name(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_block_device() || file_type.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

/// The bytes of a source file and when it arrived.
#[derive(Debug)]
pub struct SourceBytes {
    /// The whole file.
    pub bytes: Vec<u8>,
    /// Its modification time.
    pub mtime: Option<SystemTime>,
}

/// Reads a source file with the safety rules above.
pub fn read_source(path: &Path, max_bytes: u64) -> Result<SourceBytes, SourceError> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => SourceError::Symlink,
            Some(libc::EACCES) | Some(libc::EPERM) => SourceError::PermissionDenied,
            Some(libc::ENXIO) => SourceError::NotRegular("a socket or FIFO"),
            _ => SourceError::Io(e),
        })?;
    let meta = file.metadata().map_err(SourceError::Io)?;
    if !meta.file_type().is_file() {
        return Err(SourceError::NotRegular(kind_name(meta.file_type())));
    }
    if meta.len() > max_bytes {
        return Err(SourceError::TooLarge {
            size: meta.len(),
            limit: max_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // Read at most one byte past the limit, in case the file grew since fstat.
    (&file as &File)
        .take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(SourceError::Io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(SourceError::TooLarge {
            size: bytes.len() as u64,
            limit: max_bytes,
        });
    }
    Ok(SourceBytes {
        bytes,
        mtime: meta.modified().ok(),
    })
}

/// RFC 3339 (UTC, seconds) of a time, or of the Unix epoch when unknown.
pub fn rfc3339(time: Option<SystemTime>) -> String {
    humantime::format_rfc3339_seconds(time.unwrap_or(SystemTime::UNIX_EPOCH)).to_string()
}

/// Builds the initial document for a source (name as shown in the document).
pub fn document_from(name: &str, source: &SourceBytes) -> Result<Document, SourceError> {
    Ok(Document::from_source(
        name,
        &source.bytes,
        &rfc3339(source.mtime),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn reads_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "Title\n\nBody.").unwrap();
        let source = read_source(&path, 1000).unwrap();
        let doc = document_from("a.txt", &source).unwrap();
        assert_eq!(doc.raw.as_deref(), Some("Title\n\nBody."));
        assert!(doc.source.received.ends_with('Z'));
    }

    #[test]
    fn refuses_symlinks_fifos_directories_and_big_files() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.txt");
        std::fs::write(&target, "x".repeat(100)).unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink("/etc/passwd", &link).unwrap();
        assert!(matches!(
            read_source(&link, 1000),
            Err(SourceError::Symlink)
        ));

        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: valid path string.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        assert!(matches!(
            read_source(&fifo, 1000),
            Err(SourceError::NotRegular("a FIFO"))
        ));

        assert!(matches!(
            read_source(dir.path(), 1000),
            Err(SourceError::NotRegular(_))
        ));
        let err = read_source(&target, 10).unwrap_err();
        assert!(
            matches!(
                err,
                SourceError::TooLarge {
                    size: 100,
                    limit: 10
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn unreadable_file_is_permission_denied() {
        if unsafe { libc::geteuid() } == 0 {
            eprintln!("skipped: running as root, which can read any file");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.txt");
        std::fs::write(&path, "x").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
        assert!(matches!(
            read_source(&path, 10),
            Err(SourceError::PermissionDenied)
        ));
    }
}
