//! Rules of the bundled outlet plugins, one module per outlet family.

mod globalresearch;
mod reprint;
mod rfa;

pub use globalresearch::GlobalResearch;
pub use reprint::Reprint;
pub use rfa::Rfa;

use ingestd_sdk::{Document, Host, Plugin, PluginError};

use crate::cleaner::{Block, Cleaner, Note};
use crate::outlet::{Claim, OutletConfig, OutletPlugin, OutletRules};
use crate::prefilter::{Demand, Prefilter};

/// Names of the bundled outlets, as [`builtin`] takes them.
pub const BUILTIN: &[&str] = &["globalresearch", "reprint", "rfa"];

fn boxed<R: OutletRules>(host: Host) -> Result<Box<dyn Claim>, PluginError> {
    Ok(Box::new(OutletPlugin::<R>::new(
        OutletConfig::default(),
        host,
    )?))
}

/// A bundled outlet's rules by name (`rfa` or its plugin name `outlet-rfa`), with the default
/// outlet options, to run inside another plugin ([`Claim`]).
pub fn builtin(name: &str, host: Host) -> Result<Box<dyn Claim>, PluginError> {
    match name.strip_prefix("outlet-").unwrap_or(name) {
        "globalresearch" => boxed::<GlobalResearch>(host),
        "reprint" => boxed::<Reprint>(host),
        "rfa" => boxed::<Rfa>(host),
        _ => Err(PluginError::config(format!(
            "unknown built-in outlet {name:?}; known: {}",
            BUILTIN.join(", ")
        ))),
    }
}

/// Bundled outlets run in order inside another plugin, with one [`Prefilter`] pass over the
/// raw text for all of them (instead of one per outlet).
#[derive(Debug)]
pub struct Builtins {
    outlets: Vec<Box<dyn Claim>>,
    prefilter: Prefilter,
}

impl Builtins {
    /// The bundled outlets named (see [`builtin`]), in order.
    pub fn new(names: &[String], host: &Host) -> Result<Self, PluginError> {
        let outlets: Vec<Box<dyn Claim>> = names
            .iter()
            .map(|name| builtin(name, host.clone()))
            .collect::<Result<_, _>>()?;
        let demands: Vec<Demand<'_>> = outlets.iter().map(|o| o.demand()).collect();
        let prefilter = Prefilter::shared(&demands);
        Ok(Builtins { outlets, prefilter })
    }

    /// Lets the outlets claim `doc` in order, as each one's [`Claim::claim`] would; says
    /// whether one did.
    pub fn claim(&self, doc: &mut Document, cleaner: &Cleaner) -> bool {
        if self.outlets.is_empty() || doc.outlet.is_some() {
            return false;
        }
        let Some(raw) = doc.raw.as_deref() else {
            return false;
        };
        let possible = self.prefilter.possible(raw);
        self.outlets
            .iter()
            .enumerate()
            .any(|(i, outlet)| possible.may_match(i) && outlet.claim_prefiltered(doc, cleaner))
    }
}

/// Text blocks (not metadata, not boilerplate) among `notes`, by index.
pub(crate) fn text_indices(notes: &[Note]) -> impl Iterator<Item = usize> + '_ {
    notes
        .iter()
        .enumerate()
        .filter(|(_, n)| **n == Note::Text)
        .map(|(i, _)| i)
}

/// True when the block ends like a sentence.
pub(crate) fn punctuated(block: &Block) -> bool {
    block
        .text
        .trim_end_matches(['"', '”', '’', ')'])
        .ends_with(['.', '!', '?', '…'])
}

#[cfg(test)]
mod tests {
    //! Layout variants the samples do not show, and near misses that must not be claimed.

    use ingestd_sdk::{Document, Host, Plugin};

    use crate::outlet::{OutletPlugin, OutletRules};

    fn run<R: OutletRules>(text: &str) -> Document {
        let plugin = OutletPlugin::<R>::new(Default::default(), Host::detached()).unwrap();
        let mut doc = Document {
            id: "t".into(),
            raw: Some(text.to_owned()),
            ..Document::default()
        };
        plugin.process(&mut doc).unwrap();
        doc
    }

