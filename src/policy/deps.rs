//! Dependency rules between workspace packages: no cycles (normal, build and dev edges alike),
//! the governance document's boundary for `packages/`, and configured rules by path globs,
//! captures or tags (forbidden edges, allow-lists, required edges, layers), each by dependency
//! kind.

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
    /// Edges that must exist: every package matching `from` depends on one matching `to`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<RequiredRule>,
    /// Layers, lowest first: a package may depend on packages of its own layer or lower ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<String>,
    /// Violations the repository accepts for now, each with its reason (`init` records those a
    /// repository already has): reported, not failed; one that no longer occurs is stale.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known: Vec<KnownViolation>,
    /// What a known violation that no longer occurs is: a note (`warn`, the default) or a
    /// violation (`fail`), so the list shrinks as the code is fixed.
    #[serde(default)]
    pub stale_known: StaleKnown,
}

impl Default for DepsConfig {
    fn default() -> Self {
        DepsConfig {
            builtin: true,
            dev_cycles: DevCycles::Deny,
            tags: BTreeMap::new(),
            forbid: Vec::new(),
            allow: Vec::new(),
            required: Vec::new(),
            layers: Vec::new(),
            known: Vec::new(),
            stale_known: StaleKnown::Warn,
        }
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

/// What a stale known violation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StaleKnown {
    /// Reported as a note.
    #[default]
    Warn,
    /// A violation (rule `stale-known`): `check` and `deps` fail until the entry is removed.
    Fail,
}

impl StaleKnown {
    pub fn as_str(self) -> &'static str {
        match self {
            StaleKnown::Warn => "warn",
            StaleKnown::Fail => "fail",
        }
    }
}

/// The kinds of dependency a rule covers: the table that declares it (`normal`, `build`,
/// `dev`), or `optional`, any dependency declared `optional = true`. A rule naming `normal`
/// covers optional normal dependencies too; one naming only `optional` covers only those.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EdgeKind {
    Normal,
    Build,
    Dev,
    Optional,
}

impl EdgeKind {
    fn covers(self, kind: DepKind, optional: bool) -> bool {
        match self {
            EdgeKind::Normal => kind == DepKind::Normal,
            EdgeKind::Build => kind == DepKind::Build,
            EdgeKind::Dev => kind == DepKind::Dev,
            EdgeKind::Optional => optional,
        }
    }
}

/// Whether a rule's `kinds` (all kinds when unset) cover an edge.
fn covered(kinds: Option<&[EdgeKind]>, kind: DepKind, optional: bool) -> bool {
    kinds.is_none_or(|kinds| kinds.iter().any(|k| k.covers(kind, optional)))
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
    const RULES: [&str; 6] = ["no-cycles", "packages-boundary", "forbid", "allow", "required", "layers"];
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
    let stale = config.known.iter().enumerate().filter(|(_, known)| !verdict.accepted.iter().any(|(violation, _)| known.matches(violation)));
    match config.stale_known {
        StaleKnown::Warn => verdict.stale = stale.map(|(_, known)| known.clone()).collect(),
        StaleKnown::Fail => {
            let file = workspace.manifest_path.strip_prefix(&workspace.root).unwrap_or(&workspace.manifest_path).to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&workspace.manifest_path).unwrap_or_default();
            for (index, known) in stale {
                verdict.violations.push(DepViolation {
                    rule: "stale-known".to_string(),
                    from: known.from.clone(),
                    to: known.to.clone(),
                    kind: known.kind.unwrap_or(DepKind::Normal),
                    file: file.clone(),
                    line: known_entry_line(&text, index),
                    message: format!("the known exception `{}` no longer occurs (stale-known = \"fail\")", known.describe()),
                    fix: "remove the entry from [[workspace.metadata.apicheck.deps.known]]: the violation it accepted is gone".to_string(),
                });
            }
        }
    }
    Ok(verdict)
}

