#!/usr/bin/env python3
"""What a change costs `apicheck check`, against what it must re-document and against
cargo-semver-checks: tokio-rs/tracing and generated workspaces, in one run.

    python3 bench/cutoff.py [--sizes 10,50,100] [--tracing URL_OR_PATH] [--tracing-lock FILE]
                            [--runs N] [--csc-runs N] [--surfaces on|off|both] [--apicheck PATH] [--csc PATH]

Workspaces (each in a new temporary directory, deleted afterwards):

  tracing    tokio-rs/tracing at f40ccdaa, cloned with git (`--tracing`, default the GitHub
             repository; `--tracing ''` leaves it out), its Cargo.lock replaced by
             `--tracing-lock` when given, adopted with `apicheck init` and committed; with
             `--surfaces off` on the default feature surface only, with `--surfaces both` once
             each way (the floor documents the default surface only). Root:
             tracing-core; leaf: tracing-appender; middle: tracing-subscriber.
  generated  N library packages (bench/scale.py's generator): every one depends on pkg-000 (the
             root); the last one is the leaf.

States, each N runs (every run makes a fresh change of its kind; apicheck and its floor take their
runs in turn, so that the machine's drift weighs on both alike; the table gives the ratio of the
medians, and `paired`, the median of each round's ratio, which the drift between rounds does
not move):

  no change            nothing changed since the previous check
  leaf changed         a public function appended to the leaf
  root, private        a private function appended to the root
  middle, private      the same to the middle package (tracing only)
  root, public         a public function appended to the root
  all changed          a private function appended to every governed package

Each state's floor is the rustdoc JSON of exactly what must be documented after that change,
with apicheck's flags, in a target directory of its own kept warm: the changed package for a
private change or a leaf, the root and every governed package that depends on it for a public
change of the root, every governed package when all changed; for "no change" it is
`cargo metadata --no-deps`, which any run pays. cargo-semver-checks runs
`--workspace --baseline-rev` the adoption commit, warm (its target directory kept) in every
state and cold (empty target directory) once (`cargo install --locked cargo-semver-checks
--version 0.51.0`, the version apicheck's lints come from; on PATH, or given with `--csc`).
"""

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from scale import generate
from workspace import RUSTDOC_FLAGS, UNIFICATION, Bench, apicheck_binary, git, run

TRACING_REPO = "https://github.com/tokio-rs/tracing"
TRACING_COMMIT = "f40ccdaa"
DOC_ENV = {"RUSTC_BOOTSTRAP": "1", "RUSTDOCFLAGS": RUSTDOC_FLAGS}
VERDICTS = (0, 1)


def governed(repo, apicheck):
    """The packages apicheck governs, by its JSON report."""
    result = subprocess.run([apicheck, "check", "--format", "json"], cwd=repo, capture_output=True, text=True)
    if result.returncode not in VERDICTS:
        raise SystemExit(f"error: apicheck check failed in {repo}:\n{result.stderr}")
    return sorted(package["name"] for package in json.loads(result.stdout)["packages"])


def dependents(repo, names, root):
    """`root` and the packages of `names` that depend on it, directly or not (not through
    dev-dependencies)."""
    metadata = json.loads(subprocess.run(["cargo", "metadata", "--no-deps", "--format-version", "1"],
                                         cwd=repo, capture_output=True, text=True, check=True).stdout)
    edges = {package["name"]: {d["name"] for d in package["dependencies"] if d["kind"] != "dev"}
             for package in metadata["packages"]}
    reached, changed = {root}, True
    while changed:
        changed = False
        for name in names:
            if name not in reached and edges.get(name, set()) & reached:
                reached.add(name)
                changed = True
    return sorted(reached)


