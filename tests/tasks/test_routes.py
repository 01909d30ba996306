"""Tasks: who may assign, to whom, and how the assignee moves them on."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest


def _task(assignee, **over):
    body = {"id": str(uuid.uuid4()), "assignee_id": assignee, "title": "入户核实",
            "due_at": (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()}
    body.update(over)
    return body


def test_assign_accept_complete_and_notify(login, demo):
    secretary, shi = login("赵红梅"), login("石水奇")
    body = _task(demo["石水奇"].id)
    res = secretary.post("/api/tasks", json=body)
    assert res.status_code == 201 and res.get_json()["status"] == "assigned"
    assert secretary.post("/api/tasks", json=body).status_code == 200  # resend
    assert secretary.post("/api/tasks", json={**body, "title": "别的"}).status_code == 409
    mine = shi.get("/api/tasks").get_json()["items"]
    assert body["id"] in [t["id"] for t in mine]
    assert body["id"] in [t["id"] for t in secretary.get("/api/tasks?mine=given").get_json()["items"]]
    assert body["id"] not in [t["id"] for t in secretary.get("/api/tasks").get_json()["items"]]

    assert secretary.post(f"/api/tasks/{body['id']}/accept", json={}).status_code == 403
    assert shi.post(f"/api/tasks/{body['id']}/accept", json={}).get_json()["status"] == "accepted"
    assert shi.post(f"/api/tasks/{body['id']}/accept", json={}).status_code == 200  # again: no change
    done = shi.post(f"/api/tasks/{body['id']}/complete", json={"note": "已完成"}).get_json()
    assert (done["status"], done["note"]) == ("done", "已完成")
    assert shi.post(f"/api/tasks/{body['id']}/accept", json={}).status_code == 409
    told = secretary.get("/api/notifications").get_json()["items"]
    assert any(n["kind"] == "task_done" and n["ref"]["id"] == body["id"] for n in told)


@pytest.mark.parametrize("role,unit", [("member", None), ("informant", "第一网格"), ("grid_leader", "第一网格"),
                                       ("department", "民政局"), ("admin", None)])
def test_only_secretaries_and_townships_assign(login, demo, role, unit):
    res = login(role=role, unit=unit).post("/api/tasks", json=_task(demo["石水奇"].id))
    assert res.status_code == 403 and "只有" in res.get_json()["error"]["message"]


def test_assignee_must_be_in_scope(login, demo):
    secretary = login("赵红梅")
    outsider = next(u for u in demo.users.values() if u.role == "member" and u.org_unit.parent.name == "黄牛蹄村")
    res = secretary.post("/api/tasks", json=_task(outsider.id))
    assert res.status_code == 422 and "assignee_id" in res.get_json()["error"]["fields"]


@pytest.mark.parametrize("field,value", [("id", "x"), ("assignee_id", "8"), ("title", ""), ("due_at", "明天"),
                                         ("due_at", "2020-01-01T00:00:00+08:00"), ("case_id", "nope")])
def test_bad_task_fields(login, demo, field, value):
    res = login("赵红梅").post("/api/tasks", json=_task(demo["石水奇"].id, **{field: value}))
    assert res.status_code == 422 and field in res.get_json()["error"]["fields"]


def test_others_cannot_see_a_task(login, demo):
    body = _task(demo["石水奇"].id)
    login("赵红梅").post("/api/tasks", json=body)
    neighbour = login(next(u.name for u in demo.users.values() if u.role == "member" and u.id != demo["石水奇"].id
                           and u.org_unit.name == "第一网格"))
    assert neighbour.get(f"/api/tasks/{body['id']}").status_code == 404
    assert neighbour.post(f"/api/tasks/{body['id']}/complete", json={}).status_code == 404
