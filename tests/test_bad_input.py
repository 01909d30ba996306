"""Hostile input found by the outside audit: each of these answered 500 before.

Every answer must be the project's JSON error shape with a Chinese message, never a 500.
The suite runs these on SQLite and again on PostgreSQL (TEST_DATABASE_URL), where integers
past a column's range used to reach the database.
"""
import re
import uuid

import pytest

from app.common.pagination import encode_cursor

HUGE = "9" * 5000  # past Python's 4,300-digit limit for int(str)
CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_error(res, status, code=None):
    assert res.status_code == status, (res.status_code, res.get_data(as_text=True)[:300])
    error = res.get_json()["error"]
    assert CJK.search(error["message"]), error
    if code:
        assert error["code"] == code
    return error


def raw_json(client, method, url, text):
    headers = client._headers({"Content-Type": "application/json"})
    return client.http.open(url, method=method.upper(), data=text, headers=headers)


# --- A1: integers too long to parse -----------------------------------------------------------


def test_a_huge_json_integer_on_the_anonymous_login_is_400(anon):
    anon.fetch_csrf()
    res = raw_json(anon, "post", "/api/auth/login", '{"phone": ' + HUGE + ', "password": "x"}')
    assert_error(res, 400, "bad_json")


@pytest.mark.parametrize("method,url,body", [
    ("post", "/api/visits", '{"id": "%s", "household_id": %s}'),
    ("post", "/api/cases", '{"id": "%s", "household_id": %s}'),
    ("post", "/api/tasks", '{"id": "%s", "assignee_id": %s}'),
    ("post", "/api/sync", '{"mutations": [{"id": "%s", "type": "visit", "data": {"n": %s}}]}'),
    ("put", "/api/notifications/preferences", '{"x": "%s", "webpush": %s}'),
])
def test_a_huge_json_integer_is_400_on_every_route(login, method, url, body):
    secretary = login("赵红梅")
    res = raw_json(secretary, method, url, body % (uuid.uuid4(), HUGE))
    assert_error(res, 400, "bad_json")


def test_a_huge_integer_in_the_query_or_path_is_not_500(login, jiang):
    secretary = login("赵红梅")
    assert_error(secretary.get(f"/api/households?member_id={HUGE}"), 422)
    assert_error(secretary.get(f"/api/households?limit={HUGE}"), 422)
    assert secretary.get(f"/api/households/{HUGE}").status_code == 404


# --- A2: cursors whose dates overflow when turned into UTC ------------------------------------

EXTREME = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"]


def _dated_cursor_urls(jiang):
    for when in EXTREME:
        key = [when, str(uuid.uuid4())]
        yield f"/api/cases?cursor={encode_cursor(key)}"
        yield f"/api/cases?awaiting=me&cursor={encode_cursor(key)}"
        yield f"/api/visits?household_id={jiang.id}&cursor={encode_cursor(key)}"
        yield f"/api/tasks?cursor={encode_cursor(key)}"
        for phase in (1, 2, 3):  # case, visit, task pages of the sync snapshot
            yield f"/api/sync?cursor={encode_cursor([phase, key, 0, 0])}"


def test_cursors_with_dates_that_overflow_utc_are_422(login, jiang):
    secretary = login("赵红梅")
    for url in _dated_cursor_urls(jiang):
        error = assert_error(secretary.get(url), 422, "invalid")
        assert "cursor" in error["fields"], url


# --- A3: integer cursors past the column's range ----------------------------------------------

@pytest.mark.parametrize("big", [2**40, 2**62, -(2**40)])
def test_integer_cursors_past_the_column_are_422(login, big):
    secretary, admin = login("赵红梅"), login(role="admin")
    urls = [
        f"/api/households?cursor={encode_cursor([big])}",
        f"/api/households?archived=1&cursor={encode_cursor([big])}",
        f"/api/notifications?cursor={encode_cursor([big])}",
        f"/api/users?cursor={encode_cursor([big])}",
        f"/api/org-units?cursor={encode_cursor([big])}",
        f"/api/sync?cursor={encode_cursor([0, [big], 0, 0])}",   # the households page of a snapshot
        f"/api/sync?cursor={encode_cursor([4, [big], 0, 0])}",   # the notifications page
    ]
    for url in urls:
        error = assert_error(secretary.get(url), 422, "invalid")
        assert "cursor" in error["fields"], url
    assert_error(admin.get(f"/api/notifications/deliveries?cursor={encode_cursor([big])}"), 422)


@pytest.mark.parametrize("seq", [2**40, 2**62])
def test_a_sync_log_position_far_ahead_is_not_500(login, seq):
    """The change log's sequence is a 64-bit column: such a cursor is odd but storable."""
    res = login("石水奇").get(f"/api/sync?cursor={encode_cursor([-1, None, seq, 0])}")
    assert res.status_code in (200, 422), res.get_data(as_text=True)[:300]


@pytest.mark.parametrize("param", [
    "/api/visits?household_id={n}", "/api/cases?household_id={n}", "/api/cases?org_unit_id={n}",
    "/api/households?member_id={n}", "/api/users?org_unit_id={n}", "/api/households?limit={n}",
    "/api/sync?limit={n}", "/api/notifications/deliveries?notification_id={n}",
])
@pytest.mark.parametrize("n", [2**40, 2**62, -(2**62)])
def test_integer_query_parameters_past_the_column_are_422(login, param, n):
    admin = login(role="admin")
    assert_error(admin.get(param.format(n=n)), 422)
