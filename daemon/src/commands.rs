//! What each subcommand does. Errors become `anyhow` here, at the binary's edge.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use ingestd::daemon::{self, Control, SettingsSource};
use ingestd::inbox::names::NameFilter;
use ingestd::ops::install::InstallOptions;
use ingestd::ops::replay::{Replayed, Selection};
use ingestd::ops::{self, Status};
use ingestd::plugin_host::{Chain, ChainOutcome, load_plugin};
use ingestd::settings::{self, Overrides, Settings};
use ingestd::source::{document_from, read_source};
use ingestd::{logging, memory, outbox};
use ingestd_sdk::fields;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::cli::{
    Cli, Command, InstallArgs, LogFormatArg, NewPluginArgs, PluginsArgs, ProcessArgs, ReplayArgs,
    RunArgs, StatusArgs,
};

/// Exit code: some files failed or were skipped (`process`).
pub(crate) const EXIT_FILES_FAILED: u8 = 1;
/// Exit code: bad configuration, plugin or usage.
pub(crate) const EXIT_CONFIG: u8 = 2;
/// Exit code: the daemon is not running or its status is stale (`status`).
pub(crate) const EXIT_NOT_RUNNING: u8 = 3;

/// The configuration file to use: `--config`, else `./config/ingestd.toml`, else
/// `/etc/ingestd/ingestd.toml`, else none (built-in defaults).
fn config_file(cli_value: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = cli_value {
        return Some(path.to_owned());
    }
    ["config/ingestd.toml", "/etc/ingestd/ingestd.toml"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

fn overrides(cli: &Cli) -> Overrides {
    let mut o = Overrides::default();
    o.set(
        "log.format",
        cli.log_format.map(|f| match f {
            LogFormatArg::Text => "text",
            LogFormatArg::Json => "json",
        }),
    );
    o.set("log.level", cli.log_level.as_deref());
    if let Command::Run(run) = &cli.command {
        o.set("paths.inbox", run.inbox.as_deref().map(|p| p.display()));
        o.set("paths.outbox", run.outbox.as_deref().map(|p| p.display()));
        o.set("processing.workers", run.workers);
        o.set("watch.mode", run.poll.then_some("poll"));
    }
    o
}

/// Runs the parsed command line.
pub(crate) fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::PluginHost(args) = &cli.command {
        // An isolated plugin's child: no configuration, no logging setup, frames only.
        return Ok(ingestd::plugin_host::child::serve(&args.library));
    }
    if let Command::NewPlugin(args) = &cli.command {
        // Scaffolding needs no configuration (and must work before there is one).
        return new_plugin(args);
    }
    if let Command::Install(args) = &cli.command {
        // Installs a configuration; it need not be valid for this machine yet.
        return install(cli.config.as_deref(), args);
    }
    let file = config_file(cli.config.as_deref());
    let overrides = overrides(&cli);
    let settings = settings::load(file.as_deref(), &overrides)?;
    logging::init(&settings.log)?;
    if file.is_none() {
        tracing::warn!("No configuration file found; using built-in defaults (no plugins).");
    }
    match cli.command {
        Command::Run(args) => run_daemon(settings, file, overrides, &args),
        Command::Process(args) => process_files(settings, &args),
        Command::Check => check(&settings, file.as_deref()),
        Command::Plugins(args) => list_plugins(&settings, &args),
        Command::Status(args) => status(&settings, &args),
        Command::Replay(args) => replay(&settings, &args),
        Command::PluginHost(_) | Command::NewPlugin(_) | Command::Install(_) => {
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_daemon(
    settings: Settings,
    file: Option<PathBuf>,
    overrides: Overrides,
    _args: &RunArgs,
) -> Result<ExitCode> {
    // Before any thread starts: an arena for each long-lived thread.
    memory::tune_allocator(memory::arenas_for(
        settings.worker_count(),
        ingestd::pipeline::DISK_THREADS,
    ));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(daemon::RUNTIME_WORKERS)
        .thread_name("ingestd")
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let reload_source: SettingsSource =
        Box::new(move || settings::load(file.as_deref(), &overrides));
    runtime.block_on(async move {
        let (control_tx, control_rx) = mpsc::channel(8);
        let mut term = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
        let mut int = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
        let mut hup = signal(SignalKind::hangup()).context("cannot handle SIGHUP")?;
        tokio::spawn(async move {
            loop {
                let message = tokio::select! {
                    _ = term.recv() => Control::Shutdown,
                    _ = int.recv() => Control::Shutdown,
                    _ = hup.recv() => Control::Reload,
                };
                if message == Control::Shutdown {
                    tracing::info!("Signal received: stopping after the files in progress.");
                }
                if control_tx.send(message).await.is_err() {
                    break;
                }
            }
        });
        daemon::run(settings, reload_source, control_rx).await?;
        Ok(ExitCode::SUCCESS)
    })
}

fn process_files(settings: Settings, args: &ProcessArgs) -> Result<ExitCode> {
    let chain = Chain::build(&settings, false)?;
    let stdout = std::io::stdout();
    let mut failures = 0usize;
    let progress = ops::progress::bar(args.files.len());
    for path in &args.files {
        progress.inc(1);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let doc = read_source(path, settings.processing.max_file_bytes)
            .and_then(|source| document_from(&name, &source));
        let doc = match doc {
            Ok(doc) => doc,
            Err(e) => {
                progress.suspend(|| eprintln!("{}: {e}", path.display()));
                failures += 1;
                continue;
            }
        };
        match chain.run(doc) {
            ChainOutcome::Done(mut doc) => {
                if !args.keep_raw {
                    doc.raw = None;
                }
                let bytes = if args.compact {
                    let mut line = serde_json::to_vec(&doc)?;
                    line.push(b'\n');
                    line
                } else {
                    outbox::to_bytes(&doc)?
                };
                stdout
                    .lock()
                    .write_all(&bytes)
                    .context("cannot write to stdout")?;
            }
            ChainOutcome::Skipped { plugin, reason, .. } => {
                progress.suspend(|| eprintln!("{}: skipped by {plugin}: {reason}", path.display()));
                failures += 1;
            }
            ChainOutcome::Failed(f) | ChainOutcome::Retry(f) => {
                progress.suspend(|| {
                    eprintln!(
                        "{}: plugin {} failed ({}): {}",
                        path.display(),
                        f.plugin,
                        f.kind.as_str(),
                        f.message
                    )
                });
                failures += 1;
            }
        }
    }
    progress.finish_and_clear();
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FILES_FAILED)
    })
}

fn check(settings: &Settings, file: Option<&Path>) -> Result<ExitCode> {
    let chain = Chain::build(settings, false)?;
    let shown = file
        .map(|f| f.display().to_string())
        .unwrap_or_else(|| "(built-in defaults)".into());
    println!("Configuration {shown} is valid.");
    let p = &settings.paths;
    println!(
        "inbox {}  outbox {}  archive {}  failed {}  state {}",
        p.inbox.display(),
        p.outbox.display(),
        p.archive.display(),
        p.failed.display(),
        p.state.display()
    );
    println!("Plugin chain ({} plugins):", chain.labels().len());
    for (i, stage) in chain.summary().iter().enumerate() {
        println!(
            "  {:>2}. {:<24} {:<24} {:<8} sdk {:<6} abi {:<5} {}",
            i + 1,
            stage.label,
            stage.name,
            stage.version,
            stage.sdk_version,
            stage.abi,
            stage.path.display()
        );
        if stage.abi_minor >= 1 && stage.reads != fields::ALL {
            println!("      reads: {}", fields::names(stage.reads).join(", "));
        }
        // As the host enforces it: a declaration long enough to have the mask.
        if stage.writes != fields::ALL {
            println!("      writes: {}", fields::names(stage.writes).join(", "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn list_plugins(settings: &Settings, args: &PluginsArgs) -> Result<ExitCode> {
    let dirs = if args.dirs.is_empty() {
        &settings.plugins.search_dirs
    } else {
        &args.dirs
    };
    let mut found = 0;
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "so"))
            .collect();
        paths.sort();
        for path in paths {
            found += 1;
            match load_plugin(&path, None, settings.plugins.allow_insecure_permissions) {
                Ok(p) => println!(
                    "{:<28} {:<8} sdk {:<6} abi {}.{}  {}",
                    p.info.name,
                    p.info.version,
                    p.info.sdk_version,
                    p.info.abi_major,
                    p.info.abi_minor,
                    path.display()
                ),
                Err(e) => println!("{:<28} refused: {e}", "-"),
            }
        }
    }
    if found == 0 {
        println!(
            "No plugin libraries (*.so) found in: {}",
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `ingestd new-plugin`: scaffolds the crate and tells the user what to do next.
fn new_plugin(args: &NewPluginArgs) -> Result<ExitCode> {
    let made = ingestd::scaffold::create(&args.dir, &args.name)?;
    let name = &made.name;
    let ident = &made.crate_ident;
    println!(
        "Created {} ({} files).",
        made.dir.display(),
        made.files.len()
    );
    println!();
    println!("Next steps:");
    println!("  cargo test -p {name}            # the SDK compliance harness and example tests");
    println!("  cargo build --release -p {name} # builds target/release/lib{ident}.so");
    println!();
    println!(
        "Then add it to config/ingestd.toml before `cleanup` (see {}/README.md):",
        made.dir.display()
    );
    println!();
    println!("  [[chain]]");
    println!("  name = \"{name}\"");
    println!("  path = \"target/release/lib{ident}.so\"");
    println!("  [chain.config]");
    println!("  marker = \"Your Outlet Name\"");
    Ok(ExitCode::SUCCESS)
}

/// `ingestd status`: the daemon's status file, summarised.
fn status(settings: &Settings, args: &StatusArgs) -> Result<ExitCode> {
    let state = &settings.paths.state;
    let status = match Status::read(state) {
        Ok(status) => status,
        Err(e) => {
            println!("ingestd is not running (no status: {e}).");
            return Ok(ExitCode::from(EXIT_NOT_RUNNING));
        }
    };
    let not_running = status.not_running_reason(std::time::SystemTime::now());
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        let filter = NameFilter::new(&settings.watch)?;
        let waiting =
            ops::status::waiting_counts(&settings.paths.inbox, &filter, &settings.paths.failed);
        print!("{}", status.summary(not_running.as_deref(), waiting));
    }
    Ok(match not_running {
        None => ExitCode::SUCCESS,
        Some(_) => ExitCode::from(EXIT_NOT_RUNNING),
    })
}

/// `ingestd replay`: failed files back into the inbox.
fn replay(settings: &Settings, args: &ReplayArgs) -> Result<ExitCode> {
    let selection = if args.names.is_empty() {
        Selection::all()
    } else {
        Selection::matching(&args.names)?
    };
    let (failed, inbox) = (&settings.paths.failed, &settings.paths.inbox);
    let done = ops::replay::replay(failed, inbox, &selection, args.dry_run)?;
    let verb = if args.dry_run { "would move" } else { "moved" };
    let mut moved = 0;
    for item in &done {
        match item {
            Replayed::Moved { name, .. } => {
                moved += 1;
                println!("{verb} {} -> {}", name.to_string_lossy(), inbox.display());
            }
            Replayed::InboxTaken { name } => println!(
                "kept  {}: the inbox already has a file of that name",
                name.to_string_lossy()
            ),
        }
    }
    let kept = done.len() - moved;
    match (done.len(), args.dry_run) {
        (0, _) => println!("No matching files in {}.", failed.display()),
        (_, true) => println!("Dry run: {moved} file(s) would move; {kept} kept."),
        (_, false) => println!("{moved} file(s) moved back into the inbox; {kept} kept."),
    }
    Ok(ExitCode::SUCCESS)
}

/// `ingestd install`: FHS install under `--root`, then the systemctl lines.
fn install(config: Option<&Path>, args: &InstallArgs) -> Result<ExitCode> {
    let binary = std::env::current_exe().context("cannot find this binary")?;
    let plugins_from = match &args.plugins_from {
        Some(dir) => dir.clone(),
        None => binary.parent().map(Path::to_owned).unwrap_or_default(),
    };
    let config_text = match config {
        Some(file) => std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?,
        None => ops::install::BUNDLED_CONFIG.to_owned(),
    };
    let options = InstallOptions {
        root: args.root.clone(),
        binary,
        plugins_from,
        config_text,
        dry_run: args.dry_run,
    };
    let actions = ops::install::install(&options)?;
    for action in &actions {
        println!("{}{action}", if args.dry_run { "(dry run) " } else { "" });
    }
    println!();
    println!("To start ingestd now and at every boot:");
    for line in ops::install::next_steps() {
        println!("  {line}");
    }
    Ok(ExitCode::SUCCESS)
}
