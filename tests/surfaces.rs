//! Feature surfaces, through the binary on real cargo and rustdoc JSON: every old/new pair under
//! fixtures/surface-pairs (a package `units` whose features gate its API) is recorded as a
//! baseline at `old`, changed to `new` and checked. The required bump must be the one the pair
//! declares and the findings, with the surfaces they name, must match the reviewed snapshot.

mod support;

use std::fmt::Write;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

const WORKSPACE: &str = "[workspace]\nmembers = [\"units\"]\nresolver = \"2\"\n\n[workspace.metadata.apicheck]\npackages = [\"units\"]\n";

fn apicheck(root: &Path, target: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_apicheck"))
        .args(args)
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target)
        .output()
        .unwrap();
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn declared(case: &Path, key: &str) -> String {
    let value: toml::Value = toml::from_str(&std::fs::read_to_string(case.join("new/Cargo.toml")).unwrap()).unwrap();
    value["package"]["metadata"]["apicheck-fixture"][key].as_str().unwrap_or_else(|| panic!("{} declares no {key}", case.display())).to_string()
}

/// Records `old` of `case` as the baseline, puts `new` in its place, and checks: the JSON report.
fn check_pair(case: &Path) -> Value {
    let root = tempfile::tempdir().unwrap();
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let target = support::fixture_target_dir(&format!("surface-pairs-{name}"));
    std::fs::write(root.path().join("Cargo.toml"), WORKSPACE).unwrap();
    support::copy_dir(&case.join("old"), &root.path().join("units"));
    let (code, _, stderr) = apicheck(root.path(), &target, &["baseline", "--all"]);
    assert_eq!(code, 0, "{name}: baseline: {stderr}");
    std::fs::remove_dir_all(root.path().join("units")).unwrap();
    support::copy_dir(&case.join("new"), &root.path().join("units"));
    let (code, stdout, stderr) = apicheck(root.path(), &target, &["check", "--format", "json"]);
    assert!(code == 0 || code == 1, "{name}: check exited {code}: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|error| panic!("{name}: {error}: {stdout}"))
}

#[test]
fn every_surface_pair_gives_its_declared_bump_and_reviewed_findings() {
    let pairs = support::fixtures().join("surface-pairs");
    let mut cases: Vec<_> = std::fs::read_dir(&pairs).unwrap().map(|entry| entry.unwrap().path()).filter(|path| path.is_dir()).collect();
    cases.sort();
    assert!(cases.len() >= 4, "at least the four cases of issue #11, found {}", cases.len());
    let mut rendered = String::new();
    let mut wrong_bumps = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let report = check_pair(case);
        let package = &report["packages"][0];
        let expected = declared(case, "expected_bump");
        if package["required_bump"] != expected.as_str() {
            wrong_bumps.push(format!("{name}: expected {expected}, got {}", package["required_bump"]));
        }
        writeln!(rendered, "## {name}: {}\nrequired bump: {}", declared(case, "summary"), package["required_bump"]).unwrap();
        for finding in package["findings"].as_array().unwrap() {
            let surfaces = finding.get("surfaces").map(|s| s.as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect::<Vec<_>>().join(", "));
            writeln!(
                rendered,
                "- {} {} {} [{}]\n  {}",
                finding["required_bump"].as_str().unwrap(),
                finding["id"].as_str().unwrap(),
                finding["path"].as_str().unwrap(),
                surfaces.as_deref().unwrap_or("every surface"),
                finding["message"].as_str().unwrap()
            )
            .unwrap();
        }
        for note in package["notes"].as_array().into_iter().flatten() {
            writeln!(rendered, "  note: {}", note.as_str().unwrap()).unwrap();
        }
        rendered.push('\n');
    }
    assert!(wrong_bumps.is_empty(), "{}\n\n{rendered}", wrong_bumps.join("\n"));
    insta::assert_snapshot!(rendered);
}

