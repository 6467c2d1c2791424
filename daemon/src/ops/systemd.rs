//! The systemd notify protocol (`Type=notify`): `READY=1`, `STATUS=...`, `WATCHDOG=1`,
//! `RELOADING=1` and `STOPPING=1` over `$NOTIFY_SOCKET`. Everything here is a no-op when the
//! daemon was not started by systemd (no `NOTIFY_SOCKET`).

use std::time::Duration;

use sd_notify::NotifyState;

/// Sends states to the service manager; a failure is logged once per call, never fatal.
fn send(states: &[NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!(error = %e, "Cannot notify systemd.");
    }
}

/// Start-up is complete.
pub fn ready(status: &str) {
    send(&[NotifyState::Ready, NotifyState::Status(status)]);
}

/// A new status line (`systemctl status` shows it).
pub fn status(status: &str) {
    send(&[NotifyState::Status(status)]);
}

/// A reload began. `MONOTONIC_USEC` lets `Type=notify-reload` units match it too.
pub fn reloading() {
    let mut states = vec![NotifyState::Reloading, NotifyState::Status("Reloading.")];
    if let Ok(now) = NotifyState::monotonic_usec_now() {
        states.push(now);
    }
    send(&states);
}

/// Shutdown began.
pub fn stopping() {
    send(&[
        NotifyState::Stopping,
        NotifyState::Status("Stopping: finishing files in progress."),
    ]);
}

/// Keeps the watchdog fed.
pub fn watchdog() {
    send(&[NotifyState::Watchdog]);
}

/// The watchdog interval systemd asked for (`WatchdogSec=`), if any.
pub fn watchdog_interval() -> Option<Duration> {
    sd_notify::watchdog_enabled().filter(|d| !d.is_zero())
}
