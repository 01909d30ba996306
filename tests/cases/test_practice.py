"""The practice of 接诉即办 as stories through the API (issue #13): 退单 and re-dispatch, 回访 with
不满意 reopening the case where it was resolved, duplicates and 合并, 退回 for more facts, 撤回,
改派 (and the admin's rescue of a case a department without staff would strand), and the rules
of each step's input. Expectations come from the domain, not from the code."""
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from app.cases.models import CaseRevisit
from app.extensions import db
from app.notify.models import Notification
from app.org.models import OrgUnit


def _uuid():
    return str(uuid.uuid4())


def _open(client, household_id, title="低保户房屋漏雨", category="urgent_needs", **extra):
    res = client.post("/api/cases", json={"id": _uuid(), "household_id": household_id, "category": category,
                                          "title": title, **extra})
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def _ok(res):
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def _told(user, case_id, kind):
    return db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.ref_id == str(case_id), Notification.kind == kind)).all()


def _department(name):
    return db.session.scalars(select(OrgUnit).where(OrgUnit.name == name)).one()


def test_a_department_refuses_and_the_township_redispatches_to_the_right_one(login, jiang, demo, chain):
    """民政局 says a job for a man who lost his work is not theirs (退单); the township sends it to
    人社局, which takes it and finds him work; the household is asked, and it is closed out."""
    secretary, township = login("赵红梅"), login(role="township", unit="辛安泉镇")
    case = _open(secretary, jiang.id, title="姜彩凤丈夫病后失业，需要就业帮扶")
    case_id = case["id"]
    _ok(secretary.post(f"/api/cases/{case_id}/escalate", json={"reason": "村里无力解决"}))
    _ok(township.post(f"/api/cases/{case_id}/dispatch", json={"department_id": _department("民政局").id}))

    minzheng = login("刘淑珍")
    assert minzheng.post(f"/api/cases/{case_id}/reject", json={"reason": ""}).status_code == 422
    case = _ok(minzheng.post(f"/api/cases/{case_id}/reject", json={"reason": "就业帮扶属人社部门职责"}))
    officer = chain["township"]
    assert (case["status"], case["level"], case["holder"]["id"]) == ("escalated", "township", officer.id)
    rejected = case["events"][-1]
    said = rejected["data"]
    assert (rejected["type"], rejected["actor"]["name"], said["reason"], said["department_name"]) == (
        "rejected", "刘淑珍", "就业帮扶属人社部门职责", "民政局")
    told = _told(officer, case_id, "case_arrived")
    assert told and "就业帮扶属人社部门职责" in told[-1].body and "民政局" in told[-1].body
    assert case_id in [c["id"] for c in township.get("/api/cases?awaiting=me").get_json()["items"]]
    assert case_id not in [c["id"] for c in minzheng.get("/api/cases?awaiting=me").get_json()["items"]]

    case = _ok(township.post(f"/api/cases/{case_id}/dispatch", json={"department_id": _department("人社局").id,
                                                                     "reason": "请人社局安排就业援助"}))
    assert (case["status"], case["department"]["name"], case["holder"]["name"]) == ("dispatched", "人社局", "人社局")
    renshe = login("陈志刚")
    case = _ok(renshe.post(f"/api/cases/{case_id}/accept", json={}))
    case = _ok(renshe.post(f"/api/cases/{case_id}/resolve", json={"resolution": "安排到镇公益性岗位"}))
    assert (case["status"], case["level"], case["holder"]["id"]) == ("resolved", "township", officer.id)

    shi = login("石水奇")
    case = _ok(shi.post(f"/api/cases/{case_id}/revisit", json={
        "id": _uuid(), "satisfaction": "satisfied", "mode": "phone", "notes": "已上岗，很满意"}))
    case = _ok(township.post(f"/api/cases/{case_id}/close", json={}))
    assert case["status"] == "closed"
    assert [e["type"] for e in case["events"]] == [
        "opened", "escalated", "dispatched", "rejected", "dispatched", "accepted", "resolved", "revisited", "closed"]
    assert minzheng.get(f"/api/cases/{case_id}").status_code == 404  # it is 人社局's case now


