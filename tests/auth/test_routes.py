"""/api/auth: login, the session cookie, the login rate limit, logout (CSRF: test_csrf.py; the
whole login protection: test_throttle*.py)."""
import re

import pytest

from app import create_app
from app.messages import HTTP, TEXT
from app.org.demo import DEMO_PASSWORD
from tests.conftest import ApiClient

COOKIE = "baolian_session"
CJK = re.compile(r"[\u4e00-\u9fff]")


def session_data(app, client):
    """The decoded (signed) session cookie of a test client."""
    cookie = client.http.get_cookie(COOKIE)
    assert cookie is not None
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


# --- login -----------------------------------------------------------------------------------


def test_login_answers_the_user_and_a_fresh_csrf_token(anon, demo):
    shi = demo["石水奇"]
    res = anon.login(shi.phone)
    assert res.status_code == 200
    body = res.get_json()
    assert body["id"] == shi.id
    assert body["name"] == "石水奇"
    assert body["role"] == "member"
    assert isinstance(body["csrf_token"], str) and len(body["csrf_token"]) > 20
    assert "password" not in body and "password_hash" not in body
    # the session now works, and the returned token is accepted on a write
    assert anon.get("/api/me").get_json()["id"] == shi.id
    assert anon.post("/api/auth/logout", headers={"X-CSRF-Token": body["csrf_token"]}).status_code == 204


