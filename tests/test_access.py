"""The access matrix: every household/visit route x every role x a household in or out of scope.

In scope answers 200/201; out of scope answers 404 with exactly the body of a missing id, and
changes nothing. The expectations are written out by hand from the contract's table, not
computed with app/org/scope.py, so a wrong scope rule fails here.
"""
import uuid

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.households.models import Household
from app.org.models import OrgUnit, User
from app.visits.models import Visit
from tests.conftest import visit_body

MISSING = 987654321

# Who acts: the first seven roles in 西流南村 (辛安泉镇), then three people of 黄牛蹄村.
ACTORS = ["member", "informant", "grid_leader", "secretary", "township", "department", "admin",
          "member_hnt", "informant_hnt", "secretary_hnt"]

# Which household: 姜彩凤 (石水奇's), one of another informant's member in the same grid,
# one in 西流南村's other grid, one in 黄牛蹄村.
TARGETS = ["jiang", "same_grid", "other_grid", "other_village"]

SEES = {
    "member": {"jiang"},
    "informant": {"jiang"},
    "grid_leader": {"jiang", "same_grid"},
    "secretary": {"jiang", "same_grid", "other_grid"},
    "township": {"jiang", "same_grid", "other_grid"},
    "department": set(),
    "admin": {"jiang", "same_grid", "other_grid", "other_village"},
    "member_hnt": {"other_village"},
    "informant_hnt": {"other_village"},
    "secretary_hnt": {"other_village"},
}


def _actor(demo, name):
    shi = demo["石水奇"]
    grid = shi.org_unit
    return {
        "member": shi,
        "informant": shi.informant,
        "grid_leader": db.session.scalars(
            select(User).where(User.role == "grid_leader", User.org_unit_id == grid.id)).one(),
        "secretary": demo["赵红梅"],
        "township": demo.one("township", "辛安泉镇"),
        "department": demo["刘淑珍"],
        "admin": demo.one("admin"),
        "member_hnt": demo["郑满仓"],
        "informant_hnt": demo["吴月娥"],
        "secretary_hnt": demo["孙保平"],
    }[name]


def _target(demo, jiang, name):
    shi = demo["石水奇"]
    if name == "jiang":
        return jiang
    if name == "same_grid":
        member = db.session.scalars(select(User).where(
            User.role == "member", User.org_unit_id == shi.org_unit_id,
            User.informant_id != shi.informant_id).order_by(User.id)).first()
        return db.session.scalars(select(Household).where(Household.member_id == member.id)
                                  .order_by(Household.id)).first()
    if name == "other_grid":
        village = db.session.get(OrgUnit, shi.org_unit.parent_id)
        grid = db.session.scalars(select(OrgUnit).where(
            OrgUnit.parent_id == village.id, OrgUnit.id != shi.org_unit_id)).one()
        return db.session.scalars(select(Household).where(Household.org_unit_id == grid.id)
                                  .order_by(Household.id)).first()
    return db.session.scalars(select(Household).where(Household.member_id == demo["郑满仓"].id)
                              .order_by(Household.id)).first()


def _visits():
    return db.session.scalar(select(func.count()).select_from(Visit))


def _get_detail(client, hid):
    return client.get(f"/api/households/{hid}")


def _patch(client, hid):
    version = db.session.get(Household, hid).version if hid != MISSING else 1
    return client.patch(f"/api/households/{hid}", json={"version": version, "people": 7})


def _list_visits(client, hid):
    return client.get("/api/visits", query_string={"household_id": hid})


def _post_visit(client, hid):
    return client.post("/api/visits", json=visit_body(hid, id=str(uuid.uuid4())))


ROUTES = {
    "GET /api/households/<id>": (_get_detail, 200),
    "PATCH /api/households/<id>": (_patch, 200),
    "GET /api/visits?household_id=": (_list_visits, 200),
    "POST /api/visits": (_post_visit, 201),
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", list(ROUTES))
def test_access_matrix(login, demo, jiang, route, actor, target):
    call, ok = ROUTES[route]
    user = _actor(demo, actor)
    household = _target(demo, jiang, target)
    client = login(user.name)
    people_before, visits_before = household.people, _visits()

    res = call(client, household.id)

    if target in SEES[actor]:
        assert res.status_code == ok, res.get_json()
        if route.startswith("GET /api/households"):
            assert res.get_json()["id"] == household.id
        if route.startswith("GET /api/visits"):
            assert all(v["household_id"] == household.id for v in res.get_json()["items"])
    else:
        missing = call(client, MISSING)
        assert res.status_code == missing.status_code == 404
        assert res.get_json() == missing.get_json()
        db.session.expire_all()
        assert db.session.get(Household, household.id).people == people_before
        assert _visits() == visits_before


def test_the_matrix_covers_every_household_and_visit_route(app):
    """A new household or visit route must be added to the matrix."""
    rules = {(m, r.rule) for r in app.url_map.iter_rules()
             if r.rule.startswith(("/api/households/", "/api/visits")) for m in r.methods - {"HEAD", "OPTIONS"}}
    assert rules == {("GET", "/api/households/<int:household_id>"), ("PATCH", "/api/households/<int:household_id>"),
                     ("GET", "/api/visits"), ("POST", "/api/visits")}


def test_every_actor_sees_what_the_matrix_says_in_the_list(login, demo, jiang):
    """The list agrees with the matrix: each target is listed exactly when its detail answers."""
    for actor in ACTORS:
        client = login(_actor(demo, actor).name)
        listed, cursor = set(), None
        while True:
            query = {"limit": 200, **({"cursor": cursor} if cursor else {})}
            body = client.get("/api/households", query_string=query).get_json()
            listed |= {h["id"] for h in body["items"]}
            cursor = body["next"]
            if cursor is None:
                break
        for target in TARGETS:
            assert (_target(demo, jiang, target).id in listed) == (target in SEES[actor]), (actor, target)
