//! Glue behind [`export_plugin!`](crate::export_plugin): the `extern "C"` entry points.
//!
//! Every entry point runs the plugin inside `catch_unwind`, and drops a panic payload inside a
//! second `catch_unwind` (a payload's destructor may itself panic), so no unwinding ever
//! crosses the C boundary. Not part of the public API; used through the macro only.

use std::any::Any;
use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::abi::{
    HostApi, RawBytes, STATUS_OK, STATUS_PANIC, STATUS_PATCH, STATUS_PERMANENT, STATUS_RETRYABLE,
    STATUS_SKIP, Sink, Status,
};
use crate::binary;
use crate::fields;
use crate::plugin::{Host, Plugin, PluginError, Verdict, parse_config};

/// A plugin instance and what its host understands.
struct Hosted<P> {
    plugin: P,
    /// The host speaks ABI 1.1 or later: answer with field patches.
    patches: bool,
}

/// Writes bytes to a host sink (no-op for a null sink).
fn emit(sink: *const Sink, bytes: &[u8]) {
    // SAFETY: the host passes a valid sink (or null) for the duration of the call.
    if let Some(sink) = unsafe { sink.as_ref() } {
        // SAFETY: the pointer/length pair describes `bytes`, borrowed for the call.
        unsafe { (sink.write)(sink.ctx, bytes.as_ptr(), bytes.len()) };
    }
}

fn emit_error(sink: *const Sink, err: &PluginError) -> Status {
    let json = serde_json::to_vec(err).unwrap_or_else(|_| b"{\"code\":\"internal\"}".to_vec());
    emit(sink, &json);
    if err.retryable {
        STATUS_RETRYABLE
    } else {
        STATUS_PERMANENT
    }
}

/// Turns a caught panic into the panic status, dropping the payload safely.
fn contain_panic(payload: Box<dyn Any + Send>, sink: *const Sink) -> Status {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic with a non-string payload".to_owned());
    // The payload's destructor may panic too; that must not unwind out of here either.
    let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
    let _ = catch_unwind(AssertUnwindSafe(|| emit(sink, message.as_bytes())));
    STATUS_PANIC
}

/// `create` entry point for plugin type `P`.
///
/// # Safety
/// Called by the host per the ABI contract: valid config bytes, a host API that outlives the
/// instance, a writable `instance_out`, and a valid (or null) error sink.
pub unsafe extern "C" fn create<P: Plugin>(
    config_json: RawBytes,
    host: *const HostApi,
    instance_out: *mut *mut c_void,
    err: *const Sink,
) -> Status {
    let result = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the host keeps the config bytes alive for the call.
        let config = unsafe { config_json.as_slice() };
        // SAFETY: the host passes a valid API pointer (or null) for the call.
        let patches = unsafe { host.as_ref() }.is_some_and(|api| api.abi_minor >= 1);
        // SAFETY: the host keeps the API alive for the instance's lifetime.
        let host = unsafe { Host::from_raw(host) };
        parse_config::<P::Config>(config)
            .and_then(|config| P::new(config, host))
            .map(|plugin| Hosted { plugin, patches })
    }));
    match result {
        Ok(Ok(plugin)) => {
            if instance_out.is_null() {
                return emit_error(err, &PluginError::permanent("abi", "null instance_out"));
            }
            let instance = Box::into_raw(Box::new(plugin)).cast::<c_void>();
            // SAFETY: checked non-null; the host provides a writable slot.
            unsafe { instance_out.write(instance) };
            STATUS_OK
        }
        Ok(Err(e)) => emit_error(err, &e),
        Err(payload) => contain_panic(payload, err),
    }
}

