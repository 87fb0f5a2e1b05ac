//! The human renderings (styled text): `diff`, `check`, and `release --dry-run`'s diffs.

use super::*;

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
    let surfaces = surfaces_text(finding);
    writeln!(out, "  {style}{:<5}{style:#} {}{advisory}{surfaces}  {DIM}[{}]{DIM:#}{location}", finding.required_bump.label(version), finding.path, finding.id)?;
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
            let surfaces = surfaces_text(finding);
            writeln!(out, "    {style}{:<5}{style:#} {}{status}{surfaces}  {DIM}[{}]{DIM:#}{place}", finding.required_bump.label(baseline.as_ref()), finding.path, finding.id)?;
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
            if !v.fix.is_empty() {
                writeln!(out, "    {HEADING}fix:{HEADING:#} {}", v.fix)?;
            }
        }
    }
    if !report.violations.is_empty() {
        writeln!(out, "\n{HEADING}Workspace rules{HEADING:#}")?;
        for violation in &report.violations {
            writeln!(out, "  {REMOVED}✗ {}{REMOVED:#}: {}{}", violation.rule, violation.message, place(violation))?;
            writeln!(out, "    {HEADING}fix:{HEADING:#} {}", violation.fix)?;
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
    if !report.documented_surfaces.is_empty() {
        let surfaces: Vec<String> =
            report.documented_surfaces.iter().map(|(surface, packages)| format!("{surface} ({})", packages.join(", "))).collect();
        writeln!(out, "{DIM}rustdoc: feature surfaces documented: {}{DIM:#}", surfaces.join("; "))?;
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

/// `apicheck surface`: per package, its item counts by kind, hidden items, other crates' paths
/// and the surface rules' verdicts with their fixes.
pub fn write_surface_human(out: &mut dyn Write, summaries: &[crate::policy::surface::SurfaceSummary]) -> io::Result<()> {
    for (index, summary) in summaries.iter().enumerate() {
        if index > 0 {
            writeln!(out)?;
        }
        let total: usize = summary.counts.values().sum();
        writeln!(out, "{HEADING}{}{HEADING:#}  {total} public item(s)", summary.package)?;
        let counts: Vec<String> = summary.counts.iter().map(|(kind, count)| format!("{count} {kind}")).collect();
        writeln!(out, "  items: {}", if counts.is_empty() { "none".to_string() } else { counts.join(", ") })?;
        writeln!(out, "  hidden (#[doc(hidden)]): {}", summary.hidden.len())?;
        for item in &summary.hidden {
            let place = item.span.as_ref().map(|span| format!("  {DIM}{}:{}{DIM:#}", span.file, span.line)).unwrap_or_default();
            writeln!(out, "    {} {}{place}", item.kind, item.path)?;
        }
        writeln!(out, "  other crates' paths shown: {}", summary.external.len())?;
        for shown in &summary.external {
            writeln!(out, "    {} in {}", shown.external, shown.item)?;
        }
        writeln!(out, "  glob re-exports: {}", summary.glob_reexports.len())?;
        for glob in &summary.glob_reexports {
            let hidden = if glob.hidden { " (hidden)" } else { "" };
            let place = glob.span.as_ref().map(|span| format!("  {DIM}{}:{}{DIM:#}", span.file, span.line)).unwrap_or_default();
            writeln!(out, "    pub use {}::* in {}{hidden}{place}", glob.source, glob.module)?;
        }
        if !summary.skipped.is_empty() {
            writeln!(out, "  {DIM}skipped by [workspace.metadata.apicheck.surface]: {}{DIM:#}", summary.skipped.join(", "))?;
        }
        if summary.violations.is_empty() {
            let which = if summary.skipped.is_empty() { "surface rules hold" } else { "the other surface rules hold" };
            writeln!(out, "  {ADDED}✓ {which}{ADDED:#}")?;
        }
        for violation in &summary.violations {
            writeln!(out, "  {REMOVED}✗ {}{REMOVED:#}: {}{}", violation.rule, violation.message, place(violation))?;
            writeln!(out, "    {HEADING}fix:{HEADING:#} {}", violation.fix)?;
        }
    }
    Ok(())
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
