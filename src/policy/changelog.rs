//! Changelog sections: is there one for a version, and does it say the release breaks things?
//!
//! Parsing is parse-changelog's: Keep a Changelog and the usual variants (`## [2.0.0] - date`,
//! `## 2.0.0`, `## v2.0.0`, setext headings, `[Unreleased]`).

use std::path::Path;

use semver::Version;

/// What the changelog says about one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Section {
    /// A section for the version exists.
    Found {
        title: String,
        /// It has a "Removed" or "Changed" subsection, or the word "breaking" (any case) not
        /// negated ("No breaking changes" does not count).
        mentions_breaking: bool,
    },
    /// No section for the version; the text says why (no file, no such heading...).
    Missing(String),
}

/// The section of `version` in the changelog at `path`.
pub fn section(path: &Path, version: &Version) -> Section {
    if !path.exists() {
        return Section::Missing(format!("there is no {}", path.display()));
    }
    let text = match crate::input::read_text(path, "changelog") {
        Ok(text) => text,
        Err(error) => return Section::Missing(format!("{error:#}")),
    };
    let releases = match parse_changelog::parse(&text) {
        Ok(releases) => releases,
        Err(error) => return Section::Missing(format!("{} has no release sections that parse ({error})", path.display())),
    };
    let wanted = version.to_string();
    match releases.get(wanted.as_str()) {
        Some(release) => Section::Found {
            title: release.title.to_string(),
            mentions_breaking: mentions_breaking(release.title) || mentions_breaking(release.notes),
        },
        None => Section::Missing(format!("{} has no section for {wanted}", path.display())),
    }
}

/// The section of `package` at `version` in a changelog the whole repository shares: the first
/// heading (`#` to `######`) that names both (`## core-utils 2.0.0`, `## [core-utils-v2.0.0] -
/// 2026-11-26`, `### core-utils v2.0.0`), down to the next heading of its level or higher.
/// parse-changelog keys sections by version alone, which a shared file repeats per package.
pub fn package_section(path: &Path, package: &str, version: &Version) -> Section {
    if !path.exists() {
        return Section::Missing(format!("there is no {}", path.display()));
    }
    let text = match crate::input::read_text(path, "changelog") {
        Ok(text) => text,
        Err(error) => return Section::Missing(format!("{error:#}")),
    };
    let wanted = version.to_string();
    let level = |line: &str| {
        let hashes = line.len() - line.trim_start_matches('#').len();
        (1..=6).contains(&hashes).then_some(hashes).filter(|_| line[hashes..].starts_with([' ', '\t']))
    };
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        let Some(depth) = level(line) else { continue };
        let title = line[depth..].trim();
        if !names_release(title, package, &wanted) {
            continue;
        }
        let end = lines[index + 1..].iter().position(|l| level(l).is_some_and(|d| d <= depth)).map_or(lines.len(), |at| index + 1 + at);
        let notes = lines[index + 1..end].join("\n");
        return Section::Found { title: title.to_string(), mentions_breaking: mentions_breaking(title) || mentions_breaking(&notes) };
    }
    Section::Missing(format!("{} has no section naming {package} {wanted} (a heading such as `## {package} {wanted}`)", path.display()))
}

/// Whether a heading names `package` at `version`: a word `package-version` or `package-vversion`,
/// or the words `package` and `version` (or `vversion`).
fn names_release(title: &str, package: &str, version: &str) -> bool {
    let words: Vec<&str> = title.split(|c: char| c.is_whitespace() || "[]()`:,/@*\"'".contains(c)).filter(|w| !w.is_empty()).collect();
    let joined = [format!("{package}-{version}"), format!("{package}-v{version}")];
    words.iter().any(|w| joined.iter().any(|j| j == w))
        || (words.contains(&package) && words.iter().any(|w| *w == version || w.strip_prefix('v') == Some(version)))
}

/// Words that, within the three words before "breaking", say the opposite: "No breaking
/// changes", "non-breaking", "nothing breaking", "is not breaking", "without breaking".
const NEGATIONS: [&str; 12] = ["no", "not", "non", "without", "nothing", "never", "none", "zero", "isn't", "aren't", "doesn't", "nor"];

