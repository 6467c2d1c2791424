//! Writing normalized documents into the outbox, atomically and idempotently.
//!
//! The file name is `<id>.json`, where the id is a hash of the source bytes: processing the
//! same file again (after a crash, or a replay) targets the same name. If the file there
//! already holds the same document (timings aside), it is left untouched, so a replay is
//! byte-identical. [`Outbox`] is the writer the disk threads share: with fsync on, the
//! flushes of a batch of documents, and of concurrent batches, are shared
//! ([`fsutil::write_durable_all`]).

use std::io;
use std::path::{Path, PathBuf};

use ingestd_sdk::Document;

use crate::fsutil;
use crate::settings::SyncScope;

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

/// A document serialized for the outbox, ready to be written. Made on the CPU threads, so
/// that what waits for the disk is a buffer of the file's size, not the whole document.
#[derive(Debug)]
pub struct Serialized {
    /// The document's id.
    pub id: String,
    /// Its title (for the log line), if it has one.
    pub title: Option<String>,
    file_name: String,
    bytes: Vec<u8>,
}

impl Serialized {
    /// Serializes `doc`; fails if its id cannot be a file name.
    pub fn new(doc: &Document) -> io::Result<Self> {
        Ok(Serialized {
            file_name: file_name(&doc.id)?,
            bytes: to_bytes(doc)?,
            id: doc.id.clone(),
            title: doc.title.clone(),
        })
    }
}

/// True if `existing` holds the same document as `new`, timings aside.
fn same_except_timings(existing: &[u8], new: &[u8]) -> bool {
    let parse = |bytes: &[u8]| {
        serde_json::from_slice::<Document>(bytes)
            .ok()
            .map(|mut doc| {
                doc.trace.iter_mut().for_each(|t| t.micros = 0);
                doc
            })
    };
    match (parse(existing), parse(new)) {
        (Some(old), Some(new)) => old == new,
        _ => false,
    }
}

/// The outbox writer shared by all workers.
#[derive(Debug)]
pub struct Outbox {
    dir: PathBuf,
    /// The group commits of the folder and of the files' data; `None` when fsync is off.
    durable: Option<(fsutil::GroupSync, fsutil::DataFlush)>,
}

impl Outbox {
    /// A writer into `dir`; `fsync` makes every document durable before `write` returns,
    /// flushing the files' data as `scope` says.
    pub fn new(dir: &Path, fsync: bool, scope: SyncScope) -> Self {
        let data = match scope {
            SyncScope::Filesystem => {
                fsutil::DataFlush::Filesystem(fsutil::GroupSync::filesystem(dir))
            }
            SyncScope::File => fsutil::DataFlush::EachFile,
        };
        Outbox {
            dir: dir.to_owned(),
            durable: fsync.then(|| (fsutil::GroupSync::folder(dir), data)),
        }
    }

    /// Writes a document as `outbox/<id>.json` (see [`Outbox::write_all`]).
    pub fn write(&self, doc: &Document) -> io::Result<Written> {
        let serialized = Serialized::new(doc)?;
        self.write_all(std::slice::from_ref(&serialized))
            .pop()
            .unwrap_or_else(|| Err(io::Error::other("no result for the document")))
    }

    /// Writes documents as `outbox/<id>.json`, each atomically (temp file, rename); with
    /// fsync on, all of them durable through one shared flush of their data and one of the
    /// folder ([`fsutil::write_durable_all`]). A file that already holds the same document
    /// is left untouched. One result per document, in order.
    pub fn write_all(&self, docs: &[Serialized]) -> Vec<io::Result<Written>> {
        let mut results: Vec<Option<io::Result<Written>>> = Vec::with_capacity(docs.len());
        let mut new = Vec::with_capacity(docs.len());
        for doc in docs {
            let target = self.dir.join(&doc.file_name);
            match std::fs::read(&target) {
                Ok(existing) if same_except_timings(&existing, &doc.bytes) => {
                    results.push(Some(Ok(Written::Unchanged(target))));
                }
                _ => {
                    results.push(None);
                    new.push((doc.file_name.as_str(), doc.bytes.as_slice()));
                }
            }
        }
        let mut written = match &self.durable {
            Some((folder, data)) => fsutil::write_durable_all(folder, data, &new),
            None => new
                .iter()
                .map(|(name, bytes)| fsutil::write_atomic(&self.dir, name, bytes, false))
                .collect(),
        }
        .into_iter();
        results
            .into_iter()
            .map(|result| match result {
                Some(unchanged) => unchanged,
                None => written
                    .next()
                    .unwrap_or_else(|| Err(io::Error::other("no result for the document")))
                    .map(Written::New),
            })
            .collect()
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
        let outbox = Outbox::new(dir.path(), false, SyncScope::Filesystem);
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
        for scope in [SyncScope::Filesystem, SyncScope::File] {
            let dir = tempfile::tempdir().unwrap();
            let outbox = Outbox::new(dir.path(), true, scope);
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
    }

    #[test]
    fn a_batch_gives_one_result_per_document_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::new(dir.path(), true, SyncScope::Filesystem);
        let with_id = |id: &str, title: &str| Document {
            id: id.into(),
            ..doc(title, 5)
        };
        outbox.write(&with_id("b2", "kept")).unwrap();
        let batch: Vec<Serialized> = [
            with_id("a1", "new"),
            with_id("b2", "kept"),
            with_id("c3", "new"),
        ]
        .iter()
        .map(|d| Serialized::new(d).unwrap())
        .collect();
        let results: Vec<Written> = outbox
            .write_all(&batch)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            results,
            vec![
                Written::New(dir.path().join("a1.json")),
                Written::Unchanged(dir.path().join("b2.json")),
                Written::New(dir.path().join("c3.json")),
            ]
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
    }

    #[test]
    fn ids_that_are_not_plain_are_refused_as_names() {
        assert!(file_name("../../etc/passwd").is_err());
        assert!(file_name("").is_err());
        assert!(file_name("a\nb").is_err());
        assert_eq!(file_name("abc123").unwrap(), "abc123.json");
    }
}
