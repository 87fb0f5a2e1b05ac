//! Comparing a package's current API with its baseline: the model diff and the lints (the baseline's
//! rustdoc JSON rebuilt from the release tag when its format differs), then the findings beside
//! it: the manifest's and the public dependencies' versions.

use std::sync::Arc;

use super::*;
use super::ahead::{Ahead, extracted_rustdoc};
use crate::engine::lints::{self, Loaded};

/// Fills in the findings of a compared package: the cached or computed diff, and the public
/// dependencies that moved to a new major version.
pub(super) fn finish(workspace: &Workspace, analysis: &mut Analysis, cached: CachedDiff) {
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

/// Compares `current` with the baseline `record` of its package, whose files had digest
/// `baseline_digest`: the baseline read ahead (see [`ahead`]) when it was, else read now.
#[allow(clippy::too_many_arguments)]
pub(super) fn compare_with_baseline(
    workspace: &Workspace,
    baselines: &Baselines,
    target_dir: &Path,
    config: &Config,
    current: &CurrentApi,
    record: &BaselineSummary,
    baseline_digest: &str,
    lints_on: bool,
    ahead: &Ahead<'_>,
    notes: &mut Vec<String>,
) -> Result<CachedDiff> {
    let name = &record.package;
    let read_ahead = ahead.baseline(name, baseline_digest);
    let read_now;
    let (baseline_model, baseline_loaded) = match &read_ahead {
        Some(read) => (&read.record.model, read.rustdoc.as_ref()),
        None => {
            read_now = baselines.load(name)?.with_context(|| format!("the baseline of `{name}` went away during the check"))?.0;
            (&read_now.model, None)
        }
    };
    let lint_pair = if lints_on {
        let old = match baseline_loaded {
            Some(loaded) if record.rustdoc_format == current.rustdoc_format => LintSide::Ahead(loaded),
            _ => LintSide::File(baseline_rustdoc(workspace, baselines, target_dir, config, record, current.rustdoc_format, notes)?),
        };
        let json = current.rustdoc_json()?;
        let new = match ahead.current(name, json) {
            Some(loaded) => LintSide::Loaded(loaded),
            None => LintSide::File(json.to_path_buf()),
        };
        Some((old, new))
    } else {
        None
    };
    let model = current.model()?;
    let sides = lint_pair.as_ref().map(|(old, new)| (old.side(), new.side()));
    let diff = crate::engine::compare_models(baseline_model, model, sides)?;
    Ok(CachedDiff { baseline: record.clone(), diff, public_dependencies: model.public_dependencies.clone() })
}

/// Where the lints take one side of the pair from.
enum LintSide<'a> {
    /// The baseline's JSON, loaded ahead with the baseline.
    Ahead(&'a Loaded),
    /// The current JSON, loaded ahead or by this comparison.
    Loaded(Arc<Loaded>),
    /// A file the lints load.
    File(PathBuf),
}

impl LintSide<'_> {
    fn side(&self) -> lints::Side<'_> {
        match self {
            LintSide::Ahead(loaded) => lints::Side::Loaded(loaded),
            LintSide::Loaded(loaded) => lints::Side::Loaded(loaded),
            LintSide::File(path) => lints::Side::File(path),
        }
    }
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
            surfaces: Vec::new(),
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
        return baselines.extract_rustdoc(name, &extracted_rustdoc(target_dir, name, &record.version.to_string()));
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
