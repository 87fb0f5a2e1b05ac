//! Package governance beyond semver (#10): dependency rules with captures, required edges and
//! kinds, stale known exceptions that fail, and the package graph drawn as Mermaid and DOT; each
//! on a copy of fixtures/monorepo in a temporary git repository, through the binary.

mod support;

use serde_json::Value;
use support::monorepo::Monorepo;

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// `deps --format json`: the exit code and the violations.
fn deps_json(repo: &Monorepo) -> (i32, Vec<Value>) {
    let output = repo.apicheck(&["deps", "--format", "json"]);
    let violations: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("no JSON; stderr: {}", stderr(&output)));
    (output.status.code().unwrap(), violations.as_array().unwrap().clone())
}

/// A library package `packages/NAME` with these `[dependencies]` lines.
fn add_package(repo: &Monorepo, name: &str, dependencies: &str) {
    repo.write(
        &format!("packages/{name}/Cargo.toml"),
        &format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition.workspace = true\nlicense = \"MIT\"\n\n[dependencies]\n{dependencies}"),
    );
    repo.write(&format!("packages/{name}/src/lib.rs"), "//! A package.\n");
}

/// Adds a `required` rule to the example's: every domain package depends on core-utils.
fn require_core_utils_in_domains(repo: &Monorepo) {
    let manifest = repo.read("Cargo.toml").replace("required = [", "required = [{ from = \"packages/domain-*\", to = \"core-utils\", reason = \"one id type\" }, ");
    repo.write("Cargo.toml", &manifest);
}

fn rule_edges(violations: &[Value]) -> Vec<(&str, &str, &str)> {
    violations.iter().map(|v| (v["rule"].as_str().unwrap(), v["from"].as_str().unwrap(), v["to"].as_str().unwrap())).collect()
}

#[test]
fn the_bundled_example_follows_its_dependency_rules() {
    let repo = Monorepo::new();
    let (code, violations) = deps_json(&repo);
    assert_eq!((code, violations.len()), (0, 0), "{violations:#?}");
}

/// `packages/domain-{d}` must not depend on `packages/domain-{!d}`: two domains may not depend on
/// one another, and no pair is listed.
#[test]
fn a_capture_forbids_edges_between_different_values_without_listing_pairs() {
    let repo = Monorepo::new();
    add_package(&repo, "domain-billing", "core-utils = { workspace = true }\ndomain-orders = { path = \"../domain-orders\" }\n");
    add_package(&repo, "domain-orders", "core-utils = { workspace = true }\n");
    let (code, violations) = deps_json(&repo);
    assert_eq!(code, 1, "{violations:#?}");
    assert_eq!(rule_edges(&violations), [("forbid", "domain-billing", "domain-orders")]);
    let violation = &violations[0];
    assert_eq!(violation["file"], "packages/domain-billing/Cargo.toml");
    assert_eq!(violation["line"], 9, "the line of the dependency");
    assert!(violation["message"].as_str().unwrap().contains("domains stay independent"), "{violation:#}");
    assert_eq!(violation["fix"], "remove `domain-orders` from the [dependencies] of packages/domain-billing/Cargo.toml");

    // `{d}` in `to` is the same value: a package of one domain may depend on its own
    // sub-packages (`packages/domain-orders` on `packages/domain-orders`... here: by name).
    let manifest = repo.read("Cargo.toml").replace(
        "{ from = \"packages/domain-{d}\", to = \"packages/domain-{!d}\", reason = \"domains stay independent\" },",
        "{ from = \"domain-{d}\", to = \"domain-{d}\", reason = \"a domain does not use itself\" },",
    );
    repo.write("Cargo.toml", &manifest);
    let (code, violations) = deps_json(&repo);
    assert_eq!((code, violations.len()), (0, 0), "different values no longer match: {violations:#?}");
}

#[test]
fn a_required_edge_that_is_missing_fails_with_the_dependency_to_add() {
    let repo = Monorepo::new();
    require_core_utils_in_domains(&repo);
    add_package(&repo, "domain-billing", "");
    let (code, violations) = deps_json(&repo);
    assert_eq!(code, 1, "{violations:#?}");
    assert_eq!(rule_edges(&violations), [("required", "domain-billing", "core-utils")]);
    assert_eq!(violations[0]["file"], "packages/domain-billing/Cargo.toml");
    assert_eq!(violations[0]["fix"], "add `core-utils` to the [dependencies] of packages/domain-billing/Cargo.toml");
    // A dev-dependency does not satisfy a rule of normal dependencies (the default).
    add_package(&repo, "domain-billing", "\n[dev-dependencies]\ncore-utils = { workspace = true }\n");
    assert_eq!(rule_edges(&deps_json(&repo).1), [("required", "domain-billing", "core-utils")]);
    add_package(&repo, "domain-billing", "core-utils = { workspace = true }\n");
    assert_eq!(deps_json(&repo), (0, Vec::new()));
}

