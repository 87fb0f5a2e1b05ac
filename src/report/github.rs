//! GitHub Actions workflow commands: one annotation per finding and violation.

use super::*;

/// GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per
/// finding, policy violation, dependency violation and workspace violation (errors for what
/// fails the check), then the verdict line. The Markdown report goes to the job summary
/// (`$GITHUB_STEP_SUMMARY`) when the binary writes this format.
pub fn write_check_github(out: &mut dyn Write, report: &CheckReport) -> io::Result<()> {
    for package in &report.packages {
        for finding in &package.findings {
            let command = match severity(package, finding) {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "notice",
            };
            let title = format!(
                "apicheck {}: {} ({}){}",
                package.name,
                finding.id,
                finding.required_bump.label(baseline_version(package).as_ref()),
                surfaces_text(finding)
            );
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
        let message = if violation.fix.is_empty() { violation.message.clone() } else { format!("{} Fix: {}", violation.message, violation.fix) };
        annotation(out, "error", Some(&violation.file), violation.line.and_then(|l| u32::try_from(l).ok()), &title, &message)?;
    }
    for violation in &report.violations {
        let title = format!("apicheck workspace rule {}", violation.rule);
        annotation(out, "error", violation.file.as_deref(), violation.line, &title, &format!("{} Fix: {}", violation.message, violation.fix))?;
    }
    if let Some(command) = crate::gate::release::fix_command(report) {
        let message = format!("run `{command}` (add --dry-run to see the edits first), then `apicheck baseline`, commit and tag");
        annotation(out, "notice", None, None, "apicheck: the fix", &message)?;
    }
    writeln!(out, "{}", verdict_line(report))
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
