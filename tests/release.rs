//! `apicheck release` on fixtures/monorepo in a temporary git repository (real git, cargo and
//! rustdoc): what it writes, what it propagates, what it refuses, and that `check` passes and
//! `baseline` records afterwards.

mod support;

use std::process::Output;

use support::monorepo::{Monorepo, package};

/// 2026-11-27, the date of the changelog sections the tests write.
const EPOCH: (&str, &str) = ("SOURCE_DATE_EPOCH", "1795737600");

fn release(repo: &Monorepo, args: &[&str]) -> Output {
    repo.apicheck_env(&[&["release", "--color", "never"], args].concat(), &[EPOCH])
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `core_utils::slug::is_slug_char` is added: a compatible addition to core-utils 1.2.0.
fn add_to_core_utils(repo: &Monorepo) {
    let file = "packages/core-utils/src/slug.rs";
    let text = repo.read(file);
    repo.write(file, &format!("{text}\n/// Whether `c` may appear in a slug.\npub fn is_slug_char(c: char) -> bool {{\n    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'\n}}\n"));
}

/// `validation::is_blank` is added: a compatible addition to validation 0.4.1.
fn add_to_validation(repo: &Monorepo) {
    let file = "packages/validation/src/lib.rs";
    let text = repo.read(file);
    repo.write(file, &format!("{text}\n/// Whether `value` holds only whitespace.\npub fn is_blank(value: &str) -> bool {{\n    value.trim().is_empty()\n}}\n"));
}

/// After a release: `check` passes without touching `Cargo.lock` (the release wrote it as cargo
/// would), and `baseline` records exactly `released`.
fn check_passes_and_baseline_records(repo: &Monorepo, released: &[(&str, &str)]) {
    let lock = repo.read("Cargo.lock");
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(repo.read("Cargo.lock"), lock, "cargo rewrote the lockfile the release edited");
    let recorded = repo.apicheck(&["baseline"]);
    assert!(recorded.status.success(), "{}", stderr(&recorded));
    let text = stdout(&recorded);
    for (name, version) in released {
        assert!(text.contains(&format!("recorded baseline {name} {version} (tag {name}-v{version}")), "{text}");
    }
    assert_eq!(text.lines().filter(|l| l.starts_with("recorded baseline")).count(), released.len(), "{text}");
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn a_compatible_addition_releases_the_package_and_updates_requirements() {
    let repo = Monorepo::new();
    add_to_core_utils(&repo);
    repo.commit("is_slug_char");
    let (manifest, root, lock) = (repo.read("packages/core-utils/Cargo.toml"), repo.read("Cargo.toml"), repo.read("Cargo.lock"));

    let output = release(&repo, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("core-utils  1.2.0 → 1.3.0 (minor release)"), "{text}");
    assert!(text.contains("tags to create after the release commit: core-utils-v1.3.0"), "{text}");
    assert!(text.contains("apicheck baseline") && text.contains("git tag core-utils-v1.3.0"), "{text}");

    // Only the values change: every other byte of the manifests stays.
    assert_eq!(repo.read("packages/core-utils/Cargo.toml"), manifest.replacen("version = \"1.2.0\"", "version = \"1.3.0\"", 1));
    assert_eq!(
        repo.read("Cargo.toml"),
        root.replacen("core-utils = { path = \"packages/core-utils\", version = \"1.2.0\" }", "core-utils = { path = \"packages/core-utils\", version = \"1.3.0\" }", 1)
    );
    assert_eq!(repo.read("Cargo.lock"), lock.replacen("name = \"core-utils\"\nversion = \"1.2.0\"", "name = \"core-utils\"\nversion = \"1.3.0\"", 1));
    let changelog = repo.read("packages/core-utils/CHANGELOG.md");
    assert!(
        changelog.contains(
            "## [Unreleased]\n\n## [1.3.0] - 2026-11-27\n\n### Added\n\n- function `core_utils::slug::is_slug_char` was added\n\n## [1.2.0] - 2026-10-02\n"
        ),
        "{changelog}"
    );
    for other in ["validation", "auth-core", "domain-shared", "multi-tenant-core"] {
        assert!(!repo.read(&format!("packages/{other}/CHANGELOG.md")).contains("[Unreleased]"), "{other} was released");
    }

    // A second release finds the versions set: nothing more to write.
    repo.commit("release");
    let again = release(&repo, &["--dry-run"]);
    assert!(stdout(&again).contains("0 file(s) would be written"), "{}", stdout(&again));
    check_passes_and_baseline_records(&repo, &[("core-utils", "1.3.0")]);
}

#[test]
fn a_break_propagates_to_the_dependents_that_expose_the_package() {
    let repo = Monorepo::new();
    repo.break_truncate();
    repo.commit("truncate takes a u32");
    let domain_manifest = repo.read("packages/domain-shared/Cargo.toml");

    let output = release(&repo, &["-p", "core-utils"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("core-utils") && text.contains("1.2.0 → 2.0.0 (major release)"), "{text}");
    // domain-shared re-exports `core_utils::id::EntityId`.
    assert!(text.contains("0.9.0 → 0.10.0 (breaking release)"), "{text}");
    assert!(text.contains("its API exposes `core-utils`, released 1.2.0 → 2.0.0 (major release)"), "{text}");
    assert_eq!(repo.read("packages/domain-shared/Cargo.toml"), domain_manifest.replacen("version = \"0.9.0\"", "version = \"0.10.0\"", 1));
    assert!(repo.read("Cargo.toml").contains("domain-shared = { path = \"packages/domain-shared\", version = \"0.10.0\" }"));
    // validation uses core-utils but exposes none of it: its version stays.
    assert!(repo.read("packages/validation/Cargo.toml").contains("version = \"0.4.1\""));

    let core = repo.read("packages/core-utils/CHANGELOG.md");
    assert!(
        core.contains("## [2.0.0] - 2026-11-27\n\n### Changed\n\n- **BREAKING** function `core_utils::truncate` changed parameter 2 from `usize` to `u32`"),
        "{core}"
    );
    let domain = repo.read("packages/domain-shared/CHANGELOG.md");
    assert!(domain.contains("## [0.10.0] - 2026-11-27\n\n### Changed\n\n- **BREAKING** `core_utils`: public dependency `core-utils` goes 1.2.0 → 2.0.0 (major release)"), "{domain}");

    // multi-tenant-core exposes both core-utils and auth-core (released 3.0.0 for exposing
    // core-utils): its changelog names both, as `check` will.
    let tenant = repo.read("packages/multi-tenant-core/CHANGELOG.md");
    assert!(tenant.contains("public dependency `auth-core` goes 2.0.3 → 3.0.0 (major release)"), "{tenant}");
    assert!(tenant.contains("public dependency `core-utils` goes 1.2.0 → 2.0.0 (major release)"), "{tenant}");

    repo.commit("release");
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
    let released: Vec<(String, String)> = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["baseline_version"] != p["current_version"])
        .map(|p| (p["name"].as_str().unwrap().to_string(), p["current_version"].as_str().unwrap().to_string()))
        .collect();
    assert!(released.iter().any(|(name, _)| name == "domain-shared"), "{released:?}");
    assert_eq!(package(&report, "domain-shared")["findings"][0]["id"], "public_dependency_major_bump");
    let released: Vec<(&str, &str)> = released.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    check_passes_and_baseline_records(&repo, &released);
}

#[test]
fn a_dry_run_prints_the_plan_and_diffs_and_writes_nothing() {
    let repo = Monorepo::new();
    repo.break_truncate();
    // Uncommitted: a dry run writes nothing, so it does not refuse.
    let before = repo.work_tree_files();
    let output = release(&repo, &["--dry-run", "-p", "core-utils"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("release plan (dry run):"), "{text}");
    assert!(text.contains("--- a/packages/core-utils/Cargo.toml\n+++ b/packages/core-utils/Cargo.toml"), "{text}");
    assert!(text.contains("-version = \"1.2.0\"\n+version = \"2.0.0\""), "{text}");
    assert!(text.contains("+core-utils = { path = \"packages/core-utils\", version = \"2.0.0\" }"), "{text}");
    assert!(text.contains("+## [2.0.0] - 2026-11-27"), "{text}");
    assert!(text.contains("--- a/Cargo.lock"), "{text}");
    assert!(text.contains("file(s) would be written, none was"), "{text}");
    assert!(repo.work_tree_files() == before, "a dry run changed files");
}

#[test]
fn a_dirty_work_tree_is_refused() {
    let repo = Monorepo::new();
    repo.break_truncate();
    let before = repo.work_tree_files();
    let output = release(&repo, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let message = stderr(&output);
    assert!(message.contains("uncommitted changes (packages/core-utils/src/lib.rs"), "{message}");
    assert!(message.contains("--allow-dirty"), "{message}");
    assert!(repo.work_tree_files() == before, "a refused release changed files");
}

#[test]
fn the_unreleased_section_is_kept_and_moved_and_0x_reports_speak_cargo() {
    let repo = Monorepo::new();
    repo.edit(
        "packages/validation/CHANGELOG.md",
        "## [0.4.1] - 2026-10-20",
        "## [Unreleased]\n\nFaster rule evaluation.\n\n### Added\n\n- `MaxLen::limit`, written by hand.\n\n## [0.4.1] - 2026-10-20",
    );
    add_to_validation(&repo);
    repo.commit("is_blank");

    // The failing check says the release in Cargo's terms and the command that fixes it.
    let markdown = stdout(&repo.apicheck(&["check", "--format", "markdown"]));
    assert!(markdown.contains("| `validation` | 0.4.1 | 0.4.1 | 0.4.1 → 0.4.2 (compatible release) | none | ❌ fail |"), "{markdown}");
    assert!(markdown.contains("**Fix:** `apicheck release -p validation`"), "{markdown}");
    assert!(markdown.contains("API additions require a compatible release (0.4.1 → 0.4.2)"), "{markdown}");
    assert!(!markdown.contains("minor"), "a bare `minor` for a 0.x package: {markdown}");
    let human = stdout(&repo.apicheck(&["check", "--color", "never"]));
    assert!(human.contains("1 finding(s), requires 0.4.1 → 0.4.2 (compatible release), declares none"), "{human}");
    assert!(human.contains("compatible validation::is_blank  [function_added]"), "{human}");
    assert!(human.contains("fix: `apicheck release -p validation`"), "{human}");
    let diff = stdout(&repo.apicheck(&["diff", "validation", "--color", "never"]));
    assert!(diff.contains("Required bump: 0.4.1 → 0.4.2 (compatible release)"), "{diff}");
    let github = stdout(&repo.apicheck(&["check", "--format", "github"]));
    assert!(github.contains("function_added (compatible)"), "{github}");
    assert!(github.contains("::notice title=apicheck%3A the fix::run `apicheck release -p validation`"), "{github}");

    let output = release(&repo, &["-p", "validation"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("validation  0.4.1 → 0.4.2 (compatible release)"), "{}", stdout(&output));
    let changelog = repo.read("packages/validation/CHANGELOG.md");
    assert!(
        changelog.contains(
            "## [Unreleased]\n\n## [0.4.2] - 2026-11-27\n\nFaster rule evaluation.\n\n### Added\n\n- `MaxLen::limit`, written by hand.\n\
             - function `validation::is_blank` was added\n\n## [0.4.1] - 2026-10-20\n"
        ),
        "{changelog}"
    );
    assert_eq!(changelog.matches("[Unreleased]").count(), 1, "{changelog}");
    repo.commit("release");
    check_passes_and_baseline_records(&repo, &[("validation", "0.4.2")]);
}

#[test]
fn bump_raises_and_a_version_it_cannot_set_is_an_error_with_nothing_written() {
    let repo = Monorepo::new();
    add_to_validation(&repo);
    repo.commit("is_blank");
    let output = release(&repo, &["--dry-run", "-p", "validation", "--bump", "major"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("0.4.1 → 0.5.0 (breaking release)"), "{}", stdout(&output));

    // A version inherited from the workspace cannot be bumped for one package.
    repo.edit("packages/validation/Cargo.toml", "version = \"0.4.1\"", "version.workspace = true");
    repo.edit("Cargo.toml", "edition = \"2021\"", "edition = \"2021\"\nversion = \"0.4.1\"");
    repo.commit("inherited version");
    let before = repo.work_tree_files();
    let output = release(&repo, &["-p", "validation"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(stderr(&output).contains("give it its own `version = \"...\"`"), "{}", stderr(&output));
    assert!(repo.work_tree_files() == before, "a failed release changed files");
}

/// A changelog the repository shares (`changelog-location = "root"`): each released package gets
/// its own section naming it, one after the other, below the repository's `[Unreleased]`, which
/// stays as the maintainers wrote it.
#[test]
fn a_shared_changelog_gets_a_section_per_released_package() {
    let repo = Monorepo::new();
    repo.edit("Cargo.toml", "changelog = \"CHANGELOG.md\"", "changelog = \"CHANGELOG.md\"\nchangelog-location = \"root\"");
    repo.write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n\n- Docs for everyone.\n\n## core-utils 1.2.0 - 2026-01-01\n\n- First.\n");
    add_to_core_utils(&repo);
    add_to_validation(&repo);
    repo.commit("two additions, one shared changelog");

    let output = release(&repo, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let changelog = repo.read("CHANGELOG.md");
    let unreleased = changelog.find("## [Unreleased]\n\n- Docs for everyone.").expect("the shared [Unreleased] stays");
    let core = changelog.find("## core-utils 1.3.0 - 2026-11-27").expect("core-utils' section");
    let validation = changelog.find("## validation 0.4.2 - 2026-11-27").expect("validation's section");
    let old = changelog.find("## core-utils 1.2.0 - 2026-01-01").unwrap();
    assert!(unreleased < core.min(validation) && core.max(validation) < old, "{changelog}");
    assert!(changelog.contains("is_slug_char") && changelog.contains("is_blank"), "{changelog}");
    assert_eq!(changelog.matches("## [Unreleased]").count(), 1, "{changelog}");
    let (code, report) = repo.check();
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(package(&report, "validation")["status"], "pass", "{report:#}");
}
