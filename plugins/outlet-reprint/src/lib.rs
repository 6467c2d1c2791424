//! The `outlet-reprint` plugin: recognises the reprint site (Asia Times trailer) from several text signals and applies
//! its precise rules ([`textkit::outlets::Reprint`]); the generic cleanup is the fallback.
//!
//! Configuration: [`textkit::outlet::OutletConfig`] (`min_signals`, `extra_signals`,
//! `cleanup`). The rules live in `textkit` so that the whole chain can be tested in one
//! binary (see the `textkit` crate docs).

/// The plugin type: the generic outlet plugin driven by the the reprint site (Asia Times trailer) rules.
pub type ReprintPlugin = textkit::outlet::OutletPlugin<textkit::outlets::Reprint>;

ingestd_sdk::export_plugin!(ReprintPlugin);
