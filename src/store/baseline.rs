//! Stored baselines: the released API of each package, in `baselines/<package>/`.
//!
//! - `model.json`: the toolchain-independent API model, with the release it records (version,
//!   tag, commit) and the rustdoc format its JSON was generated in;
//! - `api.txt`: the listing, for review in pull requests;
//! - `rustdoc.json.gz`: the rustdoc JSON, compressed, which cargo-semver-checks' lints need.
//!
//! A package's baseline changes as a whole: the three files are written into a fresh staging
//! directory beside it (`baselines/.apicheck-new-<package>-<pid>`), which then takes the package
//! directory's place in one step (see [`Baselines::write`]). A crash, a Ctrl-C or a SIGKILL at
//! any moment leaves the old baseline or the new one, byte for byte. Readers skip every
//! `.apicheck-*` directory but the one an interrupted fallback swap set aside.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use semver::Version;
use serde::{Deserialize, Serialize};

use crate::engine::manifest::ManifestApi;
use crate::engine::model::{ApiModel, ListingOptions, MODEL_SCHEMA};

/// Version of `model.json`'s schema.
pub const BASELINE_SCHEMA: u32 = 1;

const MODEL_FILE: &str = "model.json";
const LISTING_FILE: &str = "api.txt";
const RUSTDOC_FILE: &str = "rustdoc.json.gz";

/// The prefix of apicheck's own directories in the baselines folder: staging directories of
/// writes and baselines set aside during a swap. Never a package's baseline.
const WORK_DIR_PREFIX: &str = ".apicheck-";

/// What `model.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BaselineRecord {
    pub apicheck_baseline: u32,
    pub package: String,
    pub version: Version,
    /// The release tag the baseline records (it may be created after the baseline).
    pub tag: String,
    /// The commit the baseline was recorded at, when in a git repository.
    pub commit: Option<String>,
    /// The rustdoc JSON format of `rustdoc.json.gz`.
    pub rustdoc_format: u32,
    /// The apicheck version that recorded it.
    pub recorded_with: String,
    /// The versions of the public dependencies (crates whose items appear in the API) at
    /// release; a major change of one later is a break of this package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_dependency_versions: Option<std::collections::BTreeMap<String, Version>>,
    /// The features and dependencies of its `Cargo.toml` at release; `None` in baselines
    /// recorded before apicheck 0.4.0, whose manifest is read from the release in git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<ManifestApi>,
    pub model: ApiModel,
}

/// Where a loaded baseline's model came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelOrigin {
    /// `model.json`'s own model.
    Stored,
    /// Rebuilt from `rustdoc.json.gz`, because `model.json` holds a model of another schema
    /// (`None`: no schema number at all).
    Rebuilt { schema: Option<u64> },
}

/// `model.json` as stored, its model not yet read (its schema may be an older one).
#[derive(Deserialize)]
struct StoredRecord {
    apicheck_baseline: u32,
    package: String,
    version: Version,
    tag: String,
    commit: Option<String>,
    rustdoc_format: u32,
    recorded_with: String,
    #[serde(default)]
    public_dependency_versions: Option<std::collections::BTreeMap<String, Version>>,
    #[serde(default)]
    manifest: Option<ManifestApi>,
    model: serde_json::Value,
}

/// What `model.json` holds besides the model: what the policy needs of a baseline, read
/// without building the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BaselineSummary {
    pub package: String,
    pub version: Version,
    pub tag: String,
    pub commit: Option<String>,
    pub rustdoc_format: u32,
    #[serde(default)]
    pub public_dependency_versions: Option<std::collections::BTreeMap<String, Version>>,
    /// See [`BaselineRecord::manifest`].
    #[serde(default)]
    pub manifest: Option<ManifestApi>,
    /// The schema of the stored model (read without the rest of the model).
    #[serde(default, rename = "model")]
    pub model_schema: ModelSchema,
}

/// The one key of a stored model a summary reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelSchema {
    #[serde(default)]
    pub apicheck_model: Option<u64>,
}

impl BaselineSummary {
    /// The schema of the stored model when an apicheck with another one recorded it (so that the
    /// model is rebuilt from the rustdoc JSON for a comparison), as text.
    pub fn older_model_schema(&self) -> Option<String> {
        match self.model_schema.apicheck_model {
            Some(schema) if schema == u64::from(MODEL_SCHEMA) => None,
            Some(schema) => Some(schema.to_string()),
            None => Some("unknown".to_string()),
        }
    }
}

