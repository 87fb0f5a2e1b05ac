//! The files that install apicheck like a Rust tool: `action.yml` (the GitHub Action) and
//! `.github/workflows/release.yml` (the binaries of a release) are valid against SchemaStore's
//! schemas (vendored in fixtures/schemas), and the archives the workflow attaches are the ones
//! `[package.metadata.binstall]` in Cargo.toml tells cargo-binstall to fetch.

mod support;

use serde_json::Value;
use support::{fixtures, repo_root};

/// A YAML file of the repository as JSON, for the schema validator.
fn yaml(relative: &str) -> Value {
    let text = std::fs::read_to_string(repo_root().join(relative)).unwrap();
    serde_norway::from_str(&text).unwrap_or_else(|error| panic!("{relative} is not YAML: {error}"))
}

fn assert_valid(document: &Value, schema_file: &str, what: &str) {
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(fixtures().join("schemas").join(schema_file)).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|error| panic!("{schema_file} does not compile: {error}"));
    let errors: Vec<String> = validator.iter_errors(document).map(|error| format!("{} at {}", error, error.instance_path())).collect();
    assert!(errors.is_empty(), "{what} is not valid against {schema_file}:\n{}", errors.join("\n"));
}

#[test]
fn the_action_and_the_release_workflow_follow_their_schemas() {
    let action = yaml("action.yml");
    assert_valid(&action, "github-action.json", "action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    for input in ["base", "format", "packages", "manifest-path"] {
        assert!(action["inputs"][input].is_object(), "action.yml has no `{input}` input");
    }
    assert_valid(&yaml(".github/workflows/release.yml"), "github-workflow.json", "release.yml");
}

/// The schema catches what it should: a composite action without steps is refused.
#[test]
fn the_action_schema_refuses_a_broken_action() {
    let mut action = yaml("action.yml");
    action["runs"].as_object_mut().unwrap().remove("steps");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(fixtures().join("schemas/github-action.json")).unwrap()).unwrap();
    assert!(!jsonschema::validator_for(&schema).unwrap().is_valid(&action));
}

/// cargo-binstall's template, rendered for every target the workflow builds, names the archive
/// the workflow attaches to the release of tag `v<version>`, and the binary's path inside it.
#[test]
fn the_binstall_metadata_names_the_release_archives() {
    let manifest: toml::Table = toml::from_str(&std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap()).unwrap();
    let package = &manifest["package"];
    let binstall = &package["metadata"]["binstall"];
    let (name, version) = (package["name"].as_str().unwrap(), package["version"].as_str().unwrap());
    assert_eq!(binstall["pkg-fmt"].as_str(), Some("tgz"), "the workflow packs .tar.gz archives");

    let workflow = yaml(".github/workflows/release.yml");
    assert_eq!(workflow["on"]["push"]["tags"], serde_json::json!(["v*"]), "releases are tagged v<version>");
    let build = &workflow["jobs"]["build"];
    let archive = build["env"]["ARCHIVE"].as_str().expect("the build job names its archive in env.ARCHIVE");
    let package_step = build["steps"].as_array().unwrap().iter().find(|s| s["name"] == "Package").expect("a Package step");
    let script = package_step["run"].as_str().unwrap();
    assert!(script.contains("tar -czf \"$ARCHIVE.tar.gz\" \"$ARCHIVE\""), "{script}");
    assert!(script.contains("cp \"$binary\""), "the binary is at the archive directory's top: {script}");

    let targets: Vec<&str> = build["strategy"]["matrix"]["include"].as_array().unwrap().iter().map(|e| e["target"].as_str().unwrap()).collect();
    for os in ["linux", "apple-darwin", "windows"] {
        assert!(targets.iter().any(|t| t.contains(os)), "no {os} target in {targets:?}");
    }
    let render = |template: &str, target: &str| {
        let binary_ext = if target.contains("windows") { ".exe" } else { "" };
        template
            .replace("{ repo }", "https://github.com/owner/apicheck")
            .replace("{ name }", name)
            .replace("{ version }", version)
            .replace("{ target }", target)
            .replace("{ archive-suffix }", ".tar.gz")
            .replace("{ bin }", name)
            .replace("{ binary-ext }", binary_ext)
    };
    for target in targets {
        let archive = archive.replace("${{ matrix.target }}", target);
        let url = render(binstall["pkg-url"].as_str().unwrap(), target);
        assert_eq!(url, format!("https://github.com/owner/apicheck/releases/download/v{version}/{archive}.tar.gz"), "{target}");
        let binary = render(binstall["bin-dir"].as_str().unwrap(), target);
        let ext = if target.contains("windows") { ".exe" } else { "" };
        assert_eq!(binary, format!("{archive}/{name}{ext}"), "{target}");
    }

    // The action asks cargo-binstall for the same archives, from the action's own repository.
    let action = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    let action_url = format!(
        "https://github.com/$ACTION_REPOSITORY/{}",
        binstall["pkg-url"].as_str().unwrap().strip_prefix("{ repo }/").unwrap()
    );
    assert!(action.contains(&action_url), "action.yml does not fetch {action_url}");
}
