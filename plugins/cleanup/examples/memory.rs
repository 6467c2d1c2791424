//! Heap held by the cleanup plugin (bundled outlets built in) once built and after a run over
//! a folder of articles on two threads, from glibc's `mallinfo2`:
//! `cargo run --release -p cleanup --example memory -- DIR`. Most of what the run adds is the
//! regex engines' per-thread match caches.

#[path = "common/mod.rs"]
mod common;

use ingestd_sdk::Plugin;

/// Bytes glibc's heap has handed out and not taken back.
fn heap_in_use() -> usize {
    // SAFETY: `mallinfo2` only reads the allocator's statistics.
    unsafe { libc::mallinfo2() }.uordblks
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: memory DIR")?;
    let docs = common::corpus_documents(&dir)?;
    let start = heap_in_use();
    let cleanup = common::bundled_cleanup()?;
    let built = heap_in_use();
    std::thread::scope(|scope| {
        for half in 0..2 {
            let (cleanup, docs) = (&cleanup, &docs);
            scope.spawn(move || {
                for doc in docs.iter().skip(half).step_by(2) {
                    let mut doc = doc.clone();
                    let _ = cleanup.process(&mut doc);
                }
            });
        }
    });
    let after = heap_in_use();
    println!(
        "{} documents, 2 threads: built {:.2} MB, after the run {:.2} MB (caches +{:.2} MB)",
        docs.len(),
        mb(built - start),
        mb(after - start),
        mb(after.saturating_sub(built))
    );
    Ok(())
}
