//! The `apicheck` command line: parses arguments, calls the library, renders reports.
//! Exit codes: 0 done (and, for gates, passed), 2 anything went wrong.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use apicheck::config::Config;
use apicheck::gate::{self, BaselineScope, Selection};
use apicheck::gate::release;
use apicheck::{ApiFile, Bump, CompareOptions, ListingOptions, Workspace, report};
use clap::{Parser, Subcommand, ValueEnum};

const EXIT_ERROR: u8 = 2;

#[derive(Parser)]
#[command(
    name = "apicheck",
    version,
    about = "Public-API and semver gate for Rust workspaces",
    long_about = "Public-API and semver gate for Rust workspaces.\n\n\
        apicheck generates rustdoc JSON for library packages, builds a model of their public API \
        (every item at every public path), diffs it against a baseline down to parameter, return \
        and field types and bounds, runs cargo-semver-checks' lints on the same pair, and says \
        which semver bump the changes require.\n\n\
        In a monorepo, `check` is the gate a PR check and a release script run: for every governed \
        package it compares the API with the stored baseline of its last release and requires a \
        matching version bump and changelog entry. `release` writes the version bumps, requirements \
        and changelog sections a release needs; `baseline` records baselines at release time; \
        `init` adopts apicheck in a workspace.\n\n\
        For pull requests, `check --base REF` checks only the packages whose API can have changed, \
        `affected` lists the packages whose tests to run, and `deps` checks the dependency rules \
        between packages.\n\n\
        Exit codes: 0 success; 1 `check` or `deps` found a violation; 2 something could not be \
        checked (apicheck never reports success then).",
    after_help = "Examples:\n  \
        apicheck init                                 adopt apicheck: configuration + baselines\n  \
        apicheck check                                the PR check: every governed package\n  \
        apicheck check --base origin/main --format github\n  \
        apicheck affected --base origin/main --format cargo-args\n  \
        apicheck check -p core-utils --format markdown --output summary.md\n  \
        apicheck diff core-utils                      what changed since the last release\n  \
        apicheck release --dry-run                    the versions and changelog sections a release needs\n  \
        apicheck baseline                             release script: record the released packages\n  \
        apicheck api core-utils                       list the public API of a package\n  \
        apicheck diff --baseline old.json --current new.json\n  \
        apicheck rules                                every rule and lint id, with its bump\n  \
        apicheck explain function_parameter_type_changed"
)]
struct Cli {
    /// When to use colours: `auto` follows the terminal and NO_COLOR / CLICOLOR_FORCE.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check every governed package against its baseline and the release policy
    #[command(long_about = "Check every governed package against its baseline and the release policy.\n\n\
        For each package: generate rustdoc JSON (all packages in one cargo run), diff the API with \
        the stored baseline of its last release, then enforce the policy. A package whose inputs \
        (its files, Cargo.lock entries, the members it depends on, toolchain, flags, features) did \
        not change since an earlier run is not documented again: its API and findings come from \
        the cache in <target-dir>/apicheck/cache. The policy: the version in \
        Cargo.toml must declare at least the bump the changes require (Cargo's rules, 0.x \
        included), a changed version needs a section in the package's changelog, and a breaking \
        release must say so there. Acknowledged breaks (in the configuration) do not count. A \
        package without a baseline is reported as new; a package that is gone while its baseline \
        remains fails. A public dependency (a crate whose items appear in the API) that moved to a \
        new major version is a breaking change of the package. The dependency rules of `apicheck \
        deps` apply too, and the governance rules that are switched on (`apicheck rules` lists \
        them): the surface, exposure and hygiene rules, no environment reads in packages \
        (`env-read`), and, with --base, a decision record for a change of the dependency, \
        exposure or release rules in the configuration (`adr-required`).\n\n\
        Exit codes: 0 every package passes (or is new); 1 at least one violates the policy, or a \
        dependency rule is broken; 2 something could not be checked.")]
    Check(CheckArgs),
    /// Record the current API of packages as the baselines of their current versions
    #[command(long_about = "Record the current API of packages as the baselines of their current versions.\n\n\
        The release script's step, run when a version is released: writes baselines/<package>/ \
        (model.json, api.txt, rustdoc.json.gz) with the version, the release tag (from the `tag` \
        pattern) and the current commit. Without -p or --all, records the packages being \
        released: those without a baseline and those whose version differs from their \
        baseline's. Writes are atomic.")]
    Baseline(BaselineArgs),
    /// Release packages: bump versions and requirements, write changelog sections from the findings
    #[command(long_about = "Release packages: bump versions and requirements, write changelog sections from the findings.\n\n\
        For each governed package with public API changes since its baseline (or each named with -p), \
        computes the bump `check` requires (the same diff, cache included; --bump raises it, never \
        lowers it) and writes the smallest version after the baseline's that declares it, under \
        Cargo's rules: 0.4.14 with a breaking change becomes 0.5.0, with a compatible addition \
        0.4.15. A package whose public API exposes a package released with a breaking change (its \
        types in signatures, re-exported) gets a breaking release too, repeatedly. Every \
        workspace requirement on a released package follows it (path dependencies with a version, \
        [workspace.dependencies], Cargo.lock). Each released package gets a Keep a Changelog section \
        in its changelog: one line per finding under Removed / Changed / Added, breaking ones marked \
        **BREAKING**, merged with what is under `## [Unreleased]` (kept, moved under the new version, \
        a fresh empty `## [Unreleased]` left above).\n\n\
        Manifests are edited in place: comments, layout and every byte outside the changed values \
        stay. Every edit is computed and checked against the release policy first, then each file \
        is written atomically; anything that cannot be done is exit 2 with nothing written. A work \
        tree with uncommitted changes is refused unless --allow-dirty. --dry-run prints the plan \
        and a diff of every file instead, and writes nothing.\n\n\
        Then: `apicheck check` (it passes), `apicheck baseline`, commit, and create the tags it \
        prints.")]
    Release(ReleaseArgs),
    /// Adopt apicheck: detect the tag pattern and changelog layout, record each package's last release
    #[command(long_about = "Adopt apicheck in an existing workspace.\n\n\
        Appends [workspace.metadata.apicheck] to the workspace's Cargo.toml, with what the \
        repository already does: the tag pattern its release tags follow ({name}-{version}, \
        {name}-v{version}, or v{version} for a single package; the default {name}-v{version} \
        without tags; tags in several patterns or in none of them stop init, and --tag-pattern \
        chooses), its changelog layout (one per package; one at the root whose headings name the \
        packages, changelog-location = \"root\"; one at the root for the repository's own releases, \
        or none: the changelog rules are off), and the dependency rule violations it already has, \
        as known exceptions to fill in. Then records the baseline of every governed package (the \
        members under packages/, or every publishable library when there are none) from its last \
        release tag, the highest version tagged, documented in a temporary git worktree; from the \
        work tree for a package without a tag. Finally it compares the work tree with those \
        baselines and lists the packages whose API changed since their last release: `check` \
        fails on them until they are released (version bump and changelog section). Refuses to \
        run twice.")]
    Init(InitArgs),
    /// Check the dependency rules between workspace packages
    #[command(long_about = "Check the dependency rules between workspace packages.\n\n\
        Built in (the packages architecture): the graph of workspace packages, with normal, build \
        and dev edges, has no cycle (a cycle through a dev-dependency, which cargo allows, is what \
        `dev-cycles` says: \"deny\" by default, \"warn\" or \"allow\"); packages under packages/ \
        depend neither on backend/interfaces, nor on frontend, nor on any workspace crate that is \
        not a package. A cycle is printed with every member in order, back to the first, each \
        dev or build edge marked at its target (`a → b (dev) → a`). Configured in \
        [workspace.metadata.apicheck.deps]: forbidden edges, allow-lists, required edges and \
        layers, by path globs, names or tags; `{NAME}` in a rule's `from` captures part of a \
        path, which its `to` then names as the same (`{NAME}`) or a different (`{!NAME}`) \
        value; `kinds` limits a rule to normal, build, dev or optional dependencies. Each \
        violation names both packages and the Cargo.toml line of the dependency, with its fix. \
        Known exceptions ([[workspace.metadata.apicheck.deps.known]]) are reported as accepted, \
        and one that no longer occurs as stale (a violation with `stale-known = \"fail\"`). \
        `check` runs the same rules.\n\n\
        --format mermaid or dot draws the package graph, grouped by layer (when `layers` is \
        set), else by tag, else by directory, the edges that break a rule in red.\n\n\
        Exit codes: 0 no violation; 1 violations; 2 error.")]
    Deps(DepsArgs),
    /// List the packages a change affects: changed packages and their dependents
    #[command(long_about = "List the packages a change affects.\n\n\
        The packages whose files changed between the merge base of --base and the head (and, \
        with --uncommitted, in the work tree), plus every workspace package that depends on them, \
        directly or not, through any kind of dependency: what CI should test. A change to \
        Cargo.lock, the workspace Cargo.toml, the toolchain file or .cargo/config affects every \
        package. A reference git cannot resolve (a shallow clone, a missing tag) is an error \
        (exit 2), never \"nothing affected\".")]
    Affected(AffectedArgs),
    /// Work with check reports: merge the reports of sharded checks
    Report(ReportArgs),
    /// Show each package's public surface: item counts, hidden items, other crates' types, rules
    #[command(long_about = "Show each package's public surface (the governance document's §13).\n\n\
        For each package named (default: every governed package): how many public items its API \
        has, by kind (each at its canonical path; hidden ones left out); its #[doc(hidden)] \
        public items, with file:line; the paths of other crates its API shows (std, core and \
        alloc aside), by item; its glob re-exports; and the verdicts of the surface rules of \
        [workspace.metadata.apicheck.surface] (`glob-reexport`: no `pub use m::*` in the public \
        API; `internal-module`: no public module named like an internal one), each with its fix. \
        `check` applies the same rules.\n\n\
        Exit codes: 0 the rules hold; 1 a rule is broken; 2 error.")]
    Surface(SurfaceArgs),
    /// Print the public API of a package or of a rustdoc JSON file, one item per line
    #[command(long_about = "Print the public API of a package or of a rustdoc JSON file.\n\n\
        The listing has one item per line, sorted by path, fully qualified and Rust-like; it is \
        identical across runs and rustdoc formats for the same code, so it can be committed and \
        reviewed. Items reachable at several paths are listed at each; their fields, methods and \
        impls under the shortest path. Blanket impls are hidden unless --blanket-impls is given.\n\n\
        With --format json, prints the API model instead: the file `apicheck diff` accepts as \
        --baseline or --current.")]
    Api(ApiArgs),
    /// Show what changed in packages since their baselines, or between two API files
    #[command(long_about = "Show what changed in packages since their baselines, or between two API files.\n\n\
        With package names (or none: every governed package), compares each package's current API \
        with its stored baseline. With --baseline and --current, compares two files instead: \
        each side is a rustdoc JSON file (formats 57, 60, 61) or a model saved by \
        `apicheck api --format json`. Findings come from apicheck's model diff (removed, added and \
        changed items, down to parameter, return and field types and bounds) and, when both sides \
        are rustdoc JSON of the same format, from cargo-semver-checks' lints; a break both find is \
        shown once. Each finding carries the bump it requires under Cargo's SemVer rules; the \
        required bump is the highest of them (for 0.x versions, a major bump moves the minor \
        position: 0.4.1 -> 0.5.0).")]
    Diff(DiffArgs),
    /// List every finding id apicheck can emit: its own rules and the cargo-semver-checks lints it runs
    #[command(long_about = "List every finding id apicheck can emit: its own rules and the cargo-semver-checks lints it runs.\n\n\
        One line per id: the bump a finding of it requires (\"minor or major\" when it depends on \
        the item, for example a field added to a struct that could or could not be built with a \
        literal), its default level (deny findings set the required bump, warn findings are \
        advice), and what it catches. These are the ids findings carry and the ids the \
        configuration may name: [workspace.metadata.apicheck.lints] levels and the `finding` of \
        an acknowledgement; any other id there is an error.\n\n\
        Then the governance rules: what `check`, `deps` and `surface` enforce beyond SemVer \
        (`version-bump`, `no-cycles`, `glob-reexport`, `hygiene-license`, `env-read`, \
        `adr-required`...), each with the configuration table that switches it. Their \
        violations fail the check; they have no bump or level, so lint levels and \
        acknowledgements cannot name them.\n\n\
        With --format json: every field, including the reference link (the Cargo book's SemVer \
        chapter for apicheck's rules), the fixture pair that shows a rule, and the lints that \
        report the same break as a rule (found by both, a break is reported once).")]
    Rules(RulesArgs),
    /// Explain one rule or lint: what it catches, the bump it requires, its reference, an example
    #[command(long_about = "Explain one rule or lint: what it catches, the bump it requires, its reference, an example.\n\n\
        ID is a finding id as `apicheck rules` lists it and reports show it \
        (`function_parameter_type_changed`, `enum_variant_missing`). For apicheck's own rules, \
        the example is the rule's fixture pair from apicheck's test suite: the old and the new \
        source of a small crate, as a diff, that makes apicheck report the rule. ID may also be a \
        governance rule (`env-read`, `adr-required`): its summary, the table that configures it \
        and the test that shows it. An unknown ID is an error (exit 2) that suggests the closest \
        known one.")]
    Explain(ExplainArgs),
}

