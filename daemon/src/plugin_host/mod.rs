//! The plugin host: loads plugin libraries safely and runs documents through the chain, in
//! process or, for plugins marked `isolate = true`, in child processes.

pub mod chain;
pub mod child;
pub mod frame;
pub mod isolated;
pub mod loader;

pub use chain::{Chain, ChainError, ChainFailure, ChainOutcome, FailureKind};
pub use loader::{LoadError, LoadedPlugin, load_plugin};
