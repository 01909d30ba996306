"""The application factory: configuration order, secrets, health, headers, errors, the API document."""
import logging
import re
import stat

import flask
import pytest

from app import create_app
from app.config import ENV_KEYS_INT, ENV_KEYS_STR, load_config
from app.messages import HTTP
from app.security import PUBLIC_API

DOC_ROUTES = {"/api/openapi.json", "/api/docs", "/api/docs.js"}


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """A private instance/ folder and an environment without any of our variables."""
    path = tmp_path / "instance"
    path.mkdir()
    monkeypatch.setattr(flask.Flask, "auto_find_instance_path", lambda self: str(path))
    for key in ENV_KEYS_STR + ENV_KEYS_INT + ("BAOLIAN_SCHEDULER",):
        monkeypatch.delenv(key, raising=False)
    return path


@pytest.fixture
def committing():
    """Opt out of the shared test connection: the test's own app uses its own database."""


def build(**overrides):
    return create_app({"RATELIMIT_STORAGE_URI": "memory://", **overrides})


# --- configuration -----------------------------------------------------------------------------


def test_config_order_defaults_then_instance_then_environment(instance, monkeypatch):
    (instance / "config.py").write_text(
        "PAGE_SIZE = 20\n"
        "HOUSEHOLDS_PER_MEMBER = 7\n"
        "PORT = 6000\n"
        "SECRET_KEY = 'from-instance'\n"
        "LOGIN_PHONE_CEILING = '3 per minute'\n"
        "BAOLIAN_ENV = 'testing'\n",
        encoding="utf-8")
    monkeypatch.setenv("HOUSEHOLDS_PER_MEMBER", "8")
    monkeypatch.setenv("PORT", "7000")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    app = build(SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["PAGE_SIZE"] == 20                      # instance over default
    assert app.config["LOGIN_PHONE_CEILING"] == "3 per minute"
    assert app.config["HOUSEHOLDS_PER_MEMBER"] == 8            # environment over instance, as an int
    assert app.config["PORT"] == 7000
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["BAOLIAN_ENV"] == "testing"             # from the instance file
    assert app.config["LOGIN_ADDRESS_CEILING"] == "200 per hour"  # untouched default
    assert app.config["PAGE_SIZE_MAX"] == 200


def test_instance_config_without_environment(instance):
    (instance / "config.py").write_text("HOUSEHOLDS_PER_MEMBER = 12\nSECRET_KEY = 'k'\n", encoding="utf-8")
    app = build(SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["HOUSEHOLDS_PER_MEMBER"] == 12
    assert app.config["SECRET_KEY"] == "k"
    assert app.config["BAOLIAN_ENV"] == "production"  # the default is the safe one


def test_defaults_alone(instance):
    app = build(SECRET_KEY="k", SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["HOUSEHOLDS_PER_MEMBER"] == 10
    assert app.config["PORT"] == 5000
    assert app.config["LOGIN_PHONE_CEILING"] == "50 per hour"


def test_database_url_from_the_environment(instance, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://baolian@db.example/baolian")
    app = build(SECRET_KEY="k")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://baolian@db.example/baolian"


def test_embedded_database_lives_in_instance(instance):
    app = build(SECRET_KEY="k")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(instance / "baolian.sqlite3")


def test_redis_url_becomes_the_rate_limit_storage(instance, monkeypatch):
    """Checked on a bare Flask app: a whole app would move the shared limiter onto Redis."""
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    bare = flask.Flask("bare", instance_path=str(instance), instance_relative_config=True)
    load_config(bare, {"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert bare.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    monkeypatch.delenv("REDIS_URL")
    bare = flask.Flask("bare", instance_path=str(instance), instance_relative_config=True)
    load_config(bare, {"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert bare.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_unknown_environment_name_is_refused(instance):
    with pytest.raises(RuntimeError, match="BAOLIAN_ENV"):
        build(BAOLIAN_ENV="staging", SECRET_KEY="k", SQLALCHEMY_DATABASE_URI="sqlite://")


# --- secrets -----------------------------------------------------------------------------------


def test_production_without_secret_key_stops_with_a_clear_message(instance):
    with pytest.raises(RuntimeError) as info:
        build(BAOLIAN_ENV="production", SQLALCHEMY_DATABASE_URI="sqlite://")
    message = str(info.value)
    assert "SECRET_KEY" in message and "instance/config.py" in message
    assert not (instance / "secret_key").exists()


def test_production_with_secret_key_in_the_environment(instance, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    app = build(BAOLIAN_ENV="production", SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not (instance / "secret_key").exists()


@pytest.mark.parametrize("env", ["development", "testing"])
def test_embedded_default_makes_a_secret_once_and_keeps_it(instance, env):
    first = build(BAOLIAN_ENV=env, SQLALCHEMY_DATABASE_URI="sqlite://")
    key_file = instance / "secret_key"
    assert key_file.exists()
    key = key_file.read_text()
    assert first.config["SECRET_KEY"] == key.strip() and len(key.strip()) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = build(BAOLIAN_ENV=env, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert key_file.read_text() == key


def test_an_existing_secret_file_is_used(instance):
    (instance / "secret_key").write_text("kept-from-last-time\n")
    app = build(BAOLIAN_ENV="development", SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["SECRET_KEY"] == "kept-from-last-time"


# --- health, headers ---------------------------------------------------------------------------


def test_healthz(anon):
    res = anon.get("/healthz")
    assert res.status_code == 200
    assert res.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(instance, tmp_path, committing):
    broken = build(SECRET_KEY="k", BAOLIAN_ENV="testing",
                   SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/no/such/dir/db.sqlite3")
    res = broken.test_client().get("/healthz")
    assert res.status_code == 503
    assert res.get_json()["status"] == "error"


@pytest.mark.parametrize("url", ["/healthz", "/api/auth/csrf", "/api/me", "/", "/api/docs", "/api/no-such-thing"])
def test_security_headers(anon, url):
    res = anon.get(url)
    csp = res.headers["Content-Security-Policy"]
    res.close()
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert res.headers["X-Content-Type-Options"] == "nosniff"
    assert res.headers["X-Frame-Options"] == "DENY"
    assert res.headers["Referrer-Policy"] == "same-origin"
    if url.startswith("/api/") and res.is_json:  # API answers are never cached (a file may say no-cache)
        assert res.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_for_the_csp_to_block(anon):
    for url in ("/api/docs",):
        res = anon.get(url)
        html = res.get_data(as_text=True)
        res.close()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+=", html), url


# --- the error shape ---------------------------------------------------------------------------


def test_404_is_json(login):
    client = login("石水奇")
    for url in ("/api/no-such-thing", "/api/households/987654321"):
        res = client.get(url)
        assert res.status_code == 404
        assert res.get_json() == {"error": {"code": "not_found", "message": HTTP[404]}}


def test_404_outside_the_api_is_json_too(anon):
    res = anon.get("/no-such-page")
    assert res.status_code == 404
    assert res.get_json()["error"]["code"] == "not_found"
    res.close()


def test_405_is_json(login):
    client = login("石水奇")
    res = client.delete("/api/me")
    assert res.status_code == 405
    assert res.get_json() == {"error": {"code": "method_not_allowed", "message": HTTP[405]}}
    assert "GET" in res.headers["Allow"]
    res = client.patch("/api/visits", json={})
    assert res.status_code == 405
    assert res.get_json()["error"]["code"] == "method_not_allowed"


def test_500_is_json_and_hides_the_details(instance, caplog):
    fresh = build(SECRET_KEY="k", BAOLIAN_ENV="testing", SQLALCHEMY_DATABASE_URI="sqlite://")

    @fresh.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    with caplog.at_level(logging.ERROR):
        res = fresh.test_client().get("/boom")
    assert res.status_code == 500
    assert res.get_json() == {"error": {"code": "server_error", "message": HTTP[500]}}
    assert "secret internals" not in res.get_data(as_text=True)
    assert any("secret internals" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


def test_wrong_content_type_is_json(login):
    client = login("石水奇")
    res = client.http.post("/api/visits", data="id=1", content_type="application/x-www-form-urlencoded",
                           headers={"X-CSRF-Token": client.csrf})
    assert res.status_code in (400, 415, 422)
    assert "error" in res.get_json()


# --- the API document --------------------------------------------------------------------------


def _openapi_path(rule):
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_openapi_lists_every_route(app, anon):
    res = anon.get("/api/openapi.json")
    assert res.status_code == 200
    spec = res.get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.rule in DOC_ROUTES:
            continue
        path = _openapi_path(rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((path, method.lower()))
    documented = {(p, m) for p, ops in paths.items() for m in ops if m != "parameters"}
    assert served, "no API routes found"
    assert served - documented == set(), "routes missing from /api/openapi.json"
    assert documented - served == set(), "documented routes that are not served"
    for must in [("/api/auth/login", "post"), ("/api/households/{household_id}", "patch"),
                 ("/api/visits", "post"), ("/api/visits", "get"), ("/api/me", "get")]:
        assert must in documented


def test_openapi_documents_the_error_answers(anon):
    spec = anon.get("/api/openapi.json").get_json()
    assert "409" in spec["paths"]["/api/households/{household_id}"]["patch"]["responses"]
    assert "409" in spec["paths"]["/api/visits"]["post"]["responses"]
    assert "401" in spec["paths"]["/api/auth/login"]["post"]["responses"]


def test_api_docs_are_served(anon):
    res = anon.get("/api/docs")
    assert res.status_code == 200
    assert res.mimetype == "text/html"
    html = res.get_data(as_text=True)
    res.close()
    assert "/api/openapi.json" in html and "/api/docs.js" in html
    js = anon.get("/api/docs.js")
    assert js.status_code == 200
    assert "javascript" in js.mimetype
    assert "openapi.json" in js.get_data(as_text=True)
    js.close()


def test_only_the_listed_routes_are_public(app, anon):
    """Secure by default: every other API route wants a session."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or "GET" not in rule.methods:
            continue
        url = re.sub(r"<(?:int:)?[a-z_]+>", "1", re.sub(r"<uuid:[a-z_]+>", "00000000-0000-0000-0000-000000000000",
                                                        rule.rule))
        res = anon.get(url)
        res.close()
        if rule.rule in PUBLIC_API:
            assert res.status_code == 200, rule.rule
        else:
            assert res.status_code == 401, rule.rule


def test_numbers_past_the_database_range_are_clear_errors_not_500(login, jiang):
    """Ids beyond a 32-bit integer cannot exist: 422 in bodies and queries, 404 in paths."""
    secretary = login("赵红梅")
    huge = 48709585382726385725865984
    res = secretary.patch(f"/api/households/{jiang.id}", json={"version": 1, "member_id": huge})
    assert res.status_code == 422 and "member_id" in res.get_json()["error"]["fields"]
    assert secretary.get(f"/api/households?member_id={huge}").status_code == 422
    assert secretary.get(f"/api/households/{huge}").status_code == 404
    assert secretary.post(f"/api/notifications/{huge}/read", json={}).status_code == 404


def test_a_body_nested_too_deep_is_bad_json_not_500(login):
    shi = login("石水奇")
    deep = "[" * 100000 + "]" * 100000
    res = shi.post("/api/visits", data=deep, headers={"Content-Type": "application/json"})
    assert res.status_code == 400 and res.get_json()["error"]["code"] == "bad_json"
