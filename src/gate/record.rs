//! Recording baselines: the current API of each released package, with its manifest and public
//! dependencies' versions.

use super::*;

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
    /// What was not recorded with it, and why: a feature surface whose documentation was not
    /// that surface (see [`super::surfaces::features_beyond_asked`]).
    pub notes: Vec<String>,
}

/// What recording one package on one feature surface gave.
enum SurfaceRecord {
    Recorded(Recorded),
    /// Not recorded, and its earlier baseline of the surface removed: why.
    LeftOut { package: String, why: String },
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
///
/// Every feature surface a package has besides the default one is recorded too, in its own
/// folder under `baselines` (see [`surfaces`](super::surfaces)), documented in its own cargo
/// run at the same time; `Recorded` lists the default surface's. A surface the package no
/// longer has loses its baseline.
pub(crate) fn record_apis(
    workspace: &Workspace,
    config: &Config,
    baselines: &Baselines,
    packages: &[&Package],
    target_dir: &Path,
    commit: Option<String>,
) -> Result<Vec<Recorded>> {
    let mut surface_config = config.clone();
    surface_config.baselines = baselines.dir.clone();
    let runs = super::surfaces::plan(workspace, &surface_config, packages, target_dir)?;
    let trees = cache::TreeDigests::default();
    let trees = &trees;
    let contexts = super::contexts::Contexts::new(workspace, &surface_config, target_dir, trees);
    let contexts = &contexts;
    let (recorded, others) = std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .map(|run| {
                scope.spawn(|| {
                    let baselines = Baselines::new(run.config.baselines.clone());
                    run.each_package(&|package, target_dir| {
                        record_surface(&run.workspace, &run.config, &baselines, &[package], target_dir, commit.clone(), trees, Some(contexts))
                    })
                        .map_err(|error| super::surfaces::surface_error(run.surface, error))
                })
            })
            .collect();
        let recorded = record_surface(workspace, config, baselines, packages, target_dir, commit.clone(), trees, None);
        let others: Vec<Result<Vec<SurfaceRecord>>> =
            handles.into_iter().map(|handle| handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect();
        (recorded, others)
    });
    let mut recorded: Vec<Recorded> = recorded?
        .into_iter()
        .map(|record| match record {
            SurfaceRecord::Recorded(recorded) => Ok(recorded),
            SurfaceRecord::LeftOut { package, why } => bail!("cannot record the default surface of `{package}`: {why}"),
        })
        .collect::<Result<_>>()?;
    for (run, other) in runs.iter().zip(others) {
        for record in other? {
            let SurfaceRecord::LeftOut { package, why } = record else { continue };
            if let Some(recorded) = recorded.iter_mut().find(|recorded| recorded.package == package) {
                recorded.notes.push(format!(
                    "its `{}` feature surface is not recorded (`check` notes it has no baseline yet): {why}",
                    run.surface.name()
                ));
            }
        }
    }
    super::surfaces::remove_stale(workspace, &surface_config, &runs, packages)?;
    Ok(recorded)
}

/// [`record_apis`] on one feature surface (`contexts`: see [`super::current::current_apis_in`]).
#[allow(clippy::too_many_arguments)]
fn record_surface(
    workspace: &Workspace,
    config: &Config,
    baselines: &Baselines,
    packages: &[&Package],
    target_dir: &Path,
    commit: Option<String>,
    trees: &cache::TreeDigests,
    contexts: Option<&super::contexts::Contexts<'_>>,
) -> Result<Vec<SurfaceRecord>> {
    let inputs = cache::input_keys(workspace, packages, &config.features, trees)?;
    let apis = super::current::current_apis_in(workspace, config, packages, target_dir, &inputs, contexts, None, &|_, _| ())?.apis;
    let mut recorded = Vec::new();
    for (package, (api, (), _)) in packages.iter().zip(apis) {
        let beyond = super::surfaces::features_beyond_asked(workspace, config, package, api.documented_features.as_deref())?;
        if !beyond.is_empty() {
            // A baseline of the surface from an earlier release would be compared with a
            // release it does not describe.
            baselines.remove(&package.name)?;
            recorded.push(SurfaceRecord::LeftOut { package: package.name.clone(), why: super::surfaces::beyond_asked_error(package, &beyond) });
            continue;
        }
        let rustdoc = api.rustdoc_json()?.to_path_buf();
        let rustdoc_format = api.rustdoc_format;
        let model = api.into_model()?;
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
            rustdoc_format,
            recorded_with: env!("CARGO_PKG_VERSION").to_string(),
            public_dependency_versions,
            manifest: Some(manifest),
            model,
        };
        baselines.write(&record, &rustdoc)?;
        recorded.push(SurfaceRecord::Recorded(Recorded {
            package: record.package,
            version: record.version,
            tag: record.tag,
            commit: record.commit,
            dir: baselines.package_dir(&package.name),
            notes: Vec::new(),
        }));
    }
    Ok(recorded)
}
