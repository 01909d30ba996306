"""The service worker's push handler in Chromium, fed through CDP ServiceWorker.deliverPushMessage
(no real push service is reachable here), with the payload the server really sends: a task is
assigned to 石水奇, the dispatcher encrypts it for a local push service that verifies VAPID and
decrypts it, and what arrived there is what the service worker gets."""
import json
import time
import uuid

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notify.dispatcher import deliver_due
from app.notify.models import Notification
from tests.notify.pushservice import PushService

from .conftest import Api, login

SHI, SECRETARY = "13900000101", "13900000020"
SHOWN = """async () => (await (await navigator.serviceWorker.ready).getNotifications())
    .map(n => ({title: n.title, body: n.body, tag: n.tag, data: n.data}))"""


def poll(fn, timeout=10.0):
    end = time.monotonic() + timeout
    while not (value := fn()) and time.monotonic() < end:
        time.sleep(0.05)
    return value


def push_to_worker(context, page, origin, payload):
    """Deliver `payload` to the page's service worker registration as a push message."""
    cdp = context.new_cdp_session(page)
    regs = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: regs.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    mine = poll(lambda: [r for r in regs if r["scopeURL"].startswith(origin) and not r["isDeleted"]]
                or page.wait_for_timeout(50))
    assert mine, "the app's service worker registration did not show up in CDP"
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": origin, "registrationId": mine[0]["registrationId"],
                                                  "data": json.dumps(payload, ensure_ascii=False)})


@pytest.fixture
def push_service(app, monkeypatch, tmp_path):
    service = PushService().start()
    monkeypatch.setitem(app.config, "PUSH_EXTRA_ORIGINS", service.origin + "/")
    monkeypatch.setitem(app.config, "VAPID_KEY_FILE", str(tmp_path / "vapid.pem"))
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", None)
    yield service
    service.stop()


def test_a_task_assigned_on_the_server_shows_its_title_on_the_phone(app, context, page, live_server, push_service):
    shi = Api(app, SHI)
    device = push_service.subscribe()
    res = shi.http.post("/api/push/subscriptions", json=device, headers={"X-CSRF-Token": shi.csrf})
    assert res.status_code == 201, res.get_json()
    try:
        title = f"联系姜彩凤，核实医疗救助材料 {uuid.uuid4().hex[:4]}"
        secretary = Api(app, SECRETARY)
        task = secretary.http.post("/api/tasks", json={"id": str(uuid.uuid4()), "assignee_id": shi.user["id"],
                                                       "title": title}, headers={"X-CSRF-Token": secretary.csrf})
        assert task.status_code == 201, task.get_json()
        task = task.get_json()
        if app.config["NOTIFY_DELIVERY"] != "inprocess":
            with app.app_context():
                deliver_due()
        arrived = poll(lambda: [a for a in push_service.arrivals_for(device["endpoint"])
                                if a.payload["id"] == task["id"]])
        assert arrived, f"nothing reached the push service; refused: {push_service.refusals}"
        payload = arrived[0].payload

        context.grant_permissions(["notifications"], origin=live_server)
        login(page, SHI)
        push_to_worker(context, page, live_server, payload)
        shown = poll(lambda: [n for n in page.evaluate(SHOWN) if n["tag"] == f"task-{task['id']}"])
        assert shown, f"no notification for the task; shown: {page.evaluate(SHOWN)}"
        assert title in shown[0]["title"]
        with app.app_context():
            note = db.session.scalars(select(Notification).where(Notification.id == payload["nid"])).one()
            assert shown[0]["title"] == note.title and shown[0]["body"] == note.body
        assert shown[0]["data"]["url"] == f"/#/tasks/{task['id']}"
    finally:
        shi.http.delete("/api/push/subscriptions", json={"endpoint": device["endpoint"]},
                        headers={"X-CSRF-Token": shi.csrf})


def test_the_push_handler_shows_the_payloads_title_and_body(context, page, live_server):
    context.grant_permissions(["notifications"], origin=live_server)
    login(page, SHI)
    task_id = str(uuid.uuid4())
    push_to_worker(context, page, live_server, {"type": "task", "id": task_id, "title": "联系姜彩凤",
                                                 "body": "赵红梅布置，截止 —", "kind": "task_assigned"})
    shown = poll(lambda: page.evaluate(SHOWN))
    assert [(n["title"], n["body"], n["tag"]) for n in shown] == [("联系姜彩凤", "赵红梅布置，截止 —", f"task-{task_id}")]
