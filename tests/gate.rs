//! The release gate on fixtures/monorepo: each test copies the workspace into a temporary git
//! repository with a release tag per package, changes it the way a pull request would, and runs
//! the real binary (real cargo, real rustdoc, real git).

mod support;

use std::fs;

use serde_json::Value;
use support::monorepo::{Monorepo, finding_ids, package, rules};

#[test]
fn no_change_passes() {
    let repo = Monorepo::new();
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["passed"], true);
    assert_eq!(report["schema"], 1);
    for p in report["packages"].as_array().unwrap() {
        assert_eq!(p["status"], "pass", "{p:#}");
        assert_eq!(p["findings"].as_array().unwrap().len(), 0, "{p:#}");
        assert!(p["notes"].as_array().is_none_or(|notes| notes.iter().all(|n| !n.as_str().unwrap().contains("rebuilt"))), "a stored baseline matching the toolchain is never rebuilt");
    }
    assert_eq!(report["packages"].as_array().unwrap().len(), 5, "backend crates are not governed");
}

#[test]
fn a_doc_and_body_only_change_passes() {
    let repo = Monorepo::new();
    repo.edit("packages/core-utils/src/slug.rs", "/// Turns arbitrary text into a lowercase ASCII slug.", "/// Turns any text into a lowercase ASCII slug (docs reworded).");
    repo.edit("packages/validation/src/lib.rs", "//!", "//! Reworded crate docs.\n//!");
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn a_breaking_change_without_a_bump_fails_with_the_fix() {
    let repo = Monorepo::new();
    repo.break_truncate();
    let (code, report) = repo.check();
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["passed"], false);
    let core = package(&report, "core-utils");
    assert_eq!(core["status"], "fail");
    assert_eq!(core["required_bump"], "major");
    assert_eq!(core["declared_bump"], "none");
    assert_eq!(core["suggested_version"], "2.0.0");
    assert_eq!(rules(core), ["version-bump"]);
    let finding = &core["findings"][0];
    assert_eq!(finding["id"], "function_parameter_type_changed");
    assert_eq!(finding["path"], "core_utils::truncate");
    assert_eq!(finding["file"], "packages/core-utils/src/lib.rs");
    assert_eq!(finding["source"], "apicheck");
    assert!(finding["line"].as_u64().unwrap() > 0);
    let fix = core["violations"][0]["fix"].as_str().unwrap();
    assert!(fix.contains("bump core-utils to 2.0.0") && fix.contains("packages/core-utils/CHANGELOG.md"), "{fix}");
    assert_eq!(package(&report, "validation")["status"], "pass");

    let human = repo.apicheck(&["check"]);
    assert_eq!(human.status.code(), Some(1));
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.contains("✗ FAIL  core-utils 1.2.0"), "{text}");
    assert!(text.contains("packages/core-utils/src/lib.rs:"), "{text}");
    assert!(text.contains("fix: bump core-utils to 2.0.0"), "{text}");
}

// A major release of core-utils is also a break for the packages that expose it (see
// tests/pr.rs), so the tests of one package's own policy check that package alone.
#[test]
fn a_breaking_change_with_a_major_bump_and_changelog_passes() {
    let repo = Monorepo::new();
    repo.break_truncate();
    repo.set_version("core-utils", "1.2.0", "2.0.0");
    repo.changelog("core-utils", "## [2.0.0] - 2026-11-26\n\n### Changed\n\n- `truncate` takes its limit as a `u32`.");
    let (code, report) = repo.check_with(&["-p", "core-utils"]);
    assert_eq!(code, 0, "{report:#}");
    let core = package(&report, "core-utils");
    assert_eq!(core["status"], "pass");
    assert_eq!(core["declared_bump"], "major");
    assert_eq!(core["required_bump"], "major");
}

#[test]
fn a_major_bump_without_a_changelog_section_fails() {
    let repo = Monorepo::new();
    repo.break_truncate();
    repo.set_version("core-utils", "1.2.0", "2.0.0");
    let (code, report) = repo.check();
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(rules(package(&report, "core-utils")), ["changelog"]);
}

#[test]
fn a_changelog_section_that_hides_the_break_fails() {
    let repo = Monorepo::new();
    repo.break_truncate();
    repo.set_version("core-utils", "1.2.0", "2.0.0");
    repo.changelog("core-utils", "## [2.0.0] - 2026-11-26\n\n### Added\n\n- Nothing to see.");
    let (code, report) = repo.check();
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(rules(package(&report, "core-utils")), ["breaking-changelog"]);
}

