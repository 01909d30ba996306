"""我的 → 消息提醒 offers 短信提醒 only where the deployment has SMS, and the switch is the
person's own preference on the server."""
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.notify.models import ChannelPreference
from app.org.models import User

from .conftest import login

SHI_SHUIQI = "13900000101"
SMS_SETTINGS = {"SMS_ACCESS_KEY_ID": "LTAI-browser", "SMS_ACCESS_KEY_SECRET": "browser-secret-0123",
                "SMS_SIGN_NAME": "包联", "SMS_TEMPLATE_CODE": "SMS_480000001"}


def sms_choice(app):
    with app.app_context():
        shi = db.session.scalars(select(User.id).where(User.phone == SHI_SHUIQI)).one()
        pref = db.session.get(ChannelPreference, shi)
        return True if pref is None else pref.sms


def test_no_sms_switch_where_sms_is_not_configured(page):
    login(page, SHI_SHUIQI)
    page.goto(page.url.split("#")[0] + "#/me")
    expect(page.get_by_role("heading", name="我的")).to_be_visible()
    expect(page.get_by_text("消息提醒未开启").or_(page.get_by_text("此浏览器不支持消息提醒")).first).to_be_visible()
    expect(page.get_by_role("switch", name="短信提醒")).to_have_count(0)


def test_a_member_turns_text_messages_off_and_on(page, app, monkeypatch):
    for key, value in SMS_SETTINGS.items():
        monkeypatch.setitem(app.config, key, value)
    login(page, SHI_SHUIQI)
    page.goto(page.url.split("#")[0] + "#/me")
    switch = page.get_by_role("switch", name="短信提醒")
    expect(switch).to_be_checked()
    expect(page.get_by_text("短信只说有事待办，不写群众的情况")).to_be_visible()
    switch.click()
    expect(page.get_by_text("已关闭短信提醒")).to_be_visible()
    assert sms_choice(app) is False
    switch.click()
    expect(page.get_by_text("已开启短信提醒")).to_be_visible()
    assert sms_choice(app) is True
