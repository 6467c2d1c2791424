//! Shared text machinery of ingestd's cleanup and outlet plugins.
//!
//! Build a [`Cleaner`] once from a [`CleanupConfig`] (every regex and word list is compiled
//! there), then per document:
//!
//! * [`Cleaner::extract`] runs the generic pass over raw text: normalization (BOM, line
//!   endings, NFC), markdown and link artifacts, boilerplate families, paragraphs with
//!   headings, and heuristic metadata (title, subtitle, authors, dates, dateline, original
//!   source) into an [`Extraction`];
//! * [`Cleaner::blocks`], [`Cleaner::note`] and [`Cleaner::body`] are the pieces outlet rules
//!   use to apply precise, outlet-specific rules and leave the rest to the generic code;
//! * [`Cleaner::finish`] makes a document consistent (NFC, body = paragraphs, language,
//!   word count).
//!
//! [`outlet`] holds the generic outlet plugin ([`outlet::OutletPlugin`]) driven by
//! [`outlet::OutletRules`], and [`outlets`] the bundled rules. They live here, not in the
//! plugin crates, so that one test binary can run the whole chain in-process (two plugin
//! crates cannot be linked together: each exports the same `ingestd_plugin_v1` symbol).

pub mod apply;
/// Moved to the SDK, which the summarizer and the SDK's own JSON writer share with cleanup.
pub use ingestd_sdk::ascii8;
pub mod boilerplate;
pub mod byline;
pub mod cleaner;
pub mod config;
pub mod dateline;
pub mod dates;
pub mod error;
pub mod extract;
pub mod lang;
pub mod markdown;
pub mod normalize;
pub mod outlet;
pub mod outlets;
pub mod prefilter;
mod screen;
pub mod source;
pub mod testing;
pub mod words;

pub use apply::word_count;
pub use cleaner::{Block, Cleaner, Note};
pub use config::{CleanupConfig, DateOrder, Family};
pub use error::BuildError;
pub use extract::Extraction;
