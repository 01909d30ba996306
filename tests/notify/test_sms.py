"""短信 through Alibaba Cloud SMS, against a local endpoint that checks the documented signature
(tests/notify/smsserver.py) and answers the documented error codes."""
import logging
from datetime import timedelta
from urllib.parse import unquote_plus

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notify.dispatcher import deliver_due
from app.notify.models import Delivery
from app.notify.service import notify
from tests.notify.conftest import task_body

TITLE = "联系姜彩凤，核实医疗救助材料"


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
    assert "not-the-secret-at-all" not in caplog.text + row.last_error


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


def test_the_services_flow_control_waits_ten_minutes_not_the_short_backoff(sms, assign, clock):
    sms.then("isv.BUSINESS_LIMIT_CONTROL")
    assign()
    assert deliver_due(now=clock.now) == {"retry": 1}
    [row] = sms_rows()
    assert row.next_attempt_at >= clock.now + timedelta(minutes=10)


def test_an_outage_answering_html_is_retried(sms, assign, clock):
    sms.then(503)
    assign()
    assert deliver_due(now=clock.now) == {"retry": 1}
    assert "503" in sms_rows()[0].last_error


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
    clock.now = clock.now.replace(hour=2, minute=0)  # 10:00 in China
    for n in range(3):
        assign(f"第{n + 1}项任务")
    assert [r.status for r in sms_rows()] == ["pending", "pending", "failed"]
    assert "daily limit" in sms_rows()[2].last_error
    assert deliver_due(now=clock.now) == {"sent": 2}
    clock.advance(hours=15)  # 01:00 the next day in China
    assign("第四项任务")
    assert sms_rows()[3].status == "pending"


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
