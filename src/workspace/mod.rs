//! The workspace layer: the Cargo workspace (its members, their library targets, where things
//! live, `Cargo.lock`) and the tools around it. `cargo` is the only module that runs cargo and
//! the toolchain, `git` the only one that runs git; `depinfo` reads the compiler's dep-info
//! files, `affected` maps changed files to the packages they touch. It knows nothing of the
//! engine, the store, the policy or the gate.

pub mod affected;
pub(crate) mod cargo;
pub(crate) mod depinfo;
pub(crate) mod git;
mod remembered;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use cargo_metadata::DependencyKind;
use semver::{Version, VersionReq};
use serde::{Deserialize, Serialize};

use cargo::DocTarget;

/// A Cargo workspace as apicheck sees it.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The directory of the workspace's root manifest.
    pub root: PathBuf,
    /// The workspace's root `Cargo.toml`.
    pub manifest_path: PathBuf,
    /// The workspace's own target directory.
    pub target_dir: PathBuf,
    /// The members, sorted by name.
    pub members: Vec<Package>,
    /// `[workspace.metadata]` of the root manifest.
    pub metadata: serde_json::Value,
    /// `rustc -vV` of the workspace's toolchain, or why it could not be run.
    toolchain: std::result::Result<String, String>,
    /// `Cargo.lock` as last read: its bytes and what they parse to.
    lockfile: Arc<Mutex<Option<(Vec<u8>, Arc<Lockfile>)>>>,
    /// How cargo resolves features when this workspace documents packages: unified across the
    /// workspace, or per package for a feature surface (see [`Workspace::for_surface`]).
    resolution: cargo::FeatureResolution,
    /// For a workspace read from an earlier run's record: the check that it is still what
    /// cargo reads (see [`Workspace::load_remembered`]).
    confirmation: Option<Arc<remembered::Confirmation>>,
}

/// A workspace member.
#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    pub version: Version,
    pub manifest_path: PathBuf,
    /// The directory of the package's `Cargo.toml`.
    pub dir: PathBuf,
    /// The crate name of its library target (`core_utils`), if it has one.
    pub lib_crate: Option<String>,
    /// The root source file of its library target (`src/lib.rs`), if it has one.
    pub lib_root: Option<PathBuf>,
    /// Whether `publish = false` is absent.
    pub publishable: bool,
    /// Its declared dependencies.
    pub dependencies: Vec<Dependency>,
    /// What its manifest says that cargo's feature resolution reads: its `[features]` and, for
    /// each dependency, its kind, platform, optionality and the features it asks for, as
    /// canonical JSON. Cargo unifies the features of a package across the workspace (see
    /// `cargo::generate_rustdoc`), so these of every member decide what each member is built
    /// with.
    pub feature_declarations: String,
    /// Whether its library is a procedural macro, whose dependents see what its code does.
    pub is_proc_macro: bool,
}

/// A declared dependency of a package.
#[derive(Debug, Clone)]
pub struct Dependency {
    /// The package name depended on.
    pub name: String,
    /// The name it is used under, when renamed.
    pub rename: Option<String>,
    pub kind: DepKind,
    /// Declared `optional = true`: built only when a feature asks for it.
    pub optional: bool,
    pub req: VersionReq,
    /// The workspace member it resolves to (a path dependency on a member).
    pub member: Option<String>,
    /// The directory of a path dependency.
    pub path: Option<PathBuf>,
}

impl Dependency {
    /// The crate name it is used under (`core_utils`).
    pub fn crate_name(&self) -> String {
        self.rename.as_deref().unwrap_or(&self.name).replace('-', "_")
    }
}

/// The kinds of dependency edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DepKind {
    Normal,
    Dev,
    Build,
}

/// `cargo metadata` and the toolchain's `rustc -vV` for the workspace around `manifest_path`,
/// side by side: on a warm run the two are most of apicheck's own time.
fn probe(manifest_path: Option<&Path>) -> (Result<Vec<u8>>, std::result::Result<String, String>) {
    let probe_dir = match manifest_path {
        Some(path) => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        None => PathBuf::from("."),
    };
    let probe_dir = if probe_dir.as_os_str().is_empty() { PathBuf::from(".") } else { probe_dir };
    std::thread::scope(|scope| {
        let toolchain = scope.spawn(|| cargo::toolchain(&probe_dir).map_err(|error| format!("{error:#}")));
        let metadata = cargo::metadata_json(manifest_path);
        (metadata, toolchain.join().unwrap_or_else(|_| Err("the toolchain probe panicked".to_string())))
    })
}

