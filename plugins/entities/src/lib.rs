//! `entities`: an ingestd plugin that tags named entities (OntoNotes labels) in the title and
//! body, with character spans into the body, mention counts and canonical names that fold
//! aliases ("Biden", "Mr Biden" -> "Joe Biden"; "US", "U.S.", "the US's" -> "United States").
//!
//! Curated data (countries, capitals and major cities, regions, demonyms, international and
//! news organisations, heads of state and government, given names, titles, head words) ships
//! in `data/` and is compiled once into an Aho-Corasick automaton and word tables. Contextual
//! rules generalise beyond it: capitalised runs classified by head words ("Institute",
//! "Sea", "Act", "War"), titles before names ("Foreign Minister", "Mr"), person cues ("X
//! said", "according to X"), acronyms defined in parentheses, and surname folding.

mod aliases;
mod context;
pub mod eval;
mod gazetteer;
pub mod label;
mod lexicon;
mod mention;
mod resolve;
mod scanner;
pub mod tagger;
mod tokens;

use ingestd_sdk::{Document, Host, Plugin, PluginError, Verdict, fields};
use serde::Deserialize;

pub use gazetteer::BuildError as GazetteerError;
pub use label::Label;
pub use lexicon::DataError;
pub use tagger::{BuildError, Limits, Tagger};

/// Configuration of the `entities` plugin (`[chain.config]` in `ingestd.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Most entities reported per document; the most mentioned are kept (default 200).
    pub max_entities: usize,
    /// Most mentions collected per title or body, to bound memory (default 20000).
    pub max_mentions: usize,
    /// Count mentions in the title as well (default true).
    pub tag_title: bool,
    /// Languages (ISO 639-1, as in `doc.language`) to tag; the word lists and rules are
    /// English, so other documents get no entities. A document without a language is tagged.
    /// Default `["en"]`; an empty list tags every document.
    pub languages: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_entities: 200,
            max_mentions: 20_000,
            tag_title: true,
            languages: vec!["en".to_owned()],
        }
    }
}

/// The plugin instance: the compiled tagger and its limits.
#[derive(Debug)]
pub struct Entities {
    tagger: Tagger,
    config: Config,
}

impl Entities {
    /// The compiled tagger (for examples and evaluations).
    pub fn tagger(&self) -> &Tagger {
        &self.tagger
    }

    fn tags_language(&self, language: Option<&str>) -> bool {
        let languages = &self.config.languages;
        languages.is_empty() || language.is_none_or(|l| languages.iter().any(|x| x == l))
    }

    fn limits(&self) -> Limits {
        Limits {
            max_entities: self.config.max_entities,
            max_mentions: self.config.max_mentions,
        }
    }
}

impl Plugin for Entities {
    type Config = Config;
    const READS: u64 = fields::TITLE | fields::BODY | fields::LANGUAGE;
    const WRITES: u64 = fields::ENTITIES;

    fn new(config: Config, host: Host) -> Result<Self, PluginError> {
        if config.max_entities == 0 || config.max_mentions == 0 {
            return Err(PluginError::config(
                "max_entities and max_mentions must be at least 1",
            ));
        }
        let tagger = Tagger::new().map_err(|e| PluginError::config(e.to_string()))?;
        host.debug("Entity tagger built.");
        Ok(Entities { tagger, config })
    }

    fn process(&self, doc: &mut Document) -> Result<Verdict, PluginError> {
        if !self.tags_language(doc.language.as_deref()) {
            doc.entities.clear();
            return Ok(Verdict::Continue);
        }
        let title = if self.config.tag_title {
            doc.title.as_deref()
        } else {
            None
        };
        doc.entities = self.tagger.tag(title, &doc.body, self.limits());
        Ok(Verdict::Continue)
    }
}

ingestd_sdk::export_plugin!(Entities);

#[cfg(test)]
mod tests;
