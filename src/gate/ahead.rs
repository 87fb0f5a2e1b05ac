//! Work a check does beside cargo, that comparing a package whose API changed needs first.
//!
//! Comparing such a package takes its baseline (model, rustdoc JSON decompressed), both rustdoc
//! JSON files loaded for the lints (a full parse each), and the lints' queries parsed; done
//! after cargo, all of it adds to the check's time. While cargo documents fewer packages than
//! there are cores (rustdoc documents a crate on one core), a core waits: the work is done there
//! instead, for the packages whose change looks public (their sources' shape changed, see
//! [`Cache::shape_changed`]), the others' findings most likely coming from the cache. Then, once
//! cargo wrote such a package's JSON, it is loaded for the lints beside the cache storing it.
//!
//! Measured on a public change to a package nobody depends on (tokio-rs/tracing's
//! tracing-appender, and the leaf of a generated 50-package workspace), rounds taken in turn
//! with `cargo doc` of that package: with no work ahead, 1.17–1.26× its time; with the work
//! ahead at normal priority, 1.13–1.23× (it slowed cargo's own start, which on two cores runs
//! beside the check's confirmation of the workspace); at the lowest priority (see
//! `current.rs`), 1.08–1.11×, about 30–60 ms beyond cargo.
//!
//! Only a head start: a comparison takes what is ready and does the rest itself, never waiting
//! for the low-priority thread (on a busy machine it may get no CPU until the check's other
//! threads are idle), and a guess that was wrong costs a core's idle time. Once cargo is done,
//! the thread stops at its next step, so that the check does not wait for it either. The new
//! JSON is loaded at normal priority, beside the cache storing it: a comparison waits for that.
//! Nothing read ahead is used unless it is what the comparison would read: a baseline read
//! ahead is used only while its files' digest is the one the comparison keys its findings on.
//!
//! The reads ahead run without rayon (no `join` inside a slot's initializer): a comparison
//! waiting on a slot blocks its thread, and rayon could otherwise hand that thread the
//! comparison of the package whose slot it is initializing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Result;

use crate::engine::lints::{self, Loaded};
use crate::store::baseline::{BaselineRecord, Baselines};
use crate::store::cache::{self, Cache};
use crate::workspace::Package;

/// A package's baseline, read for its comparison.
pub(super) struct BaselineRead {
    /// The digest of its files (see [`cache::baseline_digest`]), taken before they were read.
    pub digest: String,
    pub record: BaselineRecord,
    /// Its rustdoc JSON, decompressed and loaded for the lints (when they run and can load it).
    pub rustdoc: Option<Loaded>,
}

impl BaselineRead {
    /// Reads the baseline of `package` from `baselines`; its rustdoc JSON too, decompressed into
    /// `target_dir` and loaded for the lints, when `lints_on`.
    fn read(baselines: &Baselines, target_dir: &Path, package: &str, lints_on: bool) -> Result<Option<BaselineRead>> {
        let digest = cache::baseline_digest(baselines, package);
        let Some((record, _)) = baselines.load(package)? else { return Ok(None) };
        // A JSON the lints cannot load is left to the comparison, which reports why.
        let rustdoc = lints_on
            .then(|| baselines.extract_rustdoc(package, &extracted_rustdoc(target_dir, &record.package, &record.version.to_string())).ok())
            .flatten()
            .and_then(|json| Loaded::load(&json).ok());
        Ok(Some(BaselineRead { digest, record, rustdoc }))
    }
}

/// Where the lints read a baseline's stored rustdoc JSON from, decompressed.
pub(super) fn extracted_rustdoc(target_dir: &Path, package: &str, version: &str) -> PathBuf {
    target_dir.join("apicheck").join("baselines").join(format!("{package}-{version}.json"))
}

/// The work ahead of one surface run's comparisons.
pub(super) struct Ahead<'a> {
    target_dir: &'a Path,
    lints_on: bool,
    baselines_of: &'a (dyn Fn(&str) -> Baselines + Sync),
    cache: Cache,
    /// The run's packages, for the lints' queries when no chosen package's baseline JSON loads.
    packages: Vec<&'a Package>,
    /// The packages whose comparison is readied ahead.
    chosen: Mutex<BTreeSet<String>>,
    /// By package: its baseline, once read ahead (`None`: it could not be, and the comparison
    /// reads it again to report why).
    baselines: BTreeMap<String, OnceLock<Option<Arc<BaselineRead>>>>,
    /// By package: its new rustdoc JSON, once loaded for the lints (chosen packages only).
    current: BTreeMap<String, OnceLock<Option<Arc<Loaded>>>>,
    /// Set once the cargo runs are over: what is not done ahead by then is left to the
    /// comparisons, so that the check does not wait for the low-priority thread at its end.
    stop: std::sync::atomic::AtomicBool,
}

