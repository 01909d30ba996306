"""/api/me with the chain upward, /api/users and /api/org-units in scope, /api/departments."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.messages import ROLE_NAMES
from app.org.models import OrgUnit, User

CJK = re.compile(r"[\u4e00-\u9fff]")


def holder(role, unit):
    return db.session.scalars(select(User).where(User.role == role, User.org_unit_id == unit.id)).one()


def ancestor(unit, kind):
    while unit.kind != kind:
        unit = db.session.get(OrgUnit, unit.parent_id)
    return unit


def ids(items):
    return [x["id"] for x in items]


# --- /api/me -----------------------------------------------------------------------------------


def test_me_for_a_member_has_the_whole_chain(login, demo):
    shi = demo["石水奇"]
    grid = shi.org_unit
    village = ancestor(grid, "village")
    town = ancestor(grid, "township")
    me = login("石水奇").get("/api/me").get_json()

    assert me["id"] == shi.id and me["role"] == "member" and me["role_name"] == ROLE_NAMES["member"]
    assert me["org_unit"] == {"id": grid.id, "kind": "grid", "name": "第一网格"}
    assert [u["name"] for u in me["org_path"]] == ["潞城区", "辛安泉镇", "西流南村", "第一网格"]
    assert me["informant_id"] == shi.informant_id
    expected = [shi.informant, holder("grid_leader", grid), holder("secretary", village), holder("township", town)]
    assert [(c["id"], c["role"]) for c in me["chain"]] == [(u.id, u.role) for u in expected]
    assert me["chain"][0]["role"] == "informant"
    assert me["chain"][2]["name"] == "赵红梅"
    assert all(c["role_name"] == ROLE_NAMES[c["role"]] for c in me["chain"])
    assert "password_hash" not in me and "password" not in me


def test_me_for_an_informant_starts_at_the_grid_leader(login, demo):
    shi = demo["石水奇"]
    informant = shi.informant
    me = login(informant.name).get("/api/me").get_json()
    assert me["role"] == "informant"
    assert [c["role"] for c in me["chain"]] == ["grid_leader", "secretary", "township"]
    assert me["chain"][0]["id"] == holder("grid_leader", shi.org_unit).id


def test_me_for_a_grid_leader(login, demo):
    grid_leader = holder("grid_leader", demo["石水奇"].org_unit)
    me = login(grid_leader.name).get("/api/me").get_json()
    assert [(c["role"], c["name"]) for c in me["chain"]] == [
        ("secretary", "赵红梅"), ("township", demo.one("township", "辛安泉镇").name)]


def test_me_for_a_secretary(login, demo):
    me = login("赵红梅").get("/api/me").get_json()
    assert me["org_unit"]["kind"] == "village"
    assert [u["name"] for u in me["org_path"]] == ["潞城区", "辛安泉镇", "西流南村"]
    assert [(c["role"], c["id"]) for c in me["chain"]] == [("township", demo.one("township", "辛安泉镇").id)]


def test_the_other_villages_chain_stays_in_its_own_township(login):
    me = login("郑满仓").get("/api/me").get_json()
    assert [c["name"] for c in me["chain"]] == ["吴月娥", "周德胜", "孙保平", "张安明"]
    assert [u["name"] for u in me["org_path"]] == ["潞城区", "黄牛蹄乡", "黄牛蹄村", "第一网格"]


@pytest.mark.parametrize("role", ["township", "department", "admin"])
def test_me_at_the_top_has_no_chain_above(login, role):
    me = login(role=role).get("/api/me").get_json()
    assert me["role"] == role
    assert me["chain"] == []


# --- /api/users --------------------------------------------------------------------------------


def users_of(client, **query):
    res = client.get("/api/users", query_string={"limit": 200, **query})
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["next"] is None
    return body["items"]


def test_member_sees_themself_and_their_chain(login, demo):
    shi = demo["石水奇"]
    me = login("石水奇")
    chain = ids(me.get("/api/me").get_json()["chain"])
    assert sorted(ids(users_of(me))) == sorted([shi.id] + chain)


def test_informant_sees_their_members_and_chain(login, demo):
    informant = demo["石水奇"].informant
    client = login(informant.name)
    members = db.session.scalars(select(User.id).where(User.informant_id == informant.id)).all()
    chain = ids(client.get("/api/me").get_json()["chain"])
    assert len(members) == 3
    assert sorted(ids(users_of(client))) == sorted([informant.id, *members, *chain])
    assert sorted(ids(users_of(client, role="member"))) == sorted(members)


def test_secretary_sees_the_village_and_nobody_from_the_other_village(login, demo):
    secretary = demo["赵红梅"]
    village = secretary.org_unit
    client = login("赵红梅")
    items = users_of(client)
    in_village = db.session.scalars(select(User).where(User.org_unit_id.in_(
        select(OrgUnit.id).where(OrgUnit.path.startswith(village.path))))).all()
    chain = ids(client.get("/api/me").get_json()["chain"])  # the township officer above her
    assert len(chain) == 1
    assert sorted(ids(items)) == sorted([u.id for u in in_village] + chain)
    assert len(items) == 1 + 2 + 4 + 12 + 1
    assert demo["郑满仓"].id not in ids(items)
    assert demo["孙保平"].id not in ids(items)
    members = users_of(login("赵红梅"), role="member")
    assert len(members) == 12 and {m["role"] for m in members} == {"member"}
    grid = demo["石水奇"].org_unit
    in_grid = users_of(login("赵红梅"), org_unit_id=grid.id)
    assert {u["org_unit"]["id"] for u in in_grid} == {grid.id}
    assert len(in_grid) == 1 + 2 + 6


def test_department_staff_see_their_department_only(login, demo):
    items = users_of(login("刘淑珍"))
    assert ids(items) == [demo["刘淑珍"].id]


def test_admin_sees_everyone(login):
    items = users_of(login(role="admin"))
    assert len(items) == db.session.query(User).count()


def test_inactive_users_are_not_listed(login, demo):
    shi = demo["石水奇"]
    shi.active = False
    db.session.flush()
    assert shi.id not in ids(users_of(login("赵红梅")))


def test_users_are_paginated_without_duplicates(login):
    client = login(role="admin")
    seen, cursor, pages = [], None, 0
    while True:
        body = client.get("/api/users", query_string={"limit": 7, **({"cursor": cursor} if cursor else {})}).get_json()
        assert len(body["items"]) <= 7
        seen += ids(body["items"])
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == db.session.query(User).count()
    assert pages == -(-len(seen) // 7)


@pytest.mark.parametrize("query, field", [
    ({"role": "king"}, "role"),
    ({"org_unit_id": "x"}, "org_unit_id"),
    ({"limit": 0}, "limit"),
    ({"limit": 1000}, "limit"),
    ({"cursor": "not-a-cursor"}, "cursor"),
])
def test_users_bad_query_is_422_naming_it(login, query, field):
    res = login("赵红梅").get("/api/users", query_string=query)
    assert res.status_code == 422
    error = res.get_json()["error"]
    assert field in error["fields"]
    assert CJK.search(error["message"])


# --- /api/org-units and /api/departments -------------------------------------------------------


def units_of(client, **query):
    res = client.get("/api/org-units", query_string={"limit": 200, **query})
    assert res.status_code == 200
    return res.get_json()["items"]


def test_member_sees_their_grid(login, demo):
    assert ids(units_of(login("石水奇"))) == [demo["石水奇"].org_unit_id]


def test_secretary_sees_the_village_and_its_grids(login, demo):
    items = units_of(login("赵红梅"))
    assert sorted((u["kind"], u["name"]) for u in items) == [
        ("grid", "第一网格"), ("grid", "第二网格"), ("village", "西流南村")]
    assert all(u["path"].startswith(demo["赵红梅"].org_unit.path) for u in items)
    assert [u["name"] for u in units_of(login("赵红梅"), kind="grid")] == ["第一网格", "第二网格"]


def test_township_sees_its_villages_only(login):
    items = units_of(login(role="township", unit="辛安泉镇"))
    names = {u["name"] for u in items}
    assert {"辛安泉镇", "西流南村"} <= names
    assert "黄牛蹄村" not in names and "民政局" not in names


def test_admin_sees_every_unit(login):
    items = units_of(login(role="admin"))
    assert len(items) == db.session.query(OrgUnit).count()


def test_bad_kind_is_422(login):
    res = login("赵红梅").get("/api/org-units?kind=planet")
    assert res.status_code == 422
    assert "kind" in res.get_json()["error"]["fields"]


@pytest.mark.parametrize("role", ["member", "secretary", "township", "department", "admin"])
def test_departments_are_listed_for_everyone(login, role):
    body = login(role=role).get("/api/departments").get_json()
    names = [d["name"] for d in body["items"]]
    assert {"民政局", "人社局", "卫健局", "应急管理局", "住建局", "农业农村局"} == set(names)
    assert {d["kind"] for d in body["items"]} == {"department"}
    assert body["next"] is None
