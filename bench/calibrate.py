#!/usr/bin/env python3
"""Calibration corpus: apicheck's verdicts on real crates.io releases.

    nice -n 19 python3 bench/calibrate.py [--crates a,b,c] [--jobs N] [--versions N]
        [--apicheck PATH] [--work DIR] [--out-md PATH] [--out-json PATH]
        [--versions-from RESULTS_JSON] [--skip-diff]

Re-run after an engine change, on exactly the same pairs (only the diffs run again, the rustdoc
JSON is cached): nice -n 19 python3 bench/calibrate.py --versions-from /work/calib/results.json

For every library crate in CRATES below, takes its newest --versions (default 5) releases
(yanked releases and pre-releases left out, ordered by version), fetches each release with cargo
alone (a throw-away package under WORK/probe/ that depends on `name = "=X.Y.Z"`), generates its
rustdoc JSON with the flags apicheck uses (`RUSTC_BOOTSTRAP=1`, RUSTDOCFLAGS below,
`cargo doc --no-deps --lib -p name@X.Y.Z`, a shared CARGO_TARGET_DIR under WORK) and keeps it as
WORK/json/<name>-<version>.json. A file that is already there is not generated again, so a re-run
after an engine change only re-runs the diffs. A release that does not document with this
toolchain is recorded as skipped, with the reason.

Then, for every pair of consecutive releases that both documented, runs
`apicheck diff --baseline OLD.json --current NEW.json --format json` and records the authors'
declared bump, apicheck's required bump, the bump from cargo-semver-checks' deny lints alone and
the findings. Writes a Markdown report (--out-md) and a JSON report (--out-json).

Declared bump (Cargo's SemVer compatibility; build metadata ignored):
  X.y.z, X >= 1:  X changes -> major; y changes -> minor; z changes -> patch
  0.Y.z, Y >= 1:  Y changes -> major; z changes -> minor-or-patch (Cargo cannot tell them apart)
  0.0.Z:          every change -> major
A pair agrees when the required bump is allowed by the declared one and is of its class:
  declared major: required major agrees, lower is "looser" (authors bumped more than needed);
  declared minor: minor agrees, none/patch is looser, major is "stricter";
  declared patch: none/patch agree, minor/major is stricter;
  declared minor-or-patch: none/patch/minor agree, major is stricter.
"Stricter" pairs are the ones to triage: a break the authors shipped, or a false alarm.

Network: crates.io only (through cargo). The version list is read from cargo's own sparse-index
cache (~/.cargo/registry/index/*/.cache/) after `cargo generate-lockfile` on a probe that depends
on `name = "*"`; that cache file lists every published version with its yanked flag.
"""

import argparse
import concurrent.futures
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

RUSTDOC_FLAGS = ("-Z unstable-options --output-format json --document-private-items "
                 "--document-hidden-items --cap-lints allow")

