"""Fixtures: one app per database, its schema built by the migrations, the demo district
loaded once, and every test inside a transaction that is rolled back afterwards."""
import contextvars
import os
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import create_engine, select, text

from app import create_app
from app.extensions import db, limiter
from app.org.demo import DEMO_PASSWORD, seed_demo
from app.org.models import User

PG_URL = os.environ.get("TEST_DATABASE_URL")


def _pg_url():
    return PG_URL.replace("postgresql://", "postgresql+psycopg://", 1) if PG_URL.startswith("postgresql://") else PG_URL


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """(url, engine options) of a database of this run's own.

    On PostgreSQL each run gets a private schema, so runs on one server never collide.
    """
    if not PG_URL:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3"), {}
        return
    schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(_pg_url())
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_url(), {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def own_pg_app():
    """own_pg_app(**config): an app on a PostgreSQL schema of its own, migrated, with the demo
    district, whose commits are real: for races that need two transactions at once (the test
    opts out of the shared rollback with a `committing` fixture). Skipped without PostgreSQL."""
    if not (PG_URL or "").startswith("postgresql"):
        pytest.skip("needs two PostgreSQL transactions at once (TEST_DATABASE_URL)")
    made = []

    def make(**config):
        schema = f"own_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(_pg_url())
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        app = create_app({"BAOLIAN_ENV": "testing", "SECRET_KEY": "own-app", "SQLALCHEMY_DATABASE_URI": _pg_url(),
                          "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
                          "NOTIFY_DELIVERY": "off", **config})
        made.append((app, admin, schema))
        with app.app_context():
            upgrade()
            seed_demo()
            db.session.commit()
        return app

    yield make
    for app, admin, schema in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(database):
    return database[0]


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (and so its own `g` and session), as on a server,
    even though the test itself holds one open to look at the database."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app(database):
    url, engine_options = database
    app = create_app({
        "BAOLIAN_ENV": "testing",
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "RATELIMIT_STORAGE_URI": "memory://",
        "NOTIFY_DELIVERY": "off",  # tests deliver the outbox themselves, when they mean to
    })
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class BoundSession(FlaskSession):
    """Flask-SQLAlchemy's Session picks the engine by bind key and so ignores `bind=`;
    this one always uses the connection it was given, so everything stays in the test's
    outer transaction."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


@pytest.fixture(autouse=True)
def _rollback(request, app):
    """Each test runs in an outer transaction; the app's commits only release savepoints."""
    if "committing" in request.fixturenames:
        yield
        return
    with app.app_context():
        conn = db.engine.connect()
        outer = conn.begin()
        real_session = db.session
        db.session = db._make_scoped_session({
            "bind": conn, "join_transaction_mode": "create_savepoint", "class_": BoundSession})
        limiter.reset()
        try:
            yield
        finally:
            try:
                db.session.remove()
            finally:  # whatever went wrong above, never leave the connection (and SQLite's lock) behind
                db.session = real_session
                try:
                    outer.rollback()
                finally:
                    conn.close()


@pytest.fixture
def is_postgres(database_url):
    return database_url.startswith("postgresql")


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class ApiClient:
    """A phone: its own cookies, and the CSRF token sent on every write."""

    def __init__(self, app):
        self.http = app.test_client()
        self.csrf = None
        self.user = None

    def fetch_csrf(self):
        self.csrf = self.http.get("/api/auth/csrf").get_json()["csrf_token"]
        return self.csrf

    def login(self, phone, password=DEMO_PASSWORD):
        self.fetch_csrf()
        res = self.post("/api/auth/login", json={"phone": phone, "password": password})
        if res.status_code == 200:
            self.user = res.get_json()
            self.csrf = self.user["csrf_token"]
        return res

    def _headers(self, headers):
        headers = dict(headers or {})
        if self.csrf:
            headers.setdefault("X-CSRF-Token", self.csrf)
        return headers

    def get(self, url, **kw):
        return self.http.get(url, **kw)

    def post(self, url, json=None, headers=None, **kw):
        return self.http.post(url, json=json, headers=self._headers(headers), **kw)

    def patch(self, url, json=None, headers=None, **kw):
        return self.http.patch(url, json=json, headers=self._headers(headers), **kw)

    def delete(self, url, headers=None, **kw):
        return self.http.delete(url, headers=self._headers(headers), **kw)


@pytest.fixture
def anon(app):
    return ApiClient(app)


class Demo:
    """Demo people by name or role, read from the seeded database."""

    def __init__(self):
        self.users = {u.name: u for u in db.session.scalars(select(User)).all()}

    def __getitem__(self, name):
        return self.users[name]

    def one(self, role, unit=None):
        return next(u for u in sorted(self.users.values(), key=lambda u: u.phone)
                    if u.role == role and (unit is None or u.org_unit.name == unit))


@pytest.fixture
def demo(app):
    return Demo()


@pytest.fixture
def login(app, demo):
    """login("石水奇") or login(role="secretary"): a logged-in ApiClient."""

    def _login(name=None, *, role=None, unit=None):
        user = demo[name] if name else demo.one(role, unit)
        client = ApiClient(app)
        res = client.login(user.phone)
        assert res.status_code == 200, res.get_json()
        return client

    return _login


@pytest.fixture
def jiang(demo):
    from app.households.models import Household

    return db.session.scalars(select(Household).where(Household.head_name == "姜彩凤")).one()


def visit_body(household_id, **overrides):
    body = {
        "id": str(uuid.uuid4()),
        "household_id": household_id,
        "visited_at": (datetime.now(timezone(timedelta(hours=8))) - timedelta(hours=1)).isoformat(),
        "mode": "door",
        "notes": "丈夫突发疾病，家庭收入减少",
        "needs": ["urgent_needs"],
        "hardship": "serious",
    }
    body.update(overrides)
    return body


class Clock:
    """A controllable clock for deadlines: starts at real now, moves only when told."""

    def __init__(self):
        self.now = datetime.now(timezone.utc)

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    import app.common.time as time_module

    c = Clock()
    monkeypatch.setattr(time_module, "_source", c)
    return c


_CLIENTS = {}


@pytest.fixture
def as_user(app, demo):
    """A logged-in client per user, made once per run: a signed session cookie stays valid,
    so tests that act as many people need not pay for a login (scrypt) each time."""

    def _get(user):
        key = (id(app), user.id, user.phone)
        if key not in _CLIENTS:
            client = ApiClient(app)
            assert client.login(user.phone).status_code == 200
            _CLIENTS[key] = client
        return _CLIENTS[key]

    return _get


@pytest.fixture
def chain(demo, jiang):
    """The people along 姜彩凤's chain, by role, and her department of last resort."""
    from app.org.models import OrgUnit

    shi = demo["石水奇"]
    people = {
        "member": shi,
        "informant": db.session.get(User, shi.informant_id),
        "grid_leader": demo.one("grid_leader", "第一网格"),
        "secretary": demo.one("secretary", "西流南村"),
        "township": demo.one("township", "辛安泉镇"),
        "department": demo.one("department", "民政局"),
        "admin": demo.one("admin"),
    }
    people["minzheng"] = db.session.scalars(select(OrgUnit).where(OrgUnit.name == "民政局")).one()
    return people


@pytest.fixture
def make_case(chain, jiang):
    """A case on 姜彩凤's household put straight into any (level, status), with the holder
    that state implies, so rules can be checked state by state."""
    from app.cases.models import Case
    from app.cases.transitions import record
    from app.common.time import utcnow

    holders = {"member": "member", "informant": "informant", "grid": "grid_leader", "branch": "secretary",
               "township": "township", "department": "department"}

    def _make(level="member", status="open", urgency="normal", **extra):
        now = utcnow()
        case = Case(id=uuid.uuid4(), household_id=jiang.id, category="urgent_needs", title="测试问题",
                    description="", urgency=urgency, status=status, level=level, opened_by_id=chain["member"].id,
                    opened_at=now, created_at=now, updated_at=now, due_at=now + timedelta(hours=24))
        if level == "department":
            case.department_id, case.dispatcher_id = chain["minzheng"].id, chain["township"].id
        if status == "closed":
            case.due_at, case.closed_at, case.resolved_at = None, now, now
        elif level == "department" and status == "dispatched":
            case.holder_unit_id = chain["minzheng"].id
        else:
            case.holder_id = chain[holders[level]].id
        if status == "resolved":
            case.resolved_at, case.due_at = now, None
        for key, value in extra.items():
            setattr(case, key, value)
        db.session.add(case)
        db.session.flush()
        record(case, "opened", chain["member"], now, {})
        db.session.commit()
        return case

    return _make