def test_unsatisfied_at_the_revisit_reopens_it_with_whoever_resolved_it(login, jiang, chain):
    """The secretary resolved it; the member asks the household, who says it is not solved: it
    reopens with the secretary, at the branch, and the case cannot be closed out meanwhile."""
    shi, secretary = login("石水奇"), login("赵红梅")
    case_id = _open(secretary, jiang.id, title="自来水管冻裂")["id"]
    _ok(secretary.post(f"/api/cases/{case_id}/resolve", json={"resolution": "已联系维修"}))
    revisit_id = _uuid()
    case = _ok(shi.post(f"/api/cases/{case_id}/revisit", json={
        "id": revisit_id, "satisfaction": "unsatisfied", "mode": "door", "notes": "修了又漏"}))
    assert (case["status"], case["level"], case["holder"]["id"]) == ("open", "branch", chain["secretary"].id)
    assert case["satisfaction"] == "unsatisfied" and case["resolved_at"] is None and case["due_at"]
    event = case["events"][-1]
    assert (event["type"], event["id"], event["actor"]["name"]) == ("revisited", revisit_id, "石水奇")
    said = event["data"]
    assert (said["satisfaction"], said["notes"], said["reopened"]) == ("unsatisfied", "修了又漏", True)
    assert "修了又漏" in _told(chain["secretary"], case_id, "case_arrived")[-1].body
    assert "close" not in secretary.get(f"/api/cases/{case_id}").get_json()["actions"]
    assert "revisit" not in shi.get(f"/api/cases/{case_id}").get_json()["actions"]

    # A resend of the same answer changes nothing; the same id with another answer is a conflict.
    again = _ok(shi.post(f"/api/cases/{case_id}/revisit", json={
        "id": revisit_id, "satisfaction": "unsatisfied", "mode": "door", "notes": "修了又漏"}))
    assert [e["type"] for e in again["events"]].count("revisited") == 1
    other = shi.post(f"/api/cases/{case_id}/revisit", json={"id": revisit_id, "satisfaction": "satisfied"})
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "duplicate_id"

    # Resolved again: the earlier 不满意 no longer counts; a new 回访 is needed to close it out.
    case = _ok(secretary.post(f"/api/cases/{case_id}/resolve", json={"resolution": "换了新水管"}))
    assert case["satisfaction"] is None
    assert secretary.post(f"/api/cases/{case_id}/close", json={}).status_code == 422
    _ok(shi.post(f"/api/cases/{case_id}/revisit", json={"id": _uuid(), "satisfaction": "basic"}))
    assert _ok(secretary.post(f"/api/cases/{case_id}/close", json={}))["status"] == "closed"
    assert len(db.session.scalars(select(CaseRevisit).where(CaseRevisit.case_id == uuid.UUID(case_id))).all()) == 2


def test_unsatisfied_sends_a_department_case_back_to_the_department(make_case, chain, as_user):
    case = make_case(level="department", status="in_progress")
    staff = as_user(chain["department"])
    _ok(staff.post(f"/api/cases/{case.id}/resolve", json={"resolution": "已发放救助金"}))
    case = _ok(as_user(chain["member"]).post(f"/api/cases/{case.id}/revisit", json={
        "id": _uuid(), "satisfaction": "unsatisfied", "notes": "只发了一半"}))
    assert (case["status"], case["level"], case["holder"]["id"]) == (
        "in_progress", "department", chain["department"].id)
    assert case["department"]["name"] == "民政局"


def test_unsatisfied_goes_to_the_department_as_a_whole_when_its_resolver_has_left(make_case, chain, as_user):
    case = make_case(level="department", status="in_progress")
    _ok(as_user(chain["department"]).post(f"/api/cases/{case.id}/resolve", json={"resolution": "已发放"}))
    chain["department"].active = False
    db.session.commit()
    case = _ok(as_user(chain["secretary"]).post(f"/api/cases/{case.id}/revisit", json={
        "id": _uuid(), "satisfaction": "unsatisfied", "mode": "phone"}))
    assert (case["status"], case["level"], case["holder"]["kind"], case["holder"]["name"]) == (
        "dispatched", "department", "unit", "民政局")


