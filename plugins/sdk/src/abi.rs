//! The raw C ABI between the ingestd host and a plugin library: `#[repr(C)]` types only.
//!
//! Nothing in this module is a Rust-only type: every struct is `#[repr(C)]` and holds only
//! fixed-width integers, `usize` lengths, raw pointers and `extern "C"` function pointers, so
//! that a plugin built with another compiler (or in another language) can implement it.
//!
//! Ownership rule: memory never changes owner. Input bytes are borrowed for the duration of a
//! call. Anything the plugin returns (output documents, error text, log lines) is written
//! through a host-owned [`Sink`], which copies the bytes before the call returns.
//!
//! Compatibility rule: [`PluginDeclaration`] and [`HostApi`] only ever grow by appending
//! fields, and carry their own `struct_size`, so a newer host can read an older plugin. An
//! incompatible change exports a new symbol (`ingestd_plugin_v2`).

use std::ffi::c_void;

/// Magic number at the start of every [`PluginDeclaration`]: `"INGESTD\x01"` in ASCII.
pub const ABI_MAGIC: u64 = u64::from_be_bytes(*b"INGESTD\x01");

/// Major ABI version: the number in the exported symbol name.
pub const ABI_MAJOR: u32 = 1;

/// Minor ABI version: bumped when fields are appended to the declaration or host structs.
///
/// * 1.0: whole documents cross in both directions.
/// * 1.1: the declaration ends with [`PluginDeclaration::reads`] (the fields the plugin reads,
///   [`crate::fields`]); the host sends only those, and a plugin whose host speaks 1.1
///   (`HostApi::abi_minor >= 1`) may answer [`STATUS_PATCH`] with a field patch.
/// * 1.2: the declaration ends with [`PluginDeclaration::writes`] (the fields the plugin may
///   change); the host refuses output that changes any other field.
/// * 1.3: a host of 1.3 sends a plugin of 1.3 its fields in the binary form of
///   [`crate::binary`] instead of JSON, and the plugin answers with a binary patch (a plugin
///   answers in the form it was sent).
pub const ABI_MINOR: u32 = 3;

/// Name of the symbol every plugin library exports (NUL-terminated for `dlsym`).
pub const DECLARATION_SYMBOL: &[u8] = b"ingestd_plugin_v1\0";

/// Type of the exported declaration symbol: returns a pointer to a static declaration.
pub type DeclarationFn = unsafe extern "C" fn() -> *const PluginDeclaration;

/// `panic_strategy` value: the plugin was built with `panic = "unwind"`; panics are contained.
pub const PANIC_UNWIND: u32 = 1;
/// `panic_strategy` value: the plugin was built with `panic = "abort"`; the host refuses it.
pub const PANIC_ABORT: u32 = 2;

/// Status returned by `create` and `process`.
///
/// A plain `i32` rather than a Rust enum, because an unknown value from a newer plugin must not
/// be undefined behaviour on the host side.
pub type Status = i32;
/// The call succeeded; for `process`, the sink holds the new document.
pub const STATUS_OK: Status = 0;
/// `process` only: the document should not go on; the sink holds the reason (UTF-8 text).
pub const STATUS_SKIP: Status = 1;
/// A transient failure; the sink holds an error object. The host may try again later.
pub const STATUS_RETRYABLE: Status = 2;
/// A permanent failure for this input; the sink holds an error object `{code, message}`.
pub const STATUS_PERMANENT: Status = 3;
/// The plugin panicked; the panic was caught inside the plugin. The sink holds the message.
pub const STATUS_PANIC: Status = 4;
/// `process` only, ABI 1.1: the call succeeded and the sink holds a field patch (a JSON object
/// of the top-level fields to replace, see [`crate::fields`], or from ABI 1.3 its binary form
/// when the input was binary, see [`crate::binary`]), not the whole document. Only sent to a
/// host whose `HostApi::abi_minor` is at least 1.
pub const STATUS_PATCH: Status = 5;

/// Log level values passed to [`HostApi::log`].
pub mod level {
    /// Something an operator must act on.
    pub const ERROR: u32 = 1;
    /// Something unexpected that the plugin handled.
    pub const WARN: u32 = 2;
    /// Normal operational messages.
    pub const INFO: u32 = 3;
    /// Detail for debugging.
    pub const DEBUG: u32 = 4;
    /// Very fine detail.
    pub const TRACE: u32 = 5;
}

/// A borrowed byte slice: a pointer and a length. Valid only for the duration of the call (or,
/// inside a [`PluginDeclaration`], for the lifetime of the loaded library).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct RawBytes {
    /// Start of the bytes; may be dangling when `len` is 0.
    pub ptr: *const u8,
    /// Number of bytes.
    pub len: usize,
}

impl RawBytes {
    /// Borrows a static string (used by the export macro for names and versions).
    pub const fn from_static(s: &'static str) -> Self {
        RawBytes {
            ptr: s.as_ptr(),
            len: s.len(),
        }
    }

    /// Borrows a slice for the duration of a call.
    pub fn from_slice(bytes: &[u8]) -> Self {
        RawBytes {
            ptr: bytes.as_ptr(),
            len: bytes.len(),
        }
    }

