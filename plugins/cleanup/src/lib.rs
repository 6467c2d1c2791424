//! The `cleanup` plugin: turns any article into clean paragraphs and metadata.
//!
//! When an outlet plugin already claimed the document (`outlet` is set), cleanup only fills
//! what is missing (title and other metadata the outlet left empty, language, word count) and
//! normalizes (NFC, `body` = paragraphs joined by a blank line). Otherwise it runs the full
//! generic pass of [`textkit::Cleaner`] over `raw`. `raw` is left in place; the host drops it.
//!
//! Configuration (`[chain.config]`) is [`textkit::CleanupConfig`]: `strip` (boilerplate
//! families), `extra_patterns`, `min_paragraph_chars`, `drop_repeated_paragraphs`,
//! `numeric_dates`, `detect_language`, `min_language_confidence`; plus `outlets`, the bundled
//! outlets to recognise first (`["globalresearch", "reprint", "rfa"]`, default none). A
//! built-in outlet claims and reads its articles exactly as its own plugin
//! (`outlet-globalresearch`, ...) would, but with this plugin's cleaner: one copy of the text
//! machinery and one crossing of the document instead of one per outlet plugin.

use ingestd_sdk::{Document, Host, Plugin, PluginError, Verdict};
use serde::de::Error as _;
use textkit::outlets::Builtins;
use textkit::{Cleaner, CleanupConfig};

/// The cleanup plugin's configuration: the cleaner's options and the built-in outlets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// The text cleaner's options (the same keys as an outlet plugin's `cleanup` table).
    pub cleanup: CleanupConfig,
    /// Bundled outlets recognised before the generic pass, in order (see
    /// [`textkit::outlets::BUILTIN`]).
    pub outlets: Vec<String>,
}

impl<'de> serde::Deserialize<'de> for Config {
    /// `outlets` beside the cleaner's own keys, which keep refusing unknown keys (serde's
    /// `flatten` would lose `deny_unknown_fields`).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut table = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
        let outlets = match table.remove("outlets") {
            Some(value) => serde_json::from_value(value)
                .map_err(|e| D::Error::custom(format!("outlets: {e}")))?,
            None => Vec::new(),
        };
        let cleanup =
            serde_json::from_value(serde_json::Value::Object(table)).map_err(D::Error::custom)?;
        Ok(Config { cleanup, outlets })
    }
}

/// The cleanup plugin.
#[derive(Debug)]
pub struct Cleanup {
    cleaner: Cleaner,
    outlets: Builtins,
}

impl Cleanup {
    /// The cleaner this instance uses.
    pub fn cleaner(&self) -> &Cleaner {
        &self.cleaner
    }
}

impl Plugin for Cleanup {
    type Config = Config;

    fn new(config: Config, host: Host) -> Result<Self, PluginError> {
        let outlets = Builtins::new(&config.outlets, &host)?;
        let cleaner =
            Cleaner::new(&config.cleanup).map_err(|e| PluginError::config(e.to_string()))?;
        Ok(Cleanup { cleaner, outlets })
    }

    fn process(&self, doc: &mut Document) -> Result<Verdict, PluginError> {
        if doc
            .raw
            .as_deref()
            .is_some_and(textkit::normalize::looks_binary)
        {
            return Err(PluginError::permanent(
                "binary_input",
                "the text is mostly control or replacement characters: a binary file, not an article",
            ));
        }
        self.outlets.claim(doc, &self.cleaner);
        let has_text = !doc.paragraphs.is_empty() || !doc.body.trim().is_empty();
        match doc.raw.as_deref() {
            Some(raw) if doc.outlet.is_none() || !has_text || doc.title.is_none() => {
                self.cleaner.extract(raw).fill_document(doc);
            }
            Some(_) => {}
            None if !has_text => {
                return Err(PluginError::permanent(
                    "no_text",
                    "the document has neither raw text nor a body to clean",
                ));
            }
            None => {}
        }
        self.cleaner.finish(doc);
        Ok(Verdict::Continue)
    }
}

ingestd_sdk::export_plugin!(Cleanup);

#[cfg(test)]
mod tests {
    use super::*;
    use ingestd_sdk::testing::{ComplianceCase, assert_plugin_compliance, sample_document};

    fn plugin(config: &str) -> Cleanup {
        let config = ingestd_sdk::parse_config(config.as_bytes()).unwrap();
        Cleanup::new(config, Host::detached()).unwrap()
    }

