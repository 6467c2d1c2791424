//! The plugin host: loads plugin libraries safely and runs documents through the chain.

pub mod chain;
pub mod loader;

pub use chain::{Chain, ChainError, ChainFailure, ChainOutcome, FailureKind};
pub use loader::{LoadError, LoadedPlugin, load_plugin};
