//! The cache of current APIs and diffs, in `<target-dir>/apicheck/cache/<package>/`, so that a
//! package whose inputs did not change costs no rustdoc run and no lints.
//!
//! A package's rustdoc JSON is a function of its *inputs*: the files in its directory
//! (sources, manifest, build script), the non-member path dependencies' files, the entries of
//! `Cargo.lock` it resolves to, the inputs of the workspace members it depends on (normal and
//! build edges), the root manifest outside `[workspace.metadata]`, `.cargo/config.toml`, the
//! rustc/rustdoc flags in the environment, the toolchain (`rustc -vV`) and the features checked.
//! The *input key* is a SHA-256 over all of them, and the apicheck version.
//!
//! Each package has one entry, replaced when its key changes:
//!
//! - `api.json`: the API model, with the rustdoc format and the SHA-256 of `rustdoc.json`;
//! - `rustdoc.json`: the rustdoc JSON, for the lints and for recording baselines;
//! - `inputs.json`: the keys, the API fingerprint, the model's outline (what the governance
//!   rules read of it), the SHA-256 of `rustdoc.json`, and what else the documentation read, by
//!   the compiler's dep-info (see `ExtraInputs`), with the SHA-256 of each file and environment
//!   variable value;
//! - `diff.json`: the findings against a baseline, keyed by the input key and the baseline's
//!   bytes (and whether the lints ran);
//! - `shapes.json`, for a package others depend on: the shape of each of its Rust files when it
//!   was documented (see `engine::source_shape`), to guess whether a change is public before
//!   cargo runs. A guess schedules cargo runs; it is never part of a key.
//!
//! An entry is used only when `inputs.json` parses, has this schema, names the package and
//! carries the key, every file and variable it records is unchanged, and `api.json` and
//! `rustdoc.json` have the sizes it recorded. Anything else is ignored and rebuilt. A hit reads
//! nothing more until it needs to: the model when a comparison or a recording needs it, only
//! when `api.json` says it was built from the `rustdoc.json` the inputs entry recorded;
//! `rustdoc.json` when the lints read it, only while its hash is the one recorded. A file that
//! fails these checks (damaged without changing its size) is an error that drops the entry:
//! the cache can make a run faster, never change its result. A package whose dep-info cannot be read gets
//! no `inputs.json`, so it is documented again on every run.
//!
//! Not inputs: the features that other packages documented in the same cargo run turn on in a
//! shared dependency; files and variables a procedural macro reads without telling the compiler.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::ApiDiff;
use crate::store::baseline::{BaselineSummary, Baselines, write_replacing};
use crate::workspace::cargo::{Documented, LibraryFeatures};
use crate::workspace::depinfo::{self, Unit};
use crate::engine::model::{ApiModel, ApiOutline};
use crate::engine::rustdoc::rustdoc_from_text;
use crate::input::read_text;
use crate::workspace::{DepKind, Lockfile, Package, Workspace};

/// Version of the cache entries' layout and contents; entries of another are ignored. 4: the
/// findings of apicheck's rules carry their reference, which entries of 3 lack. 5: entries
/// record the features a package was documented with and its `sourced` dependencies, and
/// findings are keyed by the API fingerprint. 6: `inputs.json` holds what a hit needs (the
/// rustdoc JSON's hash and format, the model's outline), and `api.json` holds no key. 7: on a
/// feature surface, a package's key holds the fingerprints of the members below it as its run
/// built them (see `gate/contexts.rs`), and its entry what that run built.
const CACHE_SCHEMA: u32 = 7;

const API_FILE: &str = "api.json";
const RUSTDOC_FILE: &str = "rustdoc.json";
const DIFF_FILE: &str = "diff.json";
const INPUTS_FILE: &str = "inputs.json";
const SHAPES_FILE: &str = "shapes.json";

/// The environment variables that change what rustdoc emits.
const FLAG_VARIABLES: [&str; 4] = ["RUSTDOCFLAGS", "CARGO_ENCODED_RUSTDOCFLAGS", "RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS"];

/// What the cache keys of a set of packages documented together are made of.
///
/// A package's *source key* hashes its own inputs and chains the source keys of the members
/// it depends on: any change below it changes it. Its *own key* hashes its own inputs and the
/// source keys of the members below it (directly or not) *except* those whose API
/// fingerprint stands for them (see [`fingerprint_stands_in`]). Its *key* is the own key and,
/// for each of those, the member's API fingerprint: a private change below it changes no key
/// above.
///
/// Where features are unified across the workspace (the default surface), the members whose
/// fingerprint stands in are those of the set documented together. Where each package is
/// resolved on its own (the other surfaces), every member below a package is one: its
/// fingerprint as the package's run built it comes from outside the set (see
/// `gate/contexts.rs`), and these are the set's *external* dependencies.
#[derive(Debug, Clone)]
pub struct KeyInputs {
    own: BTreeMap<String, String>,
    source: BTreeMap<String, String>,
    /// By package: the members below it whose fingerprint stands in its key, sorted.
    fingerprinted: BTreeMap<String, Vec<String>>,
    /// The packages of the set.
    in_set: BTreeSet<String>,
    /// The packages, every one after the members it depends on.
    dependencies_first: Vec<String>,
}

impl KeyInputs {
    /// The own key of `package` (one of the set).
    pub fn own_key(&self, package: &str) -> &str {
        &self.own[package]
    }

    /// The packages, every one after the members of the set it depends on.
    pub fn dependencies_first(&self) -> &[String] {
        &self.dependencies_first
    }

    /// The members of the set whose API fingerprint stands in the key of `package`.
    pub fn fingerprinted_dependencies(&self, package: &str) -> &[String] {
        self.fingerprinted.get(package).map(Vec::as_slice).unwrap_or_default()
    }

    /// The fingerprinted dependencies of `package` that are not in the set: their fingerprint
    /// comes from elsewhere (see [`KeyInputs`]).
    pub fn external_dependencies<'s>(&'s self, package: &str) -> impl Iterator<Item = &'s String> {
        self.fingerprinted_dependencies(package).iter().filter(|dependency| !self.in_set.contains(*dependency))
    }

    /// Whether the fingerprint of `package` stands in the key of another package of the set.
    pub fn has_fingerprinted_dependents(&self, package: &str) -> bool {
        self.fingerprinted.values().any(|dependencies| dependencies.iter().any(|dependency| dependency == package))
    }

    /// The key of `package`: its own key and, for each of its fingerprinted dependencies, the
    /// dependency's fingerprint, or its source key when it is one of `sourced` (the
    /// dependencies whose fingerprint does not stand for what the package's documentation saw
    /// of them; see [`Self::sourced_dependencies`]). `None` while a fingerprint it needs is not in
    /// `fingerprints`.
    pub fn key(&self, package: &str, sourced: &[String], fingerprints: &BTreeMap<String, String>) -> Option<String> {
        let mut hasher = Sha256::new();
        field(&mut hasher, "own", self.own[package].as_bytes());
        for dependency in self.fingerprinted_dependencies(package) {
            if sourced.contains(dependency) {
                field(&mut hasher, "source", self.source[dependency].as_bytes());
            } else {
                field(&mut hasher, "fingerprint", fingerprints.get(dependency)?.as_bytes());
            }
            field(&mut hasher, "of", dependency.as_bytes());
        }
        Some(hex(&hasher.finalize()))
    }

    /// The fingerprinted dependencies in the set of a just documented `package` whose source
    /// key must stand in its key instead of their fingerprint: all of them when its
    /// documentation evaluates constants (whose values can follow from a dependency's private
    /// code), else each whose library the run built with other features than those its
    /// fingerprint was taken with (`documented_features`, by package), or with more than one
    /// feature set. One the run did not build (an optional dependency that is off) the package
    /// did not see: its fingerprint stays, which can only make the key change more often.
    /// (The external ones: see `gate/contexts.rs`.)
    pub(crate) fn sourced_dependencies(
        &self,
        package: &str,
        evaluates_constants: bool,
        built: &LibraryFeatures,
        documented_features: &BTreeMap<String, Option<Vec<String>>>,
    ) -> Vec<String> {
        self.fingerprinted_dependencies(package)
            .iter()
            .filter(|dependency| self.in_set.contains(*dependency))
            .filter(|dependency| {
                evaluates_constants
                    || built.built(dependency) && {
                        let fingerprinted_with = documented_features.get(dependency.as_str()).and_then(Option::as_deref);
                        fingerprinted_with.is_none() || built.only_set(dependency) != fingerprinted_with
                    }
            })
            .cloned()
            .collect()
    }
}

/// Whether the API fingerprint of `member`, documented in the same set as the package that
/// depends on it, can stand for it in that package's key: only when what the package sees of
/// it is what its own documentation shows. Not for a procedural macro (its dependents see what
/// its code does); and only when the package reaches it through normal edges (a build script
/// runs the code of what it depends on). Features are settled per run: a fingerprint taken
/// with other features than the package's documentation saw does not stand in (see
/// [`KeyInputs::sourced_dependencies`]).
fn fingerprint_stands_in(member: &Package, reached_through_normal_edges: bool) -> bool {
    reached_through_normal_edges && !member.is_proc_macro
}

/// The members `package` depends on, directly or not (not itself), along [`library_edges`],
/// or only along normal edges.
fn members_below<'w>(workspace: &'w Workspace, package: &'w Package, only_normal_edges: bool) -> BTreeSet<&'w str> {
    let mut below: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&Package> = vec![package];
    while let Some(current) = stack.pop() {
        for edge in library_edges(current).filter(|edge| !only_normal_edges || edge.kind == DepKind::Normal) {
            if let Some(member) = &edge.member
                && let Ok(member) = workspace.package(member)
                && member.name != package.name
                && below.insert(member.name.as_str())
            {
                stack.push(member);
            }
        }
    }
    below
}

/// The digests of source trees (see [`hash_tree`]), each read and hashed once however many
/// times it is asked for: one check keys every feature surface of every package, and each
/// surface's run keys its packages one by one, over the same members' directories. Made for
/// one command and dropped with it, as files change between commands.
#[derive(Debug, Default)]
pub struct TreeDigests {
    by_dir: Mutex<BTreeMap<PathBuf, Arc<OnceLock<Result<String, String>>>>>,
}

