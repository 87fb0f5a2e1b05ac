//! `apicheck release`: the version bumps and changelog sections that make `check` pass, written
//! in one step.
//!
//! The plan comes from the gate's own analysis ([`gate::analyse`], the diff `check` computes,
//! cache included) and the release policy ([`versioning::evaluate`]): each released package gets the
//! smallest version after its baseline's that declares the bump its findings require (raised by
//! `--bump`, never lowered), and every governed package whose current API exposes a package
//! released with a breaking change gets a breaking release too, repeatedly, to a fixed point
//! (what `check`'s `public_dependency_major_bump` would otherwise fail). Every edit is computed
//! before anything is written: the package manifests' `version`, the workspace's requirements on
//! the released packages (members' path dependencies and `[workspace.dependencies]`), their
//! entries in `Cargo.lock`, and a changelog section per package built from its findings and
//! what the maintainer wrote under `## [Unreleased]`. Manifests and the lockfile are edited in
//! place: toml_edit only locates the values, whose bytes are replaced, so comments, layout and
//! everything else stay byte for byte. Each planned release is evaluated by the policy with its
//! new version and changelog before anything is written, so the written files pass `check` by
//! construction.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use semver::{Version, VersionReq};

use crate::store::baseline::BaselineSummary;
use crate::engine::bump::{Bump, describe_release};
use crate::engine::catalog::RuleId;
use crate::policy::changelog::{self, Section};
use crate::policy::config::{ChangelogLocation, Config};
use crate::engine::findings::{Change, Finding, Level, Source};
use crate::gate::{self, Analysis, CheckReport, Selection};
use crate::workspace::git::Repo;
use crate::policy::versioning::{self, PackageInput, Status};
use crate::workspace::{Package, Workspace};

/// What `release` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Release these packages (`-p`), even without API changes (a patch release then), and
    /// only these and the packages that expose them; empty: every governed package with API
    /// changes since its baseline.
    pub packages: Vec<String>,
    /// The least bump of each package released on its own account (`--bump`): raises the
    /// required bump, never lowers it.
    pub bump: Option<Bump>,
    /// Plan even when the work tree has uncommitted changes (a dry run never writes, so it
    /// sets this).
    pub allow_dirty: bool,
    /// Where cargo writes rustdoc JSON; default: the workspace's target directory.
    pub target_dir: Option<PathBuf>,
    /// The date of the new changelog sections (`YYYY-MM-DD`).
    pub date: String,
}

/// Every release and every file edit, computed before anything is written.
#[derive(Debug)]
#[non_exhaustive]
pub struct Plan {
    /// The packages released, by name.
    pub releases: Vec<Release>,
    /// The new contents of every file to write, by path.
    pub edits: Vec<FileEdit>,
    /// What was left alone, and why.
    pub notes: Vec<String>,
}

/// One package's release.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Release {
    pub package: String,
    /// The version of its baseline, the last release.
    pub baseline_version: Version,
    /// The version in its `Cargo.toml` before the release.
    pub current_version: Version,
    /// The version released.
    pub version: Version,
    /// The bump released (Cargo's sense: `major` is 0.4.14 → 0.5.0).
    pub bump: Bump,
    /// Why it is released with this bump, for people.
    pub reasons: Vec<String>,
    /// The release tag to create, from the configured `tag` pattern.
    pub tag: String,
}

/// A file's new contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEdit {
    pub path: PathBuf,
    /// The contents when planned; `None` for a file the plan creates.
    pub before: Option<String>,
    pub after: String,
}

impl FileEdit {
    /// A unified diff of the edit, with paths relative to `root`.
    pub fn unified_diff(&self, root: &Path) -> String {
        let relative = self.path.strip_prefix(root).unwrap_or(&self.path).display().to_string();
        let old_header = if self.before.is_some() { format!("a/{relative}") } else { "/dev/null".to_string() };
        let before = self.before.as_deref().unwrap_or_default();
        let diff = similar::TextDiff::from_lines(before, self.after.as_str());
        diff.unified_diff().context_radius(3).header(&old_header, &format!("b/{relative}")).to_string()
    }
}

/// The `release` command that fixes a failing check: the packages whose version or changelog
/// section is what fails (a release writes both). `None` when no package fails that way.
pub fn fix_command(report: &CheckReport) -> Option<String> {
    let fixable: Vec<&str> = report
        .packages
        .iter()
        .filter(|p| p.status == Status::Fail && p.violations.iter().any(|v| v.rule == "version-bump" || v.rule == "changelog"))
        .map(|p| p.name.as_str())
        .collect();
    (!fixable.is_empty()).then(|| crate::policy::versioning::release_command(&fixable))
}

/// A governed package compared with its baseline, and what the plan makes of it.
struct Candidate<'a> {
    package: &'a Package,
    baseline: &'a BaselineSummary,
    /// Its findings as `check` gets them from the analysis, plus one per public dependency the
    /// plan releases with a breaking change.
    findings: Vec<Finding>,
    public_dependencies: &'a [String],
    /// Named with `-p`.
    named: bool,
    /// The bump released; `None`: not released.
    bump: Bump,
    reasons: Vec<String>,
}

impl Candidate<'_> {
    /// The version the plan gives it: the current one when it already declares the bump (a
    /// second `release`, or a version a maintainer set), else the smallest after the baseline's
    /// that does.
    fn version(&self) -> Version {
        let current = &self.package.version;
        if self.bump == Bump::None || Bump::declared(&self.baseline.version, current) >= self.bump {
            current.clone()
        } else {
            self.bump.next_version(&self.baseline.version)
        }
    }

    /// The policy's verdict on it at `version` with the changelog at `changelog`.
    fn evaluate(&self, workspace: &Workspace, config: &Config, version: &Version, changelog: &Path) -> versioning::PackageReport {
        versioning::evaluate(
            config,
            PackageInput {
                name: &self.package.name,
                baseline_version: &self.baseline.version,
                current_version: version,
                findings: self.findings.clone(),
                changelog,
                manifest: &self.package.manifest_path,
                root: &workspace.root,
            },
        )
    }
}

