//! Fuzzing on stable Rust: property tests of every parser of user or stored input, fed with
//! real files (the monorepo fixture's configuration, changelogs, baselines and rustdoc JSON,
//! real `check` reports, the files under `fixtures/fuzz/<target>/`) mutated structure-aware
//! (values replaced, removed, copied, renamed, nested; lines deleted, duplicated, inserted) and
//! byte by byte.
//!
//! The property, for every input: no panic, no hang (a watchdog aborts with the input saved
//! when one case runs longer than `HANG_SECONDS`), and a rejection is an error that renders as
//! one line, as the binary prints it (`error: {error:#}`).
//!
//! `cargo test` replays every file under `fixtures/fuzz/<target>/` (the seeds and the
//! minimised inputs of fixed failures) and runs a few hundred mutated cases per target. The long
//! runs are ignored tests, one per target, that run for `APICHECK_FUZZ_SECONDS` (default 600)
//! and print their executions:
//!
//! ```sh
//! APICHECK_FUZZ_SECONDS=600 cargo test --locked --test fuzz -- --ignored --nocapture --test-threads 1 rustdoc_long
//! ```
//!
//! A failure is saved, minimised, under `target/tmp/fuzz-failures/<target>/`; commit it to
//! `fixtures/fuzz/<target>/` with the fix, so that every later run replays it.

mod support;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use apicheck::baseline::Baselines;
use apicheck::config::Config;
use apicheck::{ApiFile, ListingOptions, Workspace, changelog, deps, diff};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config as RunnerConfig, TestError, TestRunner};
use serde_json::{Value, json};

/// A case that runs longer than this is a hang: the slowest real case (a 300 KB rustdoc JSON
/// parsed, modelled, listed and diffed in a debug build) takes well under a second.
const HANG_SECONDS: u64 = 60;

/// An input: the files a parser reads (one, except for `report merge`).
type Input = Vec<Vec<u8>>;

/// What a target's files are, which decides the structure-aware mutations.
#[derive(Clone, Copy, PartialEq)]
enum Format {
    Json,
    Toml,
    Text,
}

struct Target {
    name: &'static str,
    format: Format,
    /// Mutated cases in a normal `cargo test`.
    short_cases: u32,
    /// The real inputs mutations start from (the files of `fixtures/fuzz/<name>/` are added).
    seeds: fn() -> Vec<Input>,
    /// Lines `InsertLine` picks from, besides hostile strings.
    lines: &'static [&'static str],
    /// Whether an input is several files, which edits may drop or duplicate.
    multi_file: bool,
    /// Runs the parser on the input: `Err` when the property does not hold.
    check: fn(&Input) -> Result<(), String>,
}

// ---------------------------------------------------------------------------------------------
// The targets.

/// `[workspace.metadata.apicheck]`, as cargo hands it over (TOML turned into JSON), read by
/// `Config::load`, then used the ways `check` uses it: governed packages and dependency rules.
const CONFIG: Target = Target {
    name: "config",
    format: Format::Toml,
    short_cases: 256,
    seeds: config_seeds,
    lines: &["[rules]", "[deps]", "[[acknowledge]]", "[lints]", "[features]", "[[deps.known]]", "packages = []", "tag = \"\"", "baselines = \"..\""],
    multi_file: false,
    check: check_config,
};

/// The acknowledgements file a configuration names, read by `Config::load`.
const ACKNOWLEDGEMENTS: Target = Target {
    name: "acknowledgements",
    format: Format::Toml,
    short_cases: 256,
    seeds: || Vec::new(),
    lines: &["[[acknowledge]]", "version = \"1.0.0\"", "reason = \"\"", "package = \"core-utils\"", "finding = \"x\""],
    multi_file: false,
    check: check_acknowledgements,
};

/// A package's changelog, read by `changelog::section` for the versions the policy asks about.
const CHANGELOG: Target = Target {
    name: "changelog",
    format: Format::Text,
    short_cases: 256,
    seeds: changelog_seeds,
    lines: &[
        "## [1.2.0] - 2026-10-02", "## 1.2.0", "## v1.2.0", "## [2.0.0-rc.1]", "## [Unreleased]", "## [", "##", "#", "1.2.0",
        "=====", "-----", "### Removed", "### Changed", "- **BREAKING**: x", "No breaking changes.", "```", "<!-- -->",
        "[1.2.0]: https://example.com/compare/v1.1.0...v1.2.0",
    ],
    multi_file: false,
    check: check_changelog,
};

