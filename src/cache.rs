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
//! - `api.json`: the key, the API model, the rustdoc format and the SHA-256 of `rustdoc.json`;
//! - `rustdoc.json`: the rustdoc JSON, for the lints and for recording baselines;
//! - `inputs.json`: what else the documentation read, by the compiler's dep-info (see
//!   `ExtraInputs`), with the SHA-256 of each file and environment variable value;
//! - `diff.json`: the findings against a baseline, keyed by the input key and the baseline's
//!   bytes (and whether the lints ran).
//!
//! An entry is used only when it parses, has this schema, names the package and carries the
//! key, and `inputs.json` does too and every file and variable it records is unchanged;
//! `rustdoc.json` only when its hash matches. Anything else is ignored and rebuilt: the cache
//! can make a run faster, never change its result. A package whose dep-info cannot be read gets
//! no `inputs.json`, so it is documented again on every run.
//!
//! Not inputs: the features that other packages documented in the same cargo run turn on in a
//! shared dependency; files and variables a procedural macro reads without telling the compiler.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ApiDiff;
use crate::baseline::{BaselineSummary, Baselines, write_atomically};
use crate::depinfo::{self, Unit};
use crate::model::ApiModel;
use crate::rustdoc::read_rustdoc;
use crate::workspace::{DepKind, Lockfile, Package, Workspace};

/// Version of the cache entries' layout; entries of another are ignored.
const CACHE_SCHEMA: u32 = 2;

const API_FILE: &str = "api.json";
const RUSTDOC_FILE: &str = "rustdoc.json";
const DIFF_FILE: &str = "diff.json";
const INPUTS_FILE: &str = "inputs.json";

/// The environment variables that change what rustdoc emits.
const FLAG_VARIABLES: [&str; 4] = ["RUSTDOCFLAGS", "CARGO_ENCODED_RUSTDOCFLAGS", "RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS"];

/// The input key of each of `packages` (hex SHA-256), by package name.
pub fn input_keys(
    workspace: &Workspace,
    packages: &[&Package],
    features: &BTreeMap<String, Vec<String>>,
) -> Result<BTreeMap<String, String>> {
    let shared = shared_inputs(workspace)?;
    let lock = workspace.lockfile()?;
    // Every member the selected packages depend on, directly or not, has its own inputs hashed
    // once; the keys then chain through the dependency edges.
    let needed: BTreeSet<&str> = members_reached(workspace, packages).into_iter().map(|p| p.name.as_str()).collect();
    let own: BTreeMap<&str, String> = needed
        .par_iter()
        .map(|name| {
            let package = workspace.package(name)?;
            let digest = own_inputs(workspace, &lock, package, features.get(*name).map(Vec::as_slice).unwrap_or_default())?;
            Ok((*name, digest))
        })
        .collect::<Result<_>>()?;
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    for package in packages {
        chained_key(workspace, &shared, &own, package, &mut keys, &mut Vec::new())?;
    }
    Ok(packages.iter().map(|p| (p.name.clone(), keys[&p.name].clone())).collect())
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
    let mut members: BTreeSet<&str> = BTreeSet::new();
    for dependency in library_edges(package) {
        if let Some(member) = &dependency.member {
            members.insert(member);
        }
    }
    for member in members {
        let key = chained_key(workspace, shared, own, workspace.package(member)?, keys, path)?;
        field(&mut hasher, member, key.as_bytes());
    }
    path.pop();
    let key = hex(&hasher.finalize());
    keys.insert(package.name.clone(), key.clone());
    Ok(key)
}

/// What every package's key includes: apicheck, the toolchain, the flags, the root manifest
/// (but its `[workspace.metadata]`, which is apicheck's own configuration) and cargo's config.
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
        .map_err(|error| anyhow::anyhow!("{} is not valid TOML: {error}", workspace.manifest_path.display()))?;
    if let Some(toml::Value::Table(table)) = manifest.get_mut("workspace") {
        table.remove("metadata");
    }
    field(&mut hasher, "manifest", manifest.to_string().as_bytes());
    for config in [".cargo/config.toml", ".cargo/config"] {
        if let Ok(bytes) = fs::read(workspace.root.join(config)) {
            field(&mut hasher, config, &bytes);
        }
    }
    Ok(hex(&hasher.finalize()))
}