    #[test]
    fn global_research_without_rule_or_reprint_line() {
        let doc = run::<super::GlobalResearch>(
            "# A Title Here\n\nBy [Jane Roe](#) and [John Poe](#)\n\nGlobal Research, March 3, 2021\n\n\
             Region: [Asia](#)\n\nTheme: [Politics](#)\n\nFirst paragraph of the text. It goes on.\n\n\
             Second paragraph.\n\nJane Roe is a writer.\n\nThe original source of this article is Global Research\n\n\
             Copyright © [Jane Roe](#), Global Research, 2021",
        );
        assert_eq!(doc.outlet.as_deref(), Some("outlet-globalresearch"));
        assert_eq!(doc.title.as_deref(), Some("A Title Here"));
        assert_eq!(doc.authors, ["Jane Roe", "John Poe"]);
        assert_eq!(doc.published.as_deref(), Some("2021-03-03"));
        assert_eq!(doc.original_published, None);
        assert_eq!(doc.original_source.as_deref(), Some("Global Research"));
        assert_eq!(
            doc.body,
            "First paragraph of the text. It goes on.\n\nSecond paragraph."
        );
    }

    #[test]
    fn reprint_without_site_line_or_standfirst() {
        let doc = run::<super::Reprint>(
            "A reprinted headline\n\nPrint Friendly, PDF & Email\n\nThe first paragraph is here.\n\n\
             The second paragraph too.\n\nBy Jane Roe – The Diplomat – 12 March 2021\n\nTranslate / Dịch",
        );
        assert_eq!(doc.outlet.as_deref(), Some("outlet-reprint"));
        assert_eq!(doc.site, None);
        assert_eq!(doc.title.as_deref(), Some("A reprinted headline"));
        assert_eq!(doc.authors, ["Jane Roe"]);
        assert_eq!(doc.original_source.as_deref(), Some("The Diplomat"));
        assert_eq!(doc.published.as_deref(), Some("2021-03-12"));
        assert_eq!(
            doc.body,
            "The first paragraph is here.\n\nThe second paragraph too."
        );
    }

    #[test]
    fn rfa_translation_with_named_translator() {
        let doc = run::<super::Rfa>(
            "A translated headline\n\n\nThe first paragraph is here.\n\n\nThe second one is here.\n\n\n\
             The third one closes.\n\n\nTranslated by Minh Anh from Radio Free Asia.",
        );
        assert_eq!(doc.outlet.as_deref(), Some("outlet-rfa"));
        assert_eq!(doc.original_source.as_deref(), Some("Radio Free Asia"));
        assert_eq!(doc.translated, Some(true));
        assert_eq!(doc.paragraphs.len(), 3);
        assert!(!doc.body.contains("Translated"));
    }

    /// The prefilter never turns away a fixture article the signals recognise.
    fn prefilter_keeps_recognised<R: OutletRules>() {
        let plugin = OutletPlugin::<R>::new(Default::default(), Host::detached()).unwrap();
        let prefilter =
            crate::prefilter::Prefilter::new(plugin.rules().signals(), 0, R::MIN_SIGNALS);
        let mut recognised = 0;
        for (name, raw) in crate::testing::fixture_articles() {
            let text = crate::normalize::normalize(&raw);
            if plugin.recognise(&text).is_some() {
                recognised += 1;
                assert!(prefilter.may_match(&raw), "{} turned away {name}", R::NAME);
            }
        }
        assert!(recognised > 0, "{} recognised no fixture", R::NAME);
    }

    #[test]
    fn prefilter_keeps_every_recognised_fixture() {
        prefilter_keeps_recognised::<super::GlobalResearch>();
        prefilter_keeps_recognised::<super::Reprint>();
        prefilter_keeps_recognised::<super::Rfa>();
    }