/// Computes the release: which packages, which versions, and every file edit. Writes nothing.
/// Anything it cannot do is an error that says what and how to fix it.
pub fn plan(workspace: &Workspace, config: &Config, options: &Options) -> Result<Plan> {
    if !options.allow_dirty {
        refuse_dirty_tree(workspace)?;
    }
    // Validates the names: members, governed.
    let named = gate::selected(workspace, config, &Selection { packages: options.packages.clone(), ..Selection::default() })?;
    // A breaking release reaches the governed packages that expose it, directly or not.
    let analysed: Vec<String> = if options.packages.is_empty() {
        Vec::new()
    } else {
        let names: BTreeSet<String> = named.iter().map(|p| p.name.clone()).collect();
        let governed: BTreeSet<String> = config.governed(workspace)?.iter().map(|p| p.name.clone()).collect();
        let dependents = workspace.dependents(&names);
        names.iter().chain(dependents.iter().filter(|d| governed.contains(*d))).cloned().collect()
    };
    let selection = Selection { packages: analysed, target_dir: options.target_dir.clone(), ..Selection::default() };
    let analyses = gate::analyse(workspace, config, &selection, true)?;
    if let Some(failed) = analyses.iter().find(|a| a.error.is_some()) {
        bail!(
            "cannot plan the release: `{}` could not be checked: {}; fix that first (`apicheck check -p {}` shows it), then run \
             `apicheck release` again",
            failed.package.name,
            failed.error.as_deref().unwrap_or_default(),
            failed.package.name
        );
    }

    let mut notes = Vec::new();
    let mut candidates = Vec::new();
    for analysis in &analyses {
        let Analysis { package, baseline: Some(baseline), diff: Some(diff), .. } = analysis else {
            if options.packages.contains(&analysis.package.name) {
                bail!(
                    "`{}` has no baseline yet, so there is no last release to compare with: release its first version by \
                     setting it in {} and recording it with `apicheck baseline -p {}`",
                    analysis.package.name,
                    analysis.package.manifest_path.display(),
                    analysis.package.name
                );
            }
            continue;
        };
        let mut candidate = Candidate {
            package,
            baseline,
            findings: diff.findings.clone(),
            public_dependencies: analysis.public_dependencies.as_deref().unwrap_or_default(),
            named: options.packages.contains(&package.name),
            bump: Bump::None,
            reasons: Vec::new(),
        };
        // The bump `check` requires at the current version, and the changes that count for it.
        let verdict = candidate.evaluate(workspace, config, &package.version, &config.changelog_path(&workspace.root, package));
        let required = verdict.required_bump;
        let counted = verdict.findings.iter().filter(|f| f.level == Level::Deny && f.acknowledged.is_none()).count();
        let selected = candidate.named || (options.packages.is_empty() && required > Bump::None);
        if selected {
            candidate.bump = required;
            if required > Bump::None {
                candidate.reasons.push(format!("{counted} API change(s) since {} require {}", baseline.version, required.phrase(&baseline.version)));
            } else {
                // Named without API changes: a release of fixes.
                candidate.bump = Bump::Patch;
                candidate.reasons.push("named with -p; no public API change".to_string());
            }
            if let Some(asked) = options.bump.filter(|asked| *asked > candidate.bump) {
                candidate.bump = asked;
                candidate.reasons.push(format!("--bump {asked}"));
            }
        } else if required > Bump::None {
            notes.push(format!(
                "`{}` has API changes since {} that require {}, but is not named: left alone",
                package.name,
                baseline.version,
                required.phrase(&baseline.version)
            ));
        }
        candidates.push(candidate);
    }
    settle(workspace, config, &mut candidates)?;

    let released: Vec<&Candidate> = candidates.iter().filter(|c| c.bump > Bump::None).collect();
    let versions: BTreeMap<String, (Version, Version)> = released
        .iter()
        .filter(|c| c.version() != c.package.version)
        .map(|c| (c.package.name.clone(), (c.package.version.clone(), c.version())))
        .collect();
    let mut edits = manifest_edits(workspace, &versions)?;
    edits.extend(lockfile_edit(workspace, &versions)?);
    // A changelog the repository shares gets a section per released package, one after the
    // other: each package's text is planned on the text the previous one left.
    let shared = config.changelog_location == ChangelogLocation::Root;
    let mut changelogs: BTreeMap<PathBuf, (Option<String>, Option<String>)> = BTreeMap::new();
    for candidate in &released {
        let version = candidate.version();
        let name = &candidate.package.name;
        let path = config.changelog_path(&workspace.root, candidate.package);
        if !changelogs.contains_key(&path) {
            let text = read_optional(&path)?;
            changelogs.insert(path.clone(), (text.clone(), text));
        }
        let (_, planned) = &changelogs[&path];
        let before = planned.clone();
        let written = if shared { changelog::package_section(&path, name, &version) } else { changelog::section(&path, &version) };
        let after = match written {
            // The maintainer wrote this version's section already: it stays theirs.
            Section::Found { .. } => before.clone(),
            Section::Missing(_) => {
                // The findings as the policy has them at the new version: acknowledged breaks
                // marked, allowed lints gone.
                let judged = candidate.evaluate(workspace, config, &version, &path).findings;
                Some(match shared {
                    true => shared_changelog_text(before.as_deref(), name, &version, &options.date, &judged),
                    false => changelog_text(before.as_deref(), &version, &options.date, &judged),
                })
            }
        };
        // The policy on the planned version and changelog: what `check` will say.
        let scratch = tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
        std::fs::write(scratch.path(), after.as_deref().unwrap_or_default()).context("cannot write a temporary file")?;
        let verdict = candidate.evaluate(workspace, config, &version, scratch.path());
        if let Some(violation) = verdict.violations.iter().find(|v| v.rule != "stale-acknowledgements") {
            // The policy read the planned text from the temporary file: name the real one.
            let real = |text: &str| text.replace(&scratch.path().display().to_string(), &path.display().to_string());
            bail!("cannot release `{name}` {version}: `check` would still fail: {}; fix: {}", real(&violation.message), real(&violation.fix));
        }
        if let Some(entry) = changelogs.get_mut(&path) {
            entry.1 = after;
        }
    }
    for (path, (before, after)) in changelogs {
        if let Some(after) = after.filter(|after| Some(after) != before.as_ref()) {
            edits.push(FileEdit { path, before, after });
        }
    }
    edits.sort_by(|a, b| a.path.cmp(&b.path));

    let releases = released
        .iter()
        .map(|c| Release {
            package: c.package.name.clone(),
            baseline_version: c.baseline.version.clone(),
            current_version: c.package.version.clone(),
            version: c.version(),
            bump: c.bump,
            reasons: c.reasons.clone(),
            tag: config.tag_for(&c.package.name, &c.version()),
        })
        .collect();
    Ok(Plan { releases, edits, notes })
}

