//! The current API of each selected package: from the cache when its key holds, else documented
//! by cargo (changed packages first, then the dependents whose dependencies' fingerprints changed).

use std::sync::{Arc, OnceLock};

use super::*;
use super::contexts::Contexts;
use crate::workspace::cargo::LibraryFeatures;

/// The current APIs of a set of packages.
pub struct CurrentApis<T> {
    /// For each package, in order: its API, what `then` made of it, and whether this run
    /// documented it.
    pub apis: Vec<(CurrentApi, T, bool)>,
    /// For each package, in order: what the cargo run that documented it built, when this
    /// command documented it or its cache entry recorded it.
    pub(crate) built: Vec<Option<Arc<LibraryFeatures>>>,
}

/// The current API of each of `packages`, whose key inputs are `inputs`, and what `then` made
/// of it. `then` runs on each API as soon as it is there (a cached one at once, a generated one
/// while cargo documents the rest), in parallel, with the package's key when the API came from
/// the cache.
///
/// The packages whose own inputs changed (or that have no sound entry) are documented first,
/// in one cargo run, and so is every package whose key is known before it (all the
/// fingerprints it needs come from sound entries) but not the one in its entry. Then the
/// fingerprints of the documented packages are known, and the keys of the packages that
/// depend on them: an entry whose key still holds is used, and the others, with every package
/// that depends on one of them, are documented in a second cargo run. When no fingerprint
/// changed there is no second run. The packages waiting for a package whose change looks
/// public (its sources' shape changed) are documented in the first run instead, as they most
/// likely must be, and `then` works on the entries of the others meanwhile, as they most
/// likely hold. At the end each documented package's entry gets its key
/// (from its inputs as they are then: the cargo run may have completed `Cargo.lock`).
///
/// The set's external dependencies (see [`cache::KeyInputs`]) are keyed by their source keys:
/// see [`current_apis_in`].
pub fn current_apis<T: Send>(
    workspace: &Workspace,
    config: &Config,
    packages: &[&Package],
    target_dir: &Path,
    inputs: &cache::KeyInputs,
    then: &(dyn Fn(&Package, &CurrentApi) -> T + Sync),
) -> Result<CurrentApis<T>> {
    current_apis_in(workspace, config, packages, target_dir, inputs, None, None, then)
}

/// Work a caller of [`current_apis_in`] does beside cargo, readying what its `then` will need.
pub(super) trait WorkAhead: Sync {
    /// Beside each cargo run, which documents `batch`: on a thread of its own, at the lowest
    /// scheduling priority (see `lower_this_threads_priority`).
    fn while_documenting(&self, batch: &[&Package]);
    /// Once cargo wrote the rustdoc JSON of `package` to `json`, beside the cache storing it
    /// (which `then` waits for).
    fn documented(&self, package: &Package, json: &Path);
    /// The cargo runs are over: the work beside them should end at its next step, as the
    /// generation waits for it before it returns.
    fn stop(&self);
}

