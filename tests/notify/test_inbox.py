"""The inbox: each person reads and marks only their own notifications."""
import uuid


def _assign(login, demo, title="送党报"):
    task_id = str(uuid.uuid4())
    login("赵红梅").post("/api/tasks", json={"id": task_id, "assignee_id": demo["石水奇"].id, "title": title})
    return task_id


def test_inbox_lists_newest_first_and_marks_read(login, demo):
    shi = login("石水奇")
    before = shi.get("/api/notifications").get_json()["unread"]
    first, second = _assign(login, demo, "第一件"), _assign(login, demo, "第二件")
    page = shi.get("/api/notifications").get_json()
    assert page["unread"] == before + 2
    refs = [n["ref"]["id"] for n in page["items"][:2]]
    assert refs == [second, first]
    top = page["items"][0]
    assert top["title"] == "新任务：第二件" and top["read_at"] is None
    read = shi.post(f"/api/notifications/{top['id']}/read", json={})
    assert read.status_code == 200 and read.get_json()["read_at"]
    assert shi.get("/api/notifications").get_json()["unread"] == before + 1
    unread_ids = [n["id"] for n in shi.get("/api/notifications?unread=true&limit=200").get_json()["items"]]
    assert top["id"] not in unread_ids


def test_someone_elses_notification_is_missing(login, demo):
    _assign(login, demo)
    note = login("石水奇").get("/api/notifications").get_json()["items"][0]
    other = login("赵红梅")
    assert other.post(f"/api/notifications/{note['id']}/read", json={}).status_code == 404
    assert note["id"] not in [n["id"] for n in other.get("/api/notifications?limit=200").get_json()["items"]]


def test_polling_with_etag(login, demo):
    shi = login("石水奇")
    first = shi.get("/api/notifications")
    etag = first.headers["ETag"]
    assert shi.get("/api/notifications", headers={"If-None-Match": etag}).status_code == 304
    _assign(login, demo)
    changed = shi.get("/api/notifications", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
