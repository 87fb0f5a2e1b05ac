//! The rule catalog: every finding id apicheck can emit, in one place.
//!
//! apicheck's own rules are the table in `rules.rs`, one entry each: id, the bumps a finding of
//! it can require, the section of the Cargo book's SemVer chapter it follows, the
//! cargo-semver-checks lints that report the same break, and the fixture pair that shows it. The
//! diff names rules by [`RuleId`] (through the typed families in `families.rs`, which map an item
//! kind to its rule), never by a string it builds, so an id it emits is always in the table.
//! cargo-semver-checks' lints come with their own metadata ([`crate::engine::lints::catalog`]); the
//! lints apicheck runs are listed beside the rules.
//!
//! Configuration that names an id (lint levels, acknowledgements) is checked here
//! ([`check_id`]): an unknown id is an error that suggests the closest known one.

mod families;
mod governance;
mod rules;

use serde::Serialize;

use crate::engine::bump::Bump;
use crate::engine::findings::Level;

pub(crate) use families::{Callable, FieldOwner, Generic, NonExhaustive, Subject};
pub(crate) use rules::RuleId;
pub use governance::{GOVERNANCE_RULES, GovernanceRule, governance_rule};
pub use rules::RULES;

/// The Cargo book's SemVer chapter: the reference of apicheck's own rules.
pub const SEMVER_CHAPTER: &str = "https://doc.rust-lang.org/cargo/reference/semver.html";

/// One of apicheck's own rules.
#[derive(Debug)]
pub struct Rule {
    /// The finding id (`function_parameter_type_changed`).
    pub id: &'static str,
    /// One sentence: what changed, and when it requires which bump.
    pub summary: &'static str,
    /// The bumps a finding of this rule can require; the rule's code picks one per finding.
    pub bumps: &'static [Bump],
    /// The anchor of the SemVer chapter's section the rule follows (`item-remove`), or
    /// `api-compatibility` where the chapter has no section of its own for the change.
    pub anchor: &'static str,
    /// The cargo-semver-checks lints that report the same break: a finding both engines make is
    /// reported once.
    pub equivalent_lints: &'static [&'static str],
    /// What shows the rule at work; `None` for the rules no fixture shows yet (tests/pairs.rs
    /// lists them, and fails for any other rule without a pair).
    pub example: Option<Example>,
}

/// What shows a rule at work.
#[derive(Debug)]
pub enum Example {
    /// A fixture pair (`fixtures/pairs/{old,new}/NAME`), whose `file` (`src/lib.rs`, or
    /// `Cargo.toml` for a rule about the manifest) is built into the binary for `apicheck explain`.
    Pair { name: &'static str, file: &'static str, old: &'static str, new: &'static str },
    /// A rule about a whole workspace, shown by an integration test.
    Workspace { file: &'static str, test: &'static str },
}

impl Rule {
    /// The link to the section of the Cargo book the rule follows.
    pub fn reference(&self) -> String {
        format!("{SEMVER_CHAPTER}#{}", self.anchor)
    }
}

impl RuleId {
    pub(crate) fn rule(self) -> &'static Rule {
        &RULES[self as usize]
    }
}

/// The lints cargo-semver-checks reports a type's changed generic parameters with: the same list
/// for structs, enums, unions and type aliases.
const TYPE_GENERIC_PARAMS_LINTS: &[&str] = &[
    "type_requires_more_generic_type_params",
    "type_allows_fewer_generic_type_params",
    "type_requires_more_const_generic_params",
    "type_allows_fewer_const_generic_params",
    "type_generic_type_reordered",
    "type_const_generic_reordered",
    "type_mismatched_generic_lifetimes",
];

/// apicheck's rule `id`, if it is one.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.id == id)
}

/// The cargo-semver-checks lints that report the same break as apicheck's rule `id`.
pub fn equivalent_lints(id: &str) -> &'static [&'static str] {
    rule(id).map(|rule| rule.equivalent_lints).unwrap_or(&[])
}

/// Where a catalog entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// One of apicheck's own rules.
    Apicheck,
    /// A cargo-semver-checks lint apicheck runs.
    CargoSemverChecks,
    /// One of apicheck's governance rules (release policy, dependency, surface, exposure,
    /// hygiene, environment, decision records): a violation, without a bump or a level.
    Governance,
}

/// One id of the catalog, rule or lint, as `apicheck rules` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: String,
    pub source: Origin,
    pub summary: String,
    /// The bumps a finding of it can require.
    pub required_bump: Vec<Bump>,
    /// The level its findings have unless the configuration sets another.
    pub default_level: Level,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// For a rule, the lints that report the same break; for a lint, the rules it reports the
    /// same break as.
    pub equivalent: Vec<String>,
    /// The fixture pair that shows a rule (`fixtures/pairs/{old,new}/NAME`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixture_pair: Option<String>,
    /// For a governance rule, the configuration table that switches it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration: Option<String>,
}

