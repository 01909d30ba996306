"""Login protection (README "Login protection"): a growing pause per phone and address, ceilings
per phone and per address that only failures fill, and a device cookie that keeps a member's
own phone out of reach of a stranger's guessing. The limiter's state belongs to each app."""
import pytest
from flask import Response
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from app import create_app
from app.auth import devices
from app.extensions import db, limiter
from app.messages import TEXT
from app.org.demo import DEMO_PASSWORD
from app.org.models import User
from tests.auth.conftest import WRONG
from tests.conftest import ApiClient

DEVICE_COOKIE = "baolian_device"


def limited(res):
    """A 429 with the Chinese message and a Retry-After, answering its seconds."""
    assert res.status_code == 429, res.get_json()
    assert res.get_json()["error"] == {"code": "rate_limited", "message": TEXT["login_limited"]}
    return int(res.headers["Retry-After"])


def own_app(database, **config):
    url, options = database
    return create_app({"BAOLIAN_ENV": "testing", "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                       "SQLALCHEMY_ENGINE_OPTIONS": options, "RATELIMIT_STORAGE_URI": "memory://", **config})


# --- the limiter belongs to its app ---------------------------------------------------------------


def test_disabling_the_limiter_of_one_app_leaves_another_limited(app, database, device, demo):
    phone = demo["石水奇"].phone
    here = device("203.0.113.1")
    for _ in range(3):
        assert here.login(phone, WRONG).status_code == 401
    other = own_app(database, RATELIMIT_ENABLED=False)
    with other.app_context():
        limiter.reset()  # resets the other app's counts, not these
    elsewhere = device("203.0.113.1", on=other)
    assert [elsewhere.login(phone, WRONG).status_code for _ in range(7)] == [401] * 7
    assert [here.login(phone, WRONG).status_code for _ in range(2)] == [401, 401]
    limited(here.login(phone, WRONG))


# --- the pause per phone and address ------------------------------------------------------------


def test_the_pause_for_one_phone_at_one_address_grows_to_a_cap(device, demo, limit_clock):
    phone = demo["石水奇"].phone
    stranger = device("203.0.113.5")
    assert [stranger.login(phone, WRONG).status_code for _ in range(5)] == [401] * 5
    waits = [limited(stranger.login(phone, WRONG))]
    assert limited(stranger.login(phone, DEMO_PASSWORD)) == waits[0]  # even the right one waits
    for _ in range(5):
        limit_clock.advance(waits[-1] + 1)
        assert stranger.login(phone, WRONG).status_code == 401  # one more try, then a longer pause
        waits.append(limited(stranger.login(phone, WRONG)))
    assert waits == [60, 120, 240, 480, 900, 900]


def test_a_successful_login_starts_the_count_again(device, demo, limit_clock):
    phone = demo["石水奇"].phone
    member = device("198.51.100.20")
    assert [member.login(phone, WRONG).status_code for _ in range(5)] == [401] * 5
    limit_clock.advance(limited(member.login(phone, WRONG)) + 1)
    assert member.login(phone).status_code == 200
    # five more tries before the next (first-length) pause
    assert [member.login(phone, WRONG).status_code for _ in range(5)] == [401] * 5
    assert limited(member.login(phone, WRONG)) == 60


def test_successful_logins_do_not_count(device, demo):
    phone = demo["石水奇"].phone
    for _ in range(8):
        assert device("198.51.100.21").login(phone).status_code == 200
    assert [device("198.51.100.21").login(phone, WRONG).status_code for _ in range(5)] == [401] * 5


# --- a stranger cannot lock a member out ----------------------------------------------------------


def test_a_strangers_failures_elsewhere_do_not_lock_a_member_out_of_a_known_device(app, device, demo, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_PHONE_CEILING", "10 per hour")
    phone = demo["石水奇"].phone
    own_phone = device("198.51.100.30")
    assert own_phone.login(phone).status_code == 200
    assert own_phone.post("/api/auth/logout").status_code == 204

    # the stranger locks his own address, then fills the phone's ceiling from a second one
    for address in ("203.0.113.10", "203.0.113.11"):
        stranger = device(address)
        assert [stranger.login(phone, WRONG).status_code for _ in range(5)] == [401] * 5
    limited(device("203.0.113.12").login(phone, WRONG))
    # a new device, even at the member's own address, meets the ceiling ...
    limited(device("198.51.100.30").login(phone))
    # ... but the phone that logged in before still gets in
    assert own_phone.login(phone).status_code == 200


def test_the_phone_ceiling_stops_guessing_spread_over_many_addresses(app, device, demo, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_PHONE_CEILING", "12 per hour")
    phone = demo["石水奇"].phone
    for i in range(3):  # below the pause at every address
        guesser = device(f"203.0.113.{20 + i}")
        assert [guesser.login(phone, WRONG).status_code for _ in range(4)] == [401] * 4
    assert limited(device("203.0.113.30").login(phone, WRONG)) > 0
    limited(device("203.0.113.31").login(phone))
    # other people are not affected
    assert device("203.0.113.30").login(demo["赵红梅"].phone).status_code == 200


def test_a_device_cookie_vouches_only_for_the_users_who_logged_in_on_it(app, device, demo, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_PHONE_CEILING", "5 per hour")
    shi = demo["石水奇"].phone
    shared = device("198.51.100.40")
    assert shared.login(demo["赵红梅"].phone).status_code == 200
    guesser = device("203.0.113.40")
    assert [guesser.login(shi, WRONG).status_code for _ in range(5)] == [401] * 5
    limited(shared.login(shi))  # the cookie knows 赵红梅, not 石水奇

    # a cookie naming 石水奇 but signed with another key is no one's
    forged = device("198.51.100.41")
    value = URLSafeTimedSerializer("not-our-key", salt="baolian-device").dumps(
        {"id": "a" * 32, "users": [demo["石水奇"].id]})
    forged.http.set_cookie(DEVICE_COOKIE, value, path="/api/auth")
    limited(forged.login(shi))


# --- one address, a whole village office ------------------------------------------------------------


def test_a_village_office_behind_one_address_is_not_locked_out_by_a_few_failures(app, device, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_CEILING", "10 per hour")
    office = "10.20.30.40"
    village = db.session.scalars(select(User).where(User.phone.like("1390000%")).order_by(User.phone)).all()[:20]
    typos = 0
    regular = None
    for user in village:
        browser = device(office)
        if typos < 9:  # a few mistype their password first
            assert browser.login(user.phone, WRONG).status_code == 401
            typos += 1
        assert browser.login(user.phone).status_code == 200, user.phone
        regular = regular or browser
    # the successes took nothing: the ceiling still has room for one more failure
    assert device(office).login(village[0].phone, WRONG).status_code == 401
    limited(device(office).login(village[1].phone))
    # a phone that logged in here before is not held by the office's ceiling
    assert regular.login(village[0].phone).status_code == 200


def test_behind_a_proxy_the_address_ceiling_is_per_client(database):
    """With PROXY_COUNT=1 the forwarded address is the client's: one address reaching its
    ceiling does not lock out everyone else behind the same nginx."""
    proxied = own_app(database, PROXY_COUNT=1, LOGIN_ADDRESS_CEILING="3 per 15 minutes")

    def attempt(address, phone, password):
        client = ApiClient(proxied)
        headers = {"X-Forwarded-For": address}
        client.csrf = client.http.get("/api/auth/csrf", headers=headers).get_json()["csrf_token"]
        return client.post("/api/auth/login", json={"phone": phone, "password": password}, headers=headers)

    codes = [attempt("203.0.113.7", f"1380000{i:04d}", WRONG).status_code for i in range(4)]
    assert codes == [401, 401, 401, 429]
    assert attempt("198.51.100.9", "13900000101", DEMO_PASSWORD).status_code == 200


# --- the device cookie --------------------------------------------------------------------------------


def test_the_device_cookie_is_signed_http_only_and_long_lived(device, demo):
    browser = device()
    res = browser.login(demo["石水奇"].phone)
    header = next(h for h in res.headers.getlist("Set-Cookie") if h.startswith(DEVICE_COOKIE + "="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/api/auth" in header
    assert "Secure" not in header  # testing is served over plain http
    assert int(header.split("Max-Age=")[1].split(";")[0]) >= 300 * 24 * 3600


def test_the_device_cookie_is_secure_in_production():
    prod = create_app({"BAOLIAN_ENV": "production", "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                       "RATELIMIT_STORAGE_URI": "memory://"})
    with prod.test_request_context("/api/auth/login", method="POST"):
        devices.remember(None, 1)
        response = prod.process_response(Response())
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(DEVICE_COOKIE + "="))
    assert "Secure" in header and "HttpOnly" in header


@pytest.mark.parametrize("value", ["", "not-signed", "eyJpZCI6IngifQ.forged.sig"])
def test_a_bad_device_cookie_is_ignored(device, demo, value):
    browser = device()
    browser.http.set_cookie(DEVICE_COOKIE, value or "x", path="/api/auth")
    assert browser.login(demo["石水奇"].phone).status_code == 200


# --- the counter store out of reach --------------------------------------------------------------


def test_a_login_while_the_counter_store_is_down_answers_503_and_checks_no_password(database, demo, checks):
    """Redis down: failing open would let guessing run uncounted, so no password is checked."""
    nowhere = own_app(database, RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0")  # port 9: nothing listens
    client = ApiClient(nowhere)
    for password in (WRONG, DEMO_PASSWORD):
        res = client.login(demo["石水奇"].phone, password)
        assert res.status_code == 503, res.get_json()
        assert res.get_json()["error"] == {"code": "login_unavailable", "message": TEXT["login_unavailable"]}
        assert int(res.headers["Retry-After"]) > 0
    assert checks.count == 0


def test_a_password_change_while_the_counter_store_is_down_answers_503(database, demo, checks):
    nowhere = own_app(database, RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0", RATELIMIT_ENABLED=False)
    client = ApiClient(nowhere)
    assert client.login(demo["石水奇"].phone, DEMO_PASSWORD).status_code == 200  # before the store failed
    nowhere.config["RATELIMIT_ENABLED"] = True
    res = client.post("/api/auth/password", json={"old_password": DEMO_PASSWORD, "new_password": "qingshan-7dao-2026"})
    assert res.status_code == 503, res.get_json()
    assert res.get_json()["error"]["code"] == "login_unavailable"
    assert checks.count == 1  # the login's only
