//! The host side of the ABI: validating a declaration and calling a plugin safely.
//!
//! The daemon (after `dlopen`) and the compliance harness (in-process) both drive plugins
//! through these types, so the rules of the boundary are written once: read the declaration
//! defensively, keep the host API alive as long as the instance, copy every output through a
//! capped sink, and turn every status into a typed outcome.

use std::ffi::c_void;
use std::mem::offset_of;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;

use crate::abi::{
    self, ABI_MAGIC, ABI_MAJOR, HostApi, PANIC_ABORT, PANIC_UNWIND, PluginDeclaration, RawBytes,
    STATUS_OK, STATUS_PANIC, STATUS_PATCH, STATUS_PERMANENT, STATUS_RETRYABLE, STATUS_SKIP, Sink,
};
use crate::document::Document;
use crate::fields::{self, UndeclaredWrite};
use crate::plugin::{Level, PluginError};

/// Why a declaration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeclarationError {
    /// The symbol returned a null pointer.
    #[error("the declaration symbol returned a null pointer")]
    Null,
    /// The magic number is wrong: not an ingestd plugin, or a corrupt one.
    #[error("wrong magic number {found:#018x} (expected {expected:#018x}): not an ingestd plugin")]
    BadMagic {
        /// What the library has.
        found: u64,
        /// What the host expects.
        expected: u64,
    },
    /// The plugin was built for another major ABI version.
    #[error("ABI version {found} is not supported (this host speaks ABI {expected})")]
    AbiMajor {
        /// The plugin's ABI major version.
        found: u32,
        /// The host's ABI major version.
        expected: u32,
    },
    /// The declaration is smaller than the first ABI version's.
    #[error("declaration is {found} bytes, smaller than the {minimum} bytes of ABI 1.0")]
    TooSmall {
        /// Declared size.
        found: u32,
        /// Minimum size.
        minimum: u32,
    },
    /// Built with `panic = "abort"`: a panic would kill the daemon, so it is refused.
    #[error(
        "built with panic = \"abort\"; a panic could not be contained (build it with panic = \"unwind\")"
    )]
    PanicAbort,
    /// An unknown panic strategy value.
    #[error("unknown panic strategy {0}")]
    UnknownPanicStrategy(u32),
    /// A name or version string is not UTF-8.
    #[error("the plugin's {0} is not valid UTF-8")]
    NotUtf8(&'static str),
}

/// What the host learned from a valid declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationInfo {
    /// Plugin name.
    pub name: String,
    /// Plugin version.
    pub version: String,
    /// SDK version the plugin was built with.
    pub sdk_version: String,
    /// ABI major version.
    pub abi_major: u32,
    /// ABI minor version.
    pub abi_minor: u32,
    /// Size of the declaration struct.
    pub struct_size: u32,
    /// The fields the plugin reads ([`fields::ALL`] for an ABI 1.0 plugin).
    pub reads: u64,
    /// The fields the plugin may change ([`fields::ALL`] before ABI 1.2).
    pub writes: u64,
}

impl DeclarationInfo {
    /// The input `process` expects for `doc`: the fields the plugin reads, in the binary form
    /// (ABI 1.3) or as JSON (ABI 1.1, taken from `cache` where they were encoded before), or
    /// the whole document (ABI 1.0, whose plugins may expect every field to be present).
    pub fn encode_input(
        &self,
        doc: &Document,
        cache: &mut fields::FieldCache,
    ) -> serde_json::Result<Vec<u8>> {
        if self.abi_minor >= 3 {
            fields::encode_fields_binary(doc, self.reads)
        } else if self.abi_minor >= 1 {
            cache.encode(doc, self.reads)
        } else {
            serde_json::to_vec(doc)
        }
    }

    /// Refuses output that changed (`changed`, a field mask) fields outside the ones the
    /// plugin declares it writes (ABI 1.2; every field may change before).
    pub fn check_writes(&self, changed: u64) -> Result<(), UndeclaredWrite> {
        fields::check_writes(changed, self.writes)
    }
}

/// A declaration that passed validation. The pointer must stay valid for `'static`, which the
/// daemon guarantees by never unloading a library.
#[derive(Debug, Clone, Copy)]
pub struct ValidDeclaration {
    decl: &'static PluginDeclaration,
}

fn read_str(raw: RawBytes, what: &'static str) -> Result<String, DeclarationError> {
    // SAFETY: the declaration's strings point into the library's static data.
    let bytes = unsafe { raw.as_slice() };
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| DeclarationError::NotUtf8(what))
}

/// Size of the ABI 1.0 declaration: the smallest a host accepts.
const MIN_DECLARATION_SIZE: u32 = abi::DECLARATION_SIZE_1_0;