class Workspace:
    def __init__(self, label, repo, root, leaf, middle, apicheck, csc, args):
        self.label, self.repo, self.root, self.leaf, self.middle = label, repo, root, leaf, middle
        self.apicheck, self.csc, self.args = apicheck, csc, args
        self.names = governed(repo, apicheck)
        metadata = json.loads(subprocess.run(["cargo", "metadata", "--no-deps", "--format-version", "1"],
                                             cwd=repo, capture_output=True, text=True, check=True).stdout)
        # Package id specs: a member can share its name with a crates.io release in the lockfile.
        self.ids = {package["name"]: package["id"] for package in metadata["packages"]}
        self.base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True,
                                   check=True).stdout.strip()
        self.counter = iter(range(1_000_000))
        # Times only: no memory sampler beside the runs.
        self.bench = Bench(memory=False)
        # By state: what must be documented after its change (None: nothing).
        self.must = {}

    def source(self, name):
        metadata = json.loads(subprocess.run(["cargo", "metadata", "--no-deps", "--format-version", "1"],
                                             cwd=self.repo, capture_output=True, text=True, check=True).stdout)
        package = next(p for p in metadata["packages"] if p["name"] == name)
        lib = next(t for t in package["targets"] if {"lib", "proc-macro", "rlib"} & set(t["kind"]))
        return Path(lib["src_path"])

    def change(self, name, visibility):
        with open(self.source(name), "a") as f:
            f.write(f"\n/// Added.\n#[allow(dead_code)]\n{visibility}fn bench_added_{next(self.counter)}() {{}}\n")

    def floor(self, names):
        packages = [arg for name in names for arg in ("-p", self.ids[name])]
        return ["cargo", "doc", "--no-deps", "--lib", "--target-dir", "target/floor", *UNIFICATION, *packages]

    def measure(self):
        repo, bench, runs = self.repo, self.bench, self.args.runs
        check = [self.apicheck, "check"]
        csc = [self.csc, "semver-checks", "--workspace", "--baseline-rev", self.base]
        # Warm both target directories.
        run(check, repo, check=False)
        run(self.floor(self.names), repo, DOC_ENV)
        states = [
            ("no change", lambda: None, None),
            ("leaf changed", lambda: self.change(self.leaf, "pub "), [self.leaf]),
            ("root, private", lambda: self.change(self.root, ""), [self.root]),
        ]
        if self.middle:
            states.append(("middle, private", lambda: self.change(self.middle, ""), [self.middle]))
        states += [
            ("root, public", lambda: self.change(self.root, "pub "), dependents(repo, self.names, self.root)),
            ("all changed", lambda: [self.change(name, "") for name in self.names], self.names),
        ]
        print(f"\n{self.label}: {len(self.names)} governed packages in {repo}", flush=True)
        for state, change, must in states:
            # apicheck and its floor in turn, each after a fresh change: the machine's drift
            # over a state's runs then weighs on both alike.
            if must is None:
                floor = (f"floor: {state}", lambda: None, ["cargo", "metadata", "--no-deps", "--format-version", "1"], repo, None, (0,))
            else:
                floor = (f"floor: {state}", change, self.floor(must), repo, DOC_ENV, (0,))
            bench.measure_interleaved(runs, [(f"apicheck: {state}", change, check, repo, None, VERDICTS), floor])
            if self.args.csc_runs > 0:
                bench.measure(f"semver-checks warm: {state}", self.args.csc_runs, change, csc, repo, ok=VERDICTS)
            self.must[state] = must
        if self.args.csc_runs > 0:
            bench.measure("semver-checks cold", 1, lambda: shutil.rmtree(repo / "target", ignore_errors=True),
                          csc, repo, ok=VERDICTS)
        self.states = [state for state, _, _ in states]

    def rows(self):
        m = self.bench.median
        for state in self.states:
            must = self.must[state]
            documented = "metadata" if must is None else f"{len(must)} documented"
            ratio = m(f"apicheck: {state}") / m(f"floor: {state}")
            paired = self.bench.paired_ratio(f"apicheck: {state}", f"floor: {state}")
            csc = ""
            if self.args.csc_runs > 0:
                csc = (f" | {m(f'semver-checks warm: {state}'):.2f} s ({m(f'semver-checks warm: {state}') / m(f'apicheck: {state}'):.1f}x)"
                       f" | {m('semver-checks cold'):.2f} s ({m('semver-checks cold') / m(f'apicheck: {state}'):.1f}x)")
            yield (f"| {self.label} | {state} | {m(f'apicheck: {state}'):.2f} s | {m(f'floor: {state}'):.2f} s ({documented}) "
                   f"| {ratio:.2f}x | {paired:.2f}x{csc} |")


