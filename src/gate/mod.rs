//! The workspace-level commands, one module per job: here, analysing every governed package
//! against its baseline (for `check` and `diff`) and `check` itself; `current` gets the current
//! APIs (the cache, then cargo in at most two runs), `compare` compares one package with its
//! baseline, `record` records baselines (`baseline`), `shard` splits and merges sharded checks,
//! [`adopt`] is `init` and [`release`] is `release`.

pub mod adopt;
mod ahead;
mod compare;
mod contexts;
mod current;
mod decisions;
mod record;
pub mod release;
mod shard;
pub mod surfaces;

pub use current::{CurrentApis, current_apis};
pub(crate) use record::record_apis;
pub use record::{BaselineScope, Recorded, record_baselines};
pub use shard::{Shard, merge_reports, shard_packages};
use compare::{compare_with_baseline, finish};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use semver::Version;
use serde::{Deserialize, Serialize};

use crate::workspace::affected;
use crate::engine::manifest::{ManifestApi, diff_manifests};
use crate::engine::model::ExternalUse;
use crate::policy::exposure;
use crate::policy::surface::{self, PublicModule};
use crate::store::baseline::{BASELINE_SCHEMA, BaselineRecord, BaselineSummary, Baselines};
use crate::store::cache::{self, Cache, CachedDiff, CurrentApi};
use crate::engine::catalog::RuleId;
use crate::engine::bump::Bump;
use crate::policy::config::Config;
use crate::policy::deps::{self, DepViolation};
use crate::engine::findings::{Change, Finding, Level, Source};
use crate::workspace::git::Repo;
use crate::policy::versioning::{self, PackageInput, PackageReport, Status, Violation};
use crate::workspace::{Package, Workspace};
use crate::engine::{ApiDiff, findings};

/// Which packages, and where to build.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Package names (`-p`); empty: every governed package.
    pub packages: Vec<String>,
    /// Where cargo writes rustdoc JSON; default: the workspace's target directory.
    pub target_dir: Option<PathBuf>,
    /// Check only the packages whose API can have changed since the merge base of this
    /// reference (`check --base`).
    pub base: Option<String>,
    /// The head of that comparison (default `HEAD`).
    pub head: Option<String>,
    /// Count uncommitted changes as changed too.
    pub uncommitted: bool,
    /// Check only this shard of the selected packages (`check --shard K/N`).
    pub shard: Option<Shard>,
}

/// One governed package compared with its baseline.
#[non_exhaustive]
pub struct Analysis {
    pub package: Package,
    pub baseline: Option<BaselineSummary>,
    /// The diff, when there is a baseline and nothing failed.
    pub diff: Option<ApiDiff>,
    /// Why the package could not be compared.
    pub error: Option<String>,
    pub notes: Vec<String>,
    /// Whether this run generated its rustdoc JSON (else the cache held its API or findings).
    pub documented: bool,
    /// The other crates' paths its API shows, when exposure rules are configured.
    pub external_uses: Vec<ExternalUse>,
    /// Its public modules that are not hidden (for the surface rules).
    pub public_modules: Vec<PublicModule>,
    /// Its glob re-exports (for the surface rules).
    pub glob_reexports: Vec<crate::engine::model::GlobReexport>,
    /// The crates whose items its current API uses or re-exports (see
    /// [`crate::engine::model::ApiModel::public_dependencies`]), when compared: `release` bumps it when one of
    /// them is a member released with a breaking change.
    pub public_dependencies: Option<Vec<String>>,
    /// The feature surfaces besides the default one this run documented it for.
    pub documented_surfaces: Vec<String>,
    /// The feature surfaces it was compared on (each with a baseline), default first.
    pub compared_surfaces: Vec<String>,
}

/// Version of the JSON schemas of the reports (`check`, `diff`, `rules`), documented in README.md;
/// `merge_reports` refuses shards of another.
pub const REPORT_SCHEMA: u32 = 1;

