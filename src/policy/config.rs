//! `[workspace.metadata.apicheck]`: which packages are governed, where baselines live, the tag
//! pattern, the changelog file, the policy rules, lint levels and acknowledged breaks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use globset::{Glob, GlobBuilder, GlobSetBuilder};
use semver::Version;
use serde::{Deserialize, Serialize};

use crate::engine::bump::Bump;
use crate::engine::catalog;
use crate::policy::deps::DepsConfig;
use crate::policy::environment::{self, EnvironmentConfig};
use crate::policy::exposure::{self, ExposureRule};
use crate::policy::surface::{self, SurfaceConfig};
use crate::policy::feature_surfaces::{self, FeatureSurfacesConfig};
use crate::engine::findings::Level;
use crate::input::toml_error;
use crate::workspace::{Package, Workspace};

/// The configuration, with every default filled in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    /// Globs over package directories relative to the workspace root (`packages/*`) or package
    /// names. Unset: the members under `packages/`, or, when there are none, every library member
    /// that can be published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packages: Option<Vec<String>>,
    /// The baselines folder, relative to the workspace root.
    #[serde(default = "default_baselines")]
    pub baselines: PathBuf,
    /// The release tag of a package version: `{name}` and `{version}` are replaced.
    #[serde(default = "default_tag")]
    pub tag: String,
    /// The changelog file name, in each package's directory (or at the workspace root, with
    /// `changelog-location = "root"`).
    #[serde(default = "default_changelog")]
    pub changelog: String,
    /// Where the changelog is: one per package (default), or one for the whole repository at
    /// the workspace root, whose section for a release names the package and the version.
    #[serde(default, skip_serializing_if = "ChangelogLocation::is_default")]
    pub changelog_location: ChangelogLocation,
    /// Where the decision records (ADRs) are, relative to the workspace root: with `check
    /// --base`, a change to the dependency, exposure or release rules needs a new or changed
    /// file there (rule `adr-required`).
    #[serde(default = "default_adr_dir")]
    pub adr_dir: PathBuf,
    #[serde(default)]
    pub rules: Rules,
    /// Lint level overrides by rule or lint id: `allow` drops the findings, `warn` reports them
    /// without requiring a bump, `deny` makes them count.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lints: BTreeMap<String, LintLevel>,
    /// Acknowledged breaks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acknowledge: Vec<Acknowledgement>,
    /// A TOML file, relative to the workspace root, with more `[[acknowledge]]` entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledgements: Option<PathBuf>,
    /// Dependency rules between workspace packages.
    #[serde(default)]
    pub deps: DepsConfig,
    /// Features to check with, by package, besides the default ones: the API behind them is
    /// governed too (`features = { core-utils = ["serde"] }`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub features: BTreeMap<String, Vec<String>>,
    /// What other crates' items each package's API may show (see [`crate::policy::exposure`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exposure: Vec<ExposureRule>,
    /// The explicit-surface rules (see [`crate::policy::surface`]).
    #[serde(default)]
    pub surface: SurfaceConfig,
    /// The package hygiene checks (see [`crate::policy::hygiene`]).
    #[serde(default)]
    pub hygiene: crate::policy::hygiene::HygieneConfig,
    /// The rule against reading environment variables in packages (see
    /// [`crate::policy::environment`]).
    #[serde(default)]
    pub environment: EnvironmentConfig,
    /// The feature sets whose API is governed besides the default one (see
    /// [`crate::policy::feature_surfaces`]).
    #[serde(default)]
    pub feature_surfaces: FeatureSurfacesConfig,
}