/// A baseline's `model.json`, read by `Baselines::summary` and `Baselines::load` (which rebuilds
/// a model of another schema from the stored rustdoc JSON), and its model read on its own as
/// `apicheck api FILE` and `diff --baseline FILE` read a saved model.
const STORED_MODEL: Target = Target {
    name: "stored-model",
    format: Format::Json,
    short_cases: 128,
    seeds: stored_model_seeds,
    lines: &[],
    multi_file: false,
    check: check_stored_model,
};

/// Rustdoc JSON, read by `ApiFile::read` (as `apicheck api FILE` and `diff` read it), turned
/// into a model, listed and diffed.
const RUSTDOC: Target = Target {
    name: "rustdoc",
    format: Format::Json,
    short_cases: 64,
    seeds: rustdoc_seeds,
    lines: &[],
    multi_file: false,
    check: check_rustdoc,
};

/// The JSON reports `apicheck report merge` reads (one to three of them), merged and rendered.
const REPORT_MERGE: Target = Target {
    name: "report-merge",
    format: Format::Json,
    short_cases: 256,
    seeds: || Vec::new(),
    lines: &[],
    multi_file: true,
    check: check_report_merge,
};

#[test]
fn config() {
    short_run(&CONFIG);
}

#[test]
#[ignore = "long fuzz run: APICHECK_FUZZ_SECONDS (default 600)"]
fn config_long() {
    long_run(&CONFIG);
}

#[test]
fn acknowledgements() {
    short_run(&ACKNOWLEDGEMENTS);
}

#[test]
#[ignore = "long fuzz run: APICHECK_FUZZ_SECONDS (default 600)"]
fn acknowledgements_long() {
    long_run(&ACKNOWLEDGEMENTS);
}

#[test]
fn changelog() {
    short_run(&CHANGELOG);
}

#[test]
#[ignore = "long fuzz run: APICHECK_FUZZ_SECONDS (default 600)"]
fn changelog_long() {
    long_run(&CHANGELOG);
}

#[test]
fn stored_model() {
    short_run(&STORED_MODEL);
}

#[test]
#[ignore = "long fuzz run: APICHECK_FUZZ_SECONDS (default 600)"]
fn stored_model_long() {
    long_run(&STORED_MODEL);
}

#[test]
fn rustdoc() {
    short_run(&RUSTDOC);
}

#[test]
#[ignore = "long fuzz run: APICHECK_FUZZ_SECONDS (default 600)"]
fn rustdoc_long() {
    long_run(&RUSTDOC);
}

#[test]
fn report_merge() {
    short_run(&REPORT_MERGE);
}

#[test]
#[ignore = "long fuzz run: APICHECK_FUZZ_SECONDS (default 600)"]
fn report_merge_long() {
    long_run(&REPORT_MERGE);
}

/// Inputs a target's parser accepted (and the code after it then ran on), for the long runs'
/// summary: a fuzzer whose inputs are all rejected at the first byte tests little.
static ACCEPTED: AtomicU64 = AtomicU64::new(0);

fn accepted() {
    ACCEPTED.fetch_add(1, Ordering::Relaxed);
}

/// A rejection as the binary prints it (`error: {error:#}`) must be one line.
fn one_line(error: &anyhow::Error) -> Result<(), String> {
    let text = format!("{error:#}");
    if text.trim().is_empty() || text.contains('\n') || text.contains('\r') {
        return Err(format!("the error is not one line: {text:?}"));
    }
    Ok(())
}

/// fixtures/monorepo in a temporary directory that lives as long as the test process, with the
/// acknowledgements file a configuration seed names.
fn monorepo_workspace() -> &'static (tempfile::TempDir, Workspace) {
    static WORKSPACE: OnceLock<(tempfile::TempDir, Workspace)> = OnceLock::new();
    WORKSPACE.get_or_init(|| {
        let dir = support::copy_fixture("monorepo");
        std::fs::write(dir.path().join("apicheck-acks.toml"), read_fixture("acknowledgements/apicheck-acks.toml")).unwrap();
        let workspace = Workspace::load(Some(&dir.path().join("Cargo.toml"))).expect("fixtures/monorepo loads");
        (dir, workspace)
    })
}

/// The `[workspace.metadata.apicheck]` table of a manifest, as TOML text.
fn apicheck_table(manifest: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let parsed: toml::Table = toml::from_str(&text).unwrap();
    let table = &parsed["workspace"]["metadata"]["apicheck"];
    toml::to_string(table).unwrap().into_bytes()
}

