#!/usr/bin/env bash
# Times `apicheck check` on fixtures/monorepo against the floor it cannot beat: one plain
# `cargo doc` of the same five packages, measured in the same run, cold (empty target
# directory) and warm (nothing changed since the previous run).
#
#   bash bench/gate.sh [RUNS] [APICHECK_BINARY]
set -euo pipefail
runs=${1:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
apicheck=${2:-$repo/target/release/apicheck}
[ -x "$apicheck" ] || (cd "$repo" && cargo build --release --locked --quiet)
manifest="$repo/fixtures/monorepo/Cargo.toml"
packages=(-p core-utils -p validation -p auth-core -p multi-tenant-core -p domain-shared)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Prints the wall time of a command in seconds.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null 2>&1
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

# median MIN MAX of the numbers on stdin
summary() {
  sort -n | awk '{ v[NR] = $1 } END { printf "%.2f s (min %.2f, max %.2f)", v[int((NR + 1) / 2)], v[1], v[NR] }'
}

declare -A results
for state in cold warm; do
  for tool in cargo-doc apicheck; do
    for run in $(seq "$runs"); do
      target="$work/$tool"
      [ "$state" = cold ] && rm -rf "$target"
      if [ "$tool" = cargo-doc ]; then
        seconds cargo doc --manifest-path "$manifest" --target-dir "$target" --no-deps --lib "${packages[@]}"
      else
        seconds "$apicheck" check --manifest-path "$manifest" --target-dir "$target"
      fi
    done > "$work/$state-$tool.times"
    results[$state-$tool]=$(summary < "$work/$state-$tool.times")
  done
done

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "fixtures/monorepo, 5 packages, $runs runs each, median (min, max)"
for state in cold warm; do
  ratio=$(echo "scale=2; $(median "$work/$state-apicheck.times") / $(median "$work/$state-cargo-doc.times")" | bc)
  echo "$state: cargo doc ${results[$state-cargo-doc]}; apicheck check ${results[$state-apicheck]}; ratio ${ratio}x"
done