/// Raises bumps to a fixed point: a package whose current API exposes a member released with a
/// breaking change (as `check` reads it: from the version its baseline recorded for that crate
/// to the new one) gets a breaking release and the finding `check` will report, one per such
/// member; a planned version at which an acknowledgement expires gets the bump its findings
/// then require.
fn settle(workspace: &Workspace, config: &Config, candidates: &mut [Candidate]) -> Result<()> {
    let scratch = tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
    loop {
        let mut raised: Vec<(usize, Bump, String, Option<Finding>)> = Vec::new();
        for (index, candidate) in candidates.iter().enumerate() {
            if candidate.bump > Bump::None {
                let version = candidate.version();
                // Only the findings count here: the changelog is written afterwards.
                let required = candidate.evaluate(workspace, config, &version, scratch.path()).required_bump;
                if required > candidate.bump {
                    raised.push((index, required, format!("an acknowledgement does not hold for {version}"), None));
                    continue;
                }
            }
            let exposure_id = RuleId::PublicDependencyMajorBump.rule().id;
            for krate in candidate.public_dependencies {
                if candidate.findings.iter().any(|f| f.id == exposure_id && &f.path == krate) {
                    continue;
                }
                let Some(dependency) = workspace.dependency_for_crate(candidate.package, krate)? else { continue };
                let Some(member) = &dependency.member else { continue };
                let Some(released) = candidates.iter().find(|c| &c.package.name == member && c.bump > Bump::None) else { continue };
                let new = released.version();
                let recorded = candidate.baseline.public_dependency_versions.as_ref().and_then(|versions| versions.get(krate));
                let old = recorded.unwrap_or(&released.baseline.version);
                if Bump::declared(old, &new) == Bump::Major {
                    let reason = format!("its API exposes `{member}`, released {}", describe_release(old, &new));
                    let finding = exposure_finding(candidate.package, workspace, &dependency.name, krate, old, &new);
                    raised.push((index, Bump::Major, reason, Some(finding)));
                }
            }
        }
        if raised.is_empty() {
            return Ok(());
        }
        for (index, bump, reason, finding) in raised {
            let candidate = &mut candidates[index];
            // A package released for its own breaking changes gets the finding (its changelog
            // says it) without a reason: its bump does not change.
            if bump > candidate.bump {
                candidate.bump = bump;
                candidate.reasons.push(reason);
            }
            candidate.findings.extend(finding);
        }
    }
}

/// The finding `check` will report once the dependency's version moved (see
/// `gate::public_dependency_findings`): here it goes into the changelog and the policy's verdict.
fn exposure_finding(package: &Package, workspace: &Workspace, dependency: &str, krate: &str, old: &Version, new: &Version) -> Finding {
    let rule = RuleId::PublicDependencyMajorBump.rule();
    Finding {
        id: rule.id.to_string(),
        change: Change::Changed,
        required_bump: Bump::Major,
        level: Level::Deny,
        path: krate.to_string(),
        message: format!(
            "public dependency `{dependency}` goes {}: the items of it that `{}`'s API uses or re-exports are different items now",
            describe_release(old, new),
            package.name
        ),
        file: Some(package.manifest_path.strip_prefix(&workspace.root).unwrap_or(&package.manifest_path).display().to_string()),
        line: None,
        source: Source::Apicheck,
        lint: None,
        reference: Some(rule.reference()),
        old: Some(format!("{dependency} {old}")),
        new: Some(format!("{dependency} {new}")),
        subject: None,
        acknowledged: None,
        surfaces: Vec::new(),
    }
}

/// A release writes, commits and tags: on top of uncommitted work that would mix the two.
fn refuse_dirty_tree(workspace: &Workspace) -> Result<()> {
    let Some(repo) = Repo::discover(&workspace.root) else {
        bail!(
            "{} is not in a git repository, so apicheck cannot tell whether the release would mix with uncommitted work: \
             run it in the repository, or pass --allow-dirty",
            workspace.root.display()
        );
    };
    let files = repo.uncommitted_files().context("cannot tell whether the work tree is clean (pass --allow-dirty to skip this)")?;
    if !files.is_empty() {
        let shown: Vec<String> = files.iter().take(10).map(|f| f.display().to_string()).collect();
        let more = if files.len() > 10 { format!(" and {} more", files.len() - 10) } else { String::new() };
        bail!(
            "the work tree has uncommitted changes ({}{more}): commit or stash them first, so that the release commit holds the \
             release alone, or pass --allow-dirty",
            shown.join(", ")
        );
    }
    Ok(())
}