/// [`current_apis`], with the fingerprints of the set's external dependencies from
/// `contexts` when given, and `work_ahead`'s work done beside cargo.
#[allow(clippy::too_many_arguments)]
pub(super) fn current_apis_in<T: Send>(
    workspace: &Workspace,
    config: &Config,
    packages: &[&Package],
    target_dir: &Path,
    inputs: &cache::KeyInputs,
    contexts: Option<&Contexts<'_>>,
    work_ahead: Option<&dyn WorkAhead>,
    then: &(dyn Fn(&Package, &CurrentApi) -> T + Sync),
) -> Result<CurrentApis<T>> {
    let cache = Cache::in_target_dir(target_dir);
    let index_of: BTreeMap<&str, usize> = packages.iter().enumerate().map(|(index, p)| (p.name.as_str(), index)).collect();
    let recorded: Vec<Option<cache::RecordedKey>> =
        packages.par_iter().map(|p| cache.recorded_key(&p.name, inputs.own_key(&p.name))).collect();
    let lockfile = workspace.root.join("Cargo.lock");
    let lock_before = std::fs::read(&lockfile).ok();

    let slots: Vec<Mutex<Option<Result<(CurrentApi, T, bool)>>>> = packages.iter().map(|_| Mutex::default()).collect();
    let fill = |index: usize, result: Result<(CurrentApi, T, bool)>| {
        *slots[index].lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(result);
    };
    // By documented package: what `Cache::store_api` wrote of its API, which it published before.
    let written: Vec<Mutex<Option<cache::WrittenEntry>>> = packages.iter().map(|_| Mutex::default()).collect();
    // The fingerprint of every package whose API is known.
    let fingerprints: Mutex<BTreeMap<String, String>> = Mutex::default();
    let mut settled = vec![false; packages.len()];
    let mut documented: Vec<usize> = Vec::new();
    // By documented package: the features each member's library was built with in its run.
    let mut built_in_run: BTreeMap<usize, Arc<LibraryFeatures>> = BTreeMap::new();
    // By package waiting for a fingerprint of the first run: its recorded API and what `then`
    // made of it, worked out while cargo documents (see below), taken once its key holds.
    let ahead: Vec<OnceLock<Mutex<Option<(CurrentApi, T)>>>> = packages.iter().map(|_| OnceLock::new()).collect();
    let prepare = |index: usize, entry: cache::RecordedKey| -> Mutex<Option<(CurrentApi, T)>> {
        let package = packages[index];
        Mutex::new(cache.api(&package.name, entry).map(|api| {
            let made = then(package, &api);
            (api, made)
        }))
    };
    let mut worked_ahead = vec![false; packages.len()];
    // What stands for each external dependency of `package` (but those of `sourced_before`) in
    // its key when its run built `built`, and the external dependencies whose source key stands
    // in instead (see `contexts.rs`).
    let external_stand_ins = |package: &str, evaluates_constants: bool, built: &LibraryFeatures, sourced_before: &[String]| {
        let mut stand_ins: BTreeMap<String, String> = BTreeMap::new();
        let mut sourced: Vec<String> = Vec::new();
        for dependency in inputs.external_dependencies(package).filter(|dependency| !sourced_before.contains(dependency)) {
            match contexts.filter(|_| !evaluates_constants).and_then(|contexts| contexts.stand_in(dependency, built)) {
                Some(stand_in) => {
                    stand_ins.insert(dependency.clone(), stand_in);
                }
                None => sourced.push(dependency.clone()),
            }
        }
        (stand_ins, sourced)
    };
    // The packages taken from the cache before the first run, waiting for `then` (see `resolve`).
    let deferred: Mutex<Vec<(usize, CurrentApi)>> = Mutex::default();
    let generation = std::thread::scope(|threads| rayon::in_place_scope(|scope| -> Result<()> {
        let spawn_then = |index: usize, api: CurrentApi| {
            let (package, fill) = (packages[index], &fill);
            scope.spawn(move |_| {
                let made = then(package, &api);
                fill(index, Ok((api, made, false)));
            });
        };
        let spawn_deferred = || {
            for (index, api) in std::mem::take(&mut *deferred.lock().unwrap_or_else(|poisoned| poisoned.into_inner())) {
                spawn_then(index, api);
            }
        };
        // However the cargo runs end, the work beside them ends at its next step.
        let _stop_work_ahead = StopOnDrop(work_ahead);
        // Walks the packages dependencies first and takes from the cache each whose key is
        // known and still the one its entry holds. Returns those to document: every one whose
        // entry does not hold, and, after the first run (`first_run_pending` false), every one
        // whose key is still not known.
        //
        // `then` on those taken from the cache starts at once after the first run, or, before
        // it, once cargo's own start is over (`deferred`): hashing their baselines beside that
        // start, on a machine of two cores, delays cargo's first rustdoc by more than it saves.
        let resolve = |settled: &mut Vec<bool>, worked_ahead: &[bool], first_run_pending: bool| -> Vec<usize> {
            let mut to_document = Vec::new();
            for name in inputs.dependencies_first() {
                let Some(&index) = index_of.get(name.as_str()) else { continue };
                if settled[index] {
                    continue;
                }
                let Some(entry) = &recorded[index] else {
                    to_document.push(index);
                    continue;
                };
                let mut known = fingerprints.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
                if inputs.external_dependencies(name).any(|dependency| !entry.sourced.contains(dependency)) {
                    // What stands for them now, as its run built them (the same run, as its
                    // own key holds); one whose source key would stand in now is a key that
                    // cannot hold.
                    let Some(built) = &entry.built else {
                        to_document.push(index);
                        continue;
                    };
                    let (stand_ins, sourced) = external_stand_ins(name, entry.evaluates_constants, built, &entry.sourced);
                    if !sourced.is_empty() {
                        to_document.push(index);
                        continue;
                    }
                    known.extend(stand_ins);
                }
                let Some(key) = inputs.key(name, &entry.sourced, &known) else {
                    if !first_run_pending {
                        to_document.push(index);
                    }
                    continue;
                };
                if key != entry.key {
                    to_document.push(index);
                    continue;
                }
                if worked_ahead[index] {
                    // Waits for the work if it is under way, or does it now if it is not.
                    let prepared = ahead[index].get_or_init(|| prepare(index, entry.clone()));
                    let Some((api, made)) = prepared.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take() else {
                        to_document.push(index);
                        continue;
                    };
                    settled[index] = true;
                    fingerprints.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(name.clone(), api.fingerprint.clone());
                    fill(index, Ok((api, made, false)));
                    continue;
                }
                let Some(api) = cache.api(name, entry.clone()) else {
                    to_document.push(index);
                    continue;
                };
                settled[index] = true;
                fingerprints.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(name.clone(), api.fingerprint.clone());
                if first_run_pending {
                    deferred.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push((index, api));
                } else {
                    spawn_then(index, api);
                }
            }
            to_document
        };
        // Documents `batch` in one cargo run, and returns once every API of it is stored (and
        // its fingerprint known); `then` goes on in the background.
        let document = |batch: &[usize]| -> Result<LibraryFeatures> {
            let batch_packages: Vec<&Package> = batch.iter().map(|&index| packages[index]).collect();
            if let Some(work_ahead) = work_ahead.filter(|_| !batch.is_empty()) {
                let batch_packages = batch_packages.clone();
                threads.spawn(move || {
                    lower_this_threads_priority();
                    work_ahead.while_documenting(&batch_packages);
                });
            }
            rayon::in_place_scope(|stores| {
                workspace.rustdoc_each(&batch_packages, &config.features, Some(target_dir), &spawn_deferred, &|position, output| {
                    let index = batch[position];
                    let (package, fill, cache, fingerprints) = (packages[index], &fill, &cache, &fingerprints);
                    if let Some(work_ahead) = work_ahead {
                        let json = output.json.clone();
                        scope.spawn(move |_| work_ahead.documented(package, &json));
                    }
                    let written = &written;
                    stores.spawn(move |_| {
                        // `then` starts as soon as the API is known, beside its entry's write.
                        let published = |api: CurrentApi| {
                            fingerprints.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(package.name.clone(), api.fingerprint.clone());
                            scope.spawn(move |_| {
                                let made = then(package, &api);
                                fill(index, Ok((api, made, true)));
                            });
                        };
                        match cache.store_api(workspace, package, inputs.own_key(&package.name), &output, published) {
                            Ok(entry) => {
                                *written[index].lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(entry);
                                if inputs.has_fingerprinted_dependents(&package.name) {
                                    // For the guess at its next change; without it, the guess is
                                    // "public", which costs time only.
                                    let _ = cache.record_shapes(package);
                                }
                            }
                            Err(error) => fill(index, Err(error)),
                        }
                    });
                })
            })
        };
        let mut first = resolve(&mut settled, &worked_ahead, true);
        // The packages waiting for the fingerprint of one in the first run whose change is most
        // likely public (see `Cache::shape_changed`) go in the first run too: cargo then
        // documents them as soon as it has built what they depend on, in one run, as a user
        // would by hand, instead of in a second run after the first. Only a guess: a wrong
        // one documents them for nothing (a private change) or leaves them to the second run
        // (a public change the guess missed); the keys are the same either way.
        let waiting: Vec<usize> = (0..packages.len()).filter(|index| !settled[*index] && !first.contains(index)).collect();
        let awaited: Vec<&Package> = first
            .iter()
            .map(|&index| packages[index])
            .filter(|package| waiting.iter().any(|&index| inputs.fingerprinted_dependencies(&packages[index].name).contains(&package.name)))
            .collect();
        let likely_public: Vec<&str> = awaited.par_iter().filter(|package| cache.shape_changed(package)).map(|package| package.name.as_str()).collect();
        first.extend(
            waiting.into_iter().filter(|&index| inputs.fingerprinted_dependencies(&packages[index].name).iter().any(|d| likely_public.contains(&d.as_str()))),
        );
        // The packages still waiting most likely keep their entries (their dependencies'
        // change looks private): `then` works on those entries while cargo documents, on the
        // cores rustdoc leaves, instead of after it. What it makes is a function of the API
        // alone, so it is used as is when the key holds, and dropped when not.
        for index in (0..packages.len()).filter(|index| !settled[*index] && !first.contains(index)) {
            let Some(entry) = recorded[index].clone() else { continue };
            worked_ahead[index] = true;
            let (ahead, prepare) = (&ahead, &prepare);
            scope.spawn(move |_| {
                ahead[index].get_or_init(|| prepare(index, entry));
            });
        }
        let built = document(&first);
        // Those cargo's start did not hand over (no run, or one that failed before it).
        spawn_deferred();
        let built = Arc::new(built?);
        built_in_run.extend(first.iter().map(|&index| (index, built.clone())));
        documented.extend(&first);
        first.iter().for_each(|&index| settled[index] = true);
        let second = resolve(&mut settled, &worked_ahead, false);
        let built = Arc::new(document(&second)?);
        built_in_run.extend(second.iter().map(|&index| (index, built.clone())));
        documented.extend(&second);
        Ok(())
    }));
    generation?;
    let mut apis = slots
        .into_iter()
        .map(|slot| slot.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()).context("cargo doc returned no rustdoc JSON")?)
        .collect::<Result<Vec<_>>>()?;
    for ((api, _, _), entry) in apis.iter_mut().zip(written) {
        if let Some(entry) = entry.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()) {
            api.entry_written(entry);
        }
    }

    // Every fingerprint is known now: the documented packages get their keys.
    let now = if !documented.is_empty() && std::fs::read(&lockfile).ok() != lock_before {
        // Read again, as the trees may have changed with the lockfile.
        cache::input_keys(workspace, packages, &config.features, &cache::TreeDigests::default())?
    } else {
        inputs.clone()
    };
    let fingerprints = fingerprints.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    let documented_features: BTreeMap<String, Option<Vec<String>>> =
        packages.iter().zip(&apis).map(|(package, (api, _, _))| (package.name.clone(), api.documented_features.clone())).collect();
    for name in now.dependencies_first() {
        let Some(&index) = index_of.get(name.as_str()) else { continue };
        let Some(built) = built_in_run.get(&index) else { continue };
        let api = &apis[index].0;
        let mut sourced = now.sourced_dependencies(name, api.evaluates_constants, built, &documented_features);
        let (stand_ins, external_sourced) = external_stand_ins(name, api.evaluates_constants, built, &[]);
        sourced.extend(external_sourced);
        let mut known = fingerprints.clone();
        known.extend(stand_ins);
        let key = now
            .key(name, &sourced, &known)
            .with_context(|| format!("the fingerprint of a dependency of `{name}` is missing after documenting it"))?;
        if api.in_cache {
            // Where a package is resolved on its own, what its run built is what a later
            // run's stand-ins are read from: for its external dependencies, and, documented in
            // a context run, for the packages that depend on it.
            let built = workspace.resolves_per_package().then_some(built.as_ref());
            cache.set_key(name, inputs.own_key(name), now.own_key(name), &key, &sourced, built)?;
        }
    }
    let built = (0..packages.len())
        .map(|index| built_in_run.get(&index).cloned().or_else(|| recorded[index].as_ref().and_then(|entry| entry.built.clone()).map(Arc::new)))
        .collect();
    Ok(CurrentApis { apis, built })
}

