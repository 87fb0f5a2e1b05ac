#!/usr/bin/env python3
"""Where a check's time goes outside rustdoc: apicheck builds against the floor, by the kernel's
own clock.

    python3 bench/phases.py REPO FILE PACKAGE [--private] [--rounds N] BUILD...

REPO is a workspace apicheck governs, with baselines and a warm cache (`apicheck init`, then a
`check`); FILE, a Rust file of PACKAGE (a package id or name), gets a new function before every
run (public, or private with `--private`); the floor is `cargo doc --no-deps --lib -p PACKAGE`
with apicheck's flags in `target/floor`, so use a change that documents PACKAGE alone. Each
round runs the floor, then every BUILD's `check`, under `perf record` of two scheduler events,
a process's exec and its exit (Debian's linux-perf; as root, or with
`kernel.perf_event_paranoid` low enough for tracepoints). From them, per run:

  before rustdoc   from the command's start to rustdoc's exec: cargo's own start, and, for
                   apicheck, its planning and keys before it starts cargo
  rustdoc          rustdoc's own run, the same work for the floor and every build
  after rustdoc    from rustdoc's exit to the command's: cargo's end, and, for apicheck, the
                   JSON stored and the package compared and reported

and the medians over the rounds. rustdoc's run is most of the time and most of its variance
(a shared machine's other load falls on it, not on apicheck), which `headtohead.py`'s totals
carry; the other two columns are what apicheck adds, and are told apart from run to run
within a few ms. A build that slows rustdoc itself (work beside it) shows in the middle column.
FILE is left with the functions added: restore it with git.
"""

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workspace import RUSTDOC_FLAGS, UNIFICATION  # noqa: E402

EVENT = re.compile(r"\s*(?P<comm>\S.*?)\s+(?P<pid>\d+)\s+(?P<time>[\d.]+):\s+sched:(?P<event>\w+):\s*(?P<trace>.*)")


def phases(cmd, cwd, env, data):
    """Milliseconds before rustdoc, of rustdoc, after rustdoc, for one run of `cmd`."""
    subprocess.run(["perf", "record", "--quiet", "-e", "sched:sched_process_exec", "-e", "sched:sched_process_exit",
                    "-o", data, "--", *cmd], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    script = subprocess.run(["perf", "script", "-i", data, "-F", "comm,pid,time,event,trace"],
                            capture_output=True, text=True, check=True).stdout
    start = command = end = None
    # rustdoc processes by pid: exec and exit. rustup's proxy execs the toolchain's rustdoc in
    # place (one pid); the longest-lived is the run that documents (not a `rustdoc -vV`).
    rustdocs = {}
    for line in script.splitlines():
        event = EVENT.match(line)
        if not event:
            continue
        pid, time = int(event["pid"]), float(event["time"])
        if start is None:
            start, command = time, pid
        if event["event"] == "sched_process_exec" and "/rustdoc" in event["trace"]:
            rustdocs.setdefault(pid, [time, None])
        elif event["event"] == "sched_process_exit" and pid in rustdocs:
            rustdocs[pid][1] = time
        elif event["event"] == "sched_process_exit" and pid == command:
            end = time
    runs = [(exec_, exit_) for exec_, exit_ in rustdocs.values() if exit_ is not None]
    if not runs or end is None:
        sys.exit(f"error: no rustdoc run, or no exit, in `perf record` of `{' '.join(cmd)}`: does the change document "
                 "the package, and can perf record sched tracepoints here?")
    rustdoc_exec, rustdoc_exit = max(runs, key=lambda run: run[1] - run[0])
    return 1000 * (rustdoc_exec - start), 1000 * (rustdoc_exit - rustdoc_exec), 1000 * (end - rustdoc_exit)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo")
    parser.add_argument("file", help="the Rust file that gets a new function before every run, relative to REPO")
    parser.add_argument("package", help="the package FILE belongs to: what the floor documents")
    parser.add_argument("builds", nargs="+", help="apicheck binaries")
    parser.add_argument("--private", action="store_true", help="add private functions (default: public)")
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args()

    source = os.path.join(args.repo, args.file)
    visibility = "" if args.private else "pub "
    floor = ["cargo", "doc", "--no-deps", "--lib", "--target-dir", "target/floor", *UNIFICATION, "-p", args.package]
    floor_env = {**os.environ, "RUSTC_BOOTSTRAP": "1", "RUSTDOCFLAGS": RUSTDOC_FLAGS}
    runs = [("floor", floor, floor_env)] + [(build, [os.path.abspath(build), "check"], dict(os.environ)) for build in args.builds]
    taken = {name: [] for name, _, _ in runs}
    with tempfile.TemporaryDirectory(prefix="apicheck-phases-") as work:
        data = os.path.join(work, "perf.data")
        # A round to warm every target directory, not counted.
        for round_ in range(args.rounds + 1):
            for name, cmd, env in runs:
                with open(source, "a") as f:
                    f.write(f"\n#[allow(dead_code)]\n{visibility}fn phases_added_{random.randrange(1 << 48)}() {{}}\n")
                measured = phases(cmd, args.repo, env, data)
                if round_ > 0:
                    taken[name].append(measured)
    print("| run | before rustdoc | rustdoc | after rustdoc | outside rustdoc | beyond the floor's |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    outside = {name: statistics.median(before + after for before, _, after in samples) for name, samples in taken.items()}
    for name, samples in taken.items():
        before, rustdoc, after = (statistics.median(sample[column] for sample in samples) for column in range(3))
        print(f"| {name} | {before:.1f} ms | {rustdoc:.1f} ms | {after:.1f} ms | {outside[name]:.1f} ms "
              f"| {outside[name] - outside['floor']:+.1f} ms |")
    print(f"\nmedians of {args.rounds} rounds")


if __name__ == "__main__":
    main()
