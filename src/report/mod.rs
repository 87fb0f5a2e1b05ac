//! Renderings of an [`ApiDiff`] for people (styled text) and for programs (JSON).
//!
//! The human rendering always emits ANSI styles; the binary writes through `anstream`, which
//! strips them when the output is not a terminal, under `NO_COLOR`, or with `--color never`.

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

/// The human rendering: findings grouped as removed / changed / added, changed items with the
/// old and new line and the changed part emphasised, then the required bump.
pub fn write_diff_human(out: &mut dyn Write, diff: &ApiDiff) -> io::Result<()> {
    let versions = match (&diff.baseline_version, &diff.current_version) {
        (Some(old), Some(new)) => format!(" {old} → {new}"),
        _ => String::new(),
    };
    writeln!(out, "{HEADING}{}{versions}{HEADING:#}", diff.crate_name)?;
    let baseline = diff.baseline_version.as_deref().and_then(|v| Version::parse(v).ok());
    if !diff.lints_ran {
        writeln!(out, "{DIM}(model diff only: cargo-semver-checks' lints need rustdoc JSON on both sides){DIM:#}")?;
    }
    for (change, title) in [(Change::Removed, "Removed"), (Change::Changed, "Changed"), (Change::Added, "Added")] {
        let group: Vec<&Finding> = diff.findings.iter().filter(|f| f.change == change).collect();
        if group.is_empty() {
            continue;
        }
        writeln!(out, "\n{HEADING}{title}{HEADING:#}")?;
        for finding in group {
            write_finding(out, finding, baseline.as_ref())?;
        }
    }
    if diff.findings.is_empty() {
        writeln!(out, "\nNo public API changes.")?;
    }
    let bump = diff.required_bump;
    let next = diff.next_version().filter(|_| bump > Bump::None);
    match (&baseline, next) {
        // 0.x: the release in Cargo's terms, never a bare "minor" (see `Bump::label`).
        (Some(from), Some(next)) if from.major == 0 => {
            writeln!(out, "\nRequired bump: {}{}{:#}", bump_style(bump), describe_release(from, &next), bump_style(bump))?
        }
        (_, next) => {
            let next = next.map(|v| format!(" (next version: {v})")).unwrap_or_default();
            writeln!(out, "\nRequired bump: {}{bump}{:#}{next}", bump_style(bump), bump_style(bump))?
        }
    }
    Ok(())
}

/// `version`: the baseline's, which decides how a bump is named (see [`Bump::label`]).
fn write_finding(out: &mut dyn Write, finding: &Finding, version: Option<&Version>) -> io::Result<()> {
    let style = bump_style(finding.required_bump);
    let location = match (&finding.file, finding.line) {
        (Some(file), Some(line)) => format!("  {DIM}{file}:{line}{DIM:#}"),
        (Some(file), None) => format!("  {DIM}{file}{DIM:#}"),
        _ => String::new(),
    };
    let advisory = if finding.level == Level::Warn { " (advice)" } else { "" };
    writeln!(out, "  {style}{:<5}{style:#} {}{advisory}  {DIM}[{}]{DIM:#}{location}", finding.required_bump.label(version), finding.path, finding.id)?;
    writeln!(out, "        {}", finding.message)?;
    match (&finding.old, &finding.new) {
        (Some(old), Some(new)) => {
            let (old_line, new_line) = highlight_change(old, new);
            writeln!(out, "        {REMOVED}- {old_line}{REMOVED:#}")?;
            writeln!(out, "        {ADDED}+ {new_line}{ADDED:#}")?;
        }
        (Some(old), None) => writeln!(out, "        {REMOVED}- {old}{REMOVED:#}")?,
        (None, Some(new)) => writeln!(out, "        {ADDED}+ {new}{ADDED:#}")?,
        (None, None) => {}
    }
    if let Some(lint) = finding.lint.as_deref().filter(|lint| *lint != finding.id) {
        writeln!(out, "        {DIM}also reported by cargo-semver-checks as `{lint}`{DIM:#}")?;
    }
    Ok(())
}

