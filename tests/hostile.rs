//! Hostile input: names, paths and tags that look like options or hold spaces, unicode, `/` and
//! `..`, handed to real git and real cargo; inputs too large to read, refused with the fix or
//! read in bounded memory.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use apicheck::changelog::{self, Section};
use semver::Version;
use support::monorepo::Monorepo;

fn apicheck_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_apicheck"));
    command.current_dir(dir).args(args).env("NO_COLOR", "1").env_remove("APICHECK_MAX_INPUT_MB");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=apicheck", "-c", "user.email=apicheck@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The error a bad input gets: exit 2 and one `error:` line.
fn assert_one_error_line(output: &Output) -> String {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(2), "stdout: {}\nstderr: {text}", stdout(output));
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("error: "), "{text}");
    text
}

/// A workspace in a directory whose name begins with `-` and holds a space and unicode, with one
/// package whose name is unicode (cargo allows Unicode XID names), released under a tag that
/// begins with `-` and holds `/` and unicode (git refuses such a name in `git tag`, but a ref
/// can be created or fetched under it).
#[test]
fn hostile_paths_names_and_tags_reach_git_and_cargo_as_values() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("-ws ü x");
    let package_dir = root.join("packages/café-utils");
    std::fs::create_dir_all(package_dir.join("src")).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = [\"packages/café-utils\"]\nresolver = \"2\"\n\n\
         [workspace.metadata.apicheck]\ntag = \"-{name}/ü-v{version}\"\n",
    )
    .unwrap();
    std::fs::write(package_dir.join("Cargo.toml"), "[package]\nname = \"café-utils\"\nversion = \"1.0.0\"\nedition = \"2021\"\n").unwrap();
    std::fs::write(package_dir.join("src/lib.rs"), "pub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n").unwrap();
    std::fs::write(package_dir.join("CHANGELOG.md"), "# Changelog\n\n## [1.0.0]\n\n- First release.\n").unwrap();
    std::fs::write(root.join(".gitignore"), "/-target dir/\n").unwrap();
    git(&root, &["init", "--quiet", "--initial-branch=main"]);

    // Relative paths that begin with `-`, run from the directory above: cargo must get them as
    // paths, not as options.
    let workspace_args = ["--manifest-path=-ws ü x/Cargo.toml", "--target-dir=-ws ü x/-target dir"];
    let recorded = apicheck_in(outer.path(), &[&["baseline"][..], &workspace_args].concat(), &[]);
    assert_eq!(recorded.status.code(), Some(0), "{}", stderr(&recorded));
    let model = root.join("baselines/café-utils/model.json");
    let record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(record["tag"], "-café-utils/ü-v1.0.0");
    git(&root, &["add", "--all"]);
    git(&root, &["commit", "--quiet", "--message", "release café-utils 1.0.0"]);
    git(&root, &["update-ref", "refs/tags/-café-utils/ü-v1.0.0", "HEAD"]);

    // A rev that begins with `-` is resolved as a rev.
    let affected = apicheck_in(outer.path(), &["affected", "--manifest-path=-ws ü x/Cargo.toml", "--base=-café-utils/ü-v1.0.0"], &[]);
    assert_eq!(affected.status.code(), Some(0), "{}", stderr(&affected));
    assert_eq!(stdout(&affected), "", "nothing changed since the tag");
    let option = apicheck_in(outer.path(), &["affected", "--manifest-path=-ws ü x/Cargo.toml", "--base=--output=pwned"], &[]);
    assert!(assert_one_error_line(&option).contains("git cannot resolve `--output=pwned`"));
    assert!(!root.join("pwned").exists() && !outer.path().join("pwned").exists());
    let multiline = apicheck_in(outer.path(), &["affected", "--manifest-path=-ws ü x/Cargo.toml", "--base=main\n-v1"], &[]);
    assert!(assert_one_error_line(&multiline).contains("git cannot resolve `main\\n-v1`"));

    // A baseline in another rustdoc format is rebuilt from its tag, in a worktree of it.
    let text = std::fs::read_to_string(&model).unwrap();
    let format = record["rustdoc_format"].as_u64().unwrap();
    let other = apicheck::rustdoc::SUPPORTED_FORMATS.iter().find(|f| u64::from(**f) != format).unwrap();
    std::fs::write(&model, text.replace(&format!("\"rustdoc_format\": {format}"), &format!("\"rustdoc_format\": {other}"))).unwrap();
    let check = apicheck_in(outer.path(), &[&["check", "--format", "json"][..], &workspace_args].concat(), &[]);
    assert_eq!(check.status.code(), Some(0), "{}\n{}", stdout(&check), stderr(&check));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(report["packages"][0]["name"], "café-utils");
    assert_eq!(report["packages"][0]["status"], "pass");
    let notes = report.to_string();
    assert!(notes.contains("rebuilt the baseline rustdoc of `café-utils` from tag `-café-utils/ü-v1.0.0`"), "{notes}");

    // Then a break without a bump fails, as anywhere else.
    std::fs::write(package_dir.join("src/lib.rs"), "pub fn add(a: u64, b: u32) -> u64 {\n    a + u64::from(b)\n}\n").unwrap();
    let check = apicheck_in(outer.path(), &[&["check", "--format", "json"][..], &workspace_args].concat(), &[]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert!(stdout(&check).contains("function_parameter_type_changed"));
}

