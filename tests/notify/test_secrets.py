"""No credential in the delivery log, the database, an answer or a log record, whatever the
channels run into. Every secret the app holds is set to a marker; each channel then meets
one failure (refused, dropped, HTTP errors, bodies that are not JSON or that quote our own
request back, redirects) and everything the service wrote is searched for the markers."""
import json
import logging

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notify.channels import wecom as wecom_module
from app.notify.dispatcher import deliver_due
from app.notify.models import Delivery, Notification, PushSubscription
from tests.notify.conftest import task_body
from tests.notify.pushservice import PushService
from tests.notify.scripted import DROP, ScriptedServer, closed_port

WECOM_SECRET = "wecomSECRETmarker7f3a9c"
FLASK_SECRET = "flaskSECRETmarker51be02"
VAPID_RAW = "VAPIDxSECRETxMARKERx0123456789abcdefghijkl"  # a usable raw P-256 key, base64url
ACCESS_TOKEN = "accessTOKENmarker9d8e7f"  # what the WeCom server hands out: a credential too
MARKERS = (WECOM_SECRET, FLASK_SECRET, VAPID_RAW, ACCESS_TOKEN)
JSON = {"Content-Type": "application/json"}


def echo(status, headers=None):
    """An answer that quotes our request back (as a proxy's error page does)."""
    return lambda method, path: (status, headers or {"Content-Type": "text/html"}, f"<p>{method} {path} failed</p>")


def token_then(send_answer):
    def reply(method, path):
        if path.startswith("/cgi-bin/gettoken"):
            return 200, JSON, json.dumps({"errcode": 0, "access_token": ACCESS_TOKEN, "expires_in": 7200})
        return send_answer(method, path)
    return reply


WECOM_FAILURES = {
    "refused": None,
    "token_dropped": lambda m, p: DROP,
    "token_http_502": echo(502),
    "token_http_404": echo(404),
    "token_bad_json": lambda m, p: (200, JSON, "{not json " + p),
    "token_refused_quoting": lambda m, p: (200, JSON, json.dumps({"errcode": 40001, "errmsg": "bad " + p})),
    "token_redirect": lambda m, p: (307, {"Location": f"http://127.0.0.1:{closed_port()}{p}"}, ""),
    "send_dropped": token_then(lambda m, p: DROP),
    "send_http_500": token_then(echo(500)),
    "send_http_403": token_then(echo(403)),
    "send_bad_json": token_then(lambda m, p: (200, JSON, "[" + p)),
    "send_error_quoting": token_then(lambda m, p: (200, JSON, json.dumps({"errcode": 40003, "errmsg": p}))),
    "send_busy_quoting": token_then(lambda m, p: (200, JSON, json.dumps({"errcode": -1, "errmsg": p}))),
    "send_redirect": token_then(lambda m, p: (302, {"Location": "http://127.0.0.1:1" + p}, "")),
}

PUSH_FAILURES = {
    "refused": None,
    "dropped": lambda m, p: DROP,
    "http_500": echo(500),
    "http_400": echo(400),
    "http_401": echo(401),
    "http_413": echo(413),
    "http_429": echo(429),
    "http_418": echo(418),
    "redirect": lambda m, p: (307, {"Location": f"http://127.0.0.1:{closed_port()}{p}"}, ""),
}


@pytest.fixture
def marked(app, monkeypatch, caplog, login, demo):
    """Every secret set to a marker; logs captured at DEBUG; the admin who reads the log."""
    monkeypatch.setitem(app.config, "SECRET_KEY", FLASK_SECRET)
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", VAPID_RAW)
    monkeypatch.setitem(app.config, "WECOM_SECRET", WECOM_SECRET)
    monkeypatch.setitem(app.config, "WECOM_CORP_ID", "ww-marker-corp")
    monkeypatch.setitem(app.config, "WECOM_AGENT_ID", "1000002")
    monkeypatch.setitem(app.config, "WECOM_TIMEOUT", 3)
    monkeypatch.setitem(app.config, "WEBPUSH_TIMEOUT", 3)
    monkeypatch.setattr(wecom_module, "_tokens", {})
    caplog.set_level(logging.DEBUG)
    return {"admin": login(role="admin"), "secretary": login("赵红梅"), "shi": login("石水奇")}


def assign(marked, demo):
    res = marked["secretary"].post("/api/tasks", json=task_body(demo["石水奇"].id))
    assert res.status_code == 201, res.get_json()


