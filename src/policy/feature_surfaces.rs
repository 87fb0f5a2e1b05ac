//! Feature surfaces: the feature sets whose API is governed, per package. The default surface
//! (default features, plus the package's list in `[workspace.metadata.apicheck.features]`) is
//! the one apicheck always checked; `all-features` (every feature a user can name but those
//! excluded by name: unstable, nightly, internal, `_*`) governs what users of a non-default
//! feature build against; `no-default-features` what users with `default-features = false`
//! build against. A surface that would document the same features as the default one is left
//! out, so a package without features costs nothing more.

use anyhow::{Context, Result};
use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};

use crate::engine::manifest::ManifestApi;
use crate::policy::deps::{DepsConfig, Selector};
use crate::workspace::{Package, Workspace};

/// A feature set a package's API is documented, recorded and compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Surface {
    /// Default features, unified across the workspace (the API apicheck always checked).
    Default,
    /// Default features plus every feature not excluded by name.
    AllFeatures,
    /// No default features: what `default-features = false` users build against.
    NoDefaultFeatures,
}

impl Surface {
    pub const ALL: [Surface; 3] = [Surface::Default, Surface::AllFeatures, Surface::NoDefaultFeatures];

    /// Its name in reports, baselines' folders and `api --surface`.
    pub fn name(self) -> &'static str {
        match self {
            Surface::Default => "default",
            Surface::AllFeatures => "all-features",
            Surface::NoDefaultFeatures => "no-default-features",
        }
    }

    /// The surface called `name`, or an error listing the names.
    pub fn named(name: &str) -> Result<Surface> {
        Surface::ALL.into_iter().find(|surface| surface.name() == name).with_context(|| {
            format!("there is no feature surface `{name}`: the surfaces are {}", Surface::ALL.map(Surface::name).join(", "))
        })
    }
}

/// `[workspace.metadata.apicheck.feature-surfaces]`. (Not `surface`: that key holds the
/// explicit-surface rules of [`crate::policy::surface`], about module names.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FeatureSurfacesConfig {
    /// Whether packages with features not on by default get the `all-features` surface.
    #[serde(default = "yes")]
    pub all_features: bool,
    /// Whether packages with default features get the `no-default-features` surface.
    #[serde(default = "yes")]
    pub no_default_features: bool,
    /// Features the `all-features` surface leaves out: names or globs, for features that need
    /// a nightly compiler or are not API.
    #[serde(default = "default_excluded")]
    pub exclude: Vec<String>,
    /// Packages checked on their default surface only: names, member directory globs, or
    /// `tag:NAME`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip: Vec<String>,
}

fn yes() -> bool {
    true
}

fn default_excluded() -> Vec<String> {
    ["*unstable*", "*nightly*", "*internal*", "_*"].map(String::from).to_vec()
}

impl Default for FeatureSurfacesConfig {
    fn default() -> Self {
        FeatureSurfacesConfig { all_features: true, no_default_features: true, exclude: default_excluded(), skip: Vec::new() }
    }
}

/// A surface besides the default one that a package has: how cargo documents it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraSurface {
    pub surface: Surface,
    /// Whether the package's default features are on.
    pub default_features: bool,
    /// The features turned on besides (sorted).
    pub features: Vec<String>,
}

fn excluded(config: &FeatureSurfacesConfig) -> Result<Vec<GlobMatcher>> {
    config
        .exclude
        .iter()
        .map(|name| Glob::new(name).map(|glob| glob.compile_matcher()).with_context(|| format!("`{name}` in `exclude` is not a valid pattern")))
        .collect()
}

/// Checks the configuration once, before anything is documented.
pub fn validate(config: &FeatureSurfacesConfig, deps: &DepsConfig) -> Result<()> {
    excluded(config)?;
    for text in &config.skip {
        Selector::new(text, &deps.tags, "the feature surfaces' `skip`")?;
    }
    Ok(())
}

/// The surfaces besides the default one that `package` has, read from its `Cargo.toml`:
/// `all-features` when a feature not excluded is not on by default, `no-default-features` when
/// `default` turns something on.
pub fn extra_surfaces(config: &FeatureSurfacesConfig, deps: &DepsConfig, workspace: &Workspace, package: &Package) -> Result<Vec<ExtraSurface>> {
    for text in &config.skip {
        if Selector::new(text, &deps.tags, "the feature surfaces' `skip`")?.matches_package(workspace, package) {
            return Ok(Vec::new());
        }
    }
    let text = crate::input::read_text(&package.manifest_path, "manifest")?;
    let (manifest, _) = ManifestApi::read(&text)
        .with_context(|| format!("cannot read the features of `{}` in {}", package.name, package.manifest_path.display()))?;
    surfaces_of(config, &manifest)
}

/// The surfaces besides the default one that a package with `manifest` has (whether or not the
/// configuration skips it): for the package now, or for its release, from the manifest its
/// baseline recorded.
pub fn surfaces_of(config: &FeatureSurfacesConfig, manifest: &ManifestApi) -> Result<Vec<ExtraSurface>> {
    let excluded = excluded(config)?;
    let mut surfaces = Vec::new();
    if config.all_features {
        let features: Vec<String> =
            manifest.features_beyond_default().into_iter().filter(|feature| !excluded.iter().any(|glob| glob.is_match(feature))).collect();
        if !features.is_empty() {
            surfaces.push(ExtraSurface { surface: Surface::AllFeatures, default_features: true, features });
        }
    }
    if config.no_default_features && manifest.has_default_features() {
        surfaces.push(ExtraSurface { surface: Surface::NoDefaultFeatures, default_features: false, features: Vec::new() });
    }
    Ok(surfaces)
}