def test_close_out_without_a_revisit_needs_the_reason(make_case, chain, as_user):
    case = make_case(level="branch", status="resolved")
    secretary = as_user(chain["secretary"])
    for body in ({}, {"no_revisit_reason": ""}, {"no_revisit_reason": "   "}):
        res = secretary.post(f"/api/cases/{case.id}/close", json=body)
        error = res.get_json()["error"]
        assert res.status_code == 422 and "no_revisit_reason" in error["fields"], body
        assert "未回访原因" in error["message"] or "回访" in error["message"], error
    case = _ok(secretary.post(f"/api/cases/{case.id}/close", json={"no_revisit_reason": "户主已搬离，联系不上"}))
    assert case["status"] == "closed"
    assert case["events"][-1]["data"]["no_revisit_reason"] == "户主已搬离，联系不上"


def test_a_duplicate_is_saved_and_shown_then_merged(login, jiang, chain):
    """A second case of the same category on a household with one still open is kept (a case made
    offline is never lost) and the answer names the open one; the member adds it to that one (合并):
    it closes with a link, its timeline kept, and the other's timeline says what joined it."""
    shi = login("石水奇")
    first = _open(shi, jiang.id, title="屋顶漏雨")
    assert first["similar_open"] == []
    second = _open(shi, jiang.id, title="下雨屋里漏水", description="东屋也漏")
    assert [c["id"] for c in second["similar_open"]] == [first["id"]]
    other_kind = _open(shi, jiang.id, title="门前垃圾", category="environment")
    assert other_kind["similar_open"] == []
    assert "merge" in second["actions"]

    res = shi.post(f"/api/cases/{second['id']}/merge", json={"into_case_id": second["id"]})
    assert res.status_code == 422 and "into_case_id" in res.get_json()["error"]["fields"]
    res = shi.post(f"/api/cases/{second['id']}/merge", json={"into_case_id": _uuid()})
    assert res.status_code == 422 and "into_case_id" in res.get_json()["error"]["fields"]

    merged = _ok(shi.post(f"/api/cases/{second['id']}/merge", json={"into_case_id": first["id"], "reason": "同一件事"}))
    assert (merged["status"], merged["merged_into_id"], merged["holder"]) == ("closed", first["id"], None)
    assert [e["type"] for e in merged["events"]] == ["opened", "merged"]
    assert merged["events"][-1]["data"]["into_case_id"] == first["id"]
    assert merged["actions"] == []
    target = _ok(shi.get(f"/api/cases/{first['id']}"))
    joined = target["events"][-1]
    assert (joined["type"], joined["data"]["case_id"], joined["data"]["title"]) == (
        "merged_in", second["id"], "下雨屋里漏水")
    assert target["similar_open"] == [] and target["status"] == "open"
    # Merged into a closed case? No: nothing is added to a finished list.
    third = _open(shi, jiang.id, title="又漏了")
    res = shi.post(f"/api/cases/{third['id']}/merge", json={"into_case_id": second["id"]})
    assert res.status_code == 422 and "into_case_id" in res.get_json()["error"]["fields"]


def test_the_secretary_merges_cases_of_her_village(make_case, chain, as_user):
    a, b = make_case(level="grid", status="escalated"), make_case(level="branch", status="in_progress")
    into = {"into_case_id": str(b.id)}
    assert as_user(chain["grid_leader"]).post(f"/api/cases/{a.id}/merge", json=into).status_code == 403
    merged = _ok(as_user(chain["secretary"]).post(f"/api/cases/{a.id}/merge", json={"into_case_id": str(b.id)}))
    assert merged["merged_into_id"] == str(b.id)
    # The member who opened it is told where it went.
    told = db.session.scalars(select(Notification).where(Notification.user_id == chain["member"].id,
                                                        Notification.kind == "case_merged")).all()
    assert told and told[-1].ref_id == str(b.id)


