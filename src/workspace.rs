//! The Cargo workspace: its members, their library targets, where things live.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use cargo_metadata::DependencyKind;
use semver::{Version, VersionReq};
use serde::{Deserialize, Serialize};

use crate::cargo::{self, DocTarget};

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
    /// Whether `publish = false` is absent.
    pub publishable: bool,
    /// Its declared dependencies.
    pub dependencies: Vec<Dependency>,
}

/// A declared dependency of a package.
#[derive(Debug, Clone)]
pub struct Dependency {
    /// The package name depended on.
    pub name: String,
    /// The name it is used under, when renamed.
    pub rename: Option<String>,
    pub kind: DepKind,
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

impl Package {
    /// The library to document with `features` on besides the default ones, or an error saying
    /// this package has none.
    pub fn doc_target(&self, features: &[String]) -> Result<DocTarget> {
        match &self.lib_crate {
            Some(crate_name) => {
                Ok(DocTarget { package: self.name.clone(), crate_name: crate_name.clone(), features: features.to_vec() })
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
        // The toolchain probe runs beside `cargo metadata`: on a warm run the two are most of
        // apicheck's time.
        let probe_dir = match manifest_path {
            Some(path) => path.parent().map(Path::to_path_buf).unwrap_or_default(),
            None => PathBuf::from("."),
        };
        let probe_dir = if probe_dir.as_os_str().is_empty() { PathBuf::from(".") } else { probe_dir };
        let (metadata, toolchain) = std::thread::scope(|scope| {
            let probe = scope.spawn(|| cargo::toolchain(&probe_dir).map_err(|error| format!("{error:#}")));
            let metadata = cargo::metadata(manifest_path);
            (metadata, probe.join().unwrap_or_else(|_| Err("the toolchain probe panicked".to_string())))
        });
        let metadata = metadata?;
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
                let lib_crate = package
                    .targets
                    .iter()
                    .find(|target| target.is_lib() || target.is_proc_macro() || target.is_rlib())
                    .map(|target| target.name.replace('-', "_"));
                Package {
                    name: package.name.to_string(),
                    version: package.version.clone(),
                    dir: manifest_path.parent().map(Path::to_path_buf).unwrap_or_default(),
                    manifest_path,
                    lib_crate,
                    publishable: package.publish.as_ref().is_none_or(|registries| !registries.is_empty()),
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
    /// the requirement) for the others. Crates it cannot place are left out.
    pub fn dependency_versions(&self, package: &Package, crates: &[String]) -> Result<std::collections::BTreeMap<String, Version>> {
        #[derive(Deserialize)]
        struct Lock {
            #[serde(default)]
            package: Vec<Locked>,
        }
        #[derive(Deserialize)]
        struct Locked {
            name: String,
            version: Version,
        }
        let lock_path = self.root.join("Cargo.lock");
        let locked: Vec<Locked> = match std::fs::read_to_string(&lock_path) {
            Ok(text) => toml::from_str::<Lock>(&text)
                .map_err(|error| anyhow::anyhow!("cannot read {}: {error}", lock_path.display()))?
                .package,
            Err(_) => Vec::new(),
        };
        let mut versions = std::collections::BTreeMap::new();
        for krate in crates {
            let Some(dep) = package.dependencies.iter().find(|d| d.kind == DepKind::Normal && &d.crate_name() == krate) else {
                continue;
            };
            let version = match &dep.member {
                Some(member) => self.members.iter().find(|m| &m.name == member).map(|m| m.version.clone()),
                None => locked.iter().filter(|l| l.name == dep.name && dep.req.matches(&l.version)).map(|l| l.version.clone()).max(),
            };
            if let Some(version) = version {
                versions.insert(krate.clone(), version);
            }
        }
        Ok(versions)
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

    /// [`Workspace::rustdoc`], with the features `features` names for a package on too.
    pub fn rustdoc_with_features(
        &self,
        packages: &[&Package],
        features: &BTreeMap<String, Vec<String>>,
        target_dir: Option<&Path>,
    ) -> Result<Vec<PathBuf>> {
        let targets = packages
            .iter()
            .map(|p| p.doc_target(features.get(&p.name).map(Vec::as_slice).unwrap_or_default()))
            .collect::<Result<Vec<_>>>()?;
        cargo::generate_rustdoc(&self.manifest_path, &targets, target_dir.unwrap_or(&self.target_dir))
    }

    /// `rustc -vV` of the toolchain that documents the workspace.
    pub fn toolchain(&self) -> Result<&str> {
        self.toolchain.as_deref().map_err(|error| anyhow::anyhow!("{error}"))
    }
}
