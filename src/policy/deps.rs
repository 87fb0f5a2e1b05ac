//! Dependency rules between workspace packages: no cycles (normal, build and dev edges alike),
//! the governance document's boundary for `packages/`, and configured rules by path globs or
//! tags (forbidden edges, allow-lists, layers).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use globset::GlobMatcher;
use serde::{Deserialize, Serialize};

use crate::workspace::{DepKind, Package, Workspace};

/// `[workspace.metadata.apicheck.deps]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DepsConfig {
    /// The governance document's rules: no cycles; packages under `packages/` depend only on
    /// other packages (never on `backend/interfaces`, `frontend` or other workspace crates).
    #[serde(default = "yes")]
    pub builtin: bool,
    /// A cycle that goes through a dev-dependency, which cargo allows (a proc-macro crate
    /// tested through the facade that re-exports it): a violation (`deny`, the default: the
    /// governance document forbids cycles between packages), a warning, or ignored.
    #[serde(default)]
    pub dev_cycles: DevCycles,
    /// Named groups of packages, usable as `tag:NAME` in rules.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, Vec<String>>,
    /// Edges that must not exist.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forbid: Vec<ForbidRule>,
    /// Packages matching `from` may depend only on workspace packages matching one of `to`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<AllowRule>,
    /// Layers, lowest first: a package may depend on packages of its own layer or lower ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<String>,
    /// Violations the repository accepts for now, each with its reason (`init` records those a
    /// repository already has): reported, not failed; one that no longer occurs is stale.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known: Vec<KnownViolation>,
}

impl Default for DepsConfig {
    fn default() -> Self {
        DepsConfig { builtin: true, dev_cycles: DevCycles::Deny, tags: BTreeMap::new(), forbid: Vec::new(), allow: Vec::new(), layers: Vec::new(), known: Vec::new() }
    }
}

/// What a dependency cycle through a dev-dependency is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DevCycles {
    /// A violation of `no-cycles`, like any other cycle.
    #[default]
    Deny,
    /// Reported as a warning; it does not fail `check` or `deps`.
    Warn,
    /// Not reported.
    Allow,
}

impl DevCycles {
    pub fn as_str(self) -> &'static str {
        match self {
            DevCycles::Deny => "deny",
            DevCycles::Warn => "warn",
            DevCycles::Allow => "allow",
        }
    }
}

/// `[[workspace.metadata.apicheck.deps.known]]`: a violation accepted for now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct KnownViolation {
    pub rule: String,
    pub from: String,
    pub to: String,
    /// The kind of the edge (default: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<DepKind>,
    pub reason: String,
}

impl KnownViolation {
    fn matches(&self, violation: &DepViolation) -> bool {
        self.rule == violation.rule && self.from == violation.from && self.to == violation.to && self.kind.is_none_or(|k| k == violation.kind)
    }

    pub fn describe(&self) -> String {
        let kind = self.kind.map(|k| format!(" ({})", kind_name(k))).unwrap_or_default();
        format!("{}: {} → {}{kind}", self.rule, self.from, self.to)
    }
}

/// The dependency rules' verdict: what fails, what is only a warning (dev cycles under
/// `dev-cycles = "warn"`), what is accepted as known (with the reason), and the known entries
/// that match nothing any more.
#[derive(Debug, Clone, Default)]
pub struct DepsVerdict {
    pub violations: Vec<DepViolation>,
    pub warnings: Vec<DepViolation>,
    pub accepted: Vec<(DepViolation, String)>,
    pub stale: Vec<KnownViolation>,
}

/// Applies the rules and the known exceptions. An error is one line, whatever the values of the
/// configuration it quotes hold.
pub fn verdict(workspace: &Workspace, config: &DepsConfig) -> Result<DepsVerdict> {
    apply_known(workspace, config).map_err(crate::input::one_line)
}