#[derive(clap::Args)]
struct RulesArgs {
    /// `human`: one line per id; `json`: every field of every id
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
}

#[derive(clap::Args)]
struct ExplainArgs {
    /// The rule or lint id (`apicheck rules` lists them)
    #[arg(value_name = "ID")]
    id: String,
}

#[derive(clap::Args)]
struct SurfaceArgs {
    #[command(flatten)]
    workspace: WorkspaceArgs,

    /// Packages to show [default: every governed package]
    #[arg(value_name = "PKG")]
    packages: Vec<String>,

    /// `human`: a block per package; `json`: an array of the packages' surfaces
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
}

#[derive(clap::Args)]
struct ApiArgs {
    /// A workspace package name, or the path of a rustdoc JSON file or saved model (*.json)
    #[arg(value_name = "PACKAGE|FILE")]
    target: String,

    /// `text`: the listing; `json`: the API model
    #[arg(long, value_enum, default_value_t = ApiFormat::Text)]
    format: ApiFormat,

    /// The workspace's Cargo.toml [default: the workspace around the current directory]
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,

    /// Where cargo writes rustdoc JSON and apicheck keeps its cache [default: the workspace's target directory]
    #[arg(long, value_name = "DIR")]
    target_dir: Option<PathBuf>,

    /// The feature surface to list: `default` (default features), `all-features` (every feature but
    /// those excluded by name), `no-default-features` (see [workspace.metadata.apicheck.feature-surfaces])
    #[arg(long, value_name = "NAME", default_value = "default")]
    surface: String,

