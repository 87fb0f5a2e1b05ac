//! The cache of current APIs and diffs: each kind of input invalidates it, nothing else does,
//! and a corrupt or foreign entry is rebuilt. Every check runs through a `cargo` wrapper that
//! logs its commands, so "no rustdoc run" is seen, not inferred.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::monorepo::Monorepo;

const ALL: [&str; 5] = ["auth-core", "core-utils", "domain-shared", "multi-tenant-core", "validation"];

/// A monorepo whose checks run through a logging `cargo`.
struct Logged {
    repo: Monorepo,
    log: PathBuf,
    wrapper: PathBuf,
    _tools: tempfile::TempDir,
}

/// What one check did: the packages cargo documented, by the wrapper's log, and the report.
struct Run {
    code: i32,
    /// On the default surface.
    documented: Vec<String>,
    /// On the default surface, by cargo run, in order.
    runs: Vec<Vec<String>>,
    /// On the other feature surfaces, by surface.
    surfaces: BTreeMap<String, Vec<String>>,
    /// In context runs (a member alone, with the features a dependent's surface run built it
    /// with: `<target>/apicheck/contexts/<package>/<features>`), one entry per run.
    contexts: Vec<String>,
    report: Value,
}

impl Logged {
    fn new() -> Logged {
        let repo = Monorepo::new();
        let tools = tempfile::tempdir().unwrap();
        let log = tools.path().join("cargo.log");
        let wrapper = tools.path().join("cargo-wrapper.sh");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        fs::write(&wrapper, format!("#!/bin/sh\necho \"$*\" >> '{}'\nexec '{cargo}' \"$@\"\n", log.display())).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755)).unwrap();
        }
        Logged { repo, log, wrapper, _tools: tools }
    }

    fn check(&self) -> Run {
        self.check_env(&[])
    }

    fn check_env(&self, env: &[(&str, &str)]) -> Run {
        let _ = fs::remove_file(&self.log);
        let wrapper = self.wrapper.display().to_string();
        let mut env = env.to_vec();
        env.push(("CARGO", &wrapper));
        let (code, report) = self.repo.check_env(&[], &env);
        let log = fs::read_to_string(&self.log).unwrap_or_default();
        // By feature surface (`default` for the workspace's own target directory; the others
        // are documented in `<target>/apicheck/surfaces/<surface>/<package>`): the packages cargo was
        // asked to document.
        let mut by_surface: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut runs: Vec<Vec<String>> = Vec::new();
        let mut contexts: Vec<String> = Vec::new();
        for line in log.lines().filter(|line| line.starts_with("doc ")) {
            let target_dir = line.split_whitespace().find_map(|word| word.strip_prefix("--target-dir=")).unwrap_or_default();
            if target_dir.contains("/apicheck/contexts/") {
                contexts.extend(line.split_whitespace().filter_map(|word| word.strip_prefix("--package=")).map(|spec| {
                    spec.rsplit('#').next().and_then(|id| id.split('@').next()).unwrap_or(spec).to_string()
                }));
                continue;
            }
            let surface = target_dir
                .split_once("/apicheck/surfaces/")
                .and_then(|(_, rest)| rest.split('/').next())
                .map_or_else(|| "default".to_string(), str::to_string);
            // `--package=name@version` or `--package=path+file:///dir#name@version`
            let packages = line
                .split_whitespace()
                .filter_map(|word| word.strip_prefix("--package="))
                .map(|spec| spec.rsplit('#').next().and_then(|id| id.split('@').next()).unwrap_or(spec).to_string());
            let mut packages: Vec<String> = packages.collect();
            if surface == "default" {
                packages.sort();
                runs.push(packages.clone());
            }
            by_surface.entry(surface).or_default().extend(packages);
        }
        // A check that planned on a record of the workspace that is out of date (see
        // `a_workspace_changed_since_the_recorded_one_is_checked_as_it_is_now`) runs cargo
        // again: a package can be asked for twice.
        by_surface.values_mut().for_each(|packages| {
            packages.sort();
            packages.dedup();
        });
        let documented = by_surface.remove("default").unwrap_or_default();
        let mut reported: Vec<String> =
            report["documented"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        reported.sort();
        assert_eq!(reported, documented, "the report's `documented` differs from what cargo was asked to document");
        let reported_surfaces: BTreeMap<String, Vec<String>> =
            serde_json::from_value(report.get("documented_surfaces").cloned().unwrap_or(Value::Object(Default::default()))).unwrap();
        assert_eq!(reported_surfaces, by_surface, "the report's `documented_surfaces` differs from what cargo was asked to document");
        assert!(log.lines().any(|line| line.starts_with("metadata")), "the wrapper logged no cargo run: {log}");
        contexts.sort();
        Run { code, documented, runs, surfaces: by_surface, contexts, report }
    }

    fn cache_file(&self, package: &str, file: &str) -> PathBuf {
        self.repo.path("target/apicheck/cache").join(package).join(file)
    }
}

/// The reports' package verdicts and findings, which the cache must never change.
fn verdicts(report: &Value) -> Value {
    let mut report = report.clone();
    report.as_object_mut().unwrap().remove("documented");
    report.as_object_mut().unwrap().remove("documented_surfaces");
    report
}

