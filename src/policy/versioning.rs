//! The release policy: given a package's findings, its baseline and current versions and its
//! changelog, does it pass? Each rule can be switched off in the configuration.
//!
//! - `version-bump`: the bump the version declares (baseline → Cargo.toml, Cargo's 0.x rules)
//!   is at least the bump the findings require;
//! - `changelog`: a changed version has a section in the package's changelog;
//! - `breaking-changelog`: a release with breaking changes says so in that section;
//! - acknowledged breaks do not count; acknowledgements that match nothing are reported.

use std::path::Path;

use semver::Version;
use serde::{Deserialize, Serialize};

use crate::engine::bump::{Bump, describe_release};
use crate::engine::catalog::RuleId;
use crate::policy::changelog::{self, Section};
use crate::policy::config::{self, ChangelogLocation, Config};
use crate::engine::findings::{self, Finding};

/// A package's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Status {
    Pass,
    Fail,
    /// No baseline yet: reported, not failed.
    New,
    /// It could not be checked: never a pass.
    Error,
}

/// A broken rule, and how to mend it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Violation {
    pub rule: String,
    pub message: String,
    pub fix: String,
    /// Where the violation is, when it is about a place in the code (else the package's
    /// manifest stands for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// The verdict on one package, as every report renders it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PackageReport {
    pub name: String,
    pub status: Status,
    /// The package's manifest, relative to the workspace root (where annotations point for
    /// policy violations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
    pub baseline_version: Option<String>,
    pub current_version: Option<String>,
    pub required_bump: Bump,
    pub declared_bump: Bump,
    /// The smallest version that would satisfy the required bump, when it is not met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggested_version: Option<String>,
    pub findings: Vec<Finding>,
    pub violations: Vec<Violation>,
    /// Things worth knowing that do not fail the package.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stale_acknowledgements: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl PackageReport {
    fn empty(name: &str, status: Status) -> PackageReport {
        PackageReport {
            name: name.to_string(),
            status,
            manifest: None,
            baseline_version: None,
            current_version: None,
            required_bump: Bump::None,
            declared_bump: Bump::None,
            suggested_version: None,
            findings: Vec::new(),
            violations: Vec::new(),
            notes: Vec::new(),
            stale_acknowledgements: Vec::new(),
            error: None,
        }
    }

    /// A package that could not be checked.
    pub fn error(name: &str, message: String) -> PackageReport {
        PackageReport { error: Some(message), ..PackageReport::empty(name, Status::Error) }
    }

    /// A package without a baseline.
    pub fn new_package(name: &str, version: &Version) -> PackageReport {
        PackageReport {
            current_version: Some(version.to_string()),
            notes: vec![format!("no baseline yet: the release script records one (`apicheck baseline -p {name}`)")],
            ..PackageReport::empty(name, Status::New)
        }
    }

    /// A package whose baseline remains but which is no longer governed or no longer exists.
    pub fn removed_package(name: &str, baseline_version: &Version, config: &Config) -> PackageReport {
        let rule = RuleId::PackageRemoved.rule();
        let acknowledged = config.acknowledge.iter().find(|ack| {
            ack.package == name && ack.finding.as_deref() == Some(rule.id) && ack.holds_for(baseline_version)
        });
        let mut report = PackageReport {
            baseline_version: Some(baseline_version.to_string()),
            required_bump: Bump::Major,
            ..PackageReport::empty(name, Status::Pass)
        };
        report.findings.push(Finding {
            id: rule.id.to_string(),
            change: findings::Change::Removed,
            required_bump: Bump::Major,
            level: findings::Level::Deny,
            path: name.to_string(),
            message: format!("package `{name}` was removed, or is no longer governed, while its baseline remains"),
            file: None,
            line: None,
            source: findings::Source::Apicheck,
            lint: None,
            reference: Some(rule.reference()),
            old: None,
            new: None,
            subject: None,
            acknowledged: acknowledged.map(|ack| ack.reason.clone()),
            surfaces: Vec::new(),
        });
        if acknowledged.is_none() && config.rules.removed_packages {
            report.violations.push(Violation {
                rule: "removed-packages".into(),
                file: None,
                line: None,
                message: format!("`{name}` {baseline_version} is gone, which breaks every crate that depends on it"),
                fix: format!(
                    "delete its baseline folder ({}/{name}) in the same change, or acknowledge the removal \
                     (`finding = \"{}\"`) with a reason",
                    config.baselines.display(),
                    rule.id
                ),
            });
            report.status = Status::Fail;
        }
        if acknowledged.is_some() {
            report.required_bump = Bump::None;
        }
        report
    }
}

/// What [`evaluate`] needs to know about one package.
pub struct PackageInput<'a> {
    pub name: &'a str,
    pub baseline_version: &'a Version,
    pub current_version: &'a Version,
    pub findings: Vec<Finding>,
    pub changelog: &'a Path,
    pub manifest: &'a Path,
    /// The workspace root, which paths in messages are relative to.
    pub root: &'a Path,
}