/// The policy rules `check` enforces, each on by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Rules {
    /// The declared version bump must be at least the required one.
    #[serde(default = "yes")]
    pub version_bump: bool,
    /// A changed version needs a section for it in the changelog.
    #[serde(default = "yes")]
    pub changelog: bool,
    /// A release with breaking changes must say so in its changelog section.
    #[serde(default = "yes")]
    pub breaking_changelog: bool,
    /// A governed package whose baseline remains but which is gone fails.
    #[serde(default = "yes")]
    pub removed_packages: bool,
    /// An acknowledgement that matches no finding fails (it is always reported).
    #[serde(default)]
    pub stale_acknowledgements_fail: bool,
    /// The dependency rules (`[workspace.metadata.apicheck.deps]`) are part of `check`.
    #[serde(default = "yes")]
    pub dependencies: bool,
    /// With `check --base`, a change to the dependency, exposure or release rules needs a
    /// decision record in `adr-dir` in the same range (rule `adr-required`).
    #[serde(default = "yes")]
    pub adr_required: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            version_bump: true,
            changelog: true,
            breaking_changelog: true,
            removed_packages: true,
            stale_acknowledgements_fail: false,
            dependencies: true,
            adr_required: true,
        }
    }
}

/// Where the changelog the policy reads is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangelogLocation {
    /// `<package dir>/<changelog>`: a section per version (`## [2.0.0]`).
    #[default]
    Package,
    /// `<workspace root>/<changelog>`, shared: a section per release that names the package
    /// (`## core-utils 2.0.0`, `## [core-utils-v2.0.0]`).
    Root,
}

impl ChangelogLocation {
    fn is_default(&self) -> bool {
        *self == ChangelogLocation::Package
    }

    fn as_str(self) -> &'static str {
        match self {
            ChangelogLocation::Package => "package",
            ChangelogLocation::Root => "root",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LintLevel {
    Allow,
    Warn,
    Deny,
}

/// A break the maintainers accept without the bump it would require.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Acknowledgement {
    pub package: String,
    /// The finding's rule or lint id; at least one of `finding` and `path` is required.
    #[serde(default)]
    pub finding: Option<String>,
    /// The finding's item path.
    #[serde(default)]
    pub path: Option<String>,
    /// Why the break is accepted. Required.
    pub reason: String,
    /// The package version the acknowledgement was made for; it holds for the releases of that
    /// major version (Cargo's rules: 0.4.x for 0.4.1) and expires at the next one.
    pub version: Version,
}

impl Acknowledgement {
    /// Whether it still holds for a package at `version`.
    pub fn holds_for(&self, version: &Version) -> bool {
        version >= &self.version && Bump::declared(&self.version, version) < Bump::Major
    }

    pub fn matches(&self, package: &str, id: &str, lint: Option<&str>, path: &str) -> bool {
        self.package == package
            && self.finding.as_deref().is_none_or(|f| f == id || Some(f) == lint)
            && self.path.as_deref().is_none_or(|p| p == path)
    }

    /// `core-utils: function_parameter_type_changed at core_utils::add`.
    pub fn describe(&self) -> String {
        let mut text = self.package.clone();
        if let Some(finding) = &self.finding {
            text.push_str(&format!(": {finding}"));
        }
        if let Some(path) = &self.path {
            text.push_str(&format!(" at {path}"));
        }
        text
    }
}

fn default_baselines() -> PathBuf {
    PathBuf::from("baselines")
}

fn default_tag() -> String {
    "{name}-v{version}".to_string()
}

fn default_adr_dir() -> PathBuf {
    PathBuf::from("docs/adr")
}

fn default_changelog() -> String {
    "CHANGELOG.md".to_string()
}

fn yes() -> bool {
    true
}

impl Default for Config {
    fn default() -> Self {
        Config {
            packages: None,
            baselines: default_baselines(),
            tag: default_tag(),
            changelog: default_changelog(),
            changelog_location: ChangelogLocation::Package,
            adr_dir: default_adr_dir(),
            rules: Rules::default(),
            lints: BTreeMap::new(),
            acknowledge: Vec::new(),
            acknowledgements: None,
            deps: DepsConfig::default(),
            features: BTreeMap::new(),
            exposure: Vec::new(),
            surface: SurfaceConfig::default(),
            hygiene: crate::policy::hygiene::HygieneConfig::default(),
            environment: EnvironmentConfig::default(),
            feature_surfaces: FeatureSurfacesConfig::default(),
        }
    }
}

/// A file of acknowledgements named by `acknowledgements`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcknowledgementFile {
    #[serde(default)]
    acknowledge: Vec<Acknowledgement>,
}

