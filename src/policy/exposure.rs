//! Exposure rules (`[[workspace.metadata.apicheck.exposure]]`): which other crates' items a
//! package's public API may show (the governance document's §8: a security-sensitive package
//! does not leak its cryptography crates through its API). Checked on the API model: every path
//! of a public dependency that a public item names, in signatures, fields, bounds, associated
//! types, implemented traits and re-exports ([`ApiModel::external_uses`]). The standard library
//! (`std`, `core`, `alloc`) is always allowed.

use anyhow::{Context, Result};
use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};

use crate::engine::model::ExternalUse;
use crate::policy::deps::{DepsConfig, Selector};
use crate::policy::versioning::Violation;
use crate::workspace::{Package, Workspace};

/// One exposure rule: for the packages it selects, the external paths their API may not show
/// (`deny`), and, when `allow` is given, the only ones it may.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ExposureRule {
    /// Package names, globs over member directories (`packages/auth-*`), or `tag:NAME` (the
    /// tags of `[workspace.metadata.apicheck.deps]`).
    pub packages: Vec<String>,
    /// Path patterns (`ring::*`, `*::Digest`): `*` stands for any run of characters, `::`
    /// included, so `ring::*` is everything of `ring`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deny: Vec<String>,
    /// When set, the external paths the API may show; any other is a violation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow: Option<Vec<String>>,
    /// Why (printed with each violation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What the exposure rules say of one package.
#[derive(Debug, Default)]
pub struct ExposureVerdict {
    /// One per external path a rule forbids, at the item that shows it.
    pub violations: Vec<Violation>,
    /// Patterns that do not do anything for this package: an `allow` pattern that matches none
    /// of its external paths, a `deny` pattern naming a crate it does not depend on.
    pub unused: Vec<String>,
}

struct Pattern {
    text: String,
    matcher: GlobMatcher,
}

impl Pattern {
    fn new(text: &str) -> Result<Pattern> {
        let matcher = Glob::new(text).with_context(|| format!("`{text}` in an exposure rule is not a valid pattern"))?.compile_matcher();
        Ok(Pattern { text: text.to_string(), matcher })
    }

    fn crate_name(&self) -> &str {
        self.text.split("::").next().unwrap_or_default()
    }
}

/// Checks the rules' patterns and selectors once, before any package is documented: a mistake
/// in the configuration is an error, not a pass.
pub fn validate(rules: &[ExposureRule], deps: &DepsConfig) -> Result<()> {
    for rule in rules {
        compile(rule, deps)?;
    }
    Ok(())
}

fn compile(rule: &ExposureRule, deps: &DepsConfig) -> Result<(Vec<Selector>, Vec<Pattern>, Option<Vec<Pattern>>)> {
    if rule.packages.is_empty() {
        anyhow::bail!("an exposure rule selects no package: give it `packages = [...]` (names, directory globs or `tag:NAME`)");
    }
    if rule.deny.is_empty() && rule.allow.is_none() {
        anyhow::bail!("the exposure rule for {:?} neither denies nor allows anything: give it `deny = [...]` or `allow = [...]`", rule.packages);
    }
    let selectors = rule.packages.iter().map(|text| Selector::new(text, &deps.tags, "an exposure rule")).collect::<Result<_>>()?;
    let deny = rule.deny.iter().map(|text| Pattern::new(text)).collect::<Result<_>>()?;
    let allow = rule.allow.as_ref().map(|allow| allow.iter().map(|text| Pattern::new(text)).collect::<Result<_>>()).transpose()?;
    Ok((selectors, deny, allow))
}

/// The verdict of `rules` on `package`, whose API shows `uses`; `dependencies` are the crate
/// names it depends on (for unused `deny` patterns).
pub fn check(rules: &[ExposureRule], deps: &DepsConfig, workspace: &Workspace, package: &Package, uses: &[ExternalUse]) -> Result<ExposureVerdict> {
    let mut verdict = ExposureVerdict::default();
    let dependencies: Vec<String> = package.dependencies.iter().map(|dependency| dependency.crate_name()).collect();
    for rule in rules {
        let (selectors, deny, allow) = compile(rule, deps)?;
        if !selectors.iter().any(|selector| selector.matches_package(workspace, package)) {
            continue;
        }
        let why = rule.reason.as_deref().map(|reason| format!(" ({reason})")).unwrap_or_default();
        let mut allow_used = vec![false; allow.as_ref().map_or(0, Vec::len)];
        for used in uses {
            let denied_by = deny.iter().find(|pattern| pattern.matcher.is_match(&used.external));
            let allowed_by = allow.as_ref().map(|allow| allow.iter().position(|pattern| pattern.matcher.is_match(&used.external)));
            if let Some(Some(index)) = allowed_by {
                allow_used[index] = true;
            }
            let broken = match (denied_by, &allowed_by) {
                (Some(pattern), _) => Some(format!("`{}` is denied by `{}`", used.external, pattern.text)),
                (None, Some(None)) => Some(format!("`{}` is not in the exposure rule's `allow` list", used.external)),
                _ => None,
            };
            if let Some(broken) = broken {
                verdict.violations.push(Violation {
                    rule: "exposure".to_string(),
                    message: format!("`{}` shows {broken}{why}", used.item),
                    fix: format!(
                        "keep `{}` out of `{}`'s public signature (wrap it in a type of the package's own, or make the item private), \
                         or change the exposure rule for {:?}",
                        used.external, used.item, rule.packages
                    ),
                    file: used.span.as_ref().map(|span| span.file.clone()),
                    line: used.span.as_ref().map(|span| span.line),
                });
            }
        }
        if let Some(allow) = &allow {
            for (pattern, used) in allow.iter().zip(allow_used) {
                if !used {
                    verdict.unused.push(format!("the exposure pattern `allow = [\"{}\"]` matches nothing `{}` shows: remove it", pattern.text, package.name));
                }
            }
        }
        for pattern in &deny {
            let names_a_dependency = pattern.crate_name().contains('*') || dependencies.iter().any(|name| name == pattern.crate_name());
            if !names_a_dependency {
                verdict.unused.push(format!(
                    "the exposure pattern `deny = [\"{}\"]` names `{}`, which `{}` does not depend on (a typo?)",
                    pattern.text,
                    pattern.crate_name(),
                    package.name
                ));
            }
        }
    }
    Ok(verdict)
}
