//! Feature surfaces in the gate: each surface besides the default one is analysed and recorded
//! like the default one, by the same code, with a cargo run per package (features resolved per
//! package, in a target directory of its own, so it neither changes what the default surface
//! is documented with nor waits for cargo's lock on it), its own cache and its own baselines
//! (`<baselines>/@surfaces/<surface>/<package>/`); then the findings of all surfaces of a
//! package are merged, each naming the surfaces it appears in when not in all of them.

use super::*;
use crate::policy::feature_surfaces::{self, ExtraSurface, Surface};

/// One surface besides the default one, for the packages that have it.
pub(super) struct SurfaceRun<'w> {
    pub surface: Surface,
    /// The workspace documenting with this surface's feature resolution.
    pub workspace: Workspace,
    /// The configuration with this surface's features and baselines folder.
    pub config: Config,
    pub packages: Vec<&'w Package>,
    pub target_dir: PathBuf,
}

impl SurfaceRun<'_> {
    /// Where cargo documents `package` on this surface: a target directory per package. Cargo
    /// resolves features per package here, and a run (or a target directory) shared by packages
    /// that depend on each other mixes up builds of one dependency made for different feature
    /// sets (on tokio-rs/tracing, tracing-subscriber's all-features build then finds a
    /// tracing-serde built against another tracing-core and does not compile).
    pub fn package_target_dir(&self, package: &Package) -> PathBuf {
        self.target_dir.join(&package.name)
    }

    /// Runs `each` on every package of the run with its own target directory, in parallel (each
    /// its own cargo process, as many at a time as there are cores), and returns what it gave,
    /// in order. On threads of its own, not rayon's: `each` can wait for a context run that
    /// another package's thread is making (see `contexts.rs`), and a rayon thread waiting so
    /// could be the one given that work.
    pub fn each_package<T: Send>(&self, each: &(dyn Fn(&Package, &Path) -> Result<Vec<T>> + Sync)) -> Result<Vec<T>> {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let done: Vec<Mutex<Option<Result<Vec<T>>>>> = self.packages.iter().map(|_| Mutex::default()).collect();
        let threads = std::thread::available_parallelism().map_or(1, usize::from).min(self.packages.len());
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    loop {
                        let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(package) = self.packages.get(index) else { break };
                        let result = each(package, &self.package_target_dir(package));
                        *done[index].lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(result);
                    }
                });
            }
        });
        let mut all = Vec::new();
        for slot in done {
            all.extend(slot.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()).context("a package's surface run did not finish")??);
        }
        Ok(all)
    }
}

/// Where the baselines of `surface` are, under the configured baselines folder.
pub fn surface_baselines_dir(config: &Config, root: &Path, surface: Surface) -> PathBuf {
    match surface {
        Surface::Default => config.baselines_dir(root),
        other => config.baselines_dir(root).join("@surfaces").join(other.name()),
    }
}

/// The surfaces besides the default one that `packages` have, one run per surface.
pub(super) fn plan<'w>(workspace: &Workspace, config: &Config, packages: &[&'w Package], target_dir: &Path) -> Result<Vec<SurfaceRun<'w>>> {
    let mut by_surface: BTreeMap<Surface, Vec<(&'w Package, ExtraSurface)>> = BTreeMap::new();
    for &package in packages {
        for extra in feature_surfaces::extra_surfaces(&config.feature_surfaces, &config.deps, workspace, package)? {
            by_surface.entry(extra.surface).or_default().push((package, extra));
        }
    }
    Ok(by_surface
        .into_iter()
        .map(|(surface, members)| {
            let default_features = members.iter().all(|(_, extra)| extra.default_features);
            let mut surface_config = config.clone();
            surface_config.baselines = surface_baselines_dir(config, &workspace.root, surface);
            surface_config.features = members.iter().map(|(package, extra)| (package.name.clone(), extra.features.clone())).collect();
            // The exposure and module-name rules look at the default surface only.
            surface_config.exposure = Vec::new();
            surface_config.surface.internal_modules = false;
            SurfaceRun {
                surface,
                workspace: workspace.for_surface(default_features),
                config: surface_config,
                packages: members.into_iter().map(|(package, _)| package).collect(),
                target_dir: target_dir.join("apicheck").join("surfaces").join(surface.name()),
            }
        })
        .collect())
}

/// What to tell a user whose surface could not be documented.
pub(super) fn surface_error(surface: Surface, error: anyhow::Error) -> anyhow::Error {
    error.context(format!(
        "cannot document the `{}` feature surface: to leave a feature out of it, name it in `exclude` of \
         [workspace.metadata.apicheck.feature-surfaces], or name the package in its `skip`",
        surface.name()
    ))
}

