//! The JSON renderings of `diff`, `check` and `rules` (schema [`REPORT_SCHEMA`], documented in
//! README.md).

use super::*;

/// The JSON rendering of a diff.
#[derive(Serialize)]
struct DiffJson<'a> {
    schema: u32,
    #[serde(flatten)]
    diff: &'a ApiDiff,
    next_version: Option<String>,
}

pub fn write_diff_json(out: &mut dyn Write, diff: &ApiDiff) -> io::Result<()> {
    let json = DiffJson { schema: REPORT_SCHEMA, diff, next_version: diff.next_version().map(|v| v.to_string()) };
    serde_json::to_writer_pretty(&mut *out, &json)?;
    writeln!(out)
}

/// The JSON rendering of `check` (schema [`REPORT_SCHEMA`], documented in README.md).
pub fn write_check_json(out: &mut dyn Write, report: &CheckReport) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

/// The JSON rendering of the catalog: a struct, so that fields keep their declared order.
#[derive(Serialize)]
struct RulesJson<'a> {
    schema: u32,
    rules: &'a [Entry],
}

/// `apicheck rules --format json`.
pub fn write_rules_json(out: &mut dyn Write, entries: &[Entry]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &RulesJson { schema: REPORT_SCHEMA, rules: entries })?;
    writeln!(out)
}