fn apply_known(workspace: &Workspace, config: &DepsConfig) -> Result<DepsVerdict> {
    const RULES: [&str; 5] = ["no-cycles", "packages-boundary", "forbid", "allow", "layers"];
    for known in &config.known {
        if !RULES.contains(&known.rule.as_str()) {
            anyhow::bail!("[[workspace.metadata.apicheck.deps.known]] names the rule `{}`; the rules are {}", known.rule, RULES.join(", "));
        }
        if known.reason.trim().is_empty() {
            anyhow::bail!("[[workspace.metadata.apicheck.deps.known]] `{}` has an empty `reason`: say why it is accepted", known.describe());
        }
    }
    let mut verdict = DepsVerdict::default();
    let found = violations(workspace, config)?;
    for (violation, warning) in found.denied.into_iter().map(|v| (v, false)).chain(found.warned.into_iter().map(|v| (v, true))) {
        match config.known.iter().find(|known| known.matches(&violation)) {
            Some(known) => verdict.accepted.push((violation, known.reason.clone())),
            None if warning => verdict.warnings.push(violation),
            None => verdict.violations.push(violation),
        }
    }
    verdict.stale = config
        .known
        .iter()
        .filter(|known| !verdict.accepted.iter().any(|(violation, _)| known.matches(violation)))
        .cloned()
        .collect();
    Ok(verdict)
}

/// The TOML entries that accept `violations` as known, for `init`.
pub fn known_toml(violations: &[DepViolation]) -> String {
    let mut text = String::new();
    for violation in violations {
        text.push_str(&format!(
            "\n[[workspace.metadata.apicheck.deps.known]]\nrule = \"{}\"\nfrom = \"{}\"\nto = \"{}\"\nkind = \"{}\"\n\
             reason = \"existing when apicheck was adopted: say why it is accepted, or remove the dependency\"\n",
            violation.rule,
            violation.from,
            violation.to,
            kind_name(violation.kind)
        ));
    }
    text
}

