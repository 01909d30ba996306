"""Workers on committed data: several at once on PostgreSQL send nothing twice; a crash between
commit and delivery loses nothing; the in-process dispatcher delivers at start and on commit."""
import json
import os
import subprocess
import sys
import threading
import traceback
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.notify import worker
from app.notify.dispatcher import deliver_due
from app.notify.models import Delivery
from app.notify.service import notify
from app.org.models import User
from tests.conftest import ApiClient
from tests.notify.conftest import SECRETARY, SHI, make_app, push_config, subscribe, task_body, wait_for

WORKERS = 4
ROOT = Path(__file__).resolve().parents[2]
PENDING = 48


def shi_id(app):
    with app.app_context():
        return db.session.scalars(select(User.id).where(User.phone == SHI)).one()


def statuses(app):
    with app.app_context():
        rows = db.session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
        db.session.remove()
        return dict(rows)


def queue(app, user_id, n):
    """n task notifications, committed; returns their notification ids."""
    with app.app_context():
        rows = []
        for i in range(n):
            rows += notify(user_ids=[user_id], kind="task_assigned", ref_type="task", ref_id=uuid.uuid4(),
                           title=f"第{i}项：走访姜彩凤", assigner="赵红梅", due="—")
        db.session.commit()
        ids = {r.id for r in rows}
        db.session.remove()
        return ids


@pytest.mark.postgres_only
def test_four_workers_on_postgresql_send_each_notification_once(own_app, own_client, push_service, is_postgres):
    if not is_postgres:
        pytest.skip("SKIP LOCKED claiming needs PostgreSQL (TEST_DATABASE_URL)")
    shi = own_client(SHI)
    devices = [subscribe(shi, push_service) for _ in range(2)]
    nids = queue(own_app, shi_id(own_app), PENDING // 2)
    assert statuses(own_app) == {"pending": PENDING}
    push_service.delay = 0.01  # each send takes a moment, so the workers' batches overlap

    start, sent, errors = threading.Barrier(WORKERS), [0] * WORKERS, []

    def work(i):
        try:
            with own_app.app_context():
                start.wait()
                while counts := deliver_due(limit=3):
                    sent[i] += counts.get("sent", 0)
                db.session.remove()
        except Exception:  # noqa: BLE001 - reported below
            errors.append(traceback.format_exc())

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert not errors, "\n".join(errors)
    assert push_service.refusals == []
    assert sum(sent) == PENDING, sent
    assert sum(1 for n in sent if n) >= 2, f"the workers did not run side by side: {sent}"
    for device in devices:
        arrived = {}
        for a in push_service.arrivals_for(device["endpoint"]):
            arrived[a.payload["nid"]] = arrived.get(a.payload["nid"], 0) + 1
        assert arrived == dict.fromkeys(nids, 1)
    assert statuses(own_app) == {"sent": PENDING}


def test_a_crash_between_commit_and_delivery_loses_nothing(own_app, own_client, push_service):
    """NOTIFY_DELIVERY off stands for a process that died right after committing: the rows
    wait in the outbox; the next worker to start delivers them."""
    shi, secretary = own_client(SHI), own_client(SECRETARY)
    subscribe(shi, push_service)
    task = secretary.post("/api/tasks", json=task_body(shi_id(own_app), "联系姜彩凤，核实医疗救助材料")).get_json()
    assert push_service.arrivals == [] and statuses(own_app) == {"pending": 1}

    stop, wake = threading.Event(), threading.Event()
    runner = threading.Thread(target=worker.run, args=(own_app,), kwargs={"stop": stop, "wake": wake})
    runner.start()
    try:
        assert wait_for(lambda: push_service.arrivals), "the worker delivered nothing"
    finally:
        stop.set()
        wake.set()
        runner.join(timeout=10)
    assert not runner.is_alive()
    [arrival] = push_service.arrivals
    assert arrival.payload["id"] == task["id"] and "联系姜彩凤" in arrival.payload["title"]
    assert statuses(own_app) == {"sent": 1}


def test_in_process_dispatcher_delivers_at_start_and_after_each_commit(own_app, own_client, own_database,
                                                                        push_service):
    """The embedded default: what was pending is sent when the server starts; a new task is
    sent after its commit without waiting for the idle poll (30 s; the deadline here is 10 s)."""
    subscribe(own_client(SHI), push_service)
    leftover = queue(own_app, shi_id(own_app), 2)  # committed before the server (re)starts
    app = make_app(*own_database, NOTIFY_DELIVERY="inprocess",
                   **push_config(push_service, own_app.config["VAPID_KEY_FILE"]))
    try:
        assert push_service.arrivals == []
        secretary = ApiClient(app)
        assert secretary.login(SECRETARY).status_code == 200  # the first request starts the dispatcher
        assert wait_for(lambda: len(push_service.arrivals) == 2), "pending rows were not delivered at start"
        assert {a.payload["nid"] for a in push_service.arrivals} == leftover
        res = secretary.post("/api/tasks", json=task_body(shi_id(app), "入户核实姜彩凤家庭收入"))
        assert res.status_code == 201
        assert wait_for(lambda: len(push_service.arrivals) == 3), "the commit did not wake the dispatcher"
        assert push_service.arrivals[-1].payload["id"] == res.get_json()["id"]
    finally:
        dispatcher = app.extensions.get("baolian_dispatcher")
        if dispatcher is not None:
            dispatcher.stop.set()
            dispatcher.wake.set()
            dispatcher.thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    assert statuses(own_app) == {"sent": 3}


@pytest.mark.postgres_only
def test_four_notify_worker_processes_send_each_notification_once(own_app, own_client, own_database, push_service,
                                                                   is_postgres):
    """The production shape: `flask notify-worker --once` in four processes at the same time."""
    if not is_postgres:
        pytest.skip("SKIP LOCKED claiming needs PostgreSQL (TEST_DATABASE_URL)")
    shi = own_client(SHI)
    device = subscribe(shi, push_service)
    assert shi.get("/api/push/key").status_code == 200  # the VAPID key file exists from here on
    nids = queue(own_app, shi_id(own_app), PENDING)
    push_service.delay = 0.1  # 48 sends take about 5 s one after another: the processes overlap
    url, options = own_database
    env = {**os.environ, "BAOLIAN_ENV": "testing", "SECRET_KEY": "notify-test", "NOTIFY_DELIVERY": "worker",
           "DATABASE_URL": f"{url}?options={quote(options['connect_args']['options'])}",
           "PUSH_EXTRA_ORIGINS": push_service.origin + "/",
           "VAPID_PRIVATE_KEY": Path(own_app.config["VAPID_KEY_FILE"]).read_text()}
    procs = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "notify-worker", "--once"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(WORKERS)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-2000:] for _, err in outputs]
    sent = [json.loads(out.strip().splitlines()[-1]).get("sent", 0) for out, _ in outputs]
    assert sum(sent) == PENDING, sent
    assert sum(1 for n in sent if n) >= 2, f"the processes did not run side by side: {sent}"
    assert push_service.refusals == []
    arrived = {}
    for a in push_service.arrivals_for(device["endpoint"]):
        arrived[a.payload["nid"]] = arrived.get(a.payload["nid"], 0) + 1
    assert arrived == dict.fromkeys(nids, 1)
    assert statuses(own_app) == {"sent": PENDING}
