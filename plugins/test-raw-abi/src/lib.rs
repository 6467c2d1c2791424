//! A plugin written against the raw C ABI, without the SDK's safe glue, that returns what a
//! buggy plugin in any language might: invalid JSON, oversized output, or an unknown status.
//!
//! Config: `{"mode": "garbage" | "huge" | "huge_error" | "bad_status", "trigger": "TEXT"}`
//! (`huge_error`: a 1 MiB error message with control characters); documents whose
//! JSON does not contain the trigger pass through unchanged.

use std::ffi::c_void;

use ingestd_sdk::abi::{self, HostApi, PluginDeclaration, RawBytes, Sink, Status};

struct Instance {
    mode: String,
    trigger: String,
}

fn emit(sink: *const Sink, bytes: &[u8]) {
    // SAFETY: the host passes a valid sink for the call.
    if let Some(sink) = unsafe { sink.as_ref() } {
        // SAFETY: bytes are valid for the call.
        unsafe { (sink.write)(sink.ctx, bytes.as_ptr(), bytes.len()) };
    }
}

unsafe extern "C" fn create(
    config: RawBytes,
    _host: *const HostApi,
    out: *mut *mut c_void,
    _err: *const Sink,
) -> Status {
    // SAFETY: the host keeps the config alive for the call.
    let config: serde_json::Value =
        serde_json::from_slice(unsafe { config.as_slice() }).unwrap_or_default();
    let field = |k: &str| {
        config
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let instance = Box::new(Instance {
        mode: field("mode"),
        trigger: field("trigger"),
    });
    // SAFETY: the host provides a writable slot.
    unsafe { out.write(Box::into_raw(instance).cast()) };
    abi::STATUS_OK
}

unsafe extern "C" fn process(instance: *mut c_void, doc: RawBytes, out: *const Sink) -> Status {
    // SAFETY: created by `create` above.
    let Some(instance) = (unsafe { instance.cast::<Instance>().as_ref() }) else {
        return abi::STATUS_PERMANENT;
    };
    // SAFETY: the host keeps the input alive for the call.
    let input = unsafe { doc.as_slice() };
    let triggered = input
        .windows(instance.trigger.len().max(1))
        .any(|w| w == instance.trigger.as_bytes());
    if !triggered {
        emit(out, input);
        return abi::STATUS_OK;
    }
    match instance.mode.as_str() {
        "garbage" => {
            emit(out, b"{\"id\": this is not json");
            abi::STATUS_OK
        }
        "huge" => {
            let chunk = vec![b' '; 1 << 20];
            for _ in 0..200 {
                emit(out, &chunk);
            }
            abi::STATUS_OK
        }
        "huge_error" => {
            let mut message = b"line one\nline two \x1b[31m".to_vec();
            message.extend(std::iter::repeat_n(b'E', 1 << 20));
            emit(out, &message);
            abi::STATUS_PERMANENT
        }
        _ => 77,
    }
}

unsafe extern "C" fn destroy(instance: *mut c_void) {
    if !instance.is_null() {
        // SAFETY: created by `create` above, destroyed once.
        drop(unsafe { Box::from_raw(instance.cast::<Instance>()) });
    }
}

/// Declares itself an ABI 1.0 plugin, with a 1.0-sized declaration (no `reads` or `writes`), so the
/// tests that use it also check that the host still reads older plugins: whole documents in,
/// whole documents out.
static DECLARATION: PluginDeclaration = PluginDeclaration {
    magic: abi::ABI_MAGIC,
    struct_size: abi::DECLARATION_SIZE_1_0,
    abi_major: abi::ABI_MAJOR,
    abi_minor: 0,
    panic_strategy: abi::PANIC_UNWIND,
    name: RawBytes::from_static("test-raw-abi"),
    version: RawBytes::from_static("0.0.0"),
    sdk_version: RawBytes::from_static(ingestd_sdk::SDK_VERSION),
    create,
    process,
    destroy,
    // Past `struct_size`: a host never reads them.
    reads: 0,
    writes: 0,
};

/// The declaration, written by hand.
#[unsafe(no_mangle)]
pub extern "C" fn ingestd_plugin_v1() -> *const PluginDeclaration {
    &DECLARATION
}
