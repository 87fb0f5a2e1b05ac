//! apicheck's governance rules: what `check` (and `deps`, `surface`) enforces beyond the API's
//! SemVer, as the violations in reports name them (`rule`, and `policy/<id>` or `deps/<id>` in
//! SARIF). Their violations fail the check; they have no bump and no level, so the
//! configuration's lint levels and acknowledgements cannot name them: each is switched in its
//! own table.

use super::Example;

/// One governance rule.
#[derive(Debug)]
pub struct GovernanceRule {
    /// The violation's `rule` (`env-read`).
    pub id: &'static str,
    /// One sentence: what it asks.
    pub summary: &'static str,
    /// Where it is configured.
    pub configuration: &'static str,
    /// The integration test that shows it, if one does.
    pub example: Option<Example>,
}

const fn shown_by(file: &'static str, test: &'static str) -> Option<Example> {
    Some(Example::Workspace { file, test })
}

const RULES: &str = "[workspace.metadata.apicheck.rules]";
const DEPS: &str = "[workspace.metadata.apicheck.deps]";
const SURFACE: &str = "[workspace.metadata.apicheck.surface]";
const HYGIENE: &str = "[workspace.metadata.apicheck.hygiene]";

/// Every governance rule, by the order of the configuration's tables.
pub static GOVERNANCE_RULES: &[GovernanceRule] = &[
    GovernanceRule {
        id: "version-bump",
        summary: "The version in Cargo.toml declares at least the bump the API changes require (Cargo's SemVer rules, 0.x included)",
        configuration: RULES,
        example: shown_by("tests/gate.rs", "a_breaking_change_without_a_bump_fails_with_the_fix"),
    },
    GovernanceRule {
        id: "changelog",
        summary: "A changed version has a section in the package's changelog",
        configuration: RULES,
        example: shown_by("tests/gate.rs", "a_major_bump_without_a_changelog_section_fails"),
    },
    GovernanceRule {
        id: "breaking-changelog",
        summary: "The changelog section of a breaking release says that it breaks things",
        configuration: RULES,
        example: shown_by("tests/gate.rs", "a_changelog_section_that_hides_the_break_fails"),
    },
    GovernanceRule {
        id: "removed-packages",
        summary: "A governed package that is gone while its baseline remains is a breaking removal",
        configuration: RULES,
        example: shown_by("tests/gate.rs", "a_removed_package_fails_unless_acknowledged"),
    },
    GovernanceRule {
        id: "stale-acknowledgements",
        summary: "An acknowledgement that matches no finding fails (with `stale-acknowledgements-fail`; always reported)",
        configuration: RULES,
        example: shown_by("tests/gate.rs", "a_stale_acknowledgement_is_reported"),
    },
    GovernanceRule {
        id: "adr-required",
        summary: "With `check --base`, a change to the dependency, exposure or release rules comes with a new or changed decision record in `adr-dir`",
        configuration: RULES,
        example: shown_by("tests/governance.rs", "a_change_of_the_rules_without_a_decision_record_fails_check_base"),
    },
    GovernanceRule {
        id: "no-cycles",
        summary: "The graph of workspace packages (normal, build and dev edges) has no cycle; one through a dev-dependency follows `dev-cycles`",
        configuration: DEPS,
        example: shown_by("tests/pr.rs", "a_cycle_through_dev_dependencies_is_a_violation"),
    },
    GovernanceRule {
        id: "packages-boundary",
        summary: "Packages under packages/ depend only on other packages under packages/",
        configuration: DEPS,
        example: shown_by("tests/pr.rs", "a_package_depending_on_backend_interfaces_breaks_the_boundary"),
    },
    GovernanceRule {
        id: "forbid",
        summary: "No dependency edge a `forbid` rule names (path globs, captures, tags, kinds)",
        configuration: DEPS,
        example: shown_by("tests/governance.rs", "a_capture_forbids_edges_between_different_values_without_listing_pairs"),
    },
    GovernanceRule {
        id: "allow",
        summary: "Packages an `allow` rule selects depend only on the packages it lists",
        configuration: DEPS,
        example: shown_by("tests/governance.rs", "the_markdown_report_draws_the_graph_when_a_dependency_rule_fails"),
    },
    GovernanceRule {
        id: "required",
        summary: "Every package a `required` rule selects depends on one it names",
        configuration: DEPS,
        example: shown_by("tests/governance.rs", "a_required_edge_that_is_missing_fails_with_the_dependency_to_add"),
    },
    GovernanceRule {
        id: "layers",
        summary: "A package depends only on packages of its own layer or lower ones",
        configuration: DEPS,
        example: shown_by("tests/pr.rs", "configured_forbidden_edges_and_layers_are_enforced"),
    },
    GovernanceRule {
        id: "stale-known",
        summary: "A known dependency exception that no longer occurs is removed (with `stale-known = \"fail\"`)",
        configuration: DEPS,
        example: shown_by("tests/governance.rs", "a_stale_known_exception_fails_when_configured"),
    },
    GovernanceRule {
        id: "exposure",
        summary: "A package's public API shows no path of another crate its exposure rules deny (or do not allow)",
        configuration: "[[workspace.metadata.apicheck.exposure]]",
        example: shown_by("tests/gate.rs", "an_exposure_rule_fails_a_package_whose_api_shows_a_denied_crate_at_the_item_that_shows_it"),
    },
    GovernanceRule {
        id: "internal-module",
        summary: "No public, not hidden module is named like an internal one (`internal`, `imp`, `private`, `detail`, `__*`)",
        configuration: SURFACE,
        example: shown_by("tests/gate.rs", "a_public_module_named_like_an_internal_one_fails_unless_hidden_or_skipped"),
    },
    GovernanceRule {
        id: "glob-reexport",
        summary: "No glob re-export (`pub use m::*`) in the public API: exports are named one by one",
        configuration: SURFACE,
        example: shown_by("tests/governance.rs", "a_glob_reexport_in_the_public_api_fails_at_its_line_unless_hidden_or_switched_off"),
    },
    GovernanceRule {
        id: "hygiene-changelog",
        summary: "The package has its changelog",
        configuration: HYGIENE,
        example: shown_by("tests/governance.rs", "a_package_without_changelog_description_license_or_tests_fails_with_each_fix"),
    },
    GovernanceRule {
        id: "hygiene-description",
        summary: "The package's manifest has a `description`",
        configuration: HYGIENE,
        example: shown_by("tests/governance.rs", "a_package_without_changelog_description_license_or_tests_fails_with_each_fix"),
    },
    GovernanceRule {
        id: "hygiene-license",
        summary: "The package's manifest has a `license` or a `license-file`",
        configuration: HYGIENE,
        example: shown_by("tests/governance.rs", "a_package_without_changelog_description_license_or_tests_fails_with_each_fix"),
    },
    GovernanceRule {
        id: "hygiene-tests",
        summary: "The package has tests of its own: a tests/ directory or `#[cfg(test)]` code",
        configuration: HYGIENE,
        example: shown_by("tests/governance.rs", "a_package_without_changelog_description_license_or_tests_fails_with_each_fix"),
    },
    GovernanceRule {
        id: "env-read",
        summary: "A package's library reads no environment variable: no `std::env::var`, `var_os`, `vars`, `vars_os`, and no `env!`/`option_env!` but of Cargo's own variables",
        configuration: "[workspace.metadata.apicheck.environment]",
        example: shown_by("tests/governance.rs", "a_package_reading_the_environment_fails_at_each_read"),
    },
];

/// The governance rule `id`, if it is one.
pub fn governance_rule(id: &str) -> Option<&'static GovernanceRule> {
    GOVERNANCE_RULES.iter().find(|rule| rule.id == id)
}