def test_a_holder_sends_it_back_down_for_more_facts_and_it_climbs_again(login, jiang, chain):
    shi, informant = login("石水奇"), login(chain["informant"].name)
    case_id = _open(shi, jiang.id)["id"]
    _ok(shi.post(f"/api/cases/{case_id}/escalate", json={"reason": "请核实"}))
    case = _ok(informant.post(f"/api/cases/{case_id}/return", json={"reason": "请补充房屋受损照片说明和户主意愿"}))
    assert (case["status"], case["level"], case["holder"]["id"]) == ("open", "member", chain["member"].id)
    event = case["events"][-1]
    assert (event["type"], event["actor"]["name"], event["data"]["reason"], event["data"]["to"]) == (
        "returned", chain["informant"].name, "请补充房屋受损照片说明和户主意愿", "member")
    assert "请补充房屋受损照片说明" in _told(chain["member"], case_id, "case_arrived")[-1].body
    case = _ok(shi.post(f"/api/cases/{case_id}/escalate", json={"reason": "已补充：西墙裂缝两米"}))
    assert (case["level"], case["holder"]["id"]) == ("informant", chain["informant"].id)


def test_return_passes_an_empty_seat(make_case, chain, as_user):
    """With no grid leader, the secretary's 退回 reaches the informant."""
    chain["grid_leader"].active = False
    db.session.commit()
    case = make_case(level="branch", status="escalated")
    case = _ok(as_user(chain["secretary"]).post(f"/api/cases/{case.id}/return", json={"reason": "请信息员核实"}))
    assert (case["level"], case["holder"]["id"]) == ("informant", chain["informant"].id)


def test_the_township_recalls_a_dispatch_before_it_is_taken(make_case, chain, as_user):
    case = make_case(level="department", status="dispatched")
    township = as_user(chain["township"])
    case_json = _ok(township.post(f"/api/cases/{case.id}/recall", json={"reason": "派错了部门"}))
    assert (case_json["status"], case_json["level"], case_json["holder"]["id"]) == (
        "escalated", "township", chain["township"].id)
    assert _told(chain["department"], case.id, "case_recalled")[-1].body.endswith("派错了部门")
    assert "dispatch" in case_json["actions"]
    taken = make_case(level="department", status="in_progress")  # after 接单 it is the department's
    res = township.post(f"/api/cases/{taken.id}/recall", json={"reason": "派错了部门"})
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "wrong_state"


def test_reassign_within_the_level_keeps_the_deadline(make_case, chain, as_user):
    """The informant is away: the secretary gives the case to the grid leader; the phone is offered
    exactly the people who can take it."""
    case = make_case(level="informant", status="escalated")
    secretary = as_user(chain["secretary"])
    detail = _ok(secretary.get(f"/api/cases/{case.id}"))
    offered = {u["id"] for u in detail["reassign_to"]}
    assert {chain["member"].id, chain["grid_leader"].id, chain["secretary"].id} <= offered
    assert chain["informant"].id not in offered and chain["township"].id not in offered
    moved = _ok(secretary.post(f"/api/cases/{case.id}/reassign",
                               json={"holder_id": chain["grid_leader"].id, "reason": "信息员外出学习"}))
    assert (moved["level"], moved["holder"]["id"]) == ("grid", chain["grid_leader"].id)
    event = moved["events"][-1]
    assert (event["type"], event["data"]["from_id"], event["data"]["to_id"], event["data"]["reason"]) == (
        "reassigned", chain["informant"].id, chain["grid_leader"].id, "信息员外出学习")
    assert "信息员外出学习" in _told(chain["grid_leader"], case.id, "case_arrived")[-1].body


@pytest.mark.parametrize("who,why", [("township", "another level"), ("other_village", "cannot see the household"),
                                     ("inactive", "not active"), ("holder", "already the holder")])
def test_reassign_refuses_who_cannot_take_it(make_case, chain, as_user, demo, who, why):
    case = make_case(level="grid", status="escalated")
    person = {"township": chain["township"], "other_village": demo["孙保平"], "inactive": chain["member"],
              "holder": chain["grid_leader"]}[who]
    if who == "inactive":
        person.active = False
        db.session.commit()
    res = as_user(chain["secretary"]).post(f"/api/cases/{case.id}/reassign",
                                           json={"holder_id": person.id, "reason": "外出"})
    assert res.status_code == 422, why
    assert "holder_id" in res.get_json()["error"]["fields"] and "经办人" in res.get_json()["error"]["message"]