impl<'a> Ahead<'a> {
    pub fn new(packages: &[&'a Package], target_dir: &'a Path, lints_on: bool, baselines_of: &'a (dyn Fn(&str) -> Baselines + Sync)) -> Ahead<'a> {
        Ahead {
            target_dir,
            lints_on,
            baselines_of,
            cache: Cache::in_target_dir(target_dir),
            packages: packages.to_vec(),
            chosen: Mutex::default(),
            baselines: packages.iter().map(|package| (package.name.clone(), OnceLock::new())).collect(),
            current: packages.iter().map(|package| (package.name.clone(), OnceLock::new())).collect(),
            stop: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn is_chosen(&self, package: &str) -> bool {
        self.chosen.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).contains(package)
    }

    /// The baseline of `package` read ahead, if it was and the read is over (a comparison does
    /// not wait for the low-priority thread: it reads the baseline itself), and only while its
    /// files' digest is still `digest`.
    pub fn baseline(&self, package: &str, digest: &str) -> Option<Arc<BaselineRead>> {
        self.baselines.get(package)?.get()?.clone().filter(|read| read.digest == digest)
    }

    /// Whether the cargo runs are over (see [`super::current::WorkAhead::stop`]).
    fn stopped(&self) -> bool {
        self.stop.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The new rustdoc JSON of `package` loaded for the lints, if it was chosen: the one loaded
    /// ahead (waiting for it if under way), else `json` loaded now.
    pub fn current(&self, package: &str, json: &Path) -> Option<Arc<Loaded>> {
        if !self.is_chosen(package) {
            return None;
        }
        self.current.get(package)?.get_or_init(|| Loaded::load(json).ok().map(Arc::new)).clone()
    }

    /// Hands what was read ahead, the baselines' models and loaded JSON files, to the thread
    /// pool to free (see [`cache::free_in_background`]).
    pub fn free_in_background(self) {
        cache::free_in_background((self.baselines, self.current));
    }

    fn read_baseline(&self, package: &str) -> Option<Arc<BaselineRead>> {
        BaselineRead::read(&(self.baselines_of)(package), self.target_dir, package, self.lints_on).ok().flatten().map(Arc::new)
    }
}

impl super::current::WorkAhead for Ahead<'_> {
    fn while_documenting(&self, batch: &[&Package]) {
        // Each package cargo documents takes a core: with as many as there are cores, none waits.
        let chosen: Vec<&Package> = if batch.len() < rayon::current_num_threads() {
            batch.iter().copied().filter(|package| self.baselines.contains_key(&package.name) && self.cache.shape_changed(package)).collect()
        } else {
            Vec::new()
        };
        self.chosen.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).extend(chosen.iter().map(|package| package.name.clone()));
        let mut loaded = None;
        for package in chosen.iter().take_while(|_| !self.stopped()) {
            if let Some(read) = self.baselines[&package.name].get_or_init(|| self.read_baseline(&package.name)) {
                loaded = loaded.or_else(|| read.rustdoc.as_ref().map(|_| read.clone()));
            }
        }
        // With no package chosen every change looks private: its findings most likely come from
        // the cache, and the queries would be parsed for nothing (the comparison parses them
        // when the guess was wrong).
        if chosen.is_empty() || !self.lints_on || LINTS_PREPARED.swap(true, std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        match loaded.as_ref().and_then(|read| read.rustdoc.as_ref()) {
            Some(rustdoc) => {
                let _ = lints::prepare(rustdoc, &|| self.stopped());
            }
            None => prepare_lints(self.target_dir, &self.packages, self.baselines_of, &|| self.stopped()),
        }
    }

    fn stop(&self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    fn documented(&self, package: &Package, json: &Path) {
        if self.lints_on && self.is_chosen(&package.name) {
            self.current(&package.name, json);
        }
    }
}

/// Whether this process readied the lints' queries (see [`lints::prepare`]) ahead already:
/// every surface run of a check would, and one toolchain emits one format, so the later ones
/// would only load and index a baseline's JSON again to find the queries parsed.
static LINTS_PREPARED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Parses the lints' queries ahead (see [`lints::prepare`]), for the rustdoc format of the
/// smallest baseline of `packages`: a guess at the format the toolchain emits. Errors are left
/// to the comparison, which reports what it fails on.
fn prepare_lints(target_dir: &Path, packages: &[&Package], baselines_of: &(dyn Fn(&str) -> Baselines + Sync), stop: &dyn Fn() -> bool) {
    let candidates: Vec<(&str, Baselines)> = packages.iter().map(|package| (package.name.as_str(), baselines_of(&package.name))).collect();
    let smallest = candidates.iter().filter_map(|(name, baselines)| Some((baselines.rustdoc_size(name)?, *name, baselines))).min_by_key(|(size, _, _)| *size);
    let Some((_, name, baselines)) = smallest else { return };
    let Ok(Some(record)) = baselines.summary(name) else { return };
    if let Ok(json) = baselines.extract_rustdoc(name, &extracted_rustdoc(target_dir, name, &record.version.to_string())) {
        let _ = lints::prepare(json.as_path(), stop);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// fixtures/monorepo's baseline of core-utils, copied into a temporary folder, and the work
    /// ahead of a run whose comparison of core-utils was chosen to be readied.
    fn chosen_core_utils(temp: &Path) -> Baselines {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/monorepo/baselines/core-utils");
        let baselines = Baselines::new(temp.join("baselines"));
        std::fs::create_dir_all(baselines.package_dir("core-utils")).unwrap();
        for entry in std::fs::read_dir(&fixture).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), baselines.package_dir("core-utils").join(entry.file_name())).unwrap();
        }
        baselines
    }

    fn ahead<'a>(temp: &'a Path, baselines_of: &'a (dyn Fn(&str) -> Baselines + Sync)) -> Ahead<'a> {
        Ahead {
            target_dir: temp,
            lints_on: true,
            baselines_of,
            cache: Cache::in_target_dir(temp),
            packages: Vec::new(),
            chosen: Mutex::new(["core-utils".to_string()].into()),
            baselines: [("core-utils".to_string(), OnceLock::new())].into(),
            current: [("core-utils".to_string(), OnceLock::new())].into(),
            stop: std::sync::atomic::AtomicBool::new(false),
        }
    }

    #[test]
    fn a_baseline_read_ahead_is_used_only_while_its_files_are_the_ones_read() {
        let temp = tempfile::tempdir().unwrap();
        let baselines = chosen_core_utils(temp.path());
        let baselines_of = |_: &str| baselines.clone();
        let ahead = ahead(temp.path(), &baselines_of);
        let digest = cache::baseline_digest(&baselines, "core-utils");

        assert!(ahead.baseline("core-utils", &digest).is_none(), "a comparison does not wait for a read not done");
        ahead.baselines["core-utils"].get_or_init(|| ahead.read_baseline("core-utils"));
        let read = ahead.baseline("core-utils", &digest).expect("the chosen package's baseline is read");
        assert_eq!(read.record.package, "core-utils");
        let rustdoc = read.rustdoc.as_ref().expect("its rustdoc JSON is loaded for the lints");
        assert_eq!(rustdoc.format(), read.record.rustdoc_format);
        assert!(ahead.baseline("validation", &digest).is_none(), "a package not read ahead is read by its comparison");

        // An `apicheck baseline` replaced the files after they were read: the comparison reads
        // them again, and keys its findings on what it read.
        let model = baselines.package_dir("core-utils").join("model.json");
        std::fs::write(&model, std::fs::read_to_string(&model).unwrap() + "\n").unwrap();
        assert!(ahead.baseline("core-utils", &cache::baseline_digest(&baselines, "core-utils")).is_none());
    }

    /// A stored rustdoc JSON the lints cannot load leaves the model read ahead, and the JSON to
    /// the comparison, which loads it from the file and reports why it cannot.
    #[test]
    fn a_baseline_json_the_lints_cannot_load_is_left_to_the_comparison() {
        let temp = tempfile::tempdir().unwrap();
        let baselines = chosen_core_utils(temp.path());
        let stored = baselines.package_dir("core-utils").join("rustdoc.json.gz");
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut encoder, b"{}").unwrap();
        std::fs::write(&stored, encoder.finish().unwrap()).unwrap();
        let read = BaselineRead::read(&baselines, temp.path(), "core-utils", true).unwrap().expect("a baseline");
        assert_eq!(read.record.package, "core-utils");
        assert!(read.rustdoc.is_none());
    }

    #[test]
    fn the_current_json_is_loaded_once_for_a_chosen_package_and_not_for_the_others() {
        let temp = tempfile::tempdir().unwrap();
        let baselines = chosen_core_utils(temp.path());
        let json = baselines.extract_rustdoc("core-utils", &temp.path().join("core-utils.json")).unwrap();
        let baselines_of = |_: &str| baselines.clone();
        let ahead = ahead(temp.path(), &baselines_of);

        let loaded = ahead.current("core-utils", &json).expect("loaded");
        // The comparison finds it loaded: it does not read its own path again.
        let again = ahead.current("core-utils", &temp.path().join("missing.json")).expect("loaded before");
        assert!(Arc::ptr_eq(&loaded, &again));
        assert!(ahead.current("validation", &json).is_none());
    }
}
