"""The phone app's first and repeat load over a throttled 3G link, counted at the server.

Three shells are measured in one run, each on a fresh Chromium profile against the same server:

- `before`: pwa/ as it was at BEFORE_COMMIT (45 ES modules loaded one by one, a worker that
  downloaded every file again, nothing compressed): the baseline the ratios are taken against;
- `modules`: today's sources as one module graph, every module named in a
  `<link rel="modulepreload">` so the browser asks for all at once, each precompressed;
- `bundle`: what `make run` serves: the one bundle scripts/build_pwa.py makes, precompressed.

Every request that reaches the server is counted with the bytes the app sent (status line,
headers and body as sent, compressed or not): the page's, the service worker's precache and
its importScripts. Whatever the browser's HTTP cache answers never reaches the server and
costs nothing. The page's link is throttled through CDP (Network.emulateNetworkConditions with
the figures of DevTools' "3G" preset); the worker's own fetches are not (CDP throttles a target,
and the worker is another), so its few requests take less time than on a real phone.
"""
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "scripts"))
import build_precache  # noqa: E402
import build_pwa  # noqa: E402

BEFORE_COMMIT = "73a615a"  # the last shell without a bundle or compression
THREE_G = {"offline": False, "latency": 562.5, "downloadThroughput": 1.44e6 / 8, "uploadThroughput": 675e3 / 8}
THREE_G_TEXT = "DevTools' 3G: 562.5 ms RTT, 1.44 Mbit/s down, 675 kbit/s up"
PHONE = {"width": 360, "height": 740}


class Tally:
    """WSGI middleware: each request's path and the bytes the app answered with."""

    def __init__(self, app):
        self.app = app
        self.rows = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        row = {"path": environ.get("PATH_INFO", ""), "bytes": 0}

        def start(status, headers, exc_info=None):
            row["bytes"] += len(f"HTTP/1.1 {status}\r\n\r\n") + sum(len(k) + len(v) + 4 for k, v in headers)
            return start_response(status, headers, exc_info)

        result = self.app(environ, start)
        try:
            for chunk in result:
                row["bytes"] += len(chunk)
                yield chunk
        finally:
            if hasattr(result, "close"):
                result.close()
            with self.lock:
                self.rows.append(row)

    def take(self):
        with self.lock:
            rows, self.rows = self.rows, []
        return rows


class Server:
    """The app on a Werkzeug thread behind a Tally."""

    def __init__(self, app):
        self.tally = Tally(app.wsgi_app)
        app.wsgi_app = self.tally
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=10)


# ---- the three shells ------------------------------------------------------------------------

def before_shell(work):
    """pwa/ at BEFORE_COMMIT, or None when this checkout lacks that commit."""
    target = work / "before"
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", BEFORE_COMMIT, "pwa"], capture_output=True)
    if archive.returncode != 0:
        return None
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target / "pwa"


def modules_shell(work):
    """Today's sources as one module graph, every module preloaded, every text file precompressed."""
    root = work / "modules" / "pwa"
    shutil.copytree(ROOT / "pwa", root, ignore=shutil.ignore_patterns("node_modules", "bundle", "*.br", "*.gz"))
    modules = sorted(p.relative_to(root).as_posix() for p in (root / "js").rglob("*.js")
                     if p.relative_to(root).as_posix() not in build_pwa.CLASSIC)
    preload = "".join(f'<link rel="modulepreload" href="/{m}">\n' for m in modules)
    index = root / "index.html"
    html = index.read_text(encoding="utf-8").replace('src="/bundle/app.js"', 'src="/js/app.js"')
    index.write_text(html.replace("</head>", preload + "</head>"), encoding="utf-8")
    shell = [f for f in build_precache.SHELL if f != build_pwa.BUNDLE] + modules
    (root / build_precache.OUTPUT).write_text(build_precache.build(root, shell), encoding="utf-8")
    (root / "bundle").mkdir()
    texts = [f for f in build_pwa.COMPRESSED if f != build_pwa.BUNDLE] + modules
    build_pwa.precompress(root, texts)
    return root


# ---- one load --------------------------------------------------------------------------------

def _open(browser, base_url):
    ctx = browser.new_context(base_url=base_url, viewport=PHONE, screen=PHONE, device_scale_factor=2,
                              is_mobile=True, has_touch=True, locale="zh-CN", service_workers="allow")
    page = ctx.new_page()
    page.set_default_timeout(120000)
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", THREE_G)
    return ctx, page


def _shown(page, start):
    page.get_by_label("手机号").wait_for()
    return time.monotonic() - start


def _offline_ready(page):
    """Wait until the worker controls the page and its cache holds the whole precache list."""
    page.wait_for_function("""async () => {
        if (!navigator.serviceWorker.controller) return false;
        const keys = await caches.keys();
        const shell = keys.find((k) => k.startsWith('baolian-shell-'));
        if (!shell) return false;
        const have = (await (await caches.open(shell)).keys()).length;
        const r = await fetch('/precache-manifest.js', {cache: 'force-cache'});
        const want = ((await r.text()).match(/\\n  \\["/g) || []).length;
        return have >= want;
    }""", polling=200)


def _settle(page, tally):
    """Until nothing more reaches the server for a second (the worker may still be fetching)."""
    page.wait_for_load_state("networkidle")
    seen = -1
    while True:
        time.sleep(1.0)
        with tally.lock:
            n = len(tally.rows)
        if n == seen:
            return
        seen = n


def measure(browser, server):
    """{'first': (requests, bytes, shown s, offline-ready s), 'repeat': (requests, bytes, shown s)}."""
    ctx, page = _open(browser, server.url)
    try:
        server.tally.take()
        start = time.monotonic()
        page.goto("/")
        shown = _shown(page, start)
        _offline_ready(page)
        ready = time.monotonic() - start
        _settle(page, server.tally)
        first = server.tally.take()
        start = time.monotonic()
        page.reload()
        again = _shown(page, start)
        _settle(page, server.tally)
        repeat = server.tally.take()
    finally:
        ctx.close()
    total = lambda rows: sum(r["bytes"] for r in rows)  # noqa: E731
    return {"first": (len(first), total(first), shown, ready), "repeat": (len(repeat), total(repeat), again),
            "paths": [r["path"] for r in first]}


def static_paths(paths):
    return sorted({p for p in paths if not re.match(r"^/(api/|healthz)", p)})
