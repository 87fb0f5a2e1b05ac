//! `init` adopting a repository that already has releases, and the dependency cycle setting:
//! fixtures/monorepo in a temporary git repository without apicheck's configuration, tagged the
//! way real repositories are, and the real binary (real git, cargo and rustdoc).

mod support;

use std::process::Output;

use serde_json::Value;
use support::monorepo::{Monorepo, package, rules};

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A release in `{name}-{version}` tags, then an API change that was never released: `init`
/// detects the pattern, records core-utils' baseline from its tag (not the work tree), reports
/// the change, and `check` fails on it until core-utils is released by hand.
#[test]
fn init_records_the_last_release_tag_and_reports_changes_since_it() {
    let repo = Monorepo::unadopted(Some("{name}-{version}"));
    repo.add_to_core_utils();
    repo.commit("an unreleased addition");

    let output = repo.apicheck(&["init"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let said = stdout(&output);
    assert!(said.contains("tag pattern: {name}-{version} (detected from 5 release tag(s)"), "{said}");
    assert!(said.contains("changelog: one CHANGELOG.md per package"), "{said}");
    assert!(said.contains("recorded baseline core-utils 1.2.0 from its last release tag core-utils-1.2.0"), "{said}");
    assert!(said.contains("API changes since the last release (1 package(s))"), "{said}");
    assert!(said.contains("core-utils 1.2.0 (baseline 1.2.0): 1 finding(s), requires a minor bump"), "{said}");
    assert!(said.contains("`apicheck release -p core-utils` makes the release"), "{said}");
    assert!(repo.read("Cargo.toml").contains("tag = \"{name}-{version}\""));

    // The baseline is the release's API, recorded at the tag's commit.
    let tagged = repo.git(&["rev-parse", "core-utils-1.2.0^{commit}"]);
    let model: Value = serde_json::from_str(&repo.read("baselines/core-utils/model.json")).unwrap();
    assert_eq!(model["commit"].as_str(), Some(tagged.trim()));
    assert_eq!(model["tag"], "core-utils-1.2.0");
    assert!(!repo.read("baselines/core-utils/api.txt").contains("is_slug_char"));

    let (code, report) = repo.check();
    assert_eq!(code, 1, "{report:#}");
    let core = package(&report, "core-utils");
    assert_eq!(rules(core), ["version-bump"], "{core:#}");
    assert_eq!(package(&report, "validation")["status"], "pass");

    // `apicheck release` makes the release the change needs, and then the check passes.
    repo.commit("adopt apicheck");
    let released = repo.apicheck(&["release", "-p", "core-utils"]);
    assert_eq!(released.status.code(), Some(0), "{}", stderr(&released));
    assert!(repo.read("packages/core-utils/Cargo.toml").contains("version = \"1.3.0\""));
    assert!(repo.read("packages/core-utils/CHANGELOG.md").contains("## [1.3.0]"));
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
}

/// Tags in two patterns stop `init` before it writes anything; `--tag-pattern` chooses. With one
/// changelog at the root whose headings name the packages, the changelog rule reads that file
/// and wants a section naming the package and its new version.
#[test]
fn ambiguous_tags_ask_for_a_pattern_and_a_root_changelog_is_configured() {
    let repo = Monorepo::unadopted(Some("{name}-{version}"));
    repo.tag_releases("{name}-v{version}");
    for (name, _) in support::monorepo::RELEASES {
        std::fs::remove_file(repo.path(&format!("packages/{name}/CHANGELOG.md"))).unwrap();
    }
    repo.write("CHANGELOG.md", "# Changelog\n\n## core-utils 1.2.0\n\n- First release.\n");
    repo.commit("one changelog at the root");
    let manifest = repo.read("Cargo.toml");

    let refused = repo.apicheck(&["init"]);
    assert_eq!(refused.status.code(), Some(2));
    let error = stderr(&refused);
    assert!(error.contains("the repository's tags match several tag patterns"), "{error}");
    assert!(error.contains("`{name}-{version}` (5 tag(s)") && error.contains("`{name}-v{version}` (5 tag(s)"), "{error}");
    assert!(error.contains("--tag-pattern PATTERN"), "{error}");
    assert_eq!(repo.read("Cargo.toml"), manifest, "nothing written");
    assert!(!repo.path("baselines").exists());

    let output = repo.apicheck(&["init", "--tag-pattern", "{name}-v{version}"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let said = stdout(&output);
    assert!(said.contains("tag pattern: {name}-v{version} (given with --tag-pattern)"), "{said}");
    assert!(said.contains("changelog: one CHANGELOG.md at the root for every package (changelog-location = \"root\")"), "{said}");
    assert!(said.contains("no governed package's API changed since its last release"), "{said}");
    let written = repo.read("Cargo.toml");
    assert!(written.contains("tag = \"{name}-v{version}\"") && written.contains("changelog-location = \"root\""), "{written}");

    repo.add_to_core_utils();
    repo.set_version("core-utils", "1.2.0", "1.3.0");
    let (code, report) = repo.check();
    assert_eq!(code, 1, "{report:#}");
    let core = package(&report, "core-utils");
    assert_eq!(rules(core), ["changelog"], "{core:#}");
    assert!(core["violations"][0]["fix"].as_str().unwrap().contains("add a `## core-utils 1.3.0` section"), "{core:#}");

    repo.edit("CHANGELOG.md", "## core-utils 1.2.0", "## core-utils 1.3.0\n\n### Added\n\n- `slug::is_slug_char`.\n\n## core-utils 1.2.0");
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
}

/// ripgrep's layout: one changelog at the root for the repository's own releases, none per
/// package, and no tags. `init` takes the default tag pattern and turns the changelog rules
/// off, saying so: a bumped package then needs no section. A package that already re-exports
/// a module with a glob is skipped by the surface rules, so that adoption passes.
#[test]
fn a_root_changelog_of_the_repository_turns_the_changelog_rules_off() {
    let repo = Monorepo::unadopted(None);
    for (name, _) in support::monorepo::RELEASES {
        std::fs::remove_file(repo.path(&format!("packages/{name}/CHANGELOG.md"))).unwrap();
    }
    repo.write("CHANGELOG.md", "14.1.1 (2024-09-08)\n===================\n\n- Fixed a bug.\n\n## 14.1.0\n\n- Added a flag.\n");
    let lib = repo.read("packages/domain-shared/src/lib.rs");
    repo.write("packages/domain-shared/src/lib.rs", &format!("{lib}\n/// Every rule of validation.\npub mod rules {{\n    pub use validation::*;\n}}\n"));
    repo.commit("the product's changelog");

    let output = repo.apicheck(&["init"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let said = stdout(&output);
    assert!(said.contains("tag pattern: {name}-v{version} (the default: the repository has no tags)"), "{said}");
    assert!(said.contains("changelog: one CHANGELOG.md at the root, whose sections name no package"), "{said}");
    assert!(said.contains("recorded baseline core-utils 1.2.0 from the work tree (no release tag)"), "{said}");
    let written = repo.read("Cargo.toml");
    assert!(written.contains("changelog = false\nbreaking-changelog = false"), "{written}");
    assert!(said.contains("the surface rules skip the packages that already break them"), "{said}");
    assert!(said.contains("domain-shared: glob-reexport: `domain_shared::rules` re-exports `validation::*`"), "{said}");
    assert!(written.contains("\nglob-reexports-skip = [\"domain-shared\"]"), "{written}");
    assert!(written.contains("\n# internal-modules-skip = []"), "{written}");
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");

    repo.add_to_core_utils();
    repo.set_version("core-utils", "1.2.0", "1.3.0");
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
}

/// A `--tag-pattern` without `{version}` is refused before anything is written.
#[test]
fn a_tag_pattern_without_a_version_is_refused() {
    let repo = Monorepo::unadopted(None);
    let output = repo.apicheck(&["init", "--tag-pattern", "release-{name}"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("must contain `{version}`"), "{}", stderr(&output));
    assert!(!repo.read("Cargo.toml").contains("[workspace.metadata.apicheck]"));
}

/// The cycle `deps` reports: every member in order, back to the first.
fn cycle_members(text: &str) -> Vec<String> {
    let line = text.lines().find(|l| l.contains("dependency cycle: ")).unwrap_or_else(|| panic!("no cycle in {text}"));
    let cycle = line.split("dependency cycle: ").nth(1).unwrap();
    let cycle = cycle.split(" (dev-cycles").next().unwrap();
    cycle.split(" → ").map(|member| member.trim_end_matches(" (dev)").to_string()).collect()
}

/// auth-core dev-depends on multi-tenant-core, which depends on auth-core (one layer of the
/// example, so no other rule sees it): cargo builds it; apicheck fails on it, warns about it or
/// lets it be, as `dev-cycles` says. A known exception that no longer matches is reported as
/// stale.
#[test]
fn a_dev_dependency_cycle_follows_the_dev_cycles_setting() {
    let repo = Monorepo::new();
    repo.edit("packages/auth-core/Cargo.toml", "license = \"MIT\"", "license = \"MIT\"\n\n[dev-dependencies]\nmulti-tenant-core = { workspace = true }");
    let configured = repo.read("Cargo.toml");
    let with = |setting: &str| {
        repo.write("Cargo.toml", &configured.replace("[workspace.metadata.apicheck.deps]\nbuiltin = true", &format!("[workspace.metadata.apicheck.deps]\nbuiltin = true\n{setting}")));
        repo.apicheck(&["deps"])
    };

    for setting in ["", "dev-cycles = \"deny\""] {
        let denied = with(setting);
        assert_eq!(denied.status.code(), Some(1), "{setting}: {}", stdout(&denied));
        let said = stdout(&denied);
        assert!(said.contains("no-cycles: dependency cycle: ") && said.contains("(dev)"), "{said}");
        let members = cycle_members(&said);
        assert_eq!(members.len(), 3, "{said}");
        assert_eq!(members.first(), members.last(), "the loop is closed: {said}");
        assert!(members.contains(&"auth-core".to_string()) && members.contains(&"multi-tenant-core".to_string()), "{said}");
    }

    let warned = with("dev-cycles = \"warn\"");
    assert_eq!(warned.status.code(), Some(0), "{}", stdout(&warned));
    let said = stdout(&warned);
    assert!(said.contains("warning: no-cycles: dependency cycle: ") && said.contains("(dev-cycles = \"warn\")"), "{said}");
    assert_eq!(cycle_members(&said).len(), 3, "{said}");
    let json_output = repo.apicheck(&["deps", "--format", "json"]);
    assert_eq!(serde_json::from_slice::<Value>(&json_output.stdout).unwrap(), Value::Array(Vec::new()), "a warning is not a violation");

    let allowed = with("dev-cycles = \"allow\"");
    assert_eq!(allowed.status.code(), Some(0), "{}", stdout(&allowed));
    assert!(!stdout(&allowed).contains("cycle"), "{}", stdout(&allowed));

    let invalid = with("dev-cycles = \"sometimes\"");
    assert_eq!(invalid.status.code(), Some(2));
    assert!(stderr(&invalid).contains("sometimes"), "{}", stderr(&invalid));

    // A stale entry is a note under `stale-known = "warn"` (the example fails on it).
    let configured = configured.replace("stale-known = \"fail\"", "stale-known = \"warn\"");
    repo.write("Cargo.toml", &format!("{configured}\n[[workspace.metadata.apicheck.deps.known]]\nrule = \"no-cycles\"\nfrom = \"validation\"\nto = \"auth-core\"\nreason = \"gone since\"\n"));
    let stale = repo.apicheck(&["deps"]);
    assert!(stdout(&stale).contains("stale known exception no-cycles: validation → auth-core: it no longer occurs"), "{}", stdout(&stale));
}
