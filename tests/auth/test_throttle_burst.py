"""Simultaneous logins against a real threaded server: a place is taken before the password is
checked, so a burst never tries more passwords than the limit, on memory and on Redis storage.
"Checked" is counted around the password check itself, never guessed from timing."""
import os
import threading
import time
import uuid

import pytest
import requests
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db, limiter
from app.org.demo import DEMO_PASSWORD
from tests.auth.conftest import WRONG

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PAIR_LIMIT = 5  # LOGIN_PAIR_ATTEMPTS: tries for one phone from one address before a pause
SHI = "13900000101"


@pytest.fixture
def committing():
    """Opt out of the root conftest's per-test rollback: a server's threads make their own sessions."""


def _storage(kind):
    if kind == "memory":
        return {"RATELIMIT_STORAGE_URI": "memory://"}
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({exc}); set TEST_REDIS_URL")
    # a prefix of this run's own, so runs sharing one Redis never see each other's counts
    prefix = f"baolian-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    return {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}


@pytest.fixture(params=["memory", "redis"])
def serve(request, committing, app, database):
    """serve(**config): the base URL of a live threaded server on the test database (seeded by `app`)."""
    servers = []

    def _start(**config):
        url, options = database
        live = create_app({"BAOLIAN_ENV": "testing", "SECRET_KEY": "burst", "SQLALCHEMY_DATABASE_URI": url,
                           "SQLALCHEMY_ENGINE_OPTIONS": options, **_storage(request.param), **config})
        server = make_server("127.0.0.1", 0, live, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((live, server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield _start
    for live, server, thread in servers:
        server.shutdown()
        thread.join(timeout=10)
        limiter.reset(live)
        with live.app_context():
            db.session.remove()
            db.engine.dispose()


class Attempt(threading.Thread):
    """One browser: fetches its CSRF token, waits for the others, then tries once."""

    def __init__(self, base, phone, password, barrier=None):
        super().__init__(daemon=True)
        self.base, self.phone, self.password, self.barrier = base, phone, password, barrier
        self.status = None
        self.http = requests.Session()
        self.token = self.http.get(base + "/api/auth/csrf", timeout=30).json()["csrf_token"]

    def run(self):
        if self.barrier:
            self.barrier.wait(30)
        res = self.http.post(self.base + "/api/auth/login", json={"phone": self.phone, "password": self.password},
                             headers={"X-CSRF-Token": self.token}, timeout=60)
        self.status = res.status_code


def wait_for(predicate, timeout=30.0):
    """Poll until predicate() holds (a deadline for liveness, not a timing assertion)."""
    end = time.monotonic() + timeout
    while not predicate() and time.monotonic() < end:
        time.sleep(0.01)
    return predicate()


def test_a_burst_for_one_phone_checks_at_most_the_limit(serve, checks):
    base = serve()
    barrier = threading.Barrier(25)
    burst = [Attempt(base, SHI, WRONG, barrier) for _ in range(25)]
    checks.hold()  # every check in flight stays in flight until the burst is over
    for attempt in burst:
        attempt.start()
    assert wait_for(lambda: checks.count + sum(a.status is not None for a in burst) == 25)
    # the right password, sent while the checked ones are still in flight, does not get in
    right = Attempt(base, SHI, DEMO_PASSWORD)
    right.start()
    assert wait_for(lambda: right.status is not None or checks.count > sum(a.status is None for a in burst))
    checks.release()
    for attempt in [*burst, right]:
        attempt.join(60)
    statuses = [a.status for a in burst]
    assert 1 <= checks.count <= PAIR_LIMIT
    assert statuses.count(401) == checks.count
    assert statuses.count(429) == 25 - checks.count
    assert right.status == 429
    # and once the checked ones have failed, the pause holds the right password out too
    late = Attempt(base, SHI, DEMO_PASSWORD)
    late.run()
    assert late.status == 429


def test_a_burst_from_one_address_checks_at_most_its_ceiling(serve, checks):
    base = serve(LOGIN_ADDRESS_CEILING="30 per hour")
    barrier = threading.Barrier(70)
    burst = [Attempt(base, f"1370000{i:04d}", WRONG, barrier) for i in range(70)]
    for attempt in burst:
        attempt.start()
    for attempt in burst:
        attempt.join(120)
    statuses = [a.status for a in burst]
    assert checks.count <= 30
    assert statuses.count(401) == checks.count
    assert statuses.count(429) == 70 - checks.count
