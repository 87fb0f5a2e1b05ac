//! What a PR check needs around the gate, on fixtures/monorepo with real git history: affected
//! packages, `check --base`, dependency rules, public dependencies, CI-native reports.

mod support;

use std::process::Command;

use serde_json::Value;
use support::monorepo::{Monorepo, finding_ids, package, rules};

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// A pull request branch off `main` that changes a function body of core-utils.
fn branch_changing_core_utils(repo: &Monorepo) {
    repo.git(&["checkout", "--quiet", "-b", "feature"]);
    repo.edit("packages/core-utils/src/slug.rs", "let collapsed = ", "// Collapse runs of separators first.\n    let collapsed = ");
    repo.commit("core-utils: comment");
}

#[test]
fn affected_lists_changed_packages_and_their_dependents() {
    let repo = Monorepo::new();
    repo.git(&["checkout", "--quiet", "-b", "feature"]);
    repo.edit("packages/validation/src/lib.rs", "//!", "//! (edited)\n//!");
    repo.commit("validation: docs");

    let lines = repo.apicheck(&["affected", "--base", "main"]);
    assert_eq!(lines.status.code(), Some(0), "{}", stderr(&lines));
    // validation changed; auth-core, domain-shared and the backend depend on it, multi-tenant-core
    // through auth-core; core-utils does not.
    assert_eq!(stdout(&lines), "auth-core\nbackend-app\nbackend-interfaces\ndomain-shared\nmulti-tenant-core\nvalidation\n");
    let args = repo.apicheck(&["affected", "--base", "main", "--format", "cargo-args"]);
    assert_eq!(stdout(&args), "-p auth-core -p backend-app -p backend-interfaces -p domain-shared -p multi-tenant-core -p validation\n");
    let json: Value = serde_json::from_slice(&repo.apicheck(&["affected", "--base", "main", "--format", "json"]).stdout).unwrap();
    assert_eq!(json["changed"], serde_json::json!(["validation"]));
    assert_eq!(json["merge_base"].as_str().unwrap(), repo.git(&["rev-parse", "main"]).trim());
}

#[test]
fn affected_counts_uncommitted_changes_only_when_asked() {
    let repo = Monorepo::new();
    repo.write("packages/domain-shared/src/extra.rs", "// not yet committed\n");
    assert_eq!(stdout(&repo.apicheck(&["affected", "--base", "main"])), "", "nothing committed changed");
    let with = repo.apicheck(&["affected", "--base", "main", "--uncommitted"]);
    assert_eq!(stdout(&with), "backend-app\nbackend-interfaces\ndomain-shared\n");
}

#[test]
fn a_lockfile_change_affects_every_package() {
    let repo = Monorepo::new();
    repo.git(&["checkout", "--quiet", "-b", "feature"]);
    let lock = repo.read("Cargo.lock");
    repo.write("Cargo.lock", &format!("{lock}\n"));
    repo.commit("touch the lockfile");
    let json: Value = serde_json::from_slice(&repo.apicheck(&["affected", "--base", "main", "--format", "json"]).stdout).unwrap();
    assert_eq!(json["everything_because"], "Cargo.lock changed");
    assert_eq!(json["packages"].as_array().unwrap().len(), 7);
}

#[test]
fn an_unresolvable_base_in_a_shallow_clone_is_an_error_with_a_hint() {
    let repo = Monorepo::new();
    let first = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    branch_changing_core_utils(&repo);
    repo.edit("packages/validation/src/lib.rs", "//!", "//! (edited)\n//!");
    repo.commit("second change");
    let shallow = tempfile::tempdir().unwrap();
    let clone = Command::new("git")
        .args(["clone", "--quiet", "--depth", "1", "--branch", "feature"])
        .arg(format!("file://{}", repo.root().display()))
        .arg(shallow.path())
        .output()
        .unwrap();
    assert!(clone.status.success(), "{}", stderr(&clone));
    let manifest = shallow.path().join("Cargo.toml");
    for args in [
        vec!["affected", "--base", first.as_str()],
        vec!["check", "--base", first.as_str()],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_apicheck"))
            .args(&args)
            .arg("--manifest-path")
            .arg(&manifest)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stdout(&output));
        assert!(output.stdout.is_empty(), "never \"nothing affected\"");
        assert!(stderr(&output).contains("fetch-depth: 0"), "{}", stderr(&output));
    }
}

