//! The `summarize` plugin: writes `summary`, a short extractive summary of the article.
//!
//! By default the built-in [`ExtractiveSummarizer`] picks 2–3 whole sentences (≤ 600
//! characters) from `paragraphs`: never a heading, caption or boilerplate prompt, opening with
//! the best lead sentence, in document order, deterministic. The plugin reads `title`,
//! `paragraphs` and `language`, not `body` (cleanup sets it from the paragraphs). `engine =
//! "command"` hands the document to an external program instead ([`CommandSummarizer`]), falling back to the
//! extractive summary on failure when `fallback = true`. Both sit behind the [`Summarizer`]
//! trait, the seam for further engines (see README.md).
//!
//! Configuration: [`Config`].

pub mod abbreviations;
pub mod candidates;
pub mod command;
pub mod config;
pub mod engine;
pub mod error;
pub mod extractive;
pub mod scoring;
pub mod select;
pub mod sentences;
pub mod signals;
pub mod vocabulary;
pub mod words;

use std::time::Duration;

use ingestd_sdk::{Document, Host, Plugin, PluginError, Verdict, fields};

pub use command::CommandSummarizer;
pub use config::{CommandInput, Config, EngineKind};
pub use engine::Summarizer;
pub use error::{ConfigError, SummarizeError};
pub use extractive::ExtractiveSummarizer;

/// The summarize plugin.
#[derive(Debug)]
pub struct Summarize {
    engine: Box<dyn Summarizer>,
    fallback: Option<ExtractiveSummarizer>,
    host: Host,
}

impl Summarize {
    /// Builds the plugin from a checked configuration (what [`Plugin::new`] does).
    pub fn build(config: &Config, host: Host) -> Result<Self, ConfigError> {
        config.validate()?;
        let signals = signals::Signals::new().map_err(|e| ConfigError::Signals(e.to_string()))?;
        let extractive = ExtractiveSummarizer::new(
            config.budget(),
            candidates::Scan {
                lead_paragraphs: config.lead_paragraphs,
                max_sentences: config.scan_sentences,
            },
            signals,
        );
        let (engine, fallback): (Box<dyn Summarizer>, _) = match config.engine {
            EngineKind::Extractive => (Box::new(extractive), None),
            EngineKind::Command => (
                Box::new(CommandSummarizer::new(
                    config.command.clone(),
                    Duration::from_millis(config.timeout_ms),
                    config.command_input,
                    config.budget(),
                )),
                config.fallback.then_some(extractive),
            ),
        };
        Ok(Summarize {
            engine,
            fallback,
            host,
        })
    }
}

impl Plugin for Summarize {
    type Config = Config;
    // Not the body: cleanup sets it from the paragraphs, so sending both would carry the text
    // twice. The command engine joins the paragraphs when it needs the body.
    const READS: u64 = fields::TITLE | fields::PARAGRAPHS | fields::LANGUAGE;
    const WRITES: u64 = fields::SUMMARY;

    fn new(config: Config, host: Host) -> Result<Self, PluginError> {
        Summarize::build(&config, host).map_err(|e| PluginError::config(e.to_string()))
    }

    fn process(&self, doc: &mut Document) -> Result<Verdict, PluginError> {
        let summary = match self.engine.summarize(doc) {
            Ok(summary) => summary,
            Err(e) => {
                let Some(fallback) = &self.fallback else {
                    let message = format!("{} summarizer: {e}", self.engine.name());
                    return Err(if e.retryable() {
                        PluginError::retryable(e.code(), message)
                    } else {
                        PluginError::permanent(e.code(), message)
                    });
                };
                self.host.warn(&format!(
                    "document={} engine={} error=\"{e}\" Summarizer failed, used the extractive summary.",
                    doc.id,
                    self.engine.name()
                ));
                fallback
                    .summarize(doc)
                    .map_err(|e| PluginError::permanent(e.code(), e.to_string()))?
            }
        };
        if summary.is_some() {
            doc.summary = summary;
        }
        Ok(Verdict::Continue)
    }
}

ingestd_sdk::export_plugin!(Summarize);
