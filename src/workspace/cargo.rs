//! The one module that runs cargo and the toolchain: `cargo metadata` for the workspace, `cargo
//! doc` for rustdoc JSON, `rustc -vV` for the toolchain's identity.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufReader, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use cargo_metadata::{Message, Metadata, MetadataCommand, diagnostic::DiagnosticLevel};

/// The rustdoc flags cargo-semver-checks' lints rely on: private items (private fields make a
/// struct non-constructible, private supertraits seal a trait) and hidden items, with lints off
/// so that a crate's `deny` attributes cannot fail a documentation run.
const RUSTDOC_FLAGS: &str =
    "-Z unstable-options --output-format json --document-private-items --document-hidden-items --cap-lints allow";

/// Runs `cargo metadata` for the workspace around `manifest_path` (or the current directory)
/// and returns its JSON as cargo printed it: [`parse_metadata`] reads it, and a workspace
/// remembered from an earlier run is compared with it byte for byte (see `remembered.rs`).
pub fn metadata_json(manifest_path: Option<&Path>) -> Result<Vec<u8>> {
    let mut command = MetadataCommand::new();
    command.no_deps();
    if let Some(path) = manifest_path {
        // cargo_metadata passes the path as an argument of its own, which cargo would read as
        // an option if it began with `-` (`-ws/Cargo.toml`); an absolute path begins with `/`.
        let absolute = std::path::absolute(path).with_context(|| format!("cannot resolve the manifest path {}", path.display()))?;
        command.manifest_path(absolute);
    }
    let place = manifest_path.map(|p| p.display().to_string()).unwrap_or_else(|| "the current directory".to_string());
    let output = command
        .cargo_command()
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot read the Cargo workspace at {place}: cannot run `cargo metadata`: is cargo on PATH?"))?;
    if !output.status.success() {
        bail!(
            "cannot read the Cargo workspace at {place}: `cargo metadata` exited with an error: {}",
            one_line(&String::from_utf8_lossy(&output.stderr))
        );
    }
    Ok(output.stdout)
}

/// Reads what [`metadata_json`] returned.
pub fn parse_metadata(json: &[u8]) -> Result<Metadata> {
    let text = std::str::from_utf8(json).context("`cargo metadata` printed text that is not UTF-8")?;
    let line = text.lines().find(|line| line.starts_with('{')).context("`cargo metadata` printed no JSON")?;
    MetadataCommand::parse(line).context("cannot read the JSON `cargo metadata` printed")
}

/// Resolves the dependencies of the workspace at `manifest_path` and writes its `Cargo.lock`,
/// keeping the versions it already holds. `init` runs it in a worktree of an old release before
/// reading the lockfile, so that what cargo doc resolves there (a crates.io package with a
/// member's name, say) is already in it.
pub fn resolve(manifest_path: &Path) -> Result<()> {
    let absolute = std::path::absolute(manifest_path).with_context(|| format!("cannot resolve the manifest path {}", manifest_path.display()))?;
    MetadataCommand::new().manifest_path(absolute).exec().map_err(|error| {
        anyhow::anyhow!("cannot resolve the dependencies of {}: {}", manifest_path.display(), one_line(&error.to_string()))
    })?;
    Ok(())
}

/// A library to document: its package name and the crate name rustdoc names the JSON after.
#[derive(Debug, Clone)]
pub struct DocTarget {
    pub package: String,
    /// What selects it: `name@version`, or a package id spec (`path+file:///dir#name@1.0.0`)
    /// when the lockfile has another package of the name.
    pub spec: String,
    pub crate_name: String,
    /// Features to enable besides the default ones.
    pub features: Vec<String>,
}

/// How a cargo run resolves the features of the packages it documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FeatureResolution {
    /// Unified across the whole workspace, as if every member were selected (the default
    /// surface: see [`generate_rustdoc`]).
    #[default]
    Workspace,
    /// Each selected package on its own, with its default features or without them (the other
    /// feature surfaces).
    PerPackage { default_features: bool },
}