/// The 1-based line of the `index`-th `[[workspace.metadata.apicheck.deps.known]]` table of
/// the workspace manifest's text.
fn known_entry_line(text: &str, index: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.trim().replace(' ', "") == "[[workspace.metadata.apicheck.deps.known]]")
        .nth(index)
        .map(|(number, _)| number + 1)
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
    pub kinds: Option<Vec<EdgeKind>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AllowRule {
    pub from: String,
    pub to: Vec<String>,
    /// Which kinds of edge the rule covers (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<EdgeKind>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Every package matching `from` depends on a package matching `to` (not counting itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RequiredRule {
    pub from: String,
    pub to: String,
    /// Which kinds of edge satisfy it (default: `normal`: a dev-dependency does not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<EdgeKind>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A dependency that breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DepViolation {
    /// `no-cycles`, `packages-boundary`, `forbid`, `allow`, `required`, `layers` or
    /// `stale-known`.
    pub rule: String,
    pub from: String,
    /// The package depended on; for `required`, the rule's `to` (captures replaced).
    pub to: String,
    pub kind: DepKind,
    /// The manifest that declares the dependency, relative to the workspace root.
    pub file: String,
    /// The line of the dependency in that manifest.
    pub line: Option<usize>,
    pub message: String,
    /// How to fix it (empty in reports of apicheck before 0.4.0).
    #[serde(default)]
    pub fix: String,
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

/// A package pattern of a rule: a selector (glob, name or `tag:NAME`), or a glob with captures.
/// `{NAME}` matches a non-empty part of one path segment, like `*`; in `from` it captures that
/// part, in `to` the part must be the one `from` captured, and `{!NAME}` one that differs:
/// `from = "packages/{team}/*"`, `to = "packages/{!team}/*"` forbids every edge between two
/// teams' packages without listing pairs.
pub(crate) enum PackagePattern {
    Selector(Selector),
    Captures { regex: regex::Regex, groups: Vec<(String, Capture)> },
}

/// What a `{…}` group of a pattern does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Capture {
    /// `{NAME}` in `from`: binds NAME.
    Bind,
    /// `{NAME}` in `to`: the value `from` bound.
    Same,
    /// `{!NAME}` in `to`: any value but the one `from` bound.
    Different,
}

/// The values `from` captured, by name.
type Bindings = BTreeMap<String, String>;

