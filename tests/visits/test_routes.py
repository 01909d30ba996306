"""/api/visits: recorded exactly once by client UUID, every field checked, listed newest first."""
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.messages import FIELD_LABELS, HTTP, TEXT
from app.visits.models import Visit
from tests.conftest import visit_body

CJK = re.compile(r"[\u4e00-\u9fff]")
CST = timezone(timedelta(hours=8))


def stored(visit_id):
    return db.session.scalar(select(func.count()).select_from(Visit).where(Visit.id == uuid.UUID(visit_id)))


def ago(**kw):
    return (datetime.now(CST) - timedelta(**kw)).isoformat()


def details(value):
    if isinstance(value, dict):
        return [d for v in value.values() for d in details(v)]
    if isinstance(value, list):
        return [d for v in value for d in details(v)]
    return [value]


# --- recording ---------------------------------------------------------------------------------


def test_create_answers_201_with_the_record(login, demo, jiang):
    body = visit_body(jiang.id)
    res = login("石水奇").post("/api/visits", json=body)
    assert res.status_code == 201
    out = res.get_json()
    assert out["id"] == body["id"]
    assert out["household_id"] == jiang.id
    assert out["author"] == {"id": demo["石水奇"].id, "name": "石水奇"}
    assert datetime.fromisoformat(out["visited_at"]) == datetime.fromisoformat(body["visited_at"])
    assert datetime.fromisoformat(out["recorded_at"]).tzinfo is not None
    assert {k: out[k] for k in ("mode", "notes", "needs", "hardship")} == {
        k: body[k] for k in ("mode", "notes", "needs", "hardship")}
    assert stored(body["id"]) == 1
    visit = db.session.get(Visit, uuid.UUID(body["id"]))
    assert visit.author_id == demo["石水奇"].id
    assert visit.visited_at != visit.recorded_at  # device time and server time both kept


def test_optional_fields_default(login, jiang):
    body = visit_body(jiang.id)
    del body["notes"], body["needs"]
    res = login("石水奇").post("/api/visits", json=body)
    assert res.status_code == 201
    assert res.get_json()["notes"] == "" and res.get_json()["needs"] == []


def test_resend_same_content_is_200_and_stored_once(login, jiang):
    client = login("石水奇")
    body = visit_body(jiang.id, notes="  门口说了几句  ")
    first = client.post("/api/visits", json=body)
    assert first.status_code == 201
    for _ in range(3):
        again = client.post("/api/visits", json=body)
        assert again.status_code == 200
        assert again.get_json() == first.get_json()
    assert stored(body["id"]) == 1
    assert db.session.scalar(select(func.count()).select_from(Visit).where(
        Visit.household_id == jiang.id, Visit.notes == "门口说了几句")) == 1


def test_resend_from_a_fresh_session_is_still_one_visit(app, login, jiang):
    """The phone's session may have been renewed between the send and the resend."""
    body = visit_body(jiang.id)
    assert login("石水奇").post("/api/visits", json=body).status_code == 201
    assert login("石水奇").post("/api/visits", json=body).status_code == 200
    assert stored(body["id"]) == 1


def test_resend_with_the_same_instant_in_another_offset_is_the_same(login, jiang):
    client = login("石水奇")
    body = visit_body(jiang.id)
    assert client.post("/api/visits", json=body).status_code == 201
    utc = datetime.fromisoformat(body["visited_at"]).astimezone(UTC).isoformat()
    assert client.post("/api/visits", json={**body, "visited_at": utc}).status_code == 200
    assert stored(body["id"]) == 1


@pytest.mark.parametrize("change", [
    {"notes": "另一段记录"},
    {"mode": "phone"},
    {"hardship": "mild"},
    {"needs": ["fire"]},
    {"needs": []},
    {"visited_at": "2020-01-01T09:00:00+08:00"},
])
def test_same_id_different_content_is_409_with_the_stored_record(login, jiang, change):
    client = login("石水奇")
    body = visit_body(jiang.id)
    first = client.post("/api/visits", json=body).get_json()
    res = client.post("/api/visits", json={**body, **change})
    assert res.status_code == 409
    error = res.get_json()["error"]
    assert error["code"] == "duplicate_id"
    assert error["message"] == TEXT["visit_conflict"]
    assert error["current"] == first
    assert stored(body["id"]) == 1
    assert db.session.get(Visit, uuid.UUID(body["id"])).notes == body["notes"].strip()


