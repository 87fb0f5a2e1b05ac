//! Stored baselines: the released API of each package, in `baselines/<package>/`.
//!
//! - `model.json`: the toolchain-independent API model, with the release it records (version,
//!   tag, commit) and the rustdoc format its JSON was generated in;
//! - `api.txt`: the listing, for review in pull requests;
//! - `rustdoc.json.gz`: the rustdoc JSON, compressed, which cargo-semver-checks' lints need.
//!
//! Every file is written to a temporary file beside it and renamed into place, `model.json`
//! last: a crash or Ctrl-C leaves the old baseline or the new one, never half of a file.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use semver::Version;
use serde::{Deserialize, Serialize};

use crate::model::{ApiModel, ListingOptions, MODEL_SCHEMA};

/// Version of `model.json`'s schema.
pub const BASELINE_SCHEMA: u32 = 1;

const MODEL_FILE: &str = "model.json";
const LISTING_FILE: &str = "api.txt";
const RUSTDOC_FILE: &str = "rustdoc.json.gz";

/// What `model.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    model: serde_json::Value,
}

/// What `model.json` holds besides the model: what the policy needs of a baseline, read
/// without building the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineSummary {
    pub package: String,
    pub version: Version,
    pub tag: String,
    pub commit: Option<String>,
    pub rustdoc_format: u32,
    #[serde(default)]
    pub public_dependency_versions: Option<std::collections::BTreeMap<String, Version>>,
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
            if entry.path().join(MODEL_FILE).is_file() {
                packages.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        packages.sort();
        Ok(packages)
    }

    /// The files of the stored baseline of `package` that a comparison reads, by name.
    pub fn files(&self, package: &str) -> [(&'static str, PathBuf); 2] {
        let dir = self.package_dir(package);
        [(MODEL_FILE, dir.join(MODEL_FILE)), (RUSTDOC_FILE, dir.join(RUSTDOC_FILE))]
    }

    /// The stored baseline of `package`, `None` when it has none. A model that an apicheck with
    /// another model schema recorded is rebuilt from the stored rustdoc JSON, so that upgrading
    /// apicheck never forces re-recording; `ModelOrigin::Rebuilt` says so.
    pub fn load(&self, package: &str) -> Result<Option<(BaselineRecord, ModelOrigin)>> {
        let Some(stored) = self.read(package, |record: &StoredRecord| &record.package)? else { return Ok(None) };
        let schema = stored.model.get("apicheck_model").and_then(serde_json::Value::as_u64);
        let (model, origin) = if schema == Some(u64::from(MODEL_SCHEMA)) {
            let model = serde_json::from_value(stored.model).with_context(|| {
                format!(
                    "the baseline {} is corrupt: restore it from git or record it again (`apicheck baseline -p {package}`)",
                    self.package_dir(package).join(MODEL_FILE).display()
                )
            })?;
            (model, ModelOrigin::Stored)
        } else {
            let json = self.rustdoc_text(package)?;
            let source = self.package_dir(package).join(RUSTDOC_FILE);
            let krate = crate::rustdoc::parse_rustdoc_text(&source, &json)?;
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
            model,
        };
        Ok(Some((record, origin)))
    }

    /// The stored baseline of `package` without its model, `None` when it has none.
    pub fn summary(&self, package: &str) -> Result<Option<BaselineSummary>> {
        self.read(package, |summary: &BaselineSummary| &summary.package)
    }

    fn read<T: serde::de::DeserializeOwned>(&self, package: &str, recorded_package: impl Fn(&T) -> &String) -> Result<Option<T>> {
        let path = self.package_dir(package).join(MODEL_FILE);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error).with_context(|| format!("cannot read the baseline {}", path.display())),
        };
        let fix = format!(
            "restore it from git (`git checkout -- {}`) or record it again (`apicheck baseline -p {package}`)",
            self.package_dir(package).display()
        );
        #[derive(Deserialize)]
        struct Schema {
            apicheck_baseline: Option<u32>,
        }
        let schema: Schema = serde_json::from_str(&text)
            .map_err(|error| anyhow::anyhow!("the baseline {} is corrupt ({error}): {fix}", path.display()))?;
        if schema.apicheck_baseline != Some(BASELINE_SCHEMA) {
            bail!(
                "the baseline {} has schema {:?}, this apicheck reads schema {BASELINE_SCHEMA}: {fix}",
                path.display(),
                schema.apicheck_baseline
            );
        }
        let record: T = serde_json::from_str(&text)
            .map_err(|error| anyhow::anyhow!("the baseline {} is corrupt ({error}): {fix}", path.display()))?;
        if recorded_package(&record) != package {
            bail!("the baseline {} records package `{}`, not `{package}`: {fix}", path.display(), recorded_package(&record));
        }
        Ok(Some(record))
    }

    /// Decompresses the stored rustdoc JSON of `package` to `into` (atomically) and returns it.
    pub fn extract_rustdoc(&self, package: &str, into: &Path) -> Result<PathBuf> {
        let text = self.rustdoc_text(package)?;
        write_atomically(into, text.as_bytes())?;
        Ok(into.to_path_buf())
    }

    /// The stored rustdoc JSON of `package`, decompressed.
    fn rustdoc_text(&self, package: &str) -> Result<String> {
        let source = self.package_dir(package).join(RUSTDOC_FILE);
        let file = fs::File::open(&source).with_context(|| {
            format!("the baseline of `{package}` has no {}: record it again (`apicheck baseline -p {package}`)", source.display())
        })?;
        let mut text = String::new();
        GzDecoder::new(file)
            .read_to_string(&mut text)
            .with_context(|| format!("the baseline's rustdoc JSON {} is corrupt", source.display()))?;
        Ok(text)
    }

    /// Records `record` with its rustdoc JSON, replacing any earlier baseline of the package.
    pub fn write(&self, record: &BaselineRecord, rustdoc_json: &Path) -> Result<()> {
        let dir = self.package_dir(&record.package);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let json = fs::read(rustdoc_json).with_context(|| format!("cannot read {}", rustdoc_json.display()))?;
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(&json).context("cannot compress the rustdoc JSON")?;
        write_atomically(&dir.join(RUSTDOC_FILE), &encoder.finish().context("cannot compress the rustdoc JSON")?)?;
        write_atomically(&dir.join(LISTING_FILE), record.model.listing(ListingOptions::default()).as_bytes())?;
        let mut model = serde_json::to_vec_pretty(record).context("cannot serialise the baseline")?;
        model.push(b'\n');
        write_atomically(&dir.join(MODEL_FILE), &model)
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
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
    temp.as_file().sync_all().with_context(|| format!("cannot write {}", path.display()))?;
    temp.persist(path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}
