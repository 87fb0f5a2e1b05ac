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
//! - `diff.json`: the findings against a baseline, keyed by the input key and the baseline's
//!   bytes (and whether the lints ran).
//!
//! An entry is used only when it parses, has this schema, names the package and carries the
//! key; `rustdoc.json` only when its hash matches. Anything else is ignored and rebuilt: the
//! cache can make a run faster, never change its result.
//!
//! Not inputs: files outside the package's directory that its code includes by a relative path
//! (`include_str!("../../x")`, `#[path]`); and the features that other packages documented in
//! the same cargo run turn on in a shared dependency.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ApiDiff;
use crate::baseline::{BaselineSummary, Baselines, write_atomically};
use crate::model::ApiModel;
use crate::rustdoc::read_rustdoc;
use crate::workspace::{DepKind, Lockfile, Package, Workspace};

/// Version of the cache entries' layout; entries of another are ignored.
const CACHE_SCHEMA: u32 = 1;

const API_FILE: &str = "api.json";
const RUSTDOC_FILE: &str = "rustdoc.json";
const DIFF_FILE: &str = "diff.json";

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
    let mut needed: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&Package> = packages.to_vec();
    while let Some(package) = stack.pop() {
        if needed.insert(&package.name) {
            for dependency in library_edges(package) {
                if let Some(member) = &dependency.member
                    && let Ok(member) = workspace.package(member)
                {
                    stack.push(member);
                }
            }
        }
    }
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
            let skip = name == "target" || name.to_string_lossy().starts_with('.') || path.join("Cargo.toml").is_file();
            if !skip {
                collect_files(root, &path, files)?;
            }
        } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            files.push((relative, path));
        }
    }
    Ok(())
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
}

impl Cache {
    pub fn in_target_dir(target_dir: &Path) -> Cache {
        Cache { dir: target_dir.join("apicheck").join("cache") }
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
            && sha256_file(&rustdoc).as_deref() == Some(entry.rustdoc_sha256.as_str());
        sound.then_some(CurrentApi { model: entry.model, rustdoc, rustdoc_format: entry.rustdoc_format })
    }

    /// Copies freshly generated rustdoc JSON into the entry of `package` under `key`, with the
    /// model built from it, and returns both. (A copy: rustdoc truncates and rewrites its output
    /// in place, which would change a hard-linked entry.)
    pub fn store_api(&self, package: &str, key: &str, generated: &Path) -> Result<CurrentApi> {
        let json = read_rustdoc(generated)?;
        let model = ApiModel::from_rustdoc(&json.krate);
        let dir = self.package_dir(package);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create the cache directory {}", dir.display()))?;
        // The entry goes first, so that an interrupted store leaves no entry that matches.
        let _ = fs::remove_file(dir.join(API_FILE));
        let rustdoc = dir.join(RUSTDOC_FILE);
        fs::copy(generated, &rustdoc)
            .with_context(|| format!("cannot copy {} into the cache at {}", generated.display(), rustdoc.display()))?;
        let entry = ApiEntry {
            apicheck_cache: CACHE_SCHEMA,
            package: package.to_string(),
            key: key.to_string(),
            rustdoc_sha256: sha256_file(&rustdoc).with_context(|| format!("cannot read {}", rustdoc.display()))?,
            rustdoc_format: json.format_version(),
            model,
        };
        write_atomically(&dir.join(API_FILE), &serde_json::to_vec(&entry).context("cannot serialise a cache entry")?)?;
        Ok(CurrentApi { model: entry.model, rustdoc, rustdoc_format: entry.rustdoc_format })
    }

    /// Moves the API entry of `package` from key `from` to key `to` (the same JSON, whose
    /// inputs turned out to be `to`), and returns it.
    pub fn rekey(&self, package: &str, from: &str, to: &str) -> Result<CurrentApi> {
        let dir = self.package_dir(package);
        let path = dir.join(API_FILE);
        let mut entry: ApiEntry = serde_json::from_slice(&fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?)
            .with_context(|| format!("the cache entry {} is corrupt", path.display()))?;
        if entry.key != from {
            anyhow::bail!("the cache entry {} changed during the run", path.display());
        }
        entry.key = to.to_string();
        write_atomically(&path, &serde_json::to_vec(&entry).context("cannot serialise a cache entry")?)?;
        Ok(CurrentApi { model: entry.model, rustdoc: dir.join(RUSTDOC_FILE), rustdoc_format: entry.rustdoc_format })
    }

    /// The cached diff of `package` for `key` (see [`diff_key`]), if a sound entry holds it.
    pub fn diff(&self, package: &str, key: &str) -> Option<CachedDiff> {
        let entry: DiffEntry = serde_json::from_slice(&fs::read(self.package_dir(package).join(DIFF_FILE)).ok()?).ok()?;
        (entry.apicheck_cache == CACHE_SCHEMA && entry.package == package && entry.key == key).then_some(entry.cached)
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
