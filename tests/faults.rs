//! Faults on fixtures/monorepo: the real binary killed with SIGKILL while it records baselines,
//! a read-only baselines folder, a full disk, an unwritable or truncated cache, `check` beside
//! `baseline`, cargo killed mid-run. Each ends with the old or the new baseline byte for byte,
//! and a correct verdict (exit 0 or 1) or exit 2 with a message: never a pass that should fail.
//!
//! The long run: `cargo test --locked --test faults -- --ignored` (see docs/reliability.md).

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use serde_json::Value;
use support::monorepo::{Monorepo, finding_ids, package};

const PACKAGES: [&str; 5] = ["auth-core", "core-utils", "domain-shared", "multi-tenant-core", "validation"];

/// The bytes of each file of each `baselines/<package>/`, by package.
type BaselineBytes = BTreeMap<String, BTreeMap<String, Vec<u8>>>;

fn baseline_bytes(repo: &Monorepo) -> BaselineBytes {
    PACKAGES.iter().map(|package| (package.to_string(), package_bytes(&repo.path(&format!("baselines/{package}"))))).collect()
}

fn package_bytes(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let Ok(entries) = fs::read_dir(dir) else { return BTreeMap::new() };
    entries
        .map(|entry| {
            let entry = entry.unwrap();
            (entry.file_name().to_string_lossy().into_owned(), fs::read(entry.path()).unwrap())
        })
        .collect()
}

fn restore(repo: &Monorepo, bytes: &BaselineBytes) {
    for (package, files) in bytes {
        let dir = repo.path(&format!("baselines/{package}"));
        if dir.exists() {
            fs::remove_dir_all(&dir).unwrap();
        }
        fs::create_dir_all(&dir).unwrap();
        for (name, content) in files {
            fs::write(dir.join(name), content).unwrap();
        }
    }
}

/// A monorepo whose core-utils API changed without a version bump (`truncate` takes a `u32`),
/// checked once so that the cache is warm: `check` fails (exit 1) until `baseline --all`
/// records the change, and passes after.
fn changed_monorepo() -> Monorepo {
    let repo = Monorepo::new();
    repo.break_truncate();
    repo.commit("truncate takes a u32");
    let (code, report) = repo.check();
    assert_eq!(code, 1, "{report:#}");
    repo
}

/// The binary in its own process group, so that a kill reaches the cargo and rustdoc it runs.
fn spawn_apicheck(repo: &Monorepo, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_apicheck"))
        .current_dir(repo.root())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap()
}

fn kill_group(child: &mut std::process::Child) {
    let group = format!("-{}", child.id());
    // The group may have exited on its own already: then there is nothing to kill.
    let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
    child.wait().unwrap();
}

