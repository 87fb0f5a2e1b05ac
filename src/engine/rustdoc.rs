//! Reading rustdoc JSON and saved models from disk, with the format checks that keep a foreign
//! or unsupported file from ever being misread.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use serde::Deserialize;

use crate::engine::model::{ApiModel, MODEL_SCHEMA};

/// The rustdoc JSON format versions apicheck reads: those cargo-semver-checks 0.51 reads.
pub const SUPPORTED_FORMATS: [u32; 3] = [57, 60, 61];

/// A parsed rustdoc JSON file.
pub struct RustdocJson {
    pub path: PathBuf,
    pub krate: rustdoc_types::Crate,
}

impl RustdocJson {
    pub fn format_version(&self) -> u32 {
        self.krate.format_version
    }
}

/// What an API file holds: rustdoc JSON, which the lints can also run on, or a saved model.
pub enum ApiFile {
    Rustdoc(RustdocJson),
    Model { path: PathBuf, model: ApiModel },
}

impl ApiFile {
    /// Reads `path`, telling rustdoc JSON and saved models apart by their contents.
    pub fn read(path: &Path) -> Result<ApiFile> {
        let text = read_text(path)?;
        match probe(path, &text)? {
            Probe::Model(schema) => {
                if schema != MODEL_SCHEMA {
                    bail!(
                        "{} is an apicheck model of schema {schema}, but this apicheck reads schema \
                         {MODEL_SCHEMA}; regenerate it with this version (`apicheck api --format json`)",
                        path.display()
                    );
                }
                let model = serde_json::from_str(&text).map_err(|error| {
                    anyhow::anyhow!("{} is not a valid apicheck model: {}", path.display(), crate::input::one_line_error(&error))
                })?;
                Ok(ApiFile::Model { path: path.to_path_buf(), model })
            }
            Probe::Rustdoc(format) => Ok(ApiFile::Rustdoc(parse_rustdoc(path, &text, format)?)),
        }
    }

    /// The API model, built from the rustdoc JSON if that is what the file holds.
    pub fn model(&self) -> ApiModel {
        match self {
            ApiFile::Rustdoc(json) => ApiModel::from_rustdoc(&json.krate),
            ApiFile::Model { model, .. } => model.clone(),
        }
    }

    pub fn path(&self) -> &Path {
        match self {
            ApiFile::Rustdoc(json) => &json.path,
            ApiFile::Model { path, .. } => path,
        }
    }
}

/// Reads and parses a rustdoc JSON file, refusing unsupported format versions.
pub fn read_rustdoc(path: &Path) -> Result<RustdocJson> {
    rustdoc_from_text(path, &read_text(path)?)
}

/// Parses `text`, read from `path`, as [`read_rustdoc`] does.
pub fn rustdoc_from_text(path: &Path, text: &str) -> Result<RustdocJson> {
    // The usual case first, in one pass: rustdoc JSON of a supported format. The probe, a
    // second pass, only words the error.
    if let Ok(krate) = serde_json::from_str::<rustdoc_types::Crate>(text)
        && SUPPORTED_FORMATS.contains(&krate.format_version)
    {
        return Ok(RustdocJson { path: path.to_path_buf(), krate });
    }
    match probe(path, text)? {
        Probe::Rustdoc(format) => parse_rustdoc(path, text, format),
        Probe::Model(_) => bail!("{} is an apicheck model, not rustdoc JSON", path.display()),
    }
}

fn read_text(path: &Path) -> Result<String> {
    crate::input::read_text(path, "rustdoc JSON or apicheck model")
}

enum Probe {
    Rustdoc(u32),
    Model(u32),
}

/// Looks at the top-level keys only, so that the error for a wrong file is about what it is,
/// not about the first field a full parse trips over.
fn probe(path: &Path, text: &str) -> Result<Probe> {
    #[derive(Deserialize)]
    struct Keys {
        format_version: Option<u32>,
        apicheck_model: Option<u32>,
    }
    let keys: Keys = serde_json::from_str(text).map_err(|error| {
        if error.is_syntax() || error.is_eof() {
            anyhow::anyhow!("{} is not JSON: {}", path.display(), crate::input::one_line_error(&error))
        } else {
            anyhow::anyhow!("{} is JSON but not rustdoc JSON: {}", path.display(), crate::input::one_line_error(&error))
        }
    })?;
    match (keys.apicheck_model, keys.format_version) {
        (Some(schema), _) => Ok(Probe::Model(schema)),
        (None, Some(format)) => Ok(Probe::Rustdoc(format)),
        (None, None) => bail!(
            "{} is JSON but neither rustdoc JSON (no `format_version` key) nor an apicheck model \
             (no `apicheck_model` key)",
            path.display()
        ),
    }
}

/// Parses rustdoc JSON already read from `path` (or decompressed from it), refusing
/// unsupported format versions.
pub fn parse_rustdoc_text(path: &Path, text: &str) -> Result<RustdocJson> {
    match probe(path, text)? {
        Probe::Rustdoc(format) => parse_rustdoc(path, text, format),
        Probe::Model(_) => bail!("{} is an apicheck model, not rustdoc JSON", path.display()),
    }
}

fn parse_rustdoc(path: &Path, text: &str, format: u32) -> Result<RustdocJson> {
    if !SUPPORTED_FORMATS.contains(&format) {
        bail!(
            "{} is rustdoc JSON format {format}, which apicheck does not read; supported formats \
             are {}. Generate it with a toolchain that emits one of them (Rust 1.95 stable emits 57)",
            path.display(),
            SUPPORTED_FORMATS.map(|f| f.to_string()).join(", ")
        );
    }
    let krate: rustdoc_types::Crate = serde_json::from_str(text).map_err(|error| {
        anyhow::anyhow!(
            "{} claims rustdoc JSON format {format} but does not parse as it: {}",
            path.display(),
            crate::input::one_line_error(&error)
        )
    })?;
    Ok(RustdocJson { path: path.to_path_buf(), krate })
}
