//! A plugin that misbehaves on purpose, so ingestd's tests can prove faults are contained.
//!
//! Its `mode` picks the fault, and `trigger` (when set) limits it to documents whose raw text
//! or body contains that string, so one daemon run can mix good and bad documents.

use ingestd_sdk::{Document, Host, Plugin, PluginError, Verdict};
use serde::Deserialize;

/// Which fault to produce.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Behave: pass documents on unchanged.
    #[default]
    Pass,
    /// Panic inside `process`.
    Panic,
    /// Return a permanent error.
    Error,
    /// Return a retryable error.
    Retryable,
    /// Change the document id (which the host must refuse).
    ChangeId,
    /// Skip the document.
    Skip,
    /// Sleep for `sleep_ms` and then pass.
    Sleep,
    /// Call `abort()`: kills the process (only safe in isolation mode).
    Abort,
    /// Loop forever (only safe in isolation mode, with a timeout).
    Hang,
    /// Dereference a null pointer: a segfault (only safe in isolation mode).
    Segfault,
    /// Panic in `new`.
    PanicOnCreate,
}

/// Configuration of the fault plugin.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Which fault to produce.
    pub mode: Mode,
    /// Only misbehave on documents whose text contains this string.
    pub trigger: Option<String>,
    /// Sleep time for `mode = "sleep"`.
    pub sleep_ms: u64,
}

/// The fault plugin.
#[derive(Debug)]
pub struct Faults {
    config: Config,
}

impl Faults {
    fn triggered(&self, doc: &Document) -> bool {
        match &self.config.trigger {
            None => true,
            Some(t) => doc.raw.as_deref().unwrap_or(&doc.body).contains(t.as_str()),
        }
    }
}

impl Plugin for Faults {
    type Config = Config;

    fn new(config: Config, _host: Host) -> Result<Self, PluginError> {
        if config.mode == Mode::PanicOnCreate {
            panic!("test-faults: asked to panic on create");
        }
        Ok(Faults { config })
    }

    fn process(&self, doc: &mut Document) -> Result<Verdict, PluginError> {
        if !self.triggered(doc) {
            return Ok(Verdict::Continue);
        }
        match self.config.mode {
            Mode::Pass | Mode::PanicOnCreate => Ok(Verdict::Continue),
            Mode::Panic => panic!("test-faults: asked to panic on {}", doc.source.name),
            Mode::Error => Err(PluginError::permanent(
                "test_error",
                "test-faults: asked to fail",
            )),
            Mode::Retryable => Err(PluginError::retryable(
                "test_retry",
                "test-faults: try later",
            )),
            Mode::ChangeId => {
                doc.id = "not-the-same-id".into();
                Ok(Verdict::Continue)
            }
            Mode::Skip => Ok(Verdict::Skip {
                reason: "test-faults: asked to skip".into(),
            }),
            Mode::Sleep => {
                std::thread::sleep(std::time::Duration::from_millis(self.config.sleep_ms));
                Ok(Verdict::Continue)
            }
            Mode::Abort => std::process::abort(),
            #[allow(clippy::empty_loop)]
            Mode::Hang => loop {
                std::hint::spin_loop();
            },
            Mode::Segfault => {
                // SAFETY: none; this deliberately crashes to test isolation mode.
                unsafe { std::ptr::null_mut::<u8>().write_volatile(1) };
                Ok(Verdict::Continue)
            }
        }
    }
}

ingestd_sdk::export_plugin!(Faults);

#[cfg(test)]
mod tests {
    use ingestd_sdk::client::{CallOutcome, CreateError};
    use ingestd_sdk::testing::{
        ComplianceCase, MockHost, Processed, assert_plugin_compliance, sample_document,
    };

    #[test]
    fn passes_compliance_in_pass_mode() {
        assert_plugin_compliance(
            super::ingestd_plugin_v1,
            &ComplianceCase::new("{}").with_text("a.txt", "Some article text."),
        );
    }

    fn outcome(config: &str) -> CallOutcome {
        let host = MockHost::load(super::ingestd_plugin_v1);
        let instance = host.create(config, None).unwrap();
        match host.process(&instance, &sample_document("a.txt", "text")) {
            Processed::Continue(_) => panic!("expected a fault"),
            Processed::Other(outcome) => outcome,
        }
    }

    #[test]
    fn a_panic_is_contained_and_reported_with_its_message() {
        match outcome(r#"{"mode":"panic"}"#) {
            CallOutcome::Panic(msg) => assert!(msg.contains("asked to panic on a.txt"), "{msg}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_cross_as_typed_errors() {
        match outcome(r#"{"mode":"error"}"#) {
            CallOutcome::Error(e) => assert!(e.code == "test_error" && !e.retryable),
            other => panic!("{other:?}"),
        }
        match outcome(r#"{"mode":"retryable"}"#) {
            CallOutcome::Error(e) => assert!(e.retryable),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_panic_while_starting_is_contained() {
        let host = MockHost::load(super::ingestd_plugin_v1);
        let err = host
            .create(r#"{"mode":"panic_on_create"}"#, None)
            .unwrap_err();
        assert!(matches!(err, CreateError::Panicked(ref m) if m.contains("panic on create")));
    }
}