/// See [`Package::feature_declarations`].
fn feature_declarations(package: &cargo_metadata::Package) -> String {
    let mut dependencies: Vec<serde_json::Value> = package
        .dependencies
        .iter()
        .map(|dependency| {
            let mut features = dependency.features.clone();
            features.sort();
            serde_json::json!([
                dependency.name,
                dependency.rename,
                format!("{:?}", dependency.kind),
                dependency.target.as_ref().map(ToString::to_string),
                dependency.optional,
                dependency.uses_default_features,
                features,
            ])
        })
        .collect();
    dependencies.sort_by_key(ToString::to_string);
    // `features` is a BTreeMap: its keys serialise sorted.
    serde_json::json!({ "features": package.features, "dependencies": dependencies }).to_string()
}

impl Package {
    /// The library to document with `features` on besides the default ones, or an error saying
    /// this package has none. `name_is_shared`: another package of the lockfile has its name
    /// (a published release of the member, a dev-dependency's).
    pub fn doc_target(&self, features: &[String], name_is_shared: bool) -> Result<DocTarget> {
        match &self.lib_crate {
            Some(crate_name) => {
                Ok(DocTarget {
                    package: self.name.clone(),
                    // `name@version` at least: the lockfile can be behind the manifests, and the
                    // run that brings it up to date may add a crates.io package of the member's
                    // name (at another version). When the lockfile already holds one, a path spec,
                    // which tells even the same version apart. (Not always a path spec: cargo
                    // reads a name that is not ASCII from its percent-encoded URL form.)
                    spec: if name_is_shared {
                        format!("path+file://{}#{}@{}", self.dir.display(), self.name, self.version)
                    } else {
                        format!("{}@{}", self.name, self.version)
                    },
                    crate_name: crate_name.clone(),
                    features: features.to_vec(),
                })
            }
            None => bail!(
                "package `{}` has no library target: apicheck checks the public API of libraries ({})",
                self.name,
                self.manifest_path.display()
            ),
        }
    }
}

impl Workspace {
    /// Reads the workspace around `manifest_path`, or around the current directory.
    pub fn load(manifest_path: Option<&Path>) -> Result<Workspace> {
        let (metadata, toolchain) = probe(manifest_path);
        Workspace::from_probe(&metadata?, toolchain)
    }