fn read_optional(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Replaces each range of `text` by its new text (ranges do not overlap).
fn splice(text: &str, mut replacements: Vec<(Range<usize>, String)>) -> String {
    replacements.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut out = text.to_string();
    for (range, new) in replacements {
        out.replace_range(range, &new);
    }
    out
}

/// The span of a string value and its replacement by `new`, in the value's own quotes.
fn replace_string(text: &str, item: &toml_edit::Item, new: &str) -> Option<(Range<usize>, String)> {
    let span = item.span()?;
    let quote = text.get(span.start..span.start + 1).filter(|q| *q == "\"" || *q == "'").unwrap_or("\"");
    Some((span, format!("{quote}{new}{quote}")))
}

/// The edits of every manifest of the workspace: the released packages' `version`, and every
/// requirement on them (path dependencies of members, `[workspace.dependencies]`).
fn manifest_edits(workspace: &Workspace, versions: &BTreeMap<String, (Version, Version)>) -> Result<Vec<FileEdit>> {
    if versions.is_empty() {
        return Ok(Vec::new());
    }
    let mut manifests: BTreeMap<PathBuf, Option<&Package>> = BTreeMap::new();
    manifests.insert(workspace.manifest_path.clone(), None);
    for member in &workspace.members {
        manifests.insert(member.manifest_path.clone(), Some(member));
    }
    let mut edits = Vec::new();
    for (path, member) in manifests {
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let document = toml_edit::Document::parse(text.as_str())
            .map_err(|error| anyhow::anyhow!("{} is not valid TOML: {}", path.display(), crate::input::one_line_error(&error)))?;
        let root = document.as_item();
        let mut replacements = Vec::new();
        if let Some(member) = member
            && let Some((_, new)) = versions.get(&member.name)
        {
            let item = root.get("package").and_then(|package| package.get("version"));
            let edit = item.filter(|item| item.as_str().is_some()).and_then(|item| replace_string(&text, item, &new.to_string()));
            let Some(edit) = edit else {
                bail!(
                    "cannot set the version of `{}` in {}: its `version` is not a string there (inherited with \
                     `version.workspace = true`?); apicheck releases packages one by one: give it its own `version = \"...\"`",
                    member.name,
                    path.display()
                );
            };
            replacements.push(edit);
        }
        let mut tables: Vec<(String, &toml_edit::Item)> = Vec::new();
        for kind in ["dependencies", "dev-dependencies", "build-dependencies"] {
            tables.extend(root.get(kind).map(|table| (kind.to_string(), table)));
            if let Some(targets) = root.get("target").and_then(|t| t.as_table_like()) {
                for (platform, target) in targets.iter() {
                    tables.extend(target.get(kind).map(|table| (format!("target.{platform}.{kind}"), table)));
                }
            }
        }
        tables.extend(root.get("workspace").and_then(|w| w.get("dependencies")).map(|table| ("workspace.dependencies".to_string(), table)));
        for (table_name, table) in tables {
            let Some(table) = table.as_table_like() else { continue };
            for (key, entry) in table.iter() {
                let name = entry.get("package").and_then(|p| p.as_str()).unwrap_or(key);
                let Some((_, new)) = versions.get(name) else { continue };
                // A member is depended on by path; a registry dependency of the same name is
                // another package.
                let (Some(_), Some(requirement)) = (entry.get("path"), entry.get("version")) else { continue };
                let Some(old) = requirement.as_str() else { continue };
                let place = format!("[{table_name}] `{key}` in {}", path.display());
                if let Some(new_requirement) = next_requirement(old, new, &place)? {
                    replacements.extend(replace_string(&text, requirement, &new_requirement));
                }
            }
        }
        if !replacements.is_empty() {
            let after = splice(&text, replacements);
            edits.push(FileEdit { path, before: Some(text), after });
        }
    }
    Ok(edits)
}

/// The requirement `old` moved to `new`, in its own style (`2.0.0`, `^2.0.0`, `=2.0.0`,
/// `~2.0.0`); `None` when it stays. A range (`>=1, <3`) stays when `new` matches it and is an
/// error otherwise: its author's intent cannot be guessed.
fn next_requirement(old: &str, new: &Version, place: &str) -> Result<Option<String>> {
    let trimmed = old.trim();
    let operator: String = trimmed.chars().take_while(|c| !c.is_ascii_digit()).collect();
    let single = !trimmed.contains(',') && matches!(operator.trim(), "" | "^" | "=" | "~" | ">=");
    if single {
        let next = format!("{operator}{new}");
        return Ok((next != old).then_some(next));
    }
    let matches = VersionReq::parse(trimmed).is_ok_and(|req| req.matches(new));
    if matches {
        return Ok(None);
    }
    bail!("the requirement `{old}` of {place} does not accept the new version {new}, and apicheck does not rewrite ranges: set it by hand, then run `apicheck release` again")
}

/// The edit of `Cargo.lock`: the released members' entries and the references to them, as
/// cargo writes them after the manifests change (a run with `--locked` then works): a
/// reference is the package's name alone when no other package has it, `name version` when the
/// name is shared, with ` (source)` when the version is too (a member that shares its name and
/// version with a registry release); entries stay sorted by name and version.
fn lockfile_edit(workspace: &Workspace, versions: &BTreeMap<String, (Version, Version)>) -> Result<Option<FileEdit>> {
    let path = workspace.root.join("Cargo.lock");
    let Some(text) = read_optional(&path)? else { return Ok(None) };
    if versions.is_empty() {
        return Ok(None);
    }
    let document = toml_edit::Document::parse(text.as_str())
        .map_err(|error| anyhow::anyhow!("{} is not valid TOML: {}", path.display(), crate::input::one_line_error(&error)))?;
    let entries: Vec<&toml_edit::Table> = document.as_item().get("package").and_then(|p| p.as_array_of_tables()).into_iter().flat_map(|t| t.iter()).collect();
    let field = |entry: &toml_edit::Table, key: &str| entry.get(key).and_then(|v| v.as_str()).map(str::to_string);
    // (name, version, source) before and after the release; members have no `source`.
    let before: Vec<(String, String, Option<String>)> =
        entries.iter().map(|e| (field(e, "name").unwrap_or_default(), field(e, "version").unwrap_or_default(), field(e, "source"))).collect();
    let released = |(name, version, source): &(String, String, Option<String>)| {
        versions.get(name).filter(|(old, _)| source.is_none() && *version == old.to_string()).map(|(_, new)| new.to_string())
    };
    let after: Vec<(String, String, Option<String>)> =
        before.iter().map(|p| (p.0.clone(), released(p).unwrap_or_else(|| p.1.clone()), p.2.clone())).collect();
    let reference_to = |index: usize| {
        let (name, version, source) = &after[index];
        let same_name = after.iter().filter(|p| &p.0 == name).count();
        let same_version = after.iter().filter(|p| &p.0 == name && &p.1 == version).count();
        match (same_name, same_version, source) {
            (1, _, _) => name.clone(),
            (_, 1, _) | (_, _, None) => format!("{name} {version}"),
            (_, _, Some(source)) => format!("{name} {version} ({source})"),
        }
    };

    let mut replacements = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        if let (Some(new), Some(version)) = (released(&before[index]), entry.get("version")) {
            replacements.extend(replace_string(&text, version, &new));
        }
        for reference in entry.get("dependencies").and_then(|d| d.as_array()).into_iter().flat_map(|a| a.iter()) {
            let Some(written) = reference.as_str() else { continue };
            let mut parts = written.splitn(3, ' ');
            let (name, version) = (parts.next().unwrap_or_default(), parts.next());
            let source = parts.next().map(|s| s.trim_start_matches('(').trim_end_matches(')'));
            if !versions.contains_key(name) {
                continue;
            }
            // The package it named before: its form may change with the versions. Without a
            // source, among packages of one name and version, it is the one without (a member).
            let named: Vec<usize> = before
                .iter()
                .enumerate()
                .filter(|(_, p)| p.0 == name && version.is_none_or(|v| v == p.1) && source.is_none_or(|s| p.2.as_deref() == Some(s)))
                .map(|(index, _)| index)
                .collect();
            let target = match named.as_slice() {
                [one] => *one,
                several => match several.iter().filter(|&&index| before[index].2.is_none()).collect::<Vec<_>>().as_slice() {
                    [member] if source.is_none() => **member,
                    _ => continue,
                },
            };
            let new = reference_to(target);
            if new != written
                && let Some(span) = reference.span()
            {
                let quote = text.get(span.start..span.start + 1).unwrap_or("\"");
                replacements.push((span, format!("{quote}{new}{quote}")));
            }
        }
    }
    if replacements.is_empty() {
        return Ok(None);
    }
    let after = sort_lock_entries(&splice(&text, replacements));
    Ok(Some(FileEdit { path, before: Some(text), after }))
}

