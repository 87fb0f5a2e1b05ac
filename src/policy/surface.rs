//! An explicit public surface (the governance document's §13: explicit exports, internal modules
//! not exposed): a public module whose name marks it internal (`internal`, `imp`, `private`,
//! `detail`, `__*`) fails its package, and so does a glob re-export (`pub use m::*`), unless
//! `#[doc(hidden)]` (which says it is not API). Checked on the API model; each rule switchable,
//! packages skipped by both rules or by one, by name, directory or tag. [`summary`] is `apicheck surface`: what a
//! package's API holds, by kind, hidden, and of other crates.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};

pub use crate::engine::model::PublicModule;
use crate::engine::model::{ApiModel, ExternalUse, GlobReexport, ItemKind, Span};
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
    /// Whether a glob re-export (`pub use m::*`) in the public API fails its package (rule
    /// `glob-reexport`): exports are named one by one.
    #[serde(default = "yes")]
    pub glob_reexports: bool,
    /// The module names that mark a module internal: names or globs (`__*`).
    #[serde(default = "default_internal_names")]
    pub internal_names: Vec<String>,
    /// Packages both rules skip: names, member directory globs, or `tag:NAME`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip: Vec<String>,
    /// Packages the `internal-module` rule alone skips.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub internal_modules_skip: Vec<String>,
    /// Packages the `glob-reexport` rule alone skips.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub glob_reexports_skip: Vec<String>,
}

/// The id of the rule on glob re-exports.
pub const GLOB_REEXPORT: &str = "glob-reexport";
/// The id of the rule on modules named like internal ones.
pub const INTERNAL_MODULE: &str = "internal-module";

impl SurfaceConfig {
    /// The list of packages that `rule` (one of the surface rules' ids) alone skips.
    pub fn skip_list_mut(&mut self, rule: &str) -> Result<&mut Vec<String>> {
        match rule {
            GLOB_REEXPORT => Ok(&mut self.glob_reexports_skip),
            INTERNAL_MODULE => Ok(&mut self.internal_modules_skip),
            other => anyhow::bail!("`{other}` is not a surface rule: no skip list of [workspace.metadata.apicheck.surface] names it"),
        }
    }
}

fn yes() -> bool {
    true
}

fn default_internal_names() -> Vec<String> {
    ["internal", "imp", "private", "detail", "__*"].map(String::from).to_vec()
}

