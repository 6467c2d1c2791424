//! `ingestd install`: puts the binary, the plugins, the configuration and the systemd unit in
//! their FHS places under a root folder (`/` by default, a temporary folder in tests).
//!
//! The installed configuration is the bundled one (or the one given) rewritten with
//! `toml_edit`, comments kept, so that its plugin paths and folders point at the installed
//! places. An existing configuration is never replaced; the new one is written beside it as
//! `ingestd.toml.new` for comparison. Binaries and plugins are replaced by an atomic rename,
//! never written in place (a running daemon has them mapped).

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use toml_edit::{Array, DocumentMut, Item, Table, Value};

use crate::fsutil;

/// The bundled configuration, used when no template is given.
pub const BUNDLED_CONFIG: &str = include_str!("../../../config/ingestd.toml");
/// The systemd unit.
pub const UNIT: &str = include_str!("../../../config/ingestd.service");
/// The user the unit runs as, for `systemd-sysusers`.
pub const SYSUSERS: &str = "# The system user ingestd runs as (see ingestd.service).\n\
                            u ingestd - \"ingestd news ingest daemon\" /var/lib/ingestd\n";
/// The README, installed as documentation (the unit's `Documentation=`).
const README: &str = include_str!("../../../README.md");

/// The installed layout, relative to the root.
pub mod layout {
    /// The binary.
    pub const BINARY: &str = "/usr/local/bin/ingestd";
    /// Plugin libraries.
    pub const PLUGINS: &str = "/usr/local/lib/ingestd/plugins";
    /// The configuration file.
    pub const CONFIG: &str = "/etc/ingestd/ingestd.toml";
    /// The systemd unit.
    pub const UNIT: &str = "/etc/systemd/system/ingestd.service";
    /// The sysusers.d entry that creates the `ingestd` user.
    pub const SYSUSERS: &str = "/etc/sysusers.d/ingestd.conf";
    /// Documentation.
    pub const DOC: &str = "/usr/local/share/doc/ingestd/README.md";
    /// The data folders' parent (the unit's `StateDirectory=`).
    pub const DATA: &str = "/var/lib/ingestd";
    /// The data folders, as named in `[paths]`.
    pub const FOLDERS: [&str; 5] = ["inbox", "outbox", "archive", "failed", "state"];
}

/// What to install and where.
#[derive(Debug, Clone)]
pub struct InstallOptions {
    /// Everything goes under this folder (`/` for a real install).
    pub root: PathBuf,
    /// The `ingestd` binary to install (normally the running one).
    pub binary: PathBuf,
    /// Where the chain's plugin libraries are found (by file name).
    pub plugins_from: PathBuf,
    /// The configuration to install: its text and where it came from (for messages).
    pub config_text: String,
    /// Report what would be done without writing anything.
    pub dry_run: bool,
}

/// One thing `install` did (or would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A file was written (new or replaced).
    Installed(PathBuf),
    /// A folder was created.
    Created(PathBuf),
    /// The file already existed and was left alone; the new version went to the second path.
    Kept(PathBuf, PathBuf),
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Action::Installed(p) => write!(f, "installed {}", p.display()),
            Action::Created(p) => write!(f, "created   {}", p.display()),
            Action::Kept(p, new) => write!(
                f,
                "kept      {} (yours; the new default is in {})",
                p.display(),
                new.display()
            ),
        }
    }
}

/// Why the installation stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstallError {
    /// The configuration template is not valid TOML.
    #[error("the configuration to install is not valid TOML: {0}")]
    Template(#[from] toml_edit::TomlError),
    /// A chain entry has no usable `path`.
    #[error("chain[{index}] has no plugin path")]
    ChainPath {
        /// Position in the chain.
        index: usize,
    },
    /// Plugin libraries named by the chain were not found.
    #[error(
        "plugin libraries not found in {}: {}; build them first (cargo build --release --workspace) \
         or point --plugins-from at them",
        dir.display(),
        missing.join(", ")
    )]
    MissingPlugins {
        /// The folder searched.
        dir: PathBuf,
        /// The missing file names.
        missing: Vec<String>,
    },
    /// Writing failed (often: not root; try sudo, or `--root DIR`).
    #[error("cannot {what} {}: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
}

