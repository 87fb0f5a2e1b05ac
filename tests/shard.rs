//! `check --shard K/N` and `report merge` on fixtures/monorepo: every package in exactly one
//! shard, the same split on every run, and a merged verdict that fails closed.

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::monorepo::Monorepo;

fn shard_report(repo: &Monorepo, shard: &str, file: &str) -> (i32, Value) {
    let output = repo.apicheck(&["check", "--shard", shard, "--format", "json", "--output", file]);
    let report = serde_json::from_str(&repo.read(file)).unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)));
    (output.status.code().unwrap(), report)
}

fn names(report: &Value) -> Vec<String> {
    report["packages"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect()
}

fn merge(repo: &Monorepo, files: &[&str]) -> (i32, String, String) {
    let output = repo.apicheck(&[&["report", "merge", "--format", "json"], files].concat());
    (output.status.code().unwrap(), String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
}

#[test]
fn every_package_is_in_exactly_one_shard_and_the_split_is_stable() {
    let repo = Monorepo::new();
    let mut all = Vec::new();
    let mut first_split = Vec::new();
    for shard in ["1/3", "2/3", "3/3"] {
        let (code, report) = shard_report(&repo, shard, "shard.json");
        assert_eq!(code, 0, "{report:#}");
        assert_eq!(report["shard"]["count"], 3);
        let packages = names(&report);
        assert!(!packages.is_empty(), "five packages over three shards leave none empty: {shard}");
        all.extend(packages.clone());
        first_split.push(packages);
    }
    all.sort();
    assert_eq!(all, ["auth-core", "core-utils", "domain-shared", "multi-tenant-core", "validation"], "each package exactly once");
    for (index, shard) in ["1/3", "2/3", "3/3"].iter().enumerate() {
        assert_eq!(names(&shard_report(&repo, shard, "again.json").1), first_split[index], "the same split on every run");
    }
}

#[test]
fn merged_shards_give_one_verdict_that_fails_when_a_shard_fails() {
    let repo = Monorepo::new();
    repo.break_truncate();
    let (first, one) = shard_report(&repo, "1/2", "1.json");
    let (second, two) = shard_report(&repo, "2/2", "2.json");
    let failing_shard = if names(&one).contains(&"core-utils".to_string()) { first } else { second };
    assert_eq!(failing_shard, 1, "the shard with core-utils fails");
    assert_eq!(first.max(second), 1);
    assert!(names(&one).iter().chain(names(&two).iter()).collect::<BTreeSet<_>>().len() == 5);

    let (code, merged, stderr) = merge(&repo, &["1.json", "2.json"]);
    assert_eq!(code, 1, "{stderr}");
    let merged: Value = serde_json::from_str(&merged).unwrap();
    assert_eq!(merged["passed"], false);
    assert_eq!(names(&merged).len(), 5);
    assert!(merged.get("shard").is_none());

    let human = repo.apicheck(&["report", "merge", "1.json", "2.json"]);
    assert!(String::from_utf8(human.stdout).unwrap().contains("apicheck: 1 of 5 package(s) fail the release policy"));
}

#[test]
fn an_error_in_any_shard_makes_the_merge_an_error() {
    let repo = Monorepo::new();
    repo.write("baselines/validation/model.json", "{ corrupt");
    let (a, _) = shard_report(&repo, "1/2", "1.json");
    let (b, _) = shard_report(&repo, "2/2", "2.json");
    assert_eq!(a.max(b), 2, "the shard holding validation is an error");
    let (code, merged, stderr) = merge(&repo, &["1.json", "2.json"]);
    assert_eq!(code, 2, "{stderr}");
    let merged: Value = serde_json::from_str(&merged).unwrap();
    let validation = merged["packages"].as_array().unwrap().iter().find(|p| p["name"] == "validation").unwrap();
    assert_eq!(validation["status"], "error");
}

#[test]
fn a_missing_or_repeated_shard_cannot_be_merged() {
    let repo = Monorepo::new();
    shard_report(&repo, "1/2", "1.json");
    let (code, stdout, stderr) = merge(&repo, &["1.json"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("shard 2/2 is missing"), "{stderr}");
    let (code, _, stderr) = merge(&repo, &["1.json", "1.json"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("shard 1/2 is given 2 times") || stderr.contains("is in both"), "{stderr}");
    let bad = repo.apicheck(&["check", "--shard", "3/2"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("out of range"));
}

#[test]
fn a_file_that_is_not_a_check_report_cannot_be_merged() {
    let repo = Monorepo::new();
    repo.write("other.json", "{\"passed\": true}");
    let (code, stdout, stderr) = merge(&repo, &["other.json"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("other.json is not a JSON report of `apicheck check --format json`"), "{stderr}");
}

/// `report merge` on the files of `fixtures/fuzz/report-merge/<case>/`, from the repository root.
fn merge_fixture(case: &str) -> (i32, String, String) {
    let dir = support::fixtures().join("fuzz/report-merge").join(case);
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|entry| entry.unwrap().path()).collect();
    files.sort();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_apicheck")).args(["report", "merge"]).args(&files).output().unwrap();
    (output.status.code().unwrap(), String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
}

#[test]
fn a_report_of_a_shard_outside_its_split_cannot_be_merged() {
    // Shard 1/1 and a report claiming to be shard 7/1: every shard of 1..=1 is there once, but
    // the second report belongs to no split.
    let (code, stdout, stderr) = merge_fixture("regression-shard-outside-split");
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("claims to be shard 7/1, which no split has"), "{stderr}");
}

#[test]
fn a_value_with_a_newline_in_a_report_is_one_error_line() {
    let (code, _, stderr) = merge_fixture("regression-newline-in-variant");
    assert_eq!(code, 2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("unknown variant `pass\\nfail`"), "{stderr}");
}
