//! Summarizes a folder of article files after the bundled chain (outlet rules, cleanup) and
//! prints one JSON line (the summary) per file, in file-name order; stderr gets the time per
//! document (best of `ROUNDS` passes over the whole folder, cleaning not included):
//! `cargo run --release -p summarize --example summarize_corpus -- DIR [ROUNDS]`.
//!
//! Used to prove that a speed change leaves the output byte-identical (compare the stdout of
//! the old and new code on a generated corpus) and to time the summarizer on many documents.

#[path = "../tests/common/mod.rs"]
mod common;

use ingestd_sdk::testing::{best_pass_us, read_corpus};
use ingestd_sdk::{Host, Plugin};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: summarize_corpus DIR [ROUNDS]")?;
    let rounds: u32 = args.next().map_or(Ok(1), |a| a.parse())?;
    let chain = common::Chain::new()?;
    let plugin = summarize::Summarize::new(Default::default(), Host::detached())?;
    let mut docs = Vec::new();
    for (name, bytes) in read_corpus(dir.as_ref())? {
        docs.push(chain.clean(&name, &String::from_utf8_lossy(&bytes))?);
    }
    let per_doc_us = best_pass_us(&plugin, &mut docs, rounds)?;
    for doc in &docs {
        println!("{}", serde_json::to_string(&doc.summary)?);
    }
    eprintln!(
        "{} documents: {per_doc_us:.1} us/doc (best of {} rounds)",
        docs.len(),
        rounds.max(1)
    );
    Ok(())
}
