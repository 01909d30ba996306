"""app/policy/scope.py directly: the one place that says what an actor may see."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.households.models import Household
from app.org.models import OrgUnit, User
from app.org.service import create_org_unit
from app.policy import scope


def households_seen(actor):
    return set(db.session.scalars(select(Household.id).where(scope.household_filter(actor))).all())


def households_where(*conditions):
    return set(db.session.scalars(select(Household.id).where(*conditions)).all())


def unit_named(name, kind):
    return db.session.scalars(select(OrgUnit).where(OrgUnit.name == name, OrgUnit.kind == kind)).one()


def test_member_sees_the_households_assigned_to_them(demo, jiang):
    shi = demo["石水奇"]
    seen = households_seen(shi)
    assert seen == households_where(Household.member_id == shi.id)
    assert len(seen) == 10 and jiang.id in seen


def test_informant_sees_the_households_of_their_members(demo):
    informant = demo["石水奇"].informant
    members = db.session.scalars(select(User.id).where(User.informant_id == informant.id)).all()
    assert households_seen(informant) == households_where(Household.member_id.in_(members))
    assert len(households_seen(informant)) == 30


def test_grid_leader_sees_the_grid(demo):
    grid = demo["石水奇"].org_unit
    leader = db.session.scalars(select(User).where(User.role == "grid_leader", User.org_unit_id == grid.id)).one()
    assert households_seen(leader) == households_where(Household.org_unit_id == grid.id)
    assert len(households_seen(leader)) == 60


def test_secretary_sees_the_village(demo):
    assert len(households_seen(demo["赵红梅"])) == 120
    assert len(households_seen(demo["孙保平"])) == 5
    assert not households_seen(demo["赵红梅"]) & households_seen(demo["孙保平"])


def test_township_sees_its_villages(demo):
    assert households_seen(demo.one("township", "辛安泉镇")) == households_seen(demo["赵红梅"])
    assert households_seen(demo.one("township", "黄牛蹄乡")) == households_seen(demo["孙保平"])


def test_department_sees_no_households_and_admin_sees_all(demo):
    assert households_seen(demo["刘淑珍"]) == set()
    assert households_seen(demo.one("admin")) == households_where()


def test_unassigned_household_is_seen_by_the_grid_but_no_member(demo, jiang):
    shi = demo["石水奇"]
    jiang.member_id = None
    db.session.flush()
    assert jiang.id not in households_seen(shi)
    assert jiang.id not in households_seen(shi.informant)
    assert jiang.id in households_seen(demo["赵红梅"])


def test_subtree_is_a_prefix_on_whole_path_segments(demo):
    """/1/2/ (辛安泉镇) must not match /1/29xxx/: the trailing slash keeps segments whole."""
    town = unit_named("辛安泉镇", "township")
    lookalike_id = int(str(town.id) + "9999")
    lookalike = OrgUnit(id=lookalike_id, kind="township", name="相似镇", parent_id=town.parent_id,
                        path=f"{db.session.get(OrgUnit, town.parent_id).path}{lookalike_id}/")
    db.session.add(lookalike)
    db.session.flush()
    assert lookalike.path.startswith(town.path.rstrip("/"))
    village = create_org_unit(kind="village", name="村", parent=lookalike)
    grid = create_org_unit(kind="grid", name="网格", parent=village)
    stranger = Household(org_unit_id=grid.id, head_name="外人", address="相似镇", people=1)
    db.session.add(stranger)
    db.session.flush()
    officer = demo.one("township", "辛安泉镇")
    assert stranger.id not in households_seen(officer)
    assert lookalike_id not in db.session.scalars(select(OrgUnit.id).where(scope.org_unit_filter(officer))).all()
    assert grid.id not in db.session.scalars(scope.subtree_ids(town.path)).all()


def test_visible_answers_none_outside_scope(demo, jiang):
    assert scope.visible(demo["石水奇"], Household, jiang.id) is jiang
    assert scope.visible(demo["郑满仓"], Household, jiang.id) is None
    other = next(u for u in demo.users.values() if u.role == "member" and u.id != demo["石水奇"].id)
    assert scope.visible(other, Household, jiang.id) is None
    assert scope.visible(demo["石水奇"], Household, 10**9) is None
    # users and units too
    assert scope.visible(demo["赵红梅"], User, demo["石水奇"].id).id == demo["石水奇"].id
    assert scope.visible(demo["孙保平"], User, demo["石水奇"].id) is None
    assert scope.visible(demo["孙保平"], OrgUnit, demo["石水奇"].org_unit_id) is None
    assert scope.visible(demo.one("admin"), OrgUnit, demo["石水奇"].org_unit_id) is not None


def test_user_filter_by_role(demo):
    def seen(actor):
        return set(db.session.scalars(select(User.id).where(scope.user_filter(actor))).all())

    shi = demo["石水奇"]
    assert seen(shi) == {shi.id} | {u.id for u in scope.chain_up(shi)}
    assert demo["郑满仓"].id not in seen(demo["赵红梅"])
    assert seen(demo["刘淑珍"]) == {demo["刘淑珍"].id}
    assert len(seen(demo.one("admin"))) == len(demo.users)


@pytest.mark.parametrize("name, roles", [
    ("石水奇", ["informant", "grid_leader", "secretary", "township"]),
    ("赵红梅", ["township"]),
    ("郑满仓", ["informant", "grid_leader", "secretary", "township"]),
    ("刘淑珍", []),
])
def test_chain_up_nearest_first(demo, name, roles):
    chain = scope.chain_up(demo[name])
    assert [u.role for u in chain] == roles
    user_path = demo[name].org_unit.path
    assert all(user_path.startswith(u.org_unit.path) for u in chain)


def test_chain_up_skips_inactive_holders(demo):
    shi = demo["石水奇"]
    leader = next(u for u in scope.chain_up(shi) if u.role == "grid_leader")
    leader.active = False
    db.session.flush()
    assert [u.role for u in scope.chain_up(shi)] == ["informant", "secretary", "township"]
