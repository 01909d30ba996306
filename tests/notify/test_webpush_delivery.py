"""Web Push through the real pywebpush to a local push service that verifies VAPID and
decrypts the aes128gcm body: what arrives, and what each answer of the service does."""
import json
from datetime import timedelta
from email.utils import format_datetime

import pytest
from sqlalchemy import select

from app.common.time import utcnow
from app.extensions import db
from app.notify.dispatcher import MAX_ATTEMPTS, deliver_due
from app.notify.models import Delivery, Notification, PushSubscription
from tests.conftest import ApiClient
from tests.notify.conftest import SECRETARY, push_config, subscribe, task_body
from tests.notify.pushservice import PushService


@pytest.fixture
def secretary(app):
    """赵红梅, 西流南村's secretary, logged in with her phone and the demo password."""
    client = ApiClient(app)
    assert client.login(SECRETARY, "baolian2026").status_code == 200
    return client


@pytest.fixture
def shi(login):
    return login("石水奇")


def assign(secretary, demo, title="联系姜彩凤，核实医疗救助材料"):
    res = secretary.post("/api/tasks", json=task_body(demo["石水奇"].id, title))
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def deliveries():
    return db.session.scalars(select(Delivery).order_by(Delivery.id)).all()


def test_assigning_a_task_to_shi_reaches_his_phone(webpush, secretary, shi, demo):
    sub = subscribe(shi, webpush)
    task = assign(secretary, demo, "联系姜彩凤，核实医疗救助材料")
    assert webpush.arrivals == []  # nothing is sent inside the request's transaction

    assert deliver_due() == {"sent": 1}

    assert webpush.refusals == []
    [arrival] = webpush.arrivals_for(sub["endpoint"])
    assert "联系姜彩凤，核实医疗救助材料" in arrival.payload["title"]
    assert arrival.payload["type"] == "task" and arrival.payload["id"] == task["id"]
    assert arrival.payload["kind"] == "task_assigned"
    assert len(json.dumps(arrival.payload, ensure_ascii=False).encode()) < 2048
    assert arrival.headers["Urgency"] == "high"
    assert arrival.headers["Topic"] == task["id"].replace("-", "")
    assert int(arrival.headers["TTL"]) > 0
    assert arrival.claims["aud"] == webpush.origin
    assert arrival.claims["sub"].startswith("mailto:")
    assert arrival.claims["k"] == shi.get("/api/push/key").get_json()["public_key"]
    [row] = deliveries()
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None) and row.sent_at is not None
    assert db.session.get(PushSubscription, int(row.target)).last_sent_at is not None


def test_every_device_gets_its_own_audience(webpush, secretary, shi, demo, vapid_file):
    """Two push services in one pass: a claims dict reused between sends would carry the first
    one's aud to the second, which must refuse it."""
    other = PushService().start()
    try:
        first = subscribe(shi, webpush)
        second = other.subscribe()
        from flask import current_app
        current_app.config["PUSH_EXTRA_ORIGINS"] += "," + push_config(other, vapid_file)["PUSH_EXTRA_ORIGINS"]
        assert shi.post("/api/push/subscriptions", json=second).status_code == 201
        assign(secretary, demo)
        assign(secretary, demo, "入户核实姜彩凤家庭收入")
        assert deliver_due() == {"sent": 4}
        assert webpush.refusals == [] and other.refusals == []
        assert len(webpush.arrivals_for(first["endpoint"])) == 2
        assert len(other.arrivals_for(second["endpoint"])) == 2
        assert {a.claims["aud"] for a in other.arrivals} == {other.origin}
    finally:
        other.stop()


@pytest.mark.parametrize("status", [404, 410])
def test_gone_removes_the_subscription(webpush, secretary, shi, demo, status):
    sub = subscribe(shi, webpush)
    webpush.answer(status)
    assign(secretary, demo)
    assign(secretary, demo, "入户核实姜彩凤家庭收入")

    assert deliver_due() == {"gone": 2}

    assert len(webpush.attempts) == 1  # the second copy is not sent to a device known gone
    assert db.session.scalars(select(PushSubscription).where(PushSubscription.endpoint == sub["endpoint"])).first() \
        is None
    rows = deliveries()
    assert [r.status for r in rows] == ["gone", "gone"]
    assert str(status) in rows[0].last_error
    assign(secretary, demo, "第三项任务")
    assert [r.status for r in deliveries()] == ["gone", "gone"]  # no device left: no new delivery


@pytest.mark.parametrize("status", [400, 401, 403])
def test_configuration_error_keeps_the_subscription(webpush, secretary, shi, demo, status, caplog):
    sub = subscribe(shi, webpush)
    webpush.answer(status)
    assign(secretary, demo)
    assert deliver_due() == {"failed": 1}
    [row] = deliveries()
    assert row.status == "failed" and row.attempts == 1
    assert str(status) in row.last_error and "configuration" in row.last_error
    assert db.session.scalars(select(PushSubscription).where(PushSubscription.endpoint == sub["endpoint"])).one()
    assert any("configuration error" in r.getMessage() for r in caplog.records)
    assert deliver_due(now=utcnow() + timedelta(days=1)) == {}  # not retried