/// The result of `check`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CheckReport {
    pub schema: u32,
    /// True only when every package passed or is new and no dependency rule is broken.
    pub passed: bool,
    pub packages: Vec<PackageReport>,
    /// Broken dependency rules.
    pub dependencies: Vec<DepViolation>,
    /// Broken rules about the workspace as a whole rather than one package (`adr-required`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<Violation>,
    /// When a dependency rule is broken: the package graph with the breaking edges marked, for
    /// the Markdown report's drawing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependency_graph: Option<deps::DepGraph>,
    /// With `--base`: what changed and which packages were checked because of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected: Option<AffectedPackages>,
    /// With `--shard`: which shard of how many this report is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// The checked packages whose rustdoc JSON this run generated; the others' API or findings
    /// came from the cache, as their inputs had not changed.
    #[serde(default)]
    pub documented: Vec<String>,
    /// By feature surface besides the default one: the checked packages this run documented
    /// on it (the others' came from the cache).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub documented_surfaces: BTreeMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The packages `check --base` looked at.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AffectedPackages {
    pub base: String,
    pub merge_base: String,
    /// Packages whose files changed.
    pub changed: Vec<String>,
    /// Governed packages checked: the changed ones, and those whose public API exposes a
    /// changed package's items.
    pub checked: Vec<String>,
    /// Dependency edges between affected packages (dependent, dependency), for the graph.
    pub edges: Vec<(String, String)>,
}

/// What a check found, as a type: "could not check" is never mistaken for "found a break", and
/// neither for a pass. (A check that could not run at all is the `Err` of [`check`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Every package passes (or is new) and no dependency rule is broken.
    Passed,
    /// A package violates the release policy or an exposure rule, or a dependency or workspace
    /// rule is broken.
    Failed,
    /// A package could not be checked: whatever else the report says, this is no pass.
    CouldNotCheck,
}

impl Outcome {
    /// The exit code the command line gives it: 0, 1, 2.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Passed => 0,
            Outcome::Failed => 1,
            Outcome::CouldNotCheck => 2,
        }
    }
}

impl CheckReport {
    /// What the check found.
    pub fn outcome(&self) -> Outcome {
        if self.packages.iter().any(|p| p.status == Status::Error) {
            Outcome::CouldNotCheck
        } else if self.packages.iter().any(|p| p.status == Status::Fail) || !self.dependencies.is_empty() || !self.violations.is_empty() {
            Outcome::Failed
        } else {
            Outcome::Passed
        }
    }

