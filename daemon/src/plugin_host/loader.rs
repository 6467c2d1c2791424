//! Loading plugin libraries: checks, staging by content hash, `dlopen`, declaration validation.
//!
//! A library is never unloaded (thread-local destructors and leaked callbacks make `dlclose`
//! unsound). To pick up a rebuilt plugin, the file is first copied to
//! `<state>/plugins/<sha256>-<name>` and that copy is opened: overwriting a mapped `.so` in
//! place crashes the process, and `dlopen` of an already-open path returns the old code.

use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use ingestd_sdk::abi::{DECLARATION_SYMBOL, DeclarationFn};
use ingestd_sdk::client::{DeclarationError, DeclarationInfo, ValidDeclaration};
use libloading::os::unix::{Library, RTLD_LOCAL, RTLD_NOW};

use crate::fsutil;

/// Why a plugin library was refused. Every message names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file does not exist.
    #[error("plugin {}: file not found (build the plugins with `cargo build --release`?)", .path.display())]
    Missing {
        /// The configured path.
        path: PathBuf,
    },
    /// The path is a directory or a special file.
    #[error("plugin {}: not a regular file", .path.display())]
    NotAFile {
        /// The configured path.
        path: PathBuf,
    },
    /// Other users could replace the code the daemon runs.
    #[error(
        "plugin {}: {reason}; refusing to load it (fix the permissions, or set plugins.allow_insecure_permissions = true)",
        .path.display()
    )]
    Insecure {
        /// The configured path.
        path: PathBuf,
        /// What is writable by whom.
        reason: String,
    },
    /// Reading or staging the file failed.
    #[error("plugin {}: {context}: {source}", .path.display())]
    Io {
        /// The configured path.
        path: PathBuf,
        /// What was being done.
        context: &'static str,
        /// The I/O error.
        source: io::Error,
    },
    /// `dlopen` refused it: not a shared library, wrong architecture, missing dependencies or
    /// unresolved symbols (`RTLD_NOW` resolves them all at load time).
    #[error("plugin {}: not a loadable shared library: {detail}", .path.display())]
    NotLibrary {
        /// The configured path.
        path: PathBuf,
        /// The dynamic loader's message.
        detail: String,
    },
    /// The library does not export the declaration symbol.
    #[error(
        "plugin {}: no `ingestd_plugin_v1` symbol; is it an ingestd plugin built with `ingestd_sdk::export_plugin!`?",
        .path.display()
    )]
    MissingSymbol {
        /// The configured path.
        path: PathBuf,
    },
    /// The declaration is invalid (wrong magic or ABI version, abort build, ...).
    #[error("plugin {}: {source}", .path.display())]
    Declaration {
        /// The configured path.
        path: PathBuf,
        /// What is wrong with the declaration.
        source: DeclarationError,
    },
}

/// A validated plugin library, loaded for the life of the process.
#[derive(Debug, Clone)]
pub struct LoadedPlugin {
    /// The configured path.
    pub path: PathBuf,
    /// The staged copy actually opened.
    pub staged: PathBuf,
    /// Hex sha256 of the library file.
    pub sha256: String,
    /// Name, version and ABI facts from the declaration.
    pub info: DeclarationInfo,
    pub(crate) declaration: ValidDeclaration,
}

/// True when `uid` is the daemon's own user or root: the only owners trusted with its code.
fn trusted_owner(uid: u32) -> bool {
    // SAFETY: geteuid has no preconditions.
    uid == 0 || uid == unsafe { libc::geteuid() }
}

