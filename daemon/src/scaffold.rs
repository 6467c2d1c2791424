//! `ingestd new-plugin`: renders the outlet-plugin template into a new crate under `plugins/`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// The template files (relative path in the new crate, contents), embedded at build time so an
/// installed binary can scaffold without the template folder.
const TEMPLATE: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../../plugins/textkit/template/Cargo.toml.tmpl"),
    ),
    (
        "README.md",
        include_str!("../../plugins/textkit/template/README.md.tmpl"),
    ),
    (
        "src/lib.rs",
        include_str!("../../plugins/textkit/template/src/lib.rs.tmpl"),
    ),
    (
        "tests/plugin.rs",
        include_str!("../../plugins/textkit/template/tests/plugin.rs.tmpl"),
    ),
];

/// Crates a new plugin must live beside: the generated `Cargo.toml` depends on them by path.
const SIBLINGS: &[&str] = &["sdk", "textkit"];

/// Names taken by the bundled crates (a new plugin may not shadow them).
const RESERVED: &[&str] = &[
    "sdk",
    "textkit",
    "cleanup",
    "dedup",
    "entities",
    "summarize",
    "ingestd",
    "ingestd-sdk",
    "template",
];

/// Longest accepted plugin name.
const MAX_NAME_LEN: usize = 64;

/// Why a plugin could not be scaffolded.
#[derive(Debug, Error)]
pub enum ScaffoldError {
    /// The name is not a valid crate/plugin name.
    #[error(
        "invalid plugin name {name:?}: {reason} (use lowercase letters, digits and hyphens, \
         starting with a letter, e.g. outlet-mekong-herald)"
    )]
    InvalidName {
        /// The rejected name.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The target folder is not the `plugins/` folder of an ingestd checkout.
    #[error(
        "{} has no {missing}/ crate: new-plugin creates a crate inside the plugins/ folder of \
         an ingestd source checkout; run it from the repository root or pass --dir \
         path/to/ingestd/plugins",
        dir.display()
    )]
    NotAPluginsFolder {
        /// The folder given.
        dir: PathBuf,
        /// The sibling crate that is missing.
        missing: &'static str,
    },
    /// A crate of that name already exists; nothing is overwritten.
    #[error("{} already exists; choose another name (nothing was changed)", .0.display())]
    Exists(PathBuf),
    /// Writing the files failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

/// What [`create`] made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scaffolded {
    /// The new crate's folder.
    pub dir: PathBuf,
    /// The plugin (and package) name.
    pub name: String,
    /// The Rust identifier of the crate (`-` replaced by `_`); the library is `lib<ident>.so`.
    pub crate_ident: String,
    /// The files written, relative to `dir`.
    pub files: Vec<&'static str>,
}

/// Checks a plugin name: a cargo package name that is also a safe folder name.
pub fn validate_name(name: &str) -> Result<(), ScaffoldError> {
    let invalid = |reason| ScaffoldError::InvalidName {
        name: name.to_owned(),
        reason,
    };
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return Err(invalid("it must have 1 to 64 characters"));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(invalid("it must start with a lowercase letter"));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(invalid("it has a character other than a-z, 0-9 and -"));
    }
    if name.ends_with('-') || name.contains("--") {
        return Err(invalid("hyphens must separate words"));
    }
    if RESERVED.contains(&name) || name.starts_with("test-") {
        return Err(invalid("the name is taken by a bundled crate"));
    }
    Ok(())
}

/// Fills the template placeholders.
pub fn render(template: &str, name: &str, crate_ident: &str) -> String {
    template
        .replace("{{name}}", name)
        .replace("{{crate_ident}}", crate_ident)
}