    /// The workspace cargo printed as `metadata` (see [`cargo::metadata_json`]), documented with
    /// `toolchain`.
    fn from_probe(metadata: &[u8], toolchain: std::result::Result<String, String>) -> Result<Workspace> {
        let metadata = cargo::parse_metadata(metadata)?;
        let root = metadata.workspace_root.clone().into_std_path_buf();
        let member_dirs: Vec<(PathBuf, String)> = metadata
            .workspace_packages()
            .iter()
            .filter_map(|p| Some((p.manifest_path.parent()?.as_std_path().to_path_buf(), p.name.to_string())))
            .collect();
        let members = metadata
            .workspace_packages()
            .into_iter()
            .map(|package| {
                let manifest_path = package.manifest_path.clone().into_std_path_buf();
                let lib_target = package.targets.iter().find(|target| target.is_lib() || target.is_proc_macro() || target.is_rlib());
                let lib_crate = lib_target.map(|target| target.name.replace('-', "_"));
                Package {
                    name: package.name.to_string(),
                    version: package.version.clone(),
                    dir: manifest_path.parent().map(Path::to_path_buf).unwrap_or_default(),
                    manifest_path,
                    lib_crate,
                    lib_root: lib_target.map(|target| target.src_path.clone().into_std_path_buf()),
                    publishable: package.publish.as_ref().is_none_or(|registries| !registries.is_empty()),
                    feature_declarations: feature_declarations(package),
                    is_proc_macro: package.targets.iter().any(|target| target.is_proc_macro()),
                    dependencies: package
                        .dependencies
                        .iter()
                        .map(|dep| Dependency {
                            name: dep.name.clone(),
                            rename: dep.rename.clone(),
                            kind: match dep.kind {
                                DependencyKind::Development => DepKind::Dev,
                                DependencyKind::Build => DepKind::Build,
                                _ => DepKind::Normal,
                            },
                            optional: dep.optional,
                            req: dep.req.clone(),
                            member: dep.path.as_ref().and_then(|path| {
                                member_dirs.iter().find(|(dir, _)| dir.as_path() == path.as_std_path()).map(|(_, name)| name.clone())
                            }),
                            path: dep.path.as_ref().map(|path| path.as_std_path().to_path_buf()),
                        })
                        .collect(),
                }
            })
            .collect::<Vec<_>>();
        let mut members = members;
        members.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Workspace {
            manifest_path: root.join("Cargo.toml"),
            target_dir: metadata.target_directory.clone().into_std_path_buf(),
            root,
            members,
            metadata: metadata.workspace_metadata.clone(),
            toolchain,
            lockfile: Arc::default(),
            confirmation: None,
            resolution: cargo::FeatureResolution::Workspace,
        })
    }

    /// The members that depend on any of `names`, directly or not (through any kind of edge),
    /// `names` excluded.
    pub fn dependents(&self, names: &std::collections::BTreeSet<String>) -> std::collections::BTreeSet<String> {
        let mut found: std::collections::BTreeSet<String> = names.clone();
        loop {
            let before = found.len();
            for member in &self.members {
                if member.dependencies.iter().any(|d| d.member.as_ref().is_some_and(|m| found.contains(m))) {
                    found.insert(member.name.clone());
                }
            }
            if found.len() == before {
                break;
            }
        }
        found.retain(|name| !names.contains(name));
        found
    }

    /// The versions of `package`'s dependencies that are used under the crate names `crates`:
    /// a member's version for workspace members, the locked version (from Cargo.lock, matching
    /// the requirement) for the others. A crate the package does not declare but reaches through
    /// a declared dependency that re-exports it (serde's items are defined in `serde_core`) is
    /// that declared dependency, keyed by its crate name: its version is the one users choose.
    /// Crates it cannot place are left out.
    pub fn dependency_versions(&self, package: &Package, crates: &[String]) -> Result<std::collections::BTreeMap<String, Version>> {
        let locked = self.lockfile()?;
        let mut versions = std::collections::BTreeMap::new();
        for krate in crates {
            let Some(dep) = dependency_for_crate(package, &locked, krate) else {
                continue;
            };
            let krate = &dep.crate_name();
            let version = match &dep.member {
                Some(member) => self.members.iter().find(|m| &m.name == member).map(|m| m.version.clone()),
                None => locked.versions(&dep.name).filter(|version| dep.req.matches(version)).max(),
            };
            if let Some(version) = version {
                versions.insert(krate.clone(), version);
            }
        }
        Ok(versions)
    }

    /// The declared dependency of `package` whose version decides that of the crate `krate`
    /// in its API (see [`Workspace::dependency_versions`]): `release` bumps a dependent whose
    /// API exposes a member through it.
    pub fn dependency_for_crate<'p>(&self, package: &'p Package, krate: &str) -> Result<Option<&'p Dependency>> {
        Ok(dependency_for_crate(package, &*self.lockfile()?, krate))
    }

    /// The member named `name`, or an error that lists the members.
    pub fn package(&self, name: &str) -> Result<&Package> {
        match self.members.iter().find(|p| p.name == name) {
            Some(package) => Ok(package),
            None => bail!(
                "no package `{name}` in the workspace at {}; its members are: {}",
                self.root.display(),
                self.members.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    /// Generates the rustdoc JSON of `packages`, with their default features, in one cargo run,
    /// into `target_dir` (the workspace's own target directory by default).
    pub fn rustdoc(&self, packages: &[&Package], target_dir: Option<&Path>) -> Result<Vec<PathBuf>> {
        self.rustdoc_with_features(packages, &BTreeMap::new(), target_dir)
    }

    /// The same workspace, documenting each package with its features resolved on its own
    /// (with or without its default features) instead of unified across the workspace: how a
    /// feature surface other than the default one is documented.
    pub fn for_surface(&self, default_features: bool) -> Workspace {
        Workspace { resolution: cargo::FeatureResolution::PerPackage { default_features }, ..self.clone() }
    }

    /// Whether each package is documented with its features resolved on its own (see
    /// [`Workspace::for_surface`]).
    pub fn resolves_per_package(&self) -> bool {
        self.per_package_default_features().is_some()
    }

    /// Where each package is documented with its features resolved on its own: whether its
    /// default features are on. `None` where features are unified across the workspace.
    pub fn per_package_default_features(&self) -> Option<bool> {
        match self.resolution {
            cargo::FeatureResolution::PerPackage { default_features } => Some(default_features),
            cargo::FeatureResolution::Workspace => None,
        }
    }

    /// [`Workspace::rustdoc`], with the features `features` names for a package on too.
    pub fn rustdoc_with_features(
        &self,
        packages: &[&Package],
        features: &BTreeMap<String, Vec<String>>,
        target_dir: Option<&Path>,
    ) -> Result<Vec<PathBuf>> {
        let paths: Vec<Mutex<Option<PathBuf>>> = packages.iter().map(|_| Mutex::default()).collect();
        self.rustdoc_each(packages, features, target_dir, &|| {}, &|index, documented| {
            *paths[index].lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(documented.json);
        })?;
        paths
            .into_iter()
            .map(|path| path.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()).context("cargo doc returned no rustdoc JSON"))
            .collect()
    }

    /// Generates the rustdoc JSON of `packages` in one cargo run, and calls `on_ready` with a
    /// package's index and JSON as soon as that package is documented, while cargo goes on
    /// with the others. On an error, drop what `on_ready` received. `underway` runs once, when
    /// cargo's own start is over (at its first unit, see [`cargo::ConfirmAt`]), unless the run
    /// fails first: work that would slow that start waits for it. Returns the features each
    /// member's library was built with in the run.
    pub(crate) fn rustdoc_each(
        &self,
        packages: &[&Package],
        features: &BTreeMap<String, Vec<String>>,
        target_dir: Option<&Path>,
        underway: &dyn Fn(),
        on_ready: &(dyn Fn(usize, cargo::Documented) + Sync),
    ) -> Result<cargo::LibraryFeatures> {
        let lock = self.lockfile()?;
        let targets = packages
            .iter()
            .map(|p| p.doc_target(features.get(&p.name).map(Vec::as_slice).unwrap_or_default(), lock.names_several(&p.name)))
            .collect::<Result<Vec<_>>>()?;
        let confirm = || {
            underway();
            match self.confirm()? {
                None => Ok(()),
                Some(_) => bail!("the workspace changed since the last check (cargo reads other manifests): this run is started again"),
            }
        };
        // Cargo reports the units the libraries it documents depend on (built, or found fresh)
        // before it documents them; without one, its first message is a documented package's.
        let confirm_at = if packages.iter().any(|p| p.dependencies.iter().any(|d| d.kind == DepKind::Normal && !d.optional)) {
            cargo::ConfirmAt::FirstUnit
        } else {
            cargo::ConfirmAt::Start
        };
        cargo::generate_rustdoc(&self.manifest_path, &targets, self.resolution, target_dir.unwrap_or(&self.target_dir), &confirm, confirm_at, on_ready)
    }

    /// `Cargo.lock` as it is now, parsed again only when its bytes changed (cargo may write it
    /// during a run). No lockfile is an empty one.
    pub fn lockfile(&self) -> Result<Arc<Lockfile>> {
        let path = self.root.join("Cargo.lock");
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(error) => return Err(error).with_context(|| format!("cannot read {}", path.display())),
        };
        let mut last = self.lockfile.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((read, parsed)) = last.as_ref()
            && *read == bytes
        {
            return Ok(parsed.clone());
        }
        let text = String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", path.display()))?;
        let parsed = Arc::new(Lockfile::parse(&path, &text)?);
        *last = Some((text.into_bytes(), parsed.clone()));
        Ok(parsed)
    }

    /// `rustc -vV` of the toolchain that documents the workspace.
    pub fn toolchain(&self) -> Result<&str> {
        self.toolchain.as_deref().map_err(|error| anyhow::anyhow!("{error}"))
    }
}

