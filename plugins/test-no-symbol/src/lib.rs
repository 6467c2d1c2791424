//! A shared library that is not an ingestd plugin: it lacks the declaration symbol.

/// Some unrelated exported function.
#[unsafe(no_mangle)]
pub extern "C" fn not_a_plugin() -> u32 {
    42
}
