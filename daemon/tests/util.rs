//! Test helpers: a temp folder per test with the daemon's folders, a config writer, the real
//! binary and the real plugin libraries (built by `cargo build --workspace` next to it).

#![allow(dead_code)]

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Path of the `ingestd` binary under test.
pub(crate) fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ingestd"))
}

/// A plugin library built in the same profile as the binary (`libNAME.so`).
pub(crate) fn plugin(crate_name: &str) -> PathBuf {
    let dir = binary().parent().expect("binary has a folder").to_owned();
    let path = dir.join(format!("lib{}.so", crate_name.replace('-', "_")));
    assert!(
        path.exists(),
        "{} is missing: build the plugins first with `cargo build --workspace` \
         (the README's test command does this)",
        path.display()
    );
    path
}

/// The repository root.
pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

/// The sample articles shipped as fixtures.
pub(crate) fn samples() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(repo_root().join("fixtures/samples"))
        .expect("fixtures/samples")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

/// A temp folder with inbox/outbox/archive/failed/state and a config file.
pub(crate) struct TestEnv {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) inbox: PathBuf,
    pub(crate) outbox: PathBuf,
    pub(crate) archive: PathBuf,
    pub(crate) failed: PathBuf,
    pub(crate) state: PathBuf,
    pub(crate) config: PathBuf,
}

impl TestEnv {
    /// A fresh environment whose config has `extra` appended (chain entries, overrides).
    pub(crate) fn new(extra: &str) -> TestEnv {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().to_owned();
        let env = TestEnv {
            inbox: root.join("inbox"),
            outbox: root.join("outbox"),
            archive: root.join("archive"),
            failed: root.join("failed"),
            state: root.join("state"),
            config: root.join("ingestd.toml"),
            dir,
        };
        fs::create_dir_all(&env.inbox).expect("inbox");
        env.write_config(extra);
        env
    }

    /// Rewrites the config file: test defaults for any section `extra` does not set itself.
    pub(crate) fn write_config(&self, extra: &str) {
        let mut text = format!(
            "[paths]\ninbox = {:?}\noutbox = {:?}\narchive = {:?}\nfailed = {:?}\nstate = {:?}\n",
            self.inbox, self.outbox, self.archive, self.failed, self.state
        );
        if !extra.contains("[watch]") {
            text.push_str("[watch]\nsettle_ms = 300\nrescan_interval_ms = 2000\n");
        }
        if !extra.contains("[processing]") {
            text.push_str("[processing]\nworkers = 2\n");
        }
        text.push_str(extra);
        fs::write(&self.config, text).expect("config");
    }

    /// A command running the binary with this environment's config.
    pub(crate) fn command(&self) -> Command {
        let mut cmd = Command::new(binary());
        cmd.arg("--config")
            .arg(&self.config)
            .current_dir(self.dir.path());
        for (key, _) in std::env::vars() {
            if key.starts_with("INGESTD_") {
                cmd.env_remove(key);
            }
        }
        cmd
    }

    /// Starts `ingestd run` with captured logs.
    pub(crate) fn start(&self) -> Daemon {
        let mut cmd = self.command();
        cmd.arg("run");
        self.start_command(cmd)
    }

