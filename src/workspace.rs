//! The Cargo workspace: its members, their library targets, where things live.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use semver::Version;

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
}

impl Package {
    /// The library to document, or an error saying this package has none.
    pub fn doc_target(&self) -> Result<DocTarget> {
        match &self.lib_crate {
            Some(crate_name) => Ok(DocTarget { package: self.name.clone(), crate_name: crate_name.clone() }),
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
        let metadata = cargo::metadata(manifest_path)?;
        let root = metadata.workspace_root.clone().into_std_path_buf();
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
        })
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

    /// Generates the rustdoc JSON of `packages` in one cargo run, into `target_dir` (the
    /// workspace's own target directory by default).
    pub fn rustdoc(&self, packages: &[&Package], target_dir: Option<&Path>) -> Result<Vec<PathBuf>> {
        let targets = packages.iter().map(|p| p.doc_target()).collect::<Result<Vec<_>>>()?;
        cargo::generate_rustdoc(&self.manifest_path, &targets, target_dir.unwrap_or(&self.target_dir))
    }
}