    /// Also list blanket impls (`impl<T> From<T> for T`...)
    #[arg(long)]
    blanket_impls: bool,

    /// Leave out the auto trait impls (Send, Sync, Unpin, UnwindSafe, RefUnwindSafe)
    #[arg(long)]
    hide_auto_traits: bool,
}

#[derive(clap::Args)]
struct WorkspaceArgs {
    /// The workspace's Cargo.toml [default: the workspace around the current directory]
    #[arg(long, value_name = "PATH", global = true)]
    manifest_path: Option<PathBuf>,

    /// Where cargo writes rustdoc JSON and apicheck keeps its cache [default: the workspace's target directory]
    #[arg(long, value_name = "DIR", global = true)]
    target_dir: Option<PathBuf>,
}

impl WorkspaceArgs {
    fn load(&self) -> Result<(Workspace, Config)> {
        let workspace = Workspace::load(self.manifest_path.as_deref())?;
        let config = Config::load(&workspace)?;
        Ok((workspace, config))
    }
}

#[derive(clap::Args)]
struct CheckArgs {
    #[command(flatten)]
    workspace: WorkspaceArgs,

    /// Check only this package (repeatable) [default: every governed package]
    #[arg(short = 'p', long = "package", value_name = "PKG")]
    packages: Vec<String>,

    /// The report format
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    format: CheckFormat,

