"""A phone that changes hands: its browser has one push endpoint, and it now belongs to whoever
subscribed last. What was on its way to the previous person stays in their inbox, ends as
"superseded" in the delivery log, and is never encrypted to the new person's keys."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.common.time import utcnow
from app.extensions import db
from app.notify.dispatcher import deliver_due
from app.notify.models import Delivery, Notification, PushSubscription
from tests.notify.conftest import subscribe, task_body


@pytest.fixture
def people(login, demo):
    return {"shi": login("石水奇"), "other": login(role="member", unit="第二网格"), "secretary": login("赵红梅"),
            "other_user": demo.one("member", "第二网格")}


def assign(people, user, title):
    res = people["secretary"].post("/api/tasks", json=task_body(user.id, title))
    assert res.status_code == 201, res.get_json()
    return db.session.scalars(select(Notification).where(Notification.ref_id == res.get_json()["id"])).one()


def delivery_of(note):
    return db.session.scalars(select(Delivery).where(Delivery.notification_id == note.id)).one()


def new_keys_for(service, endpoint):
    """The same endpoint, with keys the browser made for the new person."""
    fresh = service.subscribe()
    service.keys[endpoint.rsplit("/", 1)[1]] = service.keys[fresh["endpoint"].rsplit("/", 1)[1]]
    return fresh["keys"]


@pytest.mark.parametrize("same_keys", [True, False])
def test_the_last_persons_pending_pushes_are_superseded_not_gone(webpush, people, demo, same_keys):
    sub = subscribe(people["shi"], webpush)
    webpush.stop()
    mine = assign(people, demo["石水奇"], "石水奇的任务")
    now = utcnow()
    assert deliver_due(now=now) == {"retry": 1}
    webpush.restart()

    # same phone, next person: the app posts the browser's subscription (often with the same keys)
    rebound = dict(sub, keys=sub["keys"] if same_keys else new_keys_for(webpush, sub["endpoint"]))
    assert people["other"].post("/api/push/subscriptions", json=rebound).status_code == 200

    row = delivery_of(mine)
    assert row.status == "superseded" and "another person" in row.last_error
    theirs = assign(people, people["other_user"], "新主人的任务")
    assert deliver_due(now=now + timedelta(hours=1)) == {"sent": 1}
    assert [a.payload["nid"] for a in webpush.arrivals] == [theirs.id]  # nothing of 石水奇's reached the phone
    assert delivery_of(mine).status == "superseded"
    sub_row = db.session.scalars(select(PushSubscription).where(PushSubscription.endpoint == sub["endpoint"])).one()
    assert sub_row.user_id == people["other_user"].id  # the device is not forgotten as if gone
    inbox = people["shi"].get("/api/notifications").get_json()["items"]
    assert mine.id in [n["id"] for n in inbox]  # still in his inbox


def test_a_delivery_the_rebinding_missed_is_never_encrypted_to_the_new_keys(webpush, people, demo):
    """A worker may hold the row while the phone is re-bound (its update skips locked rows):
    the send itself checks that the device still belongs to the recipient."""
    sub = subscribe(people["shi"], webpush)
    mine = assign(people, demo["石水奇"], "石水奇的任务")
    device = db.session.scalars(select(PushSubscription).where(PushSubscription.endpoint == sub["endpoint"])).one()
    keys = new_keys_for(webpush, sub["endpoint"])
    device.user_id, device.p256dh, device.auth = people["other_user"].id, keys["p256dh"], keys["auth"]
    db.session.commit()

    assert deliver_due() == {"superseded": 1}

    assert webpush.attempts == [] and webpush.arrivals == []
    row = delivery_of(mine)
    assert row.status == "superseded" and "another person" in row.last_error


def test_subscribing_again_on_ones_own_phone_supersedes_nothing(webpush, people, demo):
    sub = subscribe(people["shi"], webpush)
    mine = assign(people, demo["石水奇"], "石水奇的任务")
    assert people["shi"].post("/api/push/subscriptions", json=sub).status_code == 200
    assert delivery_of(mine).status == "pending"
    assert deliver_due() == {"sent": 1}


def test_the_delivery_log_lists_superseded_rows(webpush, people, demo, login):
    sub = subscribe(people["shi"], webpush)
    assign(people, demo["石水奇"], "石水奇的任务")
    assert people["other"].post("/api/push/subscriptions", json=sub).status_code == 200
    log = login(role="admin").get("/api/notifications/deliveries?status=superseded")
    assert log.status_code == 200, log.get_json()
    [item] = log.get_json()["items"]
    assert item["channel"] == "webpush" and "another person" in item["last_error"]