def assert_no_secret_anywhere(marked, caplog):
    rows = [repr({c.name: getattr(r, c.name) for c in r.__table__.columns})
            for model in (Delivery, Notification, PushSubscription) for r in db.session.scalars(select(model))]
    answer = marked["admin"].get("/api/notifications/deliveries?limit=200")
    assert answer.status_code == 200
    records = [f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records]
    for where, text in (("database", "\n".join(rows)), ("GET /api/notifications/deliveries", answer.get_data(True)),
                        ("log", caplog.text + "\n".join(records))):
        for marker in MARKERS:
            assert marker not in text, f"{marker} in the {where}: ...{text[max(0, text.find(marker) - 300):][:600]}"
    return answer.get_json()["items"]


@pytest.mark.parametrize("failure", list(WECOM_FAILURES))
def test_no_wecom_credential_leaks_whatever_fails(marked, demo, caplog, monkeypatch, app, failure):
    demo["石水奇"].wecom_id = "shishuiqi"
    db.session.commit()
    server = ScriptedServer(WECOM_FAILURES[failure])
    try:
        base = server.origin if WECOM_FAILURES[failure] else f"http://127.0.0.1:{closed_port()}"
        monkeypatch.setitem(app.config, "WECOM_API_BASE", base)
        assign(marked, demo)
        counts = deliver_due()
        assert "sent" not in counts and sum(counts.values()) == 1, counts
        items = assert_no_secret_anywhere(marked, caplog)
    finally:
        server.stop()
    [row] = [i for i in items if i["channel"] == "wecom"]
    assert row["attempts"] == 1 and row["last_error"], row  # the log still says what went wrong


@pytest.mark.parametrize("failure", list(PUSH_FAILURES))
def test_no_push_credential_leaks_whatever_fails(marked, demo, caplog, monkeypatch, app, failure):
    server = ScriptedServer(PUSH_FAILURES[failure])
    try:
        origin = server.origin if PUSH_FAILURES[failure] else f"http://127.0.0.1:{closed_port()}"
        monkeypatch.setitem(app.config, "PUSH_EXTRA_ORIGINS", origin + "/push/")
        sub = PushService().subscribe()
        sub["endpoint"] = origin + "/push/" + sub["endpoint"].rsplit("/", 1)[1]
        assert marked["shi"].post("/api/push/subscriptions", json=sub).status_code == 201
        assign(marked, demo)
        counts = deliver_due()
        assert "sent" not in counts and sum(counts.values()) == 1, counts
        items = assert_no_secret_anywhere(marked, caplog)
    finally:
        server.stop()
    [row] = [i for i in items if i["channel"] == "webpush"]
    assert row["attempts"] == 1 and row["last_error"], row


def test_a_vapid_key_that_cannot_be_read_is_not_quoted(marked, demo, caplog, monkeypatch, app, webpush):
    """A broken key is a configuration error: said so in the log, never echoed."""
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", "!" + VAPID_RAW)
    sub = webpush.subscribe()
    assert marked["shi"].post("/api/push/subscriptions", json=sub).status_code == 201
    assign(marked, demo)
    assert deliver_due() == {"failed": 1}
    assert marked["shi"].get("/api/push/key").status_code == 500
    [row] = assert_no_secret_anywhere(marked, caplog)
    assert "VAPID_PRIVATE_KEY" in row["last_error"] and webpush.attempts == []


def test_a_channel_that_raises_is_logged_without_the_exceptions_words(marked, demo, caplog, monkeypatch, app, wecom):
    """A bug that raises with a URL in its message: the log says where, never what it quoted."""
    monkeypatch.setitem(app.config, "WECOM_SECRET", WECOM_SECRET)
    demo["石水奇"].wecom_id = "shishuiqi"
    db.session.commit()

    def broken(config, *, refresh=False):
        raise ValueError(f"{config['WECOM_API_BASE']}/cgi-bin/gettoken?corpsecret={config['WECOM_SECRET']}")

    monkeypatch.setattr(wecom_module, "access_token", broken)
    assign(marked, demo)
    assert deliver_due() == {"retry": 1}
    [row] = assert_no_secret_anywhere(marked, caplog)
    assert row["last_error"] == "ValueError"
    assert any("channel wecom raised ValueError" in r.getMessage() and "wecom.py" in r.getMessage()
               for r in caplog.records)