#[test]
fn a_baseline_from_before_feature_surfaces_compares_the_default_surface_and_notes_the_others() {
    // A release that had a feature off by default, recorded before surfaces were: its
    // all-features surface has no baseline, and the manifest says it had one then.
    let case = support::fixtures().join("surface-pairs/feature_only_item_removed");
    let root = tempfile::tempdir().unwrap();
    let target = support::fixture_target_dir("surface-pairs-legacy");
    std::fs::write(root.path().join("Cargo.toml"), WORKSPACE).unwrap();
    support::copy_dir(&case.join("old"), &root.path().join("units"));
    let (code, _, stderr) = apicheck(root.path(), &target, &["baseline", "--all"]);
    assert_eq!(code, 0, "{stderr}");
    let surface_baseline = root.path().join("baselines/@surfaces/all-features/units");
    assert!(surface_baseline.join("model.json").is_file(), "the all-features surface is recorded");
    std::fs::remove_dir_all(&surface_baseline).unwrap();

    std::fs::remove_dir_all(root.path().join("units")).unwrap();
    support::copy_dir(&case.join("new"), &root.path().join("units"));
    let (code, stdout, stderr) = apicheck(root.path(), &target, &["check", "--format", "json"]);
    assert_eq!(code, 0, "the removal is on the surface without a baseline: not a failure: {stdout}{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let package = &report["packages"][0];
    assert_eq!(package["findings"], Value::Array(Vec::new()), "{package:#}");
    let notes = package["notes"].to_string();
    assert!(notes.contains("the `all-features` feature surface of `units` has no baseline yet"), "{package:#}");

    // Recording the baseline again records the surface; from then on it is compared.
    std::fs::remove_dir_all(root.path().join("units")).unwrap();
    support::copy_dir(&case.join("old"), &root.path().join("units"));
    assert_eq!(apicheck(root.path(), &target, &["baseline", "--all"]).0, 0);
    std::fs::remove_dir_all(root.path().join("units")).unwrap();
    support::copy_dir(&case.join("new"), &root.path().join("units"));
    let (code, stdout, _) = apicheck(root.path(), &target, &["check", "--format", "json"]);
    assert_eq!(code, 1, "{stdout}");

    // `api --surface` lists one surface; a surface the package does not have is an error.
    let (code, listing, _) = apicheck(root.path(), &target, &["api", "units", "--surface", "no-default-features"]);
    assert_eq!(code, 2, "units declares no default features: {listing}");
    std::fs::remove_dir_all(root.path().join("units")).unwrap();
    support::copy_dir(&case.join("old"), &root.path().join("units"));
    let (code, all, stderr) = apicheck(root.path(), &target, &["api", "units", "--surface", "all-features"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(all.lines().any(|line| line == "pub fn units::to_text(length: &units::Meters) -> alloc::string::String"), "{all}");
    let (_, default, _) = apicheck(root.path(), &target, &["api", "units"]);
    assert!(!default.contains("to_text"), "{default}");
}

#[test]
fn a_surface_cargo_documents_with_features_it_does_not_ask_for_is_neither_recorded_nor_passed() {
    // Feature resolver 1 (a virtual workspace without `resolver`) unifies the features that
    // dev-dependencies ask for: `units`' dev-dependency `helper` asks for its default
    // features, so `--no-default-features` documents `units` with `std` on, as on
    // tokio-rs/tracing at tag tracing-log-0.2.0.
    let root = tempfile::tempdir().unwrap();
    let target = support::fixture_target_dir("surface-resolver-1");
    let workspace = |resolver: &str| {
        format!("[workspace]\nmembers = [\"units\", \"helper\"]\n{resolver}\n[workspace.metadata.apicheck]\npackages = [\"units\"]\n\n[workspace.metadata.apicheck.deps]\ndev-cycles = \"allow\"\n")
    };
    let write = |path: &str, text: &str| {
        let path = root.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("Cargo.toml", &workspace(""));
    write(
        "units/Cargo.toml",
        "[package]\nname = \"units\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n[features]\ndefault = [\"std\"]\nstd = []\n\n\
         [dev-dependencies]\nhelper = { path = \"../helper\" }\n",
    );
    write("units/src/lib.rs", "pub fn always() {}\n\n#[cfg(feature = \"std\")]\npub fn with_std() {}\n");
    write("helper/Cargo.toml", "[package]\nname = \"helper\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nunits = { path = \"../units\" }\n");
    write("helper/src/lib.rs", "pub use units::always;\n");
    let surface_baseline = root.path().join("baselines/@surfaces/no-default-features/units");

    let (code, stdout, stderr) = apicheck(root.path(), &target, &["baseline", "--all"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("recorded baseline units 1.0.0"), "{stdout}");
    assert!(stdout.contains("note: its `no-default-features` feature surface is not recorded"), "{stdout}");
    assert!(stdout.contains("feature(s) `default`, `std`") && stdout.contains("resolver = \"2\""), "{stdout}");
    assert!(!surface_baseline.exists(), "a surface documented with `std` on is no baseline of the surface without it");

    // Checking it cannot pass: what cargo documents is not the surface.
    let (code, stdout, stderr) = apicheck(root.path(), &target, &["check"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(format!("{stdout}{stderr}").contains("the `no-default-features` feature surface: cargo documented `units` with feature(s) `default`, `std`"), "{stdout}{stderr}");

    // With resolver 2 the surface is what it says: a new surface until recorded, then recorded.
    write("Cargo.toml", &workspace("resolver = \"2\"\n"));
    let (code, stdout, stderr) = apicheck(root.path(), &target, &["check", "--format", "json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("the `no-default-features` feature surface of `units` has no baseline yet"), "{stdout}");
    let (code, stdout, stderr) = apicheck(root.path(), &target, &["baseline", "--all"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stdout.contains("note:"), "{stdout}");
    let recorded = std::fs::read_to_string(surface_baseline.join("api.txt")).unwrap();
    assert!(recorded.contains("units::always") && !recorded.contains("with_std"), "{recorded}");

    // Recorded again under resolver 1, the surface's earlier baseline goes: it would stand
    // for a release it does not describe.
    write("Cargo.toml", &workspace(""));
    let (code, stdout, stderr) = apicheck(root.path(), &target, &["baseline", "--all"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!surface_baseline.exists(), "{stdout}");
}