/// The two lines with the tokens that differ emphasised.
fn highlight_change(old: &str, new: &str) -> (String, String) {
    let old_tokens = tokens(old);
    let new_tokens = tokens(new);
    let mut old_out = String::new();
    let mut new_out = String::new();
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old_tokens, &new_tokens) {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let old_text: String = old_tokens[old_range].concat();
        let new_text: String = new_tokens[new_range].concat();
        if tag == similar::DiffTag::Equal {
            old_out.push_str(&old_text);
            new_out.push_str(&new_text);
            continue;
        }
        if !old_text.is_empty() {
            old_out.push_str(&format!("{EMPHASIS}{old_text}{EMPHASIS:#}{REMOVED}"));
        }
        if !new_text.is_empty() {
            new_out.push_str(&format!("{EMPHASIS}{new_text}{EMPHASIS:#}{ADDED}"));
        }
    }
    (old_out, new_out)
}

/// Identifiers, whitespace runs and single punctuation characters.
fn tokens(text: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut start = 0;
    let class = |c: char| if c.is_alphanumeric() || c == '_' { 0 } else if c.is_whitespace() { 1 } else { 2 };
    let mut previous: Option<u8> = None;
    for (index, c) in text.char_indices() {
        let current = class(c);
        if let Some(prev) = previous
            && (prev != current || current == 2)
        {
            tokens.push(&text[start..index]);
            start = index;
        }
        previous = Some(current);
    }
    if start < text.len() {
        tokens.push(&text[start..]);
    }
    tokens
}

/// The JSON rendering of a diff.
#[derive(Serialize)]
struct DiffJson<'a> {
    schema: u32,
    #[serde(flatten)]
    diff: &'a ApiDiff,
    next_version: Option<String>,
}

pub fn write_diff_json(out: &mut dyn Write, diff: &ApiDiff) -> io::Result<()> {
    let json = DiffJson { schema: REPORT_SCHEMA, diff, next_version: diff.next_version().map(|v| v.to_string()) };
    serde_json::to_writer_pretty(&mut *out, &json)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_identifiers_from_punctuation() {
        assert_eq!(tokens("add(a: u32)"), vec!["add", "(", "a", ":", " ", "u32", ")"]);
    }

    #[test]
    fn only_the_changed_tokens_are_emphasised() {
        let (old, new) = highlight_change("fn add(a: u32)", "fn add(a: u64)");
        assert_eq!(anstream::adapter::strip_str(&old).to_string(), "fn add(a: u32)");
        assert!(old.contains(&format!("{EMPHASIS}u32{EMPHASIS:#}")), "{old:?}");
        assert!(new.contains(&format!("{EMPHASIS}u64{EMPHASIS:#}")), "{new:?}");
        assert!(!new.contains(&format!("{EMPHASIS}add")), "{new:?}");
    }
}

