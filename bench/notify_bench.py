"""Time from task assignment (POST /api/tasks) to arrival at a Web Push service, with the
in-process dispatcher (NOTIFY_DELIVERY="inprocess", the embedded default) sending through the
real pywebpush to a local push service that verifies VAPID and decrypts every message.

Two shapes, on SQLite and (with TEST_DATABASE_URL) PostgreSQL:
  one at a time  - assign, wait for the phone's message, assign the next;
  burst          - assign N back to back, then wait for all of them.
Prints p50 / p95 / max in ms; asserts nothing about time.
"""
import logging
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from common import Client, bench_app, databases, percentile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sqlalchemy import select  # noqa: E402

from app.extensions import db  # noqa: E402
from app.org.models import User  # noqa: E402
from tests.notify.pushservice import PushService  # noqa: E402

N = 50
os.environ["NOTIFY_DELIVERY"] = "inprocess"  # the environment wins over bench_app's testing default
SHI, SECRETARY = "13900000101", "13900000020"


BUSY = []  # POSTs answered 500 and sent again (same id: the phone outbox's resend)


def assign(secretary, assignee_id, title):
    body = {"id": str(uuid.uuid4()), "assignee_id": assignee_id, "title": title}
    sent = time.time()
    for _ in range(20):
        res = secretary.post("/api/tasks", body)
        if res.status_code != 500:
            break
        BUSY.append(res.get_json())
    assert res.status_code in (200, 201), res.get_json()
    return body["id"], sent, time.time() - sent


def arrival_of(service, task_id, timeout=30.0):
    def found():
        return next((a for a in reversed(service.arrivals) if a.payload.get("id") == task_id), None)

    with service.arrived:
        arrival = service.arrived.wait_for(found, timeout)
    if arrival is None:
        raise RuntimeError(f"task {task_id} did not arrive; refused: {service.refusals[-3:]}")
    return arrival


def figures(values):
    ms = [v * 1000 for v in values]
    return f"p50 {percentile(ms, 50):7.1f} ms  p95 {percentile(ms, 95):7.1f} ms  max {max(ms):7.1f} ms"


def run(label, url, options, service):
    with bench_app(url, options) as app:
        assert app.config["NOTIFY_DELIVERY"] == "inprocess"
        app.config.update(PUSH_EXTRA_ORIGINS=service.origin + "/",
                          VAPID_PRIVATE_KEY=None, VAPID_KEY_FILE=str(Path(tempfile.mkdtemp()) / "vapid.pem"))
        try:
            shi = Client(app, SHI)
            with app.app_context():
                assignee = db.session.scalar(select(User.id).where(User.phone == SHI))
            assert shi.post("/api/push/subscriptions", service.subscribe()).status_code == 201
            secretary = Client(app, SECRETARY)
            task_id, _, _ = assign(secretary, assignee, "预热")  # starts the dispatcher, makes the key
            arrival_of(service, task_id)

            serial, request = [], []
            for i in range(N):
                task_id, sent, took = assign(secretary, assignee, f"联系姜彩凤（第{i}次）")
                serial.append(arrival_of(service, task_id).at - sent)
                request.append(took)

            burst = [assign(secretary, assignee, f"入户核实（第{i}项）") for i in range(N)]
            burst_lat = [arrival_of(service, task_id).at - sent for task_id, sent, _ in burst]
            assert not service.refusals, service.refusals
        finally:
            dispatcher = app.extensions.get("baolian_dispatcher")
            if dispatcher is not None:
                dispatcher.stop.set()
                dispatcher.wake.set()
                dispatcher.thread.join(timeout=10)
    print(f"{label:<11} assignment -> push service, {N} one at a time: {figures(serial)}")
    print(f"{label:<11}   (of which POST /api/tasks itself:            {figures(request)})")
    print(f"{label:<11} assignment -> push service, burst of {N}:      {figures(burst_lat)}")
    if BUSY:
        print(f"{label:<11}   {len(BUSY)} POST /api/tasks answered 500 (SQLite 'database is locked') and were resent")
        BUSY.clear()


if __name__ == "__main__":
    logging.getLogger("app.errors").setLevel(logging.CRITICAL)  # the 500s are counted, not printed
    service = PushService().start()
    try:
        for label, url, options, cleanup in databases():
            try:
                run(label, url, options, service)
            finally:
                cleanup()
    finally:
        service.stop()
