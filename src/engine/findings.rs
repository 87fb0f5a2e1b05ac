//! Findings: one reported API change each, whichever engine found it, and their merging.

use serde::{Deserialize, Serialize};

use crate::engine::bump::Bump;

/// One change of the public API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Finding {
    /// Stable rule id (`function_parameter_type_changed`), or the cargo-semver-checks lint id for
    /// findings only the lints made.
    pub id: String,
    /// Removed, added or changed.
    pub change: Change,
    /// What this change alone requires.
    pub required_bump: Bump,
    /// `deny` findings set the required bump; `warn` findings are advice.
    pub level: Level,
    /// The public path of the item (for trait impls, of the implementing type).
    pub path: String,
    /// One line for a human.
    pub message: String,
    /// Where the item is (the baseline's location for removed items), relative to the
    /// directory rustdoc ran in.
    pub file: Option<String>,
    pub line: Option<u32>,
    /// Which engine found it.
    pub source: Source,
    /// The cargo-semver-checks lint that reported it, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lint: Option<String>,
    /// Where to read about the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The baseline's listing line, for removed and changed items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// The current listing line, for added and changed items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    /// For findings about trait impls: the trait's name, which tells two impl findings on one
    /// type apart when merging.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Why the break is accepted, when an acknowledgement in the configuration covers it; an
    /// acknowledged finding does not count towards the required bump.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<String>,
    /// The feature surfaces it appears in (`all-features`, `no-default-features`...), when not
    /// in every surface its package has; empty: in all of them (a package without features
    /// has one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub surfaces: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Change {
    Removed,
    Changed,
    Added,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Level {
    Warn,
    Deny,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Source {
    /// apicheck's own model diff.
    Apicheck,
    /// A cargo-semver-checks lint.
    CargoSemverChecks,
    /// Both found it; reported once.
    Both,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Apicheck => "apicheck",
            Source::CargoSemverChecks => "cargo-semver-checks",
            Source::Both => "both",
        }
    }
}

/// Whether `path` names a member of `owner` (a lint may report a struct's change at the field
/// that caused it).
fn is_member_path(path: &str, owner: &str) -> bool {
    path.strip_prefix(owner).is_some_and(|rest| rest.starts_with("::"))
}

impl Finding {
    /// Whether it counts towards the required bump: `deny` and not acknowledged.
    pub fn counts(&self) -> bool {
        self.level == Level::Deny && self.acknowledged.is_none()
    }
}

/// The bump a set of findings requires: the highest over those that count.
pub fn required_bump(findings: &[Finding]) -> Bump {
    findings.iter().filter(|f| f.counts()).map(|f| f.required_bump).max().unwrap_or(Bump::None)
}

/// Merges the model diff's findings with the lints': a lint result that reports the same break
/// as a model finding (the same item, and a lint listed as equivalent to the model's rule) is
/// folded into it, keeping the higher bump; the others are kept as they are. The result is
/// sorted: removed, changed, added; then by path and id.
///
/// `canonical` maps a path to the canonical path of the item it reaches (the engines may name
/// one item by different paths: a re-export and its definition).
pub fn merge(
    mut model: Vec<Finding>,
    lints: Vec<Finding>,
    equivalent: impl Fn(&str) -> &'static [&'static str],
    canonical: impl Fn(&str) -> String,
) -> Vec<Finding> {
    let mut extra = Vec::new();
    for lint in lints {
        let lint_id = lint.lint.clone().unwrap_or_else(|| lint.id.clone());
        let lint_path = canonical(&lint.path);
        let matches = |finding: &Finding| {
            let finding_path = canonical(&finding.path);
            (finding_path == lint_path || finding.change == Change::Changed && is_member_path(&lint_path, &finding_path))
                && equivalent(&finding.id).contains(&lint_id.as_str())
                && (finding.subject.is_none() || lint.subject.is_none() || finding.subject == lint.subject)
        };
        // A model finding not matched yet; else one this lint already matched: a lint reports a
        // break once per path the item is importable at, and each row is the same break.
        let position = model
            .iter()
            .position(|finding| finding.source == Source::Apicheck && matches(finding))
            .or_else(|| model.iter().position(|finding| finding.lint.as_deref() == Some(lint_id.as_str()) && matches(finding)));
        let same_break = position.map(|index| &mut model[index]);
        match same_break {
            Some(finding) => {
                finding.source = Source::Both;
                finding.lint = Some(lint_id);
                if lint.level == Level::Deny && lint.required_bump > finding.required_bump {
                    finding.required_bump = lint.required_bump;
                }
                // The lint's link is about the very break it reported; the rule's is the Cargo
                // book's section for the kind of change.
                if lint.reference.is_some() {
                    finding.reference = lint.reference;
                }
            }
            None => {
                // The same lint on the same item through two of its paths.
                let seen = extra.iter().any(|earlier: &Finding| {
                    earlier.lint == lint.lint && earlier.id == lint.id && earlier.subject == lint.subject && canonical(&earlier.path) == lint_path
                });
                if !seen {
                    extra.push(lint);
                }
            }
        }
    }
    model.extend(extra);
    sort(&mut model);
    model
}

/// The order of a report: removed, changed, added; then by path, id and message.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| (a.change, &a.path, &a.id, &a.message).cmp(&(b.change, &b.path, &b.id, &b.message)));
}
