"""Photos as evidence on case steps and 回访 (issue #13 item 5): a step names the photos uploaded
for it (`attachments: [ids]`), they are placed on its event once however often the step is
resent, online or through sync, the timeline shows them, and they are seen by whoever sees the
case and 404 to everyone else."""
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from app.attachments.models import Attachment
from app.cases.models import CaseEvent
from app.extensions import db
from tests.attachments import photos
from tests.attachments.conftest import upload
from tests.conftest import visit_body


@pytest.fixture(autouse=True)
def photo_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_STORE", "disk")
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path / "attachments"))


def _uploads(client, n, seed=0):
    ids = []
    for i in range(n):
        res = upload(client, photos.jpeg(seed=seed + i))
        assert res.status_code == 201, res.get_json()
        ids.append(res.get_json()["id"])
    return ids


def _on(event_id):
    """How many photos the server holds on one event."""
    return db.session.scalar(select(func.count()).select_from(Attachment).where(
        Attachment.owner_id == uuid.UUID(event_id)))


def _events(case_id):
    return db.session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.case_id == uuid.UUID(str(case_id))))


def _ok(res):
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def test_a_secretary_sends_a_case_back_with_photos_once_however_often_resent(make_case, chain, as_user):
    case = make_case(level="branch", status="escalated")
    secretary = as_user(chain["secretary"])
    ids = _uploads(secretary, 2)
    step = {"id": str(uuid.uuid4()), "reason": "照片看不清漏雨的位置，请再拍屋顶", "attachments": ids}
    body = _ok(secretary.post(f"/api/cases/{case.id}/return", json=step))
    event = body["events"][-1]
    assert (event["type"], event["id"]) == ("returned", step["id"])
    assert [a["id"] for a in event["attachments"]] == ids
    assert {(a["owner_type"], a["owner_id"]) for a in event["attachments"]} == {("case_step", step["id"])}
    assert event["attachments"][0]["thumb_url"] == f"/api/attachments/{ids[0]}?thumb=1"
    before = _events(case.id)

    again = _ok(secretary.post(f"/api/cases/{case.id}/return", json=step))  # the answer was lost: resent
    assert [a["id"] for a in again["events"][-1]["attachments"]] == ids
    assert (_events(case.id), _on(step["id"])) == (before, 2)
    other = secretary.post(f"/api/cases/{case.id}/return", json={**step, "attachments": ids[:1]})
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "duplicate_id"
    assert _on(step["id"]) == 2

    # the member it went back to sees them on the timeline, and each photo itself
    member = as_user(chain["member"])
    shown = next(e for e in _ok(member.get(f"/api/cases/{case.id}"))["events"] if e["id"] == step["id"])
    assert [a["id"] for a in shown["attachments"]] == ids
    assert member.get(f"/api/attachments/{ids[1]}?thumb=1").status_code == 200


def test_a_step_without_photos_shows_an_empty_list(make_case, chain, as_user):
    case = make_case(level="branch", status="open")
    body = _ok(as_user(chain["secretary"]).post(f"/api/cases/{case.id}/comments", json={"body": "已电话联系"}))
    assert body["events"][-1]["attachments"] == []


@pytest.mark.parametrize("action,level,status,who,fields", [
    ("escalate", "member", "open", "member", {"reason": "屋顶漏雨"}),
    ("comment", "grid", "escalated", "grid_leader", {"body": "已到现场看过"}),
    ("resolve", "branch", "open", "secretary", {"resolution": "已修好屋顶"}),
    ("reject", "department", "in_progress", "department", {"reason": "不属本部门职责"}),
])
def test_every_step_with_a_note_carries_photos(make_case, chain, as_user, action, level, status, who, fields):
    case = make_case(level=level, status=status)
    client = as_user(chain[who])
    ids = _uploads(client, 1)
    path = "comments" if action == "comment" else action
    step_id = str(uuid.uuid4())
    body = _ok(client.post(f"/api/cases/{case.id}/{path}", json={"id": step_id, **fields, "attachments": ids}))
    event = next(e for e in body["events"] if e["id"] == step_id)
    assert [a["id"] for a in event["attachments"]] == ids
    assert _on(step_id) == 1


def test_a_revisit_with_a_photo_through_sync_is_placed_once(make_case, chain, as_user):
    case = make_case(level="branch", status="resolved")
    member = as_user(chain["member"])
    ids = _uploads(member, 1)
    mutation = {"id": str(uuid.uuid4()), "type": "case.action", "at": datetime.now(timezone.utc).isoformat(),
                "data": {"case_id": str(case.id), "action": "revisit", "satisfaction": "satisfied", "mode": "door",
                         "notes": "屋顶不漏了", "attachments": ids}}
    first = _ok(member.post("/api/sync", json={"mutations": [mutation]}))["results"][0]
    assert first["status"] == "applied", first
    event = first["record"]["event"]
    assert (event["id"], event["type"]) == (mutation["id"], "revisited")
    assert [(a["id"], a["owner_type"], a["owner_id"]) for a in event["attachments"]] == [
        (ids[0], "revisit", mutation["id"])]
    for _ in range(2):
        again = _ok(member.post("/api/sync", json={"mutations": [mutation]}))["results"][0]
        assert again["status"] == "duplicate" and [a["id"] for a in again["record"]["event"]["attachments"]] == ids
    assert _on(mutation["id"]) == 1
    detail = _ok(as_user(chain["secretary"]).get(f"/api/cases/{case.id}"))
    assert [e["type"] for e in detail["events"]].count("revisited") == 1
    assert [a["id"] for a in detail["events"][-1]["attachments"]] == ids