/// The baselines folder of a workspace.
#[derive(Debug, Clone)]
pub struct Baselines {
    pub dir: PathBuf,
}

impl Baselines {
    pub fn new(dir: PathBuf) -> Baselines {
        Baselines { dir }
    }

    /// Removes the baseline of `package`, if there is one (a feature surface the package no
    /// longer has).
    pub fn remove(&self, package: &str) -> Result<()> {
        let dir = self.package_dir(package);
        match fs::remove_dir_all(&dir) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                Err(error).with_context(|| format!("cannot remove the baseline {}: delete it", dir.display()))
            }
            _ => Ok(()),
        }
    }

    pub fn package_dir(&self, package: &str) -> PathBuf {
        self.dir.join(package)
    }

    /// The packages that have a stored baseline.
    pub fn stored_packages(&self) -> Result<Vec<String>> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(error).with_context(|| format!("cannot read {}", self.dir.display())),
        };
        let mut packages = Vec::new();
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot read {}", self.dir.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(package) = name.strip_prefix(WORK_DIR_PREFIX).and_then(|rest| rest.strip_prefix("old-")) {
                // A swap interrupted between its two renames: the old baseline is still the one.
                if !self.package_dir(package).exists() && entry.path().join(MODEL_FILE).is_file() {
                    packages.push(package.to_string());
                }
            } else if !name.starts_with(WORK_DIR_PREFIX) && entry.path().join(MODEL_FILE).is_file() {
                packages.push(name);
            }
        }
        packages.sort();
        packages.dedup();
        Ok(packages)
    }

    /// Where the old baseline of `package` waits while the fallback swap (see
    /// [`Baselines::write`]) moves the new one in.
    fn set_aside_dir(&self, package: &str) -> PathBuf {
        self.dir.join(format!("{WORK_DIR_PREFIX}old-{package}"))
    }

    /// The directory the stored baseline of `package` is read from: its own, or, when a
    /// fallback swap was interrupted between its two renames, the old baseline set aside.
    fn stored_dir(&self, package: &str) -> PathBuf {
        let dir = self.package_dir(package);
        let set_aside = self.set_aside_dir(package);
        if !dir.exists() && set_aside.join(MODEL_FILE).is_file() { set_aside } else { dir }
    }

    /// The files of the stored baseline of `package` that a comparison reads, by name.
    pub fn files(&self, package: &str) -> [(&'static str, PathBuf); 2] {
        let dir = self.stored_dir(package);
        [(MODEL_FILE, dir.join(MODEL_FILE)), (RUSTDOC_FILE, dir.join(RUSTDOC_FILE))]
    }

    /// The stored baseline of `package`, `None` when it has none. A model that an apicheck with
    /// another model schema recorded is rebuilt from the stored rustdoc JSON, so that upgrading
    /// apicheck never forces re-recording; `ModelOrigin::Rebuilt` says so.
    pub fn load(&self, package: &str) -> Result<Option<(BaselineRecord, ModelOrigin)>> {
        let Some(stored) = self.read(package, |record: &StoredRecord| &record.package)? else { return Ok(None) };
        let schema = stored.model.get("apicheck_model").and_then(serde_json::Value::as_u64);
        let (model, origin) = if schema == Some(u64::from(MODEL_SCHEMA)) {
            let model = serde_json::from_value(stored.model).map_err(|error| {
                anyhow::anyhow!(
                    "the baseline {} is corrupt ({}): restore it from git or record it again (`apicheck baseline -p {package}`)",
                    self.stored_dir(package).join(MODEL_FILE).display(),
                    crate::input::one_line_error(&error)
                )
            })?;
            (model, ModelOrigin::Stored)
        } else {
            let json = self.rustdoc_text(package)?;
            let source = self.stored_dir(package).join(RUSTDOC_FILE);
            let krate = crate::engine::rustdoc::parse_rustdoc_text(&source, &json)?;
            (ApiModel::from_rustdoc(&krate.krate), ModelOrigin::Rebuilt { schema })
        };
        let record = BaselineRecord {
            apicheck_baseline: stored.apicheck_baseline,
            package: stored.package,
            version: stored.version,
            tag: stored.tag,
            commit: stored.commit,
            rustdoc_format: stored.rustdoc_format,
            recorded_with: stored.recorded_with,
            public_dependency_versions: stored.public_dependency_versions,
            manifest: stored.manifest,
            model,
        };
        Ok(Some((record, origin)))
    }

    /// The stored baseline of `package` without its model, `None` when it has none.
    pub fn summary(&self, package: &str) -> Result<Option<BaselineSummary>> {
        self.read(package, |summary: &BaselineSummary| &summary.package)
    }

    fn read<T: serde::de::DeserializeOwned>(&self, package: &str, recorded_package: impl Fn(&T) -> &String) -> Result<Option<T>> {
        let path = self.stored_dir(package).join(MODEL_FILE);
        if !path.exists() {
            return Ok(None);
        }
        let text = crate::input::read_text(&path, "baseline").with_context(|| format!("cannot read the baseline of `{package}`"))?;
        let fix = format!(
            "restore it from git (`git checkout -- {}`) or record it again (`apicheck baseline -p {package}`)",
            self.package_dir(package).display()
        );
        #[derive(Deserialize)]
        struct Schema {
            apicheck_baseline: Option<u32>,
        }
        let schema: Schema = serde_json::from_str(&text)
            .map_err(|error| anyhow::anyhow!("the baseline {} is corrupt ({}): {fix}", path.display(), crate::input::one_line_error(&error)))?;
        if schema.apicheck_baseline != Some(BASELINE_SCHEMA) {
            bail!(
                "the baseline {} has schema {:?}, this apicheck reads schema {BASELINE_SCHEMA}: {fix}",
                path.display(),
                schema.apicheck_baseline
            );
        }
        let record: T = serde_json::from_str(&text)
            .map_err(|error| anyhow::anyhow!("the baseline {} is corrupt ({}): {fix}", path.display(), crate::input::one_line_error(&error)))?;
        if recorded_package(&record) != package {
            bail!("the baseline {} records package `{}`, not `{package}`: {fix}", path.display(), recorded_package(&record));
        }
        Ok(Some(record))
    }

    /// The size of the stored (compressed) rustdoc JSON of `package`, if it has one.
    pub fn rustdoc_size(&self, package: &str) -> Option<u64> {
        fs::metadata(self.stored_dir(package).join(RUSTDOC_FILE)).ok().map(|metadata| metadata.len())
    }

    /// Decompresses the stored rustdoc JSON of `package` to `into` (atomically) and returns it.
    pub fn extract_rustdoc(&self, package: &str, into: &Path) -> Result<PathBuf> {
        let text = self.rustdoc_text(package)?;
        write_atomically(into, text.as_bytes())?;
        Ok(into.to_path_buf())
    }

    /// The stored rustdoc JSON of `package`, decompressed.
    fn rustdoc_text(&self, package: &str) -> Result<String> {
        let source = self.stored_dir(package).join(RUSTDOC_FILE);
        let file = fs::File::open(&source).with_context(|| {
            format!("the baseline of `{package}` has no {}: record it again (`apicheck baseline -p {package}`)", source.display())
        })?;
        crate::input::read_text_from(GzDecoder::new(file), &source, "baseline's rustdoc JSON", "decompresses to")
            .with_context(|| format!("the baseline's rustdoc JSON {} cannot be read whole", source.display()))
    }

    /// Records `record` with its rustdoc JSON, replacing any earlier baseline of the package as
    /// a whole.
    ///
    /// The three files are written and synced into a fresh staging directory
    /// (`.apicheck-new-<package>-<pid>`), which then replaces the package directory in one step:
    /// on Linux `renameat2(RENAME_EXCHANGE)` swaps the two directories (the old baseline ends up
    /// under the staging name and is deleted). Where the exchange is not supported, the old
    /// directory is renamed aside to `.apicheck-old-<package>` and the staging directory renamed
    /// in; readers take the set-aside directory while the package's is missing, and the next
    /// write restores it first. A package without a baseline gets the staging directory by one
    /// rename. Whatever is interrupted, the package's baseline is the old one or the new one.
    pub fn write(&self, record: &BaselineRecord, rustdoc_json: &Path) -> Result<()> {
        let package = &record.package;
        fs::create_dir_all(&self.dir).with_context(|| format!("cannot create the baselines folder {}", self.dir.display()))?;
        self.finish_interrupted_write(package)?;
        let json = fs::read(rustdoc_json).with_context(|| format!("cannot read {}", rustdoc_json.display()))?;
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(&json).context("cannot compress the rustdoc JSON")?;
        let compressed = encoder.finish().context("cannot compress the rustdoc JSON")?;
        let mut model = serde_json::to_vec_pretty(record).context("cannot serialise the baseline")?;
        model.push(b'\n');

        let staging = self.dir.join(format!("{WORK_DIR_PREFIX}new-{package}-{}", std::process::id()));
        remove_dir_if_present(&staging)?;
        let written = write_staging(&staging, &[
            (RUSTDOC_FILE, &compressed),
            (LISTING_FILE, record.model.listing(ListingOptions::default()).as_bytes()),
            (MODEL_FILE, &model),
        ]);
        if let Err(error) = written {
            let _ = fs::remove_dir_all(&staging);
            return Err(error.context(format!(
                "cannot write the baseline of `{package}` in {} (is the folder writable, is the disk full?); \
                 the stored baseline is unchanged",
                self.dir.display()
            )));
        }
        let target = self.package_dir(package);
        let swapped = if target.exists() { self.swap_in(&staging, &target, package) } else { rename(&staging, &target) };
        if let Err(error) = swapped {
            let _ = fs::remove_dir_all(&staging);
            return Err(error.context(format!("cannot move the new baseline of `{package}` into place; the stored baseline is unchanged")));
        }
        // The new baseline is in place: what follows is housekeeping, so it does not fail the
        // write. After an exchange the staging name holds the old baseline; readers skip it,
        // and the next write of this package removes it if this removal does not.
        let _ = sync_dir(&self.dir);
        let _ = fs::remove_dir_all(&staging);
        Ok(())
    }

    /// Replaces the existing directory `target` by `staging`: exchanged in one step where the
    /// system can, else set aside then renamed in (see [`Baselines::write`]).
    fn swap_in(&self, staging: &Path, target: &Path, package: &str) -> Result<()> {
        if exchange_directories(staging, target)? {
            return Ok(());
        }
        self.swap_by_setting_aside(staging, target, package)
    }

    /// The swap where directories cannot be exchanged: the old baseline is renamed aside, then
    /// the new one renamed in. Interrupted between the two, the set-aside baseline is read and
    /// restored by the next write ([`Baselines::finish_interrupted_write`]).
    fn swap_by_setting_aside(&self, staging: &Path, target: &Path, package: &str) -> Result<()> {
        let set_aside = self.set_aside_dir(package);
        rename(target, &set_aside)?;
        sync_dir(&self.dir)?;
        if let Err(error) = rename(staging, target) {
            // Put the old baseline back at once; if even that fails, readers and the next write
            // take it from where it was set aside.
            let _ = fs::rename(&set_aside, target);
            return Err(error);
        }
        // The new baseline is in place: a set-aside directory left behind is stale, ignored by
        // readers and removed by the next write.
        let _ = fs::remove_dir_all(&set_aside);
        Ok(())
    }

    /// Completes what an interrupted write of `package` left: a baseline set aside with none in
    /// its place is put back (the write never finished, so the old baseline stands); a
    /// set-aside or staging directory beside the package's baseline is deleted.
    fn finish_interrupted_write(&self, package: &str) -> Result<()> {
        let target = self.package_dir(package);
        let set_aside = self.set_aside_dir(package);
        if set_aside.exists() {
            if target.exists() {
                remove_dir_if_present(&set_aside)?;
            } else {
                rename(&set_aside, &target).context("cannot restore the baseline an interrupted `apicheck baseline` set aside")?;
            }
        }
        let staging_prefix = format!("{WORK_DIR_PREFIX}new-{package}-");
        let entries = fs::read_dir(&self.dir).with_context(|| format!("cannot read {}", self.dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot read {}", self.dir.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.strip_prefix(&staging_prefix).is_some_and(|pid| pid.chars().all(|c| c.is_ascii_digit())) {
                remove_dir_if_present(&entry.path())?;
            }
        }
        Ok(())
    }
}