fn config_seeds() -> Vec<Input> {
    let default_manifest: toml::Table = toml::from_str(&Config::default().init_toml()).unwrap();
    vec![
        vec![apicheck_table(&support::fixtures().join("monorepo/Cargo.toml"))],
        vec![apicheck_table(&support::repo_root().join("Cargo.toml"))],
        vec![toml::to_string(&default_manifest["workspace"]["metadata"]["apicheck"]).unwrap().into_bytes()],
    ]
}

fn check_config(input: &Input) -> Result<(), String> {
    let (_, workspace) = monorepo_workspace();
    // cargo hands over only TOML that parses; its JSON is what apicheck reads.
    let Ok(table) = std::str::from_utf8(&input[0]).map_err(|_| ()).and_then(|text| toml::from_str::<toml::Table>(text).map_err(|_| ())) else {
        return Ok(());
    };
    let mut workspace = workspace.clone();
    workspace.metadata = json!({ "apicheck": serde_json::to_value(&table).unwrap() });
    let config = match Config::load(&workspace) {
        Ok(config) => config,
        Err(error) => return one_line(&error),
    };
    accepted();
    if let Err(error) = config.governed(&workspace) {
        one_line(&error)?;
    }
    if let Err(error) = deps::check(&workspace, &config.deps) {
        one_line(&error)?;
    }
    for package in &workspace.members {
        let tag = config.tag_for(&package.name, &package.version);
        if !tag.contains(&package.version.to_string()) {
            return Err(format!("the tag `{tag}` of {} does not contain its version", package.name));
        }
    }
    Ok(())
}

fn check_acknowledgements(input: &Input) -> Result<(), String> {
    let (dir, workspace) = monorepo_workspace();
    let file = "fuzz-acks.toml";
    std::fs::write(dir.path().join(file), &input[0]).unwrap();
    let mut workspace = workspace.clone();
    workspace.metadata = json!({ "apicheck": { "acknowledgements": file } });
    match Config::load(&workspace) {
        Ok(config) => {
            accepted();
            for ack in &config.acknowledge {
                if ack.reason.trim().is_empty() || (ack.finding.is_none() && ack.path.is_none()) {
                    return Err(format!("an acknowledgement without a reason or a target was accepted: {ack:?}"));
                }
                let _ = ack.holds_for(&semver::Version::new(1, 2, 3));
            }
            Ok(())
        }
        Err(error) => one_line(&error),
    }
}

fn changelog_seeds() -> Vec<Input> {
    let mut seeds = vec![vec![std::fs::read(support::repo_root().join("CHANGELOG.md")).unwrap()]];
    for package in ["auth-core", "core-utils", "domain-shared", "multi-tenant-core", "validation"] {
        seeds.push(vec![std::fs::read(support::fixtures().join(format!("monorepo/packages/{package}/CHANGELOG.md"))).unwrap()]);
    }
    seeds
}

/// The versions the policy asks a changelog about: the seeds' own and edge cases.
const CHANGELOG_VERSIONS: [&str; 8] = ["1.2.0", "1.0.0", "0.2.0", "2.0.0-rc.1", "0.0.0", "1.2.0+build.5", "0.4.1", "18446744073709551615.0.0"];

fn check_changelog(input: &Input) -> Result<(), String> {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &input[0]).unwrap();
    for version in CHANGELOG_VERSIONS {
        let version = semver::Version::parse(version).unwrap();
        match changelog::section(file.path(), &version) {
            changelog::Section::Missing(reason) if reason.trim().is_empty() || reason.contains('\n') => {
                return Err(format!("the reason for a missing section is not one line: {reason:?}"));
            }
            changelog::Section::Missing(_) => {}
            changelog::Section::Found { .. } => accepted(),
        }
    }
    Ok(())
}

const MONOREPO_PACKAGES: [&str; 5] = ["auth-core", "core-utils", "domain-shared", "multi-tenant-core", "validation"];

fn stored_model_seeds() -> Vec<Input> {
    let mut seeds: Vec<Input> = MONOREPO_PACKAGES
        .iter()
        .map(|package| vec![std::fs::read(support::fixtures().join(format!("monorepo/baselines/{package}/model.json"))).unwrap()])
        .collect();
    // A baseline an apicheck with an older model schema recorded: its model is rebuilt.
    let legacy = std::fs::read(support::fixtures().join("legacy-baselines/core-utils.model-schema1.json")).unwrap();
    seeds.push(vec![legacy]);
    seeds
}