#[test]
fn a_required_edge_with_a_capture_names_the_captured_package() {
    let repo = Monorepo::new();
    let manifest = repo.read("Cargo.toml").replace(
        "required = [",
        "required = [{ from = \"packages/{name}-adapter\", to = \"packages/{name}-api\" }, ",
    );
    repo.write("Cargo.toml", &manifest);
    add_package(&repo, "billing-api", "core-utils = { workspace = true }\n");
    add_package(&repo, "billing-adapter", "core-utils = { workspace = true }\n");
    let (code, violations) = deps_json(&repo);
    assert_eq!(code, 1);
    assert_eq!(rule_edges(&violations), [("required", "billing-adapter", "packages/billing-api")]);
    assert_eq!(violations[0]["fix"], "add `billing-api` to the [dependencies] of packages/billing-adapter/Cargo.toml");
    add_package(&repo, "billing-adapter", "core-utils = { workspace = true }\nbilling-api = { path = \"../billing-api\" }\n");
    assert_eq!(deps_json(&repo), (0, Vec::new()));
}

#[test]
fn rules_by_kind_cover_build_and_optional_dependencies_only() {
    let repo = Monorepo::new();
    // The example forbids build-dependencies on workspace packages: a normal one is fine, a
    // build one is not.
    repo.edit("packages/domain-shared/Cargo.toml", "[dependencies]", "[build-dependencies]\ncore-utils = { workspace = true }\n\n[dependencies]");
    let (code, violations) = deps_json(&repo);
    assert_eq!(code, 1);
    assert_eq!(rule_edges(&violations), [("forbid", "domain-shared", "core-utils")]);
    assert_eq!(violations[0]["kind"], "build");
    assert!(violations[0]["message"].as_str().unwrap().contains("build scripts stay small"));

    // `optional` covers the dependencies declared optional, whatever their table.
    let repo = Monorepo::new();
    let manifest = repo.read("Cargo.toml").replace(
        "forbid = [",
        "forbid = [\n    { from = \"packages/*\", to = \"tag:security\", kinds = [\"optional\"], reason = \"security is never optional\" },",
    );
    repo.write("Cargo.toml", &manifest);
    assert_eq!(deps_json(&repo), (0, Vec::new()), "multi-tenant-core's normal dependency on auth-core is not optional");
    repo.edit("packages/domain-shared/Cargo.toml", "[dependencies]", "[dependencies]\nauth-core = { workspace = true, optional = true }");
    let (code, violations) = deps_json(&repo);
    assert_eq!(code, 1);
    assert_eq!(rule_edges(&violations), [("forbid", "domain-shared", "auth-core")]);
}

