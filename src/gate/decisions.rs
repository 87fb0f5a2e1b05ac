//! `adr-required` for `check --base`: the configuration at the merge base and at the head (the
//! head commit's, or with `--uncommitted` the work tree's, as the changed files are counted),
//! each parsed, compared by [`decisions::changed_sections`]; a change without a new or changed
//! file in `adr-dir` in the same range is a workspace-level violation.

use anyhow::{Context, Result};

use crate::policy::config::Config;
use crate::policy::decisions;
use crate::policy::versioning::Violation;
use crate::workspace::Workspace;
use crate::workspace::affected::Affected;
use crate::workspace::git::Repo;

/// The decision-record violation of the change `change` describes, if it has one. The rule
/// applies when the configuration at the base or at the head switches it on, so the change that
/// switches it off needs its record too. A base without `[workspace.metadata.apicheck]` is the
/// adoption of apicheck, which has nothing to compare.
pub(crate) fn check(workspace: &Workspace, change: &Affected) -> Result<Option<Violation>> {
    let repo = Repo::discover(&workspace.root).with_context(|| format!("{} is not in a git repository: `--base` needs one", workspace.root.display()))?;
    let short = &change.merge_base[..change.merge_base.len().min(12)];
    let manifest = workspace.manifest_path.strip_prefix(&workspace.root).unwrap_or(&workspace.manifest_path).to_string_lossy().replace('\\', "/");
    let Some(base_text) = repo.file_at_if_exists(&change.merge_base, &workspace.manifest_path)? else { return Ok(None) };
    let Some(base) = Config::from_manifest_text(&base_text).with_context(|| format!("cannot read {manifest} at the merge base {short} of `{}`", change.base))? else {
        return Ok(None);
    };
    let head_text = if change.uncommitted {
        crate::input::read_text(&workspace.manifest_path, "workspace manifest")?
    } else {
        repo.file_at(&change.head, &workspace.manifest_path)?
    };
    let head = Config::from_manifest_text(&head_text).with_context(|| format!("cannot read {manifest} at the head"))?.unwrap_or_default();
    if !base.rules.adr_required && !head.rules.adr_required {
        return Ok(None);
    }
    let sections = decisions::changed_sections(&base, &head);
    if sections.is_empty() {
        return Ok(None);
    }
    let records = workspace.root.join(&head.adr_dir);
    // A record deleted in the range records nothing.
    if change.files.iter().any(|file| file.starts_with(&records) && file.is_file()) {
        return Ok(None);
    }
    let adr_dir = head.adr_dir.to_string_lossy().replace('\\', "/");
    Ok(Some(decisions::violation(&sections, &change.base, &change.merge_base, adr_dir.trim_end_matches('/'), &manifest, &head_text)))
}
