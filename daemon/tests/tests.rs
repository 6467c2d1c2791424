//! Integration tests: the real `ingestd` binary with real plugin libraries, each test in its
//! own temporary folder. Build the plugins first: `cargo build --workspace`.

// A panic is how a test reports failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bad_inputs;
mod bundled;
mod cli;
mod crash;
mod faults;
mod fuzz_regressions;
mod isolation;
mod lifecycle;
mod loading;
mod machine_faults;
mod ops_cli;
mod ops_metrics;
mod ops_reload;
mod ops_systemd;
mod scaffold;
mod security;
mod shutdown;
mod util;