def test_same_id_for_another_household_is_409(login, demo, jiang):
    client = login("石水奇")
    body = visit_body(jiang.id)
    client.post("/api/visits", json=body)
    other = next(h["id"] for h in client.get("/api/households").get_json()["items"] if h["id"] != jiang.id)
    res = client.post("/api/visits", json={**body, "household_id": other})
    assert res.status_code == 409
    assert res.get_json()["error"]["current"]["household_id"] == jiang.id


def test_someone_elses_id_out_of_scope_is_409_without_the_record(login, jiang):
    body = visit_body(jiang.id)
    assert login("石水奇").post("/api/visits", json=body).status_code == 201
    stranger = login("郑满仓")
    mine = stranger.get("/api/households").get_json()["items"][0]["id"]
    res = stranger.post("/api/visits", json={**body, "household_id": mine})
    assert res.status_code == 409
    assert "current" not in res.get_json()["error"]
    assert stored(body["id"]) == 1


def test_those_above_may_record_visits_in_scope(login, jiang):
    for who in ("赵红梅",):
        assert login(who).post("/api/visits", json=visit_body(jiang.id)).status_code == 201


def test_a_little_clock_skew_is_tolerated(app, login, jiang):
    minutes = app.config["VISIT_FUTURE_TOLERANCE_MINUTES"]
    ahead = (datetime.now(CST) + timedelta(minutes=minutes / 2)).isoformat()
    assert login("石水奇").post("/api/visits", json=visit_body(jiang.id, visited_at=ahead)).status_code == 201


def test_out_of_scope_household_is_404_like_a_missing_one(login, jiang):
    client = login("郑满仓")
    res = client.post("/api/visits", json=visit_body(jiang.id))
    missing = client.post("/api/visits", json=visit_body(987654321))
    assert res.status_code == missing.status_code == 404
    assert res.get_json() == missing.get_json() == {"error": {"code": "not_found", "message": HTTP[404]}}
    assert db.session.scalar(select(func.count()).select_from(Visit).where(Visit.author_id == client.user["id"])) == 0


# --- bad input ---------------------------------------------------------------------------------

BAD = [
    ("id", "not-a-uuid"),
    ("id", 12345),
    ("id", None),
    ("id", ""),
    ("household_id", "1"),
    ("household_id", 1.5),
    ("household_id", True),
    ("household_id", None),
    ("household_id", [1]),
    ("visited_at", "2026-11-20T10:00:00"),  # naive
    ("visited_at", "2026-11-20"),
    ("visited_at", "昨天下午"),
    ("visited_at", 1764000000),
    ("visited_at", None),
    ("visited_at", "future"),
    ("mode", "walk"),
    ("mode", "DOOR"),
    ("mode", 1),
    ("mode", None),
    ("notes", "记" * 2001),
    ("notes", 5),
    ("notes", ["a"]),
    ("needs", "urgent_needs"),
    ("needs", ["bogus"]),
    ("needs", [1]),
    ("needs", ["fire", "fire"]),
    ("needs", {"fire": True}),
    ("needs", None),
    ("hardship", "extreme"),
    ("hardship", True),
    ("hardship", None),
    ("hardship", ""),
    ("author_id", 1),
    ("recorded_at", "2026-11-20T10:00:00+08:00"),
]


@pytest.mark.parametrize("field, value", BAD)
def test_bad_field_is_422_naming_it_in_chinese(login, jiang, field, value):
    if value == "future":
        value = (datetime.now(CST) + timedelta(days=1)).isoformat()
    body = {**visit_body(jiang.id), field: value}
    res = login("石水奇").post("/api/visits", json=body)
    assert res.status_code == 422, res.get_json()
    error = res.get_json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert CJK.search(error["message"])
    assert all(CJK.search(d) for d in details(error["fields"][field]))
    if field in FIELD_LABELS:
        assert FIELD_LABELS[field] + "：" in error["message"]
    if isinstance(body.get("id"), str) and len(body["id"]) == 36:
        assert stored(body["id"]) == 0


def test_future_visit_says_why(login, jiang):
    body = visit_body(jiang.id, visited_at=(datetime.now(CST) + timedelta(days=1)).isoformat())
    error = login("石水奇").post("/api/visits", json=body).get_json()["error"]
    assert error["fields"] == {"visited_at": [TEXT["visit_in_future"]]}


