//! The `outlet-globalresearch` plugin: recognises Global Research from several text signals and applies
//! its precise rules ([`textkit::outlets::GlobalResearch`]); the generic cleanup is the fallback.
//!
//! Configuration: [`textkit::outlet::OutletConfig`] (`min_signals`, `extra_signals`,
//! `cleanup`). The rules live in `textkit` so that the whole chain can be tested in one
//! binary (see the `textkit` crate docs).

/// The plugin type: the generic outlet plugin driven by the Global Research rules.
pub type GlobalResearchPlugin = textkit::outlet::OutletPlugin<textkit::outlets::GlobalResearch>;

ingestd_sdk::export_plugin!(GlobalResearchPlugin);