/// On a surface resolved per package: the features cargo documented `package` with
/// (`documented`, as it reported them) that the surface does not turn on, sorted; empty when it
/// documented what the surface asks for, and on the default surface, whose features are
/// unified across the workspace on purpose. A feature beyond those is another package's
/// request that reached this one, so what cargo documented is not the surface: cargo's
/// feature resolver 1 unifies the features that dev-dependencies ask for even with
/// `--no-default-features`. (When cargo reported no features, which it does for every library
/// it documents, there is nothing to compare.)
pub(super) fn features_beyond_asked(workspace: &Workspace, config: &Config, package: &Package, documented: Option<&[String]>) -> Result<Vec<String>> {
    let (Some(default_features), Some(documented)) = (workspace.per_package_default_features(), documented) else {
        return Ok(Vec::new());
    };
    let text = crate::input::read_text(&package.manifest_path, "manifest")?;
    let (manifest, _) = ManifestApi::read(&text)
        .with_context(|| format!("cannot read the features of `{}` in {}", package.name, package.manifest_path.display()))?;
    let asked = config.features.get(&package.name).map(Vec::as_slice).unwrap_or_default();
    let turned_on = manifest.features_turned_on(asked, default_features);
    Ok(documented.iter().filter(|feature| !turned_on.contains(*feature)).cloned().collect())
}

/// Why a surface of `package` documented with `beyond` (see [`features_beyond_asked`]) is
/// neither compared nor recorded, and what to do.
pub(super) fn beyond_asked_error(package: &Package, beyond: &[String]) -> String {
    let features: Vec<String> = beyond.iter().map(|feature| format!("`{feature}`")).collect();
    format!(
        "cargo documented `{}` with feature(s) {} that this surface does not turn on: another package asked for them, \
         so what it documented is not this surface. Cargo's feature resolver 1 does that (it unifies the features \
         dev-dependencies ask for); a workspace has it when its `[workspace]` table sets no `resolver` and its root \
         package's edition is older than 2021. Set `resolver = \"2\"` in `[workspace]`, or name the package in `skip` of \
         [workspace.metadata.apicheck.feature-surfaces]",
        package.name,
        features.join(", ")
    )
}