/// What `rustc -vV` prints for the toolchain cargo uses in `dir` (rustup picks it by directory):
/// the identity of the compiler that documents the workspace.
pub fn toolchain(dir: &Path) -> Result<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let output = Command::new(&rustc)
        .arg("-vV")
        .current_dir(dir)
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("cannot run `{rustc} -vV`: is Rust installed and on PATH?"))?;
    if !output.status.success() {
        bail!("`{rustc} -vV` failed in {}: {}", dir.display(), one_line(&String::from_utf8_lossy(&output.stderr)));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// When [`generate_rustdoc`] confirms the workspace, whose `cargo metadata` and `rustc -vV`
/// take a core for about 40 ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmAt {
    /// As soon as cargo is started: beside its own start.
    Start,
    /// Once cargo reports its first unit: its own start (reading the workspace, fingerprinting
    /// every unit, on one core) is over, and the confirmation runs beside rustdoc instead. On
    /// tokio-rs/tracing that start is about 100 ms, and the confirmation slowed it by about 10.
    /// For a run whose first unit is a documented package (nothing it depends on is reported
    /// before), the confirmation would wait for that package: use `Start`.
    FirstUnit,
}

/// Generates rustdoc JSON for `targets`, all in one `cargo doc` run (cargo documents them in
/// parallel), on stable Rust through `RUSTC_BOOTSTRAP=1`. Calls `on_ready` with a target's
/// index and JSON path as soon as cargo reports it documented, while the run goes on, so the
/// caller can work on it meanwhile; a target cargo did not report is handed over when the run
/// ends.
///
/// When any package fails to document, the error names it and carries the compiler's
/// messages, and the caller must drop whatever `on_ready` received. `confirm` runs once cargo
/// is started, or has reported its first unit (see [`ConfirmAt`]); when it fails, nothing is
/// handed over and its error is returned after the run.
///
/// Returns the features each path package's library was built with in the run (see
/// [`LibraryFeatures`]).
pub fn generate_rustdoc(
    manifest_path: &Path,
    targets: &[DocTarget],
    resolution: FeatureResolution,
    target_dir: &Path,
    confirm: &dyn Fn() -> Result<()>,
    confirm_at: ConfirmAt,
    on_ready: &(dyn Fn(usize, Documented) + Sync),
) -> Result<LibraryFeatures> {
    let mut built = LibraryFeatures::default();
    // The path packages whose library this run compiled (checked) so far, for `Documented`.
    let mut checked: BTreeSet<String> = BTreeSet::new();
    if targets.is_empty() {
        return Ok(built);
    }
    let json_path = |target: &DocTarget| target_dir.join("doc").join(format!("{}.json", target.crate_name));
    let mut handed_over = vec![false; targets.len()];
    let mut command = Command::new(cargo_binary());
    // Values are joined to their options (`--target-dir=DIR`), so that none is read as an option
    // of its own, whatever it begins with: a target directory `-t`, a feature `--all-features`.
    command
        .arg("doc")
        .arg(joined("--manifest-path", manifest_path.as_os_str()))
        .arg(joined("--target-dir", target_dir.as_os_str()))
        .args(["--no-deps", "--lib", "--message-format", "json"])
        // rustdoc writes what it read (files, `env!` variables) as dep-info, which the cache
        // reads (see `depinfo.rs`), and cargo documents a package again when any of it changes,
        // not only its own directory's files. Unstable: `RUSTC_BOOTSTRAP=1` below enables it.
        .arg("-Zrustdoc-depinfo")
        // Features unified across the whole workspace, as if every member were selected: a
        // package is documented, and built for the packages that depend on it, with the same
        // features whichever packages a run documents, so its API does not depend on what
        // else changed, and what a dependent saw of it is what its own documentation shows
        // (the cache relies on it: see `cache::KeyInputs`). Unstable: `RUSTC_BOOTSTRAP=1`.
        .arg("-Zfeature-unification");
    match resolution {
        FeatureResolution::Workspace => {
            command.args(["--config", "resolver.feature-unification=\"workspace\""]);
        }
        // A feature surface: each package resolved on its own, with exactly the features its
        // users name (what its dependents ask of it does not leak in), default ones or not.
        FeatureResolution::PerPackage { default_features } => {
            command.args(["--config", "resolver.feature-unification=\"package\""]);
            if !default_features {
                command.arg("--no-default-features");
            }
        }
    }
    // The dep-info goes to cargo's build directory, which `build.build-dir` can move away from
    // the target directory; kept in it, the cache finds this run's files and no other's. (A
    // path that is not UTF-8 cannot be written in TOML: cargo's default build directory is the
    // target directory too, and where it is configured elsewhere, the cache finds no dep-info
    // and does not reuse what cargo documents.)
    if let Some(dir) = target_dir.to_str() {
        command.arg("--config").arg(format!("build.build-dir={}", toml::Value::String(dir.to_string())));
    }
    for target in targets {
        command.arg(joined("--package", target.spec.as_ref()));
        for feature in &target.features {
            // A feature of one of the package's dependencies (`dependency/feature`, from a
            // context run: see `gate/contexts.rs`) is named as is, which cargo reads as the
            // selected package's dependency's when it selects one package. Otherwise it is
            // qualified like the others, and cargo refuses it.
            let feature = if feature.contains('/') && targets.len() == 1 { feature.clone() } else { format!("{}/{feature}", target.package) };
            command.arg(joined("--features", feature.as_ref()));
        }
    }
    let user_flags = std::env::var("RUSTDOCFLAGS").unwrap_or_default();
    command
        .env("RUSTC_BOOTSTRAP", "1")
        .env("RUSTDOCFLAGS", format!("{user_flags} {RUSTDOC_FLAGS}").trim())
        // The encoded variable would take precedence over ours.
        .env_remove("CARGO_ENCODED_RUSTDOCFLAGS")
        .stdout(Stdio::piped());
    // On a terminal, cargo's own progress is the progress display; elsewhere it is kept for
    // the error message.
    let show_progress = std::io::stderr().is_terminal();
    command.stderr(if show_progress { Stdio::inherit() } else { Stdio::piped() });

    let mut child = command.spawn().context("cannot run `cargo doc`: is cargo on PATH?")?;
    // Whether the workspace this run was planned on is the one cargo reads (see
    // `remembered.rs`). When it is not, nothing is handed over: the run is waited for, not
    // killed (its rustdoc processes would go on writing), and its outputs dropped.
    let mut confirmed: Option<Result<()>> = match confirm_at {
        ConfirmAt::Start => Some(confirm()),
        ConfirmAt::FirstUnit => None,
    };
    let stderr_reader = child.stderr.take().map(|mut stderr| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        })
    });
    let mut errors_by_package: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(stdout) = child.stdout.take() {
        for message in Message::parse_stream(BufReader::new(stdout)) {
            let message = message.context("cannot read `cargo doc`'s output")?;
            let confirmed = confirmed.get_or_insert_with(confirm);
            match message {
                Message::CompilerMessage(compiler)
                    if matches!(compiler.message.level, DiagnosticLevel::Error | DiagnosticLevel::Ice) =>
                {
                    let rendered = compiler.message.rendered.clone().unwrap_or_else(|| compiler.message.message.clone());
                    errors_by_package.entry(package_name(&compiler.package_id.repr)).or_default().push(rendered);
                }
                // The documentation unit of a library: the `check` unit of the same library
                // (a dependency of another target) lists its .rmeta (.so for a proc macro).
                Message::CompilerArtifact(artifact)
                    if artifact.target.is_lib() || artifact.target.is_proc_macro() || artifact.target.is_rlib() =>
                {
                    let is_doc = artifact
                        .filenames
                        .iter()
                        .all(|file| !matches!(file.extension(), Some("rmeta" | "rlib" | "so" | "dylib" | "dll" | "a" | "lib")));
                    let name = package_name(&artifact.package_id.repr);
                    let mut features = artifact.features.clone();
                    features.sort();
                    if is_path_package(&artifact.package_id.repr) {
                        built.by_package.entry(name.clone()).or_default().insert(features.clone());
                        if !is_doc {
                            checked.insert(name.clone());
                        }
                    }
                    built.by_id.entry(artifact.package_id.repr.clone()).or_default().insert(features.clone());
                    if let Some(index) = targets.iter().position(|t| t.package == name)
                        && confirmed.is_ok()
                        && is_doc
                        && !handed_over[index]
                        && errors_by_package.is_empty()
                        && json_path(&targets[index]).is_file()
                    {
                        handed_over[index] = true;
                        on_ready(index, Documented { json: json_path(&targets[index]), features: Some(features), built_packages: checked.clone() });
                    }
                }
                _ => {}
            }
        }
    }
    let status = child.wait().context("cannot wait for `cargo doc`")?;
    let stderr_text = stderr_reader.and_then(|reader| reader.join().ok()).unwrap_or_default();
    confirmed.unwrap_or_else(confirm)?;

    if !status.success() || !errors_by_package.is_empty() {
        if let Some((package, errors)) = errors_by_package.iter().next() {
            let first = errors.first().map(|e| first_error_line(e)).unwrap_or_default();
            bail!(
                "package `{package}` does not compile: {first}\n\n{}",
                errors.join("\n").trim_end()
            );
        }
        if show_progress {
            bail!("`cargo doc` failed for {}: see cargo's output above", package_list(targets));
        }
        let (reason, lines) = cargo_failure(&stderr_text);
        bail!("`cargo doc` failed for {}: {reason}\n\n{lines}", package_list(targets));
    }

    for (index, target) in targets.iter().enumerate().filter(|(index, _)| !handed_over[*index]) {
        let path = json_path(target);
        if !path.is_file() {
            bail!("`cargo doc` succeeded but wrote no {} for package `{}`", path.display(), target.package);
        }
        on_ready(index, Documented { json: path, features: None, built_packages: checked.clone() });
    }
    Ok(built)
}