#[test]
fn a_parameter_type_change_with_only_a_minor_bump_fails() {
    let repo = Monorepo::new();
    repo.break_truncate();
    repo.set_version("core-utils", "1.2.0", "1.3.0");
    repo.changelog("core-utils", "## [1.3.0] - 2026-11-26\n\n### Changed\n\n- `truncate` takes a `u32`.");
    let (code, report) = repo.check();
    assert_eq!(code, 1, "{report:#}");
    let core = package(&report, "core-utils");
    assert_eq!(core["declared_bump"], "minor");
    assert_eq!(rules(core), ["version-bump"]);
}

#[test]
fn an_addition_without_a_minor_bump_fails() {
    let repo = Monorepo::new();
    repo.add_to_core_utils();
    let (code, report) = repo.check();
    assert_eq!(code, 1, "{report:#}");
    let core = package(&report, "core-utils");
    assert_eq!(core["required_bump"], "minor");
    assert_eq!(finding_ids(core), ["function_added"]);
    assert_eq!(rules(core), ["version-bump"]);
}

#[test]
fn an_addition_with_a_minor_bump_and_changelog_passes() {
    let repo = Monorepo::new();
    repo.add_to_core_utils();
    repo.set_version("core-utils", "1.2.0", "1.3.0");
    repo.changelog("core-utils", "## [1.3.0] - 2026-11-26\n\n### Added\n\n- `slug::is_slug_char`.");
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(package(&report, "core-utils")["declared_bump"], "minor");
}

#[test]
fn a_bump_larger_than_needed_passes_with_a_note() {
    let repo = Monorepo::new();
    repo.add_to_core_utils();
    repo.set_version("core-utils", "1.2.0", "2.0.0");
    repo.changelog("core-utils", "## [2.0.0] - 2026-11-26\n\n### Added\n\n- `slug::is_slug_char`.");
    let (code, report) = repo.check_with(&["-p", "core-utils"]);
    assert_eq!(code, 0, "{report:#}");
    let notes = package(&report, "core-utils")["notes"].to_string();
    assert!(notes.contains("declares a major bump where minor is needed"), "{notes}");
}

const ACKNOWLEDGE_TRUNCATE: &str = "\n[[workspace.metadata.apicheck.acknowledge]]\npackage = \"core-utils\"\nfinding = \"function_parameter_type_changed\"\npath = \"core_utils::truncate\"\nversion = \"1.2.1\"\nreason = \"no caller passes more than u32::MAX\"\n";

#[test]
fn an_acknowledged_break_passes() {
    let repo = Monorepo::new();
    repo.break_truncate();
    repo.set_version("core-utils", "1.2.0", "1.2.1");
    repo.changelog("core-utils", "## [1.2.1] - 2026-11-26\n\n### Fixed\n\n- `truncate` takes a `u32` (acknowledged).");
    let manifest = repo.read("Cargo.toml");
    repo.write("Cargo.toml", &format!("{manifest}{ACKNOWLEDGE_TRUNCATE}"));
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
    let core = package(&report, "core-utils");
    assert_eq!(core["required_bump"], "none");
    assert_eq!(core["findings"][0]["acknowledged"], "no caller passes more than u32::MAX");
}

#[test]
fn an_acknowledgement_expires_at_the_next_major_version() {
    let repo = Monorepo::new();
    repo.break_truncate();
    repo.set_version("core-utils", "1.2.0", "1.2.1");
    repo.changelog("core-utils", "## [1.2.1] - 2026-11-26\n\n- Fixed.");
    let manifest = repo.read("Cargo.toml");
    repo.write("Cargo.toml", &format!("{manifest}{}", ACKNOWLEDGE_TRUNCATE.replace("1.2.1", "0.9.0")));
    let (code, report) = repo.check();
    assert_eq!(code, 1, "{report:#}");
    assert!(package(&report, "core-utils")["notes"].to_string().contains("expired"), "{report:#}");
}

#[test]
fn a_stale_acknowledgement_is_reported() {
    let repo = Monorepo::new();
    let manifest = repo.read("Cargo.toml");
    repo.write("Cargo.toml", &format!("{manifest}{ACKNOWLEDGE_TRUNCATE}"));
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
    let stale = &package(&report, "core-utils")["stale_acknowledgements"];
    assert!(stale[0].as_str().unwrap().contains("matches no finding"), "{report:#}");

    let strict = repo.read("Cargo.toml").replace("stale-acknowledgements-fail = false", "stale-acknowledgements-fail = true");
    repo.write("Cargo.toml", &strict);
    let (code, report) = repo.check();
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(rules(package(&report, "core-utils")), ["stale-acknowledgements"]);
}