fn kind_name(kind: DepKind) -> &'static str {
    match kind {
        DepKind::Normal => "normal",
        DepKind::Dev => "dev",
        DepKind::Build => "build",
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ForbidRule {
    pub from: String,
    pub to: String,
    /// Which kinds of edge the rule covers (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<DepKind>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AllowRule {
    pub from: String,
    pub to: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A dependency that breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DepViolation {
    /// `no-cycles`, `packages-boundary`, `forbid`, `allow` or `layers`.
    pub rule: String,
    pub from: String,
    pub to: String,
    pub kind: DepKind,
    /// The manifest that declares the dependency, relative to the workspace root.
    pub file: String,
    /// The line of the dependency in that manifest.
    pub line: Option<usize>,
    pub message: String,
}

/// How errors name the rules of this module.
const RULE: &str = "a dependency rule";

/// A package selector: `tag:NAME`, or a glob over the member's directory (relative to the
/// workspace root) or its name. Dependency and exposure rules select packages with it.
pub(crate) struct Selector {
    globs: Vec<GlobMatcher>,
}

impl Selector {
    /// `what` names the rule the selector is part of, for errors (`a dependency rule`).
    pub(crate) fn new(text: &str, tags: &BTreeMap<String, Vec<String>>, what: &str) -> Result<Selector> {
        let patterns: Vec<String> = match text.strip_prefix("tag:") {
            Some(tag) => tags
                .get(tag)
                .with_context(|| format!("{what} names `tag:{tag}`, which [workspace.metadata.apicheck.deps.tags] does not define"))?
                .clone(),
            None => vec![text.to_string()],
        };
        let globs = patterns
            .iter()
            .map(|p| crate::policy::config::path_glob(p).map(|g| g.compile_matcher()).with_context(|| format!("`{p}` in {what} is not a valid glob")))
            .collect::<Result<_>>()?;
        Ok(Selector { globs })
    }

    fn matches(&self, package: &Node) -> bool {
        self.matches_name_or_dir(&package.name, &package.dir)
    }

    /// Whether `package` of `workspace` is selected.
    pub(crate) fn matches_package(&self, workspace: &Workspace, package: &Package) -> bool {
        self.matches_name_or_dir(&package.name, &relative_dir(workspace, package))
    }

    fn matches_name_or_dir(&self, name: &str, dir: &str) -> bool {
        self.globs.iter().any(|g| g.is_match(dir) || g.is_match(name))
    }
}

/// A member's directory relative to the workspace root, with `/` separators.
fn relative_dir(workspace: &Workspace, package: &Package) -> String {
    package.dir.strip_prefix(&workspace.root).unwrap_or(&package.dir).to_string_lossy().replace('\\', "/")
}

/// A workspace member as the rules see it.
struct Node<'w> {
    package: &'w Package,
    name: String,
    /// The directory relative to the workspace root, with `/` separators.
    dir: String,
}

/// Every dependency rule violation in the workspace, sorted (dev cycles under `dev-cycles =
/// "warn"` are not violations). An error is one line, whatever the values of the configuration
/// it quotes hold.
pub fn check(workspace: &Workspace, config: &DepsConfig) -> Result<Vec<DepViolation>> {
    violations(workspace, config).map(|found| found.denied).map_err(crate::input::one_line)
}

/// The violations, and the dev cycles that are only warned about.
struct Found {
    denied: Vec<DepViolation>,
    warned: Vec<DepViolation>,
}

fn violations(workspace: &Workspace, config: &DepsConfig) -> Result<Found> {
    let nodes: Vec<Node> = workspace
        .members
        .iter()
        .map(|package| Node {
            package,
            name: package.name.clone(),
            dir: relative_dir(workspace, package),
        })
        .collect();
    let by_name: BTreeMap<&str, &Node> = nodes.iter().map(|n| (n.name.as_str(), n)).collect();
    let mut edges: Vec<(&Node, &Node, DepKind)> = Vec::new();
    for from in &nodes {
        for dep in &from.package.dependencies {
            if let Some(to) = dep.member.as_deref().and_then(|member| by_name.get(member)) {
                edges.push((from, *to, dep.kind));
            }
        }
    }
    let mut manifests = ManifestLines::default();
    let mut violations = Vec::new();
    let mut warned = Vec::new();
    let mut locate = |rule: &str, from: &Node, to: &Node, kind: DepKind, message: String| {
        let (file, line) = manifests.locate(workspace, from.package, &to.name, kind);
        DepViolation { rule: rule.to_string(), from: from.name.clone(), to: to.name.clone(), kind, file, line, message }
    };

    if config.builtin {
        // Cycles without a dev edge first (cargo refuses most of them, build edges aside):
        // always violations. Then the cycles that need a dev edge, as `dev-cycles` says.
        let without_dev: Vec<_> = edges.iter().copied().filter(|(_, _, kind)| *kind != DepKind::Dev).collect();
        let mut found: Vec<(Vec<_>, bool)> = cycles(&nodes, &without_dev).into_iter().map(|cycle| (cycle, false)).collect();
        if config.dev_cycles != DevCycles::Allow {
            let through_dev = cycles(&nodes, &edges).into_iter().filter(|cycle| cycle.iter().any(|(_, _, kind)| *kind == DepKind::Dev));
            found.extend(through_dev.map(|cycle| (cycle, config.dev_cycles == DevCycles::Warn)));
        }
        for (cycle, warning) in found {
            // Point at a dev or build edge when the cycle has one: that is usually the edge to cut.
            let (from, to, kind) = cycle.iter().copied().find(|(_, _, k)| *k != DepKind::Normal).unwrap_or(cycle[0]);
            // Every member in order, back to the first: `a → b (dev) → a` (the kind of the edge
            // into each member after it).
            let mut members = cycle[0].0.name.clone();
            for (_, target, edge_kind) in &cycle {
                members.push_str(&format!(" → {}{}", target.name, kind_suffix(*edge_kind)));
            }
            let message = format!("dependency cycle: {members}");
            let found = locate("no-cycles", from, to, kind, message);
            if warning { warned.push(found) } else { violations.push(found) }
        }
        for (from, to, kind) in &edges {
            if from.dir.starts_with("packages/") && !to.dir.starts_with("packages/") {
                let what = if to.dir == "backend/interfaces" || to.dir.starts_with("backend/interfaces/") {
                    "backend/interfaces".to_string()
                } else if to.dir == "frontend" || to.dir.starts_with("frontend/") {
                    "frontend code".to_string()
                } else {
                    format!("`{}`, a workspace crate that is not a package", to.dir)
                };
                violations.push(locate(
                    "packages-boundary",
                    from,
                    to,
                    *kind,
                    format!("package `{}` depends on {what} (`{}`): packages may depend only on other packages", from.name, to.name),
                ));
            }
        }
    }
    for rule in &config.forbid {
        let (from_sel, to_sel) = (Selector::new(&rule.from, &config.tags, RULE)?, Selector::new(&rule.to, &config.tags, RULE)?);
        for (from, to, kind) in &edges {
            let kind_covered = rule.kinds.as_ref().is_none_or(|kinds| kinds.contains(kind));
            if kind_covered && from_sel.matches(from) && to_sel.matches(to) {
                let reason = rule.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
                violations.push(locate("forbid", from, to, *kind, format!("`{}` must not depend on `{}` (forbidden: {} → {}){reason}", from.name, to.name, rule.from, rule.to)));
            }
        }
    }
    for rule in &config.allow {
        let from_sel = Selector::new(&rule.from, &config.tags, RULE)?;
        let allowed: Vec<Selector> = rule.to.iter().map(|t| Selector::new(t, &config.tags, RULE)).collect::<Result<_>>()?;
        for (from, to, kind) in &edges {
            if from_sel.matches(from) && !allowed.iter().any(|s| s.matches(to)) {
                let reason = rule.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
                violations.push(locate("allow", from, to, *kind, format!("`{}` may depend only on {} and depends on `{}`{reason}", from.name, rule.to.join(", "), to.name)));
            }
        }
    }
    if !config.layers.is_empty() {
        let layers: Vec<Selector> = config.layers.iter().map(|l| Selector::new(l, &config.tags, RULE)).collect::<Result<_>>()?;
        let layer_of = |node: &Node| layers.iter().position(|l| l.matches(node));
        for (from, to, kind) in &edges {
            if let (Some(from_layer), Some(to_layer)) = (layer_of(from), layer_of(to))
                && to_layer > from_layer
            {
                violations.push(locate(
                    "layers",
                    from,
                    to,
                    *kind,
                    format!(
                        "`{}` (layer {}, `{}`) depends on `{}` from the higher layer {} (`{}`)",
                        from.name,
                        from_layer + 1,
                        config.layers[from_layer],
                        to.name,
                        to_layer + 1,
                        config.layers[to_layer]
                    ),
                ));
            }
        }
    }
    Ok(Found { denied: sorted(violations), warned: sorted(warned) })
}

/// Sorted, and several cycles through one edge made one thing to fix.
fn sorted(mut violations: Vec<DepViolation>) -> Vec<DepViolation> {
    violations.sort_by(|a, b| (&a.rule, &a.from, &a.to, a.kind).cmp(&(&b.rule, &b.from, &b.to, b.kind)));
    violations.dedup_by(|later, earlier| (&later.rule, &later.from, &later.to, later.kind) == (&earlier.rule, &earlier.from, &earlier.to, earlier.kind));
    violations
}

fn kind_suffix(kind: DepKind) -> &'static str {
    match kind {
        DepKind::Normal => "",
        DepKind::Dev => " (dev)",
        DepKind::Build => " (build)",
    }
}