    /// Write the report to FILE instead of stdout
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Check only the packages whose API can have changed since the merge base of REF and the
    /// head: the changed ones, and those whose public API exposes a changed package's items; and
    /// that a change of the dependency, exposure or release rules comes with a decision record
    #[arg(long, value_name = "REF")]
    base: Option<String>,

    /// The head to compare with --base [default: HEAD]
    #[arg(long, value_name = "REF", requires = "base")]
    head: Option<String>,

    /// With --base, count uncommitted and untracked files as changed too (and the work tree's
    /// configuration as the head's)
    #[arg(long, requires = "base")]
    uncommitted: bool,

    /// Check only shard K of N (1 ≤ K ≤ N) of the packages, for a CI matrix: the split is
    /// deterministic and balanced by source size; merge the shards' JSON reports with
    /// `apicheck report merge`
    #[arg(long, value_name = "K/N")]
    shard: Option<gate::Shard>,
}

#[derive(clap::Args)]
struct ReportArgs {
    #[command(subcommand)]
    command: ReportCommand,
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Merge the JSON reports of `check --shard` runs into one verdict and one report
    #[command(long_about = "Merge the JSON reports of `check --shard K/N` runs into one verdict and one report.\n\n\
        Every shard of the split must be given exactly once (a missing shard is an error: its \
        check may have crashed), and no package may appear twice. The merged verdict fails when \
        any shard's does; the exit code is that of a single check: 0 pass, 1 a violation, 2 a \
        package could not be checked (or the reports do not fit together).")]
    Merge(MergeArgs),
}

#[derive(clap::Args)]
struct MergeArgs {
    /// The shards' reports (`check --shard K/N --format json --output FILE`)
    #[arg(value_name = "REPORT.json", required = true)]
    reports: Vec<PathBuf>,

    /// The report format
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    format: CheckFormat,

    /// Write the report to FILE instead of stdout
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(clap::Args)]
struct DepsArgs {
    #[command(flatten)]
    workspace: WorkspaceArgs,

    /// `human`: one line per violation with its fix; `json`: the violations as a JSON array;
    /// `mermaid` or `dot`: the package graph (grouped by layer, else by tag, else by directory),
    /// the edges that break a rule in red
    #[arg(long, value_enum, default_value_t = DepsFormat::Human)]
    format: DepsFormat,
}

#[derive(clap::Args)]
struct AffectedArgs {
    #[command(flatten)]
    workspace: WorkspaceArgs,

    /// Compare with the merge base of this reference (a branch, tag or commit)
    #[arg(long, value_name = "REF")]
    base: String,

    /// The head [default: HEAD]
    #[arg(long, value_name = "REF")]
    head: Option<String>,

    /// Count uncommitted and untracked files as changed too
    #[arg(long)]
    uncommitted: bool,

    /// `lines`: one package per line; `json`: changed, dependents and the refs; `cargo-args`:
    /// `-p a -p b`, for `cargo test $(apicheck affected ...)`
    #[arg(long, value_enum, default_value_t = AffectedFormat::Lines)]
    format: AffectedFormat,
}

#[derive(clap::Args)]
struct BaselineArgs {
    #[command(flatten)]
    workspace: WorkspaceArgs,

    /// Record this package (repeatable)
    #[arg(short = 'p', long = "package", value_name = "PKG", conflicts_with = "all")]
    packages: Vec<String>,

    /// Record every governed package
    #[arg(long)]
    all: bool,
}

#[derive(clap::Args)]
struct ReleaseArgs {
    #[command(flatten)]
    workspace: WorkspaceArgs,

    /// Release this package (repeatable), even without API changes (then a patch release)
    /// [default: every governed package with API changes since its baseline]
    #[arg(short = 'p', long = "package", value_name = "PKG")]
    packages: Vec<String>,

    /// Release at least this bump (Cargo's sense: on 0.x, `major` is 0.4.14 -> 0.5.0, `minor`
    /// and `patch` 0.4.14 -> 0.4.15); it never lowers the bump the changes require
    #[arg(long, value_enum, value_name = "BUMP")]
    bump: Option<BumpArg>,

    /// Print the plan and a diff of every file it would write; write nothing
    #[arg(long)]
    dry_run: bool,

    /// Release even when the work tree has uncommitted changes
    #[arg(long)]
    allow_dirty: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum BumpArg {
    Major,
    Minor,
    Patch,
}

#[derive(clap::Args)]
struct InitArgs {
    #[command(flatten)]
    workspace: WorkspaceArgs,

    /// The release tag pattern ({name} and {version} are replaced), instead of detecting it from
    /// the repository's tags
    #[arg(long, value_name = "PATTERN")]
    tag_pattern: Option<String>,
}

#[derive(clap::Args)]
struct DiffArgs {
    /// Packages to compare with their baselines [default: every governed package]
    #[arg(value_name = "PKG", conflicts_with_all = ["baseline", "current"])]
    packages: Vec<String>,

    #[command(flatten)]
    workspace: WorkspaceArgs,

    /// The older API: a rustdoc JSON file or a saved model (with --current)
    #[arg(long, value_name = "FILE", requires = "current")]
    baseline: Option<PathBuf>,

    /// The newer API: a rustdoc JSON file or a saved model (with --baseline)
    #[arg(long, value_name = "FILE", requires = "baseline")]
    current: Option<PathBuf>,

    /// `human`: grouped, coloured findings; `json`: the findings as JSON
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,