def test_a_revisit_online_with_a_photo(make_case, chain, as_user):
    case = make_case(level="branch", status="resolved")
    secretary = as_user(chain["secretary"])
    ids = _uploads(secretary, 2)
    revisit = {"id": str(uuid.uuid4()), "satisfaction": "basic", "mode": "phone", "attachments": ids}
    body = _ok(secretary.post(f"/api/cases/{case.id}/revisit", json=revisit))
    assert [a["id"] for a in body["events"][-1]["attachments"]] == ids
    assert _ok(secretary.post(f"/api/cases/{case.id}/revisit", json=revisit))["satisfaction"] == "basic"
    assert _on(revisit["id"]) == 2


def test_someone_elses_photo_is_refused_and_the_step_not_taken(make_case, chain, as_user):
    case = make_case(level="branch", status="open")
    theirs = _uploads(as_user(chain["member"]), 1)
    secretary = as_user(chain["secretary"])
    before = _events(case.id)
    res = secretary.post(f"/api/cases/{case.id}/comments", json={"body": "见照片", "attachments": theirs})
    assert res.status_code == 422
    error = res.get_json()["error"]
    assert "attachments" in error["fields"] and error["message"].startswith("照片：")
    unknown = secretary.post(f"/api/cases/{case.id}/comments", json={"body": "见照片",
                                                                      "attachments": [str(uuid.uuid4())]})
    assert unknown.status_code == 422 and unknown.get_json() == res.get_json()  # as if never uploaded
    assert _events(case.id) == before
    assert db.session.get(Attachment, uuid.UUID(theirs[0])).owner_id is None


def test_a_photo_already_on_a_visit_cannot_go_on_a_step(make_case, chain, as_user, jiang):
    case = make_case(level="member", status="open")
    member = as_user(chain["member"])
    ids = _uploads(member, 1)
    assert member.post("/api/visits", json=visit_body(jiang.id, attachments=ids)).status_code == 201
    before = _events(case.id)
    res = member.post(f"/api/cases/{case.id}/comments", json={"body": "同上次走访", "attachments": ids})
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "attachment_taken"
    assert _events(case.id) == before


def test_bad_attachment_lists_name_the_field(make_case, chain, as_user):
    case = make_case(level="branch", status="open")
    secretary = as_user(chain["secretary"])
    for bad in (["x"], [str(uuid.uuid4())] * 2, [str(uuid.uuid4()) for _ in range(10)], "abc"):
        res = secretary.post(f"/api/cases/{case.id}/comments", json={"body": "看照片", "attachments": bad})
        assert res.status_code == 422 and "attachments" in res.get_json()["error"]["fields"], bad


SEES = ("member", "informant", "grid_leader", "secretary", "township", "admin")


def test_a_step_photo_is_seen_by_those_who_see_the_case_and_404_to_others(make_case, chain, as_user, demo):
    case = make_case(level="branch", status="open")
    secretary = as_user(chain["secretary"])
    ids = _uploads(secretary, 1)
    _ok(secretary.post(f"/api/cases/{case.id}/comments", json={"body": "现场照片", "attachments": ids}))
    missing = f"/api/attachments/{uuid.uuid4()}"
    for who in SEES:
        client = as_user(chain[who])
        assert client.get(f"/api/attachments/{ids[0]}").status_code == 200, who
        assert client.get(f"/api/attachments/{ids[0]}?thumb=1").status_code == 200, who
    blind = [demo.one("member", "第二网格"), demo.one("grid_leader", "第二网格"), chain["department"]]
    blind += [u for u in demo.users.values() if u.phone == "13900000060"]  # a secretary of another village
    for user in blind:
        client = as_user(user)
        res = client.get(f"/api/attachments/{ids[0]}")
        assert res.status_code == 404, user.name
        assert res.get_json() == client.get(missing).get_json()
        assert client.get(f"/api/cases/{case.id}").status_code == 404


def test_a_dispatched_case_shows_its_step_photos_to_the_department(make_case, chain, as_user):
    case = make_case(level="department", status="dispatched")
    township = as_user(chain["township"])
    ids = _uploads(township, 1)
    _ok(township.post(f"/api/cases/{case.id}/comments", json={"body": "请带上照片里的材料", "attachments": ids}))
    assert as_user(chain["department"]).get(f"/api/attachments/{ids[0]}").status_code == 200
