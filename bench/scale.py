#!/usr/bin/env python3
"""Cost grows with what changed, not with the workspace: apicheck on generated workspaces.

    python3 bench/scale.py [--sizes 10,50,100] [--runs N] [--apicheck PATH]

For each size, generates a workspace of that many library packages under packages/ (each with
forty public items; every package depends on the first one), records baselines, commits, and
times, N runs each: the floor (one `cargo doc` JSON run over all packages), `apicheck check`
warm with no change, `apicheck check` with one leaf package changed, and with the root (the
first package) changed privately (a private function appended) or publicly (a public function
appended). Each root state has its own floor, the rustdoc JSON of exactly what must be
documented, after the same kind of change: the root alone for a private change, every package
for a public one. Prints one table.
"""

import argparse
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from workspace import RUSTDOC_FLAGS, Bench, apicheck_binary, git, run

LIB = """//! Generated package {index}.

{dependency}

/// A record.
#[derive(Debug, Clone, PartialEq)]
pub struct Record{index} {{
    pub id: u64,
    pub name: String,
}}

/// Something that can be named.
pub trait Named{index} {{
    fn name(&self) -> &str;
}}

impl Named{index} for Record{index} {{
    fn name(&self) -> &str {{
        &self.name
    }}
}}

{functions}
"""


def generate(root, size):
    (root / "Cargo.toml").write_text(
        '[workspace]\nmembers = ["packages/*"]\nresolver = "2"\n\n'
        '[workspace.metadata.apicheck.rules]\nchangelog = false\nbreaking-changelog = false\n')
    (root / ".gitignore").write_text("target/\n")
    for index in range(size):
        name = f"pkg-{index:03}"
        package = root / "packages" / name
        (package / "src").mkdir(parents=True)
        dependency = '' if index == 0 else '[dependencies]\npkg-000 = { path = "../pkg-000", version = "1.0.0" }\n'
        (package / "Cargo.toml").write_text(
            f'[package]\nname = "{name}"\nversion = "1.0.0"\nedition = "2021"\nlicense = "MIT"\n\n{dependency}')
        functions = "\n".join(
            f"/// Function {f}.\npub fn function_{f}(input: &Record{index}, factor: u32) -> Option<u64> {{\n"
            f"    input.id.checked_mul(u64::from(factor) + {f})\n}}\n" for f in range(36))
        uses = "" if index == 0 else "pub use pkg_000::Record0 as CoreRecord;"
        (package / "src" / "lib.rs").write_text(LIB.format(index=index, dependency=uses, functions=functions))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,50,100")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--apicheck", type=Path, default=None, help="the apicheck binary (default: build it, release)")
    args = parser.parse_args()
    apicheck = str(apicheck_binary(args.apicheck))

    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        work = Path(tempfile.mkdtemp(prefix=f"apicheck-scale-{size}-"))
        generate(work, size)
        git(work, "init", "--quiet", "--initial-branch=main")
        run([apicheck, "baseline", "--all"], work)
        git(work, "add", "-A")
        git(work, "commit", "--quiet", "-m", "generated")
        leaf = work / "packages" / f"pkg-{size - 1:03}" / "src" / "lib.rs"
        counter = iter(range(1_000_000))

        def change_leaf():
            with open(leaf, "a") as f:
                f.write(f"\n/// Added.\npub fn added_{next(counter)}() {{}}\n")

        root_source = work / "packages" / "pkg-000" / "src" / "lib.rs"

        def change_root(visibility):
            def change():
                with open(root_source, "a") as f:
                    f.write(f"\n/// Added.\n#[allow(dead_code)]\n{visibility}fn root_added_{next(counter)}() {{}}\n")
            return change

        print(f"{size} packages in {work}:", flush=True)
        bench = Bench()
        packages = [arg for i in range(size) for arg in ("-p", f"pkg-{i:03}")]
        bench.measure("floor: cargo doc JSON, all", args.runs, lambda: None,
                      ["cargo", "doc", "--no-deps", "--lib", *packages], work,
                      {"RUSTC_BOOTSTRAP": "1", "RUSTDOCFLAGS": RUSTDOC_FLAGS})
        run([apicheck, "check"], work, check=False)
        bench.measure("apicheck: warm, no change", args.runs, lambda: None, [apicheck, "check"], work, ok=(0, 1))
        bench.measure("apicheck: one changed", args.runs, change_leaf, [apicheck, "check"], work, ok=(0, 1))
        doc_env = {"RUSTC_BOOTSTRAP": "1", "RUSTDOCFLAGS": RUSTDOC_FLAGS}
        bench.measure("apicheck: root changed privately", args.runs, change_root(""), [apicheck, "check"], work, ok=(0, 1))
        bench.measure("floor: cargo doc JSON, root", args.runs, change_root(""),
                      ["cargo", "doc", "--no-deps", "--lib", "-p", "pkg-000"], work, doc_env)
        bench.measure("apicheck: root changed publicly", args.runs, change_root("pub "), [apicheck, "check"], work, ok=(0, 1))
        bench.measure("floor: cargo doc JSON, all, root changed", args.runs, change_root("pub "),
                      ["cargo", "doc", "--no-deps", "--lib", *packages], work, doc_env)
        rows.append((size, bench))
        shutil.rmtree(work, ignore_errors=True)

    print("\n| packages | floor: cargo doc, all | check, no change | check, one changed | one changed / floor "
          "| root private: check / floor (root) | root public: check / floor (all, root changed) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size, bench in rows:
        floor, warm, one = (bench.median(n) for n in ("floor: cargo doc JSON, all", "apicheck: warm, no change", "apicheck: one changed"))
        private, private_floor = bench.median("apicheck: root changed privately"), bench.median("floor: cargo doc JSON, root")
        public, public_floor = bench.median("apicheck: root changed publicly"), bench.median("floor: cargo doc JSON, all, root changed")
        print(f"| {size} | {floor:.2f} s | {warm:.2f} s | {one:.2f} s | {one / floor:.2f}x "
              f"| {private:.2f} s / {private_floor:.2f} s = {private / private_floor:.2f}x "
              f"| {public:.2f} s / {public_floor:.2f} s = {public / public_floor:.2f}x |")
    base = rows[0][1].median("apicheck: one changed")
    print("\none changed, relative to the smallest workspace: " +
          ", ".join(f"{size}: {bench.median('apicheck: one changed') / base:.2f}x" for size, bench in rows))


if __name__ == "__main__":
    main()
