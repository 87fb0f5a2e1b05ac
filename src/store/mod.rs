//! The store layer: what apicheck keeps on disk between runs. [`baseline`] holds each package's
//! last released API under `baselines/<package>/`; [`cache`] holds the current APIs and
//! findings of unchanged inputs under `<target-dir>/apicheck/cache/`. Below the policy and the
//! gate, above the engine and the workspace.

pub mod baseline;
pub mod cache;