    /// Skip cargo-semver-checks' lints (the model diff still runs)
    #[arg(long)]
    no_lints: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum ApiFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    /// A verdict per package, findings with file:line, broken rules with their fix
    Human,
    /// The documented report schema (README.md)
    Json,
    /// A table and folded details, for a PR comment or job summary
    Markdown,
    /// GitHub Actions annotations (and the Markdown report in the job summary)
    Github,
    /// SARIF 2.1.0 for code-scanning upload
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum AffectedFormat {
    Lines,
    Json,
    CargoArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum DepsFormat {
    Human,
    Json,
    Mermaid,
    Dot,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.color {
        ColorWhen::Auto => {}
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
    }
    // A panic is a bug, but it must still fail closed with the error exit code.
    let outcome = std::panic::catch_unwind(|| run(cli.command));
    match outcome {
        Ok(Ok(code)) => code,
        Ok(Err(error)) => {
            let _ = writeln!(anstream::stderr(), "{}error:{} {error:#}", anstyle::AnsiColor::Red.on_default().bold(), anstyle::Reset);
            ExitCode::from(EXIT_ERROR)
        }
        Err(_) => {
            let _ = writeln!(anstream::stderr(), "error: apicheck hit an internal error (a bug: please report it with the message above)");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The most `report merge` reads of one report: a real one is kilobytes; a larger file is
/// not a report, and must not fill the memory (`/dev/zero`).
const MAX_REPORT_BYTES: u64 = 64 * 1024 * 1024;

fn read_report_text(path: &Path) -> Result<String> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot read the report {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_REPORT_BYTES + 1).read_to_end(&mut bytes).with_context(|| format!("cannot read the report {}", path.display()))?;
    if bytes.len() as u64 > MAX_REPORT_BYTES {
        anyhow::bail!("{} is larger than {} MiB: it is not a report of `apicheck check --format json`", path.display(), MAX_REPORT_BYTES / (1024 * 1024));
    }
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{} is not UTF-8 text: it is not a report of `apicheck check --format json`", path.display()))
}

/// A parser's message with its control characters escaped, so that a bad input is one `error:`
/// line even when serde quotes a key or variant with a newline in it (the library does the same
/// for the files it parses).
fn escape_controls(text: &str) -> String {
    text.chars().flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] }).collect()
}

fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Check(args) => check(args),
        Command::Baseline(args) => baseline(args),
        Command::Release(args) => release(args),
        Command::Init(args) => init(args),
        Command::Deps(args) => deps(args),
        Command::Affected(args) => affected(args),
        Command::Report(args) => report_command(args),
        Command::Api(args) => api(args),
        Command::Surface(args) => surface(args),
        Command::Diff(args) => diff(args),
        Command::Rules(args) => rules(args),
        Command::Explain(args) => explain(args),
    }
}

