"""Opening cases, reading them within scope, and the filters of the lists."""
import uuid

import pytest

from tests.conftest import visit_body


def _body(hid, **over):
    body = {"id": str(uuid.uuid4()), "household_id": hid, "category": "urgent_needs",
            "title": "丈夫突发疾病", "description": "家庭困难", "urgency": "normal"}
    body.update(over)
    return body


def test_open_case_from_a_visit_and_resend(login, jiang):
    shi = login("石水奇")
    visit = shi.post("/api/visits", json=visit_body(jiang.id)).get_json()
    body = _body(jiang.id, visit_id=visit["id"])
    first = shi.post("/api/cases", json=body)
    assert first.status_code == 201
    assert first.get_json()["visit_id"] == visit["id"]
    again = shi.post("/api/cases", json=body)
    assert again.status_code == 200 and again.get_json()["events"] == first.get_json()["events"]
    changed = shi.post("/api/cases", json={**body, "title": "别的"})
    assert changed.status_code == 409 and changed.get_json()["error"]["current"]["title"] == "丈夫突发疾病"


@pytest.mark.parametrize("field,value", [
    ("id", "not-a-uuid"), ("household_id", "1"), ("category", "weather"), ("title", ""), ("title", "长" * 101),
    ("description", "长" * 2001), ("urgency", "very"), ("visit_id", 5), ("opened_at", "2026-01-01T08:00:00"),
    ("extra", 1),
])
def test_bad_case_fields_are_named_in_chinese(login, jiang, field, value):
    res = login("石水奇").post("/api/cases", json=_body(jiang.id, **{field: value}))
    assert res.status_code == 422
    error = res.get_json()["error"]
    assert field in error["fields"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


@pytest.mark.parametrize("missing", ["id", "household_id", "category", "title"])
def test_required_case_fields(login, jiang, missing):
    body = _body(jiang.id)
    del body[missing]
    res = login("石水奇").post("/api/cases", json=body)
    assert res.status_code == 422 and missing in res.get_json()["error"]["fields"]


def test_a_visit_of_another_household_is_refused(login, jiang):
    shi = login("石水奇")
    other = [h for h in shi.get("/api/households").get_json()["items"] if h["id"] != jiang.id][0]
    visit = shi.post("/api/visits", json=visit_body(other["id"])).get_json()
    res = shi.post("/api/cases", json=_body(jiang.id, visit_id=visit["id"]))
    assert res.status_code == 422 and "visit_id" in res.get_json()["error"]["fields"]


def test_department_and_admin_cannot_open_cases(login, jiang):
    assert login(role="admin").post("/api/cases", json=_body(jiang.id)).status_code == 403
    assert login(role="department", unit="民政局").post("/api/cases", json=_body(jiang.id)).status_code == 404


@pytest.mark.parametrize("who,sees", [
    (("石水奇",), True), ((None, "informant", "第一网格"), True), ((None, "grid_leader", "第一网格"), True),
    ((None, "secretary", "西流南村"), True), ((None, "township", "辛安泉镇"), True), ((None, "admin", None), True),
    ((None, "grid_leader", "第二网格"), False), ((None, "secretary", "黄牛蹄村"), False),
    ((None, "township", "黄牛蹄乡"), False), ((None, "department", "民政局"), False),
])
def test_case_scope_is_the_household_scope(login, jiang, who, sees):
    case = login("石水奇").post("/api/cases", json=_body(jiang.id)).get_json()
    client = login(who[0]) if who[0] else login(role=who[1], unit=who[2])
    res = client.get(f"/api/cases/{case['id']}")
    missing = client.get(f"/api/cases/{uuid.uuid4()}")
    if sees:
        assert res.status_code == 200
        assert case["id"] in [c["id"] for c in client.get("/api/cases?limit=200").get_json()["items"]]
    else:
        assert (res.status_code, res.get_json()) == (missing.status_code, missing.get_json()) == (404, missing.get_json())
        assert case["id"] not in [c["id"] for c in client.get("/api/cases?limit=200").get_json()["items"]]


def test_list_filters_and_pages(login, jiang, clock):
    shi = login("石水奇")
    made = [shi.post("/api/cases", json=_body(jiang.id, category=c, urgency=u)).get_json()["id"]
            for c, u in (("fire", "normal"), ("fire", "urgent"), ("environment", "normal"))]
    secretary = login("赵红梅")

    def ids(query):
        out, cursor = [], None
        while True:
            page = secretary.get(f"/api/cases?limit=2&{query}" + (f"&cursor={cursor}" if cursor else "")).get_json()
            out += [c["id"] for c in page["items"]]
            cursor = page["next"]
            if cursor is None:
                return out

    every = ids("")
    assert len(every) == len(set(every)) and set(made) <= set(every)
    fire = ids("category=fire")
    assert set(made[:2]) <= set(fire) and made[2] not in fire
    assert made[1] in ids("urgency=urgent") and made[0] not in ids("urgency=urgent")
    assert set(made) <= set(ids("level=member&status=open"))
    assert not set(made) & set(ids("overdue=true"))
    clock.advance(days=2)
    assert set(made) <= set(ids("overdue=true"))
    grid = secretary.get("/api/org-units?kind=grid").get_json()["items"]
    first = next(g for g in grid if g["name"] == "第一网格")
    second = next(g for g in grid if g["name"] == "第二网格")
    assert set(made) <= set(ids(f"org_unit_id={first['id']}"))
    assert not set(made) & set(ids(f"org_unit_id={second['id']}"))
    assert secretary.get("/api/cases?status=lost").status_code == 422


def test_queue_is_what_i_hold(login, jiang, chain):
    shi = login("石水奇")
    case = shi.post("/api/cases", json=_body(jiang.id)).get_json()
    assert case["id"] in [c["id"] for c in shi.get("/api/cases?awaiting=me").get_json()["items"]]
    shi.post(f"/api/cases/{case['id']}/escalate", json={})
    assert case["id"] not in [c["id"] for c in shi.get("/api/cases?awaiting=me").get_json()["items"]]
    informant = login(chain["informant"].name)
    queue = informant.get("/api/cases?awaiting=me").get_json()["items"]
    assert all(c["holder"]["id"] == chain["informant"].id for c in queue)
    assert case["id"] in [c["id"] for c in queue]


def test_household_shows_its_cases(login, jiang):
    shi = login("石水奇")
    case = shi.post("/api/cases", json=_body(jiang.id)).get_json()
    detail = shi.get(f"/api/households/{jiang.id}").get_json()
    assert case["id"] in [c["id"] for c in detail["cases"]]
    listed = next(h for h in shi.get("/api/households").get_json()["items"] if h["id"] == jiang.id)
    assert listed["open_cases"] == detail["open_cases"] >= 1


def test_comment_and_wrong_department(login, jiang, chain):
    shi = login("石水奇")
    case = shi.post("/api/cases", json=_body(jiang.id)).get_json()
    res = shi.post(f"/api/cases/{case['id']}/comments", json={"body": "已电话联系"})
    assert res.status_code == 200 and res.get_json()["events"][-1]["data"]["body"] == "已电话联系"
    assert shi.post(f"/api/cases/{case['id']}/comments", json={"body": ""}).status_code == 422
    township = login(role="township", unit="辛安泉镇")
    secretary = login("赵红梅")
    # climb to the township, then try to dispatch to something that is not a department
    for client in (shi, login(chain["informant"].name), login(role="grid_leader", unit="第一网格"), secretary):
        client.post(f"/api/cases/{case['id']}/escalate", json={})
    res = township.post(f"/api/cases/{case['id']}/dispatch", json={"department_id": chain["informant"].org_unit_id})
    assert res.status_code == 422 and "department_id" in res.get_json()["error"]["fields"]