/// A package's rustdoc JSON, as cargo reported it.
#[derive(Debug, Clone)]
pub struct Documented {
    pub json: PathBuf,
    /// The features it was documented with, as cargo reported them (every feature on,
    /// those other features turn on included), sorted; `None` when cargo did not report it.
    pub features: Option<Vec<String>>,
    /// The path packages whose library the run had compiled (checked) when it reported this
    /// one: every one its documentation read, as cargo builds a package's dependencies first.
    /// An optional dependency that is off is not among them, even when the run documents it
    /// for its own sake (then it has no check build to read the dep-info of).
    pub built_packages: BTreeSet<String>,
}

/// The features each library was built with (documented or checked as a dependency) in one
/// cargo run: what the documentation of a package that depends on it saw of it. Cargo unifies
/// a package's features across one run, so a package normally has one set; a package built
/// for the host too (a build script's dependency) can have two.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LibraryFeatures {
    /// The path packages', by package name.
    by_package: BTreeMap<String, BTreeSet<Vec<String>>>,
    /// Every library's, path packages' and registry crates' alike, by cargo's package id.
    by_id: BTreeMap<String, BTreeSet<Vec<String>>>,
}

impl LibraryFeatures {
    /// Whether the run built `package`'s library at all (an optional dependency that is off
    /// is not built).
    pub fn built(&self, package: &str) -> bool {
        self.by_package.contains_key(package)
    }

