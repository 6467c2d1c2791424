//! How much of a document's CPU time is the ABI crossing (JSON encode/decode and sink copies),
//! measured in one run: the full chain, against each stage's crossing replayed in process.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use ingestd::plugin_host::chain::StageSummary;
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

/// One stage a document passed: which stage, and the plugin's copy of the document after
/// `process` (what the plugin's patch is computed from).
struct Step {
    stage: usize,
    plugin_after: Document,
}

/// The work of one crossing, done in process with the same SDK functions the daemon and the
/// plugin glue use: the host encodes the fields the plugin reads (binary for ABI 1.3 stages,
/// else JSON from the document's field cache), the plugin reads them and keeps a copy of the
/// fields it writes, then encodes the patch (the diff against that copy, in the form it was
/// sent), the sink copies it, and the host validates and applies it. (ABI 1.0 stages: the
/// whole document both ways.)
fn cross(
    host_doc: &mut Document,
    cache: &mut fields::FieldCache,
    step: &Step,
    stage: &StageSummary,
) -> Result<()> {
    if stage.abi_minor == 0 {
        let input = serde_json::to_vec(host_doc)?;
        let _parsed: Document = serde_json::from_slice(&input)?;
        let output = serde_json::to_vec(&step.plugin_after)?.to_vec();
        *host_doc = serde_json::from_slice(&output)?;
        cache.clear();
        return Ok(());
    }
    let binary = stage.abi_minor >= 3;
    let patch = if binary {
        let input = fields::encode_fields_binary(host_doc, stage.reads)?;
        let before = fields::snapshot(&fields::decode_fields_binary(&input)?, stage.writes);
        fields::encode_patch_binary(&before, &step.plugin_after, stage.writes)?
    } else {
        let input = cache.encode(host_doc, stage.reads)?;
        let parsed: Document = serde_json::from_slice(&input)?;
        let before = fields::snapshot(&parsed, stage.writes);
        fields::encode_patch_within(&before, &step.plugin_after, stage.writes)?
    };
    // The sink's copy.
    let patch = patch.to_vec();
    let touched = fields::apply_patch(host_doc, &patch)?;
    anyhow::ensure!(touched & !stage.writes == 0, "undeclared write");
    cache.invalidate(touched);
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

    // What each crossing carries: the document before each stage, and the plugin's copy after.
    let mut steps: Vec<Vec<Step>> = docs.iter().map(|_| Vec::new()).collect();
    let mut current: Vec<(usize, Document)> = docs.iter().cloned().enumerate().collect();
    for (i, (entry, stage)) in full_settings.chain.iter().zip(&summary).enumerate() {
        let mut one = full_settings.clone();
        one.chain = vec![entry.clone()];
        // Its own state: the full chain's dedup instance holds the index file open.
        one.paths.state = state.join(format!("stage-{i}"));
        let chain = Chain::build(&one, false).context("single stage")?;
        let mut next = Vec::with_capacity(current.len());
        for (d, before) in &current {
            // A document a stage skipped crosses no further.
            let ChainOutcome::Done(mut after) = chain.run(before.clone()) else {
                continue;
            };
            after.trace.clear();
            let view: Document =
                serde_json::from_slice(&fields::encode_fields(before, stage.reads)?)?;
            let mut plugin_after = view;
            fields::apply_patch(&mut plugin_after, &fields::encode_patch(before, &after)?)?;
            steps[*d].push(Step {
                stage: i,
                plugin_after,
            });
            next.push((*d, *after));
        }
        current = next;
    }
    // Each document crosses its stages in order with one field cache, as in the daemon: once
    // timed as a whole, once stage by stage (a CPU clock read per step costs about a
    // microsecond, so the breakdown is scaled to the whole).
    let count = (docs.len().max(1) * rounds) as f64;
    let mut each = vec![0.0_f64; stages];
    let mut total = Duration::ZERO;
    for timed_steps in [false, true] {
        for _ in 0..rounds {
            let mut hosts = docs.clone();
            let start = process_cpu();
            for (host_doc, doc_steps) in hosts.iter_mut().zip(&steps) {
                let mut cache = fields::FieldCache::default();
                for step in doc_steps {
                    let step_start = timed_steps.then(process_cpu);
                    cross(host_doc, &mut cache, step, &summary[step.stage])?;
                    if let Some(step_start) = step_start {
                        each[step.stage] += (process_cpu() - step_start).as_secs_f64();
                    }
                }
            }
            if !timed_steps {
                total += process_cpu() - start;
            }
        }
    }
    let crossing_us = total.as_secs_f64() * 1e6 / count;
    let timed_sum: f64 = each.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let each: Vec<f64> = each.iter().map(|s| crossing_us * s / timed_sum).collect();
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