# (crate, why it is in the corpus). Popular library crates (no proc-macro crates) with few and
# light dependencies, so that documenting five releases of each stays fast.
CRATES = [
    # Numbers, encodings and checksums: small, heavily used, many releases.
    ("itoa", "integer formatting; tiny API, a 1.x crate"),
    ("ryu", "float formatting; tiny 1.x API"),
    ("num-traits", "numeric traits; large trait surface, blanket impls"),
    ("num-integer", "integer traits; trait-heavy 0.1.x"),
    ("byteorder", "extension traits over io::Read/Write, 1.x"),
    ("hex", "encoding traits with generic impls"),
    ("base64", "engine/config API, frequent 0.x majors"),
    ("crc32fast", "small hasher API"),
    ("adler2", "small hasher API"),
    ("siphasher", "Hasher impls, 1.x"),
    ("fnv", "single Hasher type, 1.x"),
    # Text.
    ("memchr", "SIMD search; module-heavy API with many re-exports"),
    ("aho-corasick", "builder API, 1.x"),
    ("regex-syntax", "large AST/HIR enums (exhaustive-enum rules)"),
    ("strsim", "free functions with generic bounds"),
    ("heck", "case-conversion traits"),
    ("unicode-width", "traits on str/char"),
    ("unicode-segmentation", "iterator types with lifetimes"),
    ("unicode-ident", "two functions; a stable 1.x baseline"),
    ("textwrap", "options struct with lifetimes and generics"),
    ("smol_str", "string type with many trait impls"),
    ("percent-encoding", "AsciiSet consts and iterator types"),
    ("form_urlencoded", "serializer with generic target trait"),
    ("semver", "Version/VersionReq types, 1.x"),
    ("humantime", "Duration/timestamp formatting, errors"),
    ("utf8parse", "parser with a Receiver trait"),
    ("anstyle", "style types with const fns"),
    ("shlex", "free functions and a Shlex iterator"),
    # Collections and buffers.
    ("smallvec", "generic container with const-generic Array trait"),
    ("arrayvec", "const-generic containers"),
    ("tinyvec", "container enums, many trait impls"),
    ("indexmap", "generic maps with Equivalent bounds"),
    ("hashbrown", "generic hash maps, raw-table API"),
    ("equivalent", "one trait with a blanket impl"),
    ("slab", "simple generic container, 0.4.x"),
    ("fixedbitset", "bitset with many operator impls"),
    ("bit-vec", "bit vector with generic storage parameter"),
    ("bytes", "Buf/BufMut traits, Bytes types, 1.x"),
    ("either", "enum with a huge impl surface, 1.x"),
    ("itertools", "large extension trait with many adaptors"),
    # Initialization, synchronization and async building blocks.
    ("once_cell", "OnceCell/Lazy with sync and unsync modules"),
    ("lazy_static", "macro_rules crate, 1.x"),
    ("spin", "lock types with generic relax strategies"),
    ("scopeguard", "guard type with a Strategy trait"),
    ("futures-core", "Stream/Future traits, object-safety"),
    ("futures-sink", "one trait with impls on pointers"),
    ("pin-project-lite", "macro_rules crate"),
    ("bitflags", "macro_rules crate plus a Flags trait"),
    ("cfg-if", "macro_rules crate"),
    ("static_assertions", "macro_rules crate"),
    ("memoffset", "macro_rules crate"),
    # Errors and logging.
    ("anyhow", "error type, Context extension trait"),
    ("log", "logging facade, 0.4.x with many patch releases"),
    ("termcolor", "writer types and traits"),
    ("ansi_term", "old style crate, 0.12.x"),
    ("atty", "one function and an enum"),
    # Web and data formats.
    ("http", "request/response types, 1.x"),
    ("httparse", "zero-copy parser with lifetimes"),
    ("mime", "constants and a Mime type"),
    ("url", "Url type, 2.x"),
    ("serde", "the serialization traits"),
    ("serde_json", "Value type and (de)serializers"),
    ("toml", "serde-based format crate"),
    ("uuid", "Uuid type with many feature-gated constructors"),
    # Files, randomness and platform.
    ("walkdir", "directory iterator, 2.x"),
    ("same-file", "Handle type"),
    ("glob", "pattern types and iterators"),
    ("camino", "UTF-8 path types mirroring std::path"),
    ("home", "two functions"),
    ("fastrand", "Rng type and free functions, 2.x"),
    ("rand_core", "RngCore/SeedableRng traits"),
    ("getrandom", "one function and an Error type"),
    ("zeroize", "traits with many impls on std types"),
    ("subtle", "constant-time traits with operator impls"),
    ("dyn-clone", "trait plus macro_rules"),
    ("autocfg", "build-script helper, 1.x"),
    ("version_check", "build-script helper"),
    ("rustc-hash", "hasher types, 2.x"),
]

PROBE_MANIFEST = """[package]
name = "apicheck-calib-probe"
version = "0.0.0"
edition = "2021"
publish = false

[lib]
path = "lib.rs"

[dependencies]
{dep} = "{req}"

[workspace]
"""

ORDER = {"none": 0, "patch": 1, "minor": 2, "major": 3}

_print_lock = threading.Lock()


