//! The seam between the plugin and whatever writes the summary: the [`Summarizer`] trait.
//!
//! The plugin holds one `Box<dyn Summarizer>` chosen by `engine` in the configuration, plus the
//! extractive summarizer as a fallback. A new engine (say, an HTTP client of a local model
//! server) is one more implementation and one more `engine` value; the daemon is untouched.

use ingestd_sdk::Document;

use crate::error::SummarizeError;

/// Writes the summary of one document.
///
/// Implementations are built once (in the plugin's `new`) and shared by the worker threads.
pub trait Summarizer: Send + Sync + std::fmt::Debug {
    /// A short name for logs (`extractive`, `command`).
    fn name(&self) -> &'static str;

    /// The summary of `doc` (read `title`, `paragraphs`, `language`, and `body` where the
    /// paragraphs are empty), or `None` when the document has nothing to summarize. In the
    /// daemon `body` arrives empty: the plugin does not read it.
    fn summarize(&self, doc: &Document) -> Result<Option<String>, SummarizeError>;
}