/// Refuses a file or folder that users other than the owner can write to, or that belongs to
/// a user other than the daemon's own or root.
fn check_permissions(path: &Path) -> Result<(), LoadError> {
    let insecure = |reason: String| LoadError::Insecure {
        path: path.to_owned(),
        reason,
    };
    let meta = fs::metadata(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        context: "stat",
        source,
    })?;
    if !trusted_owner(meta.uid()) {
        return Err(insecure(format!(
            "the file belongs to user {}, not to the daemon's user or root",
            meta.uid()
        )));
    }
    if meta.permissions().mode() & 0o022 != 0 {
        return Err(insecure(format!(
            "the file is writable by its group or by everyone (mode {:o})",
            meta.permissions().mode() & 0o777
        )));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(dir_meta) = fs::metadata(dir) {
        let mode = dir_meta.permissions().mode();
        let sticky = mode & 0o1000 != 0;
        if mode & 0o002 != 0 && !sticky {
            return Err(insecure(format!(
                "its folder {} is writable by everyone (mode {:o})",
                dir.display(),
                mode & 0o777
            )));
        }
        if !trusted_owner(dir_meta.uid()) && !sticky {
            return Err(insecure(format!(
                "its folder {} belongs to user {}, who could replace the file",
                dir.display(),
                dir_meta.uid()
            )));
        }
    }
    Ok(())
}

/// True if an already staged copy is exactly the checked library and nobody else can
/// change it (so a planted or tampered file under the same name is never loaded).
fn staged_copy_is_intact(staged: &Path, sha256: &str) -> bool {
    let Ok(meta) = fs::symlink_metadata(staged) else {
        return false;
    };
    meta.is_file()
        && trusted_owner(meta.uid())
        && meta.permissions().mode() & 0o022 == 0
        && fs::read(staged).is_ok_and(|bytes| ingestd_sdk::sha256_hex(&bytes) == sha256)
}

/// Copies the library to `<staging_dir>/<sha256>-<file name>` unless an intact copy is there.
fn stage(path: &Path, bytes: &[u8], sha256: &str, staging_dir: &Path) -> io::Result<PathBuf> {
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let staged = staging_dir.join(format!("{}-{}", sha256, file_name.unwrap_or_default()));
    if !staged_copy_is_intact(&staged, sha256) {
        fsutil::ensure_dir("plugin staging", staging_dir)?;
        let written =
            fsutil::write_atomic(staging_dir, &format!("{sha256}.partial"), bytes, false)?;
        fs::set_permissions(&written, fs::Permissions::from_mode(0o755))?;
        // Replaces a tampered copy; a copy in use stays mapped (rename never rewrites it).
        fs::rename(&written, &staged)?;
    }
    Ok(staged)
}

