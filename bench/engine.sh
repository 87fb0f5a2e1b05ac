#!/usr/bin/env bash
# Benchmarks the API engine on a large real crate: syn with all features, two releases apart.
# Fetches both releases from crates.io into target/bench-engine (nothing third-party is committed),
# generates their rustdoc JSON the way apicheck does, then runs benches/engine.rs on the pair.
#
#   bash bench/engine.sh [OLD_VERSION] [NEW_VERSION] [RUNS]
set -euo pipefail
old=${1:-2.0.90}
new=${2:-2.0.110}
runs=${3:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
# Generated projects and their rustdoc JSON stay under target/ so that reruns skip the doc step.
work="$repo/target/bench-engine"
mkdir -p "$work"

features='"full", "extra-traits", "visit", "visit-mut", "fold", "printing", "parsing", "proc-macro", "clone-impls", "derive"'
for version in "$old" "$new"; do
  dir="$work/syn-$version"
  mkdir -p "$dir/src"
  cat > "$dir/Cargo.toml" <<TOML
[package]
name = "bench-syn-$(echo "$version" | tr . -)"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
syn = { version = "=$version", features = [$features] }

[workspace]
TOML
  : > "$dir/src/lib.rs"
  [ -f "$dir/target/doc/syn.json" ] && continue
  echo "generating rustdoc JSON for syn $version" >&2
  (cd "$dir" && RUSTC_BOOTSTRAP=1 \
    RUSTDOCFLAGS='-Z unstable-options --output-format json --document-private-items --document-hidden-items --cap-lints allow' \
    cargo doc --quiet --no-deps --package "syn@$version")
done

cd "$repo"
cargo bench --bench engine -- "$work/syn-$old/target/doc/syn.json" "$work/syn-$new/target/doc/syn.json" "$runs"
