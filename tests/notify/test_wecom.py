"""企业微信 app messages against a local server implementing gettoken and message/send."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.common.time import utcnow
from app.extensions import db
from app.notify.dispatcher import deliver_due
from app.notify.models import Delivery
from tests.notify.conftest import task_body


@pytest.fixture
def shi_on_wecom(demo):
    shi = demo["石水奇"]
    shi.wecom_id = "shishuiqi"
    db.session.commit()
    return shi


@pytest.fixture
def assign(login, shi_on_wecom):
    secretary = login("赵红梅")

    def _assign(title="联系姜彩凤，核实医疗救助材料"):
        res = secretary.post("/api/tasks", json=task_body(shi_on_wecom.id, title))
        assert res.status_code == 201, res.get_json()
        return res.get_json()

    return _assign


def wecom_rows():
    return db.session.scalars(select(Delivery).where(Delivery.channel == "wecom").order_by(Delivery.id)).all()


def test_a_task_reaches_shi_in_wecom(wecom, assign, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://baolian.example.cn/")
    task = assign()
    [row] = wecom_rows()
    assert row.target == "shishuiqi" and row.status == "pending"
    assert deliver_due() == {"sent": 1}
    [msg] = wecom.messages
    assert msg["touser"] == "shishuiqi" and msg["msgtype"] == "text" and msg["agentid"] == wecom.agent_id
    assert "联系姜彩凤，核实医疗救助材料" in msg["text"]["content"]
    assert msg["text"]["content"].endswith(f"https://baolian.example.cn/#/tasks/{task['id']}")  # the app's route
    assert wecom_rows()[0].status == "sent"
    assign("入户核实姜彩凤家庭收入")
    assert deliver_due() == {"sent": 1}
    assert wecom.count("gettoken") == 1  # the token is cached between sends


def test_an_expired_token_is_refreshed_and_the_send_retried_once(wecom, assign):
    assign()
    assert deliver_due() == {"sent": 1}
    wecom.expire_tokens()
    assign("入户核实姜彩凤家庭收入")
    assert deliver_due() == {"sent": 1}
    assert wecom.count("send", 42001) == 1
    assert wecom.count("gettoken") == 2
    assert [m["text"]["content"].split("\n")[0] for m in wecom.messages] == [
        "新任务：联系姜彩凤，核实医疗救助材料", "新任务：入户核实姜彩凤家庭收入"]
    assign("第三项任务")
    assert deliver_due() == {"sent": 1}
    assert wecom.count("gettoken") == 2  # the new token is the cached one now


def test_a_wrong_secret_is_a_configuration_error(wecom, assign, app, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "WECOM_SECRET", "not-the-secret")
    assign()
    assign("入户核实姜彩凤家庭收入")
    assert deliver_due() == {"failed": 2}
    assert wecom.count("gettoken", 40001) == 2 and wecom.messages == []
    assert all("40001" in r.last_error and "configuration" in r.last_error for r in wecom_rows())
    assert any("WeCom refused" in r.getMessage() for r in caplog.records)


def test_an_unknown_wecom_user_fails_with_the_reason(wecom, assign, shi_on_wecom):
    shi_on_wecom.wecom_id = "nobody"
    db.session.commit()
    assign()
    assert deliver_due() == {"failed": 1}
    assert "81013" in wecom_rows()[0].last_error


def test_wecom_down_is_retried(wecom, assign):
    assign()
    wecom.stop()
    now = utcnow() + timedelta(seconds=1)
    assert deliver_due(now=now) == {"retry": 1}
    [row] = wecom_rows()
    assert row.status == "pending" and row.next_attempt_at >= now + timedelta(seconds=30)
    wecom.start()  # a new port: point the app at it, as after a move
    from flask import current_app
    current_app.config["WECOM_API_BASE"] = wecom.base
    assert deliver_due(now=row.next_attempt_at) == {"sent": 1}
    assert len(wecom.messages) == 1


def test_no_wecom_copy_without_a_wecom_id_or_when_turned_off(wecom, assign, login, shi_on_wecom):
    shi = login("石水奇")
    res = shi.http.put("/api/notifications/preferences", json={"wecom": False}, headers={"X-CSRF-Token": shi.csrf})
    assert res.status_code == 200
    assign()
    assert wecom_rows() == []
    shi.http.put("/api/notifications/preferences", json={"wecom": True}, headers={"X-CSRF-Token": shi.csrf})
    shi_on_wecom.wecom_id = None
    db.session.commit()
    assign("入户核实姜彩凤家庭收入")
    assert wecom_rows() == []


def test_wecom_is_off_until_configured(app, assign, monkeypatch):
    monkeypatch.setitem(app.config, "WECOM_CORP_ID", None)
    assign()
    assert wecom_rows() == []


def test_links_in_wecom_messages_open_the_apps_own_screens():
    from app.notify.channels.wecom import app_path

    assert app_path({"type": "task", "id": "t1"}) == "#/tasks/t1"
    assert app_path({"type": "case", "id": "c1"}) == "#/cases/c1"
    assert app_path({"type": None, "id": None}) == "#/inbox"