/// Installs everything; returns what was done, in order.
pub fn install(options: &InstallOptions) -> Result<Vec<Action>, InstallError> {
    let mut config = options.config_text.parse::<DocumentMut>()?;
    let plugins = chain_plugins(&config)?;
    let missing: Vec<String> = plugins
        .iter()
        .filter(|name| !options.plugins_from.join(name).is_file())
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(InstallError::MissingPlugins {
            dir: options.plugins_from.clone(),
            missing,
        });
    }
    point_at_installed_places(&mut config);
    let mut run = Installer {
        root: &options.root,
        dry_run: options.dry_run,
        actions: Vec::new(),
        created: HashSet::new(),
    };
    run.copy(&options.binary, layout::BINARY, 0o755)?;
    for name in &plugins {
        let target = format!("{}/{name}", layout::PLUGINS);
        run.copy(&options.plugins_from.join(name), &target, 0o755)?;
    }
    run.config(&config.to_string())?;
    run.write(layout::UNIT, UNIT.as_bytes(), 0o644)?;
    run.write(layout::SYSUSERS, SYSUSERS.as_bytes(), 0o644)?;
    run.write(layout::DOC, README.as_bytes(), 0o644)?;
    for folder in layout::FOLDERS {
        run.folder(&format!("{}/{folder}", layout::DATA))?;
    }
    Ok(run.actions)
}

/// The lines that enable the service once installed.
pub fn next_steps() -> Vec<String> {
    vec![
        "systemd-sysusers                 # creates the ingestd user".into(),
        "systemctl daemon-reload".into(),
        "systemctl enable --now ingestd".into(),
        "systemctl status ingestd         # or: ingestd --config /etc/ingestd/ingestd.toml status"
            .into(),
    ]
}

/// File names of the chain's plugin libraries.
fn chain_plugins(config: &DocumentMut) -> Result<Vec<String>, InstallError> {
    let Some(chain) = config.get("chain").and_then(Item::as_array_of_tables) else {
        return Ok(Vec::new());
    };
    chain
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            entry
                .get("path")
                .and_then(Item::as_str)
                .and_then(|p| Path::new(p).file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or(InstallError::ChainPath { index })
        })
        .collect()
}

/// Rewrites folders, the plugin search folder and the chain's paths to the installed places.
pub fn point_at_installed_places(config: &mut DocumentMut) {
    if let Some(paths) = table(config, "paths") {
        for folder in layout::FOLDERS {
            set_keep_decor(paths, folder, format!("{}/{folder}", layout::DATA).into());
        }
    }
    if let Some(plugins) = table(config, "plugins") {
        let mut dirs = Array::new();
        dirs.push(layout::PLUGINS);
        set_keep_decor(plugins, "search_dirs", dirs.into());
    }
    if let Some(chain) = config
        .get_mut("chain")
        .and_then(Item::as_array_of_tables_mut)
    {
        for entry in chain.iter_mut() {
            let name = entry
                .get("path")
                .and_then(Item::as_str)
                .and_then(|p| Path::new(p).file_name())
                .map(|n| n.to_string_lossy().into_owned());
            if let Some(name) = name {
                set_keep_decor(entry, "path", format!("{}/{name}", layout::PLUGINS).into());
            }
        }
    }
}

/// The table `key`, created (after the existing ones) when missing or not a table.
fn table<'a>(config: &'a mut DocumentMut, key: &str) -> Option<&'a mut Table> {
    let item = config.entry(key).or_insert_with(toml_edit::table);
    if !item.is_table() {
        *item = toml_edit::table();
    }
    item.as_table_mut()
}

/// Sets `table[key] = value`, keeping the old value's comment and spacing.
fn set_keep_decor(table: &mut Table, key: &str, mut value: Value) {
    if let Some(old) = table.get(key).and_then(Item::as_value) {
        *value.decor_mut() = old.decor().clone();
    }
    table.insert(key, Item::Value(value));
}

struct Installer<'a> {
    root: &'a Path,
    dry_run: bool,
    actions: Vec<Action>,
    /// Folders created (or, in a dry run, that would be), so each is reported once.
    created: HashSet<PathBuf>,
}