def log(message):
    with _print_lock:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M:%S")
        print(f"[{stamp}] {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# Versions


def parse_version(text):
    core = text.split("+", 1)[0]
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)(?:-(.*))?", core)
    if not match:
        return None
    return (int(match[1]), int(match[2]), int(match[3])), match[4]


def index_cache_path(name):
    lower = name.lower()
    if len(lower) <= 2:
        rel = Path(str(len(lower))) / lower
    elif len(lower) == 3:
        rel = Path("3") / lower[0] / lower
    else:
        rel = Path(lower[:2]) / lower[2:4] / lower
    cargo_home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    for index in sorted((cargo_home / "registry" / "index").glob("index.crates.io-*")):
        candidate = index / ".cache" / rel
        if candidate.exists():
            return candidate
    return None


def write_probe(directory, dep, req):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Cargo.toml").write_text(PROBE_MANIFEST.format(dep=dep, req=req))
    (directory / "lib.rs").write_text("")


def list_versions(name, work):
    """Every published version of NAME as (version, yanked), read from cargo's index cache."""
    probe = work / "probe" / f"_versions-{name}"
    write_probe(probe, name, "*")
    result = subprocess.run(["cargo", "generate-lockfile"], cwd=probe, capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise RuntimeError(f"cargo generate-lockfile for {name}: {last_error(result.stderr)}")
    cache = index_cache_path(name)
    if cache is None:
        raise RuntimeError(f"no sparse-index cache entry for {name}")
    versions = []
    for chunk in cache.read_bytes().split(b"\0"):
        if not chunk.startswith(b"{"):
            continue
        try:
            entry = json.loads(chunk)
        except ValueError:
            continue
        if entry.get("name", "").lower() == name.lower():
            versions.append((entry["vers"], bool(entry.get("yanked"))))
    return versions


def pick_versions(versions, count):
    usable = {}
    for version, yanked in versions:
        parsed = parse_version(version)
        if parsed is None or yanked or parsed[1] is not None or "+" in version:
            continue
        usable[parsed[0]] = version
    return [usable[key] for key in sorted(usable)][-count:]


def declared_bump(old, new):
    (a, b, c), _ = parse_version(old)
    (x, y, z), _ = parse_version(new)
    if a >= 1 or x >= 1:
        if x != a:
            return "major"
        return "minor" if y != b else "patch"
    if b >= 1 or y >= 1:
        return "major" if y != b else "minor-or-patch"
    return "major"


def compare(declared, required):
    """agree, stricter (apicheck requires more than declared) or looser."""
    if required is None:
        return None
    level = ORDER[required]
    if declared == "major":
        return "agree" if level == 3 else "looser"
    if declared == "minor":
        return "agree" if level == 2 else ("stricter" if level > 2 else "looser")
    if declared == "patch":
        return "agree" if level <= 1 else "stricter"
    # minor-or-patch
    return "agree" if level <= 2 else "stricter"


# ---------------------------------------------------------------------------------------------
# rustdoc JSON


def last_error(stderr, limit=400):
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.lstrip().startswith("error")]
    text = " | ".join((errors or lines)[-3:])
    return text[:limit]


def lib_target(probe, name, version):
    """(lib crate name, kind list, source dir) of name@version in the probe's graph."""
    result = subprocess.run(["cargo", "metadata", "--format-version", "1"], cwd=probe,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"cargo metadata: {last_error(result.stderr)}")
    for package in json.loads(result.stdout)["packages"]:
        if package["name"] == name and package["version"] == version:
            for target in package["targets"]:
                kinds = target["kind"]
                if any(k in ("lib", "rlib", "dylib", "proc-macro") for k in kinds):
                    return (target["name"].replace("-", "_"), kinds,
                            str(Path(package["manifest_path"]).parent))
            return None, [], str(Path(package["manifest_path"]).parent)
    raise RuntimeError(f"{name}@{version} not in the probe's dependency graph")


