//! Fuzz target: whatever a plugin (or an isolated plugin's child) sends back — its output
//! document or field patch, and the frames of the isolation protocol — is checked without
//! panicking.
#![no_main]

use ingestd::plugin_host::chain::validate_output;
use ingestd::plugin_host::frame;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(message) = validate_output(data, "0123456789abcdef") {
        assert!(
            message.len() < 1024,
            "unbounded error text: {} bytes",
            message.len()
        );
    }
    let mut doc = ingestd_sdk::Document {
        id: "0123456789abcdef".into(),
        ..Default::default()
    };
    if let Err(e) = ingestd_sdk::fields::apply_patch(&mut doc, data) {
        let message = e.to_string();
        assert!(message.len() < 1024, "unbounded patch error: {} bytes", message.len());
    }
    let mut input = data;
    while let Ok(frame) = frame::read_blocking(&mut input, 1 << 16) {
        let _ = (frame.tag, frame.body.len());
    }
});
