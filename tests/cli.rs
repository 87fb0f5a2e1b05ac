//! The binary on real inputs: listings, diffs, colour, and every kind of bad input failing closed
//! with exit code 2 and a one-line error.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn apicheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_apicheck")).args(args).env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE").output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Exit code 2, nothing on stdout, one `error:` line on stderr that contains every part of
/// `expected`.
fn assert_fails_closed(output: &Output, expected: &[&str]) {
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(output));
    assert!(output.stdout.is_empty(), "no partial result on stdout, got: {}", stdout(output));
    let text = stderr(output);
    let first = text.lines().next().unwrap_or_default();
    assert!(first.starts_with("error: "), "{text}");
    for part in expected {
        assert!(first.contains(part), "`{part}` not in the first line: {text}");
    }
}

fn pair(case: &str) -> (PathBuf, PathBuf) {
    (support::pair_side("old")[case].clone(), support::pair_side("new")[case].clone())
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn api_lists_a_rustdoc_json_file_and_a_package_alike() {
    let manifest = support::fixtures().join("pairs/old/Cargo.toml");
    let target = support::fixture_target_dir("pairs-old");
    let by_package = apicheck(&["api", "fn_removed", "--manifest-path", path_str(&manifest), "--target-dir", path_str(&target)]);
    assert_eq!(by_package.status.code(), Some(0), "{}", stderr(&by_package));
    let (old, _) = pair("fn_removed");
    let by_file = apicheck(&["api", path_str(&old)]);
    assert_eq!(stdout(&by_package), stdout(&by_file));
    assert!(stdout(&by_file).contains("pub fn fn_removed::parse_body("), "{}", stdout(&by_file));
}

#[test]
fn api_json_is_a_model_that_diff_accepts() {
    let (old, new) = pair("fn_return_type_changed");
    let model = apicheck(&["api", path_str(&old), "--format", "json"]);
    let saved = tempfile::NamedTempFile::with_suffix(".json").unwrap();
    std::fs::write(saved.path(), &model.stdout).unwrap();
    let diff = apicheck(&["diff", "--baseline", path_str(saved.path()), "--current", path_str(&new), "--format", "json"]);
    assert_eq!(diff.status.code(), Some(0), "{}", stderr(&diff));
    let json: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
    assert_eq!(json["required_bump"], "major");
    assert_eq!(json["lints_ran"], false);
    assert_eq!(json["findings"][0]["id"], "function_return_type_changed");
}

#[test]
fn diff_groups_findings_and_states_the_required_bump() {
    let (old, new) = pair("design_notes_pair");
    let output = apicheck(&["diff", "--baseline", path_str(&old), "--current", path_str(&new)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(!text.contains('\u{1b}'), "no colour when stdout is not a terminal: {text}");
    insta::assert_snapshot!(text);
}

#[test]
fn diff_json_carries_every_finding_field() {
    let (old, new) = pair("design_notes_pair");
    let output = apicheck(&["diff", "--baseline", path_str(&old), "--current", path_str(&new), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["schema"], 1);
    assert_eq!(json["required_bump"], "major");
    assert_eq!(json["next_version"], "2.0.0");
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 4);
    let parameter = &findings[0];
    assert_eq!(parameter["id"], "function_parameter_type_changed");
    assert_eq!(parameter["path"], "design_notes_pair::add");
    assert_eq!(parameter["file"], "design_notes_pair/src/lib.rs");
    assert_eq!(parameter["line"], 4);
    assert_eq!(parameter["required_bump"], "major");
    assert_eq!(parameter["source"], "apicheck");
    let field = findings.iter().find(|f| f["id"] == "struct_field_added").unwrap();
    assert_eq!(field["source"], "both");
    assert_eq!(field["lint"], "constructible_struct_adds_field");
    assert!(field["reference"].as_str().unwrap().starts_with("https://"));
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let (old, new) = pair("fn_param_type_changed");
    let args = ["diff", "--baseline", path_str(&old), "--current", path_str(&new)];
    let forced = apicheck(&[&args[..], &["--color", "always"]].concat());
    assert!(stdout(&forced).contains("\u{1b}["), "--color always colours");
    let never = Command::new(env!("CARGO_BIN_EXE_apicheck")).args(args).env("CLICOLOR_FORCE", "1").args(["--color", "never"]).output().unwrap();
    assert!(!stdout(&never).contains('\u{1b}'), "--color never wins over CLICOLOR_FORCE");
    let no_color = Command::new(env!("CARGO_BIN_EXE_apicheck")).args(args).env("CLICOLOR_FORCE", "1").env("NO_COLOR", "1").output().unwrap();
    assert!(!stdout(&no_color).contains('\u{1b}'), "NO_COLOR is honoured");
}

#[test]
fn a_file_that_is_not_json_fails_closed() {
    let file = tempfile::NamedTempFile::with_suffix(".json").unwrap();
    std::fs::write(file.path(), "this is not json").unwrap();
    assert_fails_closed(&apicheck(&["api", path_str(file.path())]), &[path_str(file.path()), "is not JSON"]);
    let (_, new) = pair("no_change");
    assert_fails_closed(
        &apicheck(&["diff", "--baseline", path_str(file.path()), "--current", path_str(&new)]),
        &[path_str(file.path()), "is not JSON"],
    );
}

#[test]
fn json_that_is_not_rustdoc_fails_closed() {
    let file = tempfile::NamedTempFile::with_suffix(".json").unwrap();
    std::fs::write(file.path(), r#"{"name": "not rustdoc", "items": []}"#).unwrap();
    assert_fails_closed(&apicheck(&["api", path_str(file.path())]), &[path_str(file.path()), "neither rustdoc JSON"]);
}

#[test]
fn an_unsupported_rustdoc_format_fails_closed_naming_the_supported_ones() {
    let (old, _) = pair("no_change");
    let text = std::fs::read_to_string(&old).unwrap();
    let file = tempfile::NamedTempFile::with_suffix(".json").unwrap();
    std::fs::write(file.path(), text.replace("\"format_version\":57", "\"format_version\":99")).unwrap();
    assert_fails_closed(&apicheck(&["api", path_str(file.path())]), &["format 99", "57, 60, 61"]);
}

#[test]
fn rustdoc_files_of_different_formats_cannot_be_linted_together() {
    let (old, new) = pair("fn_removed");
    let text = std::fs::read_to_string(&old).unwrap();
    let file = tempfile::NamedTempFile::with_suffix(".json").unwrap();
    std::fs::write(file.path(), text.replace("\"format_version\":57", "\"format_version\":61")).unwrap();
    let output = apicheck(&["diff", "--baseline", path_str(file.path()), "--current", path_str(&new)]);
    assert_fails_closed(&output, &["format 61", "format 57", "--no-lints"]);
    let model_only = apicheck(&["diff", "--baseline", path_str(file.path()), "--current", path_str(&new), "--no-lints", "--format", "json"]);
    assert_eq!(model_only.status.code(), Some(0), "{}", stderr(&model_only));
}

#[test]
fn a_package_that_does_not_exist_fails_closed_listing_the_members() {
    let manifest = support::fixtures().join("all-items/Cargo.toml");
    assert_fails_closed(&apicheck(&["api", "no-such-package", "--manifest-path", path_str(&manifest)]), &["no package `no-such-package`", "all-items"]);
}

#[test]
fn a_manifest_that_does_not_exist_fails_closed() {
    assert_fails_closed(&apicheck(&["api", "core-utils", "--manifest-path", "/nonexistent/Cargo.toml"]), &["cannot read the Cargo workspace", "/nonexistent/Cargo.toml"]);
}

#[test]
fn a_package_that_does_not_compile_fails_closed_with_the_compiler_message() {
    let workspace = support::copy_fixture("all-items");
    let lib = workspace.path().join("src/lib.rs");
    let mut source = std::fs::read_to_string(&lib).unwrap();
    source.push_str("\npub fn broken() -> NoSuchType { todo!() }\n");
    std::fs::write(&lib, source).unwrap();
    let manifest = workspace.path().join("Cargo.toml");
    let output = apicheck(&["api", "all-items", "--manifest-path", path_str(&manifest)]);
    assert_fails_closed(&output, &["package `all-items` does not compile", "src/lib.rs:", "cannot find type `NoSuchType`"]);
    assert!(stderr(&output).contains("pub fn broken() -> NoSuchType"), "the compiler's own output follows: {}", stderr(&output));
}

#[test]
fn rules_lists_every_rule_and_every_lint_that_runs() {
    let output = apicheck(&["rules", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let entries = json["rules"].as_array().unwrap();
    let entry = |id: &str| entries.iter().find(|entry| entry["id"] == id).unwrap_or_else(|| panic!("`{id}` is listed"));
    let own = entries.iter().filter(|entry| entry["source"] == "apicheck").count();
    assert_eq!(own, apicheck::catalog::RULES.len(), "every rule of the catalog");
    let removed = entry("function_removed");
    assert_eq!(removed["required_bump"], serde_json::json!(["major"]));
    assert_eq!(removed["default_level"], "deny");
    assert_eq!(removed["reference"], "https://doc.rust-lang.org/cargo/reference/semver.html#item-remove");
    assert_eq!(removed["equivalent"], serde_json::json!(["function_missing"]));
    assert_eq!(removed["fixture_pair"], "fn_removed");
    let lint = entry("function_missing");
    assert_eq!(lint["source"], "cargo-semver-checks");
    assert_eq!(lint["equivalent"], serde_json::json!(["function_removed"]));
    assert!(lint["reference"].as_str().is_some_and(|link| link.starts_with("https://")), "{lint:#}");
    assert_eq!(entry("struct_field_added")["required_bump"], serde_json::json!(["minor", "major"]));

    let human = stdout(&apicheck(&["rules"]));
    assert!(human.starts_with(&format!("apicheck's rules ({own})\n")), "{human}");
    assert!(human.lines().any(|line| line.split_whitespace().collect::<Vec<_>>()[..3] == ["function_removed", "major", "deny"]), "{human}");
    assert!(human.contains("cargo-semver-checks lints apicheck runs ("), "{human}");
}

#[test]
fn explain_shows_a_rule_with_its_reference_and_fixture_pair() {
    let output = apicheck(&["explain", "function_removed", "--color", "never"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("function_removed  (apicheck rule)\n"), "{text}");
    assert!(text.contains("reference:      https://doc.rust-lang.org/cargo/reference/semver.html#item-remove"), "{text}");
    assert!(text.contains("same break as:  cargo-semver-checks function_missing"), "{text}");
    assert!(text.contains("--- old/fn_removed/src/lib.rs\n  +++ new/fn_removed/src/lib.rs"), "{text}");
    // The example is the fixture's source: its removed function, as a diff.
    let old = std::fs::read_to_string(support::fixtures().join("pairs/old/fn_removed/src/lib.rs")).unwrap();
    assert!(old.contains("pub fn parse_body(message: &str) -> &str {"));
    assert!(text.contains("  -pub fn parse_body(message: &str) -> &str {"), "{text}");

    let lint = stdout(&apicheck(&["explain", "function_missing"]));
    assert!(lint.starts_with("function_missing  (cargo-semver-checks lint)\n"), "{lint}");
    assert!(lint.contains("same break as:  apicheck function_removed"), "{lint}");
}

#[test]
fn an_unknown_id_fails_closed_suggesting_the_closest() {
    assert_fails_closed(&apicheck(&["explain", "fucntion_removed"]), &["`fucntion_removed` is not a rule or lint id", "did you mean `function_removed`?"]);
    assert_fails_closed(&apicheck(&["explain", "no_such_thing_at_all"]), &["`no_such_thing_at_all` is not a rule or lint id", "apicheck rules"]);
}

/// A workspace of one library whose root manifest ends with `metadata`.
fn workspace_with(metadata: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let manifest = format!("[package]\nname = \"typo\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n[workspace]\n\n{metadata}");
    std::fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "pub fn f() {}\n").unwrap();
    dir
}

#[test]
fn configuration_that_names_an_unknown_id_fails_closed_suggesting_the_closest() {
    let lints = workspace_with("[workspace.metadata.apicheck.lints]\nfucntion_removed = \"allow\"\n");
    let manifest = lints.path().join("Cargo.toml");
    assert_fails_closed(
        &apicheck(&["deps", "--manifest-path", path_str(&manifest)]),
        &["[workspace.metadata.apicheck.lints]", "`fucntion_removed` is not a rule or lint id", "did you mean `function_removed`?"],
    );

    let acknowledged = workspace_with(
        "[[workspace.metadata.apicheck.acknowledge]]\npackage = \"typo\"\nfinding = \"function_parameter_type_chnaged\"\nversion = \"1.0.0\"\nreason = \"r\"\n",
    );
    let manifest = acknowledged.path().join("Cargo.toml");
    assert_fails_closed(
        &apicheck(&["deps", "--manifest-path", path_str(&manifest)]),
        &["the acknowledgement `typo: function_parameter_type_chnaged`", "did you mean `function_parameter_type_changed`?"],
    );

    let in_file = workspace_with("[workspace.metadata.apicheck]\nacknowledgements = \"acks.toml\"\n");
    std::fs::write(in_file.path().join("acks.toml"), "[[acknowledge]]\npackage = \"typo\"\nfinding = \"struct_removd\"\nversion = \"1.0.0\"\nreason = \"r\"\n").unwrap();
    let manifest = in_file.path().join("Cargo.toml");
    assert_fails_closed(&apicheck(&["deps", "--manifest-path", path_str(&manifest)]), &["acks.toml", "did you mean `struct_removed`?"]);

    // A dependency's feature: cargo would take it in one kind of run and refuse it in another.
    let dependency_feature = workspace_with("[workspace.metadata.apicheck.features]\ntypo = [\"serde/derive\"]\n");
    let manifest = dependency_feature.path().join("Cargo.toml");
    assert_fails_closed(
        &apicheck(&["deps", "--manifest-path", path_str(&manifest)]),
        &["`features` gives `typo` the feature `serde/derive` of a dependency", "declare one in its `[features]`"],
    );

    let known = workspace_with("[workspace.metadata.apicheck.lints]\nfunction_removed = \"warn\"\nfunction_missing = \"allow\"\n");
    let manifest = known.path().join("Cargo.toml");
    let output = apicheck(&["deps", "--manifest-path", path_str(&manifest)]);
    assert_eq!(output.status.code(), Some(0), "a rule and a lint are accepted: {}", stderr(&output));
}