/// The declared normal dependency used under the crate name `krate`, or else the first that
/// re-exports it (depends on it directly in the lockfile).
fn dependency_for_crate<'p>(package: &'p Package, locked: &Lockfile, krate: &str) -> Option<&'p Dependency> {
    let normal = || package.dependencies.iter().filter(|d| d.kind == DepKind::Normal);
    normal().find(|d| d.crate_name() == krate).or_else(|| normal().find(|d| locked.depends_on(&d.name, &d.req, krate)))
}

/// `Cargo.lock`: the resolved packages.
#[derive(Debug)]
pub struct Lockfile {
    packages: Vec<LockedPackage>,
}

#[derive(Debug, Deserialize)]
struct LockedPackage {
    name: String,
    version: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

impl LockedPackage {
    fn describe(&self) -> String {
        format!(
            "{} {} {} {} [{}]",
            self.name,
            self.version,
            self.source.as_deref().unwrap_or("-"),
            self.checksum.as_deref().unwrap_or("-"),
            self.dependencies.join(", ")
        )
    }

    /// Whether a `dependencies` entry (`name`, `name version` or `name version (source)`)
    /// names this package.
    fn is(&self, reference: &str) -> bool {
        let mut parts = reference.splitn(3, ' ');
        let name = parts.next().unwrap_or_default();
        let version = parts.next();
        let source = parts.next().map(|s| s.trim_start_matches('(').trim_end_matches(')'));
        name == self.name
            && version.is_none_or(|v| v == self.version)
            && source.is_none_or(|s| self.source.as_deref() == Some(s))
    }
}

impl Lockfile {
    fn parse(path: &Path, text: &str) -> Result<Lockfile> {
        #[derive(Deserialize)]
        struct Document {
            #[serde(default)]
            package: Vec<LockedPackage>,
        }
        let document: Document =
            toml::from_str(text).map_err(|error| {
                anyhow::anyhow!("{} is not a valid lockfile: {}", path.display(), crate::input::toml_error(text, &error))
            })?;
        Ok(Lockfile { packages: document.package })
    }