/// `process` entry point for plugin type `P`.
///
/// # Safety
/// `instance` must come from `create::<P>` and not be destroyed; `doc_json` must be valid for
/// the call; `out` must be a valid (or null) sink.
pub unsafe extern "C" fn process<P: Plugin>(
    instance: *mut c_void,
    doc_json: RawBytes,
    out: *const Sink,
) -> Status {
    // SAFETY: the host passes an instance created by `create::<P>`; shared access only.
    let Some(hosted) = (unsafe { instance.cast::<Hosted<P>>().as_ref() }) else {
        return emit_error(out, &PluginError::permanent("abi", "null instance"));
    };
    let result = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the host keeps the input bytes alive for the call.
        let input = unsafe { doc_json.as_slice() };
        // Answer in the form the host sent (binary from an ABI 1.3 host, else JSON).
        let binary = binary::is_binary(input);
        let mut doc = if binary {
            fields::decode_fields_binary(input).map_err(|e| {
                PluginError::permanent("bad_document", format!("host sent invalid fields: {e}"))
            })?
        } else {
            serde_json::from_slice(input).map_err(|e| {
                PluginError::permanent("bad_document", format!("host sent invalid JSON: {e}"))
            })?
        };
        let before = hosted.patches.then(|| fields::snapshot(&doc, P::WRITES));
        // Debug builds (tests) check that the plugin changes only what it declares.
        let whole = (cfg!(debug_assertions) && P::WRITES != fields::ALL).then(|| doc.clone());
        match hosted.plugin.process(&mut doc)? {
            Verdict::Continue => {
                if let Some(whole) = &whole {
                    let changed = fields::changed_fields(whole, &doc);
                    fields::check_writes(changed, P::WRITES).map_err(undeclared_write)?;
                }
                match &before {
                    Some(before) if binary => fields::encode_patch_binary(before, &doc, P::WRITES)
                        .map(|patch| (STATUS_PATCH, patch)),
                    Some(before) => fields::encode_patch_within(before, &doc, P::WRITES)
                        .map(|json| (STATUS_PATCH, json)),
                    None => serde_json::to_vec(&doc).map(|json| (STATUS_OK, json)),
                }
                .map_err(|e| PluginError::permanent("serialize", e.to_string()))
            }
            Verdict::Skip { reason } => Ok((STATUS_SKIP, reason.into_bytes())),
        }
    }));
    match result {
        Ok(Ok((status, bytes))) => {
            emit(out, &bytes);
            status
        }
        Ok(Err(e)) => emit_error(out, &e),
        Err(payload) => contain_panic(payload, out),
    }
}

/// The error for a `process` that changed fields outside its `Plugin::WRITES` (the patch would
/// silently leave those changes out).
fn undeclared_write(e: fields::UndeclaredWrite) -> PluginError {
    PluginError::permanent(
        "undeclared_write",
        format!("{e}; add them to Plugin::WRITES"),
    )
}

/// `destroy` entry point for plugin type `P`.
///
/// # Safety
/// `instance` must come from `create::<P>` and must not be used afterwards.
pub unsafe extern "C" fn destroy<P: Plugin>(instance: *mut c_void) {
    if instance.is_null() {
        return;
    }
    // SAFETY: the instance was made by `Box::into_raw` in `create::<P>` and is dropped once.
    let boxed = unsafe { Box::from_raw(instance.cast::<Hosted<P>>()) };
    if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(boxed))) {
        let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
    }
}

