#!/usr/bin/env python3
"""apicheck builds head to head on one kind of change, against the floor: `cargo doc` of what
that change must document, with apicheck's flags.

    python3 bench/headtohead.py REPO FILE PACKAGES [--private] [--rounds N] BUILD...

REPO is a workspace apicheck governs, with baselines and a warm cache (`apicheck init`, then a
`check`); FILE, a Rust file in it, gets a new function before every run (public, or private
with `--private`); PACKAGES, comma-separated package ids or names, are what the floor
documents (`cargo doc --no-deps --lib -p ...` in `target/floor`). Each round runs every BUILD's
`check`, then the floor, each after a fresh change, so that the machine's drift over the
rounds weighs on all alike; the result is, per build, the median over rounds of its time over
the floor's of the same round, and of the difference. No memory sampler runs beside (unlike
`cutoff.py`): its thread would take CPU from the check's. FILE is left with the functions
added: restore it with git.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workspace import RUSTDOC_FLAGS, UNIFICATION  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo")
    parser.add_argument("file", help="the Rust file that gets a new function before every run, relative to REPO")
    parser.add_argument("packages", help="what the floor documents: comma-separated package ids or names")
    parser.add_argument("builds", nargs="+", help="apicheck binaries")
    parser.add_argument("--private", action="store_true", help="add private functions (default: public)")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    source = os.path.join(args.repo, args.file)
    counter = iter(range(random.randrange(10**12), 10**13))
    visibility = "" if args.private else "pub "

    def change():
        with open(source, "a") as f:
            f.write(f"\n/// Added.\n#[allow(dead_code)]\n{visibility}fn head_to_head_{next(counter)}() {{}}\n")

    def timed(cmd, env=None):
        change()
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=args.repo, env={**os.environ, **(env or {})}, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode not in (0, 1):
            sys.exit(f"error: `{' '.join(cmd)}` exited with {done.returncode}:\n{done.stderr[-3000:]}")
        return elapsed

    floor = ["cargo", "doc", "--no-deps", "--lib", "--target-dir", "target/floor", *UNIFICATION]
    floor += [arg for package in args.packages.split(",") for arg in ("-p", package)]
    doc_env = {"RUSTC_BOOTSTRAP": "1", "RUSTDOCFLAGS": RUSTDOC_FLAGS}
    times = {build: [] for build in args.builds}
    floors = []
    for _ in range(args.rounds):
        for build in args.builds:
            times[build].append(timed([build, "check"]))
        floors.append(timed(floor, doc_env))
    print(f"floor: median {statistics.median(floors):.3f} s (min {min(floors):.3f}), {args.rounds} rounds")
    for build, taken in times.items():
        ratio = statistics.median(a / b for a, b in zip(taken, floors))
        difference = statistics.median(a - b for a, b in zip(taken, floors))
        print(f"{build}: median {statistics.median(taken):.3f} s (min {min(taken):.3f}); "
              f"each round against the floor: median ratio {ratio:.3f}x, median difference {difference * 1000:+.0f} ms")


if __name__ == "__main__":
    main()