    /// Whether a locked package `name` matching `req` depends, directly, on a package whose crate
    /// name is `krate`.
    fn depends_on(&self, name: &str, req: &semver::VersionReq, krate: &str) -> bool {
        self.packages
            .iter()
            .filter(|p| p.name == name && Version::parse(&p.version).is_ok_and(|v| req.matches(&v)))
            .any(|p| p.dependencies.iter().any(|reference| reference.split(' ').next().unwrap_or_default().replace('-', "_") == krate))
    }

    /// The locked versions of the package `name`.
    fn versions<'a>(&'a self, name: &'a str) -> impl Iterator<Item = Version> + 'a {
        self.packages.iter().filter(move |p| p.name == name).filter_map(|p| Version::parse(&p.version).ok())
    }

    /// The entries `package` resolves to through its non-dev dependencies named in `direct`,
    /// directly or not, described and sorted.
    /// Whether more than one package of the lockfile has the name `name`.
    pub(crate) fn names_several(&self, name: &str) -> bool {
        self.packages.iter().filter(|package| package.name == name).count() > 1
    }

    pub(crate) fn closure(&self, package: &Package, direct: &BTreeSet<&str>) -> Vec<String> {
        let version = package.version.to_string();
        let Some(own) = self.packages.iter().find(|p| p.name == package.name && p.version == version && p.source.is_none()) else {
            return Vec::new();
        };
        // By name: where the packages of that name are (a reference starts with the name).
        let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (index, locked) in self.packages.iter().enumerate() {
            by_name.entry(locked.name.as_str()).or_default().push(index);
        }
        let mut seen: BTreeSet<usize> = BTreeSet::new();
        let mut stack: Vec<&str> = own
            .dependencies
            .iter()
            .filter(|reference| direct.contains(reference.split(' ').next().unwrap_or_default()))
            .map(String::as_str)
            .collect();
        while let Some(reference) = stack.pop() {
            let name = reference.split(' ').next().unwrap_or_default();
            for &index in by_name.get(name).map(Vec::as_slice).unwrap_or_default() {
                if self.packages[index].is(reference) && seen.insert(index) {
                    stack.extend(self.packages[index].dependencies.iter().map(String::as_str));
                }
            }
        }
        let mut described: Vec<String> = seen.into_iter().map(|i| self.packages[i].describe()).collect();
        described.sort();
        described
    }
}
