//! Which parts of a new configuration a reload (SIGHUP) can apply to the running daemon.
//!
//! Applied at run time: the plugin chain and plugin policy, the `processing` limits and
//! source handling (each new file uses them; files already in flight finish with what they
//! started with) and the log level. Folders, watching, the worker count, the queue size, the
//! log format and the metrics listener are fixed at start: a change to them is reported
//! as needing a restart, and the running values stay.

use crate::settings::Settings;

/// The outcome of comparing the running settings with a freshly loaded file.
#[derive(Debug, Clone)]
pub struct ReloadPlan {
    /// The settings to run with from now on: the new ones, minus what needs a restart.
    pub settings: Settings,
    /// Dotted keys that changed but only take effect after a restart.
    pub needs_restart: Vec<&'static str>,
    /// The new log level, when it changed.
    pub new_log_level: Option<String>,
}

/// Compares `running` with `fresh` and returns what to apply.
pub fn plan(running: &Settings, fresh: Settings) -> ReloadPlan {
    let mut settings = fresh;
    let mut needs_restart = Vec::new();
    let mut keep = |key: &'static str, changed: bool| {
        if changed {
            needs_restart.push(key);
        }
    };
    keep("paths", settings.paths != running.paths);
    keep("watch", settings.watch != running.watch);
    let p = &settings.processing;
    keep(
        "processing.workers",
        p.workers != running.processing.workers,
    );
    keep(
        "processing.queue_capacity",
        p.queue_capacity != running.processing.queue_capacity,
    );
    keep("log.format", settings.log.format != running.log.format);
    keep("metrics", settings.metrics != running.metrics);
    settings.paths = running.paths.clone();
    settings.watch = running.watch.clone();
    settings.processing.workers = running.processing.workers;
    settings.processing.queue_capacity = running.processing.queue_capacity;
    settings.log.format = running.log.format;
    settings.metrics = running.metrics.clone();
    let new_log_level =
        (settings.log.level != running.log.level).then(|| settings.log.level.clone());
    ReloadPlan {
        settings,
        needs_restart,
        new_log_level,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{Overrides, load};

    #[test]
    fn restart_only_changes_are_listed_and_kept() {
        let running = load(None, &Overrides::default()).unwrap();
        let mut fresh = running.clone();
        fresh.paths.inbox = "elsewhere".into();
        fresh.processing.workers = 9;
        fresh.processing.max_retries = 1;
        fresh.log.level = "debug".into();
        let plan = plan(&running, fresh);
        assert_eq!(plan.needs_restart, vec!["paths", "processing.workers"]);
        assert_eq!(plan.settings.paths.inbox, running.paths.inbox);
        assert_eq!(plan.settings.processing.workers, running.processing.workers);
        assert_eq!(plan.settings.processing.max_retries, 1);
        assert_eq!(plan.new_log_level.as_deref(), Some("debug"));
    }

    #[test]
    fn an_unchanged_file_changes_nothing() {
        let running = load(None, &Overrides::default()).unwrap();
        let plan = plan(&running, running.clone());
        assert!(plan.needs_restart.is_empty());
        assert!(plan.new_log_level.is_none());
    }
}
