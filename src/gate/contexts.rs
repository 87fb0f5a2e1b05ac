//! Early cutoff on the feature surfaces besides the default one: a member's fingerprint as the
//! run of a package that depends on it built it.
//!
//! On those surfaces each package is documented in a cargo run of its own, where cargo builds
//! the members below it with the features that run resolves (on tokio-rs/tracing,
//! tracing-core with `default, std, valuable` for tracing-subscriber's all-features surface,
//! `default, once_cell, std, valuable` for its own). No other run documents a member with
//! exactly those, so the package's key held the members' *source* keys, and a private change
//! to a member documented every package above it on every surface again.
//!
//! Here a member is documented alone with the features the dependent's run built it with, in a
//! target directory of its own per feature set (its *context run*), once per check however
//! many dependents ask for it, and cached like any package. Its fingerprint stands in the
//! dependent's key only when that run built every library the context run built, each with the
//! same features ([`LibraryFeatures::agrees_with`]): cargo decides what a library is built
//! from by its features, so the member's documentation then shows what the dependent's run
//! compiled against. When it does not (a registry crate the dependent's other dependencies
//! widen, a library built for the host too), or the context run fails, the member's source
//! key stands in, as before: the cutoff is lost, never a change.
//!
//! A member whose change looks public (the shape of its sources changed since the last command
//! that asked: see [`crate::engine::source_shape`]) gets no context run in that command, and
//! neither does a member above it: the packages above it are most likely documented again on
//! every surface anyway, and the context runs would only have told so, one `cargo doc` per
//! member and feature set later. Their source keys stand in, and the cutoff is back at the
//! change after the next (the dependents' entries then hold those source keys, which that
//! change alters). A guess, never a result: either way a key changes whenever what it stands
//! for may have.
//!
//! Context runs happen on the threads of the surface runs that ask for them, never on rayon's
//! (see [`SurfaceRun::each_package`](super::surfaces::SurfaceRun::each_package)): a thread that
//! waits for a context run another thread is making must not be one that could be asked to
//! make it.

use std::sync::{Arc, OnceLock};

use super::*;
use crate::workspace::DepKind;
use crate::workspace::cargo::LibraryFeatures;

/// What stands in a key for a member the package's run did not build (an optional dependency
/// that is off): the package saw nothing of it. Not a fingerprint (those are hex).
const NOT_BUILT: &str = "not built";

/// The context runs of one command, by member and feature set, each made at most once.
pub struct Contexts<'c> {
    /// The workspace, documenting each package on its own without its default features.
    workspace: Workspace,
    config: &'c Config,
    target_dir: PathBuf,
    trees: &'c cache::TreeDigests,
    runs: Mutex<BTreeMap<(String, Vec<String>), ContextRun>>,
    /// By member: whether its change looks public, asked at most once per command (the
    /// answer records the shapes it is asked against next time).
    looks_public: Mutex<BTreeMap<String, Arc<OnceLock<bool>>>>,
}

/// A context run: made once, by the first thread that asks; the others wait for it.
type ContextRun = Arc<OnceLock<Option<ContextApi>>>;

/// A member's fingerprint with some features, and what its run built.
#[derive(Debug, Clone)]
struct ContextApi {
    fingerprint: String,
    built: Arc<LibraryFeatures>,
}

impl<'c> Contexts<'c> {
    /// Context runs documenting into `<target_dir>/apicheck/contexts/`, with `config`'s
    /// settings but its features.
    pub fn new(workspace: &Workspace, config: &'c Config, target_dir: &Path, trees: &'c cache::TreeDigests) -> Contexts<'c> {
        Contexts {
            workspace: workspace.for_surface(false),
            config,
            target_dir: target_dir.join("apicheck").join("contexts"),
            trees,
            runs: Mutex::default(),
            looks_public: Mutex::default(),
        }
    }

    /// What stands for the member `dependency` in the key of a package documented in a run of
    /// its own that built `built`: its fingerprint as that run built it, or [`NOT_BUILT`].
    /// `None` when that cannot be told: its source key stands in instead.
    pub(super) fn stand_in(&self, dependency: &str, built: &LibraryFeatures) -> Option<String> {
        if !built.built(dependency) {
            return Some(NOT_BUILT.to_string());
        }
        let api = self.api(dependency, &self.features_as_built(dependency, built)?)?;
        built.agrees_with(&api.built).then_some(api.fingerprint)
    }

    /// The features that make a context run of `member` build it, and the members it depends
    /// on directly, as `built` did: its own, and each member dependency's as
    /// `dependency/feature` (a dependent's run can widen those: on tokio-rs/tracing,
    /// tracing-subscriber's all-features run builds tracing-core with `valuable`, which tracing
    /// alone does not ask for). Not an optional dependency's: naming a feature of it turns it
    /// on. What the run builds deeper down is left to [`LibraryFeatures::agrees_with`].
    fn features_as_built(&self, member: &str, built: &LibraryFeatures) -> Option<Vec<String>> {
        let package = self.workspace.package(member).ok()?;
        let mut features = built.only_set(member)?.to_vec();
        for dependency in package.dependencies.iter().filter(|dependency| dependency.kind == DepKind::Normal && !dependency.optional) {
            let Some(set) = dependency.member.as_deref().and_then(|name| built.only_set(name)) else { continue };
            let used_as = dependency.rename.as_deref().unwrap_or(&dependency.name);
            features.extend(set.iter().map(|feature| format!("{used_as}/{feature}")));
        }
        features.sort();
        features.dedup();
        Some(features)
    }

    /// `member` documented alone with exactly `features`: from this command's run if one made
    /// it, else made now (its cache entry, or cargo). `None` when it cannot be documented so.
    fn api(&self, member: &str, features: &[String]) -> Option<ContextApi> {
        let run = self
            .runs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry((member.to_string(), features.to_vec()))
            .or_default()
            .clone();
        run.get_or_init(|| self.document(member, features).ok().flatten()).clone()
    }

    /// `member` documented with `features` in its context run, or `None` when a change to it
    /// or to a member below it looks public (no run is made).
    fn document(&self, member: &str, features: &[String]) -> Result<Option<ContextApi>> {
        let package = self.workspace.package(member)?;
        let mut config = self.config.clone();
        config.features = BTreeMap::from([(member.to_string(), features.to_vec())]);
        let target_dir = self.target_dir.join(member).join(cache::list_digest(features));
        let inputs = cache::input_keys(&self.workspace, &[package], &config.features, self.trees)?;
        for name in std::iter::once(&package.name).chain(inputs.external_dependencies(member)) {
            if self.looks_public(self.workspace.package(name)?)? {
                return Ok(None);
            }
        }
        let current = super::current::current_apis_in(&self.workspace, &config, &[package], &target_dir, &inputs, Some(self), None, &|_, _| ())?;
        let (api, (), _) = current.apis.into_iter().next().context("cargo doc returned no rustdoc JSON")?;
        let built = current.built.into_iter().next().flatten().context("the context run recorded no build")?;
        Ok(Some(ContextApi { fingerprint: api.fingerprint, built }))
    }

    /// Whether `member` changed since the last command that asked, in a way that looks public.
    /// A member never asked about does not: its context runs are how its cutoff starts.
    fn looks_public(&self, member: &Package) -> Result<bool> {
        let guess = self.looks_public.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).entry(member.name.clone()).or_default().clone();
        if let Some(&guess) = guess.get() {
            return Ok(guess);
        }
        let tree = self.trees.digest(&member.dir)?;
        Ok(*guess.get_or_init(|| Cache::in_target_dir(&self.target_dir).take_shape_change(member, &tree).unwrap_or(false)))
    }
}