/// Loads and validates a plugin library.
///
/// `staging_dir` is where the content-addressed copy goes (`<state>/plugins`); with `None` the
/// file is opened in place (for one-shot commands that never reload).
pub fn load_plugin(
    path: &Path,
    staging_dir: Option<&Path>,
    allow_insecure: bool,
) -> Result<LoadedPlugin, LoadError> {
    let owned = || path.to_owned();
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(LoadError::Missing { path: owned() });
        }
        Err(source) => {
            return Err(LoadError::Io {
                path: owned(),
                context: "stat",
                source,
            });
        }
    };
    if !meta.is_file() {
        return Err(LoadError::NotAFile { path: owned() });
    }
    if !allow_insecure {
        check_permissions(path)?;
    }
    let bytes = fs::read(path).map_err(|source| LoadError::Io {
        path: owned(),
        context: "read",
        source,
    })?;
    let sha256 = ingestd_sdk::sha256_hex(&bytes);
    let staged = match staging_dir {
        Some(dir) => stage(path, &bytes, &sha256, dir).map_err(|source| LoadError::Io {
            path: owned(),
            context: "stage a copy",
            source,
        })?,
        None => path.to_owned(),
    };
    // SAFETY: loading a library runs its initialisers; plugins are trusted code by
    // configuration (only configured paths are loaded, with permission checks above).
    let library = unsafe { Library::open(Some(&staged), RTLD_NOW | RTLD_LOCAL) }.map_err(|e| {
        LoadError::NotLibrary {
            path: owned(),
            detail: e.to_string(),
        }
    })?;
    // Never unloaded: see the module header.
    let library: &'static Library = Box::leak(Box::new(library));
    // SAFETY: the symbol's type is fixed by the ABI; a wrong type is caught by the magic check.
    let declaration_fn: DeclarationFn = unsafe { library.get::<DeclarationFn>(DECLARATION_SYMBOL) }
        .map(|symbol| *symbol)
        .map_err(|_| LoadError::MissingSymbol { path: owned() })?;
    // SAFETY: calling the declaration function is the ABI's first step; the library stays
    // loaded forever, so the returned static declaration does too.
    let (declaration, info) =
        unsafe { ValidDeclaration::new(declaration_fn()) }.map_err(|source| {
            LoadError::Declaration {
                path: owned(),
                source,
            }
        })?;
    Ok(LoadedPlugin {
        path: owned(),
        staged,
        sha256,
        info,
        declaration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_is_named() {
        let err = load_plugin(Path::new("/nonexistent/libx.so"), None, false).unwrap_err();
        assert!(matches!(err, LoadError::Missing { .. }));
        assert!(err.to_string().contains("/nonexistent/libx.so"));
    }

    #[test]
    fn a_text_file_is_not_a_library() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("libfake.so");
        fs::write(&path, "not an ELF file").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = load_plugin(&path, None, false).unwrap_err();
        assert!(matches!(err, LoadError::NotLibrary { .. }), "{err}");
        assert!(err.to_string().contains("libfake.so"));
    }

    #[test]
    fn world_writable_plugins_are_refused_unless_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("libopen.so");
        fs::write(&path, "x").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o666)).unwrap();
        let err = load_plugin(&path, None, false).unwrap_err();
        assert!(matches!(err, LoadError::Insecure { .. }), "{err}");
        assert!(err.to_string().contains("allow_insecure_permissions"));
        let err = load_plugin(&path, None, true).unwrap_err();
        assert!(matches!(err, LoadError::NotLibrary { .. }), "{err}");
    }

    #[test]
    fn group_writable_files_and_open_folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("libgroup.so");
        fs::write(&path, "x").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o664)).unwrap();
        let err = load_plugin(&path, None, false).unwrap_err();
        assert!(err.to_string().contains("writable by its group"), "{err}");

        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
        let err = load_plugin(&path, None, false).unwrap_err();
        assert!(
            err.to_string().contains("writable by everyone (mode 777)"),
            "{err}"
        );
        // A sticky folder (like /tmp) is fine: others cannot replace the file.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o1777)).unwrap();
        let err = load_plugin(&path, None, false).unwrap_err();
        assert!(matches!(err, LoadError::NotLibrary { .. }), "{err}");
    }

    #[test]
    fn files_of_other_users_are_refused() {
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: only root can give a file to another user");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("libtheirs.so");
        fs::write(&path, "x").unwrap();
        std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
        let err = load_plugin(&path, None, false).unwrap_err();
        assert!(err.to_string().contains("belongs to user 65534"), "{err}");
    }

    #[test]
    fn a_tampered_staged_copy_is_replaced_not_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let (staging, bytes) = (dir.path().join("staging"), b"the real library".to_vec());
        let sha = ingestd_sdk::sha256_hex(&bytes);
        let source = dir.path().join("libreal.so");
        fs::write(&source, &bytes).unwrap();
        let staged = stage(&source, &bytes, &sha, &staging).unwrap();
        assert_eq!(fs::read(&staged).unwrap(), bytes);
        fs::write(&staged, b"planted code").unwrap();
        let again = stage(&source, &bytes, &sha, &staging).unwrap();
        assert_eq!((again.clone(), fs::read(&again).unwrap()), (staged, bytes));
    }

    #[test]
    fn a_directory_is_not_a_plugin() {
        let dir = tempfile::tempdir().unwrap();
        let err = load_plugin(dir.path(), None, false).unwrap_err();
        assert!(matches!(err, LoadError::NotAFile { .. }));
    }
}
