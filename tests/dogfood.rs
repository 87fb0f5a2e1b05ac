//! apicheck gates its own library API: a change to it needs a version bump, a CHANGELOG.md
//! section, and then `cargo run -- baseline` to record the new release's API.

mod support;

use std::process::Command;

#[test]
fn apicheck_passes_its_own_gate() {
    let output = Command::new(env!("CARGO_BIN_EXE_apicheck"))
        .args(["check", "--manifest-path"])
        .arg(support::repo_root().join("Cargo.toml"))
        .arg("--target-dir")
        .arg(support::fixture_target_dir("self"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "apicheck's own API changed without what its release policy asks:\n{report}\n{}\n\
         If the change is intended: bump `version` in Cargo.toml, describe it in CHANGELOG.md, then \
         record the API with `cargo run -- baseline` and commit baselines/apicheck.",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(report.contains("✓ pass  apicheck"), "{report}");
}
