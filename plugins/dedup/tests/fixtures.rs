//! Fixture tests: files of `tests/fixtures/stream/` against `tests/fixtures/expected.json`, and
//! the repository's sample articles (real text) as originals, copies and excerpts.

// Helpers of a test crate: a panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use dedup::{Config, Dedup, store::MemoryStore};
use ingestd_sdk::{Document, Host, Plugin};

fn plugin() -> Dedup {
    Dedup::with_store(
        Config::default(),
        Host::detached(),
        Box::new(MemoryStore::new()),
    )
    .unwrap()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A document as the host would build it from a file, with the text as its body.
fn document(name: &str, bytes: &[u8]) -> Document {
    let mut doc = ingestd_sdk::testing::sample_document(name, &String::from_utf8_lossy(bytes));
    doc.body = doc.raw.take().unwrap_or_default();
    doc
}

#[test]
fn stream_matches_expected() {
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("expected.json")).unwrap()).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures().join("stream"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), expected["expected"].as_object().unwrap().len());
    let plugin = plugin();
    let mut name_of_id = HashMap::new();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut doc = document(&name, &std::fs::read(&path).unwrap());
        name_of_id.insert(doc.id.clone(), name.clone());
        plugin.process(&mut doc).unwrap();
        let info = doc.dedup.unwrap();
        let want = &expected["expected"][&name];
        assert_eq!(
            info.kind.as_deref(),
            want["kind"].as_str(),
            "{name}: {info:?}"
        );
        let of = info.duplicate_of.map(|id| name_of_id[&id].clone());
        assert_eq!(of.as_deref(), want["duplicate_of"].as_str(), "{name}");
    }
}

#[test]
fn real_samples_are_distinct_and_their_copies_and_excerpts_are_found() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/samples");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: no samples at {}", dir.display());
        return;
    };
    let mut samples: Vec<(String, Vec<u8>)> = entries
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    samples.sort();
    let plugin = plugin();
    let mut ids = Vec::new();
    for (name, bytes) in &samples {
        let mut doc = document(name, bytes);
        plugin.process(&mut doc).unwrap();
        assert_eq!(doc.dedup.as_ref().unwrap().duplicate_of, None, "{name}");
        ids.push(doc.id);
    }
    for ((name, bytes), id) in samples.iter().zip(&ids) {
        let text = String::from_utf8_lossy(bytes);
        // A copy with other line endings: exact.
        let mut copy = document(
            &format!("copy-{name}"),
            text.replace('\n', "\r\n").as_bytes(),
        );
        plugin.process(&mut copy).unwrap();
        let info = copy.dedup.unwrap();
        assert_eq!(
            (info.kind.as_deref(), info.duplicate_of.as_ref()),
            (Some("exact"), Some(id))
        );
        // The same article without its last two paragraphs: near.
        let paragraphs: Vec<&str> = text.split("\n\n").collect();
        let cut = paragraphs[..paragraphs.len() - 2].join("\n\n");
        let mut excerpt = document(&format!("cut-{name}"), cut.as_bytes());
        plugin.process(&mut excerpt).unwrap();
        let info = excerpt.dedup.unwrap();
        assert_eq!(
            (info.kind.as_deref(), info.duplicate_of.as_ref()),
            (Some("near"), Some(id)),
            "{name}"
        );
    }
}
