"""The register's lifecycle through the API: 新增住户, moving, archiving (迁出, 户销, 合户 ...) and
restoring, by secretaries and above in their scope; archived households leave lists and phones
but keep their visits and cases."""
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.common.time import utcnow
from app.extensions import db
from app.households.models import Household
from app.messages import FIELD_LABELS, REGISTER, TEXT
from app.visits.models import Visit
from tests.conftest import visit_body
from tests.sync.test_sync import _walk


def ids(client, query=""):
    items, cursor = [], None
    while True:
        body = client.get(f"/api/households?limit=200{query}" + (f"&cursor={cursor}" if cursor else "")).get_json()
        items += body["items"]
        cursor = body["next"]
        if cursor is None:
            return {h["id"] for h in items}


def member_with_room(demo, grid="第一网格"):
    """A member of 西流南村 (not 石水奇) with one of their ten households let go."""
    member = next(u for u in sorted(demo.users.values(), key=lambda u: u.id)
                  if u.role == "member" and u.org_unit.name == grid and u.name != "石水奇"
                  and u.org_unit.path.startswith(demo["赵红梅"].org_unit.path))
    last = db.session.scalars(select(Household.id).where(Household.member_id == member.id)
                              .order_by(Household.id.desc())).first()
    db.session.execute(Household.__table__.update().where(Household.id == last).values(member_id=None))
    return member


NEW = {"head_name": "新来户", "address": "西流南村一组 99 号", "people": 2, "phone": "13711112222", "tags": ["低保"]}


def test_the_secretary_adds_a_household_that_reaches_its_member(login, demo, jiang):
    member = member_with_room(demo)
    secretary = login("赵红梅")
    res = secretary.post("/api/households", json={**NEW, "member_id": member.id})
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    numbers = db.session.scalars(select(Household.household_no).where(Household.village_id == jiang.village_id)).all()
    assert body["household_no"] == str(max(int(n) for n in numbers if n != body["household_no"]) + 1)
    assert (body["member"]["id"], body["org_unit"]["id"], body["version"]) == (member.id, member.org_unit_id, 1)
    assert body["archived_at"] is None
    assert body["id"] in ids(login(member.name))


def test_numbers_are_unique_in_a_village_only(login, demo, jiang):
    secretary = login("赵红梅")
    grid = demo["石水奇"].org_unit
    res = secretary.post("/api/households", json={**NEW, "org_unit_id": grid.id, "household_no": jiang.household_no})
    assert res.status_code == 422
    assert res.get_json()["error"]["fields"] == {"household_no": [REGISTER["no_taken"].format(no=jiang.household_no)]}
    other = login("孙保平")  # the secretary of 黄牛蹄村, whose five households are numbered 1 to 5
    grid_hnt = demo["郑满仓"].org_unit
    res = other.post("/api/households", json={**NEW, "org_unit_id": grid_hnt.id, "household_no": "120"})
    assert res.status_code == 201, res.get_json()  # 120 is taken in 西流南村, not here
    res = secretary.post("/api/households", json={**NEW, "org_unit_id": grid.id, "household_no": "A 1"})
    assert res.status_code == 422 and res.get_json()["error"]["fields"] == {"household_no": [REGISTER["no_format"]]}


@pytest.mark.parametrize("body, field, message", [
    ({}, "org_unit_id", REGISTER["place_required"]),
    ({"org_unit_id": "grid_hnt"}, "org_unit_id", REGISTER["not_a_place"]),   # another village: not hers
    ({"org_unit_id": "grid2", "member_id": "shi"}, "member_id", REGISTER["member_other_grid"]),
    ({"member_id": "shi"}, "member_id", TEXT["member_cap"].format(cap=10)),  # he covers ten already
])
def test_a_new_household_is_refused_with_the_field_named(login, demo, body, field, message):
    values = {"grid_hnt": demo["郑满仓"].org_unit_id, "shi": demo["石水奇"].id,
              "grid2": next(u for u in demo.users.values() if u.org_unit.name == "第二网格").org_unit_id}
    body = {k: values[v] for k, v in body.items()}
    res = login("赵红梅").post("/api/households", json={**NEW, **body})
    assert res.status_code == 422, res.get_json()
    error = res.get_json()["error"]
    assert error["fields"] == {field: [message]}
    assert error["message"] == f"{FIELD_LABELS[field]}：{message}"