/// Reads the field mask at byte `offset` of the declaration (the 1.1 `reads`, the 1.2
/// `writes`), or [`fields::ALL`] when the declaration is too short to have it.
///
/// # Safety
/// `ptr` points to a declaration of `struct_size` readable bytes.
unsafe fn read_mask(ptr: *const PluginDeclaration, struct_size: u32, offset: usize) -> u64 {
    if (struct_size as usize) < offset + std::mem::size_of::<u64>() {
        return fields::ALL;
    }
    // SAFETY: the declaration says it is long enough; read through a raw pointer so nothing
    // past an older, shorter declaration is ever touched.
    unsafe { ptr.cast::<u8>().add(offset).cast::<u64>().read_unaligned() }
}

impl ValidDeclaration {
    /// Validates a declaration returned by a plugin's declaration symbol.
    ///
    /// Fields are read in order of trust: the magic number first (so a foreign library is
    /// refused before anything else is read), then the versions, then the rest.
    ///
    /// # Safety
    /// `ptr` must be null or point to memory readable for at least the first 8 bytes, and, if
    /// those hold the magic number, to a `PluginDeclaration` that lives forever.
    pub unsafe fn new(
        ptr: *const PluginDeclaration,
    ) -> Result<(ValidDeclaration, DeclarationInfo), DeclarationError> {
        if ptr.is_null() {
            return Err(DeclarationError::Null);
        }
        // SAFETY: the caller guarantees 8 readable bytes; the read may be unaligned.
        let magic = unsafe { ptr.cast::<u64>().read_unaligned() };
        if magic != ABI_MAGIC {
            return Err(DeclarationError::BadMagic {
                found: magic,
                expected: ABI_MAGIC,
            });
        }
        // SAFETY: the magic matches, so by contract this is a live, static declaration. Only
        // the fixed header is read before its size and version are checked.
        let decl: &'static PluginDeclaration = unsafe { &*ptr };
        if decl.abi_major != ABI_MAJOR {
            return Err(DeclarationError::AbiMajor {
                found: decl.abi_major,
                expected: ABI_MAJOR,
            });
        }
        if decl.struct_size < MIN_DECLARATION_SIZE {
            return Err(DeclarationError::TooSmall {
                found: decl.struct_size,
                minimum: MIN_DECLARATION_SIZE,
            });
        }
        match decl.panic_strategy {
            PANIC_UNWIND => {}
            PANIC_ABORT => return Err(DeclarationError::PanicAbort),
            other => return Err(DeclarationError::UnknownPanicStrategy(other)),
        }
        let info = DeclarationInfo {
            name: read_str(decl.name, "name")?,
            version: read_str(decl.version, "version")?,
            sdk_version: read_str(decl.sdk_version, "SDK version")?,
            abi_major: decl.abi_major,
            abi_minor: decl.abi_minor,
            struct_size: decl.struct_size,
            // SAFETY: `ptr` is the validated declaration of `struct_size` bytes.
            reads: unsafe {
                read_mask(ptr, decl.struct_size, offset_of!(PluginDeclaration, reads))
            },
            // SAFETY: as above.
            writes: unsafe {
                read_mask(ptr, decl.struct_size, offset_of!(PluginDeclaration, writes))
            },
        };
        Ok((ValidDeclaration { decl }, info))
    }
}

/// A log function the host hands to plugin instances.
pub type LogFn = Arc<dyn Fn(Level, &str) + Send + Sync>;

/// Everything behind the `HostApi` pointer of one instance; boxed so its address is stable.
struct HostBinding {
    api: HostApi,
    _state_dir: Box<[u8]>,
    _log: Box<LogFn>,
}

/// Longest log line accepted from a plugin; longer ones are cut.
const MAX_LOG_LINE: usize = 16 * 1024;

unsafe extern "C" fn host_log(ctx: *const c_void, level: u32, msg: *const u8, len: usize) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `ctx` is the `LogFn` box of a live `HostBinding`.
        let Some(log) = (unsafe { ctx.cast::<LogFn>().as_ref() }) else {
            return;
        };
        // SAFETY: the plugin passes `len` readable bytes for the call.
        let bytes = unsafe { RawBytes { ptr: msg, len }.as_slice() };
        let bytes = &bytes[..bytes.len().min(MAX_LOG_LINE)];
        log(Level::from_raw(level), &String::from_utf8_lossy(bytes));
    }));
}

/// Sink state: a byte buffer with a cap; bytes past the cap are dropped and flagged.
struct CappedBuffer {
    bytes: Vec<u8>,
    cap: usize,
    overflowed: bool,
}

