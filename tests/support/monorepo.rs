//! fixtures/monorepo in a temporary git repository with a release tag per package, changed the
//! way a pull request would, and the binary run on it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub struct Monorepo {
    dir: tempfile::TempDir,
}

/// The packages of fixtures/monorepo and their versions.
pub const RELEASES: [(&str, &str); 5] =
    [("core-utils", "1.2.0"), ("validation", "0.4.1"), ("auth-core", "2.0.3"), ("multi-tenant-core", "1.0.0"), ("domain-shared", "0.9.0")];

impl Monorepo {
    /// A copy of fixtures/monorepo, committed, with every package tagged at its version.
    pub fn new() -> Monorepo {
        Monorepo::committed(super::copy_fixture("monorepo"), Some("{name}-v{version}"))
    }

    /// fixtures/monorepo before apicheck was adopted (no `[workspace.metadata.apicheck]`, no
    /// baselines), committed, with every package tagged at its version in `tag_pattern` (no tags
    /// without one).
    pub fn unadopted(tag_pattern: Option<&str>) -> Monorepo {
        let dir = super::copy_fixture("monorepo");
        let manifest = fs::read_to_string(dir.path().join("Cargo.toml")).unwrap();
        let start = manifest.find("\n[workspace.metadata.apicheck]").expect("the fixture is configured");
        fs::write(dir.path().join("Cargo.toml"), &manifest[..start + 1]).unwrap();
        fs::remove_dir_all(dir.path().join("baselines")).unwrap();
        Monorepo::committed(dir, tag_pattern)
    }

    fn committed(dir: tempfile::TempDir, tag_pattern: Option<&str>) -> Monorepo {
        let repo = Monorepo { dir };
        fs::write(repo.path("target/.keep"), "").ok();
        fs::write(repo.path(".gitignore"), "target/\n").unwrap();
        repo.git(&["init", "--quiet", "--initial-branch=main"]);
        repo.commit("release");
        if let Some(pattern) = tag_pattern {
            repo.tag_releases(pattern);
        }
        repo
    }

    /// Tags HEAD as the release of every package at its fixture version, in `pattern`.
    pub fn tag_releases(&self, pattern: &str) {
        for (package, version) in RELEASES {
            self.git(&["tag", &pattern.replace("{name}", package).replace("{version}", version)]);
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .current_dir(self.dir.path())
            .args(["-c", "user.name=apicheck tests", "-c", "user.email=tests@apicheck.invalid"])
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    pub fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "--quiet", "--allow-empty", "-m", message]);
    }

    pub fn read(&self, relative: &str) -> String {
        fs::read_to_string(self.path(relative)).unwrap()
    }

    pub fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// Replaces `from` (which must occur) by `to` in a file.
    pub fn edit(&self, relative: &str, from: &str, to: &str) {
        let text = self.read(relative);
        assert!(text.contains(from), "{relative} does not contain {from:?}");
        self.write(relative, &text.replacen(from, to, 1));
    }

    /// Sets a package's version, and the workspace's requirement on it.
    pub fn set_version(&self, package: &str, from: &str, to: &str) {
        self.edit(&format!("packages/{package}/Cargo.toml"), &format!("version = \"{from}\""), &format!("version = \"{to}\""));
        self.edit("Cargo.toml", &format!("packages/{package}\", version = \"{from}\""), &format!("packages/{package}\", version = \"{to}\""));
    }

    /// Adds a release section at the top of a package's changelog.
    pub fn changelog(&self, package: &str, section: &str) {
        let file = format!("packages/{package}/CHANGELOG.md");
        let text = self.read(&file);
        let at = text.find("\n## ").expect("the changelog has release sections") + 1;
        self.write(&file, &format!("{}{section}\n\n{}", &text[..at], &text[at..]));
    }

    pub fn apicheck(&self, args: &[&str]) -> Output {
        self.apicheck_env(args, &[])
    }

    /// The binary with `args`, and `env` set.
    pub fn apicheck_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_apicheck"))
            .current_dir(self.dir.path())
            .args(args)
            .env_remove("NO_COLOR")
            .envs(env.iter().copied())
            .output()
            .unwrap()
    }

    /// `check --format json`: the exit code and the report.
    pub fn check(&self) -> (i32, Value) {
        self.check_with(&[])
    }

    /// `check --format json` with more arguments.
    pub fn check_with(&self, args: &[&str]) -> (i32, Value) {
        self.check_env(args, &[])
    }

    /// `check --format json` with more arguments and `env` set.
    pub fn check_env(&self, args: &[&str], env: &[(&str, &str)]) -> (i32, Value) {
        let output = self.apicheck_env(&[&["check", "--format", "json"], args].concat(), env);
        let report = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|_| panic!("no JSON report; stderr: {}", String::from_utf8_lossy(&output.stderr)));
        (output.status.code().unwrap(), report)
    }

    /// The parameter type of `core_utils::truncate` changes from `usize` to `u32`: a break that
    /// only a type-level diff sees.
    pub fn break_truncate(&self) {
        self.edit("packages/core-utils/src/lib.rs", "pub fn truncate(s: &str, max: usize) -> &str {", "pub fn truncate(s: &str, max: u32) -> &str {\n    let max = max as usize;");
        self.edit("packages/core-utils/src/slug.rs", "crate::truncate(&collapsed, MAX_SLUG_LEN)", "crate::truncate(&collapsed, MAX_SLUG_LEN as u32)");
        self.edit("packages/core-utils/src/lib.rs", "truncate(\"日本語テキスト\", 3)", "truncate(\"日本語テキスト\", 3u32)");
    }

    /// `core_utils::slug::is_slug_char` is added: a compatible addition.
    pub fn add_to_core_utils(&self) {
        let file = "packages/core-utils/src/slug.rs";
        let text = self.read(file);
        self.write(file, &format!("{text}\n/// Whether `c` may appear in a slug.\npub fn is_slug_char(c: char) -> bool {{\n    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'\n}}\n"));
    }

    /// Every file of the work tree but `.git` and `target`, with its bytes, sorted.
    pub fn work_tree_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        collect(self.root(), &mut files);
        files.sort();
        files
    }

    pub fn baseline_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        collect(&self.path("baselines"), &mut files);
        files.sort();
        files
    }
}

fn collect(dir: &Path, files: &mut Vec<(PathBuf, Vec<u8>)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|name| name == ".git" || name == "target") {
            continue;
        }
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push((path.clone(), fs::read(&path).unwrap()));
        }
    }
}

pub fn package<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["packages"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{name} not in {report:#}"))
}

pub fn rules(package: &Value) -> Vec<&str> {
    package["violations"].as_array().unwrap().iter().map(|v| v["rule"].as_str().unwrap()).collect()
}

pub fn finding_ids(package: &Value) -> Vec<&str> {
    package["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect()
}

