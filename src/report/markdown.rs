//! The Markdown rendering of `check`, for a pull request comment or a job summary.

use super::*;

/// The Markdown rendering of `check`, for a pull-request comment or a job summary: a table of
/// packages and verdicts, the details folded per package.
pub fn write_check_markdown(out: &mut dyn Write, report: &CheckReport) -> io::Result<()> {
    let failed = report.packages.iter().filter(|p| matches!(p.status, Status::Fail | Status::Error)).count();
    let headline = if report.passed {
        format!("✅ all {} package(s) pass", report.packages.len())
    } else if failed == 0 {
        let mut broken = Vec::new();
        if !report.dependencies.is_empty() {
            broken.push(format!("{} dependency rule violation(s)", report.dependencies.len()));
        }
        if !report.violations.is_empty() {
            broken.push(format!("{} workspace rule violation(s)", report.violations.len()));
        }
        format!("❌ {}", broken.join(", "))
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
            writeln!(out, "  {}[\"{node}\"]{class}", super::graph::mermaid_node(node))?;
        }
        for (from, to) in &affected.edges {
            writeln!(out, "  {} --> {}", super::graph::mermaid_node(from), super::graph::mermaid_node(to))?;
        }
        writeln!(out, "  classDef changed fill:#fde2e1,stroke:#d73a49\n  classDef checked fill:#fff5d1,stroke:#b08800\n```")?;
    }
    if !report.dependencies.is_empty() {
        writeln!(out, "\n**Dependency rules**\n")?;
        for v in &report.dependencies {
            let place = v.line.map(|line| format!("{}:{line}", v.file)).unwrap_or_else(|| v.file.clone());
            let fix = if v.fix.is_empty() { String::new() } else { format!("<br>**Fix:** {}", escape_markdown(&v.fix)) };
            writeln!(out, "- ❌ **{}** `{}` → `{}` ({place}): {}{fix}", v.rule, v.from, v.to, escape_markdown(&v.message))?;
        }
        if let Some(graph) = &report.dependency_graph {
            writeln!(out, "\nThe package graph, edges that break a rule in red:\n\n```mermaid")?;
            super::write_deps_mermaid(out, graph)?;
            writeln!(out, "```")?;
        }
    }
    if !report.violations.is_empty() {
        writeln!(out, "\n**Workspace rules**\n")?;
        for v in &report.violations {
            writeln!(out, "- ❌ **{}**: {}{}<br>**Fix:** {}", v.rule, escape_markdown(&v.message), escape_markdown(&place(v)), escape_markdown(&v.fix))?;
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
            let surfaces = escape_markdown(&surfaces_text(f));
            writeln!(out, "- **{bump}** `{}` `{}`{surfaces}{place}{acknowledged}: {}", f.path, f.id, escape_markdown(&f.message))?;
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
