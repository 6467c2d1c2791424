//! The chain before entities (outlet rules, then cleanup) run in-process, and entities through
//! the C ABI. Shared by the integration tests and the examples (included by path).
//!
//! textkit holds the rules of cleanup and the outlet plugins; their crates cannot be linked
//! here because each exports `ingestd_plugin_v1`, as entities does.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use ingestd_sdk::testing::{MockHost, Processed};
use ingestd_sdk::{Document, Host, Plugin};
use textkit::outlet::OutletPlugin;
use textkit::outlets::{GlobalResearch, Reprint, Rfa};

/// One outlet plugin, as a closure over its instance.
type Stage = Box<dyn Fn(&mut Document)>;

/// Outlet plugins, cleanup's rules, and an entities instance behind the C ABI.
pub struct Chain {
    outlets: Vec<Stage>,
    cleaner: textkit::Cleaner,
    host: MockHost,
    instance: ingestd_sdk::client::Instance,
}

fn outlet<R: textkit::outlet::OutletRules>() -> Stage {
    let plugin = OutletPlugin::<R>::new(Default::default(), Host::detached()).unwrap();
    Box::new(move |doc| {
        plugin.process(doc).unwrap();
    })
}

impl Chain {
    pub fn new() -> Chain {
        let host = MockHost::load(entities::ingestd_plugin_v1);
        let instance = host.create("{}", None).unwrap();
        Chain {
            outlets: vec![
                outlet::<GlobalResearch>(),
                outlet::<Reprint>(),
                outlet::<Rfa>(),
            ],
            cleaner: textkit::Cleaner::new(&textkit::CleanupConfig::default()).unwrap(),
            host,
            instance,
        }
    }

    /// The document cleanup hands on for a file with this text.
    pub fn clean(&self, name: &str, text: &str) -> Document {
        let mut doc = ingestd_sdk::testing::sample_document(name, text);
        for outlet in &self.outlets {
            outlet(&mut doc);
        }
        // As the cleanup plugin does: the generic pass unless an outlet claimed the text.
        if doc.outlet.is_none() || doc.paragraphs.is_empty() || doc.title.is_none() {
            let raw = doc.raw.clone().unwrap_or_default();
            self.cleaner.extract(&raw).fill_document(&mut doc);
        }
        self.cleaner.finish(&mut doc);
        doc
    }

    /// The cleaned document after entities ran on it through the C ABI.
    pub fn run(&self, name: &str, text: &str) -> Document {
        match self.host.process(&self.instance, &self.clean(name, text)) {
            Processed::Continue(doc) => *doc,
            Processed::Other(other) => panic!("{name}: entities failed: {other:?}"),
        }
    }
}

/// A path under the repository's `fixtures/`.
pub fn fixture(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(path)
}
