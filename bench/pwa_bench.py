"""The phone app's first load, its answers' compression and its Lighthouse scores, against a
live server of its own (a thread, a temporary SQLite file migrated and seeded with the demo
district): the app's own answers as `make run` sends them (its own compression, no proxy in
front), here from a Werkzeug thread; requests and bytes do not depend on the WSGI server.

1. First and repeat load in Debian's Chromium on a throttled 3G link (bench/pwa_load.py): requests
   and bytes that reached the server, time until the login form shows and until the service
   worker has the whole shell (offline-ready), for the shell as served (one bundle) beside the
   same sources as a preloaded module graph and beside the shell before bundling (the baseline of
   the ratios), all in this run. Goals: <= 100 KB and <= 15 requests for the first load.
2. The main API answers as the demo branch secretary sees them: identity, gzip and brotli sizes as
   the server sends them, and the ratio.
3. Lighthouse 12 (npm, pinned in bench/package-lock.json; `npm ci --prefix bench` when
   bench/node_modules is missing), mobile, performance and accessibility (goal >= 0.95 each):
   the login page on a fresh profile, and 包联户 after login. Lighthouse cannot log in, so
   Playwright logs in on a persistent profile (session cookie, localStorage and the user's
   IndexedDB are kept on disk), Chromium is started again on that profile with a DevTools port,
   and Lighthouse attaches to it (--port, --disable-storage-reset): a returning user's load.

Prints figures, one a line, with the goal beside them; asserts nothing about sizes, times or
scores. Times are of a shared machine and noisy: compare the ratios within one run. Without
npm / Lighthouse / Chromium it says so on one line and goes on (exit 0); `--no-lighthouse` skips 3.
"""
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import pwa_load
from common import Client, bench_app

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PWA = ROOT / "pwa"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
PHONE = {"width": 360, "height": 740}
REPORTS = ROOT / "test-artifacts" / "lighthouse"  # the full JSON reports (git-ignored)
MEMBER = "13900000101"  # 石水奇: his 包联户 list is the screen a member opens every day
SECRETARY = "13900000020"  # 赵红梅, 西流南村: the widest lists of the village
GOAL_KB = 100
GOAL_REQUESTS = 15
GOAL_SCORE = 0.95
LIGHTHOUSE_TIMEOUT = 240  # s per run
API_ANSWERS = ["/api/households", "/api/cases", "/api/me", "/api/notifications", "/api/sync",
               "/api/reports/coverage"]


def kb(n):
    return f"{n / 1024:6.1f} KB"


def met(ok):
    return "met" if ok else "NOT met"


def line(label, text):
    """One figure a line; the label padded by its width on screen (a Chinese character is two)."""
    width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in label)
    print(f"{label}{' ' * max(1, 46 - width)}{text}")


def one_line(exc):
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"[:200]