fn append(repo: &Monorepo, file: &str, text: &str) {
    repo.write(file, &(repo.read(file) + text));
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_second_run_with_nothing_changed_runs_no_rustdoc_and_gives_the_same_report() {
    let logged = Logged::new();
    let cold = logged.check();
    assert_eq!(cold.code, 0, "{:#}", cold.report);
    assert_eq!(cold.documented, names(&ALL));

    let warm = logged.check();
    assert_eq!(warm.code, 0);
    assert_eq!(warm.documented, Vec::<String>::new());
    assert_eq!(verdicts(&warm.report), verdicts(&cold.report));

    // Not inputs: modification times, files outside the packages, apicheck's own configuration,
    // commits, a member that no governed package depends on.
    let repo = &logged.repo;
    let source = repo.read("packages/core-utils/src/lib.rs");
    repo.write("packages/core-utils/src/lib.rs", &source);
    repo.write("README.md", "# another readme\n");
    repo.edit("Cargo.toml", "stale-acknowledgements-fail = false", "stale-acknowledgements-fail = true");
    repo.edit("backend/app/src/main.rs", "fn main() {", "fn main() {\n    let _unused = 1;");
    repo.commit("touch things that are not inputs");
    let untouched = logged.check();
    assert_eq!(untouched.documented, Vec::<String>::new());
    assert_eq!(verdicts(&untouched.report), verdicts(&cold.report));
}

#[test]
fn a_public_change_documents_the_package_and_the_members_that_depend_on_it() {
    let logged = Logged::new();
    let cold = logged.check();
    assert_eq!(cold.documented, names(&ALL));
    let repo = &logged.repo;

    // domain-shared: nothing governed depends on it.
    append(repo, "packages/domain-shared/src/lib.rs", "\n/// Added.\npub fn added() {}\n");
    let leaf = logged.check();
    assert_eq!(leaf.documented, names(&["domain-shared"]));
    assert_eq!(support::monorepo::finding_ids(support::monorepo::package(&leaf.report, "domain-shared")), ["function_added"]);

    // core-utils: every other governed package depends on it, directly or not, and its API
    // changed. The cached findings of before must not survive the change.
    repo.break_truncate();
    let root = logged.check();
    assert_eq!(root.documented, names(&ALL));
    assert_eq!(root.code, 1);
    assert!(
        support::monorepo::finding_ids(support::monorepo::package(&root.report, "core-utils")).contains(&"function_parameter_type_changed")
    );
    assert_same_as_uncached(&logged, &root);

    // A new baseline changes the findings, but not the API: no rustdoc run.
    let recorded = repo.apicheck_env(&["baseline", "-p", "core-utils"], &[("CARGO", &logged.wrapper.display().to_string())]);
    assert!(recorded.status.success(), "{}", String::from_utf8_lossy(&recorded.stderr));
    let rebaselined = logged.check();
    assert_eq!(rebaselined.documented, Vec::<String>::new());
    assert_eq!(support::monorepo::finding_ids(support::monorepo::package(&rebaselined.report, "core-utils")), Vec::<&str>::new());
}

/// A break in a member nothing depends on, documented alone: while cargo documents it, its
/// baseline is read and loaded for the lints ahead, and its new rustdoc JSON is loaded beside
/// the cache storing it (see `gate/ahead.rs`; with four threads, cargo's one package leaves a
/// core to it on any machine). The findings, the lints' among them, are those of a check that
/// reads everything after cargo: one without the cache, where every member is documented in one
/// run and none is chosen.
#[test]
fn a_break_compared_with_its_baseline_read_ahead_gives_the_findings_of_a_check_without_the_cache() {
    let logged = Logged::new();
    logged.check();
    let repo = &logged.repo;
    let lib = "packages/domain-shared/src/lib.rs";
    repo.write(lib, &repo.read(lib).replace("pub const MAX_NAME_LEN", "pub(crate) const MAX_NAME_LEN"));
    let leaf = logged.check_env(&[("RAYON_NUM_THREADS", "4")]);
    assert_eq!(leaf.documented, names(&["domain-shared"]));
    assert_eq!(leaf.code, 1);
    let package = support::monorepo::package(&leaf.report, "domain-shared");
    let lints: Vec<&str> = package["findings"].as_array().unwrap().iter().filter_map(|f| f["lint"].as_str()).collect();
    assert!(!lints.is_empty(), "the lints ran on the JSON loaded ahead: {package}");
    assert_same_as_uncached(&logged, &leaf);
}

/// A public change to core-utils that the members above it do not show: each is documented
/// again, and its rustdoc JSON comes out byte for byte the one its entry was built from, so its
/// stored API (`api.json`) is kept, not built and written again, and its entry gets the new key.
/// The findings are those of a check without the cache, and the next check documents nothing.
#[test]
fn a_dependent_whose_rustdoc_json_did_not_change_keeps_its_stored_api() {
    let logged = Logged::new();
    logged.check();
    let repo = &logged.repo;
    let dependents = ["auth-core", "domain-shared", "multi-tenant-core", "validation"];
    let stored = |package: &str| {
        let api = logged.cache_file(package, "api.json");
        (fs::metadata(&api).unwrap().modified().unwrap(), fs::read(api).unwrap())
    };
    let before: Vec<_> = dependents.iter().map(|package| stored(package)).collect();
    append(repo, "packages/core-utils/src/lib.rs", "\n/// Added.\npub fn added_to_the_root() {}\n");
    let public = logged.check();
    assert_eq!(public.documented, names(&ALL));
    let after: Vec<_> = dependents.iter().map(|package| stored(package)).collect();
    assert_eq!(after, before, "the dependents' stored APIs were written again");
    assert_eq!(logged.check().documented, Vec::<String>::new(), "the kept entries have their new keys");
    assert_same_as_uncached(&logged, &public);
}

/// A member the run documents for its own sake, which a package declares as an optional
/// dependency that is off: the run compiles nothing of it for that package, so the package's
/// entry does not look for the dep-info of its check build (there is none: nothing depends on
/// multi-tenant-core), and the next check documents nothing. (It did, once, after every run
/// that documented both: the entry could not be keyed.)
#[test]
fn an_optional_member_dependency_that_is_off_is_not_read_when_the_run_documents_it() {
    let logged = Logged::new();
    let repo = &logged.repo;
    repo.edit(
        "packages/domain-shared/Cargo.toml",
        "validation = { workspace = true }",
        "validation = { workspace = true }\nmulti-tenant-core = { workspace = true, optional = true }",
    );
    let cold = logged.check();
    assert_eq!(cold.documented, names(&ALL));
    let notes = support::monorepo::package(&cold.report, "domain-shared")["notes"].to_string();
    assert!(!notes.contains("not cached"), "{notes}");
    assert_eq!(logged.check().documented, Vec::<String>::new());
}

#[test]
fn a_private_change_documents_only_that_package() {
    let logged = Logged::new();
    let cold = logged.check();
    assert_eq!(cold.documented, names(&ALL));
    let repo = &logged.repo;

    // A private function, then its body: the API fingerprint of core-utils stays, so the
    // members that depend on it keep their entries.
    append(repo, "packages/core-utils/src/lib.rs", "\n/// Private.\n#[allow(dead_code)]\nfn private_helper() -> u32 {\n    7\n}\n");
    let private = logged.check();
    assert_eq!(private.documented, names(&["core-utils"]));
    assert_eq!(verdicts(&private.report), verdicts(&cold.report));
    repo.edit("packages/core-utils/src/lib.rs", "    7\n}", "    8\n}");
    assert_eq!(logged.check().documented, names(&["core-utils"]));
    assert_eq!(logged.check().documented, Vec::<String>::new());
    assert_same_as_uncached(&logged, &private);

    // The same for a member in the middle: validation, which auth-core and domain-shared
    // depend on.
    append(repo, "packages/validation/src/lib.rs", "\n#[allow(dead_code)]\nfn private_rule() {}\n");
    assert_eq!(logged.check().documented, names(&["validation"]));
    // A private type is conservatively seen: its impls (auto traits too) are in the
    // fingerprint, as a public associated type can name it.
    append(repo, "packages/validation/src/lib.rs", "\n#[allow(dead_code)]\nstruct Private;\n");
    assert_eq!(logged.check().documented, names(&["auth-core", "domain-shared", "multi-tenant-core", "validation"]));
}

#[test]
fn a_change_that_looks_public_documents_the_dependents_in_the_same_cargo_run() {
    let logged = Logged::new();
    let cold = logged.check();
    assert_eq!(cold.runs, [names(&ALL)]);
    let repo = &logged.repo;

    // The shape of core-utils' sources is the same: one run, core-utils alone.
    append(repo, "packages/core-utils/src/lib.rs", "\n#[allow(dead_code)]\nfn private_helper() -> u32 {\n    7\n}\n");
    assert_eq!(logged.check().runs, [names(&["core-utils"])]);

    // A public function: every member that depends on core-utils goes in the same run.
    append(repo, "packages/core-utils/src/lib.rs", "\n/// Added.\npub struct Holder(Inner);\n\n#[allow(dead_code)]\nstruct Inner(u8);\n");
    let public = logged.check();
    assert_eq!(public.runs, [names(&ALL)]);
    assert_same_as_uncached(&logged, &public);

    // Damaged shapes: no record, so the guess is "public", and the dependents go in the first
    // run; the results are the same.
    fs::write(logged.cache_file("core-utils", "shapes.json"), "{\"apicheck_cache\": 6, \"files\": [").unwrap();
    append(repo, "packages/core-utils/src/lib.rs", "\n#[allow(dead_code)]\nfn another_private_helper() {}\n");
    let damaged = logged.check();
    assert_eq!(damaged.runs, [names(&ALL)]);
    assert_eq!(verdicts(&damaged.report), verdicts(&public.report));

    // A private type's field that takes Send and Sync from a public one: the shape of the
    // public code is the same, so the guess is "private"; the fingerprint changed all the
    // same, and a second run documents the dependents (Holder, new since the release, has no
    // finding of its own but `struct_added`: the test is what cargo was asked to do).
    repo.edit("packages/core-utils/src/lib.rs", "struct Inner(u8);", "struct Inner(std::rc::Rc<u8>);");
    let missed = logged.check();
    assert_eq!(missed.runs, [names(&["core-utils"]), names(&["auth-core", "domain-shared", "multi-tenant-core", "validation"])]);
    assert_same_as_uncached(&logged, &missed);
}

#[test]
fn a_private_field_is_a_change_the_cached_findings_see() {
    let logged = Logged::new();
    let repo = &logged.repo;
    append(repo, "packages/core-utils/src/lib.rs", "\n/// Open.\npub struct Open {\n    /// A.\n    pub a: u32,\n}\n");
    let recorded = repo.apicheck_env(&["baseline", "-p", "core-utils"], &[]);
    assert!(recorded.status.success(), "{}", String::from_utf8_lossy(&recorded.stderr));
    let cold = logged.check();
    assert_eq!(cold.code, 0, "{:#}", cold.report);
    // Users can no longer build an `Open` with a struct literal: the findings, cached by the
    // API fingerprint, must change though the field is private.
    repo.edit("packages/core-utils/src/lib.rs", "    pub a: u32,\n}", "    pub a: u32,\n    b: u32,\n}");
    let private_field = logged.check();
    assert!(private_field.documented.contains(&"core-utils".to_string()));
    let ids = support::monorepo::finding_ids(support::monorepo::package(&private_field.report, "core-utils"));
    assert!(ids.contains(&"struct_now_has_private_fields"), "{ids:?}");
    assert_same_as_uncached(&logged, &private_field);
}

#[test]
fn a_change_of_an_auto_trait_only_documents_the_members_that_depend_on_it() {
    let logged = Logged::new();
    let cold = logged.check();
    assert_eq!(cold.documented, names(&ALL));
    let repo = &logged.repo;

    // A private field's type: EntityId is no longer Send nor Sync. Its signatures stay, but
    // auth-core's `Principal` holds one, multi-tenant-core's `TenantId` too, and domain-shared
    // re-exports it.
    repo.edit("packages/core-utils/src/id.rs", "pub struct EntityId(String);", "pub struct EntityId(std::rc::Rc<str>);");
    repo.edit("packages/core-utils/src/id.rs", "Ok(Self(raw.to_owned()))", "Ok(Self(raw.into()))");
    let changed = logged.check();
    assert_eq!(changed.documented, names(&ALL));
    for package in ["core-utils", "auth-core", "multi-tenant-core"] {
        let ids = support::monorepo::finding_ids(support::monorepo::package(&changed.report, package));
        assert!(ids.contains(&"auto_trait_impl_removed"), "{package}: {ids:?}");
    }
    assert_same_as_uncached(&logged, &changed);
}

#[test]
fn a_constant_evaluated_from_a_dependency_follows_its_private_code() {
    let logged = Logged::new();
    let repo = &logged.repo;
    // domain-shared's JSON holds the value of a const fn of core-utils, whose body is private.
    append(repo, "packages/core-utils/src/lib.rs", "\n/// A limit.\npub const fn limit() -> usize {\n    64\n}\n");
    append(repo, "packages/domain-shared/src/lib.rs", "\n/// core-utils' limit.\npub const LIMIT: usize = core_utils::limit();\n");
    // auth-core's, an enum discriminant.
    append(repo, "packages/auth-core/src/lib.rs", "\n/// Sizes.\npub enum Size {\n    /// core-utils' limit.\n    Limit = core_utils::limit() as isize,\n}\n");
    // Literal discriminants and an associated constant's expression follow from validation's
    // own code: its key keeps core-utils' fingerprint.
    append(
        repo,
        "packages/validation/src/lib.rs",
        "\n/// Codes.\npub enum Code {\n    /// One.\n    One = 1,\n    /// Hex.\n    Hex = 0x1F,\n}\n\nimpl Code {\n    /// A product.\n    pub const PRODUCT: u32 = 3 * 7;\n}\n",
    );
    assert_eq!(logged.check().documented, names(&ALL));
    repo.edit("packages/core-utils/src/lib.rs", "    64\n}", "    65\n}");
    let changed = logged.check();
    // multi-tenant-core depends on auth-core, whose API changed: `Size::Limit` is 65 now.
    assert_eq!(changed.documented, names(&["auth-core", "core-utils", "domain-shared", "multi-tenant-core"]));
    let json = fs::read_to_string(logged.cache_file("domain-shared", "rustdoc.json")).unwrap();
    let at = json.find("\"LIMIT\"").expect("LIMIT in the JSON");
    let constant = &json[at..(at + 400).min(json.len())];
    assert!(constant.contains("\"value\":\"65"), "the value of LIMIT is not 65: {constant}");
}

#[test]
fn a_version_bump_documents_the_members_that_depend_on_it() {
    let logged = Logged::new();
    logged.check();
    logged.repo.edit("packages/core-utils/Cargo.toml", "version = \"1.2.0\"", "version = \"1.2.1\"");
    let bumped = logged.check();
    assert_eq!(bumped.documented, names(&ALL));
    assert_same_as_uncached(&logged, &bumped);
}

#[test]
fn a_member_with_features_keeps_the_cutoff_as_its_features_are_the_workspace_s() {
    let logged = Logged::new();
    let repo = &logged.repo;
    // validation turns on a non-default feature of core-utils: cargo unifies features across
    // the workspace, so every run builds core-utils with it, whichever packages it documents.
    repo.edit("packages/core-utils/Cargo.toml", "[dependencies]", "[features]\nextra = []\n\n[dependencies]");
    append(repo, "packages/core-utils/src/lib.rs", "\n/// Only with `extra`.\n#[cfg(feature = \"extra\")]\npub fn extra_api() {}\n");
    repo.edit("packages/validation/Cargo.toml", "core-utils = { workspace = true }", "core-utils = { workspace = true, features = [\"extra\"] }");
    let cold = logged.check();
    assert_eq!(cold.documented, names(&ALL));
    let core = support::monorepo::package(&cold.report, "core-utils");
    // The feature itself is a finding of the manifest's; the function is the API behind it.
    assert_eq!(support::monorepo::finding_ids(core), ["function_added", "feature_added"], "core-utils is documented with `extra`: {core:#}");

    // A private change: core-utils alone is documented, with the same features.
    append(repo, "packages/core-utils/src/lib.rs", "\n#[allow(dead_code)]\nfn private_helper() {}\n");
    let private = logged.check();
    assert_eq!(private.documented, names(&["core-utils"]));
    assert_eq!(verdicts(&private.report), verdicts(&cold.report));
    assert_same_as_uncached(&logged, &private);

    // What a member asks of another's features is an input of every package.
    repo.edit("packages/validation/Cargo.toml", "core-utils = { workspace = true, features = [\"extra\"] }", "core-utils = { workspace = true }");
    let without = logged.check();
    assert_eq!(without.documented, names(&ALL));
    let core = support::monorepo::package(&without.report, "core-utils");
    assert_eq!(support::monorepo::finding_ids(core), ["function_added", "feature_added"], "{core:#}");
    // By default, the feature without the API behind it; that API is on the all-features
    // surface. Every member's feature declarations are inputs of every package's key, on that
    // surface too (where they do not decide core-utils' features): it is documented again.
    assert_eq!(finding_surfaces(core, "function_added"), ["all-features"], "{core:#}");
    assert_eq!(without.surfaces, BTreeMap::from([("all-features".to_string(), names(&["core-utils"]))]));
}

/// The feature surfaces the finding `id` of `package` names (none: in every surface).
fn finding_surfaces(package: &Value, id: &str) -> Vec<String> {
    let finding = package["findings"].as_array().unwrap().iter().find(|f| f["id"] == id).unwrap_or_else(|| panic!("no {id}: {package:#}"));
    finding.get("surfaces").map(|surfaces| serde_json::from_value(surfaces.clone()).unwrap()).unwrap_or_default()
}

#[test]
fn a_dependent_documented_with_other_features_than_the_fingerprint_keys_on_the_source() {
    let logged = Logged::new();
    let repo = &logged.repo;
    // apicheck turns `extra` on for core-utils when it documents core-utils: a run that
    // documents validation without core-utils builds core-utils without it, so core-utils'
    // fingerprint does not stand for what validation's documentation saw.
    repo.edit("packages/core-utils/Cargo.toml", "[dependencies]", "[features]\nextra = []\n\n[dependencies]");
    repo.edit(
        "Cargo.toml",
        "[workspace.metadata.apicheck.rules]",
        "[workspace.metadata.apicheck.features]\ncore-utils = [\"extra\"]\n\n[workspace.metadata.apicheck.rules]",
    );
    assert_eq!(logged.check().documented, names(&ALL));
    append(repo, "packages/validation/src/lib.rs", "\n#[allow(dead_code)]\nfn private_rule() {}\n");
    assert_eq!(logged.check().documented, names(&["validation"]));

    // A private change to core-utils: validation's key holds core-utils' source key, the
    // others' its fingerprint.
    append(repo, "packages/core-utils/src/lib.rs", "\n#[allow(dead_code)]\nfn private_helper() {}\n");
    let private = logged.check();
    assert_eq!(private.documented, names(&["core-utils", "validation"]));
    assert_same_as_uncached(&logged, &private);
}

/// A check plans on the workspace as the last check read it (`target/apicheck/workspace.json`)
/// while cargo reads it again: one that changed meanwhile is checked as it is now, and cargo
/// failing to read it is an error, never a verdict from the record.
#[test]
fn a_workspace_changed_since_the_recorded_one_is_checked_as_it_is_now() {
    let logged = Logged::new();
    logged.check();
    let record = logged.repo.path("target/apicheck/workspace.json");
    assert!(!fs::read_to_string(&record).unwrap().contains("extra-kit"));

    // A damaged record is not read: the check reads the workspace from cargo and records it anew.
    let before = logged.check();
    fs::write(&record, "{ not a record").unwrap();
    let damaged = logged.check();
    assert_eq!(verdicts(&damaged.report), verdicts(&before.report));
    let rewritten: Value = serde_json::from_str(&fs::read_to_string(&record).unwrap()).expect("the record is written again");
    assert!(rewritten["metadata"].as_str().is_some_and(|metadata| metadata.contains("core-utils")), "{rewritten}");

    // A member the record does not know.
    logged.repo.write(
        "packages/extra-kit/Cargo.toml",
        "[package]\nname = \"extra-kit\"\nversion = \"0.1.0\"\nedition.workspace = true\ndescription = \"Extras.\"\nlicense = \"MIT\"\n",
    );
    logged.repo.write("packages/extra-kit/src/lib.rs", "//! Extras.\n\n/// A kit.\npub fn kit() {}\n");
    let changed = logged.check();
    let checked: Vec<&str> = changed.report["packages"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert!(checked.contains(&"extra-kit"), "the new member is not checked: {checked:?}");
    assert!(changed.documented.contains(&"extra-kit".to_string()));
    assert!(fs::read_to_string(&record).unwrap().contains("extra-kit"), "the record is not the workspace as it is now");
    fs::remove_dir_all(logged.repo.path("target/apicheck")).unwrap();
    let uncached = logged.check();
    assert_eq!(verdicts(&uncached.report), verdicts(&changed.report));

    // Cargo cannot read the workspace any more: the record of it passes nothing.
    logged.repo.edit("Cargo.toml", "[workspace]", "[workspace");
    assert!(record.is_file());
    let broken = logged.repo.apicheck(&["check"]);
    assert_eq!(broken.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(stderr.contains("cannot read the Cargo workspace"), "{stderr}");
}

/// A workspace that changed before a cargo run planned on the record of it: the confirmation
/// fails during that run, and the check is made again on the workspace as it is now, keeping
/// nothing of the stale run. Both times the confirmation can come: once cargo reported its
/// first unit (validation depends on core-utils), and at cargo's start (core-utils depends on
/// nothing, so cargo reports nothing before it is documented).
#[test]
fn a_workspace_that_changed_under_a_cargo_run_is_checked_as_it_is_now() {
    for changed_package in ["validation", "core-utils"] {
        let logged = Logged::new();
        logged.check();
        append(&logged.repo, &format!("packages/{changed_package}/src/lib.rs"), "\n#[allow(dead_code)]\nfn private_helper() {}\n");
        logged.repo.write(
            "packages/extra-kit/Cargo.toml",
            "[package]\nname = \"extra-kit\"\nversion = \"0.1.0\"\nedition.workspace = true\ndescription = \"Extras.\"\nlicense = \"MIT\"\n",
        );
        logged.repo.write("packages/extra-kit/src/lib.rs", "//! Extras.\n\n/// A kit.\npub fn kit() {}\n");
        let changed = logged.check();
        let planned = changed.runs.first().cloned().unwrap_or_default();
        assert!(
            planned.contains(&changed_package.to_string()) && !planned.contains(&"extra-kit".to_string()),
            "no cargo run was planned on the record: {:?}",
            changed.runs
        );
        assert!(changed.runs.iter().skip(1).any(|run| run.contains(&"extra-kit".to_string())), "no run on the workspace as it is now: {:?}", changed.runs);
        let checked: Vec<&str> = changed.report["packages"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert!(checked.contains(&"extra-kit"), "the new member is not checked: {checked:?}");
        assert_eq!(logged.check().documented, Vec::<String>::new(), "after changing {changed_package}");
        fs::remove_dir_all(logged.repo.path("target/apicheck")).unwrap();
        let uncached = logged.check();
        assert_eq!(verdicts(&uncached.report), verdicts(&changed.report), "after changing {changed_package}");
    }
}

/// Asserts that checking again without the cache gives the report of `run`.
fn assert_same_as_uncached(logged: &Logged, run: &Run) {
    fs::remove_dir_all(logged.repo.path("target/apicheck")).unwrap();
    let uncached = logged.check();
    assert_eq!(uncached.documented, names(&ALL));
    assert_eq!(verdicts(&uncached.report), verdicts(&run.report));
}

#[test]
fn a_manifest_change_that_rustdoc_does_not_show_documents_that_package_only() {
    let logged = Logged::new();
    logged.check();
    logged.repo.edit("packages/auth-core/Cargo.toml", "license = \"MIT\"", "license = \"MIT\"\nkeywords = [\"auth\"]");
    let keywords = logged.check();
    assert_eq!(keywords.documented, names(&["auth-core"]));
    assert_same_as_uncached(&logged, &keywords);
}

#[test]
fn a_lockfile_change_documents_the_packages_that_use_the_changed_entries() {
    let logged = Logged::new();
    let repo = &logged.repo;
    // A path dependency outside the workspace (the fixture excludes `vendor/`): in Cargo.lock,
    // but not a member.
    repo.write("vendor/pad/Cargo.toml", "[package]\nname = \"pad\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    repo.write("vendor/pad/src/lib.rs", "pub fn pad(s: &str) -> String { format!(\" {s} \") }\n");
    repo.edit("packages/domain-shared/Cargo.toml", "[dependencies]", "[dependencies]\npad = { path = \"../../vendor/pad\" }");
    let first = logged.check();
    assert_eq!(first.documented, names(&ALL));
    assert!(repo.read("Cargo.lock").contains("name = \"pad\""));
    assert_eq!(logged.check().documented, Vec::<String>::new());

    // The lockfile entry changes (cargo writes it back on the next run).
    let lock = repo.read("Cargo.lock");
    repo.write("Cargo.lock", &lock.replace("name = \"pad\"\nversion = \"0.1.0\"", "name = \"pad\"\nversion = \"0.1.9\""));
    assert_eq!(logged.check().documented, names(&["domain-shared"]));

    // The path dependency's own files are inputs too.
    repo.edit("vendor/pad/src/lib.rs", "format!(\" {s} \")", "format!(\"  {s}  \")");
    assert_eq!(logged.check().documented, names(&["domain-shared"]));
}

#[test]
fn features_and_flags_are_inputs() {
    let logged = Logged::new();
    let repo = &logged.repo;
    repo.edit("packages/multi-tenant-core/Cargo.toml", "[dependencies]", "[features]\naudit = []\n\n[dependencies]");
    append(repo, "packages/multi-tenant-core/src/lib.rs", "\n/// Only with `audit`.\n#[cfg(feature = \"audit\")]\npub fn audit() {}\n");
    let first = logged.check();
    assert_eq!(first.documented, names(&ALL));
    // The API behind `audit` is not in the default surface, only on the all-features one.
    let tenant = support::monorepo::package(&first.report, "multi-tenant-core");
    assert_eq!(support::monorepo::finding_ids(tenant), ["feature_added", "function_added"], "{tenant:#}");
    assert_eq!(finding_surfaces(tenant, "feature_added"), Vec::<String>::new(), "{tenant:#}");
    assert_eq!(finding_surfaces(tenant, "function_added"), ["all-features"], "{tenant:#}");
    assert_eq!(first.surfaces, BTreeMap::from([("all-features".to_string(), names(&["multi-tenant-core"]))]));

    repo.edit(
        "Cargo.toml",
        "[workspace.metadata.apicheck.rules]",
        "[workspace.metadata.apicheck.features]\nmulti-tenant-core = [\"audit\"]\n\n[workspace.metadata.apicheck.rules]",
    );
    let with_feature = logged.check();
    assert_eq!(with_feature.documented, names(&["multi-tenant-core"]));
    assert_eq!(
        support::monorepo::finding_ids(support::monorepo::package(&with_feature.report, "multi-tenant-core")),
        ["feature_added", "function_added"],
        "the API behind the configured feature is checked"
    );
    let tenant = support::monorepo::package(&with_feature.report, "multi-tenant-core");
    assert_eq!(finding_surfaces(tenant, "function_added"), Vec::<String>::new(), "in the default surface too now: {tenant:#}");
    assert_eq!(with_feature.surfaces, BTreeMap::new(), "the all-features surface's inputs did not change");
    assert_eq!(logged.check().documented, Vec::<String>::new());

    // Flags change what rustdoc emits for every package.
    let flagged = logged.check_env(&[("RUSTDOCFLAGS", "--cfg apicheck_test")]);
    assert_eq!(flagged.documented, names(&ALL));
}

#[test]
fn a_file_included_from_outside_the_package_is_an_input() {
    let logged = Logged::new();
    let repo = &logged.repo;
    let wrapper = logged.wrapper.display().to_string();
    repo.write("shared-src/api.rs", "/// Shared with other tools.\npub fn shared_api(x: u32) -> u32 {\n    x\n}\n");
    append(repo, "packages/core-utils/src/lib.rs", "\ninclude!(\"../../../shared-src/api.rs\");\n");
    let recorded = repo.apicheck_env(&["baseline", "-p", "core-utils"], &[("CARGO", &wrapper)]);
    assert!(recorded.status.success(), "{}", String::from_utf8_lossy(&recorded.stderr));
    let first = logged.check();
    assert_eq!(first.code, 0, "{:#}", first.report);
    let warm = logged.check();
    assert_eq!((warm.code, warm.documented), (0, Vec::new()));

    // The included file is outside every package's directory; the members that depend on
    // core-utils read it too, through its metadata.
    repo.edit("shared-src/api.rs", "pub fn shared_api(x: u32) -> u32 {", "pub fn shared_api(x: u64) -> u64 {");
    let changed = logged.check();
    assert_eq!(changed.code, 1, "{:#}", changed.report);
    assert_eq!(changed.documented, names(&ALL));
    let core = support::monorepo::package(&changed.report, "core-utils");
    let finding = core["findings"].as_array().unwrap().iter().find(|f| f["path"] == "core_utils::shared_api").unwrap_or_else(|| panic!("{core:#}"));
    assert_eq!(finding["id"], "function_parameter_type_changed");
    assert_eq!(finding["required_bump"], "major");

    // The same verdict as without the cache.
    fs::remove_dir_all(repo.path("target/apicheck")).unwrap();
    let uncached = logged.check();
    assert_eq!(verdicts(&uncached.report), verdicts(&changed.report));
    assert_eq!(logged.check().documented, Vec::<String>::new());
}

#[test]
fn an_environment_variable_the_code_reads_is_an_input() {
    let logged = Logged::new();
    let repo = &logged.repo;
    append(repo, "packages/domain-shared/src/lib.rs", "\n/// Where it was built.\npub const BUILT_BY: Option<&str> = option_env!(\"APICHECK_TEST_VAR\");\n");
    assert_eq!(logged.check_env(&[("APICHECK_TEST_VAR", "one")]).documented, names(&ALL));
    assert_eq!(logged.check_env(&[("APICHECK_TEST_VAR", "one")]).documented, Vec::<String>::new());
    assert_eq!(logged.check_env(&[("APICHECK_TEST_VAR", "two")]).documented, names(&["domain-shared"]));
    assert_eq!(logged.check().documented, names(&["domain-shared"]));
    assert_eq!(logged.check().documented, Vec::<String>::new());
}

#[test]
fn what_a_build_script_reruns_on_is_an_input() {
    let logged = Logged::new();
    let repo = &logged.repo;
    // The API depends on a variable and a file outside the package through the build script.
    let build_script = [
        "fn main() {",
        "    println!(\"cargo::rustc-check-cfg=cfg(extra_api)\");",
        "    println!(\"cargo::rerun-if-env-changed=APICHECK_TEST_EXTRA\");",
        "    println!(\"cargo::rerun-if-changed=../../shared-src/doc.txt\");",
        "    if std::env::var_os(\"APICHECK_TEST_EXTRA\").is_some() {",
        "        println!(\"cargo::rustc-cfg=extra_api\");",
        "    }",
        "}",
    ];
    repo.write("packages/domain-shared/build.rs", &(build_script.join("\n") + "\n"));
    repo.write("shared-src/doc.txt", "one\n");
    append(repo, "packages/domain-shared/src/lib.rs", "\n/// Only with `APICHECK_TEST_EXTRA` set.\n#[cfg(extra_api)]\npub fn extra() {}\n");
    assert_eq!(logged.check().documented, names(&ALL));
    assert_eq!(logged.check().documented, Vec::<String>::new());

    let extra = logged.check_env(&[("APICHECK_TEST_EXTRA", "1")]);
    assert_eq!(extra.documented, names(&["domain-shared"]));
    assert_eq!(support::monorepo::finding_ids(support::monorepo::package(&extra.report, "domain-shared")), ["function_added"]);

    assert_eq!(logged.check().documented, names(&["domain-shared"]));
    repo.write("shared-src/doc.txt", "two\n");
    assert_eq!(logged.check().documented, names(&["domain-shared"]));
    assert_eq!(logged.check().documented, Vec::<String>::new());
}

#[test]
fn corrupt_and_foreign_cache_entries_are_rebuilt_never_trusted() {
    let logged = Logged::new();
    let cold = logged.check();
    assert_eq!(cold.documented, names(&ALL));

    // core-utils: garbage in both entries.
    fs::write(logged.cache_file("core-utils", "api.json"), "{ not json").unwrap();
    fs::write(logged.cache_file("core-utils", "diff.json"), "\0\0\0").unwrap();
    // validation: the findings gone, the API sound: compared again, not documented.
    fs::remove_file(logged.cache_file("validation", "diff.json")).unwrap();
    // domain-shared: the rustdoc JSON cut short under a sound-looking entry.
    fs::remove_file(logged.cache_file("domain-shared", "diff.json")).unwrap();
    let json = fs::read(logged.cache_file("domain-shared", "rustdoc.json")).unwrap();
    fs::write(logged.cache_file("domain-shared", "rustdoc.json"), &json[..json.len() / 2]).unwrap();
    // auth-core: another package's entries, which parse but are not its own.
    for file in ["api.json", "diff.json"] {
        fs::copy(logged.cache_file("multi-tenant-core", file), logged.cache_file("auth-core", file)).unwrap();
    }

    // multi-tenant-core too: its key needs the fingerprint of auth-core, which is documented
    // in the second cargo run (after core-utils), where what depends on it is documented too.
    let rebuilt = logged.check();
    assert_eq!(rebuilt.documented, names(&["auth-core", "core-utils", "domain-shared", "multi-tenant-core"]));
    assert_eq!(verdicts(&rebuilt.report), verdicts(&cold.report));
    assert_eq!(logged.check().documented, Vec::<String>::new());
}

/// An entry damaged without changing its files' sizes passes the checks a hit makes up front;
/// the hash checks made when the files are read stop the run (exit 2, the fix on stderr) and
/// drop the entry, and the next run documents the package again.
#[test]
fn an_entry_damaged_in_place_is_an_error_then_rebuilt() {
    let logged = Logged::new();
    let cold = logged.check();
    assert_eq!(cold.documented, names(&ALL));

    // core-utils: its findings gone (so its model is needed), its API's bytes changed in place.
    fs::remove_file(logged.cache_file("core-utils", "diff.json")).unwrap();
    damage_in_place(&logged.cache_file("core-utils", "api.json"));
    let output = logged.repo.apicheck(&["check"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the cache entry of `core-utils`") && stderr.contains("is damaged") && stderr.contains("run the command again"), "{stderr}");

    let rebuilt = logged.check();
    assert_eq!(rebuilt.documented, names(&["core-utils"]));
    assert_eq!(verdicts(&rebuilt.report), verdicts(&cold.report));

    // Its rustdoc JSON changed in place, same size: the lints, which read it, find out.
    fs::remove_file(logged.cache_file("core-utils", "diff.json")).unwrap();
    damage_in_place(&logged.cache_file("core-utils", "rustdoc.json"));
    let output = logged.repo.apicheck(&["check"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the cache entry of `core-utils`") && stderr.contains("its rustdoc JSON is not the one it recorded"), "{stderr}");
    let rebuilt = logged.check();
    assert_eq!(rebuilt.documented, names(&["core-utils"]));
    assert_eq!(verdicts(&rebuilt.report), verdicts(&cold.report));
}

/// Changes one byte of `file` (the first after a quote), keeping its size.
fn damage_in_place(file: &Path) {
    let mut bytes = fs::read(file).unwrap();
    let at = bytes.iter().position(|&b| b == b'"').unwrap() + 1;
    bytes[at] = if bytes[at] == b'x' { b'y' } else { b'x' };
    fs::write(file, &bytes).unwrap();
}

/// A member named like a crates.io package (`itoa`, a dependency of another member, new to the
/// lockfile in the very run that documents the member): cargo is asked for `name@version`, or
/// for its package id once the lockfile holds both, never for the ambiguous name, so it is
/// documented, cached and cut off like any other. Offline: the crate comes from
/// the local registry cache, which building apicheck filled (apicheck's own lockfile pins the
/// same `itoa`).
#[test]
fn a_member_named_like_a_registry_package_is_selected_unambiguously() {
    let logged = Logged::new();
    let repo = &logged.repo;
    let offline = [("CARGO_NET_OFFLINE", "true")];
    repo.write(
        "packages/itoa/Cargo.toml",
        "[package]\nname = \"itoa\"\nversion = \"0.1.0\"\nedition = \"2021\"\ndescription = \"Digits.\"\nlicense = \"MIT\"\n",
    );
    repo.write("packages/itoa/CHANGELOG.md", "# Changelog\n\n## [0.1.0] - 2026-01-01\n\n- First release.\n");
    repo.write("packages/itoa/src/lib.rs", "//! A member that shares its name with a crates.io crate.\n\n/// Digits of `n`.\npub fn digits(n: u64) -> usize {\n    n.to_string().len()\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn ten_has_two() {\n        assert_eq!(super::digits(10), 2);\n    }\n}\n");
    repo.edit("packages/validation/Cargo.toml", "[dependencies]\n", "[dependencies]\nitoa = \"=1.0.19\"\n");
    let recorded = repo.apicheck_env(&["baseline", "--all"], &offline);
    assert_eq!(recorded.status.code(), Some(0), "{}", String::from_utf8_lossy(&recorded.stderr));
    let lock = repo.read("Cargo.lock");
    assert_eq!(lock.matches("name = \"itoa\"").count(), 2, "the lockfile holds the member and the crates.io crate:\n{lock}");
    repo.commit("a member named itoa; validation uses crates.io's itoa");

    let warm = logged.check_env(&offline);
    assert_eq!(warm.code, 0, "{:#}", warm.report);
    assert_eq!(warm.documented, Vec::<String>::new(), "recording the baselines left every entry warm");

    append(repo, "packages/itoa/src/lib.rs", "\nfn private_helper() {}\n");
    let private = logged.check_env(&offline);
    assert_eq!(private.code, 0, "{:#}", private.report);
    assert_eq!(private.documented, names(&["itoa"]));

    append(repo, "packages/itoa/src/lib.rs", "\n/// New.\npub fn added() {}\n");
    let public = logged.check_env(&offline);
    assert_eq!(public.code, 1, "{:#}", public.report);
    assert_eq!(public.documented, names(&["itoa"]));
    assert_eq!(support::monorepo::finding_ids(support::monorepo::package(&public.report, "itoa")), ["function_added"]);
}

#[test]
fn bad_features_and_an_unknown_toolchain_are_errors_never_a_cache_hit() {
    let logged = Logged::new();
    let repo = &logged.repo;
    assert_eq!(logged.check().documented, names(&ALL));

    // Features for a package the workspace does not have: a configuration error.
    repo.edit("Cargo.toml", "[workspace.metadata.apicheck.rules]", "[workspace.metadata.apicheck.features]\nno-such-package = [\"x\"]\n\n[workspace.metadata.apicheck.rules]");
    let stderr = fails_closed(repo.apicheck(&["check"]));
    assert!(stderr.starts_with("error: [workspace.metadata.apicheck] in ") && stderr.contains("`no-such-package`"), "{stderr}");

    // A feature the package does not have: cargo refuses it, and the cached API is not used.
    repo.edit("Cargo.toml", "no-such-package = [\"x\"]", "core-utils = [\"no-such-feature\"]");
    let stderr = fails_closed(repo.apicheck(&["check"]));
    assert!(stderr.starts_with("error: `cargo doc` failed") && stderr.contains("no-such-feature"), "{stderr}");
    repo.edit("Cargo.toml", "core-utils = [\"no-such-feature\"]", "");

    // A toolchain that cannot be identified: the cache cannot be keyed, so nothing passes.
    let stderr = fails_closed(repo.apicheck_env(&["check"], &[("RUSTC", "/nonexistent/rustc")]));
    assert!(stderr.starts_with("error: cannot tell which toolchain documents the workspace: cannot run `/nonexistent/rustc -vV`"), "{stderr}");
}

/// Asserts exit code 2 with nothing on stdout, and returns stderr.
fn fails_closed(output: std::process::Output) -> String {
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stdout.is_empty());
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The features the surface tests give core-utils: `std` on by default, `extra` not.
const CORE_UTILS_FEATURES: &str = "[features]\ndefault = [\"std\"]\nstd = []\nextra = []\n\n[dependencies]";

/// Packages documented by surface, as `Run::surfaces` holds them.
fn surfaces(list: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    list.iter().map(|(surface, packages)| (surface.to_string(), names(packages))).collect()
}

/// Each surface of a package has its own cache entry, and a package without features has no
/// other surface. On a surface besides the default one, a package's run builds the members
/// below it with features of its own: each such member is documented alone with those
/// features (a context run) and its fingerprint there stands in the package's key, so a private
/// change to a member documents the package on no surface. A change that looks public makes no
/// context run: the package is most likely documented anyway.
#[test]
fn each_feature_surface_is_cached_on_its_own_with_the_cutoff_below_its_packages() {
    let logged = Logged::new();
    let repo = &logged.repo;
    // core-utils has default features and one more; auth-core one feature off by default; the
    // others none. auth-core's all-features run builds core-utils with `default, std` (not
    // `extra`) and validation with none.
    repo.edit("packages/core-utils/Cargo.toml", "[dependencies]", CORE_UTILS_FEATURES);
    repo.edit("packages/auth-core/Cargo.toml", "[dependencies]", "[features]\naudit = []\n\n[dependencies]");
    let cold = logged.check();
    assert_eq!(cold.documented, names(&ALL));
    assert_eq!(cold.surfaces, surfaces(&[("all-features", &["auth-core", "core-utils"]), ("no-default-features", &["core-utils"])]));
    // Once per member and feature set: validation's own run builds core-utils as auth-core's does.
    assert_eq!(cold.contexts, names(&["core-utils", "validation"]));

    let warm = logged.check();
    assert_eq!(warm.documented, Vec::<String>::new());
    assert_eq!((warm.surfaces.len(), warm.contexts.len()), (0, 0), "an unchanged package costs nothing on any surface");
    assert_eq!(verdicts(&warm.report), verdicts(&cold.report));

    // A private change to auth-core: auth-core is documented again, on its surfaces only.
    append(repo, "packages/auth-core/src/lib.rs", "\n#[allow(dead_code)]\nfn private_helper() {}\n");
    let private = logged.check();
    assert_eq!(private.documented, names(&["auth-core"]));
    assert_eq!(private.surfaces, surfaces(&[("all-features", &["auth-core"])]));
    assert!(private.contexts.is_empty());
    assert_same_as_uncached(&logged, &private);

    // A private change to core-utils: its fingerprint as auth-core's run built it holds.
    append(repo, "packages/core-utils/src/lib.rs", "\n#[allow(dead_code)]\nfn private_helper() {}\n");
    let below = logged.check();
    assert_eq!(below.documented, names(&["core-utils"]));
    assert_eq!(below.surfaces, surfaces(&[("all-features", &["core-utils"]), ("no-default-features", &["core-utils"])]));
    assert_eq!(below.contexts, names(&["core-utils"]));
    assert_eq!(verdicts(&below.report), verdicts(&private.report));

    // Public API behind `extra`, which auth-core's run does not turn on. A new `pub` item makes
    // the change look public (as on the default surface, see
    // `a_change_that_looks_public_documents_...`): no context run is made, of core-utils or of
    // validation above it, and core-utils' source key stands in. So auth-core is documented
    // again, for nothing; core-utils' own all-features surface shows the item.
    append(repo, "packages/core-utils/src/lib.rs", "\n/// Only with `extra`.\n#[cfg(feature = \"extra\")]\npub fn extra_api() {}\n");
    let unseen = logged.check();
    assert_eq!(unseen.surfaces, surfaces(&[("all-features", &["auth-core", "core-utils"]), ("no-default-features", &["core-utils"])]));
    assert!(unseen.contexts.is_empty(), "{:?}", unseen.contexts);
    let core = support::monorepo::package(&unseen.report, "core-utils");
    assert_eq!(finding_surfaces(core, "function_added"), ["all-features"], "{core:#}");

    // The next change looks private: the context run is made again. auth-core's entry holds
    // core-utils' source key since the last check, which this change alters: documented once
    // more. validation's context entry still holds (core-utils as it builds it did not change).
    append(repo, "packages/core-utils/src/lib.rs", "\n#[allow(dead_code)]\nfn second_helper() {}\n");
    let after_public = logged.check();
    assert_eq!(after_public.surfaces, surfaces(&[("all-features", &["auth-core", "core-utils"]), ("no-default-features", &["core-utils"])]));
    assert_eq!(after_public.contexts, names(&["core-utils"]));
    assert_eq!(verdicts(&after_public.report), verdicts(&unseen.report));

    // And from the one after, the cutoff is back.
    append(repo, "packages/core-utils/src/lib.rs", "\n#[allow(dead_code)]\nfn third_helper() {}\n");
    let cut_off = logged.check();
    assert_eq!(cut_off.surfaces, surfaces(&[("all-features", &["core-utils"]), ("no-default-features", &["core-utils"])]));
    assert_eq!(cut_off.contexts, names(&["core-utils"]));
    assert_eq!(verdicts(&cut_off.report), verdicts(&after_public.report));

    // Public API behind `std`, which auth-core's run turns on: documented again on its surface.
    append(repo, "packages/core-utils/src/lib.rs", "\n/// With `std`.\n#[cfg(feature = \"std\")]\npub fn std_api() {}\n");
    let seen = logged.check();
    assert_eq!(seen.documented, names(&ALL));
    assert_eq!(seen.surfaces, surfaces(&[("all-features", &["auth-core", "core-utils"]), ("no-default-features", &["core-utils"])]));
    assert!(seen.contexts.is_empty(), "{:?}", seen.contexts);
    assert_same_as_uncached(&logged, &seen);

    // A damaged record of the shapes the context runs were asked about is read as none: the
    // member counts as never asked, its context runs are made, and the record is written anew.
    let shapes = logged.repo.path("target/apicheck/contexts/apicheck/cache/core-utils/shapes.json");
    assert!(shapes.is_file(), "the context runs recorded no shapes at {}", shapes.display());
    fs::write(&shapes, "{ not json").unwrap();
    append(repo, "packages/core-utils/src/lib.rs", "\n/// Another.\npub fn after_damage() {}\n");
    let damaged = logged.check();
    assert_eq!(damaged.contexts, names(&["core-utils", "validation"]));
    let rewritten: Value = serde_json::from_slice(&fs::read(&shapes).unwrap()).expect("the shapes record is written anew");
    assert!(rewritten["files"].as_object().is_some_and(|files| !files.is_empty()), "{rewritten}");
    assert_same_as_uncached(&logged, &damaged);
}

/// What stands in is the member's fingerprint as the dependent's run built it: the member
/// documented alone with the features that run built it and its member dependencies with, and
/// only when that run built the member's whole graph alike. validation's `strict` and
/// auth-core's `audit` turn on core-utils' `extra`, which the default surface leaves off;
/// multi-tenant-core's `fast-crypto` turns on a feature of toy-crypto, a crate below auth-core
/// that is not a member (as a registry crate would be).
#[test]
fn a_member_stands_in_with_the_features_its_dependent_s_run_built_it_with_or_not_at_all() {
    let logged = Logged::new();
    let repo = &logged.repo;
    repo.edit("packages/core-utils/Cargo.toml", "[dependencies]", CORE_UTILS_FEATURES);
    repo.edit("packages/validation/Cargo.toml", "[dependencies]", "[features]\nstrict = [\"core-utils/extra\"]\n\n[dependencies]");
    repo.edit("packages/auth-core/Cargo.toml", "[dependencies]", "[features]\naudit = [\"core-utils/extra\"]\n\n[dependencies]");
    repo.write("vendor/toy-crypto/Cargo.toml", &(repo.read("vendor/toy-crypto/Cargo.toml") + "\n[features]\nfast = []\n"));
    repo.edit(
        "packages/multi-tenant-core/Cargo.toml",
        "[dependencies]",
        "[features]\nfast-crypto = [\"toy-crypto/fast\"]\n\n[dependencies]\ntoy-crypto = { path = \"../../vendor/toy-crypto\" }",
    );
    let cold = logged.check();
    assert_eq!(
        cold.surfaces,
        surfaces(&[("all-features", &["auth-core", "core-utils", "multi-tenant-core", "validation"]), ("no-default-features", &["core-utils"])])
    );
    // Once per member and feature set: core-utils with `extra` (auth-core's and validation's
    // runs) and without (multi-tenant-core's); validation as auth-core's run and as
    // multi-tenant-core's built it (with core-utils as each built it); auth-core as
    // multi-tenant-core's run built it.
    assert_eq!(cold.contexts, names(&["auth-core", "core-utils", "core-utils", "validation", "validation"]));

    // A private change to core-utils: no run above it saw anything of it. But multi-tenant-core's
    // run built toy-crypto with `fast`, which auth-core's context run does not: auth-core's
    // source key stands in there, and it changed with core-utils below it.
    append(repo, "packages/core-utils/src/lib.rs", "\n#[allow(dead_code)]\nfn private_helper() {}\n");
    let private = logged.check();
    assert_eq!(private.surfaces, surfaces(&[("all-features", &["core-utils", "multi-tenant-core"]), ("no-default-features", &["core-utils"])]));
    assert_eq!(private.contexts, names(&["core-utils", "core-utils"]));
    assert_eq!(verdicts(&private.report), verdicts(&cold.report));

    // API behind `extra`: the default surface does not see it, validation's and auth-core's
    // all-features runs do, and are documented again. (A new `pub` item: the change looks
    // public, no context run is made, and so multi-tenant-core, whose run did not see it, is
    // documented too.)
    append(repo, "packages/core-utils/src/lib.rs", "\n/// Only with `extra`.\n#[cfg(feature = \"extra\")]\npub fn extra_api() {}\n");
    let extra = logged.check();
    assert_eq!(
        extra.surfaces,
        surfaces(&[("all-features", &["auth-core", "core-utils", "multi-tenant-core", "validation"]), ("no-default-features", &["core-utils"])])
    );
    assert!(extra.contexts.is_empty(), "{:?}", extra.contexts);
    assert_same_as_uncached(&logged, &extra);
}
