//! The workspace-level commands: analyse every governed package against its baseline (for
//! `check` and `diff`), record baselines (`baseline`); [`adopt`] is `init`.
//!
//! rustdoc runs once for all selected packages, in one cargo invocation; the stored baseline's
//! model is used as is, and its rustdoc JSON (for the lints) is rebuilt from the release tag
//! only when its format differs from the toolchain's.

pub mod adopt;
pub mod release;

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
use crate::store::baseline::{BASELINE_SCHEMA, BaselineRecord, BaselineSummary, Baselines};
use crate::store::cache::{self, Cache, CachedDiff, CurrentApi};
use crate::engine::catalog::RuleId;
use crate::engine::bump::Bump;
use crate::policy::config::Config;
use crate::policy::deps::{self, DepViolation};
use crate::engine::findings::{Change, Finding, Level, Source};
use crate::workspace::git::Repo;
use crate::policy::versioning::{self, PackageInput, PackageReport, Status};
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
    /// The crates whose items its current API uses or re-exports (see
    /// [`crate::engine::model::ApiModel::public_dependencies`]), when compared: `release` bumps it when one of
    /// them is a member released with a breaking change.
    pub public_dependencies: Option<Vec<String>>,
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One part of a split check: shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `K/N`, with 1 ≤ K ≤ N.
    fn from_str(text: &str) -> Result<Shard, String> {
        let (index, count) = text.split_once('/').ok_or_else(|| format!("`{text}` is not K/N (for example 1/3)"))?;
        let index: usize = index.trim().parse().map_err(|_| format!("`{index}` in `{text}` is not a shard number"))?;
        let count: usize = count.trim().parse().map_err(|_| format!("`{count}` in `{text}` is not a shard count"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!("shard `{text}` is out of range: K/N needs 1 ≤ K ≤ N"));
        }
        Ok(Shard { index, count })
    }
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
    /// A package violates the release policy or an exposure rule, or a dependency rule is broken.
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
        } else if self.packages.iter().any(|p| p.status == Status::Fail) || !self.dependencies.is_empty() {
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
pub fn analyse(workspace: &Workspace, config: &Config, selection: &Selection, lints_on: bool) -> Result<Vec<Analysis>> {
    let packages = selected(workspace, config, selection)?;
    let baselines = Baselines::new(config.baselines_dir(&workspace.root));
    let target_dir = selection.target_dir.clone().unwrap_or_else(|| workspace.target_dir.clone());
    let cache = Cache::in_target_dir(&target_dir);
    let inputs = cache::input_keys(workspace, &packages, &config.features)?;

    // Runs on each API as soon as it is there: the cached findings when the API fingerprint
    // and the baseline did not change (a private change documents a package again, but leaves
    // its findings), else the comparison with the baseline.
    let compare = |package: &Package, api: &CurrentApi| -> Comparison {
        let name = package.name.as_str();
        let baseline_digest = cache::baseline_digest(&baselines, name);
        if let Some(cached) = cache.diff(name, &cache::diff_key(api, &baseline_digest, lints_on)) {
            return Comparison::Cached(cached);
        }
        match baselines.summary(name) {
            Err(error) => Comparison::Failed(format!("{error:#}")),
            Ok(None) => Comparison::NoBaseline,
            Ok(Some(record)) => {
                let mut notes = Vec::new();
                let result = compare_with_baseline(workspace, &baselines, &target_dir, config, api, &record, lints_on, &mut notes);
                Comparison::Compared { baseline: record, baseline_digest, result, notes }
            }
        }
    };
    let current = current_apis(workspace, config, &packages, &target_dir, &inputs, &compare)?;
    let mut analyses = Vec::new();
    for (package, (api, comparison, documented)) in packages.iter().zip(current.apis) {
        let mut analysis = Analysis::new(package);
        analysis.documented = documented;
        analysis.notes.extend(api.untracked.clone());
        if !config.exposure.is_empty() {
            analysis.external_uses = api.model.external_uses();
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
                        if cache::baseline_digest(&baselines, name) != baseline_digest {
                            analysis.notes.push(format!(
                                "not cached: the baseline of `{name}` changed while it was compared (an `apicheck baseline` \
                                 at the same time?); run `apicheck check` again to check against the new one"
                            ));
                        } else if let Err(error) = cache.store_diff(name, &cache::diff_key(&api, &baseline_digest, lints_on), &cached) {
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
            public_dependencies: None,
        }
    }
}

/// The current APIs of a set of packages.
pub struct CurrentApis<T> {
    /// For each package, in order: its API, what `then` made of it, and whether this run
    /// documented it.
    pub apis: Vec<(CurrentApi, T, bool)>,
}

/// The current API of each of `packages`, whose key inputs are `inputs`, and what `then` made
/// of it. `then` runs on each API as soon as it is there (a cached one at once, a generated one
/// while cargo documents the rest), in parallel, with the package's key when the API came from
/// the cache.
///
/// The packages whose own inputs changed (or that have no sound entry) are documented first,
/// in one cargo run, and so is every package whose key is known before it (all the
/// fingerprints it needs come from sound entries) but not the one in its entry. Then the
/// fingerprints of the documented packages are known, and the keys of the packages that
/// depend on them: an entry whose key still holds is used, and the others, with every package
/// that depends on one of them, are documented in a second cargo run. When no fingerprint
/// changed there is no second run. At the end each documented package's entry gets its key
/// (from its inputs as they are then: the cargo run may have completed `Cargo.lock`).
pub fn current_apis<T: Send>(
    workspace: &Workspace,
    config: &Config,
    packages: &[&Package],
    target_dir: &Path,
    inputs: &cache::KeyInputs,
    then: &(dyn Fn(&Package, &CurrentApi) -> T + Sync),
) -> Result<CurrentApis<T>> {
    let cache = Cache::in_target_dir(target_dir);
    let index_of: BTreeMap<&str, usize> = packages.iter().enumerate().map(|(index, p)| (p.name.as_str(), index)).collect();
    let recorded: Vec<Option<cache::RecordedKey>> =
        packages.par_iter().map(|p| cache.recorded_key(&p.name, inputs.own_key(&p.name))).collect();
    let lockfile = workspace.root.join("Cargo.lock");
    let lock_before = std::fs::read(&lockfile).ok();

    let slots: Vec<Mutex<Option<Result<(CurrentApi, T, bool)>>>> = packages.iter().map(|_| Mutex::default()).collect();
    let fill = |index: usize, result: Result<(CurrentApi, T, bool)>| {
        *slots[index].lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(result);
    };
    // The fingerprint of every package whose API is known.
    let fingerprints: Mutex<BTreeMap<String, String>> = Mutex::default();
    let mut settled = vec![false; packages.len()];
    let mut documented: Vec<usize> = Vec::new();
    // By documented package: the features each member's library was built with in its run.
    let mut built_in_run: BTreeMap<usize, std::sync::Arc<crate::workspace::cargo::LibraryFeatures>> = BTreeMap::new();
    let generation = rayon::in_place_scope(|scope| -> Result<()> {
        // Walks the packages dependencies first and takes from the cache each whose key is
        // known and still the one its entry holds. Returns those to document: every one whose
        // entry does not hold, and, after the first run (`first_run_pending` false), every one
        // whose key is still not known.
        let resolve = |settled: &mut Vec<bool>, first_run_pending: bool| -> Vec<usize> {
            let mut to_document = Vec::new();
            for name in inputs.dependencies_first() {
                let Some(&index) = index_of.get(name.as_str()) else { continue };
                if settled[index] {
                    continue;
                }
                let Some(entry) = &recorded[index] else {
                    to_document.push(index);
                    continue;
                };
                let known = fingerprints.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
                let Some(key) = inputs.key(name, &entry.sourced, &known) else {
                    if !first_run_pending {
                        to_document.push(index);
                    }
                    continue;
                };
                let api = (key == entry.key).then(|| cache.api(name, inputs.own_key(name), &key)).flatten();
                let Some(api) = api else {
                    to_document.push(index);
                    continue;
                };
                settled[index] = true;
                fingerprints.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(name.clone(), api.fingerprint.clone());
                let (package, fill) = (packages[index], &fill);
                scope.spawn(move |_| {
                    let made = then(package, &api);
                    fill(index, Ok((api, made, false)));
                });
            }
            to_document
        };
        // Documents `batch` in one cargo run, and returns once every API of it is stored (and
        // its fingerprint known); `then` goes on in the background.
        let document = |batch: &[usize]| -> Result<crate::workspace::cargo::LibraryFeatures> {
            let batch_packages: Vec<&Package> = batch.iter().map(|&index| packages[index]).collect();
            rayon::in_place_scope(|stores| {
                workspace.rustdoc_each(&batch_packages, &config.features, Some(target_dir), &|position, output| {
                    let index = batch[position];
                    let (package, fill, cache, fingerprints) = (packages[index], &fill, &cache, &fingerprints);
                    stores.spawn(move |_| match cache.store_api(workspace, package, inputs.own_key(&package.name), &output) {
                        Ok(api) => {
                            fingerprints.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(package.name.clone(), api.fingerprint.clone());
                            scope.spawn(move |_| {
                                let made = then(package, &api);
                                fill(index, Ok((api, made, true)));
                            });
                        }
                        Err(error) => fill(index, Err(error)),
                    });
                })
            })
        };
        let first = resolve(&mut settled, true);
        let built = std::sync::Arc::new(document(&first)?);
        built_in_run.extend(first.iter().map(|&index| (index, built.clone())));
        documented.extend(&first);
        first.iter().for_each(|&index| settled[index] = true);
        let second = resolve(&mut settled, false);
        let built = std::sync::Arc::new(document(&second)?);
        built_in_run.extend(second.iter().map(|&index| (index, built.clone())));
        documented.extend(&second);
        Ok(())
    });
    generation?;
    let apis = slots
        .into_iter()
        .map(|slot| slot.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()).context("cargo doc returned no rustdoc JSON")?)
        .collect::<Result<Vec<_>>>()?;

    // Every fingerprint is known now: the documented packages get their keys.
    let now = if !documented.is_empty() && std::fs::read(&lockfile).ok() != lock_before {
        cache::input_keys(workspace, packages, &config.features)?
    } else {
        inputs.clone()
    };
    let fingerprints = fingerprints.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    let documented_features: BTreeMap<String, Option<Vec<String>>> =
        packages.iter().zip(&apis).map(|(package, (api, _, _))| (package.name.clone(), api.documented_features.clone())).collect();
    for name in now.dependencies_first() {
        let Some(&index) = index_of.get(name.as_str()) else { continue };
        let Some(built) = built_in_run.get(&index) else { continue };
        let api = &apis[index].0;
        let sourced = now.sourced_dependencies(name, api.evaluates_constants, built, &documented_features);
        let key = now
            .key(name, &sourced, &fingerprints)
            .with_context(|| format!("the fingerprint of a dependency of `{name}` is missing after documenting it"))?;
        if api.in_cache {
            cache.set_key(name, inputs.own_key(name), now.own_key(name), &key, &sourced)?;
        }
    }
    Ok(CurrentApis { apis })
}

/// Fills in the findings of a compared package: the cached or computed diff, and the public
/// dependencies that moved to a new major version.
fn finish(workspace: &Workspace, analysis: &mut Analysis, cached: CachedDiff) {
    if let Some(schema) = cached.baseline.older_model_schema() {
        analysis.notes.push(format!(
            "the baseline's model was recorded with model schema {schema}; it was rebuilt from the baseline's rustdoc JSON \
             for this check (record the baseline again with `apicheck baseline -p {}` to skip this step)",
            analysis.package.name
        ));
    }
    analysis.public_dependencies = cached.public_dependencies.clone();
    let mut diff = cached.diff;
    let beside = public_dependency_findings(workspace, &analysis.package, &cached.baseline, cached.public_dependencies.as_deref())
        .and_then(|mut found| {
            found.extend(manifest_findings(workspace, &analysis.package, &cached.baseline)?);
            Ok(found)
        });
    match beside {
        Ok(found) => diff.add_findings(found),
        Err(error) => {
            analysis.error = Some(format!("{error:#}"));
            return;
        }
    }
    analysis.diff = Some(diff);
}

/// The findings of the package's `Cargo.toml` against the one of its release: the one the
/// baseline recorded, or, for a baseline recorded before apicheck 0.4.0, the one at its release
/// tag (or the commit it was recorded at) in git. Computed on every run: reading two manifests
/// costs less than keying them.
fn manifest_findings(workspace: &Workspace, package: &Package, record: &BaselineSummary) -> Result<Vec<Finding>> {
    let read = |text: &str, what: &str| {
        ManifestApi::read(text).with_context(|| format!("cannot read the features and dependencies of `{}` in {what}", package.name))
    };
    let text = crate::input::read_text(&package.manifest_path, "manifest")?;
    let (current, lines) = read(&text, &package.manifest_path.display().to_string())?;
    let released = match &record.manifest {
        Some(released) => released.clone(),
        None => {
            let (rev, text) = released_manifest_text(workspace, package, record)?;
            read(&text, &format!("`{rev}`"))?.0
        }
    };
    let file = package.manifest_path.strip_prefix(&workspace.root).unwrap_or(&package.manifest_path).display().to_string();
    Ok(diff_manifests(&released, &current, &lines, &file))
}

/// The release's `Cargo.toml` of a package whose baseline predates manifest records: at the
/// release tag, else at the commit the baseline was recorded at; with the rev it came from.
fn released_manifest_text(workspace: &Workspace, package: &Package, record: &BaselineSummary) -> Result<(String, String)> {
    let name = &package.name;
    let fix = format!(
        "record the baseline again at its release (`apicheck baseline -p {name}` on the release commit), which stores the manifest, \
         or fetch the tags and history (in GitHub Actions, `actions/checkout` with `fetch-depth: 0`)"
    );
    let repo = Repo::discover(&workspace.root).with_context(|| {
        format!("the baseline of `{name}` was recorded before apicheck 0.4.0 and holds no manifest, and {} is not in a git repository to read its release's: {fix}", workspace.root.display())
    })?;
    let revs = std::iter::once(record.tag.clone()).chain(record.commit.clone());
    for rev in revs {
        if let Ok(commit) = repo.resolve(&rev) {
            let text = repo.file_at(&commit, &package.manifest_path).with_context(|| format!("cannot read the release's manifest of `{name}` at `{rev}`: {fix}"))?;
            return Ok((rev, text));
        }
    }
    bail!(
        "the baseline of `{name}` was recorded before apicheck 0.4.0 and holds no manifest, and neither its tag `{}`{} is in this clone: {fix}",
        record.tag,
        record.commit.as_deref().map(|commit| format!(" nor its commit `{commit}`")).unwrap_or_default()
    )
}

#[allow(clippy::too_many_arguments)]
fn compare_with_baseline(
    workspace: &Workspace,
    baselines: &Baselines,
    target_dir: &Path,
    config: &Config,
    current: &CurrentApi,
    record: &BaselineSummary,
    lints_on: bool,
    notes: &mut Vec<String>,
) -> Result<CachedDiff> {
    let (baseline, _) = baselines
        .load(&record.package)?
        .with_context(|| format!("the baseline of `{}` went away during the check", record.package))?;
    let baseline_json = if lints_on {
        Some(baseline_rustdoc(workspace, baselines, target_dir, config, record, current.rustdoc_format, notes)?)
    } else {
        None
    };
    let lint_pair = baseline_json.as_deref().map(|old| (old, current.rustdoc.as_path()));
    let diff = crate::engine::compare_models(&baseline.model, &current.model, lint_pair)?;
    Ok(CachedDiff { baseline: record.clone(), diff, public_dependencies: current.model.public_dependencies.clone() })
}

/// A public dependency (a crate whose items appear in the API) that moved to a new major
/// version changes this package's API: its types are other types now. cargo-semver-checks
/// does not see this.
fn public_dependency_findings(
    workspace: &Workspace,
    package: &Package,
    record: &BaselineSummary,
    public_dependencies: Option<&[String]>,
) -> Result<Vec<Finding>> {
    let (Some(old_versions), Some(crates)) = (&record.public_dependency_versions, public_dependencies) else {
        return Ok(Vec::new());
    };
    let new_versions = workspace.dependency_versions(package, crates)?;
    let manifest_text = std::fs::read_to_string(&package.manifest_path).unwrap_or_default();
    let file = package.manifest_path.strip_prefix(&workspace.root).unwrap_or(&package.manifest_path).display().to_string();
    let mut out = Vec::new();
    for (krate, new) in &new_versions {
        let Some(old) = old_versions.get(krate) else { continue };
        if Bump::declared(old, new) != Bump::Major {
            continue;
        }
        let dependency = package.dependencies.iter().find(|d| &d.crate_name() == krate);
        let name = dependency.map(|d| d.name.clone()).unwrap_or_else(|| krate.clone());
        let key = dependency.map(|d| d.rename.clone().unwrap_or_else(|| d.name.clone())).unwrap_or_else(|| krate.clone());
        let rule = RuleId::PublicDependencyMajorBump.rule();
        out.push(Finding {
            id: rule.id.to_string(),
            change: Change::Changed,
            required_bump: Bump::Major,
            level: Level::Deny,
            path: krate.clone(),
            message: format!(
                "public dependency `{name}` went from {old} to {new}, a major change: the items of it that `{}`'s API \
                 uses or re-exports are different items now, so code passing them across breaks",
                package.name
            ),
            file: Some(file.clone()),
            line: deps::dependency_line(&manifest_text, &key, crate::workspace::DepKind::Normal).and_then(|l| u32::try_from(l).ok()),
            source: Source::Apicheck,
            lint: None,
            reference: Some(rule.reference()),
            old: Some(format!("{name} {old}")),
            new: Some(format!("{name} {new}")),
            subject: None,
            acknowledged: None,
        });
    }
    Ok(out)
}

/// The baseline's rustdoc JSON in the toolchain's format: the stored one, or one rebuilt from
/// the release tag in a temporary worktree when the formats differ.
fn baseline_rustdoc(
    workspace: &Workspace,
    baselines: &Baselines,
    target_dir: &Path,
    config: &Config,
    record: &BaselineSummary,
    current_format: u32,
    notes: &mut Vec<String>,
) -> Result<PathBuf> {
    let name = &record.package;
    let scratch = target_dir.join("apicheck");
    if record.rustdoc_format == current_format {
        let into = scratch.join("baselines").join(format!("{name}-{}.json", record.version));
        return baselines.extract_rustdoc(name, &into);
    }
    let repo = Repo::discover(&workspace.root);
    let repo = repo.as_ref().with_context(|| {
        format!(
            "the baseline of `{name}` holds rustdoc format {} but the toolchain emits {}, and {} is not in a git \
             repository to rebuild it from tag `{}`: record the baseline again with this toolchain",
            record.rustdoc_format,
            current_format,
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
    let json = old_workspace.rustdoc_with_features(&[package], &config.features, Some(&scratch.join("rebuilt").join(name)))?;
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
        current_format
    ));
    Ok(kept)
}

/// The governed packages whose API can have changed since `selection.base`: the changed ones,
/// and, repeatedly, those whose baseline API exposes (uses or re-exports items of) one of them.
fn api_affected(workspace: &Workspace, config: &Config, selection: &Selection) -> Result<Option<AffectedPackages>> {
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
    Ok(Some(AffectedPackages {
        base: change.base,
        merge_base: change.merge_base,
        changed: change.changed.into_iter().collect(),
        checked: checked.into_iter().collect(),
        edges,
    }))
}

/// `check`: analyse, then apply the release policy to each package, and the dependency rules
/// to the workspace.
pub fn check(workspace: &Workspace, config: &Config, selection: &Selection) -> Result<CheckReport> {
    let affected = api_affected(workspace, config, selection)?;
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
    let analyses = if narrowed && selection.packages.is_empty() {
        Vec::new()
    } else {
        analyse(workspace, config, &selection, true)?
    };
    let documented: Vec<String> = analyses.iter().filter(|a| a.documented).map(|a| a.package.name.clone()).collect();
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
                match exposure::check(&config.exposure, &config.deps, workspace, &analysis.package, &analysis.external_uses) {
                    Ok(verdict) => {
                        if !verdict.violations.is_empty() {
                            report.status = Status::Fail;
                        }
                        report.violations.extend(verdict.violations);
                        report.notes.extend(verdict.unused);
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
    let passed = packages.iter().all(|p| matches!(p.status, Status::Pass | Status::New)) && dependencies.is_empty();
    Ok(CheckReport {
        schema: REPORT_SCHEMA,
        passed,
        packages,
        dependencies,
        affected,
        shard: selection.shard,
        documented,
        notes,
    })
}

/// Splits packages into `shard.count` shards balanced by source size (bytes of `.rs` files):
/// the largest package first, each to the lightest shard so far, ties to the lowest index and
/// then by name. The same sources give the same split on every run and machine.
pub fn shard_packages<'w>(packages: &[&'w Package], shard: Shard) -> Vec<&'w Package> {
    let mut sized: Vec<(u64, &Package)> = packages.iter().map(|p| (source_size(&p.dir), *p)).collect();
    sized.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    let mut loads = vec![0u64; shard.count];
    let mut mine = Vec::new();
    for (size, package) in sized {
        let lightest = (0..shard.count).min_by_key(|&i| (loads[i], i)).unwrap_or(0);
        loads[lightest] += size.max(1);
        if lightest + 1 == shard.index {
            mine.push(package);
        }
    }
    mine.sort_by(|a, b| a.name.cmp(&b.name));
    mine
}

fn source_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|entry| {
            let path = entry.path();
            match entry.file_type() {
                Ok(kind) if kind.is_dir() && entry.file_name() != "target" => source_size(&path),
                Ok(kind) if kind.is_file() && path.extension().is_some_and(|e| e == "rs") => entry.metadata().map(|m| m.len()).unwrap_or(0),
                _ => 0,
            }
        })
        .sum()
}