def test_unknown_phone_and_wrong_password_get_one_answer(anon, demo):
    anon.fetch_csrf()
    unknown = anon.post("/api/auth/login", json={"phone": "13811112222", "password": DEMO_PASSWORD})
    wrong = anon.post("/api/auth/login", json={"phone": demo["石水奇"].phone, "password": "not-the-password"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json() == wrong.get_json()
    assert unknown.get_json()["error"] == {"code": "login_failed", "message": TEXT["login_failed"]}
    assert anon.get("/api/me").status_code == 401


def test_inactive_user_cannot_log_in(anon, demo):
    from app.extensions import db

    user = demo["石水奇"]
    user.active = False
    db.session.flush()
    anon.fetch_csrf()
    res = anon.post("/api/auth/login", json={"phone": user.phone, "password": DEMO_PASSWORD})
    assert res.status_code == 401
    assert res.get_json()["error"]["message"] == TEXT["login_failed"]


@pytest.mark.parametrize("body, field", [
    ({"password": DEMO_PASSWORD}, "phone"),
    ({"phone": "13900000101"}, "password"),
    ({"phone": 13900000101, "password": DEMO_PASSWORD}, "phone"),
    ({"phone": "13900000101", "password": DEMO_PASSWORD, "remember": True}, "remember"),
])
def test_login_bad_input_is_422_naming_the_field(anon, body, field):
    anon.fetch_csrf()
    res = anon.post("/api/auth/login", json=body)
    assert res.status_code == 422
    error = res.get_json()["error"]
    assert field in error["fields"]
    assert CJK.search(error["message"])


def test_login_body_that_is_not_json_is_refused(anon):
    anon.fetch_csrf()
    res = anon.http.post("/api/auth/login", data="{not json", content_type="application/json",
                         headers={"X-CSRF-Token": anon.csrf})
    assert res.status_code == 400
    assert res.get_json()["error"]["code"] in ("bad_json", "bad_request")
    assert CJK.search(res.get_json()["error"]["message"])


# --- the session cookie ------------------------------------------------------------------------


def test_session_cookie_changes_at_login(app, anon, demo):
    anon.fetch_csrf()
    before = anon.http.get_cookie(COOKIE)
    assert before is not None  # the CSRF token already lives in a session
    assert "_user_id" not in session_data(app, anon)

    anon.login(demo["石水奇"].phone)
    after = anon.http.get_cookie(COOKIE)
    assert after.value != before.value
    first = session_data(app, anon)
    assert first["_user_id"] == str(demo["石水奇"].id)

    # the pre-login cookie, replayed, is still anonymous
    replay = ApiClient(app)
    replay.http.set_cookie(COOKIE, before.value)
    assert replay.get("/api/me").status_code == 401

    # logging in again (even as the same person) starts yet another session
    anon.login(demo["石水奇"].phone)
    second = session_data(app, anon)
    assert second["sid"] != first["sid"]
    assert anon.http.get_cookie(COOKIE).value != after.value


def test_login_drops_what_the_session_held_before(app, anon, demo):
    """Nothing planted in the session before login survives it (session fixation)."""
    anon.login(demo["石水奇"].phone)
    csrf_before = session_data(app, anon)["csrf_token"]
    anon.login(demo["赵红梅"].phone)
    data = session_data(app, anon)
    assert data["_user_id"] == str(demo["赵红梅"].id)
    assert data["csrf_token"] != csrf_before


def test_logging_in_again_ends_the_previous_session_of_that_browser(app, anon, demo):
    """The cookie of the first login, kept (another tab, a stolen copy), stops working at the next."""
    anon.login(demo["石水奇"].phone)
    first = anon.http.get_cookie(COOKIE).value
    assert anon.login(demo["石水奇"].phone).status_code == 200
    assert anon.get("/api/me").status_code == 200  # the new session works
    copy = ApiClient(app)
    copy.http.set_cookie(COOKIE, first)
    res = copy.get("/api/me")
    assert res.status_code == 401 and res.get_json()["error"]["code"] == "unauthenticated"


def test_session_cookie_flags(anon, demo):
    anon.fetch_csrf()
    res = anon.post("/api/auth/login", json={"phone": demo["石水奇"].phone, "password": DEMO_PASSWORD})
    header = next(h for h in res.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "="))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header  # testing is served over plain http
    cookie = anon.http.get_cookie(COOKIE)
    assert cookie.http_only and cookie.same_site == "Lax"


def test_production_cookies_are_secure():
    prod = create_app({"BAOLIAN_ENV": "production", "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                       "RATELIMIT_STORAGE_URI": "memory://"})
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert prod.config["REMEMBER_COOKIE_SECURE"] is True
    assert prod.config["SESSION_COOKIE_HTTPONLY"] is True
    assert prod.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("env", ["development", "testing"])
def test_cookies_are_not_secure_outside_production(env):
    app = create_app({"BAOLIAN_ENV": env, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "RATELIMIT_STORAGE_URI": "memory://"})
    assert app.config["SESSION_COOKIE_SECURE"] is False


# --- rate limit --------------------------------------------------------------------------------


def _fail(client, phone):
    return client.post("/api/auth/login", json={"phone": phone, "password": "wrong-password"})


def test_repeated_failures_are_rate_limited(anon, demo):
    phone = demo["石水奇"].phone
    anon.fetch_csrf()
    for _ in range(5):
        assert _fail(anon, phone).status_code == 401
    res = _fail(anon, phone)
    assert res.status_code == 429
    assert res.get_json()["error"] == {"code": "rate_limited", "message": TEXT["login_limited"]}
    # even the right password waits now
    right = anon.post("/api/auth/login", json={"phone": phone, "password": DEMO_PASSWORD})
    assert right.status_code == 429
    # the limit is per phone: another person still logs in
    assert ApiClient(anon.http.application).login(demo["赵红梅"].phone).status_code == 200


def test_unknown_phones_are_rate_limited_too(anon):
    anon.fetch_csrf()
    codes = [_fail(anon, "13812345678").status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]


# --- logout and anonymous calls ------------------------------------------------------------------


def test_a_deactivated_users_session_stops_working(login, demo):
    from app.extensions import db

    client = login("石水奇")
    assert client.get("/api/me").status_code == 200
    demo["石水奇"].active = False
    db.session.flush()
    res = client.get("/api/me")
    assert res.status_code == 401
    assert res.get_json()["error"]["code"] == "unauthenticated"


def test_logout_ends_the_session(login):
    client = login("石水奇")
    assert client.get("/api/me").status_code == 200
    assert client.post("/api/auth/logout").status_code == 204
    res = client.get("/api/me")
    assert res.status_code == 401
    assert res.get_json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("method, url", [
    ("get", "/api/me"),
    ("get", "/api/users"),
    ("get", "/api/org-units"),
    ("get", "/api/departments"),
    ("get", "/api/households"),
    ("get", "/api/households/1"),
    ("get", "/api/visits?household_id=1"),
    ("get", "/api/no-such-route"),
])
def test_anonymous_api_call_is_json_401_never_a_redirect(anon, method, url):
    res = getattr(anon.http, method)(url)
    assert res.status_code == 401
    assert "Location" not in res.headers
    assert res.is_json
    assert res.get_json()["error"] == {"code": "unauthenticated", "message": HTTP[401]}


@pytest.mark.parametrize("method, url", [("post", "/api/visits"), ("patch", "/api/households/1")])
def test_anonymous_write_with_a_valid_token_is_json_401(anon, jiang, method, url):
    anon.fetch_csrf()
    res = getattr(anon, method)(url, json={})
    assert res.status_code == 401
    assert "Location" not in res.headers
    assert res.get_json()["error"]["code"] == "unauthenticated"


def test_a_logged_out_session_cookie_stops_working(login):
    """A copy of the cookie taken before logout (another tab, a stolen copy) is refused after."""
    shi = login("石水奇")
    cookie = shi.http.get_cookie("baolian_session").value
    assert shi.post("/api/auth/logout").status_code == 204
    from tests.conftest import ApiClient

    copy = ApiClient(shi.http.application)
    copy.http.set_cookie("baolian_session", cookie)
    res = copy.get("/api/me")
    assert res.status_code == 401 and res.get_json()["error"]["code"] == "unauthenticated"
