//! Fuzz target: any bytes through the host's decoding, then the cleanup text pass.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use textkit::{Cleaner, CleanupConfig};

fn cleaner() -> &'static Cleaner {
    static CLEANER: OnceLock<Cleaner> = OnceLock::new();
    CLEANER.get_or_init(|| match Cleaner::new(&CleanupConfig::default()) {
        Ok(cleaner) => cleaner,
        Err(e) => panic!("the default cleanup configuration must build: {e}"),
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(decoded) = ingestd_sdk::text::decode(data) else {
        return;
    };
    let extraction = cleaner().extract(&decoded.text);
    let mut doc = ingestd_sdk::Document::default();
    extraction.fill_document(&mut doc);
    cleaner().finish(&mut doc);
});