/// Every `finding` an acknowledgement names is a rule or lint id of the catalog.
fn check_acknowledged_ids(acknowledgements: &[Acknowledgement], place: &str) -> Result<()> {
    for ack in acknowledgements {
        if let Some(id) = &ack.finding {
            catalog::check_id(id).map_err(|why| anyhow::anyhow!("{place}: the acknowledgement `{}`: {why:#}", ack.describe()))?;
        }
    }
    Ok(())
}

/// Whether `relative` names a folder inside `root`: a relative path without `..`, and, where it
/// (or a parent of it) exists, one that symbolic links do not lead out of.
fn inside_workspace(root: &Path, relative: &Path) -> std::result::Result<(), String> {
    use std::path::Component;
    if relative.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir)) {
        return Err("is not a relative path below the workspace root (it is absolute or goes up with `..`)".into());
    }
    let root = root.canonicalize().map_err(|error| format!("cannot be checked: the workspace root cannot be resolved ({error})"))?;
    // The deepest part of the path that exists decides where links lead.
    let mut existing = root.join(relative);
    while !existing.exists() {
        match existing.parent() {
            Some(parent) => existing = parent.to_path_buf(),
            None => break,
        }
    }
    let resolved = existing.canonicalize().map_err(|error| format!("cannot be resolved ({error})"))?;
    if !resolved.starts_with(&root) {
        return Err(format!("leads outside the workspace through a symbolic link (to {})", resolved.display()));
    }
    Ok(())
}

/// A glob over paths relative to the workspace root, matched segment by segment: `*` and `?`
/// never cross a `/` (`packages/*` is `packages/a`, not `packages/a/b`; `packages/**` is both).
pub(crate) fn path_glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

impl Config {
    /// Reads the configuration of `workspace` (the defaults when it has none), and the
    /// acknowledgement file it names. An error is one line, whatever the values it quotes hold.
    pub fn load(workspace: &Workspace) -> Result<Config> {
        Self::read(workspace).map_err(crate::input::one_line)
    }