fn rules(args: RulesArgs) -> Result<ExitCode> {
    let entries = apicheck::catalog::entries()?;
    let mut out = anstream::stdout().lock();
    match args.format {
        DiffFormat::Human => report::write_rules_human(&mut out, &entries)?,
        DiffFormat::Json => report::write_rules_json(&mut out, &entries)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(args: ExplainArgs) -> Result<ExitCode> {
    let entry = apicheck::catalog::find(&args.id)?;
    let example = apicheck::catalog::example(&args.id);
    report::write_explain(&mut anstream::stdout().lock(), &entry, example)?;
    Ok(ExitCode::SUCCESS)
}

fn check(args: CheckArgs) -> Result<ExitCode> {
    // The check most often runs again on the same workspace: it starts from what cargo said of
    // it last time, and is done again if cargo says otherwise now.
    let workspace = Workspace::load_remembered(args.workspace.manifest_path.as_deref(), args.workspace.target_dir.as_deref())?;
    let selection = Selection {
        packages: args.packages,
        target_dir: args.workspace.target_dir.clone(),
        base: args.base,
        head: args.head,
        uncommitted: args.uncommitted,
        shard: args.shard,
    };
    let result = workspace.confirmed_run(|workspace| gate::check(workspace, &Config::load(workspace)?, &selection))?;
    write_check_report(&result, args.format, args.output.as_deref())
}

fn report_command(args: ReportArgs) -> Result<ExitCode> {
    match args.command {
        ReportCommand::Merge(args) => {
            let reports = args
                .reports
                .iter()
                .map(|path| {
                    let text = read_report_text(path)?;
                    let report: gate::CheckReport = serde_json::from_str(&text).map_err(|error| {
                        anyhow::anyhow!(
                            "{} is not a JSON report of `apicheck check --format json`: {}",
                            path.display(),
                            escape_controls(&error.to_string())
                        )
                    })?;
                    Ok((path.clone(), report))
                })
                .collect::<Result<Vec<_>>>()?;
            let merged = gate::merge_reports(reports)?;
            write_check_report(&merged, args.format, args.output.as_deref())
        }
    }
}

/// Renders a check report in `format` to `output` or stdout; the exit code is the report's.
fn write_check_report(result: &gate::CheckReport, format: CheckFormat, output: Option<&Path>) -> Result<ExitCode> {
    if let (CheckFormat::Github, Ok(summary)) = (format, std::env::var("GITHUB_STEP_SUMMARY")) {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&summary)
            .with_context(|| format!("cannot append the job summary to {summary} ($GITHUB_STEP_SUMMARY)"))?;
        report::write_check_markdown(&mut file, result)?;
    }
    let render = |out: &mut dyn Write| match format {
        CheckFormat::Human => report::write_check_human(out, result),
        CheckFormat::Json => report::write_check_json(out, result),
        CheckFormat::Markdown => report::write_check_markdown(out, result),
        CheckFormat::Github => report::write_check_github(out, result),
        CheckFormat::Sarif => report::write_check_sarif(out, result),
    };
    match output {
        Some(path) => {
            let mut buffer = Vec::new();
            render(&mut buffer)?;
            // Styles are for terminals; a report file gets plain text.
            let plain = anstream::adapter::strip_bytes(&buffer).into_vec();
            std::fs::write(path, plain).with_context(|| format!("cannot write the report to {}", path.display()))?;
        }
        None => render(&mut anstream::stdout().lock())?,
    }
    // Whatever the format and wherever the report goes, each package that could not be checked
    // is also one line on stderr: the reason a CI job failed is in its log.
    for package in &result.packages {
        if let Some(error) = &package.error {
            let first_line = error.lines().next().unwrap_or_default();
            writeln!(anstream::stderr(), "error: {}: {first_line}", package.name)?;
        }
    }
    Ok(ExitCode::from(result.exit_code()))
}

fn baseline(args: BaselineArgs) -> Result<ExitCode> {
    let (workspace, config) = args.workspace.load()?;
    let scope = match (args.all, args.packages.is_empty()) {
        (true, _) => BaselineScope::All,
        (false, false) => BaselineScope::Named,
        (false, true) => BaselineScope::Released,
    };
    let selection = Selection { packages: args.packages, target_dir: args.workspace.target_dir.clone(), ..Selection::default() };
    let recorded = gate::record_baselines(&workspace, &config, &selection, scope)?;
    print_recorded(&recorded, &workspace)?;
    if recorded.is_empty() {
        println!("every governed package's baseline is at its current version: nothing to record (use --all or -p to re-record)");
    }
    Ok(ExitCode::SUCCESS)
}

fn release(args: ReleaseArgs) -> Result<ExitCode> {
    let (workspace, config) = args.workspace.load()?;
    // Changelog dates follow SOURCE_DATE_EPOCH when set (reproducible output), else today (UTC).
    let now = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(epoch) => epoch.trim().parse::<i64>().with_context(|| format!("SOURCE_DATE_EPOCH=`{epoch}` is not a number of seconds"))?,
        Err(_) => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default(),
    };
    let options = release::Options {
        packages: args.packages,
        bump: args.bump.map(|bump| match bump {
            BumpArg::Major => Bump::Major,
            BumpArg::Minor => Bump::Minor,
            BumpArg::Patch => Bump::Patch,
        }),
        // A dry run writes nothing, so uncommitted work is no reason to refuse it.
        allow_dirty: args.allow_dirty || args.dry_run,
        target_dir: args.workspace.target_dir.clone(),
        date: release::date_of(now),
    };
    let plan = release::plan(&workspace, &config, &options)?;
    let mut out = anstream::stdout().lock();
    let relative = |path: &Path| path.strip_prefix(&workspace.root).unwrap_or(path).display().to_string();
    for note in &plan.notes {
        writeln!(out, "note: {note}")?;
    }
    if plan.releases.is_empty() {
        writeln!(out, "nothing to release: no governed package has public API changes since its baseline (name one with -p to release it anyway)")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{}:", if args.dry_run { "release plan (dry run)" } else { "release" })?;
    let width = plan.releases.iter().map(|r| r.package.len()).max().unwrap_or(0);
    for r in &plan.releases {
        let already = if r.version == r.current_version && r.version != r.baseline_version { " (already set in Cargo.toml)" } else { "" };
        writeln!(out, "  {:<width$}  {}{already}", r.package, apicheck::describe_release(&r.baseline_version, &r.version))?;
        for reason in &r.reasons {
            writeln!(out, "  {:<width$}    {reason}", "")?;
        }
    }
    if args.dry_run {
        for edit in &plan.edits {
            writeln!(out)?;
            out.write_all(report::styled_diff(&edit.unified_diff(&workspace.root)).as_bytes())?;
        }
        writeln!(out, "\ndry run: {} file(s) would be written, none was", plan.edits.len())?;
        return Ok(ExitCode::SUCCESS);
    }
    release::write(&plan)?;
    for edit in &plan.edits {
        writeln!(out, "  wrote {}", relative(&edit.path))?;
    }
    let tags: Vec<&str> = plan.releases.iter().map(|r| r.tag.as_str()).collect();
    writeln!(out, "tags to create after the release commit: {}", tags.join(" "))?;
    writeln!(out, "next steps:")?;
    writeln!(out, "  apicheck check                 the gate passes with the new versions")?;
    writeln!(out, "  apicheck baseline              record the released APIs")?;
    let names: Vec<String> = plan.releases.iter().map(|r| format!("{} {}", r.package, r.version)).collect();
    writeln!(out, "  git add -A && git commit -m \"Release {}\"", names.join(", "))?;
    for tag in &tags {
        writeln!(out, "  git tag {tag}")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn init(args: InitArgs) -> Result<ExitCode> {
    let workspace = Workspace::load(args.workspace.manifest_path.as_deref())?;
    let options = apicheck::gate::adopt::InitOptions { target_dir: args.workspace.target_dir.clone(), tag_pattern: args.tag_pattern };
    let adoption = apicheck::gate::adopt::init(&workspace, &options)?;
    let workspace = &adoption.workspace;
    let mut out = anstream::stdout().lock();
    writeln!(out, "wrote [workspace.metadata.apicheck] to {}", workspace.manifest_path.display())?;
    writeln!(out, "  tag pattern: {} ({})", adoption.tag.pattern, adoption.tag.reason)?;
    writeln!(out, "  changelog: {}", adoption.changelog.describe())?;
    if !adoption.known.is_empty() {
        writeln!(
            out,
            "recorded {} existing dependency rule violation(s) as known exceptions ([[workspace.metadata.apicheck.deps.known]]); fill in their reasons:",
            adoption.known.len()
        )?;
        for violation in &adoption.known {
            writeln!(out, "  {}: {}", violation.rule, violation.message)?;
        }
    }
    if !adoption.surface_skipped.is_empty() {
        writeln!(
            out,
            "the surface rules skip the packages that already break them ([workspace.metadata.apicheck.surface] `glob-reexports-skip`, \
             `internal-modules-skip`); fix them, then take them out:"
        )?;
        for (package, violation) in &adoption.surface_skipped {
            writeln!(out, "  {package}: {}: {}", violation.rule, violation.message)?;
        }
    }
    for (r, source) in &adoption.recorded {
        let commit = r.commit.as_deref().map(|c| format!(", commit {}", &c[..c.len().min(12)])).unwrap_or_default();
        let from = match source {
            apicheck::gate::adopt::BaselineSource::Tag(tag) => format!("from its last release tag {tag}"),
            apicheck::gate::adopt::BaselineSource::WorkTree(None) => "from the work tree (no release tag)".to_string(),
            apicheck::gate::adopt::BaselineSource::WorkTree(Some(why)) => format!("from the work tree, as its release could not be documented: {why}"),
        };
        writeln!(out, "recorded baseline {} {} {from}{commit}", r.package, r.version)?;
        for note in &r.notes {
            writeln!(out, "  note: {note}")?;
        }
    }
    for (package, error) in &adoption.not_compared {
        writeln!(out, "could not compare {package} with its baseline: {error}")?;
    }
    if adoption.changed.is_empty() {
        writeln!(out, "no governed package's API changed since its last release")?;
    } else {
        writeln!(out, "API changes since the last release ({} package(s)); `apicheck check` fails on them until they are released:", adoption.changed.len())?;
        for changed in &adoption.changed {
            writeln!(
                out,
                "  {} {} (baseline {}): {} finding(s), requires {}; `apicheck diff {}` shows them, `apicheck release -p {}` makes the release",
                changed.package,
                changed.current_version,
                changed.baseline_version,
                changed.findings,
                changed.required_bump.phrase(&changed.baseline_version),
                changed.package,
                changed.package
            )?;
        }
    }
    writeln!(out, "commit the configuration and baselines/; `apicheck check` now gates every change")?;
    Ok(ExitCode::SUCCESS)
}

fn deps(args: DepsArgs) -> Result<ExitCode> {
    let (workspace, config) = args.workspace.load()?;
    let verdict = apicheck::deps::verdict(&workspace, &config.deps)?;
    let violations = &verdict.violations;
    let mut out = anstream::stdout().lock();
    match args.format {
        DepsFormat::Json => {
            serde_json::to_writer_pretty(&mut out, violations)?;
            writeln!(out)?;
        }
        DepsFormat::Mermaid => apicheck::report::write_deps_mermaid(&mut out, &apicheck::deps::graph(&workspace, &config.deps, violations)?)?,
        DepsFormat::Dot => apicheck::report::write_deps_dot(&mut out, &apicheck::deps::graph(&workspace, &config.deps, violations)?)?,
        DepsFormat::Human => {
            for v in violations {
                let place = v.line.map(|line| format!("{}:{line}", v.file)).unwrap_or_else(|| v.file.clone());
                writeln!(out, "{place}: {}: {}", v.rule, v.message)?;
                writeln!(out, "  fix: {}", v.fix)?;
            }
            for (v, reason) in &verdict.accepted {
                let place = v.line.map(|line| format!("{}:{line}", v.file)).unwrap_or_else(|| v.file.clone());
                writeln!(out, "{place}: {}: {} (known, accepted: {reason})", v.rule, v.message)?;
            }
            for v in &verdict.warnings {
                let place = v.line.map(|line| format!("{}:{line}", v.file)).unwrap_or_else(|| v.file.clone());
                writeln!(out, "{place}: warning: {}: {} (dev-cycles = \"warn\")", v.rule, v.message)?;
            }
            for stale in &verdict.stale {
                writeln!(out, "stale known exception {}: it no longer occurs; remove it", stale.describe())?;
            }
            let members = workspace.members.len();
            match violations.len() {
                0 => writeln!(out, "apicheck: the dependencies of {members} workspace package(s) follow every rule")?,
                n => writeln!(out, "apicheck: {n} dependency rule violation(s)")?,
            }
        }
    }
    Ok(if violations.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn affected(args: AffectedArgs) -> Result<ExitCode> {
    let workspace = Workspace::load(args.workspace.manifest_path.as_deref())?;
    let affected = apicheck::affected::affected(&workspace, &args.base, args.head.as_deref(), args.uncommitted)?;
    let mut out = anstream::stdout().lock();
    match args.format {
        AffectedFormat::Lines => {
            for package in affected.packages() {
                writeln!(out, "{package}")?;
            }
        }
        AffectedFormat::CargoArgs => {
            let args: Vec<String> = affected.packages().iter().map(|p| format!("-p {p}")).collect();
            if !args.is_empty() {
                writeln!(out, "{}", args.join(" "))?;
            }
        }
        AffectedFormat::Json => {
            #[derive(serde::Serialize)]
            struct Json<'a> {
                #[serde(flatten)]
                affected: &'a apicheck::affected::Affected,
                packages: std::collections::BTreeSet<String>,
            }
            serde_json::to_writer_pretty(&mut out, &Json { packages: affected.packages(), affected: &affected })?;
            writeln!(out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_recorded(recorded: &[gate::Recorded], workspace: &Workspace) -> Result<()> {
    let mut out = anstream::stdout().lock();
    for r in recorded {
        let commit = r.commit.as_deref().map(|c| format!(", commit {}", &c[..c.len().min(12)])).unwrap_or_default();
        let dir = r.dir.strip_prefix(&workspace.root).unwrap_or(&r.dir);
        writeln!(out, "recorded baseline {} {} (tag {}{commit}) in {}", r.package, r.version, r.tag, dir.display())?;
        for note in &r.notes {
            writeln!(out, "  note: {note}")?;
        }
    }
    Ok(())
}

fn surface(args: SurfaceArgs) -> Result<ExitCode> {
    let (workspace, config) = args.workspace.load()?;
    let packages: Vec<&apicheck::Package> = if args.packages.is_empty() {
        config.governed(&workspace)?
    } else {
        args.packages.iter().map(|name| workspace.package(name)).collect::<Result<_>>()?
    };
    let target_dir = args.workspace.target_dir.clone().unwrap_or_else(|| workspace.target_dir.clone());
    let inputs = apicheck::cache::input_keys(&workspace, &packages, &config.features, &apicheck::cache::TreeDigests::default())?;
    let current = gate::current_apis(&workspace, &config, &packages, &target_dir, &inputs, &|_, _| ())?;
    let mut summaries = Vec::new();
    for (package, (api, (), _)) in packages.iter().zip(current.apis) {
        summaries.push(apicheck::surface::summary(&config.surface, &config.deps, &workspace, package, api.model()?)?);
    }
    let mut out = anstream::stdout().lock();
    match args.format {
        DiffFormat::Human => report::write_surface_human(&mut out, &summaries)?,
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &summaries)?;
            writeln!(out)?;
        }
    }
    Ok(if summaries.iter().all(|s| s.violations.is_empty()) { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn api(args: ApiArgs) -> Result<ExitCode> {
    let looks_like_file = args.target.ends_with(".json") || Path::new(&args.target).is_file();
    if looks_like_file && args.surface != "default" {
        bail!("--surface {} needs a package name: an API file holds one surface already", args.surface);
    }
    let model = if looks_like_file {
        ApiFile::read(Path::new(&args.target))?.model()
    } else {
        let workspace = Workspace::load(args.manifest_path.as_deref())?;
        let config = Config::load(&workspace)?;
        let package = workspace.package(&args.target)?;
        let target_dir = args.target_dir.clone().unwrap_or_else(|| workspace.target_dir.clone());
        let surface = apicheck::feature_surfaces::Surface::named(&args.surface)?;
        gate::surfaces::surface_api(&workspace, &config, package, surface, &target_dir)?.into_model()?
    };
    let mut out = anstream::stdout().lock();
    match args.format {
        ApiFormat::Text => {
            let options = ListingOptions { blanket_impls: args.blanket_impls, hide_auto_traits: args.hide_auto_traits };
            out.write_all(model.listing(options).as_bytes())?;
        }
        ApiFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &model)?;
            writeln!(out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn diff(args: DiffArgs) -> Result<ExitCode> {
    let (Some(baseline), Some(current)) = (&args.baseline, &args.current) else {
        return diff_packages(args);
    };
    let (baseline, current) = rayon::join(|| ApiFile::read(baseline), || ApiFile::read(current));
    let (baseline, current) = (baseline?, current?);
    let result = apicheck::compare(&baseline, &current, CompareOptions { lints: !args.no_lints })?;
    let mut out = anstream::stdout().lock();
    match args.format {
        DiffFormat::Human => report::write_diff_human(&mut out, &result)?,
        DiffFormat::Json => report::write_diff_json(&mut out, &result)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `diff [PKG]...`: each package against its baseline.
fn diff_packages(args: DiffArgs) -> Result<ExitCode> {
    let (workspace, config) = args.workspace.load()?;
    let selection = Selection { packages: args.packages, target_dir: args.workspace.target_dir.clone(), ..Selection::default() };
    let analyses = gate::analyse(&workspace, &config, &selection, !args.no_lints)?;
    let mut out = anstream::stdout().lock();
    let mut diffs = Vec::new();
    let mut failed = false;
    for analysis in &analyses {
        let name = &analysis.package.name;
        match (&analysis.error, &analysis.diff, &analysis.baseline) {
            (Some(error), _, _) => {
                writeln!(anstream::stderr(), "error: {name}: {error}")?;
                failed = true;
            }
            (None, Some(diff), Some(_)) => diffs.push(gate::configured_findings(&config, diff)),
            _ => {
                if matches!(args.format, DiffFormat::Human) {
                    writeln!(out, "{name} {}: no baseline yet (new package)\n", analysis.package.version)?;
                }
            }
        }
    }
    match args.format {
        DiffFormat::Human => {
            for (index, diff) in diffs.iter().enumerate() {
                if index > 0 {
                    writeln!(out)?;
                }
                report::write_diff_human(&mut out, diff)?;
            }
        }
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &diffs)?;
            writeln!(out)?;
        }
    }
    Ok(if failed { ExitCode::from(EXIT_ERROR) } else { ExitCode::SUCCESS })
}