/// Creates `dir` and writes `files` into it, each synced, then the directory itself.
fn write_staging(dir: &Path, files: &[(&str, &[u8])]) -> Result<()> {
    fs::create_dir(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, bytes) in files {
        let path = dir.join(name);
        let mut file = fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        file.write_all(bytes).with_context(|| format!("cannot write {}", path.display()))?;
        file.sync_all().with_context(|| format!("cannot write {}", path.display()))?;
    }
    sync_dir(dir)
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).with_context(|| format!("cannot rename {} to {}", from.display(), to.display()))
}

fn remove_dir_if_present(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(error).with_context(|| format!("cannot remove {} (left by an interrupted `apicheck baseline`): delete it", dir.display()))
        }
        _ => Ok(()),
    }
}

/// Makes a directory's entries (renames, new files) durable, where the system allows it.
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    fs::File::open(dir).and_then(|handle| handle.sync_all()).with_context(|| format!("cannot sync {}", dir.display()))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Exchanges two directories in one step (`renameat2(RENAME_EXCHANGE)`). `Ok(false)` when this
/// system or file system cannot.
#[cfg(target_os = "linux")]
fn exchange_directories(a: &Path, b: &Path) -> Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => Ok(false),
        Err(error) => Err(std::io::Error::from(error)).with_context(|| format!("cannot exchange {} and {}", a.display(), b.display())),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange_directories(_a: &Path, _b: &Path) -> Result<bool> {
    Ok(false)
}