/// A baselines folder with the real `rustdoc.json.gz` of every monorepo package, for `load` to
/// rebuild models from, one per thread (the short runs of the targets run in parallel).
fn scratch_baselines() -> PathBuf {
    static DIRS: Mutex<BTreeMap<String, tempfile::TempDir>> = Mutex::new(BTreeMap::new());
    let mut dirs = DIRS.lock().unwrap();
    let key = format!("{:?}", std::thread::current().id());
    let dir = dirs.entry(key).or_insert_with(|| {
        let dir = tempfile::tempdir().unwrap();
        for package in MONOREPO_PACKAGES {
            std::fs::create_dir_all(dir.path().join(package)).unwrap();
            std::fs::copy(
                support::fixtures().join(format!("monorepo/baselines/{package}/rustdoc.json.gz")),
                dir.path().join(package).join("rustdoc.json.gz"),
            )
            .unwrap();
        }
        dir
    });
    dir.path().to_path_buf()
}

fn check_stored_model(input: &Input) -> Result<(), String> {
    let bytes = &input[0];
    let parsed: Option<Value> = serde_json::from_slice(bytes).ok();
    // The file goes where its package's baseline is, so that the recorded package matches.
    let package = parsed
        .as_ref()
        .and_then(|value| value.get("package")?.as_str())
        .and_then(|name| MONOREPO_PACKAGES.iter().find(|known| **known == name))
        .copied()
        .unwrap_or("core-utils");
    let dir = scratch_baselines();
    std::fs::write(dir.join(package).join("model.json"), bytes).unwrap();
    let baselines = Baselines::new(dir.clone());
    if let Err(error) = baselines.summary(package) {
        one_line(&error)?;
    }
    match baselines.load(package) {
        Ok(Some((record, _origin))) => {
            accepted();
            model_holds_up(&record.model)?
        }
        Ok(None) => return Err("a baseline with a model.json was read as no baseline".into()),
        Err(error) => one_line(&error)?,
    }
    // The stored model on its own, as a saved model file.
    if let Some(model) = parsed.as_ref().and_then(|value| value.get("model")) {
        let file = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
        std::fs::write(file.path(), serde_json::to_vec(model).unwrap()).unwrap();
        match ApiFile::read(file.path()) {
            Ok(api) => model_holds_up(&api.model())?,
            Err(error) => one_line(&error)?,
        }
    }
    Ok(())
}

/// What every command does with a model that was read: list it, and diff it (with itself:
/// nothing changed).
fn model_holds_up(model: &apicheck::ApiModel) -> Result<(), String> {
    let _ = model.listing(ListingOptions::default());
    let _ = model.listing(ListingOptions { blanket_impls: true, hide_auto_traits: true });
    let findings = diff::diff_models(model, model);
    if !findings.is_empty() {
        return Err(format!("a model diffed with itself has {} finding(s), the first: {:?}", findings.len(), findings[0]));
    }
    let reference = reference_model();
    let _ = diff::diff_models(reference, model);
    let _ = diff::diff_models(model, reference);
    Ok(())
}

/// core-utils' baseline model, the other side of the diffs.
fn reference_model() -> &'static apicheck::ApiModel {
    static MODEL: OnceLock<apicheck::ApiModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let baselines = Baselines::new(support::fixtures().join("monorepo/baselines"));
        baselines.load("core-utils").unwrap().unwrap().0.model
    })
}

fn rustdoc_seeds() -> Vec<Input> {
    MONOREPO_PACKAGES
        .iter()
        .map(|package| {
            let file = std::fs::File::open(support::fixtures().join(format!("monorepo/baselines/{package}/rustdoc.json.gz"))).unwrap();
            let mut json = Vec::new();
            flate2::read::GzDecoder::new(file).read_to_end(&mut json).unwrap();
            vec![json]
        })
        .collect()
}

fn check_rustdoc(input: &Input) -> Result<(), String> {
    let file = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    std::fs::write(file.path(), &input[0]).unwrap();
    match ApiFile::read(file.path()) {
        Ok(api) => {
            accepted();
            model_holds_up(&api.model())
        }
        Err(error) => one_line(&error),
    }
}

/// The reports go through the binary, which reads them (`src/main.rs`), merges them and
/// renders the result in one of the formats, picked by the input.
fn check_report_merge(input: &Input) -> Result<(), String> {
    const FORMATS: [&str; 5] = ["human", "json", "markdown", "github", "sarif"];
    if input.is_empty() {
        // No report at all is a usage error of clap's, not a bad input.
        return Ok(());
    }
    let dir = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_apicheck"));
    command.args(["report", "merge", "--format", FORMATS[input.iter().map(Vec::len).sum::<usize>() % FORMATS.len()]]);
    for (index, bytes) in input.iter().enumerate() {
        let path = dir.path().join(format!("shard-{index}.json"));
        std::fs::write(&path, bytes).unwrap();
        command.arg(path);
    }
    // Where the github format appends its summary.
    command.env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"));
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0 | 1) if !output.stdout.is_empty() => {
            accepted();
            Ok(())
        }
        Some(2) if stderr.lines().count() == 1 && stderr.starts_with("error: ") && !stderr.contains("internal error") => Ok(()),
        _ => Err(format!("`report merge` exited with {:?}, stdout {} bytes, stderr {stderr:?}", output.status.code(), output.stdout.len())),
    }
}