impl TreeDigests {
    /// The digest of the tree under `dir`. Threads asking for the same tree at the same time
    /// wait for one of them to hash it.
    pub(crate) fn digest(&self, dir: &Path) -> Result<String> {
        let slot = self.by_dir.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).entry(dir.to_path_buf()).or_default().clone();
        slot.get_or_init(|| {
            let mut hasher = Sha256::new();
            hash_tree(&mut hasher, dir).map(|()| hex(&hasher.finalize())).map_err(|error| format!("{error:#}"))
        })
        .clone()
        .map_err(anyhow::Error::msg)
    }
}

/// The key inputs of `packages`, documented together; `trees` holds the source trees already
/// hashed by this command.
pub fn input_keys(workspace: &Workspace, packages: &[&Package], features: &BTreeMap<String, Vec<String>>, trees: &TreeDigests) -> Result<KeyInputs> {
    let shared = shared_inputs(workspace)?;
    let lock = workspace.lockfile()?;
    // Every member the selected packages depend on, directly or not, has its own inputs hashed
    // once; the source keys then chain through the dependency edges.
    let needed: BTreeSet<&str> = members_reached(workspace, packages).into_iter().map(|p| p.name.as_str()).collect();
    let own_inputs: BTreeMap<&str, String> = needed
        .par_iter()
        .map(|name| {
            let package = workspace.package(name)?;
            let digest = own_inputs(workspace, &lock, package, features.get(*name).map(Vec::as_slice).unwrap_or_default(), trees)?;
            Ok((*name, digest))
        })
        .collect::<Result<_>>()?;
    let mut source: BTreeMap<String, String> = BTreeMap::new();
    for package in packages {
        chained_key(workspace, &shared, &own_inputs, package, &mut source, &mut Vec::new())?;
    }
    let in_set = |name: &str| packages.iter().any(|p| p.name == name);
    let external = workspace.resolves_per_package();
    let mut own = BTreeMap::new();
    let mut fingerprinted = BTreeMap::new();
    for package in packages {
        let mut hasher = Sha256::new();
        field(&mut hasher, "shared", shared.as_bytes());
        field(&mut hasher, "own", own_inputs[package.name.as_str()].as_bytes());
        // Every member below, not only the direct ones: a member's rustdoc JSON does not hold
        // the items it re-exports from the members below it, which its dependents see.
        let through_normal_edges = members_below(workspace, package, true);
        let mut standing_in = Vec::new();
        for member in members_below(workspace, package, false) {
            if (external || in_set(member)) && fingerprint_stands_in(workspace.package(member)?, through_normal_edges.contains(member)) {
                standing_in.push(member.to_string());
            } else {
                field(&mut hasher, member, source[member].as_bytes());
            }
        }
        own.insert(package.name.clone(), hex(&hasher.finalize()));
        fingerprinted.insert(package.name.clone(), standing_in);
    }
    let mut dependencies_first = Vec::new();
    for package in packages {
        push_dependencies_first(&package.name, &fingerprinted, &mut dependencies_first);
    }
    let in_set = packages.iter().map(|p| p.name.clone()).collect();
    Ok(KeyInputs { own, source, fingerprinted, in_set, dependencies_first })
}

/// The members `package` depends on along [`library_edges`], sorted.
fn member_dependencies(package: &Package) -> BTreeSet<&str> {
    library_edges(package).filter_map(|dependency| dependency.member.as_deref()).collect()
}

/// Appends `package` to `order` after the members it depends on (the graph has no cycle:
/// [`chained_key`] refused it).
fn push_dependencies_first(package: &str, fingerprinted: &BTreeMap<String, Vec<String>>, order: &mut Vec<String>) {
    if order.iter().any(|done| done == package) {
        return;
    }
    for dependency in fingerprinted.get(package).map(Vec::as_slice).unwrap_or_default() {
        push_dependencies_first(dependency, fingerprinted, order);
    }
    order.push(package.to_string());
}

/// `packages` and the workspace members they depend on, directly or not, along
/// [`library_edges`].
fn members_reached<'w>(workspace: &'w Workspace, packages: &[&'w Package]) -> Vec<&'w Package> {
    let mut reached: Vec<&Package> = Vec::new();
    let mut stack: Vec<&Package> = packages.to_vec();
    while let Some(package) = stack.pop() {
        if !reached.iter().any(|seen| seen.name == package.name) {
            reached.push(package);
            for dependency in library_edges(package) {
                if let Some(member) = &dependency.member
                    && let Ok(member) = workspace.package(member)
                {
                    stack.push(member);
                }
            }
        }
    }
    reached
}

/// The edges along which a package's library sees another crate.
fn library_edges(package: &Package) -> impl Iterator<Item = &crate::workspace::Dependency> {
    package.dependencies.iter().filter(|d| d.kind != DepKind::Dev)
}

fn chained_key(
    workspace: &Workspace,
    shared: &str,
    own: &BTreeMap<&str, String>,
    package: &Package,
    keys: &mut BTreeMap<String, String>,
    path: &mut Vec<String>,
) -> Result<String> {
    if let Some(key) = keys.get(&package.name) {
        return Ok(key.clone());
    }
    if path.contains(&package.name) {
        anyhow::bail!("the workspace's packages depend on each other in a cycle: {} -> {}", path.join(" -> "), package.name);
    }
    path.push(package.name.clone());
    let mut hasher = Sha256::new();
    field(&mut hasher, "shared", shared.as_bytes());
    field(&mut hasher, "own", own[package.name.as_str()].as_bytes());
    for member in member_dependencies(package) {
        let key = chained_key(workspace, shared, own, workspace.package(member)?, keys, path)?;
        field(&mut hasher, member, key.as_bytes());
    }
    path.pop();
    let key = hex(&hasher.finalize());
    keys.insert(package.name.clone(), key.clone());
    Ok(key)
}

/// What every package's key includes: apicheck, the toolchain, the flags, the root manifest
/// (but its `[workspace.metadata]`, which is apicheck's own configuration), cargo's config, and
/// the feature declarations of every member (cargo unifies features across the workspace).
fn shared_inputs(workspace: &Workspace) -> Result<String> {
    let mut hasher = Sha256::new();
    field(&mut hasher, "schema", &CACHE_SCHEMA.to_le_bytes());
    field(&mut hasher, "apicheck", env!("CARGO_PKG_VERSION").as_bytes());
    let toolchain = workspace.toolchain().context("cannot tell which toolchain documents the workspace")?;
    field(&mut hasher, "toolchain", toolchain.as_bytes());
    for variable in FLAG_VARIABLES {
        field(&mut hasher, variable, std::env::var_os(variable).unwrap_or_default().as_encoded_bytes());
    }
    let manifest_text = fs::read_to_string(&workspace.manifest_path)
        .with_context(|| format!("cannot read {}", workspace.manifest_path.display()))?;
    let mut manifest: toml::Table = toml::from_str(&manifest_text)
        .map_err(|error| {
            anyhow::anyhow!("{} is not valid TOML: {}", workspace.manifest_path.display(), crate::input::toml_error(&manifest_text, &error))
        })?;
    if let Some(toml::Value::Table(table)) = manifest.get_mut("workspace") {
        table.remove("metadata");
    }
    field(&mut hasher, "manifest", manifest.to_string().as_bytes());
    for member in &workspace.members {
        field(&mut hasher, &member.name, member.feature_declarations.as_bytes());
    }
    for config in [".cargo/config.toml", ".cargo/config"] {
        if let Ok(bytes) = fs::read(workspace.root.join(config)) {
            field(&mut hasher, config, &bytes);
        }
    }
    Ok(hex(&hasher.finalize()))
}

/// A package's own inputs: its directory, its path dependencies outside the workspace, its
/// `Cargo.lock` entries, its features.
fn own_inputs(workspace: &Workspace, lock: &Lockfile, package: &Package, features: &[String], trees: &TreeDigests) -> Result<String> {
    let mut hasher = Sha256::new();
    let relative = package.dir.strip_prefix(&workspace.root).unwrap_or(&package.dir);
    field(&mut hasher, "dir", relative.as_os_str().as_encoded_bytes());
    let mut features = features.to_vec();
    features.sort();
    field(&mut hasher, "features", features.join(",").as_bytes());
    field(&mut hasher, "tree", trees.digest(&package.dir)?.as_bytes());
    for dependency in library_edges(package) {
        if let (None, Some(path)) = (&dependency.member, &dependency.path) {
            field(&mut hasher, "path dependency", dependency.name.as_bytes());
            field(&mut hasher, "tree", trees.digest(path)?.as_bytes());
        }
    }
    let direct: BTreeSet<&str> = library_edges(package).map(|d| d.name.as_str()).collect();
    for entry in lock.closure(package, &direct) {
        field(&mut hasher, "locked", entry.as_bytes());
    }
    Ok(hex(&hasher.finalize()))
}

/// Hashes every file under `dir` (relative path and contents, in path order), but `target`,
/// hidden directories and nested packages, which are inputs of their own.
fn hash_tree(hasher: &mut Sha256, dir: &Path) -> Result<()> {
    let mut files = Vec::new();
    collect_files(dir, dir, &mut files)?;
    files.sort();
    for (relative, path) in files {
        let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        field(hasher, &relative, &bytes);
    }
    Ok(())
}

fn collect_files(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) -> Result<()> {
    let entries = fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        let path = entry.path();
        let name = entry.file_name();
        let kind = entry.file_type().with_context(|| format!("cannot read {}", path.display()))?;
        if kind.is_dir() {
            if !is_skipped_dir(&path, &name) {
                collect_files(root, &path, files)?;
            }
        } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            files.push((relative, path));
        }
    }
    Ok(())
}

/// The directories [`hash_tree`] leaves out: `target`, hidden ones, nested packages.
fn is_skipped_dir(path: &Path, name: &std::ffi::OsStr) -> bool {
    name == "target" || name.to_string_lossy().starts_with('.') || path.join("Cargo.toml").is_file()
}

/// Whether [`hash_tree`] of `dir` hashes `file` (an absolute path free of `..`).
fn tree_covers(dir: &Path, file: &Path) -> bool {
    let Ok(relative) = file.strip_prefix(dir) else { return false };
    let mut parent = dir.to_path_buf();
    let mut components = relative.components().peekable();
    while let Some(component) = components.next() {
        if components.peek().is_none() {
            return true;
        }
        parent.push(component);
        if is_skipped_dir(&parent, component.as_os_str()) {
            return false;
        }
    }
    false
}

