//! How much of a document's CPU time is the ABI crossing (JSON encode/decode and sink copies),
//! measured in one run: the full chain, against each stage's crossing replayed in process.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use ingestd::plugin_host::{Chain, ChainOutcome};
use ingestd::settings::{self, Overrides};
use ingestd_sdk::{Document, fields};

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

/// One document's crossing of one stage: what the host had before, and what the plugin's
/// copy of the document looked like after `process`.
struct Crossing {
    host_doc: Document,
    plugin_after: Document,
}

/// The work of one crossing, done in process with the same SDK functions the daemon and the
/// plugin glue use: the host encodes the fields the plugin reads, the plugin parses them and
/// keeps a copy, then encodes the patch (the diff against that copy), the sink copies it and
/// the host validates and applies it. (ABI 1.0 stages: the whole document both ways.)
fn cross(crossing: &mut Crossing, abi_minor: u32, reads: u64) -> Result<()> {
    if abi_minor == 0 {
        let input = serde_json::to_vec(&crossing.host_doc)?;
        let _parsed: Document = serde_json::from_slice(&input)?;
        let output = serde_json::to_vec(&crossing.plugin_after)?.to_vec();
        crossing.host_doc = serde_json::from_slice(&output)?;
        return Ok(());
    }
    let input = fields::encode_fields(&crossing.host_doc, reads)?;
    let parsed: Document = serde_json::from_slice(&input)?;
    let before = parsed.clone();
    drop(parsed);
    let patch = fields::encode_patch(&before, &crossing.plugin_after)?.to_vec();
    // Applying the same patch again costs the same and leaves the same document.
    fields::apply_patch(&mut crossing.host_doc, &patch)?;
    Ok(())
}

/// Prints the per-document cost of the full chain, of the crossings alone, and their ratio.
pub(crate) fn measure(config: &Path, files: &[GeneratedFile], rounds: usize) -> Result<()> {
    let mut full_settings = settings::load(Some(config), &Overrides::default())?;
    let state = tempfile_dir()?;
    full_settings.paths.state = state.clone();
    let full = Chain::build(&full_settings, false).context("full chain")?;
    let summary = full.summary();
    let stages = summary.len();
    let docs: Vec<Document> = files
        .iter()
        .filter_map(|f| Document::from_source(&f.name, &f.bytes, "2024-01-01T00:00:00Z").ok())
        .collect();
    // Warm-up (dedup then knows every document, as on a replay), then the measured passes.
    let _ = run_all(&full, &docs, 1);
    let (full_us, _) = run_all(&full, &docs, rounds);

    // What each stage's crossing carries: the document before it, and the plugin's copy after.
    let count = docs.len().max(1) as f64;
    let mut current = docs;
    let mut each = Vec::with_capacity(stages);
    for (i, (entry, stage)) in full_settings.chain.iter().zip(&summary).enumerate() {
        let mut one = full_settings.clone();
        one.chain = vec![entry.clone()];
        // Its own state: the full chain's dedup instance holds the index file open.
        one.paths.state = state.join(format!("stage-{i}"));
        let chain = Chain::build(&one, false).context("single stage")?;
        let mut crossings = Vec::with_capacity(current.len());
        for before in &current {
            let ChainOutcome::Done(mut after) = chain.run(before.clone()) else {
                continue;
            };
            after.trace.clear();
            let view: Document =
                serde_json::from_slice(&fields::encode_fields(before, stage.reads)?)?;
            let mut plugin_after = view;
            fields::apply_patch(&mut plugin_after, &fields::encode_patch(before, &after)?)?;
            crossings.push(Crossing {
                host_doc: before.clone(),
                plugin_after,
            });
        }
        let start = process_cpu();
        for _ in 0..rounds {
            for crossing in &mut crossings {
                cross(crossing, stage.abi_minor, stage.reads)?;
            }
        }
        // Per input document: a document a stage skipped crosses no further.
        each.push((process_cpu() - start).as_secs_f64() * 1e6 / (rounds as f64 * count));
        current = crossings.into_iter().map(|c| c.host_doc).collect();
    }
    let crossing_us: f64 = each.iter().sum();
    println!(
        "full chain ({stages} plugins): {full_us:.0} µs CPU/document; its {stages} crossings (encode, decode, patch, apply; in process): {crossing_us:.0} µs CPU/document; crossing share: {:.1} %",
        100.0 * crossing_us / full_us
    );
    let breakdown: Vec<String> = summary
        .iter()
        .zip(&each)
        .map(|(stage, us)| format!("{} {us:.0}", stage.label))
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
