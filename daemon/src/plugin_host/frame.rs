//! Length-prefixed frames between the daemon and an isolated plugin child (`ingestd plugin-host`).
//!
//! A frame is a little-endian `u32` length, then that many bytes: one tag byte and the body.
//! The host reads with a deadline (`poll(2)` on non-blocking pipes), so a child that hangs or
//! dies costs at most the configured timeout; the child side uses plain blocking I/O.

use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Instant;

/// Host to child: initialise (body: JSON [`InitRequest`](super::isolated::InitRequest)).
pub const TAG_INIT: u8 = b'I';
/// Host to child: process a document (body: document JSON).
pub const TAG_PROCESS: u8 = b'P';
/// Child to host: initialised.
pub const TAG_READY: u8 = b'R';
/// Child to host: initialisation failed (body: JSON `CreateFailure`).
pub const TAG_INIT_FAILED: u8 = b'F';
/// Child to host: a log line from the plugin (body: level byte, then UTF-8 text).
pub const TAG_LOG: u8 = b'L';
/// Child to host: `process` returned ok (body: the new document JSON).
pub const TAG_CONTINUE: u8 = b'C';
/// Child to host: `process` returned a field patch (ABI 1.1; body: the patch JSON).
pub const TAG_PATCH: u8 = b'D';
/// Child to host: `process` asked to skip (body: the reason).
pub const TAG_SKIP: u8 = b'S';
/// Child to host: `process` returned an error (body: `PluginError` JSON).
pub const TAG_ERROR: u8 = b'E';
/// Child to host: `process` panicked (body: the message).
pub const TAG_PANIC: u8 = b'X';
/// Child to host: the plugin broke the protocol (body: the message).
pub const TAG_PROTOCOL: u8 = b'B';

/// One frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// What the frame is.
    pub tag: u8,
    /// Its payload.
    pub body: Vec<u8>,
}

/// Why a frame could not be exchanged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The deadline passed.
    #[error("timed out")]
    Timeout,
    /// The other side closed the pipe (it exited or crashed).
    #[error("the pipe was closed")]
    Closed,
    /// A frame announced more bytes than allowed.
    #[error("frame of {0} bytes is over the limit")]
    TooLarge(usize),
    /// A frame with no tag byte.
    #[error("empty frame")]
    Empty,
    /// Another I/O error.
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Encodes a frame's header and body into one buffer.
pub fn encode(tag: u8, body: &[u8]) -> Result<Vec<u8>, FrameError> {
    let len = u32::try_from(body.len() + 1).map_err(|_| FrameError::TooLarge(body.len()))?;
    let mut bytes = Vec::with_capacity(body.len() + 5);
    bytes.extend_from_slice(&len.to_le_bytes());
    bytes.push(tag);
    bytes.extend_from_slice(body);
    Ok(bytes)
}

/// Splits a frame's payload (after the length) into tag and body.
fn decode(mut payload: Vec<u8>) -> Result<Frame, FrameError> {
    if payload.is_empty() {
        return Err(FrameError::Empty);
    }
    let tag = payload.remove(0);
    Ok(Frame { tag, body: payload })
}

/// Writes one frame (blocking; child side).
pub fn write_blocking(out: &mut impl Write, tag: u8, body: &[u8]) -> Result<(), FrameError> {
    out.write_all(&encode(tag, body)?)?;
    out.flush()?;
    Ok(())
}

/// Reads one frame (blocking; child side). `Closed` on a clean end of input.
pub fn read_blocking(input: &mut impl Read, max: usize) -> Result<Frame, FrameError> {
    let mut len = [0u8; 4];
    match input.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Err(FrameError::Closed),
        Err(e) => return Err(e.into()),
    }
    let len = u32::from_le_bytes(len) as usize;
    if len > max {
        return Err(FrameError::TooLarge(len));
    }
    let mut payload = vec![0u8; len];
    input.read_exact(&mut payload).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => FrameError::Closed,
        _ => FrameError::Io(e),
    })?;
    decode(payload)
}