/// What a package's documentation read that its input key does not hash, by the compiler's
/// dep-info (see `depinfo.rs`): files outside the directories of the package and of the
/// members it depends on (`include!("../../x")`, `#[path]`, code a build script generated, a
/// build script's `rerun-if-changed` file), and environment variables (`env!`, `option_env!`,
/// `rerun-if-env-changed`). A cached entry is used only while each is as recorded.
///
/// Variables are taken from apicheck's environment: cargo hands its own to rustdoc, adding
/// the variables it sets itself (`CARGO_PKG_*`, `OUT_DIR`...), which follow from the manifest
/// and the target directory rather than from the environment.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ExtraInputs {
    /// By path: the SHA-256 of the file (of its tree, for a directory), `None` when absent.
    files: BTreeMap<PathBuf, Option<String>>,
    /// By name: the SHA-256 of the value, `None` when unset.
    env: BTreeMap<String, Option<String>>,
}

impl ExtraInputs {
    /// What the documentation of `package` in `target_dir` read, as the dep-info of its
    /// documentation and of the check builds of the members it depends on name it, each
    /// fingerprinted now. A member it declares but the run did not build (an optional
    /// dependency that is off) was not read.
    fn read(workspace: &Workspace, target_dir: &Path, package: &Package, documented: &Documented) -> Result<ExtraInputs> {
        let members = members_reached(workspace, &[package]);
        let mut read = depinfo::read_inputs(target_dir, &workspace.root, package, Unit::Doc)?;
        for member in members.iter().filter(|member| member.name != package.name && documented.built_packages.contains(&member.name)) {
            read.extend(depinfo::read_inputs(target_dir, &workspace.root, member, Unit::Check)?);
        }
        let mut inputs = ExtraInputs::default();
        for file in read.files {
            if !members.iter().any(|member| tree_covers(&member.dir, &file)) {
                let fingerprint = path_fingerprint(&file)?;
                inputs.files.insert(file, fingerprint);
            }
        }
        for name in read.env {
            let fingerprint = env_fingerprint(&name);
            inputs.env.insert(name, fingerprint);
        }
        Ok(inputs)
    }

    /// Whether every file and variable is still as recorded.
    fn unchanged(&self) -> bool {
        self.files.iter().all(|(path, recorded)| path_fingerprint(path).ok().as_ref() == Some(recorded))
            && self.env.iter().all(|(name, recorded)| env_fingerprint(name) == *recorded)
    }
}

/// The SHA-256 of a file's contents, or of a directory's tree; `None` when there is nothing at
/// `path`.
fn path_fingerprint(path: &Path) -> Result<Option<String>> {
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error).with_context(|| format!("cannot read {}", path.display())),
    };
    if metadata.is_dir() {
        let mut hasher = Sha256::new();
        hash_tree(&mut hasher, path)?;
        return Ok(Some(hex(&hasher.finalize())));
    }
    let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Some(hex(&Sha256::digest(&bytes))))
}

fn env_fingerprint(name: &str) -> Option<String> {
    std::env::var_os(name).map(|value| hex(&Sha256::digest(value.as_encoded_bytes())))
}

/// Feeds `name`, then `bytes`, each with its length, so that no two sequences of fields hash
/// alike.
fn field(hasher: &mut Sha256, name: &str, bytes: &[u8]) {
    hasher.update((name.len() as u64).to_le_bytes());
    hasher.update(name.as_bytes());
    hasher.update((bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

/// A name for a list of names (a directory per feature set): the start of the SHA-256 of its
/// fields.
pub(crate) fn list_digest(list: &[String]) -> String {
    let mut hasher = Sha256::new();
    for item in list {
        field(&mut hasher, "item", item.as_bytes());
    }
    hex(&hasher.finalize()[..8])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_file(path: &Path) -> Option<String> {
    let bytes = fs::read(path).ok()?;
    Some(hex(&Sha256::digest(&bytes)))
}

/// The API fingerprint of a documented package: a SHA-256 of everything the documentation of
/// a package that depends on it can see of it. That is its name and version; its API model
/// (every item at every public path, with its signature, span, `#[doc(hidden)]`, and the
/// impls of its types, the auto trait impls rustdoc synthesised from their fields included);
/// the crates of its graph; and, for every item of its rustdoc JSON that another crate can name or that belongs to an
/// impl or trait (public or default visibility, private types' impls included), the rest of
/// what rustdoc recorded: its docs, attributes, deprecation, where it starts, the names it
/// links, and its contents with the rustdoc ids (which renumber when a private item comes or
/// goes) left out, and the references to private items dropped (see [`canonical_item`]). A
/// private item, a private field's name, a function's body are not in it; what they change
/// that a dependent can see (an auto trait, a constant's value) is. And the features it was
/// documented with: the fingerprint stands for the package built with those.
///
/// `digests` are `krate`'s [`item_digests`]. Returned with whether the JSON evaluates
/// constants (see [`holds_evaluated_value`]): both read every item another crate sees,
/// serialised once for the two.
fn api_fingerprint(
    package: &Package,
    model_json: &[u8],
    digests: Vec<([u8; 32], bool)>,
    krate: &rustdoc_types::Crate,
    features: Option<&[String]>,
) -> (String, bool) {
    let mut hasher = Sha256::new();
    field(&mut hasher, "package", package.name.as_bytes());
    field(&mut hasher, "version", package.version.to_string().as_bytes());
    match features {
        Some(features) => field(&mut hasher, "features", features.join(",").as_bytes()),
        None => field(&mut hasher, "features unknown", &[]),
    }
    field(&mut hasher, "model", model_json);
    let evaluates_constants = digests.iter().any(|(_, evaluated)| *evaluated);
    let mut items: Vec<[u8; 32]> = digests.into_iter().map(|(digest, _)| digest).collect();
    items.sort_unstable();
    for item in items {
        field(&mut hasher, "item", &item);
    }
    // A dependent's JSON names every crate of the graph, its dependencies' dependencies too.
    let mut crates: Vec<String> = krate.external_crates.values().map(|external| format!("{} {:?}", external.name, external.html_root_url)).collect();
    crates.sort();
    field(&mut hasher, "external crates", crates.join("\n").as_bytes());
    (hex(&hasher.finalize()), evaluates_constants)
}

/// Drops `value` on the thread pool: freeing the parsed rustdoc JSON or the model of a big
/// crate takes milliseconds (tens of thousands of allocations) that whoever needs the result
/// next should not wait for. What is still queued when the process exits is never freed, which
/// costs nothing.
pub(crate) fn free_in_background<T: Send + 'static>(value: T) {
    rayon::spawn(move || drop(value));
}

/// For every item of `krate` another crate sees, in no particular order: the SHA-256 of its
/// [`canonical_item`] form, and whether it holds an evaluated value (see
/// [`holds_evaluated_value`]).
fn item_digests(krate: &rustdoc_types::Crate) -> Result<Vec<([u8; 32], bool)>> {
    let unreachable = impls_of_private_types(krate);
    let private = |id: u32| krate.index.get(&rustdoc_types::Id(id)).is_some_and(|item| !seen_across_crates(item));
    // Each worker serialises into buffers of its own, reused from item to item.
    let item_digest = |(json, tokens): &mut (Vec<u8>, Vec<u8>), (id, item): (&rustdoc_types::Id, &rustdoc_types::Item)| -> Result<([u8; 32], bool)> {
        json.clear();
        serde_json::to_writer(&mut *json, item).context("cannot serialise a rustdoc item")?;
        tokens.clear();
        let reads_evaluated = canonical_item(json, &private, tokens)?;
        // Only the few items with a key it reads build a `Value`.
        let evaluated = reads_evaluated
            && !unreachable.contains(id)
            && holds_evaluated_value(&serde_json::to_value(&item.inner).context("cannot serialise a rustdoc item")?);
        Ok((Sha256::digest(&tokens).into(), evaluated))
    };
    krate.index.par_iter().filter(|(_, item)| seen_across_crates(item)).map_init(|| (Vec::new(), Vec::new()), item_digest).collect()
}

/// Whether another crate can see `item` in the rustdoc JSON of its crate: it is public, or
/// has no visibility of its own (impls, their items, trait items, variants).
fn seen_across_crates(item: &rustdoc_types::Item) -> bool {
    matches!(item.visibility, rustdoc_types::Visibility::Public | rustdoc_types::Visibility::Default)
}

/// The keys of an item's contents [`holds_evaluated_value`] looks into, as serialised.
const EVALUATED_KEYS: [&[u8]; 4] = [b"\"array\"", b"\"const\"", b"\"constant\"", b"\"discriminant\""];

/// Writes to `tokens` what the fingerprint hashes of a rustdoc item, from `json`, the item
/// serialised by serde_json (compact, the fields in their declared order). Returns whether
/// its contents (`inner`) have a key [`holds_evaluated_value`] reads (a discriminant that is
/// not `null`): only then can it answer yes.
///
/// What it writes: every field of the item but `id` (the item's own id), its `span` without
/// `end` (a module's end moves with every item appended to it), its `links` as the names
/// linked, sorted, without their targets (ids). Within `inner`, every number is a rustdoc
/// id (see [`rustdoc_types::Id`]): it becomes `null`, and a list drops the elements that are
/// the id of an item of the crate no other crate sees (`private`). Elsewhere a number
/// (`crate_id`, the span's line and column) stays.
///
/// The form is the JSON without its `,` and `:` separators, each number followed by a
/// space: each token tells where it ends (a string at its closing quote, a number at the
/// space), so the form reads back one way, and a dropped element leaves no trace. Strings are
/// copied as serde_json escaped them.
fn canonical_item(json: &[u8], private: &impl Fn(u32) -> bool, tokens: &mut Vec<u8>) -> Result<bool> {
    let mut scanner = Scanner { json, at: 0, private, tokens, reads_evaluated: false };
    scanner.item()?;
    if scanner.at != json.len() {
        return Err(scanner.malformed());
    }
    Ok(scanner.reads_evaluated)
}

/// Reads serde_json's compact output, writing [`canonical_item`]'s form as it goes.
struct Scanner<'a, P> {
    json: &'a [u8],
    at: usize,
    private: &'a P,
    tokens: &'a mut Vec<u8>,
    reads_evaluated: bool,
}

impl<'a, P: Fn(u32) -> bool> Scanner<'a, P> {
    fn malformed(&self) -> anyhow::Error {
        anyhow::anyhow!(
            "cannot read a rustdoc item as serialised by serde_json at byte {} of {}: this is a bug in apicheck, please report it",
            self.at,
            self.json.len()
        )
    }

    fn peek(&self) -> Result<u8> {
        self.json.get(self.at).copied().ok_or_else(|| self.malformed())
    }

    fn expect(&mut self, byte: u8) -> Result<()> {
        if self.peek()? != byte {
            return Err(self.malformed());
        }
        self.at += 1;
        Ok(())
    }

    fn emit(&mut self, bytes: &[u8]) {
        self.tokens.extend_from_slice(bytes);
    }

    /// The top level: an object whose fields are read as [`canonical_item`] says.
    fn item(&mut self) -> Result<()> {
        self.emit(b"{");
        self.fields(|scanner, key| match key {
            b"\"id\"" => scanner.skip(),
            b"\"span\"" if scanner.peek()? == b'{' => {
                scanner.emit(key);
                scanner.emit(b"{");
                scanner.fields(|scanner, key| match key {
                    b"\"end\"" => scanner.skip(),
                    _ => {
                        scanner.emit(key);
                        scanner.value(false)
                    }
                })?;
                scanner.emit(b"}");
                Ok(())
            }
            b"\"links\"" if scanner.peek()? == b'{' => {
                scanner.emit(key);
                let mut names = Vec::new();
                scanner.fields(|scanner, name| {
                    names.push(name);
                    scanner.skip()
                })?;
                names.sort_unstable();
                scanner.emit(b"[");
                names.into_iter().for_each(|name| scanner.emit(name));
                scanner.emit(b"]");
                Ok(())
            }
            b"\"inner\"" => {
                scanner.emit(key);
                scanner.value(true)
            }
            _ => {
                scanner.emit(key);
                scanner.value(false)
            }
        })?;
        self.emit(b"}");
        Ok(())
    }

    /// Copies the value at hand; `ids`: within an item's contents, where numbers are ids.
    fn value(&mut self, ids: bool) -> Result<()> {
        match self.peek()? {
            b'"' => {
                let string = self.string()?;
                self.emit(string);
            }
            b'{' => {
                self.emit(b"{");
                self.fields(|scanner, key| {
                    // A variant without a discriminant, most of them, holds no evaluated value.
                    let no_discriminant = key == b"\"discriminant\"" && scanner.peek()? == b'n';
                    if ids && EVALUATED_KEYS.contains(&key) && !no_discriminant {
                        scanner.reads_evaluated = true;
                    }
                    scanner.emit(key);
                    scanner.value(ids)
                })?;
                self.emit(b"}");
            }
            b'[' => {
                self.emit(b"[");
                self.elements(|scanner| match scanner.peek()? {
                    b'-' | b'0'..=b'9' if ids => {
                        let number = scanner.number()?;
                        let id = std::str::from_utf8(number).ok().and_then(|number| number.parse::<u32>().ok());
                        if !id.is_some_and(scanner.private) {
                            scanner.emit(b"null");
                        }
                        Ok(())
                    }
                    _ => scanner.value(ids),
                })?;
                self.emit(b"]");
            }
            b'-' | b'0'..=b'9' => {
                let number = self.number()?;
                if ids {
                    self.emit(b"null");
                } else {
                    self.emit(number);
                    self.emit(b" ");
                }
            }
            b't' | b'f' | b'n' => {
                let literal = self.scalar();
                if !matches!(literal, b"true" | b"false" | b"null") {
                    return Err(self.malformed());
                }
                self.emit(literal);
            }
            _ => return Err(self.malformed()),
        }
        Ok(())
    }

    /// Reads an object, calling `field` with each key (quoted, as serialised) when its value
    /// is next to read.
    fn fields(&mut self, mut field: impl FnMut(&mut Self, &'a [u8]) -> Result<()>) -> Result<()> {
        self.expect(b'{')?;
        if self.peek()? == b'}' {
            self.at += 1;
            return Ok(());
        }
        loop {
            let key = self.string()?;
            self.expect(b':')?;
            field(self, key)?;
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(self.malformed()),
            }
        }
    }

    /// Reads an array, calling `element` when each element is next to read.
    fn elements(&mut self, mut element: impl FnMut(&mut Self) -> Result<()>) -> Result<()> {
        self.expect(b'[')?;
        if self.peek()? == b']' {
            self.at += 1;
            return Ok(());
        }
        loop {
            element(self)?;
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(self.malformed()),
            }
        }
    }

    /// A string, quotes and escapes included: it ends at the first `"` no `\` escapes.
    fn string(&mut self) -> Result<&'a [u8]> {
        let json = self.json;
        let start = self.at;
        self.expect(b'"')?;
        loop {
            let rest = json.get(self.at..).unwrap_or_default();
            let special = rest.iter().position(|&byte| byte == b'"' || byte == b'\\').ok_or_else(|| self.malformed())?;
            self.at += special;
            if json[self.at] == b'"' {
                self.at += 1;
                return Ok(&json[start..self.at]);
            }
            // A backslash and the character it escapes (`\"`, `\\`, `\n`, `\u`...).
            self.at += 2;
        }
    }

    /// A number, `true`, `false` or `null`: it runs to the next separator.
    fn scalar(&mut self) -> &'a [u8] {
        let json = self.json;
        let start = self.at;
        let length = json[start..].iter().position(|byte| matches!(byte, b',' | b']' | b'}')).unwrap_or(json.len() - start);
        self.at += length;
        &json[start..self.at]
    }

    /// A number: digits, a sign, a decimal point, an exponent.
    fn number(&mut self) -> Result<&'a [u8]> {
        let number = self.scalar();
        if !number.iter().all(|byte| matches!(byte, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')) {
            return Err(self.malformed());
        }
        Ok(number)
    }

    /// Passes over the value at hand without writing it.
    fn skip(&mut self) -> Result<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' => self.fields(|scanner, _| scanner.skip()),
            b'[' => self.elements(Self::skip),
            _ => {
                self.scalar();
                Ok(())
            }
        }
    }
}