    /// 0 when every package passes, 1 when one violates the policy or a dependency rule is
    /// broken, 2 when one could not be checked ([`Outcome::exit_code`]).
    pub fn exit_code(&self) -> u8 {
        self.outcome().exit_code()
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

/// Compares each selected package with its baseline, in parallel. A package whose key (see
/// [`cache::KeyInputs`]) and baseline did not change since an earlier run takes its findings
/// from the cache; one whose key did not change takes its API from the cache; the others are
/// documented (see [`current_apis`]). Errors that concern one package are in its
/// [`Analysis`]; errors that stop everything (cargo failing) are returned.
///
/// Each feature surface a package has besides the default one (see
/// [`crate::policy::feature_surfaces`]) is analysed the same way at the same time, in its own
/// cargo run, and its findings merged into the package's (see [`surfaces`]).
pub fn analyse(workspace: &Workspace, config: &Config, selection: &Selection, lints_on: bool) -> Result<Vec<Analysis>> {
    let packages = selected(workspace, config, selection)?;
    let target_dir = selection.target_dir.clone().unwrap_or_else(|| workspace.target_dir.clone());
    let runs = surfaces::plan(workspace, config, &packages, &target_dir)?;
    let trees = cache::TreeDigests::default();
    let contexts = contexts::Contexts::new(workspace, config, &target_dir, &trees);
    surfaces::analyse_all(&runs, || analyse_surface(workspace, config, &packages, &target_dir, lints_on, None, &trees, None), &|run| {
        let stand_in = |package: &str| surfaces::stand_in_baselines(workspace, config, run.surface, package);
        run.each_package(&|package, target_dir| {
            analyse_surface(&run.workspace, &run.config, &[package], target_dir, lints_on, Some(&stand_in), &trees, Some(&contexts))
        })
    })
}

/// [`analyse`] on one feature surface: the packages' APIs documented with `config`'s features
/// into `target_dir`, compared with the baselines of `config`'s folder.
/// `stand_in`: for a package without a baseline in that folder, the folder of a baseline
/// that stands in for it (see [`surfaces::stand_in_baselines`]). `trees`: the source trees
/// this check already hashed, shared by the surfaces. `contexts`: where the fingerprints of
/// the members below a package resolved on its own come from (see [`contexts`]).
#[allow(clippy::too_many_arguments)]
fn analyse_surface(
    workspace: &Workspace,
    config: &Config,
    packages: &[&Package],
    target_dir: &Path,
    lints_on: bool,
    stand_in: Option<&(dyn Fn(&str) -> Option<Baselines> + Sync)>,
    trees: &cache::TreeDigests,
    contexts: Option<&contexts::Contexts<'_>>,
) -> Result<Vec<Analysis>> {
    let packages = packages.to_vec();
    let target_dir = target_dir.to_path_buf();
    let surface_baselines = Baselines::new(config.baselines_dir(&workspace.root));
    let baselines_of = |name: &str| -> Baselines {
        match stand_in {
            Some(stand_in) if !surface_baselines.package_dir(name).exists() => stand_in(name).unwrap_or_else(|| surface_baselines.clone()),
            _ => surface_baselines.clone(),
        }
    };
    let cache = Cache::in_target_dir(&target_dir);
    let inputs = cache::input_keys(workspace, &packages, &config.features, trees)?;

    // While cargo documents: what comparing an API whose fingerprint changed needs first.
    let ahead = ahead::Ahead::new(&packages, &target_dir, lints_on, &baselines_of);
    // Runs on each API as soon as it is there: the cached findings when the API fingerprint
    // and the baseline did not change (a private change documents a package again, but leaves
    // its findings), else the comparison with the baseline.
    let compare = |package: &Package, api: &CurrentApi| -> Comparison {
        let name = package.name.as_str();
        let baselines = baselines_of(name);
        let baseline_digest = cache::baseline_digest(&baselines, name);
        if let Some(cached) = cache.diff(name, &cache::diff_key(api, &baseline_digest, lints_on)) {
            return Comparison::Cached(cached);
        }
        match baselines.summary(name) {
            Err(error) => Comparison::Failed(format!("{error:#}")),
            Ok(None) => Comparison::NoBaseline,
            Ok(Some(record)) => {
                let mut notes = Vec::new();
                let result =
                    compare_with_baseline(workspace, &baselines, &target_dir, config, api, &record, &baseline_digest, lints_on, &ahead, &mut notes);
                Comparison::Compared { baseline: record, baseline_digest, result, notes }
            }
        }
    };
    let current = current::current_apis_in(workspace, config, &packages, &target_dir, &inputs, contexts, Some(&ahead), &compare)?;
    let mut analyses = Vec::new();
    let (apis, comparisons): (Vec<CurrentApi>, Vec<(Comparison, bool)>) =
        current.apis.into_iter().map(|(api, comparison, documented)| (api, (comparison, documented))).unzip();
    for ((package, api), (comparison, documented)) in packages.iter().zip(&apis).zip(comparisons) {
        let mut analysis = Analysis::new(package);
        analysis.documented = documented;
        analysis.notes.extend(api.untracked.clone());
        if !config.exposure.is_empty() {
            analysis.external_uses = api.outline.external_uses.clone();
        }
        analysis.public_modules = api.outline.public_modules.clone();
        analysis.glob_reexports = api.outline.glob_reexports.clone();
        let beyond = surfaces::features_beyond_asked(workspace, config, package, api.documented_features.as_deref())?;
        if !beyond.is_empty() {
            analysis.error = Some(surfaces::beyond_asked_error(package, &beyond));
            analyses.push(analysis);
            continue;
        }
        match comparison {
            Comparison::Cached(cached) => {
                analysis.baseline = Some(cached.baseline.clone());
                finish(workspace, &mut analysis, cached);
            }
            Comparison::NoBaseline => {}
            Comparison::Failed(error) => analysis.error = Some(error),
            Comparison::Compared { baseline, baseline_digest, result, notes } => {
                analysis.baseline = Some(baseline);
                analysis.notes.extend(notes);
                let name = &package.name;
                match result {
                    Ok(cached) => {
                        // The findings are stored under the baseline bytes they were computed
                        // from: not when a `baseline` replaced them during the comparison. The
                        // cache is optional: a diff that cannot be stored is computed again.
                        if cache::baseline_digest(&baselines_of(name), name) != baseline_digest {
                            analysis.notes.push(format!(
                                "not cached: the baseline of `{name}` changed while it was compared (an `apicheck baseline` \
                                 at the same time?); run `apicheck check` again to check against the new one"
                            ));
                        } else if let Err(error) = cache.store_diff(name, &cache::diff_key(api, &baseline_digest, lints_on), &cached) {
                            analysis.notes.push(format!("not cached: {error:#}; the next run compares `{name}` again"));
                        }
                        finish(workspace, &mut analysis, cached);
                    }
                    Err(error) => analysis.error = Some(format!("{error:#}")),
                }
            }
        }
        analyses.push(analysis);
    }
    // What the comparisons read: freeing it is all that is left to do with it.
    cache::free_in_background(apis);
    ahead.free_in_background();
    Ok(analyses)
}

/// What comparing a package's API with its baseline gave.
enum Comparison {
    /// The findings the cache held for this key and baseline.
    Cached(CachedDiff),
    /// The package has no baseline.
    NoBaseline,
    /// Its baseline could not be read.
    Failed(String),
    /// Compared now with `baseline`, whose files had digest `baseline_digest` (see
    /// [`cache::baseline_digest`]) when the comparison began, with its notes.
    Compared { baseline: BaselineSummary, baseline_digest: String, result: Result<CachedDiff>, notes: Vec<String> },
}

impl Analysis {
    fn new(package: &Package) -> Analysis {
        Analysis {
            package: package.clone(),
            baseline: None,
            diff: None,
            error: None,
            notes: Vec::new(),
            documented: false,
            external_uses: Vec::new(),
            public_modules: Vec::new(),
            glob_reexports: Vec::new(),
            public_dependencies: None,
            documented_surfaces: Vec::new(),
            compared_surfaces: Vec::new(),
        }
    }
}

/// The governed packages whose API can have changed since `selection.base`: the changed ones,
/// and, repeatedly, those whose baseline API exposes (uses or re-exports items of) one of them;
/// and the change itself.
fn api_affected(workspace: &Workspace, config: &Config, selection: &Selection) -> Result<Option<(AffectedPackages, affected::Affected)>> {
    let Some(base) = &selection.base else { return Ok(None) };
    let change = affected::affected(workspace, base, selection.head.as_deref(), selection.uncommitted)?;
    let governed = config.governed(workspace)?;
    let baselines = Baselines::new(config.baselines_dir(&workspace.root));
    let crate_name = |name: &str| {
        workspace.members.iter().find(|m| m.name == name).and_then(|m| m.lib_crate.clone()).unwrap_or_else(|| name.replace('-', "_"))
    };
    let mut checked: std::collections::BTreeSet<String> =
        governed.iter().filter(|p| change.changed.contains(&p.name)).map(|p| p.name.clone()).collect();
    let mut exposed: std::collections::BTreeSet<String> = change.changed.iter().map(|n| crate_name(n)).collect();
    loop {
        let before = checked.len();
        for package in &governed {
            if checked.contains(&package.name) || !change.dependents.contains(&package.name) {
                continue;
            }
            // A baseline that predates the public-dependency record, or none: check to be safe.
            let exposes = match baselines.load(&package.name) {
                Ok(Some((record, _))) => record.model.public_dependencies.as_ref().is_none_or(|deps| deps.iter().any(|d| exposed.contains(d))),
                _ => true,
            };
            if exposes {
                checked.insert(package.name.clone());
                exposed.insert(crate_name(&package.name));
            }
        }
        if checked.len() == before {
            break;
        }
    }
    let affected_names = change.packages();
    let edges = workspace
        .members
        .iter()
        .filter(|m| affected_names.contains(&m.name))
        .flat_map(|m| {
            m.dependencies
                .iter()
                .filter_map(|d| d.member.clone())
                .filter(|dep| affected_names.contains(dep))
                .map(|dep| (m.name.clone(), dep))
                .collect::<Vec<_>>()
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let packages = AffectedPackages {
        base: change.base.clone(),
        merge_base: change.merge_base.clone(),
        changed: change.changed.iter().cloned().collect(),
        checked: checked.into_iter().collect(),
        edges,
    };
    Ok(Some((packages, change)))
}

/// `check`: analyse, then apply the release policy and the governance rules to each package,
/// and the dependency rules and (with `--base`) the decision-record rule to the workspace.
pub fn check(workspace: &Workspace, config: &Config, selection: &Selection) -> Result<CheckReport> {
    let (affected, change) = api_affected(workspace, config, selection)?.unzip();
    let mut selection = selection.clone();
    if let Some(affected) = &affected {
        if !selection.packages.is_empty() {
            selection.packages.retain(|p| affected.checked.contains(p));
        } else {
            selection.packages = affected.checked.clone();
        }
    }
    let narrowed = affected.is_some() || selection.shard.is_some();
    if let Some(shard) = selection.shard {
        let candidates = if affected.is_some() && selection.packages.is_empty() { Vec::new() } else { selected(workspace, config, &selection)? };
        selection.packages = shard_packages(&candidates, shard).iter().map(|p| p.name.clone()).collect();
    }
    // Workspace-wide checks are reported once: by the unsharded check, or by shard 1.
    let workspace_wide = selection.shard.is_none_or(|shard| shard.index == 1);
    let dependency_verdict = if config.rules.dependencies && workspace_wide { deps::verdict(workspace, &config.deps)? } else { deps::DepsVerdict::default() };
    let dependencies = dependency_verdict.violations;
    let dependency_graph = if dependencies.is_empty() { None } else { Some(deps::graph(workspace, &config.deps, &dependencies)?) };
    let mut violations = Vec::new();
    if let Some(change) = &change
        && workspace_wide
    {
        violations.extend(decisions::check(workspace, change)?);
    }
    let analyses = if narrowed && selection.packages.is_empty() {
        Vec::new()
    } else {
        analyse(workspace, config, &selection, true)?
    };
    let documented: Vec<String> = analyses.iter().filter(|a| a.documented).map(|a| a.package.name.clone()).collect();
    let mut documented_surfaces: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for analysis in &analyses {
        for surface in &analysis.documented_surfaces {
            documented_surfaces.entry(surface.clone()).or_default().push(analysis.package.name.clone());
        }
    }
    let mut packages: Vec<PackageReport> = analyses
        .into_iter()
        .map(|analysis| {
            let name = analysis.package.name.clone();
            let mut report = match (analysis.error, analysis.baseline, analysis.diff) {
                (Some(error), _, _) => PackageReport::error(&name, error),
                (None, Some(baseline), Some(diff)) => versioning::evaluate(
                    config,
                    PackageInput {
                        name: &name,
                        baseline_version: &baseline.version,
                        current_version: &analysis.package.version,
                        findings: diff.findings,
                        changelog: &config.changelog_path(&workspace.root, &analysis.package),
                        manifest: &analysis.package.manifest_path,
                        root: &workspace.root,
                    },
                ),
                _ => PackageReport::new_package(&name, &analysis.package.version),
            };
            report.notes.extend(analysis.notes);
            if report.status != Status::Error {
                let verdicts = exposure::check(&config.exposure, &config.deps, workspace, &analysis.package, &analysis.external_uses)
                    .and_then(|exposed| {
                        let mut surfaced = surface::check(&config.surface, &config.deps, workspace, &analysis.package, &analysis.public_modules, &analysis.glob_reexports)?;
                        let changelog = config.changelog_path(&workspace.root, &analysis.package);
                        surfaced.extend(crate::policy::hygiene::check(&config.hygiene, &config.deps, workspace, &analysis.package, &changelog)?);
                        surfaced.extend(crate::policy::environment::check(&config.environment, &config.deps, workspace, &analysis.package)?);
                        Ok((exposed, surfaced))
                    });
                match verdicts {
                    Ok((exposed, surfaced)) => {
                        if !exposed.violations.is_empty() || !surfaced.is_empty() {
                            report.status = Status::Fail;
                        }
                        report.violations.extend(exposed.violations);
                        report.violations.extend(surfaced);
                        report.notes.extend(exposed.unused);
                    }
                    Err(error) => report = PackageReport::error(&name, format!("{error:#}")),
                }
            }
            let manifest = &analysis.package.manifest_path;
            report.manifest = Some(manifest.strip_prefix(&workspace.root).unwrap_or(manifest).display().to_string());
            report
        })
        .collect();
    let mut notes = Vec::new();
    for (violation, reason) in &dependency_verdict.accepted {
        notes.push(format!("known dependency rule violation, accepted ({reason}): {}: {}", violation.rule, violation.message));
    }
    for stale in &dependency_verdict.stale {
        notes.push(format!(
            "stale known dependency exception `{}`: it no longer occurs; remove it from [[workspace.metadata.apicheck.deps.known]]",
            stale.describe()
        ));
    }
    for warning in &dependency_verdict.warnings {
        notes.push(format!("warning: {}: {} (dev-cycles = \"warn\")", warning.rule, warning.message));
    }
    if let Some(affected) = &affected
        && affected.checked.is_empty()
    {
        notes.push(format!("no governed package's API can have changed since {} ({})", affected.base, &affected.merge_base[..affected.merge_base.len().min(12)]));
    }
    if workspace_wide && (selection.packages.is_empty() || narrowed) {
        let governed: Vec<String> = config.governed(workspace)?.iter().map(|p| p.name.clone()).collect();
        let baselines = Baselines::new(config.baselines_dir(&workspace.root));
        for stored in baselines.stored_packages()? {
            if governed.contains(&stored) || packages.iter().any(|p| p.name == stored) {
                continue;
            }
            let report = match baselines.summary(&stored) {
                Ok(Some(record)) => PackageReport::removed_package(&stored, &record.version, config),
                Ok(None) => continue,
                Err(error) => PackageReport::error(&stored, format!("{error:#}")),
            };
            packages.push(report);
        }
        for ack in &config.acknowledge {
            if affected.is_none() && !packages.iter().any(|p| p.name == ack.package) {
                notes.push(format!("the acknowledgement `{}` names no governed package", ack.describe()));
            }
        }
    }
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    let passed = packages.iter().all(|p| matches!(p.status, Status::Pass | Status::New)) && dependencies.is_empty() && violations.is_empty();
    Ok(CheckReport {
        schema: REPORT_SCHEMA,
        passed,
        packages,
        dependencies,
        violations,
        dependency_graph,
        affected,
        shard: selection.shard,
        documented,
        documented_surfaces,
        notes,
    })
}

/// The findings `diff` shows for one analysed package, with the configured lint levels.
pub fn configured_findings(config: &Config, diff: &ApiDiff) -> ApiDiff {
    let mut diff = diff.clone();
    crate::policy::config::apply_levels(config, &mut diff.findings);
    diff.required_bump = findings::required_bump(&diff.findings);
    diff
}
