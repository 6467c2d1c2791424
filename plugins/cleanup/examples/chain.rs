//! Runs the bundled chain (outlet rules, then cleanup) over files and prints the JSON:
//! `cargo run -p cleanup --example chain -- [--generic] FILE...` (`--generic`: cleanup only).

use ingestd_sdk::{Host, Plugin};
use textkit::outlet::OutletPlugin;
use textkit::outlets::{GlobalResearch, Reprint, Rfa};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gr = OutletPlugin::<GlobalResearch>::new(Default::default(), Host::detached())?;
    let reprint = OutletPlugin::<Reprint>::new(Default::default(), Host::detached())?;
    let rfa = OutletPlugin::<Rfa>::new(Default::default(), Host::detached())?;
    let cleanup = cleanup::Cleanup::new(Default::default(), Host::detached())?;
    let generic = std::env::args().any(|a| a == "--generic");
    for path in std::env::args().skip(1).filter(|a| a != "--generic") {
        let bytes = std::fs::read(&path)?;
        let mut doc = ingestd_sdk::Document::from_source(&path, &bytes, "2024-01-01T00:00:00Z")?;
        if !generic {
            gr.process(&mut doc)?;
            reprint.process(&mut doc)?;
            rfa.process(&mut doc)?;
        }
        cleanup.process(&mut doc)?;
        doc.raw = None;
        println!("{}", serde_json::to_string_pretty(&doc)?);
    }
    Ok(())
}
