"""How `make run` serves: gunicorn with threaded workers, the periodic jobs in one process only,
and the household list (the phone app's hot path) read without a transaction on PostgreSQL."""
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.org.demo import DEMO_PASSWORD
from app.scheduler import _take
from tests.conftest import ApiClient, visit_body

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def committing():
    """Opt out of the shared rollback: the app below commits for real, on a schema of its own."""
    yield


def test_only_one_process_holds_the_scheduler(tmp_path):
    lock = tmp_path / "scheduler.lock"
    first = _take(lock)
    assert first is not None
    assert _take(lock) is None  # another worker: it leaves the jobs alone
    first.close()  # the holder died
    successor = _take(lock)
    assert successor is not None  # the next worker to try takes over
    successor.close()


@pytest.mark.parametrize("url,workers", [("postgresql+psycopg://db/baolian", 2), ("", 1)])
def test_make_serve_is_gunicorn_on_the_loopback(url, workers):
    command = subprocess.run(["make", "-s", "-n", "serve", "PORT=5123"], cwd=ROOT, capture_output=True, text=True,
                             env={"PATH": "/usr/bin:/bin", "DATABASE_URL": url}, check=True).stdout
    assert "gunicorn --worker-class gthread" in command and f"--workers {workers} " in command
    assert "--bind 127.0.0.1:5123" in command and "BAOLIAN_SCHEDULER=1" in command


def test_the_list_reads_without_a_transaction_and_writes_still_have_one(own_pg_app, committing):
    app = own_pg_app()
    client = ApiClient(app)
    assert client.login("13900000101", DEMO_PASSWORD).status_code == 200
    with app.app_context():
        engine = db.engine
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(conn.connection.dbapi_connection.autocommit)

    event.listen(engine, "before_cursor_execute", record)
    try:
        items = client.get("/api/households").get_json()["items"]
        assert seen and all(seen)  # autocommit: no BEGIN, no ROLLBACK
        seen.clear()
        assert client.post("/api/visits", json=visit_body(items[0]["id"])).status_code == 201
        assert seen and not any(seen)  # the connection went back to the pool transactional
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert client.get("/api/households").get_json()["items"][0]["last_visit"] is not None


def test_a_route_listed_as_a_pure_read_that_writes_is_refused(own_pg_app, committing, monkeypatch):
    """Under autocommit a write would land statement by statement: the flush is refused instead."""
    from app import security
    from app.households import service
    from app.org.models import User

    app = own_pg_app()
    client = ApiClient(app)
    assert client.login("13900000101", DEMO_PASSWORD).status_code == 200
    real = service.list_households

    def writes_too(*, actor, **kwargs):
        db.session.get(User, actor.id).name = "石水奇（改）"  # a "last seen" someone might add
        db.session.flush()
        return real(actor=actor, **kwargs)

    monkeypatch.setattr(service, "list_households", writes_too)
    assert ("GET", "households.Households") in security.PURE_READS
    assert client.get("/api/households").status_code == 500
    with app.app_context():
        assert db.session.scalars(select(User.name).where(User.phone == "13900000101")).one() == "石水奇"
