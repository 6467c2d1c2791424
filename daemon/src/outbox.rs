//! Writing normalized documents into the outbox, atomically and idempotently.
//!
//! The file name is `<id>.json`, where the id is a hash of the source bytes: processing the
//! same file again (after a crash, or a replay) targets the same name. If the file there
//! already holds the same document (timings aside), it is left untouched, so a replay is
//! byte-identical. [`Outbox`] is the writer the workers share: with fsync on, their folder
//! fsyncs are group-committed ([`fsutil::DirSync`]).

use std::io;
use std::path::{Path, PathBuf};

use ingestd_sdk::Document;

use crate::fsutil;

/// What writing a document did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// A new or changed file was written.
    New(PathBuf),
    /// An identical document was already there.
    Unchanged(PathBuf),
}

/// The outbox file name of a document id. Ids are produced by the host (hex) and checked to be
/// unchanged by every plugin; anything else is refused rather than used as a path.
pub fn file_name(id: &str) -> io::Result<String> {
    if id.is_empty() || id.len() > 128 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "document id is not a hex id",
        ));
    }
    Ok(format!("{id}.json"))
}

/// Serializes a document as the outbox writes it (pretty JSON, trailing newline).
pub fn to_bytes(doc: &Document) -> io::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(doc).map_err(io::Error::other)?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn same_except_timings(existing: &[u8], doc: &Document) -> bool {
    let Ok(mut old) = serde_json::from_slice::<Document>(existing) else {
        return false;
    };
    let mut new = doc.clone();
    old.trace.iter_mut().for_each(|t| t.micros = 0);
    new.trace.iter_mut().for_each(|t| t.micros = 0);
    old == new
}

/// The outbox writer shared by all workers.
#[derive(Debug)]
pub struct Outbox {
    dir: PathBuf,
    /// The folder's group commit; `None` when fsync is off.
    durable: Option<fsutil::DirSync>,
}

impl Outbox {
    /// A writer into `dir`; `fsync` makes every document durable before `write` returns.
    pub fn new(dir: &Path, fsync: bool) -> Self {
        Outbox {
            dir: dir.to_owned(),
            durable: fsync.then(|| fsutil::DirSync::new(dir)),
        }
    }

    /// Writes a document as `outbox/<id>.json` (temp file, fdatasync, rename, folder fsync
    /// shared with concurrent writers).
    pub fn write(&self, doc: &Document) -> io::Result<Written> {
        let name = file_name(&doc.id)?;
        let target = self.dir.join(&name);
        if let Ok(existing) = std::fs::read(&target) {
            if same_except_timings(&existing, doc) {
                return Ok(Written::Unchanged(target));
            }
        }
        let bytes = to_bytes(doc)?;
        match &self.durable {
            Some(sync) => fsutil::write_durable(sync, &name, &bytes),
            None => fsutil::write_atomic(&self.dir, &name, &bytes, false),
        }
        .map(Written::New)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ingestd_sdk::TraceEntry;

    fn doc(title: &str, micros: u64) -> Document {
        Document {
            id: "0123456789abcdef".into(),
            title: Some(title.into()),
            trace: vec![TraceEntry {
                plugin: "p".into(),
                version: "1".into(),
                status: "ok".into(),
                micros,
            }],
            ..Document::default()
        }
    }

    #[test]
    fn a_replay_leaves_the_file_byte_identical() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::new(dir.path(), false);
        let first = outbox.write(&doc("A", 10)).unwrap();
        let Written::New(path) = first else {
            panic!("{first:?}")
        };
        let before = std::fs::read(&path).unwrap();
        let again = outbox.write(&doc("A", 99)).unwrap();
        assert_eq!(again, Written::Unchanged(path.clone()));
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(matches!(
            outbox.write(&doc("B", 1)).unwrap(),
            Written::New(_)
        ));
    }

    #[test]
    fn the_durable_writer_writes_and_replays_the_same_way() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::new(dir.path(), true);
        let Written::New(path) = outbox.write(&doc("A", 1)).unwrap() else {
            panic!("not new")
        };
        assert_eq!(
            outbox.write(&doc("A", 2)).unwrap(),
            Written::Unchanged(path.clone())
        );
        let written: Document = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(written.title.as_deref(), Some("A"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn ids_that_are_not_plain_are_refused_as_names() {
        assert!(file_name("../../etc/passwd").is_err());
        assert!(file_name("").is_err());
        assert!(file_name("a\nb").is_err());
        assert_eq!(file_name("abc123").unwrap(), "abc123.json");
    }
}