#[test]
fn zero_x_versions_move_the_minor_position_for_breaks() {
    let repo = Monorepo::new();
    repo.edit("packages/validation/src/lib.rs", "pub enum ValidationError {", "pub enum ValidationError {\n    /// The value is not unique.\n    Duplicate { field: String },");
    repo.edit("packages/validation/src/lib.rs", "match self {", "match self {\n            ValidationError::Duplicate { field } => field,");
    repo.edit(
        "packages/validation/src/lib.rs",
        "ValidationError::Empty { field } => write!(f,",
        "ValidationError::Duplicate { field } => write!(f, \"{field} is a duplicate\"),\n            ValidationError::Empty { field } => write!(f,",
    );
    repo.set_version("validation", "0.4.1", "0.4.2");
    repo.changelog("validation", "## [0.4.2] - 2026-11-26\n\n### Changed\n\n- **Breaking:** `ValidationError::Duplicate`.");
    let (code, report) = repo.check_with(&["-p", "validation"]);
    assert_eq!(code, 1, "0.4.1 → 0.4.2 only declares minor: {report:#}");
    let validation = package(&report, "validation");
    assert_eq!(validation["declared_bump"], "minor");
    assert_eq!(validation["suggested_version"], "0.5.0");

    repo.set_version("validation", "0.4.2", "0.5.0");
    repo.changelog("validation", "## [0.5.0] - 2026-11-26\n\n### Changed\n\n- **Breaking:** `ValidationError::Duplicate`.");
    let (code, report) = repo.check_with(&["-p", "validation"]);
    assert_eq!(code, 0, "0.4.1 → 0.5.0 is major under Cargo's rules: {report:#}");
}

#[test]
fn a_new_package_is_reported_new_and_passes() {
    let repo = Monorepo::new();
    // With what the example's hygiene checks ask of every package.
    repo.write("packages/audit-log/Cargo.toml", "[package]\nname = \"audit-log\"\nversion = \"0.1.0\"\nedition = \"2021\"\ndescription = \"Audit events.\"\nlicense = \"MIT\"\n");
    repo.write("packages/audit-log/CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n");
    repo.write("packages/audit-log/src/lib.rs", "//! Audit events.\n\n/// One audited action.\npub struct Event {\n    pub action: String,\n}\n\n#[cfg(test)]\nmod tests {}\n");
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
    let new = package(&report, "audit-log");
    assert_eq!(new["status"], "new");
    assert_eq!(new["current_version"], "0.1.0");
}