    /// The one feature set `package`'s library was built with in the run, if it was built with
    /// exactly one.
    pub fn only_set(&self, package: &str) -> Option<&[String]> {
        let sets = self.by_package.get(package)?;
        match sets.len() {
            1 => sets.first().map(Vec::as_slice),
            _ => None,
        }
    }

    /// Whether this run built every library `other` built, each with the same feature sets.
    /// Cargo decides what a library is built from (which optional dependencies, which cfgs) by
    /// its features, so when this holds for every library of a run that documented one package
    /// alone, this run built that package from the same libraries, built alike, and what it
    /// saw of the package is what that documentation shows.
    pub fn agrees_with(&self, other: &LibraryFeatures) -> bool {
        other.by_id.iter().all(|(id, sets)| self.by_id.get(id) == Some(sets))
    }
}

/// Whether a package id is one of a path package (a workspace member or a path dependency),
/// old (`name 1.0.0 (path+file://...)`) or new (`path+file:///dir#name@1.0.0`) style.
fn is_path_package(package_id: &str) -> bool {
    package_id.starts_with("path+file://") || package_id.contains("(path+file://")
}

/// `--option=value`, one argument.
fn joined(option: &str, value: &std::ffi::OsStr) -> std::ffi::OsString {
    let mut argument = std::ffi::OsString::from(option);
    argument.push("=");
    argument.push(value);
    argument
}

fn cargo_binary() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

fn package_list(targets: &[DocTarget]) -> String {
    targets.iter().map(|t| format!("`{}`", t.package)).collect::<Vec<_>>().join(", ")
}

/// The package name in a package id, old (`name 1.0.0 (path+file://...)`) or new
/// (`path+file:///dir#name@1.0.0`, `path+file:///dir/name#1.0.0`) style.
fn package_name(package_id: &str) -> String {
    if let Some((_, fragment)) = package_id.rsplit_once('#') {
        if let Some((name, _version)) = fragment.split_once('@') {
            return name.to_string();
        }
        let before = &package_id[..package_id.len() - fragment.len() - 1];
        return before.rsplit('/').next().unwrap_or(before).to_string();
    }
    package_id.split_whitespace().next().unwrap_or(package_id).to_string()
}

/// `path:line:col: error[E0412]: message` from a rendered compiler diagnostic.
fn first_error_line(rendered: &str) -> String {
    let mut lines = rendered.lines();
    let headline = lines.next().unwrap_or_default().trim();
    let location = rendered
        .lines()
        .find_map(|line| line.trim_start().strip_prefix("--> "))
        .map(|location| format!("{location}: "))
        .unwrap_or_default();
    format!("{location}{headline}")
}

fn one_line(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !is_progress(line))
        .collect();
    lines.join(" ")
}