impl PackagePattern {
    /// `bound`: for a `to` pattern, the names its rule's `from` captures (`None` for a `from`).
    fn new(text: &str, tags: &BTreeMap<String, Vec<String>>, bound: Option<&BTreeSet<String>>) -> Result<PackagePattern> {
        if !text.contains('{') || text.starts_with("tag:") {
            return Ok(PackagePattern::Selector(Selector::new(text, tags, RULE)?));
        }
        let mut regex = String::from("^");
        let mut groups = Vec::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' if chars.peek() == Some(&'*') => {
                    chars.next();
                    regex.push_str(".*");
                }
                '*' => regex.push_str("[^/]*"),
                '?' => regex.push_str("[^/]"),
                '{' => {
                    let group: String = chars.by_ref().take_while(|c| *c != '}').collect();
                    let (name, different) = match group.strip_prefix('!') {
                        Some(name) => (name, true),
                        None => (group.as_str(), false),
                    };
                    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        anyhow::bail!("`{text}` in {RULE}: `{{{group}}}` is not a capture (`{{NAME}}` or, in `to`, `{{!NAME}}`, NAME of letters, digits and `_`)");
                    }
                    let role = match (bound, different) {
                        (None, true) => anyhow::bail!("`{text}` in {RULE}: `{{!{name}}}` belongs in `to`; `from` captures with `{{{name}}}`"),
                        (None, false) => Capture::Bind,
                        (Some(bound), _) if !bound.contains(name) => {
                            anyhow::bail!("`{text}` in {RULE}: `{{{name}}}` is not captured by the rule's `from`")
                        }
                        (Some(_), true) => Capture::Different,
                        (Some(_), false) => Capture::Same,
                    };
                    if role == Capture::Bind && groups.iter().any(|(other, _)| other == name) {
                        anyhow::bail!("`{text}` in {RULE}: `{{{name}}}` is captured twice");
                    }
                    regex.push_str("([^/]+)");
                    groups.push((name.to_string(), role));
                }
                '[' | ']' | '}' => anyhow::bail!("`{text}` in {RULE}: a pattern with captures takes `*`, `**`, `?` and `{{NAME}}`, not `{c}`"),
                other => regex.push_str(&regex::escape(&other.to_string())),
            }
        }
        regex.push('$');
        let regex = regex::Regex::new(&regex).with_context(|| format!("`{text}` in {RULE} is not a valid pattern"))?;
        Ok(PackagePattern::Captures { regex, groups })
    }

    /// The names a `from` pattern captures.
    fn captured_names(&self) -> BTreeSet<String> {
        match self {
            PackagePattern::Selector(_) => BTreeSet::new(),
            PackagePattern::Captures { groups, .. } => groups.iter().filter(|(_, role)| *role == Capture::Bind).map(|(name, _)| name.clone()).collect(),
        }
    }

    /// Whether `node` matches, given what `from` captured (empty for `from` itself), and what
    /// this pattern captured: the member directory is tried first, then the name.
    fn matches(&self, node: &Node, bindings: &Bindings) -> Option<Bindings> {
        match self {
            PackagePattern::Selector(selector) => selector.matches(node).then(Bindings::new),
            PackagePattern::Captures { regex, groups } => [node.dir.as_str(), node.name.as_str()].into_iter().find_map(|text| {
                let captures = regex.captures(text)?;
                let mut captured = Bindings::new();
                for (index, (name, role)) in groups.iter().enumerate() {
                    let value = captures.get(index + 1)?.as_str();
                    let holds = match role {
                        Capture::Bind => captured.insert(name.clone(), value.to_string()).is_none(),
                        Capture::Same => bindings.get(name).is_some_and(|bound| bound == value),
                        Capture::Different => bindings.get(name).is_some_and(|bound| bound != value),
                    };
                    if !holds {
                        return None;
                    }
                }
                Some(captured)
            }),
        }
    }

    /// A `to` pattern with what `from` captured written in (`{!NAME}` stays), for messages.
    fn describe(text: &str, bindings: &Bindings) -> String {
        bindings.iter().fold(text.to_string(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
    }
}

/// A rule's `from` and its `to` patterns, the `to` ones knowing what `from` captures.
fn from_and_to(from: &str, to: &[String], tags: &BTreeMap<String, Vec<String>>) -> Result<(PackagePattern, Vec<PackagePattern>)> {
    let from = PackagePattern::new(from, tags, None)?;
    let names = from.captured_names();
    let to = to.iter().map(|t| PackagePattern::new(t, tags, Some(&names))).collect::<Result<_>>()?;
    Ok((from, to))
}

/// A dependency edge between two workspace members.
#[derive(Clone, Copy)]
struct Edge<'a> {
    from: &'a Node<'a>,
    to: &'a Node<'a>,
    kind: DepKind,
    optional: bool,
}

