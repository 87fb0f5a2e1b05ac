//! Every old/new pair under fixtures/pairs, through real rustdoc JSON: the required bump must be
//! the one the fixture declares, and the findings must match the reviewed snapshot exactly.

mod support;

use std::fmt::Write;

use apicheck::{ApiFile, Bump, CompareOptions, ListingOptions, Source, compare};

fn expected_bump(case: &str) -> Bump {
    let manifest = support::fixtures().join("pairs/new").join(case).join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let value: toml::Value = toml::from_str(&text).unwrap();
    let bump = value["package"]["metadata"]["apicheck-fixture"]["expected_bump"].as_str().unwrap_or_else(|| panic!("{case} declares no expected_bump"));
    serde_json::from_value(serde_json::Value::String(bump.to_string())).unwrap()
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
    for (case, old_json) in old {
        let baseline = ApiFile::read(old_json).unwrap();
        let current = ApiFile::read(&new[case]).unwrap();
        let diff = compare(&baseline, &current, CompareOptions::default()).unwrap();
        assert!(diff.lints_ran, "{case}: the lints ran");
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