#[test]
fn a_removed_package_fails_unless_acknowledged() {
    let repo = Monorepo::new();
    repo.write("packages/audit-log/Cargo.toml", "[package]\nname = \"audit-log\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    repo.write("packages/audit-log/src/lib.rs", "//! Audit events.\n\npub fn record(_action: &str) {}\n");
    let recorded = repo.apicheck(&["baseline", "-p", "audit-log"]);
    assert_eq!(recorded.status.code(), Some(0), "{}", String::from_utf8_lossy(&recorded.stderr));
    repo.commit("audit-log 0.1.0");
    fs::remove_dir_all(repo.path("packages/audit-log")).unwrap();

    let (code, report) = repo.check();
    assert_eq!(code, 1, "{report:#}");
    let removed = package(&report, "audit-log");
    assert_eq!(removed["status"], "fail");
    assert_eq!(finding_ids(removed), ["package_removed"]);
    assert_eq!(rules(removed), ["removed-packages"]);

    let manifest = repo.read("Cargo.toml");
    repo.write("Cargo.toml", &format!("{manifest}\n[[workspace.metadata.apicheck.acknowledge]]\npackage = \"audit-log\"\nfinding = \"package_removed\"\nversion = \"0.1.0\"\nreason = \"merged into core-utils\"\n"));
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn a_corrupt_baseline_is_an_error_and_changes_nothing() {
    let repo = Monorepo::new();
    repo.write("baselines/core-utils/model.json", "{ this is not json");
    let before = repo.baseline_files();
    let (code, report) = repo.check();
    assert_eq!(code, 2, "{report:#}");
    assert_eq!(report["passed"], false);
    let core = package(&report, "core-utils");
    assert_eq!(core["status"], "error");
    let error = core["error"].as_str().unwrap();
    assert!(error.contains("baselines/core-utils/model.json is corrupt") && error.contains("apicheck baseline -p core-utils"), "{error}");
    assert_eq!(repo.baseline_files(), before);
}

/// A baseline recorded by apicheck 0.1 (model schema 1) keeps gating: its model is rebuilt from
/// its stored rustdoc JSON, with a note, and nothing has to be recorded again.
#[test]
fn a_baseline_model_of_an_older_schema_is_rebuilt_from_its_rustdoc_json() {
    let repo = Monorepo::new();
    let legacy = fs::read_to_string(support::fixtures().join("legacy-baselines/core-utils.model-schema1.json")).unwrap();
    repo.write("baselines/core-utils/model.json", &legacy);
    repo.commit("a baseline recorded by apicheck 0.1");
    let before = repo.baseline_files();

    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
    let core = package(&report, "core-utils");
    assert_eq!(core["status"], "pass", "{core:#}");
    let notes = core["notes"].to_string();
    assert!(notes.contains("model schema 1") && notes.contains("rebuilt"), "{notes}");

    repo.break_truncate();
    let (code, report) = repo.check();
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(finding_ids(package(&report, "core-utils")), ["function_parameter_type_changed"]);
    assert_eq!(repo.baseline_files(), before, "checking never rewrites a baseline");
}

/// A CI job that sends the report to a file still shows why it failed: every package error is
/// also a line on stderr, whatever the format.
#[test]
fn package_errors_reach_stderr_in_every_format() {
    let repo = Monorepo::new();
    repo.write("baselines/core-utils/model.json", "{ this is not json");
    for format in ["human", "json", "markdown", "github", "sarif"] {
        let report = repo.path(&format!("target/report.{format}"));
        let output = repo.apicheck(&["check", "--format", format, "--output", report.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{format}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error: core-utils: ")).collect();
        assert_eq!(lines.len(), 1, "{format}: one line for the package error on stderr: {stderr}");
        assert!(lines[0].contains("baselines/core-utils/model.json is corrupt"), "{format}: {stderr}");
    }
}

/// `baselines = "../../x"` would make `baseline` write outside the workspace: refused, exit 2,
/// nothing written.
#[test]
fn a_baselines_folder_outside_the_workspace_is_refused() {
    let repo = Monorepo::new();
    repo.edit("Cargo.toml", "baselines = \"baselines\"", "baselines = \"../escaped-baselines\"");
    let output = repo.apicheck(&["baseline", "--all"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`baselines = \"../escaped-baselines\"`") && stderr.contains("inside the workspace"), "{stderr}");
    assert!(!repo.root().parent().unwrap().join("escaped-baselines").exists(), "nothing is written outside");
}

/// `cargo doc` failing for a reason that is not a compile error (here: the package needs a newer
/// rustc): the reason comes first, cargo's error lines follow as cargo printed them, and its
/// progress lines are left out.
#[test]
fn a_cargo_failure_that_is_not_a_compile_error_gives_its_reason_first() {
    let repo = Monorepo::new();
    repo.edit("packages/core-utils/Cargo.toml", "[package]\n", "[package]\nrust-version = \"1.999\"\n");
    let output = repo.apicheck(&["check", "--format", "json", "-p", "core-utils"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "no report: nothing could be checked");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("error: `cargo doc` failed for `core-utils`: ") && first.contains("core-utils@1.2.0 requires rustc 1.999"),
        "the reason first, on one line: {stderr}"
    );
    assert!(stderr.lines().skip(1).any(|l| l.starts_with("error: rustc ")), "cargo's lines as it printed them: {stderr}");
    assert!(!stderr.contains("Locking") && !stderr.contains("Updating") && !stderr.contains("Compiling"), "{stderr}");
}

#[test]
fn an_unreadable_configuration_is_an_error() {
    let repo = Monorepo::new();
    repo.edit("Cargo.toml", "baselines = \"baselines\"", "baselines = \"baselines\"\nbaseline-dir = \"typo\"");
    let before = repo.baseline_files();
    let output = repo.apicheck(&["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("error: [workspace.metadata.apicheck] in ") && stderr.contains("unknown field `baseline-dir`"), "{stderr}");
    assert_eq!(repo.baseline_files(), before);
}

#[test]
fn a_package_that_does_not_compile_is_an_error() {
    let repo = Monorepo::new();
    repo.edit("packages/auth-core/src/lib.rs", "//!", "pub fn broken() -> NoSuchType { todo!() }\n//!");
    let before = repo.baseline_files();
    let output = repo.apicheck(&["check"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("error: package `auth-core` does not compile: packages/auth-core/src/lib.rs:"), "{stderr}");
    assert_eq!(repo.baseline_files(), before);
}

#[test]
fn baseline_then_check_round_trips() {
    let repo = Monorepo::new();
    repo.break_truncate();
    repo.set_version("core-utils", "1.2.0", "2.0.0");
    repo.changelog("core-utils", "## [2.0.0] - 2026-11-26\n\n- **Breaking:** `truncate` takes a `u32`.");
    let output = repo.apicheck(&["baseline"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("recorded baseline core-utils 2.0.0 (tag core-utils-v2.0.0"), "only the released package: {text}");
    assert!(!text.contains("validation"), "{text}");
    let record: Value = serde_json::from_str(&repo.read("baselines/core-utils/model.json")).unwrap();
    assert_eq!(record["version"], "2.0.0");
    assert_eq!(record["tag"], "core-utils-v2.0.0");
    assert_eq!(record["commit"].as_str().unwrap(), repo.git(&["rev-parse", "HEAD"]).trim());
    let stored_json = flate2::read::GzDecoder::new(std::fs::File::open(repo.path("baselines/core-utils/rustdoc.json.gz")).unwrap());
    let stored_json: Value = serde_json::from_reader(stored_json).unwrap();
    assert_eq!(record["rustdoc_format"], stored_json["format_version"], "the record names the format of the JSON beside it");
    assert!(repo.read("baselines/core-utils/api.txt").contains("pub fn core_utils::truncate(s: &str, max: u32) -> &str"));
    let (code, report) = repo.check_with(&["-p", "core-utils"]);
    assert_eq!(code, 0, "{report:#}");
    assert!(package(&report, "core-utils")["findings"].as_array().unwrap().is_empty(), "{report:#}");
}

/// The rustdoc JSON format of the toolchain running the tests (read from what `check` generated,
/// so no assertion is tied to one toolchain), and another format apicheck reads.
fn formats(repo: &Monorepo) -> (u64, u64) {
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
    let json: Value = serde_json::from_str(&repo.read("target/doc/core_utils.json")).unwrap();
    let toolchain = json["format_version"].as_u64().unwrap();
    let other = apicheck::rustdoc::SUPPORTED_FORMATS.iter().map(|format| u64::from(*format)).find(|format| *format != toolchain).unwrap();
    (toolchain, other)
}

/// Makes `package`'s stored baseline say its rustdoc JSON is of `format`.
fn record_baseline_format(repo: &Monorepo, package: &str, format: u64) {
    let file = format!("baselines/{package}/model.json");
    let mut record: Value = serde_json::from_str(&repo.read(&file)).unwrap();
    record["rustdoc_format"] = Value::from(format);
    repo.write(&file, &serde_json::to_string_pretty(&record).unwrap());
}

#[test]
fn a_baseline_from_another_rustdoc_format_is_rebuilt_from_its_tag() {
    let repo = Monorepo::new();
    // What a toolchain upgrade does to a stored baseline: its rustdoc JSON is in another format.
    let (toolchain, other) = formats(&repo);
    record_baseline_format(&repo, "core-utils", other);
    repo.commit("baseline from an older toolchain");
    repo.git(&["tag", "-f", "core-utils-v1.2.0"]);
    let before = repo.baseline_files();
    repo.break_truncate();
    let (code, report) = repo.check();
    assert_eq!(code, 1, "{report:#}");
    let core = package(&report, "core-utils");
    let notes = core["notes"].to_string();
    assert!(notes.contains(&format!("rebuilt the baseline rustdoc of `core-utils` from tag `core-utils-v1.2.0` (stored format {other}, toolchain format {toolchain})")), "{notes}");
    assert_eq!(finding_ids(core), ["function_parameter_type_changed"], "the lints ran on the rebuilt baseline");
    assert_eq!(repo.baseline_files(), before, "the stored baseline is not touched");
    for other in ["validation", "auth-core"] {
        assert!(!package(&report, other)["notes"].to_string().contains("rebuilt"), "only the mismatched baseline is rebuilt");
    }
}

#[test]
fn an_exposure_rule_fails_a_package_whose_api_shows_a_denied_crate_at_the_item_that_shows_it() {
    let repo = Monorepo::new();
    let (code, report) = repo.check();
    assert_eq!(code, 0, "auth-core uses its crypto crate privately: {report:#}");
    let lib = "packages/auth-core/src/lib.rs";
    repo.write(
        lib,
        &format!(
            "{}\n/// Leaks the crypto crate's type.\npub fn raw_digest(password: &str) -> toy_crypto::Digest {{\n    toy_crypto::fnv1a(&[password.as_bytes()])\n}}\n\npub use toy_crypto::fnv1a;\n",
            repo.read(lib)
        ),
    );
    let (code, report) = repo.check_with(&["-p", "auth-core"]);
    assert_eq!(code, 1, "{report:#}");
    let auth = package(&report, "auth-core");
    let exposure: Vec<&Value> = auth["violations"].as_array().unwrap().iter().filter(|v| v["rule"] == "exposure").collect();
    let messages: Vec<&str> = exposure.iter().map(|v| v["message"].as_str().unwrap()).collect();
    assert_eq!(exposure.len(), 2, "{messages:#?}");
    assert!(messages.iter().any(|m| m.contains("`auth_core::raw_digest` shows `toy_crypto::Digest` is denied by `toy_crypto::*`")), "{messages:#?}");
    assert!(messages.iter().any(|m| m.contains("`toy_crypto::fnv1a`")), "the re-export: {messages:#?}");
    let leak = exposure.iter().find(|v| v["message"].as_str().unwrap().contains("raw_digest")).unwrap();
    let line = repo.read(lib).lines().position(|line| line.starts_with("pub fn raw_digest")).unwrap() + 1;
    assert_eq!((leak["file"].as_str().unwrap(), leak["line"].as_u64().unwrap()), (lib, line as u64), "{leak:#}");
    assert!(leak["message"].as_str().unwrap().contains("the crypto stays an implementation detail"), "the rule's reason: {leak:#}");

    // An allow list: what it does not name is a violation too, and a pattern that matches
    // nothing is reported.
    // Other workspace packages are other crates too.
    repo.edit("Cargo.toml", "deny = [\"toy_crypto::*\"]", "allow = [\"toy_crypto::Digest\", \"core_utils::*\", \"validation::*\", \"serde::*\"]");
    let (code, report) = repo.check_with(&["-p", "auth-core"]);
    assert_eq!(code, 1, "{report:#}");
    let auth = package(&report, "auth-core");
    let messages: Vec<String> =
        auth["violations"].as_array().unwrap().iter().filter(|v| v["rule"] == "exposure").map(|v| v["message"].to_string()).collect();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(messages[0].contains("`toy_crypto::fnv1a` is not in the exposure rule's `allow` list"), "{messages:#?}");
    assert!(auth["notes"].to_string().contains("`allow = [\\\"serde::*\\\"]` matches nothing"), "{auth:#}");

    // A mistake in a rule is an error before anything is documented.
    repo.edit("Cargo.toml", "packages = [\"auth-core\"]", "packages = [\"tag:crypto\"]");
    let output = repo.apicheck(&["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("an exposure rule names `tag:crypto`"), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_public_module_named_like_an_internal_one_fails_unless_hidden_or_skipped() {
    let repo = Monorepo::new();
    let lib = "packages/core-utils/src/lib.rs";
    let original = repo.read(lib);
    repo.write(lib, &format!("{original}\n/// Helpers of the crate's own.\npub mod internal {{\n    /// Not for users.\n    pub fn helper() {{}}\n}}\n"));
    let (code, report) = repo.check_with(&["-p", "core-utils"]);
    assert_eq!(code, 1, "{report:#}");
    let core = package(&report, "core-utils");
    let surface: Vec<&Value> = core["violations"].as_array().unwrap().iter().filter(|v| v["rule"] == "internal-module").collect();
    assert_eq!(surface.len(), 1, "{core:#}");
    assert!(surface[0]["message"].as_str().unwrap().contains("public module `core_utils::internal` is named like an internal one (`internal`)"), "{core:#}");
    let line = repo.read(lib).lines().position(|line| line.starts_with("pub mod internal")).unwrap() + 1;
    assert_eq!((surface[0]["file"].as_str().unwrap(), surface[0]["line"].as_u64().unwrap()), (lib, line as u64));

    // `#[doc(hidden)]` says it is not API: no violation (the addition is hidden too).
    repo.write(lib, &format!("{original}\n#[doc(hidden)]\npub mod internal {{\n    pub fn helper() {{}}\n}}\n"));
    let (code, report) = repo.check_with(&["-p", "core-utils"]);
    assert_eq!(code, 0, "{report:#}");

    // Named differently, or skipped for the package: by the other rule's skip list, no; by
    // this rule's, or by both rules', yes.
    repo.write(lib, &format!("{original}\npub mod imp {{\n    pub fn helper() {{}}\n}}\n"));
    let (_, report) = repo.check_with(&["-p", "core-utils"]);
    assert!(package(&report, "core-utils")["violations"].to_string().contains("`core_utils::imp` is named like an internal one (`imp`)"), "{report:#}");
    let manifest = repo.read("Cargo.toml");
    for (skip, skipped) in [("glob-reexports-skip", false), ("internal-modules-skip", true), ("skip", true)] {
        repo.write("Cargo.toml", &manifest.replace(
            "[workspace.metadata.apicheck.rules]",
            &format!("[workspace.metadata.apicheck.surface]\n{skip} = [\"core-utils\"]\n\n[workspace.metadata.apicheck.rules]"),
        ));
        let (_, report) = repo.check_with(&["-p", "core-utils"]);
        let reported = package(&report, "core-utils")["violations"].to_string().contains("internal-module");
        assert_eq!(reported, !skipped, "{skip}: {report:#}");
    }
}

/// Removes what apicheck 0.4.0 added to `package`'s stored record: its manifest.
fn strip_recorded_manifest(repo: &Monorepo, package: &str) {
    let file = format!("baselines/{package}/model.json");
    let mut record: Value = serde_json::from_str(&repo.read(&file)).unwrap();
    assert!(record.as_object_mut().unwrap().remove("manifest").is_some(), "the fixture baseline records its manifest");
    repo.write(&file, &serde_json::to_string_pretty(&record).unwrap());
}

#[test]
fn manifest_changes_are_findings_with_their_line_and_the_recorded_manifest_is_the_reference() {
    let repo = Monorepo::new();
    let manifest = "packages/core-utils/Cargo.toml";
    repo.write(manifest, &format!("{}\n[features]\nstd = []\nlogging = []\n", repo.read(manifest)));
    let (code, report) = repo.check_with(&["-p", "core-utils"]);
    assert_eq!(code, 1, "{report:#}");
    let core = package(&report, "core-utils");
    assert_eq!(finding_ids(core), ["feature_added", "feature_added"], "{core:#}");
    let finding = &core["findings"][0];
    assert_eq!(finding["file"], manifest);
    let line = repo.read(manifest).lines().position(|line| line.starts_with(finding["path"].as_str().unwrap().trim_start_matches("features."))).unwrap() + 1;
    assert_eq!(finding["line"], line, "{finding:#}");
    assert!(finding["reference"].as_str().unwrap().ends_with("#cargo-feature-add"), "{finding:#}");

    // Released with both features; the baseline records the manifest, which a check compares
    // with, whatever git holds.
    repo.set_version("core-utils", "1.2.0", "1.3.0");
    repo.changelog("core-utils", "## [1.3.0] - 2026-11-27\n\n- Features `std` and `logging`.");
    let recorded = repo.apicheck(&["baseline", "-p", "core-utils"]);
    assert_eq!(recorded.status.code(), Some(0), "{}", String::from_utf8_lossy(&recorded.stderr));
    let record: Value = serde_json::from_str(&repo.read("baselines/core-utils/model.json")).unwrap();
    assert_eq!(record["manifest"]["features"]["logging"], Value::Array(Vec::new()), "{record:#}");
    repo.edit(manifest, "logging = []\n", "");
    repo.git(&["tag", "-d", "core-utils-v1.2.0"]);
    let (code, report) = repo.check_with(&["-p", "core-utils"]);
    assert_eq!(code, 1, "{report:#}");
    let core = package(&report, "core-utils");
    assert_eq!(finding_ids(core), ["feature_removed"], "{core:#}");
    assert_eq!(core["required_bump"], "major", "{core:#}");
}

#[test]
fn a_baseline_without_a_manifest_is_compared_with_the_manifest_of_its_release_tag() {
    let repo = Monorepo::new();
    strip_recorded_manifest(&repo, "domain-shared");
    repo.commit("a baseline from apicheck 0.3");
    repo.git(&["tag", "-f", "domain-shared-v0.9.0"]);
    repo.edit("packages/domain-shared/Cargo.toml", "validation = { workspace = true }", "validation = { workspace = true }\nauth-core = { workspace = true, optional = true }");
    let (code, report) = repo.check_with(&["-p", "domain-shared"]);
    assert_eq!(code, 1, "{report:#}");
    let shared = package(&report, "domain-shared");
    assert_eq!(finding_ids(shared), ["feature_added"], "the implicit feature of the new optional dependency: {shared:#}");
    assert!(shared["findings"][0]["message"].as_str().unwrap().contains("implicit feature"), "{shared:#}");
}

#[test]
fn a_baseline_without_a_manifest_and_without_its_release_in_git_is_an_error_with_the_fix() {
    let repo = Monorepo::new();
    strip_recorded_manifest(&repo, "core-utils");
    repo.git(&["tag", "-d", "core-utils-v1.2.0"]);
    let (code, report) = repo.check();
    assert_eq!(code, 2, "{report:#}");
    let error = package(&report, "core-utils")["error"].as_str().unwrap().to_string();
    assert!(error.contains("holds no manifest") && error.contains("core-utils-v1.2.0"), "{error}");
    assert!(error.contains("apicheck baseline -p core-utils") && error.contains("fetch-depth: 0"), "{error}");
    assert_eq!(package(&report, "validation")["status"], "pass", "the other packages are still checked: {report:#}");
}

#[test]
fn a_missing_release_tag_for_a_rebuild_is_an_error_with_a_hint() {
    let repo = Monorepo::new();
    let (_, other) = formats(&repo);
    record_baseline_format(&repo, "core-utils", other);
    repo.git(&["tag", "-d", "core-utils-v1.2.0"]);
    let (code, report) = repo.check();
    assert_eq!(code, 2, "{report:#}");
    let error = package(&report, "core-utils")["error"].as_str().unwrap().to_string();
    assert!(error.contains("core-utils-v1.2.0") && error.contains("fetch-depth: 0"), "{error}");
}

#[test]
fn markdown_and_output_file() {
    let repo = Monorepo::new();
    repo.break_truncate();
    let output = repo.apicheck(&["check", "--format", "markdown", "--output", "summary.md"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let markdown = repo.read("summary.md");
    assert!(markdown.starts_with("## apicheck: ❌ 1 of 5 package(s) need attention"), "{markdown}");
    assert!(markdown.contains("| `core-utils` | 1.2.0 | 1.2.0 | major | none | ❌ fail |"), "{markdown}");
    assert!(markdown.contains("<details><summary><code>core-utils</code>"), "{markdown}");
    assert!(!markdown.contains('\u{1b}'), "no terminal styles in a file");
}

#[test]
fn diff_shows_each_package_since_its_baseline() {
    let repo = Monorepo::new();
    repo.break_truncate();
    let output = repo.apicheck(&["diff", "core-utils"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("function `core_utils::truncate` changed parameter 2 from `usize` to `u32`"), "{text}");
    assert!(text.contains("Required bump: major (next version: 2.0.0)"), "{text}");
    let unknown = repo.apicheck(&["diff", "backend-app"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("not governed"));
}

#[test]
fn init_adopts_a_workspace_once() {
    let repo = Monorepo::new();
    let manifest = repo.read("Cargo.toml");
    let start = manifest.find("\n[workspace.metadata.apicheck]").unwrap();
    repo.write("Cargo.toml", &manifest[..start + 1]);
    fs::remove_dir_all(repo.path("baselines")).unwrap();
    let output = repo.apicheck(&["init"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(repo.read("Cargo.toml").contains("[workspace.metadata.apicheck]"));
    for package in ["core-utils", "validation", "auth-core", "multi-tenant-core", "domain-shared"] {
        for file in ["model.json", "api.txt", "rustdoc.json.gz"] {
            assert!(repo.path(&format!("baselines/{package}/{file}")).is_file(), "{package}/{file}");
        }
    }
    assert_eq!(repo.check().0, 0);
    let again = repo.apicheck(&["init"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has a [workspace.metadata.apicheck] table"));
}

#[test]
fn a_baseline_without_its_rustdoc_json_is_an_error_with_the_fix() {
    let repo = Monorepo::new();
    fs::remove_file(repo.path("baselines/core-utils/rustdoc.json.gz")).unwrap();
    let before = repo.baseline_files();
    let (code, report) = repo.check();
    assert_eq!(code, 2, "{report:#}");
    let error = package(&report, "core-utils")["error"].as_str().unwrap().to_string();
    assert!(error.contains("rustdoc.json.gz") && error.contains("apicheck baseline -p core-utils"), "{error}");
    assert_eq!(package(&report, "validation")["status"], "pass", "the other packages are still checked");
    assert_eq!(repo.baseline_files(), before);
}

#[test]
fn a_baseline_recorded_before_the_first_commit_has_no_commit() {
    let dir = support::copy_fixture("monorepo");
    let git = std::process::Command::new("git").current_dir(dir.path()).args(["init", "--quiet"]).output().unwrap();
    assert!(git.status.success());
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_apicheck"))
        .current_dir(dir.path())
        .args(["baseline", "-p", "core-utils"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let model: Value = serde_json::from_str(&fs::read_to_string(dir.path().join("baselines/core-utils/model.json")).unwrap()).unwrap();
    assert_eq!(model["commit"], Value::Null);
    assert_eq!(model["version"], "1.2.0");
}
