//! Every old/new pair under fixtures/pairs, through real rustdoc JSON: the required bump must be
//! the one the fixture declares, and the findings must match the reviewed snapshot exactly.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use apicheck::catalog::{self, Example, RULES};
use apicheck::manifest::{ManifestApi, diff_manifests};
use apicheck::{ApiFile, Bump, CompareOptions, ListingOptions, Source, compare};

/// The rules of the catalog that no fixture pair shows yet. The list only shrinks: a rule added
/// to the catalog needs a fixture pair, and a rule listed here that a pair comes to show must
/// name that pair in the catalog instead.
const RULES_WITHOUT_PAIR: &[&str] = &[
    "union_field_now_doc_hidden", "enum_now_doc_hidden", "union_now_doc_hidden",
    "trait_associated_type_now_doc_hidden", "associated_const_now_doc_hidden", "trait_impl_now_doc_hidden",
    "auto_trait_impl_now_doc_hidden", "reexport_removed", "reexport_added", "reexport_now_doc_hidden",
    "method_parameter_bounds_loosened", "trait_method_parameter_bounds_loosened", "function_receiver_changed",
    "function_variadic_changed", "method_variadic_changed", "trait_method_variadic_changed",
    "trait_method_const_removed", "trait_method_now_const", "trait_method_async_changed",
    "trait_method_abi_changed", "union_generic_params_changed", "union_bounds_tightened",
    "type_alias_bounds_tightened", "trait_impl_bounds_tightened", "auto_trait_impl_bounds_tightened",
    "enum_bounds_loosened", "union_bounds_loosened", "type_alias_bounds_loosened",
    "enum_variant_no_longer_non_exhaustive", "union_now_has_private_fields",
    "trait_associated_type_default_removed", "static_became_unsafe", "macro_kind_changed",
    "derive_helper_attr_removed", "derive_helper_attr_added", "reexport_target_changed",
];

fn expected_bump(case: &str) -> Bump {
    let manifest = support::fixtures().join("pairs/new").join(case).join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let value: toml::Value = toml::from_str(&text).unwrap();
    let bump = value["package"]["metadata"]["apicheck-fixture"]["expected_bump"].as_str().unwrap_or_else(|| panic!("{case} declares no expected_bump"));
    serde_json::from_value(serde_json::Value::String(bump.to_string())).unwrap()
}

/// What the case's manifests say, as `check` compares them beside the API.
fn manifest_findings(case: &str) -> Vec<apicheck::Finding> {
    let read = |side: &str| {
        let text = std::fs::read_to_string(support::fixtures().join("pairs").join(side).join(case).join("Cargo.toml")).unwrap();
        ManifestApi::read(&text).unwrap()
    };
    let ((old, _), (new, lines)) = (read("old"), read("new"));
    diff_manifests(&old, &new, &lines, "Cargo.toml")
}

fn render(diff: &apicheck::ApiDiff) -> String {
    let mut out = format!("required bump: {}\n", diff.required_bump);
    for f in &diff.findings {
        let lint = match (&f.source, &f.lint) {
            (Source::Both, Some(lint)) => format!(" (also cargo-semver-checks: {lint})"),
            _ => String::new(),
        };
        let place = match (&f.file, f.line) {
            (Some(file), Some(line)) => format!("{file}:{line}"),
            _ => "-".to_string(),
        };
        writeln!(out, "- {:?} {} {:?} {} [{}{lint}] {place}\n  {}", f.change, f.required_bump, f.level, f.id, f.source.as_str(), f.message).unwrap();
        writeln!(out, "  at {}", f.path).unwrap();
    }
    out
}