/// `report merge`: one report from the shards' JSON reports. Every shard of the split must be
/// there exactly once, and no package may be in two; the merged verdict fails when any shard's
/// does, and is an error when any shard's package could not be checked.
pub fn merge_reports(reports: Vec<(PathBuf, CheckReport)>) -> Result<CheckReport> {
    let mut shards: Vec<(usize, usize, &PathBuf)> = Vec::new();
    for (path, report) in &reports {
        if report.schema != REPORT_SCHEMA {
            bail!("{} is a report of schema {}, this apicheck merges schema {}", path.display(), report.schema, REPORT_SCHEMA);
        }
        if let Some(shard) = report.shard {
            if shard.index == 0 || shard.index > shard.count {
                bail!("{} claims to be shard {}/{}, which no split has: it is not a report of `check --shard`", path.display(), shard.index, shard.count);
            }
            shards.push((shard.index, shard.count, path));
        }
    }
    if !shards.is_empty() {
        if shards.len() != reports.len() {
            bail!("some reports are shards (`check --shard`) and some are not: merge the shards of one split");
        }
        let count = shards[0].1;
        if let Some((_, other, path)) = shards.iter().find(|(_, c, _)| *c != count) {
            bail!("{} is a shard of {other}, the others of {count}: merge the shards of one split", path.display());
        }
        for index in 1..=count {
            let found: Vec<&&PathBuf> = shards.iter().filter(|(i, _, _)| *i == index).map(|(_, _, p)| p).collect();
            match found.as_slice() {
                [_] => {}
                [] => bail!("shard {index}/{count} is missing: its check did not produce a report, so the merged verdict cannot pass"),
                _ => bail!("shard {index}/{count} is given {} times", found.len()),
            }
        }
    }
    let mut merged = CheckReport {
        schema: REPORT_SCHEMA,
        passed: true,
        packages: Vec::new(),
        dependencies: Vec::new(),
        affected: None,
        shard: None,
        documented: Vec::new(),
        notes: Vec::new(),
    };
    let mut seen: std::collections::BTreeMap<String, PathBuf> = std::collections::BTreeMap::new();
    for (path, report) in reports {
        for package in report.packages {
            if let Some(first) = seen.insert(package.name.clone(), path.clone()) {
                bail!("package `{}` is in both {} and {}", package.name, first.display(), path.display());
            }
            merged.packages.push(package);
        }
        merged.dependencies.extend(report.dependencies);
        merged.affected = merged.affected.or(report.affected);
        merged.documented.extend(report.documented);
        merged.notes.extend(report.notes);
    }
    merged.packages.sort_by(|a, b| a.name.cmp(&b.name));
    merged.documented.sort();
    merged.dependencies.sort_by(|a, b| (&a.rule, &a.from, &a.to).cmp(&(&b.rule, &b.from, &b.to)));
    merged.dependencies.dedup();
    merged.passed = merged.packages.iter().all(|p| matches!(p.status, Status::Pass | Status::New)) && merged.dependencies.is_empty();
    Ok(merged)
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
#[non_exhaustive]
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
            match baselines.summary(&package.name)? {
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
    let commit = match Repo::discover(&workspace.root) {
        Some(repo) => repo.head()?,
        None => None,
    };
    record_apis(workspace, config, &baselines, &packages, &target_dir, commit)
}

/// Documents `packages` of `workspace` (the work tree, or `init`'s worktree of a release tag)
/// and writes their APIs as baselines into `baselines`, recording `commit`.
pub(crate) fn record_apis(
    workspace: &Workspace,
    config: &Config,
    baselines: &Baselines,
    packages: &[&Package],
    target_dir: &Path,
    commit: Option<String>,
) -> Result<Vec<Recorded>> {
    let inputs = cache::input_keys(workspace, packages, &config.features)?;
    let apis = current_apis(workspace, config, packages, target_dir, &inputs, &|_, _| ())?.apis;
    let mut recorded = Vec::new();
    for (package, (api, (), _)) in packages.iter().zip(apis) {
        let model = api.model;
        let public_dependency_versions = Some(workspace.dependency_versions(package, model.public_dependencies.as_deref().unwrap_or_default())?);
        let manifest_text = crate::input::read_text(&package.manifest_path, "manifest")?;
        let (manifest, _) = ManifestApi::read(&manifest_text)
            .with_context(|| format!("cannot read the features and dependencies of `{}` in {}", package.name, package.manifest_path.display()))?;
        let record = BaselineRecord {
            apicheck_baseline: BASELINE_SCHEMA,
            package: package.name.clone(),
            version: package.version.clone(),
            tag: config.tag_for(&package.name, &package.version),
            commit: commit.clone(),
            rustdoc_format: api.rustdoc_format,
            recorded_with: env!("CARGO_PKG_VERSION").to_string(),
            public_dependency_versions,
            manifest: Some(manifest),
            model,
        };
        baselines.write(&record, &api.rustdoc)?;
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

/// The findings `diff` shows for one analysed package, with the configured lint levels.
pub fn configured_findings(config: &Config, diff: &ApiDiff) -> ApiDiff {
    let mut diff = diff.clone();
    crate::policy::config::apply_levels(config, &mut diff.findings);
    diff.required_bump = findings::required_bump(&diff.findings);
    diff
}
