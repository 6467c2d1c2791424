//! The `outlet-rfa` plugin: recognises RFA translations from several text signals and applies
//! its precise rules ([`textkit::outlets::Rfa`]); the generic cleanup is the fallback.
//!
//! Configuration: [`textkit::outlet::OutletConfig`] (`min_signals`, `extra_signals`,
//! `cleanup`). The rules live in `textkit` so that the whole chain can be tested in one
//! binary (see the `textkit` crate docs).

/// The plugin type: the generic outlet plugin driven by the RFA translations rules.
pub type RfaPlugin = textkit::outlet::OutletPlugin<textkit::outlets::Rfa>;

ingestd_sdk::export_plugin!(RfaPlugin);
