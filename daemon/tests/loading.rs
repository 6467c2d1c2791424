//! Plugin libraries that must be refused at start, with a message naming them.

use crate::util::{TestEnv, chain_entry, plugin};

fn refused(chain: &str, expected: &[&str]) {
    let env = TestEnv::new(chain);
    for command in ["check", "run"] {
        let out = env.command().arg(command).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {stderr}");
        for text in expected {
            assert!(
                stderr.contains(text),
                "{command}: expected {text:?} in:\n{stderr}"
            );
        }
    }
}

#[test]
fn a_library_with_the_wrong_abi_version_is_refused_by_name() {
    let path = plugin("test-wrong-abi");
    refused(
        &chain_entry("test-wrong-abi", ""),
        &[
            path.to_str().unwrap(),
            "ABI version 99 is not supported (this host speaks ABI 1)",
        ],
    );
}

#[test]
fn a_library_without_the_symbol_is_refused_by_name() {
    let path = plugin("test-no-symbol");
    refused(
        &chain_entry("test-no-symbol", ""),
        &[path.to_str().unwrap(), "no `ingestd_plugin_v1` symbol"],
    );
}

#[test]
fn a_missing_library_and_a_non_library_are_refused_by_name() {
    refused(
        "[[chain]]\npath = \"/nowhere/libgone.so\"\n",
        &["/nowhere/libgone.so", "file not found"],
    );
    let env = TestEnv::new("");
    let fake = env.dir.path().join("libfake.so");
    std::fs::write(&fake, "#!/bin/sh\necho not a library\n").unwrap();
    refused(
        &format!("[[chain]]\npath = {fake:?}\n"),
        &["libfake.so", "not a loadable shared library"],
    );
}

#[test]
fn a_plugin_that_refuses_its_config_is_reported_with_its_own_message() {
    refused(
        &chain_entry("test-faults", "mode = \"explode\""),
        &["test-faults", "could not start", "explode"],
    );
    refused(
        &chain_entry("test-faults", "mood = \"pass\""),
        &["unknown field `mood`"],
    );
    refused(
        &chain_entry("test-faults", "mode = \"panic_on_create\""),
        &["panicked while starting"],
    );
}
