//! Shared by the integration tests: fixture paths and rustdoc JSON generated once per run.

#![allow(dead_code)] // each test binary uses its own part of this module

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use apicheck::Workspace;

pub mod monorepo;

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    repo_root().join("fixtures")
}

/// One target directory per fixture side, shared by every test that documents it. The old and
/// new workspaces hold packages of the same names, so they cannot share one.
pub fn fixture_target_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("apicheck-fixtures").join(name)
}

/// The rustdoc JSON of every crate of `fixtures/pairs/<side>`, generated in one cargo run.
pub fn pair_side(side: &str) -> &'static BTreeMap<String, PathBuf> {
    static OLD: OnceLock<BTreeMap<String, PathBuf>> = OnceLock::new();
    static NEW: OnceLock<BTreeMap<String, PathBuf>> = OnceLock::new();
    let cell = if side == "old" { &OLD } else { &NEW };
    cell.get_or_init(|| {
        let manifest = fixtures().join("pairs").join(side).join("Cargo.toml");
        let workspace = Workspace::load(Some(&manifest)).expect("the fixture workspace loads");
        let members: Vec<_> = workspace.members.iter().collect();
        let json = workspace
            .rustdoc(&members, Some(&fixture_target_dir(&format!("pairs-{side}"))))
            .expect("every fixture crate documents");
        members.iter().map(|p| p.name.clone()).zip(json).collect()
    })
}

/// A copy of `fixtures/<name>` in a fresh temporary directory.
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    copy_dir(&fixtures().join(name), dir.path());
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "target" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The OASIS SARIF 2.1.0 schema, for validating `check --format sarif`.
pub fn sarif_schema() -> serde_json::Value {
    // The OASIS SARIF 2.1.0 schema, vendored (fixtures/schemas/README.md says where it comes
    // from): a test never fetches anything.
    let schema = fixtures().join("schemas/sarif-schema-2.1.0.json");
    let mut schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap();
    // The published schema's `language` patterns have a stray `]`, which a strict validator
    // refuses as a regex; use the pattern they mean (a language tag such as `en` or `en-US`).
    let fixed = fix_language_patterns(&mut schema);
    assert!(fixed >= 1, "the known erratum is still there");
    schema
}

fn fix_language_patterns(value: &mut serde_json::Value) -> usize {
    match value {
        serde_json::Value::Object(map) => {
            let mut fixed = 0;
            if map.get("pattern").and_then(serde_json::Value::as_str) == Some("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$") {
                map.insert("pattern".into(), serde_json::Value::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$"));
                fixed += 1;
            }
            fixed + map.values_mut().map(fix_language_patterns).sum::<usize>()
        }
        serde_json::Value::Array(values) => values.iter_mut().map(fix_language_patterns).sum(),
        _ => 0,
    }
}
