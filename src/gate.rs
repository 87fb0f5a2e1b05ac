//! The workspace-level commands: analyse every governed package against its baseline (for
//! `check` and `diff`), record baselines (`baseline`, `init`).
//!
//! rustdoc runs once for all selected packages, in one cargo invocation; the stored baseline's
//! model is used as is, and its rustdoc JSON (for the lints) is rebuilt from the release tag
//! only when its format differs from the toolchain's.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use semver::Version;
use serde::Serialize;

use crate::baseline::{BASELINE_SCHEMA, BaselineRecord, Baselines};
use crate::config::Config;
use crate::git::Repo;
use crate::model::ApiModel;
use crate::policy::{self, PackageInput, PackageReport, Status};
use crate::rustdoc::{RustdocJson, read_rustdoc};
use crate::workspace::{Package, Workspace};
use crate::{ApiDiff, findings};

/// Which packages, and where to build.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Package names (`-p`); empty: every governed package.
    pub packages: Vec<String>,
    /// Where cargo writes rustdoc JSON; default: the workspace's target directory.
    pub target_dir: Option<PathBuf>,
}

/// One governed package compared with its baseline.
pub struct Analysis {
    pub package: Package,
    pub baseline: Option<BaselineRecord>,
    /// The diff, when there is a baseline and nothing failed.
    pub diff: Option<ApiDiff>,
    /// Why the package could not be compared.
    pub error: Option<String>,
    pub notes: Vec<String>,
}

/// The result of `check`.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub schema: u32,
    /// True only when every package passed or is new.
    pub passed: bool,
    pub packages: Vec<PackageReport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl CheckReport {
    /// 0 when every package passes, 1 when one violates the policy, 2 when one could not be
    /// checked.
    pub fn exit_code(&self) -> u8 {
        if self.packages.iter().any(|p| p.status == Status::Error) {
            2
        } else if self.packages.iter().any(|p| p.status == Status::Fail) {
            1
        } else {
            0
        }
    }
}

/// The packages a selection names, all governed.
pub fn selected<'w>(workspace: &'w Workspace, config: &Config, selection: &Selection) -> Result<Vec<&'w Package>> {
    let governed = config.governed(workspace)?;
    if governed.is_empty() {
        bail!(
            "no package of the workspace at {} is governed by apicheck: set `packages` in \
             [workspace.metadata.apicheck] of {} (globs over member directories or names)",
            workspace.root.display(),
            workspace.manifest_path.display()
        );
    }
    if selection.packages.is_empty() {
        return Ok(governed);
    }
    selection
        .packages
        .iter()
        .map(|name| {
            let package = workspace.package(name)?;
            if !governed.iter().any(|g| g.name == *name) {
                bail!(
                    "package `{name}` is not governed by apicheck: add it to `packages` in \
                     [workspace.metadata.apicheck] of {}",
                    workspace.manifest_path.display()
                );
            }
            Ok(package)
        })
        .collect()
}

/// Generates the current rustdoc of the selected packages (one cargo run) and compares each
/// with its baseline, in parallel. Errors that concern one package are in its [`Analysis`];
/// errors that stop everything (cargo failing) are returned.
pub fn analyse(workspace: &Workspace, config: &Config, selection: &Selection, lints_on: bool) -> Result<Vec<Analysis>> {
    let packages = selected(workspace, config, selection)?;
    let baselines = Baselines::new(config.baselines_dir(&workspace.root));
    let target_dir = selection.target_dir.clone().unwrap_or_else(|| workspace.target_dir.clone());
    let current = workspace.rustdoc(&packages, Some(&target_dir))?;
    let repo = Repo::discover(&workspace.root);
    Ok(packages
        .par_iter()
        .zip(current.par_iter())
        .map(|(package, json)| {
            let mut analysis = Analysis { package: (*package).clone(), baseline: None, diff: None, error: None, notes: Vec::new() };
            if let Err(error) = compare_with_baseline(workspace, &baselines, repo.as_ref(), &target_dir, json, lints_on, &mut analysis) {
                analysis.error = Some(format!("{error:#}"));
            }
            analysis
        })
        .collect())
}

