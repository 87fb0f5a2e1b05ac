//! The part of a package's manifest its users depend on, and its diff by the Cargo book's SemVer
//! rules for Cargo (the "Cargo" section of the SemVer chapter): the features a user can name in
//! `features = [...]`, what each enables, and the dependencies a build of the library pulls in.
//!
//! Read from the text of `Cargo.toml` (the current one, or the one a baseline recorded), never
//! through cargo: the engine reads what it is given.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::engine::bump::Bump;
use crate::engine::catalog::RuleId;
use crate::engine::findings::{Change, Finding, Level, Source};

/// What a package's manifest promises its users.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ManifestApi {
    /// The `[features]` table: each feature and what it enables, as written (`std`,
    /// `dep:serde`, `serde/derive`, `serde?/derive`).
    pub features: BTreeMap<String, Vec<String>>,
    /// The dependencies of the library's builds (`[dependencies]`, `[build-dependencies]`, and
    /// their `[target.*]` forms; not dev-dependencies), by the name the manifest gives them.
    pub dependencies: BTreeMap<String, ManifestDependency>,
}

/// A dependency, merged over the tables it appears in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ManifestDependency {
    /// Optional in every table it appears in: built only when a feature enables it.
    pub optional: bool,
    /// Cargo gives an optional dependency a feature of its name unless some feature names it
    /// as `dep:NAME`; users can enable that feature like any other.
    pub implicit_feature: bool,
}

/// Where things are in the current `Cargo.toml`, for findings' `line`.
#[derive(Debug, Clone, Default)]
pub struct ManifestLines {
    features: BTreeMap<String, u32>,
    dependencies: BTreeMap<String, u32>,
    /// The line of the `[features]` table, else of the `[package]` table.
    fallback: Option<u32>,
}

#[derive(Deserialize)]
struct RawManifest {
    package: Option<Spanned<toml::Table>>,
    #[serde(default)]
    features: Option<Spanned<BTreeMap<Spanned<String>, Vec<String>>>>,
    #[serde(default)]
    dependencies: BTreeMap<Spanned<String>, RawDependency>,
    #[serde(default, rename = "build-dependencies", alias = "build_dependencies")]
    build_dependencies: BTreeMap<Spanned<String>, RawDependency>,
    #[serde(default)]
    target: BTreeMap<String, RawTarget>,
}

#[derive(Deserialize)]
struct RawTarget {
    #[serde(default)]
    dependencies: BTreeMap<Spanned<String>, RawDependency>,
    #[serde(default, rename = "build-dependencies", alias = "build_dependencies")]
    build_dependencies: BTreeMap<Spanned<String>, RawDependency>,
}

/// A dependency's value: a table (of which only `optional` matters), or a version requirement.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawDependency {
    Table {
        #[serde(default)]
        optional: bool,
    },
    Requirement(serde::de::IgnoredAny),
}

impl ManifestApi {
    /// Reads the manifest `text`; the lines are for findings about the current manifest.
    pub fn read(text: &str) -> Result<(ManifestApi, ManifestLines)> {
        let raw: RawManifest = toml::from_str(text).map_err(|error| anyhow::anyhow!("{}", crate::input::toml_error(text, &error)))?;
        let line_of = |offset: usize| u32::try_from(text[..offset.min(text.len())].matches('\n').count() + 1).ok();
        let mut lines = ManifestLines {
            fallback: raw.features.as_ref().map(|table| table.span().start).or(raw.package.as_ref().map(|package| package.span().start)).and_then(line_of),
            ..ManifestLines::default()
        };
        let mut api = ManifestApi::default();
        let target_tables = raw.target.values().flat_map(|target| [&target.dependencies, &target.build_dependencies]);
        for table in [&raw.dependencies, &raw.build_dependencies].into_iter().chain(target_tables) {
            for (name, dependency) in table {
                let optional = matches!(dependency, RawDependency::Table { optional: true });
                lines.dependencies.entry(name.get_ref().clone()).or_insert_with(|| line_of(name.span().start).unwrap_or(1));
                api.dependencies
                    .entry(name.get_ref().clone())
                    .and_modify(|known| known.optional &= optional)
                    .or_insert(ManifestDependency { optional, implicit_feature: false });
            }
        }
        if let Some(features) = raw.features {
            for (name, enables) in features.into_inner() {
                if let Some(line) = line_of(name.span().start) {
                    lines.features.insert(name.get_ref().clone(), line);
                }
                api.features.insert(name.into_inner(), enables);
            }
        }
        let hidden: BTreeSet<&str> = api.features.values().flatten().filter_map(|value| value.strip_prefix("dep:")).collect();
        let hidden: BTreeSet<String> = hidden.into_iter().map(str::to_string).collect();
        for (name, dependency) in &mut api.dependencies {
            dependency.implicit_feature = dependency.optional && !hidden.contains(name) && !api.features.contains_key(name);
        }
        Ok((api, lines))
    }