/// Exports a [`Plugin`](crate::Plugin) type as an ingestd plugin library.
///
/// Put this once in the `lib.rs` of a crate with `crate-type = ["cdylib"]`:
///
/// ```ignore
/// ingestd_sdk::export_plugin!(MyPlugin);
/// ```
///
/// It defines the `ingestd_plugin_v1` symbol, which returns the static declaration with the
/// crate's name and version, the SDK version, the ABI version and the panic strategy.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        /// The ingestd plugin declaration (generated by `ingestd_sdk::export_plugin!`).
        // Exported by its symbol name, so it is reachable even from a private module.
        #[allow(unreachable_pub)]
        #[unsafe(no_mangle)]
        pub extern "C" fn ingestd_plugin_v1() -> *const $crate::abi::PluginDeclaration {
            static DECLARATION: $crate::abi::PluginDeclaration = $crate::abi::PluginDeclaration {
                magic: $crate::abi::ABI_MAGIC,
                struct_size: ::core::mem::size_of::<$crate::abi::PluginDeclaration>() as u32,
                abi_major: $crate::abi::ABI_MAJOR,
                abi_minor: $crate::abi::ABI_MINOR,
                panic_strategy: if cfg!(panic = "unwind") {
                    $crate::abi::PANIC_UNWIND
                } else {
                    $crate::abi::PANIC_ABORT
                },
                name: $crate::abi::RawBytes::from_static(env!("CARGO_PKG_NAME")),
                version: $crate::abi::RawBytes::from_static(env!("CARGO_PKG_VERSION")),
                sdk_version: $crate::abi::RawBytes::from_static($crate::SDK_VERSION),
                create: $crate::__export::create::<$plugin>,
                process: $crate::__export::process::<$plugin>,
                destroy: $crate::__export::destroy::<$plugin>,
                reads: <$plugin as $crate::Plugin>::READS,
                writes: <$plugin as $crate::Plugin>::WRITES,
            };
            &DECLARATION
        }
    };
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::client::CallOutcome;
    use crate::testing::{MockHost, Processed};
    use crate::{Document, Host, Plugin, PluginError, Verdict, fields};

    /// Reads the title and body, declares that it writes the summary only, and changes the
    /// title too when the body says so.
    struct SummaryOnly;

    impl Plugin for SummaryOnly {
        type Config = BTreeMap<String, serde_json::Value>;
        const READS: u64 = fields::TITLE | fields::BODY;
        const WRITES: u64 = fields::SUMMARY;

        fn new(_: Self::Config, _: Host) -> Result<Self, PluginError> {
            Ok(SummaryOnly)
        }

        fn process(&self, doc: &mut Document) -> Result<Verdict, PluginError> {
            doc.summary = doc.title.clone();
            if doc.body.contains("undeclared") {
                doc.title = Some("changed".into());
            }
            Ok(Verdict::Continue)
        }
    }

    crate::export_plugin!(SummaryOnly);

    fn document(body: &str) -> Document {
        Document {
            id: "d".into(),
            title: Some("Title".into()),
            body: body.into(),
            raw: Some("raw text".into()),
            ..Document::default()
        }
    }

    #[test]
    fn the_declaration_carries_the_writes_and_the_patch_only_those_fields() {
        let host = MockHost::load(ingestd_plugin_v1);
        assert_eq!(host.info.reads, fields::TITLE | fields::BODY);
        assert_eq!(host.info.writes, fields::SUMMARY);
        let instance = host.create("{}", None).unwrap();
        let doc = document("A body.");
        let Processed::Continue(out) = host.process(&instance, &doc) else {
            panic!("expected a document");
        };
        let expected = Document {
            summary: Some("Title".into()),
            ..doc
        };
        assert_eq!(*out, expected);
    }

    #[test]
    fn a_plugin_answers_in_the_form_it_was_sent() {
        let host = MockHost::load(ingestd_plugin_v1);
        let instance = host.create("{}", None).unwrap();
        let doc = document("A body.");
        let reads = host.info.reads;
        for (input, binary) in [
            (fields::encode_fields(&doc, reads).unwrap(), false),
            (fields::encode_fields_binary(&doc, reads).unwrap(), true),
        ] {
            let CallOutcome::Patch(patch) = instance.process(&input, 1 << 20) else {
                panic!("expected a patch");
            };
            assert_eq!(crate::binary::is_binary(&patch), binary);
            let mut patched = doc.clone();
            assert_eq!(
                fields::apply_patch(&mut patched, &patch),
                Ok(fields::SUMMARY)
            );
            assert_eq!(patched.summary.as_deref(), Some("Title"));
        }
    }

    #[test]
    fn a_change_outside_the_writes_fails_in_debug_builds_and_is_not_sent_otherwise() {
        let host = MockHost::load(ingestd_plugin_v1);
        let instance = host.create("{}", None).unwrap();
        let doc = document("An undeclared change.");
        let json = host
            .info
            .encode_input(&doc, &mut fields::FieldCache::default())
            .unwrap();
        match instance.process(&json, 1 << 20) {
            CallOutcome::Error(e) if cfg!(debug_assertions) => {
                assert_eq!(e.code, "undeclared_write");
                assert!(e.message.contains("title"), "{}", e.message);
            }
            CallOutcome::Patch(patch) if !cfg!(debug_assertions) => {
                let mut patched = doc.clone();
                let touched = fields::apply_patch(&mut patched, &patch).unwrap();
                assert_eq!(touched, fields::SUMMARY);
                assert_eq!(patched.title.as_deref(), Some("Title"));
            }
            other => panic!("unexpected outcome {other:?}"),
        }
    }
}
