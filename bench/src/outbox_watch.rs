//! Records when each document appears in the outbox, with inotify (no polling, so the
//! measurement does not steal CPU from the daemon it measures).

use std::collections::HashMap;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Result, bail};

/// Arrival times of outbox files by name.
pub(crate) type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

/// Starts a thread that records the arrival of every file renamed into `dir`.
pub(crate) fn watch(dir: &Path) -> Result<Arrivals> {
    std::fs::create_dir_all(dir)?;
    // SAFETY: plain syscalls on a descriptor this function owns.
    let fd = unsafe { libc::inotify_init1(libc::IN_CLOEXEC) };
    if fd < 0 {
        bail!("inotify_init1: {}", std::io::Error::last_os_error());
    }
    let path = CString::new(dir.as_os_str().as_bytes())?;
    // SAFETY: valid descriptor and NUL-terminated path.
    let wd = unsafe {
        libc::inotify_add_watch(fd, path.as_ptr(), libc::IN_MOVED_TO | libc::IN_CLOSE_WRITE)
    };
    if wd < 0 {
        bail!("inotify_add_watch: {}", std::io::Error::last_os_error());
    }
    let arrivals: Arrivals = Arc::default();
    let sink = Arc::clone(&arrivals);
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            // SAFETY: reading into an owned buffer of the given length.
            let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                break;
            }
            let now = Instant::now();
            let mut offset = 0usize;
            let header = std::mem::size_of::<libc::inotify_event>();
            while offset + header <= n as usize {
                // SAFETY: the kernel wrote a whole event header at this offset.
                let event = unsafe {
                    buf.as_ptr()
                        .add(offset)
                        .cast::<libc::inotify_event>()
                        .read_unaligned()
                };
                let name_bytes = &buf[offset + header..offset + header + event.len as usize];
                let name = String::from_utf8_lossy(name_bytes)
                    .trim_end_matches('\0')
                    .to_owned();
                if name.ends_with(".json") {
                    if let Ok(mut map) = sink.lock() {
                        map.entry(name).or_insert(now);
                    }
                }
                offset += header + event.len as usize;
            }
        }
    });
    Ok(arrivals)
}
