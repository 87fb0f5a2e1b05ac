//! What a package's compilation read, by the compiler's own record: the files and environment
//! variables in the dep-info files rustdoc and rustc wrote under the target directory, and the
//! `rerun-if-changed` / `rerun-if-env-changed` lines of its build script's output. Plain file
//! reading: cargo wrote them during `cargo doc`, which `cargo.rs` runs with its build directory
//! in the target directory.
//!
//! Which file: rustdoc writes Makefile-style dep-info (`--emit=dep-info`, asked for by cargo's
//! `-Zrustdoc-depinfo`) to `<profile>/.fingerprint/<package>-<hash>/doc-lib-<crate>.d`; rustc
//! writes the same format for the check unit of a library other documented packages depend on,
//! `<profile>/deps/<crate>-<hash>.d`. That format is the compiler's own (Makefile rules, plus
//! `# env-dep:` lines), the same for rustc and rustdoc, and the text cargo itself parses to
//! decide what to rebuild. Cargo's translation of it beside it (`dep-doc-lib-<crate>`) is a
//! binary encoding private to cargo, free to change in any release; it is not read. Where the
//! files are is cargo's choice too: should a cargo release move them, none is found, and the
//! cache documents the package on every run rather than trust an entry.
//!
//! A package can have several units of one kind (other features, other dependency versions:
//! each gets its own hash), and the artifact messages of `cargo doc` do not say which hash a
//! run used. The inputs are then those of every unit found, a superset of the ones that made
//! the JSON: a needless rebuild at worst, never a missed input.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::workspace::Package;

/// Files and environment variables a compilation read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReadInputs {
    /// Absolute and free of `.` and `..`.
    pub files: BTreeSet<PathBuf>,
    pub env: BTreeSet<String>,
}

impl ReadInputs {
    pub fn extend(&mut self, other: ReadInputs) {
        self.files.extend(other.files);
        self.env.extend(other.env);
    }
}

/// Which compilation of a package: its documentation, or the check (metadata) build that the
/// documentation of the packages depending on it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Doc,
    Check,
}

/// What `package`'s `unit` read, from the dep-info files in `target_dir` (paths in them are
/// relative to `workspace_root`, cargo's working directory for workspace members), and from
/// its build script's output. An error when no dep-info file of that unit is there.
pub fn read_inputs(target_dir: &Path, workspace_root: &Path, package: &Package, unit: Unit) -> Result<ReadInputs> {
    let crate_name = package.lib_crate.as_deref().with_context(|| format!("package `{}` has no library target", package.name))?;
    let profiles = profile_dirs(target_dir);
    let mut dep_info_files = Vec::new();
    for profile in &profiles {
        dep_info_files.extend(match unit {
            Unit::Doc => hashed_dirs(&profile.join(".fingerprint"), &package.name)
                .into_iter()
                .map(|dir| dir.join(format!("doc-lib-{crate_name}.d")))
                .filter(|file| file.is_file())
                .collect(),
            Unit::Check => hashed_files(&profile.join("deps"), crate_name, ".d"),
        });
    }
    if dep_info_files.is_empty() {
        let unit_name = match unit {
            Unit::Doc => "documentation",
            Unit::Check => "check build",
        };
        bail!("found no dep-info file of the {unit_name} of `{}` under {}", package.name, target_dir.display());
    }
    let mut inputs = ReadInputs::default();
    for file in dep_info_files {
        let text = fs::read_to_string(&file).with_context(|| format!("cannot read the dep-info file {}", file.display()))?;
        inputs.extend(parse_dep_info(&text, workspace_root));
    }
    for profile in &profiles {
        for dir in hashed_dirs(&profile.join("build"), &package.name) {
            let output = dir.join("output");
            if output.is_file() {
                let text = fs::read_to_string(&output).with_context(|| format!("cannot read the build script output {}", output.display()))?;
                inputs.extend(parse_build_script_output(&text, &package.dir));
            }
        }
    }
    Ok(inputs)
}

