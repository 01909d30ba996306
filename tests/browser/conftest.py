"""Browser tests: the phone app in Debian's Chromium, driven by Playwright, against a live
server of its own (a thread, its own SQLite file with the demo district).

These tests commit for real, so they opt out of the root conftest's per-test rollback
(`committing`), and they override `app` so nothing here touches the PostgreSQL test schema.
Without /usr/bin/chromium every browser test is skipped with the command that installs it.
"""
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db, limiter
from app.org.demo import DEMO_PASSWORD, seed_demo

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screens"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PHONE = {"width": 360, "height": 740}

# Record every Content-Security-Policy violation the page meets (an init script is injected
# by the browser itself, so the page's CSP does not block it).
CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
"""


@pytest.fixture(autouse=True)
def committing():
    """Opt out of the root conftest's rollback: the live server's commits must be real."""
    yield


@pytest.fixture(autouse=True)
def _fresh_login_counts(app):
    """Every test starts with no failed logins counted on the shared server, so a test that
    types a wrong password never pauses a later one's login, whatever the order."""
    limiter.reset(app)
    yield


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The browser tests' own app and SQLite database (overrides the root `app`)."""
    path = tmp_path_factory.mktemp("browser-db") / "browser.sqlite3"
    app = create_app({
        "BAOLIAN_ENV": "testing",
        "SECRET_KEY": "browser-test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "RATELIMIT_STORAGE_URI": "memory://",
        "HOUSEHOLDS_PER_MEMBER": 12,  # room to reassign a household in a test
    })
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(app):
    stale = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_precache.py"), "--check"],
                           capture_output=True, text=True)
    assert stale.returncode == 0, f"the phone app's build is stale ({stale.stderr.strip()}): run make pwa"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: pip install -e '.[test]' (never `playwright install`)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def new_phone(browser, base_url):
    """A 360 x 740 touch phone with a fresh profile (its own storage and service worker)."""
    ctx = browser.new_context(
        base_url=base_url, viewport=PHONE, screen=PHONE, device_scale_factor=2, is_mobile=True,
        has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="allow",
    )
    ctx.add_init_script(CSP_WATCH)
    ctx.set_default_timeout(15000)
    return ctx


@pytest.fixture
def context(browser, live_server):
    ctx = new_phone(browser, live_server)
    yield ctx
    ctx.close()


@pytest.fixture
def phones(browser, live_server):
    """phones() -> (context, page): another person's phone, for flows between people."""
    made = []

    def make():
        ctx = new_phone(browser, live_server)
        made.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return ctx, page

    errors = []
    yield make
    for ctx in made:
        ctx.close()
    assert not errors, f"uncaught errors in the pages: {errors}"


@pytest.fixture
def page(context):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    yield page
    assert not errors, f"uncaught errors in the page: {errors}"


def csp_violations(page):
    return page.evaluate("window.__csp || []")


def login(page, phone, password=DEMO_PASSWORD):
    """Open the app, log in through the form, wait for the tabs and a controlling worker."""
    page.goto("/")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("navigation").wait_for()
    # the worker precaches the whole shell (60 files) before it controls the page: on a busy
    # machine that can take longer than the usual wait
    page.wait_for_function("() => Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)",
                           timeout=60_000)


def screenshot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def run_axe(page):
    """axe-core's violations on the current screen (empty list means none)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
    }""")
    return result


def format_violations(violations):
    return json.dumps(violations, ensure_ascii=False, indent=1)


def has_route(app, rule):
    return any(r.rule == rule for r in app.url_map.iter_rules())


class Api:
    """A server-side actor (another person at a desk), through the app's own HTTP API."""

    def __init__(self, app, phone, password=DEMO_PASSWORD):
        self.http = app.test_client()
        self.csrf = self.http.get("/api/auth/csrf").get_json()["csrf_token"]
        res = self.http.post("/api/auth/login", json={"phone": phone, "password": password},
                             headers={"X-CSRF-Token": self.csrf})
        assert res.status_code == 200, res.get_json()
        self.user = res.get_json()
        self.csrf = self.user["csrf_token"]

    def get(self, url):
        res = self.http.get(url)
        assert res.status_code == 200, res.get_json()
        return res.get_json()

    def patch(self, url, body):
        res = self.http.patch(url, json=body, headers={"X-CSRF-Token": self.csrf})
        assert res.status_code == 200, res.get_json()
        return res.get_json()