#[test]
fn every_pair_gives_its_declared_bump_and_reviewed_findings() {
    let old = support::pair_side("old");
    let new = support::pair_side("new");
    assert_eq!(old.keys().collect::<Vec<_>>(), new.keys().collect::<Vec<_>>(), "old and new hold the same cases");
    assert!(old.len() >= 30, "at least 30 cases, found {}", old.len());

    let mut wrong_bumps = Vec::new();
    let mut rendered = Vec::new();
    let mut emitted: BTreeMap<String, BTreeSet<&String>> = BTreeMap::new();
    for (case, old_json) in old {
        let baseline = ApiFile::read(old_json).unwrap();
        let current = ApiFile::read(&new[case]).unwrap();
        let mut diff = compare(&baseline, &current, CompareOptions::default()).unwrap();
        diff.add_findings(manifest_findings(case));
        assert!(diff.lints_ran, "{case}: the lints ran");
        for finding in &diff.findings {
            emitted.entry(finding.id.clone()).or_default().insert(case);
            check_against_the_catalog(case, finding);
        }
        let expected = expected_bump(case);
        if diff.required_bump != expected {
            wrong_bumps.push(format!("{case}: expected {expected}, got {}\n{}", diff.required_bump, render(&diff)));
        }
        rendered.push((case, render(&diff)));
    }
    assert!(wrong_bumps.is_empty(), "{} of {} cases gave the wrong bump:\n\n{}", wrong_bumps.len(), old.len(), wrong_bumps.join("\n"));
    for (case, text) in rendered {
        insta::assert_snapshot!(format!("pair__{case}"), text);
    }
    every_rule_has_a_pair_that_shows_it(&emitted);
}

/// A finding's id is in the catalog, and a finding of apicheck's own carries its rule's bump
/// and reference.
fn check_against_the_catalog(case: &str, finding: &apicheck::Finding) {
    match catalog::rule(&finding.id) {
        Some(rule) => {
            if finding.source == Source::Apicheck {
                assert!(rule.bumps.contains(&finding.required_bump), "{case}: `{}` requires {}, which the catalog does not list for it", finding.id, finding.required_bump);
                assert_eq!(finding.reference.as_deref(), Some(rule.reference().as_str()), "{case}: `{}` links to its rule's reference", finding.id);
            }
        }
        None => assert!(catalog::find(&finding.id).is_ok(), "{case}: `{}` is neither a rule nor a lint of the catalog", finding.id),
    }
}