    #[test]
    fn cleaner_is_built_on_the_first_claim_and_config_checked_at_start() {
        let plugin = OutletPlugin::<super::Rfa>::new(Default::default(), Host::detached()).unwrap();
        let mut doc = Document {
            raw: Some("A headline\n\nNothing of RFA here.".into()),
            ..Document::default()
        };
        plugin.process(&mut doc).unwrap();
        assert!(!plugin.has_cleaner());
        doc.raw = Some(
            "A headline\n\n\nThe first one.\n\n\nThe second one.\n\n\nTranslated from RFA.".into(),
        );
        plugin.process(&mut doc).unwrap();
        assert_eq!(doc.outlet.as_deref(), Some("outlet-rfa"));
        assert!(plugin.has_cleaner());
        let bad = crate::outlet::OutletConfig {
            cleanup: crate::config::CleanupConfig {
                extra_patterns: vec!["(".into()],
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(OutletPlugin::<super::Rfa>::new(bad, Host::detached()).is_err());
    }

    /// Random texts built from the pieces the counted signal patterns look at.
    fn random_texts(seed: u64, count: usize) -> Vec<String> {
        const PIECES: &[&str] = &[
            "By ", "bY ", "\nBy ", " – ", " — ", " — ", " – ", " - ", "–", " ", "\n", "\n\n",
            "\n\n\n", "a", "é", "1", "2021", "٢٠٢١", "x1", "_", " \t", "\r",
        ];
        let mut next = crate::testing::seeded_below(seed);
        (0..count)
            .map(|_| {
                let mut text = String::from(["", "By "][next(2)]);
                for _ in 0..next(24) {
                    if next(4) == 0 {
                        text.push_str(&"a".repeat(next(320)));
                    } else {
                        text.push_str(PIECES[next(PIECES.len())]);
                    }
                }
                text
            })
            .collect()
    }

    /// A checked signal finds what its counted pattern (the one it stands for) finds.
    fn same_as_counted<R: OutletRules>(name: &str, counted: &str) {
        let rules = R::build().unwrap();
        let signal = rules.signals().iter().find(|s| s.name == name).unwrap();
        assert!(signal.check.is_some());
        let counted = crate::error::regex(counted).unwrap();
        let mut found = 0;
        let a = |n: usize| "a".repeat(n);
        let mut texts = random_texts(name.len() as u64, 200_000);
        for (short, long) in [
            (9, 19),
            (10, 20),
            (200, 300),
            (201, 301),
            (3, 2),
            (80, 60),
            (81, 61),
        ] {
            texts.push(format!("{}\n\n{} 2021\n", a(short), a(long - 1)));
            texts.push(format!("By {} – {} — 2021", a(short), a(long)));
        }
        for text in texts {
            let expected = counted.is_match(&text);
            assert_eq!(signal.is_match(&text), expected, "{name} on {text:?}");
            found += usize::from(expected);
        }
        assert!(found > 100, "{name}: only {found} random texts match");
    }

    #[test]
    fn checked_signals_match_their_counted_patterns() {
        same_as_counted::<super::Rfa>(
            "caption under the headline",
            r"\A[^\n]{10,200}\n\n+[^\n]{20,300}\b\d{4}\n",
        );
        same_as_counted::<super::Reprint>(
            "reprint credit",
            r"^By [^\n]{3,80} [–—] [^\n]{2,60} [–—] [^\n]*\d{4}\s*$",
        );
    }

    #[test]
    fn one_signal_is_not_enough() {
        let quoting = "A headline\n\nAs Global Research reported on globalresearch.ca, prices rose.\n\nMore text.";
        assert_eq!(run::<super::GlobalResearch>(quoting).outlet, None);
        let printable = "A headline\n\nPrint Friendly, PDF & Email\n\nSome text here.";
        assert_eq!(run::<super::Reprint>(printable).outlet, None);
        let rfa_mention = "A headline\n\nRadio Free Asia (RFA) reported the arrests.\n\nMore text.";
        assert_eq!(run::<super::Rfa>(rfa_mention).outlet, None);
    }
}
