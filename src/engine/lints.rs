//! cargo-semver-checks' lints, run through its public lint catalog and trustfall_rustdoc, with
//! structured results.
//!
//! cargo-semver-checks' `Check` API reports only a bump per crate. Its lint catalog
//! ([`SemverQuery::all_queries`]) is public and serialisable, and the serialised form carries
//! each lint's Trustfall query, arguments and message template; trustfall_rustdoc runs those
//! queries over a baseline/current pair of rustdoc JSON files. Each result row becomes a
//! [`Finding`] with the lint id, item path, file and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use cargo_semver_checks::{LintLevel, RequiredSemverUpdate, SemverQuery};
use handlebars::{Handlebars, handlebars_helper, no_escape};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use trustfall::{FieldValue, TransparentValue};
use trustfall_core::ir::IndexedQuery;
use trustfall_rustdoc::{VersionedIndex, VersionedRustdocAdapter, VersionedStorage, load_rustdoc};

use crate::engine::bump::Bump;
use crate::engine::findings::{Change, Finding, Level, Source};

/// One lint of the catalog, with the parts of it that are not public fields.
pub struct Lint {
    pub id: String,
    pub description: String,
    pub required_bump: Bump,
    pub level: Level,
    pub reference: Option<String>,
    query: String,
    arguments: BTreeMap<String, TransparentValue>,
    template: Option<String>,
    /// The query parsed and type-checked, by rustdoc format (each format has its schema):
    /// parsing costs more than running the query on a small crate, so it is done once.
    parsed: Mutex<BTreeMap<u32, Arc<IndexedQuery>>>,
}

impl Lint {
    fn parsed(&self, format: u32, schema: &trustfall::Schema) -> Result<Arc<IndexedQuery>> {
        if let Some(query) = self.parsed.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&format) {
            return Ok(query.clone());
        }
        // Parsed without the lock: a thread parsing ahead at a low priority (see [`prepare`])
        // never holds up one that needs the query now; at worst both parse it.
        let query = trustfall_core::frontend::parse(schema, &self.query)
            .with_context(|| format!("cargo-semver-checks lint `{}` does not parse against rustdoc format {format}", self.id))?;
        Ok(self.parsed.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).entry(format).or_insert(query).clone())
    }
}

/// The private parts of a [`SemverQuery`], read back from its serialised form.
#[derive(Deserialize)]
struct QueryText {
    query: String,
    #[serde(default)]
    arguments: BTreeMap<String, TransparentValue>,
    #[serde(default)]
    per_result_error_template: Option<String>,
}

/// The lints that run: every lint of cargo-semver-checks' catalog that is not `allow` by default.
/// Parsed once per process.
pub fn catalog() -> Result<&'static [Lint]> {
    static CATALOG: OnceLock<Result<Vec<Lint>, String>> = OnceLock::new();
    CATALOG.get_or_init(|| read_catalog().map_err(|error| format!("{error:#}"))).as_deref().map_err(|error| anyhow::anyhow!("{error}"))
}

fn read_catalog() -> Result<Vec<Lint>> {
    SemverQuery::all_queries()
        .into_values()
        .filter(|query| query.lint_level != LintLevel::Allow)
        .map(|query| {
            let text: QueryText = serde_json::to_value(&query)
                .and_then(serde_json::from_value)
                .with_context(|| format!("cannot read cargo-semver-checks lint `{}`", query.id))?;
            Ok(Lint {
                // A level this catalog does not know yet is treated as the strictest.
                required_bump: match query.required_update {
                    RequiredSemverUpdate::Minor => Bump::Minor,
                    _ => Bump::Major,
                },
                level: if query.lint_level == LintLevel::Deny { Level::Deny } else { Level::Warn },
                reference: query.reference_link.clone(),
                description: query.description.clone(),
                id: query.id,
                query: text.query,
                arguments: text.arguments,
                template: text.per_result_error_template,
                parsed: Mutex::default(),
            })
        })
        .collect()
}

/// Every lint id in cargo-semver-checks' catalog, whatever its level.
pub fn all_lint_ids() -> Vec<String> {
    SemverQuery::all_queries().into_keys().collect()
}

/// A rustdoc JSON file loaded for the lints. Loading is a full parse of the file, so a caller
/// that has the file before it compares (a baseline, or a JSON cargo just wrote) can load it
/// ahead, beside other work, and hand it to [`run`] later.
pub struct Loaded {
    path: PathBuf,
    storage: VersionedStorage,
}

impl Loaded {
    /// Loads `path`. trustfall_rustdoc panics on a file shorter than its format probe reads
    /// (it slices the last 23 bytes): that is an error here, like any file it cannot read.
    pub fn load(path: &Path) -> Result<Loaded> {
        let loaded = std::panic::catch_unwind(|| load_rustdoc(path, None))
            .map_err(|_| anyhow::anyhow!("{} is not rustdoc JSON (too short to hold a format version)", path.display()));
        let storage = loaded?.with_context(|| format!("cannot load {} for cargo-semver-checks' lints", path.display()))?;
        Ok(Loaded { path: path.to_path_buf(), storage })
    }

