"""Installability: the manifest, its icons, the service worker controlling the page, the
precached shell working offline, an update announced to the user, and a first load within its
budget of requests and bytes."""
import json
import shutil
import struct
import subprocess
import sys
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from .conftest import PHONE, ROOT, csp_violations, login

FIRST_LOAD_REQUESTS = 15
FIRST_LOAD_BYTES = 100 * 1024


def png_size(body):
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", body[16:24])


def test_manifest_and_icons(page):
    page.goto("/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    res = page.request.get(href)
    assert res.ok
    manifest = res.json()
    assert manifest["name"] == "包联"
    assert manifest["lang"] == "zh-CN"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#")
    assert manifest["start_url"].startswith("/")
    sizes = {}
    for icon in manifest["icons"]:
        body = page.request.get(icon["src"])
        assert body.ok, icon["src"]
        assert body.headers["content-type"] == "image/png"
        w, h = png_size(body.body())
        assert f"{w}x{h}" == icon["sizes"]
        sizes.setdefault(icon.get("purpose", "any"), set()).add(w)
    assert {192, 512} <= sizes["any"]
    assert 512 in sizes["maskable"]
    assert page.locator("meta[name=theme-color]").get_attribute("content") == manifest["theme_color"]


def test_installable_and_worker_controls(context, page):
    login(page, "13900000101")
    script = page.evaluate("() => navigator.serviceWorker.controller.scriptURL")
    assert script.endswith("/sw.js")
    cdp = context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito profiles, where Chrome never offers installation;
    # every other installability check must pass.
    errors = [e for e in errors if e["errorId"] != "in-incognito"]
    assert errors == [], errors
    manifest = cdp.send("Page.getAppManifest")
    assert not manifest.get("errors"), manifest.get("errors")
    # The whole shell is precached under a versioned name; nothing else of ours is cached.
    version, files = page.evaluate("""async () => {
        const keys = await caches.keys();
        const c = await caches.open(keys[0]);
        return [keys, (await c.keys()).map(r => new URL(r.url).pathname)];
    }""")
    assert len(version) == 1 and version[0].startswith("baolian-shell-")
    listed = (ROOT / "pwa" / "precache-manifest.js").read_text()
    assert version[0].removeprefix("baolian-shell-") in listed
    for path in ("/index.html", "/bundle/app.js", "/css/app.css", "/js/i18n/zh-CN.js", "/manifest.webmanifest"):
        assert path in files
    assert not [f for f in files if f.startswith("/js/views/")]  # the bundle, not its sources
    assert csp_violations(page) == []


def test_shell_opens_offline(context, page):
    page.goto("/")
    page.get_by_label("手机号").wait_for()
    page.wait_for_function("() => Boolean(navigator.serviceWorker.controller)")
    context.set_offline(True)
    page.reload()
    expect(page.get_by_label("手机号")).to_be_visible()
    page.get_by_label("手机号").fill("13900000101")
    page.get_by_label("密码").fill("baolian2026")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("登录需要联网")


@pytest.fixture
def pwa_copy(app, tmp_path):
    """A server of its own on a copy of pwa/, so a test can ship a new version of the shell."""
    copy = tmp_path / "pwa"
    shutil.copytree(ROOT / "pwa", copy, ignore=shutil.ignore_patterns("node_modules"))
    old = app.static_folder
    server = None
    try:
        app.static_folder = str(copy)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield copy, f"http://127.0.0.1:{server.server_port}"
    finally:
        if server:
            server.shutdown()
        app.static_folder = old


def test_update_is_announced_and_applied(browser, pwa_copy):
    copy, base = pwa_copy
    ctx = browser.new_context(base_url=base, viewport={"width": 360, "height": 740}, service_workers="allow")
    try:
        page = ctx.new_page()
        page.goto("/")
        page.wait_for_function("() => Boolean(navigator.serviceWorker.controller)")
        first = page.evaluate("async () => (await caches.keys()).join()")
        # Ship a new version: change a file and regenerate the precache list, as a deploy does.
        css = copy / "css" / "app.css"
        css.write_text(css.read_text() + "\n/* v2 */\n")
        subprocess.run([sys.executable, str(ROOT / "scripts" / "build_precache.py"), "--root", str(copy)], check=True,
                       capture_output=True)
        page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
        expect(page.get_by_text("有新版本可用")).to_be_visible()
        with page.expect_event("load"):
            page.get_by_role("button", name="立即更新").click()
        for _ in range(100):
            if page.evaluate("async () => (await caches.keys()).length") == 1:
                break
            page.wait_for_timeout(100)
        second = page.evaluate("async () => (await caches.keys()).join()")
        assert second != first and second.startswith("baolian-shell-")  # the old cache is gone
        version = json.loads(page.evaluate("""async () => JSON.stringify(
            (await (await caches.open((await caches.keys())[0])).match('/css/app.css')).headers.get('X-Precache-Hash'))"""))
        assert version and version in (copy / "precache-manifest.js").read_text()
    finally:
        ctx.close()


class Tally:
    """WSGI middleware: (path, status, bytes answered: status line, headers, body) per request."""

    def __init__(self, app):
        self.app, self.rows, self.lock = app, [], threading.Lock()

    def __call__(self, environ, start_response):
        row = {"path": environ.get("PATH_INFO", ""), "status": 0, "bytes": 0}

        def start(status, headers, exc_info=None):
            row["status"] = int(status[:3])
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


@pytest.fixture
def counted(app):
    """A server of its own that counts what it answers."""
    tally = Tally(app)
    server = make_server("127.0.0.1", 0, tally, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield tally, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def test_first_load_within_its_budget(browser, counted):
    """A new phone opens the app and it becomes ready offline: at most 15 requests and 100 KB
    (compressed: Chromium accepts br), the bundle and not its modules, and no file sent twice."""
    tally, base = counted
    ctx = browser.new_context(base_url=base, viewport=PHONE, is_mobile=True, service_workers="allow")
    try:
        page = ctx.new_page()
        page.goto("/")
        page.get_by_label("手机号").wait_for()
        page.wait_for_function("""async () => {
            const keys = await caches.keys();
            return Boolean(navigator.serviceWorker.controller) && keys.length === 1 &&
                (await (await caches.open(keys[0])).keys()).length === self.PRECACHE_COUNT;
        }""".replace("self.PRECACHE_COUNT", str((ROOT / "pwa" / "precache-manifest.js").read_text().count('\n  ["'))))
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)  # anything the worker still sends is counted too
    finally:
        ctx.close()
    with tally.lock:
        rows = list(tally.rows)
    paths = [r["path"] for r in rows]
    assert len(rows) <= FIRST_LOAD_REQUESTS, paths
    assert sum(r["bytes"] for r in rows) <= FIRST_LOAD_BYTES, rows
    assert "/bundle/app.js" in paths and not [p for p in paths if p.startswith("/js/views/")]
    sent = [("/index.html" if r["path"] == "/" else r["path"]) for r in rows if r["status"] == 200]
    assert sorted(sent) == sorted(set(sent)), rows  # the worker took what the page had loaded