/// Each rule names a pair that emits it (or is one of [`RULES_WITHOUT_PAIR`]), and every rule a
/// pair emits names a pair.
fn every_rule_has_a_pair_that_shows_it(emitted: &BTreeMap<String, BTreeSet<&String>>) {
    let mut problems = Vec::new();
    for rule in RULES {
        let shown_by = emitted.get(rule.id);
        match (&rule.example, RULES_WITHOUT_PAIR.contains(&rule.id)) {
            (Some(Example::Pair { name, .. }), false) => {
                if !shown_by.is_some_and(|cases| cases.iter().any(|case| case.as_str() == *name)) {
                    problems.push(format!("`{}` names the pair `{name}`, which does not emit it (emitted by: {shown_by:?})", rule.id));
                }
            }
            (Some(Example::Workspace { .. }), false) => {}
            (None, true) => {
                if let Some(cases) = shown_by {
                    problems.push(format!("`{}` is shown by {cases:?}: name one as its pair in the catalog and drop it from RULES_WITHOUT_PAIR", rule.id));
                }
            }
            (None, false) => problems.push(format!("`{}` has no fixture pair: add one under fixtures/pairs and name it in the catalog", rule.id)),
            (Some(_), true) => problems.push(format!("`{}` has an example: drop it from RULES_WITHOUT_PAIR", rule.id)),
        }
    }
    for id in RULES_WITHOUT_PAIR {
        if catalog::rule(id).is_none() {
            problems.push(format!("RULES_WITHOUT_PAIR names `{id}`, which is not a rule of the catalog"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The pair in the design notes: cargo-semver-checks alone misses the parameter change.
#[test]
fn the_design_notes_pair_gives_four_major_findings_including_the_parameter_change() {
    let old = ApiFile::read(&support::pair_side("old")["design_notes_pair"]).unwrap();
    let new = ApiFile::read(&support::pair_side("new")["design_notes_pair"]).unwrap();
    let diff = compare(&old, &new, CompareOptions::default()).unwrap();
    let ids: Vec<&str> = diff.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["function_parameter_type_changed", "enum_variant_added", "struct_field_added", "trait_method_added"]);
    assert!(diff.findings.iter().all(|f| f.required_bump == Bump::Major));
    assert_eq!(diff.findings[0].source, Source::Apicheck, "only apicheck sees the parameter type change");
    assert!(diff.findings[1..].iter().all(|f| f.source == Source::Both), "the three additions are found by both and reported once");
    assert_eq!(diff.required_bump, Bump::Major);
    assert_eq!(diff.next_version().unwrap().to_string(), "2.0.0");
}

/// A saved model diffs like the rustdoc JSON it came from (the lints need rustdoc JSON).
#[test]
fn a_saved_model_diffs_like_its_rustdoc_json() {
    let old_json = &support::pair_side("old")["fn_param_type_changed"];
    let new_json = &support::pair_side("new")["fn_param_type_changed"];
    let model = ApiFile::read(old_json).unwrap().model();
    let saved = tempfile::NamedTempFile::new().unwrap();
    serde_json::to_writer(&saved, &model).unwrap();
    let from_model = compare(&ApiFile::read(saved.path()).unwrap(), &ApiFile::read(new_json).unwrap(), CompareOptions::default()).unwrap();
    let from_json = compare(&ApiFile::read(old_json).unwrap(), &ApiFile::read(new_json).unwrap(), CompareOptions { lints: false }).unwrap();
    assert!(!from_model.lints_ran);
    assert_eq!(from_model.findings, from_json.findings);
    assert_eq!(from_model.required_bump, Bump::Major);
}

/// The same rustdoc JSON modelled twice gives byte-identical models, listings and diffs: no
/// order comes from a hash map (each model build gets differently seeded maps).
#[test]
fn models_and_diffs_are_deterministic() {
    let old = support::pair_side("old");
    let new = support::pair_side("new");
    for (case, json) in old.iter().chain(new.iter()) {
        let file = ApiFile::read(json).unwrap();
        let first = serde_json::to_string(&file.model()).unwrap();
        for _ in 0..3 {
            assert_eq!(serde_json::to_string(&file.model()).unwrap(), first, "{case}: the model differs between two builds");
        }
    }
    let (old_json, new_json) = (&old["equiv_underscore_reexports"], &new["equiv_underscore_reexports"]);
    let first = compare(&ApiFile::read(old_json).unwrap(), &ApiFile::read(new_json).unwrap(), CompareOptions { lints: false }).unwrap();
    for _ in 0..3 {
        let again = compare(&ApiFile::read(old_json).unwrap(), &ApiFile::read(new_json).unwrap(), CompareOptions { lints: false }).unwrap();
        assert_eq!(again.findings, first.findings);
    }
}

/// Equivalent spellings of one API (the `equiv_*` pairs) give byte-identical listings: the
/// listing shows the normalized form.
#[test]
fn equivalent_spellings_give_identical_listings() {
    let old = support::pair_side("old");
    let new = support::pair_side("new");
    let cases: Vec<&String> = old.keys().filter(|case| case.starts_with("equiv_")).collect();
    assert!(cases.len() >= 10, "the equivalence pairs are there: {cases:?}");
    for case in cases {
        let listing = |json| ApiFile::read(json).unwrap().model().listing(ListingOptions::default());
        let (before, after) = (listing(&old[case]), listing(&new[case]));
        assert_eq!(before, after, "{case}: equivalent code lists differently");
    }
}

/// The lints' queries parsed ahead, while a check waits for cargo, are the ones the lints then
/// run: the same findings as parsed on demand. A file that is not rustdoc JSON is an error.
#[test]
fn lint_queries_parsed_ahead_give_the_lints_findings() {
    let old = &support::pair_side("old")["design_notes_pair"];
    let new = &support::pair_side("new")["design_notes_pair"];
    let not_rustdoc = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(not_rustdoc.path(), "{}").unwrap();
    assert!(apicheck::lints::prepare(not_rustdoc.path(), &|| false).is_err());
    apicheck::lints::prepare(old, &|| false).unwrap();
    apicheck::lints::prepare(old, &|| false).unwrap();
    let mut ids: Vec<String> = apicheck::lints::run(apicheck::lints::catalog().unwrap(), old, new).unwrap().into_iter().map(|f| f.id).collect();
    ids.sort();
    assert_eq!(ids, ["constructible_struct_adds_field", "enum_variant_added", "trait_method_added"].map(String::from), "{ids:?}");
}
