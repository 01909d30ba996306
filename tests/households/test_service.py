"""app/households/service.py without HTTP: scope, edits on a version, the covering member and the cap."""
import pytest
from sqlalchemy import func, select

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.households import service
from app.households.models import Household
from app.messages import TEXT
from app.policy.chain import village_path


def count_of(member):
    return db.session.scalar(select(func.count()).where(Household.member_id == member.id))


def members_of_village(demo, village="西流南村"):
    return [u for u in sorted(demo.users.values(), key=lambda u: u.id)
            if u.role == "member" and u.org_unit.parent_id is not None
            and db.session.get(type(u.org_unit), u.org_unit.parent_id).name == village]


def test_list_households_for_a_member(demo, jiang):
    items, nxt = service.list_households(actor=demo["石水奇"], limit=50)
    assert nxt is None
    assert len(items) == 10
    assert jiang.id in [h["id"] for h in items]
    assert all("last_visit" in h for h in items)
    assert all(h["member"]["id"] == demo["石水奇"].id for h in items)


def test_list_households_pages(demo):
    first, cursor = service.list_households(actor=demo["赵红梅"], limit=100)
    rest, end = service.list_households(actor=demo["赵红梅"], limit=100, cursor=cursor)
    assert end is None
    assert len(first) == 100 and len(rest) == 20
    assert not {h["id"] for h in first} & {h["id"] for h in rest}


def test_get_household_out_of_scope_is_not_found(demo, jiang):
    assert service.get_household(actor=demo["石水奇"], household_id=jiang.id) is jiang
    with pytest.raises(NotFound):
        service.get_household(actor=demo["郑满仓"], household_id=jiang.id)
    with pytest.raises(NotFound):
        service.get_household(actor=demo["刘淑珍"], household_id=jiang.id)


def test_update_household_flushes_and_does_not_commit(demo, jiang):
    version = jiang.version
    household = service.update_household(actor=demo["石水奇"], household_id=jiang.id,
                                         changes={"version": version, "people": 6})
    assert household.people == 6 and household.version == version + 1
    db.session.rollback()  # the test's savepoint: a commit inside the service would survive this
    db.session.expire_all()
    assert db.session.get(Household, jiang.id).people == 3


def test_update_household_stale_version_carries_the_current_record(demo, jiang):
    with pytest.raises(Conflict) as info:
        service.update_household(actor=demo["石水奇"], household_id=jiang.id,
                                 changes={"version": jiang.version - 1 if jiang.version > 1 else 99, "people": 1})
    exc = info.value
    assert exc.code == "version_conflict" and exc.status == 409
    assert exc.message == TEXT["household_conflict"]
    assert exc.extra["current"]["id"] == jiang.id
    assert exc.extra["current"]["people"] == 3
    assert exc.extra["current"]["version"] == jiang.version


def test_assign_member_rules(demo, jiang):
    shi = demo["石水奇"]
    with pytest.raises(Forbidden):
        service.assign_member(actor=shi, household=jiang, member_id=members_of_village(demo)[1].id)
    with pytest.raises(Invalid) as info:
        service.assign_member(actor=demo["赵红梅"], household=jiang, member_id=shi.informant_id)
    assert info.value.fields == {"member_id": [TEXT["not_a_member"]]}
    # same member: nothing to do, whoever asks
    service.assign_member(actor=shi, household=jiang, member_id=shi.id)
    assert jiang.member_id == shi.id


@pytest.mark.parametrize("role", ["secretary", "township", "admin"])
def test_those_who_may_reassign(demo, jiang, role):
    actor = {"secretary": demo["赵红梅"], "township": demo.one("township", "辛安泉镇"),
             "admin": demo.one("admin")}[role]
    service.assign_member(actor=actor, household=jiang, member_id=None)
    assert jiang.member_id is None
    target = members_of_village(demo)[3]
    with pytest.raises(Invalid) as info:  # the target already covers 10
        service.assign_member(actor=actor, household=jiang, member_id=target.id)
    assert info.value.code == "member_cap"
    assert jiang.member_id is None
    service.assign_member(actor=actor, household=jiang, member_id=demo["石水奇"].id)  # back: 9 -> 10
    assert jiang.member_id == demo["石水奇"].id


def test_check_assignable_counts_pending_rows(app, demo, monkeypatch):
    member = members_of_village(demo)[0]
    grid = member.org_unit
    assert count_of(member) == 10
    with pytest.raises(Invalid) as info:
        service.check_assignable(member=member, household_unit=grid)
    assert info.value.code == "member_cap"
    assert info.value.message.endswith(TEXT["member_cap"].format(cap=10))

    monkeypatch.setitem(app.config, "HOUSEHOLDS_PER_MEMBER", 12)
    service.check_assignable(member=member, household_unit=grid)
    service.check_assignable(member=member, household_unit=grid, pending=1)
    with pytest.raises(Invalid):
        service.check_assignable(member=member, household_unit=grid, pending=2)


def test_check_assignable_village_and_role(demo):
    shi = demo["石水奇"]
    other_grid = next(u for u in members_of_village(demo) if u.org_unit_id != shi.org_unit_id).org_unit
    db.session.execute(Household.__table__.update().where(Household.member_id == shi.id).values(member_id=None))
    service.check_assignable(member=shi, household_unit=other_grid)  # same village, other grid: fine
    with pytest.raises(Invalid) as info:
        service.check_assignable(member=shi, household_unit=demo["郑满仓"].org_unit)
    assert info.value.message.endswith(TEXT["member_out_of_village"])
    with pytest.raises(Invalid) as info:
        service.check_assignable(member=demo["赵红梅"], household_unit=shi.org_unit)
    assert info.value.message.endswith(TEXT["not_a_member"])
    shi.active = False
    with pytest.raises(Invalid):
        service.check_assignable(member=shi, household_unit=shi.org_unit)


def test_village_path(demo):
    shi = demo["石水奇"]
    village = demo["赵红梅"].org_unit
    assert village_path(shi.org_unit) == village.path
    assert village_path(village) == village.path


def test_household_detail(demo, jiang):
    detail = service.household_detail(actor=demo["赵红梅"], household_id=jiang.id)
    assert detail["id"] == jiang.id and detail["head_name"] == "姜彩凤"
    assert isinstance(detail["recent_visits"], list)
    if detail["recent_visits"]:
        assert detail["last_visit"]["id"] == detail["recent_visits"][0].id
