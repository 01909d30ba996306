"""POST /api/sync applies a phone's outbox exactly once; GET /api/sync feeds changes in scope."""
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from app.extensions import db
from app.visits.models import Visit
from tests.conftest import visit_body


def _mutation(type_, data, mid=None):
    return {"id": mid or str(uuid.uuid4()), "type": type_,
            "at": datetime.now(timezone.utc).isoformat(), "data": data}


def _visit_mutation(household_id, **over):
    body = visit_body(household_id, **over)
    return _mutation("visit.create", {k: v for k, v in body.items() if k != "id"}, body["id"])


def _count_visits(visit_id):
    return db.session.scalar(select(func.count()).select_from(Visit).where(Visit.id == uuid.UUID(visit_id)))


def test_batch_applies_each_once_and_answers_each(login, jiang, demo):
    shi = login("石水奇")
    good = _visit_mutation(jiang.id)
    bad = _visit_mutation(jiang.id, mode="fly")
    outside = _visit_mutation(999999)
    res = shi.post("/api/sync", json={"mutations": [good, bad, outside]})
    assert res.status_code == 200, res.get_json()
    results = res.get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected"]
    assert results[0]["record"]["id"] == good["id"]
    assert results[1]["error"]["fields"] == {"mode": ["须为以下之一：door、phone、other"]}
    assert "走访方式" in results[1]["error"]["message"]
    assert results[2]["error"]["status"] == 404

    again = shi.post("/api/sync", json={"mutations": [good, good]}).get_json()["results"]
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    assert _count_visits(good["id"]) == 1


def test_a_visit_sent_online_then_synced_is_one_visit(login, jiang):
    shi = login("石水奇")
    body = visit_body(jiang.id)
    assert shi.post("/api/visits", json=body).status_code == 201
    m = _mutation("visit.create", {k: v for k, v in body.items() if k != "id"}, body["id"])
    assert shi.post("/api/sync", json={"mutations": [m]}).get_json()["results"][0]["status"] == "duplicate"
    changed = _mutation("visit.create", {**{k: v for k, v in body.items() if k != "id"}, "notes": "改了"}, body["id"])
    result = shi.post("/api/sync", json={"mutations": [changed]}).get_json()["results"][0]
    assert result["status"] == "conflict" and result["error"]["current"]["notes"] == body["notes"]
    assert _count_visits(body["id"]) == 1


def test_case_and_its_actions_from_the_outbox(login, jiang, chain):
    shi = login("石水奇")
    case_id, escalate_id = str(uuid.uuid4()), str(uuid.uuid4())
    batch = [
        _mutation("case.create", {"household_id": jiang.id, "category": "urgent_needs", "title": "丈夫突发疾病"},
                  case_id),
        _mutation("case.action", {"case_id": case_id, "action": "escalate", "reason": "急"}, escalate_id),
    ]
    results = shi.post("/api/sync", json={"mutations": batch}).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert results[1]["record"]["level"] == "informant"
    again = shi.post("/api/sync", json={"mutations": batch}).get_json()["results"]
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    detail = shi.get(f"/api/cases/{case_id}").get_json()
    assert [e["type"] for e in detail["events"]] == ["opened", "escalated"]


def test_household_edit_from_an_old_version_is_a_visible_conflict(login, jiang):
    shi = login("石水奇")
    first = _mutation("household.update", {"household_id": jiang.id, "version": jiang.version, "people": 4})
    stale = _mutation("household.update", {"household_id": jiang.id, "version": jiang.version, "phone": "13700000009"})
    results = shi.post("/api/sync", json={"mutations": [first, stale]}).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "conflict"]
    assert results[1]["error"]["current"]["people"] == 4
    assert results[1]["error"]["current"]["phone"] == jiang.phone
    # the first one resent is answered as done, not as a conflict with itself
    assert shi.post("/api/sync", json={"mutations": [first]}).get_json()["results"][0]["status"] == "duplicate"