/// A package's own inputs: its directory, its path dependencies outside the workspace, its
/// `Cargo.lock` entries, its features.
fn own_inputs(workspace: &Workspace, lock: &Lockfile, package: &Package, features: &[String]) -> Result<String> {
    let mut hasher = Sha256::new();
    let relative = package.dir.strip_prefix(&workspace.root).unwrap_or(&package.dir);
    field(&mut hasher, "dir", relative.as_os_str().as_encoded_bytes());
    let mut features = features.to_vec();
    features.sort();
    field(&mut hasher, "features", features.join(",").as_bytes());
    hash_tree(&mut hasher, &package.dir)?;
    for dependency in library_edges(package) {
        if let (None, Some(path)) = (&dependency.member, &dependency.path) {
            field(&mut hasher, "path dependency", dependency.name.as_bytes());
            hash_tree(&mut hasher, path)?;
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
    /// fingerprinted now.
    fn read(workspace: &Workspace, target_dir: &Path, package: &Package) -> Result<ExtraInputs> {
        let members = members_reached(workspace, &[package]);
        let mut read = depinfo::read_inputs(target_dir, &workspace.root, package, Unit::Doc)?;
        for member in members.iter().filter(|member| member.name != package.name) {
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_file(path: &Path) -> Option<String> {
    let bytes = fs::read(path).ok()?;
    Some(hex(&Sha256::digest(&bytes)))
}

/// A package's current API, from the cache or just generated.
#[derive(Debug, Clone)]
pub struct CurrentApi {
    pub model: ApiModel,
    /// Its rustdoc JSON, in the cache.
    pub rustdoc: PathBuf,
    pub rustdoc_format: u32,
    /// Why later runs will not take this API from the cache, when they will not: what its
    /// documentation read could not be told.
    pub untracked: Option<String>,
}

/// A diff against a baseline, as the cache keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedDiff {
    /// The baseline it was computed against (the key covers its bytes).
    pub baseline: BaselineSummary,
    pub diff: ApiDiff,
    /// The current API's public dependencies (see [`ApiModel::public_dependencies`]).
    pub public_dependencies: Option<Vec<String>>,
}

#[derive(Serialize, Deserialize)]
struct ApiEntry {
    apicheck_cache: u32,
    package: String,
    key: String,
    rustdoc_sha256: String,
    rustdoc_format: u32,
    model: ApiModel,
}

#[derive(Serialize, Deserialize)]
struct InputsEntry {
    apicheck_cache: u32,
    package: String,
    key: String,
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

    /// The cached API of `package` for `key`, if a sound entry holds it.
    pub fn api(&self, package: &str, key: &str) -> Option<CurrentApi> {
        let dir = self.package_dir(package);
        let entry: ApiEntry = serde_json::from_slice(&fs::read(dir.join(API_FILE)).ok()?).ok()?;
        let rustdoc = dir.join(RUSTDOC_FILE);
        let sound = entry.apicheck_cache == CACHE_SCHEMA
            && entry.package == package
            && entry.key == key
            && self.extra_inputs_unchanged(package, key)
            && sha256_file(&rustdoc).as_deref() == Some(entry.rustdoc_sha256.as_str());
        sound.then_some(CurrentApi { model: entry.model, rustdoc, rustdoc_format: entry.rustdoc_format, untracked: None })
    }

    /// Whether `package` has an inputs entry for `key` whose files and variables are unchanged.
    fn extra_inputs_unchanged(&self, package: &str, key: &str) -> bool {
        let Some(entry) = fs::read(self.package_dir(package).join(INPUTS_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<InputsEntry>(&bytes).ok())
        else {
            return false;
        };
        entry.apicheck_cache == CACHE_SCHEMA && entry.package == package && entry.key == key && entry.inputs.unchanged()
    }

    /// Copies freshly generated rustdoc JSON into the entry of `package` under `key`, with the
    /// model built from it and what else its documentation read (see `ExtraInputs`), and
    /// returns the API. (A copy: rustdoc truncates and rewrites its output in place, which would
    /// change a hard-linked entry.) Call it once cargo has documented `package`, while the
    /// dep-info files of that run are there.
    pub fn store_api(&self, workspace: &Workspace, package: &Package, key: &str, generated: &Path) -> Result<CurrentApi> {
        let json = read_rustdoc(generated)?;
        let model = ApiModel::from_rustdoc(&json.krate);
        let dir = self.package_dir(&package.name);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create the cache directory {}", dir.display()))?;
        // The entries go first, so that an interrupted store leaves no entry that matches.
        let _ = fs::remove_file(dir.join(API_FILE));
        let _ = fs::remove_file(dir.join(INPUTS_FILE));
        let rustdoc = dir.join(RUSTDOC_FILE);
        fs::copy(generated, &rustdoc)
            .with_context(|| format!("cannot copy {} into the cache at {}", generated.display(), rustdoc.display()))?;
        let untracked = match ExtraInputs::read(workspace, &self.target_dir, package) {
            Ok(inputs) => {
                let entry = InputsEntry { apicheck_cache: CACHE_SCHEMA, package: package.name.clone(), key: key.to_string(), inputs };
                write_atomically(&dir.join(INPUTS_FILE), &serde_json::to_vec(&entry).context("cannot serialise a cache entry")?)?;
                None
            }
            Err(error) => Some(format!(
                "not cached: cannot tell which files and environment variables the documentation of `{}` read ({error:#}), \
                 so every run documents it again",
                package.name
            )),
        };
        let entry = ApiEntry {
            apicheck_cache: CACHE_SCHEMA,
            package: package.name.clone(),
            key: key.to_string(),
            rustdoc_sha256: sha256_file(&rustdoc).with_context(|| format!("cannot read {}", rustdoc.display()))?,
            rustdoc_format: json.format_version(),
            model,
        };
        write_atomically(&dir.join(API_FILE), &serde_json::to_vec(&entry).context("cannot serialise a cache entry")?)?;
        Ok(CurrentApi { model: entry.model, rustdoc, rustdoc_format: entry.rustdoc_format, untracked })
    }

    /// Moves the API and inputs entries of `package` from key `from` to key `to` (the same
    /// JSON, whose inputs turned out to be `to`).
    pub fn rekey(&self, package: &str, from: &str, to: &str) -> Result<()> {
        let dir = self.package_dir(package);
        let path = dir.join(API_FILE);
        let mut entry: ApiEntry = serde_json::from_slice(&fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?)
            .with_context(|| format!("the cache entry {} is corrupt", path.display()))?;
        if entry.key != from {
            anyhow::bail!("the cache entry {} changed during the run", path.display());
        }
        entry.key = to.to_string();
        // An untracked package has no inputs entry, and keeps having none.
        let inputs_path = dir.join(INPUTS_FILE);
        if let Ok(bytes) = fs::read(&inputs_path) {
            let mut inputs: InputsEntry =
                serde_json::from_slice(&bytes).with_context(|| format!("the cache entry {} is corrupt", inputs_path.display()))?;
            if inputs.key != from {
                anyhow::bail!("the cache entry {} changed during the run", inputs_path.display());
            }
            inputs.key = to.to_string();
            write_atomically(&inputs_path, &serde_json::to_vec(&inputs).context("cannot serialise a cache entry")?)?;
        }
        write_atomically(&path, &serde_json::to_vec(&entry).context("cannot serialise a cache entry")?)
    }

    /// The cached diff of `package` whose inputs have key `input_key`, under `key` (see
    /// [`diff_key`]), if a sound entry holds it and what else the documentation read is
    /// unchanged.
    pub fn diff(&self, package: &str, input_key: &str, key: &str) -> Option<CachedDiff> {
        let entry: DiffEntry = serde_json::from_slice(&fs::read(self.package_dir(package).join(DIFF_FILE)).ok()?).ok()?;
        let sound = entry.apicheck_cache == CACHE_SCHEMA
            && entry.package == package
            && entry.key == key
            && self.extra_inputs_unchanged(package, input_key);
        sound.then_some(entry.cached)
    }

    pub fn store_diff(&self, package: &str, key: &str, cached: &CachedDiff) -> Result<()> {
        let entry = DiffEntry { apicheck_cache: CACHE_SCHEMA, package: package.to_string(), key: key.to_string(), cached: cached.clone() };
        let dir = self.package_dir(package);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create the cache directory {}", dir.display()))?;
        write_atomically(&dir.join(DIFF_FILE), &serde_json::to_vec(&entry).context("cannot serialise a cache entry")?)
    }
}

/// The key of a diff: the current API's input key, the stored baseline's files, and whether
/// the lints ran.
pub fn diff_key(input_key: &str, baselines: &Baselines, package: &str, lints: bool) -> String {
    let mut hasher = Sha256::new();
    field(&mut hasher, "input", input_key.as_bytes());
    field(&mut hasher, "lints", &[u8::from(lints)]);
    for (name, path) in baselines.files(package) {
        match fs::read(path) {
            Ok(bytes) => field(&mut hasher, name, &bytes),
            Err(_) => field(&mut hasher, "missing", name.as_bytes()),
        }
    }
    hex(&hasher.finalize())
}
