"""CSRF: every write, the login included, needs the token of its own session."""
import pytest

from app.messages import TEXT
from app.org.demo import DEMO_PASSWORD
from tests.conftest import visit_body


def test_login_without_csrf_token_is_refused(anon, demo):
    res = anon.http.post("/api/auth/login", json={"phone": demo["石水奇"].phone, "password": DEMO_PASSWORD})
    assert res.status_code == 400
    assert res.get_json()["error"] == {"code": "csrf_failed", "message": TEXT["csrf_failed"]}
    assert anon.get("/api/me").status_code == 401


def test_login_with_wrong_csrf_token_is_refused(anon, demo):
    anon.fetch_csrf()
    res = anon.http.post("/api/auth/login", json={"phone": demo["石水奇"].phone, "password": DEMO_PASSWORD},
                         headers={"X-CSRF-Token": "forged"})
    assert res.status_code == 400
    assert res.get_json()["error"]["code"] == "csrf_failed"


def test_csrf_token_of_another_session_is_refused(app, anon, login, demo):
    other = login("赵红梅")
    anon.fetch_csrf()
    res = anon.http.post("/api/auth/login", json={"phone": demo["石水奇"].phone, "password": DEMO_PASSWORD},
                         headers={"X-CSRF-Token": other.csrf})
    assert res.status_code == 400
    assert res.get_json()["error"]["code"] == "csrf_failed"


def _writes(jiang):
    return [
        ("post", "/api/visits", visit_body(jiang.id)),
        ("patch", f"/api/households/{jiang.id}", {"version": jiang.version, "people": 4}),
        ("post", "/api/auth/logout", None),
    ]


@pytest.mark.parametrize("token", [None, "", "forged-token"], ids=["missing", "empty", "wrong"])
@pytest.mark.parametrize("write", [0, 1, 2], ids=["visit", "household", "logout"])
def test_every_write_needs_the_csrf_token(login, jiang, token, write):
    from sqlalchemy import func, select

    from app.extensions import db
    from app.visits.models import Visit

    client = login("赵红梅")
    visits = db.session.scalar(select(func.count()).select_from(Visit))
    method, url, body = _writes(jiang)[write]
    headers = {} if token is None else {"X-CSRF-Token": token}
    res = getattr(client.http, method)(url, json=body, headers=headers)
    assert res.status_code == 400
    assert res.get_json()["error"] == {"code": "csrf_failed", "message": TEXT["csrf_failed"]}
    # nothing happened
    assert db.session.scalar(select(func.count()).select_from(Visit)) == visits
    assert client.get(f"/api/households/{jiang.id}").get_json()["people"] == 3
    assert client.get("/api/me").status_code == 200


def test_csrf_token_from_the_csrf_route_works_for_writes(login, jiang):
    client = login("石水奇")
    token = client.get("/api/auth/csrf").get_json()["csrf_token"]
    res = client.http.post("/api/visits", json=visit_body(jiang.id), headers={"X-CSRF-Token": token})
    assert res.status_code == 201


def test_the_x_csrftoken_header_spelling_is_accepted(login, jiang):
    client = login("石水奇")
    res = client.http.post("/api/visits", json=visit_body(jiang.id), headers={"X-CSRFToken": client.csrf})
    assert res.status_code == 201


def test_the_token_from_before_login_is_void_after_it(anon, demo, jiang):
    old_token = anon.fetch_csrf()
    res = anon.login(demo["石水奇"].phone)
    assert res.get_json()["csrf_token"] != old_token
    stale = anon.http.post("/api/visits", json=visit_body(jiang.id), headers={"X-CSRF-Token": old_token})
    assert stale.status_code == 400
    assert stale.get_json()["error"]["code"] == "csrf_failed"


def test_csrf_route_is_public_and_answers_a_token(anon):
    res = anon.get("/api/auth/csrf")
    assert res.status_code == 200
    assert isinstance(res.get_json()["csrf_token"], str)