/// Cargo's status lines (`Updating crates.io index`, `Downloaded x v1`, `Compiling x`...), which
/// say what it was doing, not what went wrong.
fn is_progress(line: &str) -> bool {
    const STATUS: [&str; 16] = [
        "Updating", "Downloading", "Downloaded", "Compiling", "Checking", "Documenting", "Locking", "Adding",
        "Blocking", "Finished", "Fresh", "Running", "Fetching", "Unpacking", "Packaging", "Generated",
    ];
    let first = line.split_whitespace().next().unwrap_or_default();
    STATUS.contains(&first)
}

/// What went wrong in a failed cargo run, from its stderr: the first `error:` line's message
/// (the reason), and cargo's lines as it printed them, without its progress lines.
fn cargo_failure(stderr: &str) -> (String, String) {
    let lines: Vec<&str> = stderr.lines().filter(|line| !line.trim().is_empty() && !is_progress(line.trim())).collect();
    let first_error = lines.iter().position(|line| line.trim_start().starts_with("error:"));
    let reason = match first_error {
        Some(index) => {
            let message = lines[index].trim_start().trim_start_matches("error:").trim();
            // `... by the following package:` and the package on the next line: one reason.
            match (message.ends_with(':'), lines.get(index + 1)) {
                (true, Some(next)) => format!("{message} {}", next.trim()),
                _ => message.to_string(),
            }
        }
        None => lines.first().map(|line| line.trim().to_string()).unwrap_or_else(|| "cargo printed no error (its exit status says it failed)".to_string()),
    };
    (reason, lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(libraries: &[(&str, &[&[&str]])]) -> LibraryFeatures {
        let by_id = libraries
            .iter()
            .map(|(id, sets)| (id.to_string(), sets.iter().map(|set| set.iter().map(|f| f.to_string()).collect()).collect()))
            .collect();
        LibraryFeatures { by_package: BTreeMap::new(), by_id }
    }

    #[test]
    fn a_run_agrees_with_another_when_it_built_each_of_its_libraries_alike() {
        let member = "path+file:///w/core#0.1.0";
        let registry = "registry+https://github.com/rust-lang/crates.io-index#once_cell@1.21.3";
        let context = built(&[(member, &[&["default", "std"]]), (registry, &[&["std"]])]);
        // A dependent's run builds more (itself, its own dependencies) and that alike.
        let dependent = built(&[(member, &[&["default", "std"]]), (registry, &[&["std"]]), ("path+file:///w/app#0.1.0", &[&[]])]);
        assert!(dependent.agrees_with(&context));
        // A registry crate with more features, built for the host too, or not built.
        let wider = built(&[(member, &[&["default", "std"]]), (registry, &[&["alloc", "std"]])]);
        assert!(!wider.agrees_with(&context));
        let twice = built(&[(member, &[&["default", "std"]]), (registry, &[&["std"], &[]])]);
        assert!(!twice.agrees_with(&context));
        let without = built(&[(member, &[&["default", "std"]])]);
        assert!(!without.agrees_with(&context));
    }

    #[test]
    fn package_names_come_out_of_every_package_id_style() {
        assert_eq!(package_name("core-utils 1.2.0 (path+file:///w/packages/core-utils)"), "core-utils");
        assert_eq!(package_name("path+file:///w/packages/core-utils#1.2.0"), "core-utils");
        assert_eq!(package_name("path+file:///w/packages/utils#core-utils@1.2.0"), "core-utils");
    }

    #[test]
    fn a_cargo_failure_gives_the_reason_first_and_its_lines_without_progress() {
        let stderr = "    Updating crates.io index\n Downloading crates ...\n  Downloaded globset v0.4.16\n  Downloaded regex v1.11.1\n\
error: rustc 1.70.0 is not supported by the following package:\n  globset@0.4.16 requires rustc 1.80\n\
Either upgrade rustc or select compatible dependency versions with\n";
        let (reason, lines) = cargo_failure(stderr);
        assert_eq!(reason, "rustc 1.70.0 is not supported by the following package: globset@0.4.16 requires rustc 1.80");
        assert_eq!(
            lines,
            "error: rustc 1.70.0 is not supported by the following package:\n  globset@0.4.16 requires rustc 1.80\n\
Either upgrade rustc or select compatible dependency versions with"
        );
        assert!(!lines.contains("Downloaded"));
    }

    #[test]
    fn the_first_error_line_says_where_and_what() {
        let rendered = "error[E0412]: cannot find type `Nope` in this scope\n --> src/lib.rs:3:17\n  |\n";
        assert_eq!(first_error_line(rendered), "src/lib.rs:3:17: error[E0412]: cannot find type `Nope` in this scope");
    }
}