fn read_fixture(relative: &str) -> Vec<u8> {
    std::fs::read(support::fixtures().join("fuzz").join(relative)).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Mutations.

/// Strings that have broken parsers before, or that mean something to apicheck, git or cargo.
const HOSTILE_STRINGS: &[&str] = &[
    "", " ", "..", "../..", "../../etc", "/", "/etc/passwd", "-", "--", "--help", "-p", "--output=x", "a b", "ünïcödé", "日本語",
    "🦀", "\n", "a\nb", "\r\n", "\t", "\0", "\u{202e}", "\u{feff}", "{name}", "{version}", "{name}-v{version}", "{{version}}",
    "1.0.0", "1.2.0", "2.0.0-rc.1", "0.0.0", "0.4.1", "1.2", "v1.2.0", "99999999999999999999.0.0", "core-utils", "auth-core",
    "core_utils", "core_utils::truncate", "packages/*", "packages/**", "**", "*", "?", "[", "]", "{", "}", "\\", "tag:",
    "tag:core", "tag:security", "allow", "warn", "deny", "major", "minor", "patch", "none", "pass", "fail", "error", "new",
    "normal", "dev", "build", "no-cycles", "forbid", "layers", "packages-boundary", "function_parameter_type_changed",
    "BREAKING", "model", "rustdoc", "baselines", "CHANGELOG.md", "$__toml_private_datetime",
];

fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(HOSTILE_STRINGS).prop_map(str::to_string),
        2 => "\\PC{0,12}",
        1 => "(?s).{0,12}",
        1 => (1usize..4096).prop_map(|length| "x".repeat(length)),
    ]
}

fn hostile_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        prop_oneof![Just(-1i64), Just(i64::MIN), Just(i64::MAX), Just(u32::MAX as i64 + 1), 0i64..4000].prop_map(Value::from),
        Just(json!(u64::MAX)),
        Just(json!(1e300)),
        Just(json!(0.5)),
        hostile_string().prop_map(Value::from),
        Just(json!([])),
        Just(json!({})),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(hostile_string(), inner, 0..4).prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

#[derive(Debug, Clone)]
enum Edit {
    /// A value (JSON, or TOML seen as JSON) replaced by a hostile one.
    Replace { node: Index, value: Value },
    Remove { node: Index },
    /// One value copied over another: real structure in the wrong place.
    CopyNode { from: Index, to: Index },
    RenameKey { node: Index, key: String },
    AddKey { node: Index, key: String, value: Value },
    /// The value wrapped in `depth` arrays.
    Nest { node: Index, depth: u8 },
    DeleteLine { line: Index },
    DuplicateLine { line: Index },
    InsertLine { line: Index, text: String, pick: Index },
    SwapLines { a: Index, b: Index },
    Truncate { at: Index },
    SetByte { at: Index, byte: u8 },
    InsertBytes { at: Index, bytes: Vec<u8> },
    DropFile,
    DuplicateFile,
}

fn edit() -> impl Strategy<Value = Edit> {
    let index = any::<Index>;
    prop_oneof![
        8 => (index(), hostile_value()).prop_map(|(node, value)| Edit::Replace { node, value }),
        4 => index().prop_map(|node| Edit::Remove { node }),
        4 => (index(), index()).prop_map(|(from, to)| Edit::CopyNode { from, to }),
        2 => (index(), hostile_string()).prop_map(|(node, key)| Edit::RenameKey { node, key }),
        2 => (index(), hostile_string(), hostile_value()).prop_map(|(node, key, value)| Edit::AddKey { node, key, value }),
        1 => (index(), 1u8..=200).prop_map(|(node, depth)| Edit::Nest { node, depth }),
        3 => index().prop_map(|line| Edit::DeleteLine { line }),
        2 => index().prop_map(|line| Edit::DuplicateLine { line }),
        4 => (index(), hostile_string(), index()).prop_map(|(line, text, pick)| Edit::InsertLine { line, text, pick }),
        2 => (index(), index()).prop_map(|(a, b)| Edit::SwapLines { a, b }),
        1 => index().prop_map(|at| Edit::Truncate { at }),
        2 => (index(), any::<u8>()).prop_map(|(at, byte)| Edit::SetByte { at, byte }),
        2 => (index(), prop::collection::vec(any::<u8>(), 1..8)).prop_map(|(at, bytes)| Edit::InsertBytes { at, bytes }),
        1 => Just(Edit::DropFile),
        1 => Just(Edit::DuplicateFile),
    ]
}

