//! The generic outlet plugin: recognise an outlet from several independent text signals, then
//! apply its precise rules ([`OutletRules`]) and claim the document (`outlet`).
//!
//! An outlet plugin crate is a type alias and one macro call:
//!
//! ```ignore
//! pub type GlobalResearchPlugin = textkit::outlet::OutletPlugin<textkit::outlets::GlobalResearch>;
//! ingestd_sdk::export_plugin!(GlobalResearchPlugin);
//! ```

use std::fmt::Debug;
use std::sync::OnceLock;

use ingestd_sdk::{Document, Host, Plugin, PluginError, Verdict};
use regex::Regex;
use serde::Deserialize;

use crate::cleaner::{Block, Cleaner};
use crate::config::CleanupConfig;
use crate::error::{BuildError, regex};
use crate::extract::Extraction;
use crate::prefilter::{Demand, Prefilter};

/// One piece of evidence that a text comes from an outlet.
#[derive(Debug)]
pub struct Signal {
    /// Short name, for the debug log.
    pub name: &'static str,
    /// Case-insensitive, multi-line pattern searched in the normalized text.
    pub pattern: Regex,
    /// Recognition fails without this signal, whatever the others say.
    pub required: bool,
    /// Literals (ASCII case-insensitive, no white space), one of which occurs in every match
    /// of `pattern`; empty when there is no such literal. See [`Prefilter`].
    pub needles: Vec<&'static str>,
    /// A test of each match of `pattern` (in [`Regex::find_iter`] order): the signal is found
    /// when one passes. Lets a loose pattern plus a check stand for a pattern whose counted
    /// repetitions (`[^\n]{20,300}`) would compile to an automaton of thousands of states.
    pub check: Option<fn(&str) -> bool>,
}

impl Signal {
    /// An optional signal.
    pub fn new(name: &'static str, pattern: &str) -> Result<Self, BuildError> {
        Ok(Signal {
            name,
            pattern: regex(pattern)?,
            required: false,
            needles: Vec::new(),
            check: None,
        })
    }

    /// The same signal found only where `check` passes on a match of the pattern (see
    /// [`Signal::check`]).
    pub fn checked(mut self, check: fn(&str) -> bool) -> Self {
        self.check = Some(check);
        self
    }

    /// True when the signal is found in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        match self.check {
            None => self.pattern.is_match(text),
            Some(check) => self.pattern.find_iter(text).any(|m| check(m.as_str())),
        }
    }

    /// The same signal with needles for the [`Prefilter`]: every match of the pattern must
    /// contain one of them (ASCII case-insensitive), and they hold no white space.
    pub fn needing(mut self, needles: &[&'static str]) -> Self {
        self.needles = needles.to_vec();
        self
    }

    /// A signal recognition cannot do without.
    pub fn required(name: &'static str, pattern: &str) -> Result<Self, BuildError> {
        Ok(Signal {
            required: true,
            ..Signal::new(name, pattern)?
        })
    }
}

/// The precise rules of one outlet.
pub trait OutletRules: Debug + Send + Sync + Sized + 'static {
    /// The plugin's name, written into `doc.outlet` (the crate name, e.g. `outlet-rfa`).
    const NAME: &'static str;
    /// How many signals must match by default.
    const MIN_SIGNALS: usize;

    /// Compiles the rules.
    fn build() -> Result<Self, BuildError>;

    /// The outlet's signals.
    fn signals(&self) -> &[Signal];

    /// Reads a recognised article. Fields left empty are filled later by the generic cleanup.
    fn apply(&self, cleaner: &Cleaner, blocks: &[Block]) -> Extraction;
}

/// Configuration of an outlet plugin.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutletConfig {
    /// Signals needed to claim a document (default: the outlet's own minimum).
    pub min_signals: Option<usize>,
    /// Extra signals (regular expressions, case-insensitive), counted like the built-in ones.
    pub extra_signals: Vec<String>,
    /// Text-cleaning options used for the body (same keys as the cleanup plugin).
    pub cleanup: CleanupConfig,
}

/// An outlet plugin driven by rules `R`.
#[derive(Debug)]
pub struct OutletPlugin<R: OutletRules> {
    rules: R,
    /// Built on the first document the outlet claims: an outlet that sees none of its
    /// articles never holds the cleaner's compiled patterns (several MB).
    cleaner: OnceLock<Cleaner>,
    cleanup: CleanupConfig,
    extra: Vec<Regex>,
    min_signals: usize,
    prefilter: Prefilter,
    host: Host,
}

impl<R: OutletRules> OutletPlugin<R> {
    /// The outlet's compiled rules.
    pub fn rules(&self) -> &R {
        &self.rules
    }

    /// Names of the signals found in `text`, or `None` when the outlet is not recognised.
    pub fn recognise(&self, text: &str) -> Option<Vec<&str>> {
        let mut found = Vec::new();
        for signal in self.rules.signals() {
            if signal.is_match(text) {
                found.push(signal.name);
            } else if signal.required {
                return None;
            }
        }
        found.extend(
            self.extra
                .iter()
                .filter(|re| re.is_match(text))
                .map(|re| re.as_str()),
        );
        (found.len() >= self.min_signals).then_some(found)
    }

