"""Shared set-up for benchmarks: a fresh database (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set), migrated and seeded, and a logged-in test client."""
import contextlib
import os
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.org.demo import DEMO_PASSWORD, seed_demo  # noqa: E402


def databases():
    """(label, url, engine options, cleanup) for every database this run can reach."""
    tmp = tempfile.mkdtemp(prefix="baolian-bench-")
    yield "SQLite", f"sqlite:///{tmp}/bench.sqlite3", {}, lambda: None
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))

        def drop():
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()

        yield "PostgreSQL", url, {"connect_args": {"options": f"-csearch_path={schema}"}}, drop


@contextlib.contextmanager
def bench_app(url, options):
    app = create_app({"BAOLIAN_ENV": "testing", "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": options, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


class Client:
    def __init__(self, app, phone):
        self.http = app.test_client()
        token = self.http.get("/api/auth/csrf").get_json()["csrf_token"]
        res = self.http.post("/api/auth/login", json={"phone": phone, "password": DEMO_PASSWORD},
                             headers={"X-CSRF-Token": token})
        self.csrf = res.get_json()["csrf_token"]

    def get(self, url):
        return self.http.get(url)

    def post(self, url, body):
        return self.http.post(url, json=body, headers={"X-CSRF-Token": self.csrf})


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