/// Whether an item of a crate's rustdoc JSON holds values the compiler evaluated, which can follow
/// from another crate's private code (`[u8; size_of::<dep::T>()]`, `const N: usize =
/// dep::f();`, `A = dep::f()` in an enum), in an item another crate sees: a number as an
/// array's length (the JSON does not tell a literal length from an evaluated one), a
/// constant's evaluated value when it is not a literal, or a discriminant that is not a
/// literal. What rustdoc writes as the code is written follows from the crate's own code: a
/// generic parameter as a length (`[u8; N]`), a constant's expression, an associated
/// constant's value (`_` when it is not simple), a const parameter's default. So does what
/// private items hold, and the impls of private types (a private type cannot appear in a
/// public interface, an impl's associated types included): no dependent and no finding sees
/// it.
///
/// Applied to an item's contents, serialised.
fn holds_evaluated_value(value: &serde_json::Value) -> bool {
    let text = |value: &serde_json::Value, name: &str| value.get(name).and_then(serde_json::Value::as_str).map(str::to_owned);
    match value {
        serde_json::Value::Array(list) => list.iter().any(holds_evaluated_value),
        serde_json::Value::Object(object) => object.iter().any(|(name, inner)| match name.as_str() {
            "array" => text(inner, "len").is_none_or(|len| is_number(&len)) || holds_evaluated_value(inner),
            // A `Constant` (in a constant item, a const generic argument, an associated
            // constant's binding) has `is_literal`; a const parameter has a type and a
            // default as written.
            "const" | "constant" => match inner.get("is_literal") {
                Some(literal) => literal != &serde_json::Value::Bool(true) && !inner.get("value").is_none_or(serde_json::Value::is_null),
                None => holds_evaluated_value(inner),
            },
            "discriminant" => !inner.is_null() && !text(inner, "expr").is_some_and(|expr| is_literal(&expr)),
            _ => holds_evaluated_value(inner),
        }),
        _ => false,
    }
}

/// The impls of the crate's private types and their items: no dependent sees them.
fn impls_of_private_types(krate: &rustdoc_types::Crate) -> std::collections::HashSet<rustdoc_types::Id> {
    let is_private_local = |ty: &rustdoc_types::Type| match ty {
        rustdoc_types::Type::ResolvedPath(path) => krate.index.get(&path.id).is_some_and(|item| !seen_across_crates(item)),
        _ => false,
    };
    let mut unreachable = std::collections::HashSet::new();
    for (id, item) in &krate.index {
        if let rustdoc_types::ItemEnum::Impl(implementation) = &item.inner
            && is_private_local(&implementation.for_)
        {
            unreachable.insert(*id);
            unreachable.extend(implementation.items.iter().copied());
        }
    }
    unreachable
}