/// The human rendering of `check`: a verdict line per package, then its findings with
/// file:line, the rules it breaks and how to fix them.
pub fn write_check_human(out: &mut dyn Write, report: &CheckReport) -> io::Result<()> {
    for package in &report.packages {
        let (mark, style, verdict) = match package.status {
            Status::Pass => ("✓", ADDED, "pass"),
            Status::New => ("•", AnsiColor::Cyan.on_default(), "new"),
            Status::Fail => ("✗", REMOVED, "FAIL"),
            Status::Error => ("!", REMOVED.bold(), "ERROR"),
        };
        let versions = match (&package.baseline_version, &package.current_version) {
            (Some(old), Some(new)) if old != new => format!("{old} → {new}"),
            (Some(old), Some(_)) | (Some(old), None) => old.clone(),
            (None, Some(new)) => new.clone(),
            (None, None) => String::new(),
        };
        let summary = match package.status {
            Status::Error => package.error.as_deref().and_then(|e| e.lines().next()).unwrap_or("could not be checked").to_string(),
            Status::New => "no baseline yet".to_string(),
            _ if package.findings.is_empty() => "no public API changes".to_string(),
            _ => format!("{} finding(s), requires {}, declares {}", package.findings.len(), required_text(package), declared_text(package)),
        };
        writeln!(out, "{style}{mark} {verdict:<5}{style:#} {HEADING}{}{HEADING:#} {versions}  {DIM}{summary}{DIM:#}", package.name)?;
        if package.status == Status::Error {
            for line in package.error.as_deref().unwrap_or_default().lines().skip(1) {
                writeln!(out, "    {line}")?;
            }
        }
        let baseline = baseline_version(package);
        for finding in &package.findings {
            let style = bump_style(finding.required_bump);
            let place = match (&finding.file, finding.line) {
                (Some(file), Some(line)) => format!("  {DIM}{file}:{line}{DIM:#}"),
                _ => String::new(),
            };
            let status = match (&finding.acknowledged, finding.level) {
                (Some(_), _) => " (acknowledged)",
                (None, Level::Warn) => " (advice)",
                _ => "",
            };
            writeln!(out, "    {style}{:<5}{style:#} {}{status}  {DIM}[{}]{DIM:#}{place}", finding.required_bump.label(baseline.as_ref()), finding.path, finding.id)?;
            writeln!(out, "          {}", finding.message)?;
            if let Some(reason) = &finding.acknowledged {
                writeln!(out, "          {DIM}accepted because: {reason}{DIM:#}")?;
            }
        }
        for violation in &package.violations {
            writeln!(out, "    {REMOVED}✗ {}{REMOVED:#}: {}{}", violation.rule, violation.message, place(violation))?;
            writeln!(out, "      {HEADING}fix:{HEADING:#} {}", violation.fix)?;
        }
        for note in package.notes.iter().chain(package.stale_acknowledgements.iter().map(|s| s as &String)) {
            writeln!(out, "    {DIM}note: {note}{DIM:#}")?;
        }
    }
    if !report.dependencies.is_empty() {
        writeln!(out, "\n{HEADING}Dependency rules{HEADING:#}")?;
        for v in &report.dependencies {
            let place = v.line.map(|line| format!("{}:{line}", v.file)).unwrap_or_else(|| v.file.clone());
            writeln!(out, "  {REMOVED}✗ {}{REMOVED:#}: {}  {DIM}{place}{DIM:#}", v.rule, v.message)?;
        }
    }
    if let Some(affected) = &report.affected {
        writeln!(
            out,
            "{DIM}changed since {} ({}): {}; checked: {}{DIM:#}",
            affected.base,
            &affected.merge_base[..affected.merge_base.len().min(12)],
            list_or_none(&affected.changed),
            list_or_none(&affected.checked)
        )?;
    }
    let compared = report.packages.iter().filter(|p| p.status != Status::Error && p.current_version.is_some()).count();
    if compared > 0 {
        let cached = compared.saturating_sub(report.documented.len());
        writeln!(
            out,
            "{DIM}rustdoc: {} documented, {cached} unchanged since an earlier run (from the cache){DIM:#}",
            report.documented.len()
        )?;
    }
    for note in &report.notes {
        writeln!(out, "{DIM}note: {note}{DIM:#}")?;
    }
    if let Some(command) = crate::gate::release::fix_command(report) {
        writeln!(out, "\n{HEADING}fix:{HEADING:#} `{command}` writes the version bumps and changelog sections (add --dry-run to see them first)")?;
    }
    let style = if report.passed { ADDED } else { REMOVED };
    writeln!(out, "\n{style}{}{style:#}", verdict_line(report))
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

/// The JSON rendering of `check` (schema [`REPORT_SCHEMA`], documented in README.md).
pub fn write_check_json(out: &mut dyn Write, report: &CheckReport) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

/// The Markdown rendering of `check`, for a pull-request comment or a job summary: a table of
/// packages and verdicts, the details folded per package.
pub fn write_check_markdown(out: &mut dyn Write, report: &CheckReport) -> io::Result<()> {
    let failed = report.packages.iter().filter(|p| matches!(p.status, Status::Fail | Status::Error)).count();
    let headline = if report.passed {
        format!("✅ all {} package(s) pass", report.packages.len())
    } else if failed == 0 {
        format!("❌ {} dependency rule violation(s)", report.dependencies.len())
    } else {
        format!("❌ {failed} of {} package(s) need attention", report.packages.len())
    };
    writeln!(out, "## apicheck: {headline}\n")?;
    writeln!(out, "| package | baseline | current | required bump | declared bump | verdict |")?;
    writeln!(out, "| --- | --- | --- | --- | --- | --- |")?;
    for p in &report.packages {
        let verdict = match p.status {
            Status::Pass => "✅ pass",
            Status::New => "🆕 new",
            Status::Fail => "❌ fail",
            Status::Error => "⚠️ error",
        };
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {verdict} |",
            p.name,
            p.baseline_version.as_deref().unwrap_or("–"),
            p.current_version.as_deref().unwrap_or("–"),
            required_text(p),
            declared_text(p)
        )?;
    }
    if let Some(command) = crate::gate::release::fix_command(report) {
        writeln!(
            out,
            "\n**Fix:** `{command}` writes the version bumps (and those of the packages that expose them) and the changelog \
             sections; add `--dry-run` to see them first. Then `apicheck baseline`, commit, tag."
        )?;
    }
    if let Some(affected) = &report.affected {
        writeln!(out, "\nChanged since `{}`: {}. Checked: {}.\n", affected.base, list_or_none(&affected.changed), list_or_none(&affected.checked))?;
        writeln!(out, "```mermaid\ngraph LR")?;
        let mut nodes: std::collections::BTreeSet<&String> = affected.changed.iter().chain(&affected.checked).collect();
        for (from, to) in &affected.edges {
            nodes.insert(from);
            nodes.insert(to);
        }
        for node in &nodes {
            let class = if affected.changed.contains(node) { ":::changed" } else if affected.checked.contains(node) { ":::checked" } else { "" };
            writeln!(out, "  {}[\"{node}\"]{class}", mermaid_id(node))?;
        }
        for (from, to) in &affected.edges {
            writeln!(out, "  {} --> {}", mermaid_id(from), mermaid_id(to))?;
        }
        writeln!(out, "  classDef changed fill:#fde2e1,stroke:#d73a49\n  classDef checked fill:#fff5d1,stroke:#b08800\n```")?;
    }
    if !report.dependencies.is_empty() {
        writeln!(out, "\n**Dependency rules**\n")?;
        for v in &report.dependencies {
            let place = v.line.map(|line| format!("{}:{line}", v.file)).unwrap_or_else(|| v.file.clone());
            writeln!(out, "- ❌ **{}** `{}` → `{}` ({place}): {}", v.rule, v.from, v.to, escape_markdown(&v.message))?;
        }
    }
    for p in report.packages.iter().filter(|p| !p.findings.is_empty() || !p.violations.is_empty() || p.error.is_some()) {
        writeln!(out, "\n<details><summary><code>{}</code>: {} finding(s), {} violation(s)</summary>\n", p.name, p.findings.len(), p.violations.len())?;
        if let Some(error) = &p.error {
            writeln!(out, "```text\n{}\n```\n", error.trim_end())?;
        }
        for v in &p.violations {
            writeln!(out, "- ❌ **{}**: {}{}<br>**Fix:** {}", v.rule, escape_markdown(&v.message), escape_markdown(&place(v)), escape_markdown(&v.fix))?;
        }
        if !p.violations.is_empty() {
            writeln!(out)?;
        }
        for f in &p.findings {
            let place = match (&f.file, f.line) {
                (Some(file), Some(line)) => format!(" ({file}:{line})"),
                _ => String::new(),
            };
            let acknowledged = if f.acknowledged.is_some() { " *(acknowledged)*" } else { "" };
            let bump = f.required_bump.label(baseline_version(p).as_ref());
            writeln!(out, "- **{bump}** `{}` `{}`{place}{acknowledged}: {}", f.path, f.id, escape_markdown(&f.message))?;
        }
        writeln!(out, "\n</details>")?;
    }
    Ok(())
}