    /// Views the bytes as a slice.
    ///
    /// # Safety
    /// `ptr` must point to `len` readable bytes that stay valid and unchanged for `'a`.
    pub unsafe fn as_slice<'a>(self) -> &'a [u8] {
        if self.len == 0 || self.ptr.is_null() {
            return &[];
        }
        // SAFETY: guaranteed by the caller.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

/// A write-only byte sink owned by the caller. The callee calls `write` zero or more times;
/// the owner copies the bytes, so no allocation ever crosses the boundary.
#[repr(C)]
#[derive(Debug)]
pub struct Sink {
    /// Opaque state of the sink's owner.
    pub ctx: *mut c_void,
    /// Appends `len` bytes at `ptr` to the sink.
    pub write: unsafe extern "C" fn(ctx: *mut c_void, ptr: *const u8, len: usize),
}

/// Services the host offers a plugin instance, passed to `create`.
///
/// The host keeps this struct alive (at a stable address) for as long as the instance lives,
/// and `log` may be called from any thread.
#[repr(C)]
#[derive(Debug)]
pub struct HostApi {
    /// `size_of::<HostApi>()` as the host knows it; fields past this size are absent.
    pub struct_size: u32,
    /// The host's [`ABI_MINOR`].
    pub abi_minor: u32,
    /// Opaque state passed back to `log`.
    pub ctx: *const c_void,
    /// Writes one log line at the given [`level`].
    pub log: unsafe extern "C" fn(ctx: *const c_void, level: u32, msg: *const u8, len: usize),
    /// A directory this plugin instance may keep state in (UTF-8 path), or empty.
    pub state_dir: RawBytes,
}

/// Creates an instance from its JSON configuration. On success writes the new instance pointer
/// to `instance_out` and returns [`STATUS_OK`]; otherwise writes an error through `err`.
pub type CreateFn = unsafe extern "C" fn(
    config_json: RawBytes,
    host: *const HostApi,
    instance_out: *mut *mut c_void,
    err: *const Sink,
) -> Status;

/// Processes one document (JSON in, or from ABI 1.3 binary fields); writes the resulting
/// document or patch, skip reason or error to `out`.
pub type ProcessFn =
    unsafe extern "C" fn(instance: *mut c_void, doc_json: RawBytes, out: *const Sink) -> Status;

/// Destroys an instance created by `create`.
pub type DestroyFn = unsafe extern "C" fn(instance: *mut c_void);

/// The static declaration a plugin library exports through [`DECLARATION_SYMBOL`].
#[repr(C)]
#[derive(Debug)]
pub struct PluginDeclaration {
    /// Always [`ABI_MAGIC`].
    pub magic: u64,
    /// `size_of::<PluginDeclaration>()` as the plugin knows it.
    pub struct_size: u32,
    /// The plugin's [`ABI_MAJOR`].
    pub abi_major: u32,
    /// The plugin's [`ABI_MINOR`].
    pub abi_minor: u32,
    /// [`PANIC_UNWIND`] or [`PANIC_ABORT`].
    pub panic_strategy: u32,
    /// Plugin name (UTF-8).
    pub name: RawBytes,
    /// Plugin version (UTF-8, semver).
    pub version: RawBytes,
    /// Version of the SDK the plugin was built with (UTF-8).
    pub sdk_version: RawBytes,
    /// See [`CreateFn`].
    pub create: CreateFn,
    /// See [`ProcessFn`].
    pub process: ProcessFn,
    /// See [`DestroyFn`].
    pub destroy: DestroyFn,
    /// ABI 1.1: the top-level fields `process` reads, as a mask of [`crate::fields`] bits
    /// ([`crate::fields::ALL`]: everything). Absent (`struct_size` too small) means all.
    pub reads: u64,
    /// ABI 1.2: the top-level fields `process` may change, as a mask of [`crate::fields`] bits
    /// ([`crate::fields::ALL`]: any). Absent (`struct_size` too small) means all.
    pub writes: u64,
}

/// Size of the ABI 1.0 declaration (everything before [`PluginDeclaration::reads`]): the
/// smallest a host accepts.
pub const DECLARATION_SIZE_1_0: u32 = std::mem::offset_of!(PluginDeclaration, reads) as u32;

/// Size of the ABI 1.1 declaration (everything before [`PluginDeclaration::writes`]).
pub const DECLARATION_SIZE_1_1: u32 = std::mem::offset_of!(PluginDeclaration, writes) as u32;

// SAFETY: a declaration is immutable static data (pointers into the library's read-only data
// and function pointers); sharing it between threads is sound.
unsafe impl Sync for PluginDeclaration {}
// SAFETY: see above; the host API's `ctx` is required by contract to be usable from any thread.
unsafe impl Sync for HostApi {}
// SAFETY: as for `Sync`.
unsafe impl Send for HostApi {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_spells_ingestd() {
        assert_eq!(&ABI_MAGIC.to_be_bytes(), b"INGESTD\x01");
    }

    #[test]
    fn raw_bytes_round_trip() {
        let data = b"hello";
        let raw = RawBytes::from_slice(data);
        // SAFETY: `data` outlives the view.
        assert_eq!(unsafe { raw.as_slice() }, data);
        let empty = RawBytes {
            ptr: std::ptr::null(),
            len: 0,
        };
        // SAFETY: a null, empty view is allowed.
        assert!(unsafe { empty.as_slice() }.is_empty());
    }
}
