"""The push and notification routes: key, subscriptions (validated), preferences, the
delivery log (admins only), and the inbox's ETag."""
import base64

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notify.models import Delivery, PushSubscription
from tests.notify.conftest import subscribe, task_body
from tests.notify.pushservice import unb64url


def test_push_key_is_the_vapid_public_key_and_stable(webpush, login):
    shi = login("石水奇")
    first = shi.get("/api/push/key")
    assert first.status_code == 200
    raw = unb64url(first.get_json()["public_key"])
    assert len(raw) == 65 and raw[0] == 4  # an uncompressed P-256 point: applicationServerKey
    assert "=" not in first.get_json()["public_key"]
    assert shi.get("/api/push/key").get_json() == first.get_json()


def test_push_key_from_the_environment_pem(app, login, monkeypatch):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", pem)
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    got = login("石水奇").get("/api/push/key").get_json()["public_key"]
    assert got == base64.urlsafe_b64encode(public).decode().rstrip("=")


def test_subscribe_on_a_known_push_service_and_again(webpush, login, demo):
    shi = login("石水奇")
    sub = webpush.subscribe()
    sub["endpoint"] = "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91bH"
    res = shi.post("/api/push/subscriptions", json=sub)
    assert res.status_code == 201, res.get_json()
    assert res.get_json()["endpoint"] == sub["endpoint"]
    again = shi.post("/api/push/subscriptions", json=sub)
    assert again.status_code == 200
    assert again.get_json()["id"] == res.get_json()["id"]
    rows = db.session.scalars(select(PushSubscription).where(PushSubscription.endpoint == sub["endpoint"])).all()
    assert [r.user_id for r in rows] == [demo["石水奇"].id]


def test_subscribe_under_push_extra_origins(webpush, login):
    assert login("石水奇").post("/api/push/subscriptions", json=webpush.subscribe()).status_code == 201


@pytest.mark.parametrize("endpoint", [
    "http://10.0.0.1/push/abc",
    "https://10.0.0.1/push/abc",
    "file:///etc/passwd",
    "https://evil.example/push/abc",
    "http://fcm.googleapis.com/fcm/send/abc",
    "https://fcm.googleapis.com:8443/fcm/send/abc",
    "https://fcm.googleapis.com:99999/fcm/send/abc",
    "https://fcm.googleapis.com.evil.example/fcm/send/abc",
    "https://me@fcm.googleapis.com/fcm/send/abc",
    "http://localhost/push/abc",
])
def test_subscribe_refuses_other_endpoints(webpush, login, endpoint):
    sub = webpush.subscribe()
    sub["endpoint"] = endpoint
    res = login("石水奇").post("/api/push/subscriptions", json=sub)
    assert res.status_code == 422, res.get_json()
    error = res.get_json()["error"]
    assert error["message"].startswith("推送地址："), error
    assert "endpoint" in error["fields"]


def test_push_extra_origins_is_an_origin_not_a_string_prefix(webpush, login, app, monkeypatch):
    """An origin written without its slash must not admit look-alike hosts or ports."""
    monkeypatch.setitem(app.config, "PUSH_EXTRA_ORIGINS", "https://push.example.com, " + webpush.origin)
    shi = login("石水奇")
    for endpoint in ("https://push.example.com.evil.example/x", "https://push.example.comx/x",
                     f"{webpush.origin}0/push/x", "https://push.example.com@evil.example/x"):
        sub = webpush.subscribe()
        sub["endpoint"] = endpoint
        assert shi.post("/api/push/subscriptions", json=sub).status_code == 422, endpoint
    sub = webpush.subscribe()
    sub["endpoint"] = "https://push.example.com/wpush/v2/abc"
    assert shi.post("/api/push/subscriptions", json=sub).status_code == 201
    assert shi.post("/api/push/subscriptions", json=webpush.subscribe()).status_code == 201


@pytest.mark.parametrize(("change", "label", "field"), [
    (lambda s: s.pop("keys"), "推送密钥", "keys"),
    (lambda s: s["keys"].pop("auth"), "推送认证", "auth"),
    (lambda s: s["keys"].pop("p256dh"), "推送公钥", "p256dh"),
    (lambda s: s.pop("endpoint"), "推送地址", "endpoint"),
    # right length, but not a point on P-256 / not 16 bytes: every send would fail later
    (lambda s: s["keys"].update(p256dh=s["keys"]["p256dh"][:40] + ("A" if s["keys"]["p256dh"][40] != "A" else "B")
                                + s["keys"]["p256dh"][41:]), "推送公钥", "p256dh"),  # off the curve
    (lambda s: s["keys"].update(p256dh="A" * 87), "推送公钥", "p256dh"),
    (lambda s: s["keys"].update(auth="!" * 22), "推送认证", "auth"),
    (lambda s: s["keys"].update(auth="A" * 30), "推送认证", "auth"),
])
def test_subscribe_names_the_bad_field_in_chinese(webpush, login, change, label, field):
    sub = webpush.subscribe()
    change(sub)
    res = login("石水奇").post("/api/push/subscriptions", json=sub)
    assert res.status_code == 422, res.get_json()
    error = res.get_json()["error"]
    assert error["message"].startswith(f"{label}："), error
    assert field in str(error["fields"])


