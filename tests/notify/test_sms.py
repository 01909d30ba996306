"""短信 through Alibaba Cloud SMS, against a local endpoint that checks the documented signature
(tests/notify/smsserver.py) and answers the documented error codes."""
import logging
import threading
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote_plus

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notify.dispatcher import deliver_due
from app.notify.models import Delivery, Notification
from app.notify.service import notify
from app.org.models import User
from tests.notify.conftest import sms_config, task_body
from tests.notify.smsserver import SmsServer

TITLE = "联系姜彩凤，核实医疗救助材料"
CHINA = timezone(timedelta(hours=8))


def china(day_offset=0, hour=10, minute=0):
    """A moment in China time, today or some days on."""
    today = datetime.now(CHINA).date() + timedelta(days=day_offset)
    return datetime(today.year, today.month, today.day, hour, minute, tzinfo=CHINA).astimezone(timezone.utc)


@pytest.fixture(autouse=True)
def daytime(clock):
    """Texts go out only in the day (REMINDER_HOURS, 08–20 China time): these tests start at
    10:00 China time, whenever they run."""
    clock.now = china(hour=10)
    return clock


@pytest.fixture
def shi(demo):
    return demo["石水奇"]


@pytest.fixture
def assign(login, shi):
    secretary = login("赵红梅")

    def _assign(title=TITLE):
        res = secretary.post("/api/tasks", json=task_body(shi.id, title))
        assert res.status_code == 201, res.get_json()
        return res.get_json()

    return _assign


def sms_rows():
    return db.session.scalars(select(Delivery).where(Delivery.channel == "sms").order_by(Delivery.id)).all()


def test_a_task_reaches_shi_by_text_message_saying_only_that_a_task_waits(sms, assign, shi):
    assign()
    [row] = sms_rows()
    assert row.target == shi.phone and row.status == "pending"
    assert deliver_due() == {"sent": 1}
    [message] = sms.messages
    assert message["phone"] == shi.phone and message["sign"] == "包联"
    assert message["template"] == "SMS_480000001" and message["params"] == {"item": "任务"}
    assert message["text"] == "【包联】您有新的任务，请打开包联查看。"
    assert sms_rows()[0].status == "sent"


def test_nothing_of_the_household_or_the_task_leaves_in_the_request(sms, assign, demo):
    assign("为姜彩凤申请临时救助，丈夫突发疾病")
    deliver_due()
    [(code, raw)] = sms.calls
    sent = unquote_plus(raw)
    assert code == "OK"
    for secret_of_the_family in ("姜彩凤", "突发疾病", "临时救助", "赵红梅"):
        assert secret_of_the_family not in sent


def test_a_wrong_secret_fails_the_signature_check_and_is_a_configuration_error(sms, assign, app, monkeypatch,
                                                                              caplog):
    monkeypatch.setitem(app.config, "SMS_ACCESS_KEY_SECRET", "not-the-secret-at-all")
    assign()
    with caplog.at_level(logging.ERROR):
        assert deliver_due() == {"failed": 1}
    assert sms.codes() == ["SignatureDoesNotMatch"] and sms.messages == []
    [row] = sms_rows()
    assert "SignatureDoesNotMatch" in row.last_error and "configuration" in row.last_error
    # the service echoes its string to sign, with the access key id: the log keeps neither
    assert "server string to sign" in row.last_error
    assert sms.key_id not in caplog.text + row.last_error


