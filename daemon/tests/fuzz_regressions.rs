//! What the fuzz targets check, in `cargo test`: the saved inputs under `fuzz/regressions/`
//! (crashes the fuzzers found, kept so they stay fixed) and a seeded stress run of mutated
//! plugin output, frames and article bytes (`FUZZ_SEED=<n>` replays one).

use std::path::PathBuf;

use ingestd::plugin_host::chain::validate_output;
use ingestd::plugin_host::frame;

use crate::util::Rng;

const ID: &str = "0123456789abcdef";

/// The `plugin_output` fuzz target's checks.
fn check_plugin_output(data: &[u8]) {
    if let Err(message) = validate_output(data, ID) {
        assert!(
            message.len() < 1024,
            "unbounded error text: {} bytes",
            message.len()
        );
    }
    let mut doc = ingestd_sdk::Document {
        id: ID.into(),
        ..Default::default()
    };
    if let Err(e) = ingestd_sdk::fields::apply_patch(&mut doc, data) {
        let message = e.to_string();
        assert!(
            message.len() < 1024,
            "unbounded patch error: {} bytes",
            message.len()
        );
    }
    let mut input = data;
    while frame::read_blocking(&mut input, 1 << 16).is_ok() {}
}

/// The host half of the `decode_cleanup` fuzz target (the cleanup half lives in textkit).
fn check_decode(data: &[u8]) {
    if let Ok(decoded) = ingestd_sdk::text::decode(data) {
        assert!(!decoded.text.trim().is_empty());
        assert!(!decoded.text.contains('\0'));
    }
}

fn saved_inputs(target: &str) -> Vec<PathBuf> {
    let dir = crate::util::repo_root()
        .join("fuzz/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn saved_fuzz_inputs_stay_fixed() {
    for path in saved_inputs("plugin_output") {
        check_plugin_output(&std::fs::read(&path).unwrap());
    }
    for path in saved_inputs("decode_cleanup") {
        check_decode(&std::fs::read(&path).unwrap());
    }
}

/// Flips, inserts, deletes and duplicates bytes, like a fuzzer's mutators.
fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    const INTERESTING: &[&[u8]] = &[
        b"\"",
        b"\\",
        b"\\u0000",
        b"\\ud800",
        b"{",
        b"}",
        b"[",
        b"]",
        b"\0",
        b"\xff\xfe",
        b"\xfe\xff",
        b"\xef\xbb\xbf",
        b"\xc3",
        b"\x80",
        b"1e999",
        b"-0",
        b"null",
    ];
    let mut bytes = seed.to_vec();
    for _ in 0..1 + rng.index(8) {
        let at = rng.index(bytes.len() + 1);
        match rng.index(5) {
            0 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] ^= 1 << rng.index(8);
            }
            1 => {
                let token = INTERESTING[rng.index(INTERESTING.len())];
                bytes.splice(at..at, token.iter().copied());
            }
            2 if at < bytes.len() => {
                let end = (at + 1 + rng.index(16)).min(bytes.len());
                bytes.drain(at..end);
            }
            3 if at < bytes.len() => {
                let end = (at + 1 + rng.index(64)).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                let to = rng.index(bytes.len() + 1);
                bytes.splice(to..to, copy);
            }
            _ => bytes.truncate(at),
        }
    }
    bytes
}

#[test]
fn seeded_stress_of_plugin_output_frames_and_decoding() {
    let seed = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x1d6e_57d0);
    eprintln!("seeded stress: FUZZ_SEED={seed}");
    let mut rng = Rng(seed);
    let mut source = ingestd_sdk::Document::from_source(
        "a.txt",
        "A title with \"quotes\" and \u{e9}\n\nBody.\n\nSecond paragraph.".as_bytes(),
        "2024-01-01T00:00:00Z",
    )
    .unwrap();
    source.id = ID.into();
    let mut doc = serde_json::to_value(&source).unwrap();
    doc["extra_field_from_a_newer_plugin"] = serde_json::json!({"nested": [1, 2.5, null, true]});
    let doc = serde_json::to_vec(&doc).unwrap();
    if let Err(e) = validate_output(&doc, ID) {
        panic!("the seed document is invalid: {e}");
    }
    let mut frames = frame::encode(frame::TAG_LOG, b"\x03a log line").unwrap();
    frames.extend(frame::encode(frame::TAG_CONTINUE, &doc).unwrap());
    let mut article = vec![0xff, 0xfe];
    for unit in "Titre\n\nUn article en UTF-16, \u{1F600}.".encode_utf16() {
        article.extend_from_slice(&unit.to_le_bytes());
    }
    let seeds: [&[u8]; 4] = [&doc, &frames, &article, "Title\n\nBody text.".as_bytes()];
    for _ in 0..20_000 {
        let seed = seeds[rng.index(seeds.len())];
        let input = mutate(&mut rng, seed);
        check_plugin_output(&input);
        check_decode(&input);
    }
}
