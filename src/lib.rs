//! apicheck: the public-API and semver gate for Rust monorepos.
//!
//! The crate is built in layers, each a folder of modules; a layer uses only the layers below
//! it (`tests/layers.rs` fails on an import that breaks this):
//!
//! 1. `input`: bounded reads of input files and one-line parser messages;
//! 2. `engine`: rustdoc JSON and saved models ([`rustdoc`]), the API model ([`model`]), the
//!    model diff ([`diff`]), cargo-semver-checks' lints ([`lints`]), the [`manifest`]'s
//!    features and dependencies and their diff, findings, the required
//!    [`Bump`], the rule [`catalog`], and [`compare`] for a pair of API files. It reads the
//!    files it is given and never runs cargo or git;
//! 3. `workspace`: the Cargo [`Workspace`], the only module that runs cargo, the only one that
//!    runs git, dep-info, and the packages a change [`affected`];
//! 4. `store`: the stored [`baseline`]s and the [`cache`];
//! 5. `policy`: the [`config`]uration, the release rules ([`versioning`]: declared bump,
//!    [`changelog`] entry, acknowledgements) and the dependency rules ([`deps`]);
//! 6. [`gate`]: per governed package, the whole run (check, baseline, init, shards);
//! 7. [`report`]: the renderings of a result (human, JSON, Markdown, GitHub, SARIF).
//!
//! The command line (`src/main.rs`) is a thin layer over this facade.
//!
//! A failure anywhere is an `Err`, never an empty list of findings.

#![forbid(unsafe_code)]

mod engine;
mod input;
mod policy;
mod store;
mod workspace;

pub mod gate;
pub mod report;

pub use engine::{
    ApiDiff, ApiFile, ApiItem, ApiModel, Bump, Change, CompareOptions, describe_release, Finding, Level,
    ListingOptions, Source, catalog, compare, compare_models, diff, env_reads, lints, manifest, model, rustdoc,
};
pub use policy::{changelog, config, decisions, deps, environment, exposure, feature_surfaces, hygiene, surface, versioning};
pub use store::{baseline, cache};
pub use workspace::{DepKind, Dependency, Lockfile, Package, Workspace, affected};
