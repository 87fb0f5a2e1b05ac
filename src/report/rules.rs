//! The renderings of the rule catalog: `apicheck rules` and `apicheck explain`.

use super::*;

/// `apicheck rules`: apicheck's rules, then the cargo-semver-checks lints it runs, one line
/// each: id, the bumps it can require, its default level, its summary; then the governance
/// rules: id, summary and the table that configures it.
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
    let governance: Vec<&Entry> = entries.iter().filter(|entry| entry.source == Origin::Governance).collect();
    let width = governance.iter().map(|entry| entry.id.len()).max().unwrap_or(0);
    writeln!(out, "{HEADING}apicheck's governance rules ({}): violations fail `check`{HEADING:#}", governance.len())?;
    for entry in governance {
        writeln!(out, "  {:<width$}  {}  {DIM}{}{DIM:#}", entry.id, entry.summary, entry.configuration.as_deref().unwrap_or_default())?;
    }
    writeln!(out)?;
    writeln!(out, "{DIM}`apicheck explain ID` shows one with its reference and an example.{DIM:#}")
}

/// `apicheck explain ID`: one rule or lint, with its reference, the ids that report the same
/// break, and, for a rule, its fixture pair as a diff of the old and new source.
pub fn write_explain(out: &mut dyn Write, entry: &Entry, example: Option<&Example>) -> io::Result<()> {
    let what = match entry.source {
        Origin::Apicheck => "apicheck rule",
        Origin::CargoSemverChecks => "cargo-semver-checks lint",
        Origin::Governance => "apicheck governance rule",
    };
    writeln!(out, "{HEADING}{}{HEADING:#}  {DIM}({what}){DIM:#}", entry.id)?;
    writeln!(out, "  {}", entry.summary.trim())?;
    writeln!(out)?;
    if let Some(configuration) = &entry.configuration {
        writeln!(out, "  a violation:    fails `check` (exit 1), with its fix")?;
        writeln!(out, "  configured in:  {configuration}")?;
    } else {
        writeln!(out, "  requires:       {}", bumps_text(&entry.required_bump))?;
        writeln!(out, "  default level:  {}", level_text(entry.default_level))?;
    }
    if let Some(reference) = &entry.reference {
        writeln!(out, "  reference:      {reference}")?;
    }
    if !entry.equivalent.is_empty() {
        let label = match entry.source {
            Origin::Apicheck | Origin::Governance => "same break as:  cargo-semver-checks",
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
        Some(Example::Workspace { file, test }) if entry.source == Origin::Governance => {
            writeln!(out, "\n{HEADING}Example{HEADING:#}: shown by the test `{test}` in {file}")?;
        }
        Some(Example::Workspace { file, test }) => {
            writeln!(out, "\n{HEADING}Example{HEADING:#}: a rule about a whole workspace, shown by the test `{test}` in {file}")?;
        }
        None if entry.source == Origin::Apicheck => writeln!(out, "\n{DIM}No fixture pair shows this rule yet.{DIM:#}")?,
        None if entry.source == Origin::Governance => writeln!(out, "\n{DIM}No test shows this rule yet.{DIM:#}")?,
        None => {}
    }
    Ok(())
}