/// Whether `expr`, as rustdoc wrote it, is a number (`-3`, `0x1F`, `1_000u32`).
fn is_number(expr: &str) -> bool {
    let expr = expr.trim();
    let unsigned = expr.strip_prefix('-').unwrap_or(expr).trim_start();
    unsigned.starts_with(|c: char| c.is_ascii_digit()) && unsigned.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `expr`, as rustdoc wrote it, is a number, byte or character literal (`-3`,
/// `0x1F`, `1_000u32`, `b'a'`, `'a'`): a value no other crate's code can change.
fn is_literal(expr: &str) -> bool {
    let expr = expr.trim();
    let quoted = |text: &str| text.len() >= 3 && text.starts_with('\'') && text.ends_with('\'');
    is_number(expr) || quoted(expr) || expr.strip_prefix('b').is_some_and(quoted)
}

/// What [`Cache::store_api`] writes of a freshly documented package.
struct StoredEntry<'a> {
    header: ApiHeader,
    rustdoc_format: u32,
    own_key: &'a str,
    fingerprint: &'a str,
    evaluates_constants: bool,
    outline: &'a ApiOutline,
}

/// What [`Cache::store_api`] wrote of a package's API: where its rustdoc JSON is kept, why later
/// runs will not use the entry (if they will not), and whether it is in the cache.
#[derive(Debug)]
pub struct WrittenEntry {
    rustdoc: PathBuf,
    untracked: Option<String>,
    in_cache: bool,
}

/// A package's current API, from the cache or just generated. A cached one holds what its
/// inputs entry recorded; its model and its rustdoc JSON are read when first asked for
/// ([`CurrentApi::model`], [`CurrentApi::rustdoc_json`]), so that a package whose findings are
/// cached costs no model parse.
#[derive(Debug)]
pub struct CurrentApi {
    model: OnceLock<ApiModel>,
    /// Where the model is, while it is not read yet: the cache entry.
    stored: Option<StoredApi>,
    /// Its rustdoc JSON (see [`CurrentApi::rustdoc_json`]).
    rustdoc: PathBuf,
    pub rustdoc_format: u32,
    /// Its API fingerprint (see [`api_fingerprint`]).
    pub fingerprint: String,
    /// What the governance rules read of its model.
    pub outline: ApiOutline,
    /// Whether its documentation holds values the compiler evaluated (see
    /// [`holds_evaluated_value`]).
    pub evaluates_constants: bool,
    /// The features it was documented with, sorted, as cargo reported them (`None` when it
    /// did not).
    pub documented_features: Option<Vec<String>>,
    /// Why later runs will not take this API from the cache, when they will not: what its
    /// documentation read could not be told, or its entry could not be written.
    pub untracked: Option<String>,
    /// Whether its entry is in the cache (and so gets its key at the end of the run).
    pub in_cache: bool,
}

/// A cache entry's files, for a hit that has not read them yet.
#[derive(Debug)]
struct StoredApi {
    package: String,
    dir: PathBuf,
    /// The hash of `rustdoc.json` the inputs entry recorded.
    rustdoc_sha256: String,
    /// Whether `rustdoc.json` still has that hash, once checked.
    rustdoc_checked: OnceLock<bool>,
}

impl StoredApi {
    /// The fix for an entry that does not hold what its inputs entry recorded; the inputs
    /// entry is removed, so the next run documents the package again.
    fn damaged(&self, what: &str) -> anyhow::Error {
        let _ = fs::remove_file(self.dir.join(INPUTS_FILE));
        anyhow::anyhow!(
            "the cache entry of `{}` in {} is damaged ({what}); it is dropped: run the command again to document `{}` anew",
            self.package,
            self.dir.display(),
            self.package
        )
    }

    fn rustdoc_sound(&self) -> bool {
        *self.rustdoc_checked.get_or_init(|| sha256_file(&self.dir.join(RUSTDOC_FILE)).as_deref() == Some(self.rustdoc_sha256.as_str()))
    }

    /// The model in `api.json`, when it was built from the rustdoc JSON the inputs entry
    /// recorded.
    fn load_model(&self) -> Result<ApiModel> {
        let entry = fs::read(self.dir.join(API_FILE)).ok().and_then(|bytes| serde_json::from_slice::<ApiEntry>(&bytes).ok());
        let expected = ApiHeader { apicheck_cache: CACHE_SCHEMA, package: self.package.clone(), rustdoc_sha256: self.rustdoc_sha256.clone() };
        match entry {
            Some(entry) if entry.header == expected => Ok(entry.model),
            _ => Err(self.damaged("its API is not the one its inputs entry recorded")),
        }
    }
}

impl CurrentApi {
    /// Its API model, read from the cache entry the first time it is asked for.
    pub fn model(&self) -> Result<&ApiModel> {
        if let Some(model) = self.model.get() {
            return Ok(model);
        }
        let stored = self.stored.as_ref().context("an API without a model")?;
        let model = stored.load_model()?;
        Ok(self.model.get_or_init(|| model))
    }

    /// Its API model, read from the cache entry if it was not yet.
    pub fn into_model(self) -> Result<ApiModel> {
        self.model()?;
        self.model.into_inner().context("an API without a model")
    }

    /// The API [`Cache::store_api`] published, once its entry is `written`.
    pub fn entry_written(&mut self, written: WrittenEntry) {
        self.rustdoc = written.rustdoc;
        self.untracked = written.untracked;
        self.in_cache = written.in_cache;
    }

    /// Its rustdoc JSON: for a cached API, only while the file is the one its entry recorded.
    pub fn rustdoc_json(&self) -> Result<&Path> {
        match &self.stored {
            Some(stored) if !stored.rustdoc_sound() => Err(stored.damaged("its rustdoc JSON is not the one it recorded")),
            _ => Ok(&self.rustdoc),
        }
    }
}

/// A diff against a baseline, as the cache keys it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedDiff {
    /// The baseline it was computed against (the key covers its bytes).
    pub baseline: BaselineSummary,
    pub diff: ApiDiff,
    /// The current API's public dependencies (see [`ApiModel::public_dependencies`]).
    pub public_dependencies: Option<Vec<String>>,
}

/// What the cache recorded of a package's key, read without its API.
#[derive(Debug, Clone)]
pub struct RecordedKey {
    pub key: String,
    pub fingerprint: String,
    /// The dependencies whose source key stands in the key (see
    /// [`KeyInputs::sourced_dependencies`]).
    pub sourced: Vec<String>,
    /// What the run that documented it built, when recorded (see [`Cache::set_key`]).
    pub built: Option<LibraryFeatures>,
    /// Whether its documentation holds values the compiler evaluated.
    pub evaluates_constants: bool,
    documented_features: Option<Vec<String>>,
    rustdoc_sha256: String,
    rustdoc_format: u32,
    outline: ApiOutline,
    sizes: EntrySizes,
}

/// The sizes of an entry's `api.json` and `rustdoc.json`: a hit whose files have other sizes
/// (cut short, replaced) is no hit, at the cost of two `stat`s; the hashes are checked when the
/// files are read.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct EntrySizes {
    api: u64,
    rustdoc: u64,
}

impl EntrySizes {
    fn of(dir: &Path) -> Option<EntrySizes> {
        Some(EntrySizes { api: fs::metadata(dir.join(API_FILE)).ok()?.len(), rustdoc: fs::metadata(dir.join(RUSTDOC_FILE)).ok()?.len() })
    }
}

/// `api.json`: the model built from the rustdoc JSON whose hash the header holds.
#[derive(Deserialize)]
struct ApiEntry {
    header: ApiHeader,
    model: ApiModel,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct ApiHeader {
    apicheck_cache: u32,
    package: String,
    rustdoc_sha256: String,
}

impl ApiHeader {
    /// `api.json`'s bytes: this header and the model's JSON, serialised once for the
    /// fingerprint too.
    fn entry_bytes(&self, model_json: &[u8]) -> Result<Vec<u8>> {
        let mut bytes = b"{\"header\":".to_vec();
        serde_json::to_writer(&mut bytes, self).context("cannot serialise a cache entry")?;
        bytes.extend_from_slice(b",\"model\":");
        bytes.extend_from_slice(model_json);
        bytes.push(b'}');
        Ok(bytes)
    }
}

#[derive(Serialize, Deserialize)]
struct InputsEntry {
    apicheck_cache: u32,
    package: String,
    own_key: String,
    /// The key, once the fingerprints of the dependencies it needs are known.
    key: Option<String>,
    fingerprint: String,
    evaluates_constants: bool,
    /// The features it was documented with.
    features: Option<Vec<String>>,
    /// The dependencies whose source key stands in the key, once the key is set.
    sourced: Vec<String>,
    /// What the run that documented it built, when its key has external dependencies or it
    /// is one (see [`KeyInputs`]).
    #[serde(default)]
    built: Option<LibraryFeatures>,
    /// The SHA-256 of `rustdoc.json` (and so of the JSON `api.json`'s model was built from).
    rustdoc_sha256: String,
    rustdoc_format: u32,
    outline: ApiOutline,
    sizes: EntrySizes,
    #[serde(flatten)]
    inputs: ExtraInputs,
}

#[derive(Serialize, Deserialize)]
struct DiffEntry {
    apicheck_cache: u32,
    package: String,
    key: String,
    #[serde(flatten)]
    cached: CachedDiff,
}

/// The shape of each Rust source file of a package (see [`crate::engine::source_shape`]), by
/// path relative to the package's directory, with the hash of the contents it was taken from.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct SourceShapes {
    apicheck_cache: u32,
    files: BTreeMap<String, FileShape>,
    /// The digest of the package's tree the shapes were taken from, where it is known
    /// ([`Cache::take_shape_change`]).
    #[serde(default)]
    tree: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct FileShape {
    sha256: String,
    /// `None` when the file does not lex.
    shape: Option<String>,
}

impl SourceShapes {
    /// The shapes of the Rust files of the package in `dir` as they are now, lexing only the
    /// files whose contents `recorded` does not hold: most of a package is unchanged.
    fn now(dir: &Path, recorded: Option<&SourceShapes>) -> Result<SourceShapes> {
        let mut files = Vec::new();
        collect_files(dir, dir, &mut files)?;
        // Tests, benchmarks and examples are not the library: their code is no one's API.
        let of_library = |relative: &str| {
            relative.ends_with(".rs") && !["tests/", "benches/", "examples/"].iter().any(|outside| relative.starts_with(outside))
        };
        let files = files
            .into_par_iter()
            .filter(|(relative, _)| of_library(relative))
            .map(|(relative, path)| {
                let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
                let sha256 = hex(&Sha256::digest(&bytes));
                let known = recorded.and_then(|recorded| recorded.files.get(&relative)).filter(|known| known.sha256 == sha256);
                let shape = match known {
                    Some(known) => known.shape.clone(),
                    None => String::from_utf8(bytes).ok().and_then(|text| crate::engine::source_shape::shape_digest(&text)),
                };
                Ok((relative, FileShape { sha256, shape }))
            })
            .collect::<Result<_>>()?;
        Ok(SourceShapes { apicheck_cache: CACHE_SCHEMA, files, tree: None })
    }

    /// Whether a file's shape differs from `recorded`'s, or cannot be told (a file that does not
    /// lex). The contents' hashes are not compared: they only spare work.
    fn changed_since(&self, recorded: &SourceShapes) -> bool {
        let shapes = |of: &SourceShapes| of.files.iter().map(|(path, file)| (path.clone(), file.shape.clone())).collect::<Vec<_>>();
        shapes(self) != shapes(recorded) || self.files.values().any(|file| file.shape.is_none())
    }
}

/// The cache in a target directory.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    /// Where cargo documents the packages, and writes the dep-info files.
    target_dir: PathBuf,
}

impl Cache {
    pub fn in_target_dir(target_dir: &Path) -> Cache {
        Cache { dir: target_dir.join("apicheck").join("cache"), target_dir: target_dir.to_path_buf() }
    }

    fn package_dir(&self, package: &str) -> PathBuf {
        self.dir.join(package)
    }

