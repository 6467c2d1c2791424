//! The chain before summarize (outlet rules, then cleanup), in-process, for the fixture tests
//! and the examples (which include this file by path).
//!
//! textkit holds the rules of the cleanup and outlet plugins; their own crates cannot be
//! linked here, since each exports `ingestd_plugin_v1` as summarize does.

#![allow(dead_code, unreachable_pub)]

use ingestd_sdk::{Document, Host, Plugin, PluginError};
use textkit::outlet::OutletPlugin;
use textkit::outlets::{GlobalResearch, Reprint, Rfa};

/// Outlet plugins and cleanup, as the bundled configuration orders them.
pub struct Chain {
    global_research: OutletPlugin<GlobalResearch>,
    reprint: OutletPlugin<Reprint>,
    rfa: OutletPlugin<Rfa>,
    cleaner: textkit::Cleaner,
}

impl Chain {
    pub fn new() -> Result<Chain, Box<dyn std::error::Error>> {
        Ok(Chain {
            global_research: OutletPlugin::new(Default::default(), Host::detached())?,
            reprint: OutletPlugin::new(Default::default(), Host::detached())?,
            rfa: OutletPlugin::new(Default::default(), Host::detached())?,
            cleaner: textkit::Cleaner::new(&textkit::CleanupConfig::default())?,
        })
    }

    /// The document the chain hands to summarize for a file with this text.
    pub fn clean(&self, name: &str, text: &str) -> Result<Document, PluginError> {
        let mut doc = Document::from_source(name, text.as_bytes(), "2024-01-01T00:00:00Z")
            .map_err(|e| PluginError::permanent("decode", e.to_string()))?;
        self.global_research.process(&mut doc)?;
        self.reprint.process(&mut doc)?;
        self.rfa.process(&mut doc)?;
        // What the cleanup plugin does: the generic pass unless an outlet claimed the text.
        if doc.outlet.is_none() || doc.paragraphs.is_empty() || doc.title.is_none() {
            let raw = doc.raw.clone().unwrap_or_default();
            self.cleaner.extract(&raw).fill_document(&mut doc);
        }
        self.cleaner.finish(&mut doc);
        Ok(doc)
    }

    /// Every fixture article (samples and test articles), cleaned.
    pub fn fixtures(&self) -> Result<Vec<Document>, PluginError> {
        textkit::testing::fixture_articles()
            .iter()
            .map(|(name, text)| self.clean(name, text))
            .collect()
    }
}