/// One cycle per strongly connected component with more than one package (or a self edge),
/// as the list of its edges.
fn cycles<'a>(nodes: &'a [Node<'a>], edges: &[(&'a Node<'a>, &'a Node<'a>, DepKind)]) -> Vec<Vec<(&'a Node<'a>, &'a Node<'a>, DepKind)>> {
    let index: BTreeMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.name.as_str(), i)).collect();
    let mut out_edges: Vec<Vec<(usize, DepKind)>> = vec![Vec::new(); nodes.len()];
    for (from, to, kind) in edges {
        out_edges[index[from.name.as_str()]].push((index[to.name.as_str()], *kind));
    }
    let mut reported: BTreeSet<usize> = BTreeSet::new();
    let mut cycles = Vec::new();
    for start in 0..nodes.len() {
        if reported.contains(&start) {
            continue;
        }
        // A shortest path from `start` back to itself, by breadth-first search.
        let mut previous: Vec<Option<(usize, DepKind)>> = vec![None; nodes.len()];
        let mut queue = std::collections::VecDeque::from([start]);
        let mut seen = vec![false; nodes.len()];
        let mut closing = None;
        'search: while let Some(current) = queue.pop_front() {
            for &(next, kind) in &out_edges[current] {
                if next == start {
                    closing = Some((current, kind));
                    break 'search;
                }
                if !seen[next] {
                    seen[next] = true;
                    previous[next] = Some((current, kind));
                    queue.push_back(next);
                }
            }
        }
        let Some((last, closing_kind)) = closing else { continue };
        let mut path = vec![(last, start, closing_kind)];
        let mut at = last;
        while at != start {
            let (before, kind) = previous[at].expect("every node on the path has a predecessor");
            path.push((before, at, kind));
            at = before;
        }
        path.reverse();
        reported.extend(path.iter().map(|(from, _, _)| *from));
        cycles.push(path.into_iter().map(|(f, t, k)| (&nodes[f], &nodes[t], k)).collect());
    }
    cycles
}

