"""Where the server may be made to send: never where a redirect points, never outside the
push prefix however the endpoint spells its path, at subscription and again at send time."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.common.time import utcnow
from app.extensions import db
from app.notify.channels import wecom as wecom_module
from app.notify.dispatcher import deliver_due
from app.notify.models import Delivery, PushSubscription
from tests.notify.conftest import task_body
from tests.notify.scripted import ScriptedServer

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def servers():
    """The allowed peer, and another local port it may try to send us to."""
    made = {"peer": ScriptedServer(), "elsewhere": ScriptedServer(lambda m, p: (201, JSON, "{}"))}
    yield made
    for server in made.values():
        server.stop()


def redirect_to(target, status=307):
    return lambda method, path: (status, {"Location": target.origin + path}, "")


def assign(login, demo):
    res = login("赵红梅").post("/api/tasks", json=task_body(demo["石水奇"].id))
    assert res.status_code == 201, res.get_json()


def only_row(channel):
    return db.session.scalars(select(Delivery).where(Delivery.channel == channel)).one()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_web_push_does_not_follow_a_redirect(webpush, servers, login, demo, app, monkeypatch, caplog, status):
    peer, elsewhere = servers["peer"], servers["elsewhere"]
    peer.reply = redirect_to(elsewhere, status)
    monkeypatch.setitem(app.config, "PUSH_EXTRA_ORIGINS", peer.origin + "/push/")
    sub = webpush.subscribe()
    sub["endpoint"] = peer.origin + "/push/abc"
    assert login("石水奇").post("/api/push/subscriptions", json=sub).status_code == 201
    assign(login, demo)

    assert deliver_due() == {"failed": 1}

    assert len(peer.requests) == 1 and elsewhere.requests == []
    row = only_row("webpush")
    assert str(status) in row.last_error and "redirect" in row.last_error and "configuration" in row.last_error
    assert any("configuration error" in r.getMessage() for r in caplog.records)
    assert deliver_due(now=utcnow() + timedelta(days=1)) == {}  # a final failure, not retried


@pytest.mark.parametrize("step", ["gettoken", "send"])
def test_wecom_does_not_follow_a_redirect(wecom, servers, login, demo, app, monkeypatch, caplog, step):
    peer, elsewhere = servers["peer"], servers["elsewhere"]
    away = redirect_to(elsewhere)

    def reply(method, path):
        if path.startswith("/cgi-bin/gettoken") and step == "send":
            return 200, JSON, json.dumps({"errcode": 0, "access_token": "t0ken", "expires_in": 7200})
        return away(method, path)

    peer.reply = reply
    monkeypatch.setitem(app.config, "WECOM_API_BASE", peer.origin)
    monkeypatch.setattr(wecom_module, "_tokens", {})
    demo["石水奇"].wecom_id = "shishuiqi"
    db.session.commit()
    assign(login, demo)

    assert deliver_due() == {"failed": 1}

    assert elsewhere.requests == []
    row = only_row("wecom")
    assert "307" in row.last_error and "redirect" in row.last_error and "configuration" in row.last_error
    assert any("configuration error" in r.getMessage() for r in caplog.records)


TRAVERSALS = [
    "/push/../admin/x", "/push/x/../../admin", "/push/%2e%2e/admin", "/push/%2E%2E/admin", "/push/.%2e/admin",
    "/push/%2e./admin", "/push/..%2fadmin", "/push/%2fadmin", "/push/%2F..%2Fadmin", "/push\\..\\admin",
    "/push/..\\admin", "/push/%5c..%5cadmin", "/push/%252e%252e/admin", "/push/%00/x", "/push/x%",
    "/push", "/pushx/abc", "/push/a b", "/push/x#/../../admin", "/push/ab\u00e7",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_subscribe_refuses_endpoints_that_leave_the_prefix(webpush, login, app, monkeypatch, path):
    monkeypatch.setitem(app.config, "PUSH_EXTRA_ORIGINS", webpush.origin + "/push/")
    sub = webpush.subscribe()
    sub["endpoint"] = webpush.origin + path
    res = login("石水奇").post("/api/push/subscriptions", json=sub)
    assert res.status_code == 422, (path, res.get_json())
    assert "endpoint" in res.get_json()["error"]["fields"]


@pytest.mark.parametrize("endpoint", [
    "http://user@{host}:{port}/push/x", "http://{host}:{port}@{host}:{port}/push/x",
    "http://{host}:{other}/push/x", "http://{host}/push/x", "https://{host}:{port}/push/x",
    "http://{host}.:{port}/push/x", "http://%31{host}:{port}/push/x", "http://{host}:+{port}/push/x",
    "http://[::1]:{port}/push/x", "http://localhost:{port}/push/x",
])
def test_subscribe_refuses_other_authorities_under_the_prefix(webpush, login, app, monkeypatch, endpoint):
    monkeypatch.setitem(app.config, "PUSH_EXTRA_ORIGINS", webpush.origin + "/push/")
    sub = webpush.subscribe()
    sub["endpoint"] = endpoint.format(host="127.0.0.1", port=webpush.port, other=webpush.port + 1)
    res = login("石水奇").post("/api/push/subscriptions", json=sub)
    assert res.status_code == 422, (sub["endpoint"], res.get_json())


def test_an_endpoint_is_stored_as_the_address_it_names(webpush, login, app, monkeypatch):
    """Dot segments that stay inside the prefix are resolved, so one device is one row."""
    monkeypatch.setitem(app.config, "PUSH_EXTRA_ORIGINS", webpush.origin + "/push/")
    shi, sub = login("石水奇"), webpush.subscribe()
    plain = sub["endpoint"]
    sub["endpoint"] = plain.replace("/push/", "/push/x/%2E./")
    res = shi.post("/api/push/subscriptions", json=sub)
    assert res.status_code == 201 and res.get_json()["endpoint"] == plain
    sub["endpoint"] = plain
    assert shi.post("/api/push/subscriptions", json=sub).status_code == 200


@pytest.mark.parametrize("path", ["/push/../admin/x", "/push/%2e%2e/admin/x", "/push/..%2fadmin"])
def test_a_stored_endpoint_is_checked_again_at_send_time(webpush, servers, login, demo, app, monkeypatch, path):
    """A row written before these checks, or under a wider PUSH_EXTRA_ORIGINS, is not called."""
    peer = servers["peer"]
    monkeypatch.setitem(app.config, "PUSH_EXTRA_ORIGINS", peer.origin + "/push/")
    keys = webpush.subscribe()["keys"]
    db.session.add(PushSubscription(user_id=demo["石水奇"].id, endpoint=peer.origin + path, **keys))
    db.session.commit()
    assign(login, demo)
    assert deliver_due() == {"failed": 1}
    assert peer.requests == []
    assert "not allowed" in only_row("webpush").last_error


def test_a_subscription_stops_when_its_origin_is_no_longer_allowed(webpush, login, demo, app, monkeypatch):
    assert login("石水奇").post("/api/push/subscriptions", json=webpush.subscribe()).status_code == 201
    monkeypatch.setitem(app.config, "PUSH_EXTRA_ORIGINS", "")
    assign(login, demo)
    assert deliver_due() == {"failed": 1}
    assert webpush.attempts == [] and "not allowed" in only_row("webpush").last_error