/// Puts a pipe end into non-blocking mode (host side).
pub fn set_nonblocking(fd: &impl AsRawFd) -> io::Result<()> {
    let fd = fd.as_raw_fd();
    // SAFETY: fcntl on a file descriptor we own.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Waits until `fd` is ready for `events` or the deadline passes.
fn wait_ready(fd: RawFd, events: libc::c_short, deadline: Instant) -> Result<(), FrameError> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(FrameError::Timeout);
        }
        let millis = libc::c_int::try_from(left.as_millis().max(1)).unwrap_or(libc::c_int::MAX);
        let mut pfd = libc::pollfd {
            fd,
            events,
            revents: 0,
        };
        // SAFETY: one valid pollfd for the duration of the call.
        let rc = unsafe { libc::poll(&mut pfd, 1, millis) };
        if rc > 0 {
            return Ok(());
        }
        if rc < 0 {
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(err.into());
            }
        }
    }
}

/// Writes all of `bytes` to a non-blocking pipe before the deadline.
// `write_all` cannot wait with a deadline: a non-blocking pipe needs the partial writes.
#[allow(clippy::disallowed_methods)]
pub fn write_all_deadline(
    out: &mut (impl Write + AsRawFd),
    mut bytes: &[u8],
    deadline: Instant,
) -> Result<(), FrameError> {
    while !bytes.is_empty() {
        match out.write(bytes) {
            Ok(0) => return Err(FrameError::Closed),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                wait_ready(out.as_raw_fd(), libc::POLLOUT, deadline)?
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Err(FrameError::Closed),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

fn read_exact_deadline(
    input: &mut (impl Read + AsRawFd),
    buf: &mut [u8],
    deadline: Instant,
) -> Result<(), FrameError> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => return Err(FrameError::Closed),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                wait_ready(input.as_raw_fd(), libc::POLLIN, deadline)?
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Reads one frame from a non-blocking pipe before the deadline; refuses frames over `max`.
pub fn read_deadline(
    input: &mut (impl Read + AsRawFd),
    max: usize,
    deadline: Instant,
) -> Result<Frame, FrameError> {
    let mut len = [0u8; 4];
    read_exact_deadline(input, &mut len, deadline)?;
    let len = u32::from_le_bytes(len) as usize;
    if len > max {
        return Err(FrameError::TooLarge(len));
    }
    let mut payload = vec![0u8; len];
    read_exact_deadline(input, &mut payload, deadline)?;
    decode(payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn frames_round_trip_and_refuse_oversized_lengths() {
        let mut bytes = encode(TAG_PROCESS, b"{\"id\":\"x\"}").unwrap();
        bytes.extend(encode(TAG_LOG, b"").unwrap());
        let mut input = &bytes[..];
        let first = read_blocking(&mut input, 100).unwrap();
        assert_eq!(
            (first.tag, first.body.as_slice()),
            (TAG_PROCESS, &b"{\"id\":\"x\"}"[..])
        );
        assert_eq!(read_blocking(&mut input, 100).unwrap().tag, TAG_LOG);
        assert!(matches!(
            read_blocking(&mut input, 100),
            Err(FrameError::Closed)
        ));
        let huge = u32::MAX.to_le_bytes();
        assert!(matches!(
            read_blocking(&mut &huge[..], 100),
            Err(FrameError::TooLarge(_))
        ));
        let empty = 0u32.to_le_bytes();
        assert!(matches!(
            read_blocking(&mut &empty[..], 100),
            Err(FrameError::Empty)
        ));
    }

    #[test]
    fn a_silent_pipe_times_out_and_a_closed_one_is_reported() {
        use std::os::fd::FromRawFd;
        let mut fds = [0; 2];
        // SAFETY: a valid two-element array for pipe(2).
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: both descriptors were just created and are owned here.
        let (mut reader, writer) = unsafe {
            (
                std::fs::File::from_raw_fd(fds[0]),
                std::fs::File::from_raw_fd(fds[1]),
            )
        };
        set_nonblocking(&reader).unwrap();
        let deadline = Instant::now() + Duration::from_millis(50);
        assert!(matches!(
            read_deadline(&mut reader, 100, deadline),
            Err(FrameError::Timeout)
        ));
        drop(writer);
        let deadline = Instant::now() + Duration::from_secs(5);
        assert!(matches!(
            read_deadline(&mut reader, 100, deadline),
            Err(FrameError::Closed)
        ));
    }
}
