"""Deployment tests: real `gunicorn wsgi:app` and `flask` processes on a scratch PostgreSQL
database (and Redis), in the production shape. They commit for real, so they opt out of the
root conftest's rollback (`committing`) and override `app`: nothing here uses the suite's
app or its schema. Without PostgreSQL (TEST_DATABASE_URL) or Redis they are skipped."""
import os
import socket
from urllib.parse import urlsplit

import pytest

from tests.chaos.server import PG_URL, pg_server_reachable

REDIS_URL = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def committing():
    """Opt out of the root conftest's rollback: these servers' commits are real."""
    yield


@pytest.fixture(scope="session")
def app():
    """No in-process app here (overrides the root `app`, which would build the test schema)."""
    return


@pytest.fixture(scope="session")
def postgres():
    """TEST_DATABASE_URL, or a skip that says what is missing."""
    if not PG_URL:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    if not pg_server_reachable():
        pytest.skip(f"PostgreSQL at TEST_DATABASE_URL ({PG_URL}) does not answer")
    return PG_URL


@pytest.fixture(scope="session")
def redis_url():
    """TEST_REDIS_URL (default redis://127.0.0.1:6379/0), or a skip if it does not answer PING."""
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            answer = sock.recv(64)
    except OSError as exc:
        pytest.skip(f"needs Redis at {REDIS_URL} (set TEST_REDIS_URL): {exc}")
    if not answer.startswith((b"+PONG", b"-NOAUTH")):
        pytest.skip(f"Redis at {REDIS_URL} answered {answer!r} to PING")
    return REDIS_URL