def find_playwright(what):
    """sync_playwright, or None after saying why `what` is not run."""
    if not os.path.exists(CHROMIUM):
        line(what, f"not run: Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        line(what, "not run: playwright is not installed (pip install -e '.[test]'; never `playwright install`)")
        return None
    return sync_playwright


# ---- 1. first load ---------------------------------------------------------------------------

def first_loads(app, browser, server, work):
    """Each shell in turn on the same server; the bundle as served, the others from copies."""
    shells = [("before", pwa_load.before_shell(work), False), ("modules", pwa_load.modules_shell(work), True),
              ("bundle", None, True)]
    served = app.static_folder
    results = {}
    for name, folder, compress in shells:
        if name == "before" and folder is None:
            line("first load, before", f"not run: commit {pwa_load.BEFORE_COMMIT} is not in this checkout")
            continue
        app.static_folder = str(folder) if folder else served
        app.config["COMPRESS_RESPONSES"] = compress
        try:
            results[name] = pwa_load.measure(browser, server)
        except Exception as exc:  # noqa: BLE001 - say what failed, go on with the rest
            line(f"first load, {name}", f"failed: {one_line(exc)}")
        finally:
            app.static_folder = served
            app.config.pop("COMPRESS_RESPONSES", None)
    return results


def report_loads(results):
    print(f"(throttled: {pwa_load.THREE_G_TEXT}; bytes = status line, headers and body as the server sent them)")
    base = results.get("before")
    labels = {"before": "before: 45 modules, uncompressed (baseline)", "modules": "modules + modulepreload, br",
              "bundle": "bundle, br (as served)"}
    for name in ("before", "modules", "bundle"):
        if name not in results:
            continue
        n, size, shown, ready = results[name]["first"]
        ratio = f" | x{size / base['first'][1]:.2f} bytes, x{shown / base['first'][2]:.2f} time" if base else ""
        goals = ""
        if name == "bundle":
            goals = (f" (goals ≤ {GOAL_REQUESTS}: {met(n <= GOAL_REQUESTS)}, ≤ {GOAL_KB} KB: "
                     f"{met(size <= GOAL_KB * 1024)})")
        line(f"first load, {labels[name]}", f"{n:3d} requests {kb(size)} | login form {shown:5.2f} s, "
             f"offline-ready {ready:5.2f} s{ratio}{goals}")
        rn, rsize, rshown = results[name]["repeat"]
        line(f"repeat load, {name}", f"{rn:3d} requests {kb(rsize)} | login form {rshown:5.2f} s")
    if "bundle" in results:
        line("first load, bundle: files", " ".join(pwa_load.static_paths(results["bundle"]["paths"])))


# ---- 2. API answers --------------------------------------------------------------------------

def api_ratios(app):
    client = Client(app, SECRETARY)
    print("(the demo branch secretary 赵红梅; per request: gzip -6, brotli quality 5)")
    for path in API_ANSWERS:
        sizes = {}
        for name, accept in (("identity", "identity"), ("gzip", "gzip"), ("br", "br")):
            res = client.http.get(path, headers={"Accept-Encoding": accept})
            sizes[name] = (len(res.get_data()), res.headers.get("Content-Encoding") or "identity", res.status_code)
        raw = sizes["identity"][0]
        if sizes["identity"][2] != 200:
            line(f"GET {path}", f"HTTP {sizes['identity'][2]}")
            continue
        cells = [f"identity {kb(raw)}"] + [
            f"{name} {kb(n)} (x{raw / n:4.1f})" if enc == name else f"{name}: sent as {enc} (under the minimum size)"
            for name, (n, enc, _status) in ((k, sizes[k]) for k in ("gzip", "br"))]
        line(f"GET {path}", " | ".join(cells))


def precache_list():
    text = (PWA / "precache-manifest.js").read_text(encoding="utf-8")
    files = json.loads(text[text.index("["):text.index("];") + 1])
    raw = sum((PWA / path.lstrip("/")).stat().st_size for path, _hash in files)
    line("precache list", f"{len(files):3d} files    {kb(raw)} uncompressed")


# ---- 2. Lighthouse -------------------------------------------------------------------------

def lighthouse_cli():
    """The path of Lighthouse's CLI, installing it from bench/package-lock.json if needed; or None."""
    cli = BENCH / "node_modules" / "lighthouse" / "cli" / "index.js"
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        line("Lighthouse", "not run: node / npm not found (apt-get install -y nodejs npm)")
        return None
    if not (BENCH / "node_modules").exists():
        res = subprocess.run([npm, "ci", "--prefix", str(BENCH), "--no-audit", "--no-fund"],
                             capture_output=True, text=True, timeout=900)
        if res.returncode != 0:
            tail = (res.stderr or res.stdout).strip().splitlines()[-1:] or ["?"]
            line("Lighthouse", f"not run: npm ci --prefix bench failed: {tail[0]}")
            return None
    if not cli.exists():
        line("Lighthouse", "not run: bench/node_modules has no lighthouse (rm -rf bench/node_modules and rerun)")
        return None
    return [node, str(cli)]


def run_lighthouse(cli, url, out, extra=()):
    """The report as a dict, or an error string."""
    cmd = cli + [
        url, "--output=json", f"--output-path={out}", "--only-categories=performance,accessibility",
        "--quiet", "--max-wait-for-load=45000", *extra,
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=LIGHTHOUSE_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        return f"timed out after {LIGHTHOUSE_TIMEOUT} s"
    if res.returncode != 0 or not Path(out).exists():
        tail = (res.stderr or res.stdout).strip().splitlines()[-1:] or [f"exit {res.returncode}"]
        return tail[0][:200]
    REPORTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(out, REPORTS / Path(out).name)
    return json.loads(Path(out).read_text(encoding="utf-8"))


def failed_audits(report, category):
    """The audits that count towards a category's score and did not score full marks, worst first."""
    out = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
            out.append((audit["score"], ref["id"], audit.get("displayValue", "")))
    return [f"{aid} {score:.2f}" + (f" ({shown})" if shown else "") for score, aid, shown in sorted(out)]


def report_scores(label, report, how):
    if isinstance(report, str):
        line(f"Lighthouse {label}", f"not run: {report}")
        return
    if report.get("runtimeError"):
        line(f"Lighthouse {label}", f"not run: {report['runtimeError'].get('message', '')[:200]}")
        return
    for cat, name in (("performance", "performance"), ("accessibility", "accessibility")):
        score = report["categories"][cat]["score"]
        shown = "n/a" if score is None else f"{score:.2f}"
        mark = "" if score is None else f": {met(score >= GOAL_SCORE)}"
        below = failed_audits(report, cat) if score is not None and score < GOAL_SCORE else []
        tail = f" | below: {', '.join(below[:4])}" if below else ""
        line(f"Lighthouse {label}, {name}", f"{shown} (goal ≥ {GOAL_SCORE}{mark}){tail}")
    metrics = report["audits"]
    figures = [f"{m} {metrics[a]['displayValue']}" for m, a in (
        ("FCP", "first-contentful-paint"), ("LCP", "largest-contentful-paint"), ("TBT", "total-blocking-time"),
        ("CLS", "cumulative-layout-shift")) if metrics.get(a, {}).get("displayValue")]
    index = report.get("environment", {}).get("benchmarkIndex")
    machine = f", this CPU's benchmarkIndex {index:.0f}" if index else ""
    line(f"Lighthouse {label}, metrics", " | ".join(figures) + f" ({how}; simulated slow 4G, 4x CPU{machine})")


def logged_in_profile(browser_type, base_url, profile):
    """Log the member in on a persistent profile and leave it on disk (cookie, localStorage, IndexedDB)."""
    from app.org.demo import DEMO_PASSWORD

    ctx = browser_type.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True, base_url=base_url,
        viewport=PHONE, screen=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
        locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="allow",
    )
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.set_default_timeout(30000)
        page.goto("/")
        page.get_by_label("手机号").fill(MEMBER)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录", exact=True).click()
        page.get_by_role("navigation").wait_for()
        page.wait_for_function("() => Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)")
        page.locator("li.household-card").first.wait_for()
        page.wait_for_load_state("networkidle")
        page.goto("about:blank")  # let the page's storage settle before the browser closes
    finally:
        ctx.close()


def chromium_with_port(profile):
    """Chromium on `profile` with a DevTools port for Lighthouse to attach to: (process, port)."""
    port_file = Path(profile) / "DevToolsActivePort"
    port_file.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [CHROMIUM, "--headless", *LAUNCH_ARGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
         "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 30
    while time.monotonic() < end:
        if port_file.exists():
            text = port_file.read_text().split()
            if text:
                return proc, int(text[0])
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.terminate()
    proc.wait(timeout=10)
    raise RuntimeError("Chromium did not open a DevTools port")


def logged_in_page_loaded(report):
    """True when the page's session was accepted (GET /api/me answered 200): really logged in."""
    items = report.get("audits", {}).get("network-requests", {}).get("details", {}).get("items", [])
    return any(urlsplit(it.get("url", "")).path == "/api/me" and it.get("statusCode") == 200 for it in items)


def lighthouse(base_url, work):
    cli = lighthouse_cli()
    if cli is None:
        return
    flags = "--chrome-flags=" + " ".join(["--headless", *LAUNCH_ARGS])
    login_out = work / "lighthouse-login.json"
    report_scores("login page", run_lighthouse(cli, f"{base_url}/#/login", login_out, [flags]), "fresh profile")

    sync_playwright = find_playwright("Lighthouse 包联户 after login")
    if sync_playwright is None:
        return
    profile = work / "profile"
    try:
        with sync_playwright() as pw:
            logged_in_profile(pw.chromium, base_url, profile)
        proc, port = chromium_with_port(profile)
    except Exception as exc:  # noqa: BLE001 - a benchmark reports and goes on
        line("Lighthouse 包联户 after login", f"not run: could not log in on a profile: {one_line(exc)}")
        return
    try:
        out = work / "lighthouse-households.json"
        report = run_lighthouse(cli, f"{base_url}/#/households", out, [f"--port={port}", "--disable-storage-reset"])
        if isinstance(report, dict) and not logged_in_page_loaded(report):
            report = "the page did not load the households list (not logged in?)"
        report_scores("包联户 after login", report, "returning user: shell from the worker's cache")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---- main ----------------------------------------------------------------------------------

def main():
    stale = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_pwa.py"), "--check"],
                           capture_output=True, text=True)
    if stale.returncode != 0:
        line("note", "the phone app's build output is stale: run make pwa (the figures are of the stale one)")
    work = Path(tempfile.mkdtemp(prefix="baolian-pwa-bench-"))
    try:
        with bench_app(f"sqlite:///{work}/bench.sqlite3", {}) as app, pwa_load.Server(app) as server:
            logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log on the console
            sync_playwright = find_playwright("first load")
            if sync_playwright is not None:
                with sync_playwright() as pw:
                    browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
                    try:
                        report_loads(first_loads(app, browser, server, work))
                    finally:
                        browser.close()
            precache_list()
            api_ratios(app)
            if "--no-lighthouse" in sys.argv:
                line("Lighthouse", "not run: --no-lighthouse")
            elif os.path.exists(CHROMIUM):
                lighthouse(server.url, work)
            else:
                line("Lighthouse", f"not run: Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