/// What `check` must say in each state: core-utils' change is recorded in its new baseline only,
/// so `check` fails (1) with the finding while core-utils has its old baseline and passes (0)
/// with the new one. The other packages' old and new baselines differ only in the commit they
/// record, and pass either way.
fn assert_verdict(repo: &Monorepo, core_utils_is_new: bool, context: &str) {
    let output = repo.apicheck(&["check", "--format", "json"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{context}: no report; stderr: {stderr}"));
    let code = output.status.code();
    let core = package(&report, "core-utils");
    if core_utils_is_new {
        assert_eq!(code, Some(0), "{context}: the recorded change passes: {report:#}");
        assert!(finding_ids(core).is_empty(), "{context}: {core:#}");
    } else {
        assert_eq!(code, Some(1), "{context}: the unrecorded break fails: {report:#}");
        assert_eq!(finding_ids(core), ["function_parameter_type_changed"], "{context}");
    }
}

/// Kills `baseline --all` `kills` times, at delays spread evenly from 0 to the duration of an
/// uninterrupted run, and checks after each kill that every package's baseline is its old or
/// its new bytes and that `check` gives the verdict of that state.
fn kill_baseline_runs(kills: usize) {
    let repo = changed_monorepo();
    let old = baseline_bytes(&repo);
    let started = Instant::now();
    let output = repo.apicheck(&["baseline", "--all"]);
    let duration = started.elapsed();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let new = baseline_bytes(&repo);
    for package in PACKAGES {
        assert_ne!(old[package], new[package], "{package}: the new baseline records another commit");
    }
    assert_verdict(&repo, true, "after an uninterrupted run");

    let mut states = BTreeMap::<&str, usize>::new();
    for kill in 0..kills {
        restore(&repo, &old);
        let delay = duration.mul_f64(kill as f64 / (kills.max(2) - 1) as f64);
        let mut child = spawn_apicheck(&repo, &["baseline", "--all"]);
        std::thread::sleep(delay);
        kill_group(&mut child);
        let context = format!("kill {kill} after {delay:?} of {duration:?}");
        let after = baseline_bytes(&repo);
        let mut new_packages = 0;
        for package in PACKAGES {
            let is_new = after[package] == new[package];
            assert!(is_new || after[package] == old[package], "{context}: baselines/{package} is neither the old nor the new baseline");
            new_packages += usize::from(is_new);
        }
        *states.entry(match new_packages {
            0 => "all old",
            5 => "all new",
            _ => "some new",
        })
        .or_default() += 1;
        assert_verdict(&repo, after["core-utils"] == new["core-utils"], &context);
        // The next run finishes what the killed one left, and records the same bytes.
        if kill + 1 == kills {
            let output = repo.apicheck(&["baseline", "--all"]);
            assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
            assert_eq!(baseline_bytes(&repo), new);
            let leftovers: Vec<_> = fs::read_dir(repo.path("baselines"))
                .unwrap()
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|name| name.starts_with(".apicheck-"))
                .collect();
            assert!(leftovers.is_empty(), "a completed run leaves no work directory: {leftovers:?}");
        }
    }
    eprintln!("{kills} kills of `baseline --all` over {duration:?}: {states:?}");
}

#[test]
fn a_baseline_killed_at_any_moment_leaves_each_baseline_old_or_new() {
    kill_baseline_runs(4);
}

/// The long run: `cargo test --locked --test faults -- --ignored`.
#[test]
#[ignore = "120 kills: about a minute"]
fn a_baseline_killed_120_times_leaves_each_baseline_old_or_new() {
    kill_baseline_runs(120);
}

/// Runs the binary with `path` mounted read-only, in a user and mount namespace; `None` (with a
/// message) where the machine does not allow that. (Tests often run as root, whom file
/// permissions do not stop.)
fn apicheck_with_read_only(repo: &Monorepo, path: &Path, args: &[&str]) -> Option<Output> {
    let probe = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", "mount --bind -o ro \"$1\" \"$1\" && ! touch \"$1/.probe\" 2>/dev/null", "sh"])
        .arg(path)
        .output();
    if !probe.is_ok_and(|probe| probe.status.success()) {
        eprintln!("skipped: this machine cannot mount {} read-only in a user namespace (`unshare -rm`)", path.display());
        return None;
    }
    let output = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", "mount --bind -o ro \"$1\" \"$1\" && shift && exec \"$@\"", "sh"])
        .arg(path)
        .arg(env!("CARGO_BIN_EXE_apicheck"))
        .args(args)
        .current_dir(repo.root())
        .output()
        .unwrap();
    Some(output)
}

#[test]
fn a_read_only_baselines_folder_is_an_error_and_changes_nothing() {
    let repo = changed_monorepo();
    let before = baseline_bytes(&repo);
    let Some(output) = apicheck_with_read_only(&repo, &repo.path("baselines"), &["baseline", "--all"]) else { return };
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("baselines") && stderr.contains("Read-only file system"), "what and where: {stderr}");
    assert_eq!(baseline_bytes(&repo), before);
    assert_verdict(&repo, false, "after a refused write");
}

/// A full disk, as a file-size limit (`ulimit -f`, with SIGXFSZ ignored so that writes fail
/// with EFBIG instead of killing the process): the compressed rustdoc JSON does not fit.
#[test]
fn a_full_disk_is_an_error_and_changes_nothing() {
    let repo = changed_monorepo();
    let before = baseline_bytes(&repo);
    let output = Command::new("sh")
        .args(["-c", "trap '' XFSZ && ulimit -f 16 && exec \"$@\"", "sh", env!("CARGO_BIN_EXE_apicheck"), "baseline", "--all"])
        .current_dir(repo.root())
        .output()
        .unwrap();
    if output.status.code() == Some(0) {
        eprintln!("skipped: this machine does not enforce a file-size limit (`ulimit -f`)");
        return;
    }
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot write the baseline of") && stderr.contains("File too large"), "{stderr}");
    assert!(stderr.contains("the stored baseline is unchanged"), "{stderr}");
    assert_eq!(baseline_bytes(&repo), before);
    assert_verdict(&repo, false, "after a full disk");
    let leftovers: Vec<_> =
        fs::read_dir(repo.path("baselines")).unwrap().map(|entry| entry.unwrap().file_name()).filter(|name| name.to_string_lossy().starts_with(".apicheck-")).collect();
    assert!(leftovers.is_empty(), "a failed write removes its staging directory: {leftovers:?}");
}

