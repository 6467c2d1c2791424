//! Command-line flags and subcommands.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// ingestd watches a folder of news articles, runs each through a chain of plugins (outlet
/// parsers, cleanup, dedup, entity tagging, summarization) and writes one clean JSON document
/// per article into an outbox.
///
/// Configuration is read from --config (default: ./config/ingestd.toml, else
/// /etc/ingestd/ingestd.toml), then INGESTD_* environment variables (INGESTD_PATHS__OUTBOX=...),
/// then these flags.
#[derive(Debug, Parser)]
#[command(
    name = "ingestd",
    version,
    propagate_version = true,
    max_term_width = 100,
    after_help = EXIT_CODES,
    after_long_help = EXAMPLES
)]
pub(crate) struct Cli {
    /// Configuration file (TOML).
    #[arg(long, short = 'c', global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Log format.
    #[arg(long, global = true, value_enum)]
    pub(crate) log_format: Option<LogFormatArg>,
    /// Log level or filter (error, warn, info, debug, trace, or e.g. "ingestd=debug").
    #[arg(long, global = true, value_name = "FILTER")]
    pub(crate) log_level: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Exit codes, shown by `ingestd -h`.
const EXIT_CODES: &str = "Exit codes: 0 success; 1 some files failed or were skipped (process); 2 bad configuration, \
                          plugin or command line; 3 the daemon is not running (status).";

/// Examples shown by `ingestd --help`.
const EXAMPLES: &str = "\
Examples:
  ingestd --config config/ingestd.toml check     # is the configuration valid, do plugins load?
  ingestd --config config/ingestd.toml run       # watch ./inbox, write ./outbox (Ctrl-C stops)
  ingestd process article.txt > article.json     # one file through the chain, JSON on stdout
  ingestd status                                 # what the running daemon is doing
  ingestd replay --dry-run                       # which failed files would be tried again
  sudo ingestd install                           # install as a systemd service

Configuration: --config FILE, else ./config/ingestd.toml, else /etc/ingestd/ingestd.toml.

Exit codes:
  0  success
  1  some files failed or were skipped (process)
  2  bad configuration, plugin, or command line
  3  the daemon is not running or its status is stale (status)";

// Examples shown by each command's --help.
const RUN_EXAMPLES: &str = "\
Examples:
  ingestd --config config/ingestd.toml run
  ingestd run --inbox /srv/news/in --outbox /srv/news/out --workers 4
  kill -HUP \"$(pidof ingestd)\"      # reload";

const PROCESS_EXAMPLES: &str = "\
Examples:
  ingestd process fixtures/samples/*.txt --compact > docs.jsonl
  ingestd process story.txt | jq .title";

const STATUS_EXAMPLES: &str = "\
Examples:
  ingestd status
  ingestd --config /etc/ingestd/ingestd.toml status --json";

const REPLAY_EXAMPLES: &str = "\
Examples:
  ingestd replay --dry-run          # list what would be moved
  ingestd replay                    # all failed files
  ingestd replay 'rfa-*' story.txt  # some of them (quote globs)";

const INSTALL_EXAMPLES: &str = "\
Examples:
  cargo build --release --workspace && sudo target/release/ingestd install
  ingestd install --root /tmp/staging --dry-run";

/// Log formats on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum LogFormatArg {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the daemon: watch the inbox and process files until SIGTERM or Ctrl-C.
    ///
    /// SIGHUP reloads the configuration and the plugin chain without dropping files; a bad
    /// new configuration is refused and the old one keeps running. Under systemd it speaks
    /// the notify protocol (Type=notify, watchdog) and logs with journal priorities.
    #[command(after_long_help = RUN_EXAMPLES)]
    Run(RunArgs),
    /// Run the plugin chain once on files and print the JSON documents to stdout.
    ///
    /// Moves and writes nothing: for plugin authors and shell pipelines. Exit code 1 if any
    /// file failed or was skipped (the reason goes to stderr). Over several files on a
    /// terminal, a progress bar on stderr shows how far it got (none when stderr is piped).
    #[command(after_long_help = PROCESS_EXAMPLES)]
    Process(ProcessArgs),
    /// Validate the configuration, load every plugin and print the chain.
    Check,
    /// List the plugin libraries found in the search folders, with their ABI facts.
    Plugins(PluginsArgs),
    /// Create a new outlet plugin crate from the template, ready to build and test.
    ///
    /// Run it from the root of an ingestd source checkout: it writes plugins/NAME/ (Cargo.toml,
    /// src/lib.rs, tests/plugin.rs, README.md), which builds, loads and passes the SDK
    /// compliance harness as generated. It never overwrites an existing folder.
    ///
    /// Example: ingestd new-plugin outlet-mekong-herald && cargo test -p outlet-mekong-herald
    #[command(name = "new-plugin")]
    NewPlugin(NewPluginArgs),
    /// Show what the running daemon is doing: counts, queue, recent failures.
    ///
    /// Reads the status file the daemon rewrites every two seconds in its state folder
    /// (paths.state/status.json), so it works without the metrics listener. Says so, and
    /// exits with 3, when the daemon is not running or the file is stale.
    #[command(after_long_help = STATUS_EXAMPLES)]
    Status(StatusArgs),
    /// Move failed files back into the inbox, so the daemon tries them again.
    ///
    /// Takes files from the failed folder (all of them, or those matching the NAMEs or globs
    /// given) and moves them into the inbox, removing their .error.json reports. A name that
    /// already exists in the inbox is never overwritten: that file stays in failed/ and is
    /// reported. Safe while the daemon runs.
    #[command(after_long_help = REPLAY_EXAMPLES)]
    Replay(ReplayArgs),
    /// Install ingestd as a systemd service (binary, plugins, configuration, unit).
    ///
    /// Copies this binary to /usr/local/bin, the chain's plugin libraries to
    /// /usr/local/lib/ingestd/plugins, the configuration to /etc/ingestd/ingestd.toml
    /// (rewritten to use those plugins and the /var/lib/ingestd/{inbox,outbox,archive,failed,
    /// state} folders; an existing one is never replaced, the new one goes to ingestd.toml.new)
    /// and the unit to /etc/systemd/system/ingestd.service, then prints the systemctl lines
    /// that start it. The configuration installed is --config if given, else the bundled one.
    #[command(after_long_help = INSTALL_EXAMPLES)]
    Install(InstallArgs),
    /// Internal: serve one isolated plugin over frames on stdin/stdout (started by the daemon).
    #[command(name = "plugin-host", hide = true)]
    PluginHost(PluginHostArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct NewPluginArgs {
    /// Plugin and crate name: lowercase letters, digits and hyphens (e.g. outlet-mekong-herald).
    #[arg(value_name = "NAME")]
    pub(crate) name: String,
    /// The plugins/ folder of the ingestd checkout.
    #[arg(long, value_name = "DIR", default_value = "plugins")]
    pub(crate) dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub(crate) struct StatusArgs {
    /// Print the status file as JSON instead of a summary.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ReplayArgs {
    /// File names or globs in the failed folder (default: all failed files).
    #[arg(value_name = "NAME")]
    pub(crate) names: Vec<String>,
    /// Show what would be moved; move nothing.
    #[arg(long, short = 'n')]
    pub(crate) dry_run: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct InstallArgs {
    /// Install under this folder instead of / (for packaging or a test).
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub(crate) root: PathBuf,
    /// Where the chain's plugin libraries are (default: the folder of this binary).
    #[arg(long, value_name = "DIR")]
    pub(crate) plugins_from: Option<PathBuf>,
    /// Show what would be installed; write nothing.
    #[arg(long, short = 'n')]
    pub(crate) dry_run: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct PluginHostArgs {
    /// The plugin library to load.
    #[arg(long, value_name = "PATH")]
    pub(crate) library: PathBuf,
}

#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// Folder to watch (overrides paths.inbox).
    #[arg(long, value_name = "DIR")]
    pub(crate) inbox: Option<PathBuf>,
    /// Folder for JSON documents (overrides paths.outbox).
    #[arg(long, value_name = "DIR")]
    pub(crate) outbox: Option<PathBuf>,
    /// Number of workers; 0 = one per core (overrides processing.workers).
    #[arg(long, value_name = "N")]
    pub(crate) workers: Option<usize>,
    /// Poll the inbox instead of using kernel notifications (network filesystems).
    #[arg(long)]
    pub(crate) poll: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ProcessArgs {
    /// Article files to process.
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// One JSON document per line instead of pretty-printed.
    #[arg(long)]
    pub(crate) compact: bool,
    /// Keep the decoded source text (`raw`) in the output.
    #[arg(long)]
    pub(crate) keep_raw: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct PluginsArgs {
    /// Folders to search (default: plugins.search_dirs from the configuration).
    #[arg(value_name = "DIR")]
    pub(crate) dirs: Vec<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
