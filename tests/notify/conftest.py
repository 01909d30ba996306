"""Fixtures for delivery against real protocol peers: a local Web Push service, a local
WeCom server, and (for workers and crashes) an app of our own whose commits are real."""
import os
import time
import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, delete, text

from app import create_app
from app.extensions import db
from app.notify.models import Delivery, Notification, PushSubscription
from app.org.models import User
from tests.conftest import PG_URL, ApiClient, _pg_url
from tests.notify.pushservice import PushService
from tests.notify.smsserver import SmsServer
from tests.notify.wecomserver import WeComServer

SECRETARY = "13900000020"  # 赵红梅, 西流南村 branch secretary
SHI = "13900000101"  # 石水奇, party member


@pytest.fixture(scope="session")
def vapid_file(tmp_path_factory):
    """Tests make their VAPID key here, never in the repository's instance/."""
    return str(tmp_path_factory.mktemp("vapid") / "vapid_private.pem")


@pytest.fixture
def push_service():
    service = PushService().start()
    yield service
    service.stop()


def push_config(push_service, vapid_file):
    return {"PUSH_EXTRA_ORIGINS": push_service.origin + "/", "VAPID_KEY_FILE": vapid_file,
            "VAPID_PRIVATE_KEY": None, "WEBPUSH_TIMEOUT": 3}


@pytest.fixture
def webpush(app, push_service, vapid_file, monkeypatch):
    """The shared (rolled-back) app pointed at the local push service."""
    for key, value in push_config(push_service, vapid_file).items():
        monkeypatch.setitem(app.config, key, value)
    return push_service


@pytest.fixture
def wecom(app, monkeypatch):
    server = WeComServer().start()
    for key, value in wecom_config(server).items():
        monkeypatch.setitem(app.config, key, value)
    yield server
    server.stop()


@pytest.fixture
def sms(app, monkeypatch):
    server = SmsServer().start()
    for key, value in sms_config(server).items():
        monkeypatch.setitem(app.config, key, value)
    yield server
    server.stop()


def sms_config(server):
    return {"SMS_ACCESS_KEY_ID": server.key_id, "SMS_ACCESS_KEY_SECRET": server.secret,
            "SMS_SIGN_NAME": server.sign_name, "SMS_TEMPLATE_CODE": server.template_code,
            "SMS_API_BASE": server.base, "SMS_TIMEOUT": 3}


def wecom_config(server):
    return {"WECOM_CORP_ID": server.corp_id, "WECOM_SECRET": server.secret,
            "WECOM_AGENT_ID": str(server.agent_id), "WECOM_API_BASE": server.base, "WECOM_TIMEOUT": 3}


def task_body(assignee_id, title="联系姜彩凤，核实医疗救助材料"):
    return {"id": str(uuid.uuid4()), "assignee_id": assignee_id, "title": title}


def subscribe(client, service):
    sub = service.subscribe()
    res = client.post("/api/push/subscriptions", json=sub)
    assert res.status_code == 201, res.get_json()
    return sub


def wait_for(predicate, timeout=10.0):
    """Poll until predicate() is truthy (a deadline for liveness, not a timing assertion)."""
    end = time.monotonic() + timeout
    while not (value := predicate()) and time.monotonic() < end:
        time.sleep(0.02)
    return value


# --- an app whose commits are real (workers in threads, crashes, restarts) ------------------


@pytest.fixture
def committing():
    """Opt out of the root conftest's per-test rollback."""


@pytest.fixture(scope="session")
def own_database(tmp_path_factory):
    """(url, engine options) of a database only the committing tests use."""
    if not PG_URL:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("notify-db") / "notify.sqlite3"), {}
        return
    schema = f"n_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(_pg_url())
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_url(), {"connect_args": {"options": f"-csearch_path={schema}"}, "pool_size": 10}
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_app(url, options, **config):
    from app.org.demo import seed_demo

    app = create_app({"BAOLIAN_ENV": "testing", "SECRET_KEY": "notify-test", "SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": options, "NOTIFY_DELIVERY": "off",
                      **config})  # its login throttle is its own and counts only failures: left on
    with app.app_context():
        upgrade()
        if db.session.query(User).count() == 0:
            seed_demo()
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def own_app_base(own_database, vapid_file):
    app = make_app(*own_database, VAPID_KEY_FILE=vapid_file)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def own_app(committing, own_app_base, push_service, monkeypatch):
    """The committing app, configured for the local push service, its outbox emptied."""
    app = own_app_base
    for key, value in push_config(push_service, app.config["VAPID_KEY_FILE"]).items():
        monkeypatch.setitem(app.config, key, value)
    with app.app_context():
        for model in (Delivery, Notification, PushSubscription):
            db.session.execute(delete(model))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()


@pytest.fixture
def own_client(own_app):
    """own_client(phone): a logged-in ApiClient on the committing app."""

    def _make(phone):
        client = ApiClient(own_app)
        assert client.login(phone).status_code == 200
        return client

    return _make
