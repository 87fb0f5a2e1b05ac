//! Decision records (the governance document's §15: changes to the dependency rules, the public
//! API contracts or the versioning strategy are documented in an ADR). [`changed_sections`]
//! compares two parsed configurations, never their text, so a reformatting or a comment is no
//! change; the gate reads both revisions and asks whether a record changed in the same range.

use crate::policy::config::Config;
use crate::policy::versioning::Violation;

/// A part of the configuration whose change is a decision: what reports call it, and the
/// configuration key that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Section {
    /// `dependency rules`...
    pub what: &'static str,
    /// `[workspace.metadata.apicheck.deps]`...
    pub key: &'static str,
    /// The table or key as it begins a line of the manifest (`[workspace.metadata.apicheck.deps]`,
    /// `tag =`), to point at it.
    pub header: &'static str,
}

const DEPS: Section = Section { what: "dependency rules", key: "[workspace.metadata.apicheck.deps]", header: "[workspace.metadata.apicheck.deps" };
const EXPOSURE: Section = Section { what: "exposure rules", key: "[[workspace.metadata.apicheck.exposure]]", header: "[[workspace.metadata.apicheck.exposure" };
const RULES: Section = Section { what: "release rules", key: "[workspace.metadata.apicheck.rules]", header: "[workspace.metadata.apicheck.rules" };
const LINTS: Section = Section { what: "lint levels", key: "[workspace.metadata.apicheck.lints]", header: "[workspace.metadata.apicheck.lints" };
const TAG: Section = Section { what: "release tag pattern", key: "`tag`", header: "tag" };
const CHANGELOG: Section = Section { what: "changelog settings", key: "`changelog`, `changelog-location`", header: "changelog" };

/// The sections of the configuration that differ between `base` and `head`, in a fixed order:
/// the dependency rules (their known exceptions aside: each carries its reason, and the list
/// shrinks as code is fixed), the exposure rules, and the versioning strategy: the release
/// rules, the lint levels (which decide the bump a change requires), the release tag pattern
/// and where the changelog is.
pub fn changed_sections(base: &Config, head: &Config) -> Vec<Section> {
    let rules_of_deps = |config: &Config| {
        let mut deps = config.deps.clone();
        deps.known.clear();
        deps
    };
    let mut changed = Vec::new();
    if rules_of_deps(base) != rules_of_deps(head) {
        changed.push(DEPS);
    }
    if base.exposure != head.exposure {
        changed.push(EXPOSURE);
    }
    if base.rules != head.rules {
        changed.push(RULES);
    }
    if base.lints != head.lints {
        changed.push(LINTS);
    }
    if base.tag != head.tag {
        changed.push(TAG);
    }
    if (&base.changelog, base.changelog_location) != (&head.changelog, head.changelog_location) {
        changed.push(CHANGELOG);
    }
    changed
}

/// The `adr-required` violation for `sections` changed since `merge_base` (of `base`) without a
/// decision record in `adr_dir`; `manifest` is the workspace manifest relative to the root, and
/// `head_text` its text at the head, where the first changed section is pointed at.
pub fn violation(sections: &[Section], base: &str, merge_base: &str, adr_dir: &str, manifest: &str, head_text: &str) -> Violation {
    let named: Vec<String> = sections.iter().map(|section| format!("the {} ({})", section.what, section.key)).collect();
    let short = &merge_base[..merge_base.len().min(12)];
    let line = sections.iter().find_map(|section| {
        head_text.lines().position(|line| {
            let line = line.trim_start();
            line.starts_with(section.header) && line[section.header.len()..].trim_start().starts_with(['.', ']', '=', ' '].as_slice())
        })
    });
    Violation {
        rule: "adr-required".to_string(),
        message: format!(
            "the configuration changes {} since {base} ({short}), but no file under {adr_dir}/ changed: a change to the dependency rules, \
             exposure rules or versioning strategy is recorded in a decision record",
            join(&named)
        ),
        fix: format!(
            "add a decision record under {adr_dir}/ in the same change (for example {adr_dir}/NNNN-title.md: context, decision, \
             consequences), or update the one this change follows; the rule is `adr-required` in [workspace.metadata.apicheck.rules]"
        ),
        file: Some(manifest.to_string()),
        line: line.map(|index| index as u32 + 1),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(metadata: &str) -> Config {
        Config::from_manifest_text(&format!("[workspace]\nmembers = []\n\n{metadata}")).unwrap().unwrap_or_default()
    }

    #[test]
    fn only_a_change_of_the_parsed_rules_counts() {
        let base = parsed("[workspace.metadata.apicheck.deps]\nforbid = [{ from = \"a\", to = \"b\" }]\n");
        let reformatted = parsed("[workspace.metadata.apicheck.deps]\n# no edge from a to b\nforbid = [\n  { to = \"b\", from = \"a\" },\n]\n");
        assert_eq!(changed_sections(&base, &reformatted), Vec::<Section>::new());
        let changed = parsed("[workspace.metadata.apicheck.deps]\nforbid = [{ from = \"a\", to = \"c\" }]\n");
        assert_eq!(changed_sections(&base, &changed), [DEPS]);
        // A default spelled out is no change either.
        assert_eq!(changed_sections(&parsed(""), &parsed("[workspace.metadata.apicheck.rules]\nversion-bump = true\n")), Vec::<Section>::new());
        let off = parsed("[workspace.metadata.apicheck]\ntag = \"v{version}\"\n\n[workspace.metadata.apicheck.rules]\nversion-bump = false\n");
        assert_eq!(changed_sections(&parsed(""), &off), [RULES, TAG]);
    }

    #[test]
    fn known_exceptions_and_other_sections_are_no_decision() {
        let known = parsed(
            "[workspace.metadata.apicheck.hygiene]\nlicense = true\n\n[[workspace.metadata.apicheck.deps.known]]\nrule = \"no-cycles\"\nfrom = \"a\"\nto = \"b\"\nreason = \"for now\"\n",
        );
        assert_eq!(changed_sections(&parsed(""), &known), Vec::<Section>::new());
    }

    #[test]
    fn the_violation_names_the_sections_and_points_at_the_first() {
        let head = "[workspace]\n\n[workspace.metadata.apicheck.rules]\nversion-bump = false\n\n[[workspace.metadata.apicheck.exposure]]\npackages = [\"a\"]\n";
        let violation = violation(&[EXPOSURE, RULES], "main", "0123456789abcdef", "docs/adr", "Cargo.toml", head);
        assert_eq!(violation.rule, "adr-required");
        assert_eq!(violation.line, Some(6));
        assert!(violation.message.starts_with("the configuration changes the exposure rules ([[workspace.metadata.apicheck.exposure]]) and the release rules"), "{}", violation.message);
        assert!(violation.message.contains("since main (0123456789ab)"), "{}", violation.message);
        assert!(violation.fix.starts_with("add a decision record under docs/adr/"), "{}", violation.fix);
    }
}