/// Tells the work ahead to stop when dropped.
struct StopOnDrop<'a>(Option<&'a dyn WorkAhead>);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(work_ahead) = self.0 {
            work_ahead.stop();
        }
    }
}

/// Gives the calling thread the lowest scheduling priority (on Linux, where a thread's nice
/// value is its own), for work beside cargo: cargo leaves a core idle only on an idle machine,
/// and on two cores cargo's own start (resolving, fingerprinting) runs beside the check's
/// confirmation of the workspace. At normal priority the work ahead slowed cargo by about as
/// much as it saved (measured on tokio-rs/tracing and a generated workspace, see `ahead.rs`); at
/// the lowest it takes what cargo leaves.
/// For a thread of its own only: an unprivileged process cannot raise the priority again.
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    {
        // Only a preference: at normal priority the work is still right.
        let _ = rustix::process::setpriority_process(None, 19);
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn the_work_ahead_runs_at_the_lowest_priority_and_leaves_its_caller_s_alone() {
        let before = rustix::process::getpriority_process(None).unwrap();
        let lowered = std::thread::spawn(|| {
            super::lower_this_threads_priority();
            rustix::process::getpriority_process(None).unwrap()
        })
        .join()
        .unwrap();
        assert_eq!(lowered, 19);
        assert_eq!(rustix::process::getpriority_process(None).unwrap(), before);
    }
}