impl Entry {
    fn of_rule(rule: &Rule) -> Entry {
        Entry {
            id: rule.id.to_string(),
            source: Origin::Apicheck,
            summary: rule.summary.to_string(),
            required_bump: rule.bumps.to_vec(),
            default_level: Level::Deny,
            reference: Some(rule.reference()),
            equivalent: rule.equivalent_lints.iter().map(|lint| lint.to_string()).collect(),
            fixture_pair: match rule.example {
                Some(Example::Pair { name, .. }) => Some(name.to_string()),
                _ => None,
            },
            configuration: None,
        }
    }

    fn of_governance_rule(rule: &GovernanceRule) -> Entry {
        Entry {
            id: rule.id.to_string(),
            source: Origin::Governance,
            summary: rule.summary.to_string(),
            required_bump: Vec::new(),
            default_level: Level::Deny,
            reference: None,
            equivalent: Vec::new(),
            fixture_pair: None,
            configuration: Some(rule.configuration.to_string()),
        }
    }

    fn of_lint(lint: &crate::engine::lints::Lint) -> Entry {
        Entry {
            id: lint.id.clone(),
            source: Origin::CargoSemverChecks,
            summary: lint.description.clone(),
            required_bump: vec![lint.required_bump],
            default_level: lint.level,
            reference: lint.reference.clone(),
            equivalent: RULES.iter().filter(|rule| rule.equivalent_lints.contains(&lint.id.as_str())).map(|rule| rule.id.to_string()).collect(),
            fixture_pair: None,
            configuration: None,
        }
    }
}

/// Every id apicheck can emit: its rules, then the cargo-semver-checks lints it runs, each group
/// sorted by id, then its governance rules in the order of the configuration's tables.
pub fn entries() -> anyhow::Result<Vec<Entry>> {
    let mut rules: Vec<Entry> = RULES.iter().map(Entry::of_rule).collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let mut lints: Vec<Entry> = crate::engine::lints::catalog()?.iter().map(Entry::of_lint).collect();
    lints.sort_by(|a, b| a.id.cmp(&b.id));
    rules.extend(lints);
    rules.extend(GOVERNANCE_RULES.iter().map(Entry::of_governance_rule));
    Ok(rules)
}

/// The catalog entry of `id` (a rule, a lint or a governance rule), or an error that names the
/// closest known id.
pub fn find(id: &str) -> anyhow::Result<Entry> {
    if let Some(rule) = governance_rule(id) {
        return Ok(Entry::of_governance_rule(rule));
    }
    find_finding(id)
}

/// What shows the rule or governance rule `id` at work, if anything does.
pub fn example(id: &str) -> Option<&'static Example> {
    rule(id).and_then(|rule| rule.example.as_ref()).or_else(|| governance_rule(id).and_then(|rule| rule.example.as_ref()))
}

/// The entry of a finding id: a rule or a lint.
fn find_finding(id: &str) -> anyhow::Result<Entry> {
    if let Some(rule) = rule(id) {
        return Ok(Entry::of_rule(rule));
    }
    let lints = crate::engine::lints::catalog()?;
    if let Some(lint) = lints.iter().find(|lint| lint.id == id) {
        return Ok(Entry::of_lint(lint));
    }
    anyhow::bail!("{}", unknown_id_message(id, lints))
}

/// Whether configuration may name `id` (in lint levels and acknowledgements): one of apicheck's
/// rules or a lint it runs, whose findings have levels. A governance rule has none: it is
/// switched in its own table. The error says what is wrong and suggests the closest known id.
pub fn check_id(id: &str) -> anyhow::Result<()> {
    if let Some(rule) = governance_rule(id) {
        anyhow::bail!(
            "`{id}` is a governance rule, whose violations have no level and cannot be acknowledged: switch it in {} instead",
            rule.configuration
        );
    }
    find_finding(id).map(drop)
}

fn unknown_id_message(id: &str, lints: &[crate::engine::lints::Lint]) -> String {
    if crate::engine::lints::all_lint_ids().iter().any(|known| known == id) {
        return format!(
            "`{id}` is a cargo-semver-checks lint that is `allow` by default, which apicheck does not run, so naming it has no effect"
        );
    }
    let known = RULES.iter().map(|rule| rule.id).chain(lints.iter().map(|lint| lint.id.as_str())).chain(GOVERNANCE_RULES.iter().map(|rule| rule.id));
    match closest(id, known) {
        Some(suggestion) => format!("`{id}` is not a rule or lint id apicheck knows; did you mean `{suggestion}`? (`apicheck rules` lists them)"),
        None => format!("`{id}` is not a rule or lint id apicheck knows (`apicheck rules` lists them)"),
    }
}