def test_task_steps_from_the_outbox(login, demo):
    secretary, shi = login("赵红梅"), login("石水奇")
    task_id = str(uuid.uuid4())
    due = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    created = secretary.post("/api/sync", json={"mutations": [_mutation("task.create", {
        "assignee_id": demo["石水奇"].id, "title": "送党报", "due_at": due}, task_id)]}).get_json()["results"][0]
    assert created["status"] == "applied"
    steps = [_mutation("task.action", {"task_id": task_id, "action": "accept"}),
             _mutation("task.action", {"task_id": task_id, "action": "complete", "note": "已送"})]
    results = shi.post("/api/sync", json={"mutations": steps}).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert results[1]["record"]["status"] == "done"


def test_mutation_id_reused_by_someone_else_is_a_conflict(login, jiang, demo):
    m = _mutation("household.update", {"household_id": jiang.id, "version": jiang.version, "people": 4})
    assert login("石水奇").post("/api/sync", json={"mutations": [m]}).get_json()["results"][0]["status"] == "applied"
    other = login(role="secretary", unit="西流南村")
    result = other.post("/api/sync", json={"mutations": [m]}).get_json()["results"][0]
    assert result["status"] == "conflict"


def test_bad_batches_are_refused_whole(login):
    shi = login("石水奇")
    assert shi.post("/api/sync", json={"mutations": []}).status_code == 422
    res = shi.post("/api/sync", json={"mutations": [{"id": "x", "type": "visit.create", "data": {}}]})
    assert res.status_code == 422 and "编号" in res.get_json()["error"]["message"]
    res = shi.post("/api/sync", json={"mutations": [_mutation("bogus", {})]})
    assert res.status_code == 422


def _walk(client, cursor=None):
    """Follow the feed to its end; answers (changes, cursor)."""
    changes = []
    while True:
        url = "/api/sync?limit=7" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url).get_json()
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return changes, cursor


def test_snapshot_is_the_scope_in_resumable_pages(login, jiang):
    shi = login("石水奇")
    changes, cursor = _walk(shi)
    homes = {c["id"] for c in changes if c["type"] == "household"}
    mine = {str(h["id"]) for h in shi.get("/api/households").get_json()["items"]}
    assert homes == mine and str(jiang.id) in homes
    assert {c["op"] for c in changes} == {"upsert"}
    cases = {c["id"] for c in changes if c["type"] == "case"}
    assert cases == {c["id"] for c in shi.get("/api/cases?limit=200").get_json()["items"]}
    # nothing new since
    assert shi.get(f"/api/sync?cursor={cursor}").get_json()["changes"] == []


def test_incremental_feed_sees_new_work_and_not_others(login, jiang, demo):
    shi, neighbour = login("石水奇"), login(demo.one("member", "第二网格").name)
    _, cursor = _walk(shi)
    _, other_cursor = _walk(neighbour)
    body = visit_body(jiang.id)
    shi.post("/api/visits", json=body)
    page = shi.get(f"/api/sync?cursor={cursor}").get_json()
    assert {(c["type"], c["id"]) for c in page["changes"]} >= {("visit", body["id"])}
    assert neighbour.get(f"/api/sync?cursor={other_cursor}").get_json()["changes"] == []


def test_household_reassigned_away_disappears_from_the_old_phone(login, jiang, demo):
    shi, secretary = login("石水奇"), login("赵红梅")
    _, cursor = _walk(shi)
    newcomer = next(u for u in demo.users.values() if u.role == "member" and u.org_unit.name == "第一网格"
                    and u.id != demo["石水奇"].id)
    # make room under the cap, then give 姜彩凤 to the other member
    theirs = secretary.get(f"/api/households?member_id={newcomer.id}").get_json()["items"][0]
    assert secretary.patch(f"/api/households/{theirs['id']}",
                           json={"version": theirs["version"], "member_id": None}).status_code == 200
    res = secretary.patch(f"/api/households/{jiang.id}", json={"version": jiang.version, "member_id": newcomer.id})
    assert res.status_code == 200, res.get_json()
    changes = shi.get(f"/api/sync?cursor={cursor}").get_json()["changes"]
    assert {"type": "household", "op": "remove", "id": str(jiang.id), "record": None} in changes
    assert shi.get(f"/api/households/{jiang.id}").status_code == 404


