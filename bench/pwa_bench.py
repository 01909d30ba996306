"""The phone app's first load and its Lighthouse scores, against a live server of its own
(a thread, a temporary SQLite file migrated and seeded with the demo district).

1. First load in Debian's Chromium (Playwright) at 360 x 740 on a fresh profile: open /, wait
   until the service worker has precached the shell and controls the page, then add up what
   went over the network: the page's own requests, the worker's precache downloads, and the
   gzip -6 size of the same response bodies (goal: <= 100 KB gzip). Then the precache list's
   own total, raw and gzip -6.
2. Lighthouse 12 (npm, pinned in bench/package-lock.json; `npm ci --prefix bench` when
   bench/node_modules is missing), mobile, performance and accessibility (goal >= 0.95 each):
   the login page on a fresh profile, and 包联户 after login. Lighthouse cannot log in, so
   Playwright logs in on a persistent profile (session cookie, localStorage and the user's
   IndexedDB are kept on disk), Chromium is started again on that profile with a DevTools port,
   and Lighthouse attaches to it (--port, --disable-storage-reset): a returning user's load.

Prints figures, one a line, with the goal beside them; asserts nothing about sizes or scores.
Without npm / Lighthouse / Chromium it says so on one line and goes on (exit 0).
"""
import gzip
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from common import bench_app
from werkzeug.serving import make_server  # noqa: E402  (after common: it puts the repo on sys.path)

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
GOAL_GZIP_KB = 100
GOAL_SCORE = 0.95
LIGHTHOUSE_TIMEOUT = 240  # s per run


def kb(n):
    return f"{n / 1024:6.1f} KB"


def met(ok):
    return "met" if ok else "NOT met"


def gz(data):
    return len(gzip.compress(data, compresslevel=6))


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


# ---- the live server -----------------------------------------------------------------------

class LiveServer:
    def __init__(self, app):
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log on the console
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, name="pwa-bench-server", daemon=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=10)


def identity_body(app, path):
    """The response body as the server sends it without compression (what the files hold)."""
    res = app.test_client().get(path)
    body = res.get_data()
    res.close()
    return body


# ---- 1. first load -------------------------------------------------------------------------

def phone_context(browser, base_url):
    return browser.new_context(
        base_url=base_url, viewport=PHONE, screen=PHONE, device_scale_factor=2, is_mobile=True,
        has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="allow",
    )


def wire_size(request, body):
    """(body bytes on the wire, header bytes) for one finished request; `body` is the identity body."""
    sizes = request.sizes()
    headers = max(sizes["responseHeadersSize"], 0)
    if request.response().header_value("content-encoding"):
        # Compressed: the encoded size, but Chromium reports nonsense for importScripts() (<= 0),
        # so then our own gzip -6 of the body stands in.
        encoded = sizes["responseBodySize"]
        return (encoded if encoded > 0 else gz(body)), headers
    return len(body), headers


def first_load(app, browser, base_url):
    ctx = phone_context(browser, base_url)
    finished = []
    ctx.on("requestfinished", lambda req: finished.append(req))
    try:
        page = ctx.new_page()
        page.goto("/")
        page.wait_for_function("() => Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)",
                               timeout=30000)
        page.wait_for_load_state("networkidle")
        cached = page.evaluate("""async () => {
            const keys = await caches.keys();
            const shell = keys.find((k) => k.startsWith('baolian-shell-'));
            return shell ? (await (await caches.open(shell)).keys()).length : 0;
        }""")
        groups = {"page": {}, "worker": {}}
        for req in finished:
            parts = urlsplit(req.url)
            if f"{parts.scheme}://{parts.netloc}" != base_url:
                continue
            who = "worker" if req.service_worker else "page"
            key = parts.path
            if key in groups[who]:
                continue  # the same URL again from the page (icon, favicon): the HTTP cache answers
            body = identity_body(app, parts.path)
            on_wire, headers = wire_size(req, body)
            groups[who][key] = (on_wire, headers, gz(body))
    finally:
        ctx.close()

    totals = {}
    for who, rows in groups.items():
        wire = sum(w + h for w, h, _ in rows.values())
        zipped = sum(z for _, _, z in rows.values())
        totals[who] = (len(rows), wire, zipped)
    n_page, wire_page, gz_page = totals["page"]
    n_sw, wire_sw, gz_sw = totals["worker"]
    goal = met(gz_page + gz_sw <= GOAL_GZIP_KB * 1024)
    line("first load, page", f"{n_page:3d} requests {kb(wire_page)} transferred | gzip -6 {kb(gz_page)}")
    line("first load, worker precache", f"{n_sw:3d} requests {kb(wire_sw)} transferred | gzip -6 {kb(gz_sw)} "
         f"({cached} files cached)")
    line("first load, all", f"{n_page + n_sw:3d} requests {kb(wire_page + wire_sw)} transferred | gzip -6 "
         f"{kb(gz_page + gz_sw)} (goal ≤ {GOAL_GZIP_KB} KB gzip: {goal})")


def precache_list():
    text = (PWA / "precache-manifest.js").read_text(encoding="utf-8")
    files = json.loads(text[text.index("["):text.rindex("]") + 1])
    raw = zipped = 0
    for path, _hash in files:
        data = (PWA / path.lstrip("/")).read_bytes()
        raw += len(data)
        zipped += gz(data)
    goal = met(zipped <= GOAL_GZIP_KB * 1024)
    line("precache list", f"{len(files):3d} files    {kb(raw)} raw         | gzip -6 {kb(zipped)} "
         f"(goal ≤ {GOAL_GZIP_KB} KB gzip: {goal})")


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
    stale = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_precache.py"), "--check"],
                           capture_output=True, text=True)
    if stale.returncode != 0:
        line("note", "pwa/precache-manifest.js is stale: run python scripts/build_precache.py "
             "(the worker will not install)")
    work = Path(tempfile.mkdtemp(prefix="baolian-pwa-bench-"))
    try:
        with bench_app(f"sqlite:///{work}/bench.sqlite3", {}) as app, LiveServer(app) as server:
            sync_playwright = find_playwright("first load")
            if sync_playwright is not None:
                with sync_playwright() as pw:
                    browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
                    try:
                        first_load(app, browser, server.url)
                    except Exception as exc:  # noqa: BLE001 - say what failed, go on with the rest
                        line("first load", f"failed: {one_line(exc)}")
                    finally:
                        browser.close()
            precache_list()
            if os.path.exists(CHROMIUM):
                lighthouse(server.url, work)
            else:
                line("Lighthouse", f"not run: Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