def test_an_admin_rescues_a_case_a_department_without_staff_would_strand(make_case, chain, as_user, demo):
    chain["department"].active = False  # 民政局 has nobody left
    db.session.commit()
    case = make_case(level="department", status="dispatched")
    admin = as_user(chain["admin"])
    offered = {u["id"] for u in _ok(admin.get(f"/api/cases/{case.id}"))["reassign_to"]}
    assert demo["陈志刚"].id in offered and chain["township"].id in offered
    moved = _ok(admin.post(f"/api/cases/{case.id}/reassign", json={"holder_id": chain["township"].id,
                                                                  "reason": "民政局暂无在岗人员"}))
    assert (moved["status"], moved["level"], moved["holder"]["id"]) == ("escalated", "township", chain["township"].id)
    assert "dispatch" in _ok(as_user(chain["township"]).get(f"/api/cases/{case.id}"))["actions"]


@pytest.mark.parametrize("action,body", [
    ("return", {}), ("return", {"reason": ""}), ("return", {"reason": "  "}), ("return", {"reason": "长" * 501}),
    ("reassign", {"reason": "外出"}), ("reassign", {"holder_id": "8", "reason": "外出"}),
    ("reassign", {"holder_id": 8}), ("revisit", {"satisfaction": "satisfied"}),
    ("revisit", {"id": "x", "satisfaction": "satisfied"}), ("revisit", {"id": "00000000-0000-4000-8000-000000000000"}),
    ("revisit", {"id": "00000000-0000-4000-8000-000000000000", "satisfaction": "happy"}),
    ("revisit", {"id": "00000000-0000-4000-8000-000000000000", "satisfaction": "basic", "mode": "letter"}),
    ("merge", {}), ("merge", {"into_case_id": 5}), ("reject", {"reason": ""}), ("recall", {}),
])
def test_bad_step_input_names_the_field_in_chinese(make_case, chain, as_user, action, body):
    case = make_case(level="grid", status="escalated")
    res = as_user(chain["secretary"]).post(f"/api/cases/{case.id}/{action}", json=body)
    assert res.status_code == 422, res.get_json()
    error = res.get_json()["error"]
    assert error["fields"] and any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])
    missing = {"return": "reason", "reject": "reason", "recall": "reason", "merge": "into_case_id"}
    if action in missing:
        assert missing[action] in error["fields"]


def test_a_revisit_made_offline_arrives_once_through_sync(make_case, chain, as_user):
    case = make_case(level="branch", status="resolved")
    member = as_user(chain["member"])
    mutation = {"id": _uuid(), "type": "case.action", "at": "2020-01-01T00:00:00+00:00",
                "data": {"case_id": str(case.id), "action": "revisit", "satisfaction": "basic", "mode": "phone",
                         "notes": "电话回访，基本满意"}}
    early = _ok(member.post("/api/sync", json={"mutations": [mutation]}))["results"][0]
    assert early["status"] == "rejected" and "at" in early["error"]["fields"]  # dated before the resolution
    mutation["at"] = datetime.now(timezone.utc).isoformat()
    first = _ok(member.post("/api/sync", json={"mutations": [mutation]}))["results"][0]
    assert first["status"] == "applied", first
    assert first["record"]["satisfaction"] == "basic"
    assert first["record"]["event"]["id"] == mutation["id"] and "events" not in first["record"]
    again = _ok(member.post("/api/sync", json={"mutations": [mutation]}))["results"][0]
    assert again["status"] == "duplicate"
    stored = db.session.get(CaseRevisit, uuid.UUID(mutation["id"]))
    assert (stored.mode, stored.satisfaction, stored.actor_id) == ("phone", "basic", chain["member"].id)
    assert _ok(as_user(chain["secretary"]).post(f"/api/cases/{case.id}/close", json={}))["status"] == "closed"