    /// Starts a daemon from a prepared command (e.g. under `setpriv`), with captured logs.
    pub(crate) fn start_command(&self, mut cmd: Command) -> Daemon {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start ingestd");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("stderr");
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().expect("log").push_str(&(line + "\n"));
            }
        });
        let daemon = Daemon { child, log };
        daemon.wait_for_log("Daemon started.", Duration::from_secs(20));
        daemon
    }

    /// Starts `ingestd run` as `nobody` when the tests run as root (root ignores file
    /// permissions), after giving `nobody` the whole test folder; otherwise as usual.
    pub(crate) fn start_unprivileged(&self) -> Daemon {
        if !is_root() {
            return self.start();
        }
        chown_tree(self.dir.path(), NOBODY);
        let mut cmd = Command::new("setpriv");
        cmd.arg(format!("--reuid={NOBODY}"))
            .arg(format!("--regid={NOBODY}"))
            .arg("--clear-groups")
            .arg(binary())
            .arg("--config")
            .arg(&self.config)
            .arg("run")
            .current_dir(self.dir.path());
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("INGESTD_")) {
            cmd.env_remove(key);
        }
        self.start_command(cmd)
    }

    /// Names of files in a folder (missing folder: empty), sorted.
    pub(crate) fn names(&self, dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// Waits until `archive/` holds exactly `n` files; returns whether it did within `timeout`.
    pub(crate) fn archived_within(&self, n: usize, timeout: Duration) -> bool {
        wait_until(timeout, || self.names(&self.archive).len() == n)
    }

    /// JSON documents in the outbox.
    pub(crate) fn outbox_docs(&self) -> Vec<serde_json::Value> {
        self.names(&self.outbox)
            .iter()
            .filter(|n| n.ends_with(".json"))
            .map(|n| {
                let bytes = fs::read(self.outbox.join(n)).expect("read outbox file");
                serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{n} is not JSON: {e}"))
            })
            .collect()
    }

    /// Error reports in failed/.
    pub(crate) fn error_reports(&self) -> Vec<serde_json::Value> {
        self.names(&self.failed)
            .iter()
            .filter(|n| n.ends_with(".error.json"))
            .map(|n| {
                serde_json::from_slice(&fs::read(self.failed.join(n)).expect("read"))
                    .expect("report JSON")
            })
            .collect()
    }

    /// Files in the inbox, not counting hidden ones (.processing).
    pub(crate) fn inbox_files(&self) -> Vec<String> {
        self.names(&self.inbox)
            .into_iter()
            .filter(|n| !n.starts_with('.'))
            .collect()
    }

    /// Writes a file into the inbox atomically (temp name, then rename), as careful tools do.
    pub(crate) fn drop_file(&self, name: &str, bytes: &[u8]) {
        let temp = self.dir.path().join(format!(".{name}.staging"));
        fs::write(&temp, bytes).expect("write");
        fs::rename(&temp, self.inbox.join(name)).expect("rename into inbox");
    }
}

/// Polls `check` until it is true or `timeout` passes; returns whether it became true.
pub(crate) fn wait_until(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    check()
}

/// A running daemon process. Killed on drop if still running.
pub(crate) struct Daemon {
    pub(crate) child: Child,
    pub(crate) log: Arc<Mutex<String>>,
}

impl Daemon {
    /// The log so far.
    pub(crate) fn log(&self) -> String {
        self.log.lock().expect("log").clone()
    }

    /// Waits for a log line containing `text`; panics with the log on timeout.
    pub(crate) fn wait_for_log(&self, text: &str, timeout: Duration) {
        if !wait_until(timeout, || self.log().contains(text)) {
            panic!("log never said {text:?}; log:\n{}", self.log());
        }
    }

    /// Sends a signal.
    pub(crate) fn signal(&self, signal: i32) {
        let pid = i32::try_from(self.child.id()).expect("pid");
        // SAFETY: sending a signal to our own child.
        unsafe { libc::kill(pid, signal) };
    }

    /// SIGTERM, then waits for exit; returns the exit code.
    pub(crate) fn stop(mut self) -> Option<i32> {
        self.signal(libc::SIGTERM);
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            if start.elapsed() > Duration::from_secs(60) {
                panic!("daemon did not stop within 60 s; log:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A chain entry for a plugin crate, with inline config.
pub(crate) fn chain_entry(crate_name: &str, config: &str) -> String {
    let mut entry = format!("[[chain]]\npath = {:?}\n", plugin(crate_name));
    if !config.is_empty() {
        entry.push_str(&format!("[chain.config]\n{config}\n"));
    }
    entry
}

/// The `nobody` user and group id.
pub(crate) const NOBODY: u32 = 65534;

/// Gives a folder tree to `uid` (without following links).
pub(crate) fn chown_tree(path: &Path, uid: u32) {
    std::os::unix::fs::lchown(path, Some(uid), Some(uid)).expect("chown");
    if fs::symlink_metadata(path).expect("stat").is_dir() {
        for entry in fs::read_dir(path).expect("read_dir") {
            chown_tree(&entry.expect("entry").path(), uid);
        }
    }
}

/// True when the tests run as root.
pub(crate) fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A small seeded generator (SplitMix64), so a failing randomized test replays from its seed.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    /// The next 64 random bits.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n` > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// An index below `n`.
    pub(crate) fn index(&mut self, n: usize) -> usize {
        usize::try_from(self.below(n as u64)).unwrap_or(0)
    }
}