impl Default for SurfaceConfig {
    fn default() -> Self {
        SurfaceConfig {
            internal_modules: true,
            glob_reexports: true,
            internal_names: default_internal_names(),
            skip: Vec::new(),
            internal_modules_skip: Vec::new(),
            glob_reexports_skip: Vec::new(),
        }
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
    for (list, what) in skip_lists(config) {
        for text in list {
            Selector::new(text, &deps.tags, what)?;
        }
    }
    Ok(())
}

/// The surface rules' skip lists, each with how an error names it.
fn skip_lists(config: &SurfaceConfig) -> [(&[String], &'static str); 3] {
    [
        (&config.skip, "the surface rules' `skip`"),
        (&config.internal_modules_skip, "the surface rules' `internal-modules-skip`"),
        (&config.glob_reexports_skip, "the surface rules' `glob-reexports-skip`"),
    ]
}

/// The ids of the surface rules that skip `package`.
fn skipped_rules(config: &SurfaceConfig, deps: &DepsConfig, workspace: &Workspace, package: &Package) -> Result<Vec<String>> {
    let [(all, all_what), (internal, internal_what), (glob, glob_what)] = skip_lists(config);
    let everything = listed(all, all_what, deps, workspace, package)?;
    let mut skipped = Vec::new();
    if everything || listed(glob, glob_what, deps, workspace, package)? {
        skipped.push(GLOB_REEXPORT.to_string());
    }
    if everything || listed(internal, internal_what, deps, workspace, package)? {
        skipped.push(INTERNAL_MODULE.to_string());
    }
    Ok(skipped)
}

/// Whether a selector of `list` (named `what` in errors) matches `package`.
fn listed(list: &[String], what: &str, deps: &DepsConfig, workspace: &Workspace, package: &Package) -> Result<bool> {
    for text in list {
        if Selector::new(text, &deps.tags, what)?.matches_package(workspace, package) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The surface rules' violations for `package`, whose API has `modules` and `globs`.
pub fn check(config: &SurfaceConfig, deps: &DepsConfig, workspace: &Workspace, package: &Package, modules: &[PublicModule], globs: &[GlobReexport]) -> Result<Vec<Violation>> {
    let skipped = skipped_rules(config, deps, workspace, package)?;
    let applies = |rule: &str| !skipped.iter().any(|id| id == rule);
    let mut violations = Vec::new();
    if config.glob_reexports && applies(GLOB_REEXPORT) {
        for glob in globs.iter().filter(|glob| !glob.hidden) {
            violations.push(Violation {
                rule: GLOB_REEXPORT.to_string(),
                message: format!("`{}` re-exports `{}::*`: every public item of it becomes API, including the ones added later", glob.module, glob.source),
                fix: format!(
                    "name what `{}` re-exports (`pub use {}::{{A, B}};`), mark the `use` `#[doc(hidden)]`, or set `glob-reexports = false` \
                     (or add `{}` to `glob-reexports-skip`) in [workspace.metadata.apicheck.surface]",
                    glob.module, glob.source, package.name
                ),
                file: glob.span.as_ref().map(|span| span.file.clone()),
                line: glob.span.as_ref().map(|span| span.line),
            });
        }
    }
    if !config.internal_modules || !applies(INTERNAL_MODULE) {
        return Ok(violations);
    }
    let names = internal_names(config)?;
    for module in modules {
        let name = module.path.rsplit("::").next().unwrap_or_default();
        if let Some(pattern) = config.internal_names.iter().zip(&names).find(|(_, glob)| glob.is_match(name)).map(|(text, _)| text) {
            violations.push(Violation {
                rule: INTERNAL_MODULE.to_string(),
                message: format!("public module `{}` is named like an internal one (`{pattern}`): internal modules are not exposed", module.path),
                fix: format!(
                    "make `{}` private (`pub(crate) mod`) and re-export what users need, mark it `#[doc(hidden)]`, or add `{}` to \
                     `internal-modules-skip` in [workspace.metadata.apicheck.surface]",
                    module.path, package.name
                ),
                file: module.span.as_ref().map(|span| span.file.clone()),
                line: module.span.as_ref().map(|span| span.line),
            });
        }
    }
    Ok(violations)
}

/// An item of the public API marked `#[doc(hidden)]` (or reached only through a hidden path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct HiddenItem {
    pub path: String,
    /// What kind of item it is (`function`, `struct`...).
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// What `apicheck surface` says of a package.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct SurfaceSummary {
    pub package: String,
    /// Public items that are not hidden, by kind (`function`, `struct`...), each at its
    /// canonical path (re-exports of the package's own items not counted again).
    pub counts: BTreeMap<String, usize>,
    pub hidden: Vec<HiddenItem>,
    /// Other crates' paths the API shows (std, core and alloc aside), by item.
    pub external: Vec<ExternalUse>,
    /// Glob re-exports in the public API (hidden ones included, marked).
    pub glob_reexports: Vec<GlobReexport>,
    /// The surface rules that skip the package (`skip`, `internal-modules-skip`,
    /// `glob-reexports-skip`), by rule id.
    pub skipped: Vec<String>,
    /// The surface rules' verdicts: empty when they hold.
    pub violations: Vec<Violation>,
}

/// The surface of `package`, whose API is `model`: item counts, hidden items, other crates'
/// paths shown, and the surface rules' verdicts.
pub fn summary(config: &SurfaceConfig, deps: &DepsConfig, workspace: &Workspace, package: &Package, model: &ApiModel) -> Result<SurfaceSummary> {
    let mut counts = BTreeMap::new();
    let mut hidden = Vec::new();
    for item in model.items.iter().filter(|item| item.alias_of.is_none()) {
        if item.hidden {
            if item.kind != ItemKind::Impl {
                hidden.push(HiddenItem { path: item.path.clone(), kind: item.kind.noun().to_string(), span: item.span.clone() });
            }
        } else {
            *counts.entry(item.kind.noun().to_string()).or_insert(0) += 1;
        }
    }
    hidden.sort_by(|a, b| a.path.cmp(&b.path));
    let violations = check(config, deps, workspace, package, &model.public_modules(), &model.glob_reexports)?;
    Ok(SurfaceSummary {
        package: package.name.clone(),
        counts,
        hidden,
        external: model.external_uses(),
        glob_reexports: model.glob_reexports.clone(),
        skipped: skipped_rules(config, deps, workspace, package)?,
        violations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_surface_rule_has_its_own_skip_list_and_an_unknown_rule_is_an_error() {
        let mut config = SurfaceConfig::default();
        config.skip_list_mut(GLOB_REEXPORT).unwrap().push("a".to_string());
        config.skip_list_mut(INTERNAL_MODULE).unwrap().push("b".to_string());
        assert_eq!((config.glob_reexports_skip.as_slice(), config.internal_modules_skip.as_slice()), (&["a".to_string()][..], &["b".to_string()][..]));
        let error = config.skip_list_mut("exposure").unwrap_err().to_string();
        assert!(error.contains("`exposure` is not a surface rule"), "{error}");
    }
}