    /// The normalized text and the signals found, when `doc` is not claimed yet and is this
    /// outlet's. Cheap for other outlets' articles: a literal prefilter runs on `raw` first.
    fn recognise_document(&self, doc: &Document) -> Option<(String, Vec<&str>)> {
        if doc.outlet.is_some() || !self.prefilter.may_match(doc.raw.as_deref()?) {
            return None;
        }
        self.recognise_prefiltered(doc)
    }

    /// [`OutletPlugin::recognise_document`] once a prefilter let `raw` through.
    fn recognise_prefiltered(&self, doc: &Document) -> Option<(String, Vec<&str>)> {
        if doc.outlet.is_some() {
            return None;
        }
        let raw = doc.raw.as_deref()?;
        let text = crate::normalize::normalize(raw);
        let found = self.recognise(&text)?;
        Some((text, found))
    }

    /// Reads a recognised article with the outlet's rules and claims it.
    fn read_claimed(&self, doc: &mut Document, text: &str, found: &[&str], cleaner: &Cleaner) {
        let blocks = cleaner.blocks_of_normalized(text);
        let extraction = self.rules.apply(cleaner, &blocks);
        self.host.debug(&format!(
            "outlet={} signals={:?} document={} Recognised outlet.",
            R::NAME,
            found,
            doc.id
        ));
        doc.outlet = Some(R::NAME.to_owned());
        extraction.fill_document(doc);
        doc.body = Document::body_from_paragraphs(&doc.paragraphs);
    }

    /// True once the cleaner has been built (the outlet claimed a document).
    pub fn has_cleaner(&self) -> bool {
        self.cleaner.get().is_some()
    }

    /// The cleaner, built on first use.
    fn cleaner(&self) -> Result<&Cleaner, PluginError> {
        if let Some(cleaner) = self.cleaner.get() {
            return Ok(cleaner);
        }
        let built = Cleaner::new(&self.cleanup).map_err(|e| PluginError::config(e.to_string()))?;
        Ok(self.cleaner.get_or_init(|| built))
    }
}

impl<R: OutletRules> Plugin for OutletPlugin<R> {
    type Config = OutletConfig;

    fn new(config: OutletConfig, host: Host) -> Result<Self, PluginError> {
        let config_error = |e: BuildError| PluginError::config(e.to_string());
        let extra: Vec<Regex> = config
            .extra_signals
            .iter()
            .map(|p| regex(p))
            .collect::<Result<_, _>>()
            .map_err(config_error)?;
        let rules = R::build().map_err(config_error)?;
        config.cleanup.check().map_err(config_error)?;
        let min_signals = config.min_signals.unwrap_or(R::MIN_SIGNALS).max(1);
        Ok(OutletPlugin {
            prefilter: Prefilter::new(rules.signals(), extra.len(), min_signals),
            rules,
            cleaner: OnceLock::new(),
            cleanup: config.cleanup,
            extra,
            min_signals,
            host,
        })
    }

    fn process(&self, doc: &mut Document) -> Result<Verdict, PluginError> {
        if let Some((text, found)) = self.recognise_document(doc) {
            let cleaner = self.cleaner()?;
            self.read_claimed(doc, &text, &found, cleaner);
        }
        Ok(Verdict::Continue)
    }
}

/// Index of the first block at or after `from` for which `pred` holds.
pub fn find_from(blocks: &[Block], from: usize, pred: impl Fn(&Block) -> bool) -> Option<usize> {
    blocks.iter().skip(from).position(pred).map(|i| i + from)
}

/// An outlet's rules run inside another plugin, with that plugin's cleaner: the cleanup
/// plugin's built-in outlets (its `outlets` option), which share one copy of the text
/// machinery instead of one per outlet plugin library.
pub trait Claim: Debug + Send + Sync {
    /// The outlet's name, written into `doc.outlet` when it claims a document.
    fn name(&self) -> &'static str;

    /// Claims `doc` when it is not claimed yet and is this outlet's, reading it with
    /// `cleaner`; says whether it did.
    fn claim(&self, doc: &mut Document, cleaner: &Cleaner) -> bool;

    /// The outlet's signals, for a [`Prefilter`] shared with other outlets.
    fn demand(&self) -> Demand<'_>;

    /// [`Claim::claim`] without the outlet's own prefilter: a shared one ([`Demand`]) already
    /// said `doc.raw` may be this outlet's.
    fn claim_prefiltered(&self, doc: &mut Document, cleaner: &Cleaner) -> bool;
}

impl<R: OutletRules> Claim for OutletPlugin<R> {
    fn name(&self) -> &'static str {
        R::NAME
    }

    fn claim(&self, doc: &mut Document, cleaner: &Cleaner) -> bool {
        let Some((text, found)) = self.recognise_document(doc) else {
            return false;
        };
        self.read_claimed(doc, &text, &found, cleaner);
        true
    }

    fn demand(&self) -> Demand<'_> {
        Demand {
            signals: self.rules.signals(),
            extra: self.extra.len(),
            min_signals: self.min_signals,
        }
    }

    fn claim_prefiltered(&self, doc: &mut Document, cleaner: &Cleaner) -> bool {
        let Some((text, found)) = self.recognise_prefiltered(doc) else {
            return false;
        };
        self.read_claimed(doc, &text, &found, cleaner);
        true
    }
}