def test_unsubscribe_own_device_only(webpush, login):
    shi = login("石水奇")
    sub = subscribe(shi, webpush)
    assert shi.delete("/api/push/subscriptions", json={"endpoint": sub["endpoint"]}).status_code == 204
    assert db.session.scalars(select(PushSubscription).where(
        PushSubscription.endpoint == sub["endpoint"])).first() is None
    # already gone: still 204, a phone may send it twice
    assert shi.delete("/api/push/subscriptions", json={"endpoint": sub["endpoint"]}).status_code == 204


def test_unsubscribe_answers_alike_for_anothers_device_and_an_unknown_one(webpush, login):
    """No oracle: whether an endpoint is someone's is not told by the answer, and theirs stays."""
    shi, other = login("石水奇"), login(role="member", unit="第二网格")
    sub = subscribe(shi, webpush)
    unknown = webpush.subscribe()["endpoint"]
    theirs = other.delete("/api/push/subscriptions", json={"endpoint": sub["endpoint"]})
    nobodys = other.delete("/api/push/subscriptions", json={"endpoint": unknown})
    assert (theirs.status_code, theirs.data) == (nobodys.status_code, nobodys.data) == (204, b"")
    assert db.session.scalars(select(PushSubscription).where(
        PushSubscription.endpoint == sub["endpoint"])).one().user_id is not None


def test_push_routes_need_login(anon):
    anon.fetch_csrf()
    assert anon.get("/api/push/key").status_code == 401
    assert anon.post("/api/push/subscriptions", json={}).status_code == 401


def test_preferences_default_set_and_obeyed(webpush, login, demo):
    shi = login("石水奇")
    subscribe(shi, webpush)
    assert shi.get("/api/notifications/preferences").get_json() == {"webpush": True, "wecom": True, "sms": True, "available": ["webpush"]}
    res = shi.http.put("/api/notifications/preferences", json={"webpush": False}, headers={"X-CSRF-Token": shi.csrf})
    assert res.status_code == 200 and res.get_json() == {"webpush": False, "wecom": True, "sms": True, "available": ["webpush"]}
    assert shi.get("/api/notifications/preferences").get_json() == {"webpush": False, "wecom": True, "sms": True, "available": ["webpush"]}
    secretary = login("赵红梅")
    res = secretary.post("/api/tasks", json=task_body(demo["石水奇"].id))
    assert res.status_code == 201, res.get_json()
    inbox = shi.get("/api/notifications").get_json()["items"]
    assert inbox[0]["ref"]["id"] == res.get_json()["id"]  # the inbox still has it
    assert db.session.scalars(select(Delivery).where(Delivery.channel == "webpush")).all() == []


def test_preferences_refuse_bad_values(login):
    shi = login("石水奇")
    res = shi.http.put("/api/notifications/preferences", json={"webpush": "perhaps"},
                       headers={"X-CSRF-Token": shi.csrf})
    assert res.status_code == 422


def test_delivery_log_is_for_admins(webpush, login, demo):
    shi, secretary, admin = login("石水奇"), login("赵红梅"), login(role="admin")
    subscribe(shi, webpush)
    assert secretary.post("/api/tasks", json=task_body(demo["石水奇"].id)).status_code == 201
    for person in (shi, secretary, login(role="township")):
        res = person.get("/api/notifications/deliveries")
        assert res.status_code == 403
        assert res.get_json()["error"]["message"] == "只有管理员可以查看发送记录"
    log = admin.get("/api/notifications/deliveries?status=pending&channel=webpush")
    assert log.status_code == 200
    items = log.get_json()["items"]
    assert len(items) == 1 and items[0]["status"] == "pending" and items[0]["attempts"] == 0
    assert admin.get("/api/notifications/deliveries?status=sent").get_json()["items"] == []
    assert admin.get("/api/notifications/deliveries?status=bogus").status_code == 422


def test_inbox_etag_answers_304_until_something_changes(login, demo):
    shi, secretary = login("石水奇"), login("赵红梅")
    first = shi.get("/api/notifications")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag
    same = shi.get("/api/notifications", headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.headers["ETag"] == etag and same.data == b""
    assert secretary.post("/api/tasks", json=task_body(demo["石水奇"].id, "入户核实姜彩凤家庭收入")).status_code == 201
    fresh = shi.get("/api/notifications", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    assert fresh.get_json()["items"][0]["title"] == "新任务：入户核实姜彩凤家庭收入"
    unread = fresh.get_json()["unread"]
    etag2 = fresh.headers["ETag"]
    assert shi.post(f"/api/notifications/{fresh.get_json()['items'][0]['id']}/read").status_code == 200
    after_read = shi.get("/api/notifications", headers={"If-None-Match": etag2})
    assert after_read.status_code == 200 and after_read.get_json()["unread"] == unread - 1
    # someone else's inbox version is not mine: her ETag does not answer 304 for me
    other = secretary.get("/api/notifications", headers={"If-None-Match": after_read.headers["ETag"]})
    assert other.status_code == 200
