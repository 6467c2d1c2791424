//! Isolation mode, host side: a plugin marked `isolate = true` runs in child processes
//! (`ingestd plugin-host --library PATH`) that speak length-prefixed frames over pipes.
//!
//! A segfault, `abort()` or endless loop in the plugin costs the document being processed
//! (it goes to `failed/`) and a restart of that child, never the daemon. Every call has a
//! deadline (`timeout_ms`); a child that misses it is killed.
//!
//! Pool choice: children are kept in an idle list and checked out for one call at a time. A
//! worker takes an idle child or starts a new one, so there are never more children than
//! workers running the stage at once (at most `processing.workers` per isolated plugin), one
//! worker never waits for another's child, and a hung child delays only its own worker, and
//! only until the timeout. Children start lazily after the first one (started when the
//! chain is built, so a bad configuration is still refused at start).

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ingestd_sdk::client::{CallOutcome, LogFn};
use ingestd_sdk::{Level, PluginError};
use serde::{Deserialize, Serialize};

use super::frame::{self, Frame, FrameError};

/// The hidden subcommand that runs a plugin child.
pub const SUBCOMMAND: &str = "plugin-host";

/// Longest a child may take to load the library and create its instance.
const MIN_STARTUP: Duration = Duration::from_secs(30);
/// Room for framing and error text on top of the output cap.
const FRAME_SLACK: usize = 1024 * 1024;

/// What the child needs to create the instance; the body of the init frame.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InitRequest {
    /// The plugin's configuration, as JSON text.
    pub config: String,
    /// The plugin's state folder.
    pub state_dir: Option<PathBuf>,
    /// Largest output accepted from `process`.
    pub max_output: usize,
    /// Largest document the host sends.
    pub max_input: usize,
    /// Skip the permission checks (the host already applied the configured policy).
    pub allow_insecure: bool,
}

/// What one isolated call came to.
#[derive(Debug)]
pub enum IsolatedOutcome {
    /// The plugin answered.
    Call(CallOutcome),
    /// The child died (signal or exit) or broke the framing; it will be restarted.
    Crashed(String),
    /// The child missed the deadline and was killed.
    TimedOut(Duration),
}

/// One running child.
#[derive(Debug)]
struct ChildProc {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: ChildStdout,
}

impl Drop for ChildProc {
    fn drop(&mut self) {
        // Closing stdin asks an idle child to exit; one that does not is killed.
        drop(self.stdin.take());
        let until = Instant::now() + Duration::from_secs(1);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ChildProc {
    fn kill(mut self) -> Option<ExitStatus> {
        let _ = self.child.kill();
        self.child.wait().ok()
    }

    /// Waits briefly for a child whose pipe closed, to learn how it died.
    fn reap(mut self) -> Option<ExitStatus> {
        drop(self.stdin.take());
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        self.kill()
    }
}

/// Why an isolated plugin could not start.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartError(String);

/// An isolated plugin: how to start its children, and the idle ones.
pub struct IsolatedPlugin {
    label: String,
    exe: PathBuf,
    library: PathBuf,
    init: Vec<u8>,
    timeout: Duration,
    max_frame: usize,
    log: LogFn,
    idle: Mutex<Vec<ChildProc>>,
}

impl std::fmt::Debug for IsolatedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IsolatedPlugin")
            .field("label", &self.label)
            .field("library", &self.library)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Describes how a child ended, for the failure report.
pub fn describe_exit(status: Option<ExitStatus>) -> String {
    let Some(status) = status else {
        return "the plugin process ended in an unknown way".into();
    };
    if let Some(signal) = status.signal() {
        let name = match signal {
            libc::SIGSEGV => "SIGSEGV, a segmentation fault",
            libc::SIGABRT => "SIGABRT, the plugin called abort()",
            libc::SIGBUS => "SIGBUS",
            libc::SIGILL => "SIGILL",
            libc::SIGFPE => "SIGFPE",
            libc::SIGKILL => "SIGKILL",
            _ => "a signal",
        };
        return format!("the plugin process was killed by signal {signal} ({name})");
    }
    match status.code() {
        Some(code) => format!("the plugin process exited with status {code}"),
        None => "the plugin process ended".into(),
    }
}

fn forward_log(log: &LogFn, body: &[u8]) {
    let Some((&level, text)) = body.split_first() else {
        return;
    };
    log(
        Level::from_raw(u32::from(level)),
        &ingestd_sdk::text::bounded_lossy(text, 16 * 1024),
    );
}

impl IsolatedPlugin {
    /// Starts the first child: loads `library` (the staged copy) and creates the instance.
    pub fn start(
        label: &str,
        library: &Path,
        request: &InitRequest,
        timeout: Duration,
        log: LogFn,
    ) -> Result<IsolatedPlugin, StartError> {
        let exe = std::env::current_exe()
            .map_err(|e| StartError(format!("cannot find the ingestd binary to run it: {e}")))?;
        let init = serde_json::to_vec(request).map_err(|e| StartError(e.to_string()))?;
        let plugin = IsolatedPlugin {
            label: label.to_owned(),
            exe,
            library: library.to_owned(),
            init,
            timeout,
            max_frame: request.max_output.saturating_add(FRAME_SLACK),
            log,
            idle: Mutex::new(Vec::new()),
        };
        let first = plugin.spawn()?;
        plugin.put_back(first);
        Ok(plugin)
    }

    /// Starts one child and waits for it to be ready.
    fn spawn(&self) -> Result<ChildProc, StartError> {
        let mut child = Command::new(&self.exe)
            .arg(SUBCOMMAND)
            .arg("--library")
            .arg(&self.library)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| {
                StartError(format!(
                    "cannot start the plugin process {}: {e}",
                    self.exe.display()
                ))
            })?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(StartError("the plugin process has no pipes".into()));
        };
        let mut proc = ChildProc {
            child,
            stdin: Some(stdin),
            stdout,
        };
        let deadline = Instant::now() + self.timeout.max(MIN_STARTUP);
        match self.exchange(&mut proc, frame::TAG_INIT, &self.init, deadline) {
            Ok(Frame {
                tag: frame::TAG_READY,
                ..
            }) => Ok(proc),
            Ok(Frame {
                tag: frame::TAG_INIT_FAILED,
                body,
            }) => {
                let _ = proc.reap();
                Err(StartError(ingestd_sdk::text::bounded_lossy(&body, 4096)))
            }
            Ok(other) => {
                let _ = proc.kill();
                Err(StartError(format!(
                    "the plugin process answered with unexpected frame {:?}",
                    char::from(other.tag)
                )))
            }
            Err(FrameError::Timeout) => {
                let _ = proc.kill();
                Err(StartError(
                    "the plugin process did not start in time".into(),
                ))
            }
            Err(e) => {
                let how = describe_exit(proc.reap());
                Err(StartError(format!("{how} while starting ({e})")))
            }
        }
    }

