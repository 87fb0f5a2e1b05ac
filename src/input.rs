//! Reading the files users and earlier runs hand apicheck (rustdoc JSON, saved models, baselines,
//! changelogs, acknowledgement files) within a size limit, and turning parsers' messages into
//! one line.
//!
//! Reading a file takes about three times its size in memory once parsed (a 100 MB rustdoc JSON
//! peaks at about 300 MB), so the limit bounds memory. It is checked against the file's size
//! before reading and again while reading, which also stops a device (`/dev/zero`), a file that
//! grows, or a compressed baseline that inflates without end.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// The environment variable that sets the largest input file apicheck reads, in MiB.
const MAX_INPUT_VARIABLE: &str = "APICHECK_MAX_INPUT_MB";

/// The default limit, in MiB: well above the rustdoc JSON of large crates, well below what makes
/// a CI runner swap.
const DEFAULT_MAX_INPUT_MB: u64 = 512;

/// The largest input file apicheck reads, in bytes.
pub(crate) fn max_input_bytes() -> Result<u64> {
    let megabytes = match std::env::var(MAX_INPUT_VARIABLE) {
        Ok(value) => value.trim().parse::<u64>().ok().filter(|mb| *mb > 0).with_context(|| {
            format!("{MAX_INPUT_VARIABLE}={value:?} is not a size in MiB: set it to a whole number above 0, or unset it for {DEFAULT_MAX_INPUT_MB}")
        })?,
        Err(_) => DEFAULT_MAX_INPUT_MB,
    };
    Ok(megabytes.saturating_mul(1024 * 1024))
}

/// The text of the file at `path`, a `what` (`rustdoc JSON`, `changelog`...), when it is no
/// larger than the limit.
pub(crate) fn read_text(path: &Path, what: &str) -> Result<String> {
    let limit = max_input_bytes()?;
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let size = file.metadata().map_or(0, |metadata| metadata.len());
    if size > limit {
        bail!("{}", too_large(path, what, "is", limit));
    }
    // Sized at once: a rustdoc JSON file is megabytes, read in one allocation, not doubled into.
    read_within(file, path, what, "is", limit, size)
}

/// The text `reader` yields for the file at `path` (a compressed file's contents, `verb` =
/// "decompresses to"), when it is no larger than the limit.
pub(crate) fn read_text_from(reader: impl Read, path: &Path, what: &str, verb: &str) -> Result<String> {
    read_within(reader, path, what, verb, max_input_bytes()?, 0)
}

/// `reader`'s text, at most `limit` bytes, read into a buffer of `expected` bytes to start with.
fn read_within(reader: impl Read, path: &Path, what: &str, verb: &str, limit: u64, expected: u64) -> Result<String> {
    let mut bytes = Vec::with_capacity(usize::try_from(expected.min(limit)).unwrap_or(0).saturating_add(1));
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes).with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > limit {
        bail!("{}", too_large(path, what, verb, limit));
    }
    String::from_utf8(bytes).map_err(|error| {
        anyhow::anyhow!("{} is not UTF-8 text (invalid byte at offset {})", path.display(), error.utf8_error().valid_up_to())
    })
}

fn too_large(path: &Path, what: &str, verb: &str, limit: u64) -> String {
    let megabytes = limit / (1024 * 1024);
    format!(
        "{} {verb} larger than {megabytes} MiB, the most apicheck reads of a {what}: if it is meant to be that \
         large, raise the limit with {MAX_INPUT_VARIABLE} (reading takes about three times the file's size in memory)",
        path.display()
    )
}

/// A parser's error message as one line: the control characters a hostile input put into it
/// (serde quotes an unknown key or variant as written, newlines included) escaped, so that each
/// bad input is one `error:` line, whatever it holds.
pub(crate) fn one_line_error(error: &dyn std::fmt::Display) -> String {
    error.to_string().chars().flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] }).collect()
}

/// `error` with its whole chain on one line, as the binary prints it (`error: {error:#}`), for
/// errors that quote values of the configuration: a tag or a glob with a newline in it stays one
/// line.
pub(crate) fn one_line(error: anyhow::Error) -> anyhow::Error {
    anyhow::anyhow!(one_line_error(&format_args!("{error:#}")))
}

/// A TOML error on one line: `line 3, column 7: invalid string`. Its `Display` shows the line
/// with a caret under it, over several lines, which `error:` output and CI annotations break up.
pub(crate) fn toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = one_line_error(&error.message().split_whitespace().collect::<Vec<_>>().join(" "));
    match error.span() {
        Some(span) => {
            let before = &text.as_bytes()[..span.start.min(text.len())];
            let line = before.iter().filter(|byte| **byte == b'\n').count() + 1;
            let line_start = before.iter().rposition(|byte| *byte == b'\n').map_or(0, |newline| newline + 1);
            let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(one_line_error(&"unknown variant `a\nb\tc`, ünï 🦀"), "unknown variant `a\\nb\\tc`, ünï 🦀");
        let chained = anyhow::anyhow!("tag `a\rb` has no version").context("[workspace.metadata.apicheck]");
        assert_eq!(format!("{:#}", one_line(chained)), "[workspace.metadata.apicheck]: tag `a\\rb` has no version");
    }

    #[test]
    fn a_reader_that_never_ends_is_cut_at_the_limit() {
        let limit = 3 * 1024 * 1024;
        let error = read_within(std::io::repeat(b'x'), Path::new("/dev/zero"), "rustdoc JSON", "is", limit, 0).unwrap_err();
        assert!(format!("{error}").contains("/dev/zero is larger than 3 MiB, the most apicheck reads of a rustdoc JSON"), "{error}");
        let whole = read_within(std::io::repeat(b'x').take(limit), Path::new("exactly-3-mib"), "rustdoc JSON", "is", limit, limit).unwrap();
        assert_eq!(whole.len() as u64, limit);
    }
}
