//! Renderings of an [`ApiDiff`] for people (styled text) and for programs (JSON).
//!
//! The human rendering always emits ANSI styles; the binary writes through `anstream`, which
//! strips them when the output is not a terminal, under `NO_COLOR`, or with `--color never`.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use crate::ApiDiff;
use crate::bump::Bump;
use crate::findings::{Change, Finding, Level};
use crate::gate::CheckReport;
use crate::policy::Status;

/// Version of the JSON report schemas below.
pub const REPORT_SCHEMA: u32 = 1;

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
            write_finding(out, finding)?;
        }
    }
    if diff.findings.is_empty() {
        writeln!(out, "\nNo public API changes.")?;
    }
    let bump = diff.required_bump;
    let next = diff.next_version().filter(|_| bump > Bump::None).map(|v| format!(" (next version: {v})")).unwrap_or_default();
    writeln!(out, "\nRequired bump: {}{bump}{:#}{next}", bump_style(bump), bump_style(bump))?;
    Ok(())
}

fn write_finding(out: &mut dyn Write, finding: &Finding) -> io::Result<()> {
    let style = bump_style(finding.required_bump);
    let location = match (&finding.file, finding.line) {
        (Some(file), Some(line)) => format!("  {DIM}{file}:{line}{DIM:#}"),
        (Some(file), None) => format!("  {DIM}{file}{DIM:#}"),
        _ => String::new(),
    };
    let advisory = if finding.level == Level::Warn { " (advice)" } else { "" };
    writeln!(out, "  {style}{:<5}{style:#} {}{advisory}  {DIM}[{}]{DIM:#}{location}", finding.required_bump.as_str(), finding.path, finding.id)?;
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
            _ => format!(
                "{} finding(s), requires {}, declares {}",
                package.findings.len(),
                package.required_bump,
                package.declared_bump
            ),
        };
        writeln!(out, "{style}{mark} {verdict:<5}{style:#} {HEADING}{}{HEADING:#} {versions}  {DIM}{summary}{DIM:#}", package.name)?;
        if package.status == Status::Error {
            for line in package.error.as_deref().unwrap_or_default().lines().skip(1) {
                writeln!(out, "    {line}")?;
            }
        }
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
            writeln!(out, "    {style}{:<5}{style:#} {}{status}  {DIM}[{}]{DIM:#}{place}", finding.required_bump.as_str(), finding.path, finding.id)?;
            writeln!(out, "          {}", finding.message)?;
            if let Some(reason) = &finding.acknowledged {
                writeln!(out, "          {DIM}accepted because: {reason}{DIM:#}")?;
            }
        }
        for violation in &package.violations {
            writeln!(out, "    {REMOVED}✗ {}{REMOVED:#}: {}", violation.rule, violation.message)?;
            writeln!(out, "      {HEADING}fix:{HEADING:#} {}", violation.fix)?;
        }
        for note in package.notes.iter().chain(package.stale_acknowledgements.iter().map(|s| s as &String)) {
            writeln!(out, "    {DIM}note: {note}{DIM:#}")?;
        }
    }
    for note in &report.notes {
        writeln!(out, "{DIM}note: {note}{DIM:#}")?;
    }
    let failed = report.packages.iter().filter(|p| p.status == Status::Fail).count();
    let errors = report.packages.iter().filter(|p| p.status == Status::Error).count();
    let total = report.packages.len();
    let verdict = match (errors, failed) {
        (0, 0) => format!("{ADDED}apicheck: all {total} package(s) pass{ADDED:#}"),
        (0, failed) => format!("{REMOVED}apicheck: {failed} of {total} package(s) fail the release policy{REMOVED:#}"),
        (errors, _) => format!("{REMOVED}apicheck: {errors} of {total} package(s) could not be checked{REMOVED:#}"),
    };
    writeln!(out, "\n{verdict}")
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
            p.required_bump,
            p.declared_bump
        )?;
    }
    for p in report.packages.iter().filter(|p| !p.findings.is_empty() || !p.violations.is_empty() || p.error.is_some()) {
        writeln!(out, "\n<details><summary><code>{}</code>: {} finding(s), {} violation(s)</summary>\n", p.name, p.findings.len(), p.violations.len())?;
        if let Some(error) = &p.error {
            writeln!(out, "```text\n{}\n```\n", error.trim_end())?;
        }
        for v in &p.violations {
            writeln!(out, "- ❌ **{}**: {}<br>**Fix:** {}", v.rule, escape_markdown(&v.message), escape_markdown(&v.fix))?;
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
            writeln!(out, "- **{}** `{}` `{}`{place}{acknowledged}: {}", f.required_bump, f.path, f.id, escape_markdown(&f.message))?;
        }
        writeln!(out, "\n</details>")?;
    }
    Ok(())
}

/// One line of Markdown: messages quote code in backticks, where `<` and `|` are safe; only a
/// line break would end the list item.
fn escape_markdown(text: &str) -> String {
    text.replace('\n', " ")
}
