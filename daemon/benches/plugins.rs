//! Criterion benches: each bundled plugin's per-document cost through the real ABI (the chain
//! of the bundled config, then the three outlet plugins on their own), and the ABI crossing
//! alone (a pass-through plugin that reads every field, on a finished document).
//!
//! Needs release builds of the plugins in the same target folder as the bench: `cargo build
//! --release --workspace && cargo bench -p ingestd --bench plugins` (with `CARGO_TARGET_DIR`
//! set, both use it). The bundled chain's `target/release/lib*.so` paths are read from that
//! folder; plugins not built there are left out with a note. Each plugin is measured on the
//! documents as they reach it (the output of the plugins before it in the bundled chain),
//! built from the sample articles.

#![allow(missing_docs)] // criterion's macros generate undocumented items

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use ingestd::plugin_host::{Chain, ChainOutcome};
use ingestd::settings::{self, ChainEntry, Overrides, Settings};
use ingestd_sdk::Document;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn sample_documents() -> Vec<Document> {
    let mut docs = Vec::new();
    let Ok(entries) = std::fs::read_dir(repo().join("fixtures/samples")) else {
        return docs;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Ok(bytes) = std::fs::read(entry.path()) {
            if let Ok(doc) = Document::from_source(&name, &bytes, "2024-01-01T00:00:00Z") {
                docs.push(doc);
            }
        }
    }
    docs
}

/// The folder holding this bench's profile outputs (`<target>/release`): the bench binary runs
/// from `<target>/release/deps`.
fn profile_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent()?.parent().map(PathBuf::from))
        .unwrap_or_else(|| repo().join("target/release"))
}

fn chain_of(base: &Settings, entries: &[ChainEntry]) -> Option<Chain> {
    let mut s = base.clone();
    s.chain = entries.to_vec();
    Chain::build(&s, false)
        .map_err(|e| eprintln!("skipped: {e}"))
        .ok()
}

fn run(chain: &Chain, docs: &[Document]) -> Vec<Document> {
    docs.iter()
        .filter_map(|d| match chain.run(d.clone()) {
            ChainOutcome::Done(out) => Some(*out),
            _ => None,
        })
        .collect()
}

fn bench_plugins(c: &mut Criterion) {
    let config = repo().join("config/ingestd.toml");
    let Ok(mut base) = settings::load(Some(&config), &Overrides::default()) else {
        eprintln!("skipped: cannot read {}", config.display());
        return;
    };
    let state = std::env::temp_dir().join(format!("ingestd-bench-state-{}", std::process::id()));
    base.paths.state = state.clone();
    let release = profile_dir();
    for entry in &mut base.chain {
        if entry.path.starts_with("target") {
            if let Some(file) = entry.path.file_name() {
                entry.path = release.join(file);
            }
        } else if entry.path.is_relative() {
            entry.path = repo().join(&entry.path);
        }
    }
    for missing in base.chain.iter().filter(|e| !e.path.exists()) {
        eprintln!(
            "left out (not built; `cargo build --release --workspace`): {}",
            missing.path.display()
        );
    }
    base.chain.retain(|e| e.path.exists());
    if base.chain.is_empty() {
        eprintln!(
            "skipped: no plugin of the bundled chain is built in {}",
            release.display()
        );
        return;
    }
    let docs = sample_documents();
    let mut inputs = docs.clone();
    let mut group = c.benchmark_group("plugin_per_document");
    for (i, entry) in base.chain.clone().iter().enumerate() {
        let Some(single) = chain_of(&base, std::slice::from_ref(entry)) else {
            return;
        };
        let label = single
            .labels()
            .first()
            .map(|s| (*s).to_owned())
            .unwrap_or_else(|| format!("stage{i}"));
        // Dedup remembers what it saw: every iteration after the first sees duplicates, which
        // is its common case on a real stream as well.
        group.bench_function(label, |b| b.iter(|| run(&single, &inputs)));
        inputs = run(&single, &inputs);
    }
    // The outlet plugins on their own (the bundled chain runs their rules inside cleanup),
    // on the raw sample documents, as the first stage of a chain would see them.
    for lib in [
        "liboutlet_globalresearch.so",
        "liboutlet_reprint.so",
        "liboutlet_rfa.so",
    ] {
        let entry = ChainEntry {
            name: None,
            path: release.join(lib),
            enabled: true,
            isolate: false,
            timeout_ms: None,
            config: Default::default(),
        };
        if !entry.path.exists() {
            continue;
        }
        if let Some(single) = chain_of(&base, std::slice::from_ref(&entry)) {
            let label = single.labels().first().map(|s| (*s).to_owned());
            let label = label.unwrap_or_else(|| lib.to_owned());
            group.bench_function(label, |b| b.iter(|| run(&single, &docs)));
        }
    }
    group.finish();

    let pass = ChainEntry {
        name: None,
        path: release.join("libtest_faults.so"),
        enabled: true,
        isolate: false,
        timeout_ms: None,
        config: [("mode".to_owned(), serde_json::json!("pass"))]
            .into_iter()
            .collect(),
    };
    let mut finished = inputs;
    for d in &mut finished {
        d.trace.clear();
    }
    if let Some(crossing) = chain_of(&base, &[pass]) {
        c.bench_function("abi_crossing_finished_documents", |b| {
            b.iter(|| run(&crossing, &finished))
        });
    }
    if let Some(full) = chain_of(&base, &base.chain) {
        c.bench_function("full_chain", |b| b.iter(|| run(&full, &docs)));
    }
    let _ = std::fs::remove_dir_all(state);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench_plugins
}
criterion_main!(benches);
