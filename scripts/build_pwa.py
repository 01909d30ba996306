#!/usr/bin/env python3
"""Build the phone app's shell: its ES modules as one bundle, the service worker's precache list,
and a brotli and a gzip copy beside every text file the browser loads, so the server sends each
file compressed without compressing it per request (app/common/static_files.py).

    make pwa                               # npm ci --prefix pwa when pwa/node_modules is missing, then this
    python scripts/build_pwa.py            # bundle (esbuild from pwa/node_modules), precache list, copies
    python scripts/build_pwa.py --check    # exit 1 when anything it writes is out of date (needs no npm)
    python scripts/build_pwa.py --root D   # for another copy of pwa/ (tests, the benchmark)

The bundle's first line records a SHA-256 of its sources (every .js file under js/ but the two
classic scripts the page loads on its own, plus pwa/package-lock.json and the esbuild options), so --check
tells a stale bundle without esbuild. bundle/precompressed.json names each compressed file with the
SHA-256 of its content; the server sends a copy only while the file still has that content.
"""
import argparse
import gzip
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import brotli

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_precache  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = "bundle/app.js"
RECORD = "bundle/precompressed.json"
CATALOGUE = "js/i18n/zh-CN.js"
CLASSIC = {"js/boot.js", CATALOGUE}  # loaded by the page as they are, not bundled
ESBUILD_ARGS = ["--bundle", "--format=esm", "--minify", "--target=es2020", "--legal-comments=none", "--charset=utf8"]
# Text files the browser loads (the page, the worker and what it imports); icons are PNG already.
COMPRESSED = ["index.html", "manifest.webmanifest", "css/app.css", "js/boot.js", CATALOGUE, BUNDLE, "sw.js",
              build_precache.OUTPUT]
HEADER = re.compile(r"^// Built by scripts/build_pwa\.py from js/app\.js and its imports \(esbuild ([\w.]+)\)\. "
                    r"Do not edit\. Sources: ([0-9a-f]{64})\n")


def esbuild_version(root):
    lock = json.loads((root / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/esbuild"]["version"]


def sources_hash(root):
    """SHA-256 of what the bundle is made from: the modules, the pinned tools, the options."""
    digest = hashlib.sha256(" ".join(ESBUILD_ARGS).encode())
    digest.update((root / "package-lock.json").read_bytes())
    for path in sorted((root / "js").rglob("*.js")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and rel not in CLASSIC:
            digest.update(f"\0{rel}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def bundle(root):
    """esbuild js/app.js -> bundle/app.js, its first line naming the sources' hash."""
    esbuild = ROOT / "pwa" / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        sys.exit(f"{esbuild} not found: run npm ci --prefix pwa (or make pwa)")
    installed = subprocess.run([str(esbuild), "--version"], capture_output=True, text=True, check=False).stdout.strip()
    if installed != esbuild_version(root):  # the header would name the lockfile's, not what built it
        sys.exit(f"esbuild {installed} installed, {esbuild_version(root)} locked: run npm ci --prefix pwa")
    res = subprocess.run([str(esbuild), str(root / "js" / "app.js"), *ESBUILD_ARGS, "--log-level=warning"],
                         capture_output=True, check=False)
    if res.returncode != 0:
        sys.exit(res.stderr.decode() or f"esbuild failed ({res.returncode})")
    header = (f"// Built by scripts/build_pwa.py from js/app.js and its imports (esbuild {esbuild_version(root)}). "
              f"Do not edit. Sources: {sources_hash(root)}\n")
    target = root / BUNDLE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(header.encode() + res.stdout)


def precompress(root, files=COMPRESSED):
    """A .br and a .gz beside each text file, and the record of what each was made from."""
    record = {}
    for rel in files:
        data = (root / rel).read_bytes()
        (root / f"{rel}.br").write_bytes(brotli.compress(data, quality=11, mode=brotli.MODE_TEXT))
        (root / f"{rel}.gz").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
        record[rel] = hashlib.sha256(data).hexdigest()
    (root / RECORD).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def problems(root):
    """What is out of date, in words; empty when the build is current."""
    found = []
    match = HEADER.match((root / BUNDLE).read_text(encoding="utf-8")) if (root / BUNDLE).exists() else None
    if not match or match.group(2) != sources_hash(root):
        found.append(f"{BUNDLE} is older than the modules in js/")
    target = root / build_precache.OUTPUT
    if not target.exists() or target.read_text(encoding="utf-8") != build_precache.build(root):
        found.append(f"{build_precache.OUTPUT} does not list the shell as it is")
    try:
        record = json.loads((root / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    if sorted(record) != sorted(COMPRESSED):
        found.append(f"{RECORD} does not name every compressed file")
    for rel in COMPRESSED:
        data = (root / rel).read_bytes()
        if record.get(rel) != hashlib.sha256(data).hexdigest() or not copies_match(root, rel, data):
            found.append(f"the compressed copies of {rel} are not of the file as it is")
    return found


def copies_match(root, rel, data):
    try:
        return (brotli.decompress((root / f"{rel}.br").read_bytes()) == data
                and gzip.decompress((root / f"{rel}.gz").read_bytes()) == data)
    except (OSError, brotli.error, gzip.BadGzipFile):
        return False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--root", type=Path, default=ROOT / "pwa")
    args = parser.parse_args(argv)
    root = args.root
    if args.check:
        found = problems(root)
        for problem in found:
            print(f"{root}: {problem}: run make pwa", file=sys.stderr)
        return 1 if found else 0
    bundle(root)
    (root / build_precache.OUTPUT).write_text(build_precache.build(root), encoding="utf-8")
    precompress(root)
    size = (root / BUNDLE).stat().st_size
    print(f"wrote {root / BUNDLE} ({size} bytes, {(root / (BUNDLE + '.br')).stat().st_size} brotli), "
          f"{build_precache.OUTPUT}, {len(COMPRESSED)} files compressed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