    fn read(workspace: &Workspace) -> Result<Config> {
        let place = format!("[workspace.metadata.apicheck] in {}", workspace.manifest_path.display());
        let mut config: Config = match workspace.metadata.get("apicheck") {
            None | Some(serde_json::Value::Null) => Config::default(),
            Some(value) => serde_json::from_value(value.clone())
                .map_err(|error| anyhow::anyhow!("{place} is not valid: {error}"))?,
        };
        // A typo in an id would silently switch nothing off: every id is checked against the
        // catalog, where it is written.
        for id in config.lints.keys() {
            catalog::check_id(id).map_err(|why| anyhow::anyhow!("{place}: [workspace.metadata.apicheck.lints]: {why:#}"))?;
        }
        check_acknowledged_ids(&config.acknowledge, &place)?;
        crate::policy::hygiene::validate(&config.hygiene, &config.deps).map_err(|why| anyhow::anyhow!("{place}: [workspace.metadata.apicheck.hygiene]: {why:#}"))?;
        environment::validate(&config.environment, &config.deps).map_err(|why| anyhow::anyhow!("{place}: [workspace.metadata.apicheck.environment]: {why:#}"))?;
        crate::policy::deps::validate(&config.deps).map_err(|why| anyhow::anyhow!("{place}: [workspace.metadata.apicheck.deps]: {why:#}"))?;
        surface::validate(&config.surface, &config.deps).map_err(|why| anyhow::anyhow!("{place}: [workspace.metadata.apicheck.surface]: {why:#}"))?;
        feature_surfaces::validate(&config.feature_surfaces, &config.deps)
            .map_err(|why| anyhow::anyhow!("{place}: [workspace.metadata.apicheck.feature-surfaces]: {why:#}"))?;
        exposure::validate(&config.exposure, &config.deps).map_err(|why| anyhow::anyhow!("{place}: [[workspace.metadata.apicheck.exposure]]: {why:#}"))?;
        if let Some(file) = &config.acknowledgements {
            let path = workspace.root.join(file);
            let text = crate::input::read_text(&path, "acknowledgements file")
                .with_context(|| format!("cannot read the acknowledgements file {} named in {place}", path.display()))?;
            let extra: AcknowledgementFile = toml::from_str(&text).map_err(|error| {
                anyhow::anyhow!("{} is not a valid acknowledgements file: {}", path.display(), toml_error(&text, &error))
            })?;
            check_acknowledged_ids(&extra.acknowledge, &format!("the acknowledgements file {}", path.display()))?;
            config.acknowledge.extend(extra.acknowledge);
        }
        for ack in &config.acknowledge {
            if ack.finding.is_none() && ack.path.is_none() {
                bail!("{place}: the acknowledgement for `{}` names neither a `finding` nor a `path`", ack.package);
            }
            if ack.reason.trim().is_empty() {
                bail!("{place}: the acknowledgement `{}` has an empty `reason`; say why the break is accepted", ack.describe());
            }
        }
        for (package, features) in &config.features {
            if !workspace.members.iter().any(|member| &member.name == package) {
                bail!("{place}: `features` names `{package}`, which is not a member of the workspace");
            }
            if let Some(feature) = features.iter().find(|feature| feature.contains('/')) {
                bail!(
                    "{place}: `features` gives `{package}` the feature `{feature}` of a dependency; name features of `{package}` \
                     itself (declare one in its `[features]` that turns `{feature}` on)"
                );
            }
        }
        let changelog_escapes = Path::new(&config.changelog)
            .components()
            .any(|component| !matches!(component, std::path::Component::Normal(_) | std::path::Component::CurDir));
        if config.changelog.trim().is_empty() || changelog_escapes {
            bail!(
                "{place}: `changelog = \"{}\"` is not a file in each package's directory (it is empty, absolute or goes up \
                 with `..`): name it relative to the package (the default is \"CHANGELOG.md\")",
                config.changelog
            );
        }
        if !config.tag.contains("{version}") {
            bail!("{place}: `tag = \"{}\"` must contain `{{version}}`", config.tag);
        }
        inside_workspace(&workspace.root, &config.adr_dir).map_err(|why| {
            anyhow::anyhow!(
                "{place}: `adr-dir = \"{}\"` {why}: name the folder of the decision records below {} (the default is \"docs/adr\")",
                config.adr_dir.display(),
                workspace.root.display()
            )
        })?;
        inside_workspace(&workspace.root, &config.baselines).map_err(|why| {
            anyhow::anyhow!(
                "{place}: `baselines = \"{}\"` {why}: apicheck writes baselines only inside the workspace; \
                 name a folder below {} (the default is \"baselines\")",
                config.baselines.display(),
                workspace.root.display()
            )
        })?;
        Ok(config)
    }

    /// The configuration a workspace manifest's text holds (`None` without
    /// `[workspace.metadata.apicheck]`), read as [`Config::load`] reads it from cargo's metadata
    /// but without the checks against a workspace on disk: for the manifest of another revision.
    pub fn from_manifest_text(text: &str) -> Result<Option<Config>> {
        let manifest: toml::Table = toml::from_str(text).map_err(|error| anyhow::anyhow!("it is not valid TOML: {}", toml_error(text, &error)))?;
        let Some(table) = manifest.get("workspace").and_then(|workspace| workspace.get("metadata")).and_then(|metadata| metadata.get("apicheck")) else {
            return Ok(None);
        };
        let value = serde_json::to_value(table).context("its [workspace.metadata.apicheck] cannot be read as JSON")?;
        serde_json::from_value(value).map(Some).map_err(|error| anyhow::anyhow!("its [workspace.metadata.apicheck] is not valid: {error}"))
    }