    /// Whether a change to `package` since it was last documented is most likely public: the
    /// shape of one of its Rust files changed, or is not known (never recorded, or a file that
    /// does not lex). Only a guess, to schedule cargo runs; an error guesses so too.
    pub fn shape_changed(&self, package: &Package) -> bool {
        let Some(recorded) = self.recorded_shapes(package) else { return true };
        match SourceShapes::now(&package.dir, Some(&recorded)) {
            Ok(now) => now.changed_since(&recorded),
            Err(_) => true,
        }
    }

    /// Whether the shape of `package`'s Rust files changed since this was last asked of this
    /// cache (`None`: never asked), recording them as they are now for the next time. For
    /// context runs (`gate::contexts`), which ask it once per command and member. `tree` is
    /// the digest of the package's tree now ([`TreeDigests`]): while it is the one asked
    /// about last, no file is read and the answer is "no change"; otherwise a file that does not
    /// lex, or an error, counts as a change.
    pub(crate) fn take_shape_change(&self, package: &Package, tree: &str) -> Option<bool> {
        let recorded = self.recorded_shapes(package);
        if recorded.as_ref().is_some_and(|recorded| recorded.tree.as_deref() == Some(tree)) {
            return Some(false);
        }
        let Ok(mut now) = SourceShapes::now(&package.dir, recorded.as_ref()) else { return Some(true) };
        now.tree = Some(tree.to_string());
        if self.write_shapes(package, &now).is_err() {
            // Asked again next time, against the older record: a change counted twice at most.
            return Some(true);
        }
        recorded.map(|recorded| now.changed_since(&recorded))
    }

    /// Records the shapes of `package`'s Rust files as they are now, once it is documented,
    /// for [`Cache::shape_changed`] to compare with at the next change.
    pub(crate) fn record_shapes(&self, package: &Package) -> Result<()> {
        let now = SourceShapes::now(&package.dir, self.recorded_shapes(package).as_ref())?;
        self.write_shapes(package, &now)
    }

    fn write_shapes(&self, package: &Package, shapes: &SourceShapes) -> Result<()> {
        let bytes = serde_json::to_vec(shapes).context("cannot serialise the source shapes")?;
        write_replacing(&self.package_dir(&package.name).join(SHAPES_FILE), &bytes)
    }

    /// The shapes recorded for `package`, if its `shapes.json` parses and has this schema: one of
    /// another schema may have been taken by another shape algorithm.
    fn recorded_shapes(&self, package: &Package) -> Option<SourceShapes> {
        let bytes = fs::read(self.package_dir(&package.name).join(SHAPES_FILE)).ok()?;
        serde_json::from_slice(&bytes).ok().filter(|recorded: &SourceShapes| recorded.apicheck_cache == CACHE_SCHEMA)
    }

    /// The key, fingerprint and constants flag recorded for `package` with own key `own_key`,
    /// if a sound inputs entry holds them and every file and variable it records is unchanged.
    pub fn recorded_key(&self, package: &str, own_key: &str) -> Option<RecordedKey> {
        let entry = self.inputs_entry(package)?;
        let sound = entry.apicheck_cache == CACHE_SCHEMA && entry.package == package && entry.own_key == own_key && entry.inputs.unchanged();
        Some(RecordedKey {
            key: entry.key.filter(|_| sound)?,
            fingerprint: entry.fingerprint,
            sourced: entry.sourced,
            built: entry.built,
            evaluates_constants: entry.evaluates_constants,
            documented_features: entry.features,
            rustdoc_sha256: entry.rustdoc_sha256,
            rustdoc_format: entry.rustdoc_format,
            outline: entry.outline,
            sizes: entry.sizes,
        })
    }

    fn inputs_entry(&self, package: &str) -> Option<InputsEntry> {
        serde_json::from_slice(&fs::read(self.package_dir(package).join(INPUTS_FILE)).ok()?).ok()
    }

    /// The cached API of `package`, whose inputs entry recorded `recorded` (see
    /// [`Cache::recorded_key`]), if its files have the sizes recorded. Nothing more is read
    /// until it is needed (see [`CurrentApi`]).
    pub fn api(&self, package: &str, recorded: RecordedKey) -> Option<CurrentApi> {
        let dir = self.package_dir(package);
        if EntrySizes::of(&dir) != Some(recorded.sizes) {
            return None;
        }
        Some(CurrentApi {
            model: OnceLock::new(),
            stored: Some(StoredApi { package: package.to_string(), dir: dir.clone(), rustdoc_sha256: recorded.rustdoc_sha256, rustdoc_checked: OnceLock::new() }),
            rustdoc: dir.join(RUSTDOC_FILE),
            rustdoc_format: recorded.rustdoc_format,
            fingerprint: recorded.fingerprint,
            outline: recorded.outline,
            evaluates_constants: recorded.evaluates_constants,
            documented_features: recorded.documented_features,
            untracked: None,
            in_cache: true,
        })
    }

    /// Copies freshly generated rustdoc JSON into the entry of `package` under own key
    /// `own_key`, with the model built from it, its fingerprint and what else its
    /// documentation read (see `ExtraInputs`). The entry is not used until [`Cache::set_key`]
    /// gives it its key. (A copy: rustdoc truncates and rewrites its output in place, which
    /// would change a hard-linked entry.) Call it once cargo has documented `package`, while
    /// the dep-info files of that run are there.
    ///
    /// `published` gets the API as soon as it is known, before the entry is written, so that
    /// the comparison and the dependents' keys do not wait for the write: its rustdoc JSON is
    /// then `generated` (which no later cargo run of this check rewrites: a package is
    /// documented in one run), and it is not in the cache yet. Returns what was written, which
    /// [`CurrentApi::entry_written`] gives the API.
    ///
    /// The cache is optional: when the entry cannot be written (a read-only or full target
    /// directory), the API stays the one from `generated`, not cached, with a note that says so.
    pub(crate) fn store_api(
        &self,
        workspace: &Workspace,
        package: &Package,
        own_key: &str,
        documented: &Documented,
        published: impl FnOnce(CurrentApi),
    ) -> Result<WrittenEntry> {
        let generated = documented.json.as_path();
        if let Some(api) = self.same_rustdoc_as_before(workspace, package, own_key, documented) {
            let written = WrittenEntry { rustdoc: api.rustdoc.clone(), untracked: None, in_cache: true };
            published(api);
            return Ok(written);
        }
        // Read once: its hash beside the parse, the two the bulk of the work, and independent.
        let text = read_text(generated, "rustdoc JSON")?;
        let (rustdoc_sha256, json) = rayon::join(|| hex(&Sha256::digest(text.as_bytes())), || rustdoc_from_text(generated, &text));
        let json = json?;
        drop(text);
        // The model (one thread) beside the items' digests (the others): neither needs the other
        // until the fingerprint hashes both.
        let (model, digests) = rayon::join(
            || -> Result<_> {
                let model = ApiModel::from_rustdoc(&json.krate);
                let (model_json, outline) = rayon::join(|| serde_json::to_vec(&model), || model.outline());
                Ok((model, model_json.context("cannot serialise an API model")?, outline))
            },
            || item_digests(&json.krate),
        );
        let ((model, model_json, outline), digests) = (model?, digests?);
        let (fingerprint, evaluates_constants) = api_fingerprint(package, &model_json, digests, &json.krate, documented.features.as_deref());
        let rustdoc_format = json.format_version();
        free_in_background(json);
        let stored = StoredEntry {
            header: ApiHeader { apicheck_cache: CACHE_SCHEMA, package: package.name.clone(), rustdoc_sha256 },
            rustdoc_format,
            own_key,
            fingerprint: &fingerprint,
            evaluates_constants,
            outline: &outline,
        };
        published(CurrentApi {
            model: OnceLock::from(model),
            stored: None,
            rustdoc: generated.to_path_buf(),
            rustdoc_format,
            fingerprint: fingerprint.clone(),
            outline: outline.clone(),
            evaluates_constants,
            documented_features: documented.features.clone(),
            untracked: None,
            in_cache: false,
        });
        Ok(match self.write_api_entry(workspace, package, &stored, &model_json, documented) {
            Ok((rustdoc, untracked)) => WrittenEntry { rustdoc, untracked, in_cache: true },
            Err(error) => WrittenEntry {
                rustdoc: generated.to_path_buf(),
                untracked: Some(format!(
                    "not cached: {error:#}; this run checked `{}` without the cache, and the next one documents it again \
                     (make the target directory writable to keep the cache)",
                    package.name
                )),
                in_cache: false,
            },
        })
    }

    /// [`Cache::store_api`] for rustdoc JSON byte for byte the one the package's entry was built
    /// from (a dependent documented again after a change below it that it does not show): the
    /// model, fingerprint and outline are functions of those bytes, the package's name and its
    /// features (the version is in the bytes), so the entry's are kept and the JSON is not
    /// parsed again, which is most of the cost of storing it. The entry gets the new own key and
    /// what this run's documentation read. `None` when the bytes differ (told apart by size
    /// first, then by hash, which costs a read of the file only when the sizes match) or the
    /// entry cannot be kept; then the JSON is stored as new.
    fn same_rustdoc_as_before(&self, workspace: &Workspace, package: &Package, own_key: &str, documented: &Documented) -> Option<CurrentApi> {
        let generated = documented.json.as_path();
        let dir = self.package_dir(&package.name);
        let before = self.inputs_entry(&package.name)?;
        let same_entry = before.apicheck_cache == CACHE_SCHEMA && before.package == package.name && before.features == documented.features;
        if !same_entry || fs::metadata(generated).ok()?.len() != before.sizes.rustdoc || EntrySizes::of(&dir)? != before.sizes {
            return None;
        }
        if sha256_file(generated)? != before.rustdoc_sha256 {
            return None;
        }
        // The inputs entry goes first, so that an interrupted store leaves no entry that matches.
        fs::remove_file(dir.join(INPUTS_FILE)).ok()?;
        let rustdoc = dir.join(RUSTDOC_FILE);
        fs::copy(generated, &rustdoc).ok()?;
        let inputs = ExtraInputs::read(workspace, &self.target_dir, package, documented).ok()?;
        let sizes = EntrySizes::of(&dir)?;
        let entry = InputsEntry { own_key: own_key.to_string(), key: None, sourced: Vec::new(), built: None, sizes, inputs, ..before };
        write_replacing(&dir.join(INPUTS_FILE), &serde_json::to_vec(&entry).ok()?).ok()?;
        Some(CurrentApi {
            model: OnceLock::new(),
            stored: Some(StoredApi { package: package.name.clone(), dir, rustdoc_sha256: entry.rustdoc_sha256, rustdoc_checked: OnceLock::new() }),
            rustdoc,
            rustdoc_format: entry.rustdoc_format,
            fingerprint: entry.fingerprint,
            outline: entry.outline,
            evaluates_constants: entry.evaluates_constants,
            documented_features: entry.features,
            untracked: None,
            in_cache: true,
        })
    }