    /// The features a user can name that `default` does not already turn on (`default` itself
    /// left out), sorted: what a build with every feature adds to the default build.
    pub fn features_beyond_default(&self) -> Vec<String> {
        let by_default = self.enables("default");
        self.nameable_features()
            .into_iter()
            .filter(|name| *name != "default")
            .filter(|name| !by_default.contains(&Enabled::Feature(name.to_string())) && !by_default.contains(&Enabled::Dependency(name.to_string())))
            .map(str::to_string)
            .collect()
    }

    /// Whether `default` turns anything on: then users with `default-features = false` build
    /// another API than the default one.
    pub fn has_default_features(&self) -> bool {
        self.features.get("default").is_some_and(|enabled| !enabled.is_empty())
    }

    /// Every feature a build of the package can have on when it asks for `asked` (and for
    /// `default`, when `default_features`): those and what they turn on, transitively, by the
    /// names cargo reports a build's features with (an optional dependency's implicit feature
    /// by its dependency's name). Generous where this manifest alone cannot tell (an optional
    /// dependency turned on with `dep:` counts as its name too), so a feature outside the set
    /// is one nothing asked of this package asked for.
    pub fn features_turned_on(&self, asked: &[String], default_features: bool) -> BTreeSet<String> {
        let mut roots = asked.to_vec();
        if default_features && self.features.contains_key("default") {
            roots.push("default".to_string());
        }
        let mut on = BTreeSet::new();
        for root in roots {
            for enabled in self.enables(&root) {
                let (Enabled::Feature(name) | Enabled::Dependency(name)) = enabled;
                on.insert(name);
            }
            on.insert(root);
        }
        on
    }

    /// Every feature a user can enable: the `[features]` table's and the implicit ones of
    /// optional dependencies.
    fn nameable_features(&self) -> BTreeSet<&str> {
        let implicit = self.dependencies.iter().filter(|(_, dependency)| dependency.implicit_feature).map(|(name, _)| name.as_str());
        self.features.keys().map(String::as_str).chain(implicit).collect()
    }

    /// What enabling `feature` turns on, transitively: features and optional dependencies.
    fn enables(&self, feature: &str) -> BTreeSet<Enabled> {
        let mut found = BTreeSet::new();
        let mut pending = vec![feature.to_string()];
        while let Some(feature) = pending.pop() {
            let values: Vec<String> = match self.features.get(&feature) {
                Some(values) => values.clone(),
                // An implicit feature enables its dependency.
                None if self.dependencies.get(&feature).is_some_and(|dependency| dependency.implicit_feature) => vec![format!("dep:{feature}")],
                None => Vec::new(),
            };
            for value in values {
                let enabled = if let Some(dependency) = value.strip_prefix("dep:") {
                    Enabled::Dependency(dependency.to_string())
                } else if let Some((dependency, _)) = value.split_once('/') {
                    // `dep/feature` turns the dependency on (when optional); `dep?/feature` does not.
                    match dependency.strip_suffix('?') {
                        Some(_) => continue,
                        None if self.dependencies.get(dependency).is_some_and(|known| known.optional) => {
                            Enabled::Dependency(dependency.to_string())
                        }
                        None => continue,
                    }
                } else if !self.features.contains_key(&value) && self.dependencies.get(&value).is_some_and(|known| known.implicit_feature) {
                    // An implicit feature is its dependency: what a feature lost when such a
                    // dependency goes is the dependency, whose own removal the book allows when
                    // its name stays a feature (the mitigation it recommends).
                    Enabled::Dependency(value)
                } else {
                    Enabled::Feature(value)
                };
                if found.insert(enabled.clone()) {
                    if let Enabled::Feature(next) = enabled {
                        pending.push(next);
                    }
                }
            }
        }
        found
    }