/// Where an input starts: mostly a real file, sometimes nothing real at all.
#[derive(Debug, Clone)]
enum Start {
    Seed(Index),
    /// An arbitrary value (as JSON, or TOML when it is a table), or text for a text format.
    Value(Value),
    Bytes(Vec<u8>),
}

/// What to run: a starting input and the edits, each on one of its files.
#[derive(Debug, Clone)]
struct Plan {
    start: Start,
    edits: Vec<(Index, Edit)>,
}

fn plan() -> impl Strategy<Value = Plan> {
    let start = prop_oneof![
        18 => any::<Index>().prop_map(Start::Seed),
        1 => hostile_value().prop_map(Start::Value),
        1 => prop::collection::vec(any::<u8>(), 0..256).prop_map(Start::Bytes),
    ];
    (start, prop::collection::vec((any::<Index>(), edit()), 0..6)).prop_map(|(start, edits)| Plan { start, edits })
}

/// A file being edited: a parsed value while the edits are structural, bytes afterwards.
enum Doc {
    Value(Value),
    Bytes(Vec<u8>),
}

impl Doc {
    fn parse(bytes: Vec<u8>, format: Format) -> Doc {
        let value = match format {
            Format::Json => serde_json::from_slice(&bytes).ok(),
            Format::Toml => std::str::from_utf8(&bytes)
                .ok()
                .and_then(|text| toml::from_str::<toml::Table>(text).ok())
                .and_then(|table| serde_json::to_value(table).ok()),
            Format::Text => None,
        };
        value.map_or(Doc::Bytes(bytes), Doc::Value)
    }

    fn bytes(&self, format: Format) -> Option<Vec<u8>> {
        match self {
            Doc::Bytes(bytes) => Some(bytes.clone()),
            Doc::Value(value) => match format {
                Format::Toml => toml::to_string(value).ok().map(String::into_bytes),
                _ => serde_json::to_vec_pretty(value).ok(),
            },
        }
    }
}

