//! Semver bumps and Cargo's rules for them, 0.x versions and pre-releases included.
//!
//! A [`Bump`] is what a change needs in the abstract (`major` for a break). Cargo maps it onto
//! version positions: from 1.0.0 on, positions are major.minor.patch; for 0.y.z the `y` position
//! acts as major and `z` as minor; for 0.0.z every change is major.

use std::fmt;

use semver::Version;
use serde::{Deserialize, Serialize};

/// How much a change requires, or how much a version change declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// No change to the public API.
    None,
    /// A change that needs a release but no new API (fixes only).
    Patch,
    /// A compatible addition.
    Minor,
    /// A breaking change.
    Major,
}

impl Bump {
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }

    /// The bump that going from `from` to `to` declares, under Cargo's rules: 1.2.3 → 2.0.0 and
    /// 0.3.1 → 0.4.0 are major, 0.3.1 → 0.3.2 is minor (it may add API), 0.0.1 → 0.0.2 is major.
    /// A pre-release of the next major (2.0.0-rc.1) counts as that major. From a pre-release
    /// baseline to any later version of the same release, every change is allowed (major), as
    /// pre-releases promise no compatibility. A version that did not grow declares nothing.
    pub fn declared(from: &Version, to: &Version) -> Bump {
        if to <= from {
            return Bump::None;
        }
        if (from.major, from.minor, from.patch) == (to.major, to.minor, to.patch) {
            // Only the pre-release part or build metadata moved.
            return if from.pre.is_empty() { Bump::None } else { Bump::Major };
        }
        let (from_positions, to_positions) = (cargo_positions(from), cargo_positions(to));
        if to_positions.0 > from_positions.0 {
            Bump::Major
        } else if to_positions.1 > from_positions.1 {
            Bump::Minor
        } else {
            Bump::Patch
        }
    }

    /// The smallest version after `from` that declares at least this bump (`None` keeps
    /// `from`).
    pub fn next_version(self, from: &Version) -> Version {
        let mut next = Version::new(from.major, from.minor, from.patch);
        let bump = if from.major == 0 && from.minor == 0 && self > Bump::None { Bump::Major } else { self };
        let pre_release = !from.pre.is_empty();
        match (bump, from.major, from.minor) {
            (Bump::None, _, _) => return from.clone(),
            // The release a pre-release leads to satisfies any bump.
            _ if pre_release => {}
            (Bump::Major, 0, 0) => next.patch += 1,
            (Bump::Major, 0, _) => {
                next.minor += 1;
                next.patch = 0;
            }
            (Bump::Major, _, _) => {
                next.major += 1;
                next.minor = 0;
                next.patch = 0;
            }
            (Bump::Minor, 0, _) => next.patch += 1,
            (Bump::Minor, _, _) => {
                next.minor += 1;
                next.patch = 0;
            }
            (Bump::Patch, _, _) => next.patch += 1,
        }
        next
    }
}

impl Bump {
    /// The word a report shows for this bump in a package at `version`. From 1.0.0 on, the
    /// bump's name; for 0.x versions Cargo's reading, `breaking` or `compatible`, because a bare
    /// "minor" reads as the second number, which is the one a 0.x break moves (0.4.14 → 0.5.0).
    pub fn label(self, version: Option<&Version>) -> &'static str {
        match (self, version.is_some_and(|v| v.major == 0)) {
            (_, false) | (Bump::None, true) => self.as_str(),
            (Bump::Major, true) => "breaking",
            (Bump::Minor | Bump::Patch, true) => "compatible",
        }
    }

    /// The bump as a phrase in a package at `version`: "a major bump" from 1.0.0 on, "a
    /// breaking release" / "a compatible release" for 0.x (see [`Bump::label`]).
    pub fn phrase(self, version: &Version) -> String {
        match (self, version.major) {
            (Bump::None, _) => "no release".to_string(),
            (_, 0) => format!("a {} release", self.label(Some(version))),
            _ => format!("a {self} bump"),
        }
    }
}

