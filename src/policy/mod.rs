//! The policy layer: the rules a workspace sets for itself and their verdicts, as pure
//! functions of what the lower layers found. [`config`] reads
//! `[workspace.metadata.apicheck]`; [`versioning`] judges the declared version, the changelog
//! entry ([`changelog`]) and the acknowledgements against the findings; [`deps`] checks the
//! dependency rules between packages; [`exposure`] the other crates a package's API may show; [`surface`] that no public module
//! is named like an internal one and no glob re-export is public; [`hygiene`] that each package has
//! its changelog, description, license and tests; [`environment`] that no package reads
//! environment variables; [`decisions`] which changes of the configuration need a decision
//! record; [`feature_surfaces`] which feature sets of a package are governed.
//! It never runs cargo or git.

pub mod changelog;
pub mod config;
pub mod decisions;
pub mod deps;
pub mod environment;
pub mod exposure;
pub mod feature_surfaces;
pub mod hygiene;
pub mod surface;
pub mod versioning;