impl Installer<'_> {
    fn target(&self, path: &str) -> PathBuf {
        self.root.join(path.trim_start_matches('/'))
    }

    fn folder(&mut self, path: &str) -> Result<(), InstallError> {
        let dir = self.target(path);
        if dir.is_dir() || self.created.contains(&dir) {
            return Ok(());
        }
        if !self.dry_run {
            fs::create_dir_all(&dir).map_err(|source| InstallError::Io {
                what: "create",
                path: dir.clone(),
                source,
            })?;
        }
        self.created.insert(dir.clone());
        self.actions.push(Action::Created(dir));
        Ok(())
    }

    fn copy(&mut self, from: &Path, to: &str, mode: u32) -> Result<(), InstallError> {
        let bytes = fs::read(from).map_err(|source| InstallError::Io {
            what: "read",
            path: from.to_owned(),
            source,
        })?;
        self.write(to, &bytes, mode)
    }

    /// Writes through a temp file and a rename, so a reader (or a running daemon that has the
    /// old file mapped) sees the old file or the new one, never a mix.
    fn write(&mut self, to: &str, bytes: &[u8], mode: u32) -> Result<(), InstallError> {
        let target = self.target(to);
        let dir = target.parent().unwrap_or(self.root).to_owned();
        if let Some(parent) = Path::new(to).parent().and_then(Path::to_str) {
            self.folder(parent)?;
        }
        if !self.dry_run {
            let io = |what, source| InstallError::Io {
                what,
                path: target.clone(),
                source,
            };
            let name = target
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| io("write", std::io::Error::other("the file name is not UTF-8")))?;
            fsutil::write_atomic_with_mode(&dir, name, bytes, true, Some(mode))
                .map_err(|e| io("write", e))?;
        }
        self.actions.push(Action::Installed(target));
        Ok(())
    }

    /// The configuration: never replaces an existing file.
    fn config(&mut self, text: &str) -> Result<(), InstallError> {
        let target = self.target(layout::CONFIG);
        if target.exists() {
            let new = format!("{}.new", layout::CONFIG);
            self.write(&new, text.as_bytes(), 0o644)?;
            self.actions.pop();
            self.actions.push(Action::Kept(target, self.target(&new)));
            return Ok(());
        }
        self.write(layout::CONFIG, text.as_bytes(), 0o644)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_config_is_pointed_at_installed_places_with_comments_kept() {
        let mut config: DocumentMut = BUNDLED_CONFIG.parse().unwrap();
        point_at_installed_places(&mut config);
        let text = config.to_string();
        assert!(text.contains("inbox = \"/var/lib/ingestd/inbox\"        # watched"));
        assert!(text.contains("path = \"/usr/local/lib/ingestd/plugins/libcleanup.so\""));
        assert!(!text.contains("target/release"), "{text}");
        assert!(text.contains("# The plugin chain, in order."));
        let plugins = chain_plugins(&config).unwrap();
        assert!(plugins.contains(&"libdedup.so".to_owned()), "{plugins:?}");
    }

    #[test]
    fn missing_sections_are_added() {
        let mut config: DocumentMut = "[log]\nlevel = \"debug\"\n".parse().unwrap();
        point_at_installed_places(&mut config);
        let text = config.to_string();
        assert!(
            text.contains("state = \"/var/lib/ingestd/state\""),
            "{text}"
        );
        assert!(text.contains("level = \"debug\""));
    }

    #[test]
    fn a_dry_run_writes_nothing_and_missing_plugins_are_named() {
        let root = tempfile::tempdir().unwrap();
        let options = InstallOptions {
            root: root.path().to_owned(),
            binary: PathBuf::from("/bin/sh"),
            plugins_from: root.path().to_owned(),
            config_text: "[[chain]]\npath = \"x/libnothere.so\"\n".into(),
            dry_run: true,
        };
        let err = install(&options).unwrap_err().to_string();
        assert!(err.contains("libnothere.so"), "{err}");
        let options = InstallOptions {
            config_text: String::new(),
            ..options
        };
        let actions = install(&options).unwrap();
        assert!(actions.len() > 5);
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 0);
    }
}
