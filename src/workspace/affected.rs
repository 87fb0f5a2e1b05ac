//! Which packages a change affects: those whose files changed since the merge base of a
//! reference, and the workspace packages that depend on them, directly or not.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::workspace::git::Repo;
use crate::workspace::Workspace;

/// Files whose change affects every package: the workspace manifest, the lockfile, the
/// toolchain and cargo's configuration.
const WORKSPACE_FILES: [&str; 6] = ["Cargo.toml", "Cargo.lock", "rust-toolchain", "rust-toolchain.toml", ".cargo/config.toml", ".cargo/config"];

/// The packages a change affects.
#[derive(Debug, Clone, Serialize)]
pub struct Affected {
    pub base: String,
    pub merge_base: String,
    pub head: String,
    /// Whether uncommitted changes were included.
    pub uncommitted: bool,
    /// Packages with changed files.
    pub changed: BTreeSet<String>,
    /// Packages that depend on a changed one, directly or not.
    pub dependents: BTreeSet<String>,
    /// Set when a workspace-wide file changed, which affects every package.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub everything_because: Option<String>,
    /// The changed files (with `uncommitted`, those of the work tree too), absolute.
    #[serde(skip)]
    pub files: Vec<PathBuf>,
}

impl Affected {
    /// Changed packages and their dependents, sorted.
    pub fn packages(&self) -> BTreeSet<String> {
        self.changed.union(&self.dependents).cloned().collect()
    }
}

/// The packages affected between the merge base of `base` and `head` (default `HEAD`), with
/// uncommitted changes too when asked. A reference git cannot resolve is an error with a hint,
/// never "nothing affected".
pub fn affected(workspace: &Workspace, base: &str, head: Option<&str>, uncommitted: bool) -> Result<Affected> {
    let repo = Repo::discover(&workspace.root)
        .with_context(|| format!("{} is not in a git repository: `--base` needs one", workspace.root.display()))?;
    let head = head.unwrap_or("HEAD");
    let base_commit = repo.resolve(base)?;
    let head_commit = repo.resolve(head)?;
    let merge_base = repo.merge_base(&base_commit, &head_commit)?;
    let mut files = repo.changed_files(&merge_base, &head_commit)?;
    if uncommitted {
        files.extend(repo.uncommitted_files()?);
    }
    let files: Vec<PathBuf> = files.into_iter().map(|f| repo.root.join(f)).collect();

    let mut changed = BTreeSet::new();
    let mut everything_because = None;
    for file in &files {
        if let Ok(relative) = file.strip_prefix(&workspace.root)
            && WORKSPACE_FILES.iter().any(|w| Path::new(w) == relative)
        {
            everything_because = Some(format!("{} changed", relative.display()));
            break;
        }
        if let Some(member) = owner(workspace, file) {
            changed.insert(member);
        }
    }
    if everything_because.is_some() {
        changed = workspace.members.iter().map(|m| m.name.clone()).collect();
    }
    let dependents = workspace.dependents(&changed);
    Ok(Affected {
        base: base.to_string(),
        merge_base,
        head: head_commit,
        uncommitted,
        changed,
        dependents,
        everything_because,
        files,
    })
}

/// The member whose directory holds `file` (the innermost, for nested packages).
fn owner(workspace: &Workspace, file: &Path) -> Option<String> {
    workspace
        .members
        .iter()
        .filter(|m| file.starts_with(&m.dir))
        .max_by_key(|m| m.dir.components().count())
        .map(|m| m.name.clone())
}