fn compare_with_baseline(
    workspace: &Workspace,
    baselines: &Baselines,
    repo: Option<&Repo>,
    target_dir: &Path,
    current_json: &Path,
    lints_on: bool,
    analysis: &mut Analysis,
) -> Result<()> {
    let name = analysis.package.name.clone();
    let Some(record) = baselines.load(&name)? else { return Ok(()) };
    let current = read_rustdoc(current_json)?;
    let current_model = ApiModel::from_rustdoc(&current.krate);
    let baseline_json = if lints_on {
        Some(baseline_rustdoc(workspace, baselines, repo, target_dir, &record, &current, &mut analysis.notes)?)
    } else {
        None
    };
    let lint_pair = baseline_json.as_deref().map(|old| (old, current_json));
    analysis.diff = Some(crate::compare_models(&record.model, &current_model, lint_pair)?);
    analysis.baseline = Some(record);
    Ok(())
}

/// The baseline's rustdoc JSON in the toolchain's format: the stored one, or one rebuilt from
/// the release tag in a temporary worktree when the formats differ.
fn baseline_rustdoc(
    workspace: &Workspace,
    baselines: &Baselines,
    repo: Option<&Repo>,
    target_dir: &Path,
    record: &BaselineRecord,
    current: &RustdocJson,
    notes: &mut Vec<String>,
) -> Result<PathBuf> {
    let name = &record.package;
    let scratch = target_dir.join("apicheck");
    if record.rustdoc_format == current.format_version() {
        let into = scratch.join("baselines").join(format!("{name}-{}.json", record.version));
        return baselines.extract_rustdoc(name, &into);
    }
    let repo = repo.with_context(|| {
        format!(
            "the baseline of `{name}` holds rustdoc format {} but the toolchain emits {}, and {} is not in a git \
             repository to rebuild it from tag `{}`: record the baseline again with this toolchain",
            record.rustdoc_format,
            current.format_version(),
            workspace.root.display(),
            record.tag
        )
    })?;
    let commit = repo.resolve(&record.tag).or_else(|tag_error| match &record.commit {
        Some(commit) => repo.resolve(commit).map_err(|_| tag_error),
        None => Err(tag_error),
    })?;
    let worktree = repo.worktree(&commit)?;
    let relative_root = workspace.root.strip_prefix(&repo.root).unwrap_or(Path::new(""));
    let old_workspace = Workspace::load(Some(&worktree.path.join(relative_root).join("Cargo.toml")))?;
    let package = old_workspace.package(name).with_context(|| format!("tag `{}` has no package `{name}`", record.tag))?;
    let json = old_workspace.rustdoc(&[package], Some(&scratch.join("rebuilt").join(name)))?;
    let rebuilt = json.into_iter().next().context("cargo doc returned no rustdoc JSON")?;
    // Keep the file: the worktree (and its sources) go away when this function returns.
    let kept = scratch.join("baselines").join(format!("{name}-{}-rebuilt.json", record.version));
    std::fs::create_dir_all(kept.parent().unwrap_or(&scratch)).with_context(|| format!("cannot create {}", scratch.display()))?;
    std::fs::copy(&rebuilt, &kept).with_context(|| format!("cannot copy {} to {}", rebuilt.display(), kept.display()))?;
    notes.push(format!(
        "rebuilt the baseline rustdoc of `{name}` from tag `{}` (stored format {}, toolchain format {}); \
         record the baseline again to skip this step",
        record.tag,
        record.rustdoc_format,
        current.format_version()
    ));
    Ok(kept)
}

/// `check`: analyse, then apply the release policy to each package.
pub fn check(workspace: &Workspace, config: &Config, selection: &Selection) -> Result<CheckReport> {
    let analyses = analyse(workspace, config, selection, true)?;
    let mut packages: Vec<PackageReport> = analyses
        .into_iter()
        .map(|analysis| {
            let name = analysis.package.name.clone();
            let mut report = match (analysis.error, analysis.baseline, analysis.diff) {
                (Some(error), _, _) => PackageReport::error(&name, error),
                (None, Some(baseline), Some(diff)) => policy::evaluate(
                    config,
                    PackageInput {
                        name: &name,
                        baseline_version: &baseline.version,
                        current_version: &analysis.package.version,
                        findings: diff.findings,
                        changelog: &config.changelog_path(&analysis.package),
                        manifest: &analysis.package.manifest_path,
                        root: &workspace.root,
                    },
                ),
                _ => PackageReport::new_package(&name, &analysis.package.version),
            };
            report.notes.extend(analysis.notes);
            report
        })
        .collect();
    let mut notes = Vec::new();
    if selection.packages.is_empty() {
        let governed: Vec<String> = config.governed(workspace)?.iter().map(|p| p.name.clone()).collect();
        let baselines = Baselines::new(config.baselines_dir(&workspace.root));
        for stored in baselines.stored_packages()? {
            if governed.contains(&stored) {
                continue;
            }
            let report = match baselines.load(&stored) {
                Ok(Some(record)) => PackageReport::removed_package(&stored, &record.version, config),
                Ok(None) => continue,
                Err(error) => PackageReport::error(&stored, format!("{error:#}")),
            };
            packages.push(report);
        }
        for ack in &config.acknowledge {
            if !packages.iter().any(|p| p.name == ack.package) {
                notes.push(format!("the acknowledgement `{}` names no governed package", ack.describe()));
            }
        }
    }
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    let passed = packages.iter().all(|p| matches!(p.status, Status::Pass | Status::New));
    Ok(CheckReport { schema: crate::report::REPORT_SCHEMA, passed, packages, notes })
}

