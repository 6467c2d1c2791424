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
///
/// Exit codes: 0 success; 1 some files failed (process); 2 bad configuration, plugin or usage.
#[derive(Debug, Parser)]
#[command(
    name = "ingestd",
    version,
    propagate_version = true,
    max_term_width = 100
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
    /// SIGHUP reloads the configuration and the plugin chain without dropping files.
    Run(RunArgs),
    /// Run the plugin chain once on files and print the JSON documents to stdout.
    ///
    /// Moves and writes nothing: for plugin authors and shell pipelines. Exit code 1 if any
    /// file failed or was skipped (the reason goes to stderr).
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
