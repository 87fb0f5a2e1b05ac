//! The engine: from two API files to findings and the bump they require. It reads the files
//! it is given and never runs cargo or git (the layering test in `tests/layers.rs` holds it to
//! that).
//!
//! 1. [`rustdoc`] reads rustdoc JSON (formats 57, 60, 61) and saved models;
//! 2. [`model`] turns rustdoc JSON into an [`ApiModel`]: every public item at every public path,
//!    and a deterministic listing;
//! 3. [`diff`] compares two models, item by item, down to parameter, return, field types and
//!    bounds;
//! 4. [`lints`] runs cargo-semver-checks' lints on the same pair;
//! 5. [`findings`] merges both into one list, and [`bump`] says what the list requires.
//!
//! [`manifest`] reads the part of `Cargo.toml` users depend on (features, dependencies) and
//! diffs two by the Cargo book's rules for Cargo.
//!
//! [`env_reads`] finds the reads of environment variables in a library's sources (syn).
//! [`source_shape`] digests a source file without what no other crate sees (tokens): the cache's
//! guess of whether a change is public, to schedule cargo runs.
//!
//! [`catalog`] lists every finding id the steps can emit: apicheck's rules and the lints it runs.
//! [`compare`] runs steps 2 to 5 for a pair of API files.

pub mod bump;
pub mod catalog;
pub mod diff;
pub mod env_reads;
pub mod findings;
pub mod lints;
pub mod manifest;
pub mod model;
pub mod rustdoc;
pub mod source_shape;

use anyhow::Result;
use serde::{Deserialize, Serialize};

pub use bump::{Bump, describe_release};
pub use findings::{Change, Finding, Level, Source};
pub use model::{ApiItem, ApiModel, ListingOptions};
pub use rustdoc::ApiFile;

/// The result of comparing a baseline API with the current one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiDiff {
    pub crate_name: String,
    pub baseline_version: Option<String>,
    pub current_version: Option<String>,
    /// Whether cargo-semver-checks' lints ran (they need rustdoc JSON on both sides).
    pub lints_ran: bool,
    /// Sorted: removed, changed, added; then by path.
    pub findings: Vec<Finding>,
    /// The highest bump over the `deny` findings.
    pub required_bump: Bump,
}

impl ApiDiff {
    /// Adds findings made beside the comparison of the two APIs (about the manifest, about public
    /// dependencies), keeping the report's order and the required bump right.
    pub fn add_findings(&mut self, more: Vec<Finding>) {
        self.findings.extend(more);
        findings::sort(&mut self.findings);
        self.required_bump = findings::required_bump(&self.findings);
    }

    /// The smallest version after the baseline's that declares the required bump, under
    /// Cargo's rules (0.4.1 + major → 0.5.0), when the baseline version is known.
    pub fn next_version(&self) -> Option<semver::Version> {
        let baseline = semver::Version::parse(self.baseline_version.as_deref()?).ok()?;
        Some(self.required_bump.next_version(&baseline))
    }
}

/// How [`compare`] runs.
#[derive(Debug, Clone, Copy)]
pub struct CompareOptions {
    /// Run cargo-semver-checks' lints when both sides are rustdoc JSON.
    pub lints: bool,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions { lints: true }
    }
}

/// Compares two API files: the model diff always, cargo-semver-checks' lints too when both are
/// rustdoc JSON and `options.lints` is set; merges the findings and computes the required bump.
pub fn compare(baseline: &ApiFile, current: &ApiFile, options: CompareOptions) -> Result<ApiDiff> {
    let lint_pair = match (baseline, current) {
        (ApiFile::Rustdoc(old), ApiFile::Rustdoc(new)) if options.lints => Some((old.path.as_path().into(), new.path.as_path().into())),
        _ => None,
    };
    let (old, new) = rayon::join(|| baseline.model(), || current.model());
    compare_models(&old, &new, lint_pair)
}

/// Every path of both models that is an alias (a re-export) of an item, with the item's
/// canonical path.
fn alias_table(old: &ApiModel, new: &ApiModel) -> std::collections::HashMap<String, String> {
    old.items
        .iter()
        .chain(&new.items)
        .filter_map(|item| Some((item.path.clone(), item.alias_of.clone()?)))
        .collect()
}

/// The canonical path of `path`: itself, or with its longest prefix that is an alias replaced
/// (`tracing_core::Kind::is_span` → `tracing_core::metadata::Kind::is_span`).
fn canonical_path(aliases: &std::collections::HashMap<String, String>, path: &str) -> String {
    let mut prefix = path;
    loop {
        if let Some(canonical) = aliases.get(prefix) {
            return format!("{canonical}{}", &path[prefix.len()..]);
        }
        match prefix.rsplit_once("::") {
            Some((shorter, _)) => prefix = shorter,
            None => return path.to_string(),
        }
    }
}

/// Compares two models, and runs the lints on `lint_pair` (the baseline's and the current
/// rustdoc JSON) alongside when given.
pub fn compare_models(old: &ApiModel, new: &ApiModel, lint_pair: Option<(lints::Side<'_>, lints::Side<'_>)>) -> Result<ApiDiff> {
    let (model_findings, lint_findings) = rayon::join(
        || diff::diff_models(old, new),
        || -> Result<Vec<Finding>> {
            match lint_pair {
                Some((old, new)) => lints::run(lints::catalog()?, old, new),
                None => Ok(Vec::new()),
            }
        },
    );
    let aliases = alias_table(old, new);
    let canonical = |path: &str| canonical_path(&aliases, path);
    let findings = findings::merge(model_findings, lint_findings?, diff::equivalent_lints, canonical);
    Ok(ApiDiff {
        crate_name: new.crate_name.clone(),
        baseline_version: old.crate_version.clone(),
        current_version: new.crate_version.clone(),
        lints_ran: lint_pair.is_some(),
        required_bump: findings::required_bump(&findings),
        findings,
    })
}