    /// The file's rustdoc format version.
    pub fn format(&self) -> u32 {
        self.storage.version()
    }
}

/// One side of the pair the lints compare: a file, loaded when they run, or one loaded ahead.
#[derive(Clone, Copy)]
pub enum Side<'a> {
    File(&'a Path),
    Loaded(&'a Loaded),
}

impl<'a> From<&'a Path> for Side<'a> {
    fn from(path: &'a Path) -> Side<'a> {
        Side::File(path)
    }
}

impl<'a> From<&'a PathBuf> for Side<'a> {
    fn from(path: &'a PathBuf) -> Side<'a> {
        Side::File(path)
    }
}

impl<'a> From<&'a Loaded> for Side<'a> {
    fn from(loaded: &'a Loaded) -> Side<'a> {
        Side::Loaded(loaded)
    }
}

/// A side of the pair, loaded: borrowed when it was loaded ahead, owned when loaded now.
enum Ready<'a> {
    Ahead(&'a Loaded),
    Now(Box<Loaded>),
}

impl Side<'_> {
    fn ready(&self) -> Result<Ready<'_>> {
        match self {
            Side::File(path) => Loaded::load(path).map(|loaded| Ready::Now(Box::new(loaded))),
            Side::Loaded(loaded) => Ok(Ready::Ahead(loaded)),
        }
    }
}

impl std::ops::Deref for Ready<'_> {
    type Target = Loaded;
    fn deref(&self) -> &Loaded {
        match self {
            Ready::Ahead(loaded) => loaded,
            Ready::Now(loaded) => loaded,
        }
    }
}

/// Parses the query of every lint of the catalog for the rustdoc format of `rustdoc` (any
/// crate's JSON in that format), so that a later [`run`] on that format finds them parsed. A
/// process parses each query once per format, about 40 ms of CPU for the catalog: a caller can
/// spend it while it waits for the JSON it will compare, and stop when `stop` says the wait is
/// over (checked between queries; [`run`] parses the rest). Once per format: a second call for a
/// format already prepared parses nothing (but loads a file it is given as a path).
pub fn prepare<'a>(rustdoc: impl Into<Side<'a>>, stop: &dyn Fn() -> bool) -> Result<()> {
    static PREPARED: Mutex<Vec<u32>> = Mutex::new(Vec::new());
    let rustdoc = rustdoc.into();
    let loaded = rustdoc.ready()?;
    let format = loaded.format();
    {
        let mut prepared = PREPARED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if prepared.contains(&format) {
            return Ok(());
        }
        prepared.push(format);
    }
    let index = VersionedIndex::from_storage(&loaded.storage);
    let adapter = VersionedRustdocAdapter::new(&index, Some(&index)).context("cannot set up cargo-semver-checks' lint adapter")?;
    for lint in catalog()? {
        if stop() {
            break;
        }
        lint.parsed(format, adapter.schema())?;
    }
    Ok(())
}

/// Runs every lint of `lints` on the pair, in parallel, and returns their results as findings.
/// A side given as a file is loaded first (both at once).
pub fn run<'a>(lints: &[Lint], baseline: impl Into<Side<'a>>, current: impl Into<Side<'a>>) -> Result<Vec<Finding>> {
    run_timed(lints, baseline, current).map(|(findings, _)| findings)
}

/// [`run`], with the time each lint's query took (for benchmarks).
pub fn run_timed<'a>(
    lints: &[Lint],
    baseline: impl Into<Side<'a>>,
    current: impl Into<Side<'a>>,
) -> Result<(Vec<Finding>, Vec<(String, Duration)>)> {
    let (baseline, current) = (baseline.into(), current.into());
    let (baseline, current) = rayon::join(|| baseline.ready(), || current.ready());
    let (baseline, current) = (baseline?, current?);
    let (baseline_storage, current_storage) = (&baseline.storage, &current.storage);
    if baseline_storage.version() != current_storage.version() {
        bail!(
            "cannot run cargo-semver-checks' lints: the baseline {} is rustdoc JSON format {} and the current {} \
             is format {}; both must come from the same toolchain (regenerate the baseline, or pass --no-lints)",
            baseline.path.display(),
            baseline_storage.version(),
            current.path.display(),
            current_storage.version()
        );
    }
    let baseline_index = VersionedIndex::from_storage(baseline_storage);
    let current_index = VersionedIndex::from_storage(current_storage);
    let adapter = VersionedRustdocAdapter::new(&current_index, Some(&baseline_index))
        .context("cannot set up cargo-semver-checks' lint adapter")?;
    let templates = templates();
    let format = current_storage.version();

    let results: Vec<(Vec<Finding>, (String, Duration))> = lints
        .par_iter()
        .map(|lint| {
            let start = Instant::now();
            let query = lint.parsed(format, adapter.schema())?;
            let rows: Vec<BTreeMap<Arc<str>, FieldValue>> = adapter
                .run_query_with_indexed_query(query, lint.arguments.clone())
                .with_context(|| format!("cargo-semver-checks lint `{}` failed to run", lint.id))?
                .collect();
            let elapsed = start.elapsed();
            Ok((rows.into_iter().map(|row| finding(lint, row, &templates)).collect(), (lint.id.clone(), elapsed)))
        })
        .collect::<Result<_>>()?;
    let (findings, times): (Vec<Vec<Finding>>, Vec<(String, Duration)>) = results.into_iter().unzip();
    Ok((findings.into_iter().flatten().collect(), times))
}

