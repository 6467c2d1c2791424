//! `ingestd new-plugin`: the generated crate builds, passes its own tests (the SDK compliance
//! harness) and is loaded by the daemon, which then claims an article of the new outlet.
//!
//! The crate is generated into a throw-away copy of the workspace (root manifest, lock file,
//! `plugins/sdk`, `plugins/textkit`), so the repository itself is never touched.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::util::{binary, repo_root};

const NAME: &str = "outlet-scaffold-check";

/// An article of an outlet that is in none of the bundled plugins.
const ARTICLE: &str = "Example Herald\n\nFerry links restored along the coast\n\n\
    By Minh Tran\n\n12 March 2024\n\nFerries resumed service on Tuesday after a storm closed \
    the harbour for three days, the port authority said.\n\nOfficials expect the backlog of \
    cargo to clear by the weekend.\n\nSubscribe to the Example Herald for more.";

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with("target") {
            continue;
        }
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&path, &to.join(&name));
        } else {
            fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// A workspace with only the crates a new plugin depends on.
fn scratch_workspace(root: &Path) {
    let repo = repo_root();
    let manifest = fs::read_to_string(repo.join("Cargo.toml")).unwrap();
    let members = manifest
        .lines()
        .find(|l| l.starts_with("members"))
        .expect("the root manifest lists its members");
    let manifest = manifest.replace(members, "members = [\"plugins/*\"]");
    fs::write(root.join("Cargo.toml"), manifest).unwrap();
    fs::copy(repo.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    for crate_dir in ["sdk", "textkit"] {
        copy_tree(
            &repo.join("plugins").join(crate_dir),
            &root.join("plugins").join(crate_dir),
        );
    }
}

fn cargo(root: &Path, args: &[&str]) {
    // A target folder that outlives the test, so the dependencies compile once per checkout.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scaffold-target");
    let out = Command::new(env!("CARGO"))
        .args(args)
        .args(["-p", NAME, "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_generated_plugin_builds_passes_its_tests_and_loads() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    scratch_workspace(root);

    let out = Command::new(binary())
        .args(["new-plugin", NAME, "--dir"])
        .arg(root.join("plugins"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("cargo test -p outlet-scaffold-check"),
        "{stdout}"
    );

    // A second run refuses to overwrite, and says why.
    let again = Command::new(binary())
        .args(["new-plugin", NAME, "--dir"])
        .arg(root.join("plugins"))
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    cargo(root, &["test"]);
    cargo(root, &["build"]);

    let library = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("scaffold-target/debug/liboutlet_scaffold_check.so");
    let config = root.join("ingestd.toml");
    fs::write(
        &config,
        format!(
            "[[chain]]\nname = \"{NAME}\"\npath = {:?}\n\
             [chain.config]\nmarker = \"Example Herald\"\n\
             drop = [\"^Subscribe to the Example Herald\"]\n",
            library.display().to_string()
        ),
    )
    .unwrap();
    let article = root.join("ferry.txt");
    fs::write(&article, ARTICLE).unwrap();
    let out = Command::new(binary())
        .arg("--config")
        .arg(&config)
        .args(["process", "--compact"])
        .arg(&article)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["outlet"], NAME);
    assert_eq!(doc["title"], "Ferry links restored along the coast");
    assert_eq!(doc["authors"][0], "Minh Tran");
    assert_eq!(doc["published"], "2024-03-12");
    let body = doc["body"].as_str().unwrap();
    assert!(
        body.starts_with("Ferries resumed service on Tuesday"),
        "{body}"
    );
    assert!(!body.contains("Subscribe"), "{body}");
}
