//! The `apicheck` command line: parses arguments, calls the library, renders reports.
//! Exit codes: 0 done (and, for gates, passed), 2 anything went wrong.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use apicheck::{ApiFile, CompareOptions, ListingOptions, Workspace, report, rustdoc};
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
        Exit codes: 0 success; 2 error (apicheck never reports success when something could not \
        be checked).",
    after_help = "Examples:\n  \
        apicheck api core-utils                      list the public API of a workspace package\n  \
        apicheck api target/doc/core_utils.json      list the API in a rustdoc JSON file\n  \
        apicheck diff --baseline old.json --current new.json"
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
    /// Print the public API of a package or of a rustdoc JSON file, one item per line
    #[command(long_about = "Print the public API of a package or of a rustdoc JSON file.\n\n\
        The listing has one item per line, sorted by path, fully qualified and Rust-like; it is \
        identical across runs and rustdoc formats for the same code, so it can be committed and \
        reviewed. Items reachable at several paths are listed at each; their fields, methods and \
        impls under the shortest path. Blanket impls are hidden unless --blanket-impls is given.\n\n\
        With --format json, prints the API model instead: the file `apicheck diff` accepts as \
        --baseline or --current.")]
    Api(ApiArgs),
    /// Show what changed between two versions of an API, and the bump that requires
    #[command(long_about = "Show what changed between two versions of an API, and the bump that requires.\n\n\
        Each side is a rustdoc JSON file (formats 57, 60, 61) or a model saved by \
        `apicheck api --format json`. Findings come from apicheck's model diff (removed, added and \
        changed items, down to parameter, return and field types and bounds) and, when both sides \
        are rustdoc JSON of the same format, from cargo-semver-checks' lints; a break both find is \
        shown once. Each finding carries the bump it requires under Cargo's SemVer rules; the \
        required bump is the highest of them (for 0.x versions, a major bump moves the minor \
        position: 0.4.1 -> 0.5.0).")]
    Diff(DiffArgs),
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

    /// Where cargo writes rustdoc JSON [default: the workspace's target directory]
    #[arg(long, value_name = "DIR")]
    target_dir: Option<PathBuf>,

    /// Also list blanket impls (`impl<T> From<T> for T`...)
    #[arg(long)]
    blanket_impls: bool,

    /// Leave out the auto trait impls (Send, Sync, Unpin, UnwindSafe, RefUnwindSafe)
    #[arg(long)]
    hide_auto_traits: bool,
}

#[derive(clap::Args)]
struct DiffArgs {
    /// The older API: a rustdoc JSON file or a saved model
    #[arg(long, value_name = "FILE")]
    baseline: PathBuf,

    /// The newer API: a rustdoc JSON file or a saved model
    #[arg(long, value_name = "FILE")]
    current: PathBuf,

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
enum DiffFormat {
    Human,
    Json,
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

fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Api(args) => api(args),
        Command::Diff(args) => diff(args),
    }
}

fn api(args: ApiArgs) -> Result<ExitCode> {
    let looks_like_file = args.target.ends_with(".json") || Path::new(&args.target).is_file();
    let model = if looks_like_file {
        ApiFile::read(Path::new(&args.target))?.model()
    } else {
        let workspace = Workspace::load(args.manifest_path.as_deref())?;
        let package = workspace.package(&args.target)?;
        let json = workspace.rustdoc(&[package], args.target_dir.as_deref())?;
        let path = json.first().context("cargo doc returned no rustdoc JSON")?;
        apicheck::ApiModel::from_rustdoc(&rustdoc::read_rustdoc(path)?.krate)
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
    let (baseline, current) = rayon::join(|| ApiFile::read(&args.baseline), || ApiFile::read(&args.current));
    let (baseline, current) = (baseline?, current?);
    let result = apicheck::compare(&baseline, &current, CompareOptions { lints: !args.no_lints })?;
    let mut out = anstream::stdout().lock();
    match args.format {
        DiffFormat::Human => report::write_diff_human(&mut out, &result)?,
        DiffFormat::Json => report::write_diff_json(&mut out, &result)?,
    }
    Ok(ExitCode::SUCCESS)
}