/// Applies lint levels, acknowledgements and the rules to a package that has a baseline.
pub fn evaluate(config: &Config, input: PackageInput<'_>) -> PackageReport {
    let PackageInput { name, baseline_version, current_version, mut findings, changelog, manifest, root } = input;
    let relative = |path: &Path| path.strip_prefix(root).unwrap_or(path).display().to_string();
    let manifest_rel = relative(manifest);
    config::apply_levels(config, &mut findings);

    let acknowledgements: Vec<_> = config.acknowledge.iter().filter(|ack| ack.package == name).collect();
    let mut used = vec![false; acknowledgements.len()];
    let mut notes = Vec::new();
    for finding in findings.iter_mut().filter(|f| f.level == findings::Level::Deny) {
        for (index, ack) in acknowledgements.iter().enumerate() {
            if !ack.matches(name, &finding.id, finding.lint.as_deref(), &finding.path) {
                continue;
            }
            used[index] = true;
            if ack.holds_for(current_version) {
                finding.acknowledged = Some(ack.reason.clone());
            } else {
                notes.push(format!(
                    "the acknowledgement `{}` was made for {} and expired with {current_version}: the break counts again",
                    ack.describe(),
                    ack.version
                ));
            }
        }
    }
    let stale: Vec<String> = acknowledgements
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(ack, _)| format!("{} (made for {}): matches no finding; remove it", ack.describe(), ack.version))
        .collect();

    let required = findings::required_bump(&findings);
    let declared = Bump::declared(baseline_version, current_version);
    let next = required.next_version(baseline_version);
    let version_changed = current_version != baseline_version;
    let changelog_rel = relative(changelog);
    let section = match config.changelog_location {
        ChangelogLocation::Package => changelog::section(changelog, current_version),
        ChangelogLocation::Root => changelog::package_section(changelog, name, current_version),
    };
    // The heading a fix asks for: a shared changelog's names the package too.
    let heading = |version: &Version| match config.changelog_location {
        ChangelogLocation::Package => format!("## [{version}]"),
        ChangelogLocation::Root => format!("## {name} {version}"),
    };
    let mut violations = Vec::new();

    if config.rules.version_bump && current_version < baseline_version {
        violations.push(Violation {
            rule: "version-bump".into(),
            file: None,
            line: None,
            message: format!("the version went backwards: {baseline_version} (baseline) → {current_version}"),
            fix: format!("set `version` in {manifest_rel} to {baseline_version} or later"),
        });
    } else if config.rules.version_bump && declared < required {
        let what = if required == Bump::Major { "breaking changes" } else { "API additions" };
        let declares = if version_changed {
            format!("{baseline_version} → {current_version} declares only {}", declared.phrase(baseline_version))
        } else {
            format!("the version is still {current_version}")
        };
        let changelog_part = if config.rules.changelog {
            let mention = if required == Bump::Major && config.rules.breaking_changelog { " that mentions the breaking change" } else { "" };
            format!(" and add a `{}` section{mention} to {changelog_rel}", heading(&next))
        } else {
            String::new()
        };
        violations.push(Violation {
            rule: "version-bump".into(),
            file: None,
            line: None,
            message: format!("{what} require {} ({baseline_version} → {next}), but {declares}", required.phrase(baseline_version)),
            fix: format!("bump {name} to {next} in {manifest_rel}{changelog_part}; `{}` does it", release_command(&[name])),
        });
    }
    if config.rules.changelog && version_changed && current_version > baseline_version {
        if let Section::Missing(reason) = &section {
            violations.push(Violation {
                rule: "changelog".into(),
                file: None,
                line: None,
                message: format!("{name} {current_version} has no changelog entry: {}", reason.replace(&changelog.display().to_string(), &changelog_rel)),
                fix: format!(
                    "add a `{}` section describing the release to {changelog_rel}; `{}` writes it from the findings",
                    heading(current_version),
                    release_command(&[name])
                ),
            });
        }
    }
    if config.rules.breaking_changelog && version_changed && required == Bump::Major {
        if let Section::Found { title, mentions_breaking: false } = &section {
            violations.push(Violation {
                rule: "breaking-changelog".into(),
                file: None,
                line: None,
                message: format!("the changelog section `{title}` does not say that this release breaks the API"),
                fix: format!(
                    "in {changelog_rel}, describe the breaking changes under `{}`: say \"breaking\", \
                     or list them under a `### Removed` or `### Changed` subsection",
                    heading(current_version)
                ),
            });
        }
    }
    if config.rules.stale_acknowledgements_fail {
        violations.extend(stale.iter().map(|stale| Violation {
            rule: "stale-acknowledgements".into(),
            file: None,
            line: None,
            message: format!("acknowledgement {stale}"),
            fix: "delete it from the configuration".into(),
        }));
    }
    if declared > required && version_changed {
        // For 0.x, "declares a minor bump where none is needed" read as a complaint about
        // 0.4.14 → 0.4.15: say the release in Cargo's terms instead.
        if baseline_version.major == 0 {
            notes.push(format!("{} where {} is needed: fine", describe_release(baseline_version, current_version), required.phrase(baseline_version)));
        } else {
            notes.push(format!("declares a {declared} bump where {required} is needed: fine"));
        }
    }
    let acknowledged = findings.iter().filter(|f| f.acknowledged.is_some()).count();
    if acknowledged > 0 {
        notes.push(format!("{acknowledged} acknowledged break(s) do not count towards the required bump"));
    }

    PackageReport {
        name: name.to_string(),
        status: if violations.is_empty() { Status::Pass } else { Status::Fail },
        manifest: Some(manifest_rel),
        baseline_version: Some(baseline_version.to_string()),
        current_version: Some(current_version.to_string()),
        required_bump: required,
        declared_bump: declared,
        suggested_version: (declared < required).then(|| next.to_string()),
        findings,
        violations,
        notes,
        stale_acknowledgements: stale,
        error: None,
    }
}

/// The command that releases `packages` (`apicheck release -p NAME`), as fixes and reports
/// print it.
pub fn release_command(packages: &[&str]) -> String {
    let mut command = "apicheck release".to_string();
    for package in packages {
        command.push_str(" -p ");
        command.push_str(package);
    }
    command
}