/// Creates `plugins_dir/<name>/` from the template. Refuses an invalid name, a folder that is
/// not an ingestd `plugins/` folder, and an existing crate; on a write error the partial crate
/// folder is removed again.
pub fn create(plugins_dir: &Path, name: &str) -> Result<Scaffolded, ScaffoldError> {
    validate_name(name)?;
    for missing in SIBLINGS {
        if !plugins_dir.join(missing).join("Cargo.toml").is_file() {
            return Err(ScaffoldError::NotAPluginsFolder {
                dir: plugins_dir.to_owned(),
                missing,
            });
        }
    }
    let dir = plugins_dir.join(name);
    let io_error = |path: &Path| {
        let path = path.to_owned();
        move |source| ScaffoldError::Io { path, source }
    };
    match fs::create_dir(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            return Err(ScaffoldError::Exists(dir));
        }
        Err(e) => return Err(io_error(&dir)(e)),
    }
    let crate_ident = name.replace('-', "_");
    let written = write_files(&dir, name, &crate_ident).map_err(|(path, source)| {
        // Best effort: do not leave half a crate behind (the workspace would fail to load).
        let _ = fs::remove_dir_all(&dir);
        ScaffoldError::Io { path, source }
    })?;
    Ok(Scaffolded {
        dir,
        name: name.to_owned(),
        crate_ident,
        files: written,
    })
}

fn write_files(
    dir: &Path,
    name: &str,
    crate_ident: &str,
) -> Result<Vec<&'static str>, (PathBuf, io::Error)> {
    let mut written = Vec::with_capacity(TEMPLATE.len());
    for (relative, template) in TEMPLATE {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| (parent.to_owned(), e))?;
        }
        fs::write(&path, render(template, name, crate_ident)).map_err(|e| (path.clone(), e))?;
        written.push(*relative);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn plugins_folder() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        for sibling in SIBLINGS {
            fs::create_dir(tmp.path().join(sibling)).unwrap();
            fs::write(tmp.path().join(sibling).join("Cargo.toml"), "").unwrap();
        }
        tmp
    }

    #[test]
    fn good_and_bad_names() {
        for good in ["outlet-mekong", "a", "outlet2-x9"] {
            assert!(validate_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Outlet",
            "9x",
            "-x",
            "x-",
            "a--b",
            "a_b",
            "a b",
            "../x",
            "x/y",
            "cleanup",
            "test-faults",
            "é",
        ] {
            assert!(validate_name(bad).is_err(), "{bad:?}");
        }
        assert!(validate_name(&"a".repeat(65)).is_err());
    }

    #[test]
    fn renders_every_placeholder() {
        let dir = plugins_folder();
        let made = create(dir.path(), "outlet-mekong").unwrap();
        assert_eq!(made.crate_ident, "outlet_mekong");
        assert_eq!(made.files.len(), TEMPLATE.len());
        for file in &made.files {
            let text = fs::read_to_string(made.dir.join(file)).unwrap();
            assert!(!text.contains("{{"), "{file} keeps a placeholder");
        }
        let manifest = fs::read_to_string(made.dir.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("name = \"outlet-mekong\""));
        let tests = fs::read_to_string(made.dir.join("tests/plugin.rs")).unwrap();
        assert!(tests.contains("outlet_mekong::ingestd_plugin_v1"));
    }

    #[test]
    fn never_overwrites_an_existing_crate() {
        let dir = plugins_folder();
        fs::create_dir(dir.path().join("outlet-x")).unwrap();
        fs::write(dir.path().join("outlet-x/keep"), "mine").unwrap();
        let err = create(dir.path(), "outlet-x").unwrap_err();
        assert!(matches!(err, ScaffoldError::Exists(_)), "{err}");
        assert_eq!(
            fs::read_to_string(dir.path().join("outlet-x/keep")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn refuses_a_folder_outside_a_checkout() {
        let tmp = tempfile::tempdir().unwrap();
        let err = create(tmp.path(), "outlet-x").unwrap_err();
        assert!(err.to_string().contains("sdk/"), "{err}");
        assert!(!tmp.path().join("outlet-x").exists());
    }
}
