"""The access matrix of administration: every people route × every role × a person in or out
of the actor's charge. Expectations are written from the contract ("Administration"), not
computed with app/policy: a secretary manages her village's members, informants and grid
leaders; a township officer also the secretaries of his township; an admin everyone. Out of
charge answers 404 with exactly the body of a missing id, and changes nothing."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.org.models import User

MISSING = 987654321
ACTORS = ["member", "informant", "grid_leader", "secretary", "township", "department", "admin", "secretary_hnt"]
TARGETS = ["member_xln", "secretary_xln", "member_hnt", "township_xln"]
MANAGES = {
    "member": set(), "informant": set(), "grid_leader": set(), "department": set(),
    "secretary": {"member_xln"},
    "township": {"member_xln", "secretary_xln"},
    "admin": {"member_xln", "secretary_xln", "member_hnt", "township_xln"},
    "secretary_hnt": {"member_hnt"},
}


def _person(demo, chain, name):
    return {
        "member": chain["member"], "informant": chain["informant"], "grid_leader": chain["grid_leader"],
        "secretary": chain["secretary"], "township": chain["township"], "department": chain["department"],
        "admin": chain["admin"], "secretary_hnt": demo["孙保平"],
        "member_xln": chain["member"], "secretary_xln": chain["secretary"], "member_hnt": demo["郑满仓"],
        "township_xln": chain["township"],
    }[name]


ROUTES = {
    "view": lambda c, uid: c.get(f"/api/users/{uid}"),
    "edit": lambda c, uid: c.patch(f"/api/users/{uid}", json={"wecom_id": "probe"}),
    "reset": lambda c, uid: c.post(f"/api/users/{uid}/reset-password", json={}),
    "handover": lambda c, uid: c.post(f"/api/users/{uid}/handover", json={"to_member_id": MISSING}),
}


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize("actor", ACTORS)
def test_people_routes_by_role_and_charge(route, actor, demo, chain, as_user):
    client = as_user(_person(demo, chain, actor))
    missing = ROUTES[route](client, MISSING)
    assert missing.status_code == 404
    for target in TARGETS:
        person = _person(demo, chain, target)
        before = (person.wecom_id, person.password_hash, person.session_epoch)
        res = ROUTES[route](client, person.id)
        where = f"{actor} {route} {target}"
        if target in MANAGES[actor] and person.id != _person(demo, chain, actor).id:
            assert res.status_code != 404, where
            assert res.status_code in (200, 422), (where, res.get_json())
        else:
            assert res.status_code == 404, where
            assert res.get_data() == missing.get_data(), where
            db.session.expire_all()
            person = db.session.get(User, person.id)
            assert (person.wecom_id, person.password_hash, person.session_epoch) == before, where
    db.session.rollback()


@pytest.mark.parametrize("actor", ACTORS)
def test_the_people_list_shows_whom_one_manages(actor, demo, chain, as_user):
    client = as_user(_person(demo, chain, actor))
    rows = client.get("/api/users?managed=1&limit=200").get_json()["items"]
    ids = {r["id"] for r in rows}
    for target in TARGETS:
        person = _person(demo, chain, target)
        expected = target in MANAGES[actor] and person.id != _person(demo, chain, actor).id
        assert (person.id in ids) == expected, (actor, target)


# Where each actor may put a new grid leader (a grid) and add a grid (a village): 西流南村, and
# 黄牛蹄村 of another township.
PLACES = ["own_village", "other_township"]
PLACES_IN_CHARGE = {
    "member": set(), "informant": set(), "grid_leader": set(), "department": set(),
    "secretary": {"own_village"},
    "township": {"own_village"},  # 黄牛蹄村 belongs to 黄牛蹄乡, not to his township
    "admin": {"own_village", "other_township"},
    "secretary_hnt": {"other_township"},
}


def _village(demo, chain, place):
    return chain["secretary"].org_unit if place == "own_village" else demo["孙保平"].org_unit


@pytest.mark.parametrize("actor", ACTORS)
def test_creating_people_and_grids_by_role_and_place(actor, demo, chain, as_user):
    from app.org.models import OrgUnit

    client = as_user(_person(demo, chain, actor))
    for n, place in enumerate(PLACES):
        village = _village(demo, chain, place)
        grid = db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == village.id)).first()
        person = client.post("/api/users", json={"name": "新人", "phone": f"1391000{n}{ACTORS.index(actor):03d}",
                                                 "role": "grid_leader", "org_unit_id": grid.id})
        unit = client.post("/api/org-units", json={"kind": "grid", "name": f"新网格{n}", "parent_id": village.id})
        allowed = place in PLACES_IN_CHARGE[actor]
        assert (person.status_code == 201) == allowed, (actor, place, person.get_json())
        assert (unit.status_code == 201) == allowed, (actor, place, unit.get_json())
        if not allowed:
            assert person.status_code == 404, (actor, place)
    db.session.rollback()


@pytest.mark.parametrize("actor", ACTORS)
def test_the_record_of_changes_is_read_from_above(actor, demo, chain, as_user):
    as_user(chain["secretary"]).patch(f"/api/users/{chain['member'].id}", json={"wecom_id": "shi"})
    seen = as_user(_person(demo, chain, actor)).get("/api/admin-changes").get_json()["items"]
    expected = actor in ("secretary", "township", "admin")  # the change was made in 西流南村
    assert any(c["target_id"] == chain["member"].id for c in seen) == expected, actor