/// Checks the configured rules' patterns (captures, tags, globs): an error names the pattern.
pub fn validate(config: &DepsConfig) -> Result<()> {
    for rule in &config.forbid {
        from_and_to(&rule.from, std::slice::from_ref(&rule.to), &config.tags)?;
    }
    for rule in &config.allow {
        from_and_to(&rule.from, &rule.to, &config.tags)?;
    }
    for rule in &config.required {
        from_and_to(&rule.from, std::slice::from_ref(&rule.to), &config.tags)?;
    }
    for layer in &config.layers {
        Selector::new(layer, &config.tags, RULE)?;
    }
    Ok(())
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
    let edges = member_edges(&nodes);
    let mut manifests = ManifestLines::default();
    let mut violations = Vec::new();
    let mut warned = Vec::new();
    let mut locate = |rule: &str, edge: &Edge, message: String, fix: String| {
        let (file, line) = manifests.locate(workspace, edge.from.package, &edge.to.name, edge.kind);
        DepViolation { rule: rule.to_string(), from: edge.from.name.clone(), to: edge.to.name.clone(), kind: edge.kind, file, line, message, fix }
    };
    let remove = |edge: &Edge| format!("remove `{}` from the [{}] of {}", edge.to.name, table_name(edge.kind), edge.from.package.manifest_path.strip_prefix(&workspace.root).unwrap_or(&edge.from.package.manifest_path).display());

    if config.builtin {
        // Cycles without a dev edge first (cargo refuses most of them, build edges aside):
        // always violations. Then the cycles that need a dev edge, as `dev-cycles` says.
        let without_dev: Vec<Edge> = edges.iter().copied().filter(|edge| edge.kind != DepKind::Dev).collect();
        let mut found: Vec<(Vec<Edge>, bool)> = cycles(&nodes, &without_dev).into_iter().map(|cycle| (cycle, false)).collect();
        if config.dev_cycles != DevCycles::Allow {
            let through_dev = cycles(&nodes, &edges).into_iter().filter(|cycle| cycle.iter().any(|edge| edge.kind == DepKind::Dev));
            found.extend(through_dev.map(|cycle| (cycle, config.dev_cycles == DevCycles::Warn)));
        }
        for (cycle, warning) in found {
            // Point at a dev or build edge when the cycle has one: that is usually the edge to cut.
            let cut = cycle.iter().copied().find(|edge| edge.kind != DepKind::Normal).unwrap_or(cycle[0]);
            // Every member in order, back to the first: `a → b (dev) → a` (the kind of the edge
            // into each member after it).
            let mut members = cycle[0].from.name.clone();
            for edge in &cycle {
                members.push_str(&format!(" → {}{}", edge.to.name, kind_suffix(edge.kind)));
            }
            let message = format!("dependency cycle: {members}");
            let fix = format!("{}, or move what both need into a package of its own", remove(&cut));
            let found = locate("no-cycles", &cut, message, fix);
            if warning { warned.push(found) } else { violations.push(found) }
        }
        for edge in &edges {
            let (from, to) = (edge.from, edge.to);
            if from.dir.starts_with("packages/") && !to.dir.starts_with("packages/") {
                let what = if to.dir == "backend/interfaces" || to.dir.starts_with("backend/interfaces/") {
                    "backend/interfaces".to_string()
                } else if to.dir == "frontend" || to.dir.starts_with("frontend/") {
                    "frontend code".to_string()
                } else {
                    format!("`{}`, a workspace crate that is not a package", to.dir)
                };
                let message = format!("package `{}` depends on {what} (`{}`): packages may depend only on other packages", from.name, to.name);
                let fix = format!("{}; what the package needs from it belongs in a package under packages/", remove(edge));
                violations.push(locate("packages-boundary", edge, message, fix));
            }
        }
    }
    let reason_of = |reason: &Option<String>| reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
    for rule in &config.forbid {
        let (from_pattern, to_patterns) = from_and_to(&rule.from, std::slice::from_ref(&rule.to), &config.tags)?;
        for edge in edges.iter().filter(|edge| covered(rule.kinds.as_deref(), edge.kind, edge.optional)) {
            let Some(bindings) = from_pattern.matches(edge.from, &Bindings::new()) else { continue };
            if to_patterns[0].matches(edge.to, &bindings).is_some() {
                let message = format!("`{}` must not depend on `{}` (forbidden: {} → {}){}", edge.from.name, edge.to.name, rule.from, rule.to, reason_of(&rule.reason));
                violations.push(locate("forbid", edge, message, remove(edge)));
            }
        }
    }
    for rule in &config.allow {
        let (from_pattern, allowed) = from_and_to(&rule.from, &rule.to, &config.tags)?;
        for edge in edges.iter().filter(|edge| covered(rule.kinds.as_deref(), edge.kind, edge.optional)) {
            let Some(bindings) = from_pattern.matches(edge.from, &Bindings::new()) else { continue };
            if !allowed.iter().any(|pattern| pattern.matches(edge.to, &bindings).is_some()) {
                let allowed_text: Vec<String> = rule.to.iter().map(|t| PackagePattern::describe(t, &bindings)).collect();
                let message = format!("`{}` may depend only on {} and depends on `{}`{}", edge.from.name, allowed_text.join(", "), edge.to.name, reason_of(&rule.reason));
                let fix = format!("{}, or add it to the rule's `to` if the dependency is intended", remove(edge));
                violations.push(locate("allow", edge, message, fix));
            }
        }
    }
    for rule in &config.required {
        let (from_pattern, to_patterns) = from_and_to(&rule.from, std::slice::from_ref(&rule.to), &config.tags)?;
        let kinds = rule.kinds.as_deref().unwrap_or(&[EdgeKind::Normal]);
        for node in &nodes {
            let Some(bindings) = from_pattern.matches(node, &Bindings::new()) else { continue };
            if to_patterns[0].matches(node, &bindings).is_some() {
                continue;
            }
            let satisfied = edges
                .iter()
                .any(|edge| edge.from.name == node.name && covered(Some(kinds), edge.kind, edge.optional) && to_patterns[0].matches(edge.to, &bindings).is_some());
            if satisfied {
                continue;
            }
            let to = PackagePattern::describe(&rule.to, &bindings);
            let kind_names: Vec<&str> = kinds.iter().map(|k| edge_kind_name(*k)).collect();
            let manifest = node.package.manifest_path.strip_prefix(&workspace.root).unwrap_or(&node.package.manifest_path);
            let candidates: Vec<&str> = nodes.iter().filter(|n| n.name != node.name && to_patterns[0].matches(n, &bindings).is_some()).map(|n| n.name.as_str()).collect();
            let fix = match candidates.as_slice() {
                [] => format!("no workspace package matches `{to}`: add it, or correct the rule's `to`"),
                [one] => format!("add `{one}` to the [{}] of {}", table_name(kind_kind(kinds)), manifest.display()),
                several => format!("add one of {} to the [{}] of {}", several.join(", "), table_name(kind_kind(kinds)), manifest.display()),
            };
            violations.push(DepViolation {
                rule: "required".to_string(),
                from: node.name.clone(),
                to: to.clone(),
                kind: kind_kind(kinds),
                file: manifest.to_string_lossy().replace('\\', "/"),
                line: None,
                message: format!("`{}` must depend on `{to}` ({} dependency; required: {} → {}){}", node.name, kind_names.join(" or "), rule.from, rule.to, reason_of(&rule.reason)),
                fix,
            });
        }
    }
    if !config.layers.is_empty() {
        let layers: Vec<Selector> = config.layers.iter().map(|l| Selector::new(l, &config.tags, RULE)).collect::<Result<_>>()?;
        let layer_of = |node: &Node| layers.iter().position(|l| l.matches(node));
        for edge in &edges {
            if let (Some(from_layer), Some(to_layer)) = (layer_of(edge.from), layer_of(edge.to))
                && to_layer > from_layer
            {
                let message = format!(
                    "`{}` (layer {}, `{}`) depends on `{}` from the higher layer {} (`{}`)",
                    edge.from.name,
                    from_layer + 1,
                    config.layers[from_layer],
                    edge.to.name,
                    to_layer + 1,
                    config.layers[to_layer]
                );
                let fix = format!("{}, or move what it needs down to layer {} or lower", remove(edge), from_layer + 1);
                violations.push(locate("layers", edge, message, fix));
            }
        }
    }
    Ok(Found { denied: sorted(violations), warned: sorted(warned) })
}

