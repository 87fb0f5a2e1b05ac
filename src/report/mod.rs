//! Renderings of a result for people and for programs, one module per format: [`human`]
//! (styled text), [`json`], [`markdown`], [`github`] (workflow commands), [`sarif`], the
//! catalog's ([`rules`]) and the package graph's ([`graph`]: Mermaid and DOT). This module
//! holds what they share: styles, the texts of bumps and
//! verdicts.
//!
//! The human rendering always emits ANSI styles; the binary writes through `anstream`, which
//! strips them when the output is not a terminal, under `NO_COLOR`, or with `--color never`.


mod github;
mod graph;
mod human;
mod json;
mod markdown;
mod rules;
mod sarif;

pub use github::write_check_github;
pub use graph::{write_deps_dot, write_deps_mermaid};
pub use human::{styled_diff, write_check_human, write_diff_human, write_surface_human};
pub use json::{write_check_json, write_diff_json, write_rules_json};
pub use markdown::write_check_markdown;
pub use rules::{write_explain, write_rules_human};
pub use sarif::write_check_sarif;

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use semver::Version;
use serde::Serialize;

use crate::engine::ApiDiff;
use crate::engine::bump::{Bump, describe_release};
use crate::engine::catalog::{self, Entry, Example, Origin};
use crate::engine::findings::{Change, Finding, Level};
use crate::gate::{CheckReport, REPORT_SCHEMA};
use crate::policy::versioning::{PackageReport, Status, Violation};

const REMOVED: Style = AnsiColor::Red.on_default();
const ADDED: Style = AnsiColor::Green.on_default();
const EMPHASIS: Style = Style::new().bold().underline();
const DIM: Style = Style::new().dimmed();
const HEADING: Style = Style::new().bold();

fn bump_style(bump: Bump) -> Style {
    match bump {
        Bump::Major => AnsiColor::Red.on_default().bold(),
        Bump::Minor => AnsiColor::Yellow.on_default().bold(),
        Bump::Patch | Bump::None => AnsiColor::Green.on_default().bold(),
    }
}

/// The feature surfaces a finding appears in, for a report line: empty when it is in every
/// surface of its package, else ` (feature surface: all-features)`.
fn surfaces_text(finding: &Finding) -> String {
    match finding.surfaces.as_slice() {
        [] => String::new(),
        [one] => format!(" (feature surface: {one})"),
        several => format!(" (feature surfaces: {})", several.join(", ")),
    }
}

fn baseline_version(package: &PackageReport) -> Option<Version> {
    package.baseline_version.as_deref().and_then(|v| Version::parse(v).ok())
}

/// The bump a package requires, as a report says it: for 0.x the release in Cargo's terms
/// (`0.4.1 → 0.4.2 (compatible release)`), never a bare "minor".
fn required_text(package: &PackageReport) -> String {
    match baseline_version(package) {
        Some(from) if from.major == 0 && package.required_bump > Bump::None => {
            describe_release(&from, &package.required_bump.next_version(&from))
        }
        _ => package.required_bump.to_string(),
    }
}

/// The bump a package's version declares, as a report says it (see [`required_text`]).
fn declared_text(package: &PackageReport) -> String {
    let current = package.current_version.as_deref().and_then(|v| Version::parse(v).ok());
    match (baseline_version(package), current) {
        (Some(from), Some(to)) if from.major == 0 && package.declared_bump > Bump::None => describe_release(&from, &to),
        _ => package.declared_bump.to_string(),
    }
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() { "none".to_string() } else { names.join(", ") }
}

/// How loudly CI should show a finding: errors are what fails the check.
enum Severity {
    Error,
    Warning,
    Note,
}

fn severity(package: &PackageReport, finding: &Finding) -> Severity {
    let failing = matches!(package.status, Status::Fail | Status::Error);
    match (&finding.acknowledged, finding.level) {
        (Some(_), _) => Severity::Note,
        (None, Level::Warn) => Severity::Warning,
        (None, Level::Deny) if failing => Severity::Error,
        (None, Level::Deny) => Severity::Note,
    }
}

fn verdict_line(report: &CheckReport) -> String {
    let failed = report.packages.iter().filter(|p| p.status == Status::Fail).count();
    let errors = report.packages.iter().filter(|p| p.status == Status::Error).count();
    let total = report.packages.len();
    let mut others = String::new();
    if !report.dependencies.is_empty() {
        others.push_str(&format!("; {} dependency rule violation(s)", report.dependencies.len()));
    }
    if !report.violations.is_empty() {
        others.push_str(&format!("; {} workspace rule violation(s)", report.violations.len()));
    }
    match (errors, failed) {
        (0, 0) if others.is_empty() => format!("apicheck: all {total} package(s) pass"),
        (0, failed) => format!("apicheck: {failed} of {total} package(s) fail the release policy{others}"),
        (errors, _) => format!("apicheck: {errors} of {total} package(s) could not be checked{others}"),
    }
}

/// ` (file:line)` for a violation about a place in the code, else nothing.
fn place(violation: &Violation) -> String {
    match (&violation.file, violation.line) {
        (Some(file), Some(line)) => format!(" ({file}:{line})"),
        (Some(file), None) => format!(" ({file})"),
        _ => String::new(),
    }
}

fn bumps_text(bumps: &[Bump]) -> String {
    bumps.iter().map(|bump| bump.as_str()).collect::<Vec<_>>().join(" or ")
}

fn level_text(level: Level) -> &'static str {
    match level {
        Level::Deny => "deny",
        Level::Warn => "warn",
    }
}