#[test]
fn a_stale_known_exception_fails_when_configured() {
    let repo = Monorepo::new();
    let known = "\n[[workspace.metadata.apicheck.deps.known]]\nrule = \"forbid\"\nfrom = \"domain-shared\"\nto = \"core-utils\"\nkind = \"build\"\nreason = \"until the code generator moves\"\n";
    repo.write("Cargo.toml", &format!("{}{known}", repo.read("Cargo.toml")));
    let line = repo.read("Cargo.toml").lines().position(|l| l == "[[workspace.metadata.apicheck.deps.known]]").unwrap() + 1;
    let (code, violations) = deps_json(&repo);
    assert_eq!(code, 1, "the example sets stale-known = \"fail\": {violations:#?}");
    assert_eq!(rule_edges(&violations), [("stale-known", "domain-shared", "core-utils")]);
    assert_eq!(violations[0]["file"], "Cargo.toml");
    assert_eq!(violations[0]["line"], line);
    assert!(violations[0]["fix"].as_str().unwrap().starts_with("remove the entry"), "{:#}", violations[0]);

    // While the violation it accepts occurs, it is no violation.
    repo.edit("packages/domain-shared/Cargo.toml", "[dependencies]", "[build-dependencies]\ncore-utils = { workspace = true }\n\n[dependencies]");
    assert_eq!(deps_json(&repo), (0, Vec::new()));

    // With the default (`warn`) a stale entry is a note.
    repo.edit("packages/domain-shared/Cargo.toml", "[build-dependencies]\ncore-utils = { workspace = true }\n\n", "");
    repo.edit("Cargo.toml", "stale-known = \"fail\"", "stale-known = \"warn\"");
    let output = repo.apicheck(&["deps"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("stale known exception forbid: domain-shared → core-utils (build)"), "{}", stdout(&output));
}

#[test]
fn an_invalid_capture_is_an_error_naming_the_pattern() {
    for (from, to, why) in [
        ("packages/{d}", "packages/{e}", "`{e}` is not captured by the rule's `from`"),
        ("packages/{!d}", "packages/x", "`{!d}` belongs in `to`"),
        ("packages/{d}-{d}", "packages/x", "`{d}` is captured twice"),
        ("packages/{a b}", "packages/x", "`{a b}` is not a capture"),
        ("packages/[ab]-{d}", "packages/x", "not `[`"),
    ] {
        let repo = Monorepo::new();
        let manifest = repo.read("Cargo.toml").replace("forbid = [", &format!("forbid = [\n    {{ from = \"{from}\", to = \"{to}\" }},"));
        repo.write("Cargo.toml", &manifest);
        let output = repo.apicheck(&["deps"]);
        assert_eq!(output.status.code(), Some(2), "{from} → {to}: {}", stdout(&output));
        let error = stderr(&output);
        assert!(error.contains("[workspace.metadata.apicheck.deps]") && error.contains(why), "{from} → {to}: {error}");
    }
}

/// A workspace that breaks a rule of each kind, for the drawings: a forbidden edge between two
/// domains, a missing required edge, a layer broken by a dev-dependency.
fn violating_repo() -> Monorepo {
    let repo = Monorepo::new();
    require_core_utils_in_domains(&repo);
    add_package(&repo, "domain-billing", "domain-orders = { path = \"../domain-orders\" }\n");
    add_package(&repo, "domain-orders", "core-utils = { workspace = true }\n");
    repo.edit("packages/core-utils/Cargo.toml", "license = \"MIT\"", "license = \"MIT\"\n\n[dev-dependencies]\nvalidation = { workspace = true }");
    repo
}

#[test]
fn deps_draws_the_graph_as_mermaid_and_dot_with_the_violations_highlighted() {
    let repo = violating_repo();
    let rules: Vec<String> = deps_json(&repo).1.iter().map(|v| format!("{} {} → {}", v["rule"], v["from"], v["to"])).collect();
    let mermaid = repo.apicheck(&["deps", "--format", "mermaid"]);
    assert_eq!(mermaid.status.code(), Some(1), "exit 1 as for the other formats: {}", stderr(&mermaid));
    let mermaid = stdout(&mermaid);
    assert_mermaid_parses(&mermaid);
    insta::assert_snapshot!("mermaid", mermaid, &rules.join("\n"));
    let dot = stdout(&repo.apicheck(&["deps", "--format", "dot"]));
    assert_dot_parses(&dot);
    insta::assert_snapshot!("dot", dot, &rules.join("\n"));

    // The example's own graph, without a violation, parses too.
    let clean = Monorepo::new();
    assert_mermaid_parses(&stdout(&clean.apicheck(&["deps", "--format", "mermaid"])));
    assert_dot_parses(&stdout(&clean.apicheck(&["deps", "--format", "dot"])));
}

/// Mermaid's grammar, strictly (merman, a headless implementation of Mermaid): what GitHub
/// would refuse to draw fails here.
fn assert_mermaid_parses(text: &str) {
    let engine = merman::Engine::new();
    let parsed = engine.parse_diagram_sync(text, merman::ParseOptions::strict()).unwrap_or_else(|error| panic!("{error}\n{text}"));
    assert_eq!(parsed.expect("a Mermaid diagram").meta.diagram_type, "flowchart-v2", "{text}");
}

/// Graphviz's DOT grammar (graphviz-rust's parser).
fn assert_dot_parses(text: &str) {
    graphviz_rust::parse(text).unwrap_or_else(|error| panic!("{error}\n{text}"));
}

#[test]
fn the_parsers_refuse_broken_drawings() {
    // Neither parser is a rubber stamp: an edge style for an edge that does not exist, an
    // unterminated edge.
    let engine = merman::Engine::new();
    assert!(engine.parse_diagram_sync("flowchart LR\n  a ==> b\n  linkStyle 1 stroke:red\n", merman::ParseOptions::strict()).is_err());
    assert!(graphviz_rust::parse("digraph d { \"a\" -> ; }").is_err());
}

#[test]
fn the_markdown_report_draws_the_graph_when_a_dependency_rule_fails() {
    let repo = violating_repo();
    let output = repo.apicheck(&["check", "--format", "markdown"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let markdown = stdout(&output);
    let drawn = stdout(&repo.apicheck(&["deps", "--format", "mermaid"]));
    assert!(markdown.contains(&format!("```mermaid\n{drawn}```\n")), "the same graph as `deps --format mermaid`:\n{markdown}");
    // Every Mermaid block of the report parses (the graph of affected packages too, with --base).
    for block in markdown.split("```mermaid\n").skip(1) {
        assert_mermaid_parses(block.split("```").next().unwrap());
    }
    assert!(markdown.contains("**Fix:** remove `domain-orders` from the [dependencies] of packages/domain-billing/Cargo.toml"), "{markdown}");

    // Every format carries each violation with its fix; SARIF stays valid.
    let (code, report) = repo.check();
    assert_eq!(code, 1);
    let in_json: Vec<&str> = report["dependencies"].as_array().unwrap().iter().map(|v| v["rule"].as_str().unwrap()).collect();
    assert_eq!(in_json, ["allow", "forbid", "layers", "no-cycles", "required"], "{report:#}");
    assert!(report["dependency_graph"]["edges"].as_array().unwrap().iter().any(|e| e["missing"] == true), "{report:#}");
    let human = stdout(&repo.apicheck(&["check"]));
    assert!(human.contains("✗ required") && human.contains("fix: add `core-utils` to the [dependencies] of packages/domain-billing/Cargo.toml"), "{human}");
    let github = stdout(&repo.apicheck(&["check", "--format", "github"]));
    assert!(github.contains("::error file=packages/domain-billing/Cargo.toml,title=apicheck dependency rule required::"), "{github}");
    assert!(github.contains("Fix: add `core-utils`"), "{github}");
    let sarif: Value = serde_json::from_slice(&repo.apicheck(&["check", "--format", "sarif"]).stdout).unwrap();
    let schema = support::sarif_schema();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator.iter_errors(&sarif).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{sarif:#}");
    let ids: Vec<&str> = sarif["runs"][0]["results"].as_array().unwrap().iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    for rule in ["deps/forbid", "deps/layers", "deps/no-cycles", "deps/required"] {
        assert!(ids.contains(&rule), "{ids:?}");
    }
}

/// core-utils with a prelude that re-exports a module by glob, and a hidden helper.
fn with_prelude(repo: &Monorepo, prelude_attribute: &str) -> (String, usize, usize) {
    let lib = "packages/core-utils/src/lib.rs";
    let original = repo.read(lib);
    repo.write(
        lib,
        &format!("{original}\n/// Everything at once.\npub mod prelude {{\n    {prelude_attribute}pub use crate::slug::*;\n}}\n\n/// For the macros of the crate.\n#[doc(hidden)]\npub fn __private_helper() {{}}\n"),
    );
    let text = repo.read(lib);
    let glob_line = text.lines().position(|line| line.trim_start().ends_with("pub use crate::slug::*;")).unwrap() + 1;
    let hidden_line = text.lines().position(|line| line.starts_with("pub fn __private_helper")).unwrap() + 1;
    (lib.to_string(), glob_line, hidden_line)
}

#[test]
fn a_glob_reexport_in_the_public_api_fails_at_its_line_unless_hidden_or_switched_off() {
    let repo = Monorepo::new();
    let (lib, glob_line, _) = with_prelude(&repo, "");
    let (code, report) = repo.check_with(&["-p", "core-utils"]);
    assert_eq!(code, 1, "{report:#}");
    let core = support::monorepo::package(&report, "core-utils");
    let globs: Vec<&Value> = core["violations"].as_array().unwrap().iter().filter(|v| v["rule"] == "glob-reexport").collect();
    assert_eq!(globs.len(), 1, "{core:#}");
    assert_eq!((globs[0]["file"].as_str().unwrap(), globs[0]["line"].as_u64().unwrap()), (lib.as_str(), glob_line as u64));
    assert!(globs[0]["message"].as_str().unwrap().contains("`core_utils::prelude` re-exports `crate::slug::*`"), "{core:#}");
    assert!(globs[0]["fix"].as_str().unwrap().contains("pub use crate::slug::{A, B};"), "{core:#}");
    // In SARIF too, valid against the schema.
    let sarif: Value = serde_json::from_slice(&repo.apicheck(&["check", "-p", "core-utils", "--format", "sarif"]).stdout).unwrap();
    let validator = jsonschema::validator_for(&support::sarif_schema()).unwrap();
    assert!(validator.is_valid(&sarif), "{sarif:#}");
    assert!(sarif["runs"][0]["results"].as_array().unwrap().iter().any(|r| r["ruleId"] == "policy/glob-reexport" && r["locations"][0]["physicalLocation"]["region"]["startLine"] == glob_line), "{sarif:#}");

    // Switched off.
    repo.edit("Cargo.toml", "[workspace.metadata.apicheck.rules]", "[workspace.metadata.apicheck.surface]\nglob-reexports = false\n\n[workspace.metadata.apicheck.rules]");
    let (_, report) = repo.check_with(&["-p", "core-utils"]);
    assert!(!support::monorepo::package(&report, "core-utils")["violations"].to_string().contains("glob-reexport"), "{report:#}");

    // Hidden: not API, no violation.
    let repo = Monorepo::new();
    with_prelude(&repo, "#[doc(hidden)]\n    ");
    let (_, report) = repo.check_with(&["-p", "core-utils"]);
    assert!(!support::monorepo::package(&report, "core-utils")["violations"].to_string().contains("glob-reexport"), "{report:#}");
}

#[test]
fn surface_shows_counts_hidden_items_external_paths_and_the_rules_verdicts() {
    let repo = Monorepo::new();
    let (lib, glob_line, hidden_line) = with_prelude(&repo, "");
    let output = repo.apicheck(&["surface", "core-utils", "multi-tenant-core", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "a surface rule is broken: {}", stderr(&output));
    let surfaces: Value = serde_json::from_slice(&output.stdout).unwrap();
    let core = &surfaces[0];
    assert_eq!(core["package"], "core-utils");
    assert_eq!(core["counts"]["function"], 3, "slugify, is_slug, truncate at their canonical paths: {core:#}");
    assert_eq!(core["counts"]["module"], 5, "the crate root, id, slug, time, prelude: {core:#}");
    assert_eq!(core["hidden"][0]["path"], "core_utils::__private_helper");
    assert_eq!(core["hidden"][0]["kind"], "function");
    assert_eq!((core["hidden"][0]["span"]["file"].as_str().unwrap(), core["hidden"][0]["span"]["line"].as_u64().unwrap()), (lib.as_str(), hidden_line as u64));
    assert_eq!(core["glob_reexports"][0]["module"], "core_utils::prelude");
    assert_eq!(core["violations"][0]["rule"], "glob-reexport");
    assert_eq!(core["violations"][0]["line"], glob_line);
    let tenant = &surfaces[1];
    assert_eq!(tenant["package"], "multi-tenant-core");
    let shown: Vec<(&str, &str)> = tenant["external"].as_array().unwrap().iter().map(|u| (u["external"].as_str().unwrap(), u["item"].as_str().unwrap())).collect();
    assert!(shown.contains(&("auth_core::Principal", "multi_tenant_core::TenantContext::new")), "{shown:?}");
    assert_eq!(tenant["violations"], Value::Array(Vec::new()));

    let human = repo.apicheck(&["surface", "core-utils"]);
    let text = stdout(&human);
    assert!(text.contains("hidden (#[doc(hidden)]): 1") && text.contains(&format!("function core_utils::__private_helper  {lib}:{hidden_line}")), "{text}");
    assert!(text.contains("✗ glob-reexport") && text.contains("fix: name what `core_utils::prelude` re-exports"), "{text}");
    let clean = stdout(&repo.apicheck(&["surface", "multi-tenant-core"]));
    assert!(clean.contains("✓ surface rules hold") && clean.contains("auth_core::Principal in multi_tenant_core::TenantContext::new"), "{clean}");
    let unknown = repo.apicheck(&["surface", "no-such-package"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", stdout(&unknown));
}

#[test]
fn an_invalid_surface_or_exposure_pattern_is_an_error_naming_it() {
    let repo = Monorepo::new();
    repo.edit("Cargo.toml", "[workspace.metadata.apicheck.rules]", "[workspace.metadata.apicheck.surface]\ninternal-names = [\"intern[al\"]\n\n[workspace.metadata.apicheck.rules]");
    let output = repo.apicheck(&["check"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(stderr(&output).contains("`intern[al` in `internal-names` is not a valid pattern"), "{}", stderr(&output));

    let repo = Monorepo::new();
    repo.edit("Cargo.toml", "deny = [\"toy_crypto::*\"]", "deny = [\"toy_crypto::[*\"]");
    let output = repo.apicheck(&["check"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(stderr(&output).contains("`toy_crypto::[*` in an exposure rule is not a valid pattern"), "{}", stderr(&output));
    let output = repo.apicheck(&["deps"]);
    assert_eq!(output.status.code(), Some(2), "every command reads the configuration: {}", stdout(&output));
}

#[test]
fn a_package_without_changelog_description_license_or_tests_fails_with_each_fix() {
    let repo = Monorepo::new();
    repo.write("packages/audit-log/Cargo.toml", "[package]\nname = \"audit-log\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n");
    repo.write("packages/audit-log/src/lib.rs", "//! Audit events.\n\n/// One audited action.\npub fn record(_action: &str) {}\n");
    let (code, report) = repo.check_with(&["-p", "audit-log"]);
    assert_eq!(code, 1, "{report:#}");
    let audit = support::monorepo::package(&report, "audit-log");
    assert_eq!(support::monorepo::rules(audit), ["hygiene-changelog", "hygiene-description", "hygiene-license", "hygiene-tests"], "{audit:#}");
    for violation in audit["violations"].as_array().unwrap() {
        assert_eq!((violation["file"].as_str().unwrap(), violation["line"].as_u64().unwrap()), ("packages/audit-log/Cargo.toml", 1), "{violation:#}");
    }
    assert!(audit["violations"][0]["fix"].as_str().unwrap().starts_with("add packages/audit-log/CHANGELOG.md"), "{audit:#}");
    assert!(audit["violations"][2]["fix"].as_str().unwrap().contains("license-file = \"LICENSE\""), "{audit:#}");
    let human = stdout(&repo.apicheck(&["check", "-p", "audit-log"]));
    assert!(human.contains("✗ hygiene-tests") && human.contains("fix: add tests: a `tests/` directory in packages/audit-log"), "{human}");

    // Each added in turn: a `license-file` counts, and so does an integration test.
    repo.write("packages/audit-log/CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n");
    repo.edit("packages/audit-log/Cargo.toml", "edition = \"2021\"\n", "edition = \"2021\"\ndescription = \"Audit events.\"\nlicense-file = \"LICENSE\"\n");
    let (_, report) = repo.check_with(&["-p", "audit-log"]);
    assert_eq!(support::monorepo::rules(support::monorepo::package(&report, "audit-log")), ["hygiene-tests"], "{report:#}");
    repo.write("packages/audit-log/tests/record.rs", "#[test]\nfn records() {\n    audit_log::record(\"login\");\n}\n");
    let (code, report) = repo.check_with(&["-p", "audit-log"]);
    assert_eq!(code, 0, "{report:#}");

    // Skipped, or switched off: nothing asked.
    std::fs::remove_dir_all(repo.path("packages/audit-log/tests")).unwrap();
    repo.edit("Cargo.toml", "tests = true\n", "tests = true\nskip = [\"audit-*\"]\n");
    let (code, report) = repo.check_with(&["-p", "audit-log"]);
    assert_eq!(code, 0, "{report:#}");
}

/// A new package, audit-log, with everything hygiene asks, whose library reads the environment
/// at run time in two files and at compile time, besides a read of Cargo's own metadata, reads
/// in test code and in its build script.
fn audit_log_reading_the_environment(repo: &Monorepo) {
    repo.write(
        "packages/audit-log/Cargo.toml",
        "[package]\nname = \"audit-log\"\nversion = \"0.1.0\"\nedition = \"2021\"\ndescription = \"Audit events.\"\nlicense = \"MIT\"\n\n[dependencies]\n",
    );
    repo.write("packages/audit-log/CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n");
    repo.write("packages/audit-log/build.rs", "fn main() {\n    println!(\"cargo:rerun-if-env-changed=AUDIT_PROFILE\");\n    let _ = std::env::var(\"AUDIT_PROFILE\");\n}\n");
    repo.write(
        "packages/audit-log/src/lib.rs",
        "//! Audit events.\n\npub mod sink;\n\nuse std::env;\n\n/// Where audit events go.\npub fn target() -> String {\n    \
         env::var(\"AUDIT_TARGET\").unwrap_or_else(|_| \"stdout\".to_string())\n}\n\n\
         /// The version of this build: Cargo's metadata, not configuration.\npub const VERSION: &str = env!(\"CARGO_PKG_VERSION\");\n\n\
         /// A key baked in when the package is built.\npub const KEY: Option<&str> = option_env!(\"AUDIT_KEY\");\n\n\
         #[cfg(test)]\nmod tests {\n    #[test]\n    fn tests_may_read_it() {\n        assert!(std::env::var_os(\"PATH\").is_some());\n    }\n}\n",
    );
    repo.write(
        "packages/audit-log/src/sink.rs",
        "//! Where events are written.\n\n/// Writes the pending events.\npub fn flush() {\n    if std::env::vars().any(|(name, _)| name == \"AUDIT_VERBOSE\") {\n        println!(\"flushing\");\n    }\n}\n",
    );
}

/// The 1-based line of `file` that contains `text`.
fn line_of(repo: &Monorepo, file: &str, text: &str) -> u64 {
    repo.read(file).lines().position(|line| line.contains(text)).unwrap_or_else(|| panic!("{file} has no {text:?}")) as u64 + 1
}

#[test]
fn a_package_reading_the_environment_fails_at_each_read() {
    let repo = Monorepo::new();
    audit_log_reading_the_environment(&repo);
    let (code, report) = repo.check_with(&["-p", "audit-log"]);
    assert_eq!(code, 1, "{report:#}");
    let audit = support::monorepo::package(&report, "audit-log");
    assert_eq!(support::monorepo::rules(audit), ["env-read", "env-read", "env-read"], "{audit:#}");
    let places: Vec<(&str, u64)> = audit["violations"].as_array().unwrap().iter().map(|v| (v["file"].as_str().unwrap(), v["line"].as_u64().unwrap())).collect();
    let lib = "packages/audit-log/src/lib.rs";
    let sink = "packages/audit-log/src/sink.rs";
    assert_eq!(
        places,
        [(lib, line_of(&repo, lib, "env::var(\"AUDIT_TARGET\")")), (lib, line_of(&repo, lib, "option_env!")), (sink, line_of(&repo, sink, "std::env::vars()"))],
        "neither Cargo's CARGO_PKG_VERSION, nor the test module, nor build.rs: {audit:#}"
    );
    let first = &audit["violations"][0];
    assert_eq!(
        first["message"],
        "`audit-log` reads `AUDIT_TARGET` with `std::env::var`: packages receive their configuration, they do not read the environment"
    );
    assert!(first["fix"].as_str().unwrap().starts_with("take the value as a parameter or a configuration struct"), "{first:#}");
    assert!(first["fix"].as_str().unwrap().ends_with("allow `audit-log` in `allow` of [workspace.metadata.apicheck.environment]"), "{first:#}");
    assert!(audit["violations"][1]["message"].as_str().unwrap().contains("reads `AUDIT_KEY` at compile time with `option_env!`"), "{audit:#}");
    assert!(audit["violations"][2]["message"].as_str().unwrap().contains("reads the environment with `std::env::vars`"), "{audit:#}");

    // Every format carries the reads with their fixes; SARIF stays valid.
    let human = stdout(&repo.apicheck(&["check", "-p", "audit-log"]));
    assert!(human.contains(&format!("✗ env-read: `audit-log` reads `AUDIT_TARGET` with `std::env::var`: packages receive their configuration, they do not read the environment ({lib}:{})", places[0].1)), "{human}");
    assert!(human.contains("fix: take the value as a parameter"), "{human}");
    let markdown = stdout(&repo.apicheck(&["check", "-p", "audit-log", "--format", "markdown"]));
    assert!(markdown.contains("- ❌ **env-read**: `audit-log` reads `AUDIT_TARGET`") && markdown.contains("<br>**Fix:** take the value"), "{markdown}");
    let github = stdout(&repo.apicheck(&["check", "-p", "audit-log", "--format", "github"]));
    assert!(github.contains(&format!("::error file={lib},line={},title=apicheck audit-log%3A env-read::", places[0].1)), "{github}");
    let sarif: Value = serde_json::from_slice(&repo.apicheck(&["check", "-p", "audit-log", "--format", "sarif"]).stdout).unwrap();
    let validator = jsonschema::validator_for(&support::sarif_schema()).unwrap();
    assert!(validator.is_valid(&sarif), "{sarif:#}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.iter().filter(|r| r["ruleId"] == "policy/env-read").count(), 3, "{sarif:#}");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let described = rules.iter().find(|rule| rule["id"] == "policy/env-read").unwrap();
    assert!(described["shortDescription"]["text"].as_str().unwrap().starts_with("A package's library reads no environment variable"), "{described:#}");

    // Allowed by name, directory glob or tag: no violation.
    for allow in ["\"audit-log\"", "\"packages/audit-*\"", "\"tag:audit\""] {
        let repo_manifest = repo.read("Cargo.toml");
        repo.edit("Cargo.toml", "deny-reads = true\n", &format!("deny-reads = true\nallow = [{allow}]\n"));
        repo.edit("Cargo.toml", "tags = {", "tags = { audit = [\"packages/audit-log\"], ");
        let (code, report) = repo.check_with(&["-p", "audit-log"]);
        assert_eq!(code, 0, "allow = [{allow}]: {report:#}");
        repo.write("Cargo.toml", &repo_manifest);
    }
}

#[test]
fn a_package_reading_no_environment_variable_passes_and_the_rule_is_off_by_default() {
    let repo = Monorepo::new();
    audit_log_reading_the_environment(&repo);
    // Off unless switched on.
    repo.edit("Cargo.toml", "deny-reads = true\n", "");
    let (code, report) = repo.check_with(&["-p", "audit-log"]);
    assert_eq!(code, 0, "{report:#}");

    // On, with the configuration taken as parameters, a module of its own named `env` and
    // Cargo's metadata: nothing is a read.
    repo.edit("Cargo.toml", "[workspace.metadata.apicheck.environment]\n", "[workspace.metadata.apicheck.environment]\ndeny-reads = true\n");
    repo.write(
        "packages/audit-log/src/lib.rs",
        "//! Audit events.\n\npub mod sink;\nmod env {\n    pub fn var(name: &str) -> String {\n        name.to_lowercase()\n    }\n}\n\n\
         /// Where audit events go, as the application configured it.\npub fn target(configured: Option<&str>) -> String {\n    \
         configured.map(env::var).unwrap_or_else(|| \"stdout\".to_string())\n}\n\n\
         /// The version of this build.\npub const VERSION: &str = env!(\"CARGO_PKG_VERSION\");\n\n\
         #[cfg(test)]\nmod tests {\n    #[test]\n    fn stdout_by_default() {\n        assert_eq!(super::target(None), \"stdout\");\n    }\n}\n",
    );
    repo.write("packages/audit-log/src/sink.rs", "//! Where events are written.\n\n/// Writes the pending events when `verbose`.\npub fn flush(verbose: bool) {\n    if verbose {\n        println!(\"flushing\");\n    }\n}\n");
    let (code, report) = repo.check_with(&["-p", "audit-log"]);
    assert_eq!(code, 0, "{report:#}");

    // An unknown tag in `allow` is an error that names the table.
    repo.edit("Cargo.toml", "deny-reads = true\n", "deny-reads = true\nallow = [\"tag:nope\"]\n");
    let output = repo.apicheck(&["check", "-p", "audit-log"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(stderr(&output).contains("[workspace.metadata.apicheck.environment]: the environment rule's `allow` names `tag:nope`"), "{}", stderr(&output));
}

/// `check --base main -p core-utils --format json` with more arguments (one package: the
/// decision record rule is about the workspace, whatever is checked).
fn check_base(repo: &Monorepo, more: &[&str]) -> (i32, Value) {
    repo.check_with(&[&["--base", "main", "-p", "core-utils"], more].concat())
}

fn workspace_rules(report: &Value) -> Vec<&str> {
    report["violations"].as_array().map(|violations| violations.iter().map(|v| v["rule"].as_str().unwrap()).collect()).unwrap_or_default()
}

#[test]
fn a_change_of_the_rules_without_a_decision_record_fails_check_base() {
    let repo = Monorepo::new();
    repo.git(&["checkout", "--quiet", "-b", "feature"]);
    // Reformatted and commented, the same rules: no decision.
    repo.edit(
        "Cargo.toml",
        "layers = [\"packages/core-utils\", \"packages/validation\", \"packages/*\", \"backend/*\"]",
        "# lowest first\nlayers = [\n    \"packages/core-utils\",\n    \"packages/validation\",\n    \"packages/*\",\n    \"backend/*\",\n]",
    );
    repo.commit("deps: one layer a line");
    let (code, report) = check_base(&repo, &[]);
    assert_eq!((code, workspace_rules(&report)), (0, Vec::new()), "{report:#}");

    // A rule changed: a workspace violation at the table's line, in every format.
    repo.edit("Cargo.toml", "stale-known = \"fail\"", "stale-known = \"warn\"");
    repo.commit("deps: stale known exceptions are notes");
    let (code, report) = check_base(&repo, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["passed"], false);
    assert_eq!(workspace_rules(&report), ["adr-required"], "{report:#}");
    let violation = &report["violations"][0];
    let deps_line = line_of(&repo, "Cargo.toml", "[workspace.metadata.apicheck.deps]");
    assert_eq!((violation["file"].as_str().unwrap(), violation["line"].as_u64().unwrap()), ("Cargo.toml", deps_line));
    let message = violation["message"].as_str().unwrap();
    assert!(message.starts_with("the configuration changes the dependency rules ([workspace.metadata.apicheck.deps]) since main ("), "{message}");
    assert!(message.contains("no file under docs/adr/ changed"), "{message}");
    assert!(violation["fix"].as_str().unwrap().starts_with("add a decision record under docs/adr/ in the same change"), "{violation:#}");
    assert_eq!(support::monorepo::package(&report, "core-utils")["status"], "pass", "the package itself passes");
    let human = stdout(&repo.apicheck(&["check", "--base", "main", "-p", "core-utils"]));
    assert!(human.contains("Workspace rules\n  ✗ adr-required: the configuration changes the dependency rules") && human.contains("fix: add a decision record under docs/adr/"), "{human}");
    assert!(human.contains("1 workspace rule violation(s)"), "{human}");
    let markdown = stdout(&repo.apicheck(&["check", "--base", "main", "-p", "core-utils", "--format", "markdown"]));
    assert!(markdown.contains("## apicheck: ❌ 1 workspace rule violation(s)") && markdown.contains("**Workspace rules**\n\n- ❌ **adr-required**: the configuration changes"), "{markdown}");
    let github = stdout(&repo.apicheck(&["check", "--base", "main", "-p", "core-utils", "--format", "github"]));
    assert!(github.contains(&format!("::error file=Cargo.toml,line={deps_line},title=apicheck workspace rule adr-required::the configuration changes")), "{github}");
    let sarif: Value = serde_json::from_slice(&repo.apicheck(&["check", "--base", "main", "-p", "core-utils", "--format", "sarif"]).stdout).unwrap();
    let validator = jsonschema::validator_for(&support::sarif_schema()).unwrap();
    assert!(validator.is_valid(&sarif), "{sarif:#}");
    let result = sarif["runs"][0]["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "policy/adr-required").expect("a SARIF result");
    assert_eq!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "Cargo.toml");

    // A record in the work tree counts with --uncommitted only, as changed files do.
    repo.write("docs/adr/0002-stale-known-exceptions-warn.md", "# 2. Stale known exceptions are notes\n");
    assert_eq!(workspace_rules(&check_base(&repo, &[]).1), ["adr-required"]);
    let (code, report) = check_base(&repo, &["--uncommitted"]);
    assert_eq!((code, workspace_rules(&report)), (0, Vec::new()), "{report:#}");
    repo.commit("ADR 2");
    let (code, report) = check_base(&repo, &["--head", "HEAD"]);
    assert_eq!((code, workspace_rules(&report)), (0, Vec::new()), "{report:#}");
    // The record in another folder does not count: `adr-dir` says where they are.
    repo.edit("Cargo.toml", "adr-dir = \"docs/adr\"", "adr-dir = \"docs/decisions\"");
    repo.commit("ADRs move");
    assert_eq!(workspace_rules(&check_base(&repo, &[]).1), ["adr-required"]);
}

#[test]
fn the_head_configuration_is_the_work_tree_with_uncommitted_and_switching_the_rule_off_needs_a_record() {
    let repo = Monorepo::new();
    repo.git(&["checkout", "--quiet", "-b", "feature"]);
    // Uncommitted: the head's configuration is the committed one unless --uncommitted.
    repo.edit("Cargo.toml", "deny = [\"toy_crypto::*\"]", "deny = [\"toy_crypto::*\", \"ring::*\"]");
    repo.edit("Cargo.toml", "version-bump = true", "version-bump = false");
    let (code, report) = check_base(&repo, &[]);
    assert_eq!((code, workspace_rules(&report)), (0, Vec::new()), "nothing committed changed: {report:#}");
    let (code, report) = check_base(&repo, &["--uncommitted"]);
    assert_eq!(code, 1, "{report:#}");
    let message = report["violations"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("the configuration changes the exposure rules ([[workspace.metadata.apicheck.exposure]]) and the release rules ([workspace.metadata.apicheck.rules])"), "{message}");

    // Switching the rule off is a change of the release rules, which needs its record too.
    repo.git(&["checkout", "--quiet", "--", "Cargo.toml"]);
    repo.edit("Cargo.toml", "adr-required = true", "adr-required = false");
    repo.commit("no more ADRs");
    let (code, report) = check_base(&repo, &[]);
    assert_eq!((code, workspace_rules(&report)), (1, vec!["adr-required"]), "{report:#}");

    // Off at the base and at the head: changes pass.
    let repo = Monorepo::new();
    repo.edit("Cargo.toml", "adr-required = true", "adr-required = false");
    repo.commit("the rule is off");
    repo.git(&["checkout", "--quiet", "-b", "feature"]);
    repo.edit("Cargo.toml", "stale-known = \"fail\"", "stale-known = \"warn\"");
    repo.commit("deps");
    let (code, report) = check_base(&repo, &[]);
    assert_eq!((code, workspace_rules(&report)), (0, Vec::new()), "{report:#}");
}
