//! Package hygiene (the governance document's §4 and §10): every governed package has its own
//! changelog, a `description` and a `license` (or `license-file`) in its manifest, and tests of
//! its own (a `tests/` directory or `#[cfg(test)]` code). Each check is switched on in
//! `[workspace.metadata.apicheck.hygiene]`; each miss is a violation with its fix.

use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::policy::deps::{DepsConfig, Selector};
use crate::policy::versioning::Violation;
use crate::workspace::{Package, Workspace};

/// `[workspace.metadata.apicheck.hygiene]`: every check is off unless switched on, so adopting
/// apicheck in a repository that does not follow the governance document fails nothing new.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct HygieneConfig {
    /// The package has its changelog (the `changelog` setting's file).
    #[serde(default)]
    pub changelog: bool,
    /// Its manifest has a `description`.
    #[serde(default)]
    pub description: bool,
    /// Its manifest has a `license` or a `license-file`.
    #[serde(default)]
    pub license: bool,
    /// It has tests of its own: a `tests/` directory with a `.rs` file, or `#[cfg(test)]` in its
    /// sources.
    #[serde(default)]
    pub tests: bool,
    /// Packages the checks skip: names, member directory globs, or `tag:NAME`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip: Vec<String>,
}

const WHAT: &str = "the hygiene checks' `skip`";

/// Checks the configuration once, before anything is documented.
pub fn validate(config: &HygieneConfig, deps: &DepsConfig) -> Result<()> {
    for text in &config.skip {
        Selector::new(text, &deps.tags, WHAT)?;
    }
    Ok(())
}

/// The hygiene violations of `package`, whose changelog is `changelog`.
pub fn check(config: &HygieneConfig, deps: &DepsConfig, workspace: &Workspace, package: &Package, changelog: &Path) -> Result<Vec<Violation>> {
    for text in &config.skip {
        if Selector::new(text, &deps.tags, WHAT)?.matches_package(workspace, package) {
            return Ok(Vec::new());
        }
    }
    let relative = |path: &Path| path.strip_prefix(&workspace.root).unwrap_or(path).to_string_lossy().replace('\\', "/");
    let manifest_file = relative(&package.manifest_path);
    let manifest_text = crate::input::read_text(&package.manifest_path, "package manifest")?;
    let manifest: toml::Table = toml::from_str(&manifest_text).with_context(|| format!("{manifest_file} is not valid TOML"))?;
    let declared = |key: &str| manifest.get("package").and_then(|package| package.get(key)).is_some();
    let package_line = manifest_text.lines().position(|line| line.trim() == "[package]").map(|index| index as u32 + 1);
    let mut violations = Vec::new();
    let mut miss = |rule: &str, message: String, fix: String, file: String, line: Option<u32>| {
        violations.push(Violation { rule: rule.to_string(), message, fix, file: Some(file), line });
    };
    if config.changelog && !changelog.is_file() {
        let file = relative(changelog);
        miss(
            "hygiene-changelog",
            format!("`{}` has no changelog ({file})", package.name),
            format!("add {file} with a `## [Unreleased]` section (https://keepachangelog.com); `apicheck release` writes its release sections"),
            manifest_file.clone(),
            package_line,
        );
    }
    if config.description && !declared("description") {
        miss(
            "hygiene-description",
            format!("the manifest of `{}` has no `description`", package.name),
            format!("add `description = \"what {} is for, in one sentence\"` under [package] in {manifest_file}", package.name),
            manifest_file.clone(),
            package_line,
        );
    }
    if config.license && !declared("license") && !declared("license-file") {
        miss(
            "hygiene-license",
            format!("the manifest of `{}` has neither `license` nor `license-file`", package.name),
            format!("add `license = \"MIT OR Apache-2.0\"` (an SPDX expression) or `license-file = \"LICENSE\"` under [package] in {manifest_file}"),
            manifest_file.clone(),
            package_line,
        );
    }
    if config.tests && !has_tests(&package.dir)? {
        miss(
            "hygiene-tests",
            format!("`{}` has no tests of its own: no `tests/` directory and no `#[cfg(test)]` in its sources", package.name),
            format!("add tests: a `tests/` directory in {} or a `#[cfg(test)] mod tests` beside the code", relative(&package.dir)),
            manifest_file.clone(),
            package_line,
        );
    }
    Ok(violations)
}

/// A `tests/` directory with a `.rs` file, or `#[cfg(test)]` in a `.rs` file under `src/`.
fn has_tests(dir: &Path) -> Result<bool> {
    if rust_files(&dir.join("tests"))?.next().is_some() {
        return Ok(true);
    }
    for file in rust_files(&dir.join("src"))? {
        let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
        if text.replace(' ', "").contains("#[cfg(test)]") {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The `.rs` files under `dir` (none when it does not exist), depth first.
fn rust_files(dir: &Path) -> Result<impl Iterator<Item = std::path::PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else { continue };
        for entry in entries {
            let path = entry.with_context(|| format!("cannot list {}", current.display()))?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files.into_iter())
}