/// The lockfile with its `[[package]]` entries sorted by name and version, as cargo keeps them
/// (a member's new version can move it past a registry release of the same name); unchanged
/// when they already are.
fn sort_lock_entries(text: &str) -> String {
    let Some(first) = text.find("[[package]]\n") else { return text.to_string() };
    // The entries end where another table begins (`[metadata]` in old lockfiles).
    let mut region_end = text.len();
    let mut offset = first;
    for line in text[first..].split_inclusive('\n') {
        if line.starts_with('[') && !line.starts_with("[[package]]") {
            region_end = offset;
            break;
        }
        offset += line.len();
    }
    let region = &text[first..region_end];
    let blocks: Vec<&str> = region.split("[[package]]\n").filter(|b| !b.is_empty()).map(|b| b.trim_end()).collect();
    let key = |block: &str| {
        let value = |key: &str| block.lines().find_map(|l| l.strip_prefix(key)).map(|v| v.trim_matches(|c| c == '"' || c == ' ' || c == '=').to_string());
        (value("name ").unwrap_or_default(), value("version ").and_then(|v| Version::parse(&v).ok()))
    };
    let mut sorted = blocks.clone();
    sorted.sort_by_key(|block| key(block));
    if sorted == blocks {
        return text.to_string();
    }
    let trailing = &region[region.trim_end().len()..];
    let body: Vec<String> = sorted.iter().map(|b| format!("[[package]]\n{b}")).collect();
    format!("{}{}{trailing}{}", &text[..first], body.join("\n\n"), &text[region_end..])
}

/// The level of a Markdown heading line (`## x` is 2), if it is one.
fn heading_level(line: &str) -> Option<usize> {
    let level = line.chars().take_while(|c| *c == '#').count();
    ((1..=6).contains(&level) && line[level..].starts_with(' ')).then_some(level)
}

/// The heading level of a changelog's release sections: that of its first level-1 or level-2
/// heading naming a version or `Unreleased` (`# 0.1.36 (December 18, 2025)` in tracing's
/// changelogs is 1), else 2, Keep a Changelog's.
fn release_level(lines: &[&str]) -> usize {
    lines.iter().find_map(|line| heading_level(line).filter(|level| *level <= 2 && names_release(line))).unwrap_or(2)
}