/// JSON pointers of every value in `value`, depth first.
fn pointers(value: &Value) -> Vec<String> {
    fn walk(value: &Value, at: &mut String, out: &mut Vec<String>) {
        out.push(at.clone());
        let length = at.len();
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    at.push('/');
                    at.push_str(&key.replace('~', "~0").replace('/', "~1"));
                    walk(child, at, out);
                    at.truncate(length);
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    at.push_str(&format!("/{index}"));
                    walk(child, at, out);
                    at.truncate(length);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut String::new(), &mut out);
    out
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Applies a structural edit; false when it does not apply to this value.
fn edit_value(root: &mut Value, edit: &Edit) -> bool {
    let all = pointers(root);
    let pick = |index: &Index| all[index.index(all.len())].clone();
    let split = |pointer: &str| pointer.rsplit_once('/').map(|(parent, last)| (parent.to_string(), unescape(last)));
    match edit {
        Edit::Replace { node, value } => {
            *root.pointer_mut(&pick(node)).unwrap() = value.clone();
            true
        }
        Edit::Remove { node } => {
            let Some((parent, last)) = split(&pick(node)) else { return false };
            match root.pointer_mut(&parent).unwrap() {
                Value::Object(map) => map.remove(&last).is_some(),
                Value::Array(items) => {
                    let index: usize = last.parse().unwrap();
                    items.remove(index);
                    true
                }
                _ => false,
            }
        }
        Edit::CopyNode { from, to } => {
            let value = root.pointer(&pick(from)).unwrap().clone();
            *root.pointer_mut(&pick(to)).unwrap() = value;
            true
        }
        Edit::RenameKey { node, key } => {
            let Some((parent, last)) = split(&pick(node)) else { return false };
            match root.pointer_mut(&parent).unwrap() {
                Value::Object(map) => {
                    let value = map.remove(&last).unwrap();
                    map.insert(key.clone(), value);
                    true
                }
                _ => false,
            }
        }
        Edit::AddKey { node, key, value } => match root.pointer_mut(&pick(node)).unwrap() {
            Value::Object(map) => {
                map.insert(key.clone(), value.clone());
                true
            }
            Value::Array(items) => {
                items.push(value.clone());
                true
            }
            _ => false,
        },
        Edit::Nest { node, depth } => {
            let target = root.pointer_mut(&pick(node)).unwrap();
            let mut value = target.take();
            for _ in 0..*depth {
                value = Value::Array(vec![value]);
            }
            *target = value;
            true
        }
        _ => false,
    }
}

/// Applies a line or byte edit.
fn edit_bytes(bytes: &mut Vec<u8>, edit: &Edit, lines: &[&str]) {
    let split = || -> Vec<Vec<u8>> { bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect() };
    let position = |index: &Index, length: usize| if length == 0 { 0 } else { index.index(length + 1) };
    match edit {
        Edit::DeleteLine { line } => {
            let mut all = split();
            all.remove(line.index(all.len()));
            *bytes = all.join(&b'\n');
        }
        Edit::DuplicateLine { line } => {
            let mut all = split();
            let at = line.index(all.len());
            all.insert(at, all[at].clone());
            *bytes = all.join(&b'\n');
        }
        Edit::InsertLine { line, text, pick } => {
            let mut all = split();
            let text = if lines.is_empty() || pick.index(3) == 0 { text.as_str() } else { lines[pick.index(lines.len())] };
            all.insert(position(line, all.len()), text.as_bytes().to_vec());
            *bytes = all.join(&b'\n');
        }
        Edit::SwapLines { a, b } => {
            let mut all = split();
            let (a, b) = (a.index(all.len()), b.index(all.len()));
            all.swap(a, b);
            *bytes = all.join(&b'\n');
        }
        Edit::Truncate { at } => bytes.truncate(position(at, bytes.len())),
        Edit::SetByte { at, byte } if !bytes.is_empty() => {
            let at = at.index(bytes.len());
            bytes[at] = *byte;
        }
        Edit::InsertBytes { at, bytes: inserted } => {
            let at = position(at, bytes.len());
            bytes.splice(at..at, inserted.iter().copied());
        }
        _ => {}
    }
}

/// The input a plan makes of the target's seeds.
fn render(target: &Target, seeds: &[Input], plan: &Plan) -> Input {
    let mut docs: Vec<Doc> = match &plan.start {
        Start::Seed(index) => seeds[index.index(seeds.len())].iter().map(|bytes| Doc::parse(bytes.clone(), target.format)).collect(),
        Start::Value(value) => {
            // A value the format cannot hold (TOML has no null, no top-level array) is its JSON text.
            let doc = Doc::Value(value.clone());
            match doc.bytes(target.format) {
                Some(_) if target.format != Format::Text => vec![doc],
                _ => vec![Doc::Bytes(value.to_string().into_bytes())],
            }
        }
        Start::Bytes(bytes) => vec![Doc::Bytes(bytes.clone())],
    };
    for (file, edit) in &plan.edits {
        if docs.is_empty() {
            break;
        }
        let file = file.index(docs.len());
        match edit {
            Edit::DropFile | Edit::DuplicateFile if !target.multi_file => {}
            Edit::DropFile => {
                docs.remove(file);
            }
            Edit::DuplicateFile => {
                let copy = docs[file].bytes(target.format).map(Doc::Bytes);
                docs.extend(copy);
            }
            Edit::Replace { .. } | Edit::Remove { .. } | Edit::CopyNode { .. } | Edit::RenameKey { .. } | Edit::AddKey { .. } | Edit::Nest { .. } => {
                if let Doc::Value(value) = &docs[file] {
                    let mut edited = value.clone();
                    // TOML cannot hold every JSON value (null, for one): such an edit is skipped.
                    if edit_value(&mut edited, edit) && Doc::Value(edited.clone()).bytes(target.format).is_some() {
                        docs[file] = Doc::Value(edited);
                    }
                }
            }
            _ => {
                let Some(mut bytes) = docs[file].bytes(target.format) else { continue };
                edit_bytes(&mut bytes, edit, target.lines);
                docs[file] = Doc::Bytes(bytes);
            }
        }
    }
    docs.iter().filter_map(|doc| doc.bytes(target.format)).collect()
}

// ---------------------------------------------------------------------------------------------
// Running.

/// The files of `fixtures/fuzz/<target>/`: a file is an input of one file, a directory an input
/// of its files in name order.
fn corpus(target: &Target) -> Vec<(PathBuf, Input)> {
    let dir = support::fixtures().join("fuzz").join(target.name);
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries.map(|entry| entry.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    entries.sort();
    entries
        .into_iter()
        .map(|path| {
            let input = if path.is_dir() {
                let mut files: Vec<PathBuf> = std::fs::read_dir(&path).unwrap().map(|entry| entry.unwrap().path()).collect();
                files.sort();
                files.iter().map(|file| std::fs::read(file).unwrap()).collect()
            } else {
                vec![std::fs::read(&path).unwrap()]
            };
            (path, input)
        })
        .collect()
}

fn all_seeds(target: &Target) -> Vec<Input> {
    let mut seeds = (target.seeds)();
    seeds.extend(corpus(target).into_iter().map(|(_, input)| input));
    assert!(!seeds.is_empty(), "the fuzz target {} has no seed", target.name);
    seeds
}

/// The cases running now, by thread, for the watchdog.
static RUNNING: Mutex<BTreeMap<String, (Instant, &'static str, Input)>> = Mutex::new(BTreeMap::new());

fn thread_key(id: ThreadId) -> String {
    format!("{id:?}")
}

/// Aborts the process when a case runs longer than `HANG_SECONDS`, with its input saved: a
/// hang never ends, so the test harness would never report it.
fn start_watchdog() {
    static WATCHDOG: OnceLock<()> = OnceLock::new();
    WATCHDOG.get_or_init(|| {
        std::thread::spawn(|| {
            loop {
                std::thread::sleep(Duration::from_secs(1));
                let running = RUNNING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                for (started, name, input) in running.values() {
                    if started.elapsed() > Duration::from_secs(HANG_SECONDS) {
                        let saved = save_failure(name, "hang", input);
                        eprintln!("fuzz target {name}: a case ran for more than {HANG_SECONDS} s; its input is in {}", saved.display());
                        std::process::abort();
                    }
                }
            }
        });
    });
}

fn guarded(target: &Target, input: &Input) -> Result<(), String> {
    let key = thread_key(std::thread::current().id());
    RUNNING.lock().unwrap().insert(key.clone(), (Instant::now(), target.name, input.clone()));
    let outcome = (target.check)(input);
    RUNNING.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&key);
    outcome
}

/// Saves a failing input under `target/tmp/fuzz-failures/<target>/<kind>-<n>/`.
fn save_failure(name: &str, kind: &str, input: &Input) -> PathBuf {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures").join(name);
    let mut n = 0;
    let dir = loop {
        let dir = base.join(format!("{kind}-{n}"));
        if !dir.exists() {
            break dir;
        }
        n += 1;
    };
    std::fs::create_dir_all(&dir).unwrap();
    for (index, file) in input.iter().enumerate() {
        std::fs::write(dir.join(format!("{index}")), file).unwrap();
    }
    dir
}

/// Runs `cases` mutated cases; panics with the minimised failing input saved.
fn fuzz_cases(target: &Target, seeds: &[Input], cases: u32) {
    let config = RunnerConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        max_shrink_time: 120_000,
        ..RunnerConfig::default()
    };
    let mut runner = TestRunner::new(config);
    let outcome = runner.run(&plan(), |plan| {
        let input = render(target, seeds, &plan);
        guarded(target, &input).map_err(|why| TestCaseError::fail(why))
    });
    match outcome {
        Ok(()) => {}
        Err(TestError::Fail(why, plan)) => {
            let input = render(target, seeds, &plan);
            let saved = save_failure(target.name, "failure", &input);
            panic!("fuzz target {}: {why}\nminimal plan: {plan:?}\nits input is in {}", target.name, saved.display());
        }
        Err(TestError::Abort(why)) => panic!("fuzz target {}: aborted: {why}", target.name),
    }
}

fn short_run(target: &Target) {
    start_watchdog();
    for (path, input) in corpus(target) {
        if let Err(why) = guarded(target, &input) {
            panic!("fuzz target {}: the corpus input {} fails: {why}", target.name, path.display());
        }
    }
    let seeds = all_seeds(target);
    for seed in &seeds {
        if let Err(why) = guarded(target, seed) {
            panic!("fuzz target {}: a seed fails: {why}", target.name);
        }
    }
    fuzz_cases(target, &seeds, target.short_cases);
}

/// Runs batches of cases until `APICHECK_FUZZ_SECONDS` (default 600) have passed, each batch
/// from a fresh random seed, and prints how many ran.
fn long_run(target: &Target) {
    start_watchdog();
    let seconds: u64 = std::env::var("APICHECK_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(600);
    let seeds = all_seeds(target);
    let started = Instant::now();
    let mut executions: u64 = 0;
    while started.elapsed() < Duration::from_secs(seconds) {
        fuzz_cases(target, &seeds, 64);
        executions += 64;
    }
    println!(
        "fuzz target {}: {executions} executions in {:.0} s ({} seeds), {} accepted by the parser, no failure",
        target.name,
        started.elapsed().as_secs_f64(),
        seeds.len(),
        ACCEPTED.load(Ordering::Relaxed)
    );
}
