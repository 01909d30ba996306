"""The embedded default (SQLite, one writer at a time) under a crowd: a login checks its password
without holding the write lock, and a database that stays busy answers 503 with Retry-After,
never 500. Each app here has its own SQLite file (a copy of one seeded template), whatever
database the rest of the suite runs on."""
import shutil
import sqlite3
import threading
import uuid

import pytest
import requests
from flask_migrate import upgrade
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db, limiter
from app.households.models import Household
from app.org.demo import DEMO_PASSWORD, seed_demo
from app.org.models import User
from app.visits.models import Visit
from tests.conftest import visit_body

SHI = "13900000101"  # 石水奇, the member who covers 姜彩凤's household
WRONG = "not-the-password"


@pytest.fixture(autouse=True)
def committing():
    """Opt out of the root conftest's per-test rollback: these apps commit to files of their own."""


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A migrated, seeded SQLite file to copy (seeding once keeps the module quick)."""
    path = tmp_path_factory.mktemp("busy") / "template.sqlite3"
    app = _app(path)
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
        db.session.execute(db.text("PRAGMA wal_checkpoint(TRUNCATE)"))
    _close(app)
    return path


def _app(path, **config):
    return create_app({"BAOLIAN_ENV": "testing", "SECRET_KEY": "busy-test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                       "RATELIMIT_STORAGE_URI": "memory://", "NOTIFY_DELIVERY": "off", **config})


def _close(app):
    with app.app_context():
        limiter.reset()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(template, tmp_path):
    """make_app(**config) -> (app, path of its own copy of the template database)."""
    made = []

    def _make(**config):
        path = tmp_path / f"db{len(made)}.sqlite3"
        shutil.copy(template, path)
        app = _app(path, **config)
        made.append(app)
        return app, path

    yield _make
    for app in made:
        _close(app)


class WriteLock:
    """Another process's writer, as SQLite sees it: a raw connection in BEGIN IMMEDIATE."""

    def __init__(self, path):
        self.conn = sqlite3.connect(path, timeout=0, isolation_level=None)

    def try_take(self):
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return False
        return True

    def release(self):
        self.conn.execute("ROLLBACK")


def _test_login(client, phone, password):
    token = client.get("/api/auth/csrf").get_json()["csrf_token"]
    res = client.post("/api/auth/login", json={"phone": phone, "password": password}, headers={"X-CSRF-Token": token})
    return res, (res.get_json() or {}).get("csrf_token", token)


def test_a_login_checks_the_password_without_holding_the_write_lock(make_app, monkeypatch):
    app, path = make_app()
    lock, seen = WriteLock(path), []
    real = User.check_password

    def checking(user, password):  # while the hash is computed, could anyone else write?
        free = lock.try_take()
        if free:
            lock.release()
        seen.append(free)
        return real(user, password)

    monkeypatch.setattr(User, "check_password", checking)
    res, _ = _test_login(app.test_client(), SHI, WRONG)
    assert res.status_code == 401
    res, _ = _test_login(app.test_client(), SHI, DEMO_PASSWORD)
    assert res.status_code == 200
    assert seen == [True, True]


def test_a_database_that_stays_busy_answers_503_with_retry_after(make_app):
    app, path = make_app(SQLITE_BUSY_TIMEOUT_MS=50)
    client = app.test_client()
    res, token = _test_login(client, SHI, DEMO_PASSWORD)
    assert res.status_code == 200
    with app.app_context():
        household = db.session.scalars(select(Household).where(Household.head_name == "姜彩凤")).one().id
    body = visit_body(household)
    lock = WriteLock(path)
    assert lock.try_take()
    try:
        res = client.post("/api/visits", json=body, headers={"X-CSRF-Token": token})
        assert res.status_code == 503
        assert int(res.headers["Retry-After"]) >= 1
        error = res.get_json()["error"]
        assert error["code"] == "busy" and "稍后" in error["message"]
        assert client.get(f"/api/households/{household}").status_code == 200  # readers are never blocked
    finally:
        lock.release()
    assert client.post("/api/visits", json=body, headers={"X-CSRF-Token": token}).status_code == 201
    assert client.post("/api/visits", json=body, headers={"X-CSRF-Token": token}).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Visit).where(Visit.id == uuid.UUID(body["id"]))) == 1