/// A release in Cargo's terms: `0.4.14 → 0.4.15 (compatible release)`, `0.4.14 → 0.5.0
/// (breaking release)`, `1.2.0 → 2.0.0 (major release)`.
pub fn describe_release(from: &Version, to: &Version) -> String {
    let kind = match Bump::declared(from, to) {
        Bump::None => "no release".to_string(),
        declared => format!("{} release", declared.label(Some(from))),
    };
    format!("{from} → {to} ({kind})")
}

/// (major-acting, minor-acting) positions of a version under Cargo's rules.
fn cargo_positions(version: &Version) -> ((u64, u64, u64), u64) {
    match (version.major, version.minor) {
        (0, 0) => ((0, 0, version.patch), 0),
        (0, minor) => ((0, minor, 0), version.patch),
        (major, minor) => ((major, 0, 0), minor),
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn declared_bumps_follow_cargo_rules() {
        let cases = [
            ("1.2.3", "1.2.3", Bump::None),
            ("1.2.3", "1.2.4", Bump::Patch),
            ("1.2.3", "1.3.0", Bump::Minor),
            ("1.2.3", "2.0.0", Bump::Major),
            ("1.2.3", "2.0.0-rc.1", Bump::Major),
            ("0.3.1", "0.3.2", Bump::Minor),
            ("0.3.1", "0.4.0", Bump::Major),
            ("0.3.1", "1.0.0", Bump::Major),
            ("0.0.1", "0.0.2", Bump::Major),
            ("0.0.1", "0.1.0", Bump::Major),
            ("2.0.0-rc.1", "2.0.0-rc.2", Bump::Major),
            ("2.0.0-rc.1", "2.0.0", Bump::Major),
            ("1.2.3", "1.2.2", Bump::None),
        ];
        for (from, to, expected) in cases {
            assert_eq!(Bump::declared(&v(from), &v(to)), expected, "{from} -> {to}");
        }
    }

    #[test]
    fn reports_speak_cargo_language_for_0x() {
        assert_eq!(describe_release(&v("0.4.14"), &v("0.4.15")), "0.4.14 → 0.4.15 (compatible release)");
        assert_eq!(describe_release(&v("0.4.14"), &v("0.5.0")), "0.4.14 → 0.5.0 (breaking release)");
        assert_eq!(describe_release(&v("0.0.3"), &v("0.0.4")), "0.0.3 → 0.0.4 (breaking release)");
        assert_eq!(describe_release(&v("1.2.0"), &v("1.3.0")), "1.2.0 → 1.3.0 (minor release)");
        assert_eq!(Bump::Minor.phrase(&v("0.4.14")), "a compatible release");
        assert_eq!(Bump::Major.phrase(&v("0.4.14")), "a breaking release");
        assert_eq!(Bump::Major.phrase(&v("1.2.0")), "a major bump");
        assert_eq!(Bump::Minor.label(Some(&v("1.2.0"))), "minor");
        assert_eq!(Bump::Patch.label(Some(&v("0.4.1"))), "compatible");
        assert_eq!(Bump::Minor.label(None), "minor");
    }

    #[test]
    fn next_versions_follow_cargo_rules() {
        let cases = [
            ("1.2.3", Bump::Major, "2.0.0"),
            ("1.2.3", Bump::Minor, "1.3.0"),
            ("1.2.3", Bump::Patch, "1.2.4"),
            ("1.2.3", Bump::None, "1.2.3"),
            ("0.4.1", Bump::Major, "0.5.0"),
            ("0.4.1", Bump::Minor, "0.4.2"),
            ("0.4.1", Bump::Patch, "0.4.2"),
            ("0.0.3", Bump::Minor, "0.0.4"),
            ("2.0.0-rc.1", Bump::Major, "2.0.0"),
        ];
        for (from, bump, expected) in cases {
            assert_eq!(bump.next_version(&v(from)).to_string(), expected, "{from} + {bump}");
            let next = bump.next_version(&v(from));
            assert!(Bump::declared(&v(from), &next) >= bump, "{from} -> {next} must declare {bump}");
        }
    }
}
