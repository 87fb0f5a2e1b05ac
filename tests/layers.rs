//! The layering of `src/` (ARCHITECTURE.md, "Invariants"): each module belongs to the layer of
//! its folder, and names only its own layer and the layers below. Read from the sources, so a
//! new import that breaks the order fails here before anyone reviews it.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first. A module in `src/<layer>/` (or `src/<layer>.rs`) may use
/// `crate::<other>` only when `<other>` comes before it or is itself.
const LAYERS: &[&str] = &[
    "input",
    "engine",
    "workspace",
    "store",
    "policy",
    "gate",
    "report",
];

/// The modules that may start processes, and the programs each may start. The engine, the
/// store, the policy, the gate and the reports run nothing: what they need from cargo or git
/// comes through the workspace layer.
const PROCESS_OWNERS: &[(&str, &str)] = &[
    ("workspace/cargo.rs", "cargo and the toolchain"),
    ("workspace/git.rs", "git"),
];

/// A broken rule: which file, which line, what it does.
#[derive(Debug, PartialEq)]
struct Breach {
    file: String,
    line: usize,
    what: String,
}

fn layer_of(relative: &str) -> Option<usize> {
    let first = relative.split('/').next()?.trim_end_matches(".rs");
    LAYERS.iter().position(|layer| *layer == first)
}

/// Every `crate::name` on a line, without what follows `//` (comments say what a module is
/// for, they are not imports).
fn crate_paths(line: &str) -> Vec<&str> {
    let code = line.split("//").next().unwrap_or_default();
    code.match_indices("crate::")
        .filter(|(at, _)| !code[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
        .map(|(at, prefix)| {
            let rest = &code[at + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

/// The breaches of the layering in one source file, `relative` to `src/`.
fn breaches(relative: &str, text: &str) -> Vec<Breach> {
    let mut found = Vec::new();
    let own_layer = layer_of(relative);
    let owns_processes = PROCESS_OWNERS.iter().any(|(owner, _)| *owner == relative);
    for (index, line) in text.lines().enumerate() {
        let breach = |what: String| Breach {
            file: relative.to_string(),
            line: index + 1,
            what,
        };
        if let Some(own) = own_layer {
            for name in crate_paths(line) {
                match LAYERS.iter().position(|layer| *layer == name) {
                    Some(used) if used > own => found.push(breach(format!(
                        "the {} layer uses `crate::{name}`, a layer above it",
                        LAYERS[own]
                    ))),
                    Some(_) => {}
                    None => found.push(breach(format!(
                        "`crate::{name}` is not a layer: name the layer (`crate::engine::...`), not a re-export of the crate root"
                    ))),
                }
            }
        }
        let code = line.split("//").next().unwrap_or_default();
        if !owns_processes
            && relative != "main.rs"
            && (code.contains("process::Command") || code.contains("MetadataCommand"))
        {
            found.push(breach(format!(
                "starts a process; only {} may",
                PROCESS_OWNERS
                    .iter()
                    .map(|(owner, runs)| format!("{owner} ({runs})"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            )));
        }
    }
    found
}

fn source_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

fn sources() -> Vec<(String, String)> {
    let src = support::repo_root().join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            (
                path.strip_prefix(&src)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
                fs::read_to_string(&path).unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_module_uses_only_its_layer_and_the_layers_below() {
    let sources = sources();
    let unplaced: Vec<&str> = sources
        .iter()
        .map(|(file, _)| file.as_str())
        .filter(|file| layer_of(file).is_none() && !["lib.rs", "main.rs"].contains(file))
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules outside every layer (put each in a layer folder): {unplaced:?}"
    );
    let found: Vec<Breach> = sources
        .iter()
        .flat_map(|(file, text)| breaches(file, text))
        .collect();
    assert!(found.is_empty(), "the layering is broken:\n{found:#?}");
}

#[test]
fn the_checker_sees_an_upward_import_a_root_path_and_a_process() {
    let text = "use crate::engine::model::ApiModel;\nuse crate::workspace::Workspace; // upward\nlet d: crate::ApiDiff;\n\
                let c = std::process::Command::new(\"cargo\");\n// crate::gate in a comment is not an import\n";
    let found = breaches("engine/diff.rs", text);
    let lines: Vec<(usize, &str)> = found
        .iter()
        .map(|breach| (breach.line, breach.what.as_str()))
        .collect();
    assert_eq!(lines.len(), 3, "{found:#?}");
    assert!(
        lines[0].0 == 2
            && lines[0]
                .1
                .contains("the engine layer uses `crate::workspace`"),
        "{found:#?}"
    );
    assert!(
        lines[1].0 == 3 && lines[1].1.contains("`crate::ApiDiff` is not a layer"),
        "{found:#?}"
    );
    assert!(
        lines[2].0 == 4 && lines[2].1.contains("starts a process"),
        "{found:#?}"
    );
    assert!(
        breaches(
            "workspace/cargo.rs",
            "let c = std::process::Command::new(\"cargo\");"
        )
        .is_empty()
    );
    assert!(breaches("report/mod.rs", "use crate::gate::CheckReport;").is_empty());
}

/// ARCHITECTURE.md's code map names every module file (or, inside a layer, the sub-folder that
/// holds it, as `src/engine/model/`), and names nothing that is gone.
#[test]
fn the_code_map_matches_the_folders() {
    let architecture = fs::read_to_string(support::repo_root().join("ARCHITECTURE.md")).unwrap();
    let code_map = architecture
        .split("## Code map")
        .nth(1)
        .expect("ARCHITECTURE.md has a `## Code map`");
    let code_map = code_map.split("\n## ").next().unwrap_or_default();
    let sources = sources();
    let mut missing = Vec::new();
    for (file, _) in &sources {
        let mentioned = format!("src/{file}");
        let folder = Path::new(&mentioned)
            .parent()
            .map(|parent| format!("{}/", parent.display()))
            .unwrap_or_default();
        let named = code_map.contains(&format!("`{mentioned}`"))
            || (file.matches('/').count() >= 2 && code_map.contains(&format!("`{folder}`")));
        if !named {
            missing.push(mentioned);
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's code map does not name: {missing:?}"
    );
    let stale: Vec<&str> = code_map
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|quoted| quoted.starts_with("src/"))
        .filter(|quoted| {
            !support::repo_root()
                .join(quoted.trim_end_matches('/'))
                .exists()
        })
        .collect();
    assert!(
        stale.is_empty(),
        "ARCHITECTURE.md's code map names what is gone: {stale:?}"
    );
}