/// The known id closest to `id`, if one is close enough to be a likely typo: at most a third of
/// its characters edited (a swap of two neighbours counts as one edit), and at least two.
fn closest<'a>(id: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (id.chars().count() / 3).max(2);
    known
        .map(|candidate| (strsim::damerau_levenshtein(id, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        let mut ids: Vec<&str> = RULES.iter().map(|rule| rule.id).collect();
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before, "a rule id is listed twice");
    }

    #[test]
    fn every_equivalent_lint_exists_in_cargo_semver_checks() {
        let known = crate::engine::lints::all_lint_ids();
        for rule in RULES {
            for lint in rule.equivalent_lints {
                assert!(known.iter().any(|id| id == lint), "rule `{}` names `{lint}`, which cargo-semver-checks does not have", rule.id);
            }
        }
    }

    #[test]
    fn every_rule_can_require_a_bump_and_links_to_the_semver_chapter() {
        for rule in RULES {
            assert!(!rule.bumps.is_empty() && rule.bumps.windows(2).all(|pair| pair[0] < pair[1]), "`{}`: bumps in order, at least one", rule.id);
            assert!(!rule.summary.is_empty() && !rule.anchor.is_empty(), "`{}`: a summary and a reference", rule.id);
            assert!(rule.reference().starts_with("https://doc.rust-lang.org/cargo/reference/semver.html#"));
        }
    }

    #[test]
    fn governance_ids_are_unique_and_no_finding_id() {
        let mut ids: Vec<&str> = GOVERNANCE_RULES.iter().map(|rule| rule.id).collect();
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before, "a governance rule is listed twice");
        for id in ids {
            assert!(rule(id).is_none(), "`{id}` is a rule and a governance rule");
            assert!(check_id(id).unwrap_err().to_string().contains("is a governance rule"), "`{id}`");
            assert_eq!(find(id).unwrap().source, Origin::Governance);
        }
    }

    #[test]
    fn workspace_examples_name_tests_that_exist() {
        let examples = RULES.iter().map(|rule| (rule.id, &rule.example)).chain(GOVERNANCE_RULES.iter().map(|rule| (rule.id, &rule.example)));
        for (id, example) in examples {
            if let Some(Example::Workspace { file, test }) = example {
                let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
                let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("`{id}` names {file}: {error}"));
                assert!(text.contains(&format!("fn {test}()")), "`{id}` names the test `{test}`, which {file} does not have");
            }
        }
    }

    #[test]
    fn a_typo_gets_the_closest_id_and_nonsense_gets_none() {
        let known = ["function_removed", "function_added", "struct_removed"];
        assert_eq!(closest("fucntion_removed", known.into_iter()), Some("function_removed"));
        assert_eq!(closest("function_remove", known.into_iter()), Some("function_removed"));
        assert_eq!(closest("struct_removd", known.into_iter()), Some("struct_removed"));
        assert_eq!(closest("repr_c_removed", known.into_iter()), None);
    }

    #[test]
    fn configuration_ids_are_checked_against_rules_and_lints() {
        assert!(check_id("function_removed").is_ok(), "a rule");
        assert!(check_id("function_missing").is_ok(), "a lint apicheck runs");
        let typo = check_id("fucntion_removed").unwrap_err().to_string();
        assert!(typo.contains("did you mean `function_removed`?"), "{typo}");
        let running = crate::engine::lints::catalog().unwrap();
        let allow_lint = crate::engine::lints::all_lint_ids()
            .into_iter()
            .find(|id| rule(id).is_none() && running.iter().all(|lint| &lint.id != id))
            .expect("cargo-semver-checks has lints that are `allow` by default");
        let error = check_id(&allow_lint).unwrap_err().to_string();
        assert!(error.contains("`allow` by default"), "{error}");
    }

    #[test]
    fn lints_list_the_rules_they_are_equivalent_to() {
        let entry = find("function_missing").unwrap();
        assert_eq!(entry.source, Origin::CargoSemverChecks);
        assert_eq!(entry.equivalent, ["function_removed"]);
        let entry = find("function_removed").unwrap();
        assert_eq!((entry.source, entry.reference.as_deref()), (Origin::Apicheck, Some("https://doc.rust-lang.org/cargo/reference/semver.html#item-remove")));
    }
}