    fn has(&self, enabled: &Enabled) -> bool {
        match enabled {
            Enabled::Feature(name) => self.nameable_features().contains(name.as_str()),
            Enabled::Dependency(name) => self.dependencies.get(name).is_some_and(|dependency| dependency.optional),
        }
    }
}

/// Something a feature turns on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Enabled {
    Feature(String),
    Dependency(String),
}

impl std::fmt::Display for Enabled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Enabled::Feature(name) => write!(f, "feature `{name}`"),
            Enabled::Dependency(name) => write!(f, "optional dependency `{name}`"),
        }
    }
}

/// The findings of going from the `old` manifest to the `new` one, `new_lines` being where
/// things are in the new one (at `file`).
pub fn diff_manifests(old: &ManifestApi, new: &ManifestApi, new_lines: &ManifestLines, file: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let line_of_feature = |name: &str| new_lines.features.get(name).or(new_lines.dependencies.get(name)).copied().or(new_lines.fallback);
    let line_of_dependency = |name: &str| new_lines.dependencies.get(name).copied().or(new_lines.fallback);
    let mut finding = |rule: RuleId, bump: Bump, path: String, message: String, line: Option<u32>, before: Option<String>, after: Option<String>| {
        let change = match (&before, &after) {
            (Some(_), None) => Change::Removed,
            (None, Some(_)) => Change::Added,
            _ => Change::Changed,
        };
        findings.push(Finding {
            id: rule.rule().id.to_string(),
            change,
            required_bump: bump,
            level: Level::Deny,
            path,
            message,
            file: Some(file.to_string()),
            line,
            source: Source::Apicheck,
            lint: None,
            reference: Some(rule.rule().reference()),
            old: before,
            new: after,
            subject: None,
            acknowledged: None,
            surfaces: Vec::new(),
        });
    };
    let (old_features, new_features) = (old.nameable_features(), new.nameable_features());
    let show = |api: &ManifestApi, name: &str| match api.features.get(name) {
        Some(values) => format!("{name} = {values:?}"),
        None => format!("{name} (the implicit feature of an optional dependency)"),
    };

    for name in old_features.difference(&new_features) {
        let implicit = !old.features.contains_key(*name);
        if implicit {
            // The dependency's own rules below say why the feature went.
            continue;
        }
        finding(
            RuleId::FeatureRemoved,
            Bump::Major,
            format!("features.{name}"),
            format!("feature `{name}` is removed: a crate that enables it no longer builds"),
            new_lines.fallback,
            Some(show(old, name)),
            None,
        );
    }
    for name in new_features.difference(&old_features) {
        let what = if new.features.contains_key(*name) { "is added" } else { "is added (the implicit feature of an optional dependency)" };
        finding(RuleId::FeatureAdded, Bump::Minor, format!("features.{name}"), format!("feature `{name}` {what}"), line_of_feature(name), None, Some(show(new, name)));
    }
    for name in old_features.intersection(&new_features) {
        let lost: Vec<Enabled> = old.enables(name).difference(&new.enables(name)).filter(|enabled| new.has(enabled)).cloned().collect();
        for enabled in lost {
            let (rule, message) = if *name == "default" {
                (
                    RuleId::FeatureRemovedFromDefault,
                    format!("the default features no longer enable {enabled}: a crate that relied on it without asking now builds without it"),
                )
            } else {
                (RuleId::FeatureNoLongerEnables, format!("feature `{name}` no longer enables {enabled}: a crate that enabled `{name}` for it builds without it"))
            };
            finding(rule, Bump::Major, format!("features.{name}"), message, line_of_feature(name), Some(show(old, name)), Some(show(new, name)));
        }
    }

    for (name, before) in &old.dependencies {
        match new.dependencies.get(name) {
            // The feature of its name stays (an explicit feature now): nothing a user wrote breaks.
            None if before.implicit_feature && new_features.contains(name.as_str()) => {}
            None if before.implicit_feature => finding(
                RuleId::OptionalDependencyRemoved,
                Bump::Major,
                format!("dependencies.{name}"),
                format!("optional dependency `{name}` is removed, and with it the feature `{name}` cargo gave it: a crate that enables that feature no longer builds"),
                new_lines.fallback,
                Some(format!("{name} (optional)")),
                None,
            ),
            // Hidden behind `dep:`, its removal is seen only through the features that
            // enabled it, which still resolve (the book's compatible example).
            None => {}
            Some(after) if before.optional && !after.optional && new_features.contains(name.as_str()) => {}
            Some(after) if before.optional && !after.optional => {
                let (bump, why) = if before.implicit_feature {
                    (Bump::Major, format!("the feature `{name}` cargo gave it is gone: a crate that enables that feature no longer builds"))
                } else {
                    (Bump::Minor, "every build of the library now pulls it in, as a new dependency would".to_string())
                };
                finding(
                    RuleId::OptionalDependencyNowRequired,
                    bump,
                    format!("dependencies.{name}"),
                    format!("dependency `{name}` is no longer optional: {why}"),
                    line_of_dependency(name),
                    Some(format!("{name} (optional)")),
                    Some(name.to_string()),
                );
            }
            Some(_) => {}
        }
    }
    for (name, after) in &new.dependencies {
        if !old.dependencies.contains_key(name) && !after.optional {
            finding(
                RuleId::DependencyAdded,
                Bump::Minor,
                format!("dependencies.{name}"),
                format!("dependency `{name}` is added: every build of the library pulls it in"),
                line_of_dependency(name),
                None,
                Some(name.to_string()),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(old: &str, new: &str) -> Vec<(String, String, Bump)> {
        let (old, _) = ManifestApi::read(old).unwrap();
        let (new, lines) = ManifestApi::read(new).unwrap();
        diff_manifests(&old, &new, &lines, "Cargo.toml").into_iter().map(|f| (f.id, f.path, f.required_bump)).collect()
    }

    const PACKAGE: &str = "[package]\nname = \"p\"\nversion = \"1.0.0\"\n";

    #[test]
    fn implicit_features_follow_dep_syntax() {
        let (api, _) = ManifestApi::read(&format!(
            "{PACKAGE}[dependencies]\na = {{ version = \"1\", optional = true }}\nb = {{ version = \"1\", optional = true }}\nc = \"1\"\n[features]\nnet = [\"dep:b\"]\n"
        ))
        .unwrap();
        assert_eq!(api.nameable_features(), BTreeSet::from(["a", "net"]));
        assert!(!api.dependencies["c"].optional);
        assert_eq!(api.enables("net"), BTreeSet::from([Enabled::Dependency("b".into())]));
    }

    #[test]
    fn a_dependency_optional_in_one_table_and_required_in_another_is_required() {
        let (api, _) = ManifestApi::read(&format!(
            "{PACKAGE}[dependencies]\na = {{ version = \"1\", optional = true }}\n[target.'cfg(unix)'.dependencies]\na = \"1\"\n"
        ))
        .unwrap();
        assert!(!api.dependencies["a"].optional && !api.dependencies["a"].implicit_feature);
    }

    #[test]
    fn the_transitive_closure_decides_what_a_feature_lost() {
        let old = format!("{PACKAGE}[features]\ndefault = [\"std\"]\nstd = [\"alloc\"]\nalloc = []\n");
        // `default` still enables `alloc`, through `std`'s new spelling: nothing lost.
        let same = format!("{PACKAGE}[features]\ndefault = [\"alloc\", \"std\"]\nstd = []\nalloc = []\n");
        assert_eq!(ids(&old, &same), [("feature_no_longer_enables".into(), "features.std".into(), Bump::Major)]);
        let dropped = format!("{PACKAGE}[features]\ndefault = []\nstd = [\"alloc\"]\nalloc = []\n");
        let found = ids(&old, &dropped);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|(id, path, bump)| id == "feature_removed_from_default" && path == "features.default" && *bump == Bump::Major));
    }

    #[test]
    fn a_removed_item_is_not_also_reported_as_lost() {
        let old = format!("{PACKAGE}[features]\nfull = [\"x\"]\nx = []\n");
        let new = format!("{PACKAGE}[features]\nfull = []\n");
        assert_eq!(ids(&old, &new), [("feature_removed".into(), "features.x".into(), Bump::Major)]);
    }

    #[test]
    fn an_optional_dependency_replaced_by_a_feature_of_its_name_is_no_break() {
        // tracing-core 0.1.36 → its next release: the Cargo book's mitigation for removing an
        // optional dependency, a feature of its name that does nothing.
        let old = format!("{PACKAGE}[features]\ndefault = [\"std\"]\nstd = [\"once_cell\"]\n[dependencies]\nonce_cell = {{ version = \"1\", optional = true }}\n");
        let new = format!("{PACKAGE}[features]\ndefault = [\"std\"]\nstd = []\nonce_cell = []\n");
        assert_eq!(ids(&old, &new), []);
        // Without the feature left in its place, the feature users enabled is gone.
        let gone = format!("{PACKAGE}[features]\ndefault = [\"std\"]\nstd = []\n");
        assert_eq!(ids(&old, &gone), [("optional_dependency_removed".into(), "dependencies.once_cell".into(), Bump::Major)]);
        // A renamed optional dependency whose old name stays a feature (tracing-futures' `tokio`).
        let old = format!("{PACKAGE}[dependencies]\ntokio = {{ version = \"0.1\", optional = true }}\n");
        let new = format!("{PACKAGE}[features]\ntokio = [\"tokio_01\"]\n[dependencies]\ntokio_01 = {{ package = \"tokio\", version = \"0.1\", optional = true }}\n");
        assert_eq!(ids(&old, &new), [("feature_added".into(), "features.tokio_01".into(), Bump::Minor)]);
    }

    #[test]
    fn the_features_a_build_can_have_are_those_asked_and_what_they_turn_on() {
        // tracing-log 0.2.0's features.
        let (api, _) = ManifestApi::read(&format!(
            "{PACKAGE}[features]\ndefault = [\"log-tracer\", \"std\"]\nstd = [\"log/std\"]\nlog-tracer = []\ninterest-cache = [\"lru\", \"ahash\"]\n\
             [dependencies]\nlog = \"0.4\"\nlru = {{ version = \"0.7\", optional = true }}\nahash = {{ version = \"0.7\", optional = true }}\n"
        ))
        .unwrap();
        let names = |list: &[&str]| list.iter().map(|name| name.to_string()).collect::<BTreeSet<String>>();
        assert_eq!(api.features_turned_on(&[], false), names(&[]));
        assert_eq!(api.features_turned_on(&[], true), names(&["default", "log-tracer", "std"]));
        assert_eq!(api.features_turned_on(&["interest-cache".to_string()], false), names(&["ahash", "interest-cache", "lru"]));
    }

    #[test]
    fn lines_point_at_the_feature_or_the_dependency() {
        let (_, lines) = ManifestApi::read(&format!("{PACKAGE}\n[dependencies]\nserde = \"1\"\n\n[features]\nstd = []\n")).unwrap();
        assert_eq!(lines.dependencies["serde"], 6);
        assert_eq!(lines.features["std"], 9);
        assert_eq!(lines.fallback, Some(8));
    }

    #[test]
    fn an_invalid_manifest_is_an_error_on_one_line() {
        let error = ManifestApi::read("[features]\nstd = 3\n").unwrap_err().to_string();
        assert!(error.starts_with("line 2, column 7:") && !error.contains('\n'), "{error}");
    }
}
