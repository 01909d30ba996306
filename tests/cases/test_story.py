"""The canonical case, end to end through the API: 姜彩凤's household, from a visit to 销号."""
import uuid
from datetime import datetime, timedelta, timezone

from tests.conftest import visit_body


def _uuid():
    return str(uuid.uuid4())


def test_jiang_caifeng_story(login, jiang, demo):
    shi = login("石水奇")
    visit = shi.post("/api/visits", json=visit_body(jiang.id)).get_json()
    case_id = _uuid()
    res = shi.post("/api/cases", json={
        "id": case_id, "household_id": jiang.id, "visit_id": visit["id"], "category": "urgent_needs",
        "title": "姜彩凤家丈夫突发疾病，家庭困难", "description": "三口人，丈夫突发疾病，收入骤减"})
    assert res.status_code == 201, res.get_json()
    case = res.get_json()
    assert (case["status"], case["level"], case["holder"]["name"]) == ("open", "member", "石水奇")
    assert "escalate" in case["actions"]

    case = shi.post(f"/api/cases/{case_id}/escalate", json={"reason": "请信息员核实"}).get_json()
    assert (case["status"], case["level"], case["holder"]["id"]) == ("escalated", "informant", demo["石水奇"].informant_id)

    informant = login(role="informant", unit="第一网格")
    assert case_id in [c["id"] for c in informant.get("/api/cases?awaiting=me").get_json()["items"]]
    case = informant.post(f"/api/cases/{case_id}/escalate", json={"reason": "情况属实"}).get_json()
    assert case["level"] == "grid"

    grid = login(role="grid_leader", unit="第一网格")
    case = grid.post(f"/api/cases/{case_id}/escalate", json={"reason": "报村党支部研究"}).get_json()
    assert (case["level"], case["holder"]["name"]) == ("branch", "赵红梅")

    secretary = login("赵红梅")
    task_id = _uuid()
    due = (datetime.now(timezone.utc) + timedelta(days=3)).isoformat()
    res = secretary.post("/api/tasks", json={"id": task_id, "case_id": case_id, "assignee_id": demo["石水奇"].id,
                                             "title": "联系姜彩凤，安排分发党报党刊", "due_at": due})
    assert res.status_code == 201, res.get_json()

    inbox = shi.get("/api/notifications").get_json()
    assert any(n["kind"] == "task_assigned" and n["ref"] == {"type": "task", "id": task_id} for n in inbox["items"])
    assert shi.post(f"/api/tasks/{task_id}/accept", json={}).get_json()["status"] == "accepted"
    assert shi.post(f"/api/tasks/{task_id}/complete", json={"note": "已上岗"}).get_json()["status"] == "done"

    case = secretary.post(f"/api/cases/{case_id}/resolve",
                          json={"resolution": "安排姜彩凤分发党报党刊，增加收入"}).get_json()
    assert case["status"] == "resolved"
    refused = secretary.post(f"/api/cases/{case_id}/close", json={})
    assert refused.status_code == 422 and "no_revisit_reason" in refused.get_json()["error"]["fields"]
    # 回访: 石水奇 asks 姜彩凤 at her door whether it is solved, before anyone closes it out
    case = shi.post(f"/api/cases/{case_id}/revisit", json={
        "id": _uuid(), "satisfaction": "satisfied", "mode": "door", "notes": "送报收入稳定"}).get_json()
    assert (case["status"], case["satisfaction"]) == ("resolved", "satisfied")
    case = secretary.post(f"/api/cases/{case_id}/close", json={}).get_json()
    assert case["status"] == "closed" and case["holder"] is None

    types = [e["type"] for e in case["events"]]
    assert types == ["opened", "escalated", "escalated", "escalated", "task_assigned", "task_accepted",
                     "task_done", "resolved", "revisited", "closed"]
    assert all(e["at"] and e["recorded_at"] for e in case["events"])


def test_dispatch_to_civil_affairs_and_back(login, jiang, demo):
    secretary = login("赵红梅")
    case_id = _uuid()
    secretary.post("/api/cases", json={"id": case_id, "household_id": jiang.id, "category": "urgent_needs",
                                       "title": "申请临时救助"})
    case = secretary.post(f"/api/cases/{case_id}/escalate", json={"reason": "需民政救助"}).get_json()
    assert (case["level"], case["holder"]["name"]) == ("township", demo.one("township", "辛安泉镇").name)

    township = login(role="township", unit="辛安泉镇")
    departments = township.get("/api/departments").get_json()["items"]
    minzheng = next(d for d in departments if d["name"] == "民政局")
    case = township.post(f"/api/cases/{case_id}/dispatch", json={"department_id": minzheng["id"]}).get_json()
    assert (case["status"], case["level"], case["holder"]["name"]) == ("dispatched", "department", "民政局")

    staff = login("刘淑珍")
    assert case_id in [c["id"] for c in staff.get("/api/cases?awaiting=me").get_json()["items"]]
    other_staff = login("陈志刚")
    assert other_staff.get(f"/api/cases/{case_id}").status_code == 404
    case = staff.post(f"/api/cases/{case_id}/accept", json={}).get_json()
    assert (case["status"], case["holder"]["name"]) == ("in_progress", "刘淑珍")
    case = staff.post(f"/api/cases/{case_id}/resolve", json={"resolution": "已发放临时救助金"}).get_json()
    assert (case["status"], case["level"], case["holder"]["name"]) == ("resolved", "township", demo.one("township", "辛安泉镇").name)
    assert "revisit" in secretary.get(f"/api/cases/{case_id}").get_json()["actions"]
    secretary.post(f"/api/cases/{case_id}/revisit", json={"id": _uuid(), "satisfaction": "basic", "mode": "phone"})
    case = township.post(f"/api/cases/{case_id}/close", json={}).get_json()
    assert case["status"] == "closed"
    assert [e["type"] for e in case["events"]] == ["opened", "escalated", "dispatched", "accepted", "resolved",
                                                   "revisited", "closed"]
    assert staff.get(f"/api/cases/{case_id}").status_code == 200
