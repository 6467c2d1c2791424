//! The config a run measures: the bundled chain, pointed at the plugins built next to the
//! `ingestd` binary under test (not `target/release`, which may hold someone else's build).
//!
//! Plugins whose library is missing (a plugin still being written) are left out with a note,
//! so the figures always say which chain they are for.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use toml_edit::{DocumentMut, Item, value};

/// A config written for one run, and the plugins it runs.
#[derive(Debug, Clone)]
pub(crate) struct ChainConfig {
    /// The written config file.
    pub(crate) path: PathBuf,
    /// Library file names in chain order.
    pub(crate) plugins: Vec<String>,
    /// Libraries named by the source config that were not found.
    pub(crate) missing: Vec<String>,
}

/// Rewrites `source`'s chain so every relative `target/<profile>/lib*.so` path points into
/// `plugin_dir`, drops entries whose library is missing, and writes the result to `out`.
pub(crate) fn prepare(source: &Path, plugin_dir: &Path, out: &Path) -> Result<ChainConfig> {
    let text = std::fs::read_to_string(source)
        .with_context(|| format!("cannot read {}", source.display()))?;
    let mut doc: DocumentMut = text
        .parse()
        .with_context(|| format!("{} is not TOML", source.display()))?;
    let mut plugins = Vec::new();
    let mut missing = Vec::new();
    if let Some(chain) = doc.get_mut("chain").and_then(Item::as_array_of_tables_mut) {
        chain.retain(|entry| {
            let Some(configured) = entry.get("path").and_then(|p| p.as_str()) else {
                return true;
            };
            let resolved = resolve(configured, plugin_dir);
            let file = resolved
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            if resolved.exists() {
                plugins.push(file);
                true
            } else {
                missing.push(file);
                false
            }
        });
        for entry in chain.iter_mut() {
            let resolved = entry
                .get("path")
                .and_then(|p| p.as_str())
                .map(|p| resolve(p, plugin_dir));
            if let Some(resolved) = resolved {
                entry["path"] = value(resolved.display().to_string());
            }
        }
    }
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(out, doc.to_string())
        .with_context(|| format!("cannot write {}", out.display()))?;
    Ok(ChainConfig {
        path: out.to_owned(),
        plugins,
        missing,
    })
}

/// `target/<anything>/libX.so` becomes `plugin_dir/libX.so`; other paths stay as they are.
fn resolve(configured: &str, plugin_dir: &Path) -> PathBuf {
    let path = Path::new(configured);
    if path.is_relative() && path.starts_with("target") {
        if let Some(file) = path.file_name() {
            return plugin_dir.join(file);
        }
    }
    path.to_owned()
}

impl ChainConfig {
    /// One line naming the chain, for the report.
    pub(crate) fn describe(&self) -> String {
        let mut s = format!("chain: {}", self.plugins.join(" -> "));
        if !self.missing.is_empty() {
            s.push_str(&format!(
                " (not built, left out: {})",
                self.missing.join(", ")
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_rewritten_and_missing_plugins_dropped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("liba.so"), "").unwrap();
        let source = dir.path().join("in.toml");
        std::fs::write(
            &source,
            "[processing]\nfsync = true\n\n[[chain]]\npath = \"target/release/liba.so\"\n\n[[chain]]\npath = \"target/release/libgone.so\"\n[chain.config]\nx = 1\n",
        )
        .unwrap();
        let out = dir.path().join("out.toml");
        let prepared = prepare(&source, dir.path(), &out).unwrap();
        assert_eq!(prepared.plugins, vec!["liba.so"]);
        assert_eq!(prepared.missing, vec!["libgone.so"]);
        let written = std::fs::read_to_string(&out).unwrap();
        assert!(written.contains(&dir.path().join("liba.so").display().to_string()));
        assert!(!written.contains("libgone") && written.contains("fsync = true"));
    }
}
