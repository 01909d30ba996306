"""Web Push in the service worker, tested through CDP ServiceWorker.deliverPushMessage (a real
push service cannot be reached here), and the opt-in in the app handled gracefully."""
import json
import re
import time

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.org.models import User
from app.tasks.models import Task

from .conftest import login

NOTIFICATIONS = """async () => (await (await navigator.serviceWorker.ready).getNotifications())
    .map(n => ({title: n.title, body: n.body, tag: n.tag, icon: n.icon, lang: n.lang, data: n.data}))"""


def poll(fn, timeout=10.0):
    end = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > end:
            return value
        time.sleep(0.1)


def registration_id(context, page, origin):
    cdp = context.new_cdp_session(page)
    regs = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: regs.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    poll(lambda: [r for r in regs if r["scopeURL"].startswith(origin) and not r["isDeleted"]] or page.wait_for_timeout(50))
    reg = next(r for r in regs if r["scopeURL"].startswith(origin) and not r["isDeleted"])
    return cdp, reg["registrationId"]


def a_task_of(app, phone):
    with app.app_context():
        user = db.session.scalars(select(User).where(User.phone == phone)).one()
        task = db.session.scalars(select(Task).where(Task.assignee_id == user.id)).first()
        return (str(task.id), task.title) if task else (None, None)


def test_push_shows_the_task_and_click_opens_it(app, context, page, live_server):
    task_id, task_title = a_task_of(app, "13900000101")
    if task_id is None:
        task_id, task_title = "6f1c1d0e-0000-4000-8000-000000000001", "安排姜彩凤分发党报党刊"
    context.grant_permissions(["notifications"], origin=live_server)
    login(page, "13900000101")
    cdp, reg_id = registration_id(context, page, live_server)
    payload = {"type": "task", "id": task_id, "title": task_title}
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": live_server, "registrationId": reg_id, "data": json.dumps(payload, ensure_ascii=False)})
    shown = poll(lambda: page.evaluate(NOTIFICATIONS))
    assert shown, "no notification was shown"
    note = shown[0]
    assert note["title"] == task_title
    assert note["body"] == "您有一项新任务，点击查看"
    assert note["tag"] == f"task-{task_id}"  # one per task: a repeat replaces, not piles up
    assert note["icon"].endswith("/icons/icon-192.png")
    assert note["lang"] == "zh-CN"
    assert note["data"]["url"] == f"/#/tasks/{task_id}"

    # What the worker's notificationclick does: focus the app and open the task.
    page.get_by_role("link", name="我的").click()
    worker = poll(lambda: context.service_workers)[0]
    worker.evaluate("async (url) => { await self.openFromNotification(url); return true; }", note["data"]["url"])
    expect(page).to_have_url(re.compile(rf"#/tasks/{task_id}$"))
    if a_task_of(app, "13900000101")[0]:
        expect(page.get_by_role("heading", name=task_title)).to_be_visible()


def test_push_without_payload_uses_chinese_defaults(context, page, live_server):
    context.grant_permissions(["notifications"], origin=live_server)
    login(page, "13900000101")
    cdp, reg_id = registration_id(context, page, live_server)
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": live_server, "registrationId": reg_id, "data": ""})
    shown = poll(lambda: page.evaluate(NOTIFICATIONS))
    assert shown and shown[0]["title"] == "包联" and shown[0]["body"] == "您有新消息，点击查看"
    assert shown[0]["data"]["url"] == "/#/inbox"


def test_opt_in_refused_permission_is_explained(context, page):
    login(page, "13900000101")
    offer = page.get_by_role("region", name="开启消息提醒？")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("不开启也能在“消息”里看到全部消息")
    page.get_by_role("link", name="我的").click()
    page.get_by_role("button", name="开启消息提醒").click()  # headless Chromium refuses the prompt
    expect(page.get_by_role("alert").filter(has_text="通知")).to_contain_text("拒绝")
    expect(page.get_by_role("button", name="开启消息提醒")).to_be_visible()  # still offered, nothing broke


def test_opt_in_granted_but_no_push_service(context, page, live_server):
    """Where the push service is unreachable (as FCM is in mainland China) the app says so."""
    context.grant_permissions(["notifications"], origin=live_server)
    login(page, "13900000101")
    page.get_by_role("link", name="我的").click()
    page.get_by_role("button", name="开启消息提醒").click()
    alert = page.get_by_role("alert").filter(has_text="消息提醒")
    expect(alert).to_contain_text("暂时无法开启消息提醒")
    expect(alert).to_contain_text("仍会出现在“消息”里")