class Browser(threading.Thread):
    """One phone on the live server: fetches its CSRF token, waits for the crowd, then sends."""

    def __init__(self, base, barrier, path, body, address, token=None, session=None):
        super().__init__(daemon=True)
        self.base, self.barrier, self.path, self.body = base, barrier, path, body
        self.http = session or requests.Session()
        self.headers = {"X-Forwarded-For": address}  # each its own client, behind one proxy
        self.token = token or self.http.get(base + "/api/auth/csrf", headers=self.headers, timeout=30).json()["csrf_token"]
        self.res = None

    def run(self):
        self.barrier.wait(60)
        self.res = self.http.post(self.base + self.path, json=self.body, timeout=120,
                                  headers={**self.headers, "X-CSRF-Token": self.token})


def _busy_is_well_formed(res):
    return res.status_code != 503 or (int(res.headers["Retry-After"]) >= 1 and res.json()["error"]["code"] == "busy")


def test_a_crowd_of_wrong_logins_beside_visit_saves_never_answers_500(make_app):
    app, _ = make_app(PROXY_COUNT=1)
    with app.app_context():
        phones = sorted(db.session.scalars(select(User.phone)).all())
        household = db.session.scalars(select(Household).where(Household.head_name == "姜彩凤")).one().id
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        member = requests.Session()
        token = member.get(base + "/api/auth/csrf", timeout=30).json()["csrf_token"]
        res = member.post(base + "/api/auth/login", json={"phone": SHI, "password": DEMO_PASSWORD},
                          headers={"X-CSRF-Token": token}, timeout=30)
        assert res.status_code == 200
        token = res.json()["csrf_token"]
        visits = [visit_body(household) for _ in range(8)]
        sends = visits + visits[:4]  # four of them sent twice at once, as a phone resending
        barrier = threading.Barrier(70 + len(sends))
        # real users' phones (a real hash check) and unknown ones (the dummy check), 70 addresses
        logins = [Browser(base, barrier, "/api/auth/login", {"phone": phones[i % len(phones)] if i % 2 else
                                                             f"1370000{i:04d}", "password": WRONG}, f"198.51.100.{i}")
                  for i in range(70)]
        saves = [Browser(base, barrier, "/api/visits", body, "203.0.113.1", token, member) for body in sends]
        crowd = logins + saves
        for browser in crowd:
            browser.start()
        for browser in crowd:
            browser.join(180)
    finally:
        server.shutdown()
        thread.join(timeout=10)

    login_statuses = sorted(b.res.status_code for b in logins)
    save_statuses = sorted(b.res.status_code for b in saves)
    assert set(login_statuses) <= {401, 429, 503}, login_statuses
    assert set(save_statuses) <= {200, 201, 503}, save_statuses
    assert all(_busy_is_well_formed(b.res) for b in crowd)
    created = [b.body["id"] for b in saves if b.res.status_code == 201]
    assert len(created) == len(set(created))  # a resend is never created twice
    with app.app_context():
        for visit_id in {b.body["id"] for b in saves if b.res.status_code in (200, 201)}:
            count = db.session.scalar(select(func.count()).select_from(Visit).where(Visit.id == uuid.UUID(visit_id)))
            assert count == 1, visit_id


def test_only_a_busy_database_counts_as_busy():
    """503 is for waiting that may succeed later; a broken query stays a 500."""
    import psycopg.errors
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from app.errors import is_busy

    def wrapped(orig):
        return OperationalError("stmt", {}, orig)

    assert is_busy(wrapped(sqlite3.OperationalError("database is locked")))
    assert is_busy(sqlite3.OperationalError("database is locked"))
    assert is_busy(PoolTimeout("QueuePool limit reached"))
    assert is_busy(wrapped(psycopg.errors.DeadlockDetected("deadlock detected")))
    assert is_busy(wrapped(psycopg.errors.LockNotAvailable("could not obtain lock")))
    assert not is_busy(wrapped(sqlite3.OperationalError("no such table: t")))
    assert not is_busy(wrapped(psycopg.errors.UndefinedTable("no such table")))
    assert not is_busy(ValueError("database is locked"))
