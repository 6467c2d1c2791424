//! Isolation mode, child side: `ingestd plugin-host --library PATH` loads one plugin library
//! and serves frames on stdin/stdout until its input closes.
//!
//! The protocol owns the original stdout; fd 1 is pointed at stderr first, so a plugin that
//! prints cannot corrupt the frames. Plugin log lines go back to the daemon as log frames. A
//! watchdog thread ends the child when the daemon dies, so a looping child never outlives it.

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::os::fd::FromRawFd;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use ingestd_sdk::Level;
use ingestd_sdk::abi::level;
use ingestd_sdk::client::{CallOutcome, Instance, LogFn};

use super::frame::{self, FrameError};
use super::isolated::InitRequest;
use super::loader::load_plugin;

/// Largest init frame (configuration JSON) accepted.
const MAX_INIT: usize = 64 * 1024 * 1024;

type Output = Arc<Mutex<File>>;

/// Takes over stdout for frames and sends fd 1 to stderr.
fn protocol_output() -> io::Result<File> {
    // SAFETY: dup/dup2 on the standard descriptors of this process.
    let fd = unsafe { libc::dup(libc::STDOUT_FILENO) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just created by dup and is owned by the File from here on.
    let file = unsafe { File::from_raw_fd(fd) };
    // SAFETY: as above.
    if unsafe { libc::dup2(libc::STDERR_FILENO, libc::STDOUT_FILENO) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(file)
}

fn send(out: &Output, tag: u8, body: &[u8]) -> Result<(), FrameError> {
    let mut out = out.lock().unwrap_or_else(|p| p.into_inner());
    frame::write_blocking(&mut *out, tag, body)
}

fn level_byte(level: Level) -> u8 {
    let raw = match level {
        Level::Error => level::ERROR,
        Level::Warn => level::WARN,
        Level::Info => level::INFO,
        Level::Debug => level::DEBUG,
        Level::Trace => level::TRACE,
    };
    u8::try_from(raw).unwrap_or(3)
}

fn logger(out: &Output) -> LogFn {
    let out = Arc::clone(out);
    Arc::new(move |level, line| {
        let mut body = Vec::with_capacity(line.len() + 1);
        body.push(level_byte(level));
        body.extend_from_slice(line.as_bytes());
        let _ = send(&out, frame::TAG_LOG, &body);
    })
}

fn reply(outcome: CallOutcome) -> (u8, Vec<u8>) {
    match outcome {
        CallOutcome::Continue(bytes) => (frame::TAG_CONTINUE, bytes),
        CallOutcome::Patch(bytes) => (frame::TAG_PATCH, bytes),
        CallOutcome::Skip(reason) => (frame::TAG_SKIP, reason.into_bytes()),
        CallOutcome::Error(e) => (
            frame::TAG_ERROR,
            serde_json::to_vec(&e).unwrap_or_else(|_| e.message.into_bytes()),
        ),
        CallOutcome::Panic(message) => (frame::TAG_PANIC, message.into_bytes()),
        CallOutcome::Protocol(message) => (frame::TAG_PROTOCOL, message.into_bytes()),
    }
}

/// Loads the library and creates the instance, or says why not.
fn create(library: &Path, request: &InitRequest, out: &Output) -> Result<Instance, String> {
    let plugin = load_plugin(library, None, request.allow_insecure).map_err(|e| e.to_string())?;
    Instance::create(
        plugin.declaration,
        request.config.as_bytes(),
        logger(out),
        request.state_dir.as_deref(),
    )
    .map_err(|e| format!("plugin {}: could not start: {e}", library.display()))
}

/// Ends the process as soon as its parent is gone (it is then re-parented), even while the
/// plugin loops on the main thread. `PR_SET_PDEATHSIG` is not used: it fires when the parent
/// *thread* that started the child ends, and the daemon starts children from pooled worker
/// threads that come and go.
fn watch_parent() {
    // SAFETY: getppid has no preconditions.
    let parent = unsafe { libc::getppid() };
    let spawned = std::thread::Builder::new()
        .name("parent-watch".into())
        .spawn(move || {
            loop {
                // SAFETY: as above.
                if unsafe { libc::getppid() } != parent {
                    // SAFETY: ends the process at once, without running any destructor that
                    // could wait for the looping plugin thread.
                    unsafe { libc::_exit(4) };
                }
                std::thread::sleep(std::time::Duration::from_millis(500));
            }
        });
    if let Err(e) = spawned {
        let _ = writeln!(io::stderr(), "ingestd plugin-host: no parent watchdog: {e}");
    }
}

/// Serves one plugin on stdin/stdout. Exit code 0 when the daemon closes the pipe.
pub fn serve(library: &Path) -> ExitCode {
    watch_parent();
    match serve_frames(library) {
        Ok(()) | Err(FrameError::Closed) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "ingestd plugin-host: {e}");
            ExitCode::from(3)
        }
    }
}

fn serve_frames(library: &Path) -> Result<(), FrameError> {
    let out: Output = Arc::new(Mutex::new(protocol_output()?));
    let mut input = BufReader::new(io::stdin().lock());
    let init = frame::read_blocking(&mut input, MAX_INIT)?;
    let request: Result<InitRequest, String> = if init.tag == frame::TAG_INIT {
        serde_json::from_slice(&init.body).map_err(|e| format!("bad init frame: {e}"))
    } else {
        Err("the first frame was not an init frame".into())
    };
    let created = request.and_then(|r| create(library, &r, &out).map(|i| (r, i)));
    let (request, instance) = match created {
        Ok(pair) => pair,
        Err(message) => return send(&out, frame::TAG_INIT_FAILED, message.as_bytes()),
    };
    send(&out, frame::TAG_READY, b"")?;
    let max_input = request.max_input.saturating_add(1);
    loop {
        let request_frame = frame::read_blocking(&mut input, max_input)?;
        let (tag, body) = if request_frame.tag == frame::TAG_PROCESS {
            reply(instance.process(&request_frame.body, request.max_output))
        } else {
            (
                frame::TAG_PROTOCOL,
                b"unexpected frame from the host".to_vec(),
            )
        };
        send(&out, tag, &body)?;
    }
}