def test_payload_too_large_is_not_retried(webpush, secretary, shi, demo):
    subscribe(shi, webpush)
    webpush.answer(413)
    assign(secretary, demo)
    assert deliver_due() == {"failed": 1}
    assert "413" in deliveries()[0].last_error
    assert deliver_due(now=utcnow() + timedelta(days=1)) == {}


@pytest.mark.parametrize("as_date", [False, True])
def test_429_waits_at_least_retry_after(webpush, secretary, shi, demo, as_date):
    subscribe(shi, webpush)
    assign(secretary, demo)
    now = utcnow().replace(microsecond=0) + timedelta(seconds=1)
    retry_after = format_datetime(now + timedelta(seconds=900), usegmt=True) if as_date else "900"
    webpush.answer(429, Retry_After=retry_after)

    assert deliver_due(now=now) == {"retry": 1}
    [row] = deliveries()
    assert row.status == "pending" and row.attempts == 1 and "429" in row.last_error
    assert row.next_attempt_at >= now + timedelta(seconds=899)  # an HTTP date has 1 s resolution
    assert deliver_due(now=now + timedelta(seconds=600)) == {}  # the backoff alone would be 30 s
    assert webpush.arrivals == []
    assert deliver_due(now=row.next_attempt_at) == {"sent": 1}
    assert len(webpush.arrivals) == 1


def test_server_errors_back_off_then_give_up(webpush, secretary, shi, demo):
    subscribe(shi, webpush)
    webpush.answer(500, times=MAX_ATTEMPTS)
    assign(secretary, demo)
    now, waits = utcnow(), []
    for _ in range(MAX_ATTEMPTS):
        assert deliver_due(now=now) == {"retry": 1} or deliveries()[0].status == "failed"
        row = deliveries()[0]
        waits.append((row.next_attempt_at - now).total_seconds())
        now = row.next_attempt_at
    row = deliveries()[0]
    assert row.status == "failed" and row.attempts == MAX_ATTEMPTS and "500" in row.last_error
    assert waits[:3] == [30, 60, 120] and all(w <= 3600 for w in waits)
    assert webpush.arrivals == []


def test_down_then_up_delivers_every_notification_exactly_once(webpush, secretary, shi, demo):
    subscribe(shi, webpush)
    tasks = [assign(secretary, demo, f"第{i}项任务：走访姜彩凤") for i in range(6)]
    webpush.stop()
    now = utcnow()
    assert deliver_due(now=now) == {"retry": 6}
    assert deliver_due(now=now) == {}  # nothing is due again before the backoff
    webpush.restart()
    webpush.answer(503, times=2, Retry_After="5")  # back, but busy for two of them
    assert deliver_due(now=now + timedelta(seconds=30)) == {"sent": 4, "retry": 2}
    assert deliver_due(now=now + timedelta(seconds=95)) == {"sent": 2}
    assert deliver_due(now=now + timedelta(hours=6)) == {}

    assert webpush.refusals == []
    notes = db.session.scalars(select(Notification).where(Notification.user_id == demo["石水奇"].id,
                                                          Notification.kind == "task_assigned")).all()
    mine = {n.id for n in notes if n.ref_id in {t["id"] for t in tasks}}
    assert len(mine) == 6
    assert webpush.count_by("nid") == dict.fromkeys(mine, 1)
    assert {a.payload["id"] for a in webpush.arrivals} == {t["id"] for t in tasks}
    assert all(r.status == "sent" for r in deliveries())


def test_a_phone_that_changes_hands_gets_nothing_meant_for_the_last_person(webpush, secretary, shi, demo, login):
    sub = subscribe(shi, webpush)
    webpush.stop()
    assign(secretary, demo, "石水奇的任务")
    now = utcnow()
    assert deliver_due(now=now) == {"retry": 1}
    webpush.restart()
    other = login(role="member", unit="第二网格")
    assert other.post("/api/push/subscriptions", json=sub).status_code == 200  # same phone, new person
    assert deliver_due(now=now + timedelta(hours=1)) == {}
    assert webpush.arrivals == []
    [row] = deliveries()
    assert row.status == "superseded" and "another person" in row.last_error


def test_the_payload_stays_small_with_long_texts(webpush, shi, demo):
    from app.notify.service import notify

    subscribe(shi, webpush)
    notify(user_ids=[demo["石水奇"].id], kind="case_arrived", ref_type="case", ref_id="c" * 36,
           title="长" * 200, household="姜彩凤" * 20, reason="说明" * 1000)
    assert deliver_due() == {"sent": 1}
    [arrival] = webpush.arrivals
    assert len(json.dumps(arrival.payload, ensure_ascii=False).encode()) < 2048
    assert arrival.payload["title"].startswith("待办：长") and arrival.headers["Urgency"] == "normal"
