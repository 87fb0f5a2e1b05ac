//! No environment reads in packages (the governance document's §9: packages receive their
//! configuration by injection and stay deterministic and testable). With
//! `[workspace.metadata.apicheck.environment]` `deny-reads = true`, each read of an environment
//! variable in a governed package's library ([`crate::engine::env_reads`]) is a violation
//! (`env-read`) at its `file:line`, unless the package is in `allow`.

use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::engine::env_reads::{EnvRead, env_reads};
use crate::policy::deps::{DepsConfig, Selector};
use crate::policy::versioning::Violation;
use crate::workspace::{Package, Workspace};

/// `[workspace.metadata.apicheck.environment]`: off unless switched on, like the hygiene checks,
/// so adopting apicheck fails nothing new.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct EnvironmentConfig {
    /// Whether a read of an environment variable in a governed package's library fails it
    /// (rule `env-read`).
    #[serde(default)]
    pub deny_reads: bool,
    /// Packages that may read the environment: names, member directory globs, or `tag:NAME`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<String>,
}

const WHAT: &str = "the environment rule's `allow`";

/// Checks the configuration once, before anything is documented.
pub fn validate(config: &EnvironmentConfig, deps: &DepsConfig) -> Result<()> {
    for text in &config.allow {
        Selector::new(text, &deps.tags, WHAT)?;
    }
    Ok(())
}

/// The `env-read` violations of `package`: one per read in its library's sources.
pub fn check(config: &EnvironmentConfig, deps: &DepsConfig, workspace: &Workspace, package: &Package) -> Result<Vec<Violation>> {
    if !config.deny_reads {
        return Ok(Vec::new());
    }
    for text in &config.allow {
        if Selector::new(text, &deps.tags, WHAT)?.matches_package(workspace, package) {
            return Ok(Vec::new());
        }
    }
    let Some(root) = &package.lib_root else { return Ok(Vec::new()) };
    let reads = env_reads(root).with_context(|| {
        format!(
            "cannot look for environment reads in `{}` (syn reads Rust of edition 2018 and later; a package it cannot read can be \
             allowed in `allow` of [workspace.metadata.apicheck.environment])",
            package.name
        )
    })?;
    Ok(reads.iter().map(|read| violation(workspace, package, read)).collect())
}

fn violation(workspace: &Workspace, package: &Package, read: &EnvRead) -> Violation {
    let relative = |path: &Path| path.strip_prefix(&workspace.root).unwrap_or(path).to_string_lossy().replace('\\', "/");
    let variable = read.variable.as_ref().map(|name| format!("`{name}`")).unwrap_or_else(|| "the environment".to_string());
    let (message, fix) = if read.at_compile_time() {
        (
            format!("`{}` reads {variable} at compile time with `{}`: the builder's environment becomes static configuration", package.name, read.reader),
            format!(
                "take the value as a parameter or a configuration struct the application fills in; or allow `{}` in `allow` of \
                 [workspace.metadata.apicheck.environment]",
                package.name
            ),
        )
    } else {
        (
            format!("`{}` reads {variable} with `{}`: packages receive their configuration, they do not read the environment", package.name, read.reader),
            format!(
                "take the value as a parameter or a configuration struct that the application binds from the environment; or allow \
                 `{}` in `allow` of [workspace.metadata.apicheck.environment]",
                package.name
            ),
        )
    };
    Violation { rule: "env-read".to_string(), message, fix, file: Some(relative(&read.file)), line: Some(read.line) }
}
