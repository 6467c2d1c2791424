//! Security: plugin files others can change are refused; error reports and logs never echo
//! unbounded or control-character input.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use crate::util::{TestEnv, chain_entry, plugin, wait_until};

#[test]
fn a_plugin_in_a_folder_anyone_can_write_is_refused_unless_overridden() {
    let env = TestEnv::new("");
    let open = env.dir.path().join("open");
    std::fs::create_dir(&open).unwrap();
    let copy = open.join("libtest_faults.so");
    std::fs::copy(plugin("test-faults"), &copy).unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let entry = format!("[[chain]]\npath = {copy:?}\n");
    env.write_config(&entry);
    let out = env.command().arg("check").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&copy.display().to_string()),
        "names the file: {stderr}"
    );
    assert!(stderr.contains("writable by everyone"), "{stderr}");
    assert!(
        stderr.contains("allow_insecure_permissions"),
        "names the override: {stderr}"
    );

    env.write_config(&format!(
        "[plugins]\nallow_insecure_permissions = true\n{entry}"
    ));
    let out = env.command().arg("check").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_group_writable_plugin_file_is_refused() {
    let env = TestEnv::new("");
    let copy = env.dir.path().join("libtest_faults.so");
    std::fs::copy(plugin("test-faults"), &copy).unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o775)).unwrap();
    env.write_config(&format!("[[chain]]\npath = {copy:?}\n"));
    let out = env.command().arg("check").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("writable by its group"), "{stderr}");
}

#[test]
fn a_megabyte_error_message_is_cut_and_escaped() {
    for isolate in [false, true] {
        let mut entry = chain_entry("test-raw-abi", "mode = \"huge_error\"\ntrigger = \"LOUD\"");
        if isolate {
            entry = entry.replace("[chain.config]", "isolate = true\n[chain.config]");
        }
        let env = TestEnv::new(&entry);
        let daemon = env.start();
        env.drop_file(
            "loud.txt",
            b"LOUD article whose plugin error is a megabyte long.",
        );
        assert!(
            wait_until(Duration::from_secs(30), || env.error_reports().len() == 1),
            "{}",
            daemon.log()
        );
        let report_bytes = std::fs::read(env.failed.join("loud.txt.error.json")).unwrap();
        assert!(
            report_bytes.len() < 8 * 1024,
            "report is {} bytes",
            report_bytes.len()
        );
        let report: serde_json::Value = serde_json::from_slice(&report_bytes).unwrap();
        assert!(
            report["error"].as_str().unwrap().contains("line one"),
            "{report}"
        );
        let log = daemon.log();
        assert!(log.len() < 64 * 1024, "log is {} bytes", log.len());
        assert!(
            !log.contains('\x1b') && !log.contains("\nline two"),
            "{log}"
        );
        assert_eq!(daemon.stop(), Some(0));
    }
}