fn finding(lint: &Lint, row: BTreeMap<Arc<str>, FieldValue>, templates: &Handlebars<'static>) -> Finding {
    let row: serde_json::Map<String, Value> = row
        .into_iter()
        .map(|(key, value)| {
            let value = serde_json::to_value(TransparentValue::from(value)).unwrap_or(Value::Null);
            (key.to_string(), value)
        })
        .collect();
    let field = |name: &str| row.get(name).and_then(Value::as_str).map(str::to_string);
    let mut path = match row.get("path") {
        Some(Value::Array(segments)) if segments.iter().all(Value::is_string) => {
            segments.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("::")
        }
        _ => field("name").unwrap_or_else(|| lint.id.clone()),
    };
    if let Some(member) = ["variant_name", "method_name", "field_name", "associated_type", "associated_constant", "method"]
        .iter()
        .find_map(|name| field(name))
    {
        path = format!("{path}::{member}");
    }
    let detail = lint
        .template
        .as_deref()
        .and_then(|template| templates.render_template(template, &row).ok())
        .filter(|text| !text.trim().is_empty());
    let message = match detail {
        Some(detail) => format!("{}: {detail}", lint.description.trim_end_matches('.')),
        None => lint.description.clone(),
    };
    let subject = if lint.id.contains("impl") { field("auto_trait").or_else(|| field("trait_name")) } else { None };
    Finding {
        id: lint.id.clone(),
        change: change_of(&lint.id),
        required_bump: lint.required_bump,
        level: lint.level,
        path,
        message,
        file: field("span_filename"),
        line: row.get("span_begin_line").and_then(Value::as_u64).and_then(|line| u32::try_from(line).ok()),
        source: Source::CargoSemverChecks,
        lint: Some(lint.id.clone()),
        reference: lint.reference.clone(),
        old: None,
        new: None,
        subject,
        acknowledged: None,
        surfaces: Vec::new(),
    }
}

/// Whether a lint reports something removed, added or changed, read off its id.
fn change_of(id: &str) -> Change {
    if id.ends_with("_missing") || id.ends_with("_impl_removed") || id.starts_with("trait_removed_") || id == "macro_no_longer_exported" {
        Change::Removed
    } else if id.ends_with("_added") && !id.contains("_now_") && !id.contains("unsafe") && !id.contains("supertrait") {
        Change::Added
    } else {
        Change::Changed
    }
}

/// The template helpers cargo-semver-checks' per-result messages use.
fn templates() -> Handlebars<'static> {
    handlebars_helper!(lowercase: |value: Value| value.as_str().map(str::to_lowercase).unwrap_or_default());
    handlebars_helper!(join: |separator: str, values: Value| {
        values.as_array().map(|items| items.iter().map(display_value).collect::<Vec<_>>().join(separator)).unwrap_or_else(|| display_value(&values))
    });
    handlebars_helper!(unpack_if_singleton: |value: Value| match value.as_array() {
        Some(items) if items.len() == 1 => items[0].clone(),
        _ => value.clone(),
    });
    handlebars_helper!(multiple_spans: |files: Value, lines: Value| {
        let empty = Vec::new();
        let spans: Vec<String> = files.as_array().unwrap_or(&empty).iter().zip(lines.as_array().unwrap_or(&empty))
            .filter_map(|(file, line)| Some(format!("{}:{}", file.as_str()?, line.as_u64()?)))
            .collect();
        if spans.len() == 1 { spans[0].clone() } else { format!("[ {} ]", spans.join(" , ")) }
    });
    handlebars_helper!(to_string: |value: Value| display_value(&value));
    let mut registry = Handlebars::new();
    registry.register_escape_fn(no_escape);
    registry.register_helper("lowercase", Box::new(lowercase));
    registry.register_helper("join", Box::new(join));
    registry.register_helper("unpack_if_singleton", Box::new(unpack_if_singleton));
    registry.register_helper("multiple_spans", Box::new(multiple_spans));
    registry.register_helper("to_string", Box::new(to_string));
    registry
}

fn display_value(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