/// A mermaid node id: package names may hold `-`, which mermaid reads as an edge.
fn mermaid_id(name: &str) -> String {
    name.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
}

/// One line of Markdown: messages quote code in backticks, where `<` and `|` are safe; only a
/// line break would end the list item.
fn escape_markdown(text: &str) -> String {
    text.replace('\n', " ")
}

/// GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per
/// finding, policy violation and dependency violation (errors for what fails the check), then
/// the verdict line. The Markdown report goes to the job summary (`$GITHUB_STEP_SUMMARY`) when
/// the binary writes this format.
pub fn write_check_github(out: &mut dyn Write, report: &CheckReport) -> io::Result<()> {
    for package in &report.packages {
        for finding in &package.findings {
            let command = match severity(package, finding) {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "notice",
            };
            let title = format!("apicheck {}: {} ({})", package.name, finding.id, finding.required_bump.label(baseline_version(package).as_ref()));
            annotation(out, command, finding.file.as_deref(), finding.line, &title, &finding.message)?;
        }
        let manifest = package.manifest.as_deref();
        for violation in &package.violations {
            let title = format!("apicheck {}: {}", package.name, violation.rule);
            annotation(out, "error", violation.file.as_deref().or(manifest), violation.line, &title, &format!("{} Fix: {}", violation.message, violation.fix))?;
        }
        if let Some(error) = &package.error {
            annotation(out, "error", manifest, None, &format!("apicheck {}: could not be checked", package.name), error)?;
        }
    }
    for violation in &report.dependencies {
        let title = format!("apicheck dependency rule {}", violation.rule);
        annotation(out, "error", Some(&violation.file), violation.line.and_then(|l| u32::try_from(l).ok()), &title, &violation.message)?;
    }
    if let Some(command) = crate::gate::release::fix_command(report) {
        let message = format!("run `{command}` (add --dry-run to see the edits first), then `apicheck baseline`, commit and tag");
        annotation(out, "notice", None, None, "apicheck: the fix", &message)?;
    }
    writeln!(out, "{}", verdict_line(report))
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

fn annotation(out: &mut dyn Write, command: &str, file: Option<&str>, line: Option<u32>, title: &str, message: &str) -> io::Result<()> {
    let mut properties = Vec::new();
    if let Some(file) = file {
        properties.push(format!("file={}", escape_property(file)));
    }
    if let Some(line) = line {
        properties.push(format!("line={line}"));
    }
    properties.push(format!("title={}", escape_property(title)));
    writeln!(out, "::{command} {}::{}", properties.join(","), escape_data(message))
}

/// Workflow command data: `%`, CR and LF are escaped.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Workflow command properties: also `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn verdict_line(report: &CheckReport) -> String {
    let failed = report.packages.iter().filter(|p| p.status == Status::Fail).count();
    let errors = report.packages.iter().filter(|p| p.status == Status::Error).count();
    let total = report.packages.len();
    let dependencies = if report.dependencies.is_empty() {
        String::new()
    } else {
        format!("; {} dependency rule violation(s)", report.dependencies.len())
    };
    match (errors, failed) {
        (0, 0) if report.dependencies.is_empty() => format!("apicheck: all {total} package(s) pass"),
        (0, failed) => format!("apicheck: {failed} of {total} package(s) fail the release policy{dependencies}"),
        (errors, _) => format!("apicheck: {errors} of {total} package(s) could not be checked{dependencies}"),
    }
}

