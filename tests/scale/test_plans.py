"""On PostgreSQL at 10^5 seeded households: the SQL each list really issues (captured while the
route answers through the test client) is planned without a sequential scan of a big table,
without sorting the caller's whole scope, and without any scan reading more rows than a scope. Plans come from EXPLAIN (ANALYZE, FORMAT JSON)
of the captured statements with their parameters, so a top-N sort shows as one.

The dataset lives in a schema of its own, seeded once for the module (about half a minute). The
household and case lists are also planned on a second one: the same, then one more county of one full
township, whose households are the last rows of every table, so a list that walks the table in
id order, filtering, up to a scope shows it; and the case list of the first township, whose
cases come after everyone else's newest first, so a list that walks all cases in that order,
filtering, up to a scope shows it.
"""
import os
import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, func, select, text

from app import create_app
from app.common.pagination import encode_cursor
from app.extensions import db
from app.org.demo import seed_demo
from app.org.models import User
from app.policy.names import Role
from app.scale import SCALE_PHONE_PREFIX, scale_user, seed_scale
from app.sync.models import Change
from tests.conftest import ApiClient, IsolatedClient

HOUSEHOLDS = 100_000
LAST_TOWNSHIP = 9_000  # households of the appended county: one township, 20 villages
BIG_TABLES = {"households", "visits", "cases", "case_events", "tasks", "notifications", "sync_changes"}
# A sort may order a page's worth of rows (a page is at most 200), never a scope of thousands.
SORT_ROWS_MAX = 1000
# Nor may any scan of a big table read (return or filter away) more rows than the largest scope
# of a list here (a township: 9,000 households): that is reading the database, not the scope.
SCAN_ROWS_MAX = 10_000
ROLES = (Role.MEMBER, Role.SECRETARY, Role.TOWNSHIP)
ROUTES = ("/api/households", "/api/cases", "/api/tasks", "/api/notifications", "/api/sync", "sync-incremental")
PG_URL = os.environ.get("TEST_DATABASE_URL")

pytestmark = [pytest.mark.postgres_only,
              pytest.mark.skipif(not PG_URL, reason="query plans at scale need PostgreSQL (TEST_DATABASE_URL)")]


@pytest.fixture
def committing():
    """This module keeps a database of its own; it does not share the suite's connection."""


@pytest.fixture(scope="module")
def scale_app():
    yield from seeded_app(HOUSEHOLDS)


@pytest.fixture(scope="module")
def appended_app():
    """10^5 households, then a county of one township: its officer's households come last."""
    yield from seeded_app(HOUSEHOLDS, LAST_TOWNSHIP)


def seeded_app(*runs):
    url = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1) if PG_URL.startswith("postgresql://") else PG_URL
    schema = f"scale_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    app = create_app({"BAOLIAN_ENV": "testing", "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
                      "RATELIMIT_STORAGE_URI": "memory://", "NOTIFY_DELIVERY": "off"})
    app.test_client_class = IsolatedClient
    try:
        with app.app_context():
            upgrade()
            seed_demo()
            db.session.commit()
            for n, households in enumerate(runs):
                seed_scale(households, append=n > 0, analyze=n == len(runs) - 1)
                db.session.commit()
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="module")
def clients(scale_app):
    """A logged-in client per role, and the cursor of a phone that synced a little while ago: 100
    changes before the last visit logged, so the feed reads visits, cases, tasks and notifications."""
    with scale_app.app_context():
        head = db.session.scalar(select(func.max(Change.seq)).where(Change.entity == "visit"))
        people = {role: (scale_user(role).phone, scale_user(role).scope_version) for role in ROLES}
    out = {}
    for role, (phone, scope_version) in people.items():
        client = ApiClient(scale_app)
        assert client.login(phone).status_code == 200
        out[role] = (client, encode_cursor([-1, None, head - 100, scope_version]))
    return out


