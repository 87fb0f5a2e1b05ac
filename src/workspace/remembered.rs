//! The workspace as an earlier `check` read it. `cargo metadata` and `rustc -vV` are about 40 ms
//! of apicheck's own 100 or so on a change to one package of tokio-rs/tracing: a check can plan
//! on what they printed last time, recorded in the target directory, and run them again once
//! `cargo doc` is at work (run at the start, on two cores, they would slow the keys down as much
//! as they save). [`Workspace::confirm`] runs them and compares what they print with the record,
//! byte for byte; it is asked before anything a run did is kept: by `cargo::generate_rustdoc`
//! before it hands a package's JSON over (the cache entries are written from it), and by
//! [`Workspace::confirmed_run`] before a result or an error goes back to the user. When the
//! record is not what cargo reads now, the run is done again on what cargo printed.

use std::sync::OnceLock;

use super::*;

/// Where the record is, under a target directory.
const RECORD: &str = "apicheck/workspace.json";
/// The format of the record; one of another format is not read.
const RECORD_SCHEMA: u32 = 1;

/// What `cargo metadata` and `rustc -vV` printed for one invocation.
#[derive(Serialize, Deserialize)]
struct Record {
    schema: u32,
    invocation: Invocation,
    toolchain: String,
    metadata: String,
}

/// What decides which workspace cargo reads: the current directory and `--manifest-path`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Invocation {
    current_dir: PathBuf,
    manifest_path: Option<PathBuf>,
}

impl Invocation {
    fn now(manifest_path: Option<&Path>) -> Result<Invocation> {
        let current_dir = std::env::current_dir().context("cannot read the current directory")?;
        let manifest_path = manifest_path.map(|path| current_dir.join(path));
        Ok(Invocation { current_dir, manifest_path })
    }

    /// The records this invocation may have left, most likely first: in `target_dir`, else in
    /// `$CARGO_TARGET_DIR`, else in `target/` of the manifest's directory or of any directory
    /// above it (the workspace root is one of them). Only a guess: a record is used only once
    /// cargo says the same again.
    fn record_candidates(&self, target_dir: Option<&Path>) -> Vec<PathBuf> {
        if let Some(dir) = target_dir.map(Path::to_path_buf).or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from)) {
            return vec![self.current_dir.join(dir).join(RECORD)];
        }
        let start = match &self.manifest_path {
            Some(manifest) => manifest.parent().map(Path::to_path_buf).unwrap_or_else(|| self.current_dir.clone()),
            None => self.current_dir.clone(),
        };
        start.ancestors().map(|dir| dir.join("target").join(RECORD)).collect()
    }
}

/// The check that a workspace read from a record is the one cargo reads now.
pub(super) struct Confirmation {
    /// What the record held: `cargo metadata`'s output and `rustc -vV`'s.
    recorded: (Vec<u8>, String),
    /// `--manifest-path`, for the probe.
    manifest_path: Option<PathBuf>,
    /// What the comparison found: nothing (the same) or the workspace as it is now.
    outcome: OnceLock<std::result::Result<Option<Workspace>, String>>,
    invocation: Invocation,
    /// Where a new record goes when the workspace changed.
    record_path: PathBuf,
}

impl std::fmt::Debug for Confirmation {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Confirmation").field("record_path", &self.record_path).finish_non_exhaustive()
    }
}

impl Confirmation {
    fn settle(&self) -> std::result::Result<Option<Workspace>, String> {
        let (metadata, toolchain) = probe(self.manifest_path.as_deref());
        let metadata = metadata.map_err(|error| format!("{error:#}"))?;
        if metadata == self.recorded.0 && toolchain.as_deref() == Ok(self.recorded.1.as_str()) {
            return Ok(None);
        }
        let workspace = Workspace::from_probe(&metadata, toolchain.clone()).map_err(|error| format!("{error:#}"))?;
        if let Ok(toolchain) = &toolchain {
            write_record(&self.record_path, &self.invocation, toolchain, &metadata);
        }
        Ok(Some(workspace))
    }
}

impl Workspace {
    /// Reads the workspace like [`Workspace::load`], but, when an earlier run of the same
    /// invocation left a record (see the module's documentation), from that record, which
    /// [`Workspace::confirm`] checks. Whatever is done with it must go through
    /// [`Workspace::confirmed_run`]. `target_dir`: `--target-dir`, where the
    /// record is kept.
    pub fn load_remembered(manifest_path: Option<&Path>, target_dir: Option<&Path>) -> Result<Workspace> {
        let invocation = Invocation::now(manifest_path)?;
        for candidate in invocation.record_candidates(target_dir) {
            let Some(record) = read_record(&candidate) else { continue };
            if record.invocation != invocation {
                continue;
            }
            let Ok(mut workspace) = Workspace::from_probe(record.metadata.as_bytes(), Ok(record.toolchain.clone())) else { continue };
            workspace.confirmation = Some(Arc::new(Confirmation {
                recorded: (record.metadata.into_bytes(), record.toolchain),
                manifest_path: manifest_path.map(Path::to_path_buf),
                outcome: OnceLock::new(),
                invocation,
                record_path: candidate,
            }));
            return Ok(workspace);
        }
        let (metadata, toolchain) = probe(manifest_path);
        let metadata = metadata?;
        let workspace = Workspace::from_probe(&metadata, toolchain.clone())?;
        if let Ok(toolchain) = &toolchain {
            let dir = target_dir.map(|dir| invocation.current_dir.join(dir)).unwrap_or_else(|| workspace.target_dir.clone());
            write_record(&dir.join(RECORD), &invocation, toolchain, &metadata);
        }
        Ok(workspace)
    }

    /// Whether this workspace is what cargo reads now: `None` when it is (or was not read from
    /// a record), the workspace as it is now when not; an error when `cargo metadata` failed.
    /// Runs `cargo metadata` and `rustc -vV` the first time; every call gives the same answer.
    pub fn confirm(&self) -> Result<Option<Workspace>> {
        let Some(confirmation) = &self.confirmation else { return Ok(None) };
        confirmation.outcome.get_or_init(|| confirmation.settle()).clone().map_err(|error| anyhow::anyhow!(error))
    }

    /// `run` on this workspace, returned once the workspace is confirmed (see
    /// [`Workspace::confirm`]); done again on the workspace as it is now when it is not.
    pub fn confirmed_run<T>(&self, run: impl Fn(&Workspace) -> Result<T>) -> Result<T> {
        let outcome = run(self);
        match self.confirm()? {
            None => outcome,
            Some(current) => run(&current),
        }
    }
}

fn read_record(path: &Path) -> Option<Record> {
    let bytes = std::fs::read(path).ok()?;
    let record: Record = serde_json::from_slice(&bytes).ok()?;
    (record.schema == RECORD_SCHEMA).then_some(record)
}

/// Writes a record, replacing the file in one step. A record that cannot be written costs the
/// next run its head start only, so a failure is not reported.
fn write_record(path: &Path, invocation: &Invocation, toolchain: &str, metadata: &[u8]) {
    let Ok(metadata) = std::str::from_utf8(metadata) else { return };
    let record = Record { schema: RECORD_SCHEMA, invocation: invocation.clone(), toolchain: toolchain.to_string(), metadata: metadata.to_string() };
    let (Some(dir), Ok(bytes)) = (path.parent(), serde_json::to_vec(&record)) else { return };
    let _ = std::fs::create_dir_all(dir).and_then(|()| {
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut file, &bytes)?;
        file.persist(path).map_err(|error| error.error)?;
        Ok(())
    });
}