def generate(name, version, work, target_dir):
    """Returns (status, detail): ("ok", path), ("cached", path) or ("skipped", reason)."""
    out = work / "json" / f"{name}-{version}.json"
    if out.exists():
        return "cached", str(out)
    probe = work / "probe" / f"{name}-{version}"
    write_probe(probe, name, f"={version}")
    lock = subprocess.run(["cargo", "generate-lockfile"], cwd=probe, capture_output=True,
                          text=True)
    if lock.returncode != 0:
        return "skipped", f"does not resolve: {last_error(lock.stderr)}"
    try:
        crate_name, kinds, _ = lib_target(probe, name, version)
    except RuntimeError as error:
        return "skipped", str(error)
    if crate_name is None:
        return "skipped", "no library target"
    if "proc-macro" in kinds:
        return "skipped", "proc-macro crate"
    env = dict(os.environ, RUSTC_BOOTSTRAP="1", RUSTDOCFLAGS=RUSTDOC_FLAGS,
               CARGO_TARGET_DIR=str(target_dir))
    env.pop("CARGO_ENCODED_RUSTDOCFLAGS", None)
    produced = target_dir / "doc" / f"{crate_name}.json"
    if produced.exists():
        produced.unlink()
    result = subprocess.run(["cargo", "doc", "--no-deps", "--lib", "-p", f"{name}@{version}"],
                            cwd=probe, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        return "skipped", f"does not document with this toolchain: {last_error(result.stderr)}"
    if not produced.exists():
        return "skipped", f"cargo doc succeeded but {produced.name} was not written"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    shutil.copyfile(produced, tmp)
    tmp.replace(out)
    return "ok", str(out)


# ---------------------------------------------------------------------------------------------
# Diffs


def run_diff(apicheck, old_json, new_json):
    result = subprocess.run([apicheck, "diff", "--baseline", old_json, "--current", new_json,
                             "--format", "json", "--color", "never"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        return None, f"exit {result.returncode}: {last_error(result.stderr or result.stdout)}"
    try:
        return json.loads(result.stdout), None
    except ValueError as error:
        return None, f"unparsable output: {error}"


def lints_bump(report):
    best = "none"
    for finding in report.get("findings", []):
        if finding.get("source") in ("cargo-semver-checks", "both") and \
                finding.get("level") == "deny":
            bump = finding.get("required_bump", "none")
            if ORDER.get(bump, 0) > ORDER[best]:
                best = bump
    return best


def diff_pair(apicheck, name, old, new, work):
    pair = {"crate": name, "old": old, "new": new, "declared": declared_bump(old, new)}
    report, error = run_diff(apicheck, str(work / "json" / f"{name}-{old}.json"),
                             str(work / "json" / f"{name}-{new}.json"))
    if error:
        pair.update(status="error", error=error)
        return pair
    required = report.get("required_bump", "none")
    lints = lints_bump(report)
    pair.update(
        status="ok",
        lints_ran=report.get("lints_ran"),
        required=required,
        lints_required=lints,
        verdict=compare(pair["declared"], required),
        lints_verdict=compare(pair["declared"], lints) if report.get("lints_ran") else None,
        findings=[{
            "id": f.get("id"),
            "path": f.get("path"),
            "required_bump": f.get("required_bump"),
            "level": f.get("level"),
            "source": f.get("source"),
            "change": f.get("change"),
            "lint": f.get("lint"),
            "message": f.get("message"),
            "old": f.get("old"),
            "new": f.get("new"),
        } for f in report.get("findings", [])],
    )
    return pair


# ---------------------------------------------------------------------------------------------
# Reports


def counts(pairs, key):
    out = {"agree": 0, "stricter": 0, "looser": 0}
    for pair in pairs:
        verdict = pair.get(key)
        if verdict in out:
            out[verdict] += 1
    return out


def write_markdown(path, data):
    pairs = [p for p in data["pairs"] if p["status"] == "ok"]
    overall = counts(pairs, "verdict")
    lints = counts([p for p in pairs if p.get("lints_ran")], "lints_verdict")
    lines = [
        "# apicheck calibration corpus",
        "",
        f"Generated {data['generated']} by `bench/calibrate.py` with `{data['apicheck']}` "
        f"({data['apicheck_version']}, sha256 {data['apicheck_sha256'][:12]}), {data['rustc']}.",
        "",
        f"{len(data['crates'])} crates, {len(pairs)} release pairs diffed "
        f"({sum(1 for p in data['pairs'] if p['status'] != 'ok')} pairs not diffed).",
        "",
        "| engine | pairs | agree | stricter than declared | looser than declared |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| apicheck (`required_bump`) | {sum(overall.values())} | {overall['agree']} | "
        f"{overall['stricter']} | {overall['looser']} |",
        f"| cargo-semver-checks lints only (deny) | {sum(lints.values())} | {lints['agree']} | "
        f"{lints['stricter']} | {lints['looser']} |",
        "",
        "Declared bump (rows) against apicheck's required bump (columns):",
        "",
        "| declared | pairs | none | patch | minor | major |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for declared in ("patch", "minor-or-patch", "minor", "major"):
        row = [p for p in pairs if p["declared"] == declared]
        cells = " | ".join(str(sum(1 for p in row if p["required"] == level))
                           for level in ("none", "patch", "minor", "major"))
        lines.append(f"| {declared} | {len(row)} | {cells} |")
    lines += [
        "",
        "## Pairs",
        "",
        "| crate | old | new | declared | apicheck | lints only | verdict | findings "
        "(major/minor, apicheck + both + lints) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for pair in data["pairs"]:
        if pair["status"] != "ok":
            lines.append(f"| {pair['crate']} | {pair['old']} | {pair['new']} | "
                         f"{pair['declared']} | – | – | not diffed: "
                         f"{md_escape(pair.get('error', ''))} | |")
            continue
        majors = [f for f in pair["findings"]
                  if f["required_bump"] == "major" and f["level"] == "deny"]
        minors = [f for f in pair["findings"]
                  if f["required_bump"] == "minor" and f["level"] == "deny"]
        detail = f"{len(majors)}/{len(minors)}"
        if majors:
            shown = ", ".join(f"`{f['id']}` {f['path']}" for f in majors[:4])
            more = f" (+{len(majors) - 4})" if len(majors) > 4 else ""
            detail += f": {md_escape(shown)}{more}"
        lines.append(f"| {pair['crate']} | {pair['old']} | {pair['new']} | {pair['declared']} | "
                     f"{pair['required']} | {pair['lints_required']} | **{pair['verdict']}** | "
                     f"{detail} |")
    lines += ["", "## Releases not documented", ""]
    skipped = [(c["name"], v) for c in data["crates"] for v in c["versions"]
               if v["status"] == "skipped"]
    if not skipped:
        lines.append("None.")
    for name, version in skipped:
        lines.append(f"- {name} {version['version']}: {md_escape(version['reason'])}")
    lines.append("")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text("\n".join(lines))


def md_escape(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def tool_version(command):
    try:
        return subprocess.run(command, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"


# ---------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--crates", help="comma-separated subset of the corpus (or other crates)")
    parser.add_argument("--jobs", type=int, default=1, help="parallel jobs (default 1)")
    parser.add_argument("--versions", type=int, default=5,
                        help="newest releases per crate (default 5: 4 pairs)")
    parser.add_argument("--apicheck", default="/tmp/apicheck-calib/apicheck")
    parser.add_argument("--work", default="/work/calib", help="JSON cache, probes, target dirs")
    parser.add_argument("--out-md", default="/work/calib/results.md")
    parser.add_argument("--out-json", default="/work/calib/results.json")
    parser.add_argument("--skip-diff", action="store_true",
                        help="only generate rustdoc JSON")
    parser.add_argument("--versions-from", metavar="RESULTS_JSON",
                        help="take each crate's releases from an earlier --out-json report "
                             "instead of the index (same pairs as that run, no index look-up)")
    args = parser.parse_args()

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    reasons = dict(CRATES)
    names = [c.strip() for c in args.crates.split(",")] if args.crates else [c for c, _ in CRATES]
    jobs = max(1, args.jobs)

    # 1. Versions.
    pinned = {}
    if args.versions_from:
        earlier = json.loads(Path(args.versions_from).read_text())
        pinned = {c["name"]: [v["version"] for v in c["versions"]] for c in earlier["crates"]}
        if not args.crates:
            names = [c["name"] for c in earlier["crates"]]
    crates = []
    for name in names:
        entry = {"name": name, "reason": reasons.get(name, "given with --crates"), "versions": []}
        try:
            if name in pinned:
                picked = pinned[name]
            else:
                picked = pick_versions(list_versions(name, work), args.versions)
        except RuntimeError as error:
            entry["error"] = str(error)
            log(f"{name}: cannot list versions: {error}")
            crates.append(entry)
            continue
        entry["versions"] = [{"version": v, "status": "pending"} for v in picked]
        log(f"{name}: {', '.join(picked)}")
        crates.append(entry)

    # 2. rustdoc JSON: jobs workers, each with its own target dir (two cargo runs cannot share
    # one: cargo locks it, and the JSON of two releases of a crate lands at the same path).
    tasks = [(c, v) for c in crates for v in c["versions"]]
    slots = list(range(jobs))
    slot_lock = threading.Lock()

    def document(task):
        crate, version = task
        with slot_lock:
            slot = slots.pop()
        try:
            target = work / ("target" if slot == 0 else f"target-{slot}")
            status, detail = generate(crate["name"], version["version"], work, target)
        except Exception as error:  # noqa: BLE001 - recorded, the run goes on
            status, detail = "skipped", f"internal error: {error}"
        finally:
            with slot_lock:
                slots.append(slot)
        version["status"] = status
        if status == "skipped":
            version["reason"] = detail
        log(f"{crate['name']} {version['version']}: {status}"
            + (f" ({detail})" if status == "skipped" else ""))

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        list(pool.map(document, tasks))

    if args.skip_diff:
        return

    # 3. Diffs of consecutive releases.
    pair_tasks = []
    for crate in crates:
        versions = crate["versions"]
        for old, new in zip(versions, versions[1:]):
            pair_tasks.append((crate["name"], old, new))

    def diff_task(task):
        name, old, new = task
        if old["status"] == "skipped" or new["status"] == "skipped":
            gone = old if old["status"] == "skipped" else new
            return {"crate": name, "old": old["version"], "new": new["version"],
                    "declared": declared_bump(old["version"], new["version"]),
                    "status": "skipped", "error": f"{gone['version']} not documented"}
        pair = diff_pair(args.apicheck, name, old["version"], new["version"], work)
        log(f"diff {name} {old['version']} -> {new['version']}: declared {pair['declared']}, "
            f"apicheck {pair.get('required', pair.get('error'))}, "
            f"lints {pair.get('lints_required', '-')}")
        return pair

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        pairs = list(pool.map(diff_task, pair_tasks))

    data = {
        "schema": 1,
        "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "apicheck": args.apicheck,
        "apicheck_version": tool_version([args.apicheck, "--version"]),
        "apicheck_sha256": hashlib.sha256(Path(args.apicheck).read_bytes()).hexdigest(),
        "rustc": tool_version(["rustc", "--version"]),
        "rustdoc_flags": RUSTDOC_FLAGS,
        "crates": crates,
        "pairs": pairs,
        "summary": {
            "apicheck": counts([p for p in pairs if p["status"] == "ok"], "verdict"),
            "lints_only": counts([p for p in pairs if p["status"] == "ok" and p.get("lints_ran")],
                                 "lints_verdict"),
            "pairs_diffed": sum(1 for p in pairs if p["status"] == "ok"),
            "pairs_not_diffed": sum(1 for p in pairs if p["status"] != "ok"),
        },
    }
    Path(args.out_json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out_json).write_text(json.dumps(data, indent=2) + "\n")
    write_markdown(args.out_md, data)
    log(f"wrote {args.out_md} and {args.out_json}: {data['summary']}")


if __name__ == "__main__":
    sys.exit(main())
