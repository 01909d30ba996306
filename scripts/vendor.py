#!/usr/bin/env python3
"""Vendor the few npm files the project uses, with their name, version and licence recorded.

The phone app runs with no build step, so a library it uses is copied in as a file; the
browser tests do the same with axe-core. Each entry below names the npm package, the pinned
version, the files to copy and where; the script fetches the package with `npm pack` (the
ordinary npm client, from the registry), copies the files and the licence, and rewrites the
VENDOR.md of each destination folder.

    python scripts/vendor.py          # fetch and copy everything listed
    python scripts/vendor.py --check  # only check that the vendored files match VENDOR.md
"""
import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name, version, {file in the package: destination file}, destination folder, what it is for
PACKAGES = [
    {
        "name": "axe-core",
        "version": "4.14.1",
        "files": {"axe.min.js": "axe.min.js", "LICENSE": "axe-core.LICENSE"},
        "dest": "tests/browser/vendor",
        "why": "accessibility checks in the browser tests (not shipped to phones)",
    },
]


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(pkg, workdir):
    spec = f"{pkg['name']}@{pkg['version']}"
    out = subprocess.run(["npm", "pack", spec, "--json", "--pack-destination", str(workdir)],
                         check=True, capture_output=True, text=True, cwd=workdir)
    info = json.loads(out.stdout)[0]
    with tarfile.open(workdir / info["filename"]) as tar:
        tar.extractall(workdir / "x", filter="data")
    return workdir / "x" / "package", info


def write_vendor_md(dest, rows):
    lines = [
        "# Vendored files",
        "",
        "Written by `scripts/vendor.py`; do not edit by hand. Re-run the script to update.",
        "",
        "| package | version | licence | file | sha256 | used for |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['name']} | {r['version']} | {r['license']} | {r['file']} | "
                     f"`{r['sha256']}` | {r['why']} |")
    (dest / "VENDOR.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def vendor():
    by_dest = {}
    with tempfile.TemporaryDirectory() as tmp:
        for pkg in PACKAGES:
            work = Path(tmp) / pkg["name"]
            work.mkdir(parents=True)
            src, _info = fetch(pkg, work)
            meta = json.loads((src / "package.json").read_text())
            dest = ROOT / pkg["dest"]
            dest.mkdir(parents=True, exist_ok=True)
            for inner, target in pkg["files"].items():
                shutil.copyfile(src / inner, dest / target)
                by_dest.setdefault(dest, []).append({
                    "name": pkg["name"], "version": meta["version"], "license": meta.get("license", "?"),
                    "file": target, "sha256": sha256(dest / target), "why": pkg["why"],
                })
    for dest, rows in by_dest.items():
        write_vendor_md(dest, rows)
        print(f"vendored {len(rows)} file(s) into {dest.relative_to(ROOT)}")


def check():
    ok = True
    for pkg in PACKAGES:
        dest = ROOT / pkg["dest"]
        text = (dest / "VENDOR.md").read_text(encoding="utf-8") if (dest / "VENDOR.md").exists() else ""
        for target in pkg["files"].values():
            path = dest / target
            if not path.exists() or sha256(path) not in text or pkg["version"] not in text:
                print(f"stale or missing: {path.relative_to(ROOT)}", file=sys.stderr)
                ok = False
    return ok


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.check:
        sys.exit(0 if check() else 1)
    vendor()