/// Finds the line that declares a dependency, reading each manifest once.
#[derive(Default)]
struct ManifestLines {
    texts: BTreeMap<std::path::PathBuf, String>,
}

impl ManifestLines {
    fn locate(&mut self, workspace: &Workspace, package: &Package, dependency: &str, kind: DepKind) -> (String, Option<usize>) {
        let file = package.manifest_path.strip_prefix(&workspace.root).unwrap_or(&package.manifest_path).to_string_lossy().replace('\\', "/");
        let text = self.texts.entry(package.manifest_path.clone()).or_insert_with(|| std::fs::read_to_string(&package.manifest_path).unwrap_or_default());
        let key = package
            .dependencies
            .iter()
            .find(|d| d.member.as_deref() == Some(dependency) && d.kind == kind)
            .map(|d| d.rename.clone().unwrap_or_else(|| d.name.clone()))
            .unwrap_or_else(|| dependency.to_string());
        (file, dependency_line(text, &key, kind))
    }
}

/// The 1-based line declaring dependency `key` of `kind` in a manifest's text.
pub fn dependency_line(text: &str, key: &str, kind: DepKind) -> Option<usize> {
    let table = match kind {
        DepKind::Normal => "dependencies",
        DepKind::Dev => "dev-dependencies",
        DepKind::Build => "build-dependencies",
    };
    let mut in_table = false;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix('[').and_then(|h| h.split(']').next()) {
            let header = header.trim_matches(|c| c == '[' || c == ' ');
            let last = header.rsplit('.').next().unwrap_or(header);
            // `[dependencies.core-utils]` declares it on the header line itself.
            if header.ends_with(&format!("{table}.{key}")) || header.ends_with(&format!("{table}.\"{key}\"")) {
                return Some(index + 1);
            }
            in_table = last == table;
            continue;
        }
        if in_table {
            let name = trimmed.split(['=', '.']).next().unwrap_or_default().trim().trim_matches('"');
            if name == key {
                return Some(index + 1);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_lines_are_found_in_every_table_style() {
        let manifest = "[package]\nname = \"a\"\n\n[dependencies]\ncore-utils = { workspace = true }\nvalidation.workspace = true\n\n[dev-dependencies]\nauth-core = { path = \"../auth-core\" }\n\n[build-dependencies.codegen]\npath = \"../codegen\"\n\n[target.'cfg(unix)'.dependencies]\nunix-only = \"1\"\n";
        assert_eq!(dependency_line(manifest, "core-utils", DepKind::Normal), Some(5));
        assert_eq!(dependency_line(manifest, "validation", DepKind::Normal), Some(6));
        assert_eq!(dependency_line(manifest, "auth-core", DepKind::Dev), Some(9));
        assert_eq!(dependency_line(manifest, "auth-core", DepKind::Normal), None);
        assert_eq!(dependency_line(manifest, "codegen", DepKind::Build), Some(11));
        assert_eq!(dependency_line(manifest, "unix-only", DepKind::Normal), Some(15));
    }
}