    /// Writes the entry of a freshly documented package (see [`Cache::store_api`]): its
    /// rustdoc JSON copied from `generated`, the inputs entry, the API entry. Returns where the
    /// cached rustdoc JSON is, and why later runs will not use the entry, if they will not.
    fn write_api_entry(
        &self,
        workspace: &Workspace,
        package: &Package,
        stored: &StoredEntry,
        model_json: &[u8],
        documented: &Documented,
    ) -> Result<(PathBuf, Option<String>)> {
        let generated = documented.json.as_path();
        let dir = self.package_dir(&package.name);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create the cache directory {}", dir.display()))?;
        // The entries go first, so that an interrupted store leaves no entry that matches.
        for file in [API_FILE, INPUTS_FILE] {
            match fs::remove_file(dir.join(file)) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                    return Err(error).with_context(|| format!("cannot replace the cache entry {}", dir.join(file).display()));
                }
                _ => {}
            }
        }
        let rustdoc = dir.join(RUSTDOC_FILE);
        fs::copy(generated, &rustdoc)
            .with_context(|| format!("cannot copy {} into the cache at {}", generated.display(), rustdoc.display()))?;
        write_replacing(&dir.join(API_FILE), &stored.header.entry_bytes(model_json)?)?;
        let sizes = EntrySizes::of(&dir).with_context(|| format!("cannot read the cache entry {} just written", dir.display()))?;
        let untracked = match ExtraInputs::read(workspace, &self.target_dir, package, documented) {
            Ok(inputs) => {
                let inputs = InputsEntry {
                    apicheck_cache: CACHE_SCHEMA,
                    package: package.name.clone(),
                    own_key: stored.own_key.to_string(),
                    key: None,
                    fingerprint: stored.fingerprint.to_string(),
                    evaluates_constants: stored.evaluates_constants,
                    features: documented.features.clone(),
                    sourced: Vec::new(),
                    built: None,
                    rustdoc_sha256: stored.header.rustdoc_sha256.clone(),
                    rustdoc_format: stored.rustdoc_format,
                    outline: stored.outline.clone(),
                    sizes,
                    inputs,
                };
                write_replacing(&dir.join(INPUTS_FILE), &serde_json::to_vec(&inputs).context("cannot serialise a cache entry")?)?;
                None
            }
            Err(error) => Some(format!(
                "not cached: cannot tell which files and environment variables the documentation of `{}` read ({error:#}), \
                 so every run documents it again",
                package.name
            )),
        };
        Ok((rustdoc, untracked))
    }

    /// Gives the entry of `package` stored under own key `stored_own_key` its own key
    /// `own_key` (which differs when documenting completed `Cargo.lock`) and its key `key`,
    /// made with the source keys of `sourced`, once the fingerprints of its dependencies are
    /// known, and what the run that documented it `built`, when later runs need it (see
    /// `gate/contexts.rs`). Only `inputs.json` holds keys: `api.json` stays as written.
    pub fn set_key(&self, package: &str, stored_own_key: &str, own_key: &str, key: &str, sourced: &[String], built: Option<&LibraryFeatures>) -> Result<()> {
        // An untracked package has no inputs entry, and keeps having none: it is never a hit.
        let inputs_path = self.package_dir(package).join(INPUTS_FILE);
        let Ok(bytes) = fs::read(&inputs_path) else { return Ok(()) };
        let mut inputs: InputsEntry =
            serde_json::from_slice(&bytes).with_context(|| format!("the cache entry {} is corrupt", inputs_path.display()))?;
        if inputs.own_key != stored_own_key {
            anyhow::bail!("the cache entry {} changed during the run", inputs_path.display());
        }
        inputs.own_key = own_key.to_string();
        inputs.key = Some(key.to_string());
        inputs.sourced = sourced.to_vec();
        inputs.built = built.cloned();
        write_replacing(&inputs_path, &serde_json::to_vec(&inputs).context("cannot serialise a cache entry")?)
    }

    /// The cached diff of `package` under `key` (see [`diff_key`]), if a sound entry holds it.
    pub fn diff(&self, package: &str, key: &str) -> Option<CachedDiff> {
        let entry: DiffEntry = serde_json::from_slice(&fs::read(self.package_dir(package).join(DIFF_FILE)).ok()?).ok()?;
        let sound = entry.apicheck_cache == CACHE_SCHEMA && entry.package == package && entry.key == key;
        sound.then_some(entry.cached)
    }

    pub fn store_diff(&self, package: &str, key: &str, cached: &CachedDiff) -> Result<()> {
        let entry = DiffEntry { apicheck_cache: CACHE_SCHEMA, package: package.to_string(), key: key.to_string(), cached: cached.clone() };
        let dir = self.package_dir(package);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create the cache directory {}", dir.display()))?;
        write_replacing(&dir.join(DIFF_FILE), &serde_json::to_vec(&entry).context("cannot serialise a cache entry")?)
    }
}

/// The key of a diff: apicheck (which compares), the current API's fingerprint and rustdoc
/// format, the digest of the stored baseline's files (see [`baseline_digest`]), and whether
/// the lints ran. The fingerprint covers what the comparison reads of the current API: its
/// model, and every item of its rustdoc JSON another crate can see, where it starts, its
/// attributes and what it holds, with the private fields and sealing supertraits the model
/// records (see [`api_fingerprint`]). What it leaves out, private items and function bodies,
/// neither apicheck's rules nor the lints read.
pub fn diff_key(api: &CurrentApi, baseline_digest: &str, lints: bool) -> String {
    let mut hasher = Sha256::new();
    field(&mut hasher, "schema", &CACHE_SCHEMA.to_le_bytes());
    field(&mut hasher, "apicheck", env!("CARGO_PKG_VERSION").as_bytes());
    field(&mut hasher, "fingerprint", api.fingerprint.as_bytes());
    field(&mut hasher, "rustdoc format", &api.rustdoc_format.to_le_bytes());
    field(&mut hasher, "lints", &[u8::from(lints)]);
    field(&mut hasher, "baseline", baseline_digest.as_bytes());
    hex(&hasher.finalize())
}