/// A package named on the command line is looked up among the members, never used as a path:
/// `-p ../../etc` is not a baselines folder to write to.
#[test]
fn package_names_that_are_paths_or_options_are_not_members() {
    let repo = Monorepo::new();
    for name in ["../../etc", "..", "core-utils/../auth-core", "/etc", "core utils", "-x", "--all", "ünï"] {
        for command in ["check", "baseline"] {
            let output = apicheck_in(repo.root(), &[command, &format!("--package={name}")], &[]);
            let error = assert_one_error_line(&output);
            assert!(error.contains(&format!("no package `{name}` in the workspace")), "{command} {name}: {error}");
        }
    }
    assert_eq!(repo.git(&["status", "--porcelain"]), "", "nothing written in the repository");
}

/// The configured changelog is a file in each package's directory: an absolute path (a device
/// that never ends, another repository's file) or one that goes up is refused.
#[test]
fn a_changelog_outside_the_package_is_refused() {
    for changelog in ["/dev/zero", "../../CHANGELOG.md", ""] {
        let repo = Monorepo::new();
        let manifest = repo.read("Cargo.toml").replace("changelog = \"CHANGELOG.md\"", &format!("changelog = \"{changelog}\""));
        repo.write("Cargo.toml", &manifest);
        let output = apicheck_in(repo.root(), &["deps"], &[]);
        let error = assert_one_error_line(&output);
        assert!(error.contains("is not a file in each package's directory"), "{error}");
    }
}

/// apicheck's own baseline rustdoc JSON, decompressed: 6 MB of real rustdoc JSON.
fn large_rustdoc_json(dir: &Path) -> PathBuf {
    use std::io::Read;
    let file = std::fs::File::open(support::repo_root().join("baselines/apicheck/rustdoc.json.gz")).unwrap();
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(file).read_to_end(&mut json).unwrap();
    assert!(json.len() > 2 * 1024 * 1024);
    let path = dir.join("apicheck.json");
    std::fs::write(&path, json).unwrap();
    path
}

#[test]
fn an_input_above_the_size_limit_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let json = large_rustdoc_json(dir.path());
    let limit = [("APICHECK_MAX_INPUT_MB", "1")];
    let refused = apicheck_in(dir.path(), &["api", json.to_str().unwrap()], &limit);
    let error = assert_one_error_line(&refused);
    assert!(error.contains("apicheck.json is larger than 1 MiB, the most apicheck reads of a rustdoc JSON or apicheck model"), "{error}");
    assert!(error.contains("raise the limit with APICHECK_MAX_INPUT_MB"), "{error}");
    // Under the default limit the same file is read.
    let read = apicheck_in(dir.path(), &["api", json.to_str().unwrap()], &[]);
    assert_eq!(read.status.code(), Some(0), "{}", stderr(&read));
    assert!(stdout(&read).contains("pub fn apicheck::compare("));

    // A file without an end is cut at the limit, not read into memory whole.
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.json")).unwrap();
    let endless = apicheck_in(dir.path(), &["api", "zero.json"], &limit);
    assert!(assert_one_error_line(&endless).contains("zero.json is larger than 1 MiB"));
    let endless = apicheck_in(dir.path(), &["diff", "--baseline", "/dev/zero", "--current", json.to_str().unwrap()], &limit);
    assert!(assert_one_error_line(&endless).contains("/dev/zero is larger than 1 MiB"));
    let report = apicheck_in(dir.path(), &["report", "merge", "/dev/zero"], &[]);
    assert!(assert_one_error_line(&report).contains("/dev/zero is larger than 64 MiB: it is not a report"));

    let invalid = apicheck_in(dir.path(), &["api", json.to_str().unwrap()], &[("APICHECK_MAX_INPUT_MB", "lots")]);
    assert!(assert_one_error_line(&invalid).contains("APICHECK_MAX_INPUT_MB=\"lots\" is not a size in MiB"));
}