    /// Sends one frame and reads frames until one that is not a log line.
    fn exchange(
        &self,
        proc: &mut ChildProc,
        tag: u8,
        body: &[u8],
        deadline: Instant,
    ) -> Result<Frame, FrameError> {
        let stdin = proc.stdin.as_mut().ok_or(FrameError::Closed)?;
        frame::set_nonblocking(stdin)?;
        frame::set_nonblocking(&proc.stdout)?;
        frame::write_all_deadline(stdin, &frame::encode(tag, body)?, deadline)?;
        loop {
            let reply = frame::read_deadline(&mut proc.stdout, self.max_frame, deadline)?;
            if reply.tag == frame::TAG_LOG {
                forward_log(&self.log, &reply.body);
                continue;
            }
            return Ok(reply);
        }
    }

    fn checkout(&self) -> Result<ChildProc, StartError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match idle {
            Some(proc) => Ok(proc),
            None => self.spawn(),
        }
    }

    fn put_back(&self, proc: ChildProc) {
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(proc);
    }

    /// Runs `process` in a child, within the timeout. Blocking: call from a worker thread.
    pub fn process(&self, doc_json: &[u8]) -> IsolatedOutcome {
        let mut proc = match self.checkout() {
            Ok(proc) => proc,
            Err(e) => return IsolatedOutcome::Crashed(format!("cannot restart: {e}")),
        };
        let deadline = Instant::now() + self.timeout;
        let reply = match self.exchange(&mut proc, frame::TAG_PROCESS, doc_json, deadline) {
            Ok(reply) => reply,
            Err(FrameError::Timeout) => {
                let _ = proc.kill();
                tracing::warn!(plugin = %self.label, timeout_ms = self.timeout.as_millis() as u64,
                    "Isolated plugin missed its deadline; its process was killed and will be restarted.");
                return IsolatedOutcome::TimedOut(self.timeout);
            }
            Err(FrameError::TooLarge(n)) => {
                let _ = proc.kill();
                return IsolatedOutcome::Call(CallOutcome::Protocol(format!(
                    "the plugin process sent a {n}-byte frame, over the limit"
                )));
            }
            Err(e) => {
                let how = describe_exit(proc.reap());
                tracing::warn!(plugin = %self.label, error = %e, "Isolated plugin process died ({how}); it will be restarted.");
                return IsolatedOutcome::Crashed(how);
            }
        };
        let text = |body: &[u8]| ingestd_sdk::text::bounded_lossy(body, 64 * 1024);
        let outcome = match reply.tag {
            frame::TAG_CONTINUE => CallOutcome::Continue(reply.body),
            frame::TAG_PATCH => CallOutcome::Patch(reply.body),
            frame::TAG_SKIP => CallOutcome::Skip(text(&reply.body)),
            frame::TAG_ERROR => CallOutcome::Error(
                serde_json::from_slice::<PluginError>(&reply.body)
                    .unwrap_or_else(|_| PluginError::permanent("unknown", text(&reply.body))),
            ),
            frame::TAG_PANIC => CallOutcome::Panic(text(&reply.body)),
            frame::TAG_PROTOCOL => CallOutcome::Protocol(text(&reply.body)),
            other => {
                let _ = proc.kill();
                return IsolatedOutcome::Crashed(format!(
                    "the plugin process sent an unknown frame {other}"
                ));
            }
        };
        // After a panic the instance may be inconsistent: drop that child, start fresh later.
        if !matches!(outcome, CallOutcome::Panic(_)) {
            self.put_back(proc);
        }
        IsolatedOutcome::Call(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn exits_are_described_for_people() {
        let segv = describe_exit(Some(ExitStatus::from_raw(libc::SIGSEGV)));
        assert!(segv.contains("segmentation fault"), "{segv}");
        let abort = describe_exit(Some(ExitStatus::from_raw(libc::SIGABRT)));
        assert!(abort.contains("abort()"), "{abort}");
        let code = describe_exit(Some(ExitStatus::from_raw(3 << 8)));
        assert!(code.contains("status 3"), "{code}");
    }
}