#[test]
fn check_base_checks_the_changed_package_and_those_exposing_it() {
    let repo = Monorepo::new();
    branch_changing_core_utils(&repo);
    let (code, report) = repo.check_with(&["--base", "main"]);
    assert_eq!(code, 0, "{report:#}");
    let affected = &report["affected"];
    assert_eq!(affected["changed"], serde_json::json!(["core-utils"]));
    // domain-shared re-exports core_utils::id::EntityId, auth-core and multi-tenant-core use it
    // in public fields and signatures; validation depends on core-utils but exposes none of it.
    assert_eq!(affected["checked"], serde_json::json!(["auth-core", "core-utils", "domain-shared", "multi-tenant-core"]));
    let checked: Vec<&str> = report["packages"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(checked, ["auth-core", "core-utils", "domain-shared", "multi-tenant-core"]);

    let markdown = stdout(&repo.apicheck(&["check", "--base", "main", "--format", "markdown"]));
    assert!(markdown.contains("```mermaid\ngraph LR"), "{markdown}");
    assert!(markdown.contains("pkg_core_utils[\"core-utils\"]:::changed"), "{markdown}");
    assert!(markdown.contains("pkg_domain_shared --> pkg_core_utils"), "{markdown}");
}

#[test]
fn check_base_with_no_package_change_checks_nothing_and_passes() {
    let repo = Monorepo::new();
    repo.git(&["checkout", "--quiet", "-b", "feature"]);
    repo.write("docs/notes.md", "# Notes\n");
    repo.commit("docs only");
    let (code, report) = repo.check_with(&["--base", "main"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["packages"].as_array().unwrap().len(), 0);
    assert!(report["notes"][0].as_str().unwrap().contains("no governed package's API can have changed"));
}

#[test]
fn a_cycle_through_dev_dependencies_is_a_violation() {
    // Within one layer of the example (`packages/*`), so that only `no-cycles` sees it.
    let repo = Monorepo::new();
    repo.edit("packages/auth-core/Cargo.toml", "license = \"MIT\"", "license = \"MIT\"\n\n[dev-dependencies]\nmulti-tenant-core = { workspace = true }");
    let output = repo.apicheck(&["deps"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("packages/auth-core/Cargo.toml:"), "{text}");
    assert!(text.contains("no-cycles: dependency cycle: "), "{text}");
    assert!(
        text.contains("dependency cycle: multi-tenant-core → auth-core → multi-tenant-core (dev)")
            || text.contains("dependency cycle: auth-core → multi-tenant-core (dev) → auth-core"),
        "every member in order, back to the first, each edge's kind at its target: {text}"
    );
    let line = repo.read("packages/auth-core/Cargo.toml").lines().position(|l| l.starts_with("multi-tenant-core")).unwrap() + 1;
    let json: Value = serde_json::from_slice(&repo.apicheck(&["deps", "--format", "json"]).stdout).unwrap();
    let cycle = json.as_array().unwrap().iter().find(|v| v["from"] == "auth-core").expect("the cycle is reported at auth-core's edge");
    assert_eq!(cycle["kind"], "dev");
    assert_eq!(cycle["line"], line);

    let (code, report) = repo.check();
    assert_eq!(code, 1, "check fails on dependency rules too: {report:#}");
    assert_eq!(report["dependencies"][0]["rule"], "no-cycles");

    // Accepted as a known exception: reported, not failed.
    let known = "\n[[workspace.metadata.apicheck.deps.known]]\nrule = \"no-cycles\"\nfrom = \"auth-core\"\nto = \"multi-tenant-core\"\nkind = \"dev\"\nreason = \"test helpers, until they move\"\n";
    let manifest = repo.read("Cargo.toml");
    repo.write("Cargo.toml", &format!("{manifest}{known}"));
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
    assert!(report["dependencies"].as_array().unwrap().is_empty());
    assert!(report["notes"].to_string().contains("accepted (test helpers, until they move)"), "{report:#}");
    assert_eq!(repo.apicheck(&["deps"]).status.code(), Some(0));

    // The edge goes away: the exception is stale, which the example fails on
    // (`stale-known = "fail"`), and, with `stale-known = "warn"`, says in a note.
    repo.edit("packages/auth-core/Cargo.toml", "\n[dev-dependencies]\nmulti-tenant-core = { workspace = true }", "");
    let (code, report) = repo.check();
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["dependencies"][0]["rule"], "stale-known");
    repo.edit("Cargo.toml", "stale-known = \"fail\"", "stale-known = \"warn\"");
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
    assert!(report["notes"].to_string().contains("stale known dependency exception `no-cycles: auth-core → multi-tenant-core (dev)`"), "{report:#}");
}

/// `init` on a repository that already breaks a dependency rule records the violation as a known
/// exception with a reason to fill in, so that the adopted repository passes `check`.
#[test]
fn init_records_existing_dependency_violations_as_known() {
    let repo = Monorepo::new();
    let manifest = repo.read("Cargo.toml");
    let start = manifest.find("\n[workspace.metadata.apicheck]").unwrap();
    repo.write("Cargo.toml", &manifest[..start + 1]);
    std::fs::remove_dir_all(repo.path("baselines")).unwrap();
    repo.edit("packages/core-utils/Cargo.toml", "license = \"MIT\"", "license = \"MIT\"\n\n[dev-dependencies]\nauth-core = { workspace = true }");
    let output = repo.apicheck(&["init"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let said = stdout(&output);
    assert!(said.contains("recorded 1 existing dependency rule violation(s) as known exceptions"), "{said}");
    let written = repo.read("Cargo.toml");
    assert!(written.contains("[[workspace.metadata.apicheck.deps.known]]\nrule = \"no-cycles\""), "{written}");
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn a_package_depending_on_backend_interfaces_breaks_the_boundary() {
    let repo = Monorepo::new();
    repo.edit("packages/domain-shared/Cargo.toml", "[dependencies]", "[dependencies]\nbackend-interfaces = { workspace = true }");
    let json: Value = serde_json::from_slice(&repo.apicheck(&["deps", "--format", "json"]).stdout).unwrap();
    let boundary = json.as_array().unwrap().iter().find(|v| v["rule"] == "packages-boundary").expect("a boundary violation");
    assert_eq!(boundary["from"], "domain-shared");
    assert_eq!(boundary["to"], "backend-interfaces");
    assert_eq!(boundary["file"], "packages/domain-shared/Cargo.toml");
    assert!(boundary["message"].as_str().unwrap().contains("depends on backend/interfaces"));
}

#[test]
fn configured_forbidden_edges_and_layers_are_enforced() {
    let repo = Monorepo::new();
    // The example already has the tag and the layers.
    let manifest = repo.read("Cargo.toml").replace(
        "forbid = [",
        "forbid = [\n    { from = \"packages/domain-shared\", to = \"tag:security\", reason = \"domain types stay free of auth\" },",
    );
    repo.write("Cargo.toml", &manifest);
    assert_eq!(repo.apicheck(&["deps"]).status.code(), Some(0), "the fixture follows its layers");
    repo.edit("packages/domain-shared/Cargo.toml", "[dependencies]", "[dependencies]\nauth-core = { workspace = true }");
    repo.edit("packages/validation/Cargo.toml", "[dependencies]", "[dependencies]\ndomain-shared = { workspace = true }");
    let json: Value = serde_json::from_slice(&repo.apicheck(&["deps", "--format", "json"]).stdout).unwrap();
    let rules_broken: Vec<(&str, &str, &str)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["rule"].as_str().unwrap(), v["from"].as_str().unwrap(), v["to"].as_str().unwrap()))
        .collect();
    assert!(rules_broken.contains(&("forbid", "domain-shared", "auth-core")), "{rules_broken:?}");
    assert!(rules_broken.contains(&("layers", "validation", "domain-shared")), "{rules_broken:?}");
    let forbid = json.as_array().unwrap().iter().find(|v| v["rule"] == "forbid").unwrap();
    assert!(forbid["message"].as_str().unwrap().contains("domain types stay free of auth"));
}

#[test]
fn a_public_dependency_major_bump_breaks_the_dependent() {
    let repo = Monorepo::new();
    repo.set_version("core-utils", "1.2.0", "2.0.0");
    repo.changelog("core-utils", "## [2.0.0] - 2026-11-26\n\n### Changed\n\n- **Breaking:** nothing in its API, but a new major line.");
    let (code, report) = repo.check();
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(package(&report, "core-utils")["status"], "pass");
    let domain = package(&report, "domain-shared");
    assert_eq!(finding_ids(domain), ["public_dependency_major_bump"]);
    let finding = &domain["findings"][0];
    assert_eq!(finding["path"], "core_utils");
    assert_eq!(finding["required_bump"], "major");
    assert_eq!(finding["file"], "packages/domain-shared/Cargo.toml");
    assert!(finding["message"].as_str().unwrap().contains("went from 1.2.0 to 2.0.0"));
    assert_eq!(rules(domain), ["version-bump"]);
    assert_eq!(domain["suggested_version"], "0.10.0");
    assert!(finding_ids(package(&report, "validation")).is_empty(), "validation's API does not expose core-utils");
}

/// A package that reaches another crate's items only through a dependency that re-exports them
/// (as serde re-exports `serde_core`): the public dependency is the one it declares, so a major
/// bump of that facade is a break of the package.
#[test]
fn a_public_dependency_reached_through_a_facade_is_the_declared_one() {
    let repo = Monorepo::new();
    repo.write(
        "packages/report-kit/Cargo.toml",
        "[package]\nname = \"report-kit\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n[dependencies]\ndomain-shared = { workspace = true }\n",
    );
    repo.write("packages/report-kit/CHANGELOG.md", "# Changelog\n\n## [1.0.0]\n\n- First release.\n");
    repo.write("packages/report-kit/src/lib.rs", "//! Reports.\n\n/// The owner of a report.\npub fn owner() -> domain_shared::EntityId {\n    domain_shared::EntityId::new(\"owner\").expect(\"a valid id\")\n}\n");
    let recorded = repo.apicheck(&["baseline", "-p", "report-kit"]);
    assert!(recorded.status.success(), "{}", stderr(&recorded));
    let model = repo.read("baselines/report-kit/model.json");
    assert!(model.contains("\"domain_shared\""), "the re-exported item's crate is recorded as the declared facade: {model}");
    repo.commit("report-kit 1.0.0");

    repo.set_version("domain-shared", "0.9.0", "1.0.0");
    repo.changelog("domain-shared", "## [1.0.0] - 2026-11-27\n\n### Changed\n\n- **Breaking:** a new major line.");
    let (code, report) = repo.check();
    assert_eq!(code, 1, "{report:#}");
    let kit = package(&report, "report-kit");
    assert_eq!(finding_ids(kit), ["public_dependency_major_bump"], "{kit:#}");
    assert_eq!(kit["findings"][0]["path"], "domain_shared");
    assert!(kit["findings"][0]["message"].as_str().unwrap().contains("`domain-shared` went from 0.9.0 to 1.0.0"), "{kit:#}");
}

#[test]
fn sarif_output_validates_against_the_sarif_schema() {
    let repo = Monorepo::new();
    repo.break_truncate();
    repo.edit("packages/core-utils/Cargo.toml", "license = \"MIT\"", "license = \"MIT\"\n\n[dev-dependencies]\nauth-core = { workspace = true }");
    let output = repo.apicheck(&["check", "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let schema = support::sarif_schema();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator.iter_errors(&sarif).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{sarif:#}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let ids: Vec<&str> = results.iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    assert!(ids.contains(&"function_parameter_type_changed"), "{ids:?}");
    assert!(ids.contains(&"policy/version-bump"), "{ids:?}");
    assert!(ids.contains(&"deps/no-cycles"), "{ids:?}");
    let finding = results.iter().find(|r| r["ruleId"] == "function_parameter_type_changed").unwrap();
    assert_eq!(finding["level"], "error");
    // Every rule of a finding carries the catalog's description and reference link.
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = &rules[finding["ruleIndex"].as_u64().unwrap() as usize];
    assert_eq!(rule["id"], "function_parameter_type_changed");
    assert_eq!(rule["shortDescription"]["text"], "A function changed the type of a parameter");
    assert_eq!(rule["helpUri"], "https://doc.rust-lang.org/cargo/reference/semver.html#api-compatibility");
    for rule in rules.iter().filter(|rule| !rule["id"].as_str().unwrap().contains('/')) {
        assert!(rule["helpUri"].as_str().is_some_and(|uri| uri.starts_with("https://")), "{rule:#}");
    }
    assert_eq!(finding["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "packages/core-utils/src/lib.rs");

    // The validator is not a rubber stamp: a result without a message fails it.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0].as_object_mut().unwrap().remove("message");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn github_format_annotates_and_writes_the_job_summary() {
    let repo = Monorepo::new();
    repo.edit("packages/core-utils/src/slug.rs", "pub fn is_slug(s: &str) -> bool {", "pub fn is_slug_strict(s: &str) -> bool {\n    is_slug(s)\n}\n\n/// Old name.\npub fn is_slug(s: &str) -> bool {");
    let summary = repo.path("summary.md");
    let output = Command::new(env!("CARGO_BIN_EXE_apicheck"))
        .current_dir(repo.root())
        .args(["check", "--format", "github"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.lines().any(|l| l.starts_with("::error file=packages/core-utils/src/slug.rs,line=") && l.contains("title=apicheck core-utils%3A function_added (minor)::function `core_utils::slug::is_slug_strict` was added")),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("::error file=packages/core-utils/Cargo.toml,title=apicheck core-utils%3A version-bump::")), "{text}");
    assert!(text.ends_with("apicheck: 1 of 5 package(s) fail the release policy\n"), "{text}");
    let summary = std::fs::read_to_string(summary).unwrap();
    assert!(summary.starts_with("## apicheck: ❌ 1 of 5 package(s) need attention"), "{summary}");
}
