//! The one module that runs git: the repository around the workspace, commits, tags, and
//! temporary worktrees of old releases.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// A git repository.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The top of the work tree.
    pub root: PathBuf,
}

impl Repo {
    /// The repository `dir` is in, or `None` when it is in none (or git is missing).
    pub fn discover(dir: &Path) -> Option<Repo> {
        let output = Command::new("git").arg("-C").arg(dir).args(["rev-parse", "--show-toplevel"]).output().ok()?;
        if !output.status.success() {
            return None;
        }
        let root = String::from_utf8(output.stdout).ok()?.trim().to_string();
        Some(Repo { root: PathBuf::from(root) })
    }

    fn git(&self, args: &[&str]) -> Result<String> {
        let output = Command::new("git")
            .arg("-C")
            .arg(&self.root)
            .args(args)
            .output()
            .with_context(|| format!("cannot run `git {}`: is git installed?", args.join(" ")))?;
        if !output.status.success() {
            bail!(
                "`git {}` failed in {}: {}",
                args.join(" "),
                self.root.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    }

    /// The commit HEAD points at; `None` in a repository without commits yet.
    pub fn head(&self) -> Result<Option<String>> {
        let unborn = self.git(&["rev-parse", "--verify", "--quiet", "HEAD"]).is_err()
            && self.git(&["symbolic-ref", "--quiet", "HEAD"]).is_ok();
        if unborn {
            return Ok(None);
        }
        self.git(&["rev-parse", "HEAD"]).map(Some)
    }

    /// The commit `rev` (a tag, a branch, a hash) names, or an error with a hint for shallow
    /// clones.
    pub fn resolve(&self, rev: &str) -> Result<String> {
        // `--end-of-options`: a rev is never an option, even a tag that begins with `-`.
        self.git(&["rev-parse", "--verify", "--quiet", "--end-of-options", &format!("{rev}^{{commit}}")]).map_err(|_| {
            anyhow::anyhow!(
                "git cannot resolve `{}` in {}: fetch the tags and history (in GitHub Actions, \
                 `actions/checkout` with `fetch-depth: 0`)",
                crate::input::one_line_error(&rev),
                self.root.display()
            )
        })
    }

    /// The best common ancestor of two commits.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<String> {
        self.git(&["merge-base", "--end-of-options", a, b]).map_err(|error| {
            anyhow::anyhow!("{error:#}: `{a}` and `{b}` share no history here (a shallow clone? fetch with `fetch-depth: 0`)")
        })
    }

    /// The files that differ between two commits, relative to the repository root (renames
    /// count as a deletion and an addition).
    pub fn changed_files(&self, from: &str, to: &str) -> Result<Vec<PathBuf>> {
        Ok(lines(&self.git(&["diff", "--name-only", "--no-renames", "--end-of-options", from, to, "--"])?))
    }

    /// Files changed in the work tree or index against HEAD, and untracked files that are not
    /// ignored.
    pub fn uncommitted_files(&self) -> Result<Vec<PathBuf>> {
        let mut files = lines(&self.git(&["diff", "--name-only", "--no-renames", "HEAD"])?);
        files.extend(lines(&self.git(&["ls-files", "--others", "--exclude-standard"])?));
        Ok(files)
    }

    /// The text of the file at `path` in `commit` (a hash [`Repo::resolve`] gave), `path` being
    /// a path in the work tree.
    pub fn file_at(&self, commit: &str, path: &Path) -> Result<String> {
        // `commit` is a hash, so the argument never reads as an option.
        self.git(&["cat-file", "blob", &format!("{commit}:{}", self.relative(path)?)])
    }

    /// The text of the file at `path` in `commit`, as [`Repo::file_at`], or `None` when the
    /// commit has no such file.
    pub fn file_at_if_exists(&self, commit: &str, path: &Path) -> Result<Option<String>> {
        let object = format!("{commit}:{}", self.relative(path)?);
        if self.git(&["cat-file", "-e", &object]).is_err() {
            return Ok(None);
        }
        self.git(&["cat-file", "blob", &object]).map(Some)
    }

    /// `path`, a path in the work tree, relative to the repository's root with `/` separators.
    fn relative(&self, path: &Path) -> Result<String> {
        let root = self.root.canonicalize().unwrap_or_else(|_| self.root.clone());
        let absolute = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let relative = absolute
            .strip_prefix(&root)
            .with_context(|| format!("{} is not in the git repository {}", path.display(), self.root.display()))?;
        Ok(relative.to_str().with_context(|| format!("{} is not UTF-8", relative.display()))?.replace('\\', "/"))
    }

    /// Every tag of the repository, sorted by name (for `init`'s tag pattern detection).
    pub fn tags(&self) -> Result<Vec<String>> {
        Ok(self.git(&["tag", "--list"])?.lines().filter(|l| !l.is_empty()).map(str::to_string).collect())
    }

    /// A detached worktree of `commit` in a temporary directory, removed when dropped.
    pub fn worktree(&self, commit: &str) -> Result<Worktree> {
        let dir = tempfile::Builder::new().prefix("apicheck-worktree-").tempdir().context("cannot create a temporary directory")?;
        let path = dir.path().join("tree");
        self.git(&["worktree", "add", "--detach", "--quiet", "--", path.to_str().context("temporary path is not UTF-8")?, commit])?;
        Ok(Worktree { repo: self.clone(), path, _dir: dir })
    }
}

fn lines(output: &str) -> Vec<PathBuf> {
    output.lines().filter(|l| !l.is_empty()).map(PathBuf::from).collect()
}

/// A temporary worktree; removed from git's list and from disk on drop.
pub struct Worktree {
    repo: Repo,
    pub path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Worktree {
    fn drop(&mut self) {
        if let Some(path) = self.path.to_str() {
            let _ = self.repo.git(&["worktree", "remove", "--force", "--", path]);
        }
    }
}