unsafe extern "C" fn sink_write(ctx: *mut c_void, ptr: *const u8, len: usize) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `ctx` is the `CappedBuffer` of a sink that lives for the call.
        let Some(buffer) = (unsafe { ctx.cast::<CappedBuffer>().as_mut() }) else {
            return;
        };
        // SAFETY: the plugin passes `len` readable bytes for the call.
        let bytes = unsafe { RawBytes { ptr, len }.as_slice() };
        if buffer.bytes.len().saturating_add(bytes.len()) > buffer.cap {
            buffer.overflowed = true;
        } else {
            buffer.bytes.extend_from_slice(bytes);
        }
    }));
}

/// Runs `call` with a fresh capped sink and returns what was written.
fn with_sink(cap: usize, call: impl FnOnce(*const Sink) -> i32) -> (i32, CappedBuffer) {
    let mut buffer = CappedBuffer {
        bytes: Vec::new(),
        cap,
        overflowed: false,
    };
    let sink = Sink {
        ctx: (&raw mut buffer).cast(),
        write: sink_write,
    };
    let status = call(&sink);
    (status, buffer)
}

/// Result of one `process` call, after the host checked the status.
#[derive(Debug, Clone, PartialEq)]
pub enum CallOutcome {
    /// The plugin returned a new document (raw JSON bytes, not yet validated).
    Continue(Vec<u8>),
    /// ABI 1.1: the plugin returned a field patch to apply to the document it was sent (raw
    /// JSON bytes, not yet validated; see [`fields::apply_patch`]).
    Patch(Vec<u8>),
    /// The plugin asked to skip the document.
    Skip(String),
    /// The plugin returned an error.
    Error(PluginError),
    /// The plugin panicked (caught inside the plugin).
    Panic(String),
    /// The plugin broke the protocol: unknown status, or output over the size cap.
    Protocol(String),
}

/// Why an instance could not be created.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CreateError {
    /// The plugin refused its configuration or failed to start.
    #[error("{0}")]
    Refused(PluginError),
    /// The plugin panicked while starting.
    #[error("panicked while starting: {0}")]
    Panicked(String),
    /// The plugin broke the protocol.
    #[error("broke the plugin protocol: {0}")]
    Protocol(String),
}

/// Reads an error object written by a plugin; falls back to the raw text.
fn parse_error(bytes: &[u8], retryable: bool) -> PluginError {
    serde_json::from_slice::<PluginError>(bytes).unwrap_or_else(|_| PluginError {
        code: "unknown".into(),
        message: crate::text::bounded_lossy(bytes, 2048),
        retryable,
    })
}

/// Largest error or skip message kept from a plugin.
const MAX_MESSAGE: usize = 64 * 1024;

/// A live plugin instance. Destroyed when dropped.
pub struct Instance {
    decl: &'static PluginDeclaration,
    ptr: *mut c_void,
    _host: Box<HostBinding>,
}

impl std::fmt::Debug for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instance")
            .field("ptr", &self.ptr)
            .finish_non_exhaustive()
    }
}

// SAFETY: plugin instances are `Send + Sync` by contract (the SDK trait requires it), and the
// host binding is immutable after creation.
unsafe impl Send for Instance {}
// SAFETY: as above.
unsafe impl Sync for Instance {}

impl Instance {
    /// Creates an instance with its JSON configuration, a log function and a state directory.
    pub fn create(
        declaration: ValidDeclaration,
        config_json: &[u8],
        log: LogFn,
        state_dir: Option<&Path>,
    ) -> Result<Instance, CreateError> {
        let state_dir: Box<[u8]> = state_dir
            .and_then(Path::to_str)
            .map(|s| s.as_bytes().into())
            .unwrap_or_default();
        let log = Box::new(log);
        let host = Box::new(HostBinding {
            api: HostApi {
                struct_size: std::mem::size_of::<HostApi>() as u32,
                abi_minor: abi::ABI_MINOR,
                ctx: (&raw const *log).cast(),
                log: host_log,
                state_dir: RawBytes::from_slice(&state_dir),
            },
            _state_dir: state_dir,
            _log: log,
        });
        let decl = declaration.decl;
        let mut ptr: *mut c_void = std::ptr::null_mut();
        let (status, buffer) = with_sink(MAX_MESSAGE, |sink| {
            // SAFETY: all pointers are valid for the call; the host binding outlives the
            // instance because the instance owns it.
            unsafe { (decl.create)(RawBytes::from_slice(config_json), &host.api, &mut ptr, sink) }
        });
        match status {
            STATUS_OK if !ptr.is_null() => Ok(Instance {
                decl,
                ptr,
                _host: host,
            }),
            STATUS_OK => Err(CreateError::Protocol(
                "create returned ok but no instance".into(),
            )),
            STATUS_PANIC => Err(CreateError::Panicked(crate::text::bounded_lossy(
                &buffer.bytes,
                2048,
            ))),
            STATUS_PERMANENT | STATUS_RETRYABLE => Err(CreateError::Refused(parse_error(
                &buffer.bytes,
                status == STATUS_RETRYABLE,
            ))),
            other => Err(CreateError::Protocol(format!(
                "create returned unknown status {other}"
            ))),
        }
    }