/// Writes `bytes` to a temporary file beside `path`, syncs it to disk, then renames it over
/// `path`: a crash leaves the old file or the whole new one.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_renamed(path, bytes, true)
}

/// [`write_atomically`] without syncing the file to disk first: for the cache, whose entries
/// are checked on every read (a crash that leaves one short or damaged costs a rebuild, or an
/// error once), and which writes right after cargo, when a sync waits for everything cargo
/// wrote.
pub(crate) fn write_replacing(path: &Path, bytes: &[u8]) -> Result<()> {
    write_renamed(path, bytes, false)
}

/// Writes `bytes` to a temporary file beside `path` and renames it into place: readers see the
/// old file or the new one, never a part of it. `sync`: whether the data reaches the disk
/// before the rename.
fn write_renamed(path: &Path, bytes: &[u8], sync: bool) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut temp = tempfile::NamedTempFile::new_in(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
    // Baselines are shared files, committed and read by everyone: not the temporary file's 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file().set_permissions(fs::Permissions::from_mode(0o644)).with_context(|| format!("cannot write {}", path.display()))?;
    }
    temp.write_all(bytes).with_context(|| format!("cannot write {}", path.display()))?;
    if sync {
        temp.as_file().sync_all().with_context(|| format!("cannot write {}", path.display()))?;
    }
    temp.persist(path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The baselines folder of fixtures/monorepo, copied, and core-utils' stored record with its
    /// rustdoc JSON extracted to a file.
    fn fixture_baselines() -> (tempfile::TempDir, Baselines, BaselineRecord, PathBuf) {
        let fixture = Baselines::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/monorepo/baselines"));
        let temp = tempfile::tempdir().unwrap();
        let baselines = Baselines::new(temp.path().join("baselines"));
        for package in ["core-utils", "validation"] {
            fs::create_dir_all(baselines.package_dir(package)).unwrap();
            for file in [MODEL_FILE, LISTING_FILE, RUSTDOC_FILE] {
                fs::copy(fixture.package_dir(package).join(file), baselines.package_dir(package).join(file)).unwrap();
            }
        }
        let (record, _) = fixture.load("core-utils").unwrap().unwrap();
        let json = fixture.extract_rustdoc("core-utils", &temp.path().join("core-utils.json")).unwrap();
        (temp, baselines, record, json)
    }

    fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| {
                let entry = entry.unwrap();
                (entry.file_name().to_string_lossy().into_owned(), fs::read(entry.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    fn next_release(record: &BaselineRecord) -> BaselineRecord {
        BaselineRecord { version: Version::new(2, 0, 0), tag: "core-utils-v2.0.0".into(), ..record.clone() }
    }

    #[test]
    fn a_write_replaces_the_whole_directory_and_leaves_no_work_directory() {
        let (_temp, baselines, record, json) = fixture_baselines();
        baselines.write(&next_release(&record), &json).unwrap();
        assert_eq!(baselines.summary("core-utils").unwrap().unwrap().version, Version::new(2, 0, 0));
        let mut names: Vec<_> = fs::read_dir(&baselines.dir).unwrap().map(|entry| entry.unwrap().file_name()).collect();
        names.sort();
        assert_eq!(names, ["core-utils", "validation"], "no staging or set-aside directory is left");
        assert_eq!(baselines.stored_packages().unwrap(), ["core-utils", "validation"]);
    }

    #[test]
    fn the_fallback_swap_interrupted_between_its_renames_reads_and_restores_the_old_baseline() {
        let (_temp, baselines, record, json) = fixture_baselines();
        let old = files_of(&baselines.package_dir("core-utils"));
        // What the fallback swap leaves when killed after its first rename.
        rename(&baselines.package_dir("core-utils"), &baselines.set_aside_dir("core-utils")).unwrap();
        let staging = baselines.dir.join(".apicheck-new-core-utils-4242");
        fs::create_dir(&staging).unwrap();
        fs::write(staging.join(MODEL_FILE), "{ half").unwrap();

        assert_eq!(baselines.stored_packages().unwrap(), ["core-utils", "validation"], "the set-aside baseline still counts");
        assert_eq!(baselines.summary("core-utils").unwrap().unwrap().version, Version::new(1, 2, 0));
        assert!(baselines.load("core-utils").unwrap().is_some());
        assert_eq!(baselines.files("core-utils")[0].1, baselines.set_aside_dir("core-utils").join(MODEL_FILE));

        baselines.finish_interrupted_write("core-utils").unwrap();
        assert_eq!(files_of(&baselines.package_dir("core-utils")), old, "restored byte for byte");
        assert!(!staging.exists() && !baselines.set_aside_dir("core-utils").exists());

        // And the next write goes through.
        rename(&baselines.package_dir("core-utils"), &baselines.set_aside_dir("core-utils")).unwrap();
        baselines.write(&next_release(&record), &json).unwrap();
        assert_eq!(baselines.summary("core-utils").unwrap().unwrap().version, Version::new(2, 0, 0));
        assert!(!baselines.set_aside_dir("core-utils").exists());
    }

    #[test]
    fn the_fallback_swap_interrupted_after_its_renames_keeps_the_new_baseline() {
        let (_temp, baselines, record, _json) = fixture_baselines();
        let staging = baselines.dir.join(".apicheck-new-core-utils-1");
        write_staging(&staging, &[(MODEL_FILE, &serde_json::to_vec(&next_release(&record)).unwrap())]).unwrap();
        baselines.swap_by_setting_aside(&staging, &baselines.package_dir("core-utils"), "core-utils").unwrap();
        assert_eq!(baselines.summary("core-utils").unwrap().unwrap().version, Version::new(2, 0, 0));
        assert!(!baselines.set_aside_dir("core-utils").exists(), "the old baseline is deleted once the new one is in");

        // A set-aside directory beside the package's baseline is stale: ignored, then removed.
        copy_files(&baselines.package_dir("validation"), &baselines.set_aside_dir("core-utils"));
        assert_eq!(baselines.summary("core-utils").unwrap().unwrap().version, Version::new(2, 0, 0));
        assert_eq!(baselines.stored_packages().unwrap(), ["core-utils", "validation"]);
        baselines.finish_interrupted_write("core-utils").unwrap();
        assert!(!baselines.set_aside_dir("core-utils").exists());
    }

    fn copy_files(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }

    #[test]
    fn a_failed_write_leaves_the_old_baseline_and_says_so() {
        let (_temp, baselines, record, _json) = fixture_baselines();
        let old = files_of(&baselines.package_dir("core-utils"));
        let error = baselines.write(&next_release(&record), Path::new("/nonexistent/rustdoc.json")).unwrap_err();
        assert!(format!("{error:#}").contains("/nonexistent/rustdoc.json"), "{error:#}");
        assert_eq!(files_of(&baselines.package_dir("core-utils")), old);
    }
}