/// Whether a heading names a release: `Unreleased`, or a version (`1.2`).
fn names_release(line: &str) -> bool {
    let text = line.trim_start_matches('#').to_lowercase();
    text.contains("unreleased") || text.as_bytes().windows(3).any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit())
}

/// Whether a line is a heading at the release level or above (it ends a release section).
fn is_release_heading(line: &str, level: usize) -> bool {
    heading_level(line).is_some_and(|found| found <= level)
}

fn is_unreleased_heading(line: &str, level: usize) -> bool {
    heading_level(line) == Some(level) && line[level..].trim().trim_start_matches('[').to_lowercase().starts_with("unreleased")
}

/// Whether a line is a Markdown link reference definition (`[1.0.0]: https://...`).
fn is_link_definition(line: &str) -> bool {
    line.starts_with('[') && line.split_once("]:").is_some_and(|(label, _)| !label.contains(']'))
}

/// One changelog line per finding, by subsection: `Removed`, `Changed`, `Added` (Keep a
/// Changelog's names), breaking ones marked **BREAKING**.
fn changelog_items(findings: &[Finding]) -> Vec<(&'static str, Vec<String>)> {
    let mut groups = Vec::new();
    for (change, title) in [(Change::Removed, "Removed"), (Change::Changed, "Changed"), (Change::Added, "Added")] {
        let items: Vec<String> = findings
            .iter()
            .filter(|f| f.change == change)
            .map(|f| {
                let breaking = f.required_bump == Bump::Major && f.level == Level::Deny && f.acknowledged.is_none();
                let mark = if breaking { "**BREAKING** " } else { "" };
                let message = f.message.replace('\n', " ");
                let what = if message.contains(&f.path) { message } else { format!("`{}`: {message}", f.path) };
                let acknowledged = f.acknowledged.as_deref().map(|reason| format!(" (accepted: {reason})")).unwrap_or_default();
                format!("- {mark}{what}{acknowledged}")
            })
            .collect();
        if !items.is_empty() {
            groups.push((title, items));
        }
    }
    groups
}

