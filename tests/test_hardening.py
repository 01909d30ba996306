"""Small hardening from the outside audit: HSTS in production, a private instance folder and
database file, a password policy for `flask create-user`, and only the app's own files served
from pwa/."""
import re
import stat

import flask
import pytest
from sqlalchemy import func, select, text

from app import create_app
from app.common.passwords import password_problems
from app.config import ENV_KEYS_INT, ENV_KEYS_STR
from app.extensions import db
from app.org.models import User

HSTS = "max-age=31536000; includeSubDomains"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def committing():
    """Opt out of the shared test connection: these apps have databases of their own."""


@pytest.fixture
def instance(tmp_path, monkeypatch, committing):
    """A fresh instance/ folder, made as a plain mkdir would (0755 under the usual umask)."""
    path = tmp_path / "instance"
    path.mkdir(mode=0o755)
    path.chmod(0o755)
    monkeypatch.setattr(flask.Flask, "auto_find_instance_path", lambda self: str(path))
    for key in ENV_KEYS_STR + ENV_KEYS_INT + ("BAOLIAN_SCHEDULER",):
        monkeypatch.delenv(key, raising=False)
    return path


def build(**config):
    return create_app({"RATELIMIT_STORAGE_URI": "memory://", "NOTIFY_DELIVERY": "off", **config})


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


# --- C1: HSTS ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/healthz", "/", "/api/auth/csrf", "/no-such-page"])
def test_production_answers_carry_hsts(instance, url):
    app = build(BAOLIAN_ENV="production", SECRET_KEY="prod-secret", SQLALCHEMY_DATABASE_URI="sqlite://")
    res = app.test_client().get(url)
    assert res.headers["Strict-Transport-Security"] == HSTS
    res.close()


@pytest.mark.parametrize("env", ["development", "testing"])
def test_development_and_testing_over_http_have_no_hsts(instance, env):
    app = build(BAOLIAN_ENV=env, SQLALCHEMY_DATABASE_URI="sqlite://")
    res = app.test_client().get("/healthz")
    assert res.status_code == 200 and "Strict-Transport-Security" not in res.headers


# --- C2: who may read instance/ and the database ----------------------------------------------


def test_the_embedded_database_and_its_folder_are_private(instance):
    app = build(BAOLIAN_ENV="development")
    assert mode(instance) == 0o700
    with app.app_context():
        db.session.execute(text("CREATE TABLE t (x INTEGER)"))
        db.session.execute(text("INSERT INTO t VALUES (1)"))
        db.session.commit()
        files = sorted(instance.glob("baolian.sqlite3*"))
        assert [f.name for f in files][:1] == ["baolian.sqlite3"]
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert mode(instance / "secret_key") == 0o600
        db.engine.dispose()


def test_an_existing_world_readable_database_is_made_private(instance, tmp_path):
    path = tmp_path / "old.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o644)
    app = build(BAOLIAN_ENV="testing", SECRET_KEY="s", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        assert mode(path) == 0o600
        db.session.remove()
        db.engine.dispose()


# --- C3: passwords ----------------------------------------------------------------------------

PHONE = "13911116666"


@pytest.mark.parametrize("password", [
    "a", "1234567", "12345678", "88888888", "66666666", "5201314", "147258369", "11111111", "password",
    "PASSWORD", "qwerty123", "a123456", "abc12345", "abcdefgh", "87654321", "12121212", "aaaaaaaaaaaa",
    PHONE, "x" + PHONE, "pw" + PHONE[3:9] + "!", "baolian2026",
])
def test_weak_passwords_are_refused_in_chinese(password):
    problems = password_problems(password, PHONE)
    assert problems and all(CJK.search(p) for p in problems)


@pytest.mark.parametrize("password", ["s3cret-pass", "pw-123456", "红梅的密码2026", "Tq7-vL2x", "139-1111-abc"])
def test_reasonable_passwords_pass(password):
    assert password_problems(password, PHONE) == []


def test_the_phone_rule_needs_six_digits_in_a_row():
    assert password_problems("rice13911x", PHONE) == []  # five of its digits, then a break
    assert password_problems("rice139111x", PHONE) != []


def _create(runner, unit, password, phone=PHONE):
    return runner.invoke(args=["create-user", "--name", "新书记", "--phone", phone, "--role", "secretary",
                               "--org-unit", str(unit), "--password", password])


def _users():
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize("password", ["a", "12345678", PHONE, "my" + PHONE[-6:] + "pw", "password"])
def test_create_user_refuses_a_weak_password(runner, demo, password):
    before = _users()
    result = _create(runner, demo["赵红梅"].org_unit_id, password)
    assert result.exit_code == 2, result.output
    assert "--password" in result.output and CJK.search(result.output)
    assert _users() == before


def test_create_user_accepts_a_good_password(runner, demo):
    result = _create(runner, demo["赵红梅"].org_unit_id, "Tq7-vL2x")
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(User).where(User.phone == PHONE)).one().check_password("Tq7-vL2x")


@pytest.mark.parametrize("unit", [2**40, 2**62, -1, 0])
def test_create_user_refuses_an_org_unit_id_past_the_column(runner, unit):
    result = _create(runner, unit, "Tq7-vL2x")
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --- C4: only the app's files from pwa/ -------------------------------------------------------


@pytest.mark.parametrize("url", ["/README.md", "/package.json", "/js/../README.md", "/readme.md", "/README.MD",
                                 "/%52EADME.md", "/js/app.py", "/.gitignore", "/package-lock.json",
                                 "/bundle/precompressed.json", "/bundle/app.js.br", "/css/app.css.gz",
                                 "/node_modules/esbuild/install.js", "/node_modules/esbuild/lib/main.js"])
def test_files_that_are_not_the_app_are_not_served(anon, url):
    res = anon.get(url)
    assert res.status_code == 404
    assert res.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("url", ["/", "/index.html", "/sw.js", "/bundle/app.js", "/js/app.js", "/css/app.css",
                                 "/manifest.webmanifest", "/icons/icon-192.png", "/precache-manifest.js"])
def test_the_app_itself_is_served(anon, url):
    res = anon.get(url)
    assert res.status_code == 200
    res.close()
