"""The session cookie is sent back only when the session changed or its signature is due for
renewal, and a session still ends 30 days after the last request that renewed it."""
import pytest
from itsdangerous import TimestampSigner

from app.security import RESIGN_AFTER

COOKIE = "baolian_session"
DAY = 24 * 3600


def session_cookies(res):
    return [h for h in res.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "=")]


def signed_ago(app, client, seconds, monkeypatch):
    """Put the client's session cookie back, signed `seconds` ago (the same content)."""
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(client.http.get_cookie(COOKIE).value)
    now = TimestampSigner.get_timestamp
    with monkeypatch.context() as m:
        m.setattr(TimestampSigner, "get_timestamp", lambda self: now(self) - seconds)
        client.http.set_cookie(COOKIE, serializer.dumps(data))


@pytest.mark.parametrize("url", ["/api/households", "/api/me", "/api/cases"])
def test_a_request_that_changes_nothing_sends_no_cookie(login, url):
    shi = login("石水奇")
    res = shi.get(url)
    assert res.status_code == 200
    assert session_cookies(res) == []


def test_login_and_logout_still_send_it(anon, demo):
    res = anon.login(demo["石水奇"].phone)
    assert res.status_code == 200 and len(session_cookies(res)) == 1
    out = anon.post("/api/auth/logout")
    assert out.status_code == 204
    assert "Expires=Thu, 01 Jan 1970" in session_cookies(out)[0]  # deleted in the browser


def test_an_old_signature_is_renewed_so_the_timeout_counts_from_the_last_request(app, login, monkeypatch):
    shi = login("石水奇")
    signed_ago(app, shi, RESIGN_AFTER + 60, monkeypatch)
    res = shi.get("/api/households")
    assert res.status_code == 200
    assert len(session_cookies(res)) == 1  # renewed: 30 more days from now
    assert session_cookies(shi.get("/api/households")) == []  # and quiet again


def test_a_session_idle_for_30_days_has_ended(app, login, monkeypatch):
    shi = login("石水奇")
    signed_ago(app, shi, 29 * DAY, monkeypatch)
    assert shi.get("/api/me").status_code == 200  # 29 days idle: still on, and renewed
    signed_ago(app, shi, 30 * DAY + 60, monkeypatch)
    assert shi.get("/api/me").status_code == 401


def test_a_cookie_signed_with_a_retired_key_is_signed_again_at_once(database, demo):
    """After a key rotation (SECRET_KEY_FALLBACKS), the next answer re-signs with the new key,
    so the old key can be removed soon without logging anyone out."""
    from app import create_app
    from tests.conftest import ApiClient

    url, options = database
    old = create_app({"BAOLIAN_ENV": "testing", "SECRET_KEY": "old-key", "SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": options, "RATELIMIT_STORAGE_URI": "memory://"})
    new = create_app({"BAOLIAN_ENV": "testing", "SECRET_KEY": "new-key", "SECRET_KEY_FALLBACKS": ["old-key"],
                      "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options,
                      "RATELIMIT_STORAGE_URI": "memory://"})
    before = ApiClient(old)
    assert before.login(demo["石水奇"].phone).status_code == 200
    after = ApiClient(new)
    after.http.set_cookie(COOKIE, before.http.get_cookie(COOKIE).value)
    res = after.get("/api/me")
    assert res.status_code == 200 and len(session_cookies(res)) == 1  # re-signed with the new key
    assert session_cookies(after.get("/api/me")) == []  # and quiet from then on