SURFACES_OFF = """
[workspace.metadata.apicheck.feature-surfaces]
all-features = false
no-default-features = false
"""


def tracing(args, apicheck, csc, work, surfaces="on"):
    repo = work / f"tracing-surfaces-{surfaces}"
    run(["git", "clone", "--quiet", args.tracing, str(repo)], work)
    run(["git", "checkout", "--quiet", TRACING_COMMIT], repo)
    if args.tracing_lock:
        shutil.copy(args.tracing_lock, repo / "Cargo.lock")
    (repo / ".gitignore").write_text((repo / ".gitignore").read_text() + "\n/target\n"
                                     if (repo / ".gitignore").exists() else "/target\n")
    run([apicheck, "init"], repo)
    if surfaces == "off":
        # The default surface only: what apicheck documented before feature surfaces.
        with open(repo / "Cargo.toml", "a") as manifest:
            manifest.write(SURFACES_OFF)
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "adopt apicheck")
    return Workspace(f"tracing, surfaces {surfaces}", repo, "tracing-core", "tracing-appender", "tracing-subscriber", apicheck, csc, args)


def generated(size, args, apicheck, csc, work):
    repo = work / f"generated-{size}"
    repo.mkdir()
    generate(repo, size)
    git(repo, "init", "--quiet", "--initial-branch=main")
    run([apicheck, "baseline", "--all"], repo)
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "generated")
    return Workspace(f"{size} packages", repo, "pkg-000", f"pkg-{size - 1:03}", None, apicheck, csc, args)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,50,100", help="generated workspaces' sizes ('' for none)")
    parser.add_argument("--tracing", default=TRACING_REPO, help="where to clone tracing from ('' leaves it out)")
    parser.add_argument("--tracing-lock", type=Path, default=None, help="a Cargo.lock to build tracing with")
    parser.add_argument("--runs", type=int, default=3, help="runs of each apicheck and floor state (default 3)")
    parser.add_argument("--csc-runs", type=int, default=1,
                        help="runs of each warm cargo-semver-checks state (default 1; 0 leaves it out)")
    parser.add_argument("--surfaces", choices=["on", "off", "both"], default="on",
                        help="tracing with its feature surfaces (default), on its default surface only, or both")
    parser.add_argument("--apicheck", type=Path, default=None, help="the apicheck binary (default: build it, release)")
    parser.add_argument("--csc", default="cargo-semver-checks", help="the cargo-semver-checks binary")
    args = parser.parse_args()
    apicheck = str(apicheck_binary(args.apicheck))

    work = Path(tempfile.mkdtemp(prefix="apicheck-cutoff-"))
    rows = []
    try:
        workspaces = []
        if args.tracing:
            for surfaces in (["off", "on"] if args.surfaces == "both" else [args.surfaces]):
                workspaces.append(lambda surfaces=surfaces: tracing(args, apicheck, args.csc, work, surfaces))
        for size in [int(s) for s in args.sizes.split(",") if s]:
            workspaces.append(lambda size=size: generated(size, args, apicheck, args.csc, work))
        for make in workspaces:
            workspace = make()
            workspace.measure()
            rows.extend(workspace.rows())
            shutil.rmtree(workspace.repo, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    csc_header = " | semver-checks warm | semver-checks cold" if args.csc_runs > 0 else ""
    print(f"\n| workspace | state | apicheck | floor (what must be documented) | apicheck / floor | paired{csc_header} |")
    print("| --- | --- | ---: | ---: | ---: | ---: |" + (" ---: | ---: |" if args.csc_runs > 0 else ""))
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