/// Whether a section says the release breaks things: a "Removed" or "Changed" subsection, or
/// the word "breaking" (any case) that no negation in the three words before it takes back.
fn mentions_breaking(text: &str) -> bool {
    text.lines().any(|line| {
        let heading = line.trim_start_matches('#');
        let subsection = heading.len() < line.len() && matches!(heading.trim().to_lowercase().as_str(), "removed" | "changed");
        subsection || affirms_breaking(line)
    })
}

fn affirms_breaking(line: &str) -> bool {
    let lower = line.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !(c.is_alphanumeric() || c == '\'')).filter(|w| !w.is_empty()).collect();
    words.iter().enumerate().any(|(index, word)| {
        *word == "breaking" && !words[index.saturating_sub(3)..index].iter().any(|before| NEGATIONS.contains(before))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section_of(text: &str, version: &str) -> Section {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        section(file.path(), &Version::parse(version).unwrap())
    }

    #[test]
    fn every_heading_style_is_found() {
        for heading in ["## [2.0.0] - 2026-11-26", "## 2.0.0", "## v2.0.0", "## [v2.0.0]"] {
            let text = format!("# Changelog\n\n## [Unreleased]\n\n{heading}\n\n- Fixed a bug.\n\n## 1.0.0\n\n- First.\n");
            assert!(matches!(section_of(&text, "2.0.0"), Section::Found { mentions_breaking: false, .. }), "{heading}");
        }
    }

    #[test]
    fn a_version_is_matched_whole() {
        let text = "## 12.0.0\n\n- x\n\n## 2.0.0-rc.1\n\n- y\n";
        assert!(matches!(section_of(text, "2.0.0"), Section::Missing(_)));
        assert!(matches!(section_of(text, "2.0.0-rc.1"), Section::Found { .. }));
    }

    #[test]
    fn breaking_is_a_word_or_a_removed_or_changed_subsection() {
        let cases = [
            ("## 2.0.0\n\n- **BREAKING**: renamed `x`.\n", true),
            ("## 2.0.0\n\n### Removed\n\n- `x`.\n", true),
            ("## 2.0.0\n\n### Changed\n\n- `x` takes a `u64`.\n", true),
            ("## 2.0.0\n\n### Added\n\n- `y`.\n", false),
            ("## 2.0.0\n\nNothing here breaks.\n", false),
            ("## 2.0.0\n\nNo breaking changes.\n", false),
            ("## 2.0.0\n\n- Non-breaking: a faster `x`.\n", false),
            ("## 2.0.0\n\nThis release is not breaking.\n", false),
            ("## 2.0.0\n\n- BREAKING CHANGE: `x` is gone. No other changes.\n", true),
            ("## 2.0.0\n\nNo new features.\n\n- Breaking: `x` takes a `u64`.\n", true),
        ];
        for (text, expected) in cases {
            assert!(matches!(section_of(text, "2.0.0"), Section::Found { mentions_breaking, .. } if mentions_breaking == expected), "{text}");
        }
    }

    #[test]
    fn a_shared_changelog_section_names_the_package_and_the_version() {
        let text = "# Changelog\n\n## core-utils 2.0.0\n\n### Removed\n\n- `x`.\n\n## core-utils-extra 2.0.0\n\n- y\n\n\
                    ## [validation-v0.5.0] - 2026-11-26\n\n- Added `z`.\n\n## core-utils 1.3.0\n\n- Added `w`.\n";
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        let find = |package: &str, version: &str| package_section(file.path(), package, &Version::parse(version).unwrap());
        assert!(matches!(find("core-utils", "2.0.0"), Section::Found { mentions_breaking: true, .. }));
        assert!(matches!(find("core-utils", "1.3.0"), Section::Found { mentions_breaking: false, .. }));
        assert!(matches!(find("validation", "0.5.0"), Section::Found { mentions_breaking: false, .. }));
        assert!(matches!(find("core", "2.0.0"), Section::Missing(_)), "a name is matched whole");
        assert!(matches!(find("validation", "0.4.1"), Section::Missing(reason) if reason.contains("## validation 0.4.1")));
    }

    #[test]
    fn a_missing_file_is_a_missing_section() {
        let missing = section(Path::new("/nonexistent/CHANGELOG.md"), &Version::new(1, 0, 0));
        assert!(matches!(missing, Section::Missing(reason) if reason.contains("there is no")));
    }
}