/// The dependency kind a `required` violation names: the first table its kinds name.
fn kind_kind(kinds: &[EdgeKind]) -> DepKind {
    kinds
        .iter()
        .find_map(|kind| match kind {
            EdgeKind::Normal => Some(DepKind::Normal),
            EdgeKind::Build => Some(DepKind::Build),
            EdgeKind::Dev => Some(DepKind::Dev),
            EdgeKind::Optional => None,
        })
        .unwrap_or(DepKind::Normal)
}

fn edge_kind_name(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Normal => "normal",
        EdgeKind::Build => "build",
        EdgeKind::Dev => "dev",
        EdgeKind::Optional => "optional",
    }
}

/// The manifest table that declares a dependency of `kind`.
fn table_name(kind: DepKind) -> &'static str {
    match kind {
        DepKind::Normal => "dependencies",
        DepKind::Dev => "dev-dependencies",
        DepKind::Build => "build-dependencies",
    }
}

/// Every dependency of a member on another member, in the members' order.
fn member_edges<'a>(nodes: &'a [Node<'a>]) -> Vec<Edge<'a>> {
    let by_name: BTreeMap<&str, &Node> = nodes.iter().map(|n| (n.name.as_str(), n)).collect();
    let mut edges = Vec::new();
    for from in nodes {
        for dep in &from.package.dependencies {
            if let Some(to) = dep.member.as_deref().and_then(|member| by_name.get(member)) {
                edges.push(Edge { from, to, kind: dep.kind, optional: dep.optional });
            }
        }
    }
    edges
}

/// The graph of workspace members for drawing (`deps --format mermaid|dot`, and the Markdown
/// report when a rule fails): members grouped by layer (when `layers` is set), else by tag
/// (when `tags` is), else by directory; each edge with the rules it breaks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DepGraph {
    /// What the groups are: `layer`, `tag` or `directory`.
    pub grouping: String,
    /// Every member in exactly one group; members of no layer or tag in a last group with an
    /// empty label.
    pub groups: Vec<GraphGroup>,
    pub edges: Vec<GraphEdge>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GraphGroup {
    pub label: String,
    pub packages: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GraphEdge {
    pub from: String,
    pub to: String,
    pub kind: DepKind,
    #[serde(default)]
    pub optional: bool,
    /// The rules the edge breaks (empty: none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<String>,
    /// An edge a `required` rule asks for that does not exist.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub missing: bool,
}

/// The graph of `workspace`'s members, `violations` (the failing ones) marked on their edges.
pub fn graph(workspace: &Workspace, config: &DepsConfig, violations: &[DepViolation]) -> Result<DepGraph> {
    draw(workspace, config, violations).map_err(crate::input::one_line)
}

fn draw(workspace: &Workspace, config: &DepsConfig, violations: &[DepViolation]) -> Result<DepGraph> {
    let mut nodes: Vec<Node> = workspace.members.iter().map(|package| Node { package, name: package.name.clone(), dir: relative_dir(workspace, package) }).collect();
    nodes.sort_by(|a, b| a.name.cmp(&b.name));
    let (grouping, labels): (&str, Vec<(String, Selector)>) = if !config.layers.is_empty() {
        let layers = config.layers.iter().enumerate().map(|(index, layer)| Ok((format!("layer {}: {layer}", index + 1), Selector::new(layer, &config.tags, RULE)?)));
        ("layer", layers.collect::<Result<_>>()?)
    } else if !config.tags.is_empty() {
        ("tag", config.tags.keys().map(|tag| Ok((format!("tag:{tag}"), Selector::new(&format!("tag:{tag}"), &config.tags, RULE)?))).collect::<Result<_>>()?)
    } else {
        ("directory", Vec::new())
    };
    let mut groups: Vec<GraphGroup> = labels.iter().map(|(label, _)| GraphGroup { label: label.clone(), packages: Vec::new() }).collect();
    let mut ungrouped = Vec::new();
    for node in &nodes {
        if grouping == "directory" {
            let parent = node.dir.rsplit_once('/').map(|(parent, _)| parent).unwrap_or(".");
            match groups.iter_mut().find(|group| group.label == parent) {
                Some(group) => group.packages.push(node.name.clone()),
                None => groups.push(GraphGroup { label: parent.to_string(), packages: vec![node.name.clone()] }),
            }
        } else {
            match labels.iter().position(|(_, selector)| selector.matches(node)) {
                Some(index) => groups[index].packages.push(node.name.clone()),
                None => ungrouped.push(node.name.clone()),
            }
        }
    }
    groups.sort_by(|a, b| if grouping == "directory" { a.label.cmp(&b.label) } else { std::cmp::Ordering::Equal });
    groups.retain(|group| !group.packages.is_empty());
    if !ungrouped.is_empty() {
        groups.push(GraphGroup { label: String::new(), packages: ungrouped });
    }
    let mut edges: Vec<GraphEdge> = member_edges(&nodes)
        .into_iter()
        .map(|edge| {
            let mut broken: Vec<String> = violations
                .iter()
                .filter(|v| v.from == edge.from.name && v.to == edge.to.name && v.kind == edge.kind)
                .map(|v| v.rule.clone())
                .collect();
            broken.sort();
            broken.dedup();
            GraphEdge { from: edge.from.name.clone(), to: edge.to.name.clone(), kind: edge.kind, optional: edge.optional, violations: broken, missing: false }
        })
        .collect();
    for missing in violations.iter().filter(|v| v.rule == "required" && nodes.iter().any(|n| n.name == v.to)) {
        edges.push(GraphEdge { from: missing.from.clone(), to: missing.to.clone(), kind: missing.kind, optional: false, violations: vec![missing.rule.clone()], missing: true });
    }
    edges.sort_by(|a, b| (&a.from, &a.to, a.kind, a.missing).cmp(&(&b.from, &b.to, b.kind, b.missing)));
    edges.dedup_by(|later, earlier| (&later.from, &later.to, later.kind, later.missing) == (&earlier.from, &earlier.to, earlier.kind, earlier.missing));
    Ok(DepGraph { grouping: grouping.to_string(), groups, edges })
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
fn cycles<'a>(nodes: &'a [Node<'a>], edges: &[Edge<'a>]) -> Vec<Vec<Edge<'a>>> {
    let index: BTreeMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.name.as_str(), i)).collect();
    let mut out_edges: Vec<Vec<(usize, &Edge<'a>)>> = vec![Vec::new(); nodes.len()];
    for edge in edges {
        out_edges[index[edge.from.name.as_str()]].push((index[edge.to.name.as_str()], edge));
    }
    let mut reported: BTreeSet<usize> = BTreeSet::new();
    let mut cycles = Vec::new();
    for start in 0..nodes.len() {
        if reported.contains(&start) {
            continue;
        }
        // A shortest path from `start` back to itself, by breadth-first search.
        let mut previous: Vec<Option<(usize, &Edge<'a>)>> = vec![None; nodes.len()];
        let mut queue = std::collections::VecDeque::from([start]);
        let mut seen = vec![false; nodes.len()];
        let mut closing = None;
        'search: while let Some(current) = queue.pop_front() {
            for &(next, edge) in &out_edges[current] {
                if next == start {
                    closing = Some(edge);
                    break 'search;
                }
                if !seen[next] {
                    seen[next] = true;
                    previous[next] = Some((current, edge));
                    queue.push_back(next);
                }
            }
        }
        let Some(closing) = closing else { continue };
        let mut path = vec![*closing];
        let mut at = index[closing.from.name.as_str()];
        while at != start {
            let (before, edge) = previous[at].expect("every node on the path has a predecessor");
            path.push(*edge);
            at = before;
        }
        path.reverse();
        reported.extend(path.iter().map(|edge| index[edge.from.name.as_str()]));
        cycles.push(path);
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
    let table = table_name(kind);
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