def test_duplicate_needs_say_why(login, jiang):
    body = visit_body(jiang.id, needs=["fire", "epidemic", "fire"])
    error = login("石水奇").post("/api/visits", json=body).get_json()["error"]
    assert error["fields"] == {"needs": [TEXT["duplicate_needs"]]}


@pytest.mark.parametrize("field", ["id", "household_id", "visited_at", "mode", "hardship"])
def test_missing_required_field_is_422(login, jiang, field):
    body = visit_body(jiang.id)
    del body[field]
    res = login("石水奇").post("/api/visits", json=body)
    assert res.status_code == 422
    error = res.get_json()["error"]
    assert error["fields"] == {field: ["必填"]}
    assert error["message"] == f"{FIELD_LABELS[field]}：必填"


def test_empty_body_names_every_required_field(login):
    res = login("石水奇").post("/api/visits", json={})
    assert res.status_code == 422
    assert set(res.get_json()["error"]["fields"]) == {"id", "household_id", "visited_at", "mode", "hardship"}


@pytest.mark.parametrize("body", [[], "visit", 7])
def test_body_that_is_not_an_object_is_refused(login, body):
    res = login("石水奇").post("/api/visits", json=body)
    assert res.status_code == 422
    assert CJK.search(res.get_json()["error"]["message"])


def test_body_that_is_not_json_is_refused(login):
    client = login("石水奇")
    res = client.http.post("/api/visits", data="{oops", content_type="application/json",
                           headers={"X-CSRF-Token": client.csrf})
    assert res.status_code == 400
    assert CJK.search(res.get_json()["error"]["message"])


# --- listing -----------------------------------------------------------------------------------


def walk(client, household_id, limit):
    items, cursor, pages = [], None, 0
    while True:
        query = {"household_id": household_id, "limit": limit, **({"cursor": cursor} if cursor else {})}
        res = client.get("/api/visits", query_string=query)
        assert res.status_code == 200, res.get_json()
        body = res.get_json()
        assert len(body["items"]) <= limit
        items += body["items"]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            return items, pages


def test_list_newest_first_with_pagination(login, jiang):
    client = login("石水奇")
    before, _ = walk(client, jiang.id, 50)
    posted = [visit_body(jiang.id, visited_at=ago(hours=h), notes=f"{h}") for h in (4, 2, 9, 1, 6, 3, 8)]
    for body in posted:
        assert client.post("/api/visits", json=body).status_code == 201
    items, pages = walk(client, jiang.id, 3)
    ids = [v["id"] for v in items]
    assert len(ids) == len(set(ids)) == len(before) + 7
    times = [datetime.fromisoformat(v["visited_at"]) for v in items]
    assert times == sorted(times, reverse=True)
    assert [v["notes"] for v in items[:7]] == ["1", "2", "3", "4", "6", "8", "9"]
    assert pages == -(-len(ids) // 3)
    assert {v["household_id"] for v in items} == {jiang.id}


def test_list_pages_through_visits_at_the_same_instant(login, jiang):
    client = login("石水奇")
    at = ago(minutes=30)
    posted = {client.post("/api/visits", json=visit_body(jiang.id, visited_at=at)).get_json()["id"] for _ in range(5)}
    items, _ = walk(client, jiang.id, 1)
    ids = [v["id"] for v in items]
    assert len(ids) == len(set(ids))
    assert posted <= set(ids)
    same = [v["id"] for v in items if v["id"] in posted]
    assert same == sorted(same, reverse=True)  # ties broken by id, newest page first


def test_list_out_of_scope_is_404_like_missing(login, jiang):
    client = login("郑满仓")
    res = client.get(f"/api/visits?household_id={jiang.id}")
    missing = client.get("/api/visits?household_id=987654321")
    assert res.status_code == missing.status_code == 404
    assert res.get_json() == missing.get_json()


@pytest.mark.parametrize("query, field", [
    ("", "household_id"),
    ("household_id=abc", "household_id"),
    ("household_id=1&limit=0", "limit"),
    ("household_id=1&cursor=%%%", "cursor"),
    ("household_id=1&cursor=WyJ4IiwieSJd", "cursor"),  # ["x","y"]: the right size, nonsense values
])
def test_list_bad_query_is_422(login, jiang, query, field):
    res = login("石水奇").get("/api/visits?" + query.replace("household_id=1", f"household_id={jiang.id}"))
    assert res.status_code == 422
    assert field in res.get_json()["error"]["fields"]
    assert CJK.search(res.get_json()["error"]["message"])