    #[test]
    fn compliance() {
        let samples = std::fs::read_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/samples"
        ))
        .unwrap();
        let mut case = ComplianceCase::new(
            r#"{"strip": ["cookie", "share"], "extra_patterns": ["^sponsored"]}"#,
        )
        .with_text("plain.txt", "A title\n\nSome article text here.");
        for entry in samples {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            case = case.with_text(&path.file_name().unwrap().to_string_lossy(), &text);
        }
        assert_plugin_compliance(crate::ingestd_plugin_v1, &case);
    }

    #[test]
    fn built_in_outlets_read_articles_as_the_outlet_plugins_do() {
        use textkit::outlet::OutletPlugin;
        use textkit::outlets::{GlobalResearch, Reprint, Rfa};
        // Built once, as the daemon does: rules and patterns are start-up work.
        let global_research =
            OutletPlugin::<GlobalResearch>::new(Default::default(), Host::detached()).unwrap();
        let reprint = OutletPlugin::<Reprint>::new(Default::default(), Host::detached()).unwrap();
        let rfa = OutletPlugin::<Rfa>::new(Default::default(), Host::detached()).unwrap();
        let plain = plugin("{}");
        let built_in = plugin(r#"{"outlets": ["globalresearch", "outlet-reprint", "rfa"]}"#);
        let mut claimed = 0;
        for (name, text) in textkit::testing::fixture_articles() {
            let mut one_by_one = sample_document(&name, &text);
            global_research.process(&mut one_by_one).unwrap();
            reprint.process(&mut one_by_one).unwrap();
            rfa.process(&mut one_by_one).unwrap();
            plain.process(&mut one_by_one).unwrap();
            let mut inside = sample_document(&name, &text);
            built_in.process(&mut inside).unwrap();
            assert_eq!(inside, one_by_one, "{name}");
            claimed += usize::from(inside.outlet.is_some());
        }
        // Four of the five samples come from a bundled outlet.
        assert!(claimed >= 4, "only {claimed} fixtures claimed");
    }

    #[test]
    fn outlets_sit_beside_the_cleaner_keys_and_unknown_ones_are_refused() {
        let config: Config =
            ingestd_sdk::parse_config(br#"{"outlets": ["rfa"], "strip": ["cookie"]}"#).unwrap();
        assert_eq!(config.outlets, ["rfa"]);
        assert_eq!(config.cleanup.strip, [textkit::Family::Cookie]);
        let err = Cleanup::new(
            ingestd_sdk::parse_config(br#"{"outlets": ["nowhere"]}"#).unwrap(),
            Host::detached(),
        )
        .unwrap_err();
        assert!(
            err.message.contains("nowhere") && err.message.contains("reprint"),
            "{err}"
        );
        let typo = ingestd_sdk::parse_config::<Config>(br#"{"outlet": ["rfa"]}"#).unwrap_err();
        assert!(typo.message.contains("outlet"), "{typo}");
        assert!(ingestd_sdk::parse_config::<Config>(br#"{"outlets": "rfa"}"#).is_err());
    }

    #[test]
    fn bad_user_pattern_is_a_config_error() {
        let config = ingestd_sdk::parse_config(br#"{"extra_patterns": ["("]}"#).unwrap();
        let err = Cleanup::new(config, Host::detached()).unwrap_err();
        assert_eq!(err.code, "config");
        assert!(err.message.contains("("), "{}", err.message);
    }

    #[test]
    fn claimed_document_is_only_completed() {
        let mut doc = sample_document("a.txt", "Ignored title\n\nIgnored body text here.");
        doc.outlet = Some("outlet-x".into());
        doc.title = Some("Outlet title".into());
        doc.paragraphs = vec![ingestd_sdk::Paragraph::text(
            "The outlet's own body, which cleanup keeps.",
        )];
        plugin("{}").process(&mut doc).unwrap();
        assert_eq!(doc.title.as_deref(), Some("Outlet title"));
        assert_eq!(doc.body, "The outlet's own body, which cleanup keeps.");
        assert_eq!(doc.word_count, Some(7));
        assert_eq!(doc.language.as_deref(), Some("en"));
    }

    #[test]
    fn unclaimed_document_gets_the_full_pass() {
        let mut doc = sample_document(
            "b.txt",
            "\u{feff}A headline\r\n\r\nBy Jane Roe\r\n\r\nThe [first](#) paragraph is **here**.\r\n\r\nShare this article",
        );
        let p = plugin("{}");
        p.process(&mut doc).unwrap();
        assert_eq!(doc.title.as_deref(), Some("A headline"));
        assert_eq!(doc.authors, ["Jane Roe"]);
        assert_eq!(doc.body, "The first paragraph is here.");
        assert!(doc.raw.is_some());
        let keep_share = plugin(r#"{"strip": ["cookie"]}"#);
        let mut doc = sample_document(
            "c.txt",
            "A headline\n\nThe paragraph is here.\n\nShare this article",
        );
        keep_share.process(&mut doc).unwrap();
        assert!(doc.body.ends_with("Share this article"), "{}", doc.body);
    }

    #[test]
    fn binary_text_is_refused_clearly() {
        let mut doc = sample_document("x.txt", "ok");
        doc.raw = Some("\u{1}\u{2}\u{3}\u{4}\u{fffd}\u{fffd}abc".into());
        let err = plugin("{}").process(&mut doc).unwrap_err();
        assert_eq!(err.code, "binary_input");
    }

    #[test]
    fn document_without_text_is_an_error() {
        let mut doc = Document::default();
        assert!(plugin("{}").process(&mut doc).is_err());
    }
}