/// SARIF 2.1.0, for code-scanning upload: one result per finding, policy violation and
/// dependency violation; one rule per id, described once.
pub fn write_check_sarif(out: &mut dyn Write, report: &CheckReport) -> io::Result<()> {
    use serde_json::{Value, json};
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_index = std::collections::BTreeMap::new();
    let mut results = Vec::new();
    let mut result = |rule: &str, description: &str, help: Option<&str>, level: &str, message: String, file: Option<&str>, line: Option<u64>, properties: Value| {
        let index = *rule_index.entry(rule.to_string()).or_insert_with(|| {
            let mut descriptor = json!({ "id": rule, "shortDescription": { "text": description } });
            if let Some(help) = help {
                descriptor["helpUri"] = json!(help);
            }
            rules.push(descriptor);
            rules.len() - 1
        });
        let mut entry = json!({ "ruleId": rule, "ruleIndex": index, "level": level, "message": { "text": message }, "properties": properties });
        if let Some(file) = file {
            let mut location = json!({ "physicalLocation": { "artifactLocation": { "uri": file, "uriBaseId": "%SRCROOT%" } } });
            if let Some(line) = line.filter(|l| *l > 0) {
                location["physicalLocation"]["region"] = json!({ "startLine": line });
            }
            entry["locations"] = json!([location]);
        }
        results.push(entry);
    };
    for package in &report.packages {
        for f in &package.findings {
            let level = match severity(package, f) {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "note",
            };
            // The rule's own description and link, from the catalog; an id the catalog does not
            // know (a report written by another apicheck version, merged) keeps what it carries.
            let entry = catalog::find(&f.id).ok();
            let description = entry.as_ref().map(|entry| entry.summary.trim().to_string()).unwrap_or_else(|| f.id.replace('_', " "));
            let help = entry.and_then(|entry| entry.reference).or_else(|| f.reference.clone());
            let mut properties = json!({ "package": package.name, "path": f.path, "requiredBump": f.required_bump, "source": f.source });
            if let Some(reason) = &f.acknowledged {
                properties["acknowledged"] = json!(reason);
            }
            result(&f.id, &description, help.as_deref(), level, f.message.clone(), f.file.as_deref().or(package.manifest.as_deref()), f.line.map(u64::from), properties);
        }
        for v in &package.violations {
            let properties = json!({ "package": package.name, "fix": v.fix });
            result(
                &format!("policy/{}", v.rule),
                &format!("release policy rule {}", v.rule),
                None,
                "error",
                format!("{} Fix: {}", v.message, v.fix),
                v.file.as_deref().or(package.manifest.as_deref()),
                v.line.map(u64::from),
                properties,
            );
        }
        if let Some(error) = &package.error {
            result("apicheck/error", "a package could not be checked", None, "error", error.clone(), package.manifest.as_deref(), None, json!({ "package": package.name }));
        }
    }
    for v in &report.dependencies {
        let properties = json!({ "from": v.from, "to": v.to, "kind": v.kind });
        result(&format!("deps/{}", v.rule), &format!("dependency rule {}", v.rule), None, "error", v.message.clone(), Some(&v.file), v.line.map(|l| l as u64), properties);
    }
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "apicheck", "version": env!("CARGO_PKG_VERSION"), "semanticVersion": env!("CARGO_PKG_VERSION"), "rules": rules } },
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}

