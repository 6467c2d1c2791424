//! Prints the summary of each file after the bundled chain (outlet rules, cleanup):
//! `cargo run -p summarize --example summaries -- [FILE...]` (every fixture article without
//! arguments).

#[path = "../tests/common/mod.rs"]
mod common;

use ingestd_sdk::{Host, Plugin};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let chain = common::Chain::new()?;
    let summarize = summarize::Summarize::new(Default::default(), Host::detached())?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let docs = if args.is_empty() {
        chain.fixtures()?
    } else {
        let mut docs = Vec::new();
        for path in args {
            docs.push(chain.clean(&path, &std::fs::read_to_string(&path)?)?);
        }
        docs
    };
    for mut doc in docs {
        summarize.process(&mut doc)?;
        let summary = doc.summary.unwrap_or_default();
        println!(
            "== {} ({} chars)\n{summary}\n",
            doc.source.name,
            summary.chars().count()
        );
    }
    Ok(())
}
