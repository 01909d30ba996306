"""The access matrix: every household/visit route x every role x a household in or out of scope.

In scope answers 200/201; out of scope answers 404 with exactly the body of a missing id, and
changes nothing. The expectations are written out by hand from the contract's table, not
computed with app/org/scope.py, so a wrong scope rule fails here.
"""
import uuid

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.households import id_numbers
from app.households.models import Household, Resident
from app.org.models import OrgUnit, User
from app.visits.models import Visit
from tests.conftest import visit_body
from tests.households.files import HOUSEHOLD_HEADER, upload, xlsx

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
    """A new household, resident or visit route must be added to the matrix."""
    rules = {(m, r.rule) for r in app.url_map.iter_rules()
             if r.rule.startswith(("/api/households/", "/api/visits", "/api/residents/"))
             for m in r.methods - {"HEAD", "OPTIONS"}}
    assert rules == {("GET", "/api/households/<int:household_id>"), ("PATCH", "/api/households/<int:household_id>"),
                     ("GET", "/api/visits"), ("POST", "/api/visits")} | {
        (m, r.replace("<id>", "<int:household_id>" if r.startswith("/api/households") else "<int:resident_id>"))
        for m, r in (route.split(" ") for route in REGISTER_ROUTES)}


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


# --- the household register (contract "The household register") --------------------------------
# Secretaries and above (in their scope) add, archive, restore and import households and keep their
# residents; everyone who sees a household reads its residents. A route a role may not use at all
# answers 403 whichever id it is given, so an out-of-scope id still answers exactly as a missing one.

MANAGERS = {"secretary", "township", "admin", "secretary_hnt"}
ID_NUMBER = "110101199003071233"


def _resident(hid):
    """The target household's resident (made here), with an ID number to reveal."""
    found = db.session.scalars(select(Resident).where(Resident.household_id == hid)).first() if hid != MISSING else None
    if found is None and hid != MISSING:
        found = Resident(household_id=hid, name="矩阵", relation="other", gender="", phone="", care=["other"],
                         id_number_token=id_numbers.encrypt(ID_NUMBER), id_number_masked=id_numbers.mask(ID_NUMBER))
        db.session.add(found)
        db.session.flush()
    return found.id if found is not None else MISSING


def _archived(hid):
    if hid != MISSING:
        db.session.execute(Household.__table__.update().where(Household.id == hid).values(archived_at=db.func.now()))
    return hid


def _closed_cases(hid):
    """Archiving waits for open cases; the matrix is about who may, so the target's are closed."""
    db.session.execute(db.text("UPDATE cases SET status = 'closed' WHERE household_id = :h"), {"h": hid})
    return hid


REGISTER_ROUTES = {
    # route: (call, success status, managers only)
    "GET /api/households/<id>/residents": (lambda c, h: c.get(f"/api/households/{h}/residents"), 200, False),
    "POST /api/households/<id>/residents": (lambda c, h: c.post(f"/api/households/{h}/residents", json={
        "name": "新成员", "relation": "child"}), 201, True),
    "DELETE /api/households/<id>": (lambda c, h: c.delete(f"/api/households/{_closed_cases(h)}", json={
        "reason": "moved_out"}), 200, True),
    "POST /api/households/<id>/restore": (lambda c, h: c.post(f"/api/households/{_archived(h)}/restore"), 200, True),
    "GET /api/residents/<id>": (lambda c, h: c.get(f"/api/residents/{_resident(h)}"), 200, False),
    "PATCH /api/residents/<id>": (lambda c, h: c.patch(f"/api/residents/{_resident(h)}", json={
        "phone": "13700000099"}), 200, True),
    "DELETE /api/residents/<id>": (lambda c, h: c.delete(f"/api/residents/{_resident(h)}"), 204, True),
    "POST /api/residents/<id>/reveal": (lambda c, h: c.post(f"/api/residents/{_resident(h)}/reveal"), 200, True),
}


def _register_state(hid):
    home = db.session.get(Household, hid)
    residents = db.session.scalars(select(Resident).where(Resident.household_id == hid)).all()
    return home.archived_at is None, sorted((r.id, r.phone) for r in residents)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", list(REGISTER_ROUTES))
def test_register_access_matrix(login, demo, jiang, route, actor, target):
    call, ok, managers_only = REGISTER_ROUTES[route]
    household = _target(demo, jiang, target)
    client = login(_actor(demo, actor).name)
    _resident(household.id)
    if route.endswith("/restore"):
        _archived(household.id)
    db.session.commit()
    before = _register_state(household.id)

    res = call(client, household.id)

    if target in SEES[actor] and (actor in MANAGERS or not managers_only):
        assert res.status_code == ok, res.get_json()
    elif target in SEES[actor]:
        assert res.status_code == 403, res.get_json()
        db.session.expire_all()
        assert _register_state(household.id) == before
    else:
        missing = call(client, MISSING)
        assert res.status_code == missing.status_code == (403 if managers_only and actor not in MANAGERS else 404)
        assert res.get_json() == missing.get_json()
        db.session.expire_all()
        assert _register_state(household.id) == before


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("actor", ACTORS)
def test_import_access_matrix(login, demo, jiang, actor, target):
    """A row naming the target household by its village and number: those who may import and see
    it find it unchanged; those who may import but not see it are told its village is not theirs
    (as for a village that does not exist); the others may not import at all."""
    household = _target(demo, jiang, target)
    village = db.session.get(OrgUnit, household.village_id)
    row = [household.household_no, village.name, household.org_unit.name, household.head_name, household.address,
           household.people, household.phone, "、".join(household.tags), "是" if household.hardship else "否",
           household.member.name, household.member.phone]
    res = upload(login(_actor(demo, actor).name), xlsx({"住户": [HOUSEHOLD_HEADER, row]}), dry_run=True)
    if actor not in MANAGERS:
        assert res.status_code == 403
        return
    body = res.get_json()
    if target in SEES[actor]:
        assert (body["unchanged"], body["errors"]) == (1, []), body
    else:
        unknown = upload(login(_actor(demo, actor).name), xlsx({"住户": [HOUSEHOLD_HEADER, [
            household.household_no, "不存在村", *row[2:]]]}), dry_run=True).get_json()
        assert [(e["column"], e["message"].replace(village.name, "不存在村")) for e in body["errors"]] == \
            [(e["column"], e["message"]) for e in unknown["errors"]]


def test_every_actor_sees_what_the_matrix_says_in_the_care_lists(login, demo, jiang):
    """GET /api/residents agrees with the matrix: a target's resident is listed exactly when its household is seen."""
    names = {}
    for target in TARGETS:
        hid = _target(demo, jiang, target).id
        names[db.session.get(Resident, _resident(hid)).id] = target
    db.session.commit()
    for actor in ACTORS:
        items = login(_actor(demo, actor).name).get("/api/residents?care=other&limit=200").get_json()["items"]
        assert {names[r["id"]] for r in items if r["id"] in names} == SEES[actor], actor

