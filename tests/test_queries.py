"""Cost per request: the number of SQL statements must not grow with the rows shown, and on
PostgreSQL every list query must be able to use an index (no sequential scan when the
planner is told to avoid them)."""
import re
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.extensions import db
from tests.conftest import visit_body


@contextmanager
def recorded():
    statements = []

    def _record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _record)


def count(client, url):
    with recorded() as statements:
        res = client.get(url)
        assert res.status_code == 200, res.get_json()
    return len(statements)


def _add_case(client, household_id, actions=()):
    case_id = str(uuid.uuid4())
    assert client.post("/api/cases", json={"id": case_id, "household_id": household_id, "category": "other",
                                           "title": "测试"}).status_code == 201
    for action in actions:
        client.post(f"/api/cases/{case_id}/{action}", json={"body": "跟进"})
    return case_id


def _grow(login, demo):
    """More visits, cases, events, tasks and notifications in 石水奇's households."""
    shi, secretary = login("石水奇"), login("赵红梅")
    homes = [h["id"] for h in shi.get("/api/households").get_json()["items"]]
    for hid in homes:
        shi.post("/api/visits", json=visit_body(hid))
        case_id = _add_case(shi, hid, actions=("comments", "comments"))
        shi.post(f"/api/cases/{case_id}/escalate", json={})
        secretary.post("/api/tasks", json={"id": str(uuid.uuid4()), "assignee_id": demo["石水奇"].id,
                                           "title": "入户核实"})
    return homes


URLS = [
    ("石水奇", "/api/households"),
    ("赵红梅", "/api/households?limit=200"),
    ("石水奇", "/api/cases"),
    ("赵红梅", "/api/cases?limit=200"),
    ("赵红梅", "/api/cases?overdue=false&status=escalated"),
    ("石水奇", "/api/tasks"),
    ("石水奇", "/api/notifications"),
    ("石水奇", "/api/me"),
]


@pytest.mark.parametrize("who,url", URLS)
def test_statement_count_does_not_grow_with_rows(who, url, login, demo):
    client = login(who)
    before = count(client, url)
    _grow(login, demo)
    assert count(client, url) == before


def test_detail_pages_do_not_grow_with_their_timeline(login, jiang, demo):
    shi = login("石水奇")
    case_id = _add_case(shi, jiang.id)
    first = (count(shi, f"/api/cases/{case_id}"), count(shi, f"/api/households/{jiang.id}"))
    for _ in range(5):
        shi.post(f"/api/cases/{case_id}/comments", json={"body": "跟进"})
        shi.post("/api/visits", json=visit_body(jiang.id))
    assert (count(shi, f"/api/cases/{case_id}"), count(shi, f"/api/households/{jiang.id}")) == first


SCANNED = re.compile(r"Seq Scan on (households|visits|cases|case_events|tasks|notifications|users)\b")


@pytest.mark.parametrize("who,url", URLS + [("赵红梅", "/api/cases?awaiting=me"), ("刘淑珍", "/api/cases?awaiting=me"),
                                           ("王铁柱", "/api/households"), ("石水奇", "/api/visits?household_id=1")])
def test_list_queries_can_use_an_index(who, url, login, is_postgres):
    if not is_postgres:
        pytest.skip("query plans are checked on PostgreSQL")
    client = login(who)
    with recorded() as statements:
        assert client.get(url).status_code == 200
    conn = db.session.connection()
    conn.exec_driver_sql("SET enable_seqscan = off")
    try:
        for statement, params in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, params))
            assert not SCANNED.search(plan), f"{url}\n{statement}\n{plan}"
    finally:
        conn.exec_driver_sql("SET enable_seqscan = on")


TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)


def queries(client, url):
    """The statements one GET runs, without the transaction's own (BEGIN, SAVEPOINT ...)."""
    with recorded() as statements:
        assert client.get(url).status_code == 200
    return [s for s, _ in statements if not TRANSACTION_CONTROL.match(s)]


@pytest.mark.parametrize("who", ["石水奇", "赵红梅"])
def test_the_household_list_is_two_queries_whatever_the_page_size(who, login, demo):
    """The user with their session state, then the page with each household's grid, member,
    latest visit and open cases: the phone app's hot path."""
    client = login(who)
    _grow(login, demo)  # visits and open cases on the member's households
    for limit in (1, 7, 50, 200):
        assert len(queries(client, f"/api/households?limit={limit}")) <= 2, limit