    /// The governed packages, sorted by name.
    pub fn governed<'w>(&self, workspace: &'w Workspace) -> Result<Vec<&'w Package>> {
        self.governed_members(workspace).map_err(crate::input::one_line)
    }

    fn governed_members<'w>(&self, workspace: &'w Workspace) -> Result<Vec<&'w Package>> {
        let relative = |package: &Package| {
            package.dir.strip_prefix(&workspace.root).unwrap_or(&package.dir).to_string_lossy().replace('\\', "/")
        };
        let governed: Vec<&Package> = match &self.packages {
            Some(patterns) => {
                let mut builder = GlobSetBuilder::new();
                for pattern in patterns {
                    builder.add(path_glob(pattern).with_context(|| format!("`packages` pattern `{pattern}` is not a valid glob"))?);
                }
                let set = builder.build().context("cannot build the `packages` globs")?;
                workspace.members.iter().filter(|p| set.is_match(relative(p)) || set.is_match(&p.name)).collect()
            }
            None => {
                // Only libraries have a public API to govern.
                let under_packages: Vec<&Package> = workspace
                    .members
                    .iter()
                    .filter(|p| p.lib_crate.is_some() && relative(p).starts_with("packages/"))
                    .collect();
                if under_packages.is_empty() {
                    workspace.members.iter().filter(|p| p.lib_crate.is_some() && p.publishable).collect()
                } else {
                    under_packages
                }
            }
        };
        Ok(governed)
    }

    /// The release tag of `package` at `version`.
    pub fn tag_for(&self, package: &str, version: &Version) -> String {
        self.tag.replace("{name}", package).replace("{version}", &version.to_string())
    }

    /// The level a finding's id (or its lint's id) is configured at, if overridden.
    pub fn level_override(&self, id: &str, lint: Option<&str>) -> Option<LintLevel> {
        self.lints.get(id).or_else(|| lint.and_then(|l| self.lints.get(l))).copied()
    }

    /// The changelog of `package` in the workspace at `workspace_root`.
    pub fn changelog_path(&self, workspace_root: &Path, package: &Package) -> PathBuf {
        match self.changelog_location {
            ChangelogLocation::Package => package.dir.join(&self.changelog),
            ChangelogLocation::Root => workspace_root.join(&self.changelog),
        }
    }

    /// The baselines folder.
    pub fn baselines_dir(&self, workspace_root: &Path) -> PathBuf {
        workspace_root.join(&self.baselines)
    }

    /// The TOML `init` writes into the workspace manifest: this configuration's tag pattern,
    /// changelog settings, rules and dev-cycle policy, and every other default, spelled out.
    pub fn init_toml(&self) -> String {
        // Values `init` detected or was given are written as TOML strings, escaped.
        let quoted = |text: &str| toml::Value::String(text.to_string()).to_string();
        let location = if self.changelog_location.is_default() {
            "# changelog-location = \"root\"   # one changelog at the workspace root for every package\n".to_string()
        } else {
            format!("changelog-location = \"{}\"\n", self.changelog_location.as_str())
        };
        // Packages that broke a surface rule when apicheck was adopted are skipped, so that
        // adoption does not fail them at once; the comment says so.
        let mut surface_skip = "# skip = [\"packages/legacy-*\"]   # packages both rules skip\n".to_string();
        for (key, list) in [("internal-modules-skip", &self.surface.internal_modules_skip), ("glob-reexports-skip", &self.surface.glob_reexports_skip)] {
            if list.is_empty() {
                surface_skip.push_str(&format!("# {key} = []\n"));
            } else {
                let names: Vec<String> = list.iter().map(|name| quoted(name)).collect();
                surface_skip.push_str(&format!(
                    "# these packages broke the rule when apicheck was adopted: fix them, then take them out\n{key} = [{}]\n",
                    names.join(", ")
                ));
            }
        }
        let rules = &self.rules;
        format!(
            "\n[workspace.metadata.apicheck]\n\
             # Governed packages: globs over member directories or names. Unset: the members under\n\
             # packages/, or every publishable library when there are none.\n\
             # packages = [\"packages/*\"]\n\
             baselines = \"baselines\"\n\
             tag = {tag}\n\
             changelog = {changelog}\n\
             {location}\
             # adr-dir = \"docs/adr\"   # the decision records a change of the rules needs (rule `adr-required`)\n\
             \n\
             [workspace.metadata.apicheck.rules]\n\
             version-bump = {version_bump}\n\
             changelog = {changelog_rule}\n\
             breaking-changelog = {breaking_changelog}\n\
             removed-packages = {removed_packages}\n\
             stale-acknowledgements-fail = {stale}\n\
             dependencies = {dependencies}\n\
             # with `check --base`: a change to the deps, exposure or release rules needs a record in adr-dir\n\
             adr-required = {adr_required}\n\
             \n\
             # Lint levels by rule or lint id: \"allow\", \"warn\" or \"deny\".\n\
             # [workspace.metadata.apicheck.lints]\n\
             # function_must_use_added = \"allow\"\n\
             \n\
             # Features to check with, by package, besides the default ones.\n\
             # [workspace.metadata.apicheck.features]\n\
             # core-utils = [\"serde\"]\n\
             \n\
             # Dependency rules, besides the built-in ones (no cycles; packages/ depend only on packages/):\n\
             [workspace.metadata.apicheck.deps]\n\
             builtin = true\n\
             # a cycle through a dev-dependency (cargo allows it): \"deny\", \"warn\" or \"allow\"\n\
             dev-cycles = \"{dev_cycles}\"\n\
             # a known exception that no longer occurs: \"warn\" (a note) or \"fail\" (a violation)\n\
             stale-known = \"{stale_known}\"\n\
             # tags = {{ core = [\"packages/core-*\"] }}\n\
             # forbid = [{{ from = \"packages/*\", to = \"backend/**\", reason = \"packages are reusable\" }}]\n\
             # allow = [{{ from = \"tag:core\", to = [\"tag:core\"] }}]\n\
             # required = [{{ from = \"tag:adapter\", to = \"core-api\" }}]\n\
             # `{{d}}` captures part of a path, `{{!d}}` is any other value; `kinds` limits a rule:\n\
             # forbid = [{{ from = \"packages/domain-{{d}}\", to = \"packages/domain-{{!d}}\", kinds = [\"normal\", \"build\"] }}]\n\
             # layers = [\"packages/core-utils\", \"packages/*\", \"backend/*\"]\n\
             \n\
             # No public module named like an internal one (rule `internal-module`), no glob\n\
             # re-export in the public API (rule `glob-reexport`):\n\
             [workspace.metadata.apicheck.surface]\n\
             internal-modules = true\n\
             glob-reexports = true\n\
             internal-names = [\"internal\", \"imp\", \"private\", \"detail\", \"__*\"]\n\
             {surface_skip}\
             \n\
             # What every package must have (the governance document's §4 and §10); all off by default:\n\
             # [workspace.metadata.apicheck.hygiene]\n\
             # changelog = true      # its changelog file\n\
             # description = true    # `description` in its manifest\n\
             # license = true        # `license` or `license-file`\n\
             # tests = true          # a tests/ directory or #[cfg(test)] code\n\
             \n\
             # No package reads environment variables (the governance document's §9); off by default:\n\
             # [workspace.metadata.apicheck.environment]\n\
             # deny-reads = true     # std::env::var & co., env!/option_env! but Cargo's variables (rule `env-read`)\n\
             # allow = [\"packages/settings\"]   # packages that may: names, directory globs, tag:NAME\n\
             \n\
             # What other crates' items a package's API may show (std, core and alloc always):\n\
             # [[workspace.metadata.apicheck.exposure]]\n\
             # packages = [\"auth-core\"]\n\
             # deny = [\"ring::*\", \"sha2::*\"]\n\
             # reason = \"the crypto stays an implementation detail\"\n\
             \n\
             # Accepted breaks:\n\
             # [[workspace.metadata.apicheck.acknowledge]]\n\
             # package = \"core-utils\"\n\
             # finding = \"function_parameter_type_changed\"\n\
             # path = \"core_utils::slug::slugify\"\n\
             # version = \"1.3.0\"\n\
             # reason = \"why this break ships without a major release\"\n",
            tag = quoted(&self.tag),
            changelog = quoted(&self.changelog),
            version_bump = rules.version_bump,
            changelog_rule = rules.changelog,
            breaking_changelog = rules.breaking_changelog,
            removed_packages = rules.removed_packages,
            stale = rules.stale_acknowledgements_fail,
            dependencies = rules.dependencies,
            adr_required = rules.adr_required,
            surface_skip = surface_skip,
            dev_cycles = self.deps.dev_cycles.as_str(),
            stale_known = self.deps.stale_known.as_str(),
        )
    }
}

