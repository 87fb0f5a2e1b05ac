//! An explicit public surface (the governance document's §13: explicit exports, internal modules
//! not exposed): a public module whose name marks it internal (`internal`, `imp`, `private`,
//! `detail`, `__*`) fails its package, unless it is `#[doc(hidden)]` (which says it is not
//! API). Checked on the API model; switchable per package.

use anyhow::{Context, Result};
use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};

pub use crate::engine::model::PublicModule;
use crate::policy::deps::{DepsConfig, Selector};
use crate::policy::versioning::Violation;
use crate::workspace::{Package, Workspace};

/// `[workspace.metadata.apicheck.surface]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SurfaceConfig {
    /// Whether a public module named like an internal one fails its package (rule
    /// `internal-module`).
    #[serde(default = "yes")]
    pub internal_modules: bool,
    /// The module names that mark a module internal: names or globs (`__*`).
    #[serde(default = "default_internal_names")]
    pub internal_names: Vec<String>,
    /// Packages the rule skips: names, member directory globs, or `tag:NAME`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip: Vec<String>,
}

fn yes() -> bool {
    true
}

fn default_internal_names() -> Vec<String> {
    ["internal", "imp", "private", "detail", "__*"].map(String::from).to_vec()
}

impl Default for SurfaceConfig {
    fn default() -> Self {
        SurfaceConfig { internal_modules: true, internal_names: default_internal_names(), skip: Vec::new() }
    }
}

fn internal_names(config: &SurfaceConfig) -> Result<Vec<GlobMatcher>> {
    config
        .internal_names
        .iter()
        .map(|name| Glob::new(name).map(|glob| glob.compile_matcher()).with_context(|| format!("`{name}` in `internal-names` is not a valid pattern")))
        .collect()
}

/// Checks the configuration once, before anything is documented.
pub fn validate(config: &SurfaceConfig, deps: &DepsConfig) -> Result<()> {
    internal_names(config)?;
    for text in &config.skip {
        Selector::new(text, &deps.tags, "the surface rules' `skip`")?;
    }
    Ok(())
}

/// The surface rules' violations for `package`, whose API has `modules`.
pub fn check(config: &SurfaceConfig, deps: &DepsConfig, workspace: &Workspace, package: &Package, modules: &[PublicModule]) -> Result<Vec<Violation>> {
    if !config.internal_modules {
        return Ok(Vec::new());
    }
    for text in &config.skip {
        if Selector::new(text, &deps.tags, "the surface rules' `skip`")?.matches_package(workspace, package) {
            return Ok(Vec::new());
        }
    }
    let names = internal_names(config)?;
    let mut violations = Vec::new();
    for module in modules {
        let name = module.path.rsplit("::").next().unwrap_or_default();
        if let Some(pattern) = config.internal_names.iter().zip(&names).find(|(_, glob)| glob.is_match(name)).map(|(text, _)| text) {
            violations.push(Violation {
                rule: "internal-module".to_string(),
                message: format!("public module `{}` is named like an internal one (`{pattern}`): internal modules are not exposed", module.path),
                fix: format!(
                    "make `{}` private (`pub(crate) mod`) and re-export what users need, mark it `#[doc(hidden)]`, or skip `{}` in \
                     [workspace.metadata.apicheck.surface]",
                    module.path, package.name
                ),
                file: module.span.as_ref().map(|span| span.file.clone()),
                line: module.span.as_ref().map(|span| span.line),
            });
        }
    }
    Ok(violations)
}