/// A stored `rustdoc.json.gz` is decompressed up to the limit only: a compressed file that
/// inflates beyond it (a gzip bomb, or a baseline of a larger crate) is an error for its package.
#[test]
fn a_baseline_that_decompresses_above_the_limit_is_an_error_for_its_package() {
    use std::io::Write;
    let repo = Monorepo::new();
    let dir = tempfile::tempdir().unwrap();
    let json = std::fs::read(large_rustdoc_json(dir.path())).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&json).unwrap();
    std::fs::write(repo.path("baselines/core-utils/rustdoc.json.gz"), encoder.finish().unwrap()).unwrap();
    let (code, report) = repo.check_env(&["-p", "core-utils", "-p", "validation"], &[("APICHECK_MAX_INPUT_MB", "1")]);
    assert_eq!(code, 2);
    let core_utils = support::monorepo::package(&report, "core-utils");
    assert_eq!(core_utils["status"], "error");
    let error = core_utils["error"].as_str().unwrap();
    assert!(error.contains("rustdoc.json.gz decompresses to larger than 1 MiB"), "{error}");
    assert!(!error.contains('\n'), "{error}");
    assert_eq!(support::monorepo::package(&report, "validation")["status"], "pass");
}

/// A 1 MB changelog (about 5,000 releases) is read whole: its first and last sections are found.
#[test]
fn a_one_megabyte_changelog_is_read() {
    let mut text = String::from("# Changelog\n\nAll notable changes.\n");
    let mut major = 20_000;
    while text.len() < 1024 * 1024 {
        text.push_str(&format!(
            "\n## [{major}.0.0] - 2026-01-01\n\n### Changed\n\n- **Breaking:** `thing{major}` takes a `u64`.\n\n\
             ### Added\n\n- `new_function_{major}`, which does something useful for its callers.\n"
        ));
        major -= 1;
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &text).unwrap();
    let started = Instant::now();
    for version in ["20000.0.0".to_string(), format!("{}.0.0", major + 1)] {
        let section = changelog::section(file.path(), &Version::parse(&version).unwrap());
        assert!(matches!(section, Section::Found { mentions_breaking: true, .. }), "{version}: {section:?}");
    }
    let missing = changelog::section(file.path(), &Version::new(1, 0, 0));
    assert!(matches!(missing, Section::Missing(reason) if reason.contains("has no section for 1.0.0")));
    println!("three lookups in a {} byte changelog: {:?}", text.len(), started.elapsed());
}

/// A crate with 30,000 documented functions: real rustdoc JSON of more than 100 MB, read within
/// the default limit, with the peak memory measured by `/usr/bin/time` where it is installed.
#[test]
#[ignore = "generates a rustdoc JSON of more than 100 MB with cargo doc (about a minute)"]
fn a_100_mb_rustdoc_json_is_read_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"huge\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[workspace]\n").unwrap();
    let doc = format!("/// {}\n", "This function exists to make the rustdoc JSON large and keeps going on. ".repeat(36));
    let mut source = String::new();
    for module in 0..30 {
        source.push_str(&format!("pub mod m{module} {{\n"));
        for function in 0..1000 {
            source.push_str(&doc);
            source.push_str(&format!("pub fn f{function}(a: u32, b: &str, c: Option<Vec<u8>>) -> Result<u64, String> {{ let _ = (a, b, c); Ok({function}) }}\n"));
        }
        source.push_str("}\n");
    }
    std::fs::write(dir.path().join("src/lib.rs"), source).unwrap();
    let target = dir.path().join("target");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(dir.path())
        .args(["doc", "--no-deps", "--lib", "--quiet", "--target-dir"])
        .arg(&target)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("RUSTDOCFLAGS", "-Z unstable-options --output-format json")
        .status()
        .unwrap();
    assert!(status.success());
    let json = target.join("doc/huge.json");
    let size = std::fs::metadata(&json).unwrap().len();
    assert!(size >= 100 * 1000 * 1000, "{size} bytes");

    let time = Path::new("/usr/bin/time");
    let started = Instant::now();
    let output = if time.exists() {
        Command::new(time).args(["-f", "peak-rss-kb=%M"]).arg(env!("CARGO_BIN_EXE_apicheck")).arg("api").arg(&json).output().unwrap()
    } else {
        Command::new(env!("CARGO_BIN_EXE_apicheck")).arg("api").arg(&json).output().unwrap()
    };
    let elapsed = started.elapsed();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let listing = stdout(&output);
    assert_eq!(listing.lines().filter(|line| line.starts_with("pub fn huge::m")).count(), 30_000);
    match stderr(&output).lines().find_map(|line| line.strip_prefix("peak-rss-kb=")) {
        Some(kilobytes) => {
            let peak = kilobytes.trim().parse::<u64>().unwrap() * 1024;
            println!("{size} bytes of rustdoc JSON listed in {elapsed:?}: peak RSS {} MB ({:.1} × the file)", peak / 1_000_000, peak as f64 / size as f64);
            assert!(peak < 4 * size, "peak RSS {peak} bytes for a {size} byte file");
        }
        None => println!("{size} bytes of rustdoc JSON listed in {elapsed:?}; /usr/bin/time is not installed, so the peak RSS is not measured"),
    }

    let refused = apicheck_in(dir.path(), &["api", json.to_str().unwrap()], &[("APICHECK_MAX_INPUT_MB", "64")]);
    assert!(assert_one_error_line(&refused).contains("is larger than 64 MiB"));
}