    /// Processes one document; output over `max_output` bytes is a protocol error.
    pub fn process(&self, doc_json: &[u8], max_output: usize) -> CallOutcome {
        let (status, buffer) = with_sink(max_output, |sink| {
            // SAFETY: the instance is live; input and sink are valid for the call.
            unsafe { (self.decl.process)(self.ptr, RawBytes::from_slice(doc_json), sink) }
        });
        if buffer.overflowed {
            return CallOutcome::Protocol(format!(
                "output larger than the {max_output}-byte limit (status {status})"
            ));
        }
        let text = |bytes: &[u8]| crate::text::bounded_lossy(bytes, MAX_MESSAGE);
        match status {
            STATUS_OK => CallOutcome::Continue(buffer.bytes),
            STATUS_PATCH => CallOutcome::Patch(buffer.bytes),
            STATUS_SKIP => CallOutcome::Skip(text(&buffer.bytes)),
            STATUS_RETRYABLE => CallOutcome::Error(parse_error(&buffer.bytes, true)),
            STATUS_PERMANENT => CallOutcome::Error(parse_error(&buffer.bytes, false)),
            STATUS_PANIC => CallOutcome::Panic(text(&buffer.bytes)),
            other => CallOutcome::Protocol(format!("process returned unknown status {other}")),
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: the pointer came from this declaration's `create` and is destroyed once.
        unsafe { (self.decl.destroy)(self.ptr) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe extern "C" fn create(
        _: RawBytes,
        _: *const HostApi,
        _: *mut *mut c_void,
        _: *const Sink,
    ) -> abi::Status {
        STATUS_PERMANENT
    }

    unsafe extern "C" fn process(_: *mut c_void, _: RawBytes, _: *const Sink) -> abi::Status {
        STATUS_PERMANENT
    }

    unsafe extern "C" fn destroy(_: *mut c_void) {}

    /// A declaration of `struct_size` bytes whose masks (`reads`, `writes`) are `mask`.
    fn declaration(struct_size: u32, mask: u64) -> &'static PluginDeclaration {
        Box::leak(Box::new(PluginDeclaration {
            magic: ABI_MAGIC,
            struct_size,
            abi_major: ABI_MAJOR,
            abi_minor: 0,
            panic_strategy: PANIC_UNWIND,
            name: RawBytes::from_static("masks"),
            version: RawBytes::from_static("0.0.0"),
            sdk_version: RawBytes::from_static(crate::SDK_VERSION),
            create,
            process,
            destroy,
            reads: mask,
            writes: mask,
        }))
    }

    #[test]
    fn masks_past_an_older_declaration_read_as_everything() {
        let mask = fields::TITLE;
        let full = std::mem::size_of::<PluginDeclaration>() as u32;
        for (size, reads, writes) in [
            (abi::DECLARATION_SIZE_1_0, fields::ALL, fields::ALL),
            (abi::DECLARATION_SIZE_1_1, mask, fields::ALL),
            (full, mask, mask),
        ] {
            // SAFETY: a leaked, so static, declaration.
            let (_, info) = unsafe { ValidDeclaration::new(declaration(size, mask)) }.unwrap();
            assert_eq!((info.reads, info.writes), (reads, writes), "size {size}");
        }
    }

    #[test]
    fn output_that_changes_undeclared_fields_is_refused_naming_them() {
        let full = std::mem::size_of::<PluginDeclaration>() as u32;
        let writes = fields::SUMMARY | fields::ENTITIES;
        // SAFETY: a leaked, so static, declaration.
        let (_, info) = unsafe { ValidDeclaration::new(declaration(full, writes)) }.unwrap();
        assert_eq!(info.check_writes(fields::SUMMARY), Ok(()));
        assert_eq!(info.check_writes(0), Ok(()));
        let err = info
            .check_writes(fields::SUMMARY | fields::TITLE)
            .unwrap_err();
        assert_eq!(err.fields, "title");
        assert_eq!(
            err.to_string(),
            "plugin changed title, but declares that it writes only: entities, summary"
        );
    }
}