/// Runs `analyse_one` on the default surface and on every run of `runs` at the same time (each
/// its own cargo runs: cargo documents them in parallel), and returns the default surface's
/// analyses with the other surfaces' merged in.
pub(super) fn analyse_all(
    runs: &[SurfaceRun<'_>],
    default: impl FnOnce() -> Result<Vec<Analysis>> + Send,
    analyse_one: &(dyn Fn(&SurfaceRun<'_>) -> Result<Vec<Analysis>> + Sync),
) -> Result<Vec<Analysis>> {
    let (analyses, others) = std::thread::scope(|scope| {
        let handles: Vec<_> = runs.iter().map(|run| scope.spawn(move || analyse_one(run).map_err(|error| surface_error(run.surface, error)))).collect();
        let analyses = default();
        let others: Vec<Result<Vec<Analysis>>> =
            handles.into_iter().map(|handle| handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect();
        (analyses, others)
    });
    let mut analyses = analyses?;
    for analysis in &mut analyses {
        let Some(diff) = &mut analysis.diff else { continue };
        analysis.compared_surfaces = vec![Surface::Default.name().to_string()];
        for finding in &mut diff.findings {
            finding.surfaces = vec![Surface::Default.name().to_string()];
        }
    }
    for (run, other) in runs.iter().zip(others) {
        merge(&mut analyses, run.surface, other?);
    }
    for analysis in &mut analyses {
        label_surfaces(analysis);
    }
    Ok(analyses)
}

/// Merges the analyses of `surface` into the default surface's: its findings (one already there
/// gains the surface), its notes and errors, whether it was documented.
fn merge(analyses: &mut [Analysis], surface: Surface, others: Vec<Analysis>) {
    for other in others {
        let Some(analysis) = analyses.iter_mut().find(|a| a.package.name == other.package.name) else { continue };
        let name = surface.name();
        if other.documented {
            analysis.documented_surfaces.push(name.to_string());
        }
        analysis.notes.extend(other.notes.into_iter().map(|note| format!("{name} surface: {note}")));
        if let Some(error) = other.error {
            analysis.error.get_or_insert(format!("the `{name}` feature surface: {error}"));
            continue;
        }
        let Some(diff) = &mut analysis.diff else { continue };
        let Some(other_diff) = other.diff else {
            // Compared on its default surface, not yet on this one: a new surface, not a failure.
            analysis.notes.push(format!(
                "the `{name}` feature surface of `{}` has no baseline yet: it is checked once recorded (`apicheck baseline -p {}` \
                 at its release records every surface)",
                analysis.package.name, analysis.package.name
            ));
            continue;
        };
        analysis.compared_surfaces.push(name.to_string());
        for finding in other_diff.findings {
            match diff.findings.iter_mut().find(|known| same_finding(known, &finding)) {
                Some(known) => known.surfaces.push(name.to_string()),
                None => {
                    let mut finding = finding;
                    finding.surfaces = vec![name.to_string()];
                    diff.findings.push(finding);
                }
            }
        }
    }
}

/// The same change of the same item (surfaces' findings differ in nothing else).
fn same_finding(a: &Finding, b: &Finding) -> bool {
    a.id == b.id && a.path == b.path && a.change == b.change && a.subject == b.subject && a.old == b.old && a.new == b.new
}

/// Once every surface is merged: a finding in every compared surface of its package names
/// none (it is not a matter of features), the others name theirs.
fn label_surfaces(analysis: &mut Analysis) {
    let compared = &analysis.compared_surfaces;
    let Some(diff) = &mut analysis.diff else { return };
    for finding in &mut diff.findings {
        if compared.iter().all(|surface| finding.surfaces.contains(surface)) {
            finding.surfaces.clear();
        }
    }
    diff.add_findings(Vec::new());
}

/// Removes the baselines of the surfaces `packages` no longer have (`runs` holds those they
/// have): one left would be compared with a surface that is not documented any more.
pub(super) fn remove_stale(workspace: &Workspace, config: &Config, runs: &[SurfaceRun<'_>], packages: &[&Package]) -> Result<()> {
    for surface in Surface::ALL.into_iter().filter(|surface| *surface != Surface::Default) {
        let baselines = Baselines::new(surface_baselines_dir(config, &workspace.root, surface));
        let run = runs.iter().find(|run| run.surface == surface);
        for package in packages {
            if !run.is_some_and(|run| run.packages.iter().any(|p| p.name == package.name)) {
                baselines.remove(&package.name)?;
            }
        }
    }
    Ok(())
}

/// The current API of `package` on `surface`, documented (or taken from the cache) as `check`
/// does: for `api --surface`.
pub fn surface_api(workspace: &Workspace, config: &Config, package: &Package, surface: Surface, target_dir: &Path) -> Result<CurrentApi> {
    let (workspace, config, target_dir) = if surface == Surface::Default {
        (workspace.clone(), config.clone(), target_dir.to_path_buf())
    } else {
        let runs = plan(workspace, config, &[package], target_dir)?;
        let run = runs.into_iter().find(|run| run.surface == surface).with_context(|| {
            format!(
                "package `{}` has no `{}` feature surface: {}",
                package.name,
                surface.name(),
                match surface {
                    Surface::AllFeatures => "every feature it declares is on by default, excluded by name, or the surface is switched off",
                    _ => "it declares no default features, or the surface is switched off",
                }
            )
        })?;
        let target_dir = run.package_target_dir(package);
        (run.workspace, run.config, target_dir)
    };
    let trees = cache::TreeDigests::default();
    let contexts = super::contexts::Contexts::new(&workspace, &config, &target_dir, &trees);
    let inputs = cache::input_keys(&workspace, &[package], &config.features, &trees)?;
    let current =
        super::current::current_apis_in(&workspace, &config, &[package], &target_dir, &inputs, Some(&contexts), None, &|_, _| ()).map_err(|error| surface_error(surface, error))?;
    current.apis.into_iter().next().map(|(api, (), _)| api).context("cargo doc returned no rustdoc JSON")
}

/// For a package without a baseline of `surface`: the default surface's baselines folder when
/// its baseline records a release that did not have `surface` (no default features, or none
/// beyond them): `surface` of that release was its default API, so a package that gains the
/// surface is compared on it from the start (items of the old default build moved behind a
/// new default feature break `default-features = false` users). `None` when the baseline
/// predates manifest records or the release had the surface (then the surface's baseline
/// predates feature surfaces: a note until recorded).
pub(super) fn stand_in_baselines(workspace: &Workspace, config: &Config, surface: Surface, package: &str) -> Option<Baselines> {
    let baselines = Baselines::new(config.baselines_dir(&workspace.root));
    let record = baselines.summary(package).ok()??;
    let released = feature_surfaces::surfaces_of(&config.feature_surfaces, record.manifest.as_ref()?).ok()?;
    (!released.iter().any(|extra| extra.surface == surface)).then_some(baselines)
}