/// A changelog the whole repository shares (`changelog-location = "root"`) with a section for
/// `package` at `version`, dated `date`, a line per finding: below its `[Unreleased]` section,
/// which belongs to every package and stays as it is, else above the first release section.
pub fn shared_changelog_text(existing: Option<&str>, package: &str, version: &Version, date: &str, findings: &[Finding]) -> String {
    let text = existing.unwrap_or("# Changelog\n");
    let lines: Vec<&str> = text.lines().collect();
    let level = release_level(&lines);
    let hashes = "#".repeat(level);
    let mut section = format!("{hashes} {package} {version} - {date}\n");
    let items = changelog_items(findings);
    if items.is_empty() {
        section.push_str("\nNo changes to the public API.\n");
    }
    for (title, items) in items {
        section.push_str(&format!("\n### {title}\n\n{}\n", items.join("\n").trim()));
    }
    let at = match lines.iter().position(|line| is_unreleased_heading(line, level)) {
        Some(heading) => lines[heading + 1..].iter().position(|line| is_release_heading(line, level)).map_or(lines.len(), |at| heading + 1 + at),
        None => lines.iter().position(|line| heading_level(line) == Some(level) && names_release(line)).unwrap_or(lines.len()),
    };
    let mut out = splice_section(&lines, at, at, &section, false);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The changelog with a section for `version` dated `date`: what the maintainer wrote under
/// `## [Unreleased]` (kept, moved under the new version) merged with a line per finding (into
/// the maintainer's subsection of the same name, else a new one), and a fresh empty
/// `## [Unreleased]` above. Without an `[Unreleased]` section the new one goes above the first
/// release section; without a changelog, into a new file.
pub fn changelog_text(existing: Option<&str>, version: &Version, date: &str, findings: &[Finding]) -> String {
    let text = existing.unwrap_or("# Changelog\n");
    let lines: Vec<&str> = text.lines().collect();
    let level = release_level(&lines);
    let unreleased = lines.iter().position(|line| is_unreleased_heading(line, level));
    let (start, body, end) = match unreleased {
        Some(heading) => {
            let mut end =
                lines[heading + 1..].iter().position(|line| is_release_heading(line, level)).map_or(lines.len(), |at| heading + 1 + at);
            // Link definitions at the bottom of the file (`[Unreleased]: https://...`) belong
            // to the whole changelog, not to the section: they stay where they are.
            while end > heading + 1 && (lines[end - 1].trim().is_empty() || is_link_definition(lines[end - 1])) {
                end -= 1;
            }
            (heading, &lines[heading + 1..end], end)
        }
        None => {
            // Above the first release section: below a title of a higher level (`# Changelog`).
            let at = lines.iter().position(|line| heading_level(line) == Some(level) && names_release(line)).unwrap_or(lines.len());
            (at, &lines[at..at], at)
        }
    };

    // The maintainer's text: what comes before their first subsection, then their subsections.
    let mut preamble: Vec<String> = Vec::new();
    let mut subsections: Vec<(String, Vec<String>)> = Vec::new();
    for line in body {
        match line.strip_prefix("### ") {
            Some(title) => subsections.push((title.trim().to_string(), Vec::new())),
            None => match subsections.last_mut() {
                Some((_, content)) => content.push(line.to_string()),
                None => preamble.push(line.to_string()),
            },
        }
    }
    for (title, items) in changelog_items(findings) {
        match subsections.iter_mut().find(|(existing, _)| existing.eq_ignore_ascii_case(title)) {
            Some((_, content)) => {
                while content.last().is_some_and(|line| line.trim().is_empty()) {
                    content.pop();
                }
                content.extend(items);
            }
            None => {
                let mut content = vec![String::new()];
                content.extend(items);
                subsections.push((title.to_string(), content));
            }
        }
    }

    let hashes = "#".repeat(level);
    let mut section = format!("{hashes} [Unreleased]\n\n{hashes} [{version}] - {date}\n");
    let preamble_text = preamble.join("\n");
    if !preamble_text.trim().is_empty() {
        section.push_str(&format!("\n{}\n", preamble_text.trim()));
    }
    for (title, content) in &subsections {
        section.push_str(&format!("\n### {title}\n\n{}\n", content.join("\n").trim()));
    }
    if subsections.is_empty() && preamble_text.trim().is_empty() {
        section.push_str("\nNo changes to the public API.\n");
    }

    splice_section(&lines, start, end, &section, text.ends_with('\n'))
}

/// `lines` with `section` in place of `lines[start..end]`, a blank line before it; what follows
/// keeps its text, and the file's final newline when `final_newline`.
fn splice_section(lines: &[&str], start: usize, end: usize, section: &str, final_newline: bool) -> String {
    let mut out = String::new();
    let before = lines[..start].join("\n");
    if !before.trim().is_empty() {
        out.push_str(before.trim_end());
        out.push_str("\n\n");
    }
    out.push_str(section);
    let after = lines[end..].join("\n");
    if !after.trim().is_empty() {
        out.push('\n');
        out.push_str(after.trim_start_matches('\n'));
        if final_newline {
            out.push('\n');
        }
    }
    out
}

/// Writes every edit of the plan, each atomically (a temporary file beside it, renamed over
/// it). Every file is first checked to be as planned, so a file changed in between stops the
/// release before anything is written.
pub fn write(plan: &Plan) -> Result<()> {
    for edit in &plan.edits {
        if read_optional(&edit.path)? != edit.before {
            bail!("{} changed while the release was planned: nothing was written; run `apicheck release` again", edit.path.display());
        }
    }
    for edit in &plan.edits {
        crate::store::baseline::write_atomically(&edit.path, edit.after.as_bytes())?;
    }
    Ok(())
}

/// `YYYY-MM-DD` of a Unix time in UTC (the proleptic Gregorian calendar), for changelog headings.
pub fn date_of(unix_seconds: i64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let days = unix_seconds.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn finding(change: Change, bump: Bump, path: &str, message: &str) -> Finding {
        Finding {
            id: "function_parameter_type_changed".into(),
            change,
            required_bump: bump,
            level: Level::Deny,
            path: path.into(),
            message: message.into(),
            file: None,
            line: None,
            source: Source::Apicheck,
            lint: None,
            reference: None,
            old: None,
            new: None,
            subject: None,
            surfaces: Vec::new(),
            acknowledged: None,
        }
    }

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(date_of(0), "1970-01-01");
        assert_eq!(date_of(951_782_400), "2000-02-29");
        assert_eq!(date_of(1_795_737_600), "2026-11-27");
        assert_eq!(date_of(1_795_823_999), "2026-11-27");
    }

    #[test]
    fn requirements_keep_their_style() {
        let place = "test";
        assert_eq!(next_requirement("1.2.0", &v("2.0.0"), place).unwrap().as_deref(), Some("2.0.0"));
        assert_eq!(next_requirement("^0.4.1", &v("0.4.2"), place).unwrap().as_deref(), Some("^0.4.2"));
        assert_eq!(next_requirement("=1.2.0", &v("1.3.0"), place).unwrap().as_deref(), Some("=1.3.0"));
        assert_eq!(next_requirement("2.0.0", &v("2.0.0"), place).unwrap(), None);
        assert_eq!(next_requirement(">=1, <3", &v("2.0.0"), place).unwrap(), None);
        assert!(next_requirement(">=1, <2", &v("2.0.0"), place).unwrap_err().to_string().contains("set it by hand"));
    }

    #[test]
    fn splicing_changes_only_the_values() {
        let text = "[package]\nname = \"a\" # the name\nversion   =   '1.2.0'  # keep\n\n[dependencies]\nb = { path = \"../b\", version = \"0.4.1\" }\n";
        let document = toml_edit::Document::parse(text).unwrap();
        let root = document.as_item();
        let edits = vec![
            replace_string(text, root.get("package").unwrap().get("version").unwrap(), "2.0.0").unwrap(),
            replace_string(text, root.get("dependencies").unwrap().get("b").unwrap().get("version").unwrap(), "0.5.0").unwrap(),
        ];
        assert_eq!(
            splice(text, edits),
            "[package]\nname = \"a\" # the name\nversion   =   '2.0.0'  # keep\n\n[dependencies]\nb = { path = \"../b\", version = \"0.5.0\" }\n"
        );
    }

    #[test]
    fn a_changelog_section_is_built_from_findings() {
        let findings = [
            finding(Change::Changed, Bump::Major, "a::f", "function `a::f` changed parameter 1 from `u32` to `u64`"),
            finding(Change::Added, Bump::Minor, "a::g", "function `a::g` was added"),
            finding(Change::Removed, Bump::Major, "a::h", "gone"),
        ];
        let existing = "# Changelog\n\nIntro.\n\n## [1.0.0] - 2026-01-01\n\n- First.\n";
        let text = changelog_text(Some(existing), &v("2.0.0"), "2026-11-27", &findings);
        assert_eq!(
            text,
            "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [2.0.0] - 2026-11-27\n\n### Removed\n\n- **BREAKING** `a::h`: gone\n\n\
             ### Changed\n\n- **BREAKING** function `a::f` changed parameter 1 from `u32` to `u64`\n\n\
             ### Added\n\n- function `a::g` was added\n\n## [1.0.0] - 2026-01-01\n\n- First.\n"
        );
        let Section::Found { mentions_breaking, .. } = section_in(&text, "2.0.0") else { panic!("no section in {text}") };
        assert!(mentions_breaking);
    }

    #[test]
    fn the_unreleased_section_is_kept_and_merged() {
        let findings = [finding(Change::Added, Bump::Minor, "a::g", "function `a::g` was added")];
        let existing = "# Changelog\n\n## [Unreleased]\n\nA faster parser.\n\n### Added\n\n- A `--quiet` flag.\n\n### Fixed\n\n- A crash.\n\n## [0.4.14] - 2026-01-01\n\n- Old.\n";
        let text = changelog_text(Some(existing), &v("0.4.15"), "2026-11-27", &findings);
        assert_eq!(
            text,
            "# Changelog\n\n## [Unreleased]\n\n## [0.4.15] - 2026-11-27\n\nA faster parser.\n\n### Added\n\n- A `--quiet` flag.\n\
             - function `a::g` was added\n\n### Fixed\n\n- A crash.\n\n## [0.4.14] - 2026-01-01\n\n- Old.\n"
        );
        assert!(matches!(section_in(&text, "0.4.15"), Section::Found { mentions_breaking: false, .. }));
    }

    #[test]
    fn link_definitions_stay_at_the_bottom() {
        let existing = "# Changelog\n\n## [Unreleased]\n\n- Faster.\n\n[Unreleased]: https://example.com/compare/v1.0.0...HEAD\n";
        let text = changelog_text(Some(existing), &v("1.0.1"), "2026-11-27", &[]);
        assert_eq!(
            text,
            "# Changelog\n\n## [Unreleased]\n\n## [1.0.1] - 2026-11-27\n\n- Faster.\n\n[Unreleased]: https://example.com/compare/v1.0.0...HEAD\n"
        );
    }

    /// tracing's changelogs put releases under level-1 headings: the new sections follow them,
    /// or parse-changelog would read them as part of the release below.
    #[test]
    fn the_release_heading_level_is_the_changelog_s() {
        let findings = [finding(Change::Added, Bump::Minor, "c::level_count", "function `c::level_count` was added")];
        let existing = "# 0.1.36 (December 18, 2025)\n\n- Fix `record_all` panic\n\n# 0.1.35 (November 26, 2025)\n\n### Added\n\n- x\n";
        let text = changelog_text(Some(existing), &v("0.1.37"), "2026-11-27", &findings);
        assert!(
            text.starts_with("# [Unreleased]\n\n# [0.1.37] - 2026-11-27\n\n### Added\n\n- function `c::level_count` was added\n\n# 0.1.36 (December 18, 2025)\n"),
            "{text}"
        );
        assert!(matches!(section_in(&text, "0.1.37"), Section::Found { .. }));
        assert!(matches!(section_in(&text, "0.1.36"), Section::Found { .. }));
    }

    #[test]
    fn lock_entries_are_sorted_only_when_needed() {
        let sorted = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"0.1.36\"\n\n[[package]]\nname = \"a\"\nversion = \"0.1.37\"\n";
        assert_eq!(sort_lock_entries(sorted), sorted);
        let moved = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"0.1.37\"\n\n[[package]]\nname = \"a\"\nversion = \"0.1.36\"\nsource = \"registry+x\"\n\n[metadata]\nk = 1\n";
        assert_eq!(
            sort_lock_entries(moved),
            "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"0.1.36\"\nsource = \"registry+x\"\n\n[[package]]\nname = \"a\"\nversion = \"0.1.37\"\n\n[metadata]\nk = 1\n"
        );
    }

    #[test]
    fn a_missing_changelog_is_created() {
        let text = changelog_text(None, &v("0.1.1"), "2026-11-27", &[]);
        assert_eq!(text, "# Changelog\n\n## [Unreleased]\n\n## [0.1.1] - 2026-11-27\n\nNo changes to the public API.\n");
    }

    /// The ripgrep adoption complaint: 0.4.14 → 0.4.15 read as "a minor bump where none is
    /// needed". The policy says the release in Cargo's terms, and the fix names the command.
    #[test]
    fn the_policy_speaks_cargo_for_0x_and_points_to_release() {
        let changelog = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(changelog.path(), "## [0.4.15] - 2026-11-27\n\n- Faster.\n").unwrap();
        let config = Config::default();
        let judge = |current: &str, findings: Vec<Finding>| {
            versioning::evaluate(
                &config,
                PackageInput {
                    name: "grep",
                    baseline_version: &v("0.4.14"),
                    current_version: &v(current),
                    findings,
                    changelog: changelog.path(),
                    manifest: Path::new("/repo/grep/Cargo.toml"),
                    root: Path::new("/repo"),
                },
            )
        };
        let report = judge("0.4.15", Vec::new());
        assert!(report.violations.is_empty(), "{:?}", report.violations);
        assert_eq!(report.notes, ["0.4.14 → 0.4.15 (compatible release) where no release is needed: fine"]);

        let report = judge("0.4.14", vec![finding(Change::Added, Bump::Minor, "grep::f", "function `grep::f` was added")]);
        assert_eq!(report.violations[0].message, "API additions require a compatible release (0.4.14 → 0.4.15), but the version is still 0.4.14");
        assert!(report.violations[0].fix.ends_with("`apicheck release -p grep` does it"), "{}", report.violations[0].fix);
    }

    fn section_in(text: &str, version: &str) -> Section {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        changelog::section(file.path(), &v(version))
    }
}
