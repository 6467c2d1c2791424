//! Starting the real `ingestd` binary on temporary folders and watching it work.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The folders of one benchmark run.
#[derive(Debug, Clone)]
pub(crate) struct Folders {
    /// Root of the run.
    pub(crate) root: PathBuf,
    /// Watched inbox.
    pub(crate) inbox: PathBuf,
    /// Outbox.
    pub(crate) outbox: PathBuf,
}

impl Folders {
    /// Fresh folders under `root` (removed first).
    pub(crate) fn fresh(root: &Path) -> Result<Folders> {
        let _ = fs::remove_dir_all(root);
        let f = Folders {
            root: root.to_owned(),
            inbox: root.join("inbox"),
            outbox: root.join("outbox"),
        };
        fs::create_dir_all(&f.inbox)?;
        fs::create_dir_all(root.join("staging"))?;
        Ok(f)
    }

    /// Files not finished yet: visible inbox files plus claimed ones.
    pub(crate) fn remaining(&self) -> usize {
        let visible = fs::read_dir(&self.inbox)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .count()
            })
            .unwrap_or(0);
        let claimed = fs::read_dir(self.inbox.join(".processing"))
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter_map(|owner| fs::read_dir(owner.path()).ok())
                    .map(|files| {
                        files
                            .filter_map(|e| e.ok())
                            .filter(|e| e.file_name() != ".lock")
                            .count()
                    })
                    .sum()
            })
            .unwrap_or(0);
        visible + claimed
    }

    /// Number of documents in the outbox.
    pub(crate) fn outbox_count(&self) -> usize {
        fs::read_dir(&self.outbox)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
                    .count()
            })
            .unwrap_or(0)
    }
}

/// How to start the daemon.
#[derive(Debug, Clone)]
pub(crate) struct DaemonSpec {
    /// The ingestd binary.
    pub(crate) binary: PathBuf,
    /// Working directory (the repository, so bundled plugin paths resolve).
    pub(crate) workdir: PathBuf,
    /// Config file.
    pub(crate) config: PathBuf,
    /// Worker count (None: the config's).
    pub(crate) workers: Option<usize>,
    /// Extra environment (INGESTD_* overrides).
    pub(crate) env: Vec<(String, String)>,
}

/// A running daemon.
#[derive(Debug)]
pub(crate) struct Running {
    child: Child,
    log: PathBuf,
    /// When it was started.
    pub(crate) started: Instant,
}

impl Running {
    /// Its pid.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until the log says the daemon started.
    pub(crate) fn wait_started(&mut self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if fs::read_to_string(&self.log)
                .unwrap_or_default()
                .contains("Daemon started.")
            {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "ingestd exited ({status}); log:\n{}",
                    fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        bail!("ingestd did not start within 60 s")
    }

    /// SIGTERM and wait.
    pub(crate) fn stop(mut self) -> Result<()> {
        let pid = i32::try_from(self.child.id())?;
        // SAFETY: signalling our own child.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let status = self.child.wait()?;
        if !status.success() {
            bail!(
                "ingestd exited with {status}; log in {}",
                self.log.display()
            );
        }
        Ok(())
    }
}

/// Starts the daemon on the folders.
pub(crate) fn start(spec: &DaemonSpec, folders: &Folders) -> Result<Running> {
    let log = folders.root.join("daemon.log");
    let mut cmd = Command::new(&spec.binary);
    cmd.current_dir(&spec.workdir)
        .arg("--config")
        .arg(&spec.config)
        .arg("run");
    if let Some(w) = spec.workers {
        cmd.arg("--workers").arg(w.to_string());
    }
    let dirs: HashMap<&str, PathBuf> = [
        ("INBOX", folders.inbox.clone()),
        ("OUTBOX", folders.outbox.clone()),
        ("ARCHIVE", folders.root.join("archive")),
        ("FAILED", folders.root.join("failed")),
        ("STATE", folders.root.join("state")),
    ]
    .into_iter()
    .collect();
    for (key, dir) in dirs {
        cmd.env(format!("INGESTD_PATHS__{key}"), dir);
    }
    for (k, v) in &spec.env {
        cmd.env(k, v);
    }
    let child = cmd
        .stdout(Stdio::null())
        .stderr(fs::File::create(&log).context("daemon log")?)
        .spawn()
        .with_context(|| format!("cannot start {}", spec.binary.display()))?;
    Ok(Running {
        child,
        log,
        started: Instant::now(),
    })
}