def test_an_unknown_access_key_is_a_configuration_error(sms, assign, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_ACCESS_KEY_ID", "LTAI-someone-else")
    assign()
    assert deliver_due() == {"failed": 1}
    assert sms.codes() == ["InvalidAccessKeyId.NotFound"]


def test_a_system_error_is_retried_with_a_fresh_signature_and_then_sent(sms, assign, clock):
    sms.then("isp.SYSTEM_ERROR")
    assign()
    assert deliver_due(now=clock.now) == {"retry": 1}
    [row] = sms_rows()
    assert row.status == "pending" and row.next_attempt_at > clock.now
    assert deliver_due(now=row.next_attempt_at) == {"sent": 1}
    assert sms.codes() == ["isp.SYSTEM_ERROR", "OK"]  # a reused nonce would have been SignatureNonceUsed


@pytest.mark.parametrize("message, lifts", [
    ("触发号码分钟级流控Permits:1", timedelta(minutes=1)),
    ("触发号码小时级流控Permits:5", timedelta(hours=1)),
])
def test_the_services_flow_control_waits_until_its_limit_lifts(sms, assign, clock, message, lifts):
    sms.then(("isv.BUSINESS_LIMIT_CONTROL", message))
    assign()
    assert deliver_due(now=clock.now) == {"retry": 1}
    assert sms_rows()[0].next_attempt_at >= clock.now + lifts


def test_a_number_over_its_day_limit_at_the_service_waits_for_the_next_day(app, monkeypatch, assign, clock):
    server = SmsServer(per_number_limit=1).start()  # the service's own day limit for one number
    try:
        for key, value in sms_config(server).items():
            monkeypatch.setitem(app.config, key, value)
        assign()
        assign("入户核实姜彩凤家庭收入")
        assert deliver_due(now=clock.now) == {"sent": 1, "retry": 1}
        assert server.codes() == ["OK", "isv.BUSINESS_LIMIT_CONTROL"]
        assert sms_rows()[1].next_attempt_at >= china(day_offset=1, hour=0)
    finally:
        server.stop()


def test_an_empty_account_is_retried_and_said_loudly(sms, assign, clock, caplog):
    sms.then("isv.AMOUNT_NOT_ENOUGH")
    assign()
    with caplog.at_level(logging.ERROR):
        assert deliver_due(now=clock.now) == {"retry": 1}
    assert "isv.AMOUNT_NOT_ENOUGH" in caplog.text


def test_an_account_wide_refusal_is_a_configuration_error_not_the_numbers(sms, assign, caplog):
    sms.then("isv.DAY_LIMIT_CONTROL")
    assign()
    with caplog.at_level(logging.ERROR):
        assert deliver_due() == {"failed": 1}
    assert "configuration error" in sms_rows()[0].last_error and "isv.DAY_LIMIT_CONTROL" in caplog.text


@pytest.mark.parametrize("status", [503, 429])
def test_an_outage_answering_html_is_retried(sms, assign, clock, status):
    sms.then(status)
    assign()
    assert deliver_due(now=clock.now) == {"retry": 1}
    assert str(status) in sms_rows()[0].last_error


def test_the_service_being_down_is_retried(sms, assign, clock):
    assign()
    sms.stop()
    assert deliver_due(now=clock.now) == {"retry": 1}
    sms.start()  # back on another port: point the app at it, as after a move
    from flask import current_app
    current_app.config["SMS_API_BASE"] = sms.base
    assert deliver_due(now=sms_rows()[0].next_attempt_at) == {"sent": 1}


def test_a_number_the_service_refuses_fails_at_once(sms, assign, shi):
    shi.phone = "12345"
    db.session.commit()
    assign()
    assert deliver_due() == {"failed": 1}
    assert sms.codes() == ["isv.MOBILE_NUMBER_ILLEGAL"]
    assert "isv.MOBILE_NUMBER_ILLEGAL" in sms_rows()[0].last_error


def test_a_phone_gets_at_most_the_daily_limit_and_more_again_the_next_day(sms, assign, app, monkeypatch, clock):
    monkeypatch.setitem(app.config, "SMS_DAILY_LIMIT", 2)
    for n in range(3):
        assign(f"第{n + 1}项任务")
    assert [r.status for r in sms_rows()] == ["pending", "pending", "failed"]
    assert "daily limit" in sms_rows()[2].last_error
    assert deliver_due(now=clock.now) == {"sent": 2}
    clock.now = china(day_offset=1, hour=0, minute=30)  # just past midnight in China: a new day
    assign("第四项任务")
    assert sms_rows()[3].status == "pending"
    assert sms_rows()[3].next_attempt_at == china(day_offset=1, hour=8)  # and it waits for the morning


def test_a_daily_limit_of_zero_sends_none(sms, assign, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_DAILY_LIMIT", 0)
    assign()
    assert [r.status for r in sms_rows()] == ["failed"] and deliver_due() == {}


def test_at_night_a_text_waits_for_eight_in_the_morning(sms, assign, clock):
    clock.now = china(hour=22, minute=15)  # an overdue case or a late task at 22:15
    assign()
    [row] = sms_rows()
    assert row.next_attempt_at == china(day_offset=1, hour=8)
    assert deliver_due(now=clock.now) == {} and sms.calls == []
    clock.now = china(day_offset=1, hour=8)
    assert deliver_due(now=clock.now) == {"sent": 1}


def test_a_retry_that_falls_in_the_night_waits_for_the_morning(sms, assign, clock):
    sms.then("isp.SYSTEM_ERROR")
    clock.now = china(hour=19, minute=59) + timedelta(seconds=50)  # the backoff ends after 20:00
    assign()
    assert deliver_due(now=clock.now) == {"retry": 1}
    clock.now = sms_rows()[0].next_attempt_at  # 20:00 or later: quiet hours
    assert deliver_due(now=clock.now) == {"retry": 1}
    assert sms_rows()[0].next_attempt_at == china(day_offset=1, hour=8) and len(sms.calls) == 1


def test_a_number_changed_since_the_text_was_queued_is_not_texted(sms, assign, shi):
    assign()
    old = shi.phone
    shi.phone = "13911112222"  # the secretary corrects a mistyped number
    db.session.commit()
    assert deliver_due() == {"superseded": 1}
    assert sms.calls == [] and sms_rows()[0].target == old


def test_a_stopped_account_is_not_texted(sms, assign, shi):
    assign()
    shi.active = False
    db.session.commit()
    assert deliver_due() == {"superseded": 1}
    assert sms.calls == []


def test_only_work_waiting_and_lateness_go_by_text(sms, shi, app):
    for kind, fmt in (("case_closed", {"title": TITLE}), ("task_done", {"title": TITLE, "assignee": "石水奇"}),
                      ("case_overdue", {"title": TITLE, "level": "村党支部"}),
                      ("case_dispatched", {"title": TITLE, "department": "县民政局"})):
        notify(user_ids=[shi.id], kind=kind, ref_type="case", ref_id="1", **fmt)
    db.session.commit()
    assert deliver_due() == {"sent": 2}
    assert [m["params"]["item"] for m in sms.messages] == ["超时提醒", "派单"]


def test_a_person_can_turn_text_messages_off_and_on(sms, assign, login):
    shi = login("石水奇")
    prefs = shi.get("/api/notifications/preferences").get_json()
    assert prefs["sms"] is True and "sms" in prefs["available"]  # the app offers the switch
    res = shi.http.put("/api/notifications/preferences", json={"sms": False}, headers={"X-CSRF-Token": shi.csrf})
    assert res.status_code == 200 and res.get_json()["sms"] is False
    assign()
    assert sms_rows() == []
    shi.http.put("/api/notifications/preferences", json={"sms": True}, headers={"X-CSRF-Token": shi.csrf})
    assign("入户核实姜彩凤家庭收入")
    assert len(sms_rows()) == 1


def test_the_preference_is_a_write_that_needs_the_csrf_token(sms, login):
    shi = login("石水奇")
    res = shi.http.put("/api/notifications/preferences", json={"sms": False})
    assert res.status_code == 400 and res.get_json()["error"]["code"] == "csrf_failed"
    assert shi.get("/api/notifications/preferences").get_json()["sms"] is True


def count_texts_today(app):
    with app.app_context():
        shi_phone = db.session.scalars(select(User.phone).where(User.name == "石水奇")).one()
        return len(db.session.scalars(select(Delivery.id).where(
            Delivery.channel == "sms", Delivery.target == shi_phone, Delivery.status == "pending")).all())


def test_two_requests_at_once_never_pass_the_daily_limit(own_pg_app, committing):
    """On PostgreSQL two transactions texting one phone each count the outbox: with the lock the
    second waits for the first's commit and sees its row."""
    server = SmsServer().start()
    app = own_pg_app(**sms_config(server))  # the demo's own tasks text 石水奇 with the usual limit
    app.config["SMS_DAILY_LIMIT"] = 1 + count_texts_today(app)  # room for exactly one more
    with app.app_context():
        shi_id = db.session.scalars(select(User.id).where(User.name == "石水奇")).one()
    first_flushed, results = threading.Event(), []

    def text_shi(title, before_commit):
        with app.app_context():
            try:
                notify(user_ids=[shi_id], kind="task_assigned", ref_type="task", ref_id=title, title=title,
                       assigner="赵红梅", due="—")
                before_commit()
                db.session.commit()
            finally:
                db.session.remove()

    one = threading.Thread(target=text_shi, args=("一", lambda: (first_flushed.set(), threading.Event().wait(1))))
    two = threading.Thread(target=lambda: (first_flushed.wait(10), text_shi("二", lambda: None)))
    try:
        one.start()
        two.start()
        one.join(30)
        two.join(30)
        with app.app_context():
            results = db.session.scalars(select(Delivery.status).join(Notification).where(
                Delivery.channel == "sms", Notification.ref_id.in_(("一", "二")))).all()
    finally:
        server.stop()
    assert sorted(results) == ["failed", "pending"], results


def test_sms_is_off_until_configured(app, assign, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_TEMPLATE_CODE", None)
    assign()
    assert sms_rows() == []


def test_the_signature_follows_the_documented_example():
    """The documentation's worked example (GET DescribeRegions, AccessKey testid / testsecret,
    its parameter spelt "TimeStamp" there), whose signature it gives as CT9X0VtwR86fNWSnsc6v8YGOjuE=."""
    from app.notify.channels.sms import signature

    params = {"AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML",
              "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
              "SignatureVersion": "1.0", "TimeStamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26"}
    assert signature("GET", params, "testsecret") == "CT9X0VtwR86fNWSnsc6v8YGOjuE="
