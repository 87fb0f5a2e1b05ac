//! The package graph drawn for people: Mermaid (rendered by GitHub in Markdown) and Graphviz
//! DOT, members grouped as [`DepGraph`] says, edges that break a rule in red and labelled with
//! the rule.

use super::*;

use crate::policy::deps::{DepGraph, GraphEdge};
use crate::workspace::DepKind;

/// The colour of an edge that breaks a rule.
const VIOLATION_COLOUR: &str = "#d73a49";

/// `deps --format mermaid`: a Mermaid flowchart.
pub fn write_deps_mermaid(out: &mut dyn Write, graph: &DepGraph) -> io::Result<()> {
    writeln!(out, "flowchart LR")?;
    for (index, group) in graph.groups.iter().enumerate() {
        let indent = if group.label.is_empty() {
            "  "
        } else {
            writeln!(out, "  subgraph group{index}[\"{}\"]", mermaid_text(&group.label))?;
            "    "
        };
        for package in &group.packages {
            writeln!(out, "{indent}{}[\"{package}\"]", mermaid_node(package))?;
        }
        if !group.label.is_empty() {
            writeln!(out, "  end")?;
        }
    }
    let mut highlighted = Vec::new();
    for (index, edge) in graph.edges.iter().enumerate() {
        let label = edge_label(edge);
        let arrow = match (edge.missing, !edge.violations.is_empty(), edge.kind) {
            (true, _, _) => "-.->",
            (false, true, _) => "==>",
            (false, false, DepKind::Dev) => "-.->",
            (false, false, _) => "-->",
        };
        let label = if label.is_empty() { String::new() } else { format!("|\"{}\"|", mermaid_text(&label)) };
        writeln!(out, "  {} {arrow}{label} {}", mermaid_node(&edge.from), mermaid_node(&edge.to))?;
        if !edge.violations.is_empty() {
            highlighted.push(index.to_string());
        }
    }
    if !highlighted.is_empty() {
        writeln!(out, "  linkStyle {} stroke:{VIOLATION_COLOUR},stroke-width:3px,color:{VIOLATION_COLOUR}", highlighted.join(","))?;
    }
    Ok(())
}

/// `deps --format dot`: a Graphviz digraph (`dot -Tsvg`).
pub fn write_deps_dot(out: &mut dyn Write, graph: &DepGraph) -> io::Result<()> {
    writeln!(out, "digraph dependencies {{")?;
    writeln!(out, "  rankdir=LR;")?;
    writeln!(out, "  node [shape=box];")?;
    for (index, group) in graph.groups.iter().enumerate() {
        if group.label.is_empty() {
            for package in &group.packages {
                writeln!(out, "  {};", dot_string(package))?;
            }
            continue;
        }
        writeln!(out, "  subgraph cluster_{index} {{")?;
        writeln!(out, "    label={};", dot_string(&group.label))?;
        for package in &group.packages {
            writeln!(out, "    {};", dot_string(package))?;
        }
        writeln!(out, "  }}")?;
    }
    for edge in &graph.edges {
        let mut attributes = Vec::new();
        if edge.kind == DepKind::Dev || edge.missing {
            attributes.push("style=dashed".to_string());
        }
        if !edge.violations.is_empty() {
            attributes.push(format!("color={}", dot_string(VIOLATION_COLOUR)));
            attributes.push(format!("fontcolor={}", dot_string(VIOLATION_COLOUR)));
            attributes.push("penwidth=2".to_string());
        }
        let label = edge_label(edge);
        if !label.is_empty() {
            attributes.push(format!("label={}", dot_string(&label)));
        }
        let attributes = if attributes.is_empty() { String::new() } else { format!(" [{}]", attributes.join(", ")) };
        writeln!(out, "  {} -> {}{attributes};", dot_string(&edge.from), dot_string(&edge.to))?;
    }
    writeln!(out, "}}")
}

/// What an edge is labelled with: its kind when not normal, `optional`, the rules it breaks.
fn edge_label(edge: &GraphEdge) -> String {
    let mut parts: Vec<String> = Vec::new();
    match edge.kind {
        DepKind::Normal => {}
        DepKind::Dev => parts.push("dev".into()),
        DepKind::Build => parts.push("build".into()),
    }
    if edge.optional {
        parts.push("optional".into());
    }
    if edge.missing {
        parts.push("missing".into());
    }
    parts.extend(edge.violations.iter().cloned());
    parts.join(", ")
}

/// A Mermaid node id: package names may hold `-`, which Mermaid reads as an edge, and may be a
/// Mermaid keyword (`end`), so every id has a prefix.
pub(super) fn mermaid_node(name: &str) -> String {
    format!("pkg_{}", name.replace(|c: char| !c.is_ascii_alphanumeric(), "_"))
}

/// Text inside a quoted Mermaid label: a `"` would end it.
fn mermaid_text(text: &str) -> String {
    text.replace('"', "#quot;")
}

/// A DOT quoted string.
fn dot_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