/// A SHA-256 of the stored baseline files of `package` that a comparison reads. Taken before
/// and after a comparison, it tells whether an `apicheck baseline` replaced them meanwhile.
pub fn baseline_digest(baselines: &Baselines, package: &str) -> String {
    let mut hasher = Sha256::new();
    for (name, path) in baselines.files(package) {
        match fs::read(path) {
            Ok(bytes) => field(&mut hasher, name, &bytes),
            Err(_) => field(&mut hasher, "missing", name.as_bytes()),
        }
    }
    hex(&hasher.finalize())
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::path::Path;

    use rayon::prelude::*;
    use sha2::{Digest, Sha256};

    use super::{canonical_item, holds_evaluated_value, impls_of_private_types, is_literal, is_number, item_digests, seen_across_crates};

    /// The canonical form of an item serialised as `json`, the ids in `private` those of items
    /// no other crate sees; and whether it reads as holding an evaluated value.
    fn canonical(json: &str, private: &[u32]) -> (String, bool) {
        let mut tokens = Vec::new();
        let reads_evaluated = canonical_item(json.as_bytes(), &|id| private.contains(&id), &mut tokens).unwrap();
        (String::from_utf8(tokens).unwrap(), reads_evaluated)
    }

    fn digest(json: &str, private: &[u32]) -> [u8; 32] {
        Sha256::digest(canonical(json, private).0.as_bytes()).into()
    }

    #[test]
    fn the_canonical_form_leaves_out_ids_span_ends_and_link_targets() {
        let item = r#"{"id":7,"crate_id":1,"name":"f","span":{"filename":"src/lib.rs","begin":[3,1],"end":[9,2]},"visibility":"public","docs":"See [b] and [a].","links":{"b":12,"a":4},"attrs":[],"deprecation":null,"inner":{"function":{"sig":{"inputs":[],"output":{"resolved_path":{"path":"S","id":12,"args":null}}},"items":[4,12],"is_unsafe":false}}}"#;
        let expected = r#"{"crate_id"1 "name""f""span"{"filename""src/lib.rs""begin"[3 1 ]}"visibility""public""docs""See [b] and [a].""links"["a""b"]"attrs"[]"deprecation"null"inner"{"function"{"sig"{"inputs"[]"output"{"resolved_path"{"path""S""id"null"args"null}}}"items"[nullnull]"is_unsafe"false}}}"#;
        assert_eq!(canonical(item, &[]), (expected.to_owned(), false));
        let renumbered = r#"{"id":8,"crate_id":1,"name":"f","span":{"filename":"src/lib.rs","begin":[3,1],"end":[12,2]},"visibility":"public","docs":"See [b] and [a].","links":{"a":5,"b":13},"attrs":[],"deprecation":null,"inner":{"function":{"sig":{"inputs":[],"output":{"resolved_path":{"path":"S","id":13,"args":null}}},"items":[5,13],"is_unsafe":false}}}"#;
        assert_eq!(digest(renumbered, &[]), digest(item, &[]));
        // Outside the contents, numbers are not ids: where the item starts and its crate count.
        assert_ne!(digest(&item.replace(r#""begin":[3,1]"#, r#""begin":[4,1]"#), &[]), digest(item, &[]));
        assert_ne!(digest(&item.replace(r#""crate_id":1"#, r#""crate_id":2"#), &[]), digest(item, &[]));
        assert_ne!(digest(&item.replace(r#""links":{"b":12,"a":4}"#, r#""links":{"b":12}"#), &[]), digest(item, &[]));
    }

    #[test]
    fn private_ids_leave_lists_without_a_trace() {
        let module = |items: &str| format!(r#"{{"id":0,"name":"m","inner":{{"module":{{"items":[{items}],"is_stripped":false}}}}}}"#);
        assert_eq!(digest(&module("1,2,3"), &[2]), digest(&module("1,3"), &[]));
        assert_eq!(digest(&module("2,1,3,2"), &[2]), digest(&module("1,3"), &[]));
        assert_eq!(digest(&module("2"), &[2]), digest(&module(""), &[]));
        assert_ne!(digest(&module("1,2,3"), &[]), digest(&module("1,3"), &[]));
        // Only a list's bare ids go: a private type named in a signature stays, its id left out.
        let field = r#"{"inner":{"struct_field":{"resolved_path":{"path":"Hidden","id":2,"args":null}}}}"#;
        assert_eq!(canonical(field, &[2]).0, r#"{"inner"{"struct_field"{"resolved_path"{"path""Hidden""id"null"args"null}}}}"#);
        let nested = r#"{"inner":{"impl":{"generics":[[2,{"x":[2]}]]}}}"#;
        assert_eq!(canonical(nested, &[2]).0, r#"{"inner"{"impl"{"generics"[[{"x"[]}]]}}}"#);
    }

    #[test]
    fn strings_are_copied_as_escaped_quotes_digits_and_backslashes_included() {
        let item = |docs: &str, text: &str| {
            serde_json::json!({ "id": 3, "docs": docs, "inner": { "struct": { "text": text, "impls": [4] } }, "attrs": [] }).to_string()
        };
        let docs = r#"say "1", [2] {3}: \"#;
        let text = r#"a "4" \\" 5"#;
        let (form, _) = canonical(&item(docs, text), &[]);
        let quoted = |text: &str| serde_json::to_string(text).unwrap();
        assert_eq!(form, format!(r#"{{"docs"{}"inner"{{"struct"{{"text"{}"impls"[null]}}}}"attrs"[]}}"#, quoted(docs), quoted(text)));
        assert_ne!(digest(&item(r#"say "2", [2] {3}: \"#, text), &[]), digest(&item(docs, text), &[]));
        assert_ne!(digest(&item(docs, r#"a "4" \\" 6"#), &[]), digest(&item(docs, text), &[]));
        // A string can hold what would otherwise end one: no field moves across the boundary.
        assert_ne!(digest(&item(r#"a", "b"#, "c"), &[]), digest(&item("a", r#"b", "c"#), &[]));
    }

    #[test]
    fn the_keys_holds_evaluated_value_reads_are_noticed_in_the_contents_only() {
        let reads = |json: &str| canonical(json, &[]).1;
        assert!(reads(r#"{"inner":{"variant":{"kind":"plain","discriminant":{"expr":"N","value":"4"}}}}"#));
        assert!(!reads(r#"{"inner":{"variant":{"kind":"plain","discriminant":null}}}"#));
        assert!(reads(r#"{"inner":{"function":{"sig":{"inputs":[["x",{"array":{"type":{"primitive":"u8"},"len":"4"}}]]}}}}"#));
        assert!(reads(r#"{"inner":{"constant":{"type":{"primitive":"u8"},"const":{"expr":"f()","value":"4","is_literal":false}}}}"#));
        assert!(reads(r#"{"inner":{"assoc_const":{"constant":null}}}"#));
        // The words as strings, or a key outside the contents, are not keys it reads.
        assert!(!reads(r#"{"docs":"\"array\":","links":{"const":1},"inner":{"module":{"name":"const","items":["discriminant"]}}}"#));
    }

    #[test]
    fn a_serialisation_it_cannot_read_is_an_error_not_a_digest() {
        for broken in [r#"{"inner":{"x":1}"#, r#"{"docs":"unterminated}"#, r#"{"docs":"a\"#, r#"{"inner":[1 2]}"#, r#"{"a":1}x"#, r#"{"a":yes}"#] {
            assert!(canonical_item(broken.as_bytes(), &|_| false, &mut Vec::new()).is_err(), "{broken}");
        }
    }

    /// A real rustdoc JSON: apicheck's own, as its baseline records it.
    fn apicheck_rustdoc() -> rustdoc_types::Crate {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("baselines/apicheck/rustdoc.json.gz");
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap()).read_to_string(&mut text).unwrap();
        crate::engine::rustdoc::parse_rustdoc_text(&path, &text).unwrap().krate
    }

    /// An item as the fingerprint read it through a `serde_json::Value`, before
    /// `canonical_item`: without its id, its span's end, its links' targets (names sorted), and
    /// its contents' ids (`null`), the private ones out of lists.
    /// `value` is the item serialised.
    fn item_through_value(mut value: serde_json::Value, krate: &rustdoc_types::Crate) -> serde_json::Value {
        fn drop_ids(value: &mut serde_json::Value, krate: &rustdoc_types::Crate) {
            let private = |value: &serde_json::Value| {
                value.as_u64().and_then(|id| u32::try_from(id).ok()).and_then(|id| krate.index.get(&rustdoc_types::Id(id))).is_some_and(|item| !seen_across_crates(item))
            };
            match value {
                serde_json::Value::Number(_) => *value = serde_json::Value::Null,
                serde_json::Value::Array(list) => {
                    list.retain(|element| !private(element));
                    list.iter_mut().for_each(|element| drop_ids(element, krate));
                }
                serde_json::Value::Object(object) => object.values_mut().for_each(|element| drop_ids(element, krate)),
                _ => {}
            }
        }
        let object = value.as_object_mut().unwrap();
        // In place, the fields in the order serde_json writes them (`remove` would move the last one).
        object.shift_remove("id");
        if let Some(span) = object.get_mut("span").and_then(serde_json::Value::as_object_mut) {
            span.shift_remove("end");
        }
        if let Some(links) = object.get_mut("links") {
            let mut names: Vec<String> = links.as_object().unwrap().keys().cloned().collect();
            names.sort();
            *links = serde_json::Value::Array(names.into_iter().map(serde_json::Value::String).collect());
        }
        drop_ids(object.get_mut("inner").unwrap(), krate);
        value
    }

    /// `value` in `canonical_item`'s form, with its numbers as they are.
    fn value_tokens(value: &serde_json::Value, tokens: &mut String) {
        match value {
            serde_json::Value::Object(object) => {
                tokens.push('{');
                for (key, value) in object {
                    tokens.push_str(&serde_json::to_string(key).unwrap());
                    value_tokens(value, tokens);
                }
                tokens.push('}');
            }
            serde_json::Value::Array(list) => {
                tokens.push('[');
                list.iter().for_each(|element| value_tokens(element, tokens));
                tokens.push(']');
            }
            serde_json::Value::Number(number) => {
                tokens.push_str(&number.to_string());
                tokens.push(' ');
            }
            scalar => tokens.push_str(&scalar.to_string()),
        }
    }

    #[test]
    fn the_canonical_form_of_every_item_of_a_real_crate_is_what_a_value_holds() {
        let krate = apicheck_rustdoc();
        let private = |id: u32| krate.index.get(&rustdoc_types::Id(id)).is_some_and(|item| !seen_across_crates(item));
        let (mut json, mut tokens, mut dropping) = (Vec::new(), Vec::new(), 0);
        for item in krate.index.values().filter(|item| seen_across_crates(item)) {
            json.clear();
            serde_json::to_writer(&mut json, item).unwrap();
            tokens.clear();
            let reads_evaluated = canonical_item(&json, &private, &mut tokens).unwrap();
            let mut expected = String::new();
            value_tokens(&item_through_value(serde_json::to_value(item).unwrap(), &krate), &mut expected);
            assert_eq!(String::from_utf8_lossy(&tokens), expected, "item {:?}", item.id);
            // What it tells `holds_evaluated_value` to skip holds no evaluated value.
            assert!(reads_evaluated || !holds_evaluated_value(&serde_json::to_value(&item.inner).unwrap()), "item {:?}", item.id);
            let mut with_private_ids = Vec::new();
            canonical_item(&json, &|_| false, &mut with_private_ids).unwrap();
            dropping += usize::from(with_private_ids != tokens);
        }
        assert!(dropping > 0, "no item of the crate lists a private item: the comparison leaves that out");
    }

    /// Old and new, on the same JSON in the same run: `cargo test --release --lib --
    /// --ignored --nocapture item_digests_time`. Prints, asserts no time.
    #[test]
    #[ignore = "a measurement: run it in release"]
    fn item_digests_time() {
        let krate = apicheck_rustdoc();
        let through_value = || {
            let unreachable = impls_of_private_types(&krate);
            let digests: Vec<(String, bool)> = krate
                .index
                .par_iter()
                .filter(|(_, item)| seen_across_crates(item))
                .map(|(id, item)| {
                    let value = serde_json::to_value(item).unwrap();
                    let evaluated = !unreachable.contains(id) && value.get("inner").is_some_and(holds_evaluated_value);
                    (super::hex(&Sha256::digest(item_through_value(value, &krate).to_string().as_bytes())), evaluated)
                })
                .collect();
            digests
        };
        let median = |f: &(dyn Fn() + Sync)| {
            let mut times: Vec<std::time::Duration> = (0..21)
                .map(|_| {
                    let start = std::time::Instant::now();
                    f();
                    start.elapsed()
                })
                .collect();
            times.sort();
            times[times.len() / 2]
        };
        let seen = krate.index.values().filter(|item| seen_across_crates(item)).count();
        // On every core, as `api_fingerprint` runs; then on one, which other work on the machine
        // disturbs less.
        let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        for (threads, pool) in [(rayon::current_num_threads(), None), (1, Some(&one_thread))] {
            let run = |f: &(dyn Fn() + Sync)| match pool {
                Some(pool) => pool.install(|| median(f)),
                None => median(f),
            };
            let old = run(&|| {
                std::hint::black_box(through_value());
            });
            let new = run(&|| {
                std::hint::black_box(item_digests(&krate).unwrap());
            });
            println!("{seen} items, {threads} threads: through a Value {old:.2?}, canonical form {new:.2?}: {:.1}x", old.as_secs_f64() / new.as_secs_f64());
        }
    }

    #[test]
    fn literals_are_numbers_bytes_and_characters_as_written() {
        assert!(is_number("8") && is_number("-0x1F") && !is_number("N") && !is_number("_") && !is_number("'a'"));
        for literal in ["4", "-3", "0x1F", "0b1010", "1_000u32", "b'2'", "'a'", "b'\\n'"] {
            assert!(is_literal(literal), "{literal}");
        }
        for expression in ["{ _ }", "_", "N", "dep::f()", "1 + 2", "limit() as isize", "-x", "'", "b''"] {
            assert!(!is_literal(expression), "{expression}");
        }
    }
}