def test_a_forged_cursor_is_a_clear_422(login):
    from app.common.pagination import encode_cursor

    shi = login("石水奇")
    for state in ([0, 5, 0], [0, [1, 2, 3], 0], [9, None, 0], [-1, None, "x"], "junk"):
        res = shi.get(f"/api/sync?cursor={encode_cursor(state)}")
        assert res.status_code == 422 and "cursor" in res.get_json()["error"]["fields"], state
    assert shi.get("/api/sync?cursor=%%%").status_code == 422


def test_input_that_slipped_past_nothing_breaks_the_batch(login, jiang):
    """Characters PostgreSQL cannot store, dates whose arithmetic overflows: each is refused on
    its own, in Chinese, and the good record beside it is applied."""
    shi = login("石水奇")
    good = _visit_mutation(jiang.id)
    nul = _visit_mutation(jiang.id, notes="a\u0000b")
    ancient = _visit_mutation(jiang.id, visited_at="0001-01-01T00:00:00+08:00")
    res = shi.post("/api/sync", json={"mutations": [nul, good, ancient]})
    assert res.status_code == 200
    results = res.get_json()["results"]
    assert [r["status"] for r in results] == ["rejected", "applied", "rejected"]
    assert "notes" in results[0]["error"]["fields"] and "visited_at" in results[2]["error"]["fields"]
    assert shi.post("/api/visits", json=visit_body(jiang.id, notes="\u0000")).status_code == 422
    assert shi.get("/api/households?q=%00").status_code == 422


def test_a_task_step_cannot_reuse_a_case_events_id(login, jiang, demo):
    shi, secretary = login("石水奇"), login("赵红梅")
    case = shi.post("/api/cases", json={"id": str(uuid.uuid4()), "household_id": jiang.id,
                                        "category": "other", "title": "测试"}).get_json()
    event_id = case["events"][0]["id"]
    task_id = str(uuid.uuid4())
    secretary.post("/api/tasks", json={"id": task_id, "assignee_id": demo["石水奇"].id, "title": "核实"})
    res = shi.post(f"/api/tasks/{task_id}/accept", json={"id": event_id})
    assert res.status_code == 409
    far = "9999-12-31T23:59:59-01:00"
    res = secretary.post("/api/tasks", json={"id": str(uuid.uuid4()), "assignee_id": demo["石水奇"].id,
                                             "title": "核实", "due_at": far})
    assert res.status_code == 422 and "due_at" in res.get_json()["error"]["fields"]


def test_cursors_of_every_wrong_shape_are_422(login):
    from app.common.pagination import encode_cursor

    shi = login("石水奇")
    bad_list_cursors = [[float("inf")], [2**70], ["2024-01-01T00:00:00", str(uuid.uuid4())],
                        ["2024-01-01T00:00:00+00:00", 5], [[[[1]]]]]
    for values in bad_list_cursors:
        for url in ("/api/households", "/api/cases", "/api/visits?household_id=1&", "/api/tasks"):
            sep = "&" if "?" in url and not url.endswith("&") else ("" if url.endswith("&") else "?")
            res = shi.get(f"{url}{sep}cursor={encode_cursor(values)}")
            assert res.status_code == 422, (url, values, res.get_json())
    assert shi.get(f"/api/sync?cursor={encode_cursor([-1, None, 2**70])}").status_code == 422
    assert shi.get("/api/households?cursor=" + "W" * 600).status_code == 422


