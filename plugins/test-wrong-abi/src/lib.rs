//! A library that declares a future ABI major version; the host must refuse it by name.

use ingestd_sdk::abi::{self, PluginDeclaration, RawBytes, Sink, Status};
use std::ffi::c_void;

unsafe extern "C" fn create(
    _: RawBytes,
    _: *const abi::HostApi,
    _: *mut *mut c_void,
    _: *const Sink,
) -> Status {
    abi::STATUS_PERMANENT
}

unsafe extern "C" fn process(_: *mut c_void, _: RawBytes, _: *const Sink) -> Status {
    abi::STATUS_PERMANENT
}

unsafe extern "C" fn destroy(_: *mut c_void) {}

static DECLARATION: PluginDeclaration = PluginDeclaration {
    magic: abi::ABI_MAGIC,
    struct_size: std::mem::size_of::<PluginDeclaration>() as u32,
    abi_major: 99,
    abi_minor: 0,
    panic_strategy: abi::PANIC_UNWIND,
    name: RawBytes::from_static("test-wrong-abi"),
    version: RawBytes::from_static("0.0.0"),
    sdk_version: RawBytes::from_static(ingestd_sdk::SDK_VERSION),
    create,
    process,
    destroy,
    reads: ingestd_sdk::fields::ALL,
    writes: ingestd_sdk::fields::ALL,
};

/// Declares ABI 99, which no host speaks.
#[unsafe(no_mangle)]
pub extern "C" fn ingestd_plugin_v1() -> *const PluginDeclaration {
    &DECLARATION
}