/// The cache is optional: with `target/apicheck/cache` read-only, `check` documents what changed and
/// still gives its verdict.
#[test]
fn a_cache_that_cannot_be_written_still_checks() {
    let repo = changed_monorepo();
    repo.edit("packages/core-utils/src/lib.rs", "pub fn truncate(", "/// Reworded.\npub fn truncate(");
    let Some(output) = apicheck_with_read_only(&repo, &repo.path("target/apicheck/cache"), &["check", "--format", "json"]) else { return };
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("no report; stderr: {stderr}"));
    assert_eq!(output.status.code(), Some(1), "{report:#}");
    let core = package(&report, "core-utils");
    assert_eq!(finding_ids(core), ["function_parameter_type_changed"]);
    assert!(core["notes"].to_string().contains("not cached"), "{core:#}");
}

/// A cache entry cut short (a crash while the disk filled, a copy interrupted) is rebuilt, never
/// trusted.
#[test]
fn a_truncated_cache_entry_is_rebuilt() {
    let repo = changed_monorepo();
    let entry = repo.path("target/apicheck/cache/core-utils");
    let mut truncated = 0;
    for file in fs::read_dir(&entry).unwrap() {
        let path: PathBuf = file.unwrap().path();
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        truncated += 1;
    }
    assert!(truncated >= 2, "the entry has its API and its rustdoc JSON");
    let (code, report) = repo.check();
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(finding_ids(package(&report, "core-utils")), ["function_parameter_type_changed"]);
    assert!(report["documented"].as_array().unwrap().iter().any(|name| name == "core-utils"), "documented again: {report:#}");
}

/// `check` while `baseline --all` records the change: the check sees the old baseline (fails
/// with the finding) or the new one (passes), or stops with exit 2 and a message; the baseline
/// run completes, and the next check passes.
#[test]
fn check_and_baseline_at_the_same_time() {
    let repo = changed_monorepo();
    let baseline = spawn_apicheck(&repo, &["baseline", "--all"]);
    let check = repo.apicheck(&["check", "--format", "json"]);
    let recorded = baseline.wait_with_output().unwrap();
    assert_eq!(recorded.status.code(), Some(0));
    match check.status.code() {
        Some(2) => assert!(!check.stderr.is_empty(), "exit 2 says why"),
        Some(code @ (0 | 1)) => {
            let report: Value = serde_json::from_slice(&check.stdout).unwrap();
            let findings = finding_ids(package(&report, "core-utils")).len();
            assert_eq!(code == 1, findings == 1, "a failure has the finding, a pass has none: {report:#}");
        }
        other => panic!("check ended with {other:?}: {}", String::from_utf8_lossy(&check.stderr)),
    }
    assert_verdict(&repo, true, "after both");
}

/// cargo killed while it documents (an out-of-memory kill, a cancelled job): exit 2 with a
/// message, nothing recorded; the next run gives the verdict.
#[test]
fn cargo_killed_mid_run_is_an_error() {
    let repo = Monorepo::new();
    repo.break_truncate();
    let before = baseline_bytes(&repo);
    let tools = tempfile::tempdir().unwrap();
    let wrapper = tools.path().join("cargo");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    fs::write(&wrapper, format!("#!/bin/sh\ncase \"$1\" in\n  doc|rustdoc) '{cargo}' \"$@\" & sleep 1; kill -KILL $!; kill -KILL $$ ;;\nesac\nexec '{cargo}' \"$@\"\n")).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let wrapper = wrapper.display().to_string();
    for command in [&["check"][..], &["baseline", "--all"][..]] {
        let output = repo.apicheck_env(command, &[("CARGO", &wrapper)]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains("cargo"), "{command:?}: says what failed: {stderr}");
        assert_eq!(baseline_bytes(&repo), before, "{command:?}");
    }
    assert_verdict(&repo, false, "after cargo was killed");
}