def test_a_household_arriving_on_a_phone_brings_its_history(login, jiang, demo):
    shi, secretary = login("石水奇"), login("赵红梅")
    shi.post("/api/visits", json=visit_body(jiang.id))
    case_id = str(uuid.uuid4())
    shi.post("/api/cases", json={"id": case_id, "household_id": jiang.id, "category": "other", "title": "院墙"})
    newcomer = next(u for u in demo.users.values() if u.role == "member" and u.org_unit.name == "第一网格"
                    and u.id != demo["石水奇"].id and u.org_unit.parent.name == "西流南村")
    new = login(newcomer.name)
    _, cursor = _walk(new)
    theirs = secretary.get(f"/api/households?member_id={newcomer.id}").get_json()["items"][0]
    secretary.patch(f"/api/households/{theirs['id']}", json={"version": theirs["version"], "member_id": None})
    assert secretary.patch(f"/api/households/{jiang.id}",
                           json={"version": jiang.version, "member_id": newcomer.id}).status_code == 200
    changes, _ = _walk(new, cursor)
    kinds = {(c["type"], c["id"]) for c in changes}
    assert ("household", str(jiang.id)) in kinds and ("case", case_id) in kinds
    assert any(t == "visit" for t, _ in kinds)


def test_a_read_mark_from_the_outbox_is_applied_once_and_only_to_ones_own(login, demo):
    from app.notify.service import notify

    shi, mine = demo["石水奇"], None
    mine = notify(user_ids=[shi.id], kind="case_closed", ref_type="case", ref_id="x", title="测试")[0]
    theirs = notify(user_ids=[demo["赵红梅"].id], kind="case_closed", ref_type="case", ref_id="x", title="测试")[0]
    db.session.commit()
    client = login("石水奇")
    read = _mutation("notification.read", {"notification_id": mine.id})
    first = client.post("/api/sync", json={"mutations": [read]}).get_json()["results"][0]
    assert first["status"] == "applied" and first["record"]["read_at"] is not None
    again = client.post("/api/sync", json={"mutations": [read]}).get_json()["results"][0]
    assert again["status"] == "duplicate" and again["record"]["read_at"] == first["record"]["read_at"]
    other = client.post("/api/sync", json={"mutations": [
        _mutation("notification.read", {"notification_id": theirs.id}),
        _mutation("notification.read", {"notification_id": 2**31 - 1})]}).get_json()["results"]
    assert [(r["status"], r["error"]["status"]) for r in other] == [("rejected", 404), ("rejected", 404)]
    assert other[0]["error"] == other[1]["error"]  # the same answer: another's is as missing
    db.session.refresh(theirs)
    assert theirs.read_at is None


def test_a_phone_starts_again_when_what_its_user_may_see_changes(login, demo, as_user, chain):
    """A grid leader moved to the other grid: his next pull drops the old grid and brings the new one."""
    from app.org.models import OrgUnit

    leader = chain["grid_leader"]
    phone = login(leader.name)
    page = phone.get("/api/sync?limit=1000").get_json()
    while page["more"]:
        page = phone.get(f"/api/sync?limit=1000&cursor={page['cursor']}").get_json()
    other = db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == chain["secretary"].org_unit_id,
                                                     OrgUnit.id != leader.org_unit_id)).first()
    assert as_user(chain["secretary"]).patch(f"/api/users/{leader.id}", json={"org_unit_id": other.id}).status_code == 200
    again = phone.get(f"/api/sync?cursor={page['cursor']}&limit=1000").get_json()
    assert again["reset"] is True
    homes = {c["record"]["org_unit"]["id"] for c in again["changes"] if c["type"] == "household"}
    assert homes == {other.id}


def test_a_case_dispatched_elsewhere_leaves_the_first_departments_phones(login, make_case, chain, as_user):
    from app.org.models import OrgUnit

    case = make_case(level="township", status="escalated")
    township = as_user(chain["township"])
    township.post(f"/api/cases/{case.id}/dispatch", json={"department_id": chain["minzheng"].id})
    staff = login("刘淑珍")
    page = staff.get("/api/sync").get_json()
    while page["more"]:
        page = staff.get(f"/api/sync?cursor={page['cursor']}").get_json()
    renshe = db.session.scalars(select(OrgUnit).where(OrgUnit.name == "人社局")).one()
    staff.post(f"/api/cases/{case.id}/reject", json={"reason": "不属本局职责"})
    township.post(f"/api/cases/{case.id}/dispatch", json={"department_id": renshe.id})
    later = staff.get(f"/api/sync?cursor={page['cursor']}").get_json()
    assert {"type": "case", "op": "remove", "id": str(case.id), "record": None} in later["changes"]