@pytest.fixture(scope="module")
def officers(appended_app):
    """Logged-in clients of the officer of the township appended last (its households come last)
    and of the first township (its cases, opened when everyone's were, come after all others'
    newest first: the appended county's are a little newer, and ties go by id, its own last)."""
    with appended_app.app_context():
        count = db.session.scalar(select(func.count()).select_from(User).where(
            User.phone.startswith(SCALE_PHONE_PREFIX), User.role == Role.TOWNSHIP))
        phones = {"last": scale_user(Role.TOWNSHIP, count - 1).phone, "first": scale_user(Role.TOWNSHIP).phone}
    out = {}
    for who, phone in phones.items():
        out[who] = ApiClient(appended_app)
        assert out[who].login(phone).status_code == 200
    return out


def captured(app, fetch):
    """Run `fetch()`; answers the (statement, parameters) of every SELECT it sent."""
    seen = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        res = fetch()
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert res.status_code == 200, res.get_json()
    return seen


def plan_of(app, statement, parameters):
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
            plan = cur.fetchone()[0][0]["Plan"]
            raw.rollback()
        finally:
            raw.close()
    return plan


def nodes(plan):
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


def problems(plan):
    """What makes a plan grow with the database or the scope."""
    found = []
    for node in nodes(plan):
        kind = node["Node Type"]
        if kind == "Seq Scan" and node.get("Relation Name") in BIG_TABLES:
            rows = node["Actual Rows"] * node.get("Actual Loops", 1)
            removed = node.get("Rows Removed by Filter", 0) * node.get("Actual Loops", 1)
            found.append(f"Seq Scan on {node['Relation Name']} (rows {rows}, removed by filter {removed})")
        elif node.get("Relation Name") in BIG_TABLES:
            loops = node.get("Actual Loops", 1)
            read = (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * loops
            if read > SCAN_ROWS_MAX:
                found.append(f"{kind} on {node['Relation Name']} {node.get('Index Name', '')} read {read} rows")
        if kind in ("Sort", "Incremental Sort"):
            child = node["Plans"][0]
            rows = child["Actual Rows"] * child.get("Actual Loops", 1)
            if rows > SORT_ROWS_MAX:
                found.append(f"{kind} of {rows} rows ({node.get('Sort Method', '?')}) on {node.get('Sort Key')}")
    return found


def outline(plan, depth=0):
    """The plan as short indented lines, for the failure message."""
    name = plan["Node Type"] + (f" on {plan['Relation Name']}" if "Relation Name" in plan else "")
    name += f" using {plan['Index Name']}" if "Index Name" in plan else ""
    lines = [f"{'  ' * depth}{name} (rows {plan.get('Actual Rows')} x{plan.get('Actual Loops')})"]
    for child in plan.get("Plans", ()):
        lines += outline(child, depth + 1)
    return lines


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_list_queries_are_served_by_indexes_at_scale(committing, scale_app, clients, role, route):
    client, cursor = clients[role]
    url = f"/api/sync?cursor={cursor}" if route == "sync-incremental" else route
    wrong = plan_problems(scale_app, client, url)
    assert not wrong, f"{role} {wrong}"


@pytest.mark.parametrize(("route", "who"), [("/api/households", "last"), ("/api/cases", "last"),
                                           ("/api/cases", "first")])
@pytest.mark.parametrize("page", [1, 2, 3])
def test_a_township_at_the_end_of_the_table_reads_a_page_not_the_table(committing, appended_app, officers, page,
                                                                       route, who):
    """The last township's households have the largest ids: a list in id order would read the
    10^5 before them. The first township's cases come after everyone else's newest first: a list
    walking all cases newest first, keeping those in scope, would read the others' before them."""
    officer = officers[who]
    url = route
    for _ in range(page - 1):
        body = officer.get(url).get_json()
        assert len(body["items"]) == 50 and body["next"]
        url = f"{route}?cursor={body['next']}"
    wrong = plan_problems(appended_app, officer, url)
    assert not wrong, wrong


def plan_problems(app, client, url):
    """What is wrong with the plan of every statement GET `url` sends, as one message."""
    wrong = []
    for statement, parameters in captured(app, lambda: client.get(url)):
        plan = plan_of(app, statement, parameters)
        found = problems(plan)
        if found:
            wrong.append("\n".join([*found, " ".join(statement.split())[:600], *outline(plan)]))
    return f"GET {url}:\n\n" + "\n\n".join(wrong) if wrong else ""