def test_members_may_not_add_households(login, demo):
    res = login("石水奇").post("/api/households", json={**NEW, "org_unit_id": demo["石水奇"].org_unit_id})
    assert res.status_code == 403 and res.get_json()["error"]["message"]


def test_a_household_moves_to_another_grid_of_its_village(login, demo, jiang):
    secretary = login("赵红梅")
    grid2 = next(u for u in demo.users.values() if u.org_unit.name == "第二网格").org_unit
    res = secretary.patch(f"/api/households/{jiang.id}", json={"version": jiang.version, "org_unit_id": grid2.id})
    assert res.status_code == 422
    assert res.get_json()["error"]["fields"] == {"org_unit_id": [REGISTER["member_left_behind"]]}
    res = secretary.patch(f"/api/households/{jiang.id}",
                          json={"version": jiang.version, "member_id": None, "org_unit_id": grid2.id})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["org_unit"]["id"] == grid2.id and res.get_json()["member"] is None
    res = secretary.patch(f"/api/households/{jiang.id}", json={"version": res.get_json()["version"],
                                                               "org_unit_id": demo["郑满仓"].org_unit_id})
    assert res.status_code == 422  # 黄牛蹄村's grid is not hers to use
    shi = login("石水奇")
    res = shi.patch(f"/api/households/{jiang.id}", json={"version": jiang.version, "household_no": "X1"})
    assert res.status_code == 404  # no longer his


def test_archiving_keeps_the_history_and_restoring_brings_it_back(login, demo, jiang):
    shi, secretary = login("石水奇"), login("赵红梅")
    shi.post("/api/visits", json=visit_body(jiang.id))
    visits = db.session.scalar(select(func.count()).select_from(Visit).where(Visit.household_id == jiang.id))
    case = {"id": str(uuid.uuid4()), "household_id": jiang.id, "category": "urgent_needs", "title": "丈夫突发疾病"}
    assert shi.post("/api/cases", json=case).status_code == 201
    res = secretary.delete(f"/api/households/{jiang.id}", json={"reason": "moved_out"})
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "open_cases"
    db.session.execute(db.text("UPDATE cases SET status = 'closed' WHERE household_id = :h"), {"h": jiang.id})

    res = secretary.delete(f"/api/households/{jiang.id}", json={"reason": "moved_out", "note": "随子女迁往长治"})
    assert res.status_code == 200, res.get_json()
    assert (res.get_json()["archive_reason"], res.get_json()["archive_note"]) == ("moved_out", "随子女迁往长治")
    assert jiang.id not in ids(shi) and jiang.id not in ids(secretary)
    assert shi.get(f"/api/households/{jiang.id}").status_code == 404
    assert shi.post("/api/visits", json=visit_body(jiang.id)).status_code == 404
    assert ids(secretary, "&archived=1") == {jiang.id}
    assert shi.get("/api/households?archived=1").status_code == 403
    detail = secretary.get(f"/api/households/{jiang.id}").get_json()  # she can still open it
    assert detail["archived_at"] and len(detail["cases"]) >= 1
    assert db.session.scalar(select(func.count()).select_from(Visit).where(Visit.household_id == jiang.id)) == visits
    assert secretary.delete(f"/api/households/{jiang.id}", json={"reason": "moved_out"}).status_code == 404

    res = secretary.post(f"/api/households/{jiang.id}/restore")
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["archived_at"] is None and res.get_json()["member"]["id"] == demo["石水奇"].id
    assert jiang.id in ids(shi)
    assert secretary.post(f"/api/households/{jiang.id}/restore").status_code == 404  # not archived now


@pytest.mark.parametrize("body", [{}, {"reason": "搬走了"}, {"reason": "other", "note": "x" * 201}])
def test_an_archive_needs_a_known_reason(login, jiang, body):
    res = login("赵红梅").delete(f"/api/households/{jiang.id}", json=body)
    assert res.status_code == 422 and "reason" in res.get_json()["error"]["fields"] or \
        "note" in res.get_json()["error"]["fields"]


