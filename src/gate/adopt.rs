//! `init`: adopting apicheck in a repository that already has releases.
//!
//! What the repository already does decides the configuration: the tag pattern is read from its
//! tags, the changelog layout from its files, and each package's baseline is its last release
//! (the API at its highest release tag, documented in a temporary git worktree), not the work
//! tree, so that API changes made since that release are reported now and gated by `check` until
//! they are released.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use semver::Version;

use crate::store::baseline::Baselines;
use crate::engine::bump::Bump;
use crate::policy::config::{ChangelogLocation, Config};
use crate::policy::deps::{self, DepViolation};
use crate::policy::surface;
use crate::policy::versioning::Violation;
use crate::gate::{self, Recorded, Selection};
use crate::workspace::git::Repo;
use crate::workspace::{Package, Workspace};

/// The tag patterns `init` recognises; `v{version}` only where one package is governed.
pub const TAG_PATTERNS: [&str; 3] = ["{name}-{version}", "{name}-v{version}", "v{version}"];

/// How `init` runs.
#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    /// Where cargo writes rustdoc JSON; default: the workspace's target directory.
    pub target_dir: Option<PathBuf>,
    /// The tag pattern to use instead of detecting one (`--tag-pattern`).
    pub tag_pattern: Option<String>,
}

/// The tag pattern `init` chose, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagChoice {
    pub pattern: String,
    /// For the output: `detected from 12 release tag(s), e.g. core-utils-1.2.0`, `given with --tag-pattern`...
    pub reason: String,
}

/// Where the repository keeps its changelogs, as `init` found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangelogLayout {
    /// A file of this name in the directory of (some of) the governed packages; `missing` are the
    /// packages without one.
    PerPackage { file: String, missing: Vec<String> },
    /// One file at the workspace root whose headings name the packages (`## core-utils 1.2.0`).
    Root { file: String },
    /// One file at the workspace root whose sections are the repository's own releases (they
    /// name no governed package): it says nothing per package, so the changelog rules are off.
    RootForTheRepository { file: String },
    /// No changelog: the changelog rules are off.
    None,
}

impl ChangelogLayout {
    /// One line for `init`'s output: what was found and what was configured.
    pub fn describe(&self) -> String {
        match self {
            ChangelogLayout::PerPackage { file, missing } if missing.is_empty() => {
                format!("one {file} per package: each release needs its section there")
            }
            ChangelogLayout::PerPackage { file, missing } => format!(
                "one {file} per package: each release needs its section there ({} ha{} none yet: add one before the next release)",
                missing.join(", "),
                if missing.len() == 1 { "s" } else { "ve" }
            ),
            ChangelogLayout::Root { file } => format!(
                "one {file} at the root for every package (changelog-location = \"root\"): a release needs a section whose \
                 heading names the package and the version (`## core-utils 1.3.0`)"
            ),
            ChangelogLayout::RootForTheRepository { file } => format!(
                "one {file} at the root, whose sections name no package (the repository's own releases): the changelog \
                 rules are off (rules.changelog and rules.breaking-changelog = false); to gate them, name the package in \
                 the headings (`## core-utils 1.3.0`) and set changelog-location = \"root\" and the rules to true"
            ),
            ChangelogLayout::None => "no changelog found: the changelog rules are off (rules.changelog and \
                 rules.breaking-changelog = false); add a CHANGELOG.md per package and set them to true to gate it"
                .to_string(),
        }
    }
}

/// Where a recorded baseline came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineSource {
    /// The package's last release tag.
    Tag(String),
    /// The work tree: the package has no release tag, or it could not be documented at its tag
    /// (the reason).
    WorkTree(Option<String>),
}

/// A package whose API changed since the baseline `init` recorded: `check` fails on it until
/// it is released (version bump and changelog section).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Changed {
    pub package: String,
    pub baseline_version: Version,
    pub current_version: Version,
    pub required_bump: Bump,
    pub findings: usize,
}