/// The profile directories cargo builds in: `<target>/debug`, `<target>/<triple>/debug` and so
/// on, recognised by their `.fingerprint` directory.
fn profile_dirs(target_dir: &Path) -> Vec<PathBuf> {
    let mut profiles = Vec::new();
    for child in subdirectories(target_dir) {
        if child.join(".fingerprint").is_dir() {
            profiles.push(child);
        } else {
            profiles.extend(subdirectories(&child).into_iter().filter(|grandchild| grandchild.join(".fingerprint").is_dir()));
        }
    }
    profiles
}

fn subdirectories(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    entries.flatten().filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir())).map(|entry| entry.path()).collect()
}

/// The directories `<name>-<hex hash>` in `dir`.
fn hashed_dirs(dir: &Path, name: &str) -> Vec<PathBuf> {
    subdirectories(dir).into_iter().filter(|path| is_hashed(path, name, "")).collect()
}

/// The files `<name>-<hex hash><suffix>` in `dir`.
fn hashed_files(dir: &Path, name: &str, suffix: &str) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    entries.flatten().map(|entry| entry.path()).filter(|path| path.is_file() && is_hashed(path, name, suffix)).collect()
}

fn is_hashed(path: &Path, name: &str, suffix: &str) -> bool {
    let Some(file_name) = path.file_name().and_then(|n| n.to_str()) else { return false };
    file_name
        .strip_prefix(name)
        .and_then(|rest| rest.strip_prefix('-'))
        .and_then(|rest| rest.strip_suffix(suffix))
        .is_some_and(|hash| !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The prerequisites of every rule (`target: file file...`, spaces in names escaped as `\ `)
/// and the `# env-dep:NAME[=value]` lines of a dep-info file.
fn parse_dep_info(text: &str, base: &Path) -> ReadInputs {
    let mut inputs = ReadInputs::default();
    for line in text.lines() {
        if let Some(variable) = line.strip_prefix("# env-dep:") {
            let name = variable.split_once('=').map_or(variable, |(name, _value)| name);
            inputs.env.insert(name.to_string());
        } else if !line.starts_with('#')
            && let Some(prerequisites) = rule_prerequisites(line)
        {
            inputs.files.extend(split_escaped(prerequisites).into_iter().map(|file| absolute(base, Path::new(&file))));
        }
    }
    inputs
}

/// What follows the target of a rule: after the first `: ` (or a final `:`), so that a
/// Windows drive letter (`C:\src`) is not taken for the separator.
fn rule_prerequisites(line: &str) -> Option<&str> {
    if let Some((_target, rest)) = line.split_once(": ") {
        return Some(rest);
    }
    line.strip_suffix(':').map(|_| "")
}

/// Splits on spaces, but escaped ones (`\ `).
fn split_escaped(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&' ') => {
                word.push(' ');
                chars.next();
            }
            ' ' => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The `rerun-if-changed` paths (relative to the package directory) and `rerun-if-env-changed`
/// variables a build script printed, in either syntax (`cargo:` and `cargo::`).
fn parse_build_script_output(text: &str, package_dir: &Path) -> ReadInputs {
    let mut inputs = ReadInputs::default();
    for line in text.lines() {
        let Some(instruction) = line.strip_prefix("cargo::").or_else(|| line.strip_prefix("cargo:")) else { continue };
        if let Some(path) = instruction.strip_prefix("rerun-if-changed=") {
            inputs.files.insert(absolute(package_dir, Path::new(path)));
        } else if let Some(variable) = instruction.strip_prefix("rerun-if-env-changed=") {
            inputs.env.insert(variable.to_string());
        }
    }
    inputs
}

/// `path` against `base`, with `.` and `..` resolved lexically (the file may be gone, and a
/// symbolic link must not move it out of the directory it was named in).
fn absolute(base: &Path, path: &Path) -> PathBuf {
    let mut resolved = PathBuf::new();
    for component in base.join(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            other => resolved.push(other),
        }
    }
    resolved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dep_info_gives_every_prerequisite_and_environment_variable() {
        let text = "/t/debug/.fingerprint/core-utils-0a1b/doc-lib-core_utils.d: packages/core-utils/src/lib.rs packages/core-utils/src/../../../shared\\ src/api.rs /abs/gen.rs\n\
                    \n\
                    packages/core-utils/src/lib.rs:\n\
                    packages/core-utils/src/../../../shared\\ src/api.rs:\n\
                    \n\
                    # env-dep:APICHECK_TEST_VAR=a=b\n\
                    # env-dep:UNSET_VAR\n";
        let inputs = parse_dep_info(text, Path::new("/w"));
        let files: Vec<&str> = inputs.files.iter().map(|f| f.to_str().unwrap_or_default()).collect();
        assert_eq!(files, ["/abs/gen.rs", "/w/packages/core-utils/src/lib.rs", "/w/shared src/api.rs"]);
        assert_eq!(inputs.env.into_iter().collect::<Vec<_>>(), ["APICHECK_TEST_VAR", "UNSET_VAR"]);
    }

    #[test]
    fn build_script_output_gives_what_reruns_it() {
        let text = "cargo:rerun-if-changed=../shared/schema.json\ncargo::rerun-if-env-changed=PROTOC\ncargo:rustc-cfg=fast\ncargo:warning=rerun-if-changed=no\n";
        let inputs = parse_build_script_output(text, Path::new("/w/packages/core-utils"));
        assert_eq!(inputs.files.into_iter().collect::<Vec<_>>(), [PathBuf::from("/w/packages/shared/schema.json")]);
        assert_eq!(inputs.env.into_iter().collect::<Vec<_>>(), ["PROTOC"]);
    }

    #[test]
    fn every_unit_of_the_package_counts_and_none_is_an_error() {
        let target = tempfile::tempdir().expect("a temporary directory");
        let workspace = Path::new("/w");
        let package = Package {
            name: "core-utils".into(),
            version: semver::Version::new(1, 2, 0),
            manifest_path: workspace.join("packages/core-utils/Cargo.toml"),
            dir: workspace.join("packages/core-utils"),
            lib_crate: Some("core_utils".into()),
            lib_root: None,
            publishable: true,
            dependencies: Vec::new(),
            feature_declarations: String::new(),
            is_proc_macro: false,
        };
        let error = read_inputs(target.path(), workspace, &package, Unit::Doc).expect_err("no dep-info yet");
        assert!(format!("{error:#}").starts_with("found no dep-info file of the documentation of `core-utils`"), "{error:#}");

        let write = |relative: &str, text: &str| {
            let path = target.path().join(relative);
            fs::create_dir_all(path.parent().expect("a parent")).expect("a directory");
            fs::write(path, text).expect("a file");
        };
        write("debug/.fingerprint/core-utils-00aa/doc-lib-core_utils.d", "x.d: a.rs\n# env-dep:A=1\n");
        write("x86_64-unknown-linux-gnu/debug/.fingerprint/core-utils-11bb/doc-lib-core_utils.d", "x.d: b.rs\n");
        write("debug/.fingerprint/core-utils-extra-22cc/doc-lib-core_utils.d", "x.d: not-this-package.rs\n");
        write("debug/deps/core_utils-33dd.d", "x.d: check.rs\n");
        write("debug/build/core-utils-44ee/output", "cargo:rerun-if-env-changed=B\n");
        let doc = read_inputs(target.path(), workspace, &package, Unit::Doc).expect("dep-info");
        assert_eq!(doc.files.into_iter().collect::<Vec<_>>(), [PathBuf::from("/w/a.rs"), PathBuf::from("/w/b.rs")]);
        assert_eq!(doc.env.into_iter().collect::<Vec<_>>(), ["A", "B"]);
        let check = read_inputs(target.path(), workspace, &package, Unit::Check).expect("dep-info");
        assert_eq!(check.files.into_iter().collect::<Vec<_>>(), [PathBuf::from("/w/check.rs")]);
    }

    #[test]
    fn only_name_dash_hex_names_are_a_package_s_units() {
        assert!(is_hashed(Path::new("/t/core-utils-0123abcd"), "core-utils", ""));
        assert!(is_hashed(Path::new("/t/core_utils-0123abcd.d"), "core_utils", ".d"));
        assert!(!is_hashed(Path::new("/t/core-utils-extra-0123abcd"), "core-utils", ""));
        assert!(!is_hashed(Path::new("/t/core-utils-"), "core-utils", ""));
    }
}
