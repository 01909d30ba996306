"""The household register's lifecycle: 新增住户, archive (迁出, 户销, 合户 ...) and restore.

Only secretaries and above, in their scope. An archived household keeps its visits, cases and
residents; it leaves every list and phone until it is restored.
"""
from flask import current_app
from sqlalchemy import func, select

from app.cases.models import Case
from app.common.time import utcnow
from app.errors import Conflict, Invalid
from app.extensions import db
from app.households.models import Household, village_id_of
from app.households.service import (
    check_assignable,
    covered_counts,
    get_household,
    member_problem,
    number_free,
)
from app.messages import REGISTER, TEXT
from app.org.models import OrgUnit, User
from app.policy import capabilities, scope
from app.policy.names import OPEN_STATUSES, Kind, Role


def create_household(*, actor, data):
    """A new household on a grid (or village) in scope, covered by `member_id` if given; 户编号
    is the next number of the village unless given."""
    capabilities.require(actor, "households.manage", REGISTER["manage"])
    data = dict(data)
    member_id, unit_id = data.pop("member_id", None), data.pop("org_unit_id", None)
    number = data.pop("household_no", None)
    member = None
    if member_id is not None:
        member = scope.visible(actor, User, member_id)
        if member is None:
            raise Invalid("member_id", TEXT["member_not_found"])
    if unit_id is not None:
        unit = scope.visible(actor, OrgUnit, unit_id)
        if unit is None or unit.kind not in (Kind.GRID, Kind.VILLAGE):
            raise Invalid("org_unit_id", REGISTER["not_a_place"])
    elif member is not None:
        unit = member.org_unit
    else:
        raise Invalid("org_unit_id", REGISTER["place_required"])
    if member is not None:
        if unit.kind == Kind.GRID and member.org_unit_id != unit.id:
            raise Invalid("member_id", REGISTER["member_other_grid"])
        check_assignable(member=member, household_unit=unit)
        unit = member.org_unit  # a household placed on the village goes to its member's grid
    village_id = village_id_of(unit)
    if number:
        number_free(village_id, number)
    household = Household(org_unit=unit, member=member, village_id=village_id, household_no=number or None,
                          **{"tags": [], "phone": "", "hardship": False, **data})
    db.session.add(household)
    db.session.flush()
    return household


def archive_household(*, actor, household_id, reason, note=""):
    """Out of every list and phone, history kept. A household with open cases is refused:
    someone still owes it an answer, so they are resolved (or closed out) first."""
    capabilities.require(actor, "households.manage", REGISTER["manage"])
    household = get_household(actor=actor, household_id=household_id)
    still_open = db.session.scalar(select(func.count()).select_from(Case).where(
        Case.household_id == household.id, Case.status.in_(OPEN_STATUSES)))
    if still_open:
        raise Conflict(REGISTER["open_cases"].format(n=still_open), code="open_cases")
    household.archived_at, household.archive_reason, household.archive_note = utcnow(), reason, note or ""
    db.session.flush()
    return household


def restore_household(*, actor, household_id):
    """Back in the lists and on its member's phone. If its member may no longer cover it
    (deactivated, moved, at the cap) it comes back uncovered, to be assigned again."""
    capabilities.require(actor, "households.manage", REGISTER["manage"])
    household = get_household(actor=actor, household_id=household_id, archived=True)
    if household.member is not None and not _may_cover_again(household.member, household):
        household.member = None
    household.archived_at, household.archive_reason, household.archive_note = None, None, ""
    db.session.flush()
    return household


def _may_cover_again(member, household):
    if member_problem(member, household.org_unit) or member.org_unit_id != household.org_unit_id:
        return False
    return covered_counts([member.id]).get(member.id, 0) < current_app.config["HOUSEHOLDS_PER_MEMBER"]


def places(*, actor):
    """Where a new household can go (新增住户): the grids in scope with their village, and the
    active members there with how many live households each covers."""
    capabilities.require(actor, "households.manage", REGISTER["manage"])
    grids = db.session.scalars(select(OrgUnit).where(OrgUnit.kind == Kind.GRID, scope.org_unit_filter(actor))
                               .order_by(OrgUnit.path)).all()
    villages = {u.id: u for u in db.session.scalars(select(OrgUnit).where(
        OrgUnit.id.in_({g.parent_id for g in grids})))} if grids else {}
    members = db.session.scalars(select(User).where(User.role == Role.MEMBER, User.active,
                                                    User.org_unit_id.in_([g.id for g in grids]))
                                 .order_by(User.id)).all() if grids else []
    covered = dict(db.session.execute(
        select(Household.member_id, func.count()).where(Household.member_id.in_([m.id for m in members]),
                                                       Household.archived_at.is_(None))
        .group_by(Household.member_id)).all()) if members else {}
    return {
        "grids": [{"id": g.id, "name": g.name, "village": villages.get(g.parent_id)} for g in grids],
        "members": [{"id": m.id, "name": m.name, "phone": m.phone, "org_unit_id": m.org_unit_id,
                     "covered": covered.get(m.id, 0)} for m in members],
        "cap": current_app.config["HOUSEHOLDS_PER_MEMBER"],
    }