/// What `init` did.
#[non_exhaustive]
pub struct Adoption {
    /// The workspace, reloaded with the configuration written.
    pub workspace: Workspace,
    pub tag: TagChoice,
    pub changelog: ChangelogLayout,
    /// Dependency rule violations the repository already had, written as known exceptions.
    pub known: Vec<DepViolation>,
    pub recorded: Vec<(Recorded, BaselineSource)>,
    /// Packages whose API changed since their last release.
    pub changed: Vec<Changed>,
    /// Packages that could not be compared with the baseline just recorded, with the reason.
    pub not_compared: Vec<(String, String)>,
    /// The surface rule violations the packages already had: each package is written to the
    /// skip list of the rule it breaks.
    pub surface_skipped: Vec<(String, Violation)>,
}

/// The tag pattern for `packages` (the governed ones), from the repository's `tags`: the one
/// pattern of [`TAG_PATTERNS`] that tags match; the default when there are no tags. Tags that
/// match several patterns, or tags none of which match, are an error that says which and asks
/// for `--tag-pattern`.
pub fn detect_tag_pattern(tags: &[String], packages: &[&Package]) -> Result<TagChoice> {
    if tags.is_empty() {
        return Ok(TagChoice { pattern: Config::default().tag, reason: "the default: the repository has no tags".into() });
    }
    let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    let candidates = TAG_PATTERNS.iter().filter(|pattern| pattern.contains("{name}") || names.len() == 1);
    let matches: Vec<(&str, Vec<&String>)> = candidates
        .map(|pattern| (*pattern, tags.iter().filter(|tag| names.iter().any(|name| tag_version(pattern, name, tag).is_some())).collect::<Vec<_>>()))
        .filter(|(_, matched)| !matched.is_empty())
        .collect();
    // The last releases of the first packages that have one show what the pattern reads.
    let examples = |pattern: &str| {
        names.iter().filter_map(|name| last_release(tags, pattern, name)).take(2).map(|(tag, _)| tag).collect::<Vec<_>>().join(", ")
    };
    match matches.as_slice() {
        [(pattern, matched)] => Ok(TagChoice {
            pattern: pattern.to_string(),
            reason: format!("detected from {} release tag(s), e.g. {}", matched.len(), examples(pattern)),
        }),
        [] => bail!(
            "none of the repository's {} tag(s) (e.g. {}) is a release tag of a governed package ({}) in a pattern apicheck \
             knows ({}): rerun `apicheck init --tag-pattern PATTERN` with the pattern of your release tags ({{name}} and \
             {{version}} are replaced), or `--tag-pattern \"{}\"` to use the default",
            tags.len(),
            tags.iter().rev().take(3).map(String::as_str).collect::<Vec<_>>().join(", "),
            names.join(", "),
            TAG_PATTERNS.join(", "),
            Config::default().tag
        ),
        several => bail!(
            "the repository's tags match several tag patterns: {}; rerun `apicheck init --tag-pattern PATTERN` with the \
             one new releases are tagged with",
            several
                .iter()
                .map(|(pattern, matched)| format!("`{pattern}` ({} tag(s), e.g. {})", matched.len(), examples(pattern)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The version `tag` is of package `name` under `pattern`, if it is one.
fn tag_version(pattern: &str, name: &str, tag: &str) -> Option<Version> {
    let (before, after) = pattern.replace("{name}", name).split_once("{version}").map(|(b, a)| (b.to_string(), a.to_string()))?;
    let version = tag.strip_prefix(&before)?.strip_suffix(&after)?;
    Version::parse(version).ok()
}

/// The last release tag of `package` among `tags` under `pattern`: the one of the highest version.
pub fn last_release<'t>(tags: &'t [String], pattern: &str, package: &str) -> Option<(&'t str, Version)> {
    tags.iter().filter_map(|tag| Some((tag.as_str(), tag_version(pattern, package, tag)?))).max_by(|a, b| a.1.cmp(&b.1))
}

/// The changelog file names `init` looks for, in order.
const CHANGELOG_NAMES: [&str; 4] = ["CHANGELOG.md", "Changelog.md", "changelog.md", "CHANGES.md"];

/// Where the workspace at `root` keeps the changelogs of `packages`.
pub fn detect_changelog_layout(root: &Path, packages: &[&Package]) -> ChangelogLayout {
    for file in CHANGELOG_NAMES {
        let (with, missing): (Vec<&&Package>, Vec<&&Package>) = packages.iter().partition(|p| p.dir.join(file).is_file());
        // The root package's own changelog is the root file: that is one per package only when
        // another package has one too.
        if with.iter().any(|p| p.dir != root) || (with.len() == packages.len() && !with.is_empty()) {
            return ChangelogLayout::PerPackage { file: file.to_string(), missing: missing.iter().map(|p| p.name.clone()).collect() };
        }
    }
    for file in CHANGELOG_NAMES {
        let path = root.join(file);
        if !path.is_file() {
            continue;
        }
        let text = crate::input::read_text(&path, "changelog").unwrap_or_default();
        let names_a_package = text
            .lines()
            .filter(|line| line.starts_with('#'))
            .any(|heading| packages.iter().any(|p| heading_names_package(heading, &p.name)));
        return match names_a_package {
            true => ChangelogLayout::Root { file: file.to_string() },
            false => ChangelogLayout::RootForTheRepository { file: file.to_string() },
        };
    }
    ChangelogLayout::None
}

/// Whether a heading names `package` as a word, or as the start of `package-1.2.0` /
/// `package-v1.2.0`.
fn heading_names_package(heading: &str, package: &str) -> bool {
    heading.split(|c: char| c.is_whitespace() || "[]()`:,/@*\"'".contains(c)).any(|word| {
        word == package
            || word.strip_prefix(package).and_then(|rest| rest.strip_prefix('-')).is_some_and(|rest| {
                rest.trim_start_matches('v').starts_with(|c: char| c.is_ascii_digit())
            })
    })
}

/// Adopts apicheck in `workspace`: detects the tag pattern and the changelog layout, appends
/// `[workspace.metadata.apicheck]` (with the dependency rule violations the workspace already
/// has as known exceptions, and the packages that already break a surface rule skipped by
/// that rule) to its manifest, records each governed package's baseline from its
/// last release tag (from the work tree when it has none), and compares the work tree with
/// those baselines. Refuses to run when the table already exists.
pub fn init(workspace: &Workspace, options: &InitOptions) -> Result<Adoption> {
    if !matches!(workspace.metadata.get("apicheck"), None | Some(serde_json::Value::Null)) {
        bail!(
            "{} already has a [workspace.metadata.apicheck] table: edit it there, or record baselines with \
             `apicheck baseline --all`",
            workspace.manifest_path.display()
        );
    }
    let governed = Config::default().governed(workspace)?;
    if governed.is_empty() {
        bail!(
            "no member of the workspace at {} lies under packages/ or is a publishable library: write \
             [workspace.metadata.apicheck] with `packages = [...]` by hand, then run `apicheck baseline --all`",
            workspace.root.display()
        );
    }
    let repo = Repo::discover(&workspace.root);
    let tags = match &repo {
        Some(repo) => repo.tags()?,
        None => Vec::new(),
    };
    let tag = match &options.tag_pattern {
        Some(pattern) if !pattern.contains("{version}") => {
            bail!("--tag-pattern \"{pattern}\" must contain `{{version}}` (and `{{name}}` where several packages are released)")
        }
        Some(pattern) => TagChoice { pattern: pattern.clone(), reason: "given with --tag-pattern".into() },
        None => detect_tag_pattern(&tags, &governed)?,
    };
    let changelog = detect_changelog_layout(&workspace.root, &governed);
    let mut config = Config { tag: tag.pattern.clone(), ..Config::default() };
    match &changelog {
        ChangelogLayout::PerPackage { file, .. } => config.changelog = file.clone(),
        ChangelogLayout::Root { file } => {
            config.changelog = file.clone();
            config.changelog_location = ChangelogLocation::Root;
        }
        ChangelogLayout::RootForTheRepository { .. } | ChangelogLayout::None => {
            config.rules.changelog = false;
            config.rules.breaking_changelog = false;
        }
    }

    let manifest = &workspace.manifest_path;
    let mut original = std::fs::read_to_string(manifest).with_context(|| format!("cannot read {}", manifest.display()))?;
    if !original.ends_with('\n') {
        original.push('\n');
    }
    // The dependency rule violations the repository already has are recorded as known, each
    // with a reason to fill in, so that adopting apicheck does not fail every check at once.
    let known = deps::check(workspace, &config.deps)?;
    let known_toml = deps::known_toml(&known);
    // Renamed into place: a crash leaves the manifest as it was or with the whole table.
    let write = |config: &Config| crate::store::baseline::write_atomically(manifest, format!("{original}{}{known_toml}", config.init_toml()).as_bytes());
    write(&config)?;
    let workspace = Workspace::load(Some(manifest))?;
    let mut config = Config::load(&workspace)?;
    let target_dir = options.target_dir.clone().unwrap_or_else(|| workspace.target_dir.clone());
    let governed = config.governed(&workspace)?;
    let recorded = record_last_releases(&workspace, &config, repo.as_ref(), &tags, &governed, &target_dir)?;

    // The work tree against the baselines just recorded: what changed since each release.
    let selection = Selection { target_dir: Some(target_dir), ..Selection::default() };
    let mut changed = Vec::new();
    let mut not_compared = Vec::new();
    let mut surface_skipped = Vec::new();
    for analysis in gate::analyse(&workspace, &config, &selection, false)? {
        if analysis.error.is_none() {
            let violations =
                surface::check(&config.surface, &config.deps, &workspace, &analysis.package, &analysis.public_modules, &analysis.glob_reexports)?;
            surface_skipped.extend(violations.into_iter().map(|violation| (analysis.package.name.clone(), violation)));
        }
        match (&analysis.error, &analysis.diff, &analysis.baseline) {
            (Some(error), _, _) => not_compared.push((analysis.package.name.clone(), error.clone())),
            (None, Some(diff), Some(baseline)) if !diff.findings.is_empty() => changed.push(Changed {
                package: analysis.package.name.clone(),
                baseline_version: baseline.version.clone(),
                current_version: analysis.package.version.clone(),
                required_bump: diff.required_bump,
                findings: diff.findings.len(),
            }),
            _ => {}
        }
    }
    let mut workspace = workspace;
    if !surface_skipped.is_empty() {
        for (package, violation) in &surface_skipped {
            let list = config.surface.skip_list_mut(&violation.rule)?;
            if !list.contains(package) {
                list.push(package.clone());
            }
        }
        write(&config)?;
        workspace = Workspace::load(Some(manifest))?;
    }
    Ok(Adoption { workspace, tag, changelog, known, recorded, changed, not_compared, surface_skipped })
}

/// Records each of `packages`' baseline from its last release tag under the configured pattern,
/// one temporary worktree per tagged commit (packages released together share it), and from
/// the work tree for the packages without a tag or that cannot be documented at theirs.
fn record_last_releases(
    workspace: &Workspace,
    config: &Config,
    repo: Option<&Repo>,
    tags: &[String],
    packages: &[&Package],
    target_dir: &Path,
) -> Result<Vec<(Recorded, BaselineSource)>> {
    let baselines = Baselines::new(config.baselines_dir(&workspace.root));
    let mut recorded = Vec::new();
    let mut from_work_tree: Vec<(&Package, Option<String>)> = Vec::new();
    // By commit: the packages released there, with their tags.
    let mut releases: BTreeMap<String, Vec<(&Package, String)>> = BTreeMap::new();
    for package in packages {
        let release = repo.zip(last_release(tags, &config.tag, &package.name));
        match release {
            Some((repo, (tag, _))) => releases.entry(repo.resolve(tag)?).or_default().push((package, tag.to_string())),
            None => from_work_tree.push((package, None)),
        }
    }
    // Old releases are built apart from the work tree's target directory, whose cache entries
    // they would replace.
    let release_target = target_dir.join("apicheck").join("adopt");
    if let Some(repo) = repo {
        for (commit, released) in &releases {
            match record_at_commit(workspace, config, repo, &baselines, commit, released, &release_target) {
                Ok(done) => recorded.extend(done),
                Err(error) => {
                    let why = error_lines(&format!("{error:#}"));
                    from_work_tree.extend(released.iter().map(|(package, tag)| (*package, Some(format!("tag `{tag}`: {why}")))));
                }
            }
        }
    }
    if !from_work_tree.is_empty() {
        let names: Vec<&Package> = from_work_tree.iter().map(|(package, _)| *package).collect();
        let commit = match repo {
            Some(repo) => repo.head()?,
            None => None,
        };
        let done = gate::record_apis(workspace, config, &baselines, &names, target_dir, commit)?;
        for (recorded_one, (_, why)) in done.into_iter().zip(from_work_tree) {
            recorded.push((recorded_one, BaselineSource::WorkTree(why)));
        }
    }
    recorded.sort_by(|a, b| a.0.package.cmp(&b.0.package));
    Ok(recorded)
}

/// A failure to document a release, for one line of output: cargo's `error:` lines (its
/// warnings and progress are noise here), or the first line.
fn error_lines(text: &str) -> String {
    let errors: Vec<&str> = text.lines().map(str::trim).filter(|line| line.starts_with("error:")).collect();
    let first = text.lines().next().unwrap_or_default();
    let lines = if errors.is_empty() { first.to_string() } else { format!("{first} ... {}", errors.join(" ")) };
    crate::input::one_line_error(&lines)
}

/// Records the baselines of `released` (packages and their tags) from a temporary worktree of
/// `commit`.
fn record_at_commit(
    workspace: &Workspace,
    config: &Config,
    repo: &Repo,
    baselines: &Baselines,
    commit: &str,
    released: &[(&Package, String)],
    target_dir: &Path,
) -> Result<Vec<(Recorded, BaselineSource)>> {
    let worktree = repo.worktree(commit)?;
    let relative_root = workspace.root.strip_prefix(&repo.root).unwrap_or(Path::new(""));
    let old_root = worktree.path.join(relative_root);
    // A release without a committed lockfile resolves with today's: the versions the work tree
    // builds with, offline when they are in cargo's cache.
    let lockfile = workspace.root.join("Cargo.lock");
    if !old_root.join("Cargo.lock").exists() && lockfile.is_file() {
        std::fs::copy(&lockfile, old_root.join("Cargo.lock"))
            .with_context(|| format!("cannot copy {} into the worktree of {commit}", lockfile.display()))?;
    }
    crate::workspace::cargo::resolve(&old_root.join("Cargo.toml"))?;
    let old_workspace = Workspace::load(Some(&old_root.join("Cargo.toml")))?;
    let old_packages = released
        .iter()
        .map(|(package, tag)| old_workspace.package(&package.name).with_context(|| format!("tag `{tag}` has no package `{}`", package.name)))
        .collect::<Result<Vec<_>>>()?;
    let done = gate::record_apis(&old_workspace, config, baselines, &old_packages, target_dir, Some(commit.to_string()))?;
    Ok(done.into_iter().zip(released).map(|(recorded, (_, tag))| (recorded, BaselineSource::Tag(tag.clone()))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| t.to_string()).collect()
    }

    fn package(name: &str, dir: &Path) -> Package {
        Package {
            name: name.into(),
            version: Version::new(1, 0, 0),
            manifest_path: dir.join("Cargo.toml"),
            dir: dir.to_path_buf(),
            lib_crate: Some(name.replace('-', "_")),
            lib_root: None,
            publishable: true,
            dependencies: Vec::new(),
            feature_declarations: String::new(),
            is_proc_macro: false,
        }
    }

    #[test]
    fn the_tag_pattern_is_the_one_the_tags_follow() {
        let root = Path::new("/repo");
        let (a, b) = (package("tracing", root), package("tracing-subscriber", root));
        let both = [&a, &b];
        let found = detect_tag_pattern(&tags(&["tracing-0.1.40", "tracing-0.1.9", "tracing-subscriber-0.3.23", "tracing-subscriber/-0.2.5", "nightly"]), &both).unwrap();
        assert_eq!(found.pattern, "{name}-{version}");
        assert_eq!(found.reason, "detected from 3 release tag(s), e.g. tracing-0.1.40, tracing-subscriber-0.3.23");
        assert_eq!(detect_tag_pattern(&tags(&["tracing-v0.1.40"]), &both).unwrap().pattern, "{name}-v{version}");
        assert_eq!(detect_tag_pattern(&[], &both).unwrap().pattern, "{name}-v{version}", "no tags: the default");
        // `v{version}` is a candidate for a single package only.
        assert_eq!(detect_tag_pattern(&tags(&["v1.0.0", "v1.1.0"]), &[&a]).unwrap().pattern, "v{version}");
        let unclear = detect_tag_pattern(&tags(&["v1.0.0"]), &both).unwrap_err().to_string();
        assert!(unclear.contains("--tag-pattern") && unclear.contains("v1.0.0"), "{unclear}");
    }

    #[test]
    fn tags_in_several_patterns_are_ambiguous() {
        let root = Path::new("/repo");
        let a = package("core-utils", root);
        let error = detect_tag_pattern(&tags(&["core-utils-1.0.0", "core-utils-v1.1.0"]), &[&a]).unwrap_err().to_string();
        assert!(error.contains("several tag patterns"), "{error}");
        assert!(error.contains("`{name}-{version}` (1 tag(s), e.g. core-utils-1.0.0)"), "{error}");
        assert!(error.contains("`{name}-v{version}` (1 tag(s), e.g. core-utils-v1.1.0)"), "{error}");
        assert!(error.contains("--tag-pattern PATTERN"), "{error}");
    }

    #[test]
    fn the_last_release_is_the_highest_version() {
        let list = tags(&["tracing-0.1.9", "tracing-0.1.41", "tracing-0.1.10", "tracing-subscriber-0.3.23", "tracing-0.2.0-alpha.1"]);
        assert_eq!(last_release(&list, "{name}-{version}", "tracing"), Some(("tracing-0.2.0-alpha.1", Version::parse("0.2.0-alpha.1").unwrap())));
        assert_eq!(last_release(&list[..4], "{name}-{version}", "tracing").map(|r| r.0), Some("tracing-0.1.41"));
        assert_eq!(last_release(&list, "{name}-{version}", "tracing-core"), None);
    }

    #[test]
    fn the_changelog_layout_is_read_from_the_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in ["a", "b"] {
            std::fs::create_dir_all(root.join(name)).unwrap();
        }
        let (a, b) = (package("a", &root.join("a")), package("b", &root.join("b")));
        let both = [&a, &b];
        assert_eq!(detect_changelog_layout(root, &both), ChangelogLayout::None);
        std::fs::write(root.join("CHANGELOG.md"), "# Changelog\n\n14.1.1 (2024-09-08)\n===\n\n## 14.1.0\n").unwrap();
        assert_eq!(detect_changelog_layout(root, &both), ChangelogLayout::RootForTheRepository { file: "CHANGELOG.md".into() });
        std::fs::write(root.join("CHANGELOG.md"), "# Changelog\n\n## [a-v1.0.0] - 2026-11-26\n").unwrap();
        assert_eq!(detect_changelog_layout(root, &both), ChangelogLayout::Root { file: "CHANGELOG.md".into() });
        std::fs::write(root.join("a/CHANGES.md"), "## 1.0.0\n").unwrap();
        assert_eq!(detect_changelog_layout(root, &both), ChangelogLayout::PerPackage { file: "CHANGES.md".into(), missing: vec!["b".into()] });
        assert!(heading_names_package("## a 1.0.0", "a") && !heading_names_package("## a-b 1.0.0", "a"));
    }
}
