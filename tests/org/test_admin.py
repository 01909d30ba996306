"""Administering people and org units: what a branch secretary does on her phone when a new
member joins, one forgets a password, one moves away."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.households.models import Household
from app.org.models import AdminChange, OrgUnit, User


def _new_member(client, chain, phone="13911110001", **over):
    body = {"name": "新党员", "phone": phone, "role": "member", "org_unit_id": chain["member"].org_unit_id,
            "informant_id": chain["informant"].id, **over}
    return client.post("/api/users", json=body)


def test_a_secretary_adds_a_member_with_a_one_time_password(chain, as_user):
    res = _new_member(as_user(chain["secretary"]), chain)
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    password = body["temporary_password"]
    assert len(password) >= 8 and body["role"] == "member" and body["active"] is True
    user = db.session.get(User, body["id"])
    assert password not in user.password_hash and user.check_password(password)
    assert user.must_change_password
    change = db.session.scalars(select(AdminChange).where(AdminChange.target_id == user.id)).one()
    assert (change.actor_id, change.action, change.address) == (chain["secretary"].id, "user.create", "127.0.0.1")


def test_bad_people_are_refused_naming_the_field(chain, as_user, demo):
    client = as_user(chain["secretary"])
    taken = _new_member(client, chain, phone=chain["member"].phone)
    assert taken.status_code == 409 and "phone" in taken.get_json()["error"]["fields"]
    other_grid_informant = db.session.scalars(select(User).where(
        User.role == "informant", User.org_unit_id != chain["member"].org_unit_id,
        User.org_unit_id.in_(select(OrgUnit.id).where(OrgUnit.parent_id == chain["secretary"].org_unit_id)))).first()
    wrong = _new_member(client, chain, informant_id=other_grid_informant.id)
    assert wrong.status_code == 422 and "informant_id" in wrong.get_json()["error"]["fields"]
    village = _new_member(client, chain, org_unit_id=chain["secretary"].org_unit_id)  # a member sits in a grid
    assert village.status_code == 422 and "org_unit_id" in village.get_json()["error"]["fields"]
    elsewhere = _new_member(client, chain, org_unit_id=demo["郑满仓"].org_unit_id, informant_id=None)
    assert elsewhere.status_code == 404  # another village is not hers: as if it did not exist
    secretary = _new_member(client, chain, role="secretary", org_unit_id=chain["secretary"].org_unit_id,
                            informant_id=None)
    assert secretary.status_code == 404  # she does not appoint secretaries
    assert client.post("/api/users", json={"name": "x"}).status_code == 422


def test_a_township_officer_appoints_a_secretary(chain, as_user):
    res = as_user(chain["township"]).post("/api/users", json={
        "name": "新书记", "phone": "13911110002", "role": "secretary", "org_unit_id": chain["secretary"].org_unit_id})
    assert res.status_code == 201, res.get_json()


def test_deactivated_people_keep_their_history_and_can_return(chain, as_user):
    client = as_user(chain["secretary"])
    member = chain["member"]
    assert client.patch(f"/api/users/{member.id}", json={"active": False}).get_json()["active"] is False
    assert db.session.get(User, member.id) is not None  # never deleted
    listed = client.get("/api/users?managed=1&active=0").get_json()["items"]
    assert member.id in [u["id"] for u in listed]
    assert client.patch(f"/api/users/{member.id}", json={"active": True}).get_json()["active"] is True


def test_handover_moves_every_household_or_none(chain, as_user, demo, app):
    client = as_user(chain["secretary"])
    shi = chain["member"]
    colleague = db.session.scalars(select(User).where(
        User.role == "member", User.org_unit_id == shi.org_unit_id, User.id != shi.id)).first()
    refused = client.post(f"/api/users/{shi.id}/handover", json={"to_member_id": colleague.id})
    assert refused.status_code == 422 and colleague.name in refused.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count()).where(Household.member_id == shi.id)) == 10  # nothing moved
    homes = db.session.scalars(select(Household.id).where(Household.member_id == shi.id).order_by(Household.id)).all()
    newcomer = _new_member(client, chain).get_json()
    spread = [{"household_id": h, "member_id": newcomer["id"]} for h in homes[:9]]
    spread.append({"household_id": homes[9], "member_id": colleague.id})
    app.config["HOUSEHOLDS_PER_MEMBER"], cap = 11, app.config["HOUSEHOLDS_PER_MEMBER"]
    try:
        res = client.post(f"/api/users/{shi.id}/handover", json={"assignments": spread})
    finally:
        app.config["HOUSEHOLDS_PER_MEMBER"] = cap
    assert res.status_code == 200 and res.get_json()["moved"] == 10, res.get_json()
    assert db.session.scalar(select(func.count()).where(Household.member_id == shi.id)) == 0
    assert db.session.scalar(select(func.count()).where(Household.member_id == newcomer["id"])) == 9


def test_org_units_by_level(chain, as_user, demo):
    secretary, township = as_user(chain["secretary"]), as_user(chain["township"])
    village = chain["secretary"].org_unit
    grid = secretary.post("/api/org-units", json={"kind": "grid", "name": "第三网格", "parent_id": village.id})
    assert grid.status_code == 201, grid.get_json()
    again = secretary.post("/api/org-units", json={"kind": "grid", "name": "第三网格", "parent_id": village.id})
    assert again.status_code == 409 and "name" in again.get_json()["error"]["fields"]
    assert secretary.post("/api/org-units", json={"kind": "village", "name": "新村",
                                                  "parent_id": village.parent_id}).status_code == 422
    renamed = secretary.patch(f"/api/org-units/{grid.get_json()['id']}", json={"name": "三组网格"})
    assert renamed.get_json()["name"] == "三组网格"
    assert secretary.patch(f"/api/org-units/{village.id}", json={"name": "改名"}).status_code == 404
    assert township.patch(f"/api/org-units/{village.id}", json={"name": "西流南村"}).status_code == 200
    other = demo["郑满仓"].org_unit
    assert secretary.patch(f"/api/org-units/{other.id}", json={"name": "x"}).status_code == 404


def test_the_level_above_sees_what_was_changed(chain, as_user):
    _new_member(as_user(chain["secretary"]), chain)
    above = as_user(chain["township"]).get("/api/admin-changes").get_json()["items"]
    assert above[0]["action"] == "user.create" and above[0]["actor"]["id"] == chain["secretary"].id
    assert as_user(chain["member"]).get("/api/admin-changes").get_json()["items"] == []


@pytest.mark.parametrize("change", [{"role": "informant"}, {"org_unit_id": "other_village"}])
def test_a_member_with_households_is_handed_over_before_leaving(change, chain, as_user, demo):
    if change.get("org_unit_id") == "other_village":
        change = {"org_unit_id": demo["郑满仓"].org_unit_id}
        client = as_user(chain["admin"])
    else:
        client = as_user(chain["secretary"])
    res = client.patch(f"/api/users/{chain['member'].id}", json=change)
    assert res.status_code == 422, res.get_json()


def test_a_deactivated_members_households_wait_for_handover(chain, as_user):
    client = as_user(chain["secretary"])
    assert client.get("/api/households?awaiting_handover=1").get_json()["items"] == []
    client.patch(f"/api/users/{chain['member'].id}", json={"active": False})
    waiting = client.get("/api/households?awaiting_handover=1&limit=50").get_json()["items"]
    assert len(waiting) == 10 and {h["member"]["id"] for h in waiting} == {chain["member"].id}


def test_a_handover_names_each_household_once(chain, as_user):
    shi = chain["member"]
    home = db.session.scalars(select(Household.id).where(Household.member_id == shi.id)).first()
    twice = [{"household_id": home, "member_id": shi.id}] * 2
    res = as_user(chain["secretary"]).post(f"/api/users/{shi.id}/handover", json={"assignments": twice})
    assert res.status_code == 422 and "assignments" in res.get_json()["error"]["fields"]


def test_blank_names_are_refused(chain, as_user):
    res = _new_member(as_user(chain["secretary"]), chain, name="   ")
    assert res.status_code == 422 and "name" in res.get_json()["error"]["fields"]


def test_an_informant_with_any_members_stays_in_their_grid(chain, as_user, demo):
    """Even when the members are deactivated: reactivating one must not leave them linked to
    an informant in another grid."""
    client, informant = as_user(chain["secretary"]), chain["informant"]
    for member in [u for u in demo.users.values() if u.informant_id == informant.id]:
        client.patch(f"/api/users/{member.id}", json={"active": False})
    other_grid = db.session.scalars(select(OrgUnit).where(
        OrgUnit.parent_id == chain["secretary"].org_unit_id, OrgUnit.id != informant.org_unit_id)).first()
    assert client.patch(f"/api/users/{informant.id}", json={"org_unit_id": other_grid.id}).status_code == 422


def test_a_holder_who_moves_away_leaves_no_case_stranded(chain, as_user, make_case):
    case = make_case(level="grid", status="escalated")
    leader = chain["grid_leader"]
    other_grid = db.session.scalars(select(OrgUnit).where(
        OrgUnit.parent_id == chain["secretary"].org_unit_id, OrgUnit.id != leader.org_unit_id)).first()
    res = as_user(chain["secretary"]).patch(f"/api/users/{leader.id}", json={"org_unit_id": other_grid.id})
    assert res.status_code == 200, res.get_json()
    detail = as_user(chain["secretary"]).get(f"/api/cases/{case.id}").get_json()
    # the grid has no other leader: the case climbs to the branch, and the timeline says so
    assert detail["holder"]["id"] == chain["secretary"].id and detail["level"] == "branch"
    assert detail["events"][-1]["type"] == "rehomed"


def test_a_stopped_person_gets_no_push(chain, as_user, app):
    from app.notify.models import Delivery, PushSubscription
    from app.notify.service import notify

    member = chain["member"]
    db.session.add(PushSubscription(user_id=member.id, endpoint="https://fcm.googleapis.com/fcm/send/x",
                                    p256dh="k" * 87, auth="a" * 22))
    db.session.flush()
    as_user(chain["secretary"]).patch(f"/api/users/{member.id}", json={"active": False})
    rows = notify(user_ids=[member.id], kind="case_closed", ref_type="case", ref_id="x", title="测试")
    assert db.session.scalars(select(Delivery).where(Delivery.notification_id.in_([r.id for r in rows]))).all() == []


def test_changes_are_read_upward_not_downward(chain, as_user):
    as_user(chain["township"]).patch(f"/api/users/{chain['secretary'].id}", json={"wecom_id": "zhao"})
    mine = as_user(chain["secretary"]).get("/api/admin-changes").get_json()["items"]
    assert all(c["actor"]["id"] == chain["secretary"].id for c in mine)  # not the officer's, nor his address
    assert as_user(chain["admin"]).get("/api/admin-changes").get_json()["items"][0]["actor"]["id"] == chain["township"].id