/// `apicheck rules`: apicheck's rules, then the cargo-semver-checks lints it runs, one line
/// each: id, the bumps it can require, its default level, its summary.
pub fn write_rules_human(out: &mut dyn Write, entries: &[Entry]) -> io::Result<()> {
    for (origin, title) in [(Origin::Apicheck, "apicheck's rules"), (Origin::CargoSemverChecks, "cargo-semver-checks lints apicheck runs")] {
        let group: Vec<&Entry> = entries.iter().filter(|entry| entry.source == origin).collect();
        let width = group.iter().map(|entry| entry.id.len()).max().unwrap_or(0);
        writeln!(out, "{HEADING}{title} ({}){HEADING:#}", group.len())?;
        for entry in group {
            let bumps = bumps_text(&entry.required_bump);
            writeln!(out, "  {:<width$}  {:<14}  {:<4}  {}", entry.id, bumps, level_text(entry.default_level), entry.summary)?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{DIM}`apicheck explain ID` shows one with its reference and an example.{DIM:#}")
}

/// The JSON rendering of the catalog: a struct, so that fields keep their declared order.
#[derive(Serialize)]
struct RulesJson<'a> {
    schema: u32,
    rules: &'a [Entry],
}

/// `apicheck rules --format json`.
pub fn write_rules_json(out: &mut dyn Write, entries: &[Entry]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &RulesJson { schema: REPORT_SCHEMA, rules: entries })?;
    writeln!(out)
}

/// `apicheck explain ID`: one rule or lint, with its reference, the ids that report the same
/// break, and, for a rule, its fixture pair as a diff of the old and new source.
pub fn write_explain(out: &mut dyn Write, entry: &Entry, example: Option<&Example>) -> io::Result<()> {
    let what = match entry.source {
        Origin::Apicheck => "apicheck rule",
        Origin::CargoSemverChecks => "cargo-semver-checks lint",
    };
    writeln!(out, "{HEADING}{}{HEADING:#}  {DIM}({what}){DIM:#}", entry.id)?;
    writeln!(out, "  {}", entry.summary.trim())?;
    writeln!(out)?;
    writeln!(out, "  requires:       {}", bumps_text(&entry.required_bump))?;
    writeln!(out, "  default level:  {}", level_text(entry.default_level))?;
    if let Some(reference) = &entry.reference {
        writeln!(out, "  reference:      {reference}")?;
    }
    if !entry.equivalent.is_empty() {
        let label = match entry.source {
            Origin::Apicheck => "same break as:  cargo-semver-checks",
            Origin::CargoSemverChecks => "same break as:  apicheck",
        };
        writeln!(out, "  {label} {}", entry.equivalent.join(", "))?;
    }
    match example {
        Some(Example::Pair { name, file, old, new }) => {
            writeln!(out, "\n{HEADING}Example{HEADING:#} (fixture pair fixtures/pairs/{{old,new}}/{name}):\n")?;
            let old_name = format!("old/{name}/{file}");
            let new_name = format!("new/{name}/{file}");
            let diff = similar::TextDiff::from_lines(*old, *new);
            for line in diff.unified_diff().context_radius(3).header(&old_name, &new_name).to_string().lines() {
                let style = match line.chars().next() {
                    Some('-') if !line.starts_with("---") => REMOVED,
                    Some('+') if !line.starts_with("+++") => ADDED,
                    Some('@') => DIM,
                    _ => Style::new(),
                };
                writeln!(out, "  {style}{line}{style:#}")?;
            }
        }
        Some(Example::Workspace { file, test }) => {
            writeln!(out, "\n{HEADING}Example{HEADING:#}: a rule about a whole workspace, shown by the test `{test}` in {file}")?;
        }
        None if entry.source == Origin::Apicheck => writeln!(out, "\n{DIM}No fixture pair shows this rule yet.{DIM:#}")?,
        None => {}
    }
    Ok(())
}

/// ` (file:line)` for a violation about a place in the code, else nothing.
fn place(violation: &Violation) -> String {
    match (&violation.file, violation.line) {
        (Some(file), Some(line)) => format!(" ({file}:{line})"),
        (Some(file), None) => format!(" ({file})"),
        _ => String::new(),
    }
}

/// A unified diff with its removed and added lines coloured (`release --dry-run`).
pub fn styled_diff(diff: &str) -> String {
    let mut out = String::new();
    for line in diff.lines() {
        let style = match line.chars().next() {
            Some('-') if !line.starts_with("---") => REMOVED,
            Some('+') if !line.starts_with("+++") => ADDED,
            Some('@') => DIM,
            _ => Style::new(),
        };
        out.push_str(&format!("{style}{line}{style:#}\n"));
    }
    out
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