/// Which packages `baseline` records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaselineScope {
    /// The packages named by `-p`.
    Named,
    /// Every governed package.
    All,
    /// Governed packages without a baseline, or whose version differs from their baseline's.
    Released,
}

/// A recorded baseline, for the command's output.
pub struct Recorded {
    pub package: String,
    pub version: Version,
    pub tag: String,
    pub commit: Option<String>,
    pub dir: PathBuf,
}

/// `baseline`: records the current API of packages as the baselines of their current versions.
pub fn record_baselines(workspace: &Workspace, config: &Config, selection: &Selection, scope: BaselineScope) -> Result<Vec<Recorded>> {
    let baselines = Baselines::new(config.baselines_dir(&workspace.root));
    let mut packages = selected(workspace, config, selection)?;
    if scope == BaselineScope::Released {
        let mut released = Vec::new();
        for package in packages {
            match baselines.load(&package.name)? {
                Some(record) if record.version == package.version => {}
                _ => released.push(package),
            }
        }
        packages = released;
    }
    if packages.is_empty() {
        return Ok(Vec::new());
    }
    let target_dir = selection.target_dir.clone().unwrap_or_else(|| workspace.target_dir.clone());
    let json = workspace.rustdoc(&packages, Some(&target_dir))?;
    let commit = match Repo::discover(&workspace.root) {
        Some(repo) => Some(repo.head()?),
        None => None,
    };
    let mut recorded = Vec::new();
    for (package, json) in packages.iter().zip(&json) {
        let rustdoc = read_rustdoc(json)?;
        let record = BaselineRecord {
            apicheck_baseline: BASELINE_SCHEMA,
            package: package.name.clone(),
            version: package.version.clone(),
            tag: config.tag_for(&package.name, &package.version),
            commit: commit.clone(),
            rustdoc_format: rustdoc.format_version(),
            recorded_with: env!("CARGO_PKG_VERSION").to_string(),
            model: ApiModel::from_rustdoc(&rustdoc.krate),
        };
        baselines.write(&record, json)?;
        recorded.push(Recorded {
            package: record.package,
            version: record.version,
            tag: record.tag,
            commit: record.commit,
            dir: baselines.package_dir(&package.name),
        });
    }
    Ok(recorded)
}

/// `init`: writes the default configuration into the workspace manifest, then records a
/// baseline for every governed package.
pub fn init(workspace: &Workspace, target_dir: Option<PathBuf>) -> Result<(Workspace, Vec<Recorded>)> {
    if !matches!(workspace.metadata.get("apicheck"), None | Some(serde_json::Value::Null)) {
        bail!(
            "{} already has a [workspace.metadata.apicheck] table: edit it there, or record baselines with \
             `apicheck baseline --all`",
            workspace.manifest_path.display()
        );
    }
    if Config::default().governed(workspace)?.is_empty() {
        bail!(
            "no member of the workspace at {} lies under packages/ or is a publishable library: write \
             [workspace.metadata.apicheck] with `packages = [...]` by hand, then run `apicheck baseline --all`",
            workspace.root.display()
        );
    }
    let manifest = &workspace.manifest_path;
    let mut text = std::fs::read_to_string(manifest).with_context(|| format!("cannot read {}", manifest.display()))?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&Config::default_toml());
    std::fs::write(manifest, text).with_context(|| format!("cannot write {}", manifest.display()))?;
    let workspace = Workspace::load(Some(manifest))?;
    let config = Config::load(&workspace)?;
    let selection = Selection { packages: Vec::new(), target_dir };
    let recorded = record_baselines(&workspace, &config, &selection, BaselineScope::All)?;
    Ok((workspace, recorded))
}

/// The findings `diff` shows for one analysed package, with the configured lint levels.
pub fn configured_findings(config: &Config, diff: &ApiDiff) -> ApiDiff {
    let mut diff = diff.clone();
    crate::config::apply_levels(config, &mut diff.findings);
    diff.required_bump = findings::required_bump(&diff.findings);
    diff
}