def test_archived_households_do_not_count_against_the_cap_and_restore_uncovered_when_full(login, demo, app):
    member = member_with_room(demo)  # 9 of 10
    secretary = login("赵红梅")
    mine = db.session.scalars(select(Household).where(Household.member_id == member.id)
                              .order_by(Household.id)).first()
    db.session.execute(db.text("UPDATE cases SET status = 'closed' WHERE household_id = :h"), {"h": mine.id})
    assert secretary.delete(f"/api/households/{mine.id}", json={"reason": "merged"}).status_code == 200
    for i in range(2):  # 8 + 2 = 10: the archived one does not count
        res = secretary.post("/api/households", json={**NEW, "address": f"新址 {i}", "member_id": member.id})
        assert res.status_code == 201, res.get_json()
    res = secretary.post(f"/api/households/{mine.id}/restore")
    assert res.status_code == 200 and res.get_json()["member"] is None  # back, to be assigned again


def visited_within(days):
    since = utcnow() - timedelta(days=days)
    return set(db.session.scalars(select(Visit.household_id).where(Visit.visited_at >= since)).all())


def test_unvisited_households_are_those_nobody_visited_in_n_days(login, demo):
    shi = login("石水奇")
    mine = ids(shi)
    quiet = min(mine - visited_within(60))  # one nobody visited for 60 days: now visited 40 days ago
    db.session.add(Visit(id=uuid.uuid4(), household_id=quiet, author_id=demo["石水奇"].id, mode="door",
                         visited_at=utcnow() - timedelta(days=40), needs=[], hardship="none"))
    db.session.flush()
    for days in (30, 60):
        assert ids(shi, f"&unvisited_days={days}") == mine - visited_within(days)
    assert quiet in ids(shi, "&unvisited_days=30") and quiet not in ids(shi, "&unvisited_days=60")
    assert shi.get("/api/households?unvisited_days=0").status_code == 422


# --- phones -------------------------------------------------------------------------------------


def test_a_new_household_reaches_its_members_phone(login, demo):
    member = member_with_room(demo)
    phone = login(member.name)
    _, cursor = _walk(phone)
    made = login("赵红梅").post("/api/households", json={**NEW, "member_id": member.id}).get_json()
    changes = phone.get(f"/api/sync?cursor={cursor}").get_json()["changes"]
    assert {(c["type"], c["op"], c["id"]) for c in changes} >= {("household", "upsert", str(made["id"]))}
    record = next(c["record"] for c in changes if c["id"] == str(made["id"]))
    assert record["household_no"] == made["household_no"]


def test_an_archived_household_leaves_its_members_phone(login, jiang):
    shi, secretary = login("石水奇"), login("赵红梅")
    db.session.execute(db.text("UPDATE cases SET status = 'closed' WHERE household_id = :h"), {"h": jiang.id})
    _, cursor = _walk(shi)
    assert secretary.delete(f"/api/households/{jiang.id}", json={"reason": "deregistered"}).status_code == 200
    page = shi.get(f"/api/sync?cursor={cursor}").get_json()
    assert {"type": "household", "op": "remove", "id": str(jiang.id), "record": None} in page["changes"]


def test_a_restored_household_comes_back_to_its_members_phone(login, jiang):
    shi, secretary = login("石水奇"), login("赵红梅")
    db.session.execute(db.text("UPDATE cases SET status = 'closed' WHERE household_id = :h"), {"h": jiang.id})
    assert secretary.delete(f"/api/households/{jiang.id}", json={"reason": "other"}).status_code == 200
    changes, cursor = _walk(shi)
    assert str(jiang.id) not in {c["id"] for c in changes if c["type"] == "household"}  # a fresh phone: not sent
    assert secretary.post(f"/api/households/{jiang.id}/restore").status_code == 200
    page = shi.get(f"/api/sync?cursor={cursor}").get_json()
    assert ("household", "upsert", str(jiang.id)) in {(c["type"], c["op"], c["id"]) for c in page["changes"]}


def test_places_for_a_new_household_are_the_callers(login, demo):
    assert login("石水奇").get("/api/register/places").status_code == 403
    body = login("赵红梅").get("/api/register/places").get_json()
    assert {(g["village"]["name"], g["name"]) for g in body["grids"]} == {("西流南村", "第一网格"), ("西流南村", "第二网格")}
    members = {m["name"]: m for m in body["members"]}
    assert set(members) == {u.name for u in demo.users.values() if u.role == "member"
                            and u.org_unit.path.startswith(demo["赵红梅"].org_unit.path)}
    assert members["石水奇"]["covered"] == 10 and body["cap"] == 10
    township = login("王建军").get("/api/register/places").get_json()
    assert {g["village"]["name"] for g in township["grids"]} == {"西流南村"}  # 黄牛蹄村 is another township's