/// Applies the configured lint levels to a finding list: `allow` drops, the others set the level.
pub fn apply_levels(config: &Config, findings: &mut Vec<crate::engine::Finding>) {
    findings.retain_mut(|finding| match config.level_override(&finding.id, finding.lint.as_deref()) {
        Some(LintLevel::Allow) => false,
        Some(LintLevel::Warn) => {
            finding.level = Level::Warn;
            true
        }
        Some(LintLevel::Deny) => {
            finding.level = Level::Deny;
            true
        }
        None => true,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baselines_folder_stays_inside_the_workspace() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        assert!(inside_workspace(root.path(), Path::new("baselines")).is_ok());
        assert!(inside_workspace(root.path(), Path::new("ci/baselines")).is_ok());
        assert!(inside_workspace(root.path(), Path::new("../../x")).is_err());
        assert!(inside_workspace(root.path(), Path::new("ci/../../x")).is_err());
        assert!(inside_workspace(root.path(), outside.path()).is_err(), "an absolute path");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path(), root.path().join("linked")).unwrap();
            let error = inside_workspace(root.path(), Path::new("linked/baselines")).unwrap_err();
            assert!(error.contains("symbolic link"), "{error}");
        }
    }

    #[test]
    fn globs_match_path_segments() {
        let one_level = path_glob("packages/*").unwrap().compile_matcher();
        assert!(one_level.is_match("packages/core-utils"));
        assert!(!one_level.is_match("packages/group/inner"), "`*` does not cross `/`");
        let any_depth = path_glob("packages/**").unwrap().compile_matcher();
        assert!(any_depth.is_match("packages/group/inner"));
        assert!(path_glob("packages/core-*").unwrap().compile_matcher().is_match("packages/core-utils"));
    }

    fn ack(version: &str) -> Acknowledgement {
        Acknowledgement {
            package: "core-utils".into(),
            finding: Some("function_removed".into()),
            path: None,
            reason: "r".into(),
            version: Version::parse(version).unwrap(),
        }
    }

    #[test]
    fn acknowledgements_hold_until_the_next_major_version() {
        let v = |s: &str| Version::parse(s).unwrap();
        assert!(ack("1.3.0").holds_for(&v("1.3.0")));
        assert!(ack("1.3.0").holds_for(&v("1.4.2")));
        assert!(!ack("1.3.0").holds_for(&v("2.0.0")));
        assert!(ack("0.4.1").holds_for(&v("0.4.3")));
        assert!(!ack("0.4.1").holds_for(&v("0.5.0")));
    }

    #[test]
    fn a_toml_error_is_one_line_with_its_position() {
        let text = "[[acknowledge]]\npackage = \"core-utils\"\nreason = \"unterminated\n";
        let error = toml::from_str::<toml::Table>(text).unwrap_err();
        let rendered = toml_error(text, &error);
        assert!(rendered.starts_with("line 3, column "), "{rendered}");
        assert!(!rendered.contains('\n'), "{rendered}");
    }

    #[test]
    fn the_defaults_written_by_init_read_back_as_the_defaults() {
        let read_back = |config: &Config| -> Config {
            let text = format!("[workspace]\n{}", config.init_toml());
            let value: toml::Value = toml::from_str(&text).unwrap();
            let table = value["workspace"]["metadata"]["apicheck"].clone();
            serde_json::from_value(serde_json::to_value(table).unwrap()).unwrap()
        };
        assert_eq!(read_back(&Config::default()), Config::default());
        // What `init` detects is written back as it was detected, quotes included.
        let mut detected = Config { tag: "{name}-\"{version}".into(), changelog: "CHANGES.md".into(), ..Config::default() };
        detected.changelog_location = ChangelogLocation::Root;
        detected.rules.changelog = false;
        detected.rules.breaking_changelog = false;
        detected.deps.dev_cycles = crate::policy::deps::DevCycles::Warn;
        assert_eq!(read_back(&detected), detected);
    }
}
