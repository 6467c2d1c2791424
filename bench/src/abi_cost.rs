//! How much of a document's CPU time is the ABI crossing (JSON encode/decode and sink copies),
//! measured in one run: the full chain, against one pass-through crossing per stage of the
//! document as that stage returns it.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use ingestd::plugin_host::{Chain, ChainOutcome};
use ingestd::settings::{self, Overrides};
use ingestd_sdk::Document;

use crate::corpus::GeneratedFile;

/// CPU time of this process (the dedup writer thread included): unlike wall time, it does not grow when other processes
/// compete for the cores (the machine is shared while benchmarks run).
fn process_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(
        u64::try_from(ts.tv_sec).unwrap_or(0),
        u32::try_from(ts.tv_nsec).unwrap_or(0),
    )
}

fn run_all(chain: &Chain, docs: &[Document], rounds: usize) -> (f64, Vec<Document>) {
    let mut outputs = Vec::new();
    let start = process_cpu();
    for round in 0..rounds {
        for doc in docs {
            if let ChainOutcome::Done(out) = chain.run(doc.clone()) {
                if round == 0 {
                    outputs.push(*out);
                }
            }
        }
    }
    let per_doc_us =
        (process_cpu() - start).as_secs_f64() * 1e6 / (rounds * docs.len()).max(1) as f64;
    (per_doc_us, outputs)
}

/// Prints the per-document cost of the full chain, of the crossings alone, and their ratio.
pub(crate) fn measure(
    config: &Path,
    pass_plugin: &Path,
    files: &[GeneratedFile],
    rounds: usize,
) -> Result<()> {
    let mut full_settings = settings::load(Some(config), &Overrides::default())?;
    let state = tempfile_dir()?;
    full_settings.paths.state = state.clone();
    let full = Chain::build(&full_settings, false).context("full chain")?;
    let stages = full.labels().len();
    let docs: Vec<Document> = files
        .iter()
        .filter_map(|f| Document::from_source(&f.name, &f.bytes, "2024-01-01T00:00:00Z").ok())
        .collect();
    // Warm-up (dedup then knows every document, as on a replay), then the measured passes.
    let _ = run_all(&full, &docs, 1);
    let (full_us, _) = run_all(&full, &docs, rounds);

    // The document as each stage returns it: what that stage's crossing carries.
    let mut per_stage = Vec::with_capacity(stages);
    let count = docs.len().max(1) as f64;
    let mut current = docs;
    for (i, entry) in full_settings.chain.iter().enumerate() {
        let mut one = full_settings.clone();
        one.chain = vec![entry.clone()];
        // Its own state: the full chain's dedup instance holds the index file open.
        one.paths.state = state.join(format!("stage-{i}"));
        let stage = Chain::build(&one, false).context("single stage")?;
        let (_, mut out) = run_all(&stage, &current, 1);
        for d in &mut out {
            d.trace.clear();
        }
        per_stage.push(out.clone());
        current = out;
    }
    let mut pass_settings = full_settings.clone();
    pass_settings.chain = vec![settings::ChainEntry {
        name: None,
        path: pass_plugin.to_owned(),
        enabled: true,
        isolate: false,
        timeout_ms: None,
        config: [("mode".to_owned(), serde_json::json!("pass"))]
            .into_iter()
            .collect(),
    }];
    let pass = Chain::build(&pass_settings, false).context("pass-through chain")?;
    // Per input document: a document a stage skipped crosses no further.
    let each: Vec<f64> = per_stage
        .iter()
        .map(|stage_docs| run_all(&pass, stage_docs, rounds).0 * stage_docs.len() as f64 / count)
        .collect();
    let pass_us: f64 = each.iter().sum();
    println!(
        "full chain ({stages} plugins): {full_us:.0} µs CPU/document; its {stages} crossings (each stage's output through a pass-through plugin): {pass_us:.0} µs CPU/document; crossing share: {:.1} %",
        100.0 * pass_us / full_us
    );
    let breakdown: Vec<String> = full
        .labels()
        .iter()
        .zip(&each)
        .map(|(label, us)| format!("{label} {us:.0}"))
        .collect();
    println!(
        "  crossing per stage (µs CPU/document): {}",
        breakdown.join(", ")
    );
    let _ = std::fs::remove_dir_all(state);
    Ok(())
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("ingestd-bench-abi-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
