#!/usr/bin/env python3
"""apicheck against the floor and cargo-semver-checks on a real workspace: the tracing crates.

    python3 bench/workspace.py [--runs N] [--csc-runs N] [--work DIR] [--apicheck PATH]

Fetches two published releases of nine tracing crates from crates.io (cargo vendor, into a
temporary directory; nothing is committed), lays out the older release as a monorepo under
packages/ (members depending on each other by path, dev-dependencies dropped), records apicheck
baselines there and commits it, then replaces the sources by the newer release and commits again.
On that repository it times, each state N times:

  floor            one `cargo doc --no-deps` JSON run over the packages (dependencies built)
  floor, cold      the same from an empty target directory
  metadata         `cargo metadata --no-deps`, what any run pays first
  rustdoc, one     `cargo rustdoc` JSON of the changed package alone
  apicheck         check: cold (empty target dir), warm with no change, one package changed,
                   all changed
  semver-checks    cargo-semver-checks on the same packages against the older release's commit,
                   in the same four states (installed with `cargo install --locked` if absent)

and prints medians, min and max, the ratios the targets are stated in, and peak memory:
apicheck's own peak RSS (VmHWM, sampled), and the peak RSS summed over its process tree.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

OLD = {
    "tracing-core": "0.1.32", "tracing": "0.1.40", "tracing-attributes": "0.1.27",
    "tracing-subscriber": "0.3.18", "tracing-log": "0.2.0", "tracing-serde": "0.1.3",
    "tracing-appender": "0.2.3", "tracing-error": "0.2.0", "tracing-futures": "0.2.5",
}
NEW = {
    "tracing-core": "0.1.33", "tracing": "0.1.41", "tracing-attributes": "0.1.28",
    "tracing-subscriber": "0.3.19", "tracing-log": "0.2.0", "tracing-serde": "0.2.0",
    "tracing-appender": "0.2.3", "tracing-error": "0.2.1", "tracing-futures": "0.2.5",
}
# A package no other member depends on: a typical one-package pull request.
CHANGED = "tracing-appender"
RUSTDOC_FLAGS = "-Z unstable-options --output-format json --document-private-items --document-hidden-items --cap-lints allow"
# apicheck documents with features unified across the workspace; the floor does the same work.
UNIFICATION = ["-Zfeature-unification", "--config", 'resolver.feature-unification="workspace"']
CSC_VERSION = "0.51.0"


def run(cmd, cwd, env=None, check=True, quiet=True):
    result = subprocess.run(cmd, cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL if quiet else None,
                            stderr=subprocess.PIPE if quiet else None, text=True)
    if check and result.returncode != 0:
        sys.exit(f"error: `{' '.join(map(str, cmd))}` failed in {cwd}:\n{result.stderr}")
    return result.returncode


def fetch(versions, into):
    """The published sources of `versions`, through `cargo vendor` of a throwaway package."""
    into.mkdir(parents=True)
    deps = "\n".join(f'{name} = "={version}"' for name, version in versions.items())
    (into / "Cargo.toml").write_text(f'[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n{deps}\n')
    (into / "src").mkdir()
    (into / "src/lib.rs").write_text("")
    run(["cargo", "vendor", "--versioned-dirs", "vendor"], into)
    return {name: into / "vendor" / f"{name}-{version}" for name, version in versions.items()}


def normalized_manifest(text, members):
    """A published Cargo.toml as a monorepo member: dev-dependencies, tests, benches and examples
    dropped; dependencies on other members by path."""
    out, skip = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            header = stripped.strip("[]")
            skip = ("dev-dependencies" in header or header in ("test", "bench", "example")
                    or header.startswith("badges"))
            if not skip:
                out.append(line)
                dep = header.rsplit(".", 1)[-1]
                if ("dependencies." in header) and dep in members:
                    out.append(f'path = "../{dep}"')
            continue
        if not skip:
            out.append(line)
    return "\n".join(out) + "\n"


def lay_out(sources, repo):
    packages = repo / "packages"
    if packages.exists():
        shutil.rmtree(packages)
    for name, source in sources.items():
        target = packages / name
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(".cargo-checksum.json", "Cargo.toml.orig",
                                                                      ".cargo_vcs_info.json", "tests", "benches", "examples"))
        manifest = target / "Cargo.toml"
        manifest.write_text(normalized_manifest(manifest.read_text(), sources))


def apicheck_binary(given):
    """`given`, or apicheck built from this repository (release)."""
    if given is None:
        print("building apicheck (release)...", flush=True)
        root = Path(__file__).resolve().parent.parent
        run(["cargo", "build", "--release", "--locked", "--quiet"], root)
        given = root / "target" / "release" / "apicheck"
    return given.resolve()


def git(repo, *args):
    run(["git", "-c", "user.name=bench", "-c", "user.email=bench@apicheck.invalid", *args], repo)


class Sampler:
    """Peak RSS of a process (its own VmHWM) and of its whole process tree (summed), sampled."""

    def __init__(self, pid):
        self.pid, self.own, self.tree, self.done = pid, 0, 0, False
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.done:
            hwm = status_kib(self.pid, "VmHWM")
            if hwm:
                self.own = max(self.own, hwm)
            self.tree = max(self.tree, sum(status_kib(p, "VmRSS") or 0 for p in descendants(self.pid)))
            time.sleep(0.02)

    def stop(self):
        self.done = True
        self.thread.join()


def status_kib(pid, field):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def descendants(root):
    # A child's pid is above its parent's until the pids wrap around (rare: a process missed
    # then only lowers the peak). Reading only those keeps a sample about 10 times cheaper; its
    # thread takes CPU from the measured process's own threads.
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) > root:
            try:
                parents[int(entry)] = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return tree


def timed(cmd, cwd, env=None, ok=(0,), memory=True):
    """Wall seconds, own peak RSS (MiB), tree peak RSS (MiB) of one run; without `memory`, no
    sampler runs beside it (its thread takes CPU from the run's) and the peaks are 0."""
    start = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = Sampler(process.pid) if memory else None
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - start
    if sampler:
        sampler.stop()
    if process.returncode not in ok:
        sys.exit(f"error: `{' '.join(map(str, cmd))}` exited with {process.returncode}:\n{stderr[-3000:]}")
    return elapsed, (sampler.own / 1024 if sampler else 0), (sampler.tree / 1024 if sampler else 0)


class Bench:
    def __init__(self, memory=True):
        """`memory`: sample each run's peak memory (for `table`); a benchmark that reports only
        times leaves it off, so that no sampler takes CPU from the runs it times."""
        self.results = {}
        self.memory = memory

    def measure(self, name, runs, prepare, cmd, cwd, env=None, ok=(0,)):
        samples = []
        for _ in range(runs):
            prepare()
            samples.append(timed(cmd, cwd, env, ok, self.memory))
        self.results[name] = samples
        times = [s[0] for s in samples]
        print(f"  {name:<34} median {statistics.median(times):8.3f} s   (min {min(times):.3f}, max {max(times):.3f}, "
              f"{len(times)} runs)", flush=True)

    def measure_interleaved(self, runs, entries):
        """Like `measure` for each of `entries` (name, prepare, cmd, cwd, env, ok), taking their
        runs in turn (a run of each, then the next round), so that the machine's drift over the
        rounds falls on all of them alike."""
        samples = {entry[0]: [] for entry in entries}
        for _ in range(runs):
            for name, prepare, cmd, cwd, env, ok in entries:
                prepare()
                samples[name].append(timed(cmd, cwd, env, ok, self.memory))
        for name, taken in samples.items():
            self.results[name] = taken
            times = [s[0] for s in taken]
            print(f"  {name:<34} median {statistics.median(times):8.3f} s   (min {min(times):.3f}, max {max(times):.3f}, "
                  f"{len(times)} runs)", flush=True)

    def median(self, name):
        return statistics.median(s[0] for s in self.results[name])

    def paired_ratio(self, name, reference):
        """The median over rounds of `name`'s time over `reference`'s in the same round, for runs
        taken in turn (`measure_interleaved`): the drift between rounds cancels out, which the
        ratio of two medians keeps."""
        return statistics.median(a[0] / b[0] for a, b in zip(self.results[name], self.results[reference]))

    def table(self):
        print("\n| state | median | min | max | own peak RSS | tree peak RSS |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for name, samples in self.results.items():
            times = [s[0] for s in samples]
            print(f"| {name} | {statistics.median(times):.3f} s | {min(times):.3f} s | {max(times):.3f} s | "
                  f"{max(s[1] for s in samples):.0f} MiB | {max(s[2] for s in samples):.0f} MiB |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs of each apicheck and floor state (default 3)")
    parser.add_argument("--csc-runs", type=int, default=None,
                        help="runs of each cargo-semver-checks state (default: --runs; 0 leaves cargo-semver-checks out)")
    parser.add_argument("--work", type=Path, default=None, help="where to build the workspace (default: a new temp dir)")
    parser.add_argument("--apicheck", type=Path, default=None, help="the apicheck binary (default: build it, release)")
    args = parser.parse_args()
    csc_runs = args.runs if args.csc_runs is None else args.csc_runs
    root = Path(__file__).resolve().parent.parent

    apicheck = apicheck_binary(args.apicheck)
    if csc_runs > 0 and shutil.which("cargo-semver-checks") is None:
        print(f"installing cargo-semver-checks {CSC_VERSION} (cargo install --locked; about 10 minutes)...", flush=True)
        run(["cargo", "install", "--locked", "cargo-semver-checks", "--version", CSC_VERSION], root)

    work = args.work or Path(tempfile.mkdtemp(prefix="apicheck-bench-"))
    print(f"workspace in {work}", flush=True)
    old, new = fetch(OLD, work / "fetch-old"), fetch(NEW, work / "fetch-new")
    repo = work / "repo"
    repo.mkdir()
    (repo / "Cargo.toml").write_text(
        '[workspace]\nmembers = ["packages/*"]\nresolver = "2"\n\n'
        '[workspace.metadata.apicheck]\npackages = ["packages/*"]\n\n'
        '[workspace.metadata.apicheck.rules]\nchangelog = false\nbreaking-changelog = false\ndependencies = false\n')
    (repo / ".gitignore").write_text("target/\n")
    lay_out(old, repo)
    git(repo, "init", "--quiet", "--initial-branch=main")
    target = repo / "target"
    run([str(apicheck), "baseline", "--all"], repo)
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "older release, with baselines")
    git(repo, "tag", "old")
    lay_out(new, repo)
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "newer release")

    names = list(NEW)
    package_args = [arg for name in names for arg in ("-p", name)]
    doc_env = {"RUSTC_BOOTSTRAP": "1", "RUSTDOCFLAGS": RUSTDOC_FLAGS}
    floor = ["cargo", "doc", "--no-deps", "--lib", *package_args]
    check = [str(apicheck), "check"]
    csc = ["cargo", "semver-checks", "check-release", *package_args, "--baseline-rev", "old"]
    # cargo-semver-checks exits with 100 when it finds breaking changes.
    csc_verdicts = (0, 100)
    # A check that finds breaking changes exits 1; both tools' verdicts are beside the point.
    verdicts = (0, 1)
    counter = iter(range(1_000_000))

    def change(name):
        lib = repo / "packages" / name / "src" / "lib.rs"
        with open(lib, "a") as f:
            # Private: a proc-macro crate may export nothing else than its macros.
            f.write(f"\n#[allow(dead_code)]\nfn bench_added_{next(counter)}() {{}}\n")

    def change_all():
        for name in names:
            change(name)

    def restore():
        git(repo, "checkout", "--quiet", "--", "packages")

    def wipe():
        restore()
        shutil.rmtree(target, ignore_errors=True)

    def nothing():
        pass

    bench = Bench()
    print(f"\ntiming ({args.runs} runs per state, {csc_runs} for cargo-semver-checks):", flush=True)
    bench.measure("floor, cold: cargo doc JSON", args.runs, wipe, floor, repo, doc_env)
    bench.measure("floor: cargo doc JSON", args.runs, restore, floor, repo, doc_env)
    bench.measure("cargo metadata --no-deps", args.runs, nothing,
                  ["cargo", "metadata", "--no-deps", "--format-version", "1"], repo)
    bench.measure("cargo metadata", args.runs, nothing, ["cargo", "metadata", "--format-version", "1"], repo)
    bench.measure(f"cargo rustdoc JSON of {CHANGED}", args.runs, lambda: change(CHANGED),
                  ["cargo", "rustdoc", "-p", CHANGED, "--lib", "--", *RUSTDOC_FLAGS.split()], repo, {"RUSTC_BOOTSTRAP": "1"})
    restore()
    bench.measure("apicheck: cold", args.runs, wipe, check, repo, ok=verdicts)
    run(check, repo, check=False)
    bench.measure("apicheck: warm, no change", args.runs, nothing, check, repo, ok=verdicts)
    bench.measure(f"apicheck: one changed ({CHANGED})", args.runs, lambda: change(CHANGED), check, repo, ok=verdicts)
    bench.measure("apicheck: all changed", args.runs, change_all, check, repo, ok=verdicts)
    restore()
    states = ["cold", "warm, no change", f"one changed ({CHANGED})", "all changed"]
    if csc_runs > 0:
        bench.measure("semver-checks: cold", csc_runs, wipe, csc, repo, ok=csc_verdicts)
        bench.measure("semver-checks: warm, no change", csc_runs, restore, csc, repo, ok=csc_verdicts)
        bench.measure(f"semver-checks: one changed ({CHANGED})", csc_runs, lambda: change(CHANGED), csc, repo, ok=csc_verdicts)
        bench.measure("semver-checks: all changed", csc_runs, change_all, csc, repo, ok=csc_verdicts)
        restore()
    bench.table()

    m = bench.median
    print("\n| target | measured | goal |")
    print("| --- | ---: | --- |")
    print(f"| warm, no change / cargo metadata | {m('apicheck: warm, no change') / m('cargo metadata'):.2f}x | <= 1.5x |")
    print(f"| warm, no change / cargo metadata --no-deps | {m('apicheck: warm, no change') / m('cargo metadata --no-deps'):.2f}x | |")
    print(f"| one changed / cargo rustdoc of it alone | {m(f'apicheck: one changed ({CHANGED})') / m(f'cargo rustdoc JSON of {CHANGED}'):.2f}x | <= 1.2x |")
    print(f"| all changed / floor | {m('apicheck: all changed') / m('floor: cargo doc JSON'):.2f}x | <= 1.1x |")
    print(f"| cold / floor, cold | {m('apicheck: cold') / m('floor, cold: cargo doc JSON'):.2f}x | |")
    for state in states if csc_runs > 0 else []:
        print(f"| semver-checks / apicheck, {state} | {m(f'semver-checks: {state}') / m(f'apicheck: {state}'):.1f}x | >= 5x |")
    own = max(s[1] for name, samples in bench.results.items() if name.startswith("apicheck") for s in samples)
    print(f"| apicheck's own peak RSS | {own:.0f} MiB | < 200 MB |")


if __name__ == "__main__":
    main()
