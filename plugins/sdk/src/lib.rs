//! The ingestd plugin SDK: write an outlet parser or enrichment step as a safe Rust trait.
//!
//! # The contract
//!
//! ingestd loads plugins as shared libraries (`cdylib`) at run time and sends every article
//! through a configured chain of them. The boundary between the daemon and a plugin is a plain
//! C ABI ([`abi`]), so that a plugin built with a different compiler version still loads
//! safely:
//!
//! * no Rust type crosses it, only `#[repr(C)]` structs of integers, function pointers and
//!   borrowed byte slices; documents cross as JSON ([`Document`]): since ABI 1.1 only the
//!   fields a plugin reads ([`Plugin::READS`]) go in, and only the fields it changed come back
//!   (a field patch, see [`fields`]); since 1.3 both in a compact binary form ([`binary`]);
//! * memory never changes owner: output is copied through a host-owned sink;
//! * panics never cross: every entry point runs inside `catch_unwind`, and a plugin built with
//!   `panic = "abort"` is refused at load time.
//!
//! This crate hides all of that. A plugin author implements [`Plugin`], calls
//! [`export_plugin!`] once, sets `crate-type = ["cdylib", "rlib"]`, and runs
//! [`testing::assert_plugin_compliance`] in a test.
//!
//! ```ignore
//! use ingestd_sdk::{Document, Host, Plugin, PluginError, Verdict};
//!
//! #[derive(serde::Deserialize, Default)]
//! #[serde(deny_unknown_fields, default)]
//! pub struct Config { uppercase_title: bool }
//!
//! pub struct Shout { config: Config }
//!
//! impl Plugin for Shout {
//!     type Config = Config;
//!     fn new(config: Config, _host: Host) -> Result<Self, PluginError> { Ok(Shout { config }) }
//!     fn process(&self, doc: &mut Document) -> Result<Verdict, PluginError> {
//!         if self.config.uppercase_title {
//!             doc.title = doc.title.as_ref().map(|t| t.to_uppercase());
//!         }
//!         Ok(Verdict::Continue)
//!     }
//! }
//!
//! ingestd_sdk::export_plugin!(Shout);
//! ```
//!
//! This crate changes rarely and only by adding: the ABI grows by appending fields, and an
//! incompatible change would export a new symbol (`ingestd_plugin_v2`) beside the old one.

pub mod abi;
pub mod ascii8;
pub mod binary;
pub mod client;
pub mod document;
pub mod fields;
mod json;
pub mod plugin;
pub mod testing;
pub mod text;

#[doc(hidden)]
pub mod export;

#[doc(hidden)]
pub use export as __export;

pub use document::{
    DedupInfo, Document, Entity, Paragraph, ParagraphKind, SourceInfo, TraceEntry, sha256_hex,
};
pub use plugin::{Host, Level, Plugin, PluginError, Verdict, parse_config};

/// Version of this SDK, recorded in every plugin's declaration.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");
