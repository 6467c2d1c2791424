//! ingestd: watches an inbox of news articles, runs each through a chain of dynamically loaded
//! plugins, and writes one normalized JSON document per article into an outbox.
//!
//! The binary (`src/main.rs`) is a thin command-line shell over this library, so tests and
//! benchmarks drive the same code. Start at [`daemon::run`].

pub mod daemon;
pub mod fsutil;
pub mod inbox;
pub mod logging;
pub mod memory;
pub mod ops;
pub mod outbox;
pub mod pipeline;
pub mod plugin_host;
pub mod processor;
pub mod records;
pub mod scaffold;
pub mod settings;
pub mod source;
pub mod watcher;
